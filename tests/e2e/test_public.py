"""The dashboard at the public access level in a real browser: every page works on the public
sample, the level is on every page, no person id reaches the browser, and a link cannot raise
the level."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PAGES, SCREENSHOTS, assert_healthy, goto

ROOT = Path(__file__).resolve().parents[2]


def person_ids() -> set[str]:
    ids: set[str] = set()
    for folder in ("snapshots", "public"):
        for people in (ROOT / "sample_data" / folder).glob("*/people.parquet"):
            ids |= set(pq.read_table(people, columns=["person_id"]).column("person_id").to_pylist())
    return ids


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_works_in_public_mode_and_shows_no_person_id(public_page, public_server, name):
    page = public_page
    goto(page, public_server, name)
    expect(
        page.locator('[data-testid="stMain"]').get_by_text("Public · disclosure-controlled aggregates").first
    ).to_be_visible()
    if name != "about":
        expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    assert_healthy(page)
    text = page.locator('[data-testid="stApp"]').inner_text()
    html = page.content()
    ids = person_ids()
    leaked = [t for t in set(re.findall(r"[A-Za-z0-9_-]{3,}", text + html)) if t in ids]
    assert not leaked, leaked[:5]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"public_{name}.png"), full_page=True)


def test_a_link_cannot_raise_the_access_level(public_page, public_server):
    goto(public_page, public_server, "explorer", "access=restricted&access_level=restricted")
    expect(public_page.get_by_text("Person-level rows are not available at the public access level")).to_be_visible()
    expect(
        public_page.locator('[data-testid="stMain"]').get_by_text("Public · disclosure-controlled aggregates").first
    ).to_be_visible()
    assert_healthy(public_page)


def test_a_withheld_count_reaches_a_screen_reader_as_its_text(public_page, public_server):
    """The region comparison's grid draws on a canvas; what a screen reader gets is its hidden
    table. A withheld count there reads as its text, "not shown" for Jusan-1's outcomes in
    regions under 20 people (it was an empty cell while the count went as a missing number, and
    the canvas drew "None")."""
    goto(public_page, public_server, "regions", "cohort=jusan-1")
    cells = public_page.locator('[data-testid="stDataFrame"]').first.locator("td")
    expect(cells.filter(has_text=re.compile(r"^not shown$")).first).to_be_attached()
    assert_healthy(public_page)
