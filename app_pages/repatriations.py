"""Repatriations: who came back, when, from where, at what age, with whom, and where they were placed."""

import streamlit as st

import charts
from i18n import _
from ui.context import View
from ui.widgets import chart, page_header, people_to_show


def render(view: View) -> None:
    filters, data = view.filters, view.data
    page_header(
        _("Repatriations"),
        view,
        _("Who came back, when and from where; age and sex at return; where people were placed."),
    )
    if not people_to_show(view):
        return

    chart(data.figure(charts.arrivals_timeline_chart, data.arrivals, filters), key="rep-timeline", view=view)
    left, right = st.columns(2)
    with left:
        chart(data.figure(charts.pyramid_chart, data.age_sex_pyramid, filters), key="rep-pyramid", view=view)
    with right:
        unaccompanied = data.figure(charts.unaccompanied_chart, data.unaccompanied_children, filters)
        chart(unaccompanied, key="rep-unaccompanied", view=view)
    regions = data.figure(charts.pivot_chart, data.counts_by, filters, ["region"], options=(["region"],))
    chart(regions, key="rep-regions", view=view)
