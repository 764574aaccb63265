"""A map of the regions from their outlines in the snapshot (`data_access.boundaries`).

The outlines travel in the spec template, once per figure, as a quantised TopoJSON topology
(`_topology`), and the rows of the region summary pick theirs up by code (a Vega-Lite `lookup`),
so a rerun that changes the selection sends the same outlines and new numbers. The projection is
a conic equal-area one fitted to the outlines (standard parallels a sixth in from the north and
south edges, centred on the middle meridian), so it suits any country a snapshot brings, and
areas compare honestly.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from charts import theme
from charts._spec import figure, freeze, selectable_by, shown, template, vega_text
from charts.figure import Figure
from charts.regions import MEASURES, drawn, regions_title
from data_access.boundaries import DECIMALS, Outline
from i18n import _, ngettext
from i18n import format as fmt

MAP_HEIGHT = 400
NARROW = 560
"""Below this width (pixels) a label gives the value only: names would cover each other."""


def _projection(outlines: tuple[Outline, ...]) -> dict:
    west = min(o.bounds[0] for o in outlines)
    south = min(o.bounds[1] for o in outlines)
    east = max(o.bounds[2] for o in outlines)
    north = max(o.bounds[3] for o in outlines)
    sixth = (north - south) / 6
    return {
        "type": "conicEqualArea",
        "rotate": [round(-(west + east) / 2, 2), 0],
        "parallels": [round(south + sixth, 2), round(north - sixth, 2)],
    }


def _topology(outlines: tuple[Outline, ...]) -> dict:
    """The outlines as one quantised TopoJSON topology, object `regions`, each geometry's `id` its
    region code.

    Each ring is an arc of whole steps of 0.01° from the south-west corner (the outlines are
    rounded to that already, so no point moves), every point after the first written as the step
    from the one before. The map's spec goes through Python's JSON writer and reader on every rerun
    (Streamlit writes it, then reads and writes it again to keep it stable) and over the websocket:
    at 15 kB of short whole numbers, against 25 kB of GeoJSON decimals, that is about half the time
    and 13 kB less a rerun. Neighbours' shared borders are still written once per side."""
    step = 10**-DECIMALS
    corner = np.array([min(o.bounds[0] for o in outlines), min(o.bounds[1] for o in outlines)]).round(DECIMALS)
    arcs: list[list[list[int]]] = []

    def arc(ring: list) -> list[int]:
        points = np.rint((np.asarray(ring, dtype=float) - corner) / step).astype(np.int64)
        arcs.append(np.vstack([points[:1], np.diff(points, axis=0)]).tolist())
        return [len(arcs) - 1]

    geometries = []
    for outline in outlines:
        geometry = json.loads(outline.feature)["geometry"]
        if geometry["type"] == "Polygon":
            rings = [arc(ring) for ring in geometry["coordinates"]]
        else:
            rings = [[arc(ring) for ring in polygon] for polygon in geometry["coordinates"]]
        geometries.append({"type": geometry["type"], "id": outline.code, "arcs": rings})
    return {
        "type": "Topology",
        "transform": {"scale": [step, step], "translate": corner.tolist()},
        "objects": {"regions": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


@template
def _map_template(measure: str, outlines: tuple[Outline, ...], selectable: bool) -> dict:
    spec = MEASURES[measure]
    has_value = f"datum.people > 0 && isValid(datum.{measure}) && isFinite(datum.{measure})"
    # The scale starts a fifth of the way into the scheme, so the lightest value never looks
    # like the neutral grey of a region without one.
    scheme = alt.SchemeParams(name=theme.SEQUENTIAL_SCHEME, extent=[0.2, 1])
    if spec.domain is None:
        scale = alt.Scale(scheme=scheme, domainMin=0)
    else:
        scale = alt.Scale(scheme=scheme, domain=list(spec.domain))
    shapes = alt.InlineData(values=_topology(outlines), format=alt.DataFormat(type="topojson", feature="regions"))
    value_text = (
        shown("people")
        if measure == "people"
        else (f"{has_value} ? format(datum.{measure}, '{spec.number_format}') : '–'")
    )
    areas = (
        alt.Chart()
        .transform_lookup(lookup="region", from_=alt.LookupData(data=shapes, key="id"), as_="geo")
        .transform_filter("isValid(datum.geo)")
        # What a screen reader says for a region (Vega would otherwise read every field's name).
        # The colour field is never empty: Vega-Lite drops a shape whose colour value is empty, or
        # paints it as the scale's zero; a region without a value is grey by the condition.
        .transform_calculate(colour=f"{has_value} ? datum.{measure} : 0")
        .transform_calculate(
            description=vega_text(
                _("{region}: {measure} {value}"),
                region="datum.region_name",
                measure=json.dumps(_(spec.title)),
                value=value_text,
            )
        )
        .mark_geoshape(stroke=theme.GREY, strokeWidth=0.8)
        .encode(
            shape=alt.Shape("geo:G"),
            description=alt.Description("description:N"),
            color=alt.condition(
                has_value,
                alt.Color(
                    "colour:Q",
                    title=_(spec.title),
                    scale=scale,
                    legend=alt.Legend(format=spec.number_format, orient="bottom", gradientLength=320, titleLimit=480),
                ),
                alt.value(theme.MISSING),
            ),
            tooltip=[
                alt.Tooltip("region_name:N", title=_("Region")),
                alt.Tooltip("people_shown:N", title=_(MEASURES["people"].title)),
                alt.Tooltip("share_school_work:Q", title=_(MEASURES["share_school_work"].title), format=".0%"),
                alt.Tooltip("median_composite:Q", title=_(MEASURES["median_composite"].title), format=".2f"),
            ],
        )
    )
    if selectable:
        areas = selectable_by("region", areas)
    lon = alt.Longitude("label_lon:Q", title=_("Longitude"))
    lat = alt.Latitude("label_lat:Q", title=_("Latitude"))
    # Where the map is narrow a label gives the value only, and a city (a small region inside
    # another) is a dot with its label to the side, so the region around it keeps its own label.
    labels = (
        alt.Chart()
        .transform_filter("!datum.city && isValid(datum.label_lon)")
        .transform_calculate(label=f"(width < {NARROW} ? '' : datum.region_name + '\\n') + ({value_text})")
    )
    city_labels = (
        alt.Chart()
        .transform_filter("datum.city && isValid(datum.label_lon)")
        .transform_calculate(label=f"(width < {NARROW} ? '' : datum.region_name + ' ') + ({value_text})")
    )
    text = alt.Text("label:N", title=_("Label"))
    region_text = {"lineBreak": "\n", "fontSize": 12, "lineHeight": 14, "baseline": "middle"}
    city_text = {"fontSize": 11, "align": "left", "dx": 6, "dy": -6, "baseline": "middle"}
    city_dots = (
        alt.Chart()
        .transform_filter("datum.city && isValid(datum.label_lon)")
        .mark_point(filled=True, size=30, color=theme.BLACK, opacity=1, aria=False)
        .encode(longitude=lon, latitude=lat)
    )
    # Each label twice: a white outline under black text, legible on every fill.
    layers = [areas, city_dots]
    for marks, style in ((labels, region_text), (city_labels, city_text)):
        layers.append(
            marks.mark_text(**style, stroke="white", strokeWidth=3, strokeJoin="round", aria=False).encode(
                longitude=lon, latitude=lat, text=text
            )
        )
        layers.append(
            marks.mark_text(**style, color=theme.BLACK, aria=False).encode(longitude=lon, latitude=lat, text=text)
        )
    chart = (
        alt.layer(*layers)
        .transform_calculate(people_shown=shown("people"))
        .project(**_projection(outlines))
        .properties(width="container", height=MAP_HEIGHT)
    )
    return freeze(chart)


def region_map_chart(
    region_summary: pd.DataFrame, measure: str, outlines: tuple[Outline, ...], selectable: bool = False
) -> Figure:
    """A map of the regions coloured by `measure` (as the tile map), each labelled with its name
    and value: grey, with "–" or the released text ("<5"), where a region has no value. With
    `selectable`, a click picks a region (the point selection `pick` on field `region`)."""
    title, _extremes, valued = regions_title(region_summary, measure)
    name = _(MEASURES[measure].title)
    places = {o.code: o for o in outlines}
    codes = region_summary["region"].astype(str)
    found = [places.get(code) for code in codes]
    data = region_summary.assign(
        region=codes,
        label_lon=np.array([np.nan if o is None else o.label_lon for o in found], dtype=float),
        label_lat=np.array([np.nan if o is None else o.label_lat for o in found], dtype=float),
        city=np.array([o is not None and o.city for o in found], dtype=bool),
    ).reset_index(drop=True)
    regions = len(region_summary)
    missing = regions - valued
    subtitle = (
        ngettext(
            "Grey regions: no people placed or no value, {missing} of {regions} region",
            "Grey regions: no people placed or no value, {missing} of {regions} regions",
            regions,
        ).format(missing=fmt.count(missing), regions=fmt.count(regions))
        if missing
        else ""
    )
    alt_text = ngettext(
        "Map of {regions} region coloured by {measure}, each labelled with its value. {message}.",
        "Map of {regions} regions coloured by {measure}, each labelled with its value. {message}.",
        regions,
    ).format(regions=fmt.count(regions), measure=name.lower(), message=title)
    return figure(_map_template(measure, outlines, selectable), data, title, alt_text, subtitle, counts=drawn(measure))
