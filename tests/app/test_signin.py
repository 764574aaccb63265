"""One server for both levels (`SECOND_CHANCE_ACCESS=sign-in`), through AppTest with a seeded
`st.user` (the browser tests in tests/e2e/test_signin.py drive the real provider): who sees what,
from which snapshot folder, what the audit trail holds, and what a broken configuration does."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from data_access.access import LEVEL_VARIABLE
from data_access.catalogue import ROOT_VARIABLE
from tests.app.helpers import ROOT, assert_page_ok, switch, unescape

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-of-more-than-32-characters",
    "client_id": "second-chance",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
AIGERIM = {"sub": "u-aigerim-001", "email": "aigerim.lead@programme.example", "name": "Aigerim Lead"}
DANIYAR = {"sub": "u-daniyar-002", "email": "daniyar@partner.example", "groups": ["second-chance-staff"]}
_SIGN_INS = itertools.count()
"""Each test signs in afresh: the server remembers sign-ins (subject, sign-in time) it has seen."""
OLGA = {"sub": "u-olga-003", "email": "olga@elsewhere.example", "name": "Olga Visitor", "groups": ["finance"]}


@pytest.fixture
def audit_log(tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv(LEVEL_VARIABLE, "sign-in")
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    monkeypatch.setenv("SECOND_CHANCE_STAFF_EMAILS", "aigerim.lead@programme.example")
    monkeypatch.setenv("SECOND_CHANCE_STAFF_CLAIM", "groups")
    monkeypatch.setenv("SECOND_CHANCE_STAFF_CLAIM_VALUES", "second-chance-staff")
    monkeypatch.setenv("SECOND_CHANCE_AUDIT_LOG", str(path))
    return path


def signed_in(user: dict | None, page: str = "explorer", *, signed_in_ago: float = 60, auth=AUTH) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if auth is not None:
        at.secrets["auth"] = auth
    iat = int(time.time() - signed_in_ago) - next(_SIGN_INS)
    at.user = {"is_logged_in": True, "iat": iat, **user} if user else {}
    at.run()
    switch(at, page).run()
    return at


def sidebar_text(at: AppTest) -> str:
    return "\n".join(
        [str(c.value) for c in at.sidebar.caption]
        + [str(m.value) for m in at.sidebar.markdown]
        + [str(w.value) for w in at.sidebar.warning]
    )


def person_table_shown(at: AppTest) -> bool:
    return any("person_id" in frame.value.columns for frame in at.dataframe)


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_visitor_who_is_not_signed_in_gets_the_public_level(audit_log):
    at = signed_in(None)
    assert_page_ok(at, "explorer")
    assert "Public · disclosure-controlled aggregates" in sidebar_text(at)
    assert at.sidebar.button[0].label == "Sign in"
    assert not person_table_shown(at)
    assert at.session_state["snapshot"] == "2026-09-30"
    assert records(audit_log) == []


@pytest.mark.parametrize(("user", "rule"), [(AIGERIM, "email"), (DANIYAR, "claim")])
def test_authorised_staff_get_the_restricted_level_and_their_views_are_recorded(audit_log, user, rule):
    at = signed_in(user)
    assert_page_ok(at, "explorer")
    assert "Restricted · programme staff only" in sidebar_text(at)
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert "Sign in" not in [b.label for b in at.sidebar.button]
    assert person_table_shown(at)
    at.run()  # a rerun of the same table is not a new view
    lines = records(audit_log)
    assert [(x["action"], x["user"]) for x in lines] == [
        ("sign_in", {"subject": user["sub"], "email": user["email"]}),
        ("person_table", {"subject": user["sub"], "email": user["email"]}),
    ]
    assert lines[0]["authorised_by"] == rule
    assert (lines[1]["snapshot"], lines[1]["filters"], lines[1]["records"]) == ("2026-09-30", {}, 50)
    assert (lines[1]["listing"], lines[1]["rows"]) == ("all", "longest 1-50")  # the first page


def test_a_signed_in_user_who_is_not_authorised_stays_public_with_a_notice(audit_log):
    at = signed_in(OLGA)
    assert_page_ok(at, "explorer")
    text = sidebar_text(at)
    assert "Signed in as **Olga Visitor**" in text
    assert "This account is not authorised for restricted data, so you see the public level." in text
    assert "Public · disclosure-controlled aggregates" in text
    assert not person_table_shown(at)
    assert [(x["action"], x["reason"]) for x in records(audit_log)] == [("refused", "not_authorised")]


def test_an_old_sign_in_must_sign_in_again(audit_log):
    at = signed_in(AIGERIM, signed_in_ago=9 * 3600)
    assert "Your sign-in has run out (after 8 hours), so you see the public level." in sidebar_text(at)
    assert "Sign in again" in [b.label for b in at.sidebar.button]
    assert not person_table_shown(at)
    assert [(x["action"], x["reason"]) for x in records(audit_log)] == [("refused", "expired")]


def test_each_level_opens_only_its_own_folder(audit_log, tmp_path, monkeypatch):
    """The restricted and public samples share their folder names (2026-09-30): which one a session
    opened shows in what it may show."""
    empty = tmp_path / "no-public-snapshots"
    empty.mkdir()
    monkeypatch.setenv("SECOND_CHANCE_PUBLIC_SNAPSHOTS", str(empty))
    staff = signed_in(AIGERIM, page="overview")
    assert_page_ok(staff, "overview")
    visitor = signed_in(None, page="overview")
    assert "No published figures are available right now." in visitor.error[0].value


def test_without_a_writable_audit_trail_person_rows_are_refused_and_figures_stay(audit_log):
    audit_log.mkdir()  # a folder where the trail's file should be
    at = signed_in(AIGERIM)
    assert_page_ok(at, "explorer")
    assert "Restricted · programme staff only" in sidebar_text(at)
    assert not person_table_shown(at)
    assert any("the trail cannot be written" in w.value for w in at.warning)
    assert at.dataframe  # the pivot is there


def test_without_an_audit_trail_configured_person_rows_are_refused(audit_log, monkeypatch):
    monkeypatch.delenv("SECOND_CHANCE_AUDIT_LOG")
    at = signed_in(AIGERIM)
    assert not person_table_shown(at)
    assert any("the trail cannot be written" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("auth", "reason"),
    [
        (None, "the secrets have no [auth] section"),
        ({**AUTH, "cookie_secret": "short"}, "cookie_secret must be a random string of at least 32 characters"),
    ],
)
def test_unusable_sign_in_secrets_mean_public_for_everyone_with_the_reason_on_about(audit_log, auth, reason):
    at = signed_in(AIGERIM, page="about", auth=auth)
    assert_page_ok(at, "about")
    assert "Public · disclosure-controlled aggregates" in sidebar_text(at)
    assert any(reason in unescape(w.value) for w in at.warning)
    assert "Sign-in is not available on this server right now" in sidebar_text(at)
    anonymous = signed_in(None, page="about", auth=auth)
    assert "Sign in" not in [b.label for b in anonymous.sidebar.button]


def test_the_level_is_not_taken_from_the_link(audit_log):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.query_params["access"] = "restricted"
    at.query_params["user"] = "aigerim.lead@programme.example"
    at.run()
    assert "Public · disclosure-controlled aggregates" in sidebar_text(at)


def test_about_says_how_sign_in_works(audit_log):
    at = signed_in(None, page="about")
    assert any(
        "**Sign-in.** This server signs programme staff in" in m.value
        and "for at most 8 hours after signing in and 30 minutes without activity" in m.value
        for m in at.markdown
    )
