"""Where people stand: current stage, stage reached, stages over time, milestones, waiting."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from charts import theme
from charts._spec import (
    SHOW_HIDDEN,
    WITHIN_PLOT,
    at,
    beside,
    described,
    each,
    figure,
    freeze,
    headroom,
    label_expr,
    named,
    numbers,
    pairs,
    selectable_by,
    shown,
    shown_count,
    sums,
    template,
    top,
    utc_time,
    vega_plural,
    whole,
)
from charts.figure import AXIS_TITLE_LINE, Figure, wrap
from data_access.columns import records
from data_access.contract import TRACKS
from data_access.disclosure import not_shown
from i18n import N_, _, ngettext
from i18n import format as fmt

COUNT_AND_SHARE = (
    f"({shown('people')}) + (isValid(datum.share) && isFinite(datum.share)"
    " ? ' (' + format(datum.share, '.0%') + ')' : '')"
)
NOW_IN_STAGE = N_("People now in the stage")
REACHED_STAGE = N_("People who reached the stage")


@template
def _stage_bars_template(stage_ids: tuple[str, ...], selectable: bool, people_title: str) -> dict:
    y = alt.Y(
        "stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=_("Stage"), axis=alt.Axis(title=None)
    )
    x = alt.X("people:Q", title=_(people_title), axis=alt.Axis(format=theme.COUNT_FORMAT))
    tooltip = [
        alt.Tooltip("stage_label:N", title=_("Stage")),
        alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
        alt.Tooltip("share:Q", title=_("Share of the selection"), format=".0%"),
    ]
    bars = described(
        alt.Chart()
        .mark_bar(invalid=SHOW_HIDDEN)
        .encode(
            y=y, x=x, color=alt.Color("stage:N", title=_("Stage"), scale=theme.stage_scale(stage_ids), legend=None)
        ),
        tooltip,
    )
    if selectable:
        bars = selectable_by("stage", bars)
    labels = (
        alt.Chart()
        .transform_calculate(label=COUNT_AND_SHARE, label_at=at("people"))
        .mark_text(align="left", baseline="middle", dx=6, limit=beside("label_at", 6), aria=False)
        .encode(y=y, x=alt.X("label_at:Q"), text=alt.Text("label:N"))
    )
    room = headroom(at("people"), COUNT_AND_SHARE)
    return freeze(alt.layer(bars, labels, room).properties(width="container", height=alt.Step(40)))


def stage_chart(
    stage_distribution: pd.DataFrame, stage_ids: list[str] | tuple[str, ...], selectable: bool = False
) -> Figure:
    """People by current stage in programme order, labelled "274 (44%)".

    With `selectable`, a click selects a stage: the point selection `pick` on field `stage`.
    """
    template = _stage_bars_template(tuple(stage_ids), selectable, NOW_IN_STAGE)
    counts = numbers(stage_distribution)
    largest = top(dict(enumerate(counts.tolist())))
    if not largest:
        return figure(template, stage_distribution, _("No people in this selection"), _("Bar chart: no people."))
    people = stage_distribution.attrs.get("n", np.nansum(counts))  # the size as released (see `arrivals_chart`)
    part, labels = counts[largest[0]], stage_distribution["stage_label"].tolist()
    values = {"stage": named(labels[row] for row in largest), "part": fmt.count(part), "total": fmt.count(people)}
    if len(largest) == 1:
        title = _("Most people are now in {stage}: {part} of {total} ({share})")
        alt_text = _("Bar chart: people by current stage. Largest: {stage}, {part} of {total}.")
    else:
        title = _("Most people are now in {stage}: {part} each of {total} ({share} each)")
        alt_text = _("Bar chart: people by current stage. Largest: {stage}, {part} each of {total}.")
    title = title.format(**values, share=fmt.share(part, people))
    return figure(template, stage_distribution, title, alt_text.format(**values))


def funnel_chart(stage_reached: pd.DataFrame, stage_ids: list[str] | tuple[str, ...]) -> Figure:
    """People who reached at least each stage, in programme order.

    `stage_reached` has columns stage, stage_label, order, track, people, share (share of the
    selection that reached the stage).
    """
    template = _stage_bars_template(tuple(stage_ids), False, REACHED_STAGE)
    ordered = sorted(records(stage_reached), key=lambda row: row["order"])
    reached = [row for row in ordered if not pd.isna(row["people"]) and row["people"] > 0]
    if not reached:
        return figure(template, stage_reached, _("No people in this selection"), _("Funnel: no people."))
    start = reached[0]
    rehabilitation = [row for row in reached if row["track"] == "rehabilitation"]
    furthest = rehabilitation[-1] if rehabilitation else reached[-1]
    values = {"people": fmt.count(furthest["people"]), "stage": furthest["stage_label"]}
    if pd.isna(furthest["share"]):
        since = ngettext("{people} has reached {stage}", "{people} have reached {stage}", int(furthest["people"]))
        since = since.format(**values)
    else:
        since = ngettext(
            "{people} ({share}) has reached {stage}", "{people} ({share}) have reached {stage}", int(furthest["people"])
        ).format(**values, share=fmt.percent(furthest["share"]))
    title = ngettext(
        "{people} person reached {stage}; {furthest}",
        "{people} people reached {stage}; {furthest}",
        int(start["people"]),
    ).format(people=fmt.count(start["people"]), stage=start["stage_label"], furthest=since)
    alt_text = _("Funnel bar chart: people who reached each stage, in programme order. {stages}.").format(
        stages="; ".join(f"{row['stage_label']} {shown_count(row)}" for row in ordered)
    )
    return figure(template, stage_reached, title, alt_text)


def track_labels() -> dict[str, str]:
    """The three groups of stages the occupancy chart stacks, as people read them."""
    return {
        "rehabilitation": _("Rehabilitation and support"),
        "justice": _("Investigation or custody"),
        "exit": _("Left the programme"),
    }


@template
def _occupancy_template() -> dict:
    """Three stacked groups of stages (the tracks), not ten stages: ten bands of colour cannot be
    told apart or followed over seven years; three can, and the tooltip still counts people."""
    labels = track_labels()
    x = alt.X(
        "month:T",
        title=_("Month"),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(title=None, format="%Y", tickCount="year"),
    )
    y = alt.Y(
        "people:Q",
        stack="zero",
        title=_("People at month end"),
        axis=alt.Axis(format=theme.COUNT_FORMAT),
    )
    colour = alt.Color(
        "track:N",
        title=_("Group of stages"),
        scale=alt.Scale(domain=list(TRACKS), range=[theme.TRACK_COLOURS[track] for track in TRACKS]),
        sort=list(TRACKS),
        legend=alt.Legend(labelExpr=label_expr(labels.items()), orient="top", columns=1),
    )
    order = alt.Order("track_rank:Q", title=_("Group of stages"), sort="ascending")
    areas = described(
        alt.Chart().mark_area(interpolate="step-after").encode(x=x, y=y, color=colour, order=order),
        [alt.Tooltip("track_label:N", title=_("Group of stages"))],
    )
    # Invisible points on the stacked positions carry the tooltips an area cannot.
    hover = (
        alt.Chart()
        .mark_point(opacity=0, size=260, filled=True, aria=False)
        .encode(
            x=x,
            y=y,
            order=order,
            tooltip=[
                utc_time("month:T", _("Month end of")),
                alt.Tooltip("track_label:N", title=_("Group of stages")),
                alt.Tooltip("people:Q", title=_("People"), format=theme.COUNT_FORMAT),
            ],
        )
    )
    chart = (
        alt.layer(areas, hover)
        .transform_aggregate(people="sum(people)", groupby=["month", "track"])
        .transform_calculate(
            track_label=label_expr(labels.items(), value="datum.track", otherwise="datum.track"),
            track_rank=f"indexof({list(TRACKS)}, datum.track)",
        )
        .properties(width="container", height=340)
    )
    return freeze(chart)


def occupancy_chart(stage_occupancy: pd.DataFrame, stage_ids: list[str] | tuple[str, ...]) -> Figure:
    """Stacked areas: people at the end of every month in rehabilitation and support, in
    investigation or custody, and out of the programme (the stages of each track added up).

    `stage_ids` are the snapshot's stages in programme order (the tracks come with the table)."""
    template = _occupancy_template()
    note = _("Left the programme: case closed, moved or lost to follow-up")
    if stage_occupancy.empty:
        return figure(template, stage_occupancy, _("No people in this selection"), _("Area chart: no people."), note)
    # People at each month's end in each track: the stages of a track added up (what the areas
    # draw, so the browser gets these 3 rows a month, not one per stage).
    people = pd.to_numeric(stage_occupancy["people"], errors="coerce").fillna(0).to_numpy()
    months, month_at = np.unique(stage_occupancy["month"].to_numpy(), return_inverse=True)
    track_at = pd.Index(TRACKS).get_indexer(stage_occupancy["track"].astype(str))
    known = track_at >= 0
    grid = np.zeros((len(months), len(TRACKS)), dtype=people.dtype)
    np.add.at(grid, (month_at[known], track_at[known]), people[known])
    # A group with a stage held back for its few people (public) is not drawn: its other stages
    # alone would read as the whole group.
    held_back = set(stage_occupancy["track"].astype(str)[not_shown(stage_occupancy).any(axis=1)])
    drawn_tracks = np.array([track not in held_back for track in TRACKS])
    drawn = pd.DataFrame(
        {
            "month": np.repeat(months, drawn_tracks.sum()),
            "track": np.tile(np.array(TRACKS, dtype=object)[drawn_tracks], len(months)),
            "people": grid[:, drawn_tracks].ravel(),
        }
    )
    if held_back:
        title = _("People in each group of stages at the end of every month")
        alt_text = _(
            "Stacked area chart: people at the end of every month from {start} to {month}, in the groups of "
            "stages shown: {groups}."
        ).format(
            start=fmt.month(months[0]),
            month=fmt.month(months[-1]),
            groups=", ".join(track_labels()[t] for t in np.array(TRACKS)[drawn_tracks]) or fmt.MISSING,
        )
        return figure(template, stage_occupancy, title, alt_text, note, drawn=drawn)
    now = dict(zip(TRACKS, grid[-1].tolist(), strict=True))  # months are in order: the last is the latest
    in_all = sum(now.values())
    if not in_all:
        return figure(template, stage_occupancy, _("No people in any stage"), _("Area chart: no people."), note)
    counts = {track: fmt.count(people) for track, people in now.items()}
    values = {"month": fmt.month(months[-1]), "total": fmt.count(in_all), **counts}
    title = ngettext(
        "By {month}, {rehabilitation} of {total} person is in rehabilitation and support, {justice} in "
        "investigation or custody",
        "By {month}, {rehabilitation} of {total} people are in rehabilitation and support, {justice} in "
        "investigation or custody",
        int(in_all),
    ).format(**values)
    in_support = dict(zip(list(months), grid[:, TRACKS.index("rehabilitation")].tolist(), strict=True))
    peak = top(in_support)
    alt_text = _(
        "Stacked area chart: people at the end of every month from {start} to {month}, in three groups of "
        "stages. In {month}: {rehabilitation} in rehabilitation and support, {justice} in investigation or "
        "custody, {exit} out of the programme, {total} in all."
    ).format(**values, start=fmt.month(months[0]))
    if peak:
        most = ngettext(
            "Most in rehabilitation and support at once: {peak}, in {months}.",
            "Most in rehabilitation and support at once: {peak}, in {months}.",
            len(peak),
        ).format(peak=each(fmt.count(in_support[peak[0]]), len(peak)), months=named(map(fmt.month, peak)))
        alt_text = f"{alt_text} {most}"
    return figure(template, stage_occupancy, title, alt_text, note, drawn=drawn)


