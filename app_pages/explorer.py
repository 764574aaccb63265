"""Data explorer: counts pivoted by up to two dimensions, and (restricted access only) the
pseudonymous person table with one person's stage history. At the public level there is no
person table, no drill-down and no row-level download: the page never asks for them."""

import pandas as pd
import streamlit as st

import charts
from data_access.programme import PIVOT_DIMENSIONS, PIVOT_TITLES
from ui.context import View
from ui.widgets import chart, download, escape, page_header, people_to_show

NONE = "—"
# Bound widgets keep their option text in the URL, so the options are the readable titles.
BY_TITLE = {PIVOT_TITLES[d]: d for d in PIVOT_DIMENSIONS}
SHOWN_ROWS = 2_000


def render(view: View) -> None:
    filters, data = view.filters, view.data
    page_header("Data explorer", view, "Count people by any one or two dimensions; download exactly what is shown.")
    if not people_to_show(view):
        return

    left, right = st.columns(2)
    rows = BY_TITLE[left.selectbox("Rows", options=list(BY_TITLE), key="rows", bind="query-params")]
    title = right.selectbox("Columns (optional)", options=[NONE, *BY_TITLE], key="columns", bind="query-params")
    columns = BY_TITLE.get(title, NONE)
    dims = [rows] if columns in (NONE, rows) else [rows, columns]
    pivot = _pivot(data.counts_by(filters, dims), dims)
    st.dataframe(pivot, hide_index=True, width="stretch")
    download(pivot, "pivot-" + "-by-".join(dims), view, key="explorer-pivot-csv")
    figure = data.figure(charts.pivot_chart, data.counts_by, filters, dims, options=(dims,))
    chart(figure, key="explorer-chart", view=view)

    if view.access.public:
        st.info(
            "Person-level rows are not available at the public access level: this dashboard shows "
            "disclosure-controlled aggregates only. See **About the data** for the rules.",
            icon=":material/shield_lock:",
        )
        return
    _people(view)


def _pivot(counts: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """The counts as a table: one row per value of the first dimension, one column per value of
    the second. Public tables carry the released text of each count ("<5"); the pivot shows it."""
    rows = dims[0]
    value = "people_text" if "people_text" in counts else "people"
    if len(dims) == 1:
        return counts[[f"{rows}_label", value]].rename(columns={f"{rows}_label": PIVOT_TITLES[rows], value: "people"})
    return (
        counts.pivot_table(
            index=f"{rows}_label", columns=f"{dims[1]}_label", values=value, aggfunc="first", observed=True, sort=False
        )
        .rename_axis(index=PIVOT_TITLES[rows], columns=None)
        .reset_index()
    )


def _people(view: View) -> None:
    """The person table (restricted only) and a selected person's stage history."""
    filters, data = view.filters, view.data
    st.subheader("People")
    st.caption(
        "Pseudonymous rows: ids are not names and the table holds nothing that locates a person. "
        "Restricted access only. Select a row to see that person's stage history."
    )
    people = data.person_table(filters, limit=SHOWN_ROWS)  # the CSV below takes every row, when asked
    if view.base_n > SHOWN_ROWS:
        st.caption(
            f"Showing the first {SHOWN_ROWS:,} of {view.base_n:,} people: narrow the filters to find someone, "
            "or download the CSV for all of them."
        )
    event = st.dataframe(
        people.head(SHOWN_ROWS),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="explorer-people",
        column_config={"days_in_stage": st.column_config.NumberColumn("Days in stage", format="localized")},
    )
    download(lambda: data.person_table(filters), "people", view, key="explorer-people-csv")
    selected = event.selection.rows if event else []
    if selected:
        person_id = people.iloc[selected[0]]["person_id"]
        st.markdown(f"**Stage history of {escape(person_id)}**")
        st.dataframe(data.stage_history(person_id), hide_index=True, width="stretch")
