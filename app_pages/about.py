"""About the data: the loaded snapshot's manifest and warnings, the methodology, the disclosure
rules in force and the data dictionary."""

import streamlit as st

from data_access import Filters
from data_access.dictionary import data_dictionary
from data_access.narrative import long_date
from ui.context import View
from ui.widgets import escape, page_header

METHODOLOGY = """
- **Current stage**: the stage a person entered last and has not left, as of the snapshot date.
- **Men, women, children**: adults (18 and over at return) by recorded sex, and everyone under 18 at return.
  Age bands are UNHCR's (0-4, 5-11, 12-17, 18-59, 60+), at return.
- **In active support**: currently in a rehabilitation-track stage (arrival, adaptation centre, family
  placement, documents and benefits, school/training/work, community follow-up).
- **Ever on the justice track**: ever entered investigation or custody.
- **Time to milestone**: share of a cohort that reached family placement, or school/training/work, within N
  months of the cohort's arrival. Each cohort's line stops at the months it has been observed for.
- **Who is stuck**: days since a person entered their current stage; closed and lost cases are not counted.
- **Scores**: 0 (worst) to 1 (best) on IOM's economic, social and psychosocial dimensions; the composite is the
  plain mean of the dimensions a person was scored on (our convention). Medians and quartiles are per half-year.
- **Percentages** in sentences are given only for groups of 20 people or more, and never as a rounded 0% or
  100% of a group in which some, but not all, are counted.
- **Snapshots** are exports as of a date; deltas compare the same selection with the previous snapshot.
"""


def render(view: View) -> None:
    page_header("About the data", view)
    _snapshot(view)
    _validation(view)
    st.subheader("Methodology")
    st.markdown(METHODOLOGY)
    _disclosure(view)
    st.subheader("Data dictionary")
    st.dataframe(data_dictionary(view.snapshot.kind), hide_index=True, width="stretch")
    st.caption("The full contract, with the manifest and loading rules: docs/data-contract.md in the repository.")


def _snapshot(view: View) -> None:
    snapshot = view.snapshot
    manifest = snapshot.info.manifest
    if snapshot.kind == "records":
        holds = {
            "People": [f"{len(snapshot.people):,}"],
            "Stage events": [f"{len(snapshot.events):,}"],
            "Assessments": [f"{len(snapshot.assessments):,}"],
            "Service records": [f"{len(snapshot.services):,}"],
        }
    else:
        holds = {
            "Holds": ["aggregates per cell only, no person rows"],
            "People (published figure)": [view.data.base_text(Filters()) or "—"],
            "Cells": [f"{len(snapshot.aggregates['cells']):,}"],
        }
    st.subheader("This snapshot")
    # st.table renders Markdown in its cells, so the manifest's values are escaped.
    st.table(
        {
            "Snapshot": [escape(snapshot.id)],
            "As of": [long_date(snapshot.as_of)],
            "Country": [escape(manifest.get("country", ""))],
            "Access level": [escape(manifest.get("access_level", ""))],
            "Schema version": [escape(manifest.get("schema_version", ""))],
            "Synthetic": ["yes" if manifest.get("synthetic") else "no"],
            "Made by": [escape(manifest.get("source", "not stated"))],
            **holds,
        }
    )
    for note in manifest.get("notes") if isinstance(manifest.get("notes"), list) else []:
        st.markdown(f"- {escape(str(note))}")


def _validation(view: View) -> None:
    warnings = view.snapshot.warnings
    st.subheader("Validation")
    if not warnings:
        st.success("The snapshot passed every check of the data contract.")
        return
    st.warning(f"{len(warnings)} warning(s) while loading; the figures leave out what is listed here.")
    st.dataframe(
        [
            {
                "file": p.table,
                "column": p.column,
                "what the loader did": p.text,
                "rows": p.rows,
                "example": p.example,
            }
            for p in warnings
        ],
        hide_index=True,
        width="stretch",
    )


def _disclosure(view: View) -> None:
    snapshot = view.snapshot
    st.subheader("Disclosure control")
    st.markdown(
        "**Access level of this server: "
        + view.access.badge
        + ".** It is set by whoever runs the server (environment variable `SECOND_CHANCE_ACCESS`), never from "
        "the page or the link."
    )
    st.markdown("\n".join(f"- {escape(line)}" for line in view.data.methodology()))
    if view.access.problem:
        st.warning(f"The configured access level could not be used ({view.access.problem}); the public level applies.")
    report = snapshot.info.manifest.get("disclosure")
    if isinstance(report, dict):
        st.markdown("**How this snapshot was published**")
        st.dataframe(
            [{"rule or figure": str(key).replace("_", " "), "value": str(value)} for key, value in report.items()],
            hide_index=True,
            width="stretch",
        )
    if snapshot.perturbation is not None:
        with st.expander("The perturbation table", icon=":material/casino:"):
            st.caption(
                "For each true count, the values it may be published as and how likely each is. Which one a group "
                "of people gets is fixed by the sum of their record keys (the cell key), so the same people always "
                "get the same number. Counts from the last row on get the same noise."
            )
            st.dataframe(snapshot.perturbation.table(), hide_index=True, width="stretch")
    st.caption("Every CSV download starts with these notes, as `#` lines before the data.")
