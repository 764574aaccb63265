"""The languages a person reads the dashboard in, and the words in each.

Interface text is written in English in the code, wrapped in `_()` (or `ngettext()` where a
number decides the form, or `N_()` to mark a text that is translated later, where it is shown),
with named placeholders: `_("{n} people placed in {region}").format(...)`. Translations live in
gettext catalogues under `locales/<language>/LC_MESSAGES/messages.po` (any PO editor opens them;
`locales/GLOSSARY.md` holds the terms they follow). The catalogues are read as they are, with
Babel, on first use: nothing to compile.

The language in force is per run (a context variable): `app.py` sets it from the link (`?lang=`)
or the browser, before anything is drawn; data_access, charts and the briefing read it through
`_()` and `i18n.format`, so a page, its charts, its CSV notes and its briefing pack all speak the
same language. Numbers, codes and CSV column names never change with the language.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import io
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
"""The interface languages, as each names itself, in the order the picker offers them."""
DEFAULT = "en"
SESSION_KEY = "lang"
"""Where a Streamlit session keeps its language (and the link's parameter for it)."""
LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT)
_lock = threading.Lock()


def language() -> str:
    """The language of this run: `en`, `ru` or `kk`."""
    return _language.get()


def set_language(code: str) -> None:
    """Use `code` for the rest of this run (an unknown code means the default)."""
    _language.set(code if code in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def use(code: str) -> Iterator[None]:
    """Speak `code` inside the block (tests, the briefing pack of another language)."""
    token = _language.set(code if code in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _language.reset(token)


def choose(requested: str | None, browser: str | None) -> str:
    """The language to open in: the link's `lang` if it names one, else the browser's language
    (`kk-KZ`, `ru`, ...), else English."""
    if requested in LANGUAGES:
        return requested
    prefix = (browser or "").replace("_", "-").split("-")[0].lower()
    return prefix if prefix in LANGUAGES else DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def translations(code: str) -> gettext.NullTranslations:
    """The catalogue of `code`, read from its .po file (English, or a missing file: the ids)."""
    path = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    with _lock, path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """`message` in the language of this run."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message a count of `n` takes in this run's language (Russian has three)."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in a context, where one English word translates differently (a month, a stage)."""
    return translations(language()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a text for translation where it is defined; translate it with `_()` where shown."""
    return message
