"""Who returned: arrivals per cohort, arrivals over time, the age–sex pyramid and the pivot."""

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
)
from charts.figure import Figure
from data_access.contract import AGE_BANDS
from data_access.programme import PIVOT_TITLES

GROUP_ORDER = ("child", "woman", "man")
GROUP_LABELS = {"child": "Children", "woman": "Women", "man": "Men"}
# Segment labels inside a stacked bar only where the segment is wide enough to hold one.
SEGMENT_LABEL_MIN_SHARE = 0.07


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _arrivals_template(
    cohort_ids: tuple[str, ...], cohort_names: tuple[tuple[str, str], ...], selectable: bool
) -> dict:
    rank = f"indexof({list(GROUP_ORDER)}, datum.group)"
    y = alt.Y(
        "cohort:N",
        sort=list(cohort_ids),
        title=None,
        axis=alt.Axis(labelExpr=label_expr(cohort_names)),
    )
    groups = [GROUP_LABELS[g] for g in GROUP_ORDER]
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                "sum(people):Q", stack="zero", title="People who returned", axis=alt.Axis(format=theme.COUNT_FORMAT)
            ),
            color=alt.Color(
                "group_label:N",
                title="Group",
                scale=alt.Scale(domain=groups, range=[theme.GROUP_COLOURS[g] for g in GROUP_ORDER]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("group_rank:Q"),
            tooltip=[
                alt.Tooltip("cohort_name:N", title="Cohort"),
                alt.Tooltip("arrival_label:N", title="Arrived"),
                alt.Tooltip("origin_name:N", title="Returned from"),
                alt.Tooltip("group_label:N", title="Group"),
                alt.Tooltip("people:Q", title="People", format=theme.COUNT_FORMAT),
            ],
        )
    )
    if selectable:
        bars = selectable_by("cohort", bars)
    segments = (
        alt.Chart()
        .transform_joinaggregate(cohort_total="sum(people)", groupby=["cohort"])
        .transform_joinaggregate(largest="max(cohort_total)")
        .transform_filter(f"datum.people > 0 && datum.people >= {SEGMENT_LABEL_MIN_SHARE} * datum.largest")
        .transform_stack(stack="people", groupby=["cohort"], sort=[alt.SortField("group_rank")], as_=["x0", "x1"])
        .transform_calculate(middle="(datum.x0 + datum.x1) / 2")
        .mark_text(baseline="middle")
        .encode(
            y=y,
            x=alt.X("middle:Q"),
            text=alt.Text("people:Q", format=theme.COUNT_FORMAT),
            color=alt.condition("datum.group === 'man'", alt.value("white"), alt.value("black")),
        )
    )
    totals = (
        alt.Chart()
        .mark_text(align="left", baseline="middle", dx=6, fontWeight="bold")
        .encode(y=y, x=alt.X("sum(people):Q"), text=alt.Text("sum(people):Q", format=theme.COUNT_FORMAT))
    )
    chart = (
        alt.layer(bars, segments, totals, headroom("people", 1.08, groupby=("cohort",)))
        .transform_calculate(group_rank=rank)
        .properties(width="container", height=alt.Step(46))
    )
    return freeze(chart)


