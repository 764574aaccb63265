"""The release layer: what each access level lets through. The public level is checked on the
committed public sample (aggregates published from the restricted sample), against the truth of
the restricted sample: counts within the perturbation bound, the same people always getting the
same number, and no count from 1 to k-1 on show."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import charts
from data_access import DIMENSIONS, Filters, load_snapshot, results
from data_access import disclosure as d
from data_access import queries as q
from data_access.access import LEVEL_VARIABLE, methodology
from data_access.release import Access, NotAllowed, Release, SelectionTooSmall, count_texts
from tests.conftest import SAMPLE_ROOT

PUBLIC_ROOT = SAMPLE_ROOT.parent / "public"
PUBLIC = Access("public")
K, K_SENSITIVE = PUBLIC.policy.k, PUBLIC.policy.k_sensitive
BOUND = 3

# (method, arguments after filters, count columns)
TABLES = {
    "arrivals": ((), ("people",)),
    "unaccompanied_children": ((), ("people",)),
    "age_sex_pyramid": ((), ("people",)),
    "stage_distribution": ((), ("people",)),
    "stage_reached": ((), ("people",)),
    "stage_occupancy": ((), ("people",)),
    "time_to_milestone": ((), ("reached",)),
    "time_in_stage": ((180,), ("people", "stuck")),
    "assessment_scores": ((), ("n",)),
    "services_by_month": ((), ("people",)),
    "services_by_type": ((), ("people",)),
    "region_summary": ((), ("people", "reached_school_work", "scored")),
    "region_stage": ((), ("people",)),
}
SENSITIVE = {"services_by_month", "services_by_type"}


@pytest.fixture(scope="module")
def published():
    return load_snapshot(PUBLIC_ROOT / "2026-09-30")


@pytest.fixture(scope="module")
def public(published):
    return Release(published, PUBLIC)


@st.composite
def selections(draw, snapshot):
    chosen = {}
    for dim in ("cohort", "region", "stage", "sex", "age_band", "origin"):
        if draw(st.booleans()):
            options = snapshot.categories(dim)
            chosen[dim] = tuple(draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True)))
    return Filters(**chosen)


def smallest_shown(table: pd.DataFrame, count: str, sensitive) -> None:
    """Every count has its flag and text; none from 1 to k-1 is on show (a hidden one reads "<k",
    or "not shown" where its whole group is held back)."""
    assert f"{count}_suppressed" in table.columns and f"{count}_text" in table.columns
    shown = pd.to_numeric(table[count], errors="coerce")
    assert not shown.between(1, K - 1).any(), count
    assert not shown[sensitive].between(1, K_SENSITIVE - 1).any(), count
    hidden = table[f"{count}_suppressed"].to_numpy()
    assert table[count][hidden].isna().all()
    assert set(table.loc[hidden, f"{count}_text"]) <= {f"<{K}", f"<{K_SENSITIVE}", d.not_shown_text()}


def sensitive_rows(name: str, table: pd.DataFrame, justice: set[str]):
    if name in SENSITIVE:
        return pd.Series(True, index=table.index)
    if "stage" in table:
        return table["stage"].astype(str).isin(justice)
    return pd.Series(False, index=table.index)


def test_a_part_perturbed_above_its_whole_is_shown_as_the_whole(published, public):
    """Each public count is perturbed on its own, so a part can come out above its whole. In the
    public sample: 22 women among the 20 people of the 2019 cohort's adults, 30 people who ever
    reached two stages among the 29 placed in KZ-27, and 30 people with a score there. Shown, a
    part is at most its whole, and its share reads 100% only then."""
    adults = Filters(cohort=("jusan-2019-other",), age_band=("18-59",))
    n = public.check(adults)
    assert n == 20 and q.headline(published, adults).set_index("measure").loc["women", "value"] == 22
    head = public.headline(adults).set_index("measure")
    assert head.loc["women", "value"] == 20 and head.loc["women", "share_text"] == "100%"
    assert (head["value"].drop("people").dropna() <= n).all()
    placed = Filters(region=("KZ-27",))
    n = public.check(placed)
    assert n == 29 and q.stage_reached(published, placed)["people"].max() == 30
    for name in ("stage_distribution", "stage_reached"):
        assert (getattr(public, name)(placed)["people"].dropna() <= n).all(), name
    raw = q.region_summary(published, Filters()).set_index("region").loc["KZ-27"]
    assert (raw["scored"], raw["people"]) == (30, 29)
    shown = public.region_summary(Filters()).set_index("region").loc["KZ-27"]
    assert shown["scored"] == shown["people"] == 29


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_selections_show_no_small_count_and_stay_within_the_bound(latest, published, public, data):
    filters = data.draw(selections(published))
    n, outside, smallest = public._sizes(filters)
    truth = q.base_n(latest, filters)
    pieces = q.select(published, filters).pieces
    assert abs(n - truth) <= BOUND * pieces
    assert public.shows(filters) == (d.base_ok(n, outside, public.policy) and (n == 0 or smallest >= 20))
    if not public.shows(filters):
        for name, (args, _) in TABLES.items():
            with pytest.raises(SelectionTooSmall):
                getattr(public, name)(filters, *args)
        with pytest.raises(SelectionTooSmall):
            public.headline(filters)
        assert public.base_text(filters) is None
        return
    justice = {"investigation", "custody"}
    for name, (args, counts) in TABLES.items():
        table = getattr(public, name)(filters, *args)
        for count in counts:
            smallest_shown(table, count, sensitive_rows(name, table, justice))
    head = public.headline(filters).set_index("measure")
    smallest_shown(head, "value", pd.Series(head.index == "justice_track", index=head.index))
    assert head["delta"].isna().all() and head["previous"].isna().all()
    for text, (_, row) in zip(head["share_text"], head.iterrows(), strict=True):
        if text == "0%":
            assert row["value"] == 0
        if text == "100%":
            assert row["value"] == n
    # Perturbed one by one, a part may come out above its whole; it is never shown so.
    assert (head["value"].drop("people").dropna() <= n).all()
    for name in ("stage_distribution", "stage_reached"):
        assert (getattr(public, name)(filters)["people"].dropna() <= n).all(), name
    regions = public.region_summary(filters)
    for part in ("reached_school_work", "scored"):
        both = regions[[part, "people"]].dropna()
        assert (both[part] <= both["people"]).all(), part
    for dim in ("cohort", "region", "stage"):
        options = public.option_counts(filters, dim)
        assert not pd.to_numeric(options["people"], errors="coerce").between(1, K - 1).any()


def test_counts_of_one_combination_are_within_the_bound_of_the_truth(latest, public):
    for filters in (Filters(), Filters(cohort=("jusan-2",)), Filters(region=("KZ-61",)), Filters(sex=("male",))):
        for name in ("arrivals", "age_sex_pyramid", "region_stage"):
            shown = getattr(public, name)(filters)
            truth = getattr(q, name)(latest, filters)
            keys = [c for c in shown.columns if c in ("cohort", "group", "age_band", "sex", "region", "stage")]
            merged = shown.merge(truth, on=keys, suffixes=("", "_true"))
            published = pd.to_numeric(merged["people"], errors="coerce")
            visible = published.notna()
            assert ((published[visible] - merged.loc[visible, "people_true"]).abs() <= BOUND).all(), name
            small = (merged["people_text"] != d.not_shown_text()).to_numpy() & ~visible.to_numpy()
            assert (merged.loc[small, "people_true"].between(1, 7)).all(), name  # "<5" or "<10"


def test_the_same_people_get_the_same_number_whatever_the_question(public):
    jusan2 = Filters(cohort=("jusan-2",))
    people = public.headline(jusan2).set_index("measure").loc["people", "value"]
    facet = public.option_counts(Filters(), "cohort").set_index("code").loc["jusan-2", "people"]
    pivot = public.counts_by(Filters(), ["cohort"]).set_index("cohort").loc["jusan-2", "people"]
    by_origin = public.counts_by(Filters(), ["cohort", "origin"]).set_index(["cohort", "origin"])
    assert people == facet == pivot == by_origin.loc[("jusan-2", "SY"), "people"]
    # Jusan-2's largest region, asked three ways.
    by_region = public.option_counts(jusan2, "region").set_index("code")["people"]
    region = by_region.idxmax()
    cell = public.headline(Filters(cohort=("jusan-2",), region=(region,))).set_index("measure").loc["people", "value"]
    summary = public.region_summary(jusan2).set_index("region").loc[region, "people"]
    assert cell == by_region[region] == summary


@pytest.mark.parametrize("level", ["restricted", "public"])
def test_the_sidebars_option_texts_are_the_facet_counts_as_released(latest, public, level):
    release = public if level == "public" else Release(latest, Access("restricted"))
    for filters in (Filters(), Filters(cohort=("jusan-2",)), Filters(region=("KZ-61",), sex=("male",))):
        texts = release.option_texts(filters)
        assert set(texts) == set(DIMENSIONS)
        for dim in DIMENSIONS:
            table = release.option_counts(filters, dim)
            assert texts[dim] == dict(zip(table["code"], count_texts(table), strict=True)), (level, dim)
    if level == "restricted":
        assert release.option_texts(Filters(cohort=("jusan-2",)))["cohort"]["rusafa"] == "14"  # not its own filter


def test_several_values_in_a_filter_are_the_sum_of_each(public):
    a, b = Filters(region=("KZ-47",)), Filters(region=("KZ-61",))
    both = Filters(region=("KZ-47", "KZ-61"))
    people = [public._sizes(f)[0] for f in (a, b, both)]
    assert people[2] == people[0] + people[1]
    table = {f: public.stage_distribution(f).set_index("stage")["people"].fillna(0) for f in (a, b, both)}
    hidden = (
        public.stage_distribution(a)["people_suppressed"].to_numpy()
        | public.stage_distribution(b)["people_suppressed"].to_numpy()
    )
    assert (table[both][~hidden] == (table[a] + table[b])[~hidden]).all()


def test_choosing_every_value_is_choosing_none(public):
    assert public._sizes(Filters(sex=("female", "male")))[0] == public._sizes(Filters())[0]
    assert public._sizes(Filters(origin=("IQ",)))[0] == public._sizes(Filters(cohort=("rusafa",)))[0]


def test_the_restricted_level_passes_the_queries_through(latest):
    restricted = Release(latest, Access("restricted"))
    rusafa = Filters(cohort=("rusafa",))
    pd.testing.assert_frame_equal(restricted.arrivals(rusafa), q.arrivals(latest, rusafa))
    assert restricted.base_text(rusafa) == "14"
    assert len(restricted.person_table(rusafa)) == 14


def test_statistics_need_ten_people_restricted_and_twenty_public(latest, public):
    restricted = Release(latest, Access("restricted"))
    for release, least in ((restricted, 10), (public, 20)):
        table = release.time_in_stage(Filters(), 180)
        people = pd.to_numeric(table["people"], errors="coerce").fillna(0)
        assert table.loc[people < least, "median_days"].isna().all()
        assert table.loc[people >= least, "median_days"].notna().all()
        scores = release.assessment_scores(Filters())
        assert (pd.to_numeric(scores.loc[scores["median"].notna(), "n"]) >= least).all()


def test_headline_figures_at_the_public_level(latest, public):
    head = public.headline(Filters()).set_index("measure")
    truth = q.headline(latest, Filters()).set_index("measure")["value"]
    for measure, value in head["value"].items():
        assert abs(value - truth[measure]) <= BOUND, measure
    assert head.loc["active_support", "share_text"].endswith("%")
    # Jusan-3 women: 7 ever on the justice track, published as a count under 10: "<10".
    women = Filters(cohort=("jusan-3",), sex=("female",))
    assert q.headline(latest, women).set_index("measure").loc["justice_track", "value"] == 7
    head = public.headline(women).set_index("measure")
    assert head.loc["justice_track", "value_text"] == "<10"
    assert head.loc["justice_track", "share_text"] == ""
    assert head.loc["men", "value_text"] == "0"


def test_a_selection_of_justice_stages_counts_as_sensitive_everywhere(published):
    custody = Filters(stage=("custody",))  # 12 people in the sample: shown with a minimum base of 5
    release = Release(published, Access("public", policy=d.Policy(min_base=5)))
    assert release.shows(custody)
    for table, count in ((release.arrivals(custody), "people"), (release.headline(custody), "value")):
        shown = pd.to_numeric(table[count], errors="coerce")
        assert not shown.between(1, K_SENSITIVE - 1).any()


def test_person_rows_are_not_allowed_at_the_public_level(public):
    with pytest.raises(NotAllowed):
        public.person_table(Filters())
    with pytest.raises(NotAllowed):
        public.stage_history("p1")


def test_each_level_opens_only_its_kind_of_snapshot(latest, published):
    with pytest.raises(NotAllowed, match="opens only snapshots of aggregates"):
        Release(latest, PUBLIC)
    with pytest.raises(NotAllowed, match="opens only snapshots of records"):
        Release(published, Access("restricted"))


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


def test_display_settings_from_the_environment(published):
    access = Access.from_environment({LEVEL_VARIABLE: "public", "SECOND_CHANCE_K": "10"})
    assert access.policy.k == 10
    table = Release(published, access).stage_distribution(Filters())
    assert not pd.to_numeric(table["people"], errors="coerce").between(1, 9).any()


def test_methodology_states_the_rules_in_force(public):
    text = " ".join(public.methodology())
    for words in ("cell-key method", "at most 3", "variance 2", 'shown as "<5"', '"<10"', "fewer than 20 people"):
        assert words in text
    assert "exact" in " ".join(methodology(Access("restricted")))


# --- remembered tables ------------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch, latest, published):
    """Count the query calls behind `stage_reached`, starting with no remembered tables."""
    for snapshot in (latest, published):
        results._stores.pop(snapshot, None)
    calls = []
    real = q.stage_reached
    monkeypatch.setattr(q, "stage_reached", lambda *args, **kwargs: calls.append(args[1]) or real(*args, **kwargs))
    yield calls
    for snapshot in (latest, published):
        results._stores.pop(snapshot, None)


def test_a_selection_asked_before_is_not_computed_again(latest, published, counted):
    restricted = Access("restricted")
    women = Filters(sex=("female",))
    first = Release(latest, restricted).stage_reached(women)
    again = Release(latest, restricted).stage_reached(women)  # another run, another session
    pd.testing.assert_frame_equal(first, again)
    assert counted == [women]
    Release(latest, restricted).stage_reached(Filters(sex=("male",)))
    Release(published, PUBLIC).stage_reached(women)  # another snapshot and level: its own tables
    assert counted == [women, Filters(sex=("male",)), women]


def test_a_caller_changing_its_table_does_not_change_the_next_callers(latest, counted):
    girls = Filters(sex=("female",), age_band=("5-11",))
    table = Release(latest, Access("restricted")).stage_reached(girls)
    expected = table.copy()
    table.loc[:, "people"] = -1
    pd.testing.assert_frame_equal(Release(latest, Access("restricted")).stage_reached(girls), expected)
    assert counted == [girls]


def test_remembered_tables_are_bounded_and_can_be_turned_off(latest, counted, monkeypatch):
    monkeypatch.setattr(results, "RESULT_CACHE_SIZE", 2)
    selections_ = [Filters(age_band=(band,)) for band in ("0-4", "5-11", "12-17")]
    for filters in [*selections_, selections_[0]]:
        Release(latest, Access("restricted")).stage_reached(filters)
    assert counted == [*selections_, selections_[0]]  # the oldest was dropped to keep two
    assert len(results.results(latest)._items) == 2
    monkeypatch.setattr(results, "RESULT_CACHE_SIZE", 0)
    Release(latest, Access("restricted")).stage_reached(selections_[2])
    assert counted[-1] == selections_[2] and len(counted) == 5


def test_a_figure_is_built_once_from_its_released_table(latest, counted):
    built = []

    def build(table, stage_ids):
        built.append(len(table))
        return charts.funnel_chart(table, stage_ids)

    stage_ids = list(latest.stages["stage_id"])
    first_release, second_release = Release(latest, Access("restricted")), Release(latest, Access("restricted"))
    first = first_release.figure(build, first_release.stage_reached, Filters(), options=(stage_ids,))
    again = second_release.figure(build, second_release.stage_reached, Filters(), options=(stage_ids,))
    assert again is first and len(built) == 1 and counted == [Filters()]
    direct = charts.funnel_chart(Release(latest, Access("restricted")).stage_reached(Filters()), stage_ids)
    pd.testing.assert_frame_equal(first.data, direct.data)
    assert (first.title, first.alt) == (direct.title, direct.alt)


# --- what a mutation test found no test for (each seen failing on its mutant) -------------------


def test_the_justice_track_counts_as_sensitive_in_a_pivot(public):
    """A pivot by justice hides up to 9 ("<10"), as the justice track does everywhere: KZ-15 has
    8 people (published) ever on it."""
    for dims in (["justice"], ["region", "justice"]):
        table = public.counts_by(Filters(), dims)
        assert not pd.to_numeric(table["people"], errors="coerce").between(1, K_SENSITIVE - 1).any(), dims
    table = public.counts_by(Filters(), ["region", "justice"]).set_index(["region", "justice"])
    assert table.loc[("KZ-15", True), "people_text"] == f"<{K_SENSITIVE}"


def test_a_hidden_count_of_people_served_hides_its_sessions(public):
    months = public.services_by_month(Filters())
    hidden = months["people_suppressed"].to_numpy()
    assert hidden.any() and months.loc[hidden, "sessions"].isna().all()


def test_services_are_counted_perturbed_like_every_other_count(public):
    """People served in the last 12 months, as published: the truth is 195, 68, 72, 85, 202, 22."""
    table = public.services_by_type(Filters()).set_index("service_type")["people"]
    assert table.to_dict() == {
        "psychosocial": 194,
        "theological": 69,
        "legal": 72,
        "medical": 85,
        "education": 203,
        "vocational": 23,
    }


def test_the_rest_outside_a_selection_is_perturbed_too(published):
    """Jusan-1 leaves 579 people outside it; published, 576: the minimum-base check of the rest
    reads a perturbed count like every other."""
    assert q.select(published, Filters(cohort=("jusan-1",))).outside() == 576


def test_facet_counts_of_a_too_small_selection_are_not_shown(public):
    """Jusan 2023 in KZ-15 is too small: the region options show no count at all (not "0" or
    "<5", which would be figures of a selection too small to show)."""
    options = public.option_counts(Filters(cohort=("jusan-2023",), region=("KZ-15",)), "region")
    assert (options["people_text"] == "").all() and options["people"].isna().all()
