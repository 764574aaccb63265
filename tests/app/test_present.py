"""Presentation mode, the share link and the export buttons through AppTest."""

from __future__ import annotations

import pytest

from briefing.slides import slides
from data_access import Filters
from data_access.release import Access, Release
from tests.app.helpers import PRESENT, assert_page_ok, charts, open_app, switch
from ui.text import escape


def present(**params):
    at = open_app(**params)
    return switch(at, PRESENT).run()


@pytest.fixture(scope="module")
def deck(sample_snapshots):
    return slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters())


def test_every_slide_renders_with_its_message_chart_and_caption(deck):
    at = present()
    for number, slide in enumerate(deck, start=1):
        at.query_params["slide"] = str(number)
        at.run()
        assert_page_ok(at, PRESENT)
        assert [t.value for t in at.title] == [escape(slide.title)]  # text from data, escaped
        (chart,) = charts(at)
        assert chart.proto.alt == slide.figure.alt
        assert any(slide.caption in h.proto.body for h in at.get("html"))
        assert at.query_params["slide"] == str(number)


def test_next_and_previous_move_through_the_slides_and_the_url(deck):
    at = present()
    assert at.query_params["slide"] == "1"
    previous, following = (b for b in at.button if b.label in ("Previous", "Next"))
    assert previous.disabled and not following.disabled
    following.click().run()
    assert at.query_params["slide"] == "2"
    assert at.title[0].value == escape(deck[1].title)
    next(b for b in at.button if b.label == "Previous").click().run()
    assert at.query_params["slide"] == "1"


@pytest.mark.parametrize("raw", ["99", "0", "abc", "-3"])
def test_a_slide_number_out_of_range_opens_a_real_slide(raw, deck):
    at = present(slide=raw)
    assert_page_ok(at, PRESENT)
    expected = deck[-1] if raw == "99" else deck[0]
    assert at.title[0].value == escape(expected.title)


def test_the_slides_follow_the_filters():
    at = present(cohort="rusafa")
    assert_page_ok(at, PRESENT)
    assert any("Rusafa: 14 of 14 were children" in h.proto.body for h in at.get("html"))


def test_share_shows_the_link_with_snapshot_and_filters():
    at = open_app(cohort=["jusan-2", "rusafa"], region="KZ-47")
    (code,) = at.code
    assert code.value == "?snapshot=2026-09-30&cohort=jusan-2&cohort=rusafa&region=KZ-47&lang=en"
    assert "Jusan-2 and Rusafa · Mangystau · as of 30 Sep 2026" in at.text[0].value


def test_every_chart_has_png_svg_and_csv_downloads_beside_it():
    at = open_app()
    # In a menu under each chart, made only while it is open.
    assert not at.get("download_button")
    for chart in ("overview-arrivals", "overview-stages"):
        at.session_state[f"{chart}-exports"] = True
    at.run()
    keys = {button.proto.id for button in at.get("download_button")}
    for chart in ("overview-arrivals", "overview-stages"):
        for kind in ("png", "svg", "csv"):
            assert any(key.endswith(f"-{chart}-{kind}") for key in keys), (chart, kind)
