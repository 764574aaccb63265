"""How regions compare: a tile-grid map and a region × stage heatmap."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from charts import theme
from charts._spec import (
    SHOW_HIDDEN,
    described,
    each,
    figure,
    freeze,
    named,
    numbers,
    shown,
    sum_by,
    template,
    top,
)
from charts.figure import Figure
from data_access.disclosure import not_shown
from i18n import N_, _, ngettext
from i18n import format as fmt


@dataclass(frozen=True)
class Measure:
    title: str  # English, marked for translation: show it as `_(measure.title)`
    number_format: str  # d3-format for Vega
    domain: tuple[float, float] | None  # None: from zero to the largest value
    text: Callable[[float], str]  # a value as titles and alt text show it (`i18n.format`)


MEASURES = {
    "people": Measure(N_("People placed"), theme.COUNT_FORMAT, None, fmt.count),
    "share_school_work": Measure(N_("Share in school, training or work"), ".0%", (0.0, 1.0), fmt.percent),
    "median_composite": Measure(
        N_("Median latest composite score"), ".2f", (0.0, 1.0), lambda value: fmt.number(value, 2)
    ),
}
# Text on a tile turns white where the tile colour is this far along the scale.
DARK_FROM = 0.55
# Stage names above the heatmap's columns: slanted this far (degrees, clockwise) and cut at this
# many pixels, so ten of them fit above a phone's columns (about 24 px each).
STAGE_LABEL_ANGLE = 60
STAGE_LABEL_LIMIT = 170
# Tiles narrower than this (px; a phone's six columns) get smaller type.
NARROW_TILE = 72


def drawn(measure: str) -> tuple[str, ...]:
    """The counts a map or tile map coloured by `measure` draws (its notes are about those)."""
    return {"share_school_work": ("people", "reached_school_work"), "median_composite": ("people", "scored")}.get(
        measure, ("people",)
    )


def _has_value(measure: str) -> str:
    return f"datum.people > 0 && isValid(datum.{measure}) && isFinite(datum.{measure})"


@template
def _tiles_template(measure: str) -> dict:
    spec = MEASURES[measure]
    if spec.domain is None:
        scale = alt.Scale(scheme=theme.SEQUENTIAL_SCHEME, domainMin=0)
        position = f"datum.{measure} / max(datum.top, 1)"
    else:
        low, high = spec.domain
        scale = alt.Scale(scheme=theme.SEQUENTIAL_SCHEME, domain=[low, high])
        position = f"(datum.{measure} - {low}) / {high - low}"
    has_value = _has_value(measure)
    x = alt.X("grid_col:O", title=_("Column on the map"), axis=None)
    y = alt.Y("grid_row:O", title=_("Row on the map"), axis=None)
    tooltip = [
        alt.Tooltip("region_name:N", title=_("Region")),
        alt.Tooltip("people:Q", title=_(MEASURES["people"].title), format=theme.COUNT_FORMAT),
        alt.Tooltip("reached_school_work:Q", title=_("Reached school, training or work"), format=theme.COUNT_FORMAT),
        alt.Tooltip("share_school_work:Q", title=_(MEASURES["share_school_work"].title), format=".0%"),
        alt.Tooltip("median_composite:Q", title=_(MEASURES["median_composite"].title), format=".2f"),
        alt.Tooltip("scored:Q", title=_("People with a score"), format=theme.COUNT_FORMAT),
    ]
    tiles = described(
        alt.Chart()
        .mark_rect(cornerRadius=6, stroke="white", strokeWidth=4, invalid=SHOW_HIDDEN)
        .encode(
            x=x,
            y=y,
            color=alt.condition(
                has_value,
                alt.Color(
                    f"{measure}:Q",
                    title=_(spec.title),
                    scale=scale,
                    legend=alt.Legend(
                        format=spec.number_format,
                        orient="bottom",
                        gradientLength=theme.GRADIENT_LENGTH,
                        titleLimit=theme.GRADIENT_LENGTH + 40,
                    ),
                ),
                alt.value(theme.MISSING),
            ),
        ),
        tooltip,
    )
    # A name breaks into lines at spaces and hyphens ("Almaty / Region", "Западно- /
    # Казахстанская / область"); a line wider than its tile is cut ("Казахстан…"), so no label
    # spills onto the next tile or the legend; the tooltip names the region in full. A hidden
    # count reads as released ("<5"), not as a dash.
    missing = "(datum.people_text || '–')" if measure == "people" else "'–'"
    lines = "replace(replace(datum.region_name, regexp('-', 'g'), '-\\n'), regexp(' ', 'g'), '\\n')"
    labels = (
        alt.Chart()
        .transform_joinaggregate(top=f"max({measure})")
        .transform_calculate(
            label=f"{lines} + '\\n' + ({has_value} ? format(datum.{measure}, '{spec.number_format}') : {missing})",
            dark=f"{has_value} && {position} >= {DARK_FROM}",
        )
        .mark_text(
            lineBreak="\n",
            baseline="middle",
            fontSize=alt.expr(f"bandwidth('x') < {NARROW_TILE} ? 11 : 13"),
            lineHeight=alt.expr(f"bandwidth('x') < {NARROW_TILE} ? 13 : 16"),
            limit=alt.expr("max(bandwidth('x') - 10, 20)"),
            aria=False,
        )
        .encode(
            x=x,
            y=y,
            text=alt.Text("label:N"),
            color=alt.condition("datum.dark", alt.value("white"), alt.value("black")),
        )
    )
    chart = alt.layer(tiles, labels).properties(width="container", height=alt.Step(96))
    return freeze(chart)


def region_tiles_chart(region_summary: pd.DataFrame, measure: str) -> Figure:
    """Tile-grid map of regions coloured by `measure` (people, share_school_work or
    median_composite), each tile labelled with the region and the value; grey with "–" where
    the region has nobody or no value."""
    title, extremes, valued = regions_title(region_summary, measure)
    template = _tiles_template(measure)
    name = _(MEASURES[measure].title)
    if extremes is None:
        return figure(template, region_summary, title, _("Tile map of regions: no values."))
    regions = len(region_summary)
    missing = regions - valued
    subtitle = (
        ngettext(
            "Grey tiles: no people placed or no value, {missing} of {regions} region",
            "Grey tiles: no people placed or no value, {missing} of {regions} regions",
            regions,
        ).format(missing=fmt.count(missing), regions=fmt.count(regions))
        if missing
        else ""
    )
    alt_text = ngettext(
        "Tile map of {regions} region coloured by {measure}. Highest: {high_region}, {high}. "
        "Lowest: {low_region}, {low}.",
        "Tile map of {regions} regions coloured by {measure}. Highest: {high_region}, {high}. "
        "Lowest: {low_region}, {low}.",
        regions,
    ).format(regions=fmt.count(regions), measure=name.lower(), **extremes)
    if measure != "people":
        valued_text = ngettext("{n} region has a value.", "{n} regions have a value.", valued)
        alt_text += " " + valued_text.format(n=fmt.count(valued))
    return figure(template, region_summary, title, alt_text, subtitle, counts=drawn(measure))


def regions_title(region_summary: pd.DataFrame, measure: str) -> tuple[str, dict | None, int]:
    """What a map of the regions by `measure` says first (the tile grid's and the outline map's
    title), the highest and lowest regions with their values as shown (None when no region has a
    value), and how many regions have a value: people placed there and a value (the rest are
    grey)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    spec = MEASURES[measure]
    name = _(spec.title)
    people, values = numbers(region_summary), numbers(region_summary, measure)
    valued = {row: value for row, value in enumerate(values.tolist()) if people[row] > 0 and not math.isnan(value)}
    if not valued:
        return _("{measure}: no region has a value for this selection").format(measure=name), None, 0
    names = region_summary["region_name"].tolist()
    high = top(valued, text=spec.text, zero=True)
    low = top(valued, lowest=True, text=spec.text)
    extremes = {
        "high_region": named(names[row] for row in high),
        "high": each(spec.text(values[high[0]]), len(high)),
        "low_region": named(names[row] for row in low),
        "low": each(spec.text(values[low[0]]), len(low)),
    }
    if measure == "people":
        if len(high) == 1:
            title = _("Most people were placed in {region}: {people} of {total}")
        else:
            title = _("Most people were placed in {region}: {people} each of {total}")
        title = title.format(
            region=extremes["high_region"], people=fmt.count(values[high[0]]), total=fmt.count(np.nansum(people))
        )
    elif len(valued) == 1:
        title = _("{measure}: {value} in {region}").format(
            measure=name, value=spec.text(values[high[0]]), region=extremes["high_region"]
        )
    elif len(high) == len(valued):
        title = ngettext(
            "{measure}: {value} in the {n} region with a value",
            "{measure}: {value} in each of the {n} regions with a value",
            len(valued),
        ).format(measure=name, value=spec.text(values[high[0]]), n=fmt.count(len(valued)))
    else:
        title = _("{measure} ranges from {low} ({low_region}) to {high} ({high_region})").format(
            measure=name,
            low=spec.text(values[low[0]]),
            low_region=extremes["low_region"],
            high=spec.text(values[high[0]]),
            high_region=extremes["high_region"],
        )
    return title, extremes, len(valued)


