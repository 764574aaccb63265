"""The message catalogues: which texts the code asks to translate, and keeping the .po files in
step with it.

    python -m i18n.catalogues            # write locales/messages.pot and update every language's .po

Texts are found the way pybabel finds them (babel's extractor, the keywords below): `_()`,
`N_()`, `ngettext()`, `pgettext()`, a snapshot problem's template (`check.warn(table, "...")`,
`check.note(table, "...")`, `check.error(table, "...")`, `problem(severity, table, "...")`) and
the data contract's meanings (`Column(name, type, "...")`, `ManifestField(name, kind, "...")`). Updating
keeps every translation, adds new texts untranslated and drops texts the code no longer uses; a
translator then fills the new ones in any PO editor. `tests/unit/test_locales.py` fails while a
text has no translation or a translation's placeholders differ from the English.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALES

ROOT = LOCALES.parent
SOURCES = ("app.py", "app_pages", "ui", "charts", "briefing", "data_access", "i18n")
KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "warn": (2,),
    "note": (2,),
    "error": (2,),
    "problem": (3,),
    "Column": (3,),
    "ManifestField": (3,),
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def template() -> Catalog:
    """Every text the code asks to translate, as a catalogue with no translations."""
    catalog = Catalog(project="Second Chance", domain=DOMAIN, fuzzy=False)
    for source in SOURCES:
        path = ROOT / source
        found = (
            extract_from_dir(
                path, [("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
            )
            if path.is_dir()
            else [(path.name, *item) for item in _extract_file(path)]
        )
        for filename, lineno, message, comments, context in found:
            if isinstance(message, tuple) and message[0] == "":
                continue
            if not message:
                continue
            where = f"{source}/{filename}" if path.is_dir() else filename
            catalog.add(message, locations=[(where, lineno)], auto_comments=comments, context=context)
    return catalog


def _extract_file(path: Path):
    from babel.messages.extract import extract_from_file

    return extract_from_file(
        "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    )


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def update() -> dict[str, int]:
    """Write `locales/messages.pot` and bring every language's .po in step; returns how many
    texts each language still lacks."""
    pot = template()
    with (LOCALES / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, pot, omit_header=False, sort_output=True, width=100)
    missing = {}
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read(language) if path.is_file() else Catalog(locale=language, domain=DOMAIN, project="Second Chance")
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        with path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, width=100, include_previous=False)
        missing[language] = sum(1 for m in catalog if m.id and not _translated(m))
    return missing


def _translated(message) -> bool:
    values = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(values) and not message.fuzzy


def main() -> int:
    for language, count in update().items():
        print(f"{language}: {count} text(s) without a translation in {po_path(language).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
