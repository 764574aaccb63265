"""Who gets the restricted level on a sign-in server: the configuration (every unreadable setting
fails closed, to public for everyone), the authorisation rules, the session limits, and the
`[auth]` secrets Streamlit's sign-in needs."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.access import LEVEL_VARIABLE, Access
from data_access.catalogue import DEFAULT_ROOT, PUBLIC_ROOT, ROOT_VARIABLE, snapshot_root
from data_access.signin import Rules, auth_problem, authorised_by, decide, identity

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
STAFF = {
    LEVEL_VARIABLE: "sign-in",
    "SECOND_CHANCE_STAFF_EMAILS": "Aigerim.Lead@programme.example, director@ministry.example",
    "SECOND_CHANCE_STAFF_DOMAINS": "@leads.example",
    "SECOND_CHANCE_STAFF_CLAIM": "groups",
    "SECOND_CHANCE_STAFF_CLAIM_VALUES": "second-chance-staff, programme-leads",
}


def claims(**values) -> dict:
    return {"is_logged_in": True, "sub": "u-1", "iat": int((NOW - dt.timedelta(minutes=5)).timestamp()), **values}


def level(environ: dict, user: dict | None, now: dt.datetime = NOW, last_active=None, unavailable="") -> Access:
    return Access.from_environment(environ).for_user(user, now, last_active, unavailable)


# -- the configuration --------------------------------------------------------------------------


def test_the_rules_are_read_from_the_environment():
    rules, problems = Rules.from_environment(STAFF)
    assert problems == []
    assert rules.emails == {"aigerim.lead@programme.example", "director@ministry.example"}
    assert rules.domains == {"leads.example"}
    assert (rules.claim, rules.claim_values) == ("groups", {"second-chance-staff", "programme-leads"})
    assert (rules.session, rules.idle) == (dt.timedelta(hours=8), dt.timedelta(minutes=30))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"SECOND_CHANCE_STAFF_EMAILS": "aigerim"}, "'aigerim', which is not an e-mail address"),
        ({"SECOND_CHANCE_STAFF_DOMAINS": "programme"}, "'programme', which is not a domain"),
        ({"SECOND_CHANCE_STAFF_CLAIM_VALUES": ""}, "SECOND_CHANCE_STAFF_CLAIM_VALUES is empty"),
        ({"SECOND_CHANCE_STAFF_CLAIM": ""}, "SECOND_CHANCE_STAFF_CLAIM (the claim's name) is empty"),
        ({"SECOND_CHANCE_STAFF_CLAIM": "groups; drop"}, "is not a claim name"),
        ({"SECOND_CHANCE_SESSION_HOURS": "eight"}, "SECOND_CHANCE_SESSION_HOURS='eight' is not a number of hours"),
        ({"SECOND_CHANCE_SESSION_HOURS": "0"}, "is not a number of hours (more than 0)"),
        ({"SECOND_CHANCE_SESSION_HOURS": "nan"}, "is not a number of hours"),
        (
            {"SECOND_CHANCE_IDLE_MINUTES": "-5"},
            "SECOND_CHANCE_IDLE_MINUTES='-5' is not a number of minutes (0 or more)",
        ),
        ({"SECOND_CHANCE_K": "three"}, "SECOND_CHANCE_K='three' is not a whole number"),
        ({ROOT_VARIABLE: "/srv/returns"}, "the restricted and the public snapshots must be in two folders"),
    ],
)
def test_anything_unreadable_means_public_for_everyone_with_the_reason(changes, problem):
    environ = {**STAFF, **changes}
    assert problem in Access.from_environment(environ).problem
    staff = level(environ, claims(email="aigerim.lead@programme.example", groups=["second-chance-staff"]))
    assert staff.level == "public"
    assert problem in staff.problem
    assert staff.user is not None and staff.decision is None  # signed in, told why it gives nothing


def test_a_sign_in_server_that_authorises_nobody_says_so():
    access = Access.from_environment({LEVEL_VARIABLE: "sign-in"})
    assert access.level == "public"
    assert "no one is authorised for the restricted level" in access.problem


def test_a_typo_in_the_mode_is_public_and_not_sign_in():
    access = Access.from_environment({**STAFF, LEVEL_VARIABLE: "sign_in"})
    assert (access.level, access.sign_in) == ("public", False)
    assert "is not one of restricted, public, sign-in" in access.problem
    assert access.for_user(claims(email="aigerim.lead@programme.example")).level == "public"


@pytest.mark.parametrize("fixed", ["restricted", "public"])
def test_the_fixed_levels_do_not_look_at_who_is_signed_in(fixed):
    access = Access.from_environment({LEVEL_VARIABLE: fixed})
    assert access.for_user(claims(email="someone@else.example")) == access
    assert access.for_user(None).level == fixed


def test_the_two_levels_have_their_own_snapshot_folders(tmp_path):
    restricted, public = tmp_path / "records", tmp_path / "aggregates"
    environ = {
        "SECOND_CHANCE_RESTRICTED_SNAPSHOTS": str(restricted),
        "SECOND_CHANCE_PUBLIC_SNAPSHOTS": str(public),
        ROOT_VARIABLE: str(tmp_path / "ignored"),
    }
    assert (snapshot_root("restricted", environ), snapshot_root("public", environ)) == (restricted, public)
    assert snapshot_root("public", {ROOT_VARIABLE: str(tmp_path)}) == tmp_path  # a fixed-level server's one folder
    assert (snapshot_root("restricted", {}), snapshot_root("public", {})) == (DEFAULT_ROOT, PUBLIC_ROOT)
    assert Access.from_environment({**STAFF, **environ}).problem == ""


# -- who is authorised ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "rule"),
    [
        ({"email": "aigerim.lead@programme.example"}, "email"),
        ({"email": "AIGERIM.LEAD@PROGRAMME.EXAMPLE"}, "email"),
        ({"email": "anyone@leads.example"}, "domain"),
        ({"email": "daniyar@partner.example", "groups": ["analysts", "second-chance-staff"]}, "claim"),
        ({"email": "daniyar@partner.example", "groups": "programme-leads"}, "claim"),
        ({"email": "olga@elsewhere.example", "groups": ["finance"]}, None),
        ({"email": "anyone@sub.leads.example"}, None),  # a domain is exact: no subdomains
        ({"email": "anyone@leads.example.evil.example"}, None),
        ({"email": "aigerim.lead@programme.example", "email_verified": False}, None),  # unverified address
        ({"email": "x@leads.example", "email_verified": "false", "groups": ["finance"]}, None),
        ({"email": "", "groups": ["Second-Chance-Staff"]}, None),  # claim values are exact
        ({"groups": [["second-chance-staff"]]}, None),
        ({}, None),
    ],
)
def test_authorisation_by_email_domain_or_claim(token, rule):
    rules, _ = Rules.from_environment(STAFF)
    assert authorised_by(rules, token) == rule


def test_a_nested_role_claim():
    rules, problems = Rules.from_environment(
        {"SECOND_CHANCE_STAFF_CLAIM": "realm_access.roles", "SECOND_CHANCE_STAFF_CLAIM_VALUES": "second-chance"}
    )
    assert problems == []
    assert authorised_by(rules, {"realm_access": {"roles": ["offline", "second-chance"]}}) == "claim"
    assert authorised_by(rules, {"realm_access": "second-chance"}) is None
    assert authorised_by(rules, {"roles": ["second-chance"]}) is None


def test_each_user_of_the_test_provider_lands_on_the_right_level():
    environ = {
        LEVEL_VARIABLE: "sign-in",
        "SECOND_CHANCE_STAFF_EMAILS": "aigerim.lead@programme.example",
        "SECOND_CHANCE_STAFF_CLAIM": "groups",
        "SECOND_CHANCE_STAFF_CLAIM_VALUES": "second-chance-staff",
    }
    aigerim = level(environ, claims(email="aigerim.lead@programme.example", groups=["programme-leads-almaty"]))
    daniyar = level(environ, claims(email="daniyar@partner.example", groups=["second-chance-staff"]))
    olga = level(environ, claims(email="olga@elsewhere.example", groups=["finance"]))
    assert (aigerim.level, aigerim.decision.reason) == ("restricted", "email")
    assert (daniyar.level, daniyar.decision.reason) == ("restricted", "claim")
    assert (olga.level, olga.decision.reason, olga.user.email) == ("public", "not_authorised", "olga@elsewhere.example")
    assert level(environ, None).level == "public"


@pytest.mark.parametrize(
    "user",
    [
        None,
        {},
        {"email": "aigerim.lead@programme.example", "sub": "u-1", "iat": 1},  # not logged in
        {"is_logged_in": "true", "sub": "u-1", "email": "aigerim.lead@programme.example"},
        {"is_logged_in": True, "email": "aigerim.lead@programme.example"},  # no subject
        {"is_logged_in": True, "sub": " ", "email": "aigerim.lead@programme.example"},
    ],
)
def test_no_signed_in_identity_is_nobody(user):
    assert identity(user) is None
    assert level(STAFF, user).level == "public"


# -- how long -------------------------------------------------------------------------------------


def test_a_sign_in_runs_out_after_the_session_lifetime():
    environ = {**STAFF, "SECOND_CHANCE_SESSION_HOURS": "2"}
    user = claims(email="aigerim.lead@programme.example", iat=int((NOW - dt.timedelta(hours=1)).timestamp()))
    assert level(environ, user).level == "restricted"
    later = level(environ, user, now=NOW + dt.timedelta(hours=1, seconds=1))
    assert (later.level, later.decision.reason) == ("public", "expired")


def test_the_identity_cookie_alone_is_not_enough_after_the_session_lifetime():
    """Streamlit's cookie lasts 30 days: a month-old sign-in is public."""
    user = claims(email="aigerim.lead@programme.example", iat=int((NOW - dt.timedelta(days=29)).timestamp()))
    assert level(STAFF, user).decision.reason == "expired"


