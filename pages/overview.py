"""Overview: key figures with changes since the previous snapshot, a generated summary, and two
charts that cross-filter every page (click a cohort or a stage)."""

import streamlit as st

import charts
from data_access.narrative import long_date, overview_summary
from ui.context import view
from ui.crossfilter import to_filter
from ui.widgets import chart, guarded, page_header, require_people, tiles

v = view()
snapshot, filters, data = v.snapshot, v.filters, v.data
page_header("Overview", v, "Where every cohort stands today.")
require_people(v)

previous_label = long_date(v.previous.as_of) if v.previous else None
headline = data.headline(filters)
tiles(headline, previous_label)
summary = overview_summary(
    headline,
    data.stage_distribution(filters),
    snapshot.as_of,
    v.previous.as_of if v.previous else None,
    everyone=filters.is_empty(),
)
st.info(summary, icon=":material/summarize:")

cohort_ids = list(snapshot.cohorts["cohort_id"])
stage_ids = list(snapshot.stages["stage_id"])
left, right = st.columns(2)
with left, guarded():
    chart(
        data.figure(
            charts.arrivals_chart, "arrivals", filters.without("cohort"), options=(cohort_ids,), selectable=True
        ),
        key="overview-arrivals",
        view=v,
        on_select=to_filter("overview-arrivals", "cohort", "cohort"),
    )
with right, guarded():
    chart(
        data.figure(
            charts.stage_chart, "stage_distribution", filters.without("stage"), options=(stage_ids,), selectable=True
        ),
        key="overview-stages",
        view=v,
        on_select=to_filter("overview-stages", "stage", "stage"),
    )
st.caption(
    "Click a bar to filter every page by that cohort or stage (it appears in the sidebar and the link). "
    "Click the background of the chart, remove the chip in the sidebar, or press **Reset filters** to go back."
)
