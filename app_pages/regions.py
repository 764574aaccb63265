"""Regions: a tile-grid map of the placement regions, a comparison table and region x stage."""

import streamlit as st

import charts
from charts.regions import MEASURES
from i18n import _
from ui.context import View
from ui.tables import readable
from ui.widgets import chart, choice, page_header, people_to_show


def render(view: View) -> None:
    filters, data = view.filters, view.data
    page_header(_("Regions"), view, _("Where people were placed and how they are doing, region by region."))
    if not people_to_show(view):
        return

    summary = data.region_summary(filters)
    measures = {measure: _(spec.title) for measure, spec in MEASURES.items()}
    measure = choice(_("Colour the map by"), measures, key="measure", default="people", segmented=True)
    tiles = data.figure(charts.region_tiles_chart, data.region_summary, filters, options=(measure,))
    chart(tiles, key="regions-map", view=view)

    st.subheader(_("Region comparison"), anchor=False)
    comparison = summary.sort_values("people", ascending=False)
    table, labels = readable(comparison, view.snapshot)
    labels.update(people=_("People placed"), scored=_("People with a score"))
    st.dataframe(table, hide_index=True, width="stretch", column_config=labels)
    chart(data.figure(charts.region_stage_heatmap, data.region_stage, filters), key="regions-heatmap", view=view)
