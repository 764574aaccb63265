"""Shared plumbing for the builders: freezing an Altair chart into a data-free template, legend
labels for code fields, and the words of titles and alt text.

Templates hold words (axis, legend and tooltip titles, the words of in-chart labels), so they
are built and remembered per language (`template`). Words Vega puts together in the browser,
around a number only Vega knows, are translated here and handed to Vega as expressions
(`vega_text`, `vega_plural`)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

import altair as alt
import numpy as np
import pandas as pd

import i18n
from charts import theme
from charts.figure import Figure, heading
from data_access.disclosure import not_shown, withheld_count
from data_access.narrative import full_stops
from i18n import _, ngettext
from i18n import format as fmt

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
    spec["padding"] = dict(PADDING)
    spec["params"] = [*spec.get("params", []), {"name": CHAR_WIDTH, "value": LABEL_CHAR_WIDTH}]
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


PADDING = {"left": 5, "top": 5, "right": 14, "bottom": 20}
"""Space around a chart (px). On the right, for the half of an axis's last number that sticks out
past the plot ("2,500" under a phone's narrow plot); at the bottom, as Streamlit leaves it by
default (without our padding it leaves none on the sides)."""


def _drop_placeholder_data(view: dict, placeholders: set[str]) -> None:
    data = view.get("data")
    if isinstance(data, dict) and data.get("name") in placeholders:
        del view["data"]
    for key in _COMPOSITIONS:
        for child in view.get(key, ()):
            _drop_placeholder_data(child, placeholders)
    if isinstance(view.get("spec"), dict):
        _drop_placeholder_data(view["spec"], placeholders)


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


GROUP_LABELS = (
    "stage_label",
    "cohort_name",
    "region_name",
    *(f"{dimension}_label" for dimension in ("cohort", "region", "stage", "sex", "age_band", "origin")),
)
"""The columns that name the group of a row held back with its group (`disclosure.withhold`)."""


def held_groups(data: pd.DataFrame, held_back: np.ndarray) -> list[str]:
    """The names of the groups held back whole: in each naming column (`GROUP_LABELS`), the
    values all of whose rows are held back ("Abai" in a region x stage table, not the stages that
    other regions still show), in the order they first appear."""
    names: dict[str, None] = {}
    if not held_back.any():
        return []
    for column in (column for column in GROUP_LABELS if column in data.columns):
        values = data[column].astype(str).to_numpy()
        shown = set(values[~held_back])
        names.update(dict.fromkeys(value for value in values[held_back] if value not in shown))
    return list(names)


def figure(
    template: dict,
    data: pd.DataFrame,
    title: str,
    alt_text: str,
    subtitle: str = "",
    drawn: pd.DataFrame | None = None,
    counts: tuple[str, ...] | None = None,
) -> Figure:
    """A chart of `data`, its notes saying which of its counts the display rules hid (only the
    `counts` columns the chart draws, when given: the map coloured by people placed says nothing
    of the scores it does not show)."""
    # A translation may open with a placeholder filled with a word in the middle of a sentence
    # ("өңір бойынша адамдар"): a title starts with a capital.
    title = title[:1].upper() + title[1:]
    noted = data
    if counts is not None:
        flags = [f"{count}_{flag}" for count in counts for flag in ("suppressed", "text")]
        noted = data[
            [column for column in data.columns if not str(column).endswith(("_suppressed", "_text")) or column in flags]
        ]
    values = not_shown(noted)
    held_back = values.any(axis=1)
    hidden = withheld_count(noted) - int(values.sum())
    groups = ", ".join(held_groups(data, held_back))
    if groups:  # without a name for the groups, the chart says it itself
        note = _("Not shown, too few people in some part of the selection: {groups}").format(groups=groups)
        subtitle = f"{subtitle} · {note}" if subtitle else note
        alt_text = f"{alt_text} {note}."
    if hidden > 0:
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
    return Figure(
        spec={**template, "title": heading(title, subtitle)},
        data=data,
        alt=full_stops(alt_text),
        title=title,
        subtitle=subtitle,
        drawn=drawn,
    )


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


def sums(
    frame: pd.DataFrame, key: str | tuple[str, ...], columns: Iterable[str], where: np.ndarray | None = None
) -> dict:
    """Whole-number `columns` added up per value of `key` (a column, or a tuple of them for
    tuples of values; on the rows `where` is true), as {key: [sum, ...]} in the order the keys
    first appear: what `groupby(key, sort=False).sum()` says, a hidden (missing) count adding
    nothing, a row with a missing key left out, without the machinery of a groupby, which
    costs more than the adding up on a title's rows."""
    names = (key,) if isinstance(key, str) else key
    columns = tuple(columns)
    chosen = np.ones(len(frame), dtype=bool) if where is None else np.array(where, dtype=bool)
    group, levels = np.zeros(len(frame), dtype=np.int64), []
    for name in names:
        codes, uniques = pd.factorize(frame[name], sort=False)  # a missing key: -1
        chosen &= codes >= 0
        group, levels = group * len(uniques) + codes, [*levels, (codes, uniques)]
    group = group[chosen]
    if len(names) > 1 or where is not None:  # number the groups in the order they first appear
        group = pd.factorize(group, sort=False)[0]
    first = np.flatnonzero(chosen)[np.unique(group, return_index=True)[1]]
    keys = [uniques.take(codes[first]).tolist() for codes, uniques in levels]
    added = np.zeros((len(first), len(columns)), dtype=np.int64)
    for at, column in enumerate(columns):
        np.add.at(added[:, at], group, frame[column].to_numpy(dtype="int64", na_value=0)[chosen])
    rows = keys[0] if len(names) == 1 else list(zip(*keys, strict=True))
    return dict(zip(rows, added.tolist(), strict=True))


def sum_by(frame: pd.DataFrame, key: str | tuple[str, ...], column: str = "people") -> dict:
    """One column's `sums`: {key: sum}."""
    return {value: added for value, (added,) in sums(frame, key, (column,)).items()}


def numbers(frame: pd.DataFrame, column: str = "people") -> np.ndarray:
    """A column's values as floats, NaN where a count is hidden or missing: what `top` and sums
    of the shown values (`np.nansum`) read."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def top(values: dict, *, lowest: bool = False, text: Callable | None = None, zero: bool = False) -> list:
    """The keys of `values` ({key: number}: the sums of `sums`, or row numbers and a column's
    `numbers`) sharing the largest value (with `lowest`, the smallest), in order: one, or all of
    them on a tie, so a sentence never names one of two equals.

    With `text` (a value as the page shows it, e.g. `fmt.percent`), values tie when they read
    the same: two shares that both show "86%" are both the highest. Hidden and missing values
    never lead; for the largest, neither does zero ("most returns came in …" names no year
    without any), unless `zero` says zero is a value like any other (a share of 0% in every
    region is still the highest share). Empty where no value qualifies."""
    valid = {
        key: value
        for key, value in values.items()
        if pd.notna(value) and math.isfinite(value) and (lowest or zero or value > 0)
    }
    if not valid:
        return []
    best = min(valid.values()) if lowest else max(valid.values())
    if text is None:
        return [key for key, value in valid.items() if value == best]
    shown_best = text(best)
    return [key for key, value in valid.items() if text(value) == shown_best]


NAMED = 3
"""How many tied names a sentence lists before it says "and 2 more"."""


def named(names: Iterable) -> str:
    """Names for a sentence: "Aktobe", "Aktobe and Shymkent", "A, B, C and 2 more"."""
    names = [str(name) for name in names]
    if len(names) <= NAMED:
        return fmt.listing(names)
    rest = len(names) - NAMED
    return ngettext("{names} and {n} more", "{names} and {n} more", rest).format(
        names=", ".join(names[:NAMED]), n=fmt.count(rest)
    )


def each(value: str, n: int) -> str:
    """A value that `n` tied names share: "35", or "35 each"."""
    # TRANSLATORS: the value each of several tied names has, as in "Aktobe and Shymkent, 59 each".
    return value if n < 2 else _("{value} each").format(value=value)


def described(marks: alt.Chart, tooltip: list[alt.Tooltip]) -> alt.Chart:
    """Marks with `tooltip`, read by a screen reader as the tooltip reads ("Stage: Family
    placement; People: 338"). Without it Vega-Lite describes a mark by every field it encodes,
    codes and helper fields included ("stage: placement; group_rank: 0")."""
    return marks.transform_calculate(description=aria_text(tooltip)).encode(
        tooltip=tooltip, description=alt.Description("description:N")
    )


def aria_text(tooltip: list[alt.Tooltip]) -> str:
    """A Vega expression for the tooltip's words: "Title: value; Title: value", each value
    formatted as the tooltip formats it; a hidden count reads as its released text ("<5")."""
    parts = []
    for item in tooltip:
        spec = item.to_dict(validate=False)
        field, kind, number = spec["field"], spec.get("type", "nominal"), spec.get("format")
        value = f"datum[{json.dumps(field)}]"
        if kind == "quantitative":
            text = f"format({value}, {json.dumps(number or ',')})"
            text = f"isValid({value}) && isFinite({value}) ? {text} : (datum[{json.dumps(field + '_text')}] || '—')"
        elif kind == "temporal":
            text = f"isValid({value}) ? utcFormat({value}, {json.dumps(number or '%d %b %Y')}) : '—'"
        else:
            text = f"isValid({value}) ? '' + {value} : '—'"
        parts.append(f"{json.dumps(spec['title'] + ': ')} + ({text})")
    return ' + "; " + '.join(parts)


def selectable_by(field: str, marks: alt.Chart) -> alt.Chart:
    """Marks a click selects, as the point selection `pick` on `field`; the rest fade.

    A page reads the choice from `st.vega_lite_chart(..., on_select="rerun")`:
    `event.selection.pick == [{field: value}]`. A double click clears it.
    """
    pick = alt.selection_point(name="pick", fields=[field], on="click", clear="dblclick")
    return marks.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))


SHOW_HIDDEN = None
"""A bar's or a cell's `invalid`: a count the display rules hid ("<5") is still drawn, at zero or
in the empty colour, so a screen reader hears it ("People: <5") where a sighted reader sees its
label; by default Vega-Lite drops the mark of a missing value."""

WITHIN_PLOT = alt.expr("max(width - 4, 40)")
"""A text mark's `limit`: a label that starts at the plot's left edge is cut ("…") where the plot
ends, so a long one never runs off a phone's screen; give its layer the tooltip that says it all."""


def beside(position: str, dx: float, leftwards: bool = False) -> alt.ExprRef:
    """A text mark's `limit` for a label drawn `dx` px beside a bar's end at the field `position`:
    the room left before the plot's edge, so a label longer than that is cut ("Западно-Казахст…")
    rather than run off a phone's screen; `headroom` usually leaves room enough. `leftwards` for
    a label to the left of its bar's end."""
    x = f"scale('x', datum[{json.dumps(position)}])"
    room = f"{x} - {abs(dx)}" if leftwards else f"width - {x} - {abs(dx)}"
    return alt.expr(f"max({room} - 2, 24)")


def summed(chart: alt.Chart, field: str, groupby: Iterable[str]) -> alt.Chart:
    """`chart` with `field` added up per group, and `<field>_label`, the sum as a label: "245";
    where some of the counts are hidden (the public level's "<5"), the shown sum and the hidden
    part's bound, "6 + <5", or "<5" where all are hidden, never a bare "0" or "6" that hides people."""
    bound = f"toNumber(replace(datum.{field}_text || '', '<', '')) || 0"
    shown_sum = f"format(datum.{field}, ',')"
    label = (
        f"datum.hidden > 0 ? (datum.{field} > 0 ? {shown_sum} + ' + ' : '') + '<' + format(datum.bound, ',') "
        f": {shown_sum}"
    )
    return (
        chart.transform_calculate(
            hidden_part=f"isValid(datum.{field}) ? 0 : 1",
            bound_part=f"isValid(datum.{field}) ? 0 : {bound}",
        )
        .transform_aggregate(
            **{field: f"sum({field})", "hidden": "sum(hidden_part)", "bound": "sum(bound_part)"},
            groupby=list(groupby),
        )
        .transform_calculate(**{f"{field}_label": label})
    )


# A label's width in pixels, as Vega-Lite cannot measure it before drawing: characters times an
# average width (14 px type, digits and Latin or Cyrillic letters alike), plus its offset from
# the bar. The width is a parameter of every spec (`CHAR_WIDTH`), so a slide's larger type can
# say so (`charts.export.projector_spec`).
LABEL_CHAR_WIDTH = 7
CHAR_WIDTH = "label_char_width"
LABEL_GAP = 12


def label_pixels(label: str) -> str:
    """A Vega expression for the width in pixels of the label `label` (a Vega expression) and its
    gap from the bar."""
    return f"(length({label}) * {CHAR_WIDTH} + {LABEL_GAP})"


def headroom(at: str, label: str = "", groupby: tuple[str, ...] = ()) -> alt.Chart:
    """An invisible mark that stretches the x scale just far enough for every bar's label: a
    label `label` (a Vega expression) drawn at `at` (a field, or a Vega expression) ends inside
    the plot at any width, a phone's included. Vega fits axes and legends into the width, not
    text beside the marks. The room is worked out from the plot's width in pixels (the `width`
    signal), so single and layered charts only. With `groupby`, the bars are stacked: the label
    is `<at>_label` of `summed` at the end of the sum of `at` per group."""
    chart = alt.Chart()
    position = f"datum.{at}" if at.isidentifier() else at
    if groupby:
        chart = summed(chart, at, groupby)
        label = f"datum.{at}_label"
    pixels = label_pixels(label)
    value = f"(isValid({position}) && isFinite({position}) ? max({position}, 0) : 0)"
    return (
        chart.transform_calculate(needs=f"{value} * width / max(width - {pixels}, width / 3)")
        .transform_aggregate(room="max(needs)")
        .mark_point(opacity=0, aria=False)
        .encode(x=alt.X("room:Q"))
    )


def utc_time(field: str, title: str, time_format: str = "%b %Y") -> alt.Tooltip:
    return alt.Tooltip(field, type="temporal", title=title, format=time_format, formatType="utc")
