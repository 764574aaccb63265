"""Deterministic synthetic snapshots of Kazakhstan's repatriation and reintegration programme.

    python -m data_access.generate --out sample_data/snapshots --people 626 --seed 2019

With 626 people (the default) the cohorts are exactly the reported ones; any other size scales
every cohort's men / women / children in proportion (for benchmarks up to 1M people).

One full case history is drawn per person, then cut at each as-of date, so a later snapshot is
always the earlier one plus what happened since. People are processed in chunks and every table
is streamed to Parquet, so memory stays flat as the population grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from data_access import boundaries
from data_access import kazakhstan as kz
from data_access.contract import (
    AGE_BANDS,
    ASSESSMENTS,
    COHORTS,
    PEOPLE,
    REGIONS,
    SCHEMA_VERSION,
    SERVICE_TYPES,
    SERVICES,
    SEXES,
    STAGE_EVENTS,
    STAGES,
    notes_key,
)
from data_access.writer import replace_folder, to_arrow, write_manifest

DEFAULT_AS_OF = ("2025-03-31", "2025-09-30", "2026-03-31", "2026-09-30")
DEFAULT_PEOPLE = sum(c.total for c in kz.COHORTS)
CHUNK = 50_000

STAGE_IDS = tuple(s[0] for s in kz.STAGES)
(ARRIVAL, ADAPTATION, INVESTIGATION, CUSTODY, PLACEMENT, DOCUMENTS, SCHOOL_WORK, FOLLOW_UP, CLOSED, LOST) = range(
    len(STAGE_IDS)
)
OPEN_ENDED = 1_000_000  # days; the duration of a terminal stage
MAN, WOMAN, CHILD = 0, 1, 2
FEMALE, MALE = SEXES.index("female"), SEXES.index("male")
EPOCH = np.datetime64("1970-01-01", "D")

# Probability that a person receives a service type in a month, by stage (invented).
# Rows follow STAGE_IDS, columns SERVICE_TYPES; adults and children differ. Support is monthly
# around arrival and placement; in the long community stages (school or work, follow-up, years
# each) it is periodic, so a case history holds tens of service rows, not hundreds.
_P_ADULT = np.array(
    [
        # psycho theol legal medic educ  vocat
        [0.95, 0.80, 0.40, 0.95, 0.00, 0.00],  # arrival
        [0.95, 0.80, 0.40, 0.95, 0.10, 0.00],  # adaptation
        [0.10, 0.20, 0.60, 0.05, 0.00, 0.00],  # investigation
        [0.05, 0.10, 0.20, 0.05, 0.00, 0.00],  # custody
        [0.60, 0.30, 0.30, 0.30, 0.00, 0.05],  # placement
        [0.25, 0.10, 0.45, 0.10, 0.00, 0.05],  # documents
        [0.08, 0.03, 0.02, 0.02, 0.02, 0.15],  # school_work
        [0.06, 0.03, 0.02, 0.02, 0.00, 0.02],  # follow_up
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00],  # closed
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00],  # lost
    ]
)
_P_CHILD = np.array(
    [
        [0.95, 0.30, 0.00, 0.95, 0.60, 0.00],
        [0.95, 0.30, 0.05, 0.95, 0.60, 0.00],
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
        [0.60, 0.05, 0.30, 0.40, 0.20, 0.00],
        [0.25, 0.03, 0.40, 0.10, 0.15, 0.00],
        [0.05, 0.01, 0.01, 0.02, 0.10, 0.00],
        [0.05, 0.01, 0.01, 0.02, 0.08, 0.00],
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
    ]
)
_SESSIONS_MEAN = np.array([2.0, 1.0, 1.0, 1.0, 6.0, 6.0])


def largest_remainder(weights: Sequence[float], total: int) -> np.ndarray:
    """Split `total` into whole parts proportional to `weights`, summing exactly to `total`."""
    w = np.asarray(weights, dtype=float)
    quota = w / w.sum() * total
    parts = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts


@dataclass(frozen=True)
class CohortPlan:
    facts: kz.CohortFacts
    men: int
    women: int
    children: int
    unaccompanied: int
    girls: int


def plan_cohorts(n_people: int) -> list[CohortPlan]:
    """Cohort sizes: the reported ones at the default size, scaled in proportion otherwise."""
    if n_people == DEFAULT_PEOPLE:
        sizes = [(c.men, c.women, c.children) for c in kz.COHORTS]
    else:
        cells = largest_remainder([v for c in kz.COHORTS for v in (c.men, c.women, c.children)], n_people)
        sizes = [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    plans = []
    for c, (men, women, children) in zip(kz.COHORTS, sizes, strict=True):
        girls_share = c.girls / c.children if c.girls is not None else 0.5
        plans.append(
            CohortPlan(
                c,
                int(men),
                int(women),
                int(children),
                unaccompanied=round(c.unaccompanied * children / c.children) if c.children else 0,
                girls=round(girls_share * children),
            )
        )
    return plans


@dataclass(frozen=True)
class Population:
    """Per-person attributes as parallel arrays (indices into the reference tables)."""

    cohort: np.ndarray
    group: np.ndarray
    sex: np.ndarray
    age_band: np.ndarray
    unaccompanied: np.ndarray
    household: np.ndarray
    region: np.ndarray
    charged: np.ndarray
    convicted: np.ndarray

    def __len__(self) -> int:
        return len(self.cohort)

    def take(self, idx: np.ndarray | slice) -> Population:
        return Population(**{k: v[idx] for k, v in vars(self).items()})


def _shuffled(rng: np.random.Generator, counts: Sequence[int]) -> np.ndarray:
    return rng.permutation(np.repeat(np.arange(len(counts)), counts))


def make_population(rng: np.random.Generator, plans: Sequence[CohortPlan]) -> Population:
    """Everyone who returned, cohort by cohort (group, sex, age, unaccompanied, household), then
    their placement regions and who was charged and convicted, in a shuffled order."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in Population.__dataclass_fields__}
    next_household = 0
    for ci, plan in enumerate(plans):
        cohort, next_household = _cohort_people(rng, plan, next_household)
        for key, value in {"cohort": np.full(len(cohort["group"]), ci), **cohort}.items():
            parts[key].append(value)
    cols = {k: np.concatenate(v) for k, v in parts.items() if v}
    region = _regions(rng, cols["household"], next_household)
    charged, convicted = _justice(rng, cols["group"])
    population = Population(**cols, region=region, charged=charged, convicted=convicted)
    return population.take(rng.permutation(len(cols["cohort"])))


