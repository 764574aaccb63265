"""The one door between the queries and the pages: every number a page shows comes through here.

A page never calls `data_access.queries` itself. It asks a `Release` (one per run, bound to the
snapshot, the previous snapshot and the access level), and gets the same tidy tables back:

- at the **restricted** level (programme staff) exactly what the queries return, except that
  medians, quartiles and scores of groups under 10 are left out;
- at the **public** level (NGOs, researchers), the tables after the disclosure rules of
  `data_access.disclosure`: small counts withheld (primary and secondary), shares only on
  bases of 20, statistics only for groups of 20, optional rounding, and no person-level data.
  Every count column then comes with `<count>_suppressed` (bool) and `<count>_text` ("<5",
  "withheld" or the number), so charts, tables, sentences and downloads show the same thing.

A selection (or its complement in the snapshot) under the minimum base raises
`SelectionTooSmall` before any figure is computed; person rows raise `NotAllowed`. Failing
loudly is the point: a page that forgets to handle them shows an error, never a number.

The access level is chosen by whoever runs the server, from the environment (see `Access`).

Released tables are remembered per snapshot (`RESULTS_VARIABLE`, a bounded LRU shared by every
session): a selection asked for before, by anyone at the same level, is not computed again.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from data_access import contract as c
from data_access import disclosure as d
from data_access import queries as q
from data_access.filters import Filters
from data_access.snapshot import Snapshot

LEVEL_VARIABLE = "SECOND_CHANCE_ACCESS"
"""Environment variable naming the access level: `restricted` (default) or `public`."""
POLICY_VARIABLES = {
    "k": "SECOND_CHANCE_K",
    "k_sensitive": "SECOND_CHANCE_K_SENSITIVE",
    "min_base": "SECOND_CHANCE_MIN_BASE",
    "min_stats_group": "SECOND_CHANCE_MIN_STATS_GROUP",
    "rounding": "SECOND_CHANCE_ROUNDING",
}
"""Environment variables that tune the public rules (each optional; defaults in `Policy`)."""
MIN_BASE_FOR_SHARE = 20
"""No percentage of a base under 20 at either level: a percentage of a handful misleads."""
RESTRICTED_MIN_STATS_GROUP = 10
"""Even programme staff see no median or quartile of fewer than 10 people: it is noise."""
RESULTS_VARIABLE = "SECOND_CHANCE_RESULT_CACHE"
"""Environment variable: how many released tables and figures to remember per snapshot (default
512; 0: none)."""


DEFAULT_RESULT_CACHE_SIZE = 512


def _result_cache_size(environ: Mapping[str, str] | None = None) -> int:
    text = (os.environ if environ is None else environ).get(RESULTS_VARIABLE, "").strip()
    return int(text) if text.isdigit() else DEFAULT_RESULT_CACHE_SIZE


RESULT_CACHE_SIZE = _result_cache_size()
"""Entries kept per snapshot; the benchmark sets it to 0 to measure selections never seen before."""
_MISSING = object()


class _Results:
    """Released tables of one snapshot, least recently used dropped first. Tables are small
    (at most a few thousand rows: months x cohorts), so 512 of them stay within tens of MiB."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is not _MISSING:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > RESULT_CACHE_SIZE:
                self._items.popitem(last=False)


def _results(snapshot: Snapshot) -> _Results:
    # Kept on the snapshot (like its cells), so it is dropped with it.
    return snapshot.__dict__.setdefault("_results", _Results())


def _hashable(value):
    return tuple(_hashable(item) for item in value) if isinstance(value, list | tuple) else value


