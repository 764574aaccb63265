"""Shared plumbing for the builders: freezing an Altair chart into a data-free template, legend
labels for code fields, and the words of titles and alt text.

Templates hold words (axis, legend and tooltip titles, the words of in-chart labels), so they
are built and remembered per language (`template`). Words Vega puts together in the browser,
around a number only Vega knows, are translated here and handed to Vega as expressions
(`vega_text`, `vega_plural`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

import altair as alt
import numpy as np
import pandas as pd

import i18n
from charts import theme
from charts.figure import Figure
from data_access.disclosure import withheld_count
from data_access.narrative import full_stops
from i18n import format as fmt
from i18n import ngettext

TEMPLATE_CACHE_SIZE = 64
_COMPOSITIONS = ("layer", "hconcat", "vconcat", "concat")


def template(build: Callable[..., dict]) -> Callable[..., dict]:
    """Remember the templates `build` makes, per set of options and per language: a template's
    words are in the language it was built in."""
    remembered = lru_cache(maxsize=TEMPLATE_CACHE_SIZE)(lambda language, *options: build(*options))

    @wraps(build)
    def in_language(*options) -> dict:
        return remembered(i18n.language(), *options)

    return in_language


def freeze(chart: alt.TopLevelMixin, autosize: str | None = "fit-x") -> dict:
    """The chart's Vega-Lite dict with no data anywhere, so the table can be passed beside it.

    Altair gives a data-less chart a placeholder dataset; it is removed here, including from
    layers, so every view reads the one table Streamlit supplies (Vega's `source`). `fit-x` lets a
    chart take the container's width while keeping its own height.

    Altair's schema check is skipped here (it costs 0.3 s on a server's first chart); every
    template is checked against the Vega-Lite schema in tests/unit/test_charts.py instead.
    """
    spec = chart.to_dict(validate=False)
    datasets = spec.pop("datasets", {})
    used = _view_data(spec)
    _drop_placeholder_data(spec, set(datasets) & used)
    # Data a chart carries itself (a map's outlines, looked up by code) stays in the template.
    if kept := {name: values for name, values in datasets.items() if name not in used}:
        spec["datasets"] = kept
    spec["config"] = theme.config()
    if autosize:
        spec["autosize"] = {"type": autosize, "contains": "padding"}
    return spec


def _view_data(view: dict) -> set[str]:
    """Names of the datasets views draw from (Altair's placeholders for a data-less chart)."""
    data = view.get("data")
    names = {data["name"]} if isinstance(data, dict) and "name" in data else set()
    for key in _COMPOSITIONS:
        for child in view.get(key, ()):
            names |= _view_data(child)
    if isinstance(view.get("spec"), dict):
        names |= _view_data(view["spec"])
    return names


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


def vega_text(message: str, **values: str) -> str:
    """A Vega expression for a translated `message` whose placeholders are Vega expressions:
    `vega_text(_("{over} of {people}"), over="format(datum.over, ',')", people=...)`."""
    parts = re.split(r"\{(\w+)\}", message)
    pieces = [f"({values[part]})" if i % 2 else json.dumps(part) for i, part in enumerate(parts) if i % 2 or part]
    return " + ".join(pieces) or '""'


def vega_plural(forms: Callable[[int], str], count: str, **values: str) -> str:
    """A Vega expression for a message whose form depends on a count only Vega knows (a bar's
    label): each form `forms` gives in this run's language
    (`lambda n: ngettext("{days} day", "{days} days", n)`), chosen in the browser by the
    catalogue's plural rule applied to the expression `count`, its placeholders filled by the
    Vega expressions in `values` (see `vega_text`)."""
    catalogue = i18n.translations(i18n.language())
    form_of = getattr(catalogue, "plural", lambda n: int(n != 1))
    examples: dict[int, int] = {}
    for n in range(200):
        examples.setdefault(form_of(n), n)
    texts = {form: vega_text(forms(n), **values) for form, n in examples.items()}
    if len(texts) == 1:
        return next(iter(texts.values()))
    header = catalogue.info().get("plural-forms", "")
    rule = re.search(r"plural\s*=\s*(.+?);?\s*$", header)
    which = "+(" + re.sub(r"\bn\b", f"({count})", rule.group(1) if rule else "n != 1") + ")"
    *firsts, last = sorted(texts)
    expression = texts[last]
    for form in reversed(firsts):
        expression = f"{which} === {form} ? {texts[form]} : {expression}"
    return expression


def figure(template: dict, data: pd.DataFrame, title: str, alt_text: str, subtitle: str = "") -> Figure:
    heading: dict = {"text": wrap(title)}
    hidden = withheld_count(data)
    if hidden:
        note = ngettext(
            "{n} small count shown as <5 or <10 to protect people (totals count shown values only)",
            "{n} small counts shown as <5 or <10 to protect people (totals count shown values only)",
            hidden,
        ).format(n=fmt.count(hidden))
        subtitle = f"{subtitle} · {note}" if subtitle else note
        said = ngettext(
            "{n} small count is shown as <5 or <10 to protect people.",
            "{n} small counts are shown as <5 or <10 to protect people.",
            hidden,
        ).format(n=fmt.count(hidden))
        alt_text = f"{alt_text} {said}"
    if subtitle:
        heading["subtitle"] = subtitle
    return Figure(spec={**template, "title": heading}, data=data, alt=full_stops(alt_text), title=title)


def pairs(frame: pd.DataFrame, code: str, label: str) -> tuple[tuple[str, str], ...]:
    """Distinct (code, label) pairs in the order they first appear: hashable, for templates."""
    first: dict[str, str] = {}
    for c, lab in zip(frame[code].tolist(), frame[label].tolist(), strict=True):
        first.setdefault(str(c), str(lab))
    return tuple(first.items())


def label_expr(
    code_labels: Iterable[tuple[str, str]], value: str = "datum.value", otherwise: str = "datum.label"
) -> str:
    """A Vega expression that shows a code's label in a legend or axis (`datum.value` -> text),
    or names the code in the expression `value` (`otherwise` for a code without a label)."""
    expr = otherwise
    for code, label in reversed(tuple(code_labels)):
        expr = f"{value} === {json.dumps(code)} ? {json.dumps(label)} : {expr}"
    return expr


def whole(value: float) -> str:
    """A count that may come as a float (a sum, a median of days), rounded to a whole number."""
    return fmt.count(None if pd.isna(value) else round(value))


def shown_count(row, field: str = "people") -> str:
    """A count as the page shows it, for titles and alt text (the Python side of `shown`): the
    number, or the released text ("<5") where the display rules hid it, or "—"."""
    value = row[field]
    if pd.isna(value):
        return str(row.get(f"{field}_text") or fmt.MISSING)
    return whole(value)


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


def utc_time(field: str, title: str, time_format: str = "%b %Y") -> alt.Tooltip:
    return alt.Tooltip(field, type="temporal", title=title, format=time_format, formatType="utc")
