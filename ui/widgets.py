"""Small building blocks every page uses: the header with base n, the empty state, key-figure
tiles, and a chart with its data table and CSV download beside it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from charts import Figure
from data_access import export
from data_access.columns import hxl_tags
from data_access.export import csv_bytes
from data_access.release import SelectionTooSmall
from i18n import _, ngettext
from i18n import format as fmt
from ui import text
from ui.context import View, used_setting
from ui.exports import chart_downloads, data_note
from ui.tables import dataframe, readable
from ui.text import escape


def page_header(title: str, view: View, intro: str = "") -> None:
    """The page's title and intro (already in the run's language), then the line every page
    has: the base n (or why it is not shown), the selection in words and the as-of date."""
    st.title(title, anchor=False)
    if intro:
        st.caption(intro)
    as_of = fmt.date(view.snapshot.as_of)
    n = view.data.base_text(view.filters)
    if n is None:
        line = _("**Selection too small to show** · {selection} · as of {date}")
    else:
        line = ngettext(
            "**{n}** person · {selection} · as of {date}", "**{n}** people · {selection} · as of {date}", view.base_n
        )
    st.markdown(
        line.format(n=n, selection=escape(view.description), date=as_of),
        help=_("The filters in the sidebar apply to every page. Use **Reset filters** to see everyone."),
    )
    # An emoji, not a Material icon: in Markdown an icon's name is text a screen reader reads out
    # in English ("lock"), while an emoji is announced in the reader's own language.
    icon = "🌐" if view.access.public else "🔒"
    st.caption(f"{icon} {view.access.badge}")


def too_small(error: SelectionTooSmall | None = None) -> None:
    """What a public page shows instead of figures for a small selection."""
    st.info(
        str(error)
        if error
        else _(
            "**Selection too small to show.** At the public access level figures are shown only for "
            "selections of enough people, with enough people outside them. Remove a filter in the sidebar "
            "or press **Reset filters**."
        ),
        icon=":material/shield_lock:",
    )


def people_to_show(view: View) -> bool:
    """False, with an empty state or the too-small state that says what to change, when the
    selection has no one or may not be shown; the page then draws nothing more."""
    if view.base_n == 0:
        st.info(
            _(
                "**No one matches this selection.** Remove a filter in the sidebar (click the × on a "
                "chip) or press **Reset filters** to see everyone."
            ),
            icon=":material/filter_alt_off:",
        )
        return False
    if not view.shows:
        too_small()
        return False
    return True


@contextmanager
def guarded():
    """For a chart computed on another selection than the page's (a cross-filter chart drops
    its own filter): if that selection may not be shown, say so in its place."""
    try:
        yield
    except SelectionTooSmall as error:
        too_small(error)


def tiles(headline: pd.DataFrame, previous_label: str | None, per_row: int = 4) -> None:
    """Key figures with the change since the previous snapshot (texts as released: "<5" where
    the display rules hide a figure). The date of the previous snapshot is said once, above the
    tiles, so each change reads short ("+3") and fits a tile on a phone."""
    texts = headline["value_text"] if "value_text" in headline else headline["value"].map(fmt.count)
    shares = headline["share_text"]
    changes = previous_label is not None and headline["delta"].notna().any()
    if changes:
        st.caption(_("Changes since the previous snapshot, {date}").format(date=previous_label))
    # Plain lists: a handful of tiles, where pandas' row access cost more than the metrics.
    figures = list(
        zip(
            headline["label"].tolist(),
            headline["measure"].tolist(),
            texts.tolist(),
            shares.tolist(),
            headline["delta"].tolist() if changes else [None] * len(headline),
            strict=True,
        )
    )
    with st.container(key="tiles"):
        for start in range(0, len(figures), per_row):
            chunk = figures[start : start + per_row]
            for column, (label, measure, text, share, change) in zip(st.columns(per_row), chunk, strict=False):
                pct = share if measure != "people" else ""
                delta = None
                if changes and pd.notna(change):
                    sign = "+" if change > 0 else "-"
                    delta = sign + fmt.count(abs(int(change))) if change else _("no change")
                column.metric(
                    label,
                    text,
                    delta=delta,
                    delta_color="off",
                    delta_arrow="auto" if delta and change else "off",
                    help=_("{percent} of the selection").format(percent=pct) if pct else None,
                    border=True,
                )


def chart(
    fig: Figure, *, key: str, view: View, table: pd.DataFrame | None = None, on_select=None, note: str | None = None
) -> None:
    """Draw a figure with a menu of PNG, SVG and CSV downloads under it (the CSV carries `note`, by default
    the access level and disclosure rules in force), then its data as a table on demand."""
    kwargs = {"on_select": on_select, "selection_mode": None} if on_select else {}
    st.html(f'<p class="chart-title" role="heading" aria-level="3">{text.html(fig.title)}</p>')
    st.vega_lite_chart(fig.arrow, fig.screen_spec, alt=text.plain(fig.alt), width="stretch", key=key, **kwargs)
    shown = fig.data if table is None else table
    chart_downloads(fig, shown, view, key=key, note=disclosure_note(view) if note is None else note, menu=True)
    # The table is built only while its expander is open (opening it reruns the page): a closed
    # table would cost a second Arrow conversion of the chart's data on every filter change.
    with st.expander(_("Show data"), icon=":material/table:", key=f"{key}-data", on_change="rerun") as box:
        if box.open:
            st.caption(escape(fig.alt))
            table, labels = readable(shown, view.snapshot)
            dataframe(table, labels)


def disclosure_note(view: View) -> str:
    """What every download carries: the access level and the rules in force, in plain words."""
    return "\n".join([view.access.badge, *view.data.methodology()])


def download(
    table: pd.DataFrame | Callable[[], pd.DataFrame], name: str, view: View, *, key: str, note: str | None = None
) -> None:
    """A CSV of exactly `table`, formulas neutralised, with the note every chart CSV carries
    first: selection, n and as-of date, then the disclosure rules (or `note`). `table` may be a
    function that makes it: then it is built only when someone downloads it."""
    file_name = export.file_name(name, view.filters.codes(), view.snapshot.as_of, "csv")
    text = data_note(view, disclosure_note(view) if note is None else note)
    st.download_button(
        _("Download CSV"),
        data=lambda: _csv(table() if callable(table) else table, text),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def _csv(table: pd.DataFrame, note: str) -> bytes:
    return csv_bytes(table, note, hxl=hxl_tags(table.columns))


def choice(label: str, options: dict[str, str], *, key: str, default: str, segmented: bool = False) -> str:
    """A page setting (the explorer's rows, the map's measure) kept in the URL as a code, so a link
    means the same in every language; the options read in the run's language. A value the link
    cannot give falls back to `default` (and `report_ignored_link_values` says so)."""
    used_setting(key)
    if key not in st.session_state:
        requested = st.query_params.get(key)
        st.session_state[key] = requested if requested in options else default
    if st.session_state[key] not in options:
        st.session_state[key] = default
    if segmented:
        # Wrapped onto more rows where they do not fit: in a column Streamlit would otherwise
        # scroll them sideways, and on a 390 px phone the last option sat off the screen.
        value = st.segmented_control(
            label, options=list(options), format_func=options.get, key=key, required=True, wrap=True
        )
    else:
        value = st.selectbox(label, options=list(options), format_func=options.get, key=key)
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    return value
