"""The attacker, after a group's history or an "all of them", not a count.

Perturbation protects a count; it does not protect what a series or a pair of equal numbers says.
A stage's month-by-month occupancy is the history of the people who were in it (its zeros say
when they were not); a cohort's milestone curve steps in the months its people reached the
milestone; a part published equal to a small whole says "all of them"; a median of a group that
differs from another by one person gives that person's value. And a selection of several values
is the sum of its pieces, so an outsider gets each piece's figures by differencing two
selections: every rule has to hold for every piece. The restricted sample scores the attacker.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from data_access import Filters, load_snapshot
from data_access import queries as q
from data_access.disclosure import not_shown_text
from data_access.open_data import published_tables
from data_access.programme import MILESTONES
from data_access.release import Access, Release, SelectionTooSmall
from tests.conftest import SAMPLE_ROOT

AS_OF = "2026-09-30"
DIMS = ("region", "sex", "age_band", "cohort")


@pytest.fixture(scope="module")
def truth():
    return load_snapshot(SAMPLE_ROOT / AS_OF)


@pytest.fixture(scope="module")
def public():
    return Release(load_snapshot(SAMPLE_ROOT.parent / "public" / AS_OF), Access("public"))


@pytest.fixture(scope="module")
def noise(public) -> int:
    return public.snapshot.perturbation.max_noise


def one_and_two_filters(snapshot, dims=DIMS) -> list[Filters]:
    """Every selection of one value of one or two dimensions (the attacker's sweep)."""
    singles = [(dim, value) for dim in dims for value in snapshot.categories(dim)]
    out = [Filters(**{dim: (value,)}) for dim, value in singles]
    for (d1, v1), (d2, v2) in itertools.combinations(singles, 2):
        if d1 != d2:
            out.append(Filters(**{d1: (v1,), d2: (v2,)}))
    return out


def released(method, filters):
    try:
        return method(filters)
    except SelectionTooSmall:
        return None


def test_a_stage_series_is_shown_only_for_at_least_k_people(truth, public):
    """Every stage series a public selection shows counts at least k people (the row's k: 10 for
    investigation and custody) who were ever in that stage, in truth; the sweep must show some
    and hold some back, or it tests nothing."""
    justice = truth.track_stages("justice")
    shown = held = 0
    for filters in one_and_two_filters(truth):
        table = released(public.stage_occupancy, filters)
        if table is None:
            continue
        reached = q.stage_reached(truth, filters).set_index("stage")["people"]
        for stage, rows in table.groupby("stage", sort=False):
            withheld = (rows["people_text"] == not_shown_text()).to_numpy()
            assert withheld.all() or not withheld.any(), f"{filters}: {stage} held back only in some months"
            if withheld.any():
                held += 1
                continue
            if (rows["people_text"] == "0").all():
                continue  # nothing but zeros as published: nobody's months
            shown += 1
            k = public.policy.k_sensitive if stage in justice else public.policy.k
            assert reached[stage] >= k, f"{filters.to_query()}: {stage} shown for {reached[stage]} people"
    assert shown > 400 and held > 100, (shown, held)


def test_the_history_of_one_person_in_a_piece_is_held_back(truth, public):
    """Regions A and B together pass every rule, and B had one person in a stage: B's piece is
    what (A and B) minus A gives, so that stage is held back for the pair, zeros included."""
    reached = pd.DataFrame(
        {
            region: q.stage_reached(truth, Filters(region=(region,))).set_index("stage")["people"]
            for region in truth.categories("region")
        }
    )
    tried = 0
    for stage, row in reached.iterrows():
        if not (row == 1).any() or row.max() < 12:  # the crowded one's series shown alone
            continue
        lone, crowded = row.index[row == 1][0], row.idxmax()
        alone = public.stage_occupancy(Filters(region=(crowded,)))
        assert (alone.loc[alone["stage"] == stage, "people_text"] != not_shown_text()).all()
        pair = released(public.stage_occupancy, Filters(region=(crowded, lone)))
        if pair is not None:  # else refused outright: the lone region has under 20 people
            series = pair.loc[pair["stage"] == stage]
            assert (series["people_text"] == not_shown_text()).all() and series["people"].isna().all()
        tried += 1
    assert tried >= 1  # on the sample: closed cases, KZ-61 (35 people) and KZ-55 (one)


def test_a_services_months_are_shown_only_for_at_least_k_people(truth, public):
    """A type of service's months say when the people it served were served: every type a public
    selection shows month by month was served, in truth, to at least the sensitive k distinct
    people of the selection; a type held back has no month of its own."""
    served = truth.services.assign(service_type=truth.services["service_type"].astype(str))
    shown = held = 0
    for filters in one_and_two_filters(truth):
        table = released(public.services_by_month, filters)
        if table is None or table.empty:
            continue
        inside = np.ones(len(truth.people), dtype=bool)
        for dim in DIMS:
            if getattr(filters, dim):
                inside &= truth.people[dim].astype(str).isin(getattr(filters, dim)).to_numpy()
        people = served.loc[inside[served["person"].to_numpy()]].groupby("service_type")["person"].nunique()
        for kind, rows in table.groupby("service_type", sort=False):
            if (rows["people_text"] == not_shown_text()).any():
                assert len(rows) == 1 and rows["people"].isna().all() and rows["sessions"].isna().all()
                held += 1
                continue
            shown += 1
            assert people[kind] >= public.policy.k_sensitive, f"{filters.to_query()}: {kind}"
    assert shown > 200 and held > 200, (shown, held)


def test_a_milestone_curve_is_drawn_only_for_cohorts_of_the_minimum_base(truth, public, noise):
    """No drawn curve belongs to fewer than the minimum base (published; so at least that less
    the largest noise in truth): a step in a small group's curve dates one person's placement."""
    people = truth.people
    drawn = held = 0
    for filters in one_and_two_filters(truth, ("region", "sex", "age_band", "stage")):
        table = released(public.time_to_milestone, filters)
        if table is None or table.empty:
            continue
        inside = np.ones(len(people), dtype=bool)
        for dim in ("region", "sex", "age_band"):
            if getattr(filters, dim):
                inside &= people[dim].astype(str).isin(getattr(filters, dim)).to_numpy()
        if filters.stage:
            inside &= people["stage"].astype(str).isin(filters.stage).to_numpy()
        sizes = people.loc[inside, "cohort"].astype(str).value_counts()
        for cohort, rows in table.groupby("cohort", sort=False):
            if (rows["reached_text"] == not_shown_text()).all():
                assert rows["base"].isna().all() and rows["share"].isna().all()
                held += 1
                continue
            drawn += 1
            assert sizes[cohort] >= public.policy.min_base - noise, f"{filters.to_query()}: {cohort}"
    assert drawn > 50 and held > 100, (drawn, held)


def test_no_all_of_them_of_a_small_group(truth, public, noise):
    """A region's part (reached school or work, scored) is held back where the region has fewer
    than the minimum base: equal to its people, it would say "all of them". So is a small
    region's row of the region x stage table, and a small group's cells of a two-way table."""
    table = public.region_summary(Filters())
    exact = q.region_summary(truth, Filters()).set_index("region")["people"]
    small = exact.reindex(table["region"]).to_numpy() < public.policy.min_base - noise
    assert small.any()
    for count in ("reached_school_work", "scored"):
        assert (table.loc[small, f"{count}_text"] == not_shown_text()).all()
    assert table.loc[small, ["share_school_work", "median_composite"]].isna().all().all()
    heatmap = public.region_stage(Filters())
    held = heatmap.groupby("region")["people_text"].agg(lambda texts: (texts == not_shown_text()).all())
    assert set(held[held].index) >= set(exact[exact < public.policy.min_base - noise].index)
    pivot = public.counts_by(Filters(), ["region", "cohort"])
    cohorts = truth.people["cohort"].astype(str).value_counts()
    for _, row in pivot.loc[pivot["people_text"] != not_shown_text()].iterrows():
        assert exact[row["region"]] >= public.policy.min_base - noise, row["region"]
        assert cohorts[row["cohort"]] >= public.policy.min_base - noise, row["cohort"]


def test_several_values_of_one_filter_keep_their_groups(public):
    """Held back "in every piece" means every piece that can hold the group: with two cohorts
    chosen, Jusan-2 is not small for having nobody in the piece of Jusan-3."""
    curves = public.time_to_milestone(Filters(cohort=("jusan-2", "jusan-3")))
    assert (curves["reached_text"] != not_shown_text()).all() and set(curves["cohort"]) == {"jusan-2", "jusan-3"}
    regions = public.region_summary(Filters(region=("KZ-15", "KZ-61"))).set_index("region")
    assert (regions.loc[["KZ-15", "KZ-61"], "reached_school_work_text"] != not_shown_text()).all()
    assert regions.loc[["KZ-15", "KZ-61"], "median_composite"].notna().all()
    assert (regions.drop(index=["KZ-15", "KZ-61"])["reached_school_work_text"] == "0").all()  # not "not shown"
    stays = public.time_in_stage(Filters(stage=("follow_up", "school_work")), 180).set_index("stage")
    assert stays.loc[["follow_up", "school_work"], "median_days"].notna().all()
    occupancy = public.stage_occupancy(Filters(stage=("follow_up",)))
    assert (occupancy["people_text"] != not_shown_text()).all()  # closed and lost: zeros, nobody's history


def test_a_value_under_the_minimum_base_cannot_ride_on_a_large_one(public):
    """Regions KZ-61 (86 people) and KZ-55 (7): together they pass, but KZ-55's figures would be
    the pair's less KZ-61's, so the pair is refused like KZ-55 alone."""
    with pytest.raises(SelectionTooSmall, match="one of the values chosen has fewer than 20 people"):
        public.check(Filters(region=("KZ-61", "KZ-55")))
    assert not public.shows(Filters(region=("KZ-61", "KZ-55")))
    assert public.check(Filters(region=("KZ-61", "KZ-15"))) > 140


def test_a_median_needs_the_minimum_group_in_every_piece(truth, public):
    """The only person of region B in a stage: medians of (A and B) and of A alone differ by
    that person's days, so a stage's median is shown only where every piece has the minimum."""
    stays = truth.people.groupby([truth.people["region"].astype(str), truth.people["stage"].astype(str)]).size()
    tried = 0
    open_stages = set(public.time_in_stage(Filters(), 180)["stage"])
    for (region, stage), n in stays.items():
        if n != 1 or stage not in open_stages:
            continue
        crowded = stays.xs(stage, level=1).idxmax()
        if stays[(crowded, stage)] < public.access.min_stats_group + 3:
            continue
        alone = public.time_in_stage(Filters(region=(crowded,)), 180).set_index("stage")
        assert pd.notna(alone.loc[stage, "median_days"])
        pair = released(lambda f: public.time_in_stage(f, 180), Filters(region=(crowded, region)))
        if pair is not None:  # else refused outright: the lone region has under 20 people
            pair = pair.set_index("stage")
            assert pd.isna(pair.loc[stage, "median_days"]) and pd.isna(pair.loc[stage, "p75_days"])
        tried += 1
    assert tried >= 3


def test_scores_say_nothing_of_a_half_year_published_as_nobody(public):
    for filters in (Filters(), Filters(region=("KZ-43",)), Filters(cohort=("jusan-5",))):
        table = released(public.assessment_scores, filters)
        if table is not None:
            assert (table["n"].fillna(1) > 0).all()


def test_the_open_milestones_leave_out_cohorts_under_the_minimum_base(public):
    table = published_tables(public.snapshot)["milestones_by_cohort"]
    assert not table.empty
    assert (table["cohort_people"] >= public.policy.min_base).all()
    assert {"rusafa", "jusan-5", "jusan-2023"}.isdisjoint(table["cohort_id"])
    assert {stage for stage, _, _ in MILESTONES} == set(table["milestone"])


def test_the_public_manifest_does_not_give_the_true_total(public):
    report = public.snapshot.info.manifest["disclosure"]
    assert "people" not in report and "cells" not in report
