"""Repatriations: who came back, when, from where, at what age, with whom, and where they were placed."""

import streamlit as st

import charts
from data_access import queries as q
from ui.context import view
from ui.widgets import chart, page_header, require_people

v = view()
snapshot, filters = v.snapshot, v.filters
page_header("Repatriations", v, "Who came back, when and from where; age and sex at return; where people were placed.")
require_people(v)

chart(charts.arrivals_timeline_chart(q.arrivals(snapshot, filters)), key="rep-timeline", view=v)
left, right = st.columns(2)
with left:
    chart(charts.pyramid_chart(q.age_sex_pyramid(snapshot, filters)), key="rep-pyramid", view=v)
with right:
    chart(
        charts.unaccompanied_chart(q.unaccompanied_children(snapshot, filters)),
        key="rep-unaccompanied",
        view=v,
    )
chart(charts.pivot_chart(q.counts_by(snapshot, filters, ["region"]), ["region"]), key="rep-regions", view=v)
