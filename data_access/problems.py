"""Problems found in a snapshot, worded so a person can act on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a snapshot.

    An `error` makes the snapshot unusable; a `warning` says what the loader did about it
    (rows left out, values ignored) so the figures can be read with that in mind.
    """

    severity: Severity
    table: str
    message: str
    column: str = ""
    rows: int = 0
    example: str = ""

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        text = f"{where}: {self.message}"
        if self.rows:
            text += f" ({self.rows:,} row{'s' if self.rows != 1 else ''}"
            text += f"; e.g. {self.example})" if self.example else ")"
        elif self.example:
            text += f" (e.g. {self.example})"
        return text


class SnapshotError(Exception):
    """A snapshot that cannot be loaded; `problems` says why."""

    def __init__(self, snapshot: str, problems: list[Problem]):
        self.snapshot = snapshot
        self.problems = tuple(problems)
        reasons = "; ".join(str(p) for p in problems if p.severity == "error")
        super().__init__(f"snapshot {snapshot} cannot be loaded: {reasons}")
