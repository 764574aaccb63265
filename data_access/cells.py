"""Counting per selection without scanning every row: figures summed once per *cell*.

A selection (`Filters`) is "is one of" on six person dimensions. Five of them (region, cohort,
current stage, sex, age band) place every person in one cell; origin follows from the cohort.
A snapshot of a million people has a few thousand occupied cells, so a selection is a mask over
cells, and every figure that adds up over people (counts, stage entries and exits, histograms of
scores or of days) is kept per cell (`Counts`) and added up over the selected cells
(`Selection.sum`). Quantiles come from histograms over the distinct values, exactly.

The per-cell tables come from one of two places:

- a **restricted** snapshot's rows (people, stage events, assessments, services), built on first
  use. Where scores have too many distinct values for a histogram, the queries read the rows;
- a **public** snapshot, which holds nothing but these tables (`contract.AGGREGATE_TABLES`),
  written by `python -m data_access.publish` with the sum of the record keys of the people in
  every count (the cell-key material of `data_access.perturbation`).

At the public level every count is perturbed here, in `Selection.sum`: there is no other way to
get a number out of a public snapshot. A selection is cut into **pieces**, one per combination of
the single values chosen in each filter (a filter with no value, or every value, is one piece),
each count of each piece is perturbed by its own cell key, and the published pieces are added up.
So a figure for "regions A and B" is the figure for A plus the figure for B, and two selections
that differ by a small group give that group's published count, never its true one, however many
ways the difference is taken.

Everything here is derived from a loaded snapshot, read-only, and shared by every session.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sparse

from data_access import contract as c
from data_access import programme
from data_access.filters import DIMENSIONS, Filters
from data_access.perturbation import KEY_MASK, Perturbation, key_sums
from data_access.snapshot import Snapshot, month_numbers, release_memory

CELL_COLUMNS = ("region", "cohort", "stage", "sex", "age_band")
WIDE = 256
"""Counts with at least this many columns (the occupancy's months x stages) are added up over the
whole selection with `np.einsum` over a 0/1 weight per cell (`Counts.wide`): the sparse product is
several times slower there (the occupancy of 100k people: 2.9 against 0.6 ms; of 1M, 9.3 against
about 1 ms). Not a BLAS product, though as fast on one core: OpenBLAS would spread it over both
cores and keep its threads spinning after it, taking them from the browser and other sessions."""
NARROW = 16
"""Up to this many columns, `Selection.sum` adds a restricted selection's counts up per group in
NumPy; wider, the sparse product is faster."""
MAX_DISTINCT = 4096
"""A histogram is used for quantiles when a column has at most this many distinct values."""

_lock = threading.RLock()
WARM_FROM_PEOPLE = 20_000
"""Snapshots this large get every per-cell table built in the background after their first page
(see `warm_up`); a smaller one builds any of them on demand in a fraction of a second."""
_warming: list[threading.Thread] = []
log = logging.getLogger("second_chance.load")


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each value's index among the sorted distinct values, those values): `np.unique` with
    `return_inverse`, by hashing instead of sorting millions of rows."""
    codes, levels = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(levels)


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy's hash-based `unique` is many times slower on integers)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The `q` quantile (linear interpolation, as pandas' quantile) of a sample given as sorted
    distinct `values` and how often each occurs."""
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
    """The median as pandas computes it (mean of the two middle values)."""
    return quantile(values, counts, 0.5)


def _times(matrix: sparse.csr_array, counts) -> np.ndarray | sparse.csr_array:
    """A selection's 0/1 matrix times per-cell counts, in the counts' own type: SciPy would
    otherwise copy 32-bit counts whole into 64 bits on every product (the services of a million
    people: 1.5 -> 4.4 ms a query), where the small selection matrix costs nothing to convert.
    No sum overflows it: counts are 32-bit only where every column's total over all cells fits
    (`_compact`, `_counting`)."""
    return matrix.astype(counts.dtype, copy=False) @ counts


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


@dataclass(frozen=True)
class Counts:
    """People per cell (rows) and column, and the sums of their record keys modulo 2**32 (the
    same shape; None for a restricted snapshot served as it is: its counts are never perturbed)."""

    people: np.ndarray | sparse.csr_array
    keys: np.ndarray | sparse.csr_array | None = None

    @property
    def width(self) -> int:
        return self.people.shape[1]

    @cached_property
    def wide(self) -> np.ndarray | None:
        """The people as a dense array of a whole-number type that holds every column's total over
        all cells (so no sum over cells can overflow it), for `Selection.sum` to add up with
        `einsum`; None where the counts are sparse or narrow (narrow dense counts are added up by
        `Selection._added`)."""
        if sparse.issparse(self.people) or self.width < WIDE:
            return None
        return _compact(self.people)

    def merge(self, groups: list[list[int]]) -> Counts:
        """One column per group of columns: the people of disjoint columns counted as one set
        (one count, one cell key), not as a sum of separately perturbed counts."""
        matrix = np.zeros((self.width, len(groups)), dtype=np.int64)
        for g, columns in enumerate(groups):
            matrix[list(columns), g] = 1
        keys = None if self.keys is None else _dense(self.keys @ matrix) & KEY_MASK
        if sparse.issparse(self.people):
            # In the histogram's own type (no copy of it into 64 bits): its entries count at
            # most `_counting`'s records, so no cell's merged columns overflow it.
            return Counts(_dense(self.people @ matrix.astype(self.people.dtype)).astype(np.int64), keys)
        return Counts(_dense(self.people @ matrix), keys)

    def cumulative(self) -> Counts:
        """Running totals along the columns: people up to and including each column."""
        people = np.cumsum(_dense(self.people), axis=1, dtype=np.int64)
        keys = None if self.keys is None else np.cumsum(_dense(self.keys), axis=1, dtype=np.int64) & KEY_MASK
        return Counts(people, keys)


def _compact(counts: np.ndarray) -> np.ndarray:
    """Counts (cells x columns) as 32-bit whole numbers where every column's total over all cells
    fits in them, else as they are: half the memory (the stage moves and services of 100k people:
    about 50 MiB less), and no sum over cells can overflow the type (`Counts.wide` adds up in it)."""
    counts = np.asarray(counts)
    largest = int(np.abs(counts.astype(np.int64, copy=False)).sum(axis=0).max(initial=0))
    return counts.astype(np.int32 if largest < 2**31 else np.int64, copy=False)


def _counting(records: int) -> type:
    """The type that counts `records` records however they fall: 32 bits but for two billion."""
    return np.int32 if records < 2**31 else np.int64


def _counts(cell: np.ndarray, column: np.ndarray, n_cells: int, width: int, keys: np.ndarray | None) -> Counts:
    """Counts of the records at (`cell`, `column`), with their keys when given."""
    flat = cell.astype(np.int64) * width + column
    people = _compact(np.bincount(flat, minlength=n_cells * width).reshape(n_cells, width))
    summed = None if keys is None else key_sums(flat, keys, n_cells * width).reshape(n_cells, width)
    return Counts(people, summed)


def _sparse_counts(cell: np.ndarray, column: np.ndarray, n_cells: int, width: int, keys, weights=None) -> Counts:
    """`_counts` kept sparse, for histograms with many columns few of which a cell uses."""
    ones = np.ones(len(cell), dtype=_counting(len(cell))) if weights is None else weights.astype(np.int64)
    people = sparse.csr_array((ones, (cell, column)), shape=(n_cells, width))
    people.sum_duplicates()
    summed = None
    if keys is not None:
        summed = sparse.csr_array((keys.astype(np.int64), (cell, column)), shape=(n_cells, width))
        summed.sum_duplicates()
    return Counts(people, summed)


def _stored_counts(frame: pd.DataFrame, n_cells: int, width: int, column: np.ndarray, count="people") -> Counts:
    """Counts from a public snapshot's long table (cell, ..., people, people_key)."""
    flat = frame["cell"].to_numpy().astype(np.int64) * width + column
    people = np.bincount(flat, weights=frame[count].to_numpy(), minlength=n_cells * width)
    keys = key_sums(flat, frame[f"{count}_key"].to_numpy().astype(np.int64), n_cells * width)
    return Counts(people.astype(np.int64).reshape(n_cells, width), keys.reshape(n_cells, width))


