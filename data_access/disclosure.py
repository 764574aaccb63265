"""Disclosure control: the pure rules every public number passes through on its way to a page.

Pure functions over the tidy long-form tables of `data_access.queries` (one row per mark, a
count column called `people` or `sessions`). No Streamlit, no I/O. The pages decide which
tables to pass; this module decides what may be shown of them.

What the rules protect against, and what they assume:

- **Primary suppression.** A count from 1 to k-1 identifies people; it is withheld.
  Zeros are *not* suppressed by the primary rule: a structural zero ("no man in this cohort")
  is shown as "0", because hiding every zero makes tables unreadable and a zero identifies no
  one. (Secondary suppression may still withhold a zero when nothing else can protect a cell.)
- **Secondary suppression.** Pages show margins: the height of a stacked bar, a row or column
  total, the size of the selection. Those margins are computed from the *unsuppressed* data,
  so a single withheld cell in a row is `row total - sum(shown cells)`. `suppress` therefore
  withholds further cells until no withheld cell can be computed exactly from the shown cells
  and the row, column and grand totals (assumed all known, which is the cautious assumption).
- **Labels.** A primary cell shows "<5" (`"<" + k`): the reader learns it holds 1 to k-1.
  A secondary cell shows `SUPPRESSED_TEXT` and no bound (it is often large). Because a reader
  who knows these rules also knows a secondary cell is 0 or at least k, linear algebra alone is
  not enough: row [1, 5, 30] with total 36 hides two cells summing to 6, one in 1..4 and one in
  {0} or 5 and more, so both are pinned (1 and 5). `suppress` therefore also checks every
  group with these bounds (`_pinned`) and withholds another cell until no withheld cell of a
  group is pinned by its group's total. Two kinds of total are assumed never shown, and pages
  must keep it so: a total of 1 to k-1 (itself withheld by `margin`), and the total of a group
  whose every cell is withheld (stack heights are drawn from shown cells only; a selection's
  total passes the minimum base, which no such group reaches).
- **Minimum base.** Figures for a selection need at least `min_base` people, and so does its
  complement within the unfiltered total (otherwise total minus selection reveals the group).
- **Percentages** only on bases of at least `min_base`, never "0%" or "100%" for a part that is
  neither none nor all of its base.
- **Rounding** (optional) to a base such as 5, after suppression.

`is_recoverable` is an independent checker (exact rational arithmetic, no code shared with
`suppress`) used by the tests to show that the output of `suppress` cannot be solved; the
tests also enumerate every group's possible values by brute force for the bounds above.
Not covered: interval reasoning that combines several groups at once (each group is checked
on its own, and the linear check covers exact solutions across groups), and differences
between two different views (two filters); the minimum base and complement rule address the
latter for selections.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

SUPPRESSED_TEXT = "withheld"
"""What a secondarily withheld count shows (a primary one shows "<5"; see the module docstring)."""
TOO_FEW_TEXT = "too few to show"
"""What a percentage shows when its base is under the minimum base."""
SELECTION_TOO_SMALL = "Selection too small to show"
"""What a page shows instead of figures when `base_ok` is False."""


@dataclass(frozen=True)
class Policy:
    """The disclosure rules in force at the public access level."""

    k: int = 5
    """Primary threshold: counts from 1 to k-1 are withheld (k=5 shows "<5"-sized counts as withheld)."""
    k_sensitive: int = 10
    """Threshold for sensitive breakdowns (justice track, services): pass it as `k=` to `suppress`."""
    min_base: int = 20
    """Smallest selection, and smallest complement of a selection within the unfiltered total,
    for which figures are shown; also the smallest base for a percentage."""
    min_stats_group: int = 20
    """Smallest group for which medians, quartiles and scores are shown."""
    rounding: int | None = None
    """Round shown counts to the nearest multiple of this (e.g. 5) after suppression; None: exact."""

    def __post_init__(self) -> None:
        if self.k < 2:
            raise ValueError("k must be at least 2")
        if self.k_sensitive < self.k:
            raise ValueError("k_sensitive must be at least k")
        if self.min_base < 1 or self.min_stats_group < 1:
            raise ValueError("min_base and min_stats_group must be positive")
        if self.rounding is not None and self.rounding < 2:
            raise ValueError("rounding must be None or at least 2")


PUBLIC = Policy()
"""The default public policy: k=5, sensitive k=10, bases of 20, no rounding."""


# ---------------------------------------------------------------------------------------------
# Formatting


def small_text(k: int) -> str:
    """What a primarily withheld count shows: "<5" for k=5."""
    return f"<{k}"


def count_text(value: int | None, small: int | None = None) -> str:
    """'1,234' for a shown count; for a withheld one (None or <NA>) "<k" when `small` is k
    (a primary cell), else `SUPPRESSED_TEXT`."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return small_text(small) if small else SUPPRESSED_TEXT
    return f"{int(value):,}"


