"""Hostile input in a real browser: path-like and unknown values in the URL are ignored with a
notice, labels holding HTML, <script> or Markdown are shown as text (no dialog opens, nothing is
fetched), and the server hands out no file from the snapshot folder or outside it."""

from __future__ import annotations

import http.client
import re
import time

import pytest
from playwright.sync_api import expect

from tests import broken, hostile
from tests.app.helpers import unescape
from tests.e2e.conftest import Server, watch
from tests.e2e.helpers import PAGES, assert_healthy, metric_value, wait_idle
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
    # 5,000 characters: dropped before use, with the notice for a value longer than any the dashboard writes.
    expect(toasts.filter(has_text="Ignored region='xxxx")).to_contain_text("longer than any value the dashboard uses")
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
    # The page's charts drawn before leaving it: a navigation would abort the code they load on
    # demand, and the health check would count that as a failed request.
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every((chart) => chart.querySelector(".vega-embed canvas, .vega-embed svg"))"""
    )
    wait_idle(page)
    page.goto(f"{hostile_server.url}/about?snapshot={case.id}")
    wait_idle(page)
    # The manifest's "made by" (here the label) among the snapshot's facts, as a code span.
    expect(page.get_by_test_id("stMarkdown").filter(has_text="Made by")).to_contain_text(visible)
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


# --- issue 20: snapshots re-signed by a hostile exporter, in a real browser and server ------------

OUTSIDE_AND_BOMB = ("table-linked-outside", "folder-linked-outside", "manifest-names-another-snapshot", "services-bomb")


def _peak_mib(pid: int) -> float:
    """The most resident memory the process has held (Linux's VmHWM), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


@pytest.fixture(scope="module")
def resigned_roots(tmp_path_factory):
    """Two roots with the same usable snapshots (the good one and the one with markup in every text
    field); the second adds the files-outside cases and the Parquet bomb, all re-signed."""
    clean = hostile.build_root(tmp_path_factory.mktemp("clean") / "snapshots", (hostile.MARKUP_CASE,))
    cases = (hostile.MARKUP_CASE, *(c for c in hostile.FATAL if c.name in OUTSIDE_AND_BOMB))
    return clean, hostile.build_root(tmp_path_factory.mktemp("resigned") / "snapshots", cases)


@pytest.fixture(scope="module")
def resigned_server(resigned_roots):
    with Server(SECOND_CHANCE_SNAPSHOTS=str(resigned_roots[1])) as running:
        yield running


def test_a_parquet_bomb_is_refused_and_the_server_memory_stays_that_of_the_good_snapshots(
    browser, resigned_roots, resigned_server
):
    """50 million rows in a 0.6 MB services file: refused from its footer, and the server's peak
    memory stays within a small multiple of a server that only has the good snapshots."""
    bomb = next(c for c in hostile.FATAL if c.name == "services-bomb")
    peaks = {}
    with Server(SECOND_CHANCE_SNAPSHOTS=str(resigned_roots[0])) as clean:
        page = open_page(browser, clean.url)
        page.goto(clean.url)
        expect(metric_value(page, "People who returned")).to_have_text("6")
        wait_idle(page)
        peaks["good snapshots only"] = _peak_mib(clean.process.pid)
        page.context.close()
    page = open_page(browser, resigned_server.url)
    started = time.perf_counter()
    page.goto(resigned_server.url)
    page.get_by_text(f"{len(OUTSIDE_AND_BOMB)} snapshots unavailable").click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text(bomb.id)
    expect(sidebar).to_contain_text("services.parquet: holds 50,000,000 rows, over this server's limit of 40,000,000")
    refused_in = time.perf_counter() - started
    expect(metric_value(page, "People who returned")).to_have_text("6")
    wait_idle(page)
    peaks["with the bomb"] = _peak_mib(resigned_server.process.pid)
    print(f"\nbomb refused and shown in {refused_in:.1f} s; server peak memory (MiB): {peaks}")
    assert peaks["with the bomb"] <= 2 * peaks["good snapshots only"], peaks
    assert_healthy(page)
    page.context.close()


def _markup_acts(page) -> dict[str, int]:
    """Elements that markup from data would have made: the pixel image, emphasis and the link of
    MARKUP, typeset maths."""
    return {
        "image": page.locator("img[src*='127.0.0.1']").count(),
        "emphasis": page.locator("strong, b, em, i").filter(has_text=re.compile(r"^(bold|it)$")).count(),
        "link": page.locator("a").filter(has_text=re.compile(r"^x$")).count(),
        "maths": page.locator(".katex, math").count(),
    }


def test_markup_from_data_acts_on_no_page_and_no_slide_and_nothing_outside_shows(browser, resigned_server):
    base = resigned_server.url
    page = open_page(browser, base)
    elsewhere = []
    page.on("request", lambda request: None if request.url.startswith(base) else elsewhere.append(request.url))
    query = "snapshot=2022-09-30-markup-everywhere&cohort=c1&region=KZ-47"
    nothing = {"image": 0, "emphasis": 0, "link": 0, "maths": 0}
    for name, path in [*PAGES.items(), ("present", "present")]:
        page.goto(f"{base}/{path}?{query}")
        wait_idle(page)
        # The cohort's name is on every page (the selection line, the filter), shown as typed.
        body = page.locator("body")
        expect(body).to_contain_text('name0 <img src="http')
        expect(body).to_contain_text("**bold** _it_ [x](#) $x^2$ :red[red]")
        assert _markup_acts(page) == nothing, name
        expect(page.locator("body")).not_to_contain_text(hostile.OUTSIDE_COHORT)
    slides = 1
    following = page.get_by_role("button", name="Next")
    while following.is_enabled():
        following.click()
        slides += 1
        expect(page.locator('[data-testid="stMain"]')).to_contain_text(f"· {slides} / 6")
        wait_idle(page)
        assert _markup_acts(page) == nothing, f"slide {slides}"
    assert slides == 6
    assert elsewhere == [], elsewhere  # no pixel, no font, no tile: nothing fetched from outside
    assert page.dialogs == []
    assert_healthy(page)
    page.context.close()


@pytest.mark.parametrize("key", ["sex", "age_band", "cohort", "snapshot", "measure"])
def test_a_huge_link_value_is_dropped_with_a_notice_and_the_page_draws(browser, server, key):
    page = open_page(browser, server)
    started = time.perf_counter()
    page.goto(f"{server}/?{key}=" + "x" * 100_000)
    toasts = page.locator('[data-testid="stToast"]')
    expect(toasts.filter(has_text=f"Ignored {key}=")).to_contain_text("longer than any value the dashboard uses")
    expect(metric_value(page, "People who returned")).to_have_text("626")
    wait_idle(page)
    took = time.perf_counter() - started
    print(f"\n{key}=100 kB: page drawn in {took:.1f} s")
    assert took < 30, took
    expect(page).to_have_url(re.compile(r"^[^x]*(x[^x]+)*$"))  # no run of x left in the URL
    assert_healthy(page)
    page.context.close()


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("sex=unknown", "Ignored sex values from the link that this snapshot does not have: 'unknown'."),
        ("snapshot=unknown", "The link asks for a snapshot that is not available ('unknown'); showing the latest."),
        ("lang=zz", "Ignored lang='zz' from the link: not a value this page offers."),
    ],
)
def test_an_unknown_link_value_gets_its_notice_in_the_browser(browser, server, query, notice):
    page = open_page(browser, server)
    page.goto(f"{server}/?{query}")
    expect(page.locator('[data-testid="stToast"]').filter(has_text=notice)).to_have_count(1)
    wait_idle(page)
    assert_healthy(page)
    page.context.close()
