"""Tables as files people open in a spreadsheet: CSV text with formula neutralisation and an
optional note (methodology, disclosure rules) carried in the file itself.

Exports take the table exactly as the page shows it (already filtered and, at the public access
level, already suppressed) and never query data again, so a download can't say more than the
screen.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); tab and carriage return can hide a formula after leading blanks.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOTE_MARK = "# "


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before a formula character.

    Only text is touched; numbers (negative ones included) stay numbers.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _safe_column(column: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return column
    if pd.api.types.is_bool_dtype(column):
        return column
    return column.astype(object).map(lambda v: neutralise(v) if isinstance(v, str) else v)


def safe_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` whose text cells and column names can't act as spreadsheet formulas."""
    safe = pd.DataFrame({i: _safe_column(table.iloc[:, i]) for i in range(table.shape[1])})
    safe.columns = [neutralise(str(name)) for name in table.columns]
    return safe


def note_lines(note: str) -> list[str]:
    """The note as comment lines (`# ...`), one per line of text, blank lines dropped."""
    return [NOTE_MARK + line.strip() for line in note.splitlines() if line.strip()]


def csv_text(table: pd.DataFrame, note: str = "", hxl: dict[str, str] | None = None) -> str:
    """The table as CSV (comma, `"` quoting, `\\n` line ends), text cells neutralised.

    A `note` goes first, as lines starting with `# `, written as they are (not quoted), so
    `pandas.read_csv(path, comment="#")` reads the table cleanly. With `hxl` (column -> hashtag),
    an HXL hashtag row follows the header (`#affected+returnees`, `#adm1+code`, ...), as the
    humanitarian tools our partners import into (HDX) expect; it starts with `#` too, so the same
    `read_csv` call skips it.
    """
    out = io.StringIO()
    for line in note_lines(note):
        out.write(line + "\n")
    safe = safe_table(table)
    safe.iloc[:0].to_csv(out, index=False, lineterminator="\n")
    if hxl:
        tags = [hxl.get(str(column), "") for column in table.columns]
        tags[0] = tags[0] or "#meta"  # a row starting with "#" is a comment for read_csv and a tag row for HXL
        csv.writer(out, lineterminator="\n").writerow(tags)
    safe.to_csv(out, index=False, header=False, lineterminator="\n")
    return out.getvalue()


def csv_bytes(table: pd.DataFrame, note: str = "", hxl: dict[str, str] | None = None) -> bytes:
    """`csv_text` as UTF-8 bytes, for a download button."""
    return csv_text(table, note, hxl).encode("utf-8")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def file_name(name: str, selection: str, as_of, extension: str) -> str:
    """'second-chance_overview-arrivals_jusan-2_2026-09-30.png': what, for whom, as of when."""
    return f"second-chance_{slug(name)}_{slug(selection)}_{as_of.isoformat()}.{extension}"