def _texts(values: pd.Series, primary: np.ndarray, k: int) -> list[str]:
    return [
        count_text(None if pd.isna(v) else int(v), k if p else None)
        for v, p in zip(values, primary.tolist(), strict=True)
    ]


# ---------------------------------------------------------------------------------------------
# Suppression


def _as_cells(table: pd.DataFrame, count: str) -> tuple[np.ndarray, np.ndarray]:
    """Counts as int64 (0 where withheld) and the withheld mask, from a raw or suppressed table."""
    if count not in table.columns:
        raise KeyError(f"no count column {count!r}")
    raw = table[count]
    withheld = raw.isna().to_numpy()
    flag = f"{count}_suppressed"
    if flag in table.columns:
        withheld = withheld | table[flag].fillna(True).astype(bool).to_numpy()
    values = pd.to_numeric(raw, errors="raise").astype("Float64").fillna(0).to_numpy(dtype=float)
    if (values < 0).any() or (values != np.round(values)).any():
        raise ValueError(f"{count!r} must hold non-negative whole numbers")
    values = values.astype(np.int64)
    values[withheld] = 0
    return values, withheld


def _check_keys(table: pd.DataFrame, rows: tuple[str, ...], cols: tuple[str, ...]) -> None:
    keys = [*rows, *cols]
    missing = [dim for dim in keys if dim not in table.columns]
    if missing:
        raise KeyError(f"no dimension column {', '.join(missing)}")
    if set(rows) & set(cols):
        raise ValueError("a dimension cannot be both in rows and in cols")
    if not keys:
        return
    if table.duplicated(keys).any():
        raise ValueError(f"{', '.join(keys)} must identify one row each (duplicates found)")
    if rows and cols:
        n_rows = len(table.drop_duplicates(list(rows)))
        n_cols = len(table.drop_duplicates(list(cols)))
        if n_rows * n_cols != len(table):
            raise ValueError(
                f"every combination of ({', '.join(rows)}) x ({', '.join(cols)}) must be present, zeros included "
                f"({n_rows * n_cols - len(table)} missing); use disclosure.complete() first"
            )


def _groups(table: pd.DataFrame, rows: tuple[str, ...], cols: tuple[str, ...], totals: str = "all") -> list[np.ndarray]:
    """Positions of the cells of every row group, column group and the grand total: each a set
    of cells whose total a page may show. Groups of one cell are left out (their total is the
    cell itself, shown withheld); identical groups are kept once."""
    n = len(table)
    found: dict[tuple[int, ...], np.ndarray] = {}
    for dims in (rows, cols, ()) if totals == "all" else (rows,):
        if dims:
            codes = table.groupby(list(dims), sort=False, dropna=False, observed=True).ngroup().to_numpy()
            members = [np.flatnonzero(codes == code) for code in np.unique(codes)]
        else:
            members = [np.arange(n)]
        for cells in members:
            if len(cells) >= 2:
                found.setdefault(tuple(cells.tolist()), cells)
    return list(found.values())


