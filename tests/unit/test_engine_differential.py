"""The query engine against the obvious: every query's figures equal a plain pandas pass over the
loaded rows, for random selections, on the committed sample and on a generated 10,000-person
snapshot, through the per-cell tables and through the row-level fallbacks alike.

The engine (`data_access.cells` + `data_access.queries`) sums figures kept per cell instead of
scanning rows; that is what makes it fast and what makes it easy to get subtly wrong. Each
`naive_*` function below is written from the queries' docstrings, over `snapshot.people`,
`events`, `assessments` and `services`, and shares no code with the engine."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from data_access import Filters, load_snapshot
from data_access import cells as cells_module
from data_access import contract as c
from data_access import queries as q
from data_access.filters import DIMENSIONS
from data_access.generate import generate
from data_access.programme import MILESTONES, SCORE_LABELS

SELECTIONS = 25
DAYS_PER_MONTH = 365.25 / 12
WAITING_STAGES = {"arrival", "adaptation", "investigation", "placement", "documents"}
"""Where a long stay counts as stuck (not custody, school or work, follow-up, closed or lost)."""


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A 10,000-person snapshot and the one before it."""
    paths = generate(tmp_path_factory.mktemp("generated"), n_people=10_000, seed=7, as_of=("2026-03-31", "2026-09-30"))
    return [load_snapshot(path) for path in reversed(paths)]


def random_selections(snapshot, seed: int, n: int = SELECTIONS) -> list[Filters]:
    rng = random.Random(seed)
    values = {dim: [str(v) for v in snapshot.people[dim].cat.categories] for dim in DIMENSIONS}
    chosen = [Filters()]
    while len(chosen) < n:
        picks = {
            dim: tuple(rng.sample(options, rng.randint(1, min(3, len(options)))))
            for dim, options in values.items()
            if rng.random() < 0.3
        }
        chosen.append(Filters(**picks))
    return chosen


def selected(snapshot, filters: Filters) -> pd.Series:
    people = snapshot.people
    mask = pd.Series(True, index=people.index)
    for dim in DIMENSIONS:
        wanted = getattr(filters, dim)
        if wanted:
            mask &= people[dim].astype(str).isin(wanted)
    return mask


def counts(frame: pd.DataFrame, keys: list[str], value: str = "people") -> dict:
    """{key tuple: count} of the non-zero rows of a query's table."""
    return {
        tuple(row[k] if not isinstance(row[k], np.bool_) else bool(row[k]) for k in keys): int(row[value])
        for _, row in frame.iterrows()
        if row[value]
    }