def _cohort_people(rng: np.random.Generator, p: CohortPlan, next_household: int) -> tuple[dict, int]:
    """One cohort's people: men, women, then children; and the next free household number."""
    n = p.men + p.women + p.children
    group = np.repeat([MAN, WOMAN, CHILD], [p.men, p.women, p.children])
    sex = np.concatenate(
        [
            np.full(p.men, MALE),
            np.full(p.women, FEMALE),
            np.where(_shuffled(rng, [p.girls, p.children - p.girls]) == 0, FEMALE, MALE),
        ]
    )
    adult = AGE_BANDS.index("18-59")
    child_bands = _shuffled(rng, largest_remainder(p.facts.child_age_weights, p.children))
    age = np.concatenate(
        [
            adult + _shuffled(rng, largest_remainder([0.97, 0.03], p.men)),
            adult + _shuffled(rng, largest_remainder([0.98, 0.02], p.women)),
            child_bands,
        ]
    )
    unaccompanied = np.zeros(n, dtype=bool)
    orphans = rng.choice(np.arange(p.men + p.women, n), size=p.unaccompanied, replace=False)
    unaccompanied[orphans] = True
    household, next_household = _households(rng, p, unaccompanied, orphans, next_household)
    people = {"group": group, "sex": sex, "age_band": age, "unaccompanied": unaccompanied, "household": household}
    return people, next_household


