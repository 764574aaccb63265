"""The access level a session runs at, and the rules that go with it, from the server's environment
and, on a server that signs staff in, the signed-in identity.

Chosen by whoever runs the server, never by a widget, a link or anything a user sends:

- `restricted` (the default): programme staff; exact figures and person-level rows;
- `public`: NGOs, researchers, the press; public snapshots of aggregates only, every count
  perturbed (`data_access.perturbation`) and shown under the display rules of
  `data_access.disclosure`;
- `sign-in`: one server for both. A visitor who is not signed in gets the public level; a user
  signed in with the organisation's identity provider gets the restricted level only when the
  configuration authorises them (`data_access.signin`), and only from the identity Streamlit keeps
  in the cookie it signed (`st.user`). The two levels open snapshots from two separate folders.

Anything unreadable in the configuration means public: a typo in a deployment must not open
person-level data. The reason is shown on the About page.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from data_access import contract as c
from data_access import disclosure as d
from data_access.catalogue import LEVEL_ROOT_VARIABLES, snapshot_root
from data_access.perturbation import Perturbation
from data_access.signin import Decision, Identity, Rules, decide, identity
from i18n import _
from i18n import format as fmt

LEVEL_VARIABLE = "SECOND_CHANCE_ACCESS"
"""Environment variable naming the access level: `restricted` (default), `public`, or `sign-in`
(public unless an authorised member of staff signs in)."""
SIGN_IN = "sign-in"
MODES = (*c.ACCESS_LEVELS, SIGN_IN)
POLICY_VARIABLES = {
    "k": "SECOND_CHANCE_K",
    "k_sensitive": "SECOND_CHANCE_K_SENSITIVE",
    "min_base": "SECOND_CHANCE_MIN_BASE",
    "min_stats_group": "SECOND_CHANCE_MIN_STATS_GROUP",
}
"""Environment variables that tune the public display rules (each optional; defaults in `Policy`)."""
MIN_BASE_FOR_SHARE = 20
"""No percentage of a base under 20 at either level: a percentage of a handful misleads."""
RESTRICTED_MIN_STATS_GROUP = 10
"""Even programme staff see no median or quartile of fewer than 10 people: it is noise."""


@dataclass(frozen=True)
class Access:
    """The access level in force and the rules that go with it."""

    level: str = "restricted"
    policy: d.Policy = field(default_factory=d.Policy)
    problem: str = ""
    """Why the configuration was not taken as given (then the level is public: fail closed)."""
    sign_in: bool = False
    """The server signs staff in (`SECOND_CHANCE_ACCESS=sign-in`): the level depends on who."""
    rules: Rules | None = field(default=None, compare=False, repr=False)
    user: Identity | None = field(default=None, compare=False)
    """Who is signed in (sign-in only; also when they stay public)."""
    decision: Decision | None = field(default=None, compare=False)
    """Why the signed-in user has the level they have (sign-in only)."""

    @property
    def public(self) -> bool:
        return self.level == "public"

    @property
    def badge(self) -> str:
        if self.public:
            return _("Public · disclosure-controlled aggregates")
        return _("Restricted · programme staff only")

    @property
    def min_stats_group(self) -> int:
        return self.policy.min_stats_group if self.public else RESTRICTED_MIN_STATS_GROUP

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Access:
        """The level and rules from the environment; anything unreadable means public. On a
        sign-in server this is the level of a visitor who is not signed in (public); `for_user`
        gives a signed-in user's."""
        environ = os.environ if environ is None else environ
        raw = environ.get(LEVEL_VARIABLE, "restricted").strip().lower() or "restricted"
        problems = []
        level = raw
        if raw not in MODES:
            problems.append(f"{LEVEL_VARIABLE}={raw[:40]!r} is not one of {', '.join(MODES)}")
            level = "public"
        rules = None
        if raw == SIGN_IN:
            level = "public"
            rules, rule_problems = Rules.from_environment(environ)
            problems += rule_problems + _root_problems(environ)
        values: dict[str, int] = {}
        for name, variable in POLICY_VARIABLES.items():
            text = environ.get(variable, "").strip()
            if not text:
                continue
            try:
                values[name] = int(text)
            except ValueError:
                problems.append(f"{variable}={text[:20]!r} is not a whole number")
        try:
            policy = d.Policy(**values)
        except ValueError as error:
            problems.append(str(error))
            policy = d.Policy()
        if problems:
            level = "public"
        return cls(level=level, policy=policy, problem="; ".join(problems), sign_in=raw == SIGN_IN, rules=rules)

    def for_user(
        self,
        claims: Mapping | None,
        now: dt.datetime | None = None,
        last_active: dt.datetime | None = None,
        unavailable: str = "",
    ) -> Access:
        """The access of a session whose signed-in identity is `claims` (Streamlit's `st.user`,
        read from the cookie it signed; None or not logged in: nobody). Only a sign-in server
        looks at it. `unavailable` says why sign-in cannot work here (e.g. the `[auth]` secrets
        are incomplete): then everyone is public, like any other problem."""
        if not self.sign_in:
            return self
        user = identity(claims)
        problem = "; ".join(p for p in (self.problem, unavailable) if p)
        if user is None or problem or self.rules is None:
            return replace(self, level="public", problem=problem, user=user, decision=None)
        decision = decide(self.rules, claims or {}, now or dt.datetime.now(dt.UTC), last_active)
        return replace(self, level="restricted" if decision.restricted else "public", user=user, decision=decision)