def remembered(method):
    """Compute a released table once per run (a page asks for a selection's size many times)
    and once per snapshot, access level and previous snapshot while it stays in `_Results`.
    Callers get their own copy of a table, so none can change what another session sees."""

    @functools.wraps(method)
    def wrapper(self: Release, *args, **kwargs):
        key = (method.__name__, *map(_hashable, args), *sorted((k, _hashable(v)) for k, v in kwargs.items()))
        value = self._memo.get(key, _MISSING)
        shared = (self.access, self._previous_key, key)
        if value is _MISSING and RESULT_CACHE_SIZE:
            value = _results(self.snapshot).get(shared)
        if value is _MISSING:
            value = method(self, *args, **kwargs)
            if RESULT_CACHE_SIZE:
                _results(self.snapshot).put(shared, value)
        self._memo[key] = value
        return value.copy() if isinstance(value, pd.DataFrame) else value

    return wrapper


class SelectionTooSmall(Exception):
    """The selection, or the rest of the snapshot outside it, has fewer people than the minimum base."""

    def __init__(self, n: int, total: int, min_base: int) -> None:
        self.n, self.total, self.min_base = n, total, min_base
        which = "this selection has" if n < min_base else "it leaves"
        where = "" if n < min_base else " outside it"
        super().__init__(
            f"{d.SELECTION_TOO_SMALL}: {which} fewer than {min_base} people{where}. "
            "Remove a filter (or press Reset filters) to see figures."
        )


class NotAllowed(Exception):
    """Person-level data asked for at the public level."""


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
            return "Public · disclosure-controlled aggregates"
        return "Restricted · programme staff only"

    @property
    def min_stats_group(self) -> int:
        return self.policy.min_stats_group if self.public else RESTRICTED_MIN_STATS_GROUP

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Access:
        """The level and rules from the environment. Anything unreadable means public: a typo
        in a deployment must not open person-level data."""
        environ = os.environ if environ is None else environ
        raw = environ.get(LEVEL_VARIABLE, "restricted").strip().lower() or "restricted"
        problems = []
        level = raw
        if raw not in c.ACCESS_LEVELS:
            problems.append(f"{LEVEL_VARIABLE}={raw[:40]!r} is not one of {', '.join(c.ACCESS_LEVELS)}")
            level = "public"
        values: dict[str, int | None] = {}
        for name, variable in POLICY_VARIABLES.items():
            text = environ.get(variable, "").strip()
            if not text:
                continue
            if name == "rounding" and text.lower() in ("0", "none", "off"):
                values[name] = None
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


def methodology(access: Access) -> list[str]:
    """The rules in force, in plain words: shown on the About page and carried in downloads."""
    p = access.policy
    if not access.public:
        return [
            "Restricted access: figures are exact and include small groups; do not share them outside the programme.",
            f"Medians, quartiles and scores are shown only for groups of at least {RESTRICTED_MIN_STATS_GROUP}.",
        ]
    lines = [
        "Public access: figures come from a published (anonymised) snapshot and are disclosure-controlled.",
        f'Counts from 1 to {p.k - 1} are shown as "<{p.k}" (from 1 to {p.k_sensitive - 1} as "<{p.k_sensitive}" '
        "for the justice track and services).",
        f'Where a "<{p.k}" could be worked out from a total, further counts are hidden too and shown as '
        f'"{d.SUPPRESSED_TEXT}".',
        f"A selection of fewer than {p.min_base} people, or one that leaves fewer than {p.min_base} outside it, "
        "shows no figures.",
        f"Percentages are shown only for groups of at least {p.min_base}, and never as 0% or 100% of part of a group.",
        f"Medians, quartiles and scores are shown only for groups of at least {p.min_stats_group}.",
        "Published snapshots have dates coarsened to months, fresh random ids, small cohorts merged and "
        "k-anonymity on cohort, region, sex, age band, unaccompanied and current stage: people in small groups "
        "have their region, cohort or stage shown as withheld, or are left out.",
        "No change since the previous snapshot is shown: each public snapshot is anonymised on its own.",
    ]
    if p.rounding:
        lines.append(d.rounding_note(p.rounding))
    return lines


COUNT_COLUMNS = ("people", "sessions", "reached", "over_threshold", "reached_school_work", "n", "value")


