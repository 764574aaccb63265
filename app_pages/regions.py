"""Regions: a tile-grid map of the placement regions, a comparison table and region x stage."""

import streamlit as st

import charts
from charts.regions import MEASURES
from i18n import _
from ui.context import View
from ui.widgets import chart, choice, page_header, people_to_show

COMPARISON = [
    "region_name",
    "region",
    "people",
    "reached_school_work",
    "share_school_work",
    "median_composite",
    "scored",
]


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
    comparison = summary.loc[:, COMPARISON].sort_values("people", ascending=False)
    if "people_text" in summary:  # public: hidden counts read "<5", not "None"
        texts = summary.loc[comparison.index, ["people_text", "reached_school_work_text"]]
        comparison = comparison.assign(
            people=texts["people_text"], reached_school_work=texts["reached_school_work_text"]
        )

    def count_column(title: str):
        if view.access.public:
            return st.column_config.TextColumn(title)
        return st.column_config.NumberColumn(title, format="localized")

    st.dataframe(
        comparison,
        hide_index=True,
        width="stretch",
        column_config={
            "region_name": _("Region"),
            "region": _("ISO code"),
            "people": count_column(_("People placed")),
            "reached_school_work": count_column(_("Reached school, training or work")),
            "share_school_work": st.column_config.ProgressColumn(
                _("Share reached"), format="percent", min_value=0.0, max_value=1.0
            ),
            "median_composite": st.column_config.NumberColumn(_("Median composite score (0-1)"), format="%.2f"),
            "scored": st.column_config.NumberColumn(_("People with a score"), format="localized"),
        },
    )
    chart(data.figure(charts.region_stage_heatmap, data.region_stage, filters), key="regions-heatmap", view=view)
