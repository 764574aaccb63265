"""Repatriations: who came back, when, from where, at what age, with whom, and where they were placed."""

import streamlit as st

import charts
from ui.context import view
from ui.widgets import chart, page_header, require_people

v = view()
filters, data = v.filters, v.data
page_header("Repatriations", v, "Who came back, when and from where; age and sex at return; where people were placed.")
require_people(v)

chart(data.figure(charts.arrivals_timeline_chart, "arrivals", filters), key="rep-timeline", view=v)
left, right = st.columns(2)
with left:
    chart(data.figure(charts.pyramid_chart, "age_sex_pyramid", filters), key="rep-pyramid", view=v)
with right:
    chart(
        data.figure(charts.unaccompanied_chart, "unaccompanied_children", filters),
        key="rep-unaccompanied",
        view=v,
    )
regions = data.figure(charts.pivot_chart, "counts_by", filters, ["region"], options=(["region"],))
chart(regions, key="rep-regions", view=v)
