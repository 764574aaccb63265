"""Signing staff in, end to end: one `streamlit run app.py` with `SECOND_CHANCE_ACCESS=sign-in`,
a real OpenID Connect provider on localhost (`oidc-provider`, tests/e2e/idp), and Chromium going
through the real redirects: the provider's login page, its callback, its sign-out page.

Users of the provider (tests/e2e/idp/users.json): aigerim is authorised by her e-mail address,
daniyar by his group claim, olga not at all. Without Node.js or the provider's packages
(`npm ci --prefix tests/e2e/idp`) these tests skip with that message, except where
SECOND_CHANCE_REQUIRE_BROWSER is set (CI), where that is a failure."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, Server, _free_port, unavailable, watch
from tests.e2e.helpers import wait_idle, widget

IDP = ROOT / "tests" / "e2e" / "idp"
USERS = {name: user for name, user in json.loads((IDP / "users.json").read_text()).items() if name != "_comment"}
PUBLIC_BADGE = "Public · disclosure-controlled aggregates"
RESTRICTED_BADGE = "Restricted · programme staff only"
NO_PERSON_ROWS = "Person-level rows are not available at the public access level"
COOKIE = "_streamlit_user"


def _missing_provider(reason: str) -> None:
    unavailable(
        reason,
        "The sign-in tests run a real OpenID Connect provider: install Node.js 20 or newer and its "
        "packages with `npm ci --prefix tests/e2e/idp`.",
    )


class Provider:
    """`node tests/e2e/idp/provider.mjs` on a free port, for the dashboard at `app_origin`."""

    def __init__(self, app_origin: str) -> None:
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self.client_secret = secrets.token_urlsafe(24)
        self.app_origin = app_origin
        self.log: list[str] = []

    def __enter__(self) -> Provider:
        node = shutil.which("node")
        if node is None:
            _missing_provider("Node.js (`node`) is not installed")
        if not (IDP / "node_modules" / "oidc-provider").is_dir():
            _missing_provider(f"The provider's packages are not installed in {IDP}")
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENT_SECRET": self.client_secret,
            "APP_ORIGINS": self.app_origin,
        }
        self.process = subprocess.Popen(
            [node, str(IDP / "provider.mjs")],
            cwd=IDP,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=lambda: self.log.extend(self.process.stdout), daemon=True).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("the identity provider exited early:\n" + "".join(self.log))
            try:
                with urllib.request.urlopen(f"{self.url}/.well-known/openid-configuration", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        pytest.fail("the identity provider did not answer within 30 s:\n" + "".join(self.log))

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Deployment:
    """The dashboard as the README deploys it for sign-in, and what the tests need to know of it."""

    def __init__(self, app: Server, provider: Provider, cookie_secret: str, audit_log: Path) -> None:
        self.url = f"http://localhost:{app.port}"  # the origin of redirect_uri: the cookie is bound to it
        self.app, self.provider = app, provider
        self.cookie_secret, self.audit_log = cookie_secret, audit_log

    def audit(self) -> list[dict]:
        if not self.audit_log.is_file():
            return []
        return [json.loads(line) for line in self.audit_log.read_text().splitlines()]

    def audit_after(self, before: int, expected: int, timeout: float = 15) -> list[dict]:
        """The lines written after the first `before`, once there are `expected` of them (or
        whatever is there when `timeout` seconds have passed): the server writes them in its own
        time, so they are waited for, like anything else the page does, not read once."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.audit()[before:]
            if len(lines) >= expected or time.monotonic() > deadline:
                time.sleep(0.5)  # and nothing more arrives just after
                return self.audit()[before:]
            time.sleep(0.1)


