"""Data explorer: counts pivoted by up to two dimensions, and (restricted access only) the
pseudonymous person table with one person's stage history, optionally only the people counted as
stuck (`?stuck=180`, the link from Reintegration progress). At the public level there is no
person table, no drill-down and no row-level download: the page never asks for them. Where the
release layer records person-level views in an audit trail that cannot be written, it refuses
them, and the page says so in their place."""

import hashlib
import json
from functools import partial

import pandas as pd
import streamlit as st

import charts
from data_access.audit import AuditUnavailable
from data_access.narrative import stuck_rule
from data_access.programme import PIVOT_DIMENSIONS, PIVOT_TITLES, STUCK_THRESHOLDS
from i18n import _, ngettext
from i18n import format as fmt
from ui.boundary import section
from ui.context import View
from ui.tables import dataframe, readable
from ui.widgets import chart, choice, download, escape, page_header, people_to_show

URL_PATH = "explorer"
NONE = "none"
PAGE_ROWS = 50
"""People a page of the person table shows: a screenful to scan, and what a rerun can send
quickly (every shown cell goes to the browser twice, as its value and as its words)."""
STUCK = "stuck"
"""The setting that lists only the people counted as stuck at a threshold in days (`?stuck=180`)."""
EVERYONE = "all"
STUCK_COLUMNS = ("person_id", "stage", "days_in_stage", "in_stage_since", "cohort", "region", "sex", "age_band")
"""The stuck people's table: where they are and for how long first (the CSV keeps every column)."""


def page(view: View) -> st.Page:
    """This page bound to `view`, for a link from another page (`st.page_link`): the same page
    `app_pages.navigation` registers, since a page is known by its URL path."""
    return st.Page(partial(render, view), title=_("Data explorer"), url_path=URL_PATH, icon=":material/table_view:")


def render(view: View) -> None:
    filters, data = view.filters, view.data
    page_header(
        _("Data explorer"), view, _("Count people by any one or two dimensions; download exactly what is shown.")
    )
    if not people_to_show(view):
        return

    titles = {dim: _(PIVOT_TITLES[dim]) for dim in PIVOT_DIMENSIONS}
    left, right = st.columns(2)
    with left:
        rows = choice(_("Rows"), titles, key="rows", default="cohort")
    with right:
        columns = choice(_("Columns (optional)"), {NONE: "—", **titles}, key="columns", default=NONE)
    dims = [rows] if columns in (NONE, rows) else [rows, columns]
    counts = data.counts_by(filters, dims)
    pivot, labels = _pivot(counts, dims)
    table, config = readable(pivot, view.snapshot)
    config.update({f"{dims[0]}_label": titles[dims[0]], **labels})
    dataframe(table, config)
    download(pivot, "pivot-" + "-by-".join(dims), view, key="explorer-pivot-csv")
    figure = data.figure(charts.pivot_chart, data.counts_by, filters, dims, options=(dims,))
    chart(figure, key="explorer-chart", view=view)

    if view.access.public:
        st.info(
            _(
                "Person-level rows are not available at the public access level: this dashboard shows "
                "disclosure-controlled aggregates only. See **About the data** for the rules."
            ),
            icon=":material/shield_lock:",
        )
        return
    refusal = data.person_refusal()
    if refusal:
        st.warning(refusal, icon=":material/policy:")
        return
    _people_section(view)


@section
def _people_section(view: View) -> None:
    """The person table as a section of its own: paging, ordering, listing and picking a row
    rerun it, not the pivot and chart above it."""
    try:
        _people(view)
    except AuditUnavailable as error:
        st.warning(str(error), icon=":material/policy:")


