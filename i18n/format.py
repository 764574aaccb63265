"""Every number, date and share a person reads, formatted in one place, in this run's language
(CLDR data through Babel): pages, chart titles and alt text, sentences, slides, CSV notes and the
briefing pack all call these, so "30 Sep 2026", «30 сент. 2026 г.» and «2026 ж. 30 қыр.» follow
the language and never the machine's locale.

Hidden counts ("<5") and missing figures ("—") are formatted here too, so no surface shows
`nan` or `None`."""

from __future__ import annotations

import datetime as dt
import functools
import math

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from i18n import _, language

MISSING = "—"
"""What a figure that does not exist shows (no value, not a hidden one)."""


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and not math.isfinite(value))


def count(n) -> str:
    """A whole number with the language's grouping: 1,234 / 1 234."""
    if _missing(n):
        return MISSING
    return _grouped(int(n), language())


# Babel looks the pattern and symbols up in CLDR on every call (about 40 µs); a page writes
# thousands of counts and dates a rerun (tables, labels, titles), most of them the same few
# values, so each is worded once per language.
@functools.lru_cache(maxsize=50_000)
def _grouped(n: int, locale: str) -> str:
    return format_decimal(n, locale=locale)


@functools.lru_cache(maxsize=50_000)
def _day(day: dt.date, locale: str) -> str:
    return format_date(day, "d MMM y" if locale == "en" else "medium", locale=locale)


def number(x, decimals: int = 2) -> str:
    """A decimal with a fixed number of decimals: 0.67 / 0,67."""
    if _missing(x):
        return MISSING
    return _decimal(round(float(x), decimals), decimals, language())


@functools.lru_cache(maxsize=50_000)
def _decimal(x: float, decimals: int, locale: str) -> str:
    return format_decimal(x, format=f"#,##0.{'0' * decimals}", locale=locale)


def hidden(k: int) -> str:
    """What a count hidden by the display rules shows: <5."""
    return f"<{k}"


def count_or_hidden(n, k: int | None) -> str:
    """A shown count, or "<k" where the display rules hid it (`n` missing), or "—"."""
    if _missing(n):
        return hidden(k) if k else MISSING
    return count(n)


def percent(fraction, *, fine: bool = False) -> str:
    """A fraction as a whole percentage: 44% / 44 %. With `fine`, one decimal where a whole
    number would say 0% or 100% of something that is neither (0.4%, 99.6%), as in tables."""
    if _missing(fraction):
        return MISSING
    value = float(fraction)
    whole = round(value, 2)
    if fine and ((whole == 0 and value > 0) or (whole == 1 and value < 1)):
        return _percent(min(max(round(value, 3), 0.001), 0.999), False, language())
    return _percent(whole, True, language())


@functools.lru_cache(maxsize=50_000)
def _percent(fraction: float, quantized: bool, locale: str) -> str:
    return format_percent(fraction, locale=locale, decimal_quantization=quantized)


def share(part: int, base: int) -> str:
    """`part` of `base` as a whole percentage, never rounded to 0% or 100% unless the part is
    none or all of the base ("under 1%", "over 99%")."""
    part = min(part, base)
    if part == 0:
        return percent(0)
    if part == base:
        return percent(1)
    value = math.floor(100 * part / base + 0.5)
    if value < 1:
        return _("under {percent}").format(percent=percent(0.01))
    if value > 99:
        return _("over {percent}").format(percent=percent(0.99))
    return percent(value / 100)


def date(day) -> str:
    """A day: 30 Sep 2026 / 30 сент. 2026 г. / 2026 ж. 30 қыр."""
    if _missing(day):
        return MISSING
    return _day(pd.Timestamp(day).date(), language())


def long_date(day) -> str:
    """A day in words: 30 September 2026 / 30 сентября 2026 г. / 2026 ж. 30 қыркүйек."""
    if _missing(day):
        return MISSING
    day = pd.Timestamp(day).date()
    if language() == "en":
        return format_date(day, "d MMMM y", locale="en")
    return format_date(day, "long", locale=language())


def month(day) -> str:
    """A month and year: Sep 2026 / сент. 2026 г. / 2026 ж. қыр."""
    if _missing(day):
        return MISSING
    stamp = pd.Timestamp(day)
    return _month(stamp.year, stamp.month, language())


@functools.lru_cache(maxsize=5_000)
def _month(year: int, month: int, locale: str) -> str:
    return format_skeleton("yMMM", dt.date(year, month, 1), locale=locale)


def half_year(day) -> str:
    """The half-year a day falls in: H1 2019."""
    if _missing(day):
        return MISSING
    stamp = pd.Timestamp(day)
    return _("H{half} {year}").format(half=1 if stamp.month <= 6 else 2, year=stamp.year)


def moment(when: dt.datetime) -> str:
    """A date and time: 30 Sep 2026, 14:05."""
    return f"{date(when)}, {format_datetime(when, 'HH:mm', locale=language())}"


def listing(items: list[str], style: str = "standard") -> str:
    """Words joined as the language joins a list: "A, B, and C" / «A, B и C»; `style="or"` for
    alternatives: "A or B"."""
    return format_list([str(item) for item in items], style=style, locale=language()) if items else ""


def country(code: str) -> str:
    """A country's name from its ISO 3166-1 code, in the language (KZ: Kazakhstan, Казахстан,
    Қазақстан); the code itself where CLDR has no name for it."""
    return Locale.parse(language()).territories.get(code, code) if code else MISSING
