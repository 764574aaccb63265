"""Who returned: arrivals per cohort, arrivals over time, the age–sex pyramid and the pivot."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from charts import theme
from charts._spec import (
    SHOW_HIDDEN,
    at,
    beside,
    described,
    each,
    figure,
    freeze,
    headroom,
    label_expr,
    label_pixels,
    named,
    numbers,
    pairs,
    selectable_by,
    shown,
    sum_by,
    summed,
    template,
    top,
    vega_text,
)
from charts.figure import AXIS_TITLE_LINE, Figure, wrap
from data_access.columns import records
from data_access.contract import AGE_BANDS
from data_access.disclosure import withheld_count
from data_access.programme import PIVOT_TITLES
from i18n import N_, _, ngettext
from i18n import format as fmt

GROUP_ORDER = ("child", "woman", "man")
GROUP_LABELS = {"child": N_("Children"), "woman": N_("Women"), "man": N_("Men")}
"""As the queries name the groups (`group_label`): the colour scale matches on these words."""
# Segment labels inside a stacked bar only where the segment is wide enough to hold one.
SEGMENT_LABEL_MIN_SHARE = 0.07


@template
def _arrivals_template(
    cohort_ids: tuple[str, ...], cohort_names: tuple[tuple[str, str], ...], selectable: bool
) -> dict:
    rank = f"indexof({list(GROUP_ORDER)}, datum.group)"
    y = alt.Y(
        "cohort:N",
        sort=list(cohort_ids),
        title=_("Cohort"),
        axis=alt.Axis(title=None, labelExpr=label_expr(cohort_names)),
    )
    groups = [_(GROUP_LABELS[g]) for g in GROUP_ORDER]
    tooltip = [
        alt.Tooltip("cohort_name:N", title=_("Cohort")),
        alt.Tooltip("arrival_label:N", title=_("Arrived")),
        alt.Tooltip("origin_name:N", title=_("Returned from")),
        alt.Tooltip("group_label:N", title=_("Group")),
        alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
    ]
    bars = described(
        alt.Chart()
        .mark_bar(invalid=SHOW_HIDDEN)
        .encode(
            y=y,
            x=alt.X(
                "sum(people):Q",
                stack="zero",
                title=_("People who returned"),
                axis=alt.Axis(format=theme.COUNT_FORMAT),
            ),
            color=alt.Color(
                "group_label:N",
                title=_("Group"),
                scale=alt.Scale(domain=groups, range=[theme.GROUP_COLOURS[g] for g in GROUP_ORDER]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("group_rank:Q", title=_("Group")),
        ),
        tooltip,
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
        .mark_text(baseline="middle", aria=False)
        .encode(
            y=y,
            x=alt.X("middle:Q"),
            text=alt.Text("people:Q", format=theme.COUNT_FORMAT),
            color=alt.condition("datum.group === 'man'", alt.value("white"), alt.value("black")),
        )
    )
    totals = (
        summed(alt.Chart(), "people", ["cohort"])
        .mark_text(align="left", baseline="middle", dx=6, fontWeight="bold", limit=beside("people", 6), aria=False)
        .encode(y=y, x=alt.X("people:Q"), text=alt.Text("people_label:N"))
    )
    room = headroom("people", groupby=("cohort",))
    chart = (
        alt.layer(bars, segments, totals, room)
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
    per_cohort = sum_by(arrivals, "cohort_name")
    largest = top(per_cohort)
    if not largest:
        return figure(template, arrivals, _("No arrivals in this selection"), _("Bar chart: no arrivals."))
    # The selection's size as released, where the release gives it: the sum of perturbed parts,
    # some hidden, is neither the size every page states nor a whole to take a share of.
    people = int(arrivals.attrs.get("n", sum(per_cohort.values())))
    children = sum_by(arrivals, "group").get("child", 0)
    cohorts = ngettext("{n} cohort", "{n} cohorts", len(names)).format(n=fmt.count(len(names)))
    if withheld_count(arrivals):
        title = ngettext(
            "{people} person returned in {cohorts}", "{people} people returned in {cohorts}", people
        ).format(people=fmt.count(people), cohorts=cohorts)
    else:
        title = ngettext(
            "{people} person returned in {cohorts}; {share} were children",
            "{people} people returned in {cohorts}; {share} were children",
            people,
        ).format(people=fmt.count(people), cohorts=cohorts, share=fmt.share(min(children, people), people))
    if len(largest) == 1:
        alt_text = _(
            "Stacked bar chart: people per cohort, split into children, women and men. "
            "Largest: {cohort}, {part} of {total}. Children: {children} of {total}."
        )
    else:
        alt_text = _(
            "Stacked bar chart: people per cohort, split into children, women and men. "
            "Largest: {cohort}, {part} each of {total}. Children: {children} of {total}."
        )
    alt_text = alt_text.format(
        cohort=named(largest),
        part=fmt.count(per_cohort[largest[0]]),
        total=fmt.count(people),
        children=fmt.count(children),
    )
    return figure(template, arrivals, title, alt_text)


# The timeline's count labels go left of their dot past this far along the time axis (0 to 1),
# away from the plot's right edge.
LABEL_LEFT_FROM = 0.7


@template
def _timeline_template(origins: tuple[str, ...]) -> dict:
    """One row per cohort in arrival order, its dot at the arrival date, sized and labelled by
    the people it brought home. Rows keep every label clear of the others, however close two
    flights were (Jusan-2 and Jusan-3 landed three weeks apart)."""
    per_cohort = ["cohort", "cohort_name", "arrival_date", "arrival_label", "origin_name"]
    x = alt.X(
        "arrival_date:T",
        title=_("Arrival date"),
        scale=alt.Scale(type="utc", padding=24),
        axis=alt.Axis(format="%Y", tickCount="year"),
    )
    y = alt.Y(
        "cohort_name:N",
        sort=alt.EncodingSortField("arrival_date", op="min"),
        title=_("Cohort"),
        axis=alt.Axis(title=None, grid=True, labelOverlap=False),
    )
    base = (
        summed(alt.Chart(), "people", per_cohort)
        .transform_joinaggregate(first="min(arrival_date)", last="max(arrival_date)")
        .transform_calculate(
            along="(time(datum.arrival_date) - time(datum.first)) / max(time(datum.last) - time(datum.first), 1)"
        )
    )
    origin = alt.Scale(domain=list(origins), range=theme.category_colours(len(origins)))
    tooltip = [
        alt.Tooltip("cohort_name:N", title=_("Cohort")),
        alt.Tooltip("arrival_label:N", title=_("Arrived")),
        alt.Tooltip("origin_name:N", title=_("Returned from")),
        alt.Tooltip("people_label:N", title=_("People")),
    ]
    points = described(
        base.mark_point(filled=True, opacity=1).encode(
            x=x,
            y=y,
            size=alt.Size("people:Q", title=_("People"), scale=alt.Scale(range=[80, 700]), legend=None),
            color=alt.Color("origin_name:N", title=_("Returned from"), scale=origin),
            shape=alt.Shape(
                "origin_name:N",
                title=_("Returned from"),
                scale=alt.Scale(domain=list(origins), range=list(theme.POINT_SHAPES[: len(origins)])),
            ),
        ),
        tooltip,
    )

    def labels(left: bool) -> alt.Chart:
        return (
            base.transform_filter(f"{'' if left else '!'}(datum.along > {LABEL_LEFT_FROM})")
            .mark_text(align="right" if left else "left", baseline="middle", dx=-18 if left else 18, aria=False)
            .encode(x=x, y=y, text=alt.Text("people_label:N"))
        )

    chart = alt.layer(points, labels(False), labels(True)).properties(width="container", height=alt.Step(40))
    return freeze(chart)


def arrivals_timeline_chart(arrivals: pd.DataFrame) -> Figure:
    """One row per cohort: when it arrived and how many people it brought home."""
    origins = tuple(dict.fromkeys(str(o) for o in arrivals["origin_name"]))
    template = _timeline_template(origins)
    per_cohort = sum_by(arrivals, ("cohort_name", "arrival_date"))
    largest = top(per_cohort)
    if not largest:
        return figure(template, arrivals, _("No arrivals in this selection"), _("Timeline: no arrivals."))
    people = sum(per_cohort.values())
    by_year: dict[int, int] = {}
    for (_name, arrived), n in per_cohort.items():
        by_year[arrived.year] = by_year.get(arrived.year, 0) + n
    by_year = dict(sorted(by_year.items()))
    busiest = top(by_year)
    years = named(str(year) for year in busiest)
    if len(by_year) > 1 and len(busiest) == 1:
        title = ngettext(
            "Most returns came in {year}: {part} of {total} person",
            "Most returns came in {year}: {part} of {total} people",
            people,
        )
    elif len(by_year) > 1:
        title = ngettext(
            "Most returns came in {year}: {part} each of {total} person",
            "Most returns came in {year}: {part} each of {total} people",
            people,
        )
    else:
        title = ngettext("{people} person returned in {year}", "{people} people returned in {year}", people)
    title = title.format(
        year=years, part=fmt.count(by_year[busiest[0]]), total=fmt.count(people), people=fmt.count(people)
    )
    cohorts = ngettext(
        "Timeline: people per cohort by arrival date, {n} cohort.",
        "Timeline: people per cohort by arrival date, {n} cohorts.",
        len(per_cohort),
    ).format(n=fmt.count(len(per_cohort)))
    size = per_cohort[largest[0]]
    if len(largest) == 1:
        ((cohort, arrived),) = largest
        largest_text = ngettext(
            "Largest: {cohort}, {people} person, arrived {date}.",
            "Largest: {cohort}, {people} people, arrived {date}.",
            size,
        ).format(cohort=cohort, people=fmt.count(size), date=fmt.long_date(arrived))
    else:
        largest_text = ngettext(
            "Largest: {cohort}, {people} person each.", "Largest: {cohort}, {people} people each.", size
        ).format(cohort=named(cohort for cohort, _arrived in largest), people=fmt.count(size))
    return figure(template, arrivals, title, f"{cohorts} {largest_text}")


@template
def _pyramid_template() -> dict:
    sex_labels = {sex: _(label) for sex, label in theme.SEX_LABELS.items()}
    y = alt.Y("age_band:O", sort=list(reversed(AGE_BANDS)), title=_("Age at return (years)"))
    x = alt.X(
        "signed:Q",
        title=wrap(_("People (female to the left, male to the right)"), AXIS_TITLE_LINE),
        axis=alt.Axis(labelExpr="format(abs(datum.value), ',')"),
    )
    sexes = list(theme.SEX_COLOURS)
    bars = described(
        alt.Chart()
        .mark_bar(invalid=SHOW_HIDDEN)
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "sex:N",
                title=_("Sex"),
                scale=alt.Scale(domain=sexes, range=list(theme.SEX_COLOURS.values())),
                legend=alt.Legend(orient="top", labelExpr=label_expr(sex_labels.items())),
            ),
        ),
        [
            alt.Tooltip("age_band:O", title=_("Age band")),
            alt.Tooltip("sex_label:N", title=_("Sex")),
            alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
        ],
    )

    def labels(sex: str, align: str, dx: int) -> alt.Chart:
        # A hidden count ("<5" at the public level) is labelled with its released text at zero.
        return (
            alt.Chart()
            .transform_filter(f"datum.sex === '{sex}'")
            .transform_calculate(label=shown("people"), label_at="isValid(datum.people) ? datum.signed : 0")
            .mark_text(
                align=align, baseline="middle", dx=dx, limit=beside("label_at", dx, leftwards=dx < 0), aria=False
            )
            .encode(y=y, x=alt.X("label_at:Q"), text=alt.Text("label:N"))
        )

    # Both sides reach the same length, with room for the labels (see `headroom`), so the halves
    # compare by eye.
    label = f"({shown('people')})"
    half = "(width / 2)"
    symmetric = (
        alt.Chart()
        .transform_calculate(
            needs=f"(isValid(datum.people) ? datum.people : 0) * {half} "
            f"/ max({half} - {label_pixels(label)}, {half} / 3)"
        )
        .transform_aggregate(room="max(needs)")
        .transform_calculate(left="-datum.room", right="datum.room")
        .mark_rule(opacity=0, aria=False)
        .encode(x=alt.X("left:Q"), x2=alt.X2("right:Q"))
    )
    chart = (
        alt.layer(bars, labels("female", "right", -6), labels("male", "left", 6), symmetric)
        .transform_calculate(
            signed="datum.sex === 'female' ? -datum.people : datum.people",
            sex_label=f"datum.sex === 'female' ? {json.dumps(sex_labels['female'])} : {json.dumps(sex_labels['male'])}",
        )
        .properties(width="container", height=alt.Step(48))
    )
    return freeze(chart)


def pyramid_chart(pyramid: pd.DataFrame) -> Figure:
    """Age–sex pyramid: age bands at return, youngest at the bottom, female left, male right."""
    template = _pyramid_template()
    by_band = sum_by(pyramid, "age_band")
    people = sum(by_band.values())
    if not people:
        return figure(template, pyramid, _("No people in this selection"), _("Age–sex pyramid: no people."))
    largest_bands = top(by_band)
    by_cell = sum_by(pyramid, ("sex", "age_band"))
    largest = top(by_cell)
    under_18 = sum(n for band, n in by_band.items() if band in AGE_BANDS[:3])
    if len(largest_bands) == 1:
        title = _("{share} were under 18 at return; the largest age band is {band} years")
    else:
        title = _("{share} were under 18 at return; the largest age bands are {band} years")
    title = title.format(share=fmt.share(under_18, people), band=named(largest_bands))
    values = {"part": fmt.count(by_cell[largest[0]]), "total": fmt.count(people), "under_18": fmt.count(under_18)}
    if len(largest) == 1:
        ((sex, band),) = largest
        alt_text = _(
            "Age–sex pyramid: people by age band at return and sex. "
            "Largest: {sex}, {band} years, {part} of {total}. Under 18: {under_18}."
        ).format(sex=_sex(sex), band=band, **values)
    else:
        cells = named(_("{sex} aged {band}").format(sex=_sex(sex), band=band) for sex, band in largest)
        alt_text = _(
            "Age–sex pyramid: people by age band at return and sex. "
            "Largest, {part} each of {total}: {cells}. Under 18: {under_18}."
        ).format(cells=cells, **values)
    return figure(template, pyramid, title, alt_text)


def _sex(code: str) -> str:
    """A sex inside a sentence: "female"."""
    label = theme.SEX_LABELS.get(code)
    return _(label).lower() if label else str(code)


def _dimension(code: str) -> str:
    """A dimension of the pivot by its title, in this run's language."""
    return _(PIVOT_TITLES[code]) if code in PIVOT_TITLES else code


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


