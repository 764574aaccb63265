"""A briefing's story as slides: one message per chart, in the order a briefing tells it — who
came back, where they are in the programme, how they are doing, by region, what changed since
the last snapshot.

Each slide's heading is the chart's own title (it states the message); its caption gives the
figure, the selection, the as-of date and the base, e.g.
"Jusan-2: 88% reached school, training or work (137 of 156), as of 30 Sep 2026 (n = 156)".
The presentation page and the briefing pack draw the same slides, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import charts
from charts.change import stage_change_chart
from charts.figure import Figure
from data_access import contract as c
from data_access import queries as q
from data_access.filters import Filters, describe
from data_access.narrative import long_date, share
from data_access.snapshot import Snapshot


@dataclass(frozen=True, eq=False)
class Slide:
    key: str  # stable id, used in file names
    section: str  # where the slide sits in the story
    figure: Figure
    table: pd.DataFrame  # the chart's own table, as drawn
    caption: str

    @property
    def title(self) -> str:
        return self.figure.title


def caption(description: str, figure_text: str, as_of, base_n: int) -> str:
    """'Jusan-2: 88% of children in school, as of 30 Sep 2026 (n = 156)'."""
    return f"{description}: {figure_text}, as of {long_date(as_of)} (n = {base_n:,})"


def _paren(text: str) -> str:
    return f" ({text})" if text else ""


def _number(frame: pd.DataFrame, column: str, mask=None) -> int:
    values = pd.to_numeric(frame[column] if mask is None else frame.loc[mask, column], errors="coerce")
    return int(values.fillna(0).sum())


def slides(snapshot: Snapshot, previous: Snapshot | None, filters: Filters) -> list[Slide]:
    """Every slide for the selection. The last one (what changed) needs a previous snapshot and
    is left out without one."""
    n = q.base_n(snapshot, filters)
    selection = describe(filters, snapshot)
    as_of = snapshot.as_of
    cohort_ids = list(snapshot.cohorts["cohort_id"])
    stage_ids = list(snapshot.stages["stage_id"])

    def say(figure_text: str) -> str:
        return caption(selection, figure_text, as_of, n)

    deck = []

    arrivals = q.arrivals(snapshot, filters)
    children = _number(arrivals, "people", arrivals["group"] == "child")
    deck.append(
        Slide(
            "who-came-back",
            "Who came back",
            charts.arrivals_chart(arrivals, cohort_ids),
            arrivals,
            say(f"{children:,} of {n:,} were children{_paren(share(children, n))}"),
        )
    )

    stages = q.stage_distribution(snapshot, filters)
    headline = q.headline(snapshot, filters).set_index("measure")["value"]
    active, closed = int(headline["active_support"]), int(headline["case_closed"])
    deck.append(
        Slide(
            "where-in-programme",
            "Where they are in the programme",
            charts.stage_chart(stages, stage_ids),
            stages,
            say(
                f"{active:,}{_paren(share(active, n))} in active support, "
                f"{closed:,}{_paren(share(closed, n))} with their case closed"
            ),
        )
    )

    reached = q.stage_reached(snapshot, filters)
    school = _number(reached, "people", reached["stage"] == c.STAGE_SCHOOL_WORK)
    pct = share(school, n)
    deck.append(
        Slide(
            "how-far",
            "How they are doing",
            charts.funnel_chart(reached, stage_ids),
            reached,
            say(
                f"{pct} reached school, training or work ({school:,} of {n:,})"
                if pct
                else f"{school:,} of {n:,} reached school, training or work"
            ),
        )
    )

    scores = q.assessment_scores(snapshot, filters)
    composite = scores.loc[scores["dimension"] == "composite"].sort_values("period")
    if len(composite):
        last = composite.iloc[-1]
        half = f"{'H1' if last['period'].month <= 6 else 'H2'} {last['period'].year}"
        score_text = f"median composite score {last['median']:.2f} in {half} ({int(last['n']):,} people scored)"
    else:
        score_text = "no assessments yet"
    deck.append(Slide("scores", "How they are doing", charts.scores_chart(scores), scores, say(score_text)))

    regions = q.region_summary(snapshot, filters)
    placed = regions.loc[pd.to_numeric(regions["people"], errors="coerce") > 0]
    deck.append(
        Slide(
            "by-region",
            "By region",
            charts.region_tiles_chart(regions, "people"),
            regions,
            say(f"placed in {len(placed)} of {len(regions)} regions"),
        )
    )

    if previous is not None:
        since = long_date(previous.as_of)
        change = q.stage_change(snapshot, previous, filters)
        closed_change = _number(change, "change", change["stage"] == c.STAGE_CLOSED)
        previous_n = q.base_n(previous, filters)
        if closed_change > 0:
            closures = f"{closed_change:,} more {'case' if closed_change == 1 else 'cases'} closed since {since}"
        elif closed_change < 0:
            closures = f"{-closed_change:,} {'case' if closed_change == -1 else 'cases'} reopened since {since}"
        else:
            closures = f"no further cases closed since {since}"
        if n != previous_n:
            closures += f"; {n - previous_n:+,} people in the selection (was {previous_n:,})"
        deck.append(
            Slide(
                "what-changed",
                "What changed since the last snapshot",
                stage_change_chart(change, since),
                change,
                say(closures),
            )
        )
    return deck