@template
def _region_stage_template() -> dict:
    x = alt.X(
        "stage_label:N",
        sort=alt.EncodingSortField("order", op="min"),
        title=_("Stage"),
        # Every stage is named, however narrow its column: steeply slanted, ending at the column
        # (so the last never runs off the right edge), never thinned out for overlapping, long
        # names cut ("Moved or lost to fol…", the cells' tooltips name them in full).
        axis=alt.Axis(
            title=None,
            orient="top",
            labelAngle=STAGE_LABEL_ANGLE,
            labelAlign="right",
            labelBaseline="middle",
            labelLimit=STAGE_LABEL_LIMIT,
            labelOverlap=False,
            labelPadding=4,
        ),
    )
    # Layers only sort by min, max or count, so the region total is joined on first.
    y = alt.Y(
        "region_name:N",
        sort=alt.EncodingSortField("region_total", op="max", order="descending"),
        title=_("Region"),
        axis=alt.Axis(title=None, labelOverlap=False),
    )
    tooltip = [
        alt.Tooltip("region_name:N", title=_("Region")),
        alt.Tooltip("stage_label:N", title=_("Stage")),
        alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
    ]
    cells = described(
        alt.Chart()
        .mark_rect(stroke="white", strokeWidth=1, invalid=SHOW_HIDDEN)
        .encode(
            x=x,
            y=y,
            color=alt.condition(
                "datum.people > 0",
                alt.Color(
                    "people:Q",
                    title=_("People"),
                    scale=alt.Scale(scheme=theme.SEQUENTIAL_SCHEME, domainMin=0),
                    legend=alt.Legend(format=theme.COUNT_FORMAT, orient="bottom", gradientLength=theme.GRADIENT_LENGTH),
                ),
                alt.value(theme.EMPTY),
            ),
        ),
        tooltip,
    )
    numbers = (
        alt.Chart()
        .transform_joinaggregate(top="max(people)")
        .transform_calculate(dark=f"datum.people >= {DARK_FROM} * datum.top && datum.people > 0", label=shown("people"))
        .mark_text(baseline="middle", aria=False)
        .encode(
            x=x,
            y=y,
            text=alt.Text("label:N"),
            color=alt.condition("datum.dark", alt.value("white"), alt.value("black")),
            opacity=alt.condition("datum.people > 0 || !isValid(datum.people)", alt.value(1.0), alt.value(0.45)),
        )
    )
    chart = alt.layer(cells, numbers).transform_joinaggregate(region_total="sum(people)", groupby=["region"])
    return freeze(chart.properties(width="container", height=alt.Step(30)))