def _root_problems(environ: Mapping[str, str]) -> list[str]:
    """A sign-in server serves both levels, each from its own folder: one folder for both would
    leave keeping them apart to the folder's contents."""
    restricted, public = (snapshot_root(level, environ).expanduser().resolve() for level in ("restricted", "public"))
    if restricted != public:
        return []
    return [
        f"the restricted and the public snapshots must be in two folders ({LEVEL_ROOT_VARIABLES['restricted']}, "
        f"{LEVEL_ROOT_VARIABLES['public']}), both name {restricted}"
    ]


def methodology(access: Access, perturbation: Perturbation | None = None) -> list[str]:
    """The rules in force, in plain words: shown on the About page and carried in downloads."""
    p = access.policy
    if not access.public:
        return [
            _(
                "Restricted access: figures are exact and include small groups; "
                "do not share them outside the programme."
            ),
            _("Medians, quartiles and scores are shown only for groups of at least {n}.").format(
                n=RESTRICTED_MIN_STATS_GROUP
            ),
        ]
    noise = perturbation or Perturbation()
    lines = [
        _(
            "Public access: figures come from published aggregates (no person-level data) "
            "and are disclosure-controlled."
        ),
        _(
            "Every count is perturbed by the cell-key method: a small, fixed noise of at most {noise} (variance "
            "{variance}) is added, so a figure can differ from the truth by up to {noise}. The same group of people "
            "always gets the same number, on every page and in every download, and totals stay true within that bound."
        ).format(
            noise=noise.max_noise, variance=fmt.number(noise.variance, 0 if float(noise.variance).is_integer() else 1)
        ),
        _(
            "No count from 1 to {n} is ever published: small groups show as 0 or as {next} and more, so a 0 can stand "
            "for a handful of people."
        ).format(n=noise.never_shown, next=noise.never_shown + 1)
        if noise.never_shown
        else _("Zero stays zero: a published 0 means no one."),
        _(
            'Published counts from 1 to {last} are shown as "<{k}" (from 1 to {last_sensitive} as "<{k_sensitive}" '
            "for the justice track and services)."
        ).format(last=p.k - 1, k=p.k, last_sensitive=p.k_sensitive - 1, k_sensitive=p.k_sensitive),
        _(
            "When you choose several values in one filter, each combination is protected on its own and the figures "
            "are their sums: each combination may add up to {noise} of difference."
        ).format(noise=noise.max_noise),
        _(
            "A selection of fewer than {n} people, or one that leaves fewer than {n} outside it, shows no figures."
        ).format(n=p.min_base),
        _(
            "Percentages are computed from the published counts, only for groups of at least {n}, and never shown as "
            "0% or 100% of part of a group."
        ).format(n=p.min_base),
        _("Medians, quartiles and scores are shown only for groups of at least {n} people.").format(
            n=p.min_stats_group
        ),
        _(
            "Every value chosen in a filter must itself have at least {n} people: with several values, the figures "
            "of each could be worked out from the others."
        ).format(n=p.min_base),
        _(
            'A month-by-month series is "not shown" unless at least {k} people ({k_sensitive} for the justice track '
            "and for services) were in it, a cohort's milestone curve and a region's outcomes unless the group has "
            "at least {n} people, and a median unless at least {m}, for each value chosen in a filter: a series or a "
            "curve of a few people would tell when each of them moved on."
        ).format(k=p.k, k_sensitive=p.k_sensitive, n=p.min_base, m=p.min_stats_group),
    ]
    return lines
