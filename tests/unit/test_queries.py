"""Queries on the hand-built six-person snapshot (tests/tiny.py): every expected value is
worked out on paper from the table in that module's docstring."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from data_access import Filters
from data_access import queries as q
from i18n import use
from tests.tiny import AS_OF

EVERYONE = Filters()


def as_dict(frame: pd.DataFrame, key: str, value: str) -> dict:
    return dict(zip(frame[key], frame[value], strict=True))


def test_current_stage_is_the_open_stage(tiny_snapshot):
    people = tiny_snapshot.people.set_index("person_id")
    assert people["stage"].astype(str).to_dict() == {
        "p1": "closed",
        "p2": "school_work",
        "p3": "custody",
        "p4": "placement",
        "p5": "school_work",
        "p6": "lost",
    }
    assert people.loc["p2", "stage_since"] == pd.Timestamp("2020-03-15")
    assert people["justice"].to_dict() == {f"p{i}": i == 3 for i in range(1, 7)}


def test_headline_figures(tiny_snapshot):
    figures = as_dict(q.headline(tiny_snapshot, EVERYONE), "measure", "value")
    assert figures == {
        "people": 6,
        "women": 2,
        "men": 1,
        "children": 3,
        "unaccompanied": 2,
        "justice_track": 1,
        "active_support": 3,
        "case_closed": 1,
    }


def test_headline_deltas_against_a_previous_snapshot(tiny_snapshot):
    table = q.headline(tiny_snapshot, Filters(cohort="c2"), previous=tiny_snapshot)
    row = table.set_index("measure").loc["people"]
    assert (row["value"], row["previous"], row["delta"]) == (2, 2, 0)
    assert q.headline(tiny_snapshot, EVERYONE)["delta"].isna().all()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(cohort="c1"), 4),
        (Filters(region=("KZ-47", "KZ-61")), 4),
        (Filters(stage="school_work"), 2),
        (Filters(sex="male"), 2),
        (Filters(age_band=("0-4", "60+")), 2),
        (Filters(origin="IQ"), 2),
        (Filters(cohort="c1", sex="female", region="KZ-71"), 1),
        (Filters(cohort="c2", sex="male"), 0),
    ],
)
def test_each_filter_narrows_the_base(tiny_snapshot, filters, expected):
    assert q.base_n(tiny_snapshot, filters) == expected


def test_arrivals_by_cohort_and_group(tiny_snapshot):
    table = q.arrivals(tiny_snapshot, EVERYONE)
    got = {(r.cohort, r.group): r.people for r in table.itertuples()}
    assert got == {
        ("c1", "man"): 1,
        ("c1", "woman"): 2,
        ("c1", "child"): 1,
        ("c2", "man"): 0,
        ("c2", "woman"): 0,
        ("c2", "child"): 2,
    }
    assert set(table.loc[table.cohort == "c2", "origin_name"]) == {"Iraq"}


def test_arrivals_leave_out_cohorts_outside_the_selection(tiny_snapshot):
    assert set(q.arrivals(tiny_snapshot, Filters(cohort="c2"))["cohort"]) == {"c2"}


def test_age_sex_pyramid_lists_every_band_and_sex(tiny_snapshot):
    table = q.age_sex_pyramid(tiny_snapshot, EVERYONE)
    assert len(table) == 10
    got = {(r.age_band, r.sex): r.people for r in table.itertuples() if r.people}
    assert got == {
        ("18-59", "female"): 1,
        ("0-4", "male"): 1,
        ("18-59", "male"): 1,
        ("5-11", "female"): 1,
        ("12-17", "female"): 1,
        ("60+", "female"): 1,
    }


def test_stage_distribution_in_programme_order(tiny_snapshot):
    table = q.stage_distribution(tiny_snapshot, EVERYONE)
    assert list(table["stage"]) == [
        "arrival",
        "adaptation",
        "investigation",
        "custody",
        "placement",
        "documents",
        "school_work",
        "follow_up",
        "closed",
        "lost",
    ]
    assert as_dict(table, "stage", "people") == {
        "arrival": 0,
        "adaptation": 0,
        "investigation": 0,
        "custody": 1,
        "placement": 1,
        "documents": 0,
        "school_work": 2,
        "follow_up": 0,
        "closed": 1,
        "lost": 1,
    }
    assert as_dict(table, "stage", "share")["school_work"] == pytest.approx(2 / 6)


def test_stage_reached_counts_everyone_who_ever_entered(tiny_snapshot):
    reached = as_dict(q.stage_reached(tiny_snapshot, EVERYONE), "stage", "people")
    assert reached == {
        "arrival": 6,
        "adaptation": 5,
        "investigation": 1,
        "custody": 1,
        "placement": 5,
        "documents": 0,
        "school_work": 3,
        "follow_up": 0,
        "closed": 1,
        "lost": 1,
    }


def test_stage_occupancy_is_a_month_end_balance(tiny_snapshot):
    table = q.stage_occupancy(tiny_snapshot, EVERYONE)
    at = table.set_index(["month", "stage"])["people"]
    jan, feb, mar = (pd.Timestamp(f"2020-0{m}-01") for m in (1, 2, 3))
    assert (at[jan, "arrival"], at[jan, "adaptation"], at[jan, "investigation"]) == (0, 3, 1)
    assert (at[feb, "adaptation"], at[feb, "placement"]) == (0, 3)
    assert (at[mar, "placement"], at[mar, "school_work"]) == (2, 1)
    last = pd.Timestamp("2022-06-01")
    assert table.loc[table.month == last, "people"].sum() == 6
    assert table["month"].min() == jan and table["month"].max() == last


def test_time_to_milestone_is_cumulative_and_stops_at_observed_months(tiny_snapshot):
    table = q.time_to_milestone(tiny_snapshot, EVERYONE)
    c1 = table[(table.cohort == "c1") & (table.milestone == "placement")].set_index("months")
    assert c1.loc[0, "reached"] == 0
    assert c1.loc[1, "reached"] == 3
    assert c1.loc[1, "share"] == pytest.approx(0.75)
    observed = int((AS_OF - dt.date(2020, 1, 1)).days // (365.25 / 12))
    assert c1.index.max() == observed
    school = table[(table.cohort == "c1") & (table.milestone == "school_work")].set_index("months")
    assert list(school.loc[[1, 2, 3], "reached"]) == [0, 1, 2]


def test_time_in_stage(tiny_snapshot):
    table = q.time_in_stage(tiny_snapshot, EVERYONE, threshold_days=180).set_index("stage")
    assert "closed" not in table.index and "lost" not in table.index
    p2 = (AS_OF - dt.date(2020, 3, 15)).days
    p5 = (AS_OF - dt.date(2022, 1, 15)).days
    school = table.loc["school_work"]
    assert school["people"] == 2
    assert school["median_days"] == pytest.approx((p2 + p5) / 2)
    assert school["p75_days"] == pytest.approx(p5 + 0.75 * (p2 - p5))
    # p2 has been in school 472 days: over the threshold, but a long stay there is the goal.
    assert not school["counts_as_stuck"] and school["stuck"] == 0
    custody = table.loc["custody"]
    assert custody["median_days"] == (AS_OF - dt.date(2020, 9, 1)).days
    assert not custody["counts_as_stuck"] and custody["stuck"] == 0
    placement = table.loc["placement"]  # p4, 333 days
    assert placement["counts_as_stuck"] and (placement["people"], placement["stuck"]) == (1, 1)
    assert table.loc["documents", "people"] == 0 and table.loc["documents", "counts_as_stuck"]


def test_assessment_scores_per_half_year(tiny_snapshot):
    table = q.assessment_scores(tiny_snapshot, EVERYONE).set_index(["period", "dimension"])
    h1_2020, h2_2020, h2_2021 = (pd.Timestamp(d) for d in ("2020-01-01", "2020-07-01", "2021-07-01"))
    assert table.loc[(h1_2020, "economic"), "median"] == pytest.approx(0.2)
    assert table.loc[(h1_2020, "composite"), "median"] == pytest.approx(0.3)
    assert table.loc[(h2_2020, "composite"), "median"] == pytest.approx(0.5)
    assert table.loc[(h2_2021, "composite"), "median"] == pytest.approx(0.6)
    assert (h2_2021, "economic") not in table.index
    assert table.loc[(h2_2021, "social"), "n"] == 1


def test_services(tiny_snapshot):
    by_month = q.services_by_month(tiny_snapshot, EVERYONE)
    got = {(r.month, r.service_type): (r.sessions, r.people) for r in by_month.itertuples()}
    assert got == {
        (pd.Timestamp("2020-02-01"), "psychosocial"): (5, 2),
        (pd.Timestamp("2020-02-01"), "legal"): (1, 1),
        (pd.Timestamp("2022-06-01"), "education"): (4, 1),
    }
    by_type = q.services_by_type(tiny_snapshot, EVERYONE)
    assert as_dict(by_type, "service_type", "sessions") == {
        "psychosocial": 0,
        "theological": 0,
        "legal": 0,
        "medical": 0,
        "education": 4,
        "vocational": 0,
    }


def test_region_summary(tiny_snapshot):
    table = q.region_summary(tiny_snapshot, EVERYONE).set_index("region")
    assert table.loc["KZ-47", ["people", "reached_school_work", "scored"]].tolist() == [2, 2, 1]
    assert table.loc["KZ-47", "share_school_work"] == pytest.approx(1.0)
    assert table.loc["KZ-47", "median_composite"] == pytest.approx(0.5)
    assert table.loc["KZ-61", "share_school_work"] == pytest.approx(0.5)
    assert table.loc["KZ-61", "median_composite"] == pytest.approx(0.6)
    assert table.loc["KZ-71", "share_school_work"] == 0
    assert np.isnan(table.loc["KZ-71", "median_composite"])


def test_region_stage_lists_every_pair(tiny_snapshot):
    table = q.region_stage(tiny_snapshot, EVERYONE)
    assert len(table) == 3 * 10
    got = {(r.region, r.stage): r.people for r in table.itertuples() if r.people}
    assert got == {
        ("KZ-47", "closed"): 1,
        ("KZ-47", "school_work"): 1,
        ("KZ-71", "custody"): 1,
        ("KZ-71", "lost"): 1,
        ("KZ-61", "placement"): 1,
        ("KZ-61", "school_work"): 1,
    }


def test_counts_by_two_dimensions_with_labels(tiny_snapshot):
    table = q.counts_by(tiny_snapshot, EVERYONE, ["cohort", "unaccompanied"])
    got = {(r.cohort_label, r.unaccompanied_label): r.people for r in table.itertuples()}
    assert got == {
        ("Cohort One", "No"): 4,
        ("Cohort One", "Yes"): 0,
        ("Cohort Two", "No"): 0,
        ("Cohort Two", "Yes"): 2,
    }
    with pytest.raises(ValueError, match="choose one or two"):
        q.counts_by(tiny_snapshot, EVERYONE, ["cohort", "sex", "region"])


def test_option_counts_ignore_their_own_dimension(tiny_snapshot):
    filters = Filters(region="KZ-47", cohort="c2")
    cohorts = q.option_counts(tiny_snapshot, filters, "cohort")
    assert as_dict(cohorts, "label", "people") == {"Cohort One": 2, "Cohort Two": 0}
    regions = q.option_counts(tiny_snapshot, filters, "region")
    assert as_dict(regions, "code", "people") == {"KZ-71": 0, "KZ-47": 0, "KZ-61": 2}


def test_person_table_and_history(tiny_snapshot):
    table = q.person_table(tiny_snapshot, Filters(cohort="c2")).set_index("person_id")
    assert list(table.index) == ["p4", "p5"]
    assert table.loc["p4", "stage"] == "Family placement"
    assert table.loc["p4", "days_in_stage"] == (AS_OF - dt.date(2021, 8, 1)).days
    history = q.stage_history(tiny_snapshot, "p5")
    assert list(history["stage"]) == ["arrival", "adaptation", "placement", "school_work"]
    assert list(history["days"]) == [1, 60, 167, (AS_OF - dt.date(2022, 1, 15)).days]
    assert q.stage_history(tiny_snapshot, "nobody").empty


def test_person_table_limit_takes_the_first_rows_of_the_order(tiny_snapshot):
    women = Filters(sex="female")
    longest = q.person_table(tiny_snapshot, women)  # longest in their current stage first
    assert longest["days_in_stage"].is_monotonic_decreasing and len(longest) == 4
    assert list(q.person_table(tiny_snapshot, women, limit=2)["person_id"]) == list(longest["person_id"][:2])
    by_id = q.person_table(tiny_snapshot, Filters(), limit=3, order="id")
    assert list(by_id["person_id"]) == ["p1", "p2", "p3"]
    assert list(q.person_table(tiny_snapshot, women, limit=2, offset=2)["person_id"]) == list(longest["person_id"][2:])
    with pytest.raises(ValueError, match="unknown order"):
        q.person_table(tiny_snapshot, women, order="alphabetical")


def test_queries_on_an_empty_selection_return_empty_or_zero_tables(tiny_snapshot):
    nobody = Filters(cohort="c2", sex="male")
    assert q.stage_distribution(tiny_snapshot, nobody)["people"].sum() == 0
    assert q.arrivals(tiny_snapshot, nobody).empty
    assert q.time_to_milestone(tiny_snapshot, nobody).empty
    assert q.assessment_scores(tiny_snapshot, nobody).empty
    assert q.stage_occupancy(tiny_snapshot, nobody)["people"].sum() == 0
    assert q.region_summary(tiny_snapshot, nobody)["people"].sum() == 0


def test_unaccompanied_children_by_cohort(tiny_snapshot):
    table = q.unaccompanied_children(tiny_snapshot, EVERYONE)
    got = {(r.cohort, r.unaccompanied_label): r.people for r in table.itertuples()}
    assert got == {
        ("c1", "With a parent"): 1,
        ("c1", "Unaccompanied"): 0,
        ("c2", "With a parent"): 0,
        ("c2", "Unaccompanied"): 2,
    }


def test_rows_made_once_follow_the_language_of_each_run(tiny_snapshot):
    """Cohort and stage rows are made once per snapshot and language: a Russian run after an
    English one gets Russian labels and dates, and English ones again after it."""

    def labels():
        arrivals, stages = q.arrivals(tiny_snapshot, EVERYONE), q.stage_distribution(tiny_snapshot, EVERYONE)
        group, stage = tiny_snapshot.labels("group"), tiny_snapshot.labels("stage")
        assert list(arrivals["group_label"]) == [group[g] for g in arrivals["group"]]
        assert list(stages["stage_label"]) == [stage[s] for s in stages["stage"]]
        return set(arrivals["group_label"]), list(arrivals["arrival_label"])

    english = labels()
    with use("ru"):
        russian = labels()
    assert russian[0].isdisjoint(english[0])
    assert russian[1] != english[1]
    assert labels() == english
