"""Signing staff in with the organisation's identity provider, on a server started with
`SECOND_CHANCE_ACCESS=sign-in`: Streamlit's own OpenID Connect (`st.login`, `st.user`,
`st.logout`, configured in the `[auth]` section of `.streamlit/secrets.toml`), the sidebar's
"Sign in" / "Sign out", and the session's audit trail.

Who gets which level is decided in `data_access.access` from the identity Streamlit read from the
cookie it signed; nothing here takes a level from a widget or a link. What this module adds is
what only the server knows: when a sign-in was last used (for the idle limit, shared by the tabs
of one sign-in), and which sign-ins and refusals the audit trail has been told of already.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
import threading

import streamlit as st

from data_access.access import Access
from data_access.audit import AUDIT_VARIABLE, AuditLog, Auditor, AuditUnavailable
from data_access.catalogue import snapshot_root
from data_access.signin import auth_problem, identity
from i18n import _, ngettext
from i18n import format as fmt
from ui.fragments import fragment
from ui.text import escape

log = logging.getLogger("second_chance.signin")

_RECORDED_KEY = "_second_chance_audit_recorded"
IDLE_CHECK_SECONDS = 60.0
"""How often an open page checks whether its sign-in has run out (then it reruns, public)."""


class _SignIns:
    """Per server process: when each sign-in (subject, sign-in time) was last used, and which of
    its events the audit trail holds. A restart forgets both: then the session lifetime alone
    applies until the sign-in is used again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple, dt.datetime] = {}
        self._told: set[tuple] = set()

    def last_active(self, key: tuple) -> dt.datetime | None:
        with self._lock:
            return self._last.get(key)

    def touch(self, key: tuple, now: dt.datetime) -> None:
        with self._lock:
            self._last[key] = now
            if len(self._last) > 10_000:  # sign-ins of days ago
                oldest = sorted(self._last, key=self._last.get)[: len(self._last) // 2]
                for old in oldest:
                    del self._last[old]

    def first_time(self, event: tuple) -> bool:
        with self._lock:
            if event in self._told:
                return False
            self._told.add(event)
            return True


@st.cache_resource(show_spinner=False)
def _sign_ins() -> _SignIns:
    return _SignIns()


def _claims() -> dict | None:
    """The signed-in user's ID token claims, as Streamlit read them from its signed cookie."""
    try:
        return st.user.to_dict() if st.user.is_logged_in else None
    except Exception:  # no session (bare mode), or a user dict Streamlit could not read: nobody
        return None


def _auth_problem() -> str:
    """Why `st.login()` cannot work on this server ("" when it can)."""
    if importlib.util.find_spec("authlib") is None:
        return "Authlib is not installed (pip install -r requirements.txt installs it)"
    try:
        section = st.secrets.get("auth")
    except Exception as error:  # no secrets file, or one that is not valid TOML
        if getattr(error, "error_id", None) == "no-secrets-found":
            return auth_problem(None)  # no file at all: no [auth] section either
        return f"the secrets cannot be read ({type(error).__name__}); see the README on .streamlit/secrets.toml"
    return auth_problem(section, st.get_option("server.trustedUserHeaders"))


def _key(claims: dict | None) -> tuple | None:
    user = identity(claims)
    return None if user is None else (user.subject, claims.get("iat"))


def access() -> Access:
    """This session's access: the server's level from its environment, and on a sign-in server
    the signed-in user's (authorised, within the session lifetime and the idle limit)."""
    server = Access.from_environment()
    if not server.sign_in:
        return server
    claims = _claims()
    key = _key(claims)
    sign_ins = _sign_ins()
    now = dt.datetime.now(dt.UTC)
    level = server.for_user(claims, now, sign_ins.last_active(key) if key else None, unavailable=_auth_problem())
    if key is not None and level.decision is not None:
        if level.decision.restricted:
            sign_ins.touch(key, now)
        _tell_the_trail(level, key, sign_ins)
    return level


def auditor(level: Access) -> Auditor | None:
    """The audit trail of this session: on a sign-in server always (without a usable file,
    person-level rows are refused); on a server fixed at the restricted level when
    `SECOND_CHANCE_AUDIT_LOG` is set; never at a fixed public level (it has no person rows)."""
    configured = bool(os.environ.get(AUDIT_VARIABLE, "").strip())
    if not level.sign_in and (level.public or not configured):
        return None
    roots = [snapshot_root("restricted"), snapshot_root("public")]
    user = level.user.for_audit() if level.user else {}
    recorded = st.session_state.setdefault(_RECORDED_KEY, set())
    return Auditor(AuditLog.from_environment(os.environ, roots), user, recorded)


def _tell_the_trail(level: Access, key: tuple, sign_ins: _SignIns) -> None:
    """A sign-in, or a refusal, goes to the audit trail once per sign-in (not once per tab or
    rerun). A trail that cannot be written does not stop anyone signing in: it stops person rows."""
    decision = level.decision
    action = "sign_in" if decision.restricted else "refused"
    if not sign_ins.first_time((key, action, "" if decision.restricted else decision.reason)):
        return
    signed_in_at = level.user.signed_in_at.isoformat().replace("+00:00", "Z") if level.user.signed_in_at else None
    details = {"authorised_by": decision.reason} if decision.restricted else {"reason": decision.reason}
    try:
        trail = auditor(level)
        if trail is not None:
            trail.event(action, signed_in_at=signed_in_at, **details)
    except AuditUnavailable as error:
        log.warning("audit trail: could not record %s of %s: %s", action, level.user.subject, error.reason)
    log.info("%s: %s (%s)", action, level.user.subject, decision.reason)


def _sign_out(level: Access) -> None:
    try:
        trail = auditor(level)
        if trail is not None:
            trail.event("sign_out")
    except AuditUnavailable as error:
        log.warning("audit trail: could not record sign_out of %s: %s", level.user.subject, error.reason)
    st.logout()


def panel(level: Access) -> None:
    """The sidebar's part of signing in (sign-in servers only): a "Sign in" button for staff, or
    who is signed in, what that gives, and "Sign out"."""
    if not level.sign_in:
        return
    with st.container(key="sign-in-panel"):
        if level.user is None:
            _anonymous(level)
        else:
            _signed_in(level)


def _anonymous(level: Access) -> None:
    if level.problem:
        st.caption(_("Sign-in is not available on this server right now; **About the data** says why."))
        return
    if st.button(
        _("Sign in"),
        key="sign-in",
        icon=":material/login:",
        width="stretch",
        help=_("Programme staff: sign in with your organisation's account to see restricted data."),
    ):
        st.login()


def duration_text(delta: dt.timedelta) -> str:
    """A session limit in words: "8 hours", "30 minutes" (in whole minutes)."""
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes % 60 == 0:
        return ngettext("{n} hour", "{n} hours", minutes // 60).format(n=fmt.count(minutes // 60))
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=fmt.count(minutes))


def refusal_text(level: Access) -> str:
    """Why a signed-in user sees the public level, and what to do."""
    reason, rules = level.decision.reason, level.rules
    if reason == "expired":
        return _(
            "Your sign-in has run out (after {duration}), so you see the public level. Sign in again to see "
            "restricted data."
        ).format(duration=duration_text(rules.session))
    if reason == "idle":
        return _(
            "Your sign-in has run out after {duration} without activity, so you see the public level. Sign in "
            "again to see restricted data."
        ).format(duration=duration_text(rules.idle))
    if reason == "no_sign_in_time":
        return _(
            "This sign-in does not say when it happened, so it is not trusted and you see the public level. "
            "Sign in again."
        )
    return _(
        "This account is not authorised for restricted data, so you see the public level. If you are programme "
        "staff, ask whoever runs this server to add your account."
    )


def _signed_in(level: Access) -> None:
    user = level.user
    st.markdown(_("Signed in as **{name}**").format(name=escape(user.shown_name)))
    if user.email and user.email != user.shown_name:
        st.caption(escape(user.email))
    decision = level.decision
    if decision is None:
        st.warning(
            _(
                "Sign-in is not available on this server right now, so you see the public level. "
                "**About the data** says why."
            ),
            icon=":material/no_accounts:",
        )
    elif not decision.restricted:
        st.warning(refusal_text(level), icon=":material/no_accounts:")
        if decision.reason != "not_authorised" and st.button(
            _("Sign in again"), key="sign-in-again", icon=":material/login:", width="stretch", type="primary"
        ):
            st.login()
    if st.button(_("Sign out"), key="sign-out", icon=":material/logout:", width="stretch"):
        _sign_out(level)
    if decision is not None and decision.restricted and decision.expires_at is not None:
        seconds = (decision.expires_at - dt.datetime.now(dt.UTC)).total_seconds()
        fragment(_check_expiry, run_every=max(2.0, min(IDLE_CHECK_SECONDS, seconds + 1)))(level)


def _check_expiry(level: Access) -> None:
    """Runs on its own while a restricted page is open: once the sign-in has run out (session
    lifetime, or the idle limit counted from its last use in any tab), the page reruns and shows the
    public level. Checking is not activity: it never extends the sign-in."""
    key = _key(_claims())
    if key is None:
        return
    again = level.for_user(_claims(), dt.datetime.now(dt.UTC), _sign_ins().last_active(key))
    if again.decision is None or not again.decision.restricted:
        st.rerun(scope="app")