def arrivals_chart(arrivals: pd.DataFrame, cohort_ids: list[str] | tuple[str, ...], selectable: bool = False) -> Figure:
    """Stacked bars of people per cohort (children, women, men), cohorts in reference order.

    With `selectable`, a click selects a cohort: the point selection `pick` on field `cohort`.
    """
    names = pairs(arrivals, "cohort", "cohort_name")
    template = _arrivals_template(tuple(cohort_ids), names, selectable)
    people = total(arrivals)
    children = total(arrivals.loc[arrivals["group"] == "child"])
    per_cohort = arrivals.groupby("cohort_name", sort=False)["people"].sum().reset_index()
    largest = top(per_cohort)
    if largest is None:
        return figure(template, arrivals, "No arrivals in this selection", "Bar chart: no arrivals.")
    cohorts = f"{len(names)} cohort{'' if len(names) == 1 else 's'}"
    title = f"{count(people)} people returned in {cohorts}; {percent(children / people)} were children"
    alt_text = (
        f"Stacked bar chart: people per cohort, split into children, women and men. "
        f"Largest: {largest['cohort_name']}, {count(largest['people'])} of {count(people)}. "
        f"Children: {count(children)} of {count(people)}."
    )
    return figure(template, arrivals, title, alt_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _timeline_template(origins: tuple[str, ...]) -> dict:
    per_cohort = ["cohort", "cohort_name", "arrival_date", "arrival_label", "origin_name"]
    x = alt.X(
        "arrival_date:T",
        title="Arrival date",
        scale=alt.Scale(type="utc", padding=24),
        axis=alt.Axis(format="%Y", tickCount="year"),
    )
    y = alt.Y("people:Q", title="People who returned", axis=alt.Axis(format=theme.COUNT_FORMAT))
    base = alt.Chart().transform_aggregate(people="sum(people)", groupby=per_cohort)
    origin = alt.Scale(domain=list(origins), range=theme.category_colours(len(origins)))
    stems = base.mark_rule(strokeWidth=2, color=theme.GREY).encode(x=x, y=y, y2=alt.datum(0))
    points = base.mark_point(filled=True, size=220, opacity=1).encode(
        x=x,
        y=y,
        color=alt.Color("origin_name:N", title="Returned from", scale=origin),
        shape=alt.Shape(
            "origin_name:N",
            title="Returned from",
            scale=alt.Scale(domain=list(origins), range=list(theme.POINT_SHAPES[: len(origins)])),
        ),
        tooltip=[
            alt.Tooltip("cohort_name:N", title="Cohort"),
            alt.Tooltip("arrival_label:N", title="Arrived"),
            alt.Tooltip("origin_name:N", title="Returned from"),
            alt.Tooltip("people:Q", title="People", format=theme.COUNT_FORMAT),
        ],
    )

    def labels(latest: bool) -> alt.Chart:
        # The latest cohort's label goes to the left of its point, away from the plot's edge.
        return (
            base.transform_joinaggregate(last="max(arrival_date)")
            .transform_filter(f"{'' if latest else '!'}(time(datum.arrival_date) >= time(datum.last))")
            .transform_calculate(label="datum.cohort_name + ' (' + format(datum.people, ',') + ')'")
            .mark_text(align="right" if latest else "left", baseline="middle", dx=-12 if latest else 12)
            .encode(x=x, y=y, text=alt.Text("label:N"))
        )

    chart = alt.layer(stems, points, labels(False), labels(True)).properties(width="container", height=360)
    return freeze(chart)


def arrivals_timeline_chart(arrivals: pd.DataFrame) -> Figure:
    """One lollipop per cohort: when it arrived and how many people it brought home."""
    origins = tuple(dict.fromkeys(str(o) for o in arrivals["origin_name"]))
    template = _timeline_template(origins)
    per_cohort = arrivals.groupby(["cohort_name", "arrival_date"], sort=False)["people"].sum().reset_index()
    largest = top(per_cohort)
    if largest is None:
        return figure(template, arrivals, "No arrivals in this selection", "Timeline: no arrivals.")
    people = total(per_cohort)
    by_year = per_cohort.groupby(per_cohort["arrival_date"].dt.year)["people"].sum()
    year = int(by_year.idxmax())
    title = (
        f"Most returns came in {year}: {count(by_year.max())} of {count(people)} people"
        if len(by_year) > 1
        else f"{count(people)} people returned in {year}"
    )
    alt_text = (
        f"Timeline: people per cohort by arrival date, {len(per_cohort)} cohorts. "
        f"Largest: {largest['cohort_name']}, {count(largest['people'])} people, "
        f"arrived {largest['arrival_date']:%-d %B %Y}."
    )
    return figure(template, arrivals, title, alt_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _pyramid_template() -> dict:
    y = alt.Y("age_band:O", sort=list(reversed(AGE_BANDS)), title="Age at return (years)")
    x = alt.X(
        "signed:Q",
        title="People (female to the left, male to the right)",
        axis=alt.Axis(labelExpr="format(abs(datum.value), ',')"),
    )
    sexes = list(theme.SEX_COLOURS)
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "sex:N",
                title="Sex",
                scale=alt.Scale(domain=sexes, range=list(theme.SEX_COLOURS.values())),
                legend=alt.Legend(orient="top", labelExpr=label_expr(theme.SEX_LABELS.items())),
            ),
            tooltip=[
                alt.Tooltip("age_band:O", title="Age band"),
                alt.Tooltip("sex_label:N", title="Sex"),
                alt.Tooltip("people:Q", title="People", format=theme.COUNT_FORMAT),
            ],
        )
    )

    def labels(sex: str, align: str, dx: int) -> alt.Chart:
        return (
            alt.Chart()
            .transform_filter(f"datum.sex === '{sex}'")
            .mark_text(align=align, baseline="middle", dx=dx)
            .encode(y=y, x=x, text=alt.Text("people:Q", format=theme.COUNT_FORMAT))
        )

    # Both sides reach the same length, with room for the labels, so the halves compare by eye.
    symmetric = (
        alt.Chart()
        .transform_aggregate(longest="max(people)")
        .transform_calculate(left="-1.15 * datum.longest", right="1.15 * datum.longest")
        .mark_rule(opacity=0)
        .encode(x=alt.X("left:Q"), x2=alt.X2("right:Q"))
    )
    chart = (
        alt.layer(bars, labels("female", "right", -6), labels("male", "left", 6), symmetric)
        .transform_calculate(
            signed="datum.sex === 'female' ? -datum.people : datum.people",
            sex_label=f"datum.sex === 'female' ? '{theme.SEX_LABELS['female']}' : '{theme.SEX_LABELS['male']}'",
        )
        .properties(width="container", height=alt.Step(48))
    )
    return freeze(chart)


