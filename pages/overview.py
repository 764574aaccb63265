"""Overview: key figures with changes since the previous snapshot, a generated summary, and two
charts that cross-filter every page (click a cohort or a stage)."""

import streamlit as st

import charts
from data_access import queries as q
from data_access.narrative import long_date, overview_summary
from ui.context import view
from ui.crossfilter import to_filter
from ui.widgets import chart, page_header, require_people, tiles

v = view()
snapshot, filters = v.snapshot, v.filters
page_header("Overview", v, "Where every cohort stands today.")
require_people(v)

previous_label = long_date(v.previous.as_of) if v.previous else None
tiles(q.headline(snapshot, filters, v.previous), previous_label)
st.info(overview_summary(snapshot, filters, v.previous), icon=":material/summarize:")

cohort_ids = list(snapshot.cohorts["cohort_id"])
stage_ids = list(snapshot.stages["stage_id"])
left, right = st.columns(2)
with left:
    chart(
        charts.arrivals_chart(q.arrivals(snapshot, filters.without("cohort")), cohort_ids, selectable=True),
        key="overview-arrivals",
        view=v,
        on_select=to_filter("overview-arrivals", "cohort", "cohort"),
    )
with right:
    chart(
        charts.stage_chart(q.stage_distribution(snapshot, filters.without("stage")), stage_ids, selectable=True),
        key="overview-stages",
        view=v,
        on_select=to_filter("overview-stages", "stage", "stage"),
    )
st.caption(
    "Click a bar to filter every page by that cohort or stage (it appears in the sidebar and the link). "
    "Click the background of the chart, remove the chip in the sidebar, or press **Reset filters** to go back."
)
