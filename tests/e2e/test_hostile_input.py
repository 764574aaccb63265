"""Hostile input in a real browser: path-like and unknown values in the URL are ignored with a
notice, labels holding HTML, <script> or Markdown are shown as text (no dialog opens, nothing is
fetched), and the server hands out no file from the snapshot folder or outside it."""

from __future__ import annotations

import http.client
import re

import pytest
from playwright.sync_api import expect

from tests import broken
from tests.app.helpers import unescape
from tests.e2e.conftest import Server, watch
from tests.e2e.helpers import assert_healthy, metric_value, wait_idle
from ui.text import escape

PROBES = [
    "/../../etc/passwd",
    "/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/media/..%2F..%2Fetc%2Fpasswd",
    "/regions/../../etc/passwd",
    "/sample_data/snapshots/2026-09-30/people.parquet",
    "/sample_data/snapshots/2026-09-30/manifest.json",
    "/app/static/people.parquet",
]


@pytest.mark.parametrize("path", PROBES)
def test_no_file_is_served_from_the_snapshot_folder_or_outside(server, path):
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    assert b"root:" not in body and b"PAR1" not in body and b"schema_version" not in body
    assert response.status == 400 or body.lstrip().startswith(b"<!--"), (response.status, body[:80])


def open_page(browser, base: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page = context.new_page()
    watch(page)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


def test_a_hostile_link_opens_the_main_page_with_notices(browser, server):
    page = open_page(browser, server)
    query = "snapshot=..%2F..%2Fetc&cohort=%3Cscript%3Ealert(1)%3C%2Fscript%3E&cohort=rusafa&region=" + "x" * 5000
    page.goto(f"{server}/no-such-page?{query}")
    # Toasts close by themselves after a while: look for them while the first run is still going.
    toasts = page.locator('[data-testid="stToast"]')
    expect(toasts.filter(has_text="The link asks for a snapshot that is not available ('../../etc')")).to_have_count(1)
    expect(toasts.filter(has_text="Ignored cohort values from the link")).to_contain_text("'<script>alert(1)</script>'")
    expect(toasts.filter(has_text="Ignored region values from the link")).to_have_count(1)
    wait_idle(page)
    expect(page.get_by_role("dialog")).to_contain_text("Page not found")
    page.keyboard.press("Escape")
    expect(metric_value(page, "People who returned")).to_have_text("14")
    # The URL keeps the snapshot shown and drops the hostile values: one pattern, so both hold at once.
    expect(page).to_have_url(re.compile(r"^(?!.*etc)(?!.*script).*snapshot=2026-09-30"))
    assert page.dialogs == []
    # Streamlit's front end logs the unknown page it just told the user about.
    page.console_errors = [e for e in page.console_errors if "does not seem to exist" not in e]
    assert_healthy(page)
    page.context.close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "snapshots"
    broken.write(root / broken.GOOD)
    for case in broken.SURVIVABLE:
        if case.labels:
            case.build(root / case.id)
    broken.CASES[0].build(root / broken.CASES[0].id)
    with Server(SECOND_CHANCE_SNAPSHOTS=str(root)) as running:
        yield running


@pytest.mark.parametrize("name", ["html-and-script", "markdown", "unicode-and-right-to-left"])
def test_labels_from_data_are_shown_as_text(browser, hostile_server, name):
    case = next(c for c in broken.SURVIVABLE if c.name == name)
    label = case.labels["cohort"]
    page = open_page(browser, hostile_server.url)
    page.goto(f"{hostile_server.url}/?snapshot={case.id}&cohort=c1")
    wait_idle(page)
    visible = unescape(escape(label))
    expect(page.get_by_text(f"4 people · {visible} · as of 30 Jun 2022", exact=True)).to_be_visible()
    page.goto(f"{hostile_server.url}/about?snapshot={case.id}")
    wait_idle(page)
    expect(page.locator('[data-testid="stTable"]')).to_contain_text(visible)
    expect(page.locator("img[src='x'], img[src^='http://evil'], a[href^='http://evil']")).to_have_count(0)
    assert page.dialogs == []
    assert_healthy(page)
    page.context.close()


def test_the_unavailable_list_shows_reasons_as_text(browser, hostile_server):
    page = open_page(browser, hostile_server.url)
    page.goto(hostile_server.url)
    wait_idle(page)
    page.get_by_text("1 snapshot unavailable").click()
    case = broken.CASES[0]
    expect(page.get_by_text(case.id)).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(broken.MAGIC)
    assert_healthy(page)
    page.context.close()


def test_the_health_endpoint_answers(server):
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=10)
    connection.request("GET", "/_stcore/health")
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"ok")


def test_chart_tooltips_show_labels_as_text(browser, hostile_server):
    case = next(c for c in broken.SURVIVABLE if c.name == "html-and-script")
    page = open_page(browser, hostile_server.url)
    page.goto(f"{hostile_server.url}/repatriations?snapshot={case.id}")
    wait_idle(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    # Charts draw as SVG: hover the data point of the arrivals timeline (not a legend symbol) whose
    # cohort carries the <script> label, found by the description Vega gives each point.
    point = chart.locator('g.mark-symbol.role-mark path[aria-label*="<script>"]')
    expect(point).to_have_count(1)
    point.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text(broken.SCRIPT)
    expect(tooltip).to_contain_text("1 Jan 2020")
    expect(tooltip).not_to_contain_text("undefined")
    expect(tooltip.locator("script")).to_have_count(0)
    assert page.dialogs == []
    page.context.close()