@template
def _pivot_template(dimensions: tuple[str, ...], colour_pairs: tuple[tuple[str, str], ...]) -> dict:
    """Bars by the first dimension; by two, grouped bars coloured by the second. A second
    dimension with more values than the palette has distinct colours (twenty regions) is not
    coloured: each bar is labelled with its value instead ("Aktobe: 12")."""
    first = dimensions[0]
    y = alt.Y(f"{first}_label:N", sort=None, title=_dimension(first))
    x = alt.X("people:Q", title=_("People"), axis=alt.Axis(format=theme.COUNT_FORMAT))
    tooltip = [alt.Tooltip(f"{d}_label:N", title=_dimension(d)) for d in dimensions]
    tooltip.append(alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT))
    bars = alt.Chart().mark_bar(invalid=SHOW_HIDDEN).encode(y=y, x=x)
    label = shown("people")
    if len(dimensions) == 1:
        bars = bars.encode(color=alt.value(theme.BLUE))
        height = alt.Step(36)
    else:
        second = dimensions[1]
        labels = [label for _, label in colour_pairs]
        colours = _dimension_colours(second, tuple(c for c, _ in colour_pairs))
        offset = alt.YOffset(f"{second}_label:N", title=_dimension(second), sort=labels)
        if len(set(colours)) == len(colours):
            colour = alt.Color(
                f"{second}_label:N", title=_dimension(second), scale=alt.Scale(domain=labels, range=colours)
            )
        else:
            colour = alt.value(theme.BLUE)
            label = vega_text(_("{value}: {people}"), value=f"datum[{json.dumps(second + '_label')}]", people=label)
        bars = bars.encode(color=colour, yOffset=offset)
        height = alt.Step(22, **{"for": "offset"})
    text = (
        alt.Chart()
        .transform_calculate(label=label, label_at=at("people"))
        .mark_text(align="left", baseline="middle", dx=5, limit=beside("label_at", 5), aria=False)
        .encode(y=y, x=alt.X("label_at:Q"), text=alt.Text("label:N"))
    )
    if len(dimensions) == 2:
        text = text.encode(yOffset=offset)
    chart = alt.layer(described(bars, tooltip), text, headroom(at("people"), f"({label})"))
    return freeze(chart.properties(width="container", height=height))


