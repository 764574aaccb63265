"""Disclosure control at the public level: the display rules that come on top of perturbation.

Every count a public page shows has already been perturbed by the cell-key method where it was
added up (`data_access.cells.Selection.sum`, with the table of `data_access.perturbation`): the
same people always give the same published number, and totals are true within the table's bound.
What this module adds, as pure functions over the tidy tables of `data_access.queries` (no
Streamlit, no I/O), are the rules a reader sees:

- **Small counts.** A published count from 1 to k-1 is shown as "<5" (`small_text`); from 1 to
  k_sensitive-1 as "<10" for sensitive breakdowns (the justice track, services). The
  perturbation table already never publishes a 1 or a 2, so this hides the published 3s and 4s:
  what a reader cannot tell apart from the noise is not shown as a number.
- **Minimum base.** Figures for a selection need at least `min_base` people published in it and
  outside it (otherwise "all but a few" gives the few away).
- **Percentages** only on published bases of at least `min_base`, computed from the published
  counts; never "0%" or "100%" unless the published part is none or all of its base.
- **Medians, quartiles and scores** only for groups of at least `min_stats_group` people
  (people, not assessments).

Zero stays zero: a published 0 is shown as "0" (it may hide a true 1 to 3, which the
methodology says). There is no suppression of further cells to protect these: a count hidden as
"<5" cannot be worked out from a total, because the total is perturbed on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from i18n import N_, _
from i18n import format as fmt

TOO_FEW_TEXT = N_("too few to show")
"""What a percentage or a statistic shows when its group is under the minimum."""
SELECTION_TOO_SMALL = N_("Selection too small to show")
"""What a page shows instead of figures when `base_ok` is False."""


@dataclass(frozen=True)
class Policy:
    """The display rules in force at the public access level."""

    k: int = 5
    """Published counts from 1 to k-1 are shown as "<k"."""
    k_sensitive: int = 10
    """The same for sensitive breakdowns: the justice track and services."""
    min_base: int = 20
    """Smallest selection, and smallest rest of the snapshot outside it, for which figures are
    shown; also the smallest base for a percentage."""
    min_stats_group: int = 20
    """Smallest group of people for which medians, quartiles and scores are shown."""

    def __post_init__(self) -> None:
        if self.k < 2:
            raise ValueError("k must be at least 2")
        if self.k_sensitive < self.k:
            raise ValueError("k_sensitive must be at least k")
        if self.min_base < 1 or self.min_stats_group < 1:
            raise ValueError("min_base and min_stats_group must be positive")


PUBLIC = Policy()
"""The default public policy: "<5", "<10" for sensitive breakdowns, bases and groups of 20."""


def small_text(k: int) -> str:
    """What a hidden small count shows: "<5" for k=5."""
    return f"<{k}"


def count_text(value: int | None, k: int | None = None) -> str:
    """'1,234' for a shown count; "<k" for a hidden one (None or <NA>)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return small_text(k) if k else fmt.MISSING
    return fmt.count(value)


def display(table: pd.DataFrame, count: str = "people", k: int | Sequence[int] | np.ndarray = 5) -> pd.DataFrame:
    """`table` with published counts from 1 to k-1 hidden: `count` becomes nullable Int64 (<NA>
    where hidden), followed by `<count>_suppressed` (bool) and `<count>_text` ("1,234", "0" or
    "<5"). `k` may differ per row (sensitive rows use `k_sensitive`)."""
    values = pd.to_numeric(table[count]).to_numpy(dtype=np.int64)
    ks = np.broadcast_to(np.asarray(k, dtype=np.int64), values.shape)
    hidden = (values >= 1) & (values < ks)
    out = table.copy()
    shown = pd.array(values, dtype="Int64")
    shown[hidden] = pd.NA
    out[count] = shown
    out = out.drop(columns=[col for col in (f"{count}_suppressed", f"{count}_text") if col in out.columns])
    at = out.columns.get_loc(count) + 1
    out.insert(at, f"{count}_suppressed", hidden)
    out.insert(
        at + 1,
        f"{count}_text",
        [small_text(int(kk)) if h else fmt.count(v) for v, h, kk in zip(values, hidden, ks, strict=True)],
    )
    return out


def not_shown_text() -> str:
    """What a count held back with its whole group shows (`withhold`)."""
    return _("not shown")


def withhold(table: pd.DataFrame, count: str, rows: np.ndarray) -> pd.DataFrame:
    """A `display`ed `table` with `count` held back on `rows` (bool) whatever its value, zeros
    included: a small group's whole series, whose zeros would tell when its people were there."""
    rows = np.asarray(rows, dtype=bool)
    if not rows.any():
        return table
    out = table.copy()
    values = out[count].astype("Int64")
    values[rows] = pd.NA
    out[count] = values
    out[f"{count}_suppressed"] = out[f"{count}_suppressed"].to_numpy() | rows
    out[f"{count}_text"] = np.where(rows, not_shown_text(), out[f"{count}_text"].to_numpy().astype(object))
    return out


def not_shown(table: pd.DataFrame) -> np.ndarray:
    """Rows x count columns of a released table: True where a count is held back with its group
    (`withhold`)."""
    texts = [column for column in table.columns if str(column).endswith("_text")]
    if not texts:
        return np.zeros((len(table), 0), dtype=bool)
    return np.column_stack([(table[column].astype(object) == not_shown_text()).to_numpy() for column in texts])


def withheld_count(table: pd.DataFrame) -> int:
    """How many values of a released table are hidden (every `<count>_suppressed` flag)."""
    flags = [column for column in table.columns if str(column).endswith("_suppressed")]
    return int(sum(table[f].fillna(False).astype(bool).sum() for f in flags))


def base_ok(n: int, outside: int, policy: Policy = PUBLIC) -> bool:
    """May figures be shown for a selection of `n` people (published) with `outside` people
    (published) in the rest of the snapshot? No when either is from 1 to min_base-1. An empty
    selection is allowed (the page shows its empty state)."""
    if n == 0:
        return True
    return n >= policy.min_base and not 0 < outside < policy.min_base


def stats_ok(group_n: int | None, policy: Policy = PUBLIC) -> bool:
    """May a median, quartile or score be shown for a group of `group_n` people?"""
    return group_n is not None and not pd.isna(group_n) and group_n >= policy.min_stats_group


def share(part: int | None, base: int | None, policy: Policy = PUBLIC) -> float | None:
    """`part` as a fraction of `base` (both published), or None where it may not be shown: a
    hidden part, or a base under the minimum."""
    if part is None or part is pd.NA or base is None or pd.isna(base) or pd.isna(part):
        return None
    if base < policy.min_base:
        return None
    return min(float(part) / float(base), 1.0)


def share_text(part: int | None, base: int | None, policy: Policy = PUBLIC) -> str:
    """`part` as a whole percentage of `base`, in words fit for a public page: "too few to
    show" on a small base, "—" for a hidden part, "under 1%" / "over 99%" rather than a rounded
    0% or 100% of a part that is neither none nor all."""
    if part is None or part is pd.NA or (isinstance(part, float) and math.isnan(part)):
        return fmt.MISSING
    if base is None or pd.isna(base) or int(base) < policy.min_base:
        return _(TOO_FEW_TEXT)
    return fmt.share(int(part), int(base))
