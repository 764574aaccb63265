"""Small building blocks every page uses: the header with base n, the empty state, key-figure
tiles, and a chart with its data table and CSV download beside it."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from charts import Figure
from data_access.narrative import long_date, share
from ui.context import View
from ui.text import escape


def page_header(title: str, view: View, intro: str = "") -> None:
    st.title(title)
    if intro:
        st.caption(intro)
    as_of = long_date(view.snapshot.as_of)
    st.markdown(
        f"**{view.base_n:,}** {'person' if view.base_n == 1 else 'people'} · "
        f"{escape(view.description)} · as of {as_of}",
        help="The filters in the sidebar apply to every page. Use **Reset filters** to see everyone.",
    )


def require_people(view: View) -> None:
    """Stop the page with an empty state that says what to change."""
    if view.base_n == 0:
        st.info(
            "**No one matches this selection.** Remove a filter in the sidebar (click the × on a "
            "chip) or press **Reset filters** to see everyone.",
            icon=":material/filter_alt_off:",
        )
        st.stop()


def tiles(headline: pd.DataFrame, previous_label: str | None, per_row: int = 4) -> None:
    """Key figures with the change since the previous snapshot."""
    base = int(headline.loc[headline["measure"] == "people", "value"].iloc[0])
    rows = [headline.iloc[i : i + per_row] for i in range(0, len(headline), per_row)]
    for chunk in rows:
        for column, row in zip(st.columns(per_row), chunk.itertuples(), strict=False):
            pct = share(int(row.value), base) if row.measure != "people" else ""
            delta = None
            if previous_label and pd.notna(row.delta):
                delta = (
                    f"{int(row.delta):+,} since {previous_label}" if row.delta else f"no change since {previous_label}"
                )
            column.metric(
                row.label,
                f"{int(row.value):,}",
                delta=delta,
                delta_color="off",
                delta_arrow="auto" if delta and row.delta else "off",
                help=f"{pct} of the selection" if pct else None,
                border=True,
            )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def chart(fig: Figure, *, key: str, view: View, table: pd.DataFrame | None = None, on_select=None) -> None:
    """Draw a figure, then its data as a table with a CSV download of exactly that table."""
    kwargs = {"on_select": on_select, "selection_mode": None} if on_select else {}
    st.vega_lite_chart(fig.data, fig.spec, alt=fig.alt, width="stretch", key=key, **kwargs)
    shown = fig.data if table is None else table
    with st.expander("Show data", icon=":material/table:"):
        st.caption(escape(fig.alt))
        st.dataframe(shown, hide_index=True, width="stretch")
        download(shown, f"{slug(fig.title)}", view, key=f"{key}-csv")


def download(table: pd.DataFrame, name: str, view: View, *, key: str) -> None:
    file_name = f"second-chance_{name}_{slug(view.description)}_{view.snapshot.as_of.isoformat()}.csv"
    st.download_button(
        "Download CSV",
        data=lambda: table.to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )
