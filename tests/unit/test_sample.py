"""The committed sample: calibrated to the brief's cohort table, consistent across snapshots,
and reproducible from its seed."""

from __future__ import annotations

import filecmp
import itertools

import pandas as pd
import pycountry

from data_access import Filters
from data_access import queries as q
from data_access.generate import generate

# cohort: (total, men, women, children) as reported
BRIEF = {
    "jusan-1": (47, 6, 11, 30),
    "jusan-2": (231, 16, 59, 156),
    "jusan-3": (246, 8, 67, 171),
    "jusan-2019-other": (71, 3, 19, 49),
    "rusafa": (14, 0, 0, 14),
    "jusan-5": (12, 4, 1, 7),
    "jusan-2023": (5, 0, 1, 4),
}


def test_four_snapshots_ship_newest_first(sample_infos):
    assert [i.id for i in sample_infos] == ["2026-09-30", "2026-03-31", "2025-09-30", "2025-03-31"]
    assert all(i.usable and i.access_level == "restricted" and i.country == "KZ" for i in sample_infos)


def test_sample_snapshots_load_without_problems(sample_snapshots):
    assert [s.problems for s in sample_snapshots] == [()] * 4


def test_every_cohort_matches_the_brief(sample_snapshots):
    for snapshot in sample_snapshots:
        for cohort, (total, men, women, children) in BRIEF.items():
            figures = q.headline(snapshot, Filters(cohort=cohort)).set_index("measure")["value"]
            assert (figures["people"], figures["men"], figures["women"], figures["children"]) == (
                total,
                men,
                women,
                children,
            ), cohort


def test_totals_reconcile(latest):
    figures = q.headline(latest, Filters()).set_index("measure")["value"]
    assert (figures["people"], figures["men"], figures["women"], figures["children"]) == (626, 37, 158, 431)
    jusan_2019 = Filters(cohort=("jusan-1", "jusan-2", "jusan-3", "jusan-2019-other"))
    assert q.headline(latest, jusan_2019).set_index("measure")["value"][
        ["people", "men", "women", "children"]
    ].tolist() == [
        595,
        33,
        156,
        406,
    ]
    assert q.base_n(latest, jusan_2019.with_values("cohort", [*jusan_2019.cohort, "jusan-5"])) == 607


def test_rusafa_is_14_unaccompanied_children_8_girls_6_boys(latest):
    pyramid = q.age_sex_pyramid(latest, Filters(cohort="rusafa"))
    assert pyramid.groupby("sex")["people"].sum().to_dict() == {"female": 8, "male": 6}
    assert set(pyramid.loc[pyramid.people > 0, "age_band"]) <= {"0-4", "5-11", "12-17"}
    figures = q.headline(latest, Filters(cohort="rusafa")).set_index("measure")["value"]
    assert figures["unaccompanied"] == 14


def test_reported_orphans(latest):
    for cohort, orphans in (("jusan-2", 18), ("jusan-5", 2)):
        assert q.headline(latest, Filters(cohort=cohort)).set_index("measure").loc["unaccompanied", "value"] == orphans


def test_justice_track_all_men_and_about_13_women_most_convicted(latest):
    people = latest.people
    on_track = people[people["justice"]]
    assert (on_track["group"] == "man").sum() == 37
    assert (on_track["group"] == "woman").sum() == 13
    convicted = q.stage_reached(latest, Filters()).set_index("stage").loc["custody", "people"]
    assert 44 <= convicted < 50


def test_all_twenty_regions_are_real_and_present(latest):
    codes = {s.code for s in pycountry.subdivisions.get(country_code="KZ")}
    summary = q.region_summary(latest, Filters())
    assert len(summary) == 20
    assert set(summary["region"]) <= codes
    assert (summary["people"] > 0).all()
    assert summary["people"].max() >= 5 * summary["people"].min()


def test_adaptation_centre_takes_about_a_month(latest):
    events = latest.events[latest.events["stage"] == "adaptation"]
    rusafa = latest.people["cohort"].to_numpy()[events["person"].to_numpy()] == "rusafa"
    days = (events["exited_on"] - events["entered_on"]).dt.days[~rusafa]
    assert 25 <= days.median() <= 35


def test_closures_grow_and_histories_only_grow(sample_snapshots):
    oldest_first = sample_snapshots[::-1]
    closed = [q.headline(s, Filters()).set_index("measure").loc["case_closed", "value"] for s in oldest_first]
    assert closed == sorted(closed) and closed[0] < closed[-1]
    for earlier, later in itertools.pairwise(oldest_first):
        assert list(earlier.people["person_id"]) == list(later.people["person_id"])
        ids = later.people["person_id"].to_numpy()
        as_of = pd.Timestamp(earlier.as_of)
        cut = later.events[later.events["entered_on"] <= as_of]
        cut = cut.assign(
            exited_on=cut["exited_on"].where(cut["exited_on"] <= as_of),
            person_id=ids[cut["person"].to_numpy()],
        )
        before = earlier.events.assign(person_id=ids[earlier.events["person"].to_numpy()])
        key = ["person_id", "stage", "entered_on"]
        assert before.sort_values(key)[[*key, "exited_on"]].astype(str).values.tolist() == (
            cut.sort_values(key)[[*key, "exited_on"]].astype(str).values.tolist()
        )
        assert len(later.assessments) >= len(earlier.assessments)


def test_scores_improve_over_time(latest):
    scores = q.assessment_scores(latest, Filters())
    composite = scores[scores.dimension == "composite"].sort_values("period")["median"].to_numpy()
    assert composite[-1] > composite[0] + 0.1


def test_invented_figures_are_labelled(latest):
    notes = " ".join(latest.info.manifest["notes"])
    assert "Synthetic" in notes and "Invented" in notes and "school" in notes


def test_generator_is_deterministic(tmp_path, sample_infos):
    generate(tmp_path / "a", seed=2019)
    generate(tmp_path / "b", seed=2019)
    for snapshot in ("2025-03-31", "2026-09-30"):
        a, b = tmp_path / "a" / snapshot, tmp_path / "b" / snapshot
        names = sorted(p.name for p in a.iterdir())
        match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
        assert mismatch == [] and errors == [] and len(match) == 8
        committed = next(i.path for i in sample_infos if i.id == snapshot)
        _, mismatch, _ = filecmp.cmpfiles(a, committed, names, shallow=False)
        assert mismatch == [], "the committed sample is not what the generator makes: regenerate it"


def test_another_seed_gives_other_people_but_the_same_cohorts(tmp_path):
    from data_access import load_snapshot

    [path] = generate(tmp_path, seed=7, as_of=["2026-09-30"])
    other = load_snapshot(path)
    assert q.base_n(other, Filters(cohort="jusan-2")) == 231
    assert q.region_summary(other, Filters())["people"].tolist() != []


def test_scaled_generation_keeps_proportions(tmp_path):
    from data_access import load_snapshot

    [path] = generate(tmp_path, n_people=5000, as_of=["2026-09-30"], services=False)
    snapshot = load_snapshot(path)
    figures = q.headline(snapshot, Filters()).set_index("measure")["value"]
    assert figures["people"] == 5000
    assert abs(figures["children"] / 5000 - 431 / 626) < 0.01
    assert snapshot.services.empty
