"""Second Chance: where every returnee cohort stands, region by region and stage by stage.

Entry point: page config, then this run's `View` (the access level, the snapshot picker and the
global filters in the sidebar, kept in the URL), then the page the user chose, handed that view
(`app_pages`: one module per page, each with `render(view)`).
"""

import streamlit as st

from app_pages import navigation
from data_access.cells import warm_up
from ui import heap, style
from ui.boundary import configure_logging, error_boundary
from ui.context import apply_language, build_view, report_ignored_link_values, tidy_link
from ui.exports import share

configure_logging()
st.set_page_config(page_title="Second Chance", page_icon="assets/icon.png", layout="wide")
apply_language()
st.logo("assets/logo.svg", size="large")
style.apply()
with error_boundary():
    view = build_view()
    page = st.navigation(navigation(view))
    with st.sidebar:
        share(view)
    try:
        page.run()
    finally:
        warm_up(view.snapshot)  # after the page, so that a server's first page is not slowed by it
        heap.after_run()
    report_ignored_link_values()
    tidy_link()