# The milestone chart's panels: one band of this height (px) per milestone, its name on top.
PANEL = 190
PANEL_TITLE = 26
PANEL_GAP = 22
SHARE_GRID = (0, 0.25, 0.5, 0.75, 1)


@template
def _milestone_template(
    cohort_ids: tuple[str, ...], cohort_names: tuple[tuple[str, str], ...], milestone_labels: tuple[str, ...]
) -> dict:
    """One panel per milestone, stacked, in a single view: the panels are bands of the y scale
    and the share a position inside its band (`yOffset`). A single view takes its container's
    width on any screen; facets and concatenations keep a width of their own (on a 390 px phone
    two facets of 420 px ran 570 px off the side)."""
    present = [code for code, _ in cohort_names]
    legend = alt.Legend(labelExpr=label_expr(cohort_names), values=present, symbolStrokeWidth=3, orient="top")
    panel = alt.Y(
        "milestone_label:N",
        title=_("Milestone"),
        sort=list(milestone_labels),
        scale=alt.Scale(paddingInner=0, paddingOuter=0),
        axis=None,
    )
    inside = alt.Scale(domain=[0, 1], range=[PANEL - PANEL_GAP, PANEL_TITLE])
    share = alt.YOffset("share:Q", title=_("Share of the cohort"), scale=inside)
    x = alt.X("months:Q", title=_("Months since arrival"), axis=alt.Axis(tickMinStep=1, grid=False))
    grid = (
        alt.Chart()
        .transform_aggregate(groupby=["milestone_label"])
        .transform_calculate(level=str(list(SHARE_GRID)))
        .transform_flatten(["level"])
        .transform_calculate(level_label="format(datum.level, '.0%')")
    )
    rules = grid.mark_rule(color=theme.MISSING, aria=False).encode(
        y=panel, yOffset=alt.YOffset("level:Q", scale=inside)
    )
    ticks = grid.mark_text(align="right", baseline="middle", dx=-6, color=theme.DARK_GREY, aria=False).encode(
        y=panel, yOffset=alt.YOffset("level:Q", scale=inside), x=alt.value(0), text=alt.Text("level_label:N")
    )
    titles = (
        alt.Chart()
        .transform_aggregate(groupby=["milestone_label"])
        .mark_text(
            align="left",
            baseline="bottom",
            dy=-10,
            fontWeight="bold",
            fontSize=theme.LABEL_SIZE,
            limit=WITHIN_PLOT,
            aria=False,
        )
        .encode(
            y=panel,
            yOffset=alt.YOffset(datum=1, scale=inside),
            x=alt.value(0),
            text="milestone_label:N",
            tooltip=alt.Tooltip("milestone_label:N", title=_("Milestone")),
        )
    )
    colour = alt.Color("cohort:N", title=_("Cohort"), scale=theme.cohort_scale(cohort_ids), legend=legend)
    dash = alt.StrokeDash("cohort:N", title=_("Cohort"), scale=theme.cohort_dash_scale(cohort_ids), legend=legend)
    lines = described(
        alt.Chart()
        .mark_line(interpolate="step-after", strokeWidth=3)
        .encode(
            x=x,
            y=panel,
            yOffset=share,
            color=colour,
            strokeDash=dash,
            detail=alt.Detail("milestone_label:N", title=_("Milestone")),
        ),
        [alt.Tooltip("milestone_label:N", title=_("Milestone")), alt.Tooltip("cohort_name:N", title=_("Cohort"))],
    )
    hover = (
        alt.Chart()
        .mark_point(opacity=0, size=200, filled=True, aria=False)
        .encode(
            x=x,
            y=panel,
            yOffset=share,
            tooltip=[
                alt.Tooltip("cohort_name:N", title=_("Cohort")),
                alt.Tooltip("milestone_label:N", title=_("Milestone")),
                alt.Tooltip("months:Q", title=_("Months since arrival")),
                alt.Tooltip("reached:Q", title=_("Reached"), format=theme.COUNT_FORMAT),
                alt.Tooltip("base:Q", title=_("Cohort size"), format=theme.COUNT_FORMAT),
                alt.Tooltip("share:Q", title=_("Share"), format=".0%"),
            ],
        )
    )
    # The browser gets a row per run of months with the same figures (`_runs`) and repeats each
    # over its `span`; the full table, one row a month, has no span and is drawn as it is.
    chart = (
        alt.layer(rules, ticks, titles, lines, hover)
        .transform_calculate(run="sequence(0, datum.span || 1)")
        .transform_flatten(["run"])
        .transform_calculate(months="datum.months + datum.run")
        .properties(width="container", height=alt.Step(PANEL))
    )
    return freeze(chart)


