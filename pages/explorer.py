"""Data explorer: counts pivoted by up to two dimensions, and (restricted access only) the
pseudonymous person table with one person's stage history. At the public level there is no
person table, no drill-down and no row-level download: the page never asks for them."""

import streamlit as st

import charts
from data_access import queries as q
from ui.context import view
from ui.widgets import chart, download, escape, page_header, require_people

NONE = "—"
# Bound widgets keep their option text in the URL, so the options are the readable titles.
BY_TITLE = {q.PIVOT_TITLES[d]: d for d in q.PIVOT_DIMENSIONS}

v = view()
filters, data = v.filters, v.data
page_header("Data explorer", v, "Count people by any one or two dimensions; download exactly what is shown.")
require_people(v)

left, right = st.columns(2)
rows = BY_TITLE[left.selectbox("Rows", options=list(BY_TITLE), key="rows", bind="query-params")]
columns_title = right.selectbox("Columns (optional)", options=[NONE, *BY_TITLE], key="columns", bind="query-params")
columns = BY_TITLE.get(columns_title, NONE)
dims = [rows] if columns in (NONE, rows) else [rows, columns]
# Public tables carry the released text of each count ("<5", "withheld"); the pivot shows it.
counts = data.counts_by(filters, dims)
value = "people_text" if "people_text" in counts else "people"
if len(dims) == 1:
    pivot = counts[[f"{rows}_label", value]].rename(columns={f"{rows}_label": q.PIVOT_TITLES[rows], value: "people"})
else:
    pivot = (
        counts.pivot_table(
            index=f"{rows}_label",
            columns=f"{columns}_label",
            values=value,
            aggfunc="first",
            observed=True,
            sort=False,
        )
        .rename_axis(index=q.PIVOT_TITLES[rows], columns=None)
        .reset_index()
    )
st.dataframe(pivot, hide_index=True, width="stretch")
download(pivot, "pivot-" + "-by-".join(dims), v, key="explorer-pivot-csv")
chart(data.figure(charts.pivot_chart, "counts_by", filters, dims, options=(dims,)), key="explorer-chart", view=v)

if v.access.public:
    st.info(
        "Person-level rows are not available at the public access level: this dashboard shows "
        "disclosure-controlled aggregates only. See **About the data** for the rules.",
        icon=":material/shield_lock:",
    )
    st.stop()

st.subheader("People")
st.caption(
    "Pseudonymous rows: ids are not names and the table holds nothing that locates a person. "
    "Restricted access only. Select a row to see that person's stage history."
)
SHOWN_ROWS = 2_000
people = data.person_table(filters, limit=SHOWN_ROWS)  # the CSV below takes every row, when asked
if v.base_n > SHOWN_ROWS:
    st.caption(
        f"Showing the first {SHOWN_ROWS:,} of {v.base_n:,} people: narrow the filters to find someone, "
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
download(lambda: data.person_table(filters), "people", v, key="explorer-people-csv")
selected = event.selection.rows if event else []
if selected:
    person_id = people.iloc[selected[0]]["person_id"]
    st.markdown(f"**Stage history of {escape(person_id)}**")
    st.dataframe(data.stage_history(person_id), hide_index=True, width="stretch")
