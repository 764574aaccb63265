"""About the data: the loaded snapshot's manifest and warnings, the methodology, the disclosure
rules in force and the data dictionary."""

import streamlit as st

import i18n
from data_access import Filters
from data_access.contract import manifest_notes
from data_access.dictionary import data_dictionary
from data_access.narrative import days_text, stuck_rule
from data_access.programme import STUCK_DEFAULT_DAYS
from data_access.publish import PUBLISHER_ONLY
from data_access.signin import DEFAULT_SESSION
from i18n import N_, _, ngettext
from i18n import format as fmt
from ui.context import View
from ui.signin import duration_text
from ui.tables import dataframe
from ui.text import code
from ui.widgets import escape, page_header

STUCK = object()
"""Where the methodology says who counts as stuck: written from the rule itself (`stuck_rule`)."""
METHODOLOGY = (
    N_("**Current stage**: the stage a person entered last and has not left, as of the snapshot date."),
    N_(
        "**Men, women, children**: adults (18 and over at return) by recorded sex, and everyone under 18 at "
        "return. Age bands are UNHCR's (0-4, 5-11, 12-17, 18-59, 60+), at return."
    ),
    N_(
        "**In active support**: currently in a rehabilitation-track stage (arrival, adaptation centre, family "
        "placement, documents and benefits, school/training/work, community follow-up)."
    ),
    N_("**Ever on the justice track**: ever entered investigation or custody."),
    N_(
        "**Time to milestone**: share of a cohort that reached family placement, or school/training/work, within N "
        "months of the cohort's arrival. Each cohort's line stops at the months it has been observed for."
    ),
    STUCK,
    N_(
        "**Scores**: 0 (worst) to 1 (best) on IOM's economic, social and psychosocial dimensions; the composite is "
        "the plain mean of the dimensions a person was scored on (our convention). Medians and quartiles are per "
        "half-year."
    ),
    N_(
        "**Percentages** in sentences are given only for groups of 20 people or more, and never as a rounded 0% or "
        "100% of a group in which some, but not all, are counted."
    ),
    N_("**Snapshots** are exports as of a date; deltas compare the same selection with the previous snapshot."),
)

ACCESS_LEVELS = {
    "restricted": N_("restricted (programme staff)"),
    "public": N_("public (disclosure-controlled aggregates)"),
}
REPORT_LABELS = {
    "person_rows_published": N_("Person rows published"),
    "method": N_("Method"),
    "record_keys": N_("Record keys"),
    "score_decimals": N_("Scores rounded to"),
}
"""What a published manifest's `disclosure` report holds (`data_access.publish`), in words."""


def _report_value(key: str, value: object) -> str:
    """A report value as a reader takes it: counts formatted, the publisher's known wording
    translated (anything else as written)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return str(value)
    if key == "score_decimals" and isinstance(value, int):
        return ngettext("{n} decimal place", "{n} decimal places", value).format(n=value)
    return fmt.count(value) if isinstance(value, int) else _(value)


def render(view: View) -> None:
    page_header(_("About the data"), view)
    _snapshot(view)
    _validation(view)
    st.subheader(_("Methodology"), anchor=False)
    st.markdown("\n".join(f"- {_stuck(view) if line is STUCK else _(line)}" for line in METHODOLOGY))
    _disclosure(view)
    st.subheader(_("Data dictionary"), anchor=False)
    dataframe(
        data_dictionary(view.snapshot.kind),
        column_config={
            "table": _("Table"),
            "column": _("Column"),
            "type": _("Type"),
            "required": _("Required"),
            "allowed values": _("Allowed values"),
            "meaning": _("Meaning"),
        },
    )
    st.caption(_("The full contract, with the manifest and loading rules: docs/data-contract.md in the repository."))


def _stuck(view: View) -> str:
    """Who counts as stuck, in the words of the rule the progress page applies, at its default
    threshold."""
    rule = stuck_rule(view.snapshot.stages, view.snapshot.labels("stage"), STUCK_DEFAULT_DAYS)
    return _(
        "**Who is stuck**: days since a person entered their current stage, against a threshold chosen on "
        "Reintegration progress ({days} unless changed). {rule}"
    ).format(days=days_text(STUCK_DEFAULT_DAYS), rule=escape(rule))


def _written(value) -> bool:
    """A manifest's field holds words (not null, a number or blanks), which the page can show."""
    return isinstance(value, str) and bool(value.strip())


