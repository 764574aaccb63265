"""The value every chart builder returns: a spec template, the small table it draws, and words."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_access.results import MISSING, Results


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart ready for `st.vega_lite_chart(fig.data, fig.spec, alt=fig.alt, width="stretch")`.

    `spec` is a Vega-Lite spec without data. Apart from its title it is shared between calls with
    the same options (building it with Altair costs more than the rest of a rerun), so treat it
    as read-only. `data` is the aggregated table the marks draw, never person rows.
    """

    spec: dict
    data: pd.DataFrame
    alt: str
    title: str
    subtitle: str = ""
    drawn: pd.DataFrame | None = None
    """What the marks need, where that is less than `data` (the same picture from fewer rows,
    e.g. stages added up into the tracks a stacked area draws); `data` otherwise."""

    @cached_property
    def arrow(self) -> pa.Table | pd.DataFrame:
        """What the browser gets to draw: the columns of `drawn` (or `data`) the spec reads, as Arrow with
        each text column dictionary-encoded (a stage's name goes once, not once a month), made
        once: a remembered figure is drawn again without converting. The "Show data" table and
        the downloads keep every column of `data`. `data` itself where Arrow refuses it
        (Streamlit then applies its own fixes)."""
        data = self.data if self.drawn is None else self.drawn
        read = _spec_words(self.spec)
        columns = [column for column in data.columns if str(column) in read]
        arrays = []
        try:
            # Column by column, not `Table.from_pandas`: its schema and metadata work costs more
            # than the conversion on tables this small, and the browser needs neither.
            for column in columns:
                array = pa.array(data[column], from_pandas=True)
                if isinstance(array, pa.ChunkedArray):  # pandas' Arrow-backed text gives one where it is empty
                    array = array.combine_chunks()
                if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
                    array = pc.dictionary_encode(array)
                    # A handful of names: one byte a row says which (Arrow's default is four).
                    array = array.cast(pa.dictionary(_narrowest(len(array.dictionary) - 1), array.type.value_type))
                elif pa.types.is_integer(array.type) and len(array):  # counts, months, days: as few bytes as hold them
                    low, high = (value.as_py() for value in pc.min_max(array).values())
                    if low is not None:
                        array = array.cast(_narrowest(max(abs(low), abs(high))))
                arrays.append(array)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return data
        return pa.Table.from_arrays(arrays, names=[str(column) for column in columns])

    @cached_property
    def screen_spec(self) -> dict:
        """The spec a page draws: without its title, which the page sets above the chart as text
        that wraps (a title inside the chart is cut at the chart's width on a phone). Exports
        keep the title in the picture."""
        return headless(self.spec)

    def to_dict(self, width: int | None = None) -> dict:
        """The full spec with the data inlined, for exports and tests.

        Pass `width` (pixels) where no container gives the chart its width, as when rendering a
        PNG or SVG with vl-convert.
        """
        spec = {**self.spec, "data": {"values": records(self.data)}}
        if not width:
            return spec
        if "title" in spec:
            spec["title"] = {**spec["title"], **heading(self.title, self.subtitle, width)}
        return _fixed_width(spec, width)


def _narrowest(largest: int) -> pa.DataType:
    """The smallest signed integer type that holds every value from -`largest` to `largest`."""
    for kind in (pa.int8(), pa.int16(), pa.int32()):
        if largest < 2 ** (kind.bit_width - 1):
            return kind
    return pa.int64()


def _spec_words(spec: dict) -> set[str]:
    """Every name-like word of a spec (fields, `datum.x`, `datum["x"]`, titles): a column none
    of them names is not read by the chart. Over-inclusive by design: a column a title happens
    to name is kept, never one the chart reads dropped.

    A spec is its template's parts (shared between figures, `charts._spec.template`) and a title
    of its own, so each part's words are found once (`_part_words`): the map's 33 kB of outlines
    were serialised and searched on every rerun."""
    words = set()
    for key, part in spec.items():
        words.update(_WORD.findall(key))
        words |= _part_words(part)
    return words


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PARTS_REMEMBERED = 1024
_parts = Results(PARTS_REMEMBERED)


