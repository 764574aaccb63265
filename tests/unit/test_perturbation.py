"""The perturbation table and the cell keys (`data_access.perturbation`): the properties the
methodology promises, checked over the table and over many random cells."""

from __future__ import annotations

import numpy as np
import pytest

from data_access.perturbation import KEY_MODULUS, Perturbation, key_sums, record_keys

TABLE = Perturbation()


@pytest.mark.parametrize("count", range(0, 12))
def test_each_row_is_a_distribution_unbiased_and_bounded(count):
    values, p = TABLE.rows[min(count, TABLE.last_row)]
    values = values + (count - min(count, TABLE.last_row))
    assert p.sum() == pytest.approx(1.0)
    assert (p >= 0).all()
    assert float(values @ p) == pytest.approx(count, abs=1e-6)  # unbiased: totals true on average
    assert np.abs(values - count).max() <= TABLE.max_noise
    if count:
        assert not set(values[p > 1e-12]) & {1, 2}  # never a published 1 or 2
    if count >= 3:
        assert float(((values - count) ** 2) @ p) == pytest.approx(TABLE.variance, abs=1e-4)


def test_zero_stays_zero_and_the_noise_is_fixed_by_the_key():
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 60, 50_000)
    keys = rng.integers(0, KEY_MODULUS, 50_000)
    published = TABLE.apply(counts, keys)
    assert (published[counts == 0] == 0).all()
    assert not np.isin(published, [1, 2]).any()
    assert np.abs(published - counts).max() <= TABLE.max_noise
    assert abs((published - counts).mean()) < 0.05
    assert abs((published - counts)[counts >= 6].var() - TABLE.variance) < 0.1
    assert (TABLE.apply(counts, keys) == published).all()  # the same cell always gets the same number


def test_the_noise_follows_the_table():
    values, p = TABLE.rows[4]
    keys = np.arange(0, KEY_MODULUS, KEY_MODULUS // 100_000, dtype=np.int64)
    published = TABLE.apply(np.full(len(keys), 4), keys)
    shares = [(published == v).mean() for v in values]
    assert np.allclose(shares, p, atol=0.002)


def test_what_a_published_value_tells_about_the_truth():
    assert TABLE.possible_truths(0) == [0, 1, 2, 3]
    assert TABLE.possible_truths(3) == [1, 2, 3, 4, 5, 6]
    assert TABLE.possible_truths(10) == [7, 8, 9, 10, 11, 12, 13]


def test_key_sums_are_exact_modulo_2_32():
    keys = np.array([KEY_MODULUS - 1] * 5 + [7], dtype=np.int64)
    index = np.array([0, 0, 0, 0, 0, 1])
    assert key_sums(index, keys, 2).tolist() == [(5 * (KEY_MODULUS - 1)) % KEY_MODULUS, 7]


def test_record_keys_are_stable_and_need_the_secret():
    ids = ["p1", "p2", "p3"]
    first = record_keys(ids, b"a secret of sixteen bytes")
    assert (record_keys(ids, b"a secret of sixteen bytes") == first).all()
    assert not (record_keys(ids, b"another secret, as long") == first).any()
    assert ((first >= 0) & (first < KEY_MODULUS)).all()


def test_the_published_table_lists_every_row():
    table = TABLE.table()
    assert set(table.columns) == {"count", "published", "probability", "key_from", "key_to"}
    for _, rows in table.groupby("count"):
        assert rows["probability"].sum() == pytest.approx(1.0)
        assert rows["key_from"].iloc[0] == 0.0 and rows["key_to"].iloc[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [{"max_noise": 0}, {"variance": 0}, {"variance": 100}, {"never_shown": 4}])
def test_nonsense_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        Perturbation(**bad)
    with pytest.raises(ValueError):
        Perturbation.from_manifest({"max_noise": 3, "variance": 2, "never_shown": 2, **bad})
