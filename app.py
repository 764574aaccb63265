"""Second Chance: where every returnee cohort stands, region by region and stage by stage.

Entry point: page config, the snapshot picker and global filters (drawn once, shared by every
page and kept in the URL), then the page the user chose.
"""

import streamlit as st

from data_access.cells import warm_up
from ui.boundary import configure_logging, error_boundary
from ui.context import build_view, report_ignored_link_values
from ui.exports import csv_only_through_exports, share

configure_logging()
st.set_page_config(page_title="Second Chance", page_icon="assets/icon.png", layout="wide")

pages = st.navigation(
    {
        "Where things stand": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page("pages/repatriations.py", title="Repatriations", icon=":material/flight_land:"),
        ],
        "Reintegration": [
            st.Page("pages/progress.py", title="Reintegration progress", icon=":material/trending_up:"),
            st.Page("pages/regions.py", title="Regions", icon=":material/map:"),
        ],
        "Data": [
            st.Page("pages/explorer.py", title="Data explorer", icon=":material/table_view:"),
            st.Page("pages/about.py", title="About the data", icon=":material/info:"),
        ],
        "Briefings": [
            st.Page("pages/present.py", title="Present", icon=":material/slideshow:"),
        ],
    }
)
st.logo("assets/logo.svg", size="large")
csv_only_through_exports()
with error_boundary():
    view = build_view()
    with st.sidebar:
        share(view)
    try:
        pages.run()
    finally:
        warm_up(view.snapshot)  # after the page, so that a server's first page is not slowed by it
    report_ignored_link_values()
