"""Queries: snapshot + filters -> a small tidy table, one row per mark a chart will draw.

Pure functions over the per-cell tables of `data_access.cells`: each adds up figures kept per cell
over the cells a selection takes in (`Selection.sum`), so its cost hardly grows with the number of
people. On a public snapshot every count comes out perturbed (the cell-key method), and figures
derived from counts (shares, rates) are derived from the published counts; medians and quartiles
come from exact histograms. Every count column is called `people` (or `sessions`, `reached`, ...),
so one step can apply the display rules to them all. Labels travel with the codes so pages and
charts never look anything up.
"""

from __future__ import annotations

import itertools
import weakref

import numpy as np
import pandas as pd

from data_access import contract as c
from data_access.cells import cells, quantile, select
from data_access.filters import DIMENSIONS, Filters
from data_access.programme import (
    DAYS_PER_MONTH,
    GROUPS,
    HEADLINE,
    MILESTONES,
    PIVOT_DIMENSIONS,
    SCORE_LABELS,
    stuck_stages,
)
from data_access.snapshot import Snapshot
from i18n import _, language
from i18n import format as fmt

FLAG_BITS = {"unaccompanied": 2, "justice": 1}
"""Columns of `Cells.flags` are `2 * unaccompanied + justice`."""
GROUP_CODE = {group: i for i, group in enumerate(GROUPS)}


def base_n(snapshot: Snapshot, filters: Filters) -> int:
    """People in the selection (published, at the public level)."""
    return select(snapshot, filters).total()


def fewest(snapshot: Snapshot, filters: Filters, counts: str = "size", by: str | None = None) -> np.ndarray:
    """The smallest count of any piece of the selection that holds the group (`Selection.smallest`):
    per column of the cells' `counts` ("size": people; "stages_reached": people who ever entered
    each stage, in stage order; "scored:<dimension>": people scored on it, per half-year), one row
    per value of `by` (a dimension; one row without it).
    The release holds back a small group's figures by it, since an outsider can get each piece's
    figures by differencing two selections."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    if counts.startswith("scored:"):  # people scored on a dimension, per half-year (`Cells.half_years`)
        return chosen.smallest(cell.scored_people(counts.removeprefix("scored:")))
    if by is None:
        return chosen.smallest(getattr(cell, counts))
    return chosen.smallest(getattr(cell, counts), cell.codes[by], len(snapshot.categories(by)))


def fewest_served(snapshot: Snapshot, filters: Filters) -> dict[str, int]:
    """Per service type: the most people served in any one month, in the piece of the selection
    where that is fewest (published at public). A type's months are a history of the people it
    served: at least this many distinct people were served it in every piece."""
    chosen = select(snapshot, filters)
    people = chosen.cells.services[2]
    n_types = len(c.SERVICE_TYPES)
    if not people.width:
        return dict.fromkeys(c.SERVICE_TYPES, 0)
    busiest = chosen.smallest(people, fold=lambda p: p.reshape(*p.shape[:2], -1, n_types).max(axis=2))[0]
    return dict(zip(c.SERVICE_TYPES, busiest.tolist(), strict=True))


def half_year_index(snapshot: Snapshot, periods) -> np.ndarray:
    """Where each of `periods` (half-years, by their first days) is among the columns of
    `fewest(..., "scored:<dimension>")`."""
    known = np.asarray(cells(snapshot).half_years).astype("datetime64[ms]")
    return np.searchsorted(known, np.asarray(periods).astype("datetime64[ms]"))


_made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _once(snapshot: Snapshot, make, *args):
    """`make(snapshot, *args)`, made once per snapshot, arguments and language (labels and dates
    are in the run's language): the rows every selection shares (stages, cohorts and their
    labels), which cost more to make than the counts then put into them. Not to be changed."""
    made = _made.setdefault(snapshot, {})
    key = (make.__name__, args, language())
    if key not in made:
        made[key] = make(snapshot, *args)
    return made[key]


def _arrays(snapshot: Snapshot, make, *args) -> dict:
    """The columns of `make(snapshot, *args)` as pandas arrays (which keep their types: a frame
    made from a NumPy array of text would read it as text where the rows had objects)."""
    return {name: values.array for name, values in make(snapshot, *args).items()}


def _table(snapshot: Snapshot, make, *args, keep: np.ndarray | None = None, **columns) -> pd.DataFrame:
    """A new frame of the rows `make(snapshot, *args)` gives (made once, `_once`), only those
    where `keep` holds when given, with `columns` put in (in place of a column of that name, or
    after the rest). Made from arrays: a fifth of the cost of copying a frame and setting columns."""
    rows = _once(snapshot, _arrays, make, *args)
    if keep is not None:
        rows = {name: values[keep] for name, values in rows.items()}
    return pd.DataFrame({**rows, **columns})


def _stages(snapshot: Snapshot) -> pd.DataFrame:
    meta = snapshot.stages[["stage_id", "order", "track"]].rename(columns={"stage_id": "stage"})
    meta.insert(1, "stage_label", meta["stage"].map(snapshot.labels("stage")))
    return meta.reset_index(drop=True)


def _stage_meta(snapshot: Snapshot) -> pd.DataFrame:
    """Stages in programme order (the order of `snapshot.categories("stage")`): code, label in
    this run's language, order and track."""
    return _table(snapshot, _stages)


