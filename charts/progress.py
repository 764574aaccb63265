"""Where people stand: current stage, stage reached, stages over time, milestones, waiting."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import theme
from charts._spec import (
    at,
    figure,
    freeze,
    headroom,
    label_expr,
    pairs,
    selectable_by,
    shown,
    shown_count,
    template,
    top,
    total,
    utc_time,
    vega_plural,
    whole,
)
from charts.figure import Figure
from i18n import N_, _, ngettext
from i18n import format as fmt

COUNT_AND_SHARE = (
    f"({shown('people')}) + (isValid(datum.share) && isFinite(datum.share)"
    " ? ' (' + format(datum.share, '.0%') + ')' : '')"
)
NOW_IN_STAGE = N_("People now in the stage")
REACHED_STAGE = N_("People who reached the stage")


@template
def _stage_bars_template(stage_ids: tuple[str, ...], selectable: bool, people_title: str) -> dict:
    y = alt.Y("stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=None)
    x = alt.X("people:Q", title=_(people_title), axis=alt.Axis(format=theme.COUNT_FORMAT))
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=x,
            color=alt.Color("stage:N", scale=theme.stage_scale(stage_ids), legend=None),
            tooltip=[
                alt.Tooltip("stage_label:N", title=_("Stage")),
                alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
                alt.Tooltip("share:Q", title=_("Share of the selection"), format=".0%"),
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
    template = _stage_bars_template(tuple(stage_ids), selectable, NOW_IN_STAGE)
    people = total(stage_distribution)
    largest = top(stage_distribution)
    if largest is None:
        return figure(template, stage_distribution, _("No people in this selection"), _("Bar chart: no people."))
    values = {"stage": largest["stage_label"], "part": fmt.count(largest["people"]), "total": fmt.count(people)}
    title = _("Most people are now in {stage}: {part} of {total} ({share})").format(
        **values, share=fmt.share(largest["people"], people)
    )
    alt_text = _("Bar chart: people by current stage. Largest: {stage}, {part} of {total}.").format(**values)
    return figure(template, stage_distribution, title, alt_text)


def funnel_chart(stage_reached: pd.DataFrame, stage_ids: list[str] | tuple[str, ...]) -> Figure:
    """People who reached at least each stage, in programme order.

    `stage_reached` has columns stage, stage_label, order, track, people, share (share of the
    selection that reached the stage).
    """
    template = _stage_bars_template(tuple(stage_ids), False, REACHED_STAGE)
    ordered = stage_reached.sort_values("order")
    reached = ordered.loc[pd.to_numeric(ordered["people"], errors="coerce") > 0]
    if reached.empty:
        return figure(template, stage_reached, _("No people in this selection"), _("Funnel: no people."))
    start = reached.iloc[0]
    rehabilitation = reached.loc[reached["track"] == "rehabilitation"]
    furthest = rehabilitation.iloc[-1] if len(rehabilitation) else reached.iloc[-1]
    values = {"people": fmt.count(furthest["people"]), "stage": furthest["stage_label"]}
    if pd.isna(furthest["share"]):
        since = ngettext("{people} has reached {stage}", "{people} have reached {stage}", int(furthest["people"]))
        since = since.format(**values)
    else:
        since = ngettext(
            "{people} ({share}) has reached {stage}", "{people} ({share}) have reached {stage}", int(furthest["people"])
        ).format(**values, share=fmt.percent(furthest["share"]))
    title = ngettext(
        "{people} person reached {stage}; {furthest}",
        "{people} people reached {stage}; {furthest}",
        int(start["people"]),
    ).format(people=fmt.count(start["people"]), stage=start["stage_label"], furthest=since)
    alt_text = _("Funnel bar chart: people who reached each stage, in programme order. {stages}.").format(
        stages="; ".join(f"{row['stage_label']} {shown_count(row)}" for row in ordered.to_dict("records"))
    )
    return figure(template, stage_reached, title, alt_text)


@template
def _occupancy_template(stage_ids: tuple[str, ...], stage_labels: tuple[tuple[str, str], ...]) -> dict:
    x = alt.X("month:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%Y", tickCount="year"))
    y = alt.Y(
        "people:Q",
        stack="zero",
        title=_("People in the stage at month end"),
        axis=alt.Axis(format=theme.COUNT_FORMAT),
    )
    colour = alt.Color(
        "stage:N",
        title=_("Stage"),
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
                utc_time("month:T", _("Month end of")),
                alt.Tooltip("stage_label:N", title=_("Stage")),
                alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
            ],
        )
    )
    return freeze(alt.layer(areas, hover).properties(width="container", height=380))


def occupancy_chart(stage_occupancy: pd.DataFrame, stage_ids: list[str] | tuple[str, ...]) -> Figure:
    """Stacked areas: people in each stage at the end of every month, stages in programme order."""
    template = _occupancy_template(tuple(stage_ids), pairs(stage_occupancy, "stage", "stage_label"))
    if stage_occupancy.empty:
        return figure(template, stage_occupancy, _("No people in this selection"), _("Area chart: no people."))
    last_month = stage_occupancy["month"].max()
    now = stage_occupancy.loc[stage_occupancy["month"] == last_month]
    largest = top(now)
    peak = stage_occupancy.groupby("month")["people"].sum()
    if largest is None:
        return figure(template, stage_occupancy, _("No people in any stage"), _("Area chart: no people."))
    values = {
        "month": fmt.month(last_month),
        "stage": largest["stage_label"],
        "part": fmt.count(largest["people"]),
        "total": fmt.count(total(now)),
    }
    title = ngettext(
        "By {month}, {stage} is the largest stage: {part} of {total} person",
        "By {month}, {stage} is the largest stage: {part} of {total} people",
        int(total(now)),
    ).format(**values)
    alt_text = _(
        "Stacked area chart: people in each stage at the end of every month, {start} to {month}. "
        "In {month} the largest is {stage}, {part} of {total}. Most people in stages at once: {peak}, "
        "in {peak_month}."
    ).format(
        **values,
        start=fmt.month(stage_occupancy["month"].min()),
        peak=fmt.count(peak.max()),
        peak_month=fmt.month(peak.idxmax()),
    )
    return figure(template, stage_occupancy, title, alt_text)


@template
def _milestone_template(cohort_ids: tuple[str, ...], cohort_names: tuple[tuple[str, str], ...]) -> dict:
    present = [code for code, _ in cohort_names]
    legend = alt.Legend(labelExpr=label_expr(cohort_names), values=present, symbolStrokeWidth=3)
    chart = (
        alt.Chart()
        .mark_line(interpolate="step-after", strokeWidth=3)
        .encode(
            x=alt.X("months:Q", title=_("Months since arrival"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "share:Q",
                title=_("Share of the cohort"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".0%"),
            ),
            color=alt.Color("cohort:N", title=_("Cohort"), scale=theme.cohort_scale(cohort_ids), legend=legend),
            strokeDash=alt.StrokeDash(
                "cohort:N", title=_("Cohort"), scale=theme.cohort_dash_scale(cohort_ids), legend=legend
            ),
            column=alt.Column("milestone_label:N", title=None, sort=alt.EncodingSortField("milestone", op="min")),
            tooltip=[
                alt.Tooltip("cohort_name:N", title=_("Cohort")),
                alt.Tooltip("milestone_label:N", title=_("Milestone")),
                alt.Tooltip("months:Q", title=_("Months since arrival")),
                alt.Tooltip("reached:Q", title=_("Reached"), format=theme.COUNT_FORMAT),
                alt.Tooltip("base:Q", title=_("Cohort size"), format=theme.COUNT_FORMAT),
                alt.Tooltip("share:Q", title=_("Share"), format=".0%"),
            ],
        )
        .properties(width=420, height=300)
    )
    return freeze(chart, autosize=None)


def milestone_chart(time_to_milestone: pd.DataFrame, cohort_ids: list[str] | tuple[str, ...]) -> Figure:
    """Per milestone, one step line per cohort: the share that reached it N months after arrival."""
    template = _milestone_template(tuple(cohort_ids), pairs(time_to_milestone, "cohort", "cohort_name"))
    if time_to_milestone.empty:
        return figure(template, time_to_milestone, _("No cohorts in this selection"), _("Line chart: no cohorts."))
    horizon = int(min(12, time_to_milestone["months"].max()))
    at = time_to_milestone.loc[time_to_milestone["months"] == horizon]
    pooled = at.groupby("milestone_label", sort=False)[["reached", "base"]].sum()
    shares = ", ".join(
        f"{label} {fmt.share(row.reached, row.base) if row.base > 0 else fmt.MISSING}"
        for label, row in pooled.iterrows()
    )
    title = ngettext(
        "Within {months} month of arrival: {shares}", "Within {months} months of arrival: {shares}", horizon
    ).format(months=fmt.count(horizon), shares=shares)
    alt_text = ngettext(
        "Line charts, one per milestone, one line per cohort: share of the cohort that reached the milestone by "
        "months since arrival. After {months} month, all cohorts together: {milestones}.",
        "Line charts, one per milestone, one line per cohort: share of the cohort that reached the milestone by "
        "months since arrival. After {months} months, all cohorts together: {milestones}.",
        horizon,
    ).format(
        months=fmt.count(horizon),
        milestones="; ".join(
            _("{milestone}, {reached} of {base}").format(
                milestone=label, reached=fmt.count(row.reached), base=fmt.count(row.base)
            )
            for label, row in pooled.iterrows()
        ),
    )
    return figure(template, time_to_milestone, title, alt_text)


@template
def _time_in_stage_template() -> dict:
    y = alt.Y("stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=None)
    days = alt.Axis(format=theme.COUNT_FORMAT)
    tooltip = [
        alt.Tooltip("stage_label:N", title=_("Stage")),
        alt.Tooltip("people:Q", title=_("People in the stage"), format=theme.COUNT_FORMAT),
        alt.Tooltip("median_days:Q", title=_("Median days"), format=",.0f"),
        alt.Tooltip("p75_days:Q", title=_("75th percentile, days"), format=",.0f"),
        alt.Tooltip("stuck:Q", title=_("Stuck (over the threshold, where that counts)"), format=theme.COUNT_FORMAT),
        alt.Tooltip("threshold_days:Q", title=_("Threshold, days")),
    ]
    bars = (
        alt.Chart()
        .mark_bar(color=theme.SKY_BLUE)
        .encode(
            y=y,
            x=alt.X("median_days:Q", title=_("Days in current stage (bar: median, tick: 75th percentile)"), axis=days),
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
            label="datum.counts_as_stuck ? ("
            + vega_plural(
                lambda n: ngettext("{over} of {people} over {days} day", "{over} of {people} over {days} days", n),
                "datum.threshold_days",
                over=shown("stuck"),
                people=shown("people"),
                days="format(datum.threshold_days, ',')",
            )
            + ") : ("
            + vega_plural(
                lambda n: ngettext("{people} person, not counted as stuck", "{people} people, not counted as stuck", n),
                "datum.people",
                people=shown("people"),
            )
            + ")",
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
    labelled with how many are stuck (there longer than the threshold) where a long stay counts
    as stuck, and as not counted where it is expected (`counts_as_stuck`)."""
    template = _time_in_stage_template()
    occupied = time_in_stage.loc[pd.to_numeric(time_in_stage["people"], errors="coerce") > 0]
    if occupied.empty:
        return figure(
            template, time_in_stage, _("Nobody is in an open stage"), _("Bar chart: no people in open stages.")
        )
    threshold = int(time_in_stage["threshold_days"].iloc[0])
    counted = occupied.loc[occupied["counts_as_stuck"].astype(bool)]
    expected = occupied.loc[~occupied["counts_as_stuck"].astype(bool)]
    stuck = total(counted, "stuck")
    people = total(counted)
    longest = occupied.iloc[int(pd.to_numeric(occupied["median_days"]).fillna(-1).to_numpy().argmax())]
    most_stuck = top(counted, "stuck")
    values = {"stuck": fmt.count(stuck), "people": fmt.count(people), "days": fmt.count(threshold)}
    if counted.empty:
        title = _("Nobody is in a stage where a long stay counts as stuck")
    else:
        title = ngettext(
            "{stuck} of {people} person in stages where a long stay counts as stuck has been there over {days}",
            "{stuck} of {people} people in stages where a long stay counts as stuck have been there over {days}",
            int(people),
        ).format(stuck=values["stuck"], people=values["people"], days=_days(threshold))
    median = pd.to_numeric(longest["median_days"])
    if pd.isna(median):
        longest_text = _("Longest median: no median to show.")
    else:
        longest_text = ngettext(
            "Longest median: {stage}, {median} day.", "Longest median: {stage}, {median} days.", round(median)
        ).format(stage=longest["stage_label"], median=whole(median))
    parts = [_("Bar chart: median days in each open stage, with the 75th percentile."), longest_text]
    if not counted.empty:
        if most_stuck is None:
            stuck_text = ngettext(
                "Stuck over {days} day: {stuck} of {people} in the stages where that counts.",
                "Stuck over {days} days: {stuck} of {people} in the stages where that counts.",
                threshold,
            ).format(**values)
        else:
            stuck_text = ngettext(
                "Stuck over {days} day: {stuck} of {people} in the stages where that counts, most in {stage} ({most}).",
                "Stuck over {days} days: {stuck} of {people} in the stages where that counts, most in {stage} "
                "({most}).",
                threshold,
            ).format(**values, stage=most_stuck["stage_label"], most=fmt.count(most_stuck["stuck"]))
        parts.append(stuck_text)
    if not expected.empty:
        parts.append(
            _("Not counted as stuck, because a long stay there is expected: {stages}.").format(
                stages=fmt.listing(expected["stage_label"].astype(str).tolist())
            )
        )
    return figure(template, time_in_stage, title, " ".join(parts))


def _days(n: int) -> str:
    return ngettext("{days} day", "{days} days", n).format(days=fmt.count(n))
