"""Where people stand: current stage, stage reached, stages over time, milestones, waiting."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from charts import theme
from charts._spec import (
    TEMPLATE_CACHE_SIZE,
    at,
    count,
    figure,
    freeze,
    headroom,
    label_expr,
    pairs,
    percent,
    selectable_by,
    shown,
    top,
    total,
    utc_time,
)
from charts.figure import Figure

COUNT_AND_SHARE = (
    f"({shown('people')}) + (isValid(datum.share) && isFinite(datum.share)"
    " ? ' (' + format(datum.share, '.0%') + ')' : '')"
)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _stage_bars_template(stage_ids: tuple[str, ...], selectable: bool, people_title: str) -> dict:
    y = alt.Y("stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=None)
    x = alt.X("people:Q", title=people_title, axis=alt.Axis(format=theme.COUNT_FORMAT))
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=x,
            color=alt.Color("stage:N", scale=theme.stage_scale(stage_ids), legend=None),
            tooltip=[
                alt.Tooltip("stage_label:N", title="Stage"),
                alt.Tooltip("people:Q", title="People", format=theme.COUNT_FORMAT),
                alt.Tooltip("share:Q", title="Share of the selection", format=".0%"),
            ],
        )
    )
    if selectable:
        bars = selectable_by("stage", bars)
    labels = (
        alt.Chart()
        .transform_calculate(label=COUNT_AND_SHARE, label_at=at("people"))
        .mark_text(align="left", baseline="middle", dx=6)
        .encode(y=y, x=alt.X("label_at:Q"), text=alt.Text("label:N"))
    )
    return freeze(alt.layer(bars, labels, headroom("people", 1.2)).properties(width="container", height=alt.Step(40)))


def stage_chart(
    stage_distribution: pd.DataFrame, stage_ids: list[str] | tuple[str, ...], selectable: bool = False
) -> Figure:
    """People by current stage in programme order, labelled "274 (44%)".

    With `selectable`, a click selects a stage: the point selection `pick` on field `stage`.
    """
    template = _stage_bars_template(tuple(stage_ids), selectable, "People now in the stage")
    people = total(stage_distribution)
    largest = top(stage_distribution)
    if largest is None:
        return figure(template, stage_distribution, "No people in this selection", "Bar chart: no people.")
    share = largest["people"] / people
    title = (
        f"Most people are now in {largest['stage_label']}: "
        f"{count(largest['people'])} of {count(people)} ({percent(share)})"
    )
    alt_text = (
        f"Bar chart: people by current stage. "
        f"Largest: {largest['stage_label']}, {count(largest['people'])} of {count(people)}."
    )
    return figure(template, stage_distribution, title, alt_text)


def funnel_chart(stage_reached: pd.DataFrame, stage_ids: list[str] | tuple[str, ...]) -> Figure:
    """People who reached at least each stage, in programme order.

    `stage_reached` has columns stage, stage_label, order, track, people, share (share of the
    selection that reached the stage).
    """
    template = _stage_bars_template(tuple(stage_ids), False, "People who reached the stage")
    ordered = stage_reached.sort_values("order")
    reached = ordered.loc[pd.to_numeric(ordered["people"], errors="coerce") > 0]
    if reached.empty:
        return figure(template, stage_reached, "No people in this selection", "Funnel: no people.")
    start = reached.iloc[0]
    rehabilitation = reached.loc[reached["track"] == "rehabilitation"]
    furthest = rehabilitation.iloc[-1] if len(rehabilitation) else reached.iloc[-1]
    title = (
        f"{count(start['people'])} people reached {start['stage_label']}; "
        f"{count(furthest['people'])} ({percent(furthest['share'])}) have reached {furthest['stage_label']}"
    )
    alt_text = (
        "Funnel bar chart: people who reached each stage, in programme order. "
        + "; ".join(f"{row.stage_label} {count(row.people)}" for row in ordered.itertuples())
        + "."
    )
    return figure(template, stage_reached, title, alt_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _occupancy_template(stage_ids: tuple[str, ...], stage_labels: tuple[tuple[str, str], ...]) -> dict:
    x = alt.X("month:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%Y", tickCount="year"))
    y = alt.Y(
        "people:Q", stack="zero", title="People in the stage at month end", axis=alt.Axis(format=theme.COUNT_FORMAT)
    )
    colour = alt.Color(
        "stage:N",
        title="Stage",
        scale=theme.stage_scale(stage_ids),
        sort=list(stage_ids),
        legend=alt.Legend(labelExpr=label_expr(stage_labels), values=[code for code, _ in stage_labels]),
    )
    order = alt.Order("order:Q", sort="ascending")
    areas = alt.Chart().mark_area(interpolate="step-after").encode(x=x, y=y, color=colour, order=order)
    # Invisible points on the stacked positions carry the tooltips an area cannot.
    hover = (
        alt.Chart()
        .mark_point(opacity=0, size=260, filled=True)
        .encode(
            x=x,
            y=y,
            order=order,
            tooltip=[
                utc_time("month:T", "Month end of"),
                alt.Tooltip("stage_label:N", title="Stage"),
                alt.Tooltip("people:Q", title="People", format=theme.COUNT_FORMAT),
            ],
        )
    )
    return freeze(alt.layer(areas, hover).properties(width="container", height=380))


def occupancy_chart(stage_occupancy: pd.DataFrame, stage_ids: list[str] | tuple[str, ...]) -> Figure:
    """Stacked areas: people in each stage at the end of every month, stages in programme order."""
    template = _occupancy_template(tuple(stage_ids), pairs(stage_occupancy, "stage", "stage_label"))
    if stage_occupancy.empty:
        return figure(template, stage_occupancy, "No people in this selection", "Area chart: no people.")
    last_month = stage_occupancy["month"].max()
    now = stage_occupancy.loc[stage_occupancy["month"] == last_month]
    largest = top(now)
    peak = stage_occupancy.groupby("month")["people"].sum()
    if largest is None:
        return figure(template, stage_occupancy, "No people in any stage", "Area chart: no people.")
    title = (
        f"By {last_month:%B %Y}, {largest['stage_label']} is the largest stage: "
        f"{count(largest['people'])} of {count(total(now))} people"
    )
    alt_text = (
        f"Stacked area chart: people in each stage at the end of every month, "
        f"{stage_occupancy['month'].min():%B %Y} to {last_month:%B %Y}. "
        f"In {last_month:%B %Y} the largest is {largest['stage_label']}, {count(largest['people'])} "
        f"of {count(total(now))}. Most people in stages at once: {count(peak.max())}, "
        f"in {peak.idxmax():%B %Y}."
    )
    return figure(template, stage_occupancy, title, alt_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _milestone_template(cohort_ids: tuple[str, ...], cohort_names: tuple[tuple[str, str], ...]) -> dict:
    present = [code for code, _ in cohort_names]
    legend = alt.Legend(labelExpr=label_expr(cohort_names), values=present, symbolStrokeWidth=3)
    chart = (
        alt.Chart()
        .mark_line(interpolate="step-after", strokeWidth=3)
        .encode(
            x=alt.X("months:Q", title="Months since arrival", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "share:Q",
                title="Share of the cohort",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".0%"),
            ),
            color=alt.Color("cohort:N", title="Cohort", scale=theme.cohort_scale(cohort_ids), legend=legend),
            strokeDash=alt.StrokeDash(
                "cohort:N", title="Cohort", scale=theme.cohort_dash_scale(cohort_ids), legend=legend
            ),
            column=alt.Column("milestone_label:N", title=None, sort=alt.EncodingSortField("milestone", op="min")),
            tooltip=[
                alt.Tooltip("cohort_name:N", title="Cohort"),
                alt.Tooltip("milestone_label:N", title="Milestone"),
                alt.Tooltip("months:Q", title="Months since arrival"),
                alt.Tooltip("reached:Q", title="Reached", format=theme.COUNT_FORMAT),
                alt.Tooltip("base:Q", title="Cohort size", format=theme.COUNT_FORMAT),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(width=420, height=300)
    )
    return freeze(chart, autosize=None)


def milestone_chart(time_to_milestone: pd.DataFrame, cohort_ids: list[str] | tuple[str, ...]) -> Figure:
    """Per milestone, one step line per cohort: the share that reached it N months after arrival."""
    template = _milestone_template(tuple(cohort_ids), pairs(time_to_milestone, "cohort", "cohort_name"))
    if time_to_milestone.empty:
        return figure(template, time_to_milestone, "No cohorts in this selection", "Line chart: no cohorts.")
    horizon = int(min(12, time_to_milestone["months"].max()))
    at = time_to_milestone.loc[time_to_milestone["months"] == horizon]
    pooled = at.groupby("milestone_label", sort=False)[["reached", "base"]].sum()
    parts = [f"{label} {percent(row.reached / row.base)}" for label, row in pooled.iterrows()]
    title = f"Within {horizon} months of arrival: " + ", ".join(parts)
    alt_text = (
        f"Line charts, one per milestone, one line per cohort: share of the cohort that reached the "
        f"milestone by months since arrival. After {horizon} months, all cohorts together: "
        + "; ".join(f"{label}, {count(row.reached)} of {count(row.base)}" for label, row in pooled.iterrows())
        + "."
    )
    return figure(template, time_to_milestone, title, alt_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _time_in_stage_template() -> dict:
    y = alt.Y("stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=None)
    days = alt.Axis(format=theme.COUNT_FORMAT)
    tooltip = [
        alt.Tooltip("stage_label:N", title="Stage"),
        alt.Tooltip("people:Q", title="People in the stage", format=theme.COUNT_FORMAT),
        alt.Tooltip("median_days:Q", title="Median days", format=",.0f"),
        alt.Tooltip("p75_days:Q", title="75th percentile, days", format=",.0f"),
        alt.Tooltip("over_threshold:Q", title="Over the threshold", format=theme.COUNT_FORMAT),
        alt.Tooltip("threshold_days:Q", title="Threshold, days"),
    ]
    bars = (
        alt.Chart()
        .mark_bar(color=theme.SKY_BLUE)
        .encode(
            y=y,
            x=alt.X("median_days:Q", title="Days in current stage (bar: median, tick: 75th percentile)", axis=days),
            tooltip=tooltip,
        )
    )
    ticks = (
        alt.Chart()
        .mark_tick(color=theme.BLACK, thickness=4, size=30)
        .encode(y=y, x=alt.X("p75_days:Q"), tooltip=tooltip)
    )
    threshold = (
        alt.Chart()
        .transform_aggregate(threshold="max(threshold_days)")
        .mark_rule(strokeDash=[6, 4], color=theme.VERMILLION, strokeWidth=2)
        .encode(x=alt.X("threshold:Q"))
    )
    labels = (
        alt.Chart()
        .transform_calculate(
            right="max(datum.median_days, datum.p75_days)",
            label="format(datum.over_threshold, ',') + ' of ' + format(datum.people, ',')"
            " + ' over ' + datum.threshold_days + ' days'",
        )
        .mark_text(align="left", baseline="middle", dx=8)
        .encode(y=y, x=alt.X("right:Q"), text=alt.Text("label:N"))
    )
    chart = (
        alt.layer(bars, ticks, threshold, labels, headroom("p75_days", 1.5))
        .transform_filter("datum.people > 0")
        .properties(width="container", height=alt.Step(44))
    )
    return freeze(chart)


def time_in_stage_chart(time_in_stage: pd.DataFrame) -> Figure:
    """For each open stage with people in it: median and 75th percentile of days in the stage,
    labelled with how many have been there longer than the threshold."""
    template = _time_in_stage_template()
    occupied = time_in_stage.loc[pd.to_numeric(time_in_stage["people"], errors="coerce") > 0]
    if occupied.empty:
        return figure(template, time_in_stage, "Nobody is in an open stage", "Bar chart: no people in open stages.")
    threshold = int(time_in_stage["threshold_days"].iloc[0])
    over = total(occupied, "over_threshold")
    people = total(occupied)
    longest = occupied.iloc[int(pd.to_numeric(occupied["median_days"]).fillna(-1).to_numpy().argmax())]
    most_over = top(occupied, "over_threshold")
    title = f"{count(over)} of {count(people)} people in open stages have been there over {threshold} days"
    alt_text = (
        f"Bar chart: median days in each open stage, with the 75th percentile. "
        f"Longest median: {longest['stage_label']}, {count(longest['median_days'])} days. "
        f"Over {threshold} days: {count(over)} of {count(people)}"
    )
    if most_over is not None:
        alt_text += f", most in {most_over['stage_label']} ({count(most_over['over_threshold'])})"
    alt_text += "."
    return figure(template, time_in_stage, title, alt_text)
