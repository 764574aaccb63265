"""Every broken snapshot of tests/broken.py, side by side with a good one, through the dashboard:
the broken ones are listed as unavailable with exactly their reasons (or load with the warnings
listed), the good one keeps working, labels from data never act as Markdown or HTML, and nothing
under the snapshot folder is written.

The folders are made read-only for the whole module. Tests run as root here, and permission
bits do not stop root, so the whole tree (names, sizes, modes, mtimes, SHA-256) is also compared
before and after."""

from __future__ import annotations

import hashlib
import logging
import re
import stat
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access.catalogue import ROOT_VARIABLE
from data_access.problems import Problem
from tests import broken
from tests.app.helpers import VIEWS, assert_page_ok, metrics, open_app, switch, unescape
from ui import context
from ui.context import RESCAN_VARIABLE
from ui.text import escape


def tree(root: Path) -> dict[str, tuple]:
    """Every file and folder under `root` (hidden ones too) with what a write would change."""
    listing = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        listing[str(path.relative_to(root))] = (stat.S_IMODE(info.st_mode), info.st_size, info.st_mtime_ns, digest)
    return listing


def set_read_only(root: Path, read_only: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555 if read_only else 0o755)
        else:
            path.chmod(0o444 if read_only else 0o644)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = broken.build_root(tmp_path_factory.mktemp("broken") / "snapshots")
    set_read_only(root, True)
    before = tree(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_VARIABLE, str(root))
        patch.setenv(RESCAN_VARIABLE, "0")
        yield root, before
    set_read_only(root, False)


@pytest.fixture(scope="module")
def app(root) -> AppTest:
    return open_app()


def unavailable(at: AppTest) -> dict[str, str]:
    """The sidebar's list of unavailable snapshots as a person reads it: id -> reasons."""
    listed = {}
    for caption in at.sidebar.caption:
        match = re.match(r"^\*\*(.+?)\*\*: (.*)$", caption.value, re.S)
        if match:
            listed[unescape(match[1])] = unescape(match[2])
    return listed


def test_the_good_snapshot_opens_and_works(app):
    assert_page_ok(app)
    assert metrics(app)["People who returned"] == "6"
    picker = next(s for s in app.sidebar.selectbox if s.key == "snapshot")
    assert picker.value == broken.GOOD
    assert picker.options == [f"30 Jun 2022 ({broken.GOOD}) — latest"] + [
        f"30 Jun 2022 ({case.id})" for case in sorted(broken.SURVIVABLE, key=lambda c: c.id)
    ]


def test_every_fatal_case_is_listed_and_none_is_offered(app):
    assert sorted(unavailable(app)) == sorted(case.id for case in broken.CASES)
    assert next(e for e in app.sidebar.expander).label == f"{len(broken.CASES)} snapshots unavailable"


@pytest.mark.parametrize("case", broken.CASES, ids=lambda c: c.name)
def test_a_fatal_case_shows_exactly_its_reasons(app, root, case):
    folder = root[0] / case.id
    assert unavailable(app)[case.id] == "; ".join(case.expected_errors(folder))


def shown_warnings(at: AppTest) -> tuple[str, ...]:
    """The About page's validation table, read back into the sentences the loader wrote."""
    table = next(df.value for df in at.dataframe if "what the loader did" in df.value.columns)
    return tuple(
        str(Problem("warning", row["file"], row["what the loader did"], row["column"], row["rows"], row["example"]))
        for _, row in table.iterrows()
    )


@pytest.mark.parametrize("case", [c for c in broken.SURVIVABLE if c.warnings], ids=lambda c: c.name)
def test_a_survivable_case_loads_with_its_warnings_listed(root, case):
    at = open_app("about", snapshot=case.id)
    assert_page_ok(at, "about")
    assert next(s for s in at.sidebar.selectbox if s.key == "snapshot").value == case.id
    count = len(case.warnings)
    warnings = "warning" if count == 1 else "warnings"
    assert at.warning[0].value == f"{count} {warnings} while loading; the figures leave out what is listed here."
    assert any(c.value.startswith(f"⚠️ Loaded with {count} {warnings}:") for c in at.sidebar.caption)
    assert shown_warnings(at) == case.warnings


LABEL_CASES = [c for c in broken.SURVIVABLE if c.labels]
# Markup that would act if it reached Markdown unescaped, and a right-to-left override.
RAW_MARKUP = re.compile(r"(?<!\\)<(script|img|b>)|(?<!\\)\]\(http|https?:/|www\.|\u202e")
CODE_SPAN = re.compile(r"(?<!\\)`[^`]*`")
"""A code span: it opens with a backtick not escaped (`ui.text.escape` escapes a label's)."""
TEXT_ELEMENTS = ("markdown", "caption", "info", "warning", "error", "success", "toast", "title", "subheader")


