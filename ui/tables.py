"""Tables as people read them: labelled columns in the reader's language, counts with the
language's separators, whole percentages, dates as dates, "<5" where the display rules hid a
count and "—" where there is no figure; never a code name, `nan`, `None` or a midnight time.

`readable(table)` gives what `st.dataframe` needs: a pandas Styler whose display values are the
formatted texts (the cells keep their values, so a column still sorts as numbers or dates) and
the column labels. CSV downloads keep the table's own columns and values (`data_access.export`):
they are for machines, and stay the same in every language."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from data_access import results
from data_access.columns import COLUMNS, shown_columns
from data_access.snapshot import Snapshot
from i18n import _, language
from i18n import format as fmt

FORMATS: dict[str, Callable[[object], str]] = {
    "count": fmt.count,
    "days": fmt.count,
    "months": fmt.count,
    "share": lambda value: fmt.percent(value, fine=True),
    "score": lambda value: fmt.number(value, 2),
    "date": fmt.date,
    "month": fmt.month,
    "half_year": fmt.half_year,
    "flag": lambda value: fmt.MISSING if pd.isna(value) else (_("Yes") if value else _("No")),
    "text": lambda value: fmt.MISSING if value is None or value is pd.NA or value != value else str(value),
}


def label(column: str) -> str:
    """A column's label in the reader's language (a column the registry lacks keeps its name,
    with `_` as spaces: `tests/unit/test_tables.py` fails while any released column lacks one)."""
    meaning = COLUMNS.get(column)
    return _(meaning.label) if meaning else column.replace("_", " ")


def kind(column: str, values: pd.Series) -> str:
    meaning = COLUMNS.get(column)
    if meaning:
        return meaning.kind
    if pd.api.types.is_bool_dtype(values):
        return "flag"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_numeric_dtype(values):
        return "count" if pd.api.types.is_integer_dtype(values) else "score"
    return "text"


def _formatter(column: str, values: pd.Series, snapshot: Snapshot | None) -> Callable[[object], str]:
    meaning = COLUMNS.get(column)
    if meaning and meaning.dimension and snapshot is not None:
        names = snapshot.labels(meaning.dimension)
        return lambda code: fmt.MISSING if pd.isna(code) else names.get(str(code), str(code))
    format_value = FORMATS[kind(column, values)]
    # A count the release already worded ("<5", "1,234" in a public pivot) is shown as it is.
    return lambda value: value if isinstance(value, str) else format_value(value)


def display_texts(table: pd.DataFrame, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Every shown cell as the text a reader sees (also what the property tests read); codes
    become the names `snapshot` gives them in the reader's language."""
    return pd.DataFrame(_texts(table, snapshot), index=table.index, columns=shown_columns(table.columns), dtype=object)


def _texts(table: pd.DataFrame, snapshot: Snapshot | None) -> dict[str, list]:
    """The shown columns' texts, a list per column: worded value by value in Python, because these
    tables are small (a page of 50 people, 20 regions) and a pandas step per column (map, mask,
    where) cost more than the words (1.4 → 0.3 ms for the Regions comparison)."""
    out = {}
    for column in shown_columns(table.columns):
        values = table[column]
        word = _formatter(column, values, snapshot)
        cells = values.tolist()
        texts = [word(value) for value in cells]
        hidden = table.get(f"{column}_text")
        if hidden is not None:
            # Where the release withheld a figure, the words it gave instead ("<5").
            for i, (value, given) in enumerate(zip(cells, hidden.tolist(), strict=True)):
                if pd.isna(value) and not pd.isna(given) and str(given) != "":
                    texts[i] = given
        out[column] = texts
    return out


def readable(table: pd.DataFrame, snapshot: Snapshot | None = None) -> tuple[Styler, dict[str, str]]:
    """`st.dataframe(styler, column_config=labels)`: the shown columns, each cell displayed as
    `display_texts` words it while keeping its value (a column still sorts as numbers or dates),
    and the columns' labels.

    The same table in the same language gives the same Styler back, remembered with the
    snapshot's released tables (`data_access.results`, least recently used dropped first; none
    without a snapshot or with the result cache off): wording a table costs more than recognising
    it (4.4 ms against 0.7 ms for the Regions comparison), a page seen before shows the same
    tables, and a Styler that keeps its uuid is the same message to the browser."""
    key = _key(table) if snapshot is not None and results.RESULT_CACHE_SIZE else None
    if key is None:
        return _readable(table, snapshot)
    store = results.results(snapshot)
    made = store.get(key)
    if made is results.MISSING:
        made = _readable(table, snapshot)
        store.put(key, made)
    styler, labels = made
    return styler, dict(labels)