@pytest.mark.parametrize("iat", [None, "1796000000", True, float("nan"), 10**30])
def test_a_sign_in_without_a_believable_time_is_not_trusted(iat):
    user = claims(email="aigerim.lead@programme.example", iat=iat)
    assert level(STAFF, user).decision.reason == "no_sign_in_time"


def test_a_sign_in_time_in_the_future_is_not_trusted():
    user = claims(email="aigerim.lead@programme.example", iat=int((NOW + dt.timedelta(hours=1)).timestamp()))
    assert level(STAFF, user).decision.reason == "no_sign_in_time"
    slightly = claims(email="aigerim.lead@programme.example", iat=int((NOW + dt.timedelta(minutes=1)).timestamp()))
    assert level(STAFF, slightly).level == "restricted"  # clocks differ a little


def test_idle_sign_ins_run_out():
    user = claims(email="aigerim.lead@programme.example")
    active = level(STAFF, user, last_active=NOW - dt.timedelta(minutes=29))
    assert active.level == "restricted"
    assert active.decision.expires_at == NOW + dt.timedelta(minutes=1)
    idle = level(STAFF, user, last_active=NOW - dt.timedelta(minutes=30))
    assert (idle.level, idle.decision.reason) == ("public", "idle")
    no_idle_limit = level({**STAFF, "SECOND_CHANCE_IDLE_MINUTES": "0"}, user, last_active=NOW - dt.timedelta(days=1))
    assert no_idle_limit.level == "restricted"
    assert no_idle_limit.decision.expires_at == NOW - dt.timedelta(minutes=5) + dt.timedelta(hours=8)