def _households(
    rng: np.random.Generator, p: CohortPlan, unaccompanied: np.ndarray, orphans: np.ndarray, next_household: int
) -> tuple[np.ndarray, int]:
    """Each woman heads a household; accompanied children join a woman of their cohort, some
    men join one too; unaccompanied children come in sibling groups."""
    n = len(unaccompanied)
    child_idx = np.arange(p.men + p.women, n)
    household = np.empty(n, dtype=np.int64)
    women_hh = next_household + np.arange(p.women)
    next_household += p.women
    household[p.men : p.men + p.women] = women_hh
    with_mother = child_idx[~unaccompanied[child_idx]]
    if p.women:
        household[with_mother] = rng.choice(women_hh, size=len(with_mother))
    else:
        household[with_mother] = next_household + np.arange(len(with_mother))
        next_household += len(with_mother)
    if len(orphans):
        groups = max(1, -(-len(orphans) // 2))
        household[orphans] = next_household + rng.integers(0, groups, len(orphans))
        next_household += groups
    men_idx = np.arange(p.men)
    joins = (rng.random(p.men) < 0.4) & (p.women > 0)
    if p.women:
        household[men_idx[joins]] = rng.choice(women_hh, size=int(joins.sum()))
    own = men_idx[~joins]
    household[own] = next_household + np.arange(len(own))
    return household, next_household + len(own)


def _regions(rng: np.random.Generator, household: np.ndarray, households: int) -> np.ndarray:
    """Each person's placement region, by household: every region receives at least one
    household; the rest follow the (invented) skew."""
    weights = np.array([r[6] for r in kz.REGIONS])
    household_region = rng.choice(len(weights), size=households, p=weights / weights.sum())
    first = rng.permutation(households)[: len(weights)]
    household_region[first[: len(first)]] = np.arange(len(first))
    return household_region[household]


def _justice(rng: np.random.Generator, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(charged, convicted): every man and the reported share of women charged; most convicted."""
    charged = group == MAN
    women = np.flatnonzero(group == WOMAN)
    women_total = sum(c.women for c in kz.COHORTS)
    charged[rng.choice(women, size=round(kz.WOMEN_CHARGED * len(women) / women_total), replace=False)] = True
    convicted = np.zeros(len(group), dtype=bool)
    for grp, share in ((MAN, kz.MEN_CONVICTED_SHARE), (WOMAN, kz.WOMEN_CONVICTED_SHARE)):
        pool = np.flatnonzero(charged & (group == grp))
        convicted[rng.choice(pool, size=round(share * len(pool)), replace=False)] = True
    return charged, convicted


@dataclass(frozen=True)
class Histories:
    """Stage timings per person: `entered` and `duration` in days, -1 where a stage is skipped."""

    arrival: np.ndarray
    entered: np.ndarray
    duration: np.ndarray

    @property
    def present(self) -> np.ndarray:
        return self.duration >= 0

    @property
    def exited(self) -> np.ndarray:
        return self.entered + self.duration


def make_histories(rng: np.random.Generator, people: Population, arrival: np.ndarray) -> Histories:
    n = len(people)
    man = people.group == MAN
    child = people.group == CHILD
    rusafa = people.cohort == next(i for i, c in enumerate(kz.COHORTS) if c.cohort_id == "rusafa")
    d = np.full((n, len(STAGE_IDS)), -1, dtype=np.int64)
    d[:, ARRIVAL] = rng.integers(1, 4, n)
    d[:, ADAPTATION] = np.where(
        man, -1, np.where(rusafa, rng.integers(60, 150, n), np.clip(np.rint(rng.normal(30, 4, n)), 20, 45))
    )
    d[:, INVESTIGATION] = np.where(
        people.charged, np.where(man, rng.integers(90, 300, n), rng.integers(120, 360, n)), -1
    )
    d[:, CUSTODY] = np.where(
        people.convicted, np.where(man, rng.integers(2 * 365, 10 * 365, n), rng.integers(365, 6 * 365, n)), -1
    )
    d[:, PLACEMENT] = rng.integers(30, 120, n)
    d[:, DOCUMENTS] = np.where(rusafa, rng.integers(200, 600, n), rng.integers(60, 400, n))
    school_share = np.where(child, 0.93, np.where(man, 0.7, 0.75))
    school_days = np.where(child, rng.integers(730, 2900, n), rng.integers(365, 1800, n))
    d[:, SCHOOL_WORK] = np.where(rng.random(n) < school_share, school_days, -1)
    d[:, FOLLOW_UP] = rng.integers(365, 1460, n)
    d[:, CLOSED] = OPEN_ENDED

    # A few move away or are lost to follow-up during one of the community stages.
    lost = rng.random(n) < 0.04
    lost_in = rng.choice([PLACEMENT, DOCUMENTS, SCHOOL_WORK, FOLLOW_UP], size=n)
    lost_in = np.where(d[np.arange(n), lost_in] < 0, FOLLOW_UP, lost_in)
    stage = np.arange(len(STAGE_IDS))
    dropped = lost[:, None] & (stage > lost_in[:, None]) & (stage <= CLOSED)
    d[dropped] = -1
    d[lost, LOST] = OPEN_ENDED

    span = np.where(d >= 0, d, 0)
    entered = arrival[:, None] + np.cumsum(span, axis=1) - span
    return Histories(arrival=arrival, entered=entered, duration=d)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int32"), type=pa.int32()).cast(pa.date32())


def stage_events(ids: np.ndarray, h: Histories, as_of: int) -> pa.Table:
    keep = h.present & (h.entered <= as_of)
    person, stage = np.nonzero(keep)
    entered = h.entered[person, stage]
    exited = h.exited[person, stage]
    closed = (h.duration[person, stage] != OPEN_ENDED) & (exited <= as_of)
    return pa.table(
        {
            "person_id": ids[person],
            "stage_id": np.asarray(STAGE_IDS, dtype=object)[stage],
            "entered_on": _dates(entered),
            "exited_on": pa.array(exited.astype("int32"), mask=~closed).cast(pa.date32()),
        },
        schema=STAGE_EVENTS.schema,
    )


@dataclass(frozen=True)
class Assessments:
    person: np.ndarray
    day: np.ndarray
    scores: np.ndarray  # (rows, 3) economic, social, psychosocial; NaN where not applicable


def make_assessments(rng: np.random.Generator, people: Population, h: Histories, horizon: int) -> Assessments:
    """Twice-yearly assessments from the end of the adaptation centre (men: from release) until
    the case ends; none while a person is under investigation or in custody. Scores start low
    and improve at a personal pace, with noise."""
    n = len(people)
    man = people.group == MAN
    start = np.where(man, h.entered[:, PLACEMENT], h.entered[:, ADAPTATION] + h.duration[:, ADAPTATION])
    end = np.where(h.present[:, LOST], h.entered[:, LOST], h.entered[:, CLOSED])
    end = np.where(h.present[:, CLOSED] | h.present[:, LOST], end, horizon + 1)
    end = np.minimum(end, horizon + 1)
    justice_from = np.where(h.present[:, INVESTIGATION], h.entered[:, INVESTIGATION], OPEN_ENDED * 10)
    justice_to = h.entered[:, PLACEMENT]
    rounds = int(max(1, ((end - start).max() // 182) + 2))
    day = start[:, None] + np.arange(rounds)[None, :] * 182 + rng.integers(-15, 16, (n, rounds))
    day[:, 0] = start
    valid = (day < end[:, None]) & ~((day >= justice_from[:, None]) & (day < justice_to[:, None]))
    person, k = np.nonzero(valid)
    day = day[person, k]
    years = (day - h.arrival[person]) / 365.25
    base = rng.uniform(0.12, 0.45, (n, 3))
    pace = rng.uniform(0.0, 0.11, (n, 3))
    scores = base[person] + pace[person] * years[:, None] + rng.normal(0, 0.04, (len(day), 3))
    scores = np.round(np.clip(scores, 0, 1), 2)
    young = np.isin(people.age_band, [AGE_BANDS.index("0-4"), AGE_BANDS.index("5-11")])
    scores[young[person], 0] = np.nan
    return Assessments(person=person, day=day, scores=scores)


def assessments_table(ids: np.ndarray, a: Assessments, as_of: int) -> pa.Table:
    keep = a.day <= as_of
    scores = a.scores[keep]
    return pa.table(
        {
            "person_id": ids[a.person[keep]],
            "assessed_on": _dates(a.day[keep]),
            **{
                name: pa.array(scores[:, i], mask=np.isnan(scores[:, i]))
                for i, name in enumerate(("economic", "social", "psychosocial"))
            },
        },
        schema=ASSESSMENTS.schema,
    )


@dataclass(frozen=True)
class Services:
    person: np.ndarray
    month: np.ndarray  # first day of the month, days since epoch
    month_end: np.ndarray
    service: np.ndarray
    sessions: np.ndarray


def make_services(rng: np.random.Generator, people: Population, h: Histories, horizon: int) -> Services:
    first = (EPOCH + h.arrival).astype("datetime64[M]")
    last = (EPOCH + np.int64(horizon)).astype("datetime64[M]")
    months = int((last - first.min()).astype(int)) + 1
    month = first[:, None] + np.arange(months)[None, :]
    valid = month <= last
    mid = (month.astype("datetime64[D]") - EPOCH).astype(np.int64) + 14
    in_stage = h.present[:, None, :] & (h.entered[:, None, :] <= mid[:, :, None])
    stage = in_stage.shape[2] - 1 - np.argmax(in_stage[:, :, ::-1], axis=2)
    valid &= in_stage.any(axis=2)
    person, m = np.nonzero(valid)
    stage = stage[person, m]
    child = (people.group == CHILD)[person]
    p = np.where(child[:, None], _P_CHILD[stage], _P_ADULT[stage])
    got = rng.random(p.shape) < p
    row, service = np.nonzero(got)
    sessions = 1 + rng.poisson(_SESSIONS_MEAN[service] - 1 + 0.5)
    start = month[person[row], m[row]]
    return Services(
        person=person[row],
        month=(start.astype("datetime64[D]") - EPOCH).astype(np.int64),
        month_end=((start + 1).astype("datetime64[D]") - EPOCH).astype(np.int64) - 1,
        service=service,
        sessions=sessions,
    )


def services_table(ids: np.ndarray, s: Services, as_of: int) -> pa.Table:
    keep = s.month_end <= as_of
    return pa.table(
        {
            "person_id": ids[s.person[keep]],
            "month": _dates(s.month[keep]),
            "service_type": np.asarray(SERVICE_TYPES, dtype=object)[s.service[keep]],
            "sessions": s.sessions[keep].astype("int32"),
        },
        schema=SERVICES.schema,
    )


def pseudonyms(prefix: str, n: int, seed: int, multiplier: int) -> np.ndarray:
    """Unique, non-sequential ids: an odd multiplier is a bijection modulo 2**32."""
    x = (np.arange(n, dtype=np.uint64) * np.uint64(multiplier) + np.uint64(seed * 7919)) % (1 << 32)
    return np.char.add(prefix, np.char.mod("%08x", x)).astype(object)


def reference_tables() -> dict[str, pa.Table]:
    outlines = boundaries.load_built()
    return {
        "cohorts": pa.table(
            {
                "cohort_id": [c.cohort_id for c in kz.COHORTS],
                "name": [c.name for c in kz.COHORTS],
                "name_ru": [kz.COHORT_NAMES[c.cohort_id][0] for c in kz.COHORTS],
                "name_kk": [kz.COHORT_NAMES[c.cohort_id][1] for c in kz.COHORTS],
                "operation": [c.operation for c in kz.COHORTS],
                "origin_country": [c.origin_country for c in kz.COHORTS],
                "arrival_date": [c.arrival_date for c in kz.COHORTS],
            },
            schema=COHORTS.schema,
        ),
        "regions": pa.table(
            {
                **{name: [r[i] for r in kz.REGIONS] for i, name in enumerate(REGIONS.schema.names[:6])},
                "boundary": [outlines.get(r[0]) for r in kz.REGIONS],
            },
            schema=REGIONS.schema,
        ),
        "stages": pa.table(
            {
                "stage_id": [s[0] for s in kz.STAGES],
                "label": [s[1] for s in kz.STAGES],
                "label_ru": [kz.STAGE_NAMES[s[0]][0] for s in kz.STAGES],
                "label_kk": [kz.STAGE_NAMES[s[0]][1] for s in kz.STAGES],
                "order": [s[2] for s in kz.STAGES],
                "track": [s[3] for s in kz.STAGES],
            },
            schema=STAGES.schema,
        ),
    }


def people_table(ids: np.ndarray, household_ids: np.ndarray, people: Population) -> pa.Table:
    return pa.table(
        {
            "person_id": ids,
            "household_id": household_ids[people.household],
            "cohort_id": np.asarray([c.cohort_id for c in kz.COHORTS], dtype=object)[people.cohort],
            "sex": np.asarray(SEXES, dtype=object)[people.sex],
            "age_band": np.asarray(AGE_BANDS, dtype=object)[people.age_band],
            "unaccompanied": people.unaccompanied,
            "region_code": np.asarray([r[0] for r in kz.REGIONS], dtype=object)[people.region],
        },
        schema=PEOPLE.schema,
    )


def _day(value: str | dt.date) -> int:
    return int((np.datetime64(value, "D") - EPOCH).astype(np.int64))


def generate(
    out: Path,
    n_people: int = DEFAULT_PEOPLE,
    seed: int = 2019,
    as_of: Sequence[str] = DEFAULT_AS_OF,
    services: bool = True,
) -> list[Path]:
    """Write one snapshot folder per as-of date under `out`; return their paths. Every folder
    is written under a hidden name and renamed into place when complete (manifest last)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    dates = sorted(as_of)
    staging = {d: out / f".{d}.partial" for d in dates}
    writers: dict[tuple[str, str], pq.ParquetWriter] = {}
    try:
        for d, folder in staging.items():
            writers.update(_open_writers(folder, d, services))
        _write_people(writers, dates, n_people, seed, services)
        for writer in writers.values():
            writer.close()
        writers.clear()
        paths = []
        for d, folder in staging.items():
            write_manifest(folder, manifest(d, seed, n_people))
            replace_folder(folder, out / d)
            paths.append(out / d)
        return paths
    finally:
        for writer in writers.values():
            writer.close()
        for folder in staging.values():
            if folder.exists():
                shutil.rmtree(folder)


def _open_writers(folder: Path, as_of: str, services: bool) -> dict[tuple[str, str], pq.ParquetWriter]:
    """A fresh staging folder with the reference tables, and a writer per person-level table."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for name, table in reference_tables().items():
        pq.write_table(to_arrow(name, table), folder / f"{name}.parquet")
    tables = (PEOPLE, STAGE_EVENTS, ASSESSMENTS) + ((SERVICES,) if services else ())
    return {(as_of, table.name): pq.ParquetWriter(folder / table.file_name, table.schema) for table in tables}


def _write_people(writers: dict, dates: list[str], n_people: int, seed: int, services: bool) -> None:
    """One case history per person, drawn in chunks of `CHUNK` people and cut at each as-of date."""
    rng = np.random.default_rng(seed)
    plans = plan_cohorts(n_people)
    people = make_population(rng, plans)
    n = len(people)
    ids = pseudonyms("p", n, seed, 2654435761)
    household_ids = pseudonyms("h", int(people.household.max()) + 1, seed, 40503)
    arrival = np.array([_day(p.facts.arrival_date) for p in plans])[people.cohort]
    horizon = _day(dates[-1])
    for chunk_no, start in enumerate(range(0, n, CHUNK)):
        chunk_rng = np.random.default_rng([seed, chunk_no])
        idx = np.arange(start, min(start + CHUNK, n))
        chunk = people.take(idx)
        histories = make_histories(chunk_rng, chunk, arrival[idx])
        scores = make_assessments(chunk_rng, chunk, histories, horizon)
        delivered = make_services(chunk_rng, chunk, histories, horizon) if services else None
        for d in dates:
            day = _day(d)
            arrived = pa.array(arrival[idx] <= day)
            writers[d, "people"].write_table(people_table(ids[idx], household_ids, chunk).filter(arrived))
            writers[d, "stage_events"].write_table(stage_events(ids[idx], histories, day))
            writers[d, "assessments"].write_table(assessments_table(ids[idx], scores, day))
            if delivered is not None:
                writers[d, "services"].write_table(services_table(ids[idx], delivered, day))


def manifest(as_of: str, seed: int, n_people: int) -> dict:
    calibrated = n_people == DEFAULT_PEOPLE
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of,
        "country": kz.COUNTRY,
        "access_level": "restricted",
        "synthetic": True,
        "source": f"python -m data_access.generate --people {n_people} --seed {seed}",
        **{
            notes_key(language): [
                *notes,
                *([] if calibrated else [kz.SCALED[language].format(n=n_people)]),
                kz.BOUNDARIES[language],
            ]
            for language, notes in kz.INVENTED.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("sample_data/snapshots"),
        help="folder to write snapshot folders into (default: %(default)s)",
    )
    parser.add_argument(
        "--people",
        type=int,
        default=DEFAULT_PEOPLE,
        help="number of people (default: %(default)s, the reported cohorts)",
    )
    parser.add_argument("--seed", type=int, default=2019, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--as-of",
        nargs="+",
        default=list(DEFAULT_AS_OF),
        help="as-of dates, one snapshot each (default: %(default)s)",
    )
    parser.add_argument("--no-services", action="store_true", help="leave out the optional services table")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")
    for path in generate(args.out, args.people, args.seed, args.as_of, not args.no_services):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