def close(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# -- the obvious computations --------------------------------------------------------------


def naive_headline(snapshot, people: pd.DataFrame) -> dict:
    rehab = set(snapshot.stages.loc[snapshot.stages["track"] == "rehabilitation", "stage_id"])
    group = people["group"].astype(str)
    stage = people["stage"].astype(str)
    return {
        "people": len(people),
        "women": int((group == "woman").sum()),
        "men": int((group == "man").sum()),
        "children": int((group == "child").sum()),
        "unaccompanied": int(((group == "child") & people["unaccompanied"]).sum()),
        "justice_track": int(people["justice"].sum()),
        "active_support": int(stage.isin(rehab).sum()),
        "case_closed": int((stage == c.STAGE_CLOSED).sum()),
    }


def naive_groups(people: pd.DataFrame, keys: list[str]) -> dict:
    frame = people[keys].astype({k: str for k in keys if k not in ("unaccompanied", "justice")})
    return {k if isinstance(k, tuple) else (k,): int(n) for k, n in frame.value_counts().items() if n}


def naive_occupancy(snapshot, people_mask: np.ndarray) -> dict:
    events = snapshot.events.loc[people_mask[snapshot.events["person"].to_numpy()]]
    first = int(snapshot.people["arrival_date"].min().to_datetime64().astype("datetime64[M]").astype(np.int64))
    last = int(np.datetime64(snapshot.as_of, "M").astype(np.int64))
    entered, exited = events["entered_month"].to_numpy(), events["exited_month"].to_numpy()
    stage = events["stage"].astype(str).to_numpy()
    out = {}
    for month in range(first, last + 1):
        inside = (entered <= month) & ((exited < 0) | (exited > month))
        label = np.datetime64(month, "M").astype("datetime64[ms]")
        for name, n in pd.Series(stage[inside]).value_counts().items():
            out[(pd.Timestamp(label), name)] = int(n)
    return out


def naive_milestones(snapshot, people: pd.DataFrame, step: int = 1) -> dict:
    out = {}
    as_of = pd.Timestamp(snapshot.as_of)
    arrivals = pd.to_datetime(snapshot.cohorts.set_index("cohort_id")["arrival_date"])
    for cohort, members in people.groupby(people["cohort"].astype(str)):
        observed = int((as_of - arrivals[cohort]).days // DAYS_PER_MONTH)
        for stage, column, _ in MILESTONES:
            months = np.floor((members[column] - members["arrival_date"]).dt.days / DAYS_PER_MONTH)
            for m in range(0, observed + 1, step):
                out[(cohort, stage, m)] = (int((months <= m).sum()), len(members))
    return out


def naive_time_in_stage(snapshot, people: pd.DataFrame, threshold: int) -> dict:
    days = (pd.Timestamp(snapshot.as_of) - people["stage_since"]).dt.days
    frame = pd.DataFrame({"stage": people["stage"].astype(str), "days": days}).dropna()
    out = {}
    for stage, group in frame.groupby("stage"):
        values = group["days"]
        out[stage] = (len(values), values.median(), values.quantile(0.75), int((values > threshold).sum()))
    return out


def naive_scores(snapshot, people_mask: np.ndarray) -> dict:
    scores = snapshot.assessments.loc[people_mask[snapshot.assessments["person"].to_numpy()]]
    out = {}
    for dimension in SCORE_LABELS:
        for period, group in scores.groupby("half_year"):
            values = group[dimension].dropna()
            if len(values):
                out[(pd.Timestamp(period), dimension)] = (
                    group.loc[group[dimension].notna(), "person"].nunique(),
                    values.median(),
                    values.quantile(0.25),
                    values.quantile(0.75),
                )
    return out


def naive_services(snapshot, people_mask: np.ndarray) -> tuple[dict, dict]:
    services = snapshot.services.loc[people_mask[snapshot.services["person"].to_numpy()]]
    by_month = {
        (pd.Timestamp(month), str(kind)): (int(group["sessions"].sum()), len(group))
        for (month, kind), group in services.groupby(["month", "service_type"], observed=True)
    }
    since = int(np.datetime64(snapshot.as_of, "M").astype(np.int64)) - 11
    recent = services.loc[services["month_number"] >= since]
    by_type = {
        str(kind): (int(group["sessions"].sum()), group["person"].nunique())
        for kind, group in recent.groupby("service_type", observed=True)
    }
    return by_month, by_type


def naive_regions(people: pd.DataFrame) -> dict:
    out = {}
    for region, group in people.groupby(people["region"].astype(str)):
        reached = int(group["school_work_on"].notna().sum())
        scores = group["latest_composite"].dropna()
        out[region] = (len(group), reached, scores.median() if len(scores) else np.nan, len(scores))
    return out


# -- the comparison ----------------------------------------------------------------------------


def check_selection(snapshot, previous, filters: Filters) -> None:
    mask = selected(snapshot, filters)
    people = snapshot.people.loc[mask]
    people_mask = mask.to_numpy()
    n = len(people)
    assert q.base_n(snapshot, filters) == n

    headline = q.headline(snapshot, filters, previous)
    assert dict(zip(headline["measure"], headline["value"], strict=True)) == naive_headline(snapshot, people)
    if previous is not None:
        before = naive_headline(previous, previous.people.loc[selected(previous, filters)])
        assert dict(zip(headline["measure"], headline["previous"], strict=True)) == before

    assert counts(q.arrivals(snapshot, filters), ["cohort", "group"]) == naive_groups(people, ["cohort", "group"])
    children = people.loc[people["group"] == "child"]
    assert counts(q.unaccompanied_children(snapshot, filters), ["cohort", "unaccompanied"]) == naive_groups(
        children, ["cohort", "unaccompanied"]
    )
    assert counts(q.age_sex_pyramid(snapshot, filters), ["age_band", "sex"]) == naive_groups(
        people, ["age_band", "sex"]
    )
    assert counts(q.region_stage(snapshot, filters), ["region", "stage"]) == naive_groups(
        people.loc[people["stage"].notna()], ["region", "stage"]
    )

    distribution = q.stage_distribution(snapshot, filters)
    assert counts(distribution, ["stage"]) == naive_groups(people.loc[people["stage"].notna()], ["stage"])
    assert set(distribution["stage"]) == set(snapshot.stages["stage_id"])

    events = snapshot.events.loc[people_mask[snapshot.events["person"].to_numpy()]]
    reached = events.drop_duplicates(["person", "stage"])["stage"].astype(str).value_counts()
    assert counts(q.stage_reached(snapshot, filters), ["stage"]) == {(s,): int(k) for s, k in reached.items() if k}

    assert counts(q.stage_occupancy(snapshot, filters), ["month", "stage"]) == naive_occupancy(snapshot, people_mask)

    for step in (1, 3):
        table = q.time_to_milestone(snapshot, filters, step_months=step)
        got = {
            (r.cohort, r.milestone, int(r.months)): (int(r.reached), int(r.base)) for r in table.itertuples(index=False)
        }
        assert got == naive_milestones(snapshot, people, step)

    for threshold in (30, 180, 1080):
        table = q.time_in_stage(snapshot, filters, threshold_days=threshold)
        expected = naive_time_in_stage(snapshot, people, threshold)
        for row in table.itertuples(index=False):
            people_in, median, p75, over = expected.get(row.stage, (0, np.nan, np.nan, 0))
            waiting = row.stage in WAITING_STAGES
            assert (row.people, row.counts_as_stuck, row.stuck) == (people_in, waiting, over if waiting else 0), (
                row.stage,
                threshold,
            )
            assert close(row.median_days, median) and close(row.p75_days, p75), row.stage
        open_stages = set(snapshot.stages.loc[snapshot.stages["track"] != "exit", "stage_id"])
        assert set(table["stage"]) == open_stages
        days = (pd.Timestamp(snapshot.as_of) - people["stage_since"]).dt.days
        waiting = people["stage"].astype(str).isin(WAITING_STAGES)
        stuck = people.loc[waiting & (days > threshold)]
        assert q.stuck(snapshot, filters, threshold) == (len(stuck), int(waiting.sum())), threshold
        rows = q.person_table(snapshot, filters, stuck_days=threshold)
        assert sorted(rows["person_id"]) == sorted(stuck["person_id"]), threshold
        assert rows["days_in_stage"].is_monotonic_decreasing

    scores = q.assessment_scores(snapshot, filters)
    expected = naive_scores(snapshot, people_mask)
    assert len(scores) == len(expected)
    for row in scores.itertuples(index=False):
        count, median, q1, q3 = expected[(pd.Timestamp(row.period), row.dimension)]
        assert row.n == count
        assert close(row.median, median) and close(row.q1, q1) and close(row.q3, q3)

    by_month, by_type = naive_services(snapshot, people_mask)
    table = q.services_by_month(snapshot, filters)
    got = {(pd.Timestamp(r.month), r.service_type): (int(r.sessions), int(r.people)) for r in table.itertuples()}
    assert got == by_month
    table = q.services_by_type(snapshot, filters)
    got = {r.service_type: (int(r.sessions), int(r.people)) for r in table.itertuples() if r.people}
    assert got == by_type

    summary = q.region_summary(snapshot, filters).set_index("region")
    expected = naive_regions(people)
    assert set(summary.index) == set(snapshot.regions["region_code"])
    for region, row in summary.iterrows():
        people_in, reached_in, median, scored = expected.get(region, (0, 0, np.nan, 0))
        assert (row["people"], row["reached_school_work"], row["scored"]) == (people_in, reached_in, scored), region
        assert close(row["median_composite"], median), region
        assert close(row["share_school_work"], reached_in / people_in if people_in else np.nan), region

    facets = q.facet_counts(snapshot, filters)  # all six in one pass: the same tables
    for dimension in DIMENSIONS:
        others = people_of(snapshot, filters.without(dimension))
        expected = others[dimension].astype(str).value_counts()
        table = q.option_counts(snapshot, filters, dimension)
        assert {r.code: r.people for r in table.itertuples() if r.people} == {
            k: int(v) for k, v in expected.items() if v
        }
        pd.testing.assert_frame_equal(facets[dimension], table)

    rng = random.Random(repr(filters))
    for dims in ([rng.choice(q.PIVOT_DIMENSIONS)], rng.sample(q.PIVOT_DIMENSIONS, 2)):
        table = q.counts_by(snapshot, filters, dims)
        assert counts(table, dims) == naive_groups(people, dims), dims

    days = (pd.Timestamp(snapshot.as_of) - people["stage_since"]).dt.days
    orders = {  # ties keep the snapshot's order; people with no date come last
        "longest": people.assign(days=-days).sort_values("days", kind="stable", na_position="last"),
        "newest": people.assign(days=days).sort_values("days", kind="stable", na_position="last"),
        "id": people.sort_values("person_id", kind="stable"),
    }
    page_rows = max(rng.choice([7, 50]), len(people) // 20)  # at most about 20 pages
    for order, expected in orders.items():
        rows = q.person_table(snapshot, filters, order=order)
        assert rows["person_id"].tolist() == expected["person_id"].tolist(), order
        by_id = dict(zip(people["person_id"], days.fillna(-1), strict=True))
        assert rows["days_in_stage"].fillna(-1).tolist() == [by_id[p] for p in rows["person_id"]]
        pages = [
            q.person_table(snapshot, filters, limit=page_rows, offset=offset, order=order)
            for offset in range(0, len(people) + page_rows, page_rows)
        ]
        assert all(len(page) <= page_rows for page in pages)
        assert pd.concat(pages)["person_id"].tolist() == rows["person_id"].tolist(), (order, page_rows)

    if previous is not None:
        change = q.stage_change(snapshot, previous, filters).set_index("stage")
        before = previous.people.loc[selected(previous, filters), "stage"].astype(str).value_counts()
        for stage, row in change.iterrows():
            assert row["previous"] == before.get(stage, 0)
            assert row["change"] == row["people"] - row["previous"]


def people_of(snapshot, filters: Filters) -> pd.DataFrame:
    return snapshot.people.loc[selected(snapshot, filters)]


def test_the_engine_equals_plain_pandas_on_the_sample(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    for filters in random_selections(latest, seed=1):
        check_selection(latest, previous, filters)


def test_the_engine_equals_plain_pandas_on_10k_people(generated):
    latest, previous = generated
    for filters in random_selections(latest, seed=2):
        check_selection(latest, previous, filters)


def test_the_row_level_fallbacks_equal_plain_pandas(monkeypatch, generated):
    """Scores with more distinct values than `MAX_DISTINCT` are not kept as histograms: the
    queries read the rows instead. A tiny threshold forces that path on a fresh load."""
    monkeypatch.setattr(cells_module, "MAX_DISTINCT", 3)
    latest = load_snapshot(generated[0].info)
    assert cells_module.cells(latest).latest_composite is None
    assert cells_module.cells(latest).scores("economic") is None
    for filters in random_selections(latest, seed=3, n=10):
        check_selection(latest, None, filters)


def test_wide_counts_add_up_exactly_in_one_pass(generated):
    """Wide counts (the occupancy) are added up over a selection with `einsum` in a whole-number
    type that no total overflows: the same numbers as the sparse product, in int32 and, where a
    column's people pass 2**31, in int64."""
    snapshot = generated[0]
    cell = cells_module.cells(snapshot)
    occupancy = cell.occupancy
    assert occupancy.wide is not None and occupancy.wide.dtype == np.int32
    huge = cells_module.Counts(occupancy.people.astype(np.int64) * 2**24)
    assert huge.wide.dtype == np.int64
    for filters in random_selections(snapshot, seed=11, n=8):
        chosen = cell.select(filters)
        for counts in (occupancy, huge):
            by_cells = chosen._matrix(None, 1) @ counts.people  # the sparse product
            np.testing.assert_array_equal(chosen.sum(counts), by_cells)


def test_dense_counts_are_kept_in_32_bits_once(generated):
    """A restricted snapshot's dense per-cell counts are kept as 32-bit whole numbers where every
    column's total fits (half the memory: the stage moves and services of 100k people are about
    50 MiB less), and the wide ones are added up in that very array, not in a second copy; a
    column whose total passes 2**31 keeps 64 bits. `test_wide_counts_add_up_exactly_in_one_pass`
    and the differential tests check the sums."""
    cell = cells_module.cells(generated[0])
    entries, exits = cell.stage_moves
    _, _, served, sessions = cell.services
    dense = {"flags": cell.flags, "reached": cell.stages_reached, "entries": entries, "exits": exits}
    dense |= {"occupancy": cell.occupancy, "served": served, "served last year": cell.served_last_year}
    for name, counts in dense.items():
        assert counts.people.dtype == np.int32, name
        if counts.width >= cells_module.WIDE:
            assert counts.wide is counts.people, name
    assert sessions.dtype == np.int32
    # Added up over a selection in their own type (SciPy would copy them whole into 64 bits),
    # to the same numbers as in 64 bits.
    group = cell.codes["region"]
    n_groups = len(cell.categories["region"])
    for filters in random_selections(generated[0], seed=17, n=4):
        chosen = cell.select(filters)
        matrix = chosen._matrix(group, n_groups)
        assert cells_module._times(matrix, served.people).dtype == np.int32
        people, total = chosen.sum(served, group, n_groups, magnitude=sessions)
        np.testing.assert_array_equal(people, matrix @ served.people.astype(np.int64))
        np.testing.assert_array_equal(total, matrix @ sessions.astype(np.int64))
    column = np.zeros((3, 2), dtype=np.int64)
    column[:, 1] = 2**30
    assert cells_module._compact(column).dtype == np.int64
    np.testing.assert_array_equal(cells_module._compact(column), column)
    assert cells_module._compact(column[:1]).dtype == np.int32


def test_narrow_counts_add_up_per_group_as_the_sparse_product(generated):
    """A restricted selection's dense counts are added up in NumPy (`Selection._added`), whole or
    per group up to `NARROW` columns: the same numbers as the sparse product, for every group."""
    snapshot = generated[0]
    cell = cells_module.cells(snapshot)
    group = cell.codes["group"]
    region = cell.codes["region"]
    rng = np.random.default_rng(2)
    wider = cells_module.Counts(rng.integers(0, 9, size=(cell.n, cells_module.NARROW)).astype(np.int32))
    for filters in random_selections(snapshot, seed=13, n=8):
        chosen = cell.select(filters)
        for counts in (cell.size, cell.flags, wider):
            for by, n_groups in ((None, 1), (group, 3), (region, len(cell.categories["region"]))):
                sparse_sum = chosen._matrix(by, n_groups) @ counts.people
                np.testing.assert_array_equal(chosen.sum(counts, by, n_groups), sparse_sum)


def test_person_table_pages_are_the_selection_sorted_plainly(generated):
    """Pages of the person table come from everyone sorted once and read only as far as a page's
    end, in stretches of thousands of rows: every page, far into the list too, is that stretch of
    the selection sorted by pandas (ties kept in row order, people without a date last)."""
    snapshot = generated[0]
    as_of = pd.Timestamp(snapshot.as_of)
    people = snapshot.people
    days = (as_of - people["stage_since"]).dt.days
    for filters in random_selections(snapshot, seed=5, n=6):
        rows = people.loc[selected(snapshot, filters)]
        keys = {
            "longest": pd.DataFrame({"key": -days.loc[rows.index], "row": rows.index}),
            "newest": pd.DataFrame({"key": days.loc[rows.index], "row": rows.index}),
            "id": pd.DataFrame({"key": rows["person_id"].astype(str), "row": rows.index}),
        }
        for order, key in keys.items():
            expected = people.loc[key.sort_values(["key", "row"], na_position="last")["row"], "person_id"].tolist()
            for offset in (0, 50, 4_000, 9_000):
                page = q.person_table(snapshot, filters, limit=50, offset=offset, order=order)
                assert page["person_id"].tolist() == expected[offset : offset + 50], (filters, order, offset)
