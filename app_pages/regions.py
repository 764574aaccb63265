"""Regions: a tile-grid map of the placement regions, a comparison table and region x stage."""

import streamlit as st

import charts
from charts.regions import MEASURES
from i18n import _
from ui.context import View
from ui.crossfilter import to_filter
from ui.tables import dataframe, readable
from ui.widgets import chart, choice, page_header, people_to_show


def render(view: View) -> None:
    filters, data = view.filters, view.data
    page_header(_("Regions"), view, _("Where people were placed and how they are doing, region by region."))
    if not people_to_show(view):
        return

    summary = data.region_summary(filters)
    outlines = data.outlines()
    measures = {measure: _(spec.title) for measure, spec in MEASURES.items()}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        measure = choice(_("Colour the map by"), measures, key="measure", default="people", segmented=True)
    with right:
        layouts = {"map": _("Map"), "tiles": _("Tiles")} if outlines else {"tiles": _("Tiles")}
        layout = choice(_("Show regions as"), layouts, key="layout", default=next(iter(layouts)), segmented=True)
    if layout == "map":
        # Drawn whole (without the region filter), so a click on another region can pick it.
        figure = data.figure(
            charts.region_map_chart,
            data.region_summary,
            filters.without("region"),
            options=(measure, outlines),
            selectable=True,
        )
        chart(figure, key="regions-map", view=view, on_select=to_filter("regions-map", "region", "region"))
        st.caption(
            _(
                "Click a region to filter every page by it; click outside the regions to clear it (or remove "
                "the chip in the sidebar). Cities are drawn as dots."
            )
        )
    else:
        chart(
            data.figure(charts.region_tiles_chart, data.region_summary, filters, options=(measure,)),
            key="regions-tiles",
            view=view,
        )

    st.subheader(_("Region comparison"), anchor=False)
    comparison = summary.sort_values("people", ascending=False)
    table, labels = readable(comparison, view.snapshot)
    labels.update(people=_("People placed"), scored=_("People with a score"))
    dataframe(table, labels)
    chart(data.figure(charts.region_stage_heatmap, data.region_stage, filters), key="regions-heatmap", view=view)
