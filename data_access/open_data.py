"""Open data for HDX and partners: a fixed set of aggregate tables, perturbed like every public
figure, audited by linear programming, as CSV with an HXL hashtag row and as Parquet.

    python -m data_access.publish SRC OUT_DIR --key-file KEY --open-data OPEN_DIR

The tables (`TABLES`) are computed by the same queries as the public dashboard, on the public
snapshot, so a figure here is the figure the dashboard shows for the same people (the cell key of
a group of people does not depend on where it is asked). Counts published from 1 to 4 are blank,
with "<5" beside them ("<10" for the justice track).

**The audit** plays the attacker who holds every table of the release and knows the perturbation
table: each published value bounds its true value (a published 7 comes from 4 to 10; a blank "<5"
from 1 to 7), and the tables are tied together (every table adds up to the same total; women are
the adult women of the cohort x sex x age table; a milestone reached within 12 months is reached
within 24; no one is counted more often than their cohort holds). For every published value, two
linear programmes (scipy's HiGHS, as tau-Argus and sdcTable do for suppressed tables) give the
smallest and largest true value consistent with all of that; the audit passes when, for every
value, that interval holds the true value and is wider than its protection interval, the true
value ± 1: no count can be narrowed down to three candidate values or fewer. The report goes into
the release (`audit.json`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.optimize import linprog

from data_access import contract as c
from data_access import disclosure as d
from data_access import queries as q
from data_access.access import Access, methodology
from data_access.export import csv_text
from data_access.filters import Filters
from data_access.perturbation import Perturbation
from data_access.snapshot import Snapshot

MILESTONE_MONTHS = (12, 24, 36)
PROTECTION = 1
"""The audit's protection interval: true value ± this."""


@dataclass(frozen=True)
class OpenTable:
    name: str
    title: str
    hxl: dict[str, str]
    build: Callable[[Snapshot], pd.DataFrame]
    sensitive: Callable[[pd.DataFrame], np.ndarray] = field(default=lambda table: np.zeros(len(table), dtype=bool))


def _key_figures(snapshot: Snapshot) -> pd.DataFrame:
    table = q.headline(snapshot, Filters())
    return pd.DataFrame({"measure": table["measure"], "label": table["label"], "people": table["value"]})


def _by_cohort_sex_age(snapshot: Snapshot) -> pd.DataFrame:
    parts = []
    for cohort in snapshot.categories("cohort"):
        pyramid = q.age_sex_pyramid(snapshot, Filters(cohort=(cohort,)))
        parts.append(pyramid.assign(cohort_id=cohort, cohort=snapshot.label("cohort", cohort)))
    table = pd.concat(parts, ignore_index=True)
    return table[["cohort_id", "cohort", "sex", "age_band", "people"]]


def _by_region(snapshot: Snapshot) -> pd.DataFrame:
    table = q.option_counts(snapshot, Filters(), "region")
    return pd.DataFrame({"region_code": table["code"], "region": table["label"], "people": table["people"]})


def _by_stage(snapshot: Snapshot) -> pd.DataFrame:
    table = q.stage_distribution(snapshot, Filters())
    return pd.DataFrame(
        {"stage_id": table["stage"], "stage": table["stage_label"], "track": table["track"], "people": table["people"]}
    )


def _milestones(snapshot: Snapshot) -> pd.DataFrame:
    table = q.time_to_milestone(snapshot, Filters())
    if snapshot.kind == "aggregates":  # each month perturbed on its own: the published curve never falls
        running = table.groupby(["cohort", "milestone"], sort=False)["reached"].cummax()
        table = table.assign(reached=np.minimum(running.to_numpy(), table["base"].to_numpy()))
    table = table.loc[table["months"].isin(MILESTONE_MONTHS)]
    return pd.DataFrame(
        {
            "cohort_id": table["cohort"],
            "cohort": table["cohort_name"],
            "milestone": table["milestone"],
            "months": table["months"],
            "people": table["reached"],
            "cohort_people": table["base"],
        }
    ).reset_index(drop=True)