def _key(table: pd.DataFrame) -> tuple | None:
    """What makes a table's words: the language, its columns and types, and every value (hashed
    row by row, with the index, which `_readable` drops, left out); None when a value cannot be
    hashed."""
    try:
        rows = pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes()
    except TypeError:
        return None
    return "readable", language(), tuple(table.columns), tuple(map(str, table.dtypes)), rows


PLACEHOLDER = fmt.MISSING
"""What Streamlit's data grid draws for a missing value (`st.dataframe(placeholder=...)`; its own
default is "None"). It draws it whatever the Styler says a missing cell reads."""


def _readable(table: pd.DataFrame, snapshot: Snapshot | None) -> tuple[Styler, dict[str, str]]:
    columns = shown_columns(table.columns)
    frame = table[columns].reset_index(drop=True)
    texts = list(_texts(table, snapshot).values())
    for column, words in zip(columns, texts, strict=True):
        missing = frame[column].isna().tolist()
        if any(gap and word != PLACEHOLDER for gap, word in zip(missing, words, strict=True)):
            # A withheld count ("<5") is missing as a number, and the grid would draw its
            # placeholder over the words: the column goes as its words (sorted as text).
            frame[column] = pd.array(words, dtype="str")
        elif isinstance(frame[column].dtype, pd.CategoricalDtype) and frame[column].astype(str).tolist() != words:
            # The grid draws a categorical column's values, not the display texts it is sent
            # (seen in Chromium: the track's codes, "rehabilitation", under a Kazakh heading).
            frame[column] = pd.array(words, dtype="str")
    return worded(frame, texts), {column: label(column) for column in columns}


NUMBERS = {"count", "share", "score", "days", "months"}
"""The kinds of column (`data_access.columns.Meaning.kind`) whose values are numbers."""


def dataframe(table, column_config: dict | None = None, **options):
    """`st.dataframe` as every table here is shown: the full width, no index, a missing value
    drawn as "—" (`PLACEHOLDER`), never "None"; a column of numbers sent as its words (a
    withheld count among them, see `_readable`) still aligned to the right, as numbers are."""
    config = dict(column_config or {})
    if isinstance(table, Styler):
        for column in table.data.columns:
            meaning = COLUMNS.get(str(column))
            if meaning and meaning.kind in NUMBERS and pd.api.types.is_string_dtype(table.data[column]):
                title = config.get(column, label(str(column)))
                if isinstance(title, str):
                    config[column] = st.column_config.TextColumn(title, alignment="right")
    return st.dataframe(
        table, hide_index=True, width="stretch", column_config=config, placeholder=PLACEHOLDER, **options
    )


def worded(frame: pd.DataFrame, texts: list[list]) -> Styler:
    """A Styler of `frame` whose display texts are `texts` (a list per column, as `_texts` makes
    them), made in one pass per column instead of cell by cell through pandas' renderer.

    Streamlit shows a Styler by calling its `_compute()` and `_translate()` and reading each body
    cell's `display_value` and the (here empty) styles (`marshall_styler`). Registering a
    formatter per column and rendering the body that way cost 10 to 25 ms a table on every rerun
    (Data explorer, Regions: `python -m benchmarks --profile explorer`). This Styler answers those
    two calls with the texts already made. It is a plain `Styler` with the two methods replaced on
    it, not a subclass, because Streamlit recognises a Styler by its exact type.
    `tests/unit/test_tables.py` checks, through Streamlit's own marshalling, that what reaches the
    browser is exactly `display_texts`."""
    styler = frame.style
    told = [c for c, column in enumerate(frame.columns) if _as_text(frame[column]) != texts[c]]

    def translate(*_args, **_kwargs) -> dict:
        rows = zip(*(texts[c] for c in told), strict=True)
        body = [
            [{"id": f"row{r}_col{c}", "display_value": text} for c, text in zip(told, row, strict=True)]
            for r, row in enumerate(rows)
        ]
        return {"body": body, "cellstyle": [], "table_styles": []}

    styler._compute = lambda: styler
    styler._translate = translate
    return styler


def _as_text(values: pd.Series) -> list | None:
    """The column as Streamlit words a cell it is not told about (`values.astype(str)`), where that
    is plain: text as it is, whole numbers in digits; None for any other type.

    Streamlit starts the display values from `astype(str)` of the whole table and then writes the
    cells it is told about into it, a column at a time (`_use_display_values`): about half a
    millisecond a column. A column whose every text is already what `astype(str)` gives (ids,
    names, small counts: 6 of the 10 columns of a page of the person table) is left out of the
    body, and reaches the browser the same."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.tolist()  # a missing value stays missing there, and is never equal to "—"
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        return [str(value) for value in values.tolist()]
    return None
