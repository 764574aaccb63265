"""Problems found in a snapshot, worded so a person can act on them.

A problem keeps its message as an English template with named placeholders and their values, and
is worded when shown (`str(problem)`), in the language of whoever reads it: snapshots are loaded
once per server and their problems shown to everyone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from i18n import _, ngettext
from i18n import format as fmt

Severity = Literal["error", "warning", "notice"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a snapshot.

    An `error` makes the snapshot unusable; a `warning` says what the loader did about it
    (rows left out, values ignored) so the figures can be read with that in mind; a `notice`
    says what it converted without changing a value (a column stored as another type).
    """

    severity: Severity
    table: str
    message: str
    """An English template (`"is {size} bytes"`), translated where it is shown."""
    column: str = ""
    rows: int = 0
    example: str = ""
    params: tuple[tuple[str, str], ...] = ()
    """The template's values, as (name, text) pairs."""

    @property
    def text(self) -> str:
        """The message in this run's language, with its values (a value that is itself a word
        of the interface, such as "a date", is translated too; codes and data stay as they are)."""
        return _(self.message).format(**{name: _(value) for name, value in self.params})

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        text = f"{where}: {self.text}"
        if self.rows:
            rows = ngettext("{n} row", "{n} rows", self.rows).format(n=fmt.count(self.rows))
            text += (
                " ("
                + (_("{rows}; e.g. {example}").format(rows=rows, example=self.example) if self.example else rows)
                + ")"
            )
        elif self.example:
            text += " (" + _("e.g. {example}").format(example=self.example) + ")"
        return text


def problem(
    severity: Severity, table: str, message: str, column: str = "", rows: int = 0, example: str = "", **params
) -> Problem:
    """A `Problem` with its template's values given by name: `problem("error", f, "is {size} bytes", size=...)`."""
    return Problem(severity, table, message, column, rows, example, tuple((k, str(v)) for k, v in params.items()))


class SnapshotError(Exception):
    """A snapshot that cannot be loaded; `problems` says why."""

    def __init__(self, snapshot: str, problems: list[Problem]):
        self.snapshot = snapshot
        self.problems = tuple(problems)
        reasons = "; ".join(str(p) for p in problems if p.severity == "error")
        super().__init__(f"snapshot {snapshot} cannot be loaded: {reasons}")
