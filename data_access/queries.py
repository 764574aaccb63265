"""Queries: snapshot + filters -> a small tidy table, one row per mark a chart will draw.

Pure functions over the tables `load_snapshot` prepared (pandas with categoricals, derived
columns computed at load). Every count column is called `people` (or `sessions`), so one
disclosure step can treat them all alike. Labels travel with the codes so pages and charts never
look anything up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access import contract as c
from data_access.filters import DIMENSIONS, Filters
from data_access.snapshot import ORIGIN_NAMES, Snapshot

# Columns of `people` behind each filter dimension.
COLUMN = {
    "cohort": "cohort",
    "region": "region",
    "stage": "stage",
    "sex": "sex",
    "age_band": "age_band",
    "origin": "origin",
}
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


def select(snapshot: Snapshot, filters: Filters) -> np.ndarray:
    """Boolean mask over `snapshot.people` for the selection."""
    people = snapshot.people
    mask = np.ones(len(people), dtype=bool)
    for dim in DIMENSIONS:
        values = getattr(filters, dim)
        if values:
            mask &= people[COLUMN[dim]].isin(values).to_numpy()
    return mask


def base_n(snapshot: Snapshot, filters: Filters) -> int:
    return int(select(snapshot, filters).sum())


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
        people = _selected(snap, filters)
        rehab = snap.stages.loc[snap.stages["track"] == "rehabilitation", "stage_id"]
        group = people["group"]
        return {
            "people": len(people),
            "women": int((group == "woman").sum()),
            "men": int((group == "man").sum()),
            "children": int((group == "child").sum()),
            "unaccompanied": int((people["unaccompanied"] & (group == "child")).sum()),
            "justice_track": int(people["justice"].sum()),
            "active_support": int(people["stage"].isin(rehab).sum()),
            "case_closed": int((people["stage"] == c.STAGE_CLOSED).sum()),
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
    people = _selected(snapshot, filters)
    counts = people.groupby(["cohort", "group"], observed=False).size().rename("people").reset_index()
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
    people = _selected(snapshot, filters)
    children = people.loc[people["group"] == "child"]
    out = children.groupby(["cohort", "unaccompanied"], observed=False).size().rename("people").reset_index()
    out = out.loc[out.groupby("cohort", observed=False)["people"].transform("sum").to_numpy() > 0]
    out["cohort"] = out["cohort"].astype(str)
    out["cohort_label"] = out["cohort"].map(snapshot.labels("cohort"))
    out["unaccompanied_label"] = np.where(out["unaccompanied"], "Unaccompanied", "With a parent")
    return out[["cohort", "cohort_label", "unaccompanied", "unaccompanied_label", "people"]].reset_index(drop=True)


def age_sex_pyramid(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by age band at return and sex; every band and sex present, zeros included."""
    people = _selected(snapshot, filters)
    out = people.groupby(["age_band", "sex"], observed=False).size().rename("people").reset_index()
    return out.astype({"age_band": str, "sex": str})