@pytest.fixture(scope="module")
def deployment(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sign-in")
    cookie_secret = secrets.token_urlsafe(48)
    audit_log = folder / "audit" / "audit.jsonl"
    audit_log.parent.mkdir()
    app = Server(
        f"--secrets.files={folder / 'secrets.toml'}",
        SECOND_CHANCE_ACCESS="sign-in",
        SECOND_CHANCE_RESTRICTED_SNAPSHOTS=str(ROOT / "sample_data" / "snapshots"),
        SECOND_CHANCE_PUBLIC_SNAPSHOTS=str(ROOT / "sample_data" / "public"),
        SECOND_CHANCE_STAFF_EMAILS=USERS["aigerim"]["email"],
        SECOND_CHANCE_STAFF_CLAIM="groups",
        SECOND_CHANCE_STAFF_CLAIM_VALUES="second-chance-staff",
        SECOND_CHANCE_SESSION_HOURS="8",
        SECOND_CHANCE_AUDIT_LOG=str(audit_log),
    )
    with Provider(f"http://localhost:{app.port}") as provider:
        (folder / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{app.port}/oauth2callback"\n'
            f'cookie_secret = "{cookie_secret}"\n'
            'client_id = "second-chance"\n'
            f'client_secret = "{provider.client_secret}"\n'
            f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n'
            'client_kwargs = { scope = "openid email profile groups", prompt = "login" }\n'
        )
        with app:
            yield Deployment(app, provider, cookie_secret, audit_log)


@pytest.fixture
def visitor(browser, deployment):
    """A fresh browser (no cookies) that may reach the dashboard and the provider, nothing else."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    allowed = (deployment.url, deployment.provider.url)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort())
    page = context.new_page()
    watch(page)
    yield page
    context.close()


def open_page(page: Page, deployment: Deployment, path: str = "") -> None:
    page.goto(f"{deployment.url}/{path}")
    wait_idle(page)


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def sign_in(page: Page, deployment: Deployment, user: str) -> None:
    """From the dashboard: Sign in, the provider's login page, back on the dashboard."""
    open_page(page, deployment)
    widget(page, "sign-in").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(deployment.provider.url)}/interaction/"))
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(USERS[user]["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(deployment.url)}/"))
    expect(sidebar(page)).to_contain_text(f"Signed in as {USERS[user]['name']}")
    wait_idle(page)


def expect_level(page: Page, badge: str) -> None:
    expect(sidebar(page).get_by_text(badge)).to_be_visible()


