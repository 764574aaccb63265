"""One look for every chart: the Okabe–Ito palette, type sizes that carry to the back of a
briefing room, and colour scales that give a cohort or a stage the same colour on every page.

Colours are assigned by position in the snapshot's reference tables (cohorts, stages), which
pages pass in, so a filter that hides some cohorts never repaints the others. Colour is never
the only carrier of meaning: every chart also labels, dashes or shapes its series.

The config sets sizes, the palette and the language's number and date locale only, not text or
background colours, so Streamlit's light and dark themes still apply on screen.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt

import i18n
from charts.figure import CONTAINER, PHONE
from charts.locale import vega_locale
from i18n import N_

# Okabe & Ito (2008), "Color Universal Design". Black is part of the set.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
OKABE_ITO = (ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE, BLACK)

GREY = "#999999"
DARK_GREY = "#555555"
MISSING = "#E3E3E3"
EMPTY = "#F4F4F4"

# Series drawn as lines: yellow last, because a thin yellow line vanishes on white.
CATEGORY = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW)
# Ten stages need ten colours: the seven hues, then two greys and black. Neighbours in the usual
# programme order differ in hue or in lightness, so a stacked area stays readable.
STAGE_COLOURS = (
    ORANGE,
    SKY_BLUE,
    VERMILLION,
    REDDISH_PURPLE,
    BLUISH_GREEN,
    YELLOW,
    BLUE,
    DARK_GREY,
    GREY,
    BLACK,
)
STROKE_DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (12, 4), (3, 5), (1, 0), (6, 3))
POINT_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "circle", "square")

GROUP_COLOURS = {"child": ORANGE, "woman": REDDISH_PURPLE, "man": BLUE}
SEX_COLOURS = {"female": REDDISH_PURPLE, "male": BLUE}
SEX_LABELS = {"female": N_("Female"), "male": N_("Male")}
SCORE_DIMENSIONS = ("economic", "social", "psychosocial", "composite")
SCORE_COLOURS = (BLUE, ORANGE, BLUISH_GREEN, BLACK)
SCORE_DASHES = ((6, 3), (2, 2), (8, 3, 2, 3), (1, 0))
# The occupancy chart's groups of stages: in the programme (blue), in the justice system
# (vermillion), out of it (grey, stacked on top).
TRACK_COLOURS = {"rehabilitation": BLUE, "justice": VERMILLION, "exit": GREY}
SERVICE_COLOURS = (REDDISH_PURPLE, ORANGE, VERMILLION, SKY_BLUE, BLUE, BLUISH_GREEN)
SEQUENTIAL_SCHEME = "blues"
# A colour ramp's length (px): with its labels it fits under a phone's plot (about 360 px), so the
# legend never pushes the plot narrower.
GRADIENT_LENGTH = 200
# Thousands separators, and no "1.2e+2" on axes: "~" drops trailing zeros instead of switching to SI.
COUNT_FORMAT = ",~f"

TITLE_SIZE = 20
SUBTITLE_SIZE = 15
LABEL_SIZE = 14
AXIS_TITLE_SIZE = 15
TEXT_SIZE = 14


def _two_lines(chars: str) -> str:
    """A Vega expression: an axis label longer than `chars` (an expression) characters as two
    lines, broken at the last space that keeps the first line within them."""
    cut = f"lastindexof(substring(datum.label, 0, ({chars}) + 1), ' ')"
    return (
        f"length(datum.label) <= ({chars}) || {cut} < 1 ? datum.label"
        f" : [substring(datum.label, 0, {cut}), substring(datum.label, {cut} + 1)]"
    )


LABEL_LINE_CHARS = f"{CONTAINER} < {PHONE} ? 17 : 30"
"""Characters a line of a y axis's label holds: about what its label limit (130 or 240 px) shows."""


