"""From "who is stuck" to who they are, through AppTest: the progress page states the rule and
counts only the stages where waiting is the problem; at the restricted level its link opens the
Data explorer's person table on exactly the people counted (the same as the data layer's), from
the link alone; at the public level there are counts and no link, and never a person row."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from data_access import Filters, find_snapshots, load_snapshot
from data_access import queries as q
from data_access.access import LEVEL_VARIABLE
from data_access.catalogue import ROOT_VARIABLE
from tests.app.helpers import assert_page_ok, charts, open_app, switch, unescape

RULE = (
    "Counted as stuck: anyone in Arrival & screening, Adaptation centre, Investigation, Family placement, or "
    "Documents & benefits for more than 180 days. Not counted, however long the stay: Custody (sentence) — a "
    "sentence set by a court, not a wait in the programme; School, training or work and Community follow-up — a "
    "long stay there is the goal, not a problem; Case closed and Moved or lost to follow-up — the case has ended or "
    "the person has left the programme."
)


@pytest.fixture(scope="module")
def snapshots():
    return {info.id: load_snapshot(info) for info in find_snapshots()}


def markdown(at) -> list[str]:
    return [unescape(m.value) for m in at.markdown]


def stuck_chart(at):
    return next(c for c in charts(at) if c.proto.alt.startswith("Bar chart: median days in each open stage"))


def people_table(at):
    return next(frame.value for frame in at.dataframe if "person_id" in frame.value.columns)


def follow(link) -> tuple[str, dict[str, list[str]]]:
    """The page and query parameters a click on `st.page_link` opens."""
    return link.proto.page, parse_qs(link.proto.query_string)


def test_the_progress_page_states_the_rule_and_counts_only_the_waiting_stages(snapshots):
    at = open_app("progress?section=stuck")
    assert_page_ok(at, "progress")
    shown = markdown(at)
    assert RULE in shown
    # 14 in custody, 111 in school or work and 204 in follow-up are not counted: 2 of 4, not 298 of 333.
    assert q.stuck(snapshots["2026-09-30"], Filters(), 180) == (2, 4)
    assert "**2** of the 4 people in those stages have been there for more than 180 days." in shown
    chart = stuck_chart(at)
    assert "Stuck over 180 days: 2 of 4 in the stages where that counts, most in Documents & benefits (2)." in (
        chart.proto.alt
    )
    assert "Custody (sentence), School, training or work, and Community follow-up." in chart.proto.alt
    assert "298" not in " ".join(shown) + chart.proto.alt


def test_the_link_opens_the_explorer_on_exactly_the_people_counted(snapshots):
    at = open_app("progress", snapshot="2026-03-31", cohort="jusan-3", stuck_days="30")
    assert_page_ok(at, "progress")
    assert "**3** of the 3 people in those stages have been there for more than 30 days." in markdown(at)
    (link,) = at.get("page_link")
    assert link.proto.label == "Who they are: the 3 people in the Data explorer"
    page, params = follow(link)
    assert (page, params) == (
        "explorer",
        {"lang": ["en"], "snapshot": ["2026-03-31"], "cohort": ["jusan-3"], "stuck": ["30"]},
    )

    explorer = open_app(page, **params)  # a fresh session: everything comes from the link
    assert_page_ok(explorer, "explorer")
    assert explorer.selectbox(key="stuck").value == "30"
    assert "**3** people counted as stuck." in markdown(explorer)
    listed = people_table(explorer)
    expected = q.person_table(snapshots["2026-03-31"], Filters(cohort="jusan-3"), stuck_days=30)
    assert listed["person_id"].tolist() == expected["person_id"].tolist() == ["p599d84e8", "p31638a92", "p9b7f7cc5"]
    assert listed["days_in_stage"].tolist() == [207, 63, 59]
    assert set(listed["stage"]) == {"Documents & benefits"}
    assert explorer.query_params["stuck"] == "30"  # the explorer keeps it in its own link


def test_a_threshold_between_the_sliders_steps_reaches_the_explorer_too(snapshots):
    at = open_app("progress", snapshot="2026-03-31", stuck_days="45")
    page, params = follow(at.get("page_link")[0])
    assert params["stuck"] == ["45"]
    listed = people_table(open_app(page, **params))
    assert listed["person_id"].tolist() == ["p599d84e8", "p9a362e3c", "p31638a92", "p9b7f7cc5"]


def test_no_link_when_nobody_is_stuck():
    at = open_app("progress", stuck_days="360")
    assert_page_ok(at, "progress")
    assert "**0** of the 4 people in those stages have been there for more than 360 days." in markdown(at)
    assert not at.get("page_link")


def test_the_explorer_lists_everyone_unless_the_link_asks_for_the_stuck():
    at = open_app("explorer")
    assert at.selectbox(key="stuck").value == "all"
    assert len(people_table(at)) == 50  # the first page of 626
    at.selectbox(key="stuck").set_value("180").run()
    assert people_table(at)["person_id"].tolist() == ["p31638a92", "pe41dc7a6"]
    assert at.query_params["stuck"] == "180"
    switch(at, "overview").run()
    assert "stuck" not in at.query_params  # a setting of the explorer leaves the link with it


@pytest.fixture
def public(monkeypatch):
    monkeypatch.setenv(LEVEL_VARIABLE, "public")
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)


def test_public_shows_the_counts_and_no_way_to_the_people(public):
    at = open_app("progress?section=stuck")
    assert_page_ok(at, "progress")
    assert RULE in markdown(at)
    assert "**<5** of the <5 people in those stages have been there for more than 180 days." in markdown(at)
    assert not at.get("page_link")
    explorer = open_app("explorer", stuck="180")
    assert_page_ok(explorer, "explorer")
    assert not [frame for frame in explorer.dataframe if "person_id" in frame.value.columns]
    assert not [box for box in explorer.selectbox if box.key == "stuck"]
    assert any("Person-level rows are not available" in i.value for i in explorer.info)