def pivot_chart(counts: pd.DataFrame, dimensions: list[str] | tuple[str, ...]) -> Figure:
    """Bars of people by one dimension, or grouped bars by two (second one = colour).

    `counts` is `counts_by(snapshot, filters, dimensions)`: columns `<dim>`, `<dim>_label`, `people`.
    """
    dimensions = tuple(dict.fromkeys(dimensions))
    colour_pairs = pairs(counts, dimensions[1], f"{dimensions[1]}_label") if len(dimensions) == 2 else ()
    template = _pivot_template(dimensions, colour_pairs)
    words = fmt.listing([_dimension(d).lower() for d in dimensions])
    people = numbers(counts)
    largest = top(dict(enumerate(people.tolist())))
    if not largest:
        return figure(
            template,
            counts,
            _("People by {dimensions}: nobody in this selection").format(dimensions=words),
            _("Bar chart: no people."),
        )
    rows = records(counts)
    rows = [rows[row] for row in largest]
    values = {"dimensions": words, "part": fmt.count(people[largest[0]]), "total": fmt.count(np.nansum(people))}
    if len(rows) == 1:
        cell = ", ".join(str(rows[0][f"{d}_label"]) for d in dimensions)
        title = _("People by {dimensions}: the largest group is {cell} ({part} of {total})")
        if len(dimensions) == 1:
            alt_text = _("Bar chart: people by {dimensions}. Largest: {cell}, {part} of {total}.")
        else:
            alt_text = _("Grouped bar chart: people by {dimensions}. Largest: {cell}, {part} of {total}.")
    else:
        cell = named(" · ".join(str(row[f"{d}_label"]) for d in dimensions) for row in rows)
        title = _("People by {dimensions}: the largest groups are {cell} ({part} each of {total})")
        if len(dimensions) == 1:
            alt_text = _("Bar chart: people by {dimensions}. Largest: {cell}, {part} each of {total}.")
        else:
            alt_text = _("Grouped bar chart: people by {dimensions}. Largest: {cell}, {part} each of {total}.")
    return figure(template, counts, title.format(cell=cell, **values), alt_text.format(cell=cell, **values))


