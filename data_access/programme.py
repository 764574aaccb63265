"""Facts about the programme that the loader, the per-cell tables and the queries all stand on:
who counts as a man, a woman or a child, which stages are milestones, how score dimensions are
named. One place, so that no module has to import them back from a module that imports it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access import contract as c
from i18n import N_

GROUPS = ("man", "woman", "child")
"""Groups of people by sex and age band at return: children are under 18 whatever their sex."""

MILESTONES = (
    (c.STAGE_PLACEMENT, "placed_on", N_("Family placement")),
    (c.STAGE_SCHOOL_WORK, "school_work_on", N_("School, training or work")),
)
"""(stage, column of `people` with the day it was first entered, label: translate with `_()`)."""

DAYS_PER_MONTH = 365.25 / 12
"""A month, in days, for time from arrival to a milestone."""

STUCK_THRESHOLDS = tuple(range(30, 1081, 30))
"""The thresholds, in days, a person may choose for "stuck": the progress page's slider and the
explorer's list of stuck people offer the same ones, so a link from one opens the other."""
STUCK_DEFAULT_DAYS = 180

LONG_STAY_EXPECTED = {
    c.STAGE_CUSTODY: N_("a sentence set by a court, not a wait in the programme"),
    c.STAGE_SCHOOL_WORK: N_("a long stay there is the goal, not a problem"),
    c.STAGE_FOLLOW_UP: N_("a long stay there is the goal, not a problem"),
}
"""Open stages where a long stay is expected, so nobody in them counts as stuck, and why
(translate with `_()`; stages with the same reason are named together)."""
LEFT_THE_PROGRAMME = N_("the case has ended or the person has left the programme")
"""Why nobody in an exit-track stage (case closed, moved or lost) counts as stuck."""


def not_stuck_reason(stage: str, track: str) -> str | None:
    """Why nobody in `stage` counts as stuck however long they stay (untranslated), or None for
    a stage where the chosen threshold applies. A stage a country adds counts unless it is on the
    exit track: waiting in it is presumed to be a problem until someone says otherwise here."""
    if track == "exit":
        return LEFT_THE_PROGRAMME
    return LONG_STAY_EXPECTED.get(stage)


def stuck_stages(stages: pd.DataFrame) -> list[str]:
    """The stages (ids, in the order of the `stages` table) where someone who has been there for
    more than the chosen threshold counts as stuck."""
    return [
        str(stage)
        for stage, track in zip(stages["stage_id"], stages["track"], strict=True)
        if not_stuck_reason(str(stage), str(track)) is None
    ]


SCORE_LABELS = {
    "economic": N_("Economic"),
    "social": N_("Social"),
    "psychosocial": N_("Psychosocial"),
    "composite": N_("Composite (mean of available dimensions)"),
}
"""Score dimensions as the queries report them: IOM's three, then our composite."""

HEADLINE = (
    ("people", N_("People who returned")),
    ("women", N_("Women")),
    ("men", N_("Men")),
    ("children", N_("Children")),
    ("unaccompanied", N_("Unaccompanied children")),
    ("justice_track", N_("Ever on the justice track")),
    ("active_support", N_("In active support")),
    ("case_closed", N_("Case closed")),
)
"""The key figures, in the order the tiles show them."""

PIVOT_DIMENSIONS = ("cohort", "region", "stage", "sex", "age_band", "origin", "group", "unaccompanied", "justice")
"""Dimensions the explorer may count people by: the filters', then group and the two flags."""
PIVOT_TITLES = {
    "cohort": N_("Cohort"),
    "region": N_("Region"),
    "stage": N_("Current stage"),
    "sex": N_("Sex"),
    "age_band": N_("Age band"),
    "origin": N_("Returned from"),
    "group": N_("Group"),
    "unaccompanied": N_("Unaccompanied"),
    "justice": N_("Justice track"),
}


def group_codes(sex: np.ndarray, age_band: np.ndarray) -> np.ndarray:
    """Each person's (or cell's) group, as an index into `GROUPS`, from the codes of sex (in
    `contract.SEXES`) and age band (in `contract.AGE_BANDS`); -1 where either is unknown."""
    child = np.isin(age_band, [c.AGE_BANDS.index(band) for band in c.CHILD_AGE_BANDS])
    man = sex == c.SEXES.index("male")
    group = np.where(child, GROUPS.index("child"), np.where(man, GROUPS.index("man"), GROUPS.index("woman")))
    return np.where((sex < 0) | (age_band < 0), -1, group)
