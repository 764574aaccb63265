"""Who gets the restricted level on a server that signs staff in (`SECOND_CHANCE_ACCESS=sign-in`).

Pure rules, no Streamlit: the claims of a signed-in user's ID token (as Streamlit keeps them in
its signed identity cookie, `st.user`), the configuration from the environment, and the time,
give a `Decision`. The restricted level needs all of:

- an identity with a subject (`sub`) and a sign-in time (`iat`), i.e. a cookie Streamlit signed;
- authorisation by configuration: the e-mail address on `SECOND_CHANCE_STAFF_EMAILS`, or its
  domain on `SECOND_CHANCE_STAFF_DOMAINS` (both only when the provider has not said the address is
  unverified: `email_verified` false), or the claim `SECOND_CHANCE_STAFF_CLAIM` (a group or role
  claim, e.g. `groups` or `roles`; `realm_access.roles` reads a nested one) holding one of
  `SECOND_CHANCE_STAFF_CLAIM_VALUES`;
- a sign-in younger than `SECOND_CHANCE_SESSION_HOURS` (default 8) and, when
  `SECOND_CHANCE_IDLE_MINUTES` is set (default 30; 0 turns it off), activity within that many
  minutes. The identity cookie itself lasts 30 days: these bring staff back to the provider.

Everyone else sees the public level. Configuration that cannot be read is a problem, and a
problem means public for everyone (`data_access.access` says so on the About page).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

EMAILS_VARIABLE = "SECOND_CHANCE_STAFF_EMAILS"
"""Comma- or space-separated e-mail addresses authorised for the restricted level."""
DOMAINS_VARIABLE = "SECOND_CHANCE_STAFF_DOMAINS"
"""Comma- or space-separated e-mail domains whose addresses are authorised (exact domain, no subdomains)."""
CLAIM_VARIABLE = "SECOND_CHANCE_STAFF_CLAIM"
"""Name of the ID token claim that carries groups or roles (e.g. `groups`, `roles`, `realm_access.roles`)."""
CLAIM_VALUES_VARIABLE = "SECOND_CHANCE_STAFF_CLAIM_VALUES"
"""Comma-separated values of that claim, any one of which authorises."""
SESSION_VARIABLE = "SECOND_CHANCE_SESSION_HOURS"
"""Hours after signing in until staff must sign in again."""
IDLE_VARIABLE = "SECOND_CHANCE_IDLE_MINUTES"
"""Minutes without activity after which staff must sign in again (0: no idle limit)."""

DEFAULT_SESSION = dt.timedelta(hours=8)
DEFAULT_IDLE = dt.timedelta(minutes=30)
CLOCK_SKEW = dt.timedelta(minutes=5)
"""A sign-in time this far in the future is still believed (clocks differ a little)."""

_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


@dataclass(frozen=True)
class Rules:
    """Who is authorised for the restricted level, and for how long."""

    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    claim: str = ""
    claim_values: frozenset[str] = frozenset()
    session: dt.timedelta = DEFAULT_SESSION
    idle: dt.timedelta | None = DEFAULT_IDLE

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> tuple[Rules, list[str]]:
        """The rules, and what could not be read (in English, for the About page and the log).
        Any problem means nobody gets the restricted level (the caller fails closed)."""
        problems: list[str] = []
        emails = _words(environ.get(EMAILS_VARIABLE, ""))
        bad = [e for e in emails if not _EMAIL.fullmatch(e)]
        if bad:
            problems.append(f"{EMAILS_VARIABLE} holds {_quoted(bad)}, which is not an e-mail address")
        domains = [d.removeprefix("@") for d in _words(environ.get(DOMAINS_VARIABLE, ""))]
        bad = [d for d in domains if not _DOMAIN.fullmatch(d)]
        if bad:
            problems.append(f"{DOMAINS_VARIABLE} holds {_quoted(bad)}, which is not a domain like programme.example")
        claim = environ.get(CLAIM_VARIABLE, "").strip()
        values = [v.strip() for v in environ.get(CLAIM_VALUES_VARIABLE, "").split(",") if v.strip()]
        if claim and not values:
            problems.append(f"{CLAIM_VARIABLE}={claim[:40]!r} is set but {CLAIM_VALUES_VARIABLE} is empty")
        if values and not claim:
            problems.append(f"{CLAIM_VALUES_VARIABLE} is set but {CLAIM_VARIABLE} (the claim's name) is empty")
        if claim and not re.fullmatch(r"[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*", claim):
            problems.append(f"{CLAIM_VARIABLE}={claim[:40]!r} is not a claim name like groups or realm_access.roles")
        if not (emails or domains or (claim and values)) and not problems:
            problems.append(
                f"no one is authorised for the restricted level: set {EMAILS_VARIABLE}, {DOMAINS_VARIABLE} "
                f"or {CLAIM_VARIABLE} with {CLAIM_VALUES_VARIABLE}"
            )
        session = _duration(environ, SESSION_VARIABLE, "hours", DEFAULT_SESSION, problems, zero_allowed=False)
        idle = _duration(environ, IDLE_VARIABLE, "minutes", DEFAULT_IDLE, problems, zero_allowed=True)
        rules = cls(
            emails=frozenset(emails),
            domains=frozenset(domains),
            claim=claim,
            claim_values=frozenset(values),
            session=session or DEFAULT_SESSION,
            idle=idle,
        )
        return rules, problems


def _words(text: str) -> list[str]:
    return [w.strip().lower() for w in re.split(r"[\s,;]+", text) if w.strip()]


def _quoted(values: list[str]) -> str:
    return ", ".join(repr(v[:60]) for v in values[:3])


def _duration(
    environ: Mapping[str, str],
    variable: str,
    unit: str,
    default: dt.timedelta,
    problems: list[str],
    *,
    zero_allowed: bool,
) -> dt.timedelta | None:
    text = environ.get(variable, "").strip()
    if not text:
        return default
    try:
        amount = float(text)
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount < 0 or (amount == 0 and not zero_allowed) or amount > 24 * 366:
        least = "0 or more" if zero_allowed else "more than 0"
        problems.append(f"{variable}={text[:20]!r} is not a number of {unit} ({least})")
        return default
    if amount == 0:
        return None
    return dt.timedelta(**{unit: amount})


@dataclass(frozen=True)
class Identity:
    """Who signed in, as the ID token says: what the audit trail records of them."""

    subject: str
    email: str = ""
    name: str = ""
    signed_in_at: dt.datetime | None = None

    @property
    def shown_name(self) -> str:
        return self.name or self.email or self.subject

    def for_audit(self) -> dict[str, str]:
        return {"subject": self.subject, "email": self.email}


def identity(claims: Mapping | None) -> Identity | None:
    """The signed-in user of `claims` (st.user), or None when nobody is signed in. Streamlit sets
    `is_logged_in` only from a cookie it signed; anything else is nobody."""
    if not claims or claims.get("is_logged_in") is not True:
        return None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        return None
    return Identity(
        subject=subject.strip()[:200],
        email=_text(claims.get("email")).lower()[:320],
        name=_text(claims.get("name"))[:200],
        signed_in_at=_timestamp(claims.get("iat")),
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _timestamp(value: object) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


AUTHORISED_BY = ("email", "domain", "claim")
"""Reasons a decision gives the restricted level."""
REFUSED_BECAUSE = ("not_authorised", "no_sign_in_time", "expired", "idle")
"""Reasons a signed-in user stays public (also the `reason` of an audit trail's `refused` line)."""


@dataclass(frozen=True)
class Decision:
    restricted: bool
    reason: str
    """One of AUTHORISED_BY or REFUSED_BECAUSE."""
    expires_at: dt.datetime | None = None
    """When the restricted level ends, unless there is activity before (the sooner of the session
    lifetime and the idle limit)."""


def authorised_by(rules: Rules, claims: Mapping) -> str | None:
    """Which rule authorises these claims, or None."""
    email = _text(claims.get("email")).lower()
    verified = claims.get("email_verified", True) not in (False, "false", "False", 0)
    if email and verified:
        if email in rules.emails:
            return "email"
        if email.rpartition("@")[2] in rules.domains:
            return "domain"
    if rules.claim and rules.claim_values & _claim_values(claims, rules.claim):
        return "claim"
    return None


def _claim_values(claims: Mapping, name: str) -> set[str]:
    """The values of a (possibly nested: `realm_access.roles`) claim: a string or a list of them."""
    value: object = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {v for v in value if isinstance(v, str)}
    return set()


def decide(rules: Rules, claims: Mapping, now: dt.datetime, last_active: dt.datetime | None = None) -> Decision:
    """Restricted or not for a signed-in user's `claims` at `now` (UTC); `last_active` is the last
    time this sign-in was used (None: not seen before)."""
    rule = authorised_by(rules, claims)
    if rule is None:
        return Decision(False, "not_authorised")
    signed_in = _timestamp(claims.get("iat"))
    if signed_in is None or signed_in > now + CLOCK_SKEW:
        return Decision(False, "no_sign_in_time")
    ends = signed_in + rules.session
    if now >= ends:
        return Decision(False, "expired")
    if rules.idle is not None and last_active is not None and now >= last_active + rules.idle:
        return Decision(False, "idle")
    idle_ends = (last_active or now) + rules.idle if rules.idle is not None else ends
    return Decision(True, rule, expires_at=min(ends, idle_ends))


AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
"""What Streamlit's `st.login()` needs in the `[auth]` section of `.streamlit/secrets.toml` (the
default, unnamed provider)."""
MIN_COOKIE_SECRET = 32
"""The identity cookie is only as good as its signing key: a short one can be guessed."""


def auth_problem(section: object, trusted_user_headers: object = None) -> str:
    """Why Streamlit's sign-in cannot be trusted with this `[auth]` section ("" when it can).
    Never quotes a secret. `trusted_user_headers` is Streamlit's `server.trustedUserHeaders`:
    headers that would override the signed cookie's identity, which this server does not accept."""
    if not isinstance(section, Mapping):
        return "the secrets have no [auth] section (.streamlit/secrets.toml; see the README)"
    missing = [key for key in AUTH_KEYS if not str(section.get(key) or "").strip()]
    if missing:
        return f"the [auth] section of the secrets lacks {', '.join(missing)}"
    redirect = str(section["redirect_uri"]).strip()
    if not re.fullmatch(r"https?://[^/\s]+/(?:\S*/)?oauth2callback", redirect):
        return f"[auth] redirect_uri {redirect[:80]!r} must be the server's address ending in /oauth2callback"
    if len(str(section["cookie_secret"])) < MIN_COOKIE_SECRET:
        return f"[auth] cookie_secret must be a random string of at least {MIN_COOKIE_SECRET} characters"
    metadata = str(section["server_metadata_url"]).strip()
    if not re.fullmatch(r"https?://\S+", metadata):
        return f"[auth] server_metadata_url {metadata[:80]!r} must be the provider's http(s) discovery address"
    if trusted_user_headers:
        return "server.trustedUserHeaders is set: an identity from request headers is not accepted here"
    return ""
