"""Snapshots whose manifest is correct (re-signed: every size and checksum matches) and whose
content is hostile or merely unusual (tests/hostile.py, issue 20), through the dashboard:

- each case has exactly its outcome: unavailable with its reasons in the sidebar, or loaded with
  the notices About lists;
- markup in every text column of the reference tables and every text field of the manifest
  acts on no page and no slide, in English, Russian and Kazakh;
- no file outside the snapshot folder is opened, and nothing from one shows.
"""

from __future__ import annotations

import os
import re
import sys

import pytest
from streamlit.testing.v1 import AppTest

from data_access.catalogue import ROOT_VARIABLE
from data_access.problems import Problem
from tests import hostile
from tests.app.helpers import PRESENT, VIEWS, assert_page_ok, open_app, switch
from tests.app.test_broken_snapshots import unavailable
from ui.context import RESCAN_VARIABLE
from ui.text import escape

OPENED: list[str] = []
_recording = False


def _audit(event: str, args: tuple) -> None:
    if _recording and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    global _recording
    root = hostile.build_root(tmp_path_factory.mktemp("hostile") / "snapshots")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_VARIABLE, str(root))
        patch.setenv(RESCAN_VARIABLE, "0")
        _recording = True
        yield root
        _recording = False


@pytest.fixture(scope="module")
def app(root) -> AppTest:
    return open_app(snapshot=hostile.GOOD)


def test_the_good_snapshot_still_opens(app):
    assert_page_ok(app)
    assert next(s for s in app.sidebar.selectbox if s.key == "snapshot").value == hostile.GOOD


@pytest.mark.parametrize("case", hostile.FATAL, ids=lambda c: c.name)
def test_a_refused_case_is_listed_with_exactly_its_reasons(app, case):
    # The zero-width space that keeps an address in a reason from becoming a link is not seen.
    assert unavailable(app)[case.id].replace("\u200b", "") == "; ".join(case.errors)


def test_no_refused_case_is_offered(app):
    offered = next(s for s in app.sidebar.selectbox if s.key == "snapshot").options
    assert not any(case.id in option for case in hostile.FATAL for option in offered)


def shown_notices(at: AppTest) -> tuple[str, ...]:
    """The About page's table of what was converted, read back into the loader's sentences."""
    tables = [df.value for df in at.dataframe if list(df.value.columns) == ["file", "column", "what the loader did"]]
    if not tables:
        return ()
    return tuple(
        str(Problem("notice", row["file"], row["what the loader did"], row["column"]))
        for _, row in tables[0].iterrows()
    )


@pytest.mark.parametrize("case", hostile.SURVIVABLE, ids=lambda c: c.name)
def test_a_readable_case_loads_with_exactly_its_notices(root, case):
    at = open_app("about", snapshot=case.id)
    assert_page_ok(at, "about")
    assert next(s for s in at.sidebar.selectbox if s.key == "snapshot").value == case.id
    assert at.success[0].value == "The snapshot passed every check of the data contract."
    assert shown_notices(at) == case.notices
    if case.notices:
        count = len(case.notices)
        assert any(c.value.startswith(f"{count} column") for c in at.caption)


def test_long_notes_are_cut_with_what_was_left_out(root):
    at = open_app("about", snapshot="2022-06-30-long-notes-and-many-cohorts")
    notes = next(m.value for m in at.markdown if m.value.startswith("- A long note"))
    lines = notes.split("\n")
    assert len(lines) == 21
    more = len(hostile.LONG_NOTE) - 1_000
    assert lines[0] == "- " + escape(hostile.LONG_NOTE[:1_000]) + f" … and {more:,} more characters"
    assert lines[-1] == "- and 20 more notes"
    assert len(notes) < 3_000


def test_nothing_outside_the_snapshot_folder_was_opened_or_shown(root, app):
    for page in VIEWS:
        switch(app, page).run()
        assert not any(hostile.OUTSIDE_COHORT in text for _kind, _field, text in strings(app))
    assert OPENED, "the audit hook saw no file opened: it is not recording"
    assert hostile.opened_outside(OPENED, root) == []


# --- markup from data, on every page and slide, in every language ---------------------------------

MARKDOWN_FIELDS = {"body", "label", "help", "caption", "placeholder"}
PLAIN_KINDS = {"code", "text"}
"""Elements that show their text as it is (no Markdown)."""


def _string_fields(message, path=""):
    for field, value in message.ListFields():
        values = list(value) if hasattr(value, "__len__") and not isinstance(value, str | bytes) else [value]
        if field.type == field.TYPE_MESSAGE:
            for item in values:
                if hasattr(item, "ListFields"):
                    yield from _string_fields(item, f"{path}{field.name}.")
        elif field.type == field.TYPE_STRING:
            for item in values:
                yield f"{path}{field.name}", item


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def strings(at: AppTest):
    """(element kind, field, text) of every text field of every element and block on screen,
    st.table cells included."""
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        for field, text in _string_fields(proto):
            yield node.type, field, text
    for table in at.table:
        for value in table.value.to_numpy().ravel():
            yield "table", "cell", str(value)
        for value in table.value.columns:
            yield "table", "column", str(value)


ACTIVE_IN_MARKDOWN = re.compile("|".join(rf"(?<!\\){re.escape(part)}" for part in (*hostile.ACTIVE, "http://127")))
"""A part of the markup not escaped (a backslash before it makes Markdown show it as typed)."""


def acting(at: AppTest) -> list[tuple[str, str, str]]:
    """Text from the hostile snapshot that would act as markup where it is shown."""
    found = []
    for kind, field, text in strings(at):
        name = field.rsplit(".", 1)[-1]
        if kind == "html" and "<img" in text:
            found.append((kind, field, text[:160]))
        elif kind in ("table",) or (name in MARKDOWN_FIELDS and kind not in PLAIN_KINDS and kind != "html"):
            outside_code = re.sub(r"`[^`]*`", "", text)
            if ACTIVE_IN_MARKDOWN.search(outside_code):
                found.append((kind, field, text[:160]))
    return found


LANGUAGES = {
    "en": ("name0", "name_en0", "label0", "notes", "source", "country"),
    "ru": ("name_ru0", "name_ru1", "label_ru0", "notes_ru", "source", "country"),
    "kk": ("name_kk0", "name_kk1", "label_kk0", "notes_kk", "source", "country"),
}
"""The tags of hostile texts each language must show somewhere (so the check is not vacuous)."""
MARKUP_ID = "2022-09-30-markup-everywhere"


def tags(at: AppTest, lang: str) -> set[str]:
    """Which of the language's hostile texts the screen shows (as text or escaped for Markdown)."""
    shown = [text for _kind, _field, text in strings(at)]
    return {tag for tag in LANGUAGES[lang] if any(f"{tag} " in t or f"{escape(tag)} " in t for t in shown)}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_markup_from_data_acts_on_no_page_and_no_slide(root, lang):
    at = open_app(snapshot=MARKUP_ID, cohort="c1", region="KZ-47", lang=lang)
    seen = set()
    slides = 0
    for page in [*VIEWS, PRESENT]:
        switch(at, page).run()
        assert_page_ok(at, page)
        assert acting(at) == [], (lang, page)
        seen |= tags(at, lang)
    while True:  # every slide, with Next
        slides += 1
        assert acting(at) == [], (lang, "slide", slides)
        seen |= tags(at, lang)
        following = next(b for b in at.button if b.label in ("Next", "Далее", "Келесі"))
        if following.disabled:
            break
        following.click().run()
        assert_page_ok(at, PRESENT)
    assert slides == 6
    assert seen == set(LANGUAGES[lang])
