"""Queries: snapshot + filters -> a small tidy table, one row per mark a chart will draw.

Pure functions over the tables `load_snapshot` prepared (pandas with categoricals, derived
columns computed at load). Most of them add up figures kept per cell (`data_access.cells`)
instead of scanning rows, so their cost hardly grows with the number of people. Every count
column is called `people` (or `sessions`), so one disclosure step can treat them all alike.
Labels travel with the codes so pages and charts never look anything up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sparse

from data_access import contract as c
from data_access.cells import cells, median, quantile, sorted_median, sorted_quantile, sum_rows
from data_access.filters import DIMENSIONS, Filters
from data_access.snapshot import GROUPS, ORIGIN_NAMES, Snapshot

# Dimensions a pivot may use, in addition to the filter dimensions.
PIVOT_DIMENSIONS = (*DIMENSIONS, "group", "unaccompanied", "justice")
PIVOT_TITLES = {
    "cohort": "Cohort",
    "region": "Region",
    "stage": "Current stage",
    "sex": "Sex",
    "age_band": "Age band",
    "origin": "Returned from",
    "group": "Group",
    "unaccompanied": "Unaccompanied",
    "justice": "Justice track",
}

HEADLINE = (
    ("people", "People who returned"),
    ("women", "Women"),
    ("men", "Men"),
    ("children", "Children"),
    ("unaccompanied", "Unaccompanied children"),
    ("justice_track", "Ever on the justice track"),
    ("active_support", "In active support"),
    ("case_closed", "Case closed"),
)
MILESTONES = (
    (c.STAGE_PLACEMENT, "placed_on", "Family placement"),
    (c.STAGE_SCHOOL_WORK, "school_work_on", "School, training or work"),
)
DAYS_PER_MONTH = 365.25 / 12
GROUP_CODE = {group: i for i, group in enumerate(GROUPS)}


def select(snapshot: Snapshot, filters: Filters) -> np.ndarray:
    """Boolean mask over `snapshot.people` for the selection."""
    return cells(snapshot).people_mask(filters)


def base_n(snapshot: Snapshot, filters: Filters) -> int:
    return cells(snapshot).count(cells(snapshot).mask(filters))


def _cell_counts(
    snapshot: Snapshot, filters: Filters, dimensions: list[str], where: np.ndarray | None = None
) -> pd.DataFrame:
    """What `people.groupby(dimensions, observed=False).size()` gives for the selection, from the
    cells: every combination of the categories, zeros included. Dimensions: the cell columns,
    origin, group, unaccompanied and justice (the last two: the values the selection holds)."""
    cell = cells(snapshot)
    mask = cell.mask(filters) if where is None else cell.mask(filters) & where
    flags = cell.flags * mask[:, None]
    people = snapshot.people
    levels, codes = [], []
    for dim in dimensions:
        if dim in ("unaccompanied", "justice"):
            bit = 2 if dim == "unaccompanied" else 1
            present = [v for v in (False, True) if flags[:, [k for k in range(4) if bool(k & bit) == v]].sum()]
            levels.append(pd.Index(present, dtype=bool, name=dim))
            codes.append(None)
        else:
            column = people[dim]
            levels.append(pd.CategoricalIndex(column.cat.categories, dtype=column.dtype, name=dim))
            codes.append(cell.codes[dim])
    shape = [len(level) for level in levels]
    counts = np.zeros(int(np.prod(shape)), dtype=np.int64)
    for k in range(4):
        position = np.zeros(cell.n, dtype=np.int64)
        valid = np.ones(cell.n, dtype=bool)
        for dim, level, code in zip(dimensions, levels, codes, strict=True):
            if code is None:
                value = bool(k & (2 if dim == "unaccompanied" else 1))
                if value not in level:
                    valid[:] = False
                    break
                index = np.full(cell.n, level.get_loc(value))
            else:
                index = code
                valid &= code >= 0
            position = position * len(level) + index
        counts += np.bincount(position[valid], weights=flags[valid, k], minlength=len(counts)).astype(np.int64)
    frame = {}
    for dim, level, position in zip(dimensions, levels, np.indices(shape).reshape(len(shape), -1), strict=True):
        if isinstance(level, pd.CategoricalIndex):
            frame[dim] = pd.Categorical.from_codes(position, dtype=level.dtype)
        else:
            frame[dim] = np.asarray(level, dtype=bool)[position]
    frame["people"] = counts
    return pd.DataFrame(frame)


def _selected(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """The selected people. With no filter, the shared table itself (read-only): copying every
    column of a large table on each rerun costs more than the query that follows."""
    if filters.is_empty():
        return snapshot.people
    return snapshot.people.loc[select(snapshot, filters)]


def _stage_meta(snapshot: Snapshot) -> pd.DataFrame:
    return snapshot.stages.rename(columns={"stage_id": "stage", "label": "stage_label"})


def headline(snapshot: Snapshot, filters: Filters, previous: Snapshot | None = None) -> pd.DataFrame:
    """Key figures for the selection, with the same figures in `previous` and the change.

    `active_support`: current stage on the rehabilitation track (not closed, lost or justice).
    `justice_track`: ever entered a justice-track stage, as of the snapshot.
    """

    def figures(snap: Snapshot) -> dict[str, int]:
        cell = cells(snap)
        mask = cell.mask(filters)
        rehab = snap.stages.loc[snap.stages["track"] == "rehabilitation", "stage_id"]
        stages = snap.people["stage"].cat.categories
        group = cell.codes["group"]
        stage = cell.codes["stage"]
        flags = cell.flags
        return {
            "people": cell.count(mask),
            "women": cell.count(mask & (group == GROUP_CODE["woman"])),
            "men": cell.count(mask & (group == GROUP_CODE["man"])),
            "children": cell.count(mask & (group == GROUP_CODE["child"])),
            "unaccompanied": cell.count(mask & (group == GROUP_CODE["child"]), flags[:, 2] + flags[:, 3]),
            "justice_track": cell.count(mask, flags[:, 1] + flags[:, 3]),
            "active_support": cell.count(mask & np.isin(stage, np.flatnonzero(stages.isin(rehab)))),
            "case_closed": cell.count(mask & (stage == stages.get_loc(c.STAGE_CLOSED))),
        }

    now = figures(snapshot)
    before = figures(previous) if previous is not None else {}
    rows = [
        {
            "measure": key,
            "label": label,
            "value": now[key],
            "previous": before.get(key),
            "delta": now[key] - before[key] if before else None,
        }
        for key, label in HEADLINE
    ]
    frame = pd.DataFrame(rows)
    for col in ("previous", "delta"):
        frame[col] = frame[col].astype("Int64")
    return frame


def arrivals(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by cohort and group (men, women, children), with the cohort's origin and date."""
    counts = _cell_counts(snapshot, filters, ["cohort", "group"])
    totals = counts.groupby("cohort", observed=True)["people"].transform("sum")
    counts = counts.loc[totals > 0]
    cohorts = snapshot.cohorts.rename(columns={"cohort_id": "cohort", "name": "cohort_name"})
    out = counts.astype({"cohort": str, "group": str}).merge(cohorts, on="cohort", how="left")
    out["origin_name"] = out["origin_country"].map(lambda code: ORIGIN_NAMES.get(code, code))
    out["group_label"] = out["group"].map({"man": "Men", "woman": "Women", "child": "Children"})
    out["arrival_date"] = pd.to_datetime(out["arrival_date"])
    # Tooltips show this text: a date column does not survive every route to the browser intact.
    out["arrival_label"] = out["arrival_date"].dt.strftime("%-d %b %Y")
    return (
        out[
            [
                "cohort",
                "cohort_name",
                "operation",
                "origin_country",
                "origin_name",
                "arrival_date",
                "arrival_label",
                "group",
                "group_label",
                "people",
            ]
        ]
        .sort_values(["arrival_date", "cohort", "group"])
        .reset_index(drop=True)
    )