def pyramid_chart(pyramid: pd.DataFrame) -> Figure:
    """Age–sex pyramid: age bands at return, youngest at the bottom, female left, male right."""
    template = _pyramid_template()
    people = total(pyramid)
    if not people:
        return figure(template, pyramid, "No people in this selection", "Age–sex pyramid: no people.")
    by_band = pyramid.groupby("age_band", sort=False)["people"].sum().reset_index()
    largest_band = top(by_band)
    largest = top(pyramid)
    under_18 = total(pyramid.loc[pyramid["age_band"].isin(AGE_BANDS[:3])])
    title = (
        f"{percent(under_18 / people)} were under 18 at return; "
        f"the largest age band is {largest_band['age_band']} years"
    )
    alt_text = (
        f"Age–sex pyramid: people by age band at return and sex. "
        f"Largest: {theme.SEX_LABELS.get(largest['sex'], largest['sex']).lower()}, "
        f"{largest['age_band']} years, {count(largest['people'])} of {count(people)}. "
        f"Under 18: {count(under_18)}."
    )
    return figure(template, pyramid, title, alt_text)


def _dimension_colours(dimension: str, codes: tuple) -> list[str]:
    """Colours for a pivot's second dimension, matching the stable cohort and stage scales:
    `counts_by` lists every category in reference-table order, so position gives the colour."""
    if dimension == "group":
        return [theme.GROUP_COLOURS.get(str(c), theme.GREY) for c in codes]
    if dimension == "sex":
        return [theme.SEX_COLOURS.get(str(c), theme.GREY) for c in codes]
    if dimension == "stage":
        return theme.stage_colours(len(codes))
    return theme.category_colours(len(codes))


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _pivot_template(dimensions: tuple[str, ...], colour_pairs: tuple[tuple[str, str], ...]) -> dict:
    first = dimensions[0]
    y = alt.Y(f"{first}_label:N", sort=None, title=PIVOT_TITLES.get(first, first))
    x = alt.X("people:Q", title="People", axis=alt.Axis(format=theme.COUNT_FORMAT))
    tooltip = [alt.Tooltip(f"{d}_label:N", title=PIVOT_TITLES.get(d, d)) for d in dimensions]
    tooltip.append(alt.Tooltip("people:Q", title="People", format=theme.COUNT_FORMAT))
    bars = alt.Chart().mark_bar().encode(y=y, x=x, tooltip=tooltip)
    text = (
        alt.Chart()
        .transform_calculate(label=shown("people"), label_at=at("people"))
        .mark_text(align="left", baseline="middle", dx=5)
        .encode(y=y, x=alt.X("label_at:Q"), text=alt.Text("label:N"))
    )
    if len(dimensions) == 1:
        bars = bars.encode(color=alt.value(theme.BLUE))
        height = alt.Step(36)
    else:
        second = dimensions[1]
        labels = [label for _, label in colour_pairs]
        colour = alt.Color(
            f"{second}_label:N",
            title=PIVOT_TITLES.get(second, second),
            scale=alt.Scale(domain=labels, range=_dimension_colours(second, tuple(c for c, _ in colour_pairs))),
        )
        offset = alt.YOffset(f"{second}_label:N", sort=labels)
        bars = bars.encode(color=colour, yOffset=offset)
        text = text.encode(yOffset=offset)
        height = alt.Step(22, **{"for": "offset"})
    return freeze(alt.layer(bars, text, headroom("people", 1.12)).properties(width="container", height=height))


