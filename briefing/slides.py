"""A briefing's story as slides: one message per chart, in the order a briefing tells it — who
came back, where they are in the programme, how they are doing, by region, what changed since
the last snapshot.

Each slide's heading is the chart's own title (it states the message); its caption gives the
figure, the selection, the as-of date and the base, e.g.
"Jusan-2: 88% reached school, training or work (137 of 156), as of 30 Sep 2026 (n = 156)".
The presentation page and the briefing pack draw the same slides, so they never disagree.
Every figure comes through the release layer (`data_access.release`), so at the public access
level slides and packs show exactly what the pages show: "<5", "withheld", no small selection.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import charts
from charts.change import signed, stage_change_chart
from charts.figure import Figure
from data_access import contract as c
from data_access.filters import Filters, describe
from data_access.narrative import is_share, with_share
from data_access.release import Release
from i18n import _, ngettext
from i18n import format as fmt


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


def caption(description: str, figure_text: str, as_of, base_n: int | str) -> str:
    """'Jusan-2: 88% of children in school, as of 30 Sep 2026 (n = 156)'."""
    return _("{selection}: {figure}, as of {date} (n = {n})").format(
        selection=description,
        figure=figure_text,
        date=fmt.date(as_of),
        n=fmt.count(base_n) if isinstance(base_n, int) else base_n,
    )


def _number(frame: pd.DataFrame, column: str, mask=None) -> int:
    values = pd.to_numeric(frame[column] if mask is None else frame.loc[mask, column], errors="coerce")
    return int(values.fillna(0).sum())


@dataclass(frozen=True, eq=False)
class _Context:
    data: Release
    filters: Filters
    n: str
    selection: str

    @property
    def snapshot(self):
        return self.data.snapshot

    @property
    def previous(self):
        return self.data.previous

    def say(self, figure_text: str) -> str:
        return caption(self.selection, figure_text, self.snapshot.as_of, self.n)

    def figure(self, measure: str) -> tuple[str, str]:
        """A key figure as released: (count text, share text)."""
        row = self.data.headline(self.filters).set_index("measure").loc[measure]
        text = row["value_text"] if "value_text" in row else fmt.count(row["value"])
        return str(text), str(row["share_text"])


def _who_came_back(x: _Context) -> Slide:
    arrivals = x.data.arrivals(x.filters)
    children, pct = x.figure("children")
    if is_share(pct):
        figure_text = _("{children} of {n} were children ({share})").format(children=children, n=x.n, share=pct)
    else:
        figure_text = _("{children} of {n} were children").format(children=children, n=x.n)
    return Slide(
        "who-came-back",
        _("Who came back"),
        charts.arrivals_chart(arrivals, list(x.snapshot.cohorts["cohort_id"])),
        arrivals,
        x.say(figure_text),
    )


def _where_in_programme(x: _Context) -> Slide:
    stages = x.data.stage_distribution(x.filters)
    (active, active_pct), (closed, closed_pct) = x.figure("active_support"), x.figure("case_closed")
    return Slide(
        "where-in-programme",
        _("Where they are in the programme"),
        charts.stage_chart(stages, list(x.snapshot.stages["stage_id"])),
        stages,
        x.say(
            _("{active} in active support, {closed} with their case closed").format(
                active=with_share(active, active_pct), closed=with_share(closed, closed_pct)
            )
        ),
    )


def _how_far(x: _Context) -> Slide:
    reached = x.data.stage_reached(x.filters)
    row = reached.loc[reached["stage"] == c.STAGE_SCHOOL_WORK].iloc[0]
    school = str(row["people_text"]) if "people_text" in reached else fmt.count(row["people"])
    pct = str(row["share_text"])
    if is_share(pct):
        figure_text = _("{share} reached school, training or work ({people} of {n})")
    else:
        figure_text = _("{people} of {n} reached school, training or work")
    return Slide(
        "how-far",
        _("How they are doing"),
        charts.funnel_chart(reached, list(x.snapshot.stages["stage_id"])),
        reached,
        x.say(figure_text.format(share=pct, people=school, n=x.n)),
    )


def _scores(x: _Context) -> Slide:
    scores = x.data.assessment_scores(x.filters)
    composite = scores.loc[(scores["dimension"] == "composite") & scores["median"].notna()].sort_values("period")
    if len(composite):
        last = composite.iloc[-1]
        score_text = ngettext(
            "median composite score {score} in {half} ({n} person scored)",
            "median composite score {score} in {half} ({n} people scored)",
            int(last["n"]),
        ).format(score=fmt.number(last["median"], 2), half=fmt.half_year(last["period"]), n=fmt.count(last["n"]))
    else:
        score_text = _("no assessments yet")
    return Slide("scores", _("How they are doing"), charts.scores_chart(scores), scores, x.say(score_text))


def _by_region(x: _Context) -> Slide:
    regions = x.data.region_summary(x.filters)
    placed = regions.loc[pd.to_numeric(regions["people"], errors="coerce") > 0]
    placed_text = ngettext(
        "placed in {placed} of {regions} region", "placed in {placed} of {regions} regions", len(regions)
    )
    return Slide(
        "by-region",
        _("By region"),
        charts.region_map_chart(regions, "people", outlines)
        if (outlines := x.data.outlines())
        else charts.region_tiles_chart(regions, "people"),
        regions,
        x.say(placed_text.format(placed=fmt.count(len(placed)), regions=fmt.count(len(regions)))),
    )


def _what_changed(x: _Context) -> Slide:
    since = fmt.date(x.previous.as_of)
    change = x.data.stage_change(x.filters)  # restricted only: see `story`
    closed_change = _number(change, "change", change["stage"] == c.STAGE_CLOSED)
    previous_n = x.data.previous_size(x.filters)
    n = x.data.base_n(x.filters)
    if closed_change > 0:
        closures = ngettext("{n} more case closed since {date}", "{n} more cases closed since {date}", closed_change)
    elif closed_change < 0:
        closures = ngettext("{n} case reopened since {date}", "{n} cases reopened since {date}", -closed_change)
    else:
        closures = _("no further cases closed since {date}")
    closures = closures.format(n=fmt.count(abs(closed_change)), date=since)
    if n != previous_n:
        people = ngettext(
            "{change} person in the selection (was {previous})",
            "{change} people in the selection (was {previous})",
            abs(n - previous_n),
        ).format(change=signed(n - previous_n), previous=fmt.count(previous_n))
        closures = _("{closures}; {people}").format(closures=closures, people=people)
    return Slide(
        "what-changed",
        _("What changed since the last snapshot"),
        stage_change_chart(change, since),
        change,
        x.say(closures),
    )


# The story, in order. Each builder runs its own queries, so a page can build just one slide.
STORY = (_who_came_back, _where_in_programme, _how_far, _scores, _by_region, _what_changed)


def story(data: Release) -> tuple:
    """The slide builders that apply: what changed needs a previous snapshot, and is not shown
    at the public level (a change of a handful of people is itself a small count, see
    `release.headline`)."""
    return STORY if data.previous is not None and not data.public else STORY[:-1]


def _context(data: Release, filters: Filters) -> _Context:
    n = data.base_text(filters)
    if n is None:
        data.check(filters)  # raises SelectionTooSmall with the reason
    return _Context(data, filters, n or "", describe(filters, data.snapshot))


def slide(data: Release, filters: Filters, index: int) -> Slide:
    """Slide `index` (0-based) of the story for the selection."""
    return story(data)[index](_context(data, filters))


def slides(data: Release, filters: Filters) -> list[Slide]:
    """Every slide for the selection. The last one (what changed) needs a previous snapshot and
    is left out without one, and at the public level."""
    context = _context(data, filters)
    return [build(context) for build in story(data)]