def texts(at: AppTest) -> list[str]:
    return [element.value for kind in TEXT_ELEMENTS for element in at.get(kind)]


@pytest.mark.parametrize("case", LABEL_CASES, ids=lambda c: c.name)
def test_hostile_labels_are_shown_as_text_on_every_page(root, case):
    at = open_app(snapshot=case.id, cohort="c1")
    label = case.labels["cohort"]
    cohort = next(w for w in at.sidebar.multiselect if w.key == "cohort")
    assert cohort.format_func("c1") == f"{label} (4)"
    for page in VIEWS:
        switch(at, page).run()
        assert_page_ok(at, page)
        for text in texts(at):
            # A code span (`ui.text.code`: no backtick left inside to end it) shows its text as typed.
            assert not RAW_MARKUP.search(CODE_SPAN.sub("", text)), (page, text[:200])
        base = next(m.value for m in at.markdown if " people · " in m.value)
        assert f"**4** people · {escape(label)} · as of 30 Jun 2022" == base, page


def test_manifest_values_are_escaped_in_the_about_facts(root):
    case = next(c for c in LABEL_CASES if c.name == "html-and-script")
    at = open_app("about", snapshot=case.id)
    facts = next(m.value for m in at.markdown if m.value.startswith("- **Snapshot**"))
    # Shown as a code span: Markdown shows it as written, and no backtick is left to end the span.
    assert f"\n- **Made by**: `{broken.SCRIPT}`\n" in facts
    assert broken.SCRIPT == "<script>alert('x')</script>"
    assert any(escape(broken.HTML) in text for text in texts(at))


def test_manifest_fields_without_words_read_not_stated_on_the_about_page(monkeypatch, tmp_path):
    """A manifest may hold null, a number or text where words or yes/no belong: the facts say
    "not stated", never "None", "nan" or "True"."""
    broken.write(tmp_path / "2022-06-30", country=None, source=float("nan"), synthetic="false")
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    at = open_app("about")
    assert_page_ok(at, "about")
    facts = next(m.value for m in at.markdown if m.value.startswith("- **Snapshot**"))
    for fact in ("Country", "Synthetic", "Made by"):
        assert f"- **{fact}**: not stated" in facts.splitlines(), facts
    assert not re.search(r"\b(None|nan|NaN|True|False)\b", facts), facts


def test_an_unexpected_error_while_loading_sets_the_snapshot_aside(monkeypatch, tmp_path, caplog):
    broken.write(tmp_path / "2022-06-30")
    broken.write(tmp_path / "2022-12-31", as_of="2022-12-31")
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    real = context.load_snapshot

    def flaky(path, *args):
        if str(path).endswith("2022-12-31"):
            raise ZeroDivisionError("a loader bug")
        return real(path, *args)

    monkeypatch.setattr("ui.context.load_snapshot", flaky)
    with caplog.at_level(logging.INFO, logger="second_chance"):
        at = open_app()
    assert_page_ok(at)
    assert metrics(at)["People who returned"] == "6"
    reason = unavailable(at)["2022-12-31"]
    reference = re.fullmatch(
        r"snapshot: could not be loaded because of an unexpected error \(reference (\w{8}) in the server log\)", reason
    )[1]
    logged = next(r for r in caplog.records if reference in r.getMessage())
    assert logged.exc_info[0] is ZeroDivisionError


def test_an_exception_in_a_page_becomes_a_message_and_a_logged_traceback(monkeypatch, caplog):
    def fail(*args, **kwargs):
        raise RuntimeError("boom from a query")

    monkeypatch.setattr("data_access.queries.headline", fail)
    monkeypatch.setattr("data_access.results.RESULT_CACHE_SIZE", 0)  # no headline remembered from before
    with caplog.at_level(logging.INFO, logger="second_chance"):
        at = open_app()
    assert not at.exception
    [message] = at.error
    assert message.value.startswith("**Something went wrong while drawing this page.** Your data is safe")
    reference = re.search(r"quote reference \*\*(\w{8})\*\*", message.value)[1]
    logged = next(r for r in caplog.records if r.name == "second_chance.page")
    assert logged.getMessage() == f"page failed (reference {reference})"
    assert "boom from a query" in str(logged.exc_info[1])
    assert not any("RuntimeError" in text or "Traceback" in text for text in texts(at))


def test_streamlit_never_shows_tracebacks_in_the_browser():
    config = (Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text()
    assert re.search(r'^showErrorDetails = "none"$', config, re.M)


def test_zz_nothing_was_written_under_the_snapshot_folder(root, app):
    """Last in this module: by now every case has been scanned, loaded or rejected, and shown."""
    folder, before = root
    assert tree(folder) == before