def pivot_chart(counts: pd.DataFrame, dimensions: list[str] | tuple[str, ...]) -> Figure:
    """Bars of people by one dimension, or grouped bars by two (second one = colour).

    `counts` is `counts_by(snapshot, filters, dimensions)`: columns `<dim>`, `<dim>_label`, `people`.
    """
    dimensions = tuple(dict.fromkeys(dimensions))
    colour_pairs = pairs(counts, dimensions[1], f"{dimensions[1]}_label") if len(dimensions) == 2 else ()
    template = _pivot_template(dimensions, colour_pairs)
    words = " and ".join(PIVOT_TITLES.get(d, d).lower() for d in dimensions)
    people = total(counts)
    largest = top(counts)
    if largest is None:
        return figure(template, counts, f"People by {words}: nobody in this selection", "Bar chart: no people.")
    cell = ", ".join(str(largest[f"{d}_label"]) for d in dimensions)
    title = f"People by {words}: the largest group is {cell} ({count(largest['people'])} of {count(people)})"
    kind = "Bar chart" if len(dimensions) == 1 else "Grouped bar chart"
    alt_text = f"{kind}: people by {words}. Largest: {cell}, {count(largest['people'])} of {count(people)}."
    return figure(template, counts, title, alt_text)


def unaccompanied_chart(unaccompanied_children: pd.DataFrame) -> Figure:
    """Children per cohort, unaccompanied or with a parent: grouped bars, as the pivot draws them.

    `unaccompanied_children` has the columns of `counts_by(..., ["cohort", "unaccompanied"])`.
    """
    dimensions = ("cohort", "unaccompanied")
    template = _pivot_template(dimensions, pairs(unaccompanied_children, "unaccompanied", "unaccompanied_label"))
    children = total(unaccompanied_children)
    if not children:
        return figure(template, unaccompanied_children, "No children in this selection", "Bar chart: no children.")
    alone = unaccompanied_children.loc[unaccompanied_children["unaccompanied"].astype(bool)]
    unaccompanied = total(alone)
    per_cohort = alone.groupby("cohort_label", sort=False)["people"].sum().reset_index()
    most = top(per_cohort)
    title = f"{count(unaccompanied)} of {count(children)} children returned without a parent"
    alt_text = (
        f"Grouped bar chart: children per cohort, unaccompanied or with a parent. "
        f"Unaccompanied: {count(unaccompanied)} of {count(children)}"
        + (f"; most in {most['cohort_label']}, {count(most['people'])}." if most is not None else ".")
    )
    return figure(template, unaccompanied_children, title, alt_text)
