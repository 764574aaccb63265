"""Every page at both access levels, at a laptop (1440x900), a projector (1920x1080) and a phone
(390x844), and every Present slide: each is drawn whole, nothing overflows sideways on the phone,
and each is saved to screenshots/ to be looked at (`screenshots/<level>-<page>-<size>.png`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import watch
from tests.e2e.helpers import PAGES, SCREENSHOTS, assert_healthy, wait_idle

SIZES = {"laptop": (1440, 900), "projector": (1920, 1080), "phone": (390, 844)}
LEVELS = ("restricted", "public")

# Widths that overflow their container, worst first; empty when nothing sticks out. Measured on
# the page's own scroller (Streamlit's main section) and the document, as a phone user scrolls.
OVERFLOW = """() => {
  const out = [];
  for (const el of [document.documentElement, document.querySelector('[data-testid="stMain"]')]) {
    if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${el.dataset.testid || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  const main = document.querySelector('[data-testid="stMain"]');
  const right = main ? main.getBoundingClientRect().right : window.innerWidth;
  for (const el of document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"], [data-testid="stMain"] [data-testid="stElementContainer"]')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > right + 1) out.push(`${el.dataset.testid} ${Math.round(box.right - right)} px past the edge`);
  }
  // A row of options that scrolls inside itself hides its last ones off the screen just the same.
  for (const el of document.querySelectorAll('[data-testid="stMain"] [data-testid="stButtonGroup"]')) {
    for (const row of [el, ...el.querySelectorAll('*')]) {
      if (row.clientWidth > 0 && row.scrollWidth > row.clientWidth + 1) {
        out.push(`stButtonGroup scrolls: ${row.scrollWidth} > ${row.clientWidth}`);
        break;
      }
    }
  }
  return out;
}"""


def _context(browser, url: str, size: tuple[int, int]):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=width < 500, has_touch=width < 500
    )
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    page = context.new_page()
    watch(page)
    return context, page


def shoot(page, name: str, size: tuple[int, int]) -> None:
    """Save the whole page, not only the viewport: Streamlit scrolls inside its main section, so
    the window is made as tall as that section's content for the picture, then put back."""
    width, height = size
    tall = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, min(tall, 12_000))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}x{height}.png"))
    page.set_viewport_size({"width": width, "height": height})


def _open(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.locator("h1").first.wait_for()
    wait_idle(page)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("level", LEVELS)
def test_every_page_fits_and_is_saved(browser, server, public_server, level, size):
    url = public_server if level == "public" else server
    context, page = _context(browser, url, SIZES[size])
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        for name, path in PAGES.items():
            _open(page, f"{url}/{path}")
            if name != "about":
                expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
            assert_healthy(page)
            if size == "phone":
                assert page.evaluate(OVERFLOW) == [], f"{level} {name} overflows at 390 px"
            shoot(page, f"{level}-{name}", SIZES[size])
    finally:
        context.close()