def _pivot(counts: pd.DataFrame, dims: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The counts as a table, one row per value of the first dimension (its code and its label),
    one count column per value of the second, named by its code: a CSV's column names are the
    same in every language. Also the count columns' titles as people read them. Public tables
    carry the released text of each count ("<5"); the pivot shows it."""
    rows = dims[0]
    value = "people_text" if "people_text" in counts else "people"
    if len(dims) == 1:
        return counts[[rows, f"{rows}_label", value]].rename(columns={value: "people"}), {"people": _("People")}
    second = dims[1]
    table = counts.assign(**{second: counts[second].astype(str)}).pivot_table(
        index=[rows, f"{rows}_label"], columns=second, values=value, aggfunc="first", observed=True, sort=False
    )
    titles = dict(zip(counts[second].astype(str), counts[f"{second}_label"].astype(str), strict=True))
    return table.rename_axis(columns=None).reset_index(), titles


def _people(view: View) -> None:
    """The person table (restricted only), everyone in the selection or only the people counted
    as stuck, and a selected person's stage history."""
    filters, data = view.filters, view.data
    st.subheader(_("People"), anchor=False)
    st.caption(
        _(
            "Pseudonymous rows: ids are not names and the table holds nothing that locates a person. "
            "Restricted access only. Select a row to see that person's stage history."
        )
    )
    listed = choice(_("People to list"), _list_options(), key=STUCK, default=EVERYONE)
    stuck_days = None if listed == EVERYONE else int(listed)
    if stuck_days is None:
        n = view.base_n
    else:
        n = data.stuck_count(filters, stuck_days)
        st.markdown(escape(stuck_rule(view.snapshot.stages, view.snapshot.labels("stage"), stuck_days)))
        st.markdown(
            ngettext(
                "**{n}** person counted as stuck.",
                "**{n}** people counted as stuck.",
                n,
            ).format(n=fmt.count(n))
        )
    if n == 0:
        return
    left, right = st.columns(2)
    with left:
        order = choice(_("Order"), _order_options(), key="order", default="longest")
    # A new selection, listing or order starts at its first page, with nobody selected: the
    # page's widgets are new ones.
    listing = hashlib.sha256(json.dumps([filters.to_query(), listed, order]).encode()).hexdigest()[:12]
    pages = -(-n // PAGE_ROWS)
    number = 1
    if pages > 1:
        with right:
            number = int(st.number_input(_("Page"), 1, pages, value=1, step=1, key=f"explorer-page-{listing}"))
    offset = (number - 1) * PAGE_ROWS
    people = data.person_table(filters, limit=PAGE_ROWS, stuck_days=stuck_days, offset=offset, order=order)
    if pages > 1:
        st.caption(
            _("People {first}–{last} of {n} (page {page} of {pages}); the CSV below has all of them.").format(
                first=fmt.count(offset + 1),
                last=fmt.count(offset + len(people)),
                n=fmt.count(n),
                page=fmt.count(number),
                pages=fmt.count(pages),
            )
        )
    table, config = readable(people, view.snapshot)
    config["days_in_stage"] = _("Days in current stage")
    with st.container(key="explorer-people"):
        event = dataframe(
            table,
            on_select="rerun",
            selection_mode="single-row",
            key=f"explorer-people-{listing}-{number}",
            column_config=config,
            column_order=None if stuck_days is None else STUCK_COLUMNS,
        )
    name = "people" if stuck_days is None else f"people-stuck-{stuck_days}-days"
    download(
        lambda: data.person_table(filters, stuck_days=stuck_days, order=order, download=True),
        name,
        view,
        key="explorer-people-csv",
    )
    selected = event.selection.rows if event else []
    if selected:
        person_id = people.iloc[selected[0]]["person_id"]
        st.markdown(_("**Stage history of {person}**").format(person=escape(person_id)))
        history, config = readable(data.stage_history(person_id, filters), view.snapshot)
        dataframe(history, config)


def _order_options() -> dict[str, str]:
    """The person table's orders (`queries.PERSON_ORDERS`): over everyone listed, before paging."""
    return {
        "longest": _("Longest in their current stage first"),
        "newest": _("Newest in their current stage first"),
        "id": _("By pseudonymous id"),
    }


def _list_options() -> dict[str, str]:
    """Everyone in the selection, or the people stuck at a threshold the progress page offers:
    one of its slider's steps, or a whole number of days between them that a link asks for (the
    slider takes those too). Codes in the link (`all`, `180`), words on screen."""
    days = set(STUCK_THRESHOLDS)
    asked = st.query_params.get(STUCK, "")
    if asked.isdigit() and asked == str(int(asked)) and STUCK_THRESHOLDS[0] <= int(asked) <= STUCK_THRESHOLDS[-1]:
        days.add(int(asked))
    stuck = {
        str(n): ngettext(
            "Only people counted as stuck: over {days} day in their stage",
            "Only people counted as stuck: over {days} days in their stage",
            n,
        ).format(days=fmt.count(n))
        for n in sorted(days)
    }
    return {EVERYONE: _("Everyone in the selection"), **stuck}