CONFIG: dict = {
    "view": {"stroke": None, "continuousWidth": 640, "continuousHeight": 320},
    "title": {
        "fontSize": TITLE_SIZE,
        "subtitleFontSize": SUBTITLE_SIZE,
        "anchor": "start",
        "offset": 14,
        "subtitlePadding": 6,
    },
    "axis": {
        "labelFontSize": LABEL_SIZE,
        "titleFontSize": AXIS_TITLE_SIZE,
        "titleFontWeight": "normal",
        "labelLimit": {"expr": f"{CONTAINER} < {PHONE} ? 130 : 240"},
        "titlePadding": 10,
    },
    # Every category on an axis is named (Streamlit's theme thins out labels that touch); numbers
    # and years that would touch are thinned out, in exported files too. Numbers closer than 6 px
    # count as touching: a flush first or last label ("2019", "100") would otherwise butt against
    # its neighbour ("20192020").
    "axisDiscrete": {"labelOverlap": False},
    "axisQuantitative": {"labelOverlap": True, "labelFlush": True, "labelSeparation": 6},
    "axisTemporal": {"labelOverlap": True, "labelSeparation": 6},
    # An x-axis title ends where the plot ends: wider than a phone's plot, it runs left under the
    # labels of the y axis instead of off the right edge.
    "axisX": {"titleAnchor": "end", "titleAlign": "right"},
    # A long category name (a stage or cohort in Russian or Kazakh) takes two lines instead of
    # being cut short ("Прибытие и прове…").
    "axisY": {"labelExpr": _two_lines(LABEL_LINE_CHARS), "labelLineHeight": 14},
    "legend": {
        "labelFontSize": LABEL_SIZE,
        "titleFontSize": AXIS_TITLE_SIZE,
        "titleFontWeight": "normal",
        "symbolSize": 180,
        # A legend starts where the plot does, right of the y axis's labels.
        "labelLimit": {"expr": f"{CONTAINER} < {PHONE} ? 190 : 320"},
        # Below the plot, so a half-width chart on a small screen keeps its plot area; one column
        # on a phone, where two would be wider than the chart.
        "orient": "bottom",
        "direction": "horizontal",
        "columns": {"expr": f"{CONTAINER} < {PHONE} ? 1 : 2"},
    },
    "header": {"labelFontSize": 16, "titleFontSize": 16, "labelFontWeight": "bold"},
    "text": {"fontSize": TEXT_SIZE},
    "range": {"category": list(CATEGORY)},
    "numberFormat": COUNT_FORMAT,
}


def config() -> dict:
    """`CONFIG` with Vega's locale for this run's language (`config.locale`), so every number
    and month Vega formats (axes, labels, tooltips) reads as the titles do. One shared dict per
    language: treat it as read-only."""
    return _config(i18n.language())


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _config(language: str) -> dict:  # `language` is this run's: the key of the cache
    return {**CONFIG, "locale": vega_locale()}


def _cycle(colours: tuple, n: int) -> list:
    return [colours[i % len(colours)] for i in range(n)]


def cohort_scale(cohort_ids: list[str] | tuple[str, ...]) -> alt.Scale:
    """Colours for cohorts, by their position in the snapshot's `cohorts` table."""
    return alt.Scale(domain=list(cohort_ids), range=_cycle(CATEGORY, len(cohort_ids)))


def cohort_dash_scale(cohort_ids: list[str] | tuple[str, ...]) -> alt.Scale:
    """Dash patterns for cohort lines, so cohorts differ without colour too."""
    return alt.Scale(domain=list(cohort_ids), range=[list(d) for d in _cycle(STROKE_DASHES, len(cohort_ids))])


def stage_scale(stage_ids: list[str] | tuple[str, ...]) -> alt.Scale:
    """Colours for stages, by their position in the snapshot's `stages` table."""
    return alt.Scale(domain=list(stage_ids), range=_cycle(STAGE_COLOURS, len(stage_ids)))


def category_colours(n: int) -> list[str]:
    return _cycle(CATEGORY, n)


def stage_colours(n: int) -> list[str]:
    return _cycle(STAGE_COLOURS, n)
