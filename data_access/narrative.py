"""Sentences generated from the figures, so the headline never disagrees with the tiles."""

from __future__ import annotations

import pandas as pd

from data_access import contract as c
from data_access import queries as q
from data_access.filters import Filters
from data_access.snapshot import Snapshot


def long_date(day) -> str:
    return pd.Timestamp(day).strftime("%-d %b %Y")


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


MIN_BASE_FOR_PERCENT = 20


def share(part: int, base: int) -> str:
    """'44%' of a base; '' for a base under 20 (a percentage of a handful misleads), and never
    a rounded 0% or 100% when some but not all are counted."""
    if base < MIN_BASE_FOR_PERCENT:
        return ""
    value = 100 * part / base
    if 0 < value < 1:
        return "under 1%"
    if 99 < value < 100:
        return "over 99%"
    return f"{value:.0f}%"


def _paren(text: str) -> str:
    return f" ({text})" if text else ""


def overview_summary(snapshot: Snapshot, filters: Filters, previous: Snapshot | None = None) -> str:
    figures = q.headline(snapshot, filters, previous).set_index("measure")
    value = figures["value"]
    n = int(value["people"])
    if n == 0:
        return "No one matches this selection."
    noun = "person" if n == 1 else "people"
    who = f"{n:,} {noun} who returned" if filters.is_empty() else f"{n:,} {noun} in this selection"
    stages = q.stage_distribution(snapshot, filters).set_index("stage")["people"]
    school = int(stages.get(c.STAGE_SCHOOL_WORK, 0))
    custody = int(stages.get(c.STAGE_CUSTODY, 0))
    active, closed = int(value["active_support"]), int(value["case_closed"])
    parts = [
        f"As of {long_date(snapshot.as_of)}, {active:,} of the {who}{_paren(share(active, n))} "
        f"{'is' if active == 1 else 'are'} in active support and {closed:,}{_paren(share(closed, n))} "
        f"{'has' if closed == 1 else 'have'} had their case closed."
    ]
    detail = f"{school:,} are in school, training or work"
    if custody:
        detail += f"; {custody:,} are serving a sentence"
    parts.append(detail + ".")
    if previous is not None:
        delta = int(figures.loc["case_closed", "delta"])
        since = long_date(previous.as_of)
        if delta > 0:
            parts.append(f"Since {since}, {count(delta, 'more case')} closed.")
        elif delta == 0:
            parts.append(f"No further cases closed since {since}.")
        else:
            parts.append(f"{count(-delta, 'case')} reopened since {since}.")
    return " ".join(parts)