TABLES = (
    OpenTable(
        "key_figures",
        "Key figures: people who returned, by group, and where they are",
        {"measure": "#indicator+code", "label": "#indicator+name", "people": "#affected+returnees"},
        _key_figures,
        lambda table: (table["measure"] == "justice_track").to_numpy(),
    ),
    OpenTable(
        "people_by_cohort_sex_age",
        "People who returned, by cohort, sex and age band at return",
        {
            "cohort_id": "#group+cohort+code",
            "cohort": "#group+cohort+name",
            "sex": "#meta+sex",
            "age_band": "#meta+age",
            "people": "#affected+returnees",
        },
        _by_cohort_sex_age,
    ),
    OpenTable(
        "people_by_region",
        "People who returned, by region of placement",
        {"region_code": "#adm1+code", "region": "#adm1+name", "people": "#affected+returnees"},
        _by_region,
    ),
    OpenTable(
        "people_by_stage",
        "People who returned, by current programme stage",
        {
            "stage_id": "#status+code",
            "stage": "#status+name",
            "track": "#status+track",
            "people": "#affected+returnees",
        },
        _by_stage,
        lambda table: (table["track"] == "justice").to_numpy(),
    ),
    OpenTable(
        "milestones_by_cohort",
        "People who reached family placement or school, training or work within 12, 24 and 36 months of arrival",
        {
            "cohort_id": "#group+cohort+code",
            "cohort": "#group+cohort+name",
            "milestone": "#status+code",
            "months": "#meta+months",
            "people": "#reached+returnees",
            "cohort_people": "#affected+returnees",
        },
        _milestones,
    ),
)


# -- the audit ------------------------------------------------------------------------------------


@dataclass
class Audit:
    """What the linear-programming audit found, value by value."""

    rows: list[dict]

    @property
    def passed(self) -> bool:
        return all(row["protected"] for row in self.rows)

    def summary(self) -> str:
        widths = [row["upper"] - row["lower"] for row in self.rows]
        failed = sum(not row["protected"] for row in self.rows)
        return (
            f"{len(self.rows)} published values audited; narrowest feasible interval {min(widths):.1f} wide; "
            f"{failed} not protected" + ("" if failed else " (every value protected)")
        )

    def as_json(self) -> dict:
        return {
            "method": "linear programming over every published table (scipy HiGHS): for each value, the smallest "
            "and largest true value consistent with all published values, the perturbation table's bounds and "
            "the tables' additivity",
            "protection_interval": f"true value ± {PROTECTION}",
            "passed": self.passed,
            "summary": self.summary(),
            "values": self.rows,
        }


class _Problem:
    """Linear constraints over the true counts an attacker reasons about."""

    def __init__(self) -> None:
        self._system: tuple[np.ndarray, np.ndarray] | None = None
        self.names: list[str] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.index: dict[str, int] = {}

    def variable(self, name: str) -> int:
        if name not in self.index:
            self.index[name] = len(self.names)
            self.names.append(name)
        return self.index[name]

    def bound(self, terms: dict[int, float], low: float, high: float) -> None:
        self.rows.append((terms, low, high))

    def extremes(self, terms: dict[int, float]) -> tuple[float, float]:
        """The smallest and largest value of `terms` (a linear expression) within the bounds."""
        if self._system is None:
            sides = []
            for row, low, high in self.rows:
                if np.isfinite(high):
                    sides.append((row, 1.0, high))
                if np.isfinite(low):
                    sides.append((row, -1.0, -low))
            matrix = np.zeros((len(sides), len(self.names)))
            for i, (row, sign, _) in enumerate(sides):
                for j, value in row.items():
                    matrix[i, j] = sign * value
            self._system = (matrix, np.array([limit for _, _, limit in sides]))
        matrix, limits = self._system
        objective = np.zeros(len(self.names))
        for j, value in terms.items():
            objective[j] = value
        bounds = [(0, None)] * len(self.names)
        low = linprog(objective, A_ub=matrix, b_ub=limits, bounds=bounds, method="highs")
        high = linprog(-objective, A_ub=matrix, b_ub=limits, bounds=bounds, method="highs")
        if low.status != 0 or high.status != 0:
            raise ValueError(f"the audit's linear programme could not be solved: {low.message} / {high.message}")
        return float(low.fun), float(-high.fun)


def _possible(perturbation: Perturbation, published: float | None, k: int) -> tuple[float, float]:
    """The true values a published value (or a blank "<k") allows, as an interval."""
    if published is None or pd.isna(published):
        truths = [t for p in range(1, k) for t in perturbation.possible_truths(p)]
    else:
        truths = perturbation.possible_truths(int(published))
    return float(min(truths)), float(max(truths))


