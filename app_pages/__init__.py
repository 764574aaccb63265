"""The dashboard's pages: one module each, with `render(view)` drawing the page for this run's
`View`. `navigation(view)` gives `st.navigation` the pages, each a callable bound to the view, so
a page never looks its data up: it is handed it."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages import about, explorer, overview, present, progress, regions, repatriations
from ui.context import View

# (section, module, title, URL path, icon); the first page is the default, at "/".
PAGES = (
    ("Where things stand", overview, "Overview", "overview", ":material/dashboard:"),
    ("Where things stand", repatriations, "Repatriations", "repatriations", ":material/flight_land:"),
    ("Reintegration", progress, "Reintegration progress", "progress", ":material/trending_up:"),
    ("Reintegration", regions, "Regions", "regions", ":material/map:"),
    ("Data", explorer, "Data explorer", "explorer", ":material/table_view:"),
    ("Data", about, "About the data", "about", ":material/info:"),
    ("Briefings", present, "Present", "present", ":material/slideshow:"),
)


def navigation(view: View) -> dict[str, list[st.Page]]:
    """The pages by section, each a callable that renders its module with `view`."""
    sections: dict[str, list[st.Page]] = {}
    for i, (section, module, title, url_path, icon) in enumerate(PAGES):
        page = st.Page(partial(module.render, view), title=title, icon=icon, url_path=url_path, default=i == 0)
        sections.setdefault(section, []).append(page)
    return sections