def _snapshot(view: View) -> None:
    snapshot = view.snapshot
    manifest = snapshot.info.manifest
    if snapshot.kind == "records":
        holds = {
            _("People"): fmt.count(len(snapshot.people)),
            _("Stage events"): fmt.count(len(snapshot.events)),
            _("Assessments"): fmt.count(len(snapshot.assessments)),
            _("Service records"): fmt.count(len(snapshot.services)),
        }
    else:
        holds = {
            _("Holds"): _("aggregates per cell only, no person rows"),
            _("People (published figure)"): view.data.base_text(Filters()) or fmt.MISSING,
            _("Cells"): fmt.count(len(snapshot.aggregates["cells"])),
        }
    st.subheader(_("This snapshot"), anchor=False)
    # One fact a line: readable on a phone (a table of eleven columns scrolled sideways there), and
    # Markdown, so the manifest's values are escaped.
    country, source, synthetic = (manifest.get(key) for key in ("country", "source", "synthetic"))
    facts = {
        _("Snapshot"): escape(snapshot.id),
        _("As of"): fmt.date(snapshot.as_of),
        _("Country"): escape(fmt.country(country.strip()[:100])) if _written(country) else _("not stated"),
        _("Access level"): _(ACCESS_LEVELS.get(manifest.get("access_level"), N_("not stated"))),
        _("Schema version"): escape(manifest.get("schema_version", "")),
        _("Synthetic"): _("yes") if synthetic is True else _("no") if synthetic is False else _("not stated"),
        _("Made by"): code(source) if _written(source) else _("not stated"),
        **holds,
    }
    st.markdown("\n".join(f"- **{label}**: {value}" for label, value in facts.items()))
    if not snapshot.has_labels_in(i18n.language()):
        st.info(
            _(
                "This snapshot names its cohorts and stages in English only (it was exported before schema "
                "version 2), so they are shown in English."
            ),
            icon=":material/translate:",
        )
    _notes(manifest_notes(manifest, i18n.language()))


NOTES_SHOWN = 20
NOTE_CHARACTERS = 1_000
"""What the page draws of the manifest's notes at most: a manifest may hold megabytes of them,
which a browser takes tens of seconds to lay out."""


def _notes(notes: list[str]) -> None:
    lines = []
    for note in notes[:NOTES_SHOWN]:
        line = escape(note[:NOTE_CHARACTERS])
        if len(note) > NOTE_CHARACTERS:
            more = len(note) - NOTE_CHARACTERS
            line += " … " + ngettext("and {n} more character", "and {n} more characters", more).format(
                n=fmt.count(more)
            )
        lines.append(f"- {line}")
    if len(notes) > NOTES_SHOWN:
        more = len(notes) - NOTES_SHOWN
        lines.append("- " + ngettext("and {n} more note", "and {n} more notes", more).format(n=fmt.count(more)))
    if lines:
        st.markdown("\n".join(lines))


def _validation(view: View) -> None:
    warnings = view.snapshot.warnings
    st.subheader(_("Validation"), anchor=False)
    if not warnings:
        st.success(_("The snapshot passed every check of the data contract."))
    else:
        _warnings(warnings)
    notices = view.snapshot.notices
    if notices:
        st.caption(
            ngettext(
                "{n} column was stored as another type than the contract's and read without changing any value:",
                "{n} columns were stored as other types than the contract's and read without changing any value:",
                len(notices),
            ).format(n=len(notices))
        )
        dataframe(
            [{"file": p.table, "column": p.column, "what the loader did": p.text} for p in notices],
            column_config={"file": _("File"), "column": _("Column"), "what the loader did": _("What the loader did")},
        )