def _part_words(part) -> frozenset[str]:
    """The words of one top-level part of a spec, remembered for the parts that are containers
    (a template's layers, encodings, datasets): by identity, holding the part so that no other
    object can take its identity while it is remembered. Templates are read-only."""
    if not isinstance(part, (dict, list)):
        return frozenset(_WORD.findall(json.dumps(part)))
    found = _parts.get(id(part))
    if found is not MISSING and found[0] is part:
        return found[1]
    words = frozenset(_WORD.findall(json.dumps(part)))
    _parts.put(id(part), (part, words))
    return words


# Characters per line of a title and a subtitle, by the width of the chart's container (px): a
# phone (about 360 px), half a laptop's page (about 560 px), wider. Vega cannot wrap text, and
# Streamlit cuts a title at its container's width ("Most returns came in 2019: 613 of …").
PHONE = 420
"""A container narrower than this (px) is a phone's."""
TITLE_LINES = ((PHONE, 28), (760, 48), (None, 90))
SUBTITLE_LINES = ((PHONE, 40), (760, 66), (None, 120))
AXIS_TITLE_LINE = 32
"""Characters per line of a long axis title, so it fits under a phone's plot."""
CONTAINER = "(containerSize()[0] || 10000)"
"""The chart's container width in the browser; "wide" where there is none (a file's render)."""


def wrap(text: str, width: int = TITLE_LINES[1][1]) -> str | list[str]:
    """A long title as lines (Vega-Lite draws a list as lines) so half-width charts don't cut it."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines if len(lines) > 1 else text


def heading(title: str, subtitle: str = "", width: int | None = None) -> dict:
    """A Vega-Lite title (text and subtitle) wrapped into lines that fit its container: for a
    `width` in pixels (a file), or else chosen in the browser by the container's width (a Vega
    expression), so a phone shows the whole title in more, shorter lines."""
    out = {"text": _lines(title, TITLE_LINES, width)}
    if subtitle:
        out["subtitle"] = _lines(subtitle, SUBTITLE_LINES, width)
    return out


def _lines(text: str, steps: tuple, width: int | None) -> str | list[str] | dict:
    if width is not None:
        return wrap(text, next(chars for below, chars in steps if below is None or width < below))
    *narrower, (_, widest) = steps
    expression = json.dumps(wrap(text, widest), ensure_ascii=False)
    for below, chars in reversed(narrower):
        expression = f"{CONTAINER} < {below} ? {json.dumps(wrap(text, chars), ensure_ascii=False)} : {expression}"
    return {"expr": expression}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: dates as ISO strings (UTC), missing values as None."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            stamps = pd.to_datetime(column)
            midnight = (stamps.dropna() == stamps.dropna().dt.normalize()).all()
            text = stamps.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%SZ")
            columns[name] = text.astype(object).where(stamps.notna(), None).tolist()
        elif pd.api.types.is_bool_dtype(column):
            columns[name] = [None if pd.isna(v) else bool(v) for v in column]
        elif pd.api.types.is_numeric_dtype(column):
            values = column.astype("float64").to_numpy()
            integral = pd.api.types.is_integer_dtype(column)
            columns[name] = [None if np.isnan(v) else (int(v) if integral else float(v)) for v in values]
        else:
            columns[name] = [None if pd.isna(v) else v for v in column.astype(object)]
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _fixed_width(spec: dict, width: int) -> dict:
    """A copy of `spec` with every `"width": "container"` set to `width`; data left as is."""

    def fix(node):
        if isinstance(node, dict):
            return {
                key: width if key == "width" and value == "container" else fix(value) for key, value in node.items()
            }
        if isinstance(node, list):
            return [fix(item) for item in node]
        return node

    fixed = fix({key: value for key, value in spec.items() if key != "data"})
    return {**fixed, "data": spec["data"]}


def headless(spec: dict) -> dict:
    """The spec without its title, for a page whose own heading states it; a subtitle, where
    there is one, stays as a note above the plot."""
    spec = dict(spec)
    subtitle = (spec.pop("title", None) or {}).get("subtitle")
    if subtitle:
        spec["title"] = {
            "text": subtitle,
            "fontWeight": "normal",
            "fontSize": spec.get("config", {}).get("title", {}).get("subtitleFontSize", 15),
        }
    return spec
