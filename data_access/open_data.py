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
        from scipy.optimize import linprog  # here, not at the top: only an audit needs it (0.4 s a start)

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


KEYS = {
    "key_figures": ("measure",),
    "people_by_cohort_sex_age": ("cohort_id", "sex", "age_band"),
    "people_by_region": ("region_code",),
    "people_by_stage": ("stage_id",),
    "milestones_by_cohort": ("cohort_id", "milestone", "months"),
}
"""The columns that name each value of a table."""


@dataclass(frozen=True)
class _Value:
    """One published value: which table and cell, the true counts it adds up (as a linear
    expression over the attacker's unknowns), what was published and its display threshold."""

    table: str
    key: tuple
    terms: dict[int, float]
    published: float | None
    k: int


class _Attacker:
    """What someone holding every open-data table knows, as linear constraints. The unknowns
    are the true counts of the cohort x sex x age, region and stage tables (each adds up to the
    same total), the true unaccompanied and justice figures, and the milestones."""

    def __init__(self, published: dict[str, pd.DataFrame], snapshot: Snapshot) -> None:
        self.problem = _Problem()
        self.values: list[_Value] = []
        self.track = dict(zip(snapshot.stages["stage_id"], snapshot.stages["track"], strict=True))
        self.pyramid = {key: self._unknown("pyramid", key) for key in _keys(published, "people_by_cohort_sex_age")}
        self.regions = {key: self._unknown("region", key) for key in _keys(published, "people_by_region")}
        self.stages = {key: self._unknown("stage", key) for key in _keys(published, "people_by_stage")}
        self.total = {j: 1.0 for j in self.pyramid.values()}
        for margin in (self.regions, self.stages):  # every table adds up to the same people
            self.problem.bound({**{j: 1.0 for j in margin.values()}, **{j: -1.0 for j in self.total}}, 0, 0)
        self._key_figures(published["key_figures"])
        for name, cells in (("people_by_cohort_sex_age", self.pyramid), ("people_by_region", self.regions)):
            for row in published[name].itertuples(index=False):
                key = tuple(getattr(row, column) for column in KEYS[name])
                self._publish(name, key, {cells[key]: 1.0}, row.people, d.PUBLIC.k)
        for row in published["people_by_stage"].itertuples(index=False):
            k = d.PUBLIC.k_sensitive if row.track == "justice" else d.PUBLIC.k
            self._publish("people_by_stage", (row.stage_id,), {self.stages[(row.stage_id,)]: 1.0}, row.people, k)
        self._milestones(published["milestones_by_cohort"])
        for value in self.values:
            self.problem.bound(value.terms, *_possible(snapshot.perturbation, value.published, value.k))

    def _unknown(self, table: str, key: tuple) -> int:
        return self.problem.variable(f"{table}:{'|'.join(map(str, key))}")

    def _publish(self, table: str, key: tuple, terms: dict[int, float], published, k: int) -> None:
        self.values.append(_Value(table, key, terms, published, k))

    def _pyramid(self, keep) -> dict[int, float]:
        return {j: 1.0 for (cohort, sex, age), j in self.pyramid.items() if keep(cohort, sex, age)}

    def _key_figures(self, table: pd.DataFrame) -> None:
        adult = set(c.AGE_BANDS) - set(c.CHILD_AGE_BANDS)
        children = self._pyramid(lambda _c, _s, age: age in c.CHILD_AGE_BANDS)
        figures = {
            "people": self.total,
            "women": self._pyramid(lambda _c, sex, age: sex == "female" and age in adult),
            "men": self._pyramid(lambda _c, sex, age: sex == "male" and age in adult),
            "children": children,
            "active_support": {j: 1.0 for (s,), j in self.stages.items() if self.track[s] == "rehabilitation"},
            "case_closed": {self.stages[(c.STAGE_CLOSED,)]: 1.0},
        }
        for measure, parent in (("unaccompanied", children), ("justice_track", self.total)):
            own = self._unknown("figure", (measure,))
            figures[measure] = {own: 1.0}
            self.problem.bound({own: 1.0, **{j: -v for j, v in parent.items()}}, -np.inf, 0)
        for row in table.itertuples(index=False):
            k = d.PUBLIC.k_sensitive if row.measure == "justice_track" else d.PUBLIC.k
            self._publish("key_figures", (row.measure,), figures[row.measure], row.people, k)

    def _milestones(self, table: pd.DataFrame) -> None:
        """Reached within 12 months <= within 24 <= within 36 <= the cohort."""
        for row in table.itertuples(index=False):
            own = self._unknown("milestone", (row.cohort_id, row.milestone, row.months))
            cohort = self._pyramid(lambda c_, _s, _a, cohort=row.cohort_id: c_ == cohort)
            self.problem.bound({own: 1.0, **{j: -1.0 for j in cohort}}, -np.inf, 0)
            position = MILESTONE_MONTHS.index(row.months)
            if position:
                earlier = self._unknown("milestone", (row.cohort_id, row.milestone, MILESTONE_MONTHS[position - 1]))
                self.problem.bound({earlier: 1.0, own: -1.0}, -np.inf, 0)
            self._publish(
                "milestones_by_cohort", (row.cohort_id, row.milestone, row.months), {own: 1.0}, row.people, d.PUBLIC.k
            )
        for cohort, people in table.drop_duplicates("cohort_id").set_index("cohort_id")["cohort_people"].items():
            terms = self._pyramid(lambda c_, _s, _a, cohort=cohort: c_ == cohort)
            self._publish("milestones_by_cohort", (cohort, "cohort_people"), terms, people, d.PUBLIC.k)