def _runs(curves: pd.DataFrame) -> pd.DataFrame | None:
    """The curves as runs: the first month of each stretch where a cohort's curve for a
    milestone keeps the same figures, with `span`, the months it lasts. Most months change
    nothing (1,092 rows a month for the sample's 7 cohorts, about a fifth as many runs), and the
    spec repeats each run over its months, so the lines and every month's tooltip are as from
    the full table. None where the months are not one apart (then the table is sent whole)."""
    if len(curves) < 2:
        return None
    values = {column: _comparable(curves[column]) for column in curves.columns}
    same = _repeats(values["cohort"]) & _repeats(values["milestone"])
    if not (np.diff(values["months"])[same] == 1).all():
        return None
    for column, column_values in values.items():
        if column not in ("cohort", "milestone", "months"):  # the keys are compared above
            same &= _repeats(column_values)
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    runs = curves.take(starts).reset_index(drop=True)
    runs["span"] = np.diff(np.append(starts, len(curves)))
    return runs


def _comparable(column: pd.Series) -> np.ndarray:
    """A column's values as NumPy compares them: numbers as they are (NaN for missing), anything
    else as objects with every kind of missing value as None (two of which are equal)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":
        return column.to_numpy()
    if isinstance(column.dtype, np.dtype):  # objects: NaN, None or pd.NA as missing
        values = column.to_numpy()
        return np.where(pd.isna(values), None, values)
    return column.to_numpy(dtype=object, na_value=None)  # texts, nullable numbers and flags


def _repeats(values: np.ndarray) -> np.ndarray:
    """Whether each value after the first equals the one before it (two missing values count as
    equal: NaN and NaT for numbers and times, None for objects), in one pass over the array."""
    if values.dtype.kind in "fc":
        return (values[1:] == values[:-1]) | (np.isnan(values[1:]) & np.isnan(values[:-1]))
    if values.dtype.kind in "mM":
        return (values[1:] == values[:-1]) | (np.isnat(values[1:]) & np.isnat(values[:-1]))
    return np.asarray(values[1:] == values[:-1], dtype=bool)


def milestone_chart(time_to_milestone: pd.DataFrame, cohort_ids: list[str] | tuple[str, ...]) -> Figure:
    """Per milestone, one step line per cohort: the share that reached it N months after arrival."""
    milestones = tuple(dict.fromkeys(map(str, time_to_milestone["milestone_label"].unique())))
    # Cohorts held back for their few people (public) are named in the note, not drawn.
    curves = time_to_milestone.loc[~not_shown(time_to_milestone).any(axis=1)]
    template = _milestone_template(tuple(cohort_ids), pairs(curves, "cohort", "cohort_name"), milestones)
    if time_to_milestone.empty:
        return figure(template, time_to_milestone, _("No cohorts in this selection"), _("Line chart: no cohorts."))
    if curves.empty:
        title = _("No cohort has enough people here to draw its curve")
        return figure(template, time_to_milestone, title, _("Line chart: no cohorts."), drawn=curves)
    months = curves["months"].to_numpy()
    horizon = int(min(12, months.max()))
    pooled = sums(curves, "milestone_label", ("reached", "base"), where=months == horizon).items()
    shares = ", ".join(
        f"{label} {fmt.share(reached, base) if base > 0 else fmt.MISSING}" for label, (reached, base) in pooled
    )
    title = ngettext(
        "Within {months} month of arrival: {shares}", "Within {months} months of arrival: {shares}", horizon
    ).format(months=fmt.count(horizon), shares=shares)
    alt_text = ngettext(
        "Line charts, one per milestone, one line per cohort: share of the cohort that reached the milestone by "
        "months since arrival. After {months} month, all cohorts together: {milestones}.",
        "Line charts, one per milestone, one line per cohort: share of the cohort that reached the milestone by "
        "months since arrival. After {months} months, all cohorts together: {milestones}.",
        horizon,
    ).format(
        months=fmt.count(horizon),
        milestones="; ".join(
            _("{milestone}, {reached} of {base}").format(
                milestone=label, reached=fmt.count(reached), base=fmt.count(base)
            )
            for label, (reached, base) in pooled
        ),
    )
    runs = _runs(curves)
    return figure(template, time_to_milestone, title, alt_text, drawn=curves if runs is None else runs)


BAR = 20
"""The time-in-stage bars' thickness (px)."""


