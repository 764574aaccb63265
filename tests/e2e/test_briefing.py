"""Briefings in a real browser: every slide at projector size with the chrome hidden, chart
exports that arrive as real files, a share link that reopens the view, and the briefing pack
opened from disk with the network blocked."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playwright.sync_api import expect

from briefing.slides import slides
from data_access import Filters
from data_access import queries as q
from data_access.release import Access, Release
from tests.e2e.conftest import watch
from tests.e2e.helpers import SCREENSHOTS, assert_healthy, expect_base_n, goto, open_downloads, wait_idle, widget

PROJECTOR = {"width": 1920, "height": 1080}


def open_present(page, server: str, query: str) -> None:
    page.goto(f"{server}/present?{query}")
    wait_idle(page)
    page.locator("h1").first.wait_for()
    wait_idle(page)


@pytest.fixture
def projector(browser, server):
    """A page at 1920x1080 that blocks everything but the local server."""
    context = browser.new_context(viewport=PROJECTOR, accept_downloads=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    page = context.new_page()
    watch(page)
    yield page
    context.close()


def test_every_slide_fits_a_projector_with_the_chrome_hidden(projector, server, sample_snapshots):
    deck = slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters())
    SCREENSHOTS.mkdir(exist_ok=True)
    for number, slide in enumerate(deck, start=1):
        open_present(projector, server, f"embed=true&slide={number}")
        expect(projector.locator("h1").first).to_have_text(slide.title)
        expect(projector.locator('[data-testid="stVegaLiteChart"]').locator("canvas, svg").first).to_be_visible()
        assert_healthy(projector)
        expect(projector.locator('[data-testid="stSidebar"]')).to_be_hidden()
        expect(projector.locator('[data-testid="stMainMenu"]')).to_be_hidden()
        nav = widget(projector, "slide-nav").bounding_box()
        assert nav["y"] + nav["height"] <= PROJECTOR["height"], f"slide {number} runs off the screen"
        projector.screenshot(path=str(SCREENSHOTS / f"present-{number}-{slide.key}-1920x1080.png"))


@pytest.mark.parametrize("size", [(1440, 900), (1366, 768)], ids=["1440x900", "1366x768"])
def test_every_slide_fits_a_laptop_with_the_sidebar_open(browser, server, sample_snapshots, size):
    """A presenter rehearsing on a laptop sees the whole slide, caption and buttons included."""
    width, height = size
    deck = slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters())
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    watch(page)
    try:
        for number, slide in enumerate(deck, start=1):
            open_present(page, server, f"slide={number}")
            expect(page.locator("h1").first).to_have_text(slide.title)
            expect(page.locator('[data-testid="stVegaLiteChart"]').locator("canvas, svg").first).to_be_visible()
            assert_healthy(page)
            nav = widget(page, "slide-nav").bounding_box()
            assert nav["y"] + nav["height"] <= height, f"slide {number} runs off a {width}x{height} screen"
            page.screenshot(path=str(SCREENSHOTS / f"present-{number}-{slide.key}-{width}x{height}.png"))
    finally:
        context.close()


def test_next_goes_to_the_next_slide_and_into_the_link(projector, server, sample_snapshots):
    deck = slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters())
    open_present(projector, server, "slide=1")
    projector.get_by_role("button", name="Next").click()
    wait_idle(projector)
    expect(projector.locator("h1").first).to_have_text(deck[1].title)
    expect(projector).to_have_url(re.compile(r"slide=2"))
    projector.keyboard.press("ArrowLeft")
    wait_idle(projector)
    expect(projector.locator("h1").first).to_have_text(deck[0].title)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_a_chart_goes_to_png_svg_and_csv_from_its_download_menu(page, server):
    goto(page, server, query="cohort=jusan-2")
    exports = open_downloads(page, "overview-arrivals")
    with page.expect_download() as png_download:
        exports.get_by_role("button", name="PNG").click()
    png = png_download.value
    assert png.suggested_filename == "second-chance_overview-arrivals_jusan-2_2026-09-30.png"
    width, _ = png_size(Path(png.path()).read_bytes())
    assert width == 1920
    with page.expect_download() as svg_download:
        exports.get_by_role("button", name="SVG").click()
    svg = svg_download.value
    assert svg.suggested_filename.endswith(".svg")
    root = ET.fromstring(Path(svg.path()).read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    with page.expect_download() as csv_download:
        exports.get_by_role("button", name="CSV").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# Second Chance · Jusan-2 · n = 231 · as of 30 Sep 2026\n")
    assert_healthy(page)


def test_the_share_link_reopens_the_same_view(page, browser, server, latest):
    goto(page, server, "regions", "cohort=jusan-3&sex=female")
    wait_idle(page)
    widget(page, "share").get_by_role("button").first.click()
    code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"] code')
    expect(code).to_have_text(
        re.compile(rf"^\s*{re.escape(server)}/regions\?snapshot=2026-09-30&cohort=jusan-3&sex=female")
    )
    link = code.inner_text().strip()
    expect(page.locator('[data-testid="stPopoverBody"]')).to_contain_text("Jusan-3 · female")

    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
    other = fresh.new_page()
    watch(other)
    other.goto(link)
    wait_idle(other)
    expect(other.get_by_role("heading", name="Regions")).to_be_visible()
    expect_base_n(other, q.base_n(latest, Filters(cohort=("jusan-3",), sex=("female",))))
    fresh.close()


def test_the_briefing_pack_opens_offline_and_draws_every_chart(projector, browser, server, tmp_path, sample_snapshots):
    deck = slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters(cohort=("jusan-2",)))
    open_present(projector, server, "cohort=jusan-2")
    with projector.expect_download(timeout=60_000) as download_info:
        projector.get_by_role("button", name="Briefing pack (HTML)").click()
    download = download_info.value
    assert download.suggested_filename == "second-chance_briefing_jusan-2_2026-09-30.html"
    pack = tmp_path / download.suggested_filename
    download.save_as(pack)

    offline = browser.new_context(viewport={"width": 1280, "height": 900})
    requests = []

    def refuse(route):
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    offline.route("**/*", refuse)
    reader = offline.new_page()
    watch(reader)
    reader.goto(pack.as_uri())
    charts = reader.locator(".chart")
    expect(charts).to_have_count(len(deck))
    for i in range(len(deck)):
        expect(charts.nth(i).locator("svg").first).to_be_visible(timeout=15_000)
        expect(charts.nth(i)).not_to_contain_text("could not be drawn")
    expect(reader.locator("h2").filter(has_text="Methodology")).to_have_count(1)
    for slide in deck:
        expect(reader.locator(f"#{slide.key} .caption")).to_have_text(slide.caption)
    assert reader.console_errors == [], reader.console_errors
    assert [url for url in requests if not url.startswith("file://")] == []
    reader.screenshot(path=str(SCREENSHOTS / "briefing-pack.png"), full_page=True)
    printed = reader.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page\b", printed))
    assert pages >= len(deck) + 1, f"printing should give a page per slide and the methodology, got {pages}"
    offline.close()


def test_tables_offer_no_csv_that_bypasses_neutralisation(page, server):
    goto(page, server, "explorer")
    page.locator('[data-testid="stDataFrame"]').first.hover()
    expect(page.get_by_role("button", name="Search").first).to_be_visible()
    expect(page.locator('button[aria-label="Download as CSV"]').first).to_be_hidden()