def _keys(tables: dict[str, pd.DataFrame], name: str) -> list[tuple]:
    return [tuple(row) for row in tables[name][list(KEYS[name])].itertuples(index=False)]


def audit(published: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame], snapshot: Snapshot) -> Audit:
    """Every published value's feasible interval against its protection interval: wider than
    the true value ± PROTECTION, and holding the true value (if it did not, the audit's model of
    what the attacker knows would be wrong)."""
    attacker = _Attacker(published, snapshot)
    truths = _truths(truth)
    rows = []
    for value in attacker.values:
        low, high = attacker.problem.extremes(value.terms)
        true = truths[(value.table, value.key)]
        inside = low - 1e-6 <= true <= high + 1e-6
        rows.append(
            {
                "table": value.table,
                "cell": "|".join(map(str, value.key)),
                "published": None if value.published is None or pd.isna(value.published) else int(value.published),
                "lower": round(low, 3),
                "upper": round(high, 3),
                "true_inside": bool(inside),
                "protected": bool(inside and high - low > 2 * PROTECTION + 1e-6),
            }
        )
    return Audit(rows)


def _truths(truth: dict[str, pd.DataFrame]) -> dict[tuple[str, tuple], int]:
    out = {}
    for name in KEYS:
        for key, people in zip(_keys(truth, name), truth[name]["people"], strict=True):
            out[(name, key)] = int(people)
    for cohort, people in truth["milestones_by_cohort"].groupby("cohort_id")["cohort_people"].first().items():
        out[("milestones_by_cohort", (cohort, "cohort_people"))] = int(people)
    return out


# -- writing ------------------------------------------------------------------------------------------


def published_tables(public: Snapshot) -> dict[str, pd.DataFrame]:
    """The open-data tables of a public snapshot, after the display rules: counts published from
    1 to k-1 blank, with `people_shown_as` ("<5", "<10" or the number); milestones only for
    cohorts of at least the minimum base."""
    out = {}
    for spec in TABLES:
        table = spec.build(public)
        if spec.name == "milestones_by_cohort":
            # As on the dashboard: no curve of a cohort under the minimum base, where "all of them
            # reached it" would read off a count equal to the cohort's.
            table = table.loc[table["cohort_people"].to_numpy() >= d.PUBLIC.min_base].reset_index(drop=True)
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