@template
def _time_in_stage_template() -> dict:
    y = alt.Y(
        "stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=_("Stage"), axis=alt.Axis(title=None)
    )
    days = alt.Axis(format=theme.COUNT_FORMAT)
    tooltip = [
        alt.Tooltip("stage_label:N", title=_("Stage")),
        alt.Tooltip("people:Q", title=_("People in the stage"), format=theme.COUNT_FORMAT),
        alt.Tooltip("median_days:Q", title=_("Median days"), format=",.0f"),
        alt.Tooltip("p75_days:Q", title=_("75th percentile, days"), format=",.0f"),
        alt.Tooltip("stuck:Q", title=_("Stuck (over the threshold, where that counts)"), format=theme.COUNT_FORMAT),
        alt.Tooltip("threshold_days:Q", title=_("Threshold, days")),
    ]
    # Each row: the bar above, its label under it from the axis, so a long label ("110 of 111
    # over 180 days") fits a phone's plot instead of running off its edge.
    bars = described(
        alt.Chart()
        .mark_bar(color=theme.SKY_BLUE, height=BAR, yOffset=-BAR / 2)
        .encode(
            y=y,
            x=alt.X(
                "median_days:Q",
                title=wrap(_("Days in current stage (bar: median, tick: 75th percentile)"), AXIS_TITLE_LINE),
                axis=days,
            ),
        ),
        tooltip,
    )
    ticks = (
        alt.Chart()
        .mark_tick(color=theme.BLACK, thickness=4, size=BAR + 6, yOffset=-BAR / 2, aria=False)
        .encode(y=y, x=alt.X("p75_days:Q"), tooltip=tooltip)
    )
    threshold = (
        alt.Chart()
        .transform_aggregate(threshold="max(threshold_days)")
        .mark_rule(strokeDash=[6, 4], color=theme.VERMILLION, strokeWidth=2, aria=False)
        .encode(x=alt.X("threshold:Q"))
    )
    label = (
        "datum.counts_as_stuck ? ("
        + vega_plural(
            lambda n: ngettext("{over} of {people} over {days} day", "{over} of {people} over {days} days", n),
            "datum.threshold_days",
            over=shown("stuck"),
            people=shown("people"),
            days="format(datum.threshold_days, ',')",
        )
        + ") : ("
        + vega_plural(
            lambda n: ngettext("{people} person, not counted as stuck", "{people} people, not counted as stuck", n),
            "datum.people",
            people=shown("people"),
        )
        + ")"
    )
    labels = (
        alt.Chart()
        .transform_calculate(label=label)
        .mark_text(align="left", baseline="top", dx=2, dy=4, limit=WITHIN_PLOT, aria=False)
        .encode(y=y, x=alt.value(0), text=alt.Text("label:N"), tooltip=tooltip)
    )
    chart = (
        alt.layer(bars, ticks, threshold, labels)
        .transform_filter("datum.people > 0")
        .properties(width="container", height=alt.Step(56))
    )
    return freeze(chart)


