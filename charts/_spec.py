"""Shared plumbing for the builders: freezing an Altair chart into a data-free template, legend
labels for code fields, and the words of titles and alt text."""

from __future__ import annotations

import json
from collections.abc import Iterable

import altair as alt
import numpy as np
import pandas as pd

from charts.figure import Figure
from charts.theme import CONFIG
from data_access.disclosure import withheld_count

TEMPLATE_CACHE_SIZE = 64
_COMPOSITIONS = ("layer", "hconcat", "vconcat", "concat")


def freeze(chart: alt.TopLevelMixin, autosize: str | None = "fit-x") -> dict:
    """The chart's Vega-Lite dict with no data anywhere, so the table can be passed beside it.

    Altair gives a data-less chart a placeholder dataset; it is removed here, including from
    layers, so every view reads the one table Streamlit supplies (Vega's `source`). `fit-x` lets a
    chart take the container's width while keeping its own height.

    Altair's schema check is skipped here (it costs 0.3 s on a server's first chart); every
    template is checked against the Vega-Lite schema in tests/unit/test_charts.py instead.
    """
    spec = chart.to_dict(validate=False)
    placeholders = set(spec.pop("datasets", {}))
    _drop_placeholder_data(spec, placeholders)
    spec["config"] = CONFIG
    if autosize:
        spec["autosize"] = {"type": autosize, "contains": "padding"}
    return spec


def _drop_placeholder_data(view: dict, placeholders: set[str]) -> None:
    data = view.get("data")
    if isinstance(data, dict) and data.get("name") in placeholders:
        del view["data"]
    for key in _COMPOSITIONS:
        for child in view.get(key, ()):
            _drop_placeholder_data(child, placeholders)
    if isinstance(view.get("spec"), dict):
        _drop_placeholder_data(view["spec"], placeholders)


TITLE_LINE = 48


def wrap(text: str, width: int = TITLE_LINE) -> str | list[str]:
    """A long title as lines (Vega-Lite draws a list as lines) so half-width charts don't cut it."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines if len(lines) > 1 else text


def shown(field: str) -> str:
    """A Vega expression for a count as the page shows it: the number, or the released text
    ("<5", "<10") where the display rules hid it (`<field>_text`)."""
    return f"isValid(datum.{field}) ? format(datum.{field}, ',') : (datum.{field}_text || '—')"


def at(field: str) -> str:
    """A Vega expression placing a hidden count's label at zero instead of dropping it."""
    return f"isValid(datum.{field}) ? datum.{field} : 0"


def figure(template: dict, data: pd.DataFrame, title: str, alt_text: str, subtitle: str = "") -> Figure:
    heading: dict = {"text": wrap(title)}
    hidden = withheld_count(data)
    if hidden:
        counts = f"{hidden} small count{'s' if hidden != 1 else ''}"
        note = f"{counts} shown as <5 or <10 to protect people (totals count shown values only)"
        subtitle = f"{subtitle} · {note}" if subtitle else note
        alt_text = f"{alt_text} {counts} {'are' if hidden != 1 else 'is'} shown as <5 or <10 to protect people."
    if subtitle:
        heading["subtitle"] = subtitle
    return Figure(spec={**template, "title": heading}, data=data, alt=alt_text, title=title)


def pairs(frame: pd.DataFrame, code: str, label: str) -> tuple[tuple[str, str], ...]:
    """Distinct (code, label) pairs in the order they first appear: hashable, for templates."""
    first: dict[str, str] = {}
    for c, lab in zip(frame[code].tolist(), frame[label].tolist(), strict=True):
        first.setdefault(str(c), str(lab))
    return tuple(first.items())


def label_expr(code_labels: Iterable[tuple[str, str]]) -> str:
    """A Vega expression that shows a code's label in a legend or axis (`datum.value` -> text)."""
    expr = "datum.label"
    for code, label in reversed(tuple(code_labels)):
        expr = f"datum.value === {json.dumps(code)} ? {json.dumps(label)} : {expr}"
    return expr


def count(value: float) -> str:
    return "–" if pd.isna(value) else f"{round(value):,}"


def percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


def total(frame: pd.DataFrame, column: str = "people") -> float:
    return float(pd.to_numeric(frame[column], errors="coerce").sum()) if len(frame) else 0.0


def top(frame: pd.DataFrame, column: str = "people") -> pd.Series | None:
    """The row with the largest value of `column` (first one on ties), or None."""
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().all() or not len(values) or values.max() <= 0:
        return None
    return frame.iloc[int(np.nanargmax(values.to_numpy(dtype=float)))]


def selectable_by(field: str, marks: alt.Chart) -> alt.Chart:
    """Marks a click selects, as the point selection `pick` on `field`; the rest fade.

    A page reads the choice from `st.vega_lite_chart(..., on_select="rerun")`:
    `event.selection.pick == [{field: value}]`. A double click clears it.
    """
    pick = alt.selection_point(name="pick", fields=[field], on="click", clear="dblclick")
    return marks.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))


def headroom(field: str, factor: float, groupby: tuple[str, ...] = ()) -> alt.Chart:
    """An invisible mark `factor` times past the longest bar, so the label at its end stays
    inside the plot: Vega fits axes and legends into the width, not text beside the marks.
    With `groupby`, bars are sums of `field` per group (stacked bars)."""
    chart = alt.Chart()
    if groupby:
        chart = chart.transform_aggregate(bar=f"sum({field})", groupby=list(groupby))
        field = "bar"
    return (
        chart.transform_aggregate(longest=f"max({field})")
        .transform_calculate(room=f"datum.longest * {factor}")
        .mark_point(opacity=0)
        .encode(x=alt.X("room:Q"))
    )


def utc_time(field: str, title: str, fmt: str = "%b %Y") -> alt.Tooltip:
    return alt.Tooltip(field, type="temporal", title=title, format=fmt, formatType="utc")
