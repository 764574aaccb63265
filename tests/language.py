"""What "no English on a Russian or Kazakh screen" means in a test: words in Latin letters that
are not proper names, codes or file formats. Everything the code asks to translate is in the
catalogues; this catches what slipped past them (a string not wrapped in `_()`, a label read
from the wrong column, a widget's default text, a code printed as it is stored)."""

from __future__ import annotations

import re

LATIN_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z'’]+(?![\w@/-])")
PROPER = {
    # The product, the organisations and standards the methodology cites, file formats and
    # tools named in the interface, and the language picker's own entry for English.
    "Second",
    "Chance",
    "IOM",
    # The map's source in the sample's notes (data_access.kazakhstan.BOUNDARIES): its licence,
    # its author and OCHA are names in every language.
    "MIT",
    "Aidos",
    "Kanapyanov",
    "OCHA",
    "UNHCR",
    "ISO",
    "HXL",
    "CSV",
    "PNG",
    "SVG",
    "HTML",
    "JSON",
    "Parquet",
    "Vega",
    "Lite",
    "HiGHS",
    "SciPy",
    "English",
}


def english_words(text: str) -> list[str]:
    """The Latin-script words in `text` that are not in PROPER, in order of appearance."""
    return [word for word in LATIN_WORD.findall(text) if word not in PROPER]
