"""The cell-key method: record keys, cell keys and the perturbation table.

This is how the Australian Bureau of Statistics' TableBuilder and the UK Office for National
Statistics' 2021 Census custom datasets let outsiders build their own tables without being able
to single anyone out, and how the public level of this dashboard answers:

- every person has a **record key**, a fixed random whole number in [0, 2**32) derived from their
  pseudonymous id and the publisher's secret (`record_keys`), so the same person has the same key
  in every snapshot;
- a published cell (the people a count counts) has a **cell key**: the sum of its people's record
  keys, modulo 2**32, read as a fraction of 2**32 in [0, 1);
- the **perturbation table** turns (true count, cell key) into a small noise, so the published
  count is the true count plus that noise. The same people always give the same cell key, hence
  the same published number: asking again, from another page or in a download gains nothing,
  and two selections that differ by a small group do not give that group's size away.

The table is built by maximum entropy, as in the ptable method of Destatis and the ONS: for each
true count i, a distribution over published values i + d with |d| <= `max_noise`, unbiased (its
mean is i), with the stated `variance`, and never publishing a value from 1 to `never_shown`
(a published 1 or 2 could only come from a handful of people; a true 1 or 2 is published as 0 or
as 3 and more). Zero stays zero: a cell with nobody in it has no records and no key. From
`i >= max_noise + never_shown + 1` on, the same noise distribution applies to every count.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

KEY_BITS = 32
KEY_MODULUS = 1 << KEY_BITS
KEY_MASK = KEY_MODULUS - 1


def record_keys(person_ids: Iterable[str], secret: bytes) -> np.ndarray:
    """Each person's record key: the first 32 bits of HMAC-SHA256(secret, person id). Keyed, so
    nobody without the publisher's secret can work a key out from an id; stable, so a person
    keeps their key in every snapshot the same secret publishes."""
    keys = [
        int.from_bytes(hmac.new(secret, str(pid).encode("utf-8"), hashlib.sha256).digest()[:4], "big")
        for pid in person_ids
    ]
    return np.asarray(keys, dtype=np.int64)


def key_sums(index: np.ndarray, keys: np.ndarray, minlength: int) -> np.ndarray:
    """Sums of `keys` per `index` value, modulo 2**32, exactly (float64 bincount loses whole
    numbers past 2**53, so the high and low 16 bits are added up separately)."""
    high = np.bincount(index, weights=keys >> 16, minlength=minlength)
    low = np.bincount(index, weights=keys & 0xFFFF, minlength=minlength)
    return ((high.astype(np.int64) % (1 << 16)) * (1 << 16) + low.astype(np.int64)) & KEY_MASK


@dataclass(frozen=True)
class Perturbation:
    """A perturbation table and how it is applied. Its three parameters are recorded in every
    public snapshot's manifest and shown on the About page."""

    max_noise: int = 3
    """No published count differs from the truth by more than this (per published cell)."""
    variance: float = 2.0
    """Variance of the noise (the standard deviation is its square root)."""
    never_shown: int = 2
    """Published counts from 1 to this never appear (0 turns off the rule)."""
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.max_noise <= 10:
            raise ValueError("max_noise must be from 1 to 10")
        if not 0 < self.variance <= self.max_noise**2:
            raise ValueError("variance must be positive and at most max_noise squared")
        if not 0 <= self.never_shown < self.max_noise + 1:
            raise ValueError("never_shown must be from 0 to max_noise")

    @property
    def parameters(self) -> dict:
        return {"max_noise": self.max_noise, "variance": self.variance, "never_shown": self.never_shown}

    @classmethod
    def from_manifest(cls, value: object) -> Perturbation:
        """The table a public snapshot's manifest names (`perturbation`: its three parameters)."""
        if not isinstance(value, dict):
            raise ValueError("the manifest's perturbation must be an object with max_noise, variance, never_shown")
        try:
            return cls(int(value["max_noise"]), float(value["variance"]), int(value["never_shown"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"the manifest's perturbation lacks {error}") from None

    @property
    def last_row(self) -> int:
        """Counts from this one on share one noise distribution."""
        return self.max_noise + self.never_shown + 1

    @cached_property
    def rows(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each true count 0..last_row: (published values, their probabilities)."""
        return [self._row(i) for i in range(self.last_row + 1)]

    def _row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i == 0:
            return np.array([0]), np.array([1.0])
        values = np.array(
            [j for j in range(i - self.max_noise, i + self.max_noise + 1) if j == 0 or j > self.never_shown]
        )
        return values, _max_entropy(values, float(i), self.variance)

    @cached_property
    def _lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """(noise, upper cumulative bound) per row and position, padded to one width."""
        width = 2 * self.max_noise + 1
        noise = np.zeros((self.last_row + 1, width), dtype=np.int64)
        upper = np.ones((self.last_row + 1, width))
        for i, (values, p) in enumerate(self.rows):
            noise[i, : len(values)] = values - i
            noise[i, len(values) :] = values[-1] - i
            upper[i, : len(values)] = np.cumsum(p)
        upper[:, -1] = np.inf  # rounding of the cumulative sum never leaves a key without a value
        return noise, upper

    def noise(self, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The noise for true `counts` whose cell keys (sums of record keys) are `keys`."""
        counts = np.asarray(counts, dtype=np.int64)
        row = np.minimum(counts, self.last_row)
        fraction = (np.asarray(keys, dtype=np.int64) & KEY_MASK) / KEY_MODULUS
        table_noise, upper = self._lookup
        position = (upper[row] <= fraction[..., None]).sum(axis=-1)
        return table_noise[row, position]

    def apply(self, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Published counts: true counts plus their noise (never negative; zero stays zero)."""
        counts = np.asarray(counts, dtype=np.int64)
        return np.maximum(counts + self.noise(counts, keys), 0)

    def table(self) -> pd.DataFrame:
        """The table as published (one row per true count and published value), for the About
        page, the methodology and the open data: `count`, `published`, `probability` and the
        cell-key interval [`key_from`, `key_to`) that gives this value."""
        rows = []
        for i, (values, p) in enumerate(self.rows):
            upper = np.cumsum(p)
            lower = np.r_[0.0, upper[:-1]]
            for j, prob, low, high in zip(values, p, lower, upper, strict=True):
                if prob > 1e-12:
                    rows.append((i, int(j), float(prob), float(low), float(min(high, 1.0))))
        frame = pd.DataFrame(rows, columns=["count", "published", "probability", "key_from", "key_to"])
        frame["count"] = frame["count"].astype(str)
        frame.loc[frame["count"] == str(self.last_row), "count"] = f"{self.last_row} or more (noise as shown)"
        return frame

    def possible_truths(self, published: int) -> list[int]:
        """Every true count that can be published as `published` (what an attacker who knows
        the table learns from one published value)."""
        truths = []
        for true in range(max(0, published - self.max_noise), published + self.max_noise + 1):
            values, p = self.rows[min(true, self.last_row)]
            shifted = values + (true - min(true, self.last_row))
            if any(v == published and q > 1e-12 for v, q in zip(shifted, p, strict=True)):
                truths.append(true)
        return truths

    def bound_text(self) -> str:
        return f"±{self.max_noise}"


def _max_entropy(values: np.ndarray, mean: float, variance: float) -> np.ndarray:
    """Probabilities on `values` with the given mean, the variance nearest to `variance` that is
    possible on these values with that mean, and the largest entropy."""
    from scipy.optimize import minimize  # here, not at the top: only publishing needs it (0.4 s a start)

    squared = (values - mean) ** 2
    low, high = _variance_range(values, mean)
    target = min(max(variance, low), high)
    if math.isclose(low, high) or math.isclose(target, low) or math.isclose(target, high):
        return _extreme(values, mean, target)
    n = len(values)
    constraints = [
        {"type": "eq", "fun": lambda p: p.sum() - 1.0},
        {"type": "eq", "fun": lambda p: p @ values - mean},
        {"type": "eq", "fun": lambda p: p @ squared - target},
    ]

    def negative_entropy(p: np.ndarray) -> float:
        q = np.clip(p, 1e-15, 1.0)
        return float((q * np.log(q)).sum())

    start = _extreme(values, mean, target) * 0.5 + np.full(n, 0.5 / n)
    start = start / start.sum()
    solved = minimize(
        negative_entropy,
        start,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * n,
        constraints=constraints,
        options={"ftol": 1e-12, "maxiter": 500},
    )
    p = np.clip(solved.x, 0.0, 1.0)
    p[p < 1e-12] = 0.0
    return p / p.sum()


def _variance_range(values: np.ndarray, mean: float) -> tuple[float, float]:
    from scipy.optimize import linprog  # here, not at the top: only publishing needs it (0.4 s a start)

    squared = (values - mean) ** 2
    bounds = []
    for sign in (1, -1):
        result = linprog(
            sign * squared,
            A_eq=np.vstack([np.ones_like(values, dtype=float), values.astype(float)]),
            b_eq=[1.0, mean],
            bounds=[(0, 1)] * len(values),
            method="highs",
        )
        bounds.append(sign * result.fun)
    return bounds[0], bounds[1]


def _extreme(values: np.ndarray, mean: float, variance: float) -> np.ndarray:
    """A feasible distribution with the given mean and variance, found by linear programming
    (the start point for the entropy search, and the answer where only one distribution fits)."""
    from scipy.optimize import linprog  # here, not at the top: only publishing needs it (0.4 s a start)

    squared = (values - mean) ** 2
    result = linprog(
        np.zeros(len(values)),
        A_eq=np.vstack([np.ones(len(values)), values.astype(float), squared]),
        b_eq=[1.0, mean, variance],
        bounds=[(0, 1)] * len(values),
        method="highs",
    )
    p = np.clip(result.x, 0.0, 1.0)
    return p / p.sum()