@dataclass(frozen=True)
class Histogram:
    """Counts per cell (rows) and bin (columns); `values` are the sorted distinct values, and a
    column is `group * len(values) + value index`. Sparse: most cells have few of the bins.
    For medians and quartiles only: its counts are never shown."""

    values: np.ndarray
    counts: sparse.csr_array


def _histogram(cell: np.ndarray, group: np.ndarray, values: np.ndarray, n_cells: int, n_groups: int, weights=None):
    """Histogram of `values` (NaN left out) per cell and group, or None when there are too many
    distinct values for one to be worth it."""
    keep = ~np.isnan(values)
    index, levels = sorted_codes(values[keep])
    if len(levels) > MAX_DISTINCT:
        return None
    width = n_groups * max(len(levels), 1)
    column = group[keep].astype(np.int64) * max(len(levels), 1) + index
    counts = np.ones(len(column), dtype=_counting(len(column))) if weights is None else weights[keep].astype(np.int64)
    matrix = sparse.csr_array((counts, (cell[keep], column)), shape=(n_cells, width))
    matrix.sum_duplicates()
    return Histogram(levels, matrix)


class Cells:
    """The cells of one snapshot and the figures kept per cell (built or read on first use).

    `record_keys` (one per person, for a restricted snapshot) makes every count carry its key
    sums too: the publisher builds a public snapshot that way."""

    def __init__(self, snapshot: Snapshot, record_keys: np.ndarray | None = None) -> None:
        self.snapshot = snapshot
        self.stored = snapshot.kind == "aggregates"
        self.perturbation: Perturbation | None = snapshot.perturbation
        self.categories = {dim: snapshot.categories(dim) for dim in (*DIMENSIONS, "group")}
        self._score_histograms: dict[str, Histogram | None] = {}
        self._scored_counts: dict[str, Counts] = {}
        self._memo: dict = {}
        self.warming: threading.Thread | None = None
        """The background build of every table (`warm_up`), once started."""
        self._positions = {dim: {v: i for i, v in enumerate(values)} for dim, values in self.categories.items()}
        if self.stored:
            self._init_stored()
        else:
            self._init_records(record_keys)
        cohort_origin = pd.Index(self.categories["origin"]).get_indexer(snapshot.cohorts["origin_country"])
        self.codes["origin"] = cohort_origin[self.codes["cohort"]]
        self.codes["group"] = programme.group_codes(self.codes["sex"], self.codes["age_band"])
        self.n = len(self.codes["region"])

    def _init_records(self, record_keys: np.ndarray | None) -> None:
        people = self.snapshot.people
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
        self.codes = {col: decoded[col] for col in CELL_COLUMNS}
        self.record_keys = None if record_keys is None else np.asarray(record_keys, dtype=np.int64)
        n = len(decoded["region"])
        self.size = _counts(self.person_cell, np.zeros(len(people), dtype=np.int64), n, 1, self.record_keys)

    def _init_stored(self) -> None:
        table = self.snapshot.aggregates["cells"]
        if not (table["cell"].to_numpy() == np.arange(len(table))).all():
            raise ValueError("cells.parquet: cells must be numbered 0, 1, 2, ... in order")
        column = {
            "region": "region_code",
            "cohort": "cohort_id",
            "stage": "stage_id",
            "sex": "sex",
            "age_band": "age_band",
        }
        self.codes = {
            dim: pd.Index(self.categories[dim]).get_indexer(table[column[dim]].astype(object)).astype(np.int64)
            for dim in CELL_COLUMNS
        }
        self.person_cell = None
        self.record_keys = None
        self.size = Counts(
            table["people"].to_numpy().astype(np.int64)[:, None],
            table["people_key"].to_numpy().astype(np.int64)[:, None] & KEY_MASK,
        )

    def _table(self, name: str) -> pd.DataFrame:
        return self.snapshot.aggregates[name]

    def _keys_of(self, person: np.ndarray) -> np.ndarray | None:
        return None if self.record_keys is None else self.record_keys[person]

    def code_of(self, dim: str, values: pd.Series | np.ndarray) -> np.ndarray:
        return pd.Index(self.categories[dim]).get_indexer(pd.Series(values).astype(object)).astype(np.int64)

    # -- selection -------------------------------------------------------------------------

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask over cells for the selection."""
        mask = np.ones(self.n, dtype=bool)
        for dim in DIMENSIONS:
            values = getattr(filters, dim)
            if values:
                wanted = [self._positions[dim][v] for v in values if v in self._positions[dim]]
                mask &= np.isin(self.codes[dim], wanted)
        return mask

    def pieces(self, filters: Filters, mask: np.ndarray) -> tuple[np.ndarray, int]:
        """(each cell's piece of the selection, -1 outside it; how many pieces). A piece is one
        combination of single values, one per filtered dimension; choosing every value of a
        dimension is the same as choosing none. Cohorts stand for their origin: with an origin
        filter and no cohort filter, the pieces are whole origins."""
        piece = np.zeros(self.n, dtype=np.int64)
        pieces = 1
        for dim in ("region", "stage", "sex", "age_band", "cohort"):
            wanted = sorted({self._positions[dim][v] for v in getattr(filters, dim) if v in self._positions[dim]})
            codes = self.codes[dim]
            if dim == "cohort" and not wanted and filters.origin:
                dim, codes = "origin", self.codes["origin"]
                wanted = sorted({self._positions[dim][v] for v in filters.origin if v in self._positions[dim]})
            if not wanted or len(wanted) == len(self.categories[dim]):
                continue
            lookup = np.full(len(self.categories[dim]) + 1, -1, dtype=np.int64)
            lookup[wanted] = np.arange(len(wanted))
            piece = piece * len(wanted) + lookup[codes]
            pieces *= len(wanted)
        return np.where(mask, piece, -1), pieces

    def select(self, filters: Filters) -> Selection:
        return Selection(self, filters)

    # -- figures per cell ------------------------------------------------------------------

    @cached_property
    def flags(self) -> Counts:
        """People per cell by (unaccompanied, justice): column `2 * unaccompanied + justice`."""
        if self.stored:
            table = self._table("cell_flags")
            column = table["unaccompanied"].to_numpy().astype(np.int64) * 2 + table["justice"].to_numpy()
            return _stored_counts(table, self.n, 4, column)
        people = self.snapshot.people
        column = people["unaccompanied"].to_numpy().astype(np.int64) * 2 + people["justice"].to_numpy()
        return _counts(self.person_cell, column, self.n, 4, self.record_keys)

    @cached_property
    def stages_reached(self) -> Counts:
        """People per cell who ever entered each stage (columns: stage codes)."""
        n_stages = len(self.categories["stage"])
        if self.stored:
            table = self._table("cell_stages_reached")
            return _stored_counts(table, self.n, n_stages, self.code_of("stage", table["stage_id"]))
        events = self.snapshot.events
        codes = events["stage"].cat.codes.to_numpy().astype(np.int64)
        pairs = distinct(events["person"].to_numpy().astype(np.int64) * n_stages + codes)
        person = pairs // n_stages
        reached = _counts(self.person_cell[person], pairs % n_stages, self.n, n_stages, self._keys_of(person))
        release_memory()
        return reached

    @cached_property
    def months(self) -> tuple[int, int]:
        """(first month number, months): the month axis from the first arrival to the as-of date."""
        arrivals = pd.to_datetime(self.snapshot.cohorts["arrival_date"]).to_numpy().astype("datetime64[M]")
        first = int(arrivals.min().astype(np.int64))
        last = int(np.datetime64(self.snapshot.as_of, "M").astype(np.int64))
        return first, last - first + 1

    @cached_property
    def stage_moves(self) -> tuple[Counts, Counts]:
        """(stage entries, stage exits) per cell and month, columns `month * stages + stage`;
        entries before the first month count in it, months past the as-of date are left out."""
        first, n_months = self.months
        n_stages = len(self.categories["stage"])
        width = n_months * n_stages
        if self.stored:
            table = self._table("cell_stage_moves")
            month = month_numbers(table["month"].to_numpy().astype("datetime64[ms]")).astype(np.int64) - first
            column = month * n_stages + self.code_of("stage", table["stage_id"])
            return (
                _stored_counts(table, self.n, width, column, "entered"),
                _stored_counts(table, self.n, width, column, "left"),
            )
        events = self.snapshot.events
        stage = events["stage"].cat.codes.to_numpy().astype(np.int64)
        person = events["person"].to_numpy()
        cell = self.person_cell[person]
        keys = self._keys_of(person)
        entered = (np.clip(events["entered_month"].to_numpy().astype(np.int64), first, None) - first) * n_stages + stage
        inside = entered < width
        entries = _counts(cell[inside], entered[inside], self.n, width, None if keys is None else keys[inside])
        exited = events["exited_month"].to_numpy().astype(np.int64)
        # A stage left in month m no longer counts at the end of month m.
        left = (np.clip(exited, first, None) - first) * n_stages + stage
        inside = (exited >= 0) & (left < width)
        exits = _counts(cell[inside], left[inside], self.n, width, None if keys is None else keys[inside])
        return entries, exits

    @cached_property
    def occupancy(self) -> Counts:
        """People per cell in each stage at the end of each month (columns as `stage_moves`)."""
        _, n_months = self.months
        n_stages = len(self.categories["stage"])
        entries, exits = self.stage_moves
        shape = (self.n, n_months, n_stages)
        balance = np.cumsum((entries.people - exits.people).reshape(shape), axis=1).astype(np.int32)
        keys = None
        if entries.keys is not None:
            keys = np.cumsum((entries.keys - exits.keys).reshape(shape), axis=1) & KEY_MASK
            keys = keys.reshape(self.n, -1)
        release_memory()
        return Counts(balance.reshape(self.n, -1), keys)

    @cached_property
    def milestone_width(self) -> int:
        """Columns of the milestone histograms: whole months from arrival, 0 to the longest time
        observed, and one more for anything later."""
        _, n_months = self.months
        return n_months + 1

    @cached_property
    def milestones(self) -> dict[str, Counts]:
        """Per milestone stage: people per cell by whole months from arrival to the milestone
        (negative months in bin 0; anything past the last observable month in the last bin)."""
        width = self.milestone_width
        if self.stored:
            table = self._table("cell_milestones")
            return {
                stage: _stored_counts(part, self.n, width, np.clip(part["months"].to_numpy(), 0, width - 1))
                for stage, part in ((s, table.loc[table["milestone"] == s]) for s, _, _ in programme.MILESTONES)
            }
        people = self.snapshot.people
        out = {}
        for stage, column, _ in programme.MILESTONES:
            days = (people[column] - people["arrival_date"]).dt.days.to_numpy(dtype=float)
            keep = np.flatnonzero(~np.isnan(days))
            months = np.clip(np.floor(days[keep] / programme.DAYS_PER_MONTH), 0, width - 1).astype(np.int64)
            out[stage] = _counts(self.person_cell[keep], months, self.n, width, self._keys_of(keep))
        return out

    @cached_property
    def milestones_within(self) -> Counts:
        """People per cell who reached each milestone within each number of whole months from
        arrival (running totals of `milestones`), the milestones side by side in
        `programme.MILESTONES` order (`milestone_width` columns each), kept: the milestone chart
        asks on every rerun, and adds them all up over a selection in one sum."""
        within = [self.milestones[stage].cumulative() for stage, _, _ in programme.MILESTONES]
        people = _compact(np.hstack([counts.people for counts in within]))
        keys = None if within[0].keys is None else np.hstack([counts.keys for counts in within])
        return Counts(people, keys)

    @cached_property
    def days_in_stage(self) -> tuple[np.ndarray, Counts]:
        """(the distinct numbers of days, people per cell by days in their current stage as of
        the snapshot): a histogram, sparse, for time in stage and its quantiles."""
        if self.stored:
            table = self._table("cell_days_in_stage")
            column, values = sorted_codes(table["days"].to_numpy())
            where = (table["cell"].to_numpy(), column)
            people = sparse.csr_array((table["people"].to_numpy().astype(np.int64), where), (self.n, len(values)))
            keys = sparse.csr_array((table["people_key"].to_numpy().astype(np.int64), where), (self.n, len(values)))
            return values, Counts(people, keys)
        people = self.snapshot.people
        days = (pd.Timestamp(self.snapshot.as_of) - people["stage_since"]).dt.days.to_numpy(dtype=float)
        keep = np.flatnonzero(~np.isnan(days))
        column, values = sorted_codes(days[keep].astype(np.int64))
        counts = _sparse_counts(self.person_cell[keep], column, self.n, len(values), self._keys_of(keep))
        return values, counts

    @cached_property
    def latest_composite(self) -> Histogram | None:
        """Everyone's latest composite score per cell (None: too many distinct values)."""
        if self.stored:
            table = self._table("cell_latest_score")
            column, values = sorted_codes(table["composite"].to_numpy())
            matrix = sparse.csr_array(
                (table["people"].to_numpy(), (table["cell"].to_numpy(), column)), (self.n, len(values))
            )
            return Histogram(values, matrix)
        values = self.snapshot.people["latest_composite"].to_numpy(dtype=float)
        return _histogram(self.person_cell, np.zeros(len(values), dtype=np.int64), values, self.n, 1)

    @cached_property
    def scored(self) -> Counts:
        """People per cell with a latest composite score."""
        if self.stored:
            table = self._table("cell_latest_score")
            return _stored_counts(table, self.n, 1, np.zeros(len(table), dtype=np.int64))
        keep = np.flatnonzero(self.snapshot.people["latest_composite"].notna().to_numpy())
        return _counts(self.person_cell[keep], np.zeros(len(keep), dtype=np.int64), self.n, 1, self._keys_of(keep))

    @cached_property
    def half_years(self) -> np.ndarray:
        """The distinct half-years assessments fall in (their first days)."""
        if self.stored:
            return np.sort(self._table("cell_scored")["half_year"].astype("datetime64[ms]").unique())
        return distinct(self.snapshot.assessments["half_year"].to_numpy())

    def scores(self, dimension: str) -> Histogram | None:
        """Histogram of one score dimension per cell and half-year (None: too many values)."""
        with _lock:
            if dimension not in self._score_histograms:
                self._score_histograms[dimension] = self._scores(dimension)
            return self._score_histograms[dimension]

    def _scores(self, dimension: str) -> Histogram | None:
        periods = self.half_years
        if self.stored:
            table = self._table("cell_scores")
            table = table.loc[table["dimension"] == dimension]
            period = np.searchsorted(periods, table["half_year"].to_numpy().astype("datetime64[ms]"))
            value = table["value"].to_numpy(dtype=float)
            return _histogram(
                table["cell"].to_numpy(), period, value, self.n, len(periods), table["assessments"].to_numpy()
            )
        assessments = self.snapshot.assessments
        period = np.searchsorted(periods, assessments["half_year"].to_numpy())
        cell = self.person_cell[assessments["person"].to_numpy()]
        return _histogram(cell, period, assessments[dimension].to_numpy(dtype=float), self.n, len(periods))

    def scored_people(self, dimension: str) -> Counts:
        """People per cell and half-year with at least one score on `dimension`."""
        with _lock:
            if dimension not in self._scored_counts:
                self._scored_counts[dimension] = self._scored_people(dimension)
            return self._scored_counts[dimension]

    def _scored_people(self, dimension: str) -> Counts:
        periods = self.half_years
        if self.stored:
            table = self._table("cell_scored")
            table = table.loc[table["dimension"] == dimension]
            period = np.searchsorted(periods, table["half_year"].to_numpy().astype("datetime64[ms]"))
            return _stored_counts(table, self.n, len(periods), period)
        assessments = self.snapshot.assessments
        scored = assessments.loc[assessments[dimension].notna().to_numpy()]
        period = np.searchsorted(periods, scored["half_year"].to_numpy())
        pairs = distinct(scored["person"].to_numpy().astype(np.int64) * len(periods) + period)
        person = pairs // max(len(periods), 1)
        return _counts(self.person_cell[person], pairs % len(periods), self.n, len(periods), self._keys_of(person))

    @cached_property
    def services(self) -> tuple[int, int, Counts, np.ndarray]:
        """(first month number, months, people served per cell, sessions per cell), columns
        `month * types + type` from the first service month to the last. The services table has
        one row per person, month and type, so its rows count people."""
        if self.stored:
            table = self._table("cell_services")
            cell = table["cell"].to_numpy()
            month = month_numbers(table["month"].to_numpy().astype("datetime64[ms]")).astype(np.int64)
            kind = pd.Index(c.SERVICE_TYPES).get_indexer(table["service_type"].astype(object)).astype(np.int64)
            sessions = table["sessions"].to_numpy()
        else:
            services = self.snapshot.services
            person = services["person"].to_numpy()
            cell = self.person_cell[person]
            month = services["month_number"].to_numpy().astype(np.int64)
            kind = services["service_type"].cat.codes.to_numpy().astype(np.int64)
            sessions = services["sessions"].to_numpy()
        if len(month) == 0:
            empty = np.zeros((self.n, 0), dtype=np.int64)
            return 0, 0, Counts(empty, empty), empty
        first = int(month.min())
        n_months = int(month.max()) - first + 1
        width = n_months * len(c.SERVICE_TYPES)
        column = (month - first) * len(c.SERVICE_TYPES) + kind
        if self.stored:
            people = _stored_counts(table, self.n, width, column)
        else:
            people = _counts(cell, column, self.n, width, self._keys_of(person))
        flat = cell.astype(np.int64) * width + column
        total = _compact(
            np.bincount(flat, weights=sessions, minlength=self.n * width).astype(np.int64).reshape(self.n, -1)
        )
        release_memory()
        return first, n_months, people, total

    @cached_property
    def served_last_year(self) -> Counts:
        """People per cell served with each type in the 12 months to the as-of date."""
        n_types = len(c.SERVICE_TYPES)
        if self.stored:
            table = self._table("cell_served_last_year")
            return _stored_counts(table, self.n, n_types, pd.Index(c.SERVICE_TYPES).get_indexer(table["service_type"]))
        services = self.snapshot.services
        since = int(np.datetime64(self.snapshot.as_of, "M").astype(np.int64)) - 11
        keep = services["month_number"].to_numpy() >= since
        person = services["person"].to_numpy()[keep].astype(np.int64)
        kind = services["service_type"].cat.codes.to_numpy()[keep].astype(np.int64)
        pairs = distinct(person * n_types + kind)
        who = pairs // n_types
        return _counts(self.person_cell[who], pairs % n_types, self.n, n_types, self._keys_of(who))

    @cached_property
    def sessions_last_year(self) -> np.ndarray:
        """Sessions per cell of each type in the 12 months to the as-of date (cells x types),
        added up once: the services section asks on every rerun."""
        first, n_months, _, sessions = self.services
        since = int(np.datetime64(self.snapshot.as_of, "M").astype(np.int64)) - 11
        return sessions.reshape(self.n, n_months, len(c.SERVICE_TYPES))[:, max(0, since - first) :].sum(axis=1)

    def memo(self, key, build):
        """What `build(snapshot)` gives, built once per snapshot and `key` (the person table's
        rows and orders: costly for a million people, cheap to take rows from)."""
        with _lock:
            if key not in self._memo:
                self._memo[key] = build(self.snapshot)
            return self._memo[key]

    def person_rows(self, build) -> pd.DataFrame:
        """Every person's row of the person table, built by `build(snapshot)` once."""
        return self.memo("person_rows", build)


class Selection:
    """The cells a selection takes in, and how figures are added up over them: exactly for a
    restricted snapshot; for a public one, each count of each piece perturbed by its cell key
    and the published pieces added up (see the module's docstring)."""

    def __init__(self, cells: Cells, filters: Filters) -> None:
        self.cells, self.filters = cells, filters
        self.mask = cells.mask(filters)
        self.perturbation = cells.perturbation
        if self.perturbation is None:
            self.piece, self.pieces = np.where(self.mask, 0, -1), 1
        else:
            self.piece, self.pieces = cells.pieces(filters, self.mask)

    def _matrix(self, group: np.ndarray | None, n_groups: int) -> sparse.csr_array:
        """Rows `group * pieces + piece`, columns cells: which cells each (group, piece) adds up."""
        piece = self.piece
        group = np.zeros(len(piece), dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
        chosen = np.flatnonzero((piece >= 0) & (group >= 0))
        rows = group[chosen] * self.pieces + piece[chosen]
        ones = np.ones(len(chosen), dtype=np.int64)
        return sparse.csr_array((ones, (rows, chosen)), shape=(n_groups * self.pieces, self.cells.n))

    def sum(self, counts: Counts, group: np.ndarray | None = None, n_groups: int = 1, magnitude=None):
        """People (groups x columns) over the selected cells of each `group` (a group number per
        cell, -1 for none). Public: every (group, piece, column) count perturbed, then the pieces
        added up. With `magnitude` (cells x columns, e.g. sessions), also its totals, each piece's
        scaled by its published over its true count of people; returns (people, magnitude)."""
        if self.perturbation is None and magnitude is None:
            if group is None and counts.wide is not None:
                return self._summed(counts.wide)
            if not sparse.issparse(counts.people) and (group is None or counts.width <= NARROW):
                return self._added(counts.people, group, n_groups)
        people, total = self._pieces(counts, group, n_groups, magnitude)
        people = people.sum(axis=1)
        return people if total is None else (people, total.sum(axis=1))

    def _pieces(self, counts: Counts, group: np.ndarray | None, n_groups: int, magnitude=None, matrix=None):
        """(people, magnitude or None), each groups x pieces x columns: `sum` before the pieces
        are added up, every count perturbed at public (`matrix`: the selection's `_matrix` for
        these groups, when the caller has it)."""
        matrix = self._matrix(group, n_groups) if matrix is None else matrix
        people = _dense(_times(matrix, counts.people)).astype(np.int64)
        total = None if magnitude is None else _dense(_times(matrix, magnitude)).astype(np.int64)
        if self.perturbation is not None:
            if counts.keys is None:
                raise ValueError("a public snapshot's counts must carry their key sums")
            keys = _dense(_times(matrix, counts.keys)).astype(np.int64) & KEY_MASK
            published = self.perturbation.apply(people, keys)
            if total is not None:
                total = np.rint(total * published / np.maximum(people, 1)).astype(np.int64)
            people = published
        shape = (n_groups, self.pieces, people.shape[1])
        return people.reshape(shape), None if total is None else total.reshape(shape)

    def smallest(self, counts: Counts, group: np.ndarray | None = None, n_groups: int = 1, fold=None) -> np.ndarray:
        """The smallest count (groups x columns) of any piece of the selection that holds the
        group (has any of its cells), published at public; with `fold`, of what it makes of each
        piece's counts (groups x pieces x columns -> groups x pieces x fewer columns, e.g. the
        busiest month of each kind). A group no piece holds has no smallest: the largest whole
        number, so nothing is held back for it.

        A piece's published counts are what an outsider gets by differencing two selections (the
        selection with and without it), so a rule that keeps a small group's figures back has to
        hold for every piece, not only for their sum: a region of 7 people is a piece of "regions
        A and B" even when A and B together pass every rule. A piece that cannot hold the group
        (cohort Jusan-1 in the piece of Jusan-2) does not count."""
        matrix = self._matrix(group, n_groups)
        people = self._pieces(counts, group, n_groups, matrix=matrix)[0]
        if fold is not None:
            people = fold(people)
        held = (np.diff(matrix.indptr) > 0).reshape(n_groups, self.pieces)
        return np.where(held[:, :, np.newaxis], people, np.iinfo(np.int64).max).min(axis=1)

    def _added(self, people: np.ndarray, group: np.ndarray | None, n_groups: int) -> np.ndarray:
        """`sum` of exact dense counts, the selected cells' rows added up per group with NumPy:
        building the sparse matrix of a selection costs more than the sum itself (0.06 to 0.2 ms
        against 0.01 to 0.04 ms for a handful of columns). Per group only up to `NARROW` columns,
        where adding rows one by one still beats the sparse product."""
        take = self.piece >= 0
        if group is not None:
            group = np.asarray(group, dtype=np.int64)
            take &= group >= 0
        chosen = np.flatnonzero(take)
        rows = np.asarray(people)[chosen].astype(np.int64, copy=False)
        if group is None:
            return rows.sum(axis=0)[np.newaxis, :]
        out = np.zeros((n_groups, rows.shape[1]), dtype=np.int64)
        np.add.at(out, group[chosen], rows)
        return out

    def _summed(self, people: np.ndarray) -> np.ndarray:
        """`sum` of exact wide counts over the whole selection (1 x columns): each selected cell's
        row weighted 1, in one pass, in a type no total overflows (`Counts.wide`)."""
        weights = (self.piece >= 0).astype(people.dtype)
        return np.einsum("i,ij->j", weights, people).astype(np.int64)[np.newaxis, :]

    def distribution(self, histogram, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """A histogram (or a matrix of cells x bins) added up over the selected cells (groups x
        bins), exactly: for medians and quartiles only, never shown as counts."""
        counts = histogram.counts if isinstance(histogram, Histogram) else histogram
        rows = self._matrix(group, n_groups)
        return _dense(_times(rows, counts)).reshape(n_groups, self.pieces, -1).sum(axis=1)

    def total(self, counts: Counts | None = None) -> int:
        """One count over the whole selection (people, by default)."""
        return int(self.sum(self.cells.size if counts is None else counts)[0, 0])

    def where(self, condition: np.ndarray, counts: Counts | None = None) -> int:
        """One count over the selected cells where `condition` (a bool per cell) holds."""
        group = np.where(condition, 0, -1)
        return int(self.sum(self.cells.size if counts is None else counts, group)[0, 0])

    def outside(self) -> int:
        """People in the snapshot outside the selection: one count (one cell key) at public."""
        size = self.cells.size
        inside = ~self.mask
        people = int(size.people[inside, 0].sum())
        if self.perturbation is None:
            return people
        keys = int(size.keys[inside, 0].sum()) & KEY_MASK
        return int(self.perturbation.apply(np.array([people]), np.array([keys]))[0])


_cells: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cells(snapshot: Snapshot) -> Cells:
    """The snapshot's cells, built once and kept while the snapshot is."""
    found = _cells.get(snapshot)
    if found is None:
        with _lock:
            found = _cells.get(snapshot)
            if found is None:
                found = Cells(snapshot)
                _cells[snapshot] = found
    return found


def select(snapshot: Snapshot, filters: Filters) -> Selection:
    return cells(snapshot).select(filters)


def warm_up(snapshot: Snapshot) -> threading.Thread | None:
    """Build every per-cell table of a large snapshot in a background thread, once per snapshot.

    Each table is otherwise built by the first page that needs it: for a million people the
    first visit to Reintegration progress would wait about ten seconds. The app calls this after
    a page has been drawn, so a server's first page is not slowed down by it.
    """
    if snapshot.kind != "records" or len(snapshot.people) < WARM_FROM_PEOPLE:
        return None
    with _lock:
        cell = cells(snapshot)
        if cell.warming is None:
            cell.warming = threading.Thread(target=_warm, args=(cell,), name=f"warm-up {snapshot.id}", daemon=True)
            _warming.append(cell.warming)
            cell.warming.start()
    return cell.warming


def wait_for_warm_up(timeout: float | None = None) -> None:
    """Wait until every warm-up started so far has finished (the benchmark measures after it)."""
    for thread in list(_warming):
        thread.join(timeout)


WARMED = tuple(name for name, value in vars(Cells).items() if isinstance(value, cached_property))
"""Every per-cell table built on first use (score histograms aside: `Cells.scores`)."""


def _warm(cell: Cells) -> None:
    started = time.perf_counter()
    try:
        for name in WARMED:
            getattr(cell, name)
        for dimension in programme.SCORE_LABELS:
            cell.scores(dimension)
            cell.scored_people(dimension)
        release_memory()
    except Exception:  # a page that needs the table builds it again and reports what went wrong
        log.exception("warming up snapshot %s failed", cell.snapshot.id)
        return
    log.info("snapshot %s warmed up in %.1f s", cell.snapshot.id, time.perf_counter() - started)
