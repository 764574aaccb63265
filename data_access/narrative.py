"""Sentences generated from the figures, so the headline never disagrees with the tiles."""

from __future__ import annotations

import pandas as pd

from data_access import contract as c


def long_date(day) -> str:
    return pd.Timestamp(day).strftime("%-d %b %Y")


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def in_brackets(text: str) -> str:
    """A percentage in brackets; nothing for a blank, withheld or too-small share."""
    return f" ({text})" if text.endswith("%") else ""


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
    figures = headline.set_index("measure")

    def text(measure: str) -> str:
        if "value_text" in figures:
            return str(figures.loc[measure, "value_text"])
        return f"{int(figures.loc[measure, 'value']):,}"

    def pct(measure: str) -> str:
        return str(figures.loc[measure, "share_text"]) if "share_text" in figures else ""

    n_text = text("people")
    if n_text == "0":
        return "No one matches this selection."
    plural = n_text != "1"
    who = f"{n_text} {'people' if plural else 'person'} {'who returned' if everyone else 'in this selection'}"
    by_stage = stages.set_index("stage")
    stage_texts = by_stage["people_text"] if "people_text" in by_stage else by_stage["people"].map(lambda v: f"{v:,}")
    school = str(stage_texts.get(c.STAGE_SCHOOL_WORK, "0"))
    custody = str(stage_texts.get(c.STAGE_CUSTODY, "0"))
    active, closed = text("active_support"), text("case_closed")
    parts = [
        f"As of {long_date(as_of)}, {active} of the {who}{in_brackets(pct('active_support'))} "
        f"{'is' if active == '1' else 'are'} in active support and {closed}{in_brackets(pct('case_closed'))} "
        f"{'has' if closed == '1' else 'have'} had their case closed."
    ]
    detail = f"{school} are in school, training or work"
    if custody != "0":
        detail += f"; {custody} are serving a sentence"
    parts.append(detail + ".")
    delta = figures.loc["case_closed", "delta"] if previous_as_of is not None else pd.NA
    if previous_as_of is not None and pd.notna(delta):
        delta = int(delta)
        since = long_date(previous_as_of)
        if delta > 0:
            parts.append(f"Since {since}, {count(delta, 'more case')} closed.")
        elif delta == 0:
            parts.append(f"No further cases closed since {since}.")
        else:
            parts.append(f"{count(-delta, 'case')} reopened since {since}.")
    return " ".join(parts)
