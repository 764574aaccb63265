"""Disclosure control: exact results on hand-made tables, and properties over random ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.disclosure import (
    PUBLIC,
    SUPPRESSED_TEXT,
    TOO_FEW_TEXT,
    Policy,
    base_ok,
    complete,
    is_recoverable,
    margin,
    recoverable_cells,
    round_counts,
    share_text,
    stats_ok,
    suppress,
)

S = SUPPRESSED_TEXT


def pinned_in_any_group(raw: pd.DataFrame, out: pd.DataFrame, rows, cols, k: int, count: str = "people") -> bool:
    """Brute force, independent of `suppress`: for each row, column and the grand total, try
    every value of its withheld cells (primary: 1..k-1, secondary: 0 or k..total) and report
    whether some withheld cell can take only one value given the group's total."""
    truth = raw[count].to_numpy()
    hidden = out[f"{count}_suppressed"].to_numpy()
    is_primary = out[f"{count}_text"].astype(str).str.startswith("<").to_numpy()
    groups = [np.arange(len(out))]
    for dims in (tuple(rows), tuple(cols)):
        if dims:
            codes = out[list(dims)].astype(str).agg("|".join, axis=1)
            groups += [np.flatnonzero((codes == c).to_numpy()) for c in codes.unique()]
    for cells in groups:
        h = [i for i in cells if hidden[i]]
        if not h or len(cells) < 2 or 0 < truth[cells].sum() < k or len(h) == len(cells):
            continue  # a small total, or the total of a group withheld whole, is never shown
        total = int(truth[h].sum())
        options = [set(range(1, k)) if is_primary[i] else {0, *range(k, total + 1)} for i in h]
        for j, own in enumerate(options):
            sums = {0}  # every total the other withheld cells of the group can make
            for other in options[:j] + options[j + 1 :]:
                sums = {a + b for a in sums for b in other if a + b <= total}
            if len({v for v in own if total - v in sums}) == 1:
                return True
    return False


def one_d(counts: list[int]) -> pd.DataFrame:
    stages = [f"s{i}" for i in range(len(counts))]
    return pd.DataFrame({"stage": stages, "stage_label": [s.upper() for s in stages], "people": counts})


def two_d(grid: list[list[int]]) -> pd.DataFrame:
    rows = [
        {"region": f"r{i}", "stage": f"c{j}", "people": value}
        for i, line in enumerate(grid)
        for j, value in enumerate(line)
    ]
    return pd.DataFrame(rows)


def pattern(table: pd.DataFrame, count: str = "people") -> list[bool]:
    return table[f"{count}_suppressed"].tolist()


# --- exact examples -------------------------------------------------------------------------


def test_a_1d_table_withholds_the_small_count_and_enough_others_to_hide_it():
    out = suppress(one_d([1, 5, 30, 0, 1234]), rows=("stage",))
    assert list(out.columns) == ["stage", "stage_label", "people", "people_suppressed", "people_text"]
    assert out["people"].dtype == "Int64"
    # 1 and 5 alone would be pinned: their sum is 6, one is 1-4, the other 0 or 5+, so 1 and 5.
    assert out["people"].isna().tolist() == [True, True, True, False, False]
    assert out["people"].tolist()[3:] == [0, 1234]
    assert out["people_text"].tolist() == ["<5", S, S, "0", "1,234"]


def test_a_small_cell_and_one_partner_are_enough_when_the_bounds_leave_room():
    table = one_d([2, 40, 30])
    out = suppress(table, rows=("stage",))
    assert out["people_text"].tolist() == ["<5", "40", S]
    assert not pinned_in_any_group(table, out, ("stage",), (), k=5)


def test_zeros_are_shown_and_nothing_is_withheld_without_small_counts():
    out = suppress(one_d([0, 5, 0, 17]), rows=("stage",))
    assert pattern(out) == [False] * 4
    assert out["people_text"].tolist() == ["0", "5", "0", "17"]


def test_two_small_counts_protect_each_other_in_1d():
    out = suppress(one_d([3, 2, 40, 50]), rows=("stage",))
    assert pattern(out) == [True, True, False, False]


def test_a_lone_small_count_with_only_zeros_beside_it_takes_a_zero_along():
    out = suppress(one_d([0, 3, 0]), rows=("stage",))
    assert pattern(out) == [True, True, False]
    assert not is_recoverable(out, rows=("stage",))


def test_the_sensitive_threshold_is_applied_when_passed():
    table = one_d([7, 12, 40])
    assert pattern(suppress(table, rows=("stage",))) == [False] * 3
    assert pattern(suppress(table, rows=("stage",), k=PUBLIC.k_sensitive)) == [True, True, False]


