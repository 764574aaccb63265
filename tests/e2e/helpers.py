"""Small helpers in the spirit of Streamlit's own e2e tests: wait for the script to be idle
instead of sleeping, and find widgets by their key class (`.st-key-<key>`)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGES = {
    "overview": "",
    "repatriations": "repatriations",
    "progress": "progress",
    "regions": "regions",
    "explorer": "explorer",
    "about": "about",
}


def websocket_frame(event: dict) -> tuple[int, ForwardMsg | None]:
    """A frame the browser received over the app's websocket, from the Chrome DevTools protocol's
    `Network.webSocketFrameReceived`: its size in bytes (binary frames come base64-encoded and
    are counted decoded; text frames as text) and, in a binary frame, Streamlit's message."""
    response = event["response"]
    payload = response.get("payloadData", "")
    if response.get("opcode") != 2:
        return len(payload.encode()), None
    data = base64.b64decode(payload)
    return len(data), ForwardMsg.FromString(data)


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the app has finished its run (and a little for the front end to settle).

    A run an action triggers may start only after this has seen the app idle: assert on what
    the run changes with a retrying `expect(...)`, never by reading it once after this."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_load_state("networkidle", timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout)


def goto(page: Page, server: str, name: str = "overview", query: str = "") -> None:
    url = f"{server}/{PAGES[name]}" + (f"?{query}" if query else "")
    page.goto(url)
    wait_idle(page)
    page.locator("h1").first.wait_for()


def widget(page: Page, key: str):
    return page.locator(f".st-key-{key}")


def open_downloads(page: Page, chart: str):
    """Open the Download menu under the chart with key `chart`; its PNG, SVG and CSV buttons
    are made when it opens and shown in the menu's body, which this returns."""
    widget(page, f"{chart}-exports").get_by_role("button").first.click()
    menu = page.locator('[data-testid="stPopoverBody"]').filter(has=page.locator(f".st-key-{chart}-png"))
    expect(menu.get_by_role("button", name="PNG", exact=True)).to_be_visible()
    return menu


def choose(page: Page, key: str, option_text: str) -> None:
    """Pick an option of a multiselect or selectbox whose label starts with `option_text`."""
    box = widget(page, key).locator("input").first
    box.click()
    box.fill(option_text)
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option_text)}")).first.click()
    page.keyboard.press("Escape")
    expect(widget(page, key)).to_contain_text(option_text)
    wait_idle(page)


def metric_value(page: Page, label: str) -> Locator:
    """The value element of the metric tile labelled `label`."""
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return tile.locator('[data-testid="stMetricValue"]')


def expect_base_n(page: Page, n: int) -> None:
    """Wait until the page header says the selection holds `n` people ("626 people · ...")."""
    line = page.get_by_text(re.compile(r"^[\d,]+ (people|person) · ")).first
    expect(line).to_have_text(re.compile(rf"^{n:,} (people|person) · "))


def assert_healthy(page: Page) -> None:
    """No exception box, no error element, no console errors; every chart drew something.
    Call it once the page shows what the test expects: it checks the run that drew that."""
    expect(page.locator(IDLE)).to_have_count(1)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    for i in range(charts.count()):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
    assert page.console_errors == [], page.console_errors
    assert page.failed_responses == [], page.failed_responses
