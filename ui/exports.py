"""Exports beside every chart (PNG, SVG, CSV), the share link, and the briefing-pack download.

Files are made only when a button is clicked (`data=` a callable, `on_click="ignore"`), and a
page's chart buttons only while their menu is open, so a rerun costs nothing extra. Every
export takes the table the page shows and a `note`, never queries again: at the public access
level the caller passes the released table and the disclosure note, and the file says no more
than the screen.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from charts import Figure
from charts import export as chart_export
from data_access import DIMENSIONS, export
from data_access.columns import hxl_tags
from i18n import _, ngettext
from i18n import format as fmt
from ui.context import View

PNG, SVG, CSV, HTML = "image/png", "image/svg+xml", "text/csv", "text/html"


def n_text(view: View) -> str:
    """The selection's size as the page shows it (released: rounded or withheld at public)."""
    return view.data.base_text(view.filters) or _("too few to show")


def image_caption(view: View) -> str:
    """What an exported image says under its title: selection, base, as-of date, source."""
    synthetic = view.snapshot.info.manifest.get("synthetic")
    source = _("Second Chance, synthetic sample data") if synthetic else "Second Chance"
    return _("{selection} · n = {n} · as of {date} · {source}").format(
        selection=view.description, n=n_text(view), date=fmt.date(view.snapshot.as_of), source=source
    )


def data_note(view: View, note: str = "") -> str:
    """The note a downloaded table carries: selection and date, then `note` (e.g. disclosure
    rules), then whether the data are synthetic."""
    lines = [
        _("Second Chance · {selection} · n = {n} · as of {date}").format(
            selection=view.description, n=n_text(view), date=fmt.date(view.snapshot.as_of)
        )
    ]
    if note:
        lines.append(note)
    if view.snapshot.info.manifest.get("synthetic"):
        lines.append(_("Synthetic sample data: no real person is described."))
    return "\n".join(lines)


def chart_downloads(
    fig: Figure, table: pd.DataFrame, view: View, *, key: str, note: str = "", menu: bool = False
) -> None:
    """PNG (2x), SVG and CSV of one chart: in a row of small buttons under it, or with `menu` in
    one "Download" menu whose buttons are made only while it is open (opening it reruns the page,
    from the result cache). A page of charts otherwise sends three buttons a chart on every
    filter change; a slide, with its one chart, keeps them in view."""
    if not menu:
        with st.container(horizontal=True, gap="small", key=f"{key}-exports"):
            _chart_files(fig, table, view, key=key, note=note)
        return
    with st.popover(
        _("Download"),
        icon=":material/download:",
        type="tertiary",
        key=f"{key}-exports",
        on_change="rerun",
        help=_("This chart as a PNG or SVG image, or its table as CSV"),
    ) as box:
        if box.open:
            _chart_files(fig, table, view, key=key, note=note)


def _chart_files(fig: Figure, table: pd.DataFrame, view: View, *, key: str, note: str) -> None:
    as_of = view.snapshot.as_of
    caption = image_caption(view)
    files = (
        (
            "png",
            PNG,
            lambda: chart_export.png(fig, caption=caption),
            ":material/image:",
            _("The chart as a PNG image at twice screen resolution (1920 px wide), for slides"),
        ),
        (
            "svg",
            SVG,
            lambda: chart_export.svg(fig, caption=caption),
            ":material/shape_line:",
            _("The chart as an SVG vector image, for print or editing"),
        ),
        (
            "csv",
            CSV,
            lambda: export.csv_bytes(table, data_note(view, note), hxl=hxl_tags(table.columns)),
            ":material/table:",
            _("The chart's own table, with the selection, date and disclosure rules in the first lines"),
        ),
    )
    for extension, mime, data, icon, words in files:
        st.download_button(
            extension.upper(),
            data=data,
            file_name=export.file_name(key, view.filters.codes(), as_of, extension),
            mime=mime,
            key=f"{key}-{extension}",
            icon=icon,
            type="tertiary",
            on_click="ignore",
            help=words,
        )


def current_link(page_url: str | None, params: dict[str, list[str]]) -> str:
    """The full link to this view: the page's URL (from the browser) and its query string,
    snapshot and filters first, then the page's own settings."""
    first = [key for key in ("snapshot", *DIMENSIONS) if key in params]
    ordered = {key: params[key] for key in [*first, *(key for key in params if key not in first)]}
    query = urlencode({key: values for key, values in ordered.items() if values}, doseq=True)
    return (page_url or "") + (f"?{query}" if query else "")


def share(view: View) -> None:
    """A popover with this view's link (page, snapshot, filters) ready to copy, and the
    selection in words."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    link = current_link(st.context.url, params)
    with st.popover(_("Share this view"), icon=":material/share:", width="stretch", key="share"):
        st.caption(_("This link opens this page with the same snapshot, filters and language:"))
        st.code(link, language=None, wrap_lines=True)
        # Plain text: the description holds labels from data, which must not act as Markdown.
        line = ngettext(
            "{n} person · {selection} · as of {date}", "{n} people · {selection} · as of {date}", view.base_n
        )
        st.text(line.format(n=n_text(view), selection=view.description, date=fmt.date(view.snapshot.as_of)))
        st.caption(_("Select the link and copy it; on a computer, a copy button also appears when you point at it."))