class Release:
    """The tables one run of a page may show, for one snapshot at one access level."""

    def __init__(
        self, snapshot: Snapshot, access: Access, previous: Snapshot | None = None, *, any_snapshot: bool = False
    ) -> None:
        """`any_snapshot` lets tests apply the public rules to a restricted snapshot; the app
        never passes it, so a restricted snapshot can never be shown at the public level."""
        for snap in (snapshot, previous):
            if snap is not None and access.public and not any_snapshot and snap.info.access_level != "public":
                raise NotAllowed(
                    f"Snapshot {snap.id} is not public; the public access level opens only published ones."
                )
        self.snapshot, self.access, self.previous = snapshot, access, previous
        self.total = len(snapshot.people)
        self._memo: dict = {}
        self._previous_key = None if previous is None else previous.info.path

    @remembered
    def figure(self, build, table: str, *args, options: tuple = (), **settings):
        """`build(self.<table>(*args), *options, **settings)`: a chart of a released table,
        remembered with it. Building a figure (titles, alt text, its template) costs more than
        adding up the table, so a selection seen before skips both."""
        return build(getattr(self, table)(*args), *options, **settings)

    @remembered
    def _n(self, filters: Filters) -> int:
        return q.base_n(self.snapshot, filters)

    @remembered
    def _time_in_stage(self, filters: Filters, threshold_days: int) -> pd.DataFrame:
        return q.time_in_stage(self.snapshot, filters, threshold_days=threshold_days)

    @property
    def public(self) -> bool:
        return self.access.public

    @property
    def policy(self) -> d.Policy:
        return self.access.policy

    # -- the base --------------------------------------------------------------------------

    def shows(self, filters: Filters) -> bool:
        """May figures be shown for this selection (always, at the restricted level)?"""
        if not self.public:
            return True
        return d.base_ok(self._n(filters), self.total, self.policy)

    def check(self, filters: Filters) -> int:
        """The selection's size, after making sure figures may be shown for it."""
        n = self._n(filters)
        if self.public and not d.base_ok(n, self.total, self.policy):
            raise SelectionTooSmall(n, self.total, self.policy.min_base)
        return n

    def base_n(self, filters: Filters) -> int:
        """The size of the selection (checked first at public)."""
        return self.check(filters)

    def base_text(self, filters: Filters) -> str | None:
        """The size of the selection as shown under every page title; None when it may not be
        shown (a small selection, or one that leaves a small group outside it)."""
        if not self.shows(filters):
            return None
        n = self._n(filters)
        if self.public and self.policy.rounding:
            n = d.round_count(n, self.policy.rounding)
        return f"{n:,}"

    # -- helpers -----------------------------------------------------------------------------

    def _round(self, table: pd.DataFrame, count: str = "people") -> pd.DataFrame:
        if self.public and self.policy.rounding:
            return d.round_counts(table, count, self.policy.rounding)
        return table

    def _table(
        self, table: pd.DataFrame, rows=(), cols=(), *, k: int | None = None, count="people", totals="all"
    ) -> pd.DataFrame:
        """Primary and secondary suppression of an additive table (cells add up to its totals)."""
        if not self.public:
            return table
        if rows and cols:
            table = d.complete(table, count, rows, cols)
        k = k or self.policy.k
        return self._round(d.suppress(table, count, rows, cols, k=k, policy=self.policy, totals=totals), count)

    def _shares(self, table: pd.DataFrame, count: str, base) -> pd.DataFrame:
        """Public: `share` of `count` in `base`, blank where the count is withheld or the base too
        small, with `share_text` in words."""
        out = table.copy()
        bases = out[base] if isinstance(base, str) else pd.Series(base, index=out.index)
        parts = out[count]
        ok = parts.notna() & (bases >= self.policy.min_base)
        share = parts.astype("float64") / bases.where(bases > 0).astype("float64")
        out["share"] = share.where(ok.to_numpy())
        out["share_text"] = [
            d.share_text(None if pd.isna(p) else int(p), int(b), self.policy) for p, b in zip(parts, bases, strict=True)
        ]
        return out

    def _stats(self, table: pd.DataFrame, group: str, columns: tuple[str, ...]) -> pd.DataFrame:
        out = table.copy()
        small = pd.to_numeric(out[group], errors="coerce").fillna(0) < self.access.min_stats_group
        for column in columns:
            out[column] = out[column].astype("float64").mask(small.to_numpy())
        return out

    # -- key figures ---------------------------------------------------------------------------

    @remembered
    def headline(self, filters: Filters) -> pd.DataFrame:
        """Key figures with the previous snapshot's and the change (see `queries.headline`).

        Public: women, men and children are cells of one table whose total is the base;
        unaccompanied children are a part of the children, the others parts of the base (the
        rest is protected as well as the part); the justice track uses the sensitive k. No
        change since the previous snapshot is shown: each public snapshot is anonymised on its
        own (different people generalised or left out), so a difference between two of them
        mixes real change with disclosure control, and could single out who moved."""
        self.check(filters)
        previous = None if self.public else self.previous
        table = q.headline(self.snapshot, filters, previous)
        n = int(table["value"].iloc[0])
        if not self.public:
            return table.assign(share_text=[q_share(v, n) if n >= MIN_BASE_FOR_SHARE else "" for v in table["value"]])
        now = self._figures(table, "value")
        out = table[["measure", "label"]].copy()
        for column in ("value", "value_suppressed", "value_text"):
            out[column] = now[column].to_numpy()
        out["previous"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["delta"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["share_text"] = [
            d.share_text(
                None if pd.isna(v) else int(v),
                n,
                self.policy,
                k=self.policy.k_sensitive if m == "justice_track" else self.policy.k,
            )
            for m, v in zip(out["measure"], out["value"], strict=True)
        ]
        return out

    def _figures(self, table: pd.DataFrame, column: str) -> pd.DataFrame:
        """One column of headline figures after the public rules, as measure, value, flag, text."""
        values = dict(zip(table["measure"], table[column], strict=True))
        people = int(values["people"])
        groups = pd.DataFrame({"measure": ["women", "men", "children"]})
        groups["people"] = [int(values[m]) for m in groups["measure"]]
        groups = self._round(d.suppress(groups, "people", rows=("measure",), k=self.policy.k, policy=self.policy))
        children = groups.set_index("measure").loc["children"]
        parts = pd.DataFrame(
            {
                "measure": ["unaccompanied", "justice_track", "active_support", "case_closed"],
                "people": [int(values[m]) for m in ("unaccompanied", "justice_track", "active_support", "case_closed")],
                "base": [int(values["children"]), people, people, people],
            }
        )
        rows = []
        for row in parts.itertuples():
            k = self.policy.k_sensitive if row.measure == "justice_track" else self.policy.k
            one = d.primary(pd.DataFrame({"people": [row.people], "base": [row.base]}), k=k, base="base")
            if row.measure == "unaccompanied" and bool(children["people_suppressed"]):
                one = d.primary(one.assign(people=pd.array([pd.NA], dtype="Int64"), people_suppressed=True), k=k)
            one = self._round(one)
            rows.append(
                (row.measure, one["people"].iloc[0], bool(one["people_suppressed"].iloc[0]), one["people_text"].iloc[0])
            )
        base_row = self._round(
            pd.DataFrame({"people": [people], "people_suppressed": [False], "people_text": [f"{people:,}"]})
        )
        rows.insert(0, ("people", base_row["people"].iloc[0], False, base_row["people_text"].iloc[0]))
        for g in groups.itertuples():
            rows.append((g.measure, g.people, bool(g.people_suppressed), g.people_text))
        figures = pd.DataFrame(rows, columns=["measure", column, f"{column}_suppressed", f"{column}_text"])
        figures[column] = figures[column].astype("Int64")
        return table[["measure"]].merge(figures, on="measure", how="left")

    # -- who returned ------------------------------------------------------------------------------

    @remembered
    def arrivals(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._table(q.arrivals(self.snapshot, filters), ("cohort",), ("group",))

    @remembered
    def unaccompanied_children(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._table(q.unaccompanied_children(self.snapshot, filters), ("cohort",), ("unaccompanied",))

    @remembered
    def age_sex_pyramid(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._table(q.age_sex_pyramid(self.snapshot, filters), ("age_band",), ("sex",))

    @remembered
    def counts_by(self, filters: Filters, dimensions) -> pd.DataFrame:
        """The explorer's pivot: one or two dimensions; the justice track counts as sensitive."""
        self.check(filters)
        dims = list(dict.fromkeys(dimensions))
        table = q.counts_by(self.snapshot, filters, dims)
        k = self.policy.k_sensitive if "justice" in dims else self.policy.k
        return self._table(table, (dims[0],), tuple(dims[1:]), k=k)

    # -- where they are in the programme -----------------------------------------------------------

    @remembered
    def stage_distribution(self, filters: Filters) -> pd.DataFrame:
        n = self.check(filters)
        table = q.stage_distribution(self.snapshot, filters)
        if not self.public:
            return table
        return self._shares(self._table(table.drop(columns="share"), ("stage",)), "people", n)

    @remembered
    def stage_reached(self, filters: Filters) -> pd.DataFrame:
        """The funnel. Stages reached are not parts of one total (a person reaches several), so
        each count is protected on its own, together with the people who did not reach it."""
        n = self.check(filters)
        table = q.stage_reached(self.snapshot, filters)
        if not self.public:
            return table
        out = self._round(d.primary(table.drop(columns="share"), k=self.policy.k, base=n))
        return self._shares(out, "people", n)

    @remembered
    def stage_occupancy(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        # Only each month's total means something (a stage's sum over months counts no one).
        return self._table(q.stage_occupancy(self.snapshot, filters), ("month",), ("stage",), totals="rows")

    @remembered
    def time_to_milestone(self, filters: Filters) -> pd.DataFrame:
        """Cumulative shares per cohort. Public: every third month (monthly steps would give the
        handful who reached a milestone in one month by difference), a count withheld when it
        or the rest of its cohort is small, and no share on a cohort under the minimum base."""
        self.check(filters)
        if not self.public:
            return q.time_to_milestone(self.snapshot, filters)
        table = q.time_to_milestone(self.snapshot, filters, step_months=3)
        out = self._round(d.primary(table.drop(columns="share"), "reached", k=self.policy.k, base="base"), "reached")
        small_cohort = out["base"] < self.policy.min_base
        out["share"] = (out["reached"].astype("float64") / out["base"]).mask(small_cohort.to_numpy())
        out["base"] = out["base"].astype("Int64").mask(out["base"].between(1, self.policy.k - 1))
        return out

    @remembered
    def time_in_stage(self, filters: Filters, threshold_days: int) -> pd.DataFrame:
        """People per open stage, days there (median, 75th percentile) and how many are past
        the threshold. Public: people per stage suppressed as one table, the number past the
        threshold protected with its rest, statistics only for groups of the minimum size."""
        self.check(filters)
        table = self._stats(self._time_in_stage(filters, threshold_days), "people", ("median_days", "p75_days"))
        if not self.public:
            return table
        out = self._table(table, ("stage",))
        over = d.primary(table[["over_threshold", "people"]], "over_threshold", k=self.policy.k, base="people")
        withheld = over["over_threshold_suppressed"].to_numpy() | out["people_suppressed"].to_numpy()
        out["over_threshold"] = over["over_threshold"].mask(withheld)
        out["over_threshold_suppressed"] = withheld
        out["over_threshold_text"] = [d.count_text(None if pd.isna(v) else int(v), None) for v in out["over_threshold"]]
        out.loc[over["over_threshold_suppressed"].to_numpy(), "over_threshold_text"] = d.small_text(self.policy.k)
        stats_hidden = out["people_suppressed"].to_numpy()
        for column in ("median_days", "p75_days"):
            out[column] = out[column].mask(stats_hidden)
        return self._round(out)

    @remembered
    def stuck_totals(self, filters: Filters, threshold_days: int) -> tuple[str, str]:
        """('how many past the threshold', 'of how many in an open stage') as text for a sentence."""
        n = self.check(filters)
        table = self._time_in_stage(filters, threshold_days)
        over, open_ = int(table["over_threshold"].sum()), int(table["people"].sum())
        if not self.public:
            return f"{over:,}", f"{open_:,}"
        totals = d.primary(pd.DataFrame({"people": [open_], "base": [n]}), k=self.policy.k, base="base")
        past = d.primary(pd.DataFrame({"people": [over], "base": [open_]}), k=self.policy.k, base="base")
        if bool(totals["people_suppressed"].iloc[0]):
            past = past.assign(people_text=d.SUPPRESSED_TEXT)
        totals, past = self._round(totals), self._round(past)
        return str(past["people_text"].iloc[0]), str(totals["people_text"].iloc[0])

    # -- how they are doing ----------------------------------------------------------------------------

    @remembered
    def assessment_scores(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        table = self._stats(q.assessment_scores(self.snapshot, filters), "n", ("median", "q1", "q3"))
        if not self.public:
            return table
        return self._round(d.primary(table, "n", k=self.policy.k), "n")

    @remembered
    def services_by_month(self, filters: Filters) -> pd.DataFrame:
        """Sensitive: people served per month and type under the higher k; sessions of a
        withheld cell are withheld with it."""
        self.check(filters)
        table = q.services_by_month(self.snapshot, filters)
        if not self.public:
            return table
        table = d.complete(table, "people", ["month"], ["service_type"]).fillna({"sessions": 0})
        table = table.astype({"sessions": "int64", "people": "int64"}).sort_values(["month", "service_type"])
        out = self._table(
            table.reset_index(drop=True), ("month",), ("service_type",), k=self.policy.k_sensitive, totals="rows"
        )
        out["sessions"] = out["sessions"].astype("Int64").mask(out["people_suppressed"].to_numpy())
        return out

    @remembered
    def services_by_type(self, filters: Filters, months: int = 12) -> pd.DataFrame:
        self.check(filters)
        table = q.services_by_type(self.snapshot, filters, months=months)
        if not self.public:
            return table
        return self._round(d.primary(table, k=self.policy.k_sensitive, also=("sessions",)))

    # -- by region ---------------------------------------------------------------------------------------

    @remembered
    def region_summary(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        table = self._stats(q.region_summary(self.snapshot, filters), "scored", ("median_composite",))
        if not self.public:
            return table
        out = self._table(table, ("region",))
        reached = d.primary(
            table[["reached_school_work", "people"]], "reached_school_work", k=self.policy.k, base="people"
        )
        hidden = reached["reached_school_work_suppressed"].to_numpy() | out["people_suppressed"].to_numpy()
        out["reached_school_work"] = reached["reached_school_work"].mask(hidden)
        out["reached_school_work_suppressed"] = hidden
        small = reached["reached_school_work_suppressed"].to_numpy()
        out["reached_school_work_text"] = [
            d.small_text(self.policy.k) if s_ else d.count_text(None if pd.isna(v) else int(v))
            for v, s_ in zip(out["reached_school_work"], small, strict=True)
        ]
        people = table["people"]
        ok = ~hidden & (people >= self.policy.min_base).to_numpy()
        out["share_school_work"] = (table["reached_school_work"] / people.clip(lower=1)).where(ok)
        out["median_composite"] = out["median_composite"].mask(out["people_suppressed"].to_numpy())
        return self._round(out)

    @remembered
    def region_stage(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._table(q.region_stage(self.snapshot, filters), ("region",), ("stage",))

    # -- filters and people --------------------------------------------------------------------------

    @remembered
    def option_counts(self, filters: Filters, dimension: str) -> pd.DataFrame:
        """Facet counts beside the filter options. Public: the counts of the options, as one
        table whose total is the selection without this filter; none at all when that
        selection is itself too small."""
        table = q.option_counts(self.snapshot, filters, dimension)
        if not self.public:
            return table
        if not self.shows(filters.without(dimension)):
            return table.assign(
                people=pd.array([pd.NA] * len(table), dtype="Int64"), people_suppressed=True, people_text=""
            )
        return self._table(table, ("code",))

    def person_table(self, filters: Filters, limit: int | None = None) -> pd.DataFrame:
        if self.public:
            raise NotAllowed("Person-level rows are not available at the public access level.")
        return q.person_table(self.snapshot, filters, limit=limit)

    def stage_history(self, person_id: str) -> pd.DataFrame:
        if self.public:
            raise NotAllowed("Person-level rows are not available at the public access level.")
        return q.stage_history(self.snapshot, person_id)


def q_share(part, base) -> str:
    """A restricted-level share in words (no suppression, still no rounded 0% or 100%)."""
    if pd.isna(part) or not base:
        return ""
    value = 100 * float(part) / float(base)
    if 0 < value < 1:
        return "under 1%"
    if 99 < value < 100:
        return "over 99%"
    return f"{value:.0f}%"


def count_texts(table: pd.DataFrame, count: str = "people") -> list[str]:
    """The text of each count as a page shows it: `<count>_text` where the rules made one."""
    if f"{count}_text" in table.columns:
        return table[f"{count}_text"].astype(str).tolist()
    return [d.count_text(None if pd.isna(v) else int(v)) for v in table[count]]


def page_tables(release: Release, filters: Filters) -> dict[str, dict[str, pd.DataFrame]]:
    """The released tables each page draws for `filters` (for reports and tests)."""
    f = filters
    return {
        "overview": {
            "headline": release.headline(f),
            "arrivals": release.arrivals(f),
            "stages": release.stage_distribution(f),
        },
        "repatriations": {
            "arrivals": release.arrivals(f),
            "pyramid": release.age_sex_pyramid(f),
            "unaccompanied": release.unaccompanied_children(f),
            "regions": release.counts_by(f, ["region"]),
        },
        "progress": {
            "funnel": release.stage_reached(f),
            "occupancy": release.stage_occupancy(f),
            "milestones": release.time_to_milestone(f),
            "stuck": release.time_in_stage(f, 180),
            "scores": release.assessment_scores(f),
            "services by type": release.services_by_type(f),
            "services by month": release.services_by_month(f),
        },
        "regions": {"summary": release.region_summary(f), "region x stage": release.region_stage(f)},
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m data_access.release [SNAPSHOT]`: how many values each page withholds at the
    public level for everyone (the newest public sample snapshot by default)."""
    import sys
    from pathlib import Path

    from data_access.catalogue import PUBLIC_ROOT, find_snapshots
    from data_access.snapshot import load_snapshot

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else find_snapshots(PUBLIC_ROOT)[0].path
    snapshot = load_snapshot(folder)
    release = Release(snapshot, Access("public"), any_snapshot=True)
    print(f"Values withheld at the public level, everyone selected, snapshot {folder}:")
    total = 0
    for page, tables in page_tables(release, Filters()).items():
        counts = {name: d.withheld_count(table) for name, table in tables.items()}
        total += sum(counts.values())
        detail = ", ".join(f"{name} {n}" for name, n in counts.items())
        print(f"  {page}: {sum(counts.values())} ({detail})")
    print(f"  all pages: {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