def _pick(
    values: np.ndarray, withheld: np.ndarray, cells: np.ndarray, groups: list[np.ndarray], member: list[list[int]]
) -> int | None:
    """The cell to withhold next among `cells`: preferably one that also pairs up a lone withheld
    cell in another of its groups (fewer cells lost), then the smallest non-zero one (a zero only
    if no non-zero cell is left), then the first in table order."""
    shown = cells[~withheld[cells]]
    if len(shown) == 0:
        return None

    def pairs(cell: int) -> int:
        return sum(1 for g in member[cell] if withheld[groups[g]].sum() == 1)

    return min(shown.tolist(), key=lambda i: (-pairs(i), values[i] == 0, values[i], i))


def _solvable(withheld: np.ndarray, groups: list[np.ndarray]) -> list[int]:
    """Withheld cells that the group totals determine exactly (linear algebra: a cell is
    determined when it does not move along any direction of the null space of the system).

    Solved one connected block at a time (withheld cells linked by sharing a group): the
    blocks are independent, and many small decompositions are far cheaper than one large."""
    unknown = np.flatnonzero(withheld)
    if len(unknown) == 0:
        return []
    parent = {cell: cell for cell in unknown.tolist()}

    def root(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    hidden_groups = [cells[withheld[cells]].tolist() for cells in groups]
    for hidden in hidden_groups:
        for cell in hidden[1:]:
            parent[root(cell)] = root(hidden[0])
    blocks: dict[int, list[int]] = {}
    for cell in unknown.tolist():
        blocks.setdefault(root(cell), []).append(cell)
    solved = []
    for cells in blocks.values():
        column = {cell: j for j, cell in enumerate(cells)}
        rows = []
        for hidden in hidden_groups:
            if hidden and hidden[0] in column:
                row = np.zeros(len(cells))
                row[[column[cell] for cell in hidden]] = 1.0
                rows.append(row)
        if not rows:
            continue
        _, singular, vt = np.linalg.svd(np.array(rows))
        rank = int((singular > 1e-9).sum())
        null = vt[rank:]
        if len(null) == 0:
            solved.extend(cells)
            continue
        free = np.abs(null).max(axis=0) > 1e-9
        solved.extend(c for c, f in zip(cells, free.tolist(), strict=True) if not f)
    return sorted(solved)


def _reachable(n_primary: int, n_secondary: int, k: int) -> list[tuple[float, float]]:
    """Sums a set of withheld cells can take: each primary one 1..k-1, each secondary one 0 or
    at least k. Intervals of whole numbers, as (low, high) with high possibly infinite."""
    low, high = n_primary, n_primary * (k - 1)
    if n_secondary == 0:
        return [(low, high)]
    if high + 1 >= low + k:
        return [(low, math.inf)]
    return [(low, high), (low + k, math.inf)]


def _count_in(intervals: list[tuple[float, float]], cap: int = 2) -> int:
    """Whole numbers in a union of disjoint intervals, counted up to `cap`."""
    total = 0
    for low, high in intervals:
        if high >= low:
            total += cap if math.isinf(high) else int(high - low + 1)
        if total >= cap:
            return cap
    return total


def _pinned(values: np.ndarray, withheld: np.ndarray, primary: np.ndarray, groups: list[np.ndarray], k: int):
    """(group, cell) pairs where a withheld cell has only one value compatible with its group's
    total and the published bounds (primary 1..k-1, secondary 0 or k and more)."""
    found = []
    for g, cells in enumerate(groups):
        hidden = cells[withheld[cells]]
        if len(hidden) < 2 or 0 < values[cells].sum() < k:
            continue  # a total of 1 to k-1 is itself withheld wherever it is shown (`margin`)
        total = int(values[hidden].sum())
        n_primary = int(primary[hidden].sum())
        n_secondary = len(hidden) - n_primary
        for cell in hidden.tolist():
            own_primary = bool(primary[cell])
            others = _reachable(n_primary - own_primary, n_secondary - (not own_primary), k)
            own = [(1, k - 1)] if own_primary else [(0, 0), (k, math.inf)]
            feasible = [
                (max(a, total - d), min(b, total - c_)) for a, b in own for c_, d in others if not math.isinf(c_)
            ]
            if _count_in(feasible) == 1:
                found.append((g, cell))
    return found


def suppress(
    table: pd.DataFrame,
    count: str = "people",
    rows: Sequence[str] = (),
    cols: Sequence[str] = (),
    *,
    k: int | None = None,
    policy: Policy = PUBLIC,
    totals: str = "all",
) -> pd.DataFrame:
    """A copy of `table` with small counts withheld, primary and secondary.

    `rows` and `cols` name the dimension columns of the pivot the table is drawn as: cells that
    share their `rows` values form a row, cells that share their `cols` values a column. A 1-D
    table passes its dimension as `rows` and no `cols`; the whole table is then one group (its
    total is shown), so one withheld cell always forces a second. With neither, the whole table is
    one group. A 2-D table must hold every combination (see `complete`). With `totals="rows"`
    only row totals count as shown: for a table whose column and grand totals mean nothing
    (people in each stage at the end of each month: a stage's sum over months is no one).

    - primary: counts from 1 to k-1 are withheld (k defaults to `policy.k`; pass
      `policy.k_sensitive` for sensitive breakdowns). Zeros are shown.
    - secondary, repeated until stable: in every row, column and the grand total, a single
      withheld cell is joined by the smallest non-zero shown cell (a zero if none is left); then
      any withheld cell that the totals still determine (through several rows and columns at
      once) gets a further partner in one of its groups.

    The result has `count` as nullable Int64 (<NA> where withheld), `<count>_suppressed` (bool)
    and `<count>_text` ("1,234", "0" or `SUPPRESSED_TEXT`) right after it. Other columns, the
    index and the row order are unchanged. Suppressing an already suppressed table changes
    nothing: withheld cells (<NA> or flagged) stay withheld.
    """
    k = policy.k if k is None else k
    if k < 2:
        raise ValueError("k must be at least 2")
    rows, cols = tuple(rows), tuple(cols)
    _check_keys(table, rows, cols)
    values, withheld = _as_cells(table, count)
    if f"{count}_suppressed" in table.columns:  # already suppressed: the true values are gone
        return _with_columns(table, count, values, withheld)
    primary = ((values >= 1) & (values < k) & ~withheld) | _marked_small(table, count, withheld)
    withheld = withheld | primary
    if totals not in ("all", "rows"):
        raise ValueError("totals must be 'all' or 'rows'")
    groups = _groups(table, rows, cols, totals)
    member: list[list[int]] = [[] for _ in range(len(table))]
    for g, cells in enumerate(groups):
        for cell in cells.tolist():
            member[cell].append(g)

    while True:
        changed = False
        for cells in groups:
            if withheld[cells].sum() == 1:
                cell = _pick(values, withheld, cells, groups, member)
                if cell is not None:
                    withheld[cell] = True
                    changed = True
        if changed:
            continue
        picks = (
            _pick(values, withheld, groups[g], groups, member) for g, _ in _pinned(values, withheld, primary, groups, k)
        )
        cell = next((c for c in picks if c is not None), None)
        if cell is not None:
            withheld[cell] = True
            continue
        solvable = _solvable(withheld, groups)
        if not solvable:
            break
        for target in solvable:
            picks = (_pick(values, withheld, groups[g], groups, member) for g in member[target])
            candidates = [c for c in picks if c is not None]
            if candidates:
                withheld[min(candidates, key=lambda i: (values[i] == 0, values[i], i))] = True
                changed = True
                break
        if not changed:  # pragma: no cover - cannot happen on a complete table (every cell has a partner)
            break

    return _with_columns(table, count, values, withheld, primary, k)


def _with_columns(
    table: pd.DataFrame,
    count: str,
    values: np.ndarray,
    withheld: np.ndarray,
    primary: np.ndarray | None = None,
    k: int = 0,
) -> pd.DataFrame:
    out = table.copy()
    shown = pd.array(values, dtype="Int64")
    shown[withheld] = pd.NA
    flag, text = f"{count}_suppressed", f"{count}_text"
    if primary is None:
        primary = _marked_small(table, count, withheld)
        k = k or next((int(t[1:]) for t in table.get(text, pd.Series(dtype=str)).astype(str) if t[:1] == "<"), 0)
    out[count] = shown
    out = out.drop(columns=[c for c in (flag, text) if c in out.columns])
    at = out.columns.get_loc(count) + 1
    out.insert(at, flag, withheld.copy())
    out.insert(at + 1, text, _texts(out[count], primary & withheld, k))
    return out


def _marked_small(table: pd.DataFrame, count: str, withheld: np.ndarray) -> np.ndarray:
    """Cells an already suppressed table shows as "<k" (so suppressing it again keeps them)."""
    text = f"{count}_text"
    if text not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return table[text].astype(str).str.startswith("<").to_numpy() & withheld


def primary(
    table: pd.DataFrame, count: str = "people", *, k: int, base: str | int | None = None, also: Sequence[str] = ()
) -> pd.DataFrame:
    """Primary suppression only, for counts that are not parts of a shown total (people who
    ever reached a stage, people served by each service: one person may count in several).

    With `base` (a column or a number: the group each count is part of), a count whose rest
    (base minus count) is from 1 to k-1 is withheld too: "all but 2 reached school" names
    those 2 as surely as "2 reached school". Columns in `also` (sessions, a share) are blanked
    where the count is withheld.
    """
    values, withheld = _as_cells(table, count)
    small = (values >= 1) & (values < k)
    if base is not None:
        bases = table[base].to_numpy(dtype=np.int64) if isinstance(base, str) else np.full(len(values), int(base))
        rest = bases - values
        small |= (rest >= 1) & (rest < k)
    small &= ~withheld
    withheld = withheld | small
    out = _with_columns(table, count, values, withheld, small, k)
    for column in also:
        out[column] = out[column].astype("float64" if out[column].dtype.kind == "f" else "Int64").mask(withheld)
    return out


def complete(table: pd.DataFrame, count: str, rows: Sequence[str], cols: Sequence[str]) -> pd.DataFrame:
    """`table` with every combination of its `rows` values and `cols` values present, missing
    ones added with a count of 0 (at the end). Columns that depend on the row dimensions alone
    (such as `region_label`) or on the column dimensions alone are filled in; others stay empty."""
    rows, cols = list(rows), list(cols)
    row_keys = table[rows].drop_duplicates()
    col_keys = table[cols].drop_duplicates()
    cross = row_keys.merge(col_keys, how="cross")
    merged = cross.merge(table[[*rows, *cols]].assign(_present=True), on=[*rows, *cols], how="left")
    missing = cross.loc[merged["_present"].isna().to_numpy()]
    if missing.empty:
        return table.copy()
    extra = missing.reset_index(drop=True)
    extra[count] = 0
    for column in table.columns:
        if column in extra.columns:
            continue
        for keys in (rows, cols):
            attrs = table[[*keys, column]].drop_duplicates()
            if not attrs.duplicated(keys).any():
                extra = extra.merge(attrs, on=keys, how="left")
                break
    extra = extra.reindex(columns=table.columns)
    extra = extra.astype({count: table[count].dtype}, errors="ignore")
    return pd.concat([table, extra], ignore_index=True)


def margin(
    table: pd.DataFrame, count: str, by: Sequence[str], *, k: int | None = None, policy: Policy = PUBLIC
) -> pd.DataFrame:
    """Totals of `count` by `by` (a page's row or column totals), from the unsuppressed counts,
    with primary suppression applied to the totals themselves (a total of 3 identifies people
    as well as a cell does). Same added columns as `suppress`."""
    k = policy.k if k is None else k
    values, withheld = _as_cells(table, count)
    if withheld.any():
        raise ValueError("compute margins from the unsuppressed table")
    frame = table[list(by)].assign(**{count: values})
    totals = frame.groupby(list(by), sort=False, dropna=False, observed=True)[count].sum().reset_index()
    small = totals[count].between(1, k - 1).to_numpy()
    return _with_columns(totals, count, totals[count].to_numpy(dtype=np.int64), small, small, k)


# ---------------------------------------------------------------------------------------------
# Rounding, bases, shares, statistics


def withheld_count(table: pd.DataFrame) -> int:
    """How many values of a released table are withheld (every `<count>_suppressed` flag)."""
    flags = [column for column in table.columns if str(column).endswith("_suppressed")]
    return int(sum(table[f].fillna(False).astype(bool).sum() for f in flags))


def round_count(value: int, base: int) -> int:
    """`value` to the nearest multiple of `base` (halves up); 0 stays 0 and nothing else becomes 0."""
    if value == 0:
        return 0
    return max(base, (value + base // 2) // base * base)


def round_counts(table: pd.DataFrame, count: str = "people", base: int = 5) -> pd.DataFrame:
    """Shown counts rounded to the nearest multiple of `base` (halves up), after `suppress`.

    Zero stays zero and a non-zero count never becomes 0 (it rounds to at least `base`), so a
    shown 0 always means none. Withheld cells stay withheld. Totals of rounded counts may not
    add up: say so next to the figures (`rounding_note`).
    """
    if base < 2:
        raise ValueError("base must be at least 2")
    values, withheld = _as_cells(table, count)
    rounded = np.array([round_count(int(v), base) for v in values], dtype=np.int64)
    return _with_columns(table, count, rounded, withheld)


def rounding_note(base: int) -> str:
    return f"Counts are rounded to the nearest {base}, so totals may not add up."


def base_ok(n: int, total: int, policy: Policy = PUBLIC) -> bool:
    """May figures be shown for a selection of `n` people out of `total` (the unfiltered total)?

    No when the selection has 1 to min_base-1 people, or when the rest of the total does
    (total minus selection would reveal that small group). An empty selection is allowed (the
    page shows its empty state) and so is the whole total, provided it reaches the minimum base.
    """
    if n < 0 or n > total:
        raise ValueError(f"selection of {n} out of {total}")
    if n == 0:
        return True
    if n < policy.min_base:
        return False
    rest = total - n
    return not 0 < rest < policy.min_base


def stats_ok(group_n: int, policy: Policy = PUBLIC) -> bool:
    """May a median, quartile or score be shown for a group of `group_n` people?"""
    return group_n >= policy.min_stats_group


def share_text(part: int | None, base: int, policy: Policy = PUBLIC, *, k: int | None = None) -> str:
    """`part` as a whole percentage of `base`, in words fit for a public page.

    - a withheld part (None or <NA>), or a part from 1 to k-1: `SUPPRESSED_TEXT`;
    - a base under `policy.min_base`: `TOO_FEW_TEXT`;
    - never "0%" or "100%" unless the part is none or all of the base: "under 1%", "over 99%";
    - with `policy.rounding`, the share of the rounded part in the rounded base, so the
      percentage cannot undo the rounding of the counts shown next to it.
    """
    k = policy.k if k is None else k
    if part is None or part is pd.NA or (isinstance(part, float) and math.isnan(part)):
        return SUPPRESSED_TEXT
    part, base = int(part), int(base)
    if part < 0 or part > base:
        raise ValueError(f"part {part} of base {base}")
    if 0 < part < k:
        return SUPPRESSED_TEXT
    if base < policy.min_base:
        return TOO_FEW_TEXT
    if part == 0:
        return "0%"
    if part == base:
        return "100%"
    if policy.rounding:
        part, base = round_count(part, policy.rounding), round_count(base, policy.rounding)
    percent = math.floor(Fraction(100 * part, base) + Fraction(1, 2))
    if percent < 1:
        return "under 1%"
    if percent > 99:
        return "over 99%"
    return f"{percent}%"


# ---------------------------------------------------------------------------------------------
# Independent checker (shares no code with `suppress`)


def recoverable_cells(
    table: pd.DataFrame,
    count: str = "people",
    rows: Sequence[str] = (),
    cols: Sequence[str] = (),
    totals: str = "all",
) -> list[int]:
    """Positions (0-based, in table order) of withheld cells that can be computed exactly from
    the shown cells and the totals of every row, every column and the whole table.

    Withheld cells are those with <NA> in `count` or True in `<count>_suppressed`. Each total is
    one linear equation over the withheld cells it covers (total minus the shown cells is their
    sum); a cell is recoverable when its unit vector lies in the span of those equations, found
    by exact Gauss-Jordan elimination over fractions. A total of a single cell is the cell itself
    and is not counted as known. Covers the simple case (one withheld cell in a row) as well as
    solutions that combine several rows and columns.
    """
    hidden_flag = f"{count}_suppressed"
    hidden = table[count].isna().tolist()
    if hidden_flag in table.columns:
        hidden = [h or bool(f) for h, f in zip(hidden, table[hidden_flag].tolist(), strict=True)]
    positions = [i for i, h in enumerate(hidden) if h]
    if not positions:
        return []
    index_of = {p: j for j, p in enumerate(positions)}

    def key(record: dict, dims: Sequence[str]) -> tuple:
        return tuple(record[d] for d in dims)

    records = table[[*rows, *cols]].to_dict("records") if (rows or cols) else [{} for _ in range(len(table))]
    equations: list[list[Fraction]] = []
    seen: set[frozenset[int]] = set()
    for dims in (tuple(rows), tuple(cols), ()) if totals == "all" else (tuple(rows),):
        members: dict[tuple, list[int]] = {}
        for i, record in enumerate(records):
            members.setdefault(key(record, dims), []).append(i)
        for cells in members.values():
            if len(cells) < 2 or frozenset(cells) in seen:
                continue
            seen.add(frozenset(cells))
            equation = [Fraction(0)] * len(positions)
            for cell in cells:
                if hidden[cell]:
                    equation[index_of[cell]] = Fraction(1)
            if any(equation):
                equations.append(equation)

    # Gauss-Jordan to reduced row echelon form.
    width = len(positions)
    pivot_row = 0
    pivots: list[int] = []
    for column in range(width):
        found = next((r for r in range(pivot_row, len(equations)) if equations[r][column] != 0), None)
        if found is None:
            continue
        equations[pivot_row], equations[found] = equations[found], equations[pivot_row]
        lead = equations[pivot_row][column]
        equations[pivot_row] = [v / lead for v in equations[pivot_row]]
        for r in range(len(equations)):
            if r != pivot_row and equations[r][column] != 0:
                factor = equations[r][column]
                equations[r] = [a - factor * b for a, b in zip(equations[r], equations[pivot_row], strict=True)]
        pivots.append(column)
        pivot_row += 1
    solved = []
    for r, column in enumerate(pivots):
        if all(v == 0 for j, v in enumerate(equations[r]) if j != column):
            solved.append(positions[column])
    return sorted(solved)


def is_recoverable(
    table: pd.DataFrame, count: str = "people", rows: Sequence[str] = (), cols: Sequence[str] = (), totals: str = "all"
) -> bool:
    """True if any withheld cell can be computed exactly from shown cells and totals."""
    return bool(recoverable_cells(table, count, rows, cols, totals))
