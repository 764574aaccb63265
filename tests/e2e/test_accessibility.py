"""What a screen reader and a keyboard meet: controls named by their words alone (no icon names
read out), each chart announced by its alt text, and none of Streamlit's own chart-toolbar
shortcuts that bypass the readable table and the captioned exports."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import assert_healthy, goto, open_downloads, widget


def test_controls_are_named_by_their_words(page, server):
    goto(page, server)
    expect(widget(page, "overview-arrivals-exports").get_by_role("button", name="Download", exact=True)).to_be_visible()
    exports = open_downloads(page, "overview-arrivals")
    for name in ("PNG", "SVG", "CSV"):
        expect(exports.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Share this view", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Reset filters", exact=True)).to_be_visible()
    assert_healthy(page)


def test_each_chart_is_announced_by_its_alt_text(page, server):
    goto(page, server)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_have_attribute("role", "graphics-document")
    expect(chart).to_have_attribute("aria-label", re.compile(r"^Stacked bar chart: people per cohort"))


def test_the_chart_toolbar_keeps_only_fullscreen(page, server):
    goto(page, server)
    page.locator('[data-testid="stVegaLiteChart"]').first.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    expect(toolbar.get_by_role("button", name="Fullscreen", exact=False)).to_be_visible()
    for hidden in ("Show data", "Download as PNG", "Copy Vega-Lite spec"):
        expect(toolbar.get_by_role("button", name=hidden, exact=False)).to_be_hidden()