def _warnings(warnings) -> None:
    st.warning(
        ngettext(
            "{n} warning while loading; the figures leave out what is listed here.",
            "{n} warnings while loading; the figures leave out what is listed here.",
            len(warnings),
        ).format(n=len(warnings))
    )
    dataframe(
        [
            {"file": p.table, "column": p.column, "what the loader did": p.text, "rows": p.rows, "example": p.example}
            for p in warnings
        ],
        column_config={
            "file": _("File"),
            "column": _("Column"),
            "what the loader did": _("What the loader did"),
            "rows": st.column_config.NumberColumn(_("Rows"), format="localized"),
            "example": _("Example"),
        },
    )


def _sign_in_rules(view: View) -> str:
    """On a server that signs staff in: who gets which level, for how long, and what is recorded."""
    rules = view.access.rules
    if rules is None or rules.idle is None:
        limits = _("for at most {session} after signing in").format(
            session=duration_text(rules.session if rules else DEFAULT_SESSION)
        )
    else:
        limits = _("for at most {session} after signing in and {idle} without activity").format(
            session=duration_text(rules.session), idle=duration_text(rules.idle)
        )
    return _(
        "**Sign-in.** This server signs programme staff in with the organisation's identity provider. A visitor who "
        "is not signed in sees the public level. A signed-in account sees the restricted level only when the "
        "server's configuration authorises it (its e-mail address, its e-mail domain, or a group or role its "
        "provider gives it), {limits}; then it must sign in again. Every sign-in, sign-out and refusal, and every "
        "view of person-level data, is recorded in an audit trail."
    ).format(limits=limits)


def _disclosure(view: View) -> None:
    snapshot = view.snapshot
    st.subheader(_("Disclosure control"), anchor=False)
    st.markdown(
        _(
            "**Access level of this server: {level}.** It is set by whoever runs the server (environment variable "
            "`SECOND_CHANCE_ACCESS`), never from the page or the link."
        ).format(level=view.access.badge)
    )
    if view.access.sign_in:
        st.markdown(_sign_in_rules(view))
    st.markdown("\n".join(f"- {escape(line)}" for line in view.data.methodology()))
    if view.access.problem:
        st.warning(
            _("The configured access level could not be used ({problem}); the public level applies.").format(
                problem=escape(view.access.problem)
            )
        )
    report = snapshot.info.manifest.get("disclosure")
    if isinstance(report, dict):
        st.markdown(_("**How this snapshot was published**"))
        dataframe(
            [
                {"rule or figure": _(REPORT_LABELS.get(key, key)), "value": _report_value(key, value)}
                for key, value in report.items()
                if key not in PUBLISHER_ONLY  # a manifest published before they were left out
            ],
            column_config={"rule or figure": _("Rule or figure"), "value": _("Value")},
        )
    if snapshot.perturbation is not None:
        with st.expander(_("The perturbation table"), icon=":material/casino:"):
            st.caption(
                _(
                    "For each true count, the values it may be published as and how likely each is. Which one a "
                    "group of people gets is fixed by the sum of their record keys (the cell key), so the same "
                    "people always get the same number. Counts from the last row on get the same noise."
                )
            )
            dataframe(
                snapshot.perturbation.table(),
                column_config={
                    "count": _("True count"),
                    "published": _("Published as"),
                    "probability": st.column_config.NumberColumn(_("Probability"), format="%.3f"),
                    "key_from": st.column_config.NumberColumn(_("Cell key from"), format="%.3f"),
                    "key_to": st.column_config.NumberColumn(_("Cell key to"), format="%.3f"),
                },
            )
    st.caption(_("Every CSV download starts with these notes, as `#` lines before the data."))
