"""Who counts as stuck: the rule (`programme.stuck_stages`), its counts and its people
(`queries.stuck`, `queries.person_table(stuck_days=...)`), what each access level lets through and
the words that state it. On the six-person snapshot of tests/tiny.py, as of 2022-06-30:

| person | now         | since      | days | stuck at 180 days?                  |
|--------|-------------|------------|------|-------------------------------------|
| p2     | school_work | 2020-03-15 | 837  | no: a long stay there is the goal   |
| p3     | custody     | 2020-09-01 | 667  | no: a sentence                      |
| p4     | placement   | 2021-08-01 | 333  | yes                                 |
| p5     | school_work | 2022-01-15 | 166  | no                                  |
| p1, p6 | closed/lost |            |      | no: end states                      |
"""

from __future__ import annotations

import pandas as pd
import pytest

from data_access import Filters, load_snapshot
from data_access import narrative as n
from data_access import queries as q
from data_access.programme import STUCK_DEFAULT_DAYS, STUCK_THRESHOLDS, not_stuck_reason, stuck_stages
from data_access.release import Access, NotAllowed, Release
from tests.conftest import SAMPLE_ROOT

EVERYONE = Filters()
WAITING = ["arrival", "adaptation", "investigation", "placement", "documents"]


# -- the rule ------------------------------------------------------------------------------------


def test_a_long_stay_counts_only_where_waiting_is_the_problem(tiny_snapshot):
    assert stuck_stages(tiny_snapshot.stages) == WAITING
    assert not_stuck_reason("custody", "justice") == "a sentence set by a court, not a wait in the programme"
    for stage in ("school_work", "follow_up"):
        assert not_stuck_reason(stage, "rehabilitation") == "a long stay there is the goal, not a problem"
    for stage in ("closed", "lost"):
        assert not_stuck_reason(stage, "exit") == "the case has ended or the person has left the programme"


def test_a_stage_a_country_adds_counts_unless_it_is_an_end_state():
    stages = pd.DataFrame(
        {"stage_id": ["arrival", "mentoring", "school_work", "emigrated"], "track": ["rehabilitation"] * 3 + ["exit"]}
    )
    assert stuck_stages(stages) == ["arrival", "mentoring"]


def test_the_thresholds_are_the_sliders_steps():
    assert STUCK_THRESHOLDS[:3] == (30, 60, 90) and STUCK_THRESHOLDS[-1] == 1080
    assert STUCK_DEFAULT_DAYS in STUCK_THRESHOLDS


# -- counts and people ---------------------------------------------------------------------------


def test_stuck_counts_on_the_tiny_snapshot(tiny_snapshot):
    # Only p4 is in a stage where waiting counts; over 180 days p2, p3 and p4 are, but p2 is in
    # school and p3 in custody: 1 of 1, not 3 of 4.
    assert q.stuck(tiny_snapshot, EVERYONE, 180) == (1, 1)
    assert q.stuck(tiny_snapshot, EVERYONE, 332) == (1, 1)
    assert q.stuck(tiny_snapshot, EVERYONE, 333) == (0, 1)
    assert q.stuck(tiny_snapshot, Filters(cohort="c1"), 30) == (0, 0)


def test_the_stuck_people_are_the_ones_counted(tiny_snapshot):
    rows = q.person_table(tiny_snapshot, EVERYONE, stuck_days=180)
    assert rows[["person_id", "stage", "days_in_stage"]].values.tolist() == [["p4", "Family placement", 333]]
    assert q.person_table(tiny_snapshot, EVERYONE, stuck_days=333).empty
    assert q.person_table(tiny_snapshot, Filters(cohort="c1"), stuck_days=30).empty


def test_the_sample_at_180_days(latest):
    """Before the rule the progress page said 298 of 333 people in open stages were stuck, 110 of
    them in school, training or work and 172 in community follow-up."""
    table = q.time_in_stage(latest, EVERYONE, 180).set_index("stage")
    assert table.loc["school_work", ["people", "stuck"]].tolist() == [111, 0]
    assert table.loc["follow_up", ["people", "stuck"]].tolist() == [204, 0]
    assert table.loc["custody", ["people", "stuck"]].tolist() == [14, 0]
    assert table.loc["documents", ["people", "stuck"]].tolist() == [4, 2]
    assert q.stuck(latest, EVERYONE, 180) == (2, 4)
    rows = q.person_table(latest, EVERYONE, stuck_days=180)
    assert rows[["person_id", "stage", "days_in_stage"]].values.tolist() == [
        ["p31638a92", "Documents & benefits", 246],
        ["pe41dc7a6", "Documents & benefits", 207],
    ]
    assert q.stuck(latest, EVERYONE, 30) == (4, 4)


def test_the_stuck_people_of_every_sample_snapshot_match_their_count(sample_snapshots):
    for snapshot in sample_snapshots:
        for filters in (EVERYONE, Filters(cohort=("jusan-2", "jusan-5")), Filters(sex="female")):
            for days in (30, 90, 180):
                stuck, _ = q.stuck(snapshot, filters, days)
                assert len(q.person_table(snapshot, filters, stuck_days=days)) == stuck, (snapshot.id, filters, days)


# -- the access levels ---------------------------------------------------------------------------


def test_restricted_lists_exactly_the_people_it_counts(latest):
    release = Release(latest, Access("restricted"))
    assert release.stuck_totals(EVERYONE, 180) == ("2", "4")
    assert release.stuck_count(EVERYONE, 180) == 2
    assert len(release.person_table(EVERYONE, stuck_days=180)) == 2


def test_public_gives_counts_of_the_stuck_and_never_who_they_are():
    public = Release(load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30"), Access("public"))
    stuck, counted = public.stuck_totals(EVERYONE, 180)
    assert (stuck, counted) == ("<5", "<5")  # 2 of 4: both small counts
    with pytest.raises(NotAllowed):
        public.person_table(EVERYONE, stuck_days=180)
    with pytest.raises(NotAllowed):
        public.stuck_count(EVERYONE, 180)


# -- the words -----------------------------------------------------------------------------------


def test_the_rule_in_words(tiny_snapshot):
    assert n.stuck_rule(tiny_snapshot.stages, tiny_snapshot.labels("stage"), 180) == (
        "Counted as stuck: anyone in Arrival & screening, Adaptation centre, Investigation, Family placement, or "
        "Documents & benefits for more than 180 days. Not counted, however long the stay: Custody (sentence) — a "
        "sentence set by a court, not a wait in the programme; School, training or work and Community follow-up — "
        "a long stay there is the goal, not a problem; Case closed and Moved or lost to follow-up — the case has "
        "ended or the person has left the programme."
    )


def test_the_count_in_words():
    assert (
        n.stuck_sentence("2", "4", 180)
        == "**2** of the 4 people in those stages have been there for more than 180 days."
    )
    assert (
        n.stuck_sentence("1", "1", 30) == "**1** of the 1 person in those stages has been there for more than 30 days."
    )
    assert n.stuck_sentence("<5", "<5", 180).startswith("**<5** of the <5 people in those stages have")
    assert n.stuck_sentence("0", "0", 180) == "Nobody is in those stages now."