def identity_cookie(deployment: Deployment, claims: dict, *, secret: str | None = None, age_days: float = 0) -> dict:
    """An identity cookie as Streamlit signs it (itsdangerous, salted with the cookie's name),
    with `secret` (the server's by default) and a signature `age_days` old."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_days * 86400)

    payload = {**claims, "origin": deployment.url, "is_logged_in": True, "provider": "default"}
    value = URLSafeTimedSerializer(secret or deployment.cookie_secret, salt=COOKIE, signer=Signer).dumps(
        json.dumps(payload)
    )
    return {"name": COOKIE, "value": value, "url": deployment.url, "httpOnly": True, "sameSite": "Lax"}


def aigerim_claims(signed_in_ago: float = 60) -> dict:
    user = USERS["aigerim"]
    now = int(time.time())
    return {
        "sub": user["sub"],
        "email": user["email"],
        "email_verified": True,
        "name": user["name"],
        "iat": int(now - signed_in_ago),
        "exp": int(now - signed_in_ago + 300),
        "iss": "http://localhost:1",
    }


def test_an_anonymous_visitor_sees_the_public_level_and_no_person_table(visitor, deployment):
    open_page(visitor, deployment, "explorer")
    expect_level(visitor, PUBLIC_BADGE)
    expect(widget(visitor, "sign-in").get_by_role("button", name="Sign in")).to_be_visible()
    expect(visitor.get_by_text(NO_PERSON_ROWS)).to_be_visible()
    expect(widget(visitor, "explorer-people")).to_have_count(0)
    assert visitor.console_errors == [], visitor.console_errors


def test_staff_authorised_by_email_see_person_rows_and_every_view_is_in_the_audit_trail(visitor, deployment):
    before = len(deployment.audit())
    sign_in(visitor, deployment, "aigerim")
    expect_level(visitor, RESTRICTED_BADGE)
    open_page(visitor, deployment, "explorer")
    people = widget(visitor, "explorer-people")
    expect(people.locator('[data-testid="stDataFrame"]')).to_be_visible()
    canvas = people.locator('[data-testid="data-grid-canvas"]')
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()  # the grid is below the pivot: a click must land on screen
    history = visitor.get_by_text(re.compile(r"^Stage history of p[0-9a-f]+"))
    for _attempt in range(3):  # the first row's selection box (rows are 35 px high, below the header)
        box = canvas.bounding_box()
        visitor.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
        try:
            expect(history).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            continue
    expect(history).to_be_visible()
    wait_idle(visitor)
    person_id = history.inner_text().rsplit(" ", 1)[1]
    with visitor.expect_download() as download:
        widget(visitor, "explorer-people-csv").get_by_role("button").click()
    assert download.value.suggested_filename.endswith(".csv")
    user = {"subject": USERS["aigerim"]["sub"], "email": USERS["aigerim"]["email"]}
    lines = deployment.audit_after(before, 4)
    assert [(x["action"], x["user"]) for x in lines] == [
        ("sign_in", user),
        ("person_table", user),
        ("stage_history", user),
        ("person_download", user),
    ], lines
    assert lines[0]["authorised_by"] == "email"
    assert {x["snapshot"] for x in lines[1:]} == {"2026-09-30"}
    assert [x["records"] for x in lines[1:]] == [50, 1, 626]  # the first page, one person, everyone
    assert lines[2]["person_id"] == person_id
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", x["time"]) for x in lines)


def test_staff_authorised_by_group_sign_in_then_out_to_the_public_level(visitor, deployment):
    before = len(deployment.audit())
    sign_in(visitor, deployment, "daniyar")
    expect_level(visitor, RESTRICTED_BADGE)
    widget(visitor, "sign-out").get_by_role("button", name="Sign out").click()
    expect(visitor).to_have_url(re.compile(rf"^{re.escape(deployment.provider.url)}/session/end"))
    visitor.get_by_role("button", name="Yes, sign me out").click()
    expect(visitor).to_have_url(re.compile(rf"^{re.escape(deployment.url)}/"))
    expect(widget(visitor, "sign-in").get_by_role("button", name="Sign in")).to_be_visible()
    expect_level(visitor, PUBLIC_BADGE)
    assert COOKIE not in {c["name"] for c in visitor.context.cookies(deployment.url)}
    user = {"subject": USERS["daniyar"]["sub"], "email": USERS["daniyar"]["email"]}
    lines = deployment.audit_after(before, 2)
    assert [(x["action"], x["user"], x.get("authorised_by")) for x in lines] == [
        ("sign_in", user, "claim"),
        ("sign_out", user, None),
    ]


def test_a_signed_in_user_who_is_not_authorised_stays_public_with_a_notice(visitor, deployment):
    before = len(deployment.audit())
    sign_in(visitor, deployment, "olga")
    expect(sidebar(visitor)).to_contain_text("This account is not authorised for restricted data")
    expect_level(visitor, PUBLIC_BADGE)
    open_page(visitor, deployment, "explorer")
    expect(visitor.get_by_text(NO_PERSON_ROWS)).to_be_visible()
    lines = deployment.audit_after(before, 1)
    assert [(x["action"], x["user"]["email"], x["reason"]) for x in lines] == [
        ("refused", USERS["olga"]["email"], "not_authorised")
    ]


def test_only_a_cookie_the_server_signed_recently_gives_the_restricted_level(visitor, deployment):
    """The control first: a cookie signed with the server's secret for an authorised user is
    restricted, so the forged and the old ones below are public for the reason they differ."""
    visitor.context.add_cookies([identity_cookie(deployment, aigerim_claims())])
    open_page(visitor, deployment)
    expect_level(visitor, RESTRICTED_BADGE)

    visitor.context.clear_cookies()
    forged = identity_cookie(deployment, aigerim_claims(), secret=secrets.token_urlsafe(48))
    visitor.context.add_cookies([forged])
    open_page(visitor, deployment)
    expect_level(visitor, PUBLIC_BADGE)
    expect(widget(visitor, "sign-in").get_by_role("button", name="Sign in")).to_be_visible()

    visitor.context.clear_cookies()
    visitor.context.add_cookies([identity_cookie(deployment, aigerim_claims(signed_in_ago=9 * 3600))])
    open_page(visitor, deployment)
    expect(sidebar(visitor)).to_contain_text("Your sign-in has run out (after 8 hours)")
    expect_level(visitor, PUBLIC_BADGE)

    visitor.context.clear_cookies()
    visitor.context.add_cookies([identity_cookie(deployment, aigerim_claims(), age_days=40)])
    open_page(visitor, deployment)  # Streamlit's own limit: a cookie signed over 31 days ago is nobody's
    expect_level(visitor, PUBLIC_BADGE)
    expect(widget(visitor, "sign-in").get_by_role("button", name="Sign in")).to_be_visible()


def test_an_unwritable_audit_trail_refuses_person_views_and_keeps_the_aggregates(visitor, deployment):
    visitor.context.add_cookies([identity_cookie(deployment, aigerim_claims())])
    moved = deployment.audit_log.with_name("moved-away.jsonl")
    if deployment.audit_log.exists():
        deployment.audit_log.rename(moved)
    deployment.audit_log.mkdir()  # a folder where the trail's file should be: unwritable, even for root
    try:
        open_page(visitor, deployment, "explorer")
        expect_level(visitor, RESTRICTED_BADGE)
        expect(visitor.get_by_text("the trail cannot be written")).to_be_visible()
        expect(widget(visitor, "explorer-people")).to_have_count(0)
        chart = visitor.locator('[data-testid="stVegaLiteChart"]').first  # the pivot's chart
        expect(chart.locator("canvas, svg").first).to_be_visible()
        open_page(visitor, deployment)
        expect(visitor.locator('[data-testid="stMetric"]').first).to_be_visible()  # key figures
        expect(visitor.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    finally:
        deployment.audit_log.rmdir()
        if moved.exists():
            moved.rename(deployment.audit_log)
    assert any("person-level views refused" in line for line in deployment.app.log)
