"""The access level a server runs at, and the rules that go with it, from its environment.

Chosen by whoever runs the server, never by a widget, a link or anything a user sends:

- `restricted` (the default): programme staff; exact figures and person-level rows;
- `public`: NGOs, researchers, the press; public snapshots of aggregates only, every count
  perturbed (`data_access.perturbation`) and shown under the display rules of
  `data_access.disclosure`.

Anything unreadable in the configuration means public: a typo in a deployment must not open
person-level data. The reason is shown on the About page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from data_access import contract as c
from data_access import disclosure as d
from data_access.perturbation import Perturbation
from i18n import _
from i18n import format as fmt

LEVEL_VARIABLE = "SECOND_CHANCE_ACCESS"
"""Environment variable naming the access level: `restricted` (default) or `public`."""
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
        """The level and rules from the environment; anything unreadable means public."""
        environ = os.environ if environ is None else environ
        raw = environ.get(LEVEL_VARIABLE, "restricted").strip().lower() or "restricted"
        problems = []
        level = raw
        if raw not in c.ACCESS_LEVELS:
            problems.append(f"{LEVEL_VARIABLE}={raw[:40]!r} is not one of {', '.join(c.ACCESS_LEVELS)}")
            level = "public"
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
        return cls(level=level, policy=policy, problem="; ".join(problems))


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
    ]
    return lines
