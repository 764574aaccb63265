"""Counting per selection without scanning every row: figures summed once per *cell*.

A selection (`Filters`) is "is one of" on six person dimensions. Five of them (cohort, region,
current stage, sex, age band) place every person in one cell; origin follows from the cohort.
A snapshot of a million people has a few thousand occupied cells, so a selection is a mask over
cells, and any figure that adds up over people (counts, sessions, stage entries and exits,
histograms of scores or of days) is summed per cell once, the first time a query needs it.
A query then adds up the selected cells instead of millions of rows, and gives exactly the
result a pass over the rows would: quantiles come from histograms over the distinct values,
not from approximations. Where the distinct values are too many for a histogram (real scores
with many decimals), the query goes back to the rows.

Everything here is derived from a loaded `Snapshot`, read-only, and shared by every session.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sparse

from data_access import contract as c
from data_access.filters import DIMENSIONS, Filters
from data_access.snapshot import release_memory

# Person columns that place a person in a cell, and the filter dimensions they answer.
CELL_COLUMNS = ("region", "cohort", "stage", "sex", "age_band")
# A histogram is used for quantiles when a column has at most this many distinct values.
MAX_DISTINCT = 4096

_lock = threading.RLock()
WARM_FROM_PEOPLE = 20_000
"""Snapshots this large get every per-cell table built in the background after their first page
(see `warm_up`); a smaller one builds any of them on demand in a fraction of a second."""
_warming: list[threading.Thread] = []
log = logging.getLogger("second_chance.load")


def sum_rows(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Column sums of the rows of `matrix` where `mask` is set (int64), reading the smaller side."""
    chosen = int(mask.sum())
    if chosen == len(mask):
        return matrix.sum(axis=0, dtype=np.int64)
    if chosen * 2 > len(mask):
        return matrix.sum(axis=0, dtype=np.int64) - matrix[~mask].sum(axis=0, dtype=np.int64)
    return matrix[mask].sum(axis=0, dtype=np.int64)


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy's hash-based `unique` is many times slower on integers)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each value's index among the sorted distinct values, those values): `np.unique` with
    `return_inverse`, by hashing instead of sorting millions of rows."""
    codes, levels = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(levels)


def quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The `q` quantile (linear interpolation, as pandas' groupby quantile) of a sample given as
    sorted distinct `values` and how often each occurs."""
    total = int(counts.sum())
    if total == 0:
        return np.nan
    position = q * (total - 1)
    low = int(position)
    frac = position % 1
    ends = np.cumsum(counts)
    value = values[np.searchsorted(ends, low, side="right")]
    if frac == 0.0:
        return float(value)
    upper = values[np.searchsorted(ends, low + 1, side="right")]
    return float(value + (upper - value) * frac)