def test_an_unauthorised_user_is_told_so_even_when_their_sign_in_ran_out():
    user = claims(email="olga@elsewhere.example", iat=int((NOW - dt.timedelta(days=3)).timestamp()))
    assert level(STAFF, user).decision.reason == "not_authorised"


def test_the_decision_itself_is_pure():
    rules, _ = Rules.from_environment(STAFF)
    user = claims(email="aigerim.lead@programme.example")
    assert decide(rules, user, NOW) == decide(rules, user, NOW)
    assert decide(rules, user, NOW).restricted


# -- Streamlit's [auth] secrets --------------------------------------------------------------------

AUTH = {
    "redirect_uri": "https://second-chance.programme.example/oauth2callback",
    "cookie_secret": "k" * 40,
    "client_id": "second-chance",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://sso.programme.example/realms/programme/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (AUTH, ""),
        ({**AUTH, "redirect_uri": "http://localhost:8501/oauth2callback"}, ""),
        (None, "the secrets have no [auth] section"),
        ("auth", "the secrets have no [auth] section"),
        ({k: v for k, v in AUTH.items() if k != "client_secret"}, "lacks client_secret"),
        ({**AUTH, "cookie_secret": ""}, "lacks cookie_secret"),
        ({**AUTH, "cookie_secret": "short"}, "cookie_secret must be a random string of at least 32 characters"),
        ({**AUTH, "redirect_uri": "https://second-chance.programme.example/"}, "must be the server's address ending"),
        ({**AUTH, "server_metadata_url": "sso.programme.example"}, "must be the provider's http(s) discovery"),
    ],
)
def test_the_auth_secrets_are_checked_without_quoting_a_secret(section, problem):
    found = auth_problem(section)
    assert (problem in found) if problem else found == ""
    assert "not-a-real-secret" not in found and "k" * 40 not in found


def test_identity_headers_from_a_proxy_are_not_accepted():
    assert "trustedUserHeaders" in auth_problem(AUTH, {"X-Email": "email"})


def test_unusable_auth_secrets_mean_public_for_everyone():
    staff = level(STAFF, claims(email="aigerim.lead@programme.example"), unavailable=auth_problem(None))
    assert staff.level == "public"
    assert "the secrets have no [auth] section" in staff.problem