def test_a_2d_table_withholds_a_rectangle():
    #           c0  c1  c2
    grid = [[2, 12, 30], [8, 40, 25], [15, 9, 60]]
    out = suppress(two_d(grid), rows=("region",), cols=("stage",))
    # r0 pairs 2 with 12; c0 pairs it with 8; c1 then takes 40, which also pairs 8 in r1.
    assert np.array(pattern(out)).reshape(3, 3).tolist() == [
        [True, True, False],
        [True, True, False],
        [False, False, False],
    ]
    assert not is_recoverable(out, rows=("region",), cols=("stage",))
    assert out["people"].tolist()[2::3] == [30, 25, 60]


def test_secondary_suppression_covers_what_totals_solve_across_several_rows():
    # Each row and column of the withheld cells has two of them, yet the cell (r1, c2) joins two
    # rectangles and is solved by rows r0 + r1 minus columns c0 + c1.
    grid = [[1, 1, 50, 50], [1, 1, 1, 50], [50, 50, 1, 1], [50, 50, 1, 1]]
    table = two_d(grid)
    handmade = table.assign(people_suppressed=table["people"] < 5)
    assert recoverable_cells(handmade, rows=("region",), cols=("stage",)) == [6]
    out = suppress(table, rows=("region",), cols=("stage",))
    assert not is_recoverable(out, rows=("region",), cols=("stage",))


def test_the_checker_finds_a_cell_withheld_alone_in_its_row():
    table = two_d([[3, 20], [30, 40]])
    primary_only = table.assign(people=table["people"].astype("Int64").mask(table["people"] < 5))
    assert recoverable_cells(primary_only, rows=("region",), cols=("stage",)) == [0]
    assert is_recoverable(primary_only, rows=("region",), cols=("stage",))
    assert not is_recoverable(suppress(table, rows=("region",), cols=("stage",)), rows=("region",), cols=("stage",))


def test_a_1d_table_with_one_withheld_cell_is_recoverable_from_its_total():
    table = one_d([3, 20, 30])
    flagged = table.assign(people_suppressed=[True, False, False])
    assert is_recoverable(flagged, rows=("stage",))


def test_suppress_refuses_duplicate_keys_and_incomplete_crosses():
    with pytest.raises(ValueError, match="duplicates"):
        suppress(pd.DataFrame({"stage": ["a", "a"], "people": [1, 2]}), rows=("stage",))
    incomplete = two_d([[1, 2], [3, 4]]).iloc[:3]
    with pytest.raises(ValueError, match="1 missing"):
        suppress(incomplete, rows=("region",), cols=("stage",))
    with pytest.raises(ValueError, match="non-negative whole"):
        suppress(one_d([1, -2]), rows=("stage",))


def test_complete_adds_missing_combinations_as_zeros_with_their_labels():
    table = pd.DataFrame(
        {
            "region": ["a", "a", "b"],
            "region_label": ["A", "A", "B"],
            "stage": ["x", "y", "x"],
            "stage_label": ["X", "Y", "X"],
            "people": [3, 30, 40],
        }
    )
    full = complete(table, "people", ["region"], ["stage"])
    assert full.iloc[3].to_dict() == {
        "region": "b",
        "region_label": "B",
        "stage": "y",
        "stage_label": "Y",
        "people": 0,
    }
    out = suppress(full, rows=("region",), cols=("stage",))
    assert pattern(out) == [True, True, True, True]


def test_margin_withholds_small_totals():
    out = margin(two_d([[1, 2], [30, 40]]), "people", ["region"])
    assert out["people_text"].tolist() == ["<5", "70"]


def test_rounding_keeps_zero_and_withheld_cells_and_never_rounds_to_zero():
    out = round_counts(suppress(one_d([0, 1, 6, 12, 13, 1234, 3]), rows=("stage",)), "people", 5)
    assert out["people"].tolist() == [0, pd.NA, 5, 10, 15, 1235, pd.NA]
    assert out["people_text"].tolist() == ["0", "<5", "5", "10", "15", "1,235", "<5"]
    assert round_counts(pd.DataFrame({"people": [2, 15]}), "people", 10)["people"].tolist() == [10, 20]


def test_base_ok():
    assert base_ok(0, 100)
    assert base_ok(100, 100)
    assert base_ok(20, 40)
    assert not base_ok(19, 100)
    assert not base_ok(85, 100)  # the other 15 would be total minus selection
    assert base_ok(80, 100)
    assert not base_ok(10, 10)  # the whole of a tiny total is still tiny
    assert not base_ok(25, 30, Policy(min_base=30))
    with pytest.raises(ValueError):
        base_ok(5, 4)


