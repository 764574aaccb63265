"""Vega's number and time locale for this run's language, from the same CLDR data (Babel) that
`i18n.format` uses, so an axis label, a tooltip and a bar's label read "1 234", "44 %" and
"март" in Russian just as the title above them does.

Formats inside a spec stay d3 formats (",~f", ".0%", "%b %Y"); the locale, set once as
`config.locale` (see `charts.theme.config`), decides the symbols and the names they produce.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimePattern
from babel.numbers import get_currency_symbol, parse_pattern

import i18n
from i18n import format as fmt

CURRENCY = "KZT"
"""The currency a `$` in a d3 format would show (none of the charts uses one)."""

# CLDR date fields (as Babel names them in a pattern's `format`) -> d3-time-format directives.
_D3_FIELDS = {
    "y": "%Y",
    "yyyy": "%Y",
    "yy": "%y",
    "M": "%-m",
    "MM": "%m",
    "MMM": "%b",
    "MMMM": "%B",
    "L": "%-m",
    "LL": "%m",
    "LLL": "%b",
    "LLLL": "%B",
    "d": "%-d",
    "dd": "%d",
    "E": "%a",
    "EE": "%a",
    "EEE": "%a",
    "EEEE": "%A",
    "h": "%-I",
    "hh": "%I",
    "H": "%-H",
    "HH": "%H",
    "m": "%-M",
    "mm": "%M",
    "s": "%-S",
    "ss": "%S",
    "a": "%p",
}


def vega_locale() -> dict:
    """`{"number": ..., "time": ...}` in the shape of d3-format's and d3-time-format's locale
    definitions, for this run's language. Built once per language; treat it as read-only."""
    return _locale(i18n.language())


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _locale(code: str) -> dict:
    cldr = Locale.parse(code)
    return {"number": _number(cldr), "time": _time(cldr)}


def _number(cldr: Locale) -> dict:
    symbols = cldr.number_symbols["latn"]
    primary, secondary = parse_pattern(cldr.decimal_formats[None].pattern).grouping
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [primary] if secondary == primary else [primary, secondary],
        "currency": _currency(cldr),
        "percent": _percent(cldr, symbols["percentSign"]),
        "nan": fmt.MISSING,
    }


def _affixes(pattern: str) -> tuple[str, str]:
    """The text before and after the number in a CLDR pattern: "#,##0 %" -> ("", " %")."""
    before, after = re.fullmatch(r"(.*?)[#,0.]+(.*)", pattern.split(";")[0]).groups()
    return before, after


def _percent(cldr: Locale, sign: str) -> str:
    """d3 appends the percent sign only: a language that writes it first gets it after."""
    _, after = _affixes(cldr.percent_formats[None].pattern)
    return after.replace("%", sign) if "%" in after else sign


def _currency(cldr: Locale) -> list[str]:
    symbol = get_currency_symbol(CURRENCY, locale=cldr)
    return [affix.replace("¤", symbol) for affix in _affixes(cldr.currency_formats["standard"].pattern)]


def _d3_pattern(pattern: DateTimePattern) -> str:
    return re.sub(r"%\((\w+)\)s", lambda field: _D3_FIELDS.get(field.group(1), ""), pattern.format)


def _time(cldr: Locale) -> dict:
    date, time = _d3_pattern(cldr.date_formats["short"]), _d3_pattern(cldr.time_formats["medium"])
    periods = cldr.day_periods.get("format", {}).get("abbreviated", {})
    # Month names stand alone on axes and in tooltips ("март 2019", not "марта 2019").
    days, months = cldr.days["format"], cldr.months.get("stand-alone") or cldr.months["format"]
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # d3 counts from Sunday, CLDR (Babel) from Monday
    return {
        "dateTime": cldr.datetime_formats["medium"].replace("{1}", date).replace("{0}", time),
        "date": date,
        "time": time,
        "periods": [periods.get("am", "AM"), periods.get("pm", "PM")],
        "days": [days["wide"][i] for i in sunday_first],
        "shortDays": [days["abbreviated"][i] for i in sunday_first],
        "months": [months["wide"][i] for i in range(1, 13)],
        "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
    }