def region_stage_heatmap(region_stage: pd.DataFrame) -> Figure:
    """People by placement region (rows, most people first) and current stage (columns, in
    programme order), each cell labelled with its count."""
    template = _region_stage_template()
    cells = numbers(region_stage)
    largest = top(dict(enumerate(cells.tolist())))
    # A region held back whole (public) is drawn blank, "—" in each cell: its name is in the note.
    held = not_shown(region_stage).any(axis=1)
    drawn = (
        region_stage.assign(people_text=np.where(held, fmt.MISSING, region_stage["people_text"]))
        if held.any()
        else None
    )
    if not largest:
        return figure(template, region_stage, _("No people in this selection"), _("Heatmap: no people."), drawn=drawn)
    people = np.nansum(cells)
    by_region = sum_by(region_stage, "region_name")
    most = top(by_region)
    regions, stages = region_stage["region_name"].tolist(), region_stage["stage_label"].tolist()
    part, total_text = fmt.count(cells[largest[0]]), fmt.count(people)
    if len(largest) == 1:
        (cell,) = largest
        title = ngettext(
            "The largest group is {stage} in {region}: {part} of {total} person",
            "The largest group is {stage} in {region}: {part} of {total} people",
            int(people),
        ).format(stage=stages[cell], region=regions[cell], part=part, total=total_text)
        largest_text = _("Largest cell: {region}, {stage}, {part}.").format(
            region=regions[cell], stage=stages[cell], part=part
        )
    else:
        cells_text = named(
            _("{stage} in {region}").format(stage=stages[cell], region=regions[cell]) for cell in largest
        )
        title = ngettext(
            "The largest groups are {cells}: {part} each of {total} person",
            "The largest groups are {cells}: {part} each of {total} people",
            int(people),
        ).format(cells=cells_text, part=part, total=total_text)
        largest_text = _("Largest cells, {part} each: {cells}.").format(part=part, cells=cells_text)
    top_region = by_region[most[0]]
    region_values = {
        "region": named(most),
        "most": fmt.count(top_region),
        "total": total_text,
        "share": fmt.share(top_region, people),
    }
    if len(most) == 1:
        region_text = _("Region with most people: {region}, {most} of {total} ({share}).")
    else:
        region_text = _("Regions with most people, {most} each of {total} ({share} each): {region}.")
    alt_text = " ".join(
        [
            _("Heatmap: people by placement region and current stage."),
            largest_text,
            region_text.format(**region_values),
        ]
    )
    return figure(template, region_stage, title, alt_text, drawn=drawn)