def median(values: np.ndarray, counts: np.ndarray) -> float:
    """The median as pandas' groupby median computes it (mean of the two middle values)."""
    total = int(counts.sum())
    if total == 0:
        return np.nan
    ends = np.cumsum(counts)
    upper = values[np.searchsorted(ends, total // 2, side="right")]
    if total % 2:
        return float(upper)
    lower = values[np.searchsorted(ends, total // 2 - 1, side="right")]
    return float((upper + lower) / 2)


def sorted_quantile(values: np.ndarray, q: float) -> float:
    """`quantile` of a sorted, non-empty sample."""
    position = q * (len(values) - 1)
    low = int(position)
    frac = position % 1
    if frac == 0.0:
        return float(values[low])
    return float(values[low] + (values[low + 1] - values[low]) * frac)


def sorted_median(values: np.ndarray) -> float:
    """`median` of a sorted, non-empty sample."""
    n = len(values)
    if n % 2:
        return float(values[n // 2])
    return float((values[n // 2] + values[n // 2 - 1]) / 2)


@dataclass(frozen=True)
class Histogram:
    """Counts per cell (rows) and bin (columns); `values` are the sorted distinct values, and a
    column is `group * len(values) + value index`. Sparse: most cells have few of the bins."""

    values: np.ndarray
    counts: sparse.csr_array

    def sum(self, mask: np.ndarray) -> np.ndarray:
        """Counts per bin over the cells in `mask`."""
        return mask.astype(np.int64) @ self.counts


def _histogram(
    cell: np.ndarray, group: np.ndarray, values: np.ndarray, n_cells: int, n_groups: int
) -> Histogram | None:
    """Histogram of `values` (NaN left out) per cell and group, or None when there are too many
    distinct values for one to be worth it."""
    keep = ~np.isnan(values)
    index, levels = sorted_codes(values[keep])
    if len(levels) > MAX_DISTINCT:
        return None
    width = n_groups * len(levels)
    column = group[keep].astype(np.int64) * len(levels) + index
    ones = np.ones(len(column), dtype=np.int64)
    counts = sparse.csr_array((ones, (cell[keep], column)), shape=(n_cells, width))
    counts.sum_duplicates()
    return Histogram(levels, counts)


class Cells:
    """The cells of one snapshot and the figures summed per cell (built on first use)."""

    def __init__(self, snapshot) -> None:
        self.snapshot = snapshot
        people = snapshot.people
        # One integer key per person, region leading, so the cells of one region are contiguous.
        codes = [people[col].cat.codes.to_numpy().astype(np.int64) + 1 for col in CELL_COLUMNS]
        radix = [len(people[col].cat.categories) + 1 for col in CELL_COLUMNS]
        key = np.zeros(len(people), dtype=np.int64)
        for code, base in zip(codes, radix, strict=True):
            key = key * base + code
        unique, person_cell = np.unique(key, return_inverse=True)
        decoded = {}
        for col, base in zip(reversed(CELL_COLUMNS), reversed(radix), strict=True):
            decoded[col] = unique % base - 1
            unique = unique // base
        self.person_cell = person_cell.reshape(-1).astype(np.int32)
        self.n = len(decoded["region"])
        self.codes = {col: decoded[col] for col in CELL_COLUMNS}
        first = np.full(self.n, len(people), dtype=np.int64)
        np.minimum.at(first, self.person_cell, np.arange(len(people)))
        self.codes["origin"] = people["origin"].cat.codes.to_numpy()[first].astype(np.int64)
        self.codes["group"] = people["group"].cat.codes.to_numpy()[first].astype(np.int64)
        self.size = np.bincount(self.person_cell, minlength=self.n).astype(np.int64)
        self.region_starts = np.flatnonzero(np.r_[True, np.diff(self.codes["region"]) != 0])
        self._categories = {dim: {str(v): i for i, v in enumerate(people[dim].cat.categories)} for dim in DIMENSIONS}

    # -- selection -------------------------------------------------------------------------

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask over cells for the selection."""
        mask = np.ones(self.n, dtype=bool)
        for dim in DIMENSIONS:
            values = getattr(filters, dim)
            if values:
                wanted = [self._categories[dim][v] for v in values if v in self._categories[dim]]
                mask &= np.isin(self.codes[dim], wanted)
        return mask

    def people_mask(self, filters: Filters) -> np.ndarray:
        return self.mask(filters)[self.person_cell]

    def count(self, mask: np.ndarray, weights: np.ndarray | None = None) -> int:
        return int(((self.size if weights is None else weights) * mask).sum())

    def per_cell(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-person array per cell."""
        return np.bincount(self.person_cell, weights=values, minlength=self.n).astype(np.int64)

    # -- per-person figures ----------------------------------------------------------------

    @cached_property
    def flags(self) -> np.ndarray:
        """People per cell by (unaccompanied, justice): column `2 * unaccompanied + justice`."""
        people = self.snapshot.people
        key = people["unaccompanied"].to_numpy().astype(np.int64) * 2 + people["justice"].to_numpy()
        return np.bincount(self.person_cell.astype(np.int64) * 4 + key, minlength=self.n * 4).reshape(self.n, 4)

    @cached_property
    def reached_school_work(self) -> np.ndarray:
        return self.per_cell(self.snapshot.people["school_work_on"].notna().to_numpy())

    @cached_property
    def latest_composite(self) -> Histogram | None:
        values = self.snapshot.people["latest_composite"].to_numpy(dtype=float)
        return _histogram(self.person_cell, np.zeros(len(values), dtype=np.int64), values, self.n, 1)

    @cached_property
    def days_in_stage(self) -> pd.Series:
        """Days since each person entered the current stage, as of the snapshot."""
        people = self.snapshot.people
        return (pd.Timestamp(self.snapshot.as_of) - people["stage_since"]).dt.days

    @cached_property
    def days_sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(days, cell, stage start offsets) of people with a stage, sorted by stage then days."""
        stage = self.snapshot.people["stage"].cat.codes.to_numpy()
        days = self.days_in_stage.to_numpy(dtype=float)
        keep = np.flatnonzero(stage >= 0)
        order = keep[np.lexsort((days[keep], stage[keep]))]
        n_stages = len(self.snapshot.people["stage"].cat.categories)
        starts = np.searchsorted(stage[order], np.arange(n_stages + 1))
        return days[order], self.person_cell[order], starts

    def person_rows(self, build) -> pd.DataFrame:
        """Every person's row of the person table, built by `build(snapshot)` once."""
        with _lock:
            if "_person_rows" not in self.__dict__:
                self.__dict__["_person_rows"] = build(self.snapshot)
            return self.__dict__["_person_rows"]

    # -- milestones ------------------------------------------------------------------------

    @cached_property
    def milestones(self) -> dict[str, np.ndarray]:
        """Per milestone column: people per cell by whole months from arrival to the milestone
        (negative months in bin 0; bins past the last observable month in the last bin)."""
        from data_access.queries import DAYS_PER_MONTH, MILESTONES

        people = self.snapshot.people
        as_of = pd.Timestamp(self.snapshot.as_of)
        observed = int((as_of - people["arrival_date"].min()).days // DAYS_PER_MONTH)
        width = observed + 2
        out = {}
        for _, column, _ in MILESTONES:
            days = (people[column] - people["arrival_date"]).dt.days.to_numpy(dtype=float)
            keep = ~np.isnan(days)
            months = np.clip(np.floor(days[keep] / DAYS_PER_MONTH), 0, width - 1).astype(np.int64)
            key = self.person_cell[keep].astype(np.int64) * width + months
            out[column] = np.bincount(key, minlength=self.n * width).reshape(self.n, width)
        return out

    # -- stage events ----------------------------------------------------------------------

    @cached_property
    def stages_reached(self) -> np.ndarray:
        """People per cell who ever entered each stage (columns: stage codes)."""
        events = self.snapshot.events
        n_stages = len(events["stage"].cat.categories)
        codes = events["stage"].cat.codes.to_numpy().astype(np.int64)
        pairs = distinct(events["person"].to_numpy().astype(np.int64) * n_stages + codes)
        key = self.person_cell[pairs // n_stages].astype(np.int64) * n_stages + pairs % n_stages
        del pairs, codes
        reached = np.bincount(key, minlength=self.n * n_stages).reshape(self.n, n_stages)
        release_memory()
        return reached

    @cached_property
    def occupancy(self) -> tuple[int, int, np.ndarray]:
        """(first month, months, people per cell in each stage at the end of each month), the
        month axis from the first arrival to the as-of date; columns `month * stages + stage`."""
        snapshot = self.snapshot
        events = snapshot.events
        as_of_month = int(np.datetime64(snapshot.as_of, "M").astype("int64"))
        first = int(snapshot.people["arrival_date"].min().to_datetime64().astype("datetime64[M]").astype("int64"))
        n_months = as_of_month - first + 1
        n_stages = len(snapshot.stages)
        stage = events["stage"].cat.codes.to_numpy().astype(np.int64)
        cell = self.person_cell[events["person"].to_numpy()].astype(np.int64)
        entered = events["entered_month"].to_numpy().astype(np.int64)
        exited = events["exited_month"].to_numpy().astype(np.int64)
        width = n_months * n_stages
        # A stage left in month m no longer counts at the end of month m; months past the
        # as-of date fall outside the window.
        entry = (np.clip(entered, first, None) - first) * n_stages + stage
        inside = entry < width
        delta = np.bincount(cell[inside] * width + entry[inside], minlength=self.n * width)
        exits = exited >= 0
        leave = (exited[exits] - first) * n_stages + stage[exits]
        inside = leave < width
        delta = delta - np.bincount(cell[exits][inside] * width + leave[inside], minlength=self.n * width)
        balance = np.cumsum(delta.reshape(self.n, n_months, n_stages), axis=1).astype(np.int32)
        del delta
        release_memory()
        return first, n_months, balance.reshape(self.n, width)

    # -- assessments -----------------------------------------------------------------------

    @cached_property
    def half_years(self) -> tuple[np.ndarray, np.ndarray]:
        """(the distinct half-years, each assessment's index among them)."""
        index, periods = sorted_codes(self.snapshot.assessments["half_year"].to_numpy())
        return periods, index

    def scores(self, dimension: str) -> Histogram | None:
        """Histogram of one score dimension per cell and half-year (None: too many values)."""
        with _lock:
            cache = self.__dict__.setdefault("_scores", {})
            if dimension not in cache:
                assessments = self.snapshot.assessments
                periods, index = self.half_years
                cell = self.person_cell[assessments["person"].to_numpy()]
                values = assessments[dimension].to_numpy(dtype=float)
                cache[dimension] = _histogram(cell, index, values, self.n, len(periods))
            return cache[dimension]

    # -- services --------------------------------------------------------------------------

    @cached_property
    def services(self) -> tuple[int, int, np.ndarray, np.ndarray]:
        """(first month number, months, service rows and sessions per cell), the columns
        `month * types + type` from the first service month to the last."""
        services = self.snapshot.services
        n_types = len(c.SERVICE_TYPES)
        month = services["month_number"].to_numpy().astype(np.int64)
        if len(month) == 0:
            empty = np.zeros((self.n, 0), dtype=np.int64)
            return 0, 0, empty, empty
        first = int(month.min())
        n_months = int(month.max()) - first + 1
        kind = services["service_type"].cat.codes.to_numpy().astype(np.int64)
        key = self.person_cell[services["person"].to_numpy()].astype(np.int64) * (n_months * n_types)
        key += (month - first) * n_types + kind
        size = self.n * n_months * n_types
        # int32 halves the memory; no cell holds 2**31 rows or sessions in one month and type.
        rows = np.bincount(key, minlength=size).astype(np.int32).reshape(self.n, -1)
        sessions = np.bincount(key, weights=services["sessions"].to_numpy(), minlength=size)
        sessions = sessions.astype(np.int32).reshape(self.n, -1)
        del key
        release_memory()
        return first, n_months, rows, sessions

    @cached_property
    def served_last_year(self) -> np.ndarray:
        """People per cell served with each type in the 12 months to the as-of date."""
        return self._served(12)

    def _served(self, months: int) -> np.ndarray:
        services = self.snapshot.services
        n_types = len(c.SERVICE_TYPES)
        since = int(np.datetime64(self.snapshot.as_of, "M").astype(np.int64)) - (months - 1)
        keep = services["month_number"].to_numpy() >= since
        person = services["person"].to_numpy()[keep].astype(np.int64)
        kind = services["service_type"].cat.codes.to_numpy()[keep].astype(np.int64)
        pairs = distinct(person * n_types + kind)
        key = self.person_cell[pairs // n_types].astype(np.int64) * n_types + pairs % n_types
        return np.bincount(key, minlength=self.n * n_types).reshape(self.n, n_types)


def cells(snapshot) -> Cells:
    """The snapshot's cells, built once and kept on the snapshot."""
    found = snapshot.__dict__.get("_cells")
    if found is None:
        with _lock:
            found = snapshot.__dict__.get("_cells")
            if found is None:
                found = Cells(snapshot)
                snapshot.__dict__["_cells"] = found
    return found


def warm_up(snapshot) -> threading.Thread | None:
    """Build every per-cell table of a large snapshot in a background thread, once per snapshot.

    Each table is otherwise built by the first page that needs it: for a million people the
    first visit to Reintegration progress would wait about ten seconds. The app calls this after
    a page has been drawn, so a server's first page is not slowed down by it.
    """
    if len(snapshot.people) < WARM_FROM_PEOPLE:
        return None
    with _lock:
        thread = snapshot.__dict__.get("_warming")
        if thread is None:
            thread = threading.Thread(target=_warm, args=(snapshot,), name=f"warm-up {snapshot.id}", daemon=True)
            snapshot.__dict__["_warming"] = thread
            _warming.append(thread)
            thread.start()
    return thread


def wait_for_warm_up(timeout: float | None = None) -> None:
    """Wait until every warm-up started so far has finished (the benchmark measures after it)."""
    for thread in list(_warming):
        thread.join(timeout)


WARMED = tuple(name for name, value in vars(Cells).items() if isinstance(value, cached_property))
"""Every per-cell table built on first use (score histograms aside: `Cells.scores`)."""


def _warm(snapshot) -> None:
    started = time.perf_counter()
    try:
        cell = cells(snapshot)
        for name in WARMED:
            getattr(cell, name)
        for dimension in (*c.SCORE_DIMENSIONS, "composite"):
            cell.scores(dimension)
        release_memory()
    except Exception:  # a page that needs the table builds it again and reports what went wrong
        log.exception("warming up snapshot %s failed", snapshot.id)
        return
    log.info("snapshot %s warmed up in %.1f s", snapshot.id, time.perf_counter() - started)
