"""The dashboard in Russian and Kazakh in a real browser: every page and every Present slide
shows no English outside proper names and codes, charts draw, the picker switches language and
keeps the view, a link with `lang=kk` reopens in Kazakh, and without one the browser's language
decides. Screenshots of the Overview and Present in each language go to screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import i18n
from briefing.slides import slides
from data_access import Filters
from data_access.release import Access, Release
from tests.e2e.conftest import watch
from tests.e2e.helpers import PAGES, SCREENSHOTS, assert_healthy, goto, wait_idle, widget
from tests.language import english_words

LANGUAGES = ("ru", "kk")


# What is left out of the scan, and why: text hidden from people and screen readers (Material icon
# names, which Streamlit marks aria-hidden and draws as icons), code (`python -m ...`, file names),
# and Streamlit's own skip link, whose English text its front end hard-codes (README, Languages).
READER_TEXT = """() => {
  const skip = '[aria-hidden="true"], code, pre, [data-testid="stSkipToContent"], script, style';
  const root = document.querySelector('[data-testid="stApp"]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""


def visible_text(page) -> str:
    """What a reader sees and hears: the rendered text of the page, sidebar included, and the
    charts' own text (Streamlit draws Vega-Lite charts as SVG: axis labels, legends, bar labels)."""
    return page.evaluate(READER_TEXT)


def expect_title(page, english: str, language: str) -> None:
    with i18n.use(language):
        expect(page.locator("h1").first).to_have_text(i18n._(english))


TITLES = {
    "overview": "Overview",
    "repatriations": "Repatriations",
    "progress": "Reintegration progress",
    "regions": "Regions",
    "explorer": "Data explorer",
    "about": "About the data",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_language(page, server, language):
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, english in TITLES.items():
        goto(page, server, name, f"lang={language}")
        expect_title(page, english, language)
        assert_healthy(page)
        assert english_words(visible_text(page)) == [], f"{name} in {language}"
        if name == "overview":
            page.screenshot(path=str(SCREENSHOTS / f"overview-{language}-1440x900.png"), full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slide_speaks_the_language(page, server, sample_snapshots, language):
    with i18n.use(language):
        deck = slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters())
    for number, slide in enumerate(deck, start=1):
        page.goto(f"{server}/present?lang={language}&slide={number}")
        wait_idle(page)
        expect(page.locator("h1").first).to_have_text(slide.title)
        assert_healthy(page)
        assert english_words(visible_text(page)) == [], f"slide {number} in {language}"
        if number == 1:
            page.screenshot(path=str(SCREENSHOTS / f"present-{language}-1440x900.png"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_speaks_the_language(public_page, public_server, language):
    """The public level words things its own way (hidden counts, perturbation notes)."""
    for name, english in TITLES.items():
        goto(public_page, public_server, name, f"lang={language}")
        expect_title(public_page, english, language)
        assert_healthy(public_page)
        assert english_words(visible_text(public_page)) == [], f"public {name} in {language}"


def test_the_picker_switches_language_and_keeps_the_view(page, server):
    goto(page, server, "regions", "cohort=rusafa")
    box = widget(page, "lang").locator("input").first
    box.click()
    page.get_by_role("option", name=i18n.LANGUAGES["ru"]).click()
    expect_title(page, "Regions", "ru")
    expect(page).to_have_url(re.compile(r"lang=ru"))
    expect(page).to_have_url(re.compile(r"cohort=rusafa"))
    expect(page).to_have_url(re.compile(r"/regions"))


def test_a_link_with_lang_kk_reopens_in_kazakh(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    watch(page)
    page.goto(f"{server}/{PAGES['progress']}?cohort=jusan-2&lang=kk")
    wait_idle(page)
    expect_title(page, "Reintegration progress", "kk")
    assert_healthy(page)
    context.close()


@pytest.mark.parametrize(("locale", "language"), [("ru-RU", "ru"), ("kk-KZ", "kk"), ("de-DE", "en")])
def test_without_lang_in_the_link_the_browser_language_decides(browser, server, locale, language):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
    page = context.new_page()
    page.goto(server)
    wait_idle(page)
    expect_title(page, "Overview", language)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_section_that_reruns_on_its_own_keeps_the_language(page, server, language):
    """The stuck threshold and the person table's pages rerun their own section (a fragment),
    without the page that set the language: they must go on speaking it."""
    goto(page, server, "progress", f"lang={language}&section=stuck")
    with i18n.use(language):
        label = i18n._("Flag people who have been in their current stage for more than (days)")
    slider = widget(page, "stuck_days")
    expect(slider).to_contain_text(label)
    thumb = slider.get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"stuck_days=210"))
    wait_idle(page)
    expect(slider).to_contain_text(label)
    assert english_words(visible_text(page)) == [], f"stuck section in {language} after its own rerun"

    goto(page, server, "explorer", f"lang={language}")
    page_box = page.locator('[class*="st-key-explorer-page-"] input')
    page_box.fill("2")
    page_box.press("Enter")
    wait_idle(page)
    expect(page_box).to_have_value("2")
    with i18n.use(language):
        expect(page.get_by_role("heading", name=i18n._("People"), exact=True)).to_be_visible()
    assert english_words(visible_text(page)) == [], f"person table in {language} after its own rerun"
    assert_healthy(page)