def audit(published: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame], snapshot: Snapshot) -> Audit:
    """Every published value's feasible interval against its protection interval."""
    perturbation = snapshot.perturbation
    policy = d.PUBLIC
    problem = _Problem()

    def cell(table: str, key: tuple) -> int:
        return problem.variable(f"{table}:{'|'.join(map(str, key))}")

    pyramid = published["people_by_cohort_sex_age"]
    by_key = {
        (r.cohort_id, r.sex, r.age_band): cell("pyramid", (r.cohort_id, r.sex, r.age_band))
        for r in pyramid.itertuples()
    }
    total = {j: 1.0 for j in by_key.values()}
    regions = {r.region_code: cell("region", (r.region_code,)) for r in published["people_by_region"].itertuples()}
    stages = {r.stage_id: cell("stage", (r.stage_id,)) for r in published["people_by_stage"].itertuples()}
    problem.bound({**{j: 1.0 for j in regions.values()}, **{j: -1.0 for j in total}}, 0, 0)
    problem.bound({**{j: 1.0 for j in stages.values()}, **{j: -1.0 for j in total}}, 0, 0)

    adult = set(c.AGE_BANDS) - set(c.CHILD_AGE_BANDS)
    track = dict(zip(snapshot.stages["stage_id"], snapshot.stages["track"], strict=True))
    children = {j: 1.0 for (_, _, a), j in by_key.items() if a in c.CHILD_AGE_BANDS}
    figures = {
        "people": total,
        "women": {j: 1.0 for (_, s, a), j in by_key.items() if s == "female" and a in adult},
        "men": {j: 1.0 for (_, s, a), j in by_key.items() if s == "male" and a in adult},
        "children": children,
        "active_support": {stages[s]: 1.0 for s in stages if track[s] == "rehabilitation"},
        "case_closed": {stages[c.STAGE_CLOSED]: 1.0},
    }
    for measure, parent in (("unaccompanied", children), ("justice_track", total)):
        own = cell("figure", (measure,))
        figures[measure] = {own: 1.0}
        problem.bound({own: 1.0, **{j: -v for j, v in parent.items()}}, -np.inf, 0)

    expressions: list[tuple[str, tuple, dict[int, float], float | None, int]] = []
    for row in published["key_figures"].itertuples():
        k = policy.k_sensitive if row.measure == "justice_track" else policy.k
        expressions.append(("key_figures", (row.measure,), figures[row.measure], row.people, k))
    for row in pyramid.itertuples():
        expressions.append(
            (
                "people_by_cohort_sex_age",
                (row.cohort_id, row.sex, row.age_band),
                {by_key[(row.cohort_id, row.sex, row.age_band)]: 1.0},
                row.people,
                policy.k,
            )
        )
    for row in published["people_by_region"].itertuples():
        expressions.append(
            ("people_by_region", (row.region_code,), {regions[row.region_code]: 1.0}, row.people, policy.k)
        )
    for row in published["people_by_stage"].itertuples():
        k = policy.k_sensitive if row.track == "justice" else policy.k
        expressions.append(("people_by_stage", (row.stage_id,), {stages[row.stage_id]: 1.0}, row.people, k))
    milestones = published["milestones_by_cohort"]
    for row in milestones.itertuples():
        own = cell("milestone", (row.cohort_id, row.milestone, row.months))
        base = {j: 1.0 for (cohort, _, _), j in by_key.items() if cohort == row.cohort_id}
        problem.bound({own: 1.0, **{j: -1.0 for j in base}}, -np.inf, 0)
        earlier = (
            MILESTONE_MONTHS[MILESTONE_MONTHS.index(row.months) - 1] if row.months != MILESTONE_MONTHS[0] else None
        )
        if earlier is not None:
            problem.bound({cell("milestone", (row.cohort_id, row.milestone, earlier)): 1.0, own: -1.0}, -np.inf, 0)
        expressions.append(
            ("milestones_by_cohort", (row.cohort_id, row.milestone, row.months), {own: 1.0}, row.people, policy.k)
        )
    for cohort, part in milestones.drop_duplicates("cohort_id").set_index("cohort_id")["cohort_people"].items():
        base = {j: 1.0 for (cc, _, _), j in by_key.items() if cc == cohort}
        expressions.append(("milestones_by_cohort", (cohort, "cohort_people"), base, part, policy.k))

    for _, _, terms, value, k in expressions:
        low, high = _possible(perturbation, value, k)
        problem.bound(terms, low, high)

    truths = _truths(truth)
    rows = []
    for table, key, terms, value, _ in expressions:
        low, high = problem.extremes(terms)
        true = truths[(table, key)]
        # Wider than the protection interval (true value ± PROTECTION), and holding the true value
        # (if it did not, the audit's model of what the attacker knows would be wrong).
        protected = high - low > 2 * PROTECTION + 1e-6 and low - 1e-6 <= true <= high + 1e-6
        rows.append(
            {
                "table": table,
                "cell": "|".join(map(str, key)),
                "published": None if value is None or pd.isna(value) else int(value),
                "lower": round(low, 3),
                "upper": round(high, 3),
                "true_inside": bool(low - 1e-6 <= true <= high + 1e-6),
                "protected": bool(protected),
            }
        )
    return Audit(rows)


