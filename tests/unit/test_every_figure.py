"""Every figure a page draws, drawn for every selection of one value (each cohort, region,
stage, sex, age band and origin, and everyone), at both access levels, with every option a page
offers (the map's three measures): a chart never fails on a selection a reader can make in two
clicks. A selection too small to publish is the one refusal allowed (the page says so).

Found by drawing them all: with only people in custody selected, every region's share in
school or work is 0%, and the Regions page showed its error box."""

from __future__ import annotations

from pathlib import Path

import pytest

import charts
from charts.regions import MEASURES
from data_access import Filters, load_snapshot
from data_access.filters import DIMENSIONS
from data_access.programme import STUCK_DEFAULT_DAYS, STUCK_THRESHOLDS
from data_access.release import Access, Release, SelectionTooSmall

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
LEVELS = {"restricted": SAMPLE / "snapshots" / "2026-09-30", "public": SAMPLE / "public" / "2026-09-30"}


def figures(data: Release, filters: Filters) -> dict:
    """Each figure the pages draw for `filters`, by name: a function drawing it."""
    snapshot = data.snapshot
    stage_ids, cohort_ids = snapshot.categories("stage"), snapshot.categories("cohort")
    outlines = data.outlines()
    drawn = {
        "arrivals": lambda: charts.arrivals_chart(data.arrivals(filters.without("cohort")), cohort_ids, True),
        "stages": lambda: charts.stage_chart(data.stage_distribution(filters.without("stage")), stage_ids, True),
        "timeline": lambda: charts.arrivals_timeline_chart(data.arrivals(filters)),
        "pyramid": lambda: charts.pyramid_chart(data.age_sex_pyramid(filters)),
        "unaccompanied": lambda: charts.unaccompanied_chart(data.unaccompanied_children(filters)),
        "funnel": lambda: charts.funnel_chart(data.stage_reached(filters), stage_ids),
        "occupancy": lambda: charts.occupancy_chart(data.stage_occupancy(filters), stage_ids),
        "milestones": lambda: charts.milestone_chart(data.time_to_milestone(filters), cohort_ids),
        "scores": lambda: charts.scores_chart(data.assessment_scores(filters)),
        "services by type": lambda: charts.services_type_chart(data.services_by_type(filters)),
        "services by month": lambda: charts.services_chart(data.services_by_month(filters)),
        "heatmap": lambda: charts.region_stage_heatmap(data.region_stage(filters)),
    }
    for days in (STUCK_THRESHOLDS[0], STUCK_DEFAULT_DAYS, STUCK_THRESHOLDS[-1]):
        drawn[f"stuck over {days} days"] = lambda days=days: charts.time_in_stage_chart(
            data.time_in_stage(filters, days)
        )
    for dims in (["region"], ["cohort", "sex"], ["stage", "age_band"]):
        drawn[f"pivot by {dims}"] = lambda dims=dims: charts.pivot_chart(data.counts_by(filters, dims), dims)
    for measure in MEASURES:
        drawn[f"tiles of {measure}"] = lambda m=measure: charts.region_tiles_chart(data.region_summary(filters), m)
        if outlines:
            drawn[f"map of {measure}"] = lambda m=measure: charts.region_map_chart(
                data.region_summary(filters.without("region")), m, outlines, True
            )
    return drawn


@pytest.mark.parametrize("level", LEVELS)
def test_every_figure_draws_for_every_selection_of_one_value(level):
    data = Release(load_snapshot(LEVELS[level]), Access(level))
    snapshot = data.snapshot
    selections = [Filters()] + [
        Filters(**{dimension: (value,)}) for dimension in DIMENSIONS for value in snapshot.categories(dimension)
    ]
    failed, drawn = [], 0
    for filters in selections:
        for name, draw in figures(data, filters).items():
            try:
                figure = draw()
            except SelectionTooSmall:
                continue
            except Exception as error:  # every failure is listed, not just the first
                failed.append(f"{name} for {filters}: {type(error).__name__}: {error}")
                continue
            drawn += 1
            assert figure.title and figure.alt, f"{name} for {filters}: no title or alt text"
    assert failed == []
    assert drawn > 20 * len(selections) // 2  # most of them were drawn, not refused
