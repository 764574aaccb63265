"""Browser tests: a real `streamlit run app.py` on a free localhost port, driven by Playwright in
Debian's Chromium. Without a browser they skip with instructions, except where
SECOND_CHANCE_REQUIRE_BROWSER is set (CI), where that is a failure."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SECOND_CHANCE_CHROMIUM", "/usr/bin/chromium"))
# Without these, Chromium tries to reach Google's services at start, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# How long a retrying `expect(...)` waits for what it expects. Generous: on a busy machine a rerun
# can take many seconds to reach the page, and a passing check returns as soon as it holds.
EXPECT_TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unavailable(reason: str, remedy: str) -> None:
    """A part the browser tests need is missing: skip them with `reason` and `remedy`, except
    where SECOND_CHANCE_REQUIRE_BROWSER is set (CI), where that is a failure."""
    message = f"{reason}. {remedy}"
    if os.environ.get("SECOND_CHANCE_REQUIRE_BROWSER"):
        pytest.fail(message + " (SECOND_CHANCE_REQUIRE_BROWSER is set, so this is a failure.)")
    pytest.skip(message)


def _missing_browser(reason: str) -> None:
    unavailable(
        reason,
        "Install Debian's Chromium (`apt-get install chromium`) and the Python package "
        "(`pip install -r requirements-dev.txt`) to run the browser tests.",
    )


class Server:
    """A `streamlit run app.py` (or `script`) on a free localhost port (with more of Streamlit's
    options in `options`, e.g. `--secrets.files=...`). Its environment is `environ` (by default
    this process's) with `env` on top. Its output is read all along (a full pipe would stall the
    server) and kept in `log`. It must answer on its health endpoint within `wait` seconds; `fail`
    says it did not (a test failure here, an error in the browser benchmark)."""

    def __init__(
        self,
        *options: str,
        script: Path = ROOT / "app.py",
        environ: dict[str, str] | None = None,
        wait: float = 60,
        fail: Callable[[str], NoReturn] = pytest.fail,
        **env: str,
    ) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log: list[str] = []
        self.options, self.script, self.wait, self.fail = options, script, wait, fail
        self.env = {**(os.environ if environ is None else environ), "PYTHONUNBUFFERED": "1", **env}

    def __enter__(self) -> Server:
        self.process = _start(self.script, self.port, self.env, self.options)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"streamlit run {self.script.name} exited early:\n" + "".join(self.log)[-3000:])
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        self.fail(f"streamlit run {self.script.name} did not answer on its health endpoint within {self.wait:.0f} s")

    def _read(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _start(script: Path, port: int, env: dict[str, str], options: tuple[str, ...] = ()) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="session")
def server():
    """The dashboard at the default (restricted) access level, for the whole session."""
    with Server(SECOND_CHANCE_ACCESS="restricted") as running:
        yield running.url


@pytest.fixture(scope="session")
def public_server():
    """The dashboard at the public access level on the public sample, for the whole session."""
    with Server(SECOND_CHANCE_ACCESS="public") as running:
        yield running.url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing_browser("The Playwright package is not installed")
    if not CHROMIUM.exists():
        _missing_browser(f"No browser at {CHROMIUM}")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(server) else route.abort(),
    )
    page = context.new_page()
    watch(page)
    return context, page


@pytest.fixture
def page(browser, server):
    """A fresh browser context at 1440x900 that records console errors and blocks any request
    that is not to the local server."""
    context, page = _page(browser, server)
    yield page
    context.close()


@pytest.fixture
def public_page(browser, public_server):
    """The same, against the public-level server."""
    context, page = _page(browser, public_server)
    yield page
    context.close()


# On a link straight to a page (/regions), Streamlit's front end first probes its endpoints under
# that path and, on 404, falls back to the root: expected, not an error of ours.
_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def watch(page) -> None:
    """Collect console errors, uncaught page errors and failed responses on `page`."""
    page.console_errors = []
    page.failed_responses = []

    def on_console(msg) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            page.console_errors.append(msg.text)

    def on_response(response) -> None:
        if response.status >= 400 and not _PROBE.search(response.url):
            page.failed_responses.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.on("response", on_response)
    page.on("requestfailed", lambda request: _on_failed(page, request))


def _on_failed(page, request) -> None:
    """A request that did not complete, unless the page dropped it itself (`net::ERR_ABORTED`:
    navigating on while a script chunk was still loading, a fetch it cancelled). A request to
    anywhere but the local server is refused by the context's route (`net::ERR_FAILED`), and
    counts."""
    if request.failure != "net::ERR_ABORTED":
        page.failed_responses.append(f"failed {request.url} ({request.failure})")
