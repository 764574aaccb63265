"""Regions: a tile-grid map of the placement regions, a comparison table and region x stage."""

import streamlit as st

import charts
from charts.regions import MEASURES
from ui.context import View
from ui.widgets import chart, page_header, people_to_show

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
    page_header("Regions", view, "Where people were placed and how they are doing, region by region.")
    if not people_to_show(view):
        return

    summary = data.region_summary(filters)
    # Bound widgets keep their option text in the URL, so the options are the readable names.
    by_title = {spec.title: measure for measure, spec in MEASURES.items()}
    title = st.segmented_control(
        "Colour the map by",
        options=list(by_title),
        default=MEASURES["people"].title,
        key="measure",
        bind="query-params",
        required=True,
    )
    measure = by_title.get(title, "people")
    chart(
        data.figure(charts.region_tiles_chart, data.region_summary, filters, options=(measure,)),
        key="regions-map",
        view=view,
    )

    st.subheader("Region comparison")
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
            "region_name": "Region",
            "region": "ISO code",
            "people": count_column("People placed"),
            "reached_school_work": count_column("Reached school, training or work"),
            "share_school_work": st.column_config.ProgressColumn(
                "Share reached", format="percent", min_value=0.0, max_value=1.0
            ),
            "median_composite": st.column_config.NumberColumn("Median composite score (0-1)", format="%.2f"),
            "scored": st.column_config.NumberColumn("People with a score", format="localized"),
        },
    )
    chart(data.figure(charts.region_stage_heatmap, data.region_stage, filters), key="regions-heatmap", view=view)
