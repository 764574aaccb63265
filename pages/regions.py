"""Regions: a tile-grid map of the placement regions, a comparison table and region x stage."""

import streamlit as st

import charts
from ui.context import view
from ui.widgets import chart, page_header, require_people

MEASURES = {
    "people": "People placed",
    "share_school_work": "Share who reached school, training or work",
    "median_composite": "Median latest composite score",
}

v = view()
filters, data = v.filters, v.data
page_header("Regions", v, "Where people were placed and how they are doing, region by region.")
require_people(v)

summary = data.region_summary(filters)
# Bound widgets keep their option text in the URL, so the options are the readable names.
by_name = {name: measure for measure, name in MEASURES.items()}
measure_name = st.segmented_control(
    "Colour the map by",
    options=list(by_name),
    default=MEASURES["people"],
    key="measure",
    bind="query-params",
    required=True,
)
tiles = data.figure(
    charts.region_tiles_chart, "region_summary", filters, options=(by_name.get(measure_name, "people"),)
)
chart(tiles, key="regions-map", view=v)

st.subheader("Region comparison")
comparison = summary.loc[
    :,
    [
        "region_name",
        "region",
        "people",
        "reached_school_work",
        "share_school_work",
        "median_composite",
        "scored",
    ],
].sort_values("people", ascending=False)
if "people_text" in summary:  # public: withheld counts read "<5" or "withheld", not "None"
    texts = summary.loc[comparison.index, ["people_text", "reached_school_work_text"]]
    comparison = comparison.assign(people=texts["people_text"], reached_school_work=texts["reached_school_work_text"])
st.dataframe(
    comparison,
    hide_index=True,
    width="stretch",
    column_config={
        "region_name": "Region",
        "region": "ISO code",
        "people": (
            st.column_config.TextColumn("People placed")
            if v.access.public
            else st.column_config.NumberColumn("People placed", format="localized")
        ),
        "reached_school_work": (
            st.column_config.TextColumn("Reached school, training or work")
            if v.access.public
            else st.column_config.NumberColumn("Reached school, training or work", format="localized")
        ),
        "share_school_work": st.column_config.ProgressColumn(
            "Share reached", format="percent", min_value=0.0, max_value=1.0
        ),
        "median_composite": st.column_config.NumberColumn("Median composite score (0-1)", format="%.2f"),
        "scored": st.column_config.NumberColumn("People with a score", format="localized"),
    },
)
chart(
    data.figure(charts.region_stage_heatmap, "region_stage", filters),
    key="regions-heatmap",
    view=v,
)
