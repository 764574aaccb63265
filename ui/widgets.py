"""Small building blocks every page uses: the header with base n, the empty state, key-figure
tiles, and a chart with its data table and CSV download beside it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from charts import Figure
from data_access import export
from data_access.export import csv_bytes
from data_access.narrative import long_date
from data_access.release import SelectionTooSmall
from ui.context import View
from ui.exports import chart_downloads, data_note
from ui.text import escape


def page_header(title: str, view: View, intro: str = "") -> None:
    st.title(title)
    if intro:
        st.caption(intro)
    as_of = long_date(view.snapshot.as_of)
    n = view.data.base_text(view.filters)
    size = f"**{n}** {'person' if n == '1' else 'people'}" if n is not None else "**Selection too small to show**"
    st.markdown(
        f"{size} · {escape(view.description)} · as of {as_of}",
        help="The filters in the sidebar apply to every page. Use **Reset filters** to see everyone.",
    )
    icon = ":material/public:" if view.access.public else ":material/lock:"
    st.caption(f"{icon} {view.access.badge}")


def too_small(error: SelectionTooSmall | None = None) -> None:
    """What a public page shows instead of figures for a small selection."""
    st.info(
        str(error)
        if error
        else "**Selection too small to show.** At the public access level figures are shown only for "
        "selections of enough people, with enough people outside them. Remove a filter in the sidebar "
        "or press **Reset filters**.",
        icon=":material/shield_lock:",
    )


def people_to_show(view: View) -> bool:
    """False, with an empty state or the too-small state that says what to change, when the
    selection has no one or may not be shown; the page then draws nothing more."""
    if view.base_n == 0:
        st.info(
            "**No one matches this selection.** Remove a filter in the sidebar (click the × on a "
            "chip) or press **Reset filters** to see everyone.",
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
    """Key figures with the change since the previous snapshot (texts as released: "<5" and
    "withheld" where the disclosure rules hide a figure)."""
    texts = headline["value_text"] if "value_text" in headline else headline["value"].map(lambda v: f"{int(v):,}")
    shares = headline["share_text"]
    rows = [headline.iloc[i : i + per_row] for i in range(0, len(headline), per_row)]
    for chunk in rows:
        for column, row in zip(st.columns(per_row), chunk.itertuples(), strict=False):
            pct = shares.loc[row.Index] if row.measure != "people" else ""
            delta = None
            if previous_label and pd.notna(row.delta):
                delta = (
                    f"{int(row.delta):+,} since {previous_label}" if row.delta else f"no change since {previous_label}"
                )
            column.metric(
                row.label,
                texts.loc[row.Index],
                delta=delta,
                delta_color="off",
                delta_arrow="auto" if delta and row.delta else "off",
                help=f"{pct} of the selection" if pct else None,
                border=True,
            )


def chart(
    fig: Figure, *, key: str, view: View, table: pd.DataFrame | None = None, on_select=None, note: str | None = None
) -> None:
    """Draw a figure with PNG, SVG and CSV downloads under it (the CSV carries `note`, by default
    the access level and disclosure rules in force), then its data as a table on demand."""
    kwargs = {"on_select": on_select, "selection_mode": None} if on_select else {}
    st.vega_lite_chart(fig.arrow, fig.spec, alt=fig.alt, width="stretch", key=key, **kwargs)
    shown = fig.data if table is None else table
    chart_downloads(fig, shown, view, key=key, note=disclosure_note(view) if note is None else note)
    # The table is built only while its expander is open (opening it reruns the page): a closed
    # table would cost a second Arrow conversion of the chart's data on every filter change.
    with st.expander("Show data", icon=":material/table:", key=f"{key}-data", on_change="rerun") as box:
        if box.open:
            st.caption(escape(fig.alt))
            st.dataframe(shown, hide_index=True, width="stretch")


def disclosure_note(view: View) -> str:
    """What every download carries: the access level and the rules in force, in plain words."""
    return "\n".join([view.access.badge, *view.data.methodology()])


def download(
    table: pd.DataFrame | Callable[[], pd.DataFrame], name: str, view: View, *, key: str, note: str | None = None
) -> None:
    """A CSV of exactly `table`, formulas neutralised, with the note every chart CSV carries
    first: selection, n and as-of date, then the disclosure rules (or `note`). `table` may be a
    function that makes it: then it is built only when someone downloads it."""
    file_name = export.file_name(name, view.description, view.snapshot.as_of, "csv")
    text = data_note(view, disclosure_note(view) if note is None else note)
    st.download_button(
        "Download CSV",
        data=lambda: csv_bytes(table() if callable(table) else table, text),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )
