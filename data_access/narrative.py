"""Sentences generated from the figures, so the headline never disagrees with the tiles.

Each sentence is one message in the catalogue; where a count decides a word's form ("1 is",
"3 are"; Russian has three forms) the clause is its own `ngettext` message, placed into the
sentence by name."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from data_access import contract as c
from data_access.columns import records
from data_access.programme import not_stuck_reason
from i18n import _, ngettext
from i18n import format as fmt


def is_share(text: str) -> bool:
    """Whether a released share text is a percentage ("44%", "44 %", "under 1%"), not a blank,
    a "—" or "too few to show"."""
    return "%" in text


def with_share(figure: str, share: str) -> str:
    """'274 (44%)', or the figure alone where there is no percentage to give."""
    return _("{figure} ({share})").format(figure=figure, share=share) if is_share(share) else figure


def full_stops(text: str) -> str:
    """One full stop where a sentence ends on an abbreviation: a Russian date ends in "г.", and
    "... с 31 мар. 2026 г.." reads as a typo."""
    return re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)


def form_count(value, text: str) -> int:
    """The count that decides a message's form: the value, or for a count shown as "<5" its
    bound (5)."""
    if value is not None and not pd.isna(value):
        return int(value)
    digits = re.sub(r"\D", "", str(text))
    return int(digits) if digits else 0


def overview_summary(
    headline: pd.DataFrame,
    stages: pd.DataFrame,
    as_of,
    previous_as_of=None,
    everyone: bool = True,
) -> str:
    """Two or three sentences from the released key figures and stage counts (see
    `data_access.release`), so the words never show more than the tiles and charts: a
    withheld figure reads "<5" or "withheld" here too."""
    figures = {row["measure"]: row for row in records(headline)}

    def text(measure: str) -> str:
        if "value_text" in headline:
            return str(figures[measure]["value_text"])
        return fmt.count(figures[measure]["value"])

    def pct(measure: str) -> str:
        return str(figures[measure]["share_text"]) if "share_text" in headline else ""

    def n(measure: str) -> int:
        return form_count(figures[measure]["value"], text(measure))

    n_text = text("people")
    if n_text == "0":
        return _("No one matches this selection.")
    if everyone:
        who = ngettext("{n} person who returned", "{n} people who returned", n("people"))
    else:
        who = ngettext("{n} person in this selection", "{n} people in this selection", n("people"))
    who = who.format(n=n_text)
    active, closed = text("active_support"), text("case_closed")
    if is_share(pct("active_support")):
        active_clause = ngettext(
            "{active} of the {who} ({share}) is in active support",
            "{active} of the {who} ({share}) are in active support",
            n("active_support"),
        )
    else:
        active_clause = ngettext(
            "{active} of the {who} is in active support",
            "{active} of the {who} are in active support",
            n("active_support"),
        )
    closed_clause = ngettext(
        "{closed} has had their case closed", "{closed} have had their case closed", n("case_closed")
    )
    parts = [
        _("As of {date}, {active_support} and {case_closed}.").format(
            date=fmt.date(as_of),
            active_support=active_clause.format(active=active, who=who, share=pct("active_support")),
            case_closed=closed_clause.format(closed=with_share(closed, pct("case_closed"))),
        )
    ]
    by_stage = {row["stage"]: row for row in records(stages)}

    def in_stage(stage: str) -> tuple[str, int]:
        row = by_stage.get(stage)
        if row is None:
            return "0", form_count(0, "0")
        shown = str(row["people_text"]) if "people_text" in stages else fmt.count(row["people"])
        return shown, form_count(row["people"], shown)

    school, in_school = in_stage(c.STAGE_SCHOOL_WORK)
    custody, in_custody = in_stage(c.STAGE_CUSTODY)
    detail = ngettext(
        "{school} is in school, training or work", "{school} are in school, training or work", in_school
    ).format(school=school)
    if custody != "0":
        serving = ngettext("{custody} is serving a sentence", "{custody} are serving a sentence", in_custody)
        detail = _("{school_work}; {custody}").format(school_work=detail, custody=serving.format(custody=custody))
    parts.append(detail + ".")
    delta = figures["case_closed"]["delta"] if previous_as_of is not None else pd.NA
    if previous_as_of is not None and pd.notna(delta):
        delta = int(delta)
        since = fmt.date(previous_as_of)
        if delta > 0:
            sentence = ngettext("Since {date}, {n} more case closed.", "Since {date}, {n} more cases closed.", delta)
        elif delta == 0:
            sentence = _("No further cases closed since {date}.")
        else:
            sentence = ngettext("{n} case reopened since {date}.", "{n} cases reopened since {date}.", -delta)
        parts.append(sentence.format(date=since, n=fmt.count(abs(delta))))
    return full_stops(" ".join(parts))


def days_text(days: int) -> str:
    """'180 days', in the run's language."""
    return ngettext("{days} day", "{days} days", days).format(days=fmt.count(days))


def stuck_rule(stages: pd.DataFrame, labels: Mapping[str, str], threshold_days: int) -> str:
    """Who counts as stuck, in plain words, from the rule in `data_access.programme` and the
    snapshot's `stages` (with their `labels`): the stages where the threshold applies, then the
    ones where it does not and why. Plain text: the labels come from data."""
    counted: list[str] = []
    exempt: dict[str, list[str]] = {}
    for stage, track in zip(stages["stage_id"].astype(str), stages["track"].astype(str), strict=True):
        reason = not_stuck_reason(stage, track)
        label = labels.get(stage, stage)
        if reason is None:
            counted.append(label)
        else:
            exempt.setdefault(reason, []).append(label)
    rule = _("Counted as stuck: anyone in {stages} for more than {days}.").format(
        stages=fmt.listing(counted, style="or"), days=days_text(threshold_days)
    )
    if exempt:
        reasons = "; ".join(
            _("{stages} — {reason}").format(stages=fmt.listing(names), reason=_(reason))
            for reason, names in exempt.items()
        )
        rule += " " + _("Not counted, however long the stay: {stages}.").format(stages=reasons)
    return full_stops(rule)


def stuck_sentence(stuck: str, people: str, threshold_days: int) -> str:
    """How many are stuck, of how many in the stages where that counts: the released texts of
    `Release.stuck_totals` ("12", or "<5" at the public level), in Markdown."""
    n_people = form_count(None, people)
    if people == "0":
        return _("Nobody is in those stages now.")
    those = ngettext("the {people} person in those stages", "the {people} people in those stages", n_people)
    sentence = ngettext(
        "**{stuck}** of {those} has been there for more than {days}.",
        "**{stuck}** of {those} have been there for more than {days}.",
        form_count(None, stuck),
    )
    return sentence.format(stuck=stuck, those=those.format(people=people), days=days_text(threshold_days))
