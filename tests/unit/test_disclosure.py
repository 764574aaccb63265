"""The display rules at the public level (`data_access.disclosure`), on exact cases."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_access import disclosure as d


def test_published_counts_under_k_are_hidden_with_their_text():
    table = pd.DataFrame({"stage": ["a", "b", "c", "d"], "people": [0, 3, 4, 5]})
    out = d.display(table, "people", 5)
    assert out["people"].tolist()[0] == 0 and out["people"].tolist()[3] == 5
    assert out["people"].isna().tolist() == [False, True, True, False]
    assert out["people_suppressed"].tolist() == [False, True, True, False]
    assert out["people_text"].tolist() == ["0", "<5", "<5", "5"]
    assert list(out.columns) == ["stage", "people", "people_suppressed", "people_text"]


def test_k_may_differ_per_row():
    table = pd.DataFrame({"stage": ["custody", "placement"], "people": [7, 7]})
    out = d.display(table, "people", [10, 5])
    assert out["people_text"].tolist() == ["<10", "7"]


def test_displaying_twice_changes_nothing_more():
    table = pd.DataFrame({"people": [3, 1234]})
    once = d.display(table, "people", 5)
    assert once["people_text"].tolist() == ["<5", "1,234"]
    assert d.withheld_count(once) == 1


@pytest.mark.parametrize(
    ("n", "outside", "ok"),
    [(0, 626, True), (19, 607, False), (20, 606, True), (610, 16, False), (626, 0, True), (606, 20, True)],
)
def test_the_minimum_base_holds_for_the_selection_and_the_rest(n, outside, ok):
    assert d.base_ok(n, outside) is ok


@pytest.mark.parametrize(
    ("part", "base", "text"),
    [
        (0, 100, "0%"),
        (100, 100, "100%"),
        (1, 1000, "under 1%"),
        (999, 1000, "over 99%"),
        (44, 100, "44%"),
        (5, 19, "too few to show"),
        (None, 100, "—"),
        (120, 100, "100%"),  # a published part above its published base reads as all of it
    ],
)
def test_share_texts(part, base, text):
    assert d.share_text(part, base) == text


@given(st.integers(0, 10_000), st.integers(20, 10_000))
def test_a_share_never_reads_0_or_100_percent_of_part_of_a_group(part, base):
    part = min(part, base)
    text = d.share_text(part, base)
    assert (text == "0%") == (part == 0)
    assert (text == "100%") == (part == base)


def test_statistics_need_twenty_people():
    assert not d.stats_ok(19) and d.stats_ok(20) and not d.stats_ok(None)


def test_the_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        d.Policy(k=1)
    with pytest.raises(ValueError):
        d.Policy(k=5, k_sensitive=4)