def test_share_text():
    assert share_text(10, 40) == "25%"
    assert share_text(10, 19) == TOO_FEW_TEXT
    assert share_text(None, 40) == S
    assert share_text(pd.NA, 40) == S
    assert share_text(3, 400) == S
    assert share_text(5, 1000) == "1%"  # 0.5% rounds half up
    assert share_text(5, 2000) == "under 1%"
    assert share_text(995, 1000) == "over 99%"
    assert share_text(1980, 2000) == "99%"
    assert share_text(0, 40) == "0%"
    assert share_text(40, 40) == "100%"
    assert share_text(1, 200) == S
    assert share_text(9, 40, k=10) == S
    assert share_text(7, 20) == "35%"
    assert share_text(13, 40, Policy(rounding=5)) == "38%"  # 15 of 40


def test_stats_ok():
    assert not stats_ok(19)
    assert stats_ok(20)
    assert stats_ok(10, Policy(min_stats_group=10))
    assert not stats_ok(0)


def test_policy_validates():
    with pytest.raises(ValueError):
        Policy(k=1)
    with pytest.raises(ValueError):
        Policy(k=10, k_sensitive=5)
    with pytest.raises(ValueError):
        Policy(rounding=1)
    with pytest.raises(AttributeError):
        PUBLIC.k = 3  # type: ignore[misc]


# --- properties over random tables -----------------------------------------------------------

counts = st.one_of(st.integers(0, 60), st.integers(0, 6))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(0, 6))  # 0: a 1-D table
    if n_cols == 0:
        values = draw(st.lists(counts, min_size=n_rows, max_size=n_rows))
        return one_d(values), ("stage",), ()
    grid = [draw(st.lists(counts, min_size=n_cols, max_size=n_cols)) for _ in range(n_rows)]
    return two_d(grid), ("region",), ("stage",)


@settings(max_examples=300, deadline=None)
@given(tables(), st.sampled_from([5, 10]))
def test_suppressed_tables_are_safe(case, k):
    table, rows, cols = case
    out = suppress(table, rows=rows, cols=cols, k=k)
    raw = table["people"].to_numpy()
    withheld = out["people_suppressed"].to_numpy()
    shown = out["people"]
    # No shown count lies in 1..k-1; every small count is withheld.
    assert not shown.dropna().between(1, k - 1).any()
    assert withheld[(raw >= 1) & (raw < k)].all()
    assert shown.isna().to_numpy().tolist() == withheld.tolist()
    # Shown cells keep their exact values; texts match.
    assert (shown[~withheld].to_numpy(dtype=np.int64) == raw[~withheld]).all()
    small = (raw >= 1) & (raw < k)
    assert (out.loc[small, "people_text"] == f"<{k}").all()
    assert (out.loc[withheld & ~small, "people_text"] == S).all()
    # Nothing withheld can be solved from the totals, exactly or with the published bounds,
    # counting only totals of k or more (a smaller total is itself withheld wherever shown).
    assert not is_recoverable(out, rows=rows, cols=cols)
    assert not pinned_in_any_group(table, out, rows, cols, k)
    # Idempotent.
    pd.testing.assert_frame_equal(suppress(out, rows=rows, cols=cols, k=k), out)
    # Other columns untouched.
    pd.testing.assert_frame_equal(out[table.columns.drop("people")], table[table.columns.drop("people")])


@settings(max_examples=100, deadline=None)
@given(tables(), st.sampled_from([5, 10]), st.sampled_from([5, 10]))
def test_rounding_after_suppression_keeps_withheld_cells_withheld(case, k, base):
    table, rows, cols = case
    out = round_counts(suppress(table, rows=rows, cols=cols, k=k), "people", base)
    shown = out["people"].dropna()
    assert (shown % base == 0).all()
    assert not shown.between(1, k - 1).any()
    assert out["people_suppressed"].tolist() == suppress(table, rows=rows, cols=cols, k=k)["people_suppressed"].tolist()
    zero = table["people"].to_numpy() == 0
    assert (out["people"].to_numpy()[zero & ~out["people_suppressed"].to_numpy()] == 0).all()


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 50))
def test_base_ok_never_passes_a_small_selection_or_complement(a, b, min_base):
    n, total = min(a, b), max(a, b)
    policy = Policy(min_base=min_base)
    if base_ok(n, total, policy):
        assert n == 0 or n >= min_base
        assert n == 0 or total - n == 0 or total - n >= min_base


@given(st.integers(0, 500), st.integers(1, 500), st.sampled_from([5, 10]))
def test_share_text_never_shows_extremes_or_small_parts(a, b, k):
    part, base = min(a, b), max(a, b)
    text = share_text(part, base, k=k)
    if 0 < part < base:
        assert text not in ("0%", "100%")
    if 0 < part < k:
        assert text == S
    if base < PUBLIC.min_base and not 0 < part < k:
        assert text == TOO_FEW_TEXT
