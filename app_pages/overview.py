"""Overview: key figures with changes since the previous snapshot, a generated summary, and two
charts that cross-filter every page (click a cohort or a stage)."""

import streamlit as st

import charts
from data_access.narrative import overview_summary
from i18n import _
from i18n import format as fmt
from ui.context import View
from ui.crossfilter import to_filter
from ui.widgets import chart, guarded, page_header, people_to_show, tiles


def render(view: View) -> None:
    snapshot, filters, data = view.snapshot, view.filters, view.data
    page_header(_("Overview"), view, _("Where every cohort stands today."))
    if not people_to_show(view):
        return

    headline = data.headline(filters)
    tiles(headline, fmt.date(view.previous.as_of) if view.previous else None)
    summary = overview_summary(
        headline,
        data.stage_distribution(filters),
        snapshot.as_of,
        view.previous.as_of if view.previous else None,
        everyone=filters.is_empty(),
    )
    st.info(summary, icon=":material/summarize:")

    left, right = st.columns(2)
    with left, guarded():
        arrivals = data.figure(
            charts.arrivals_chart,
            data.arrivals,
            filters.without("cohort"),
            options=(snapshot.categories("cohort"),),
            selectable=True,
        )
        on_select = to_filter("overview-arrivals", "cohort", "cohort")
        chart(arrivals, key="overview-arrivals", view=view, on_select=on_select)
    with right, guarded():
        stages = data.figure(
            charts.stage_chart,
            data.stage_distribution,
            filters.without("stage"),
            options=(snapshot.categories("stage"),),
            selectable=True,
        )
        chart(stages, key="overview-stages", view=view, on_select=to_filter("overview-stages", "stage", "stage"))
    st.caption(
        _(
            "Click a bar to filter every page by that cohort or stage (it appears in the sidebar and the link). "
            "Click the background of the chart, remove the chip in the sidebar, or press **Reset filters** to go "
            "back."
        )
    )
