"""The one door between the queries and the pages: every number a page shows comes through here.

A page never calls `data_access.queries` itself. It asks a `Release` (one per run, bound to the
snapshot, the previous snapshot and the access level) and gets tidy tables back:

- at the **restricted** level (programme staff), exactly what the queries return, except that
  medians, quartiles and scores of groups under 10 are left out;
- at the **public** level (NGOs, researchers), a public snapshot of aggregates, whose counts the
  queries return already perturbed (`data_access.cells`), with the display rules of
  `data_access.disclosure` applied: counts from 1 to k-1 hidden as "<5" ("<10" for the justice
  track and services), shares only on bases of 20, statistics only for groups of 20. Every
  count column then comes with `<count>_suppressed` (bool) and `<count>_text` ("<5" or the
  number), so charts, tables, sentences and downloads show the same thing.

A selection (or the rest of the snapshot outside it) under the minimum base raises
`SelectionTooSmall` before any figure is computed; person rows at the public level raise
`NotAllowed`, and person rows whose view cannot be written to the audit trail (when the release
has one, `data_access.audit`) raise `AuditUnavailable` before they leave. Failing loudly is the
point: a page that forgets to handle them shows a message, never a number. Released tables are
remembered per snapshot (`data_access.results`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from data_access import disclosure as d
from data_access import queries as q
from data_access.access import MIN_BASE_FOR_SHARE, Access, methodology
from data_access.audit import Auditor, AuditUnavailable
from data_access.filters import DIMENSIONS, Filters
from data_access.results import remembered
from data_access.snapshot import Snapshot
from i18n import _
from i18n import format as fmt

__all__ = ["Access", "AuditUnavailable", "NotAllowed", "Release", "SelectionTooSmall", "methodology"]

log = logging.getLogger("second_chance.audit")


class SelectionTooSmall(Exception):
    """The selection, one of its pieces, or the rest of the snapshot outside it, has fewer people
    than the minimum base."""

    def __init__(self, n: int, outside: int, min_base: int, piece: bool = False) -> None:
        self.n, self.outside, self.min_base = n, outside, min_base
        if n < min_base:
            message = _("Selection too small to show: this selection has fewer than {n} people.")
        elif piece:
            message = _("Selection too small to show: one of the values chosen has fewer than {n} people.")
        else:
            message = _("Selection too small to show: it leaves fewer than {n} people outside it.")
        super().__init__(message.format(n=min_base))
        self.advice = _("Remove a filter (or press Reset filters) to see figures.")

    def __str__(self) -> str:
        return f"{self.args[0]} {self.advice}"


class NotAllowed(Exception):
    """Person-level data asked for at the public level, or a snapshot the level may not open."""


class Release:
    """The tables one run of a page may show, for one snapshot at one access level."""

    def __init__(
        self, snapshot: Snapshot, access: Access, previous: Snapshot | None = None, auditor: Auditor | None = None
    ) -> None:
        wanted = "aggregates" if access.public else "records"
        for snap in (snapshot, previous):
            if snap is not None and snap.kind != wanted:
                raise NotAllowed(
                    f"Snapshot {snap.id} holds {snap.kind}; the {access.level} level opens only snapshots of {wanted}."
                )
        self.snapshot, self.access = snapshot, access
        self.auditor = auditor
        """Where person-level views are recorded (None: not recorded, a server fixed at the
        restricted level without a trail configured)."""
        self.previous = None if access.public else previous
        self.previous_key = None if self.previous is None else self.previous.info.path
        self.memo: dict = {}
        self._justice = snapshot.track_stages("justice")

    @property
    def public(self) -> bool:
        return self.access.public

    @property
    def policy(self) -> d.Policy:
        return self.access.policy

    def methodology(self) -> list[str]:
        """The rules in force for this snapshot, in plain words."""
        return methodology(self.access, self.snapshot.perturbation)

    @remembered
    def figure(self, build: Callable, table: Callable, *args, options: tuple = (), **settings):
        """`build(table(*args), *options, **settings)`: a chart of one of this release's tables
        (`table` is its method, e.g. `release.arrivals`), remembered with it. Building a figure
        (titles, alt text, its template) costs more than adding up the table, so a selection seen
        before skips both."""
        if getattr(table, "__self__", None) is not self:
            raise ValueError("figure() draws a table of this release: pass one of its methods, e.g. release.arrivals")
        return build(table(*args), *options, **settings)

    # -- the base --------------------------------------------------------------------------

    @remembered
    def _sizes(self, filters: Filters) -> tuple[int, int, int]:
        """(people in the selection, people outside it, people in its smallest piece), published
        at the public level."""
        chosen = q.select(self.snapshot, filters)
        n = chosen.total()
        smallest = n if chosen.pieces == 1 else int(chosen.smallest(chosen.cells.size)[0, 0])
        return n, chosen.outside(), smallest

    def _base_ok(self, filters: Filters) -> tuple[bool, bool]:
        """(may figures be shown, is it a piece that stops them). The minimum base holds for
        every piece of a selection of several values: "regions A and B" less "region A" is
        region B's figures, so a region of 7 cannot be shown by adding a region of 60 to it."""
        n, outside, smallest = self._sizes(filters)
        if not d.base_ok(n, outside, self.policy):
            return False, False
        piece_ok = n == 0 or smallest >= self.policy.min_base
        return piece_ok, not piece_ok

    def shows(self, filters: Filters) -> bool:
        """May figures be shown for this selection (always, at the restricted level)?"""
        return not self.public or self._base_ok(filters)[0]

    def check(self, filters: Filters) -> int:
        """The selection's size, after making sure figures may be shown for it."""
        n, outside, _smallest = self._sizes(filters)
        if self.public:
            ok, piece = self._base_ok(filters)
            if not ok:
                raise SelectionTooSmall(n, outside, self.policy.min_base, piece)
        return n

    def base_n(self, filters: Filters) -> int:
        """The size of the selection (checked first at public)."""
        return self.check(filters)

    def size(self, filters: Filters) -> int:
        """The size of the selection as a number, for the empty state only (0 or not): never
        shown at the public level unless `shows` allows it."""
        return self._sizes(filters)[0]

    def base_text(self, filters: Filters) -> str | None:
        """The size of the selection as shown under every page title; None when it may not be
        shown (a small selection, or one that leaves a small group outside it)."""
        return fmt.count(self._sizes(filters)[0]) if self.shows(filters) else None

    # -- the display rules -------------------------------------------------------------------

    def _k(self, filters: Filters) -> int:
        """k for the counts of a selection: the sensitive one when it holds only justice-track
        stages (every count then counts people in investigation or custody)."""
        justice_only = bool(filters.stage) and set(filters.stage) <= self._justice
        return self.policy.k_sensitive if justice_only else self.policy.k

    def _ks(self, filters: Filters, table: pd.DataFrame, column: str = "stage") -> np.ndarray:
        """k per row: the sensitive one for rows of justice-track stages (the restricted level
        hides nothing, so it gets the selection's k without looking at the rows)."""
        if not self.public:
            return self._k(filters)
        justice = table[column].astype(str).isin(self._justice).to_numpy() if column in table else False
        return np.where(justice, self.policy.k_sensitive, self._k(filters))

    def _shown(self, table: pd.DataFrame, count: str, k) -> pd.DataFrame:
        return d.display(table, count, k) if self.public else table

    def _at_most(self, table: pd.DataFrame, count: str, whole, where=None) -> pd.DataFrame:
        """Public: each published `count` at most its published `whole` (a column or a number;
        only on the rows `where` holds, when given). Counts are perturbed one by one, so a part can
        come out above its whole (22 women in a selection of 20); it is shown as the whole (the key
        figures, the stage tables, the region summary, the milestone curves at their cohort), so a
        part never reads larger than what it is part of and a share reads 100% only where the part
        is the whole. Restricted counts are exact: kept as they are."""
        if not self.public:
            return table
        wholes = table[whole].to_numpy() if isinstance(whole, str) else whole
        over = table[count].to_numpy() > wholes
        if where is not None:
            over &= np.asarray(where)
        if not over.any():
            return table
        return table.assign(**{count: np.where(over, wholes, table[count].to_numpy())})

    def _shares(self, table: pd.DataFrame, count: str, base, column: str = "share") -> pd.DataFrame:
        """`share` of `count` in `base` (a column or a number): at public from the published
        counts, blank where the count is hidden or the base under the minimum."""
        out = table.copy()
        bases = out[base] if isinstance(base, str) else pd.Series(base, index=out.index)
        minimum = self.policy.min_base if self.public else MIN_BASE_FOR_SHARE
        shown = [
            None if pd.isna(p) or pd.isna(b) or b < minimum else min(float(p) / float(b), 1.0) if b else None
            for p, b in zip(out[count], bases, strict=True)
        ]
        out[column] = pd.array(shown, dtype="Float64").astype("float64")
        out[f"{column}_text"] = [
            d.share_text(None if pd.isna(p) else int(p), None if pd.isna(b) else int(b), d.Policy(min_base=minimum))
            for p, b in zip(out[count], bases, strict=True)
        ]
        return out

    def _stats(self, table: pd.DataFrame, group: str, columns: tuple[str, ...]) -> pd.DataFrame:
        """Statistics blanked for groups under the minimum (people, not assessments)."""
        sizes = pd.to_numeric(table[group], errors="coerce").to_numpy(dtype="float64", na_value=0.0)
        small = sizes < self.access.min_stats_group
        return table.assign(
            **{
                column: np.where(small, np.nan, table[column].to_numpy(dtype="float64", na_value=np.nan))
                for column in columns
            }
        )

    # -- key figures ---------------------------------------------------------------------------

    @remembered
    def headline(self, filters: Filters) -> pd.DataFrame:
        """Key figures (see `queries.headline`), with the previous snapshot's and the change at the
        restricted level only: a change between two public snapshots of a handful of people would
        itself be a small count."""
        n = self.check(filters)
        table = q.headline(self.snapshot, filters, self.previous)
        measures = table["measure"].to_numpy()
        table = self._at_most(table, "value", n, where=measures != "people")
        k = np.where(measures == "justice_track", self.policy.k_sensitive, self._k(filters))
        out = self._shown(table, "value", k)
        minimum = self.policy.min_base if self.public else MIN_BASE_FOR_SHARE
        parts = zip(measures.tolist(), out["value"].tolist(), strict=True)
        return out.assign(
            share_text=[
                "" if measure == "people" or pd.isna(p) or n < minimum else fmt.share(int(p), n) for measure, p in parts
            ]
        )

    # -- who returned ------------------------------------------------------------------------------

    @remembered
    def arrivals(self, filters: Filters) -> pd.DataFrame:
        n = self.check(filters)
        return self._with_base(self._shown(q.arrivals(self.snapshot, filters), "people", self._k(filters)), n)

    @staticmethod
    def _with_base(table: pd.DataFrame, n: int) -> pd.DataFrame:
        """`table` carrying the selection's size as released (`attrs["n"]`), for a chart's
        title to say "of n": at the public level its parts are perturbed one by one and some
        hidden, so their sum is neither the size under every page's title nor a whole to take a
        share of ("27 returned; 100% were children" in a region of 36 with 29 children)."""
        table.attrs["n"] = int(n)
        return table

    @remembered
    def unaccompanied_children(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._shown(q.unaccompanied_children(self.snapshot, filters), "people", self._k(filters))

    @remembered
    def age_sex_pyramid(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._shown(q.age_sex_pyramid(self.snapshot, filters), "people", self._k(filters))

    @remembered
    def counts_by(self, filters: Filters, dimensions) -> pd.DataFrame:
        """The explorer's pivot: one or two dimensions; the justice track counts as sensitive."""
        self.check(filters)
        dims = list(dict.fromkeys(dimensions))
        table = q.counts_by(self.snapshot, filters, dims)
        k = self._ks(filters, table)
        if "justice" in dims:
            k = np.full(len(table), self.policy.k_sensitive)
        out = self._shown(table, "people", k)
        if not self.public or len(dims) < 2:
            return out
        # Two dimensions: a row or column of a small group would say where all of its few people
        # are ("everyone of region X is in cohort Y"); its cells are held back, zeros included.
        few = np.zeros(len(out), dtype=bool)
        for dim in dims:
            if dim in DIMENSIONS and dim in out:
                few |= self._small_groups(filters, out, dim, self.policy.min_base)
        return d.withhold(out, "people", few)

    # -- where they are in the programme -----------------------------------------------------------

    @remembered
    def stage_distribution(self, filters: Filters) -> pd.DataFrame:
        n = self.check(filters)
        table = self._at_most(q.stage_distribution(self.snapshot, filters), "people", n)
        return self._with_base(self._shares(self._shown(table, "people", self._ks(filters, table)), "people", n), n)

    @remembered
    def stage_reached(self, filters: Filters) -> pd.DataFrame:
        """The funnel: people who ever entered each stage (each a count of its own)."""
        n = self.check(filters)
        table = self._at_most(q.stage_reached(self.snapshot, filters), "people", n)
        return self._shares(self._shown(table, "people", self._ks(filters, table)), "people", n)

    @remembered
    def stage_change(self, filters: Filters) -> pd.DataFrame | None:
        """People by current stage now and in the previous snapshot (restricted only; None
        without a previous snapshot, and always at the public level)."""
        self.check(filters)
        if self.previous is None:
            return None
        return q.stage_change(self.snapshot, self.previous, filters)

    def previous_size(self, filters: Filters) -> int | None:
        """The selection's size in the previous snapshot (restricted only)."""
        return None if self.previous is None else q.base_n(self.previous, filters)

    @remembered
    def stage_occupancy(self, filters: Filters) -> pd.DataFrame:
        """People in each stage month by month. Public: a stage's months are a history of the
        people who were ever in it (its zeros say when they were not), so a stage's whole series
        is held back ("not shown") unless every piece of the selection had at least k people ever
        in it (k of its row, as published, plus the largest noise, so at least k in truth)."""
        self.check(filters)
        table = q.stage_occupancy(self.snapshot, filters)
        k = self._ks(filters, table)
        out = self._shown(table, "people", k)
        if not self.public:
            return out
        reached = q.fewest(self.snapshot, filters, "stages_reached")[0]
        few = self._fewer_than(table, "stage", reached, k + self.snapshot.perturbation.max_noise)
        stages = table["stage"].astype(str)
        # A series of zeros tells nobody's history (and every piece's part of it is zero too).
        someone = stages.isin(set(stages[table["people"].to_numpy() > 0])).to_numpy()
        return d.withhold(out, "people", few & someone)

    def _small_groups(self, filters: Filters, table: pd.DataFrame, dimension: str, minimum: int) -> np.ndarray:
        """Public: which rows of `table` (one value of `dimension` each, in its column of that
        name) stand for a group with fewer than `minimum` people (published) in some piece of the
        selection: its shares, statistics and whole curves are held back, since a part equal to
        a small whole is a 100% of a small group, and a piece is what differencing two
        selections gives (`queries.fewest`)."""
        return self._fewer_than(table, dimension, q.fewest(self.snapshot, filters, "size", dimension)[:, 0], minimum)

    def _fewer_than(self, table: pd.DataFrame, dimension: str, fewest: np.ndarray, minimum) -> np.ndarray:
        """Which rows of `table` have, in their column `dimension`, a value whose `fewest` (one
        per value of the dimension, in the snapshot's order: `queries.fewest`) is under `minimum`
        (a number, or one per row); a value the snapshot does not know counts as under it."""
        lookup = dict(zip(self.snapshot.categories(dimension), fewest.tolist(), strict=True))
        return table[dimension].astype(str).map(lookup).fillna(0).to_numpy() < minimum

    @remembered
    def time_to_milestone(self, filters: Filters) -> pd.DataFrame:
        """Cumulative shares per cohort. Public: each month's count is perturbed on its own, so the
        curve is made to never fall (a running maximum, capped at the cohort) before the rules."""
        self.check(filters)
        table = q.time_to_milestone(self.snapshot, filters)
        if not self.public:
            return table
        running = table.groupby(["cohort", "milestone"], sort=False)["reached"].cummax()
        table = self._at_most(table.assign(reached=running.to_numpy()), "reached", "base")
        out = self._shown(table.drop(columns="share"), "reached", self._k(filters))
        out = self._shares(out, "reached", "base")
        small = out["base"].between(1, self._k(filters) - 1)
        out["base"] = out["base"].astype("Int64").mask(small.to_numpy())
        # A curve is the months in which its people reached the milestone: a cohort's curve is
        # drawn only where every piece of the selection holds at least the minimum base of it.
        few = self._small_groups(filters, out, "cohort", self.policy.min_base)
        out = d.withhold(out, "reached", few)
        out["base"] = out["base"].mask(few)
        out["share"] = out["share"].mask(few)
        return out.drop(columns="share_text")

    @remembered
    def time_in_stage(self, filters: Filters, threshold_days: int) -> pd.DataFrame:
        """People per open stage, days there (median, 75th percentile) and how many are stuck
        (past the threshold, in a stage where that counts). Statistics only for groups of the
        minimum size."""
        self.check(filters)
        table = self._stats(
            q.time_in_stage(self.snapshot, filters, threshold_days), "people", ("median_days", "p75_days")
        )
        if self.public:
            few = self._small_groups(filters, table, "stage", self.access.min_stats_group)
            table = table.assign(median_days=table["median_days"].mask(few), p75_days=table["p75_days"].mask(few))
        k = self._ks(filters, table)
        return self._shown(self._shown(table, "people", k), "stuck", k)

    @remembered
    def stuck_totals(self, filters: Filters, threshold_days: int) -> tuple[str, str]:
        """('how many are stuck', 'of how many in the stages where that counts') as text for a
        sentence (see `queries.stuck`)."""
        self.check(filters)
        over, open_ = q.stuck(self.snapshot, filters, threshold_days)
        k = self._k(filters)
        if not self.public:
            return fmt.count(over), fmt.count(open_)
        texts = d.display(pd.DataFrame({"people": [over, open_]}), "people", k)["people_text"]
        return str(texts.iloc[0]), str(texts.iloc[1])

    # -- how they are doing ----------------------------------------------------------------------------

    @remembered
    def assessment_scores(self, filters: Filters) -> pd.DataFrame:
        """Score quartiles per half-year. Public: a half-year whose published `n` is 0 is left
        out (its row would say someone was scored), and quartiles are shown only where every
        piece of the selection has the minimum group scored in that half-year."""
        self.check(filters)
        table = self._stats(q.assessment_scores(self.snapshot, filters), "n", ("median", "q1", "q3"))
        if self.public:
            table = table.loc[table["n"].to_numpy() > 0].reset_index(drop=True)
            few = np.zeros(len(table), dtype=bool)
            for dimension in table["dimension"].unique():
                fewest = q.fewest(self.snapshot, filters, f"scored:{dimension}")[0]
                rows = (table["dimension"] == dimension).to_numpy()
                at = q.half_year_index(self.snapshot, table.loc[rows, "period"])
                few[rows] = fewest[at] < self.access.min_stats_group
            table = table.assign(**{column: table[column].mask(few) for column in ("median", "q1", "q3")})
        return self._shown(table, "n", self._k(filters))

    @remembered
    def services_by_month(self, filters: Filters) -> pd.DataFrame:
        """Sensitive: people served per month and type under the higher k; the sessions of a
        hidden count are hidden with it. Public: a type's months say when the people it served
        were served, so a type is held back whole (one "not shown" row at the as-of month, no
        month of its own) unless, in every piece of the selection, some month served at least k
        (the sensitive k plus the largest noise: at least that many people in truth)."""
        self.check(filters)
        table = self._services(q.services_by_month(self.snapshot, filters))
        if not self.public:
            return table
        busiest = q.fewest_served(self.snapshot, filters)
        least = self.policy.k_sensitive + self.snapshot.perturbation.max_noise
        types = table["service_type"].astype(str)
        held = [kind for kind in dict.fromkeys(types) if busiest[kind] < least]
        if not held:
            return table
        month = np.datetime64(self.snapshot.as_of, "M").astype("datetime64[ms]")
        nothing = pd.array([pd.NA] * len(held), dtype="Int64")
        placeholder = pd.DataFrame(
            {
                "month": np.full(len(held), month),
                "service_type": held,
                "sessions": nothing,
                "people": nothing,
                "people_suppressed": True,
                "people_text": d.not_shown_text(),
            }
        )
        return pd.concat([table.loc[~types.isin(held).to_numpy()], placeholder], ignore_index=True)

    @remembered
    def services_by_type(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        return self._services(q.services_by_type(self.snapshot, filters))

    def _services(self, table: pd.DataFrame) -> pd.DataFrame:
        if not self.public:
            return table
        out = d.display(table, "people", self.policy.k_sensitive)
        out["sessions"] = out["sessions"].astype("Int64").mask(out["people_suppressed"].to_numpy())
        return out

    # -- by region ---------------------------------------------------------------------------------------

    @remembered
    def region_summary(self, filters: Filters) -> pd.DataFrame:
        self.check(filters)
        table = self._stats(q.region_summary(self.snapshot, filters), "scored", ("median_composite",))
        if not self.public:
            return table
        k = self._k(filters)
        table = self._at_most(self._at_most(table, "reached_school_work", "people"), "scored", "people")
        out = self._shown(self._shown(self._shown(table, "people", k), "reached_school_work", k), "scored", k)
        out = self._shares(out, "reached_school_work", "people", "share_school_work")
        # A region's parts (reached, scored, their median) are held back where it is a small
        # group in some piece: equal to its people, they would say "all of them".
        few = self._small_groups(filters, out, "region", self.policy.min_base)
        out = d.withhold(d.withhold(out, "reached_school_work", few), "scored", few)
        out["share_school_work"] = out["share_school_work"].mask(few)
        # The median of the people scored, each piece with the minimum group scored.
        scored = q.fewest(self.snapshot, filters, "scored", "region")[:, 0]
        thin = self._fewer_than(out, "region", scored, self.access.min_stats_group)
        out["median_composite"] = out["median_composite"].mask(few | thin)
        return out.drop(columns="share_school_work_text")

    def outlines(self) -> tuple:
        """The regions' outlines for the map (reference data, the same at every access level);
        empty when the snapshot has none."""
        return self.snapshot.outlines

    @remembered
    def region_stage(self, filters: Filters) -> pd.DataFrame:
        """People per region and current stage. Public: a region's row is held back whole (zeros
        included) where it is a small group in some piece: its stages would say where all of its
        few people are."""
        self.check(filters)
        table = q.region_stage(self.snapshot, filters)
        out = self._shown(table, "people", self._ks(filters, table))
        if not self.public:
            return out
        return d.withhold(out, "people", self._small_groups(filters, out, "region", self.policy.min_base))

    # -- filters and people --------------------------------------------------------------------------

    @remembered
    def _facet_counts(self, filters: Filters) -> dict[str, pd.DataFrame]:
        """Every dimension's facet counts at once (`queries.facet_counts`)."""
        return q.facet_counts(self.snapshot, filters)

    @remembered
    def option_texts(self, filters: Filters) -> dict[str, dict[str, str]]:
        """Each filter option's count as the sidebar shows it beside the option ({dimension:
        {code: "1,234"}}), the text `option_counts` gives it: the sidebar asks for all six on
        every rerun, so exact counts go from arrays to words without a table."""
        exact = None if self.public else q.exact_facets(self.snapshot, filters)
        if exact is None:
            tables = {dim: self.option_counts(filters, dim) for dim in DIMENSIONS}
            return {dim: dict(zip(t["code"], count_texts(t), strict=True)) for dim, t in tables.items()}
        return {
            dim: dict(zip(self.snapshot.categories(dim), map(d.count_text, counts.tolist()), strict=True))
            for dim, counts in exact.items()
        }

    def option_counts(self, filters: Filters, dimension: str) -> pd.DataFrame:
        """Facet counts beside the filter options: each the count of the selection without this
        filter and with that option. Public: none at all when that selection is too small."""
        table = self._facet_counts(filters)[dimension].copy()
        if not self.public:
            return table
        others = filters.without(dimension)
        if not self.shows(others):
            return table.assign(
                people=pd.array([pd.NA] * len(table), dtype="Int64"), people_suppressed=True, people_text=""
            )
        k = self._ks(others, table.rename(columns={"code": "stage"}) if dimension == "stage" else table)
        return d.display(table, "people", k)

    def person_refusal(self) -> str | None:
        """Why person-level rows may not be shown in this run, in words; None when they may."""
        if self.public:
            return str(NotAllowed(_("Person-level rows are not available at the public access level.")))
        if self.auditor is not None and (reason := self.auditor.unavailable()):
            log.warning("person-level views refused: the audit trail cannot be written (%s)", reason)
            return str(AuditUnavailable(reason))
        return None

    def _person_level(self) -> None:
        if self.public:
            raise NotAllowed("Person-level rows are not available at the public access level.")

    def _record(self, action: str, filters: Filters, **details) -> None:
        """Write the view to the audit trail before its rows leave (none when the trail fails)."""
        if self.auditor is None:
            return
        try:
            self.auditor.person_view(action, self.snapshot.id, filters.to_query(), **details)
        except AuditUnavailable as error:
            log.warning("person-level view refused: %s", error.reason)
            raise

    def person_table(
        self,
        filters: Filters,
        limit: int | None = None,
        stuck_days: int | None = None,
        *,
        offset: int = 0,
        order: str = "longest",
        download: bool = False,
    ) -> pd.DataFrame:
        """The pseudonymous person rows of the selection in `order` (`queries.PERSON_ORDERS`),
        from `offset` for `limit` rows; with `stuck_days`, only the people counted as stuck at
        that threshold (the ones `stuck_totals` counts). Restricted only; recorded in the audit
        trail as a table shown, with the rows shown (once per session, selection and page) or,
        with `download`, as a download (every time)."""
        self._person_level()
        if limit is None:  # everyone listed (a download): made when asked for, never kept
            rows = q.person_table(self.snapshot, filters, stuck_days=stuck_days, order=order)
        else:
            rows = self._person_page(filters, limit, stuck_days, offset, order)
        listing = "all" if stuck_days is None else f"stuck-{stuck_days}"
        if download:
            self._record("person_download", filters, records=len(rows), listing=listing, once=False)
        else:
            shown = f"{order} {offset + 1}-{offset + len(rows)}"
            self._record("person_table", filters, records=len(rows), listing=listing, rows=shown)
        return rows

    @remembered
    def _person_page(self, filters: Filters, limit: int, stuck_days: int | None, offset: int, order: str):
        """A page of `person_table`, remembered like the release's other tables (at most `limit`
        rows; a million people's order is found again only for a new selection). Remembering the
        rows is not showing them: `person_table` records every view in the audit trail."""
        return q.person_table(self.snapshot, filters, limit=limit, stuck_days=stuck_days, offset=offset, order=order)

    def stuck_count(self, filters: Filters, threshold_days: int) -> int:
        """How many people `person_table(filters, stuck_days=threshold_days)` lists, as a number
        (restricted only: at the public level the count is shown only as `stuck_totals` gives it)."""
        self._person_level()
        return q.stuck(self.snapshot, filters, threshold_days)[0]

    def stage_history(self, person_id: str, filters: Filters | None = None) -> pd.DataFrame:
        """One person's stages (restricted only), recorded in the audit trail with the selection
        it was opened from."""
        self._person_level()
        history = q.stage_history(self.snapshot, person_id)
        self._record("stage_history", filters or Filters(), records=1, person_id=str(person_id))
        return history


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
    """`python -m data_access.release [SNAPSHOT]`: how many values each page hides at the public
    level for everyone (the newest public sample snapshot by default)."""
    import sys
    from pathlib import Path

    from data_access.catalogue import PUBLIC_ROOT, find_snapshots
    from data_access.snapshot import load_snapshot

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else find_snapshots(PUBLIC_ROOT)[0].path
    release = Release(load_snapshot(folder), Access("public"))
    print(f"Values hidden at the public level, everyone selected, snapshot {folder}:")
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
