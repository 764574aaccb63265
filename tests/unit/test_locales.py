"""The catalogues and the formats: every text the code asks to translate has a Russian and a
Kazakh translation with the same placeholders, plural forms follow each language's rules, and
numbers and dates read as each language writes them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import i18n
from data_access import Filters, load_snapshot
from i18n import catalogues, ngettext
from i18n import format as fmt

LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


@pytest.fixture(scope="module")
def template():
    return catalogues.template()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_the_code_uses_is_translated(template, language):
    catalog = catalogues.read(language)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or not catalogues._translated(found):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{len(missing)} text(s) without a {language} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in catalogues.read(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = catalogues.placeholders(ids[0]) | catalogues.placeholders(ids[-1])
        for string in filter(None, strings):
            found = catalogues.placeholders(string)
            # A plural form may leave out {n} (Kazakh and Russian say "one" in words), never add one.
            if not found <= expected or (expected - found) - {"n"}:
                wrong.append((ids[0], string))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_the_language(language):
    catalog = catalogues.read(language)
    assert catalog.num_plurals == {"ru": 3, "kk": 2}[language]
    for message in catalog:
        if isinstance(message.id, tuple) and message.string:
            assert len(message.string) == catalog.num_plurals, message.id


def test_russian_has_three_plural_forms():
    with i18n.use("ru"):
        forms = [ngettext("{n} person", "{n} people", n).format(n=n) for n in (1, 2, 5, 21)]
    assert forms == ["1 человек", "2 человека", "5 человек", "21 человек"]


@pytest.mark.parametrize(
    ("language", "day", "month", "number", "decimal", "share"),
    [
        ("en", "30 Sep 2026", "Sep 2026", "1,234", "0.67", "44%"),
        ("ru", "30 сент. 2026\u202fг.", "сент. 2026\u202fг.", "1\xa0234", "0,67", "44\xa0%"),
        ("kk", "2026\u202fж. 30 қыр.", "2026\u202fж. қыр.", "1\xa0234", "0,67", "44%"),
    ],
)
def test_formats_follow_the_language(language, day, month, number, decimal, share):
    with i18n.use(language):
        assert fmt.date(dt.date(2026, 9, 30)) == day
        assert fmt.month(dt.date(2026, 9, 1)) == month
        assert fmt.count(1234) == number
        assert fmt.number(2 / 3, 2) == decimal
        assert fmt.share(44, 100) == share
        assert fmt.count_or_hidden(None, 5) == "<5"
        assert fmt.count(float("nan")) == fmt.date(None) == fmt.MISSING


def test_the_language_comes_from_the_link_then_the_browser():
    assert i18n.choose("kk", "en-US") == "kk"
    assert i18n.choose(None, "ru-RU") == "ru"
    assert i18n.choose("xx", "kk") == "kk"
    assert i18n.choose("<script>", "de-DE") == "en"


def test_the_extractor_finds_every_meaning_in_the_data_contract(template):
    """The data dictionary shows each column's meaning in the reader's language. Babel's extractor
    once missed every column inside a `Table(...)` call it was also told to read, so the catalogue
    is checked against the contract itself, not against what the extractor happened to find."""
    from data_access import contract

    found = {message.id for message in template}
    meanings = {column.meaning for table in contract.TABLES_BY_NAME.values() for column in table.columns}
    meanings |= {field.meaning for field in contract.MANIFEST_FIELDS}
    assert sorted(meanings - found) == []


@pytest.mark.parametrize("level", ["restricted", "public"])
def test_downloads_keep_their_columns_and_figures_in_every_language(sample_snapshots, level):
    """An analyst's script reads a CSV a colleague downloaded in Russian: the same columns and
    the same figures; only the names and words (`*_label`, `*_name`, `*_text`) and the notes are in the language."""
    from data_access import export
    from data_access.release import Access, Release
    from tests.unit.test_release import PUBLIC_ROOT, TABLES

    snapshot = load_snapshot(PUBLIC_ROOT / "2026-09-30") if level == "public" else sample_snapshots[0]
    filters = Filters(cohort=("jusan-2", "jusan-3"))
    tables = {}
    for code in i18n.LANGUAGES:
        with i18n.use(code):
            release = Release(snapshot, Access(level))
            tables[code] = {name: getattr(release, name)(filters, *args) for name, (args, _c) in TABLES.items()}
    for name in TABLES:
        english = tables["en"][name]
        for code in LANGUAGES:
            other = tables[code][name]
            assert list(other.columns) == list(english.columns), (name, code)
            codes_and_figures = [c for c in english.columns if not c.endswith(("_label", "_name", "_text"))]
            pd.testing.assert_frame_equal(other[codes_and_figures], english[codes_and_figures], obj=f"{name} {code}")
            header = export.csv_text(other).splitlines()[0]
            assert header == export.csv_text(english).splitlines()[0]
    with i18n.use("kk"):
        name = export.file_name("overview-arrivals", filters.codes(), snapshot.as_of, "csv")
    assert name.isascii() and name == "second-chance_overview-arrivals_jusan-2-jusan-3_2026-09-30.csv"


def test_a_share_and_a_half_year_at_their_edges():
    """99 of 100 is 99%, 199 of 200 rounds to 100% and is said as over 99% (never 100% of a part);
    June ends the first half-year, July starts the second."""
    assert fmt.share(99, 100) == "99%" and fmt.share(199, 200) == "over 99%"
    assert fmt.half_year(dt.date(2019, 6, 30)) == "H1 2019" and fmt.half_year(dt.date(2019, 7, 1)) == "H2 2019"