def unaccompanied_chart(unaccompanied_children: pd.DataFrame) -> Figure:
    """Children per cohort, unaccompanied or with a parent: grouped bars, as the pivot draws them.

    `unaccompanied_children` has the columns of `counts_by(..., ["cohort", "unaccompanied"])`.
    """
    dimensions = ("cohort", "unaccompanied")
    template = _pivot_template(dimensions, pairs(unaccompanied_children, "unaccompanied", "unaccompanied_label"))
    per_cohort = sum_by(unaccompanied_children, ("cohort_label", "unaccompanied"))
    children = sum(per_cohort.values())
    if not children:
        return figure(
            template, unaccompanied_children, _("No children in this selection"), _("Bar chart: no children.")
        )
    alone = {cohort: n for (cohort, unaccompanied), n in per_cohort.items() if unaccompanied}
    unaccompanied = sum(alone.values())
    most = top(alone)
    values = {"part": fmt.count(unaccompanied), "total": fmt.count(children)}
    title = ngettext(
        "{part} of {total} child returned without a parent",
        "{part} of {total} children returned without a parent",
        children,
    ).format(**values)
    if not most:
        alt_text = _(
            "Grouped bar chart: children per cohort, unaccompanied or with a parent. Unaccompanied: {part} of {total}."
        )
    else:
        alt_text = _(
            "Grouped bar chart: children per cohort, unaccompanied or with a parent. "
            "Unaccompanied: {part} of {total}; most in {cohort}, {most}."
        )
        values |= {"cohort": named(most), "most": each(fmt.count(alone[most[0]]), len(most))}
    return figure(template, unaccompanied_children, title, alt_text.format(**values))