def _truths(truth: dict[str, pd.DataFrame]) -> dict[tuple[str, tuple], int]:
    out = {}
    for row in truth["key_figures"].itertuples():
        out[("key_figures", (row.measure,))] = int(row.people)
    for row in truth["people_by_cohort_sex_age"].itertuples():
        out[("people_by_cohort_sex_age", (row.cohort_id, row.sex, row.age_band))] = int(row.people)
    for row in truth["people_by_region"].itertuples():
        out[("people_by_region", (row.region_code,))] = int(row.people)
    for row in truth["people_by_stage"].itertuples():
        out[("people_by_stage", (row.stage_id,))] = int(row.people)
    for row in truth["milestones_by_cohort"].itertuples():
        out[("milestones_by_cohort", (row.cohort_id, row.milestone, row.months))] = int(row.people)
        out[("milestones_by_cohort", (row.cohort_id, "cohort_people"))] = int(row.cohort_people)
    return out


# -- writing ------------------------------------------------------------------------------------------


def published_tables(public: Snapshot) -> dict[str, pd.DataFrame]:
    """The open-data tables of a public snapshot, after the display rules: counts published from
    1 to k-1 blank, with `people_shown_as` ("<5", "<10" or the number)."""
    out = {}
    for spec in TABLES:
        table = spec.build(public)
        k = np.where(spec.sensitive(table), d.PUBLIC.k_sensitive, d.PUBLIC.k)
        shown = d.display(table, "people", k)
        out[spec.name] = shown.rename(columns={"people_text": "people_shown_as"}).drop(columns="people_suppressed")
    return out


def write_open_data(public_folder: Path, records: Snapshot, out: Path) -> Audit:
    """Write the open-data tables of the public snapshot in `public_folder` to `out` (CSV with
    an HXL row, Parquet, the perturbation table, the methodology and the audit report)."""
    from data_access.snapshot import load_snapshot

    public = load_snapshot(public_folder)
    published = published_tables(public)
    truth = {spec.name: spec.build(records) for spec in TABLES}
    report = audit({name: table.drop(columns="people_shown_as") for name, table in published.items()}, truth, public)
    out.mkdir(parents=True, exist_ok=True)
    note = "\n".join(
        [
            f"Second Chance open data, as of {public.as_of.isoformat()}, country {public.info.country}.",
            *methodology(Access("public"), public.perturbation),
        ]
    )
    for spec in TABLES:
        table = published[spec.name]
        hxl = {column: spec.hxl.get(column, "") for column in table.columns}
        hxl["people_shown_as"] = "#meta+shown_as"
        (out / f"{spec.name}.csv").write_text(csv_text(table, note, hxl=hxl), encoding="utf-8")
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), out / f"{spec.name}.parquet")
    public.perturbation.table().to_csv(out / "perturbation_table.csv", index=False)
    (out / "audit.json").write_text(json.dumps(report.as_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "METHODOLOGY.txt").write_text(
        note + "\n\nTables:\n" + "\n".join(f"- {s.name}: {s.title}" for s in TABLES) + "\n", encoding="utf-8"
    )
    return report
