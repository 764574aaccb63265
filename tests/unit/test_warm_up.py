"""Warming up: a large snapshot's per-cell tables are built once, in the background, and give
the same figures as tables built on demand."""

from __future__ import annotations

import pandas as pd

from data_access import Filters, cells, load_snapshot
from data_access import queries as q
from tests import tiny


def test_a_large_snapshot_is_warmed_up_once_and_answers_the_same(tmp_path, monkeypatch, tiny_snapshot):
    monkeypatch.setattr(cells, "WARM_FROM_PEOPLE", 1)
    snapshot = load_snapshot(tiny.write(tmp_path / "2022-06-30"))
    thread = cells.warm_up(snapshot)
    assert cells.warm_up(snapshot) is thread  # once per snapshot
    cells.wait_for_warm_up(timeout=60)
    assert not thread.is_alive()
    built = cells.cells(snapshot)
    assert set(cells.WARMED) <= set(vars(built))  # every cached property has been computed
    assert len(built._score_histograms) == len(built._scored_counts) == 4
    for query in (q.stage_occupancy, q.time_to_milestone, q.assessment_scores, q.services_by_month):
        pd.testing.assert_frame_equal(
            query(snapshot, Filters(sex="female")), query(tiny_snapshot, Filters(sex="female"))
        )


def test_small_snapshots_are_not_warmed_up(tiny_snapshot):
    assert cells.warm_up(tiny_snapshot) is None