def _codes(snapshot: Snapshot, dim: str) -> np.ndarray:
    return cells(snapshot).codes[dim]


def headline(snapshot: Snapshot, filters: Filters, previous: Snapshot | None = None) -> pd.DataFrame:
    """Key figures for the selection, with the same figures in `previous` and the change.

    `active_support`: current stage on the rehabilitation track (not closed, lost or justice).
    `justice_track`: ever entered a justice-track stage, as of the snapshot.
    """

    def figures(snap: Snapshot) -> dict[str, int]:
        chosen = select(snap, filters)
        cell = chosen.cells
        group, stage = cell.codes["group"], cell.codes["stage"]
        stages = snap.categories("stage")
        rehab = snap.track_stages("rehabilitation")
        by_group = chosen.sum(cell.size, group, len(GROUPS))[:, 0]
        # Each figure counts one set of people, so it is one count (one cell key), not a sum of parts.
        unaccompanied = cell.flags.merge([[2, 3]])
        justice = cell.flags.merge([[1, 3]])
        return {
            "people": chosen.total(),
            "women": int(by_group[GROUP_CODE["woman"]]),
            "men": int(by_group[GROUP_CODE["man"]]),
            "children": int(by_group[GROUP_CODE["child"]]),
            "unaccompanied": chosen.where(group == GROUP_CODE["child"], unaccompanied),
            "justice_track": chosen.total(justice),
            "active_support": chosen.where(np.isin(stage, [stages.index(s) for s in rehab])),
            "case_closed": chosen.where(stage == stages.index(c.STAGE_CLOSED)),
        }

    now = figures(snapshot)
    before = figures(previous) if previous is not None else {}
    values, previous = [now[key] for key, _ in HEADLINE], [before.get(key) for key, _ in HEADLINE]
    return pd.DataFrame(
        {
            "measure": [key for key, _ in HEADLINE],
            "label": [_(label) for _unused, label in HEADLINE],
            "value": values,
            "previous": pd.array(previous, dtype="Int64"),
            "delta": pd.array(
                [None if then is None else value - then for value, then in zip(values, previous, strict=True)],
                dtype="Int64",
            ),
        }
    )


def _combination(cell, dimensions: list[str]) -> np.ndarray:
    """Each cell's combination of `dimensions` as one number (the first varies slowest; -1 where
    a code is missing)."""
    group = np.zeros(cell.n, dtype=np.int64)
    for dim in dimensions:
        size = len(cell.categories[dim])
        group = np.where(cell.codes[dim] >= 0, group * size + cell.codes[dim], -1)
    return group


def _flag_columns(flags: list[str]) -> tuple[list[tuple[bool, ...]], list[list[int]]]:
    """Every combination of the values of the `flags` asked for (unaccompanied, justice), and the
    columns of `Cells.flags` each takes in: one column per combination, each counting one set of
    people (one count, one cell key). No flags: one combination, every column."""
    combos = list(itertools.product((False, True), repeat=len(flags)))
    every = range(2 ** len(FLAG_BITS))

    def takes(column: int, combo: tuple[bool, ...]) -> bool:
        return all(bool(column & FLAG_BITS[f]) == value for f, value in zip(flags, combo, strict=True))

    columns = [[k for k in every if takes(k, combo)] for combo in combos]
    return combos, columns


