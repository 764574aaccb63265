"""The release layer: what each access level lets through, checked on exact cases and on random
selections of the restricted sample (many small groups) under the public rules."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import charts
from data_access import Filters
from data_access import disclosure as d
from data_access import queries as q
from data_access.release import (
    LEVEL_VARIABLE,
    Access,
    NotAllowed,
    Release,
    SelectionTooSmall,
    methodology,
)

PUBLIC = Access("public")
K = PUBLIC.policy.k

# (method, arguments after filters, count columns, additive table as (rows, cols) or None)
TABLES = {
    "arrivals": ((), ("people",), (("cohort",), ("group",))),
    "unaccompanied_children": ((), ("people",), (("cohort",), ("unaccompanied",))),
    "age_sex_pyramid": ((), ("people",), (("age_band",), ("sex",))),
    "stage_distribution": ((), ("people",), (("stage",), ())),
    "stage_reached": ((), ("people",), None),
    "stage_occupancy": ((), ("people",), (("month",), ("stage",), "rows")),
    "time_to_milestone": ((), ("reached",), None),
    "time_in_stage": ((180,), ("people", "over_threshold"), (("stage",), ())),
    "assessment_scores": ((), ("n",), None),
    "services_by_month": ((), ("people",), (("month",), ("service_type",), "rows")),
    "services_by_type": ((), ("people",), None),
    "region_summary": ((), ("people", "reached_school_work"), (("region",), ())),
    "region_stage": ((), ("people",), (("region",), ("stage",))),
}
SENSITIVE = {"services_by_month", "services_by_type"}


@pytest.fixture(scope="module")
def public(latest):
    return Release(latest, PUBLIC, any_snapshot=True)


def values_of(snapshot, dim):
    column = snapshot.people[dim]
    return [str(v) for v in column.cat.categories]


@st.composite
def selections(draw, snapshot):
    chosen = {}
    for dim in ("cohort", "region", "stage", "sex", "age_band", "origin"):
        if draw(st.booleans()):
            options = values_of(snapshot, dim)
            chosen[dim] = tuple(draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True)))
    return Filters(**chosen)


def assert_safe(name: str, table: pd.DataFrame, k: int) -> None:
    """No shown count from 1 to k-1; additive tables cannot be solved from their totals."""
    _args, counts, additive = TABLES[name]
    for count in counts:
        shown = pd.to_numeric(table[count], errors="coerce").dropna()
        assert not shown.between(1, k - 1).any(), f"{name}.{count} shows a count under {k}"
        assert f"{count}_suppressed" in table.columns or count == "over_threshold"
    if additive:
        rows, cols, *totals = additive
        assert not d.is_recoverable(table, rows=rows, cols=cols, totals=totals[0] if totals else "all"), (
            f"{name} can be solved from its totals"
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_selections_show_no_small_count_and_nothing_solvable(latest, public, data):
    filters = data.draw(selections(latest))
    n = q.base_n(latest, filters)
    if not d.base_ok(n, len(latest.people)):
        for name, (args, _, _) in TABLES.items():
            with pytest.raises(SelectionTooSmall):
                getattr(public, name)(filters, *args)
        with pytest.raises(SelectionTooSmall):
            public.headline(filters)
        assert public.base_text(filters) is None
        return
    for name, (args, _, _) in TABLES.items():
        k = public.policy.k_sensitive if name in SENSITIVE else K
        assert_safe(name, getattr(public, name)(filters, *args), k)
    head = public.headline(filters).set_index("measure")
    shown = head["value"].dropna()
    assert not shown.between(1, K - 1).any()
    assert head["delta"].isna().all()
    for dim in ("cohort", "region", "stage"):
        options = public.option_counts(filters, dim)
        assert not pd.to_numeric(options["people"], errors="coerce").dropna().between(1, K - 1).any()
    raw = q.headline(latest, filters).set_index("measure")["value"]
    for measure, text in head["share_text"].items():
        if text == "0%":
            assert raw[measure] == 0
        if text == "100%":
            assert raw[measure] == n


def test_a_small_selection_and_a_small_complement_show_nothing(latest, public):
    rusafa = Filters(cohort=("rusafa",))  # 14 people: under 20
    with pytest.raises(SelectionTooSmall, match="this selection has fewer than 20"):
        public.arrivals(rusafa)
    everyone_but = Filters(cohort=tuple(c for c in values_of(latest, "cohort") if c != "rusafa"))  # 612 of 626
    with pytest.raises(SelectionTooSmall, match="fewer than 20 people outside it"):
        public.stage_distribution(everyone_but)
    assert public.base_text(everyone_but) is None
    assert public.base_text(Filters()) == "626"


def test_the_restricted_level_passes_the_queries_through(latest):
    restricted = Release(latest, Access("restricted"))
    rusafa = Filters(cohort=("rusafa",))
    pd.testing.assert_frame_equal(restricted.arrivals(rusafa), q.arrivals(latest, rusafa))
    assert restricted.base_text(rusafa) == "14"
    assert len(restricted.person_table(rusafa)) == 14


def test_statistics_need_ten_people_restricted_and_twenty_public(latest, public):
    restricted = Release(latest, Access("restricted"))
    raw = q.time_in_stage(latest, Filters(), 180).set_index("stage")
    for release, least in ((restricted, 10), (public, 20)):
        table = release.time_in_stage(Filters(), 180).set_index("stage")
        small = raw["people"] < least
        assert table.loc[small, "median_days"].isna().all()
        assert table.loc[~small & table["people"].notna(), "median_days"].notna().all()
    scores = public.assessment_scores(Filters())
    assert (scores.loc[scores["median"].notna(), "n"] >= 20).all()


def test_headline_figures_at_the_public_level(latest, public):
    # Rusafa and the small cohorts: the justice track uses k=10; children split stays a table.
    head = public.headline(Filters()).set_index("measure")
    assert head.loc["people", "value_text"] == "626"
    assert head.loc["men", "value_text"] == "37"
    assert head.loc["justice_track", "value_text"] == "50"
    assert head.loc["active_support", "share_text"].endswith("%")
    # Jusan-3 women: 153, of whom 7 ever on the justice track: shown at k=5, withheld at k=10.
    women = Filters(cohort=("jusan-3",), sex=("female",))
    assert q.headline(latest, women).set_index("measure").loc["justice_track", "value"] == 7
    head = public.headline(women).set_index("measure")
    assert head.loc["justice_track", "value_text"] == "<10"
    assert head.loc["justice_track", "share_text"] == d.SUPPRESSED_TEXT
    assert head.loc["men", "value_text"] == "0"


def test_primary_cells_read_less_than_k_and_secondary_ones_withheld(latest, public):
    table = public.region_stage(Filters())
    raw = q.region_stage(latest, Filters())
    merged = table.merge(raw, on=["region", "stage"], suffixes=("", "_raw"))
    small = merged["people_raw"].between(1, K - 1)
    assert small.any()
    assert (merged.loc[small, "people_text"] == f"<{K}").all()
    others = merged["people_suppressed"] & ~small
    assert (merged.loc[others, "people_text"] == d.SUPPRESSED_TEXT).all()


def test_person_rows_are_not_allowed_at_the_public_level(public):
    with pytest.raises(NotAllowed):
        public.person_table(Filters())
    with pytest.raises(NotAllowed):
        public.stage_history("p1")


def test_a_restricted_snapshot_is_refused_at_the_public_level(latest):
    assert latest.info.access_level == "restricted"
    with pytest.raises(NotAllowed, match="not public"):
        Release(latest, PUBLIC)


@pytest.mark.parametrize(
    ("environ", "level", "problem"),
    [
        ({}, "restricted", ""),
        ({LEVEL_VARIABLE: "public"}, "public", ""),
        ({LEVEL_VARIABLE: " Restricted "}, "restricted", ""),
        ({LEVEL_VARIABLE: "admin"}, "public", "is not one of restricted, public"),
        ({LEVEL_VARIABLE: "restricted", "SECOND_CHANCE_K": "three"}, "public", "not a whole number"),
        ({LEVEL_VARIABLE: "restricted", "SECOND_CHANCE_K": "1"}, "public", "k must be at least 2"),
    ],
)
def test_the_access_level_comes_from_the_environment_and_fails_closed(environ, level, problem):
    access = Access.from_environment(environ)
    assert access.level == level
    assert problem in access.problem


def test_policy_settings_and_rounding_from_the_environment(latest):
    access = Access.from_environment({LEVEL_VARIABLE: "public", "SECOND_CHANCE_K": "10", "SECOND_CHANCE_ROUNDING": "5"})
    assert (access.policy.k, access.policy.rounding) == (10, 5)
    release = Release(latest, access, any_snapshot=True)
    table = release.stage_distribution(Filters())
    assert (table["people"].dropna() % 5 == 0).all()
    assert any("rounded to the nearest 5" in line for line in methodology(access))
    assert release.base_text(Filters()) == "625"


def test_methodology_states_the_rules_in_force():
    text = " ".join(methodology(PUBLIC))
    for words in ('shown as "<5"', '"<10"', "fewer than 20 people", "at least 20", "k-anonymity"):
        assert words in text
    assert "exact" in " ".join(methodology(Access("restricted")))


# --- remembered tables ------------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch, latest):
    """Count the query calls behind `stage_reached`, starting with no remembered tables."""
    latest.__dict__.pop("_results", None)
    calls = []
    real = q.stage_reached
    monkeypatch.setattr(q, "stage_reached", lambda *args, **kwargs: calls.append(args[1]) or real(*args, **kwargs))
    yield calls
    latest.__dict__.pop("_results", None)


def test_a_selection_asked_before_is_not_computed_again(latest, counted):
    restricted = Access("restricted")
    women = Filters(sex=("female",))
    first = Release(latest, restricted).stage_reached(women)
    again = Release(latest, restricted).stage_reached(women)  # another run, another session
    pd.testing.assert_frame_equal(first, again)
    assert counted == [women]
    Release(latest, restricted).stage_reached(Filters(sex=("male",)))
    Release(latest, PUBLIC, any_snapshot=True).stage_reached(women)  # another level: its own tables
    assert counted == [women, Filters(sex=("male",)), women]


def test_a_caller_changing_its_table_does_not_change_the_next_callers(latest, counted):
    girls = Filters(sex=("female",), age_band=("5-11",))
    table = Release(latest, Access("restricted")).stage_reached(girls)
    expected = table.copy()
    table.loc[:, "people"] = -1
    pd.testing.assert_frame_equal(Release(latest, Access("restricted")).stage_reached(girls), expected)
    assert counted == [girls]


def test_remembered_tables_are_bounded_and_can_be_turned_off(latest, counted, monkeypatch):
    monkeypatch.setattr("data_access.release.RESULT_CACHE_SIZE", 2)
    selections = [Filters(age_band=(band,)) for band in ("0-4", "5-11", "12-17")]
    for filters in [*selections, selections[0]]:
        Release(latest, Access("restricted")).stage_reached(filters)
    assert counted == [*selections, selections[0]]  # the oldest was dropped to keep two
    assert len(latest.__dict__["_results"]._items) == 2
    monkeypatch.setattr("data_access.release.RESULT_CACHE_SIZE", 0)
    Release(latest, Access("restricted")).stage_reached(selections[2])
    assert counted[-1] == selections[2] and len(counted) == 5


def test_a_figure_is_built_once_from_its_released_table(latest, counted):
    built = []

    def build(table, stage_ids):
        built.append(len(table))
        return charts.funnel_chart(table, stage_ids)

    stage_ids = list(latest.stages["stage_id"])
    first = Release(latest, Access("restricted")).figure(build, "stage_reached", Filters(), options=(stage_ids,))
    again = Release(latest, Access("restricted")).figure(build, "stage_reached", Filters(), options=(stage_ids,))
    assert again is first and len(built) == 1 and counted == [Filters()]
    direct = charts.funnel_chart(Release(latest, Access("restricted")).stage_reached(Filters()), stage_ids)
    pd.testing.assert_frame_equal(first.data, direct.data)
    assert (first.title, first.alt) == (direct.title, direct.alt)