def stage_distribution(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by current stage, every stage in programme order, with the share of the base."""
    people = _selected(snapshot, filters)
    counts = people["stage"].value_counts(sort=False).rename("people").reset_index()
    counts["stage"] = counts["stage"].astype(str)
    out = _stage_meta(snapshot).merge(counts, on="stage", how="left").fillna({"people": 0})
    out["people"] = out["people"].astype("int64")
    out["share"] = out["people"] / len(people) if len(people) else 0.0
    return out[["stage", "stage_label", "order", "track", "people", "share"]]


def stage_reached(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """The funnel: people who have ever entered each stage (as of the snapshot), in order."""
    mask = select(snapshot, filters)
    events = snapshot.events
    chosen = events.loc[mask[events["person"].to_numpy()], ["person", "stage"]].drop_duplicates()
    counts = chosen["stage"].value_counts(sort=False).rename("people").reset_index()
    counts["stage"] = counts["stage"].astype(str)
    out = _stage_meta(snapshot).merge(counts, on="stage", how="left").fillna({"people": 0})
    out["people"] = out["people"].astype("int64")
    base = int(mask.sum())
    out["share"] = out["people"] / base if base else 0.0
    return out[["stage", "stage_label", "order", "track", "people", "share"]]


def stage_occupancy(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People in each stage at the end of every month, from the first arrival to the as-of date.

    Computed from entries and exits per month (a running balance), so it costs one pass over
    the events whatever the number of months.
    """
    mask = select(snapshot, filters)
    events = snapshot.events
    chosen = mask[events["person"].to_numpy()]
    stage = events["stage"].cat.codes.to_numpy()[chosen].astype(np.int64)
    entered = events["entered_month"].to_numpy()[chosen].astype(np.int64)
    exited = events["exited_month"].to_numpy()[chosen].astype(np.int64)
    as_of_month = int(np.datetime64(snapshot.as_of, "M").astype("int64"))
    first = int(snapshot.people["arrival_date"].min().to_datetime64().astype("datetime64[M]").astype("int64"))
    n_months = as_of_month - first + 1
    n_stages = len(snapshot.stages)
    exits = exited >= 0
    # A stage left in month m no longer counts at the end of month m.
    entries = np.bincount((np.clip(entered, first, None) - first) * n_stages + stage, minlength=n_months * n_stages)
    leaves = np.bincount((exited[exits] - first) * n_stages + stage[exits], minlength=n_months * n_stages)
    balance = np.cumsum((entries - leaves)[: n_months * n_stages].reshape(n_months, n_stages), axis=0)
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
    people = _selected(snapshot, filters)
    as_of = pd.Timestamp(snapshot.as_of)
    names = dict(zip(snapshot.cohorts["cohort_id"], snapshot.cohorts["name"], strict=True))
    rows = []
    for cohort, members in people.groupby("cohort", observed=True):
        arrival = members["arrival_date"].iloc[0]
        observed = int((as_of - arrival).days // DAYS_PER_MONTH)
        grid = np.arange(0, observed + 1, step_months)
        for stage, column, label in MILESTONES:
            days = (members[column] - members["arrival_date"]).dt.days.to_numpy(dtype=float)
            months = np.floor(days[~np.isnan(days)] / DAYS_PER_MONTH)
            reached = np.searchsorted(np.sort(months), grid, side="right")
            rows.append(
                pd.DataFrame(
                    {
                        "cohort": str(cohort),
                        "cohort_name": names[str(cohort)],
                        "milestone": stage,
                        "milestone_label": label,
                        "months": grid,
                        "reached": reached,
                        "base": len(members),
                        "share": reached / len(members),
                    }
                )
            )
    if not rows:
        return pd.DataFrame(
            columns=[
                "cohort",
                "cohort_name",
                "milestone",
                "milestone_label",
                "months",
                "reached",
                "base",
                "share",
            ]
        )
    return pd.concat(rows, ignore_index=True)


def time_in_stage(snapshot: Snapshot, filters: Filters, threshold_days: int = 180) -> pd.DataFrame:
    """For each open stage (not closed or lost): people in it now, the median and 75th
    percentile of days since they entered it, and how many have been there over the threshold."""
    people = _selected(snapshot, filters)
    as_of = pd.Timestamp(snapshot.as_of)
    days = (as_of - people["stage_since"]).dt.days
    frame = pd.DataFrame({"stage": people["stage"].astype(str), "days": days})
    meta = _stage_meta(snapshot)
    meta = meta.loc[meta["track"] != "exit"]
    grouped = frame.groupby("stage")["days"]
    stats = pd.DataFrame(
        {
            "people": grouped.size(),
            "median_days": grouped.median(),
            "p75_days": grouped.quantile(0.75),
            "over_threshold": grouped.apply(lambda d: int((d > threshold_days).sum())),
        }
    ).reset_index()
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
    mask = select(snapshot, filters)
    scores = snapshot.assessments
    scores = scores.loc[mask[scores["person"].to_numpy()]]
    columns = ["period", "dimension", "dimension_label", "n", "median", "q1", "q3"]
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


def _service_rows(snapshot: Snapshot, filters: Filters) -> tuple[np.ndarray, ...]:
    """(person, month number, type code, sessions) of the selected people's service rows, as
    arrays: counting with bincount avoids copying a table that has tens of millions of rows."""
    services = snapshot.services
    person = services["person"].to_numpy()
    month = services["month_number"].to_numpy()
    kind = services["service_type"].cat.codes.to_numpy().astype(np.int64)
    sessions = services["sessions"].to_numpy()
    if filters.is_empty():
        return person, month, kind, sessions
    keep = select(snapshot, filters)[person]
    return person[keep], month[keep], kind[keep], sessions[keep]


def services_by_month(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Sessions delivered and people served, per month and service type (months with none left out)."""
    _, month, kind, sessions = _service_rows(snapshot, filters)
    n_types = len(c.SERVICE_TYPES)
    if len(month) == 0:
        return pd.DataFrame(
            {
                "month": pd.Series(dtype="datetime64[ms]"),
                "service_type": pd.Series(dtype=str),
                "sessions": pd.Series(dtype="int64"),
                "people": pd.Series(dtype="int64"),
            }
        )
    first = int(month.min())
    cell = (month.astype(np.int64) - first) * n_types + kind
    # One row per person, month and service type (the table's key), so rows count people.
    people = np.bincount(cell)
    total = np.bincount(cell, weights=sessions)
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
    services = snapshot.services
    since = int(np.datetime64(snapshot.as_of, "M").astype(np.int64)) - (months - 1)
    keep = services["month_number"].to_numpy() >= since
    person = services["person"].to_numpy()
    if not filters.is_empty():
        keep &= select(snapshot, filters)[person]
    person = person[keep].astype(np.int64)
    kind = services["service_type"].cat.codes.to_numpy()[keep].astype(np.int64)
    sessions = services["sessions"].to_numpy()[keep]
    n_types = len(c.SERVICE_TYPES)
    served = np.unique(person * n_types + kind) % n_types
    return pd.DataFrame(
        {
            "service_type": list(c.SERVICE_TYPES),
            "sessions": np.bincount(kind, weights=sessions, minlength=n_types).astype("int64"),
            "people": np.bincount(served, minlength=n_types).astype("int64"),
            "months": months,
        }
    )


def region_summary(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """One row per region: people placed there, how many reached school, training or work
    (and the share), and the median of people's latest composite score."""
    people = _selected(snapshot, filters)
    frame = pd.DataFrame(
        {
            "region": people["region"].astype(str),
            "reached": people["school_work_on"].notna(),
            "composite": people["latest_composite"],
        }
    )
    grouped = frame.groupby("region")
    stats = pd.DataFrame(
        {
            "people": grouped.size(),
            "reached_school_work": grouped["reached"].sum(),
            "median_composite": grouped["composite"].median(),
            "scored": grouped["composite"].count(),
        }
    ).reset_index()
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


def region_stage(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """People by placement region and current stage, every combination, zeros included."""
    people = _selected(snapshot, filters)
    counts = people.groupby(["region", "stage"], observed=False).size().rename("people").reset_index()
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
    people = _selected(snapshot, filters)
    keys = {dim: people[COLUMN.get(dim, dim)] for dim in dimensions}
    out = pd.DataFrame(keys).groupby(dimensions, observed=False).size().rename("people").reset_index()
    for dim in dimensions:
        out[dim] = out[dim].astype(str) if dim not in ("unaccompanied", "justice") else out[dim]
        out[f"{dim}_label"] = _labels(snapshot, dim, out[dim])
    return out


def option_counts(snapshot: Snapshot, filters: Filters, dimension: str) -> pd.DataFrame:
    """How many people each option of `dimension` would select, given the other filters
    (facet counts). Every option of the snapshot is listed, zeros included."""
    people = snapshot.people.loc[select(snapshot, filters.without(dimension))]
    column = people[COLUMN[dimension]]
    counts = column.value_counts(sort=False)
    codes = [str(code) for code in column.cat.categories]
    return pd.DataFrame(
        {
            "code": codes,
            "label": [snapshot.label(dimension, code) for code in codes],
            "people": [int(counts.get(code, 0)) for code in codes],
        }
    )


def person_table(snapshot: Snapshot, filters: Filters) -> pd.DataFrame:
    """Pseudonymous person rows (restricted access only): who, where, which stage, how long."""
    people = _selected(snapshot, filters)
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