def _cell_counts(snapshot: Snapshot, filters: Filters, dimensions: list[str], where: np.ndarray | None = None):
    """People by `dimensions` for the selection (cells where `where` holds), every combination of
    the categories, zeros included. Dimensions: the cell columns, origin, group, unaccompanied and
    justice (the last two: only the values present in the selection)."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    flag_dims = [d for d in dimensions if d in FLAG_BITS]
    cell_dims = [d for d in dimensions if d not in FLAG_BITS]
    sizes = [len(cell.categories[d]) for d in cell_dims]
    group = _combination(cell, cell_dims)
    if where is not None:
        group = np.where(where, group, -1)
    combos, columns = _flag_columns(flag_dims)
    counts = chosen.sum(cell.flags.merge(columns), group, int(np.prod(sizes)) if sizes else 1)
    present = [i for i in range(len(combos)) if counts[:, i].sum()] if flag_dims else [0]
    grid = np.indices([*sizes, len(present)]).reshape(len(sizes) + 1, -1)
    frame = {
        dim: pd.Categorical.from_codes(grid[i], categories=cell.categories[dim]) for i, dim in enumerate(cell_dims)
    }
    for j, dim in enumerate(flag_dims):
        frame[dim] = np.array([combos[p][j] for p in present], dtype=bool)[grid[-1]]
    flat = np.ravel_multi_index(grid[:-1], sizes) if sizes else np.zeros(grid.shape[1], dtype=np.int64)
    frame["people"] = counts[flat, np.asarray(present, dtype=np.int64)[grid[-1]]]
    return pd.DataFrame(frame)[[*dimensions, "people"]]


def _count_grid(snapshot: Snapshot, filters: Filters, dimensions: list[str]) -> np.ndarray:
    """People by cell `dimensions` for the selection: a flat array over every combination of their
    categories (the first dimension varies slowest), zeros included."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    size = int(np.prod([len(cell.categories[d]) for d in dimensions]))
    return chosen.sum(cell.flags.merge(_flag_columns([])[1]), _combination(cell, dimensions), size)[:, 0]