def unaccompanied_children(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Children by cohort, unaccompanied (orphaned or without a parent) or with a parent; in the
    long form of `counts_by(..., ["cohort", "unaccompanied"])` so the pivot chart draws it."""
    children = cells(snapshot).codes["group"] == GROUP_CODE["child"]
    out = _cell_counts(snapshot, filters, ["cohort", "unaccompanied"], where=children)
    out = out.loc[out.groupby("cohort", observed=False)["people"].transform("sum").to_numpy() > 0]
    out["cohort"] = out["cohort"].astype(str)
    out["cohort_label"] = out["cohort"].map(snapshot.labels("cohort"))
    out["unaccompanied_label"] = np.where(out["unaccompanied"], "Unaccompanied", "With a parent")
    return out[["cohort", "cohort_label", "unaccompanied", "unaccompanied_label", "people"]].reset_index(drop=True)


def age_sex_pyramid(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by age band at return and sex; every band and sex present, zeros included."""
    out = _cell_counts(snapshot, filters, ["age_band", "sex"])
    return out.astype({"age_band": str, "sex": str})


def stage_distribution(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by current stage, every stage in programme order, with the share of the base."""
    cell = cells(snapshot)
    mask = cell.mask(filters)
    stages = snapshot.people["stage"].cat.categories
    valid = cell.codes["stage"] >= 0
    per_stage = np.bincount(cell.codes["stage"][valid], weights=(cell.size * mask)[valid], minlength=len(stages))
    counts = pd.DataFrame({"stage": [str(s) for s in stages], "people": per_stage.astype("int64")})
    out = _stage_meta(snapshot).merge(counts, on="stage", how="left").fillna({"people": 0})
    out["people"] = out["people"].astype("int64")
    base = cell.count(mask)
    out["share"] = out["people"] / base if base else 0.0
    return out[["stage", "stage_label", "order", "track", "people", "share"]]


def stage_reached(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """The funnel: people who have ever entered each stage (as of the snapshot), in order."""
    cell = cells(snapshot)
    mask = cell.mask(filters)
    stages = snapshot.events["stage"].cat.categories
    counts = pd.DataFrame({"stage": [str(s) for s in stages], "people": sum_rows(cell.stages_reached, mask)})
    out = _stage_meta(snapshot).merge(counts, on="stage", how="left").fillna({"people": 0})
    out["people"] = out["people"].astype("int64")
    base = cell.count(mask)
    out["share"] = out["people"] / base if base else 0.0
    return out[["stage", "stage_label", "order", "track", "people", "share"]]


def stage_occupancy(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People in each stage at the end of every month, from the first arrival to the as-of date.

    Computed from entries and exits per month (a running balance), kept per cell.
    """
    cell = cells(snapshot)
    first, n_months, per_cell = cell.occupancy
    balance = sum_rows(per_cell, cell.mask(filters))
    as_of_month = first + n_months - 1
    n_stages = len(snapshot.stages)
    months = (np.arange(first, as_of_month + 1).astype("datetime64[M]")).astype("datetime64[ms]")
    meta = _stage_meta(snapshot)
    out = pd.DataFrame(
        {
            "month": np.repeat(months, n_stages),
            "stage": np.tile(meta["stage"].to_numpy(), n_months),
            "stage_label": np.tile(meta["stage_label"].to_numpy(), n_months),
            "order": np.tile(meta["order"].to_numpy(), n_months),
            "people": balance.reshape(-1).astype("int64"),
        }
    )
    return out


def time_to_milestone(snapshot: Snapshot, filters: Filters, step_months: int = 1) -> pd.DataFrame:
    """Cumulative share of each cohort that reached a milestone within N months of arrival.

    A cohort's curve stops at the months it has been observed for (arrival to as-of date), so a
    recent cohort is not shown as failing to reach what it has not had time to reach.
    """
    cell = cells(snapshot)
    mask = cell.mask(filters)
    as_of = pd.Timestamp(snapshot.as_of)
    names = dict(zip(snapshot.cohorts["cohort_id"], snapshot.cohorts["name"], strict=True))
    arrivals = pd.to_datetime(snapshot.cohorts.set_index("cohort_id")["arrival_date"]).astype("datetime64[ms]")
    cohort_code = cell.codes["cohort"]
    columns = ["cohort", "cohort_name", "milestone", "milestone_label", "months", "reached", "base", "share"]
    parts: dict[str, list] = {name: [] for name in columns}
    for code, cohort in enumerate(snapshot.people["cohort"].cat.categories):
        members = mask & (cohort_code == code)
        size = cell.count(members)
        if size == 0:
            continue
        observed = int((as_of - arrivals[cohort]).days // DAYS_PER_MONTH)
        grid = np.arange(0, observed + 1, step_months)
        for stage, column, label in MILESTONES:
            histogram = sum_rows(cell.milestones[column], members)
            reached = np.cumsum(histogram)[np.minimum(grid, len(histogram) - 1)]
            for name, value in (
                ("cohort", str(cohort)),
                ("cohort_name", names[str(cohort)]),
                ("milestone", stage),
                ("milestone_label", label),
            ):
                parts[name].append(np.full(len(grid), value, dtype=object))
            parts["months"].append(grid)
            parts["reached"].append(reached)
            parts["base"].append(np.full(len(grid), size, dtype=np.int64))
            parts["share"].append(reached / size)
    if not parts["months"]:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame({name: np.concatenate(values) for name, values in parts.items()})


def time_in_stage(snapshot: Snapshot, filters: Filters, threshold_days: int = 180) -> pd.DataFrame:
    """For each open stage (not closed or lost): people in it now, the median and 75th
    percentile of days since they entered it, and how many have been there over the threshold."""
    cell = cells(snapshot)
    days, day_cell, starts = cell.days_sorted
    chosen = cell.mask(filters)[day_cell]
    meta = _stage_meta(snapshot)
    meta = meta.loc[meta["track"] != "exit"]
    rows = []
    for code, stage in enumerate(snapshot.people["stage"].cat.categories):
        values = days[starts[code] : starts[code + 1]][chosen[starts[code] : starts[code + 1]]]
        if len(values) == 0:
            continue
        rows.append(
            {
                "stage": str(stage),
                "people": len(values),
                "median_days": sorted_median(values),
                "p75_days": sorted_quantile(values, 0.75),
                "over_threshold": len(values) - int(np.searchsorted(values, threshold_days, side="right")),
            }
        )
    stats = pd.DataFrame(rows, columns=["stage", "people", "median_days", "p75_days", "over_threshold"]).astype(
        {"people": "int64", "median_days": "float64", "p75_days": "float64", "over_threshold": "int64"}
    )
    out = meta.merge(stats, on="stage", how="left").fillna({"people": 0, "over_threshold": 0})
    out = out.astype({"people": "int64", "over_threshold": "int64"})
    out["threshold_days"] = threshold_days
    return out[
        [
            "stage",
            "stage_label",
            "order",
            "track",
            "people",
            "median_days",
            "p75_days",
            "over_threshold",
            "threshold_days",
        ]
    ]


SCORE_LABELS = {
    "economic": "Economic",
    "social": "Social",
    "psychosocial": "Psychosocial",
    "composite": "Composite (mean of available dimensions)",
}


def assessment_scores(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Median and quartiles of each score dimension per half-year, with the number of scores."""
    cell = cells(snapshot)
    mask = cell.mask(filters)
    columns = ["period", "dimension", "dimension_label", "n", "median", "q1", "q3"]
    if any(cell.scores(dimension) is None for dimension in SCORE_LABELS):
        return _assessment_scores_from_rows(snapshot, filters, columns)
    periods, _ = cell.half_years
    parts = []
    for dimension, label in SCORE_LABELS.items():
        histogram = cell.scores(dimension)
        counts = histogram.sum(mask).reshape(len(periods), len(histogram.values))
        n = counts.sum(axis=1)
        if n.sum() == 0:
            continue
        shown = np.flatnonzero(n)
        part = pd.DataFrame(
            {
                "period": periods[shown],
                "n": n[shown],
                "median": [quantile(histogram.values, counts[i], 0.5) for i in shown],
                "q1": [quantile(histogram.values, counts[i], 0.25) for i in shown],
                "q3": [quantile(histogram.values, counts[i], 0.75) for i in shown],
            }
        )
        parts.append(part.assign(dimension=dimension, dimension_label=label))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).sort_values(["period", "dimension"])[columns].reset_index(drop=True)


def _assessment_scores_from_rows(snapshot: Snapshot, filters: Filters, columns: list[str]) -> pd.DataFrame:
    """`assessment_scores` over the rows, for scores with too many distinct values to histogram."""
    mask = select(snapshot, filters)
    scores = snapshot.assessments
    scores = scores.loc[mask[scores["person"].to_numpy()]]
    parts = []
    for dimension, label in SCORE_LABELS.items():
        if scores[dimension].count() == 0:
            continue
        grouped = scores.groupby("half_year")[dimension]
        quartiles = grouped.quantile([0.25, 0.5, 0.75]).unstack()
        part = pd.DataFrame(
            {"n": grouped.count(), "median": quartiles[0.5], "q1": quartiles[0.25], "q3": quartiles[0.75]}
        )
        part = part.loc[part["n"] > 0].rename_axis("period").reset_index()
        parts.append(part.assign(dimension=dimension, dimension_label=label))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).sort_values(["period", "dimension"])[columns].reset_index(drop=True)


def services_by_month(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Sessions delivered and people served, per month and service type (months with none left out)."""
    cell = cells(snapshot)
    first, _, rows, sessions = cell.services
    mask = cell.mask(filters)
    # One row per person, month and service type (the table's key), so rows count people.
    people = sum_rows(rows, mask)
    n_types = len(c.SERVICE_TYPES)
    if people.sum() == 0:
        return pd.DataFrame(
            {
                "month": pd.Series(dtype="datetime64[ms]"),
                "service_type": pd.Series(dtype=str),
                "sessions": pd.Series(dtype="int64"),
                "people": pd.Series(dtype="int64"),
            }
        )
    total = sum_rows(sessions, mask)
    shown = np.flatnonzero(people)
    return pd.DataFrame(
        {
            "month": (first + shown // n_types).astype("datetime64[M]").astype("datetime64[ms]"),
            "service_type": np.asarray(c.SERVICE_TYPES, dtype=object)[shown % n_types],
            "sessions": total[shown].astype("int64"),
            "people": people[shown].astype("int64"),
        }
    )


def services_by_type(snapshot: Snapshot, filters: Filters, months: int = 12) -> pd.DataFrame:
    """Sessions and people served per service type over the last `months` months."""
    cell = cells(snapshot)
    mask = cell.mask(filters)
    first, n_months, _, sessions = cell.services
    n_types = len(c.SERVICE_TYPES)
    since = int(np.datetime64(snapshot.as_of, "M").astype(np.int64)) - (months - 1)
    window = sum_rows(sessions, mask).reshape(n_months, n_types)[max(0, since - first) :]
    served = cell.served_last_year if months == 12 else cell._served(months)
    return pd.DataFrame(
        {
            "service_type": list(c.SERVICE_TYPES),
            "sessions": window.sum(axis=0, dtype=np.int64),
            "people": sum_rows(served, mask),
            "months": months,
        }
    )


def region_summary(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """One row per region: people placed there, how many reached school, training or work
    (and the share), and the median of people's latest composite score."""
    cell = cells(snapshot)
    histogram = cell.latest_composite
    if histogram is None:
        stats = _region_stats_from_rows(snapshot, filters)
    else:
        mask = cell.mask(filters)
        starts = cell.region_starts
        regions = snapshot.people["region"].cat.categories[cell.codes["region"][starts]]
        people = np.add.reduceat(cell.size * mask, starts)
        reached = np.add.reduceat(cell.reached_school_work * mask, starts)
        region_of_cell = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, cell.n]))
        chosen = sparse.csr_array((mask.astype(np.int64), (region_of_cell, np.arange(cell.n))))
        scores = (chosen @ histogram.counts).toarray()
        shown = people > 0
        stats = pd.DataFrame(
            {
                "region": [str(r) for r in regions[shown]],
                "people": people[shown],
                "reached_school_work": reached[shown],
                "median_composite": [median(histogram.values, row) for row in scores[shown]],
                "scored": scores[shown].sum(axis=1),
            }
        )
    regions = snapshot.regions.rename(columns={"region_code": "region", "name_en": "region_name"})
    out = regions.merge(stats, on="region", how="left").fillna({"people": 0, "reached_school_work": 0, "scored": 0})
    out = out.astype({"people": "int64", "reached_school_work": "int64", "scored": "int64"})
    out["share_school_work"] = np.where(
        out["people"] > 0, out["reached_school_work"] / out["people"].clip(lower=1), np.nan
    )
    return out[
        [
            "region",
            "region_name",
            "name_ru",
            "name_kk",
            "grid_row",
            "grid_col",
            "people",
            "reached_school_work",
            "share_school_work",
            "median_composite",
            "scored",
        ]
    ]


def _region_stats_from_rows(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    people = _selected(snapshot, filters)
    frame = pd.DataFrame(
        {
            "region": people["region"].astype(str),
            "reached": people["school_work_on"].notna(),
            "composite": people["latest_composite"],
        }
    )
    grouped = frame.groupby("region")
    return pd.DataFrame(
        {
            "people": grouped.size(),
            "reached_school_work": grouped["reached"].sum(),
            "median_composite": grouped["composite"].median(),
            "scored": grouped["composite"].count(),
        }
    ).reset_index()


def region_stage(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by placement region and current stage, every combination, zeros included."""
    counts = _cell_counts(snapshot, filters, ["region", "stage"])
    counts = counts.astype({"region": str, "stage": str})
    regions = snapshot.regions[["region_code", "name_en"]].rename(
        columns={"region_code": "region", "name_en": "region_name"}
    )
    return counts.merge(regions, on="region").merge(
        _stage_meta(snapshot)[["stage", "stage_label", "order"]], on="stage"
    )[["region", "region_name", "stage", "stage_label", "order", "people"]]


def _labels(snapshot: Snapshot, dimension: str, codes: pd.Series) -> pd.Series:
    if dimension in ("unaccompanied", "justice"):
        return codes.map({True: "Yes", False: "No"})
    return codes.map(snapshot.labels(dimension)).fillna(codes)


def counts_by(snapshot: Snapshot, filters: Filters, dimensions: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """People counted by up to two dimensions (a pivot in long form), zeros included."""
    dimensions = list(dict.fromkeys(dimensions))
    if not 1 <= len(dimensions) <= 2 or not set(dimensions) <= set(PIVOT_DIMENSIONS):
        raise ValueError(f"choose one or two of {', '.join(PIVOT_DIMENSIONS)}")
    out = _cell_counts(snapshot, filters, dimensions)
    for dim in dimensions:
        out[dim] = out[dim].astype(str) if dim not in ("unaccompanied", "justice") else out[dim]
        out[f"{dim}_label"] = _labels(snapshot, dim, out[dim])
    return out


def option_counts(snapshot: Snapshot, filters: Filters, dimension: str) -> pd.DataFrame:
    """How many people each option of `dimension` would select, given the other filters
    (facet counts). Every option of the snapshot is listed, zeros included."""
    cell = cells(snapshot)
    weights = cell.size * cell.mask(filters.without(dimension))
    valid = cell.codes[dimension] >= 0
    categories = snapshot.people[dimension].cat.categories
    counts = np.bincount(cell.codes[dimension][valid], weights=weights[valid], minlength=len(categories))
    codes = [str(code) for code in categories]
    return pd.DataFrame(
        {
            "code": codes,
            "label": [snapshot.label(dimension, code) for code in codes],
            "people": [int(n) for n in counts],
        }
    )


def person_table(snapshot: Snapshot, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """Pseudonymous person rows (restricted access only): who, where, which stage, how long.
    With `limit`, only the first rows: a page shows a screenful, not half a million rows."""
    everyone = cells(snapshot).person_rows(lambda snap: _person_rows(snap, snap.people))
    if filters.is_empty():
        return everyone.iloc[:limit].copy(deep=False)
    chosen = np.flatnonzero(select(snapshot, filters))[:limit]
    if len(chosen) == 0:
        return _person_rows(snapshot, snapshot.people.iloc[:0])
    return everyone.take(chosen).reset_index(drop=True)


def _person_rows(snapshot: Snapshot, people: pd.DataFrame) -> pd.DataFrame:
    """The rows of `person_table` for `people`. For everyone it is built once per snapshot: text
    columns are costly to build for a million people, taking rows from them is not."""
    as_of = pd.Timestamp(snapshot.as_of)
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "household_id": people["household_id"].to_numpy(),
            "cohort": _labels(snapshot, "cohort", people["cohort"].astype(str)).to_numpy(),
            "sex": people["sex"].astype(str).to_numpy(),
            "age_band": people["age_band"].astype(str).to_numpy(),
            "unaccompanied": people["unaccompanied"].to_numpy(),
            "region": _labels(snapshot, "region", people["region"].astype(str)).to_numpy(),
            "stage": _labels(snapshot, "stage", people["stage"].astype(str)).to_numpy(),
            "in_stage_since": people["stage_since"].to_numpy(),
            "days_in_stage": (as_of - people["stage_since"]).dt.days.to_numpy(),
        }
    )


def stage_history(snapshot: Snapshot, person_id: str) -> pd.DataFrame:
    """One person's stages in the order entered, with days spent (to the as-of date if open)."""
    match = np.flatnonzero(snapshot.people["person_id"].to_numpy() == person_id)
    events = snapshot.events
    rows = events.loc[events["person"].isin(match)]
    end = rows["exited_on"].fillna(pd.Timestamp(snapshot.as_of))
    return pd.DataFrame(
        {
            "stage": rows["stage"].astype(str).to_numpy(),
            "stage_label": _labels(snapshot, "stage", rows["stage"].astype(str)).to_numpy(),
            "entered_on": rows["entered_on"].to_numpy(),
            "exited_on": rows["exited_on"].to_numpy(),
            "days": (end - rows["entered_on"]).dt.days.to_numpy(),
        }
    )


def stage_change(snapshot: Snapshot, previous: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by current stage now and in the previous snapshot (same selection), and the change.

    Stages come from the newer snapshot's reference table, in programme order.
    """
    now = stage_distribution(snapshot, filters)
    before = stage_distribution(previous, filters).set_index("stage")["people"]
    out = now[["stage", "stage_label", "order", "track"]].copy()
    out["previous"] = out["stage"].map(before).fillna(0).astype("int64")
    out["people"] = now["people"].to_numpy()
    out["change"] = out["people"] - out["previous"]
    return out
