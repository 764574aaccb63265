"""What every AppTest shares: opening the app on a page with a link's parameters, and the one
check that a page really worked (`assert_page_ok`).

A page failure never reaches `at.exception`: the error boundary turns it into an error box, and a
too-small or empty selection into an info box. So "no exception" alone passes on a broken page;
`assert_page_ok` also asks for no error box and for what the page must show."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import i18n
from app_pages import PAGES as PAGES_OF_THE_APP
from app_pages import progress

ROOT = Path(__file__).resolve().parents[2]
PAGE_TITLES = {url_path: title for _s, _m, title, url_path, _i in PAGES_OF_THE_APP if url_path != "present"}
PAGES = list(PAGE_TITLES)
PRESENT = "present"
VIEWS = [
    *(page for page in PAGES if page != "progress"),
    *(f"progress?section={part}" for part in progress.SECTIONS),
]
"""Everything a reader can put on screen: every page, and each section of a page that has
sections ("progress?section=scores"); `open_app`, `switch` and `assert_page_ok` take either."""
BASE_LINE = re.compile(r"^\*\*([\d,]+\*\* (people|person)|Selection too small to show\*\*) · ")
ANY_BASE_LINE = re.compile(r"^\*\*[^*]+\*\*[^·]* · ")
"""The base line in any language: the figure (or why not) in bold, then the selection."""


def open_app(page: str | None = None, **params) -> AppTest:
    page, own = _view(page)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {**params, **own}.items():
        at.query_params[key] = value
    at.run()
    if page and page != PAGES[0]:
        switch(at, page).run()
    return at


def _view(view: str | None) -> tuple[str | None, dict[str, str]]:
    """ "progress?section=scores" -> ("progress", {"section": "scores"})."""
    if view is None:
        return None, {}
    page, _, query = view.partition("?")
    return page, dict(parse_qsl(query))


def switch(at: AppTest, page: str) -> AppTest:
    """Go to the page at `/<page>` (its URL path), as a deep link does. The pages are callables
    handed their view (`app.navigation`), which `AppTest.switch_page` cannot name (it takes page
    files), so this sets the page hash `st.navigation` looks pages up by: `calc_hash(url_path)`.
    `assert_page_ok` checks the title, so a wrong page fails the test. A view's section
    ("progress?section=scores") is chosen as a reader's click chooses it."""
    page, own = _view(page)
    at._page_hash = calc_hash(page)
    for key, value in own.items():
        at.session_state[key] = value
    return at


def open_tables(at: AppTest) -> AppTest:
    """Open every chart's "Show data" expander (their tables are built only while open) and rerun."""
    for key in [k for k in at.session_state if str(k).endswith("-data")]:
        at.session_state[key] = True
    return at.run()


def assert_page_ok(at: AppTest, page: str = PAGES[0]) -> None:
    """`page` ran to its end: no exception, no error box (the error boundary's message included),
    its title, and under it the line with the base n (or "Selection too small to show").
    A slide of the Present page has no base line: its title and its chart instead."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    page, own = _view(page)
    for key, value in own.items():
        assert at.session_state[key] == value, f"{page}: {key} is {at.session_state[key]!r}, not {value!r}"
    titles = [t.value for t in at.title]
    if page == PRESENT:
        assert titles, "the slide has no title"
        assert charts(at), "the slide draws no chart"
        return
    language = at.session_state.get("lang", "en") if "lang" in at.session_state else "en"
    with i18n.use(language):
        title = i18n._(PAGE_TITLES[page])
    assert title in titles, f"{page}: title {title!r} not among {titles}"
    line = BASE_LINE if language == "en" else ANY_BASE_LINE
    assert any(line.match(m.value) for m in at.markdown), f"{page}: no line with the base n"


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def unescape(markdown: str) -> str:
    """Text as a person reads it: Markdown backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def base_line(at: AppTest) -> str:
    """The line under each page title with n and the selection, Markdown escapes removed."""
    line = next(m.value for m in at.markdown if re.match(r"^\*\*[\d,]+\*\* (people|person) · ", m.value))
    return unescape(line)


def shown_table(element) -> pd.DataFrame:
    """A st.dataframe as the reader sees it: each cell's display text (the Styler's, where the
    page formats the table: "1,234", "<5", "—", "7 Feb 2020"), under the column labels shown."""
    proto = element.proto.arrow_data
    frame = element.value
    if proto.styler.display_values:
        frame = pa.ipc.open_stream(proto.styler.display_values).read_all().to_pandas()
        frame = frame.set_axis(element.value.columns, axis=1)
    config = json.loads(element.proto.columns or "{}")
    return frame.rename(columns={c: config.get(c, {}).get("label", c) for c in frame.columns})