def _arrival_rows(snapshot: Snapshot) -> pd.DataFrame:
    """Every cohort and group row of `arrivals`, in its order, labelled; `people` holds the row's
    place in `_count_grid(..., ["cohort", "group"])`."""
    cell = cells(snapshot)
    n_groups = len(cell.categories["group"])
    place = np.arange(len(cell.categories["cohort"]) * n_groups)
    counts = pd.DataFrame(
        {
            "cohort": pd.Categorical.from_codes(place // n_groups, categories=cell.categories["cohort"]),
            "group": pd.Categorical.from_codes(place % n_groups, categories=cell.categories["group"]),
            "people": place,
        }
    )
    cohorts = snapshot.cohorts[["cohort_id", "operation", "origin_country", "arrival_date"]].rename(
        columns={"cohort_id": "cohort"}
    )
    out = counts.astype({"cohort": str, "group": str}).merge(cohorts, on="cohort", how="left")
    out.insert(1, "cohort_name", out["cohort"].map(snapshot.labels("cohort")))
    out["origin_name"] = out["origin_country"].map(snapshot.labels("origin"))
    out["group_label"] = out["group"].map(snapshot.labels("group"))
    out["arrival_date"] = pd.to_datetime(out["arrival_date"])
    # Tooltips show this text: a date column does not survive every route to the browser intact.
    out["arrival_label"] = out["arrival_date"].map(fmt.date)
    columns = ["cohort", "cohort_name", "operation", "origin_country", "origin_name", "arrival_date", "arrival_label"]
    return (
        out[[*columns, "group", "group_label", "people"]]
        .sort_values(["arrival_date", "cohort", "group"])
        .reset_index(drop=True)
    )


def arrivals(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by cohort and group (men, women, children), with the cohort's origin and date; the
    cohorts with nobody in the selection left out."""
    counts = _count_grid(snapshot, filters, ["cohort", "group"])
    place = np.asarray(_once(snapshot, _arrays, _arrival_rows)["people"])
    n_groups = len(cells(snapshot).categories["group"])
    keep = counts.reshape(-1, n_groups).sum(axis=1)[place // n_groups] > 0
    return _table(snapshot, _arrival_rows, keep=keep, people=counts[place[keep]])


def unaccompanied_children(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Children by cohort, unaccompanied (orphaned or without a parent) or with a parent; in the
    long form of `counts_by(..., ["cohort", "unaccompanied"])` so the pivot chart draws it (the
    cohorts without children in the selection left out, and either kind when no child is it)."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    cohort = np.where(cell.codes["group"] == GROUP_CODE["child"], cell.codes["cohort"], -1)
    _kinds, columns = _flag_columns(["unaccompanied"])  # with a parent, unaccompanied
    counts = chosen.sum(cell.flags.merge(columns), cohort, len(cell.categories["cohort"]))  # cohorts x kinds
    keep = (counts.sum(axis=0) > 0)[np.newaxis, :] & (counts.sum(axis=1) > 0)[:, np.newaxis]
    return _table(snapshot, _unaccompanied_rows, keep=keep.ravel(), people=counts[keep])


def _unaccompanied_rows(snapshot: Snapshot) -> pd.DataFrame:
    cohorts = np.asarray(cells(snapshot).categories["cohort"], dtype=object)
    out = pd.DataFrame({"cohort": np.repeat(cohorts, 2), "unaccompanied": np.tile([False, True], len(cohorts))})
    out["cohort"] = out["cohort"].astype(str)
    out.insert(1, "cohort_label", out["cohort"].map(snapshot.labels("cohort")))
    out.insert(3, "unaccompanied_label", np.where(out["unaccompanied"], _("Unaccompanied"), _("With a parent")))
    out["people"] = np.zeros(len(out), dtype=np.int64)
    return out


def _grid_rows(snapshot: Snapshot, dimensions: tuple[str, ...], labelled: bool) -> pd.DataFrame:
    """Every combination of the cell `dimensions`' codes, in the order of `_count_grid`, and a
    `people` column to fill; with `labelled`, each code's label after it, as `counts_by` gives them."""
    cell = cells(snapshot)
    sizes = [len(cell.categories[d]) for d in dimensions]
    grid = np.indices(sizes).reshape(len(sizes), -1)
    out = pd.DataFrame(
        {d: np.asarray(cell.categories[d], dtype=object)[grid[i]] for i, d in enumerate(dimensions)}
    ).astype(str)
    out["people"] = np.zeros(grid.shape[1], dtype=np.int64)
    for dim in dimensions if labelled else ():
        out[f"{dim}_label"] = _labels(snapshot, dim, out[dim])
    return out


def age_sex_pyramid(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by age band at return and sex; every band and sex present, zeros included."""
    people = _count_grid(snapshot, filters, ["age_band", "sex"])
    return _table(snapshot, _grid_rows, ("age_band", "sex"), False, people=people)


def _stage_rows(snapshot: Snapshot) -> pd.DataFrame:
    return _stages(snapshot).astype({"stage": str})


def _per_stage(snapshot: Snapshot, people: np.ndarray, base: int) -> pd.DataFrame:
    people = people.astype("int64")  # in stage order, as the rows
    return _table(snapshot, _stage_rows, people=people, share=people / base if base else 0.0)


def stage_distribution(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by current stage, every stage in programme order, with the share of the base."""
    chosen = select(snapshot, filters)
    stages = snapshot.categories("stage")
    per_stage = chosen.sum(chosen.cells.size, _codes(snapshot, "stage"), len(stages))[:, 0]
    return _per_stage(snapshot, per_stage, chosen.total())


def stage_reached(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """The funnel: people who have ever entered each stage (as of the snapshot), in order."""
    chosen = select(snapshot, filters)
    return _per_stage(snapshot, chosen.sum(chosen.cells.stages_reached)[0], chosen.total())


def stage_occupancy(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People in each stage (and its track) at the end of every month, from the first arrival to
    the as-of date.

    Computed from entries and exits per month (a running balance), kept per cell.
    """
    chosen = select(snapshot, filters)
    first, n_months = chosen.cells.months
    balance = chosen.sum(chosen.cells.occupancy)[0]
    stages = _once(snapshot, _stage_columns)
    months = np.arange(first, first + n_months).astype("datetime64[M]").astype("datetime64[ms]")
    return pd.DataFrame(
        {
            "month": np.repeat(months, len(stages["stage"])),
            **{name: np.tile(values, n_months) for name, values in stages.items()},
            "people": balance.astype("int64"),
        }
    )


def _stage_columns(snapshot: Snapshot) -> dict[str, np.ndarray]:
    """The stage rows' columns as arrays (made once: a categorical column makes a new array
    each time it is asked for one)."""
    return {name: values.to_numpy() for name, values in _stages(snapshot).items()}


def _observed_months(snapshot: Snapshot) -> dict[str, int]:
    """Whole months each cohort has been observed for, from its arrival to the as-of date."""
    as_of = pd.Timestamp(snapshot.as_of)
    arrivals = pd.to_datetime(snapshot.cohorts.set_index("cohort_id")["arrival_date"])
    return {name: int((as_of - arrival).days // DAYS_PER_MONTH) for name, arrival in arrivals.items()}


def time_to_milestone(snapshot: Snapshot, filters: Filters, step_months: int = 1) -> pd.DataFrame:
    """Cumulative share of each cohort that reached a milestone within N months of arrival.

    A cohort's curve stops at the months it has been observed for (arrival to as-of date), so a
    recent cohort is not shown as failing to reach what it has not had time to reach.
    """
    chosen = select(snapshot, filters)
    cell = chosen.cells
    cohorts = snapshot.categories("cohort")
    cohort = cell.codes["cohort"]
    bases = chosen.sum(cell.size, cohort, len(cohorts))[:, 0]
    width = cell.milestone_width
    within = chosen.sum(cell.milestones_within, cohort, len(cohorts))
    reached = {stage: within[:, k * width : (k + 1) * width] for k, (stage, _, _) in enumerate(MILESTONES)}
    observed_months = _once(snapshot, _observed_months)
    names = snapshot.labels("cohort")
    columns = ["cohort", "cohort_name", "milestone", "milestone_label", "months", "reached", "base", "share"]
    # Built as arrays, one run of rows per cohort and milestone, and made into one frame at the end.
    runs: dict[str, list] = {name: [] for name in columns[:4]}
    months, counts, base = [], [], []
    for code, name in enumerate(cohorts):
        if bases[code] == 0:
            continue
        observed = observed_months[name]
        grid = np.arange(0, observed + 1, step_months)
        for stage, _column, label in MILESTONES:
            for column, value in zip(columns[:4], (name, names[name], stage, _(label)), strict=True):
                runs[column].append(value)
            months.append(grid)
            counts.append(reached[stage][code][np.minimum(grid, reached[stage].shape[1] - 1)])
            base.append(np.full(len(grid), bases[code]))
    if not months:
        empty = {"months": "int64", "reached": "int64", "base": "int64", "share": "float64"}
        return pd.DataFrame({col: pd.Series(dtype=empty.get(col, object)) for col in columns})
    lengths = [len(grid) for grid in months]
    out = pd.DataFrame(
        {
            **{name: np.repeat(np.array(values, dtype=object), lengths) for name, values in runs.items()},
            "months": np.concatenate(months).astype("int64"),
            "reached": np.concatenate(counts).astype("int64"),
            "base": np.concatenate(base).astype("int64"),
        }
    )
    out["share"] = out["reached"] / out["base"]
    return out


def time_in_stage(snapshot: Snapshot, filters: Filters, threshold_days: int = 180) -> pd.DataFrame:
    """For each open stage (not closed or lost): people in it now, the median and 75th
    percentile of days since they entered it, whether a long stay there counts as being stuck
    (`counts_as_stuck`, `programme.stuck_stages`) and how many are stuck: there for more than the
    threshold, in a stage where that counts (0 where a long stay is expected)."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    stages = snapshot.categories("stage")
    stage = cell.codes["stage"]
    values, days = cell.days_in_stage
    over = days.merge([list(np.flatnonzero(values > threshold_days))])
    people = chosen.sum(cell.size, stage, len(stages))[:, 0]
    past = chosen.sum(over, stage, len(stages))[:, 0]
    histograms = chosen.distribution(days.people, stage, len(stages))
    counts = np.isin(stages, stuck_stages(snapshot.stages))
    meta = _stage_meta(snapshot)
    kept = (meta["track"] != "exit").to_numpy()  # meta rows are in stage order, as the counts
    out = meta.loc[kept].reset_index(drop=True).astype({"stage": str})
    out["counts_as_stuck"] = counts[kept]
    out["people"] = people.astype("int64")[kept]
    out["median_days"] = [quantile(values, row, 0.5) for row in histograms[kept]]
    out["p75_days"] = [quantile(values, row, 0.75) for row in histograms[kept]]
    out["stuck"] = np.where(counts, past, 0).astype("int64")[kept]
    out["threshold_days"] = threshold_days
    columns = ["stage", "stage_label", "order", "track", "counts_as_stuck", "people", "median_days", "p75_days"]
    return out[[*columns, "stuck", "threshold_days"]].reset_index(drop=True)


def assessment_scores(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Median and quartiles of each score dimension per half-year, with `n`, the number of
    people scored on it in that half-year (a person assessed twice counts once)."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    columns = ["period", "dimension", "dimension_label", "n", "median", "q1", "q3"]
    if any(cell.scores(dimension) is None for dimension in SCORE_LABELS):
        return _assessment_scores_from_rows(snapshot, filters, columns)
    periods = cell.half_years
    parts: dict[str, list] = {name: [] for name in columns}
    for dimension, label in SCORE_LABELS.items():
        histogram = cell.scores(dimension)
        counts = chosen.distribution(histogram).reshape(len(periods), len(histogram.values))
        people = chosen.sum(cell.scored_people(dimension))[0]
        shown = np.flatnonzero(counts.sum(axis=1))
        parts["period"].append(periods[shown])
        parts["dimension"] += [dimension] * len(shown)
        parts["dimension_label"] += [_(label)] * len(shown)
        parts["n"].append(people[shown].astype("int64"))
        for name, share in (("median", 0.5), ("q1", 0.25), ("q3", 0.75)):
            parts[name] += [quantile(histogram.values, counts[i], share) for i in shown]
    if not parts["dimension"]:
        return pd.DataFrame(columns=columns)
    # One frame at the end, not one per dimension and a concat: on tables this small, making
    # frames is most of the cost.
    out = pd.DataFrame({**parts, "period": np.concatenate(parts["period"]), "n": np.concatenate(parts["n"])})
    return out.sort_values(["period", "dimension"])[columns].reset_index(drop=True)


def _assessment_scores_from_rows(snapshot: Snapshot, filters: Filters, columns: list[str]) -> pd.DataFrame:
    """`assessment_scores` over the rows (restricted snapshots only), for scores with too many
    distinct values to histogram."""
    mask = select(snapshot, filters).mask[cells(snapshot).person_cell]
    scores = snapshot.assessments
    scores = scores.loc[mask[scores["person"].to_numpy()]]
    parts = []
    for dimension, label in SCORE_LABELS.items():
        scored = scores.loc[scores[dimension].notna()]
        if scored.empty:
            continue
        grouped = scored.groupby("half_year")
        quartiles = grouped[dimension].quantile([0.25, 0.5, 0.75]).unstack()
        part = pd.DataFrame(
            {"n": grouped["person"].nunique(), "median": quartiles[0.5], "q1": quartiles[0.25], "q3": quartiles[0.75]}
        )
        parts.append(part.rename_axis("period").reset_index().assign(dimension=dimension, dimension_label=_(label)))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).sort_values(["period", "dimension"])[columns].reset_index(drop=True)


def services_by_month(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Sessions delivered and people served, per month and service type (months with none left out)."""
    chosen = select(snapshot, filters)
    first, _, people, sessions = chosen.cells.services
    served, total = chosen.sum(people, magnitude=sessions)
    served, total = served[0], total[0]
    shown = np.flatnonzero(served)
    n_types = len(c.SERVICE_TYPES)
    return pd.DataFrame(
        {
            "month": (first + shown // n_types).astype("datetime64[M]").astype("datetime64[ms]"),
            "service_type": np.asarray(c.SERVICE_TYPES, dtype=object)[shown % n_types],
            "sessions": total[shown].astype("int64"),
            "people": served[shown].astype("int64"),
        }
    )


def services_by_type(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Sessions and people served per service type over the 12 months to the as-of date."""
    chosen = select(snapshot, filters)
    served, total = chosen.sum(chosen.cells.served_last_year, magnitude=chosen.cells.sessions_last_year)
    return pd.DataFrame(
        {
            "service_type": list(c.SERVICE_TYPES),
            "sessions": total[0].astype("int64"),
            "people": served[0].astype("int64"),
            "months": 12,
        }
    )


def stuck(snapshot: Snapshot, filters: Filters, threshold_days: int) -> tuple[int, int]:
    """(people stuck: in their current stage for more than `threshold_days`, in a stage where
    that counts; people in the stages where it counts): two counts of two sets of people, for the
    sentence above the time-in-stage chart. `programme.stuck_stages` says which stages count."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    counted = stuck_stages(snapshot.stages)
    in_counted = np.isin(cell.codes["stage"], [i for i, s in enumerate(snapshot.categories("stage")) if s in counted])
    values, days = cell.days_in_stage
    over = days.merge([list(np.flatnonzero(values > threshold_days))])
    return chosen.where(in_counted, over), chosen.where(in_counted)


def region_summary(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """One row per region: people placed there, how many reached school, training or work
    (and the share), and the median of people's latest composite score."""
    chosen = select(snapshot, filters)
    cell = chosen.cells
    region = cell.codes["region"]
    n_regions = len(snapshot.categories("region"))
    school = snapshot.categories("stage").index(c.STAGE_SCHOOL_WORK)
    people = chosen.sum(cell.size, region, n_regions)[:, 0]
    reached = chosen.sum(cell.stages_reached.merge([[school]]), region, n_regions)[:, 0]
    scored = chosen.sum(cell.scored, region, n_regions)[:, 0]
    histogram = cell.latest_composite
    if histogram is None:
        medians = _region_medians_from_rows(snapshot, filters)
    else:
        by_region = chosen.distribution(histogram, region, n_regions)
        medians = [quantile(histogram.values, row, 0.5) for row in by_region]
    people = people.astype("int64")
    reached = np.minimum(reached, people).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(people > 0, reached / np.maximum(people, 1), np.nan)
    return _table(
        snapshot,
        _region_rows,
        people=people,
        reached_school_work=reached,
        share_school_work=share,
        median_composite=np.asarray(medians, dtype=float),
        scored=scored.astype("int64"),
    )


def _region_rows(snapshot: Snapshot) -> pd.DataFrame:
    regions = snapshot.regions.rename(columns={"region_code": "region"})
    out = regions[["region", "grid_row", "grid_col"]].copy()
    out.insert(1, "region_name", out["region"].map(snapshot.labels("region")))
    return out


def _region_medians_from_rows(snapshot: Snapshot, filters: Filters) -> list[float]:
    mask = select(snapshot, filters).mask[cells(snapshot).person_cell]
    people = snapshot.people.loc[mask]
    medians = people.groupby(people["region"].astype(str))["latest_composite"].median()
    return [float(medians.get(code, np.nan)) for code in snapshot.categories("region")]


def region_stage(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by placement region and current stage, every combination, zeros included: region
    by region in the regions' order, stages in programme order within each."""
    people = _count_grid(snapshot, filters, ["region", "stage"])
    regions = np.asarray(snapshot.categories("region"), dtype=object)
    stages = _once(snapshot, _stage_columns)  # in the order of the stage categories
    region = np.repeat(np.arange(len(regions)), len(stages["stage"]))
    stage = np.tile(np.arange(len(stages["stage"])), len(regions))
    names = snapshot.labels("region")
    return pd.DataFrame(
        {
            "region": regions[region],
            "region_name": np.asarray([names.get(code) for code in regions], dtype=object)[region],
            **{name: stages[name][stage] for name in ("stage", "stage_label", "order")},
            "people": people,
        }
    )


def _labels(snapshot: Snapshot, dimension: str, codes: pd.Series) -> pd.Series:
    return codes.astype(str).map(snapshot.labels(dimension)).fillna(codes.astype(str))


def counts_by(snapshot: Snapshot, filters: Filters, dimensions: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """People counted by up to two dimensions (a pivot in long form), zeros included."""
    dimensions = list(dict.fromkeys(dimensions))
    if not 1 <= len(dimensions) <= 2 or not set(dimensions) <= set(PIVOT_DIMENSIONS):
        raise ValueError(f"choose one or two of {', '.join(PIVOT_DIMENSIONS)}")
    if not set(dimensions) & set(FLAG_BITS):
        people = _count_grid(snapshot, filters, dimensions)
        return _table(snapshot, _grid_rows, tuple(dimensions), True, people=people)
    out = _cell_counts(snapshot, filters, dimensions)
    for dim in dimensions:
        out[dim] = out[dim].astype(str) if dim not in FLAG_BITS else out[dim]
        out[f"{dim}_label"] = _labels(snapshot, dim, out[dim])
    return out


def option_counts(snapshot: Snapshot, filters: Filters, dimension: str) -> pd.DataFrame:
    """How many people each option of `dimension` would select, given the other filters
    (facet counts). Every option of the snapshot is listed, zeros included."""
    chosen = select(snapshot, filters.without(dimension))
    codes = snapshot.categories(dimension)
    counts = chosen.sum(chosen.cells.size, _codes(snapshot, dimension), len(codes))[:, 0]
    return _options_table(snapshot, dimension, counts)


def facet_counts(snapshot: Snapshot, filters: Filters) -> dict[str, pd.DataFrame]:
    """`option_counts` of every dimension, in one pass over the cells where the counts are exact
    (a restricted snapshot, see `exact_facets`). A public snapshot's counts are perturbed per
    piece of each selection, so each dimension is counted on its own there."""
    exact = exact_facets(snapshot, filters)
    if exact is None:
        return {dim: option_counts(snapshot, filters, dim) for dim in DIMENSIONS}
    return {dim: _options_table(snapshot, dim, counts) for dim, counts in exact.items()}


def exact_facets(snapshot: Snapshot, filters: Filters) -> dict[str, np.ndarray] | None:
    """Every dimension's facet counts as arrays (one count per category, in the snapshot's
    order), in one pass over the cells: each dimension's filter is matched once, and each
    dimension's counts are the people of the cells every other filter takes in. The sidebar
    asks for all six on every rerun. None for a public snapshot, whose counts are perturbed."""
    cell = cells(snapshot)
    if cell.perturbation is not None:
        return None
    matched = {dim: cell.mask(Filters(**{dim: getattr(filters, dim)})) for dim in DIMENSIONS if getattr(filters, dim)}
    people = np.asarray(cell.size.people)[:, 0]
    out = {}
    for dim in DIMENSIONS:
        taken = np.ones(cell.n, dtype=bool)
        for other, mask in matched.items():
            if other != dim:
                taken &= mask
        codes = cell.codes[dim]
        taken &= codes >= 0
        n_codes = len(snapshot.categories(dim))
        counts = np.bincount(codes[taken], weights=people[taken], minlength=n_codes)[:n_codes]
        out[dim] = np.rint(counts).astype("int64")
    return out


def _options_table(snapshot: Snapshot, dimension: str, counts: np.ndarray) -> pd.DataFrame:
    codes = snapshot.categories(dimension)
    labels = snapshot.labels(dimension)
    return pd.DataFrame(
        {"code": codes, "label": [labels.get(code, str(code)) for code in codes], "people": counts.astype("int64")}
    )


PERSON_ORDERS = ("longest", "newest", "id")
"""How the person table can be ordered: longest in their current stage first, newest in it
first, or by pseudonymous id. Ties keep the snapshot's order, so every person has one place and
pages never overlap."""


def person_table(
    snapshot: Snapshot,
    filters: Filters,
    limit: int | None = None,
    stuck_days: int | None = None,
    *,
    offset: int = 0,
    order: str = "longest",
) -> pd.DataFrame:
    """Pseudonymous person rows (restricted snapshots only): who, where, which stage, how long.
    With `stuck_days`, only the people `stuck` counts at that threshold. Ordered by `order`
    (`PERSON_ORDERS`) over the whole selection; with `offset` and `limit`, one page of it: a
    page shows a screenful, not half a million rows, and finds it by reading everyone in that
    order (sorted once per snapshot) only as far as the page's end."""
    if order not in PERSON_ORDERS:
        raise ValueError(f"unknown order {order!r}: one of {PERSON_ORDERS}")
    cell = cells(snapshot)
    everyone = cell.person_rows(lambda snap: _person_rows(snap, snap.people))
    chosen = np.ones(len(everyone), dtype=bool) if filters.is_empty() else cell.mask(filters)[cell.person_cell]
    days = everyone["days_in_stage"].to_numpy()
    if stuck_days is not None:
        counted = np.isin(snapshot.people["stage"].astype(str).to_numpy(), stuck_stages(snapshot.stages))
        chosen &= counted & (days > stuck_days)
    ordered = _ordered(cell, everyone, order)
    page = ordered[chosen[ordered]] if limit is None else _first(ordered, chosen, offset + limit)
    return everyone.take(page[offset:]).reset_index(drop=True)


def _ordered(cell, everyone: pd.DataFrame, order: str) -> np.ndarray:
    """Everyone's rows in `order`: sorted once per snapshot and order (a million people are
    sorted once, not on every page), by a unique key per person, so the order is total."""

    def build(_snapshot) -> np.ndarray:
        n = len(everyone)
        position = np.arange(n, dtype=np.int64)
        if order == "id":
            key = np.empty(n, dtype=np.int64)
            key[np.argsort(everyone["person_id"].to_numpy(dtype=object), kind="stable")] = position
        else:
            days = everyone["days_in_stage"].to_numpy(dtype=float)
            days = -days if order == "longest" else days
            days[np.isnan(days)] = (np.nanmax(np.abs(days), initial=0) + 1) if n else 0  # no date: last
            key = days.astype(np.int64) * n + position
        return np.argsort(key, kind="stable").astype(np.int32 if n < 2**31 else np.int64)

    return cell.memo(("person_ordered", order), build)


def _first(ordered: np.ndarray, chosen: np.ndarray, n: int) -> np.ndarray:
    """The first `n` rows of `ordered` where `chosen` holds (all of them, where fewer do), read in
    growing stretches: a broad selection's first page is found in the first few thousand rows."""
    found, count, start, step = [], 0, 0, max(4 * n, 4096)
    while count < n and start < len(ordered):
        stretch = ordered[start : start + step]
        hits = stretch[chosen[stretch]]
        found.append(hits)
        count, start, step = count + len(hits), start + step, step * 2
    return np.concatenate(found)[:n] if found else ordered[:0]


def _person_rows(snapshot: Snapshot, people: pd.DataFrame) -> pd.DataFrame:
    """The rows of `person_table` for `people`. For everyone it is built once per snapshot: text
    columns are costly to build for a million people, taking rows from them is not."""
    as_of = pd.Timestamp(snapshot.as_of)
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "household_id": people["household_id"].to_numpy(),
            "cohort": _labels(snapshot, "cohort", people["cohort"]).to_numpy(),
            "sex": people["sex"].astype(str).to_numpy(),
            "age_band": people["age_band"].astype(str).to_numpy(),
            "unaccompanied": people["unaccompanied"].to_numpy(),
            "region": _labels(snapshot, "region", people["region"]).to_numpy(),
            "stage": _labels(snapshot, "stage", people["stage"]).to_numpy(),
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
            "stage_label": _labels(snapshot, "stage", rows["stage"]).to_numpy(),
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
