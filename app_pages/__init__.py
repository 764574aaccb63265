"""The dashboard's pages: one module each, with `render(view)` drawing the page for this run's
`View`. `navigation(view)` gives `st.navigation` the pages, each a callable bound to the view, so
a page never looks its data up: it is handed it."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages import about, explorer, overview, present, progress, regions, repatriations
from i18n import N_, _
from ui.context import View

# (section, module, title, URL path, icon); the first page is the default, at "/".
PAGES = (
    (N_("Where things stand"), overview, N_("Overview"), "overview", ":material/dashboard:"),
    (N_("Where things stand"), repatriations, N_("Repatriations"), "repatriations", ":material/flight_land:"),
    (N_("Reintegration"), progress, N_("Reintegration progress"), "progress", ":material/trending_up:"),
    (N_("Reintegration"), regions, N_("Regions"), "regions", ":material/map:"),
    (N_("Data"), explorer, N_("Data explorer"), explorer.URL_PATH, ":material/table_view:"),
    (N_("Data"), about, N_("About the data"), "about", ":material/info:"),
    (N_("Briefings"), present, N_("Present"), "present", ":material/slideshow:"),
)


def navigation(view: View) -> dict[str, list[st.Page]]:
    """The pages by section (titles in this run's language), each a callable that renders its
    module with `view`."""
    sections: dict[str, list[st.Page]] = {}
    for i, (section, module, title, url_path, icon) in enumerate(PAGES):
        page = st.Page(partial(module.render, view), title=_(title), icon=icon, url_path=url_path, default=i == 0)
        sections.setdefault(_(section), []).append(page)
    return sections
