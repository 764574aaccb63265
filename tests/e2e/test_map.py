"""The Regions map in a real browser: 20 region paths, a click on Mangystau filters every page,
the public map shows no count from 1 to 4, the PNG export is an image and the briefing pack
draws the map with no network."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from data_access.filters import Filters
from data_access.queries import select
from tests.e2e.helpers import assert_healthy, expect_base_n, goto, open_downloads, wait_idle, widget
from tests.e2e.test_briefing import png_size

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def region_paths(page):
    """The map's region shapes, as a screen reader meets them (each names its region)."""
    return page.locator('.st-key-regions-map path[role="graphics-symbol"][aria-label]')


def test_the_map_draws_20_regions_and_a_click_filters_every_page(page, server, latest):
    goto(page, server, "regions")
    expect(region_paths(page)).to_have_count(20)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator(".st-key-regions-map").screenshot(path=str(SCREENSHOTS / "regions-map-restricted.png"))
    mangystau = select(latest, Filters(region=("KZ-47",))).total()
    page.locator('.st-key-regions-map [aria-label^="Mangystau: "]').first.click()
    wait_idle(page)
    expect_base_n(page, mangystau)
    expect(widget(page, "region")).to_contain_text("Mangystau")
    expect(page).to_have_url(re.compile(r"region=KZ-47"))
    assert_healthy(page)
    for title in ("Overview", "Repatriations", "Reintegration progress", "Data explorer"):
        page.get_by_role("link", name=title).first.click()
        wait_idle(page)
        expect_base_n(page, mangystau)
        expect(page).to_have_url(re.compile(r"region=KZ-47"))


def test_the_public_map_shows_released_values_only(public_page, public_server):
    goto(public_page, public_server, "regions")
    expect(region_paths(public_page)).to_have_count(20)
    public_page.locator(".st-key-regions-map").screenshot(path=str(SCREENSHOTS / "regions-map-public.png"))
    # Every label's last word is its value: a number, "<5" or "<10", or "–" for none.
    labels = public_page.locator(".st-key-regions-map g.mark-text.role-mark text").evaluate_all(
        "texts => texts.map(t => [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') || t.textContent)"
    )
    last_words = [label.split()[-1] for label in labels]
    assert len(labels) == 2 * 20, labels  # each label twice: its white outline, then the text
    numbers = [int(word.replace(",", "")) for word in last_words if re.fullmatch(r"[\d,]+", word)]
    assert len(numbers) >= 2 * 17 and not [n for n in numbers if 1 <= n <= 4], last_words
    assert "<5" in last_words
    expect(public_page.locator('.st-key-regions-map [aria-label="Abai: People placed <5"]')).to_have_count(1)
    assert_healthy(public_page)


def test_the_map_exports_to_png(page, server):
    goto(page, server, "regions")
    expect(region_paths(page)).to_have_count(20)
    exports = open_downloads(page, "regions-map")
    with page.expect_download() as png_download:
        exports.get_by_role("button", name="PNG").click()
    data = Path(png_download.value.path()).read_bytes()
    width, height = png_size(data)
    assert width == 1920 and height > 400
