"""The dashboard in a real browser: pages load cleanly, filters change the numbers (to exactly
what data_access computes), the URL reopens the view, downloads arrive, bars cross-filter."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from data_access import Filters
from data_access import queries as q
from tests.e2e.conftest import watch
from tests.e2e.helpers import (
    PAGES,
    SCREENSHOTS,
    assert_healthy,
    choose,
    expect_base_n,
    goto,
    metric_value,
    wait_idle,
    websocket_frame,
    widget,
)

FILTER_CASES = [
    ("cohort", "Jusan-2", Filters(cohort=("jusan-2",))),
    ("region", "Mangystau", Filters(region=("KZ-47",))),
    ("stage", "Community follow-up", Filters(stage=("follow_up",))),
    ("sex", "Female", Filters(sex=("female",))),
    ("age_band", "0-4 years", Filters(age_band=("0-4",))),
    ("origin", "Iraq", Filters(origin=("IQ",))),
]


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_cleanly_and_draws_its_charts(page, server, name):
    goto(page, server, name)
    if name != "about":
        expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=15_000)
    assert_healthy(page)


@pytest.mark.parametrize(("key", "option", "filters"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_each_filter_changes_the_numbers_to_what_the_data_layer_says(page, server, latest, key, option, filters):
    goto(page, server)
    expect(metric_value(page, "People who returned")).to_have_text("626")
    choose(page, key, option)
    expected = q.headline(latest, filters).set_index("measure")["value"]
    # Wait for the new figures: the filter's rerun may start just after choose() saw the app idle.
    expect(metric_value(page, "People who returned")).to_have_text(f"{expected['people']:,}")
    expect(metric_value(page, "Children")).to_have_text(f"{expected['children']:,}")
    expect_base_n(page, expected["people"])
    assert_healthy(page)


def test_a_copied_link_reopens_the_same_page_selection_and_numbers(page, browser, server, latest):
    goto(page, server, "regions")
    choose(page, "cohort", "Jusan-3")
    choose(page, "sex", "Female")
    n = q.base_n(latest, Filters(cohort=("jusan-3",), sex=("female",)))
    expect_base_n(page, n)
    # The URL is written by the run the choice triggers; wait for it rather than read it at once.
    expect(page).to_have_url(re.compile(r"cohort=jusan-3"))
    expect(page).to_have_url(re.compile(r"sex=female"))
    link = page.url
    assert "cohort=jusan-3" in link and "sex=female" in link

    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
    other = fresh.new_page()
    watch(other)
    other.goto(link)
    wait_idle(other)
    expect_base_n(other, n)
    expect(other.get_by_role("heading", name="Regions")).to_be_visible()
    expect(widget(other, "cohort")).to_contain_text("Jusan-3")
    fresh.close()


def test_switching_pages_keeps_the_selection(page, server):
    goto(page, server, query="cohort=rusafa")
    expect_base_n(page, 14)
    page.get_by_role("link", name="Reintegration progress").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Reintegration progress")).to_be_visible()
    expect_base_n(page, 14)
    expect(page).to_have_url(re.compile(r"cohort=rusafa"))


def test_explorer_csv_download_arrives_and_parses(page, server, latest):
    goto(page, server, "explorer", "rows=cohort&columns=sex")
    with page.expect_download() as download_info:
        widget(page, "explorer-pivot-csv").get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename.endswith("_2026-09-30.csv")
    cells = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    notes = [row[0] for row in cells if row and row[0].startswith("# ")]
    assert notes[0] == "# Second Chance · Everyone who returned · n = 626 · as of 30 Sep 2026"  # as chart CSVs
    assert "# Restricted · programme staff only" in notes  # the access level and rules come first
    rows = cells[len(notes) :]
    assert rows[0] == ["cohort", "cohort_label", "female", "male"]  # codes: the same columns in every language
    assert rows[1][0].startswith("#") and all(tag == "" or tag.startswith("#") for tag in rows[1])  # HXL tags
    assert len(rows) == 2 + len(latest.cohorts)
    rusafa = next(r for r in rows if r[0] == "rusafa")
    assert rusafa[1:] == ["Rusafa", "8", "6"]
    with page.expect_download() as download_info:  # every person, built only when asked for
        widget(page, "explorer-people-csv").get_by_role("button").click()
    cells = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    rows = [row for row in cells if row and not row[0].startswith("#")]  # notes and the HXL row left out
    assert len(rows) == 1 + len(latest.people)


def test_show_data_opens_the_charts_table(page, server):
    goto(page, server, "progress")
    expander = widget(page, "prog-funnel-data")
    expect(expander.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    expander.get_by_text("Show data").click()
    wait_idle(page)
    expect(expander.locator('[data-testid="stDataFrame"]')).to_be_visible()
    expect(expander).to_contain_text("Funnel")
    assert_healthy(page)


def test_clicking_a_cohort_bar_filters_every_chart(page, server):
    goto(page, server)
    chart = page.locator(".st-key-overview-arrivals")
    # The bar itself: the chart's toolbar buttons are named by the alt text, which names Rusafa too.
    bar = chart.locator('svg.marks [role="graphics-symbol"][aria-label*="Rusafa"]').first
    bar.wait_for()
    bar.click()
    wait_idle(page)
    expect_base_n(page, 14)
    expect(widget(page, "cohort")).to_contain_text("Rusafa")
    assert_healthy(page)


@pytest.mark.parametrize(
    ("label", "size"),
    [("desktop", (1440, 900)), ("projector", (1920, 1080)), ("narrow", (800, 1000))],
)
def test_screenshots_of_every_page(browser, server, label, size):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch(page)
    for name in PAGES:
        goto(page, server, name)
        assert_healthy(page)  # also waits until every chart has drawn, so the picture is the finished page
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    context.close()


class Received:
    """What the browser receives over the app's websocket (Chrome DevTools protocol): bytes, and
    the messages themselves (Streamlit's ForwardMsg protobufs)."""

    def __init__(self, page) -> None:
        self.bytes, self.messages = 0, []
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.webSocketFrameReceived", self._frame)

    def _frame(self, event) -> None:
        size, message = websocket_frame(event)
        if message is not None:  # binary frames carry the messages
            self.bytes += size
            self.messages.append(message)

    def during(self, action) -> tuple[int, list]:
        """(bytes, messages) received while `action` ran."""
        bytes_before, messages_before = self.bytes, len(self.messages)
        action()
        return self.bytes - bytes_before, self.messages[messages_before:]


def finished(messages: list) -> list[str]:
    return [ForwardMsg.ScriptFinishedStatus.Name(m.script_finished) for m in messages if m.HasField("script_finished")]


def charts_sent(messages: list) -> int:
    """Charts drawn: sent whole, or as a reference to one the browser keeps (`ref_hash`)."""
    new = [m for m in messages if m.HasField("delta") and m.delta.HasField("new_element")]
    return sum(m.delta.new_element.WhichOneof("type") == "vega_lite_chart" for m in new) + sum(
        m.HasField("ref_hash") for m in messages
    )


def test_the_stuck_slider_reruns_its_own_section_and_not_the_page(page, server, latest):
    goto(page, server, "progress")
    widget(page, "section").get_by_role("radio", name="Who is stuck").click()
    sentence = page.get_by_text(re.compile(r"in those stages ha(s|ve) been there for more than \d+ days"))
    expect(sentence).to_contain_text("more than 180 days")
    wait_idle(page)
    received = Received(page)
    thumb = widget(page, "stuck_days").get_by_role("slider")

    def move() -> None:
        thumb.focus()  # the slider's input (react-aria draws the thumb over it)
        thumb.press("ArrowRight")  # one step: 30 days
        expect(sentence).to_contain_text("more than 210 days")
        wait_idle(page)

    section_bytes, section = received.during(move)
    stuck, counted = q.stuck(latest, Filters(), 210)
    expect(sentence).to_contain_text(f"{stuck:,} of the {counted:,} people in those stages")
    assert "stuck_days=210" in page.url and "section=stuck" in page.url
    whole_bytes, whole = received.during(lambda: (choose(page, "sex", "Female"), expect_base_n(page, 375)))
    # The section's own run: its chart (time in stage), not the page's header and the sidebar.
    assert finished(section) == ["FINISHED_FRAGMENT_RUN_SUCCESSFULLY"] and charts_sent(section) == 1
    assert finished(whole)[-1] == "FINISHED_SUCCESSFULLY" and charts_sent(whole) == 1
    assert 0 < section_bytes < whole_bytes, (section_bytes, whole_bytes)
    assert_healthy(page)


def test_the_person_table_pages_in_its_own_section(page, server):
    goto(page, server, "explorer")
    received = Received(page)
    caption = page.get_by_text(re.compile(r"^People \d+–\d+ of 626"))
    expect(caption).to_have_text(re.compile(r"^People 1–50 of 626 \(page 1 of 13\)"))
    page_box = page.locator('[class*="st-key-explorer-page-"] input')

    def next_page() -> None:
        page_box.fill("2")
        page_box.press("Enter")
        expect(caption).to_have_text(re.compile(r"^People 51–100 of 626 \(page 2 of 13\)"))
        wait_idle(page)

    _bytes, messages = received.during(next_page)
    assert finished(messages) == ["FINISHED_FRAGMENT_RUN_SUCCESSFULLY"] and charts_sent(messages) == 0
    # Which people are on the page is the AppTest's to check (the grid draws on a canvas).
    expect(widget(page, "explorer-people").locator('[data-testid="stDataFrame"]')).to_be_visible()
    assert_healthy(page)


def test_the_watch_reports_a_request_off_the_machine_but_not_one_the_page_dropped(page, server):
    """A request the page cancels itself (as a chunk is when the reader navigates on) is not a
    failure; one to a server elsewhere, refused by the test's route, is."""
    goto(page, server)
    elsewhere = page.expect_event("requestfailed", lambda request: "example.org" in request.url)
    dropped = page.expect_event("requestfailed", lambda request: "dropped" in request.url)
    with elsewhere as refused, dropped as cancelled:
        page.evaluate(
            """async () => {
                const drop = new AbortController();
                const dropped = fetch('/_stcore/health?dropped', {signal: drop.signal}).catch(() => null);
                drop.abort();
                await dropped;
                await fetch('https://example.org/font.woff2').catch(() => null);
            }"""
        )
    assert cancelled.value.failure == "net::ERR_ABORTED" and refused.value.failure != "net::ERR_ABORTED"
    assert [failure.split(" (")[0] for failure in page.failed_responses] == ["failed https://example.org/font.woff2"]