def time_in_stage_chart(time_in_stage: pd.DataFrame) -> Figure:
    """For each open stage with people in it: median and 75th percentile of days in the stage,
    labelled with how many are stuck (there longer than the threshold) where a long stay counts
    as stuck, and as not counted where it is expected (`counts_as_stuck`)."""
    template = _time_in_stage_template()
    in_stage, medians, stuck_in = (numbers(time_in_stage, column) for column in ("people", "median_days", "stuck"))
    # A hidden count ("<5") is someone: its stage is occupied, and totals that would leave it out
    # are not stated.
    hidden = {
        column: time_in_stage[f"{column}_suppressed"].to_numpy(dtype=bool)
        if f"{column}_suppressed" in time_in_stage
        else np.zeros(len(time_in_stage), dtype=bool)
        for column in ("people", "stuck")
    }
    occupied = np.flatnonzero((in_stage > 0) | hidden["people"]).tolist()
    if not occupied:
        return figure(
            template, time_in_stage, _("Nobody is in an open stage"), _("Bar chart: no people in open stages.")
        )
    threshold = int(time_in_stage["threshold_days"].to_numpy()[0])
    labels = time_in_stage["stage_label"].tolist()
    counts_as_stuck = time_in_stage["counts_as_stuck"].astype(bool).to_numpy()
    counted = [row for row in occupied if counts_as_stuck[row]]
    expected = [row for row in occupied if not counts_as_stuck[row]]
    stuck = np.nansum(stuck_in[counted])
    people = np.nansum(in_stage[counted])
    longest = top({row: medians[row] for row in occupied}, text=whole)
    most_stuck = top({row: stuck_in[row] for row in counted})
    values = {"stuck": fmt.count(stuck), "people": fmt.count(people), "days": fmt.count(threshold)}
    uncertain = any(hidden["people"][row] or hidden["stuck"][row] for row in counted)
    if not counted:
        title = _("Nobody is in a stage where a long stay counts as stuck")
    elif uncertain:
        title = _("Median days in each open stage")
    else:
        title = ngettext(
            "{stuck} of {people} person in stages where a long stay counts as stuck has been there over {days}",
            "{stuck} of {people} people in stages where a long stay counts as stuck have been there over {days}",
            int(people),
        ).format(stuck=values["stuck"], people=values["people"], days=_days(threshold))
    if not longest:
        longest_text = _("Longest median: no median to show.")
    else:
        median = float(medians[longest[0]])
        if len(longest) == 1:
            longest_text = ngettext(
                "Longest median: {stage}, {median} day.", "Longest median: {stage}, {median} days.", round(median)
            )
        else:
            longest_text = ngettext(
                "Longest median: {stage}, {median} day each.",
                "Longest median: {stage}, {median} days each.",
                round(median),
            )
        longest_text = longest_text.format(stage=named(labels[row] for row in longest), median=whole(median))
    parts = [_("Bar chart: median days in each open stage, with the 75th percentile."), longest_text]
    if counted and not uncertain:
        if not most_stuck:
            stuck_text = ngettext(
                "Stuck over {days} day: {stuck} of {people} in the stages where that counts.",
                "Stuck over {days} days: {stuck} of {people} in the stages where that counts.",
                threshold,
            ).format(**values)
        else:
            stuck_text = ngettext(
                "Stuck over {days} day: {stuck} of {people} in the stages where that counts, most in {stage} ({most}).",
                "Stuck over {days} days: {stuck} of {people} in the stages where that counts, most in {stage} "
                "({most}).",
                threshold,
            ).format(
                **values,
                stage=named(labels[row] for row in most_stuck),
                most=each(fmt.count(stuck_in[most_stuck[0]]), len(most_stuck)),
            )
        parts.append(stuck_text)
    if expected:
        parts.append(
            _("Not counted as stuck, because a long stay there is expected: {stages}.").format(
                stages=fmt.listing([str(labels[row]) for row in expected])
            )
        )
    return figure(template, time_in_stage, title, " ".join(parts))


def _days(n: int) -> str:
    return ngettext("{days} day", "{days} days", n).format(days=fmt.count(n))
