"""How people are doing: reintegration scores over time and the support delivered."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from charts import theme
from charts._spec import (
    SHOW_HIDDEN,
    WITHIN_PLOT,
    described,
    each,
    figure,
    freeze,
    label_expr,
    named,
    numbers,
    pairs,
    shown,
    sum_by,
    template,
    top,
    utc_time,
    vega_plural,
    vega_text,
)
from charts.figure import Figure
from data_access.columns import records
from data_access.contract import SERVICE_TYPES
from data_access.disclosure import not_shown
from i18n import N_, _, ngettext, pgettext
from i18n import format as fmt

SCORES_NOTE = N_(
    "Banding and composite are our convention; scores 0–1 in the style of IOM's Reintegration Sustainability Survey"
)


def service_labels() -> dict[str, str]:
    """Each type of service (a code in the data) as people read it, in this run's language."""
    labels = {
        "psychosocial": pgettext("service", "Psychosocial"),
        "theological": pgettext("service", "Theological"),
        "legal": pgettext("service", "Legal"),
        "medical": pgettext("service", "Medical"),
        "education": pgettext("service", "Education"),
        "vocational": pgettext("service", "Vocational"),
    }
    return {code: labels.get(code, code.capitalize()) for code in SERVICE_TYPES}


def _service(code: str) -> str:
    """A type of service inside a sentence: "were education"."""
    return service_labels().get(code, code).lower()


def _service_label() -> str:
    """A Vega expression naming `datum.service_type` in this run's language."""
    return label_expr(service_labels().items(), value="datum.service_type", otherwise="datum.service_type")


@template
def _scores_template(dimension_labels: tuple[tuple[str, str], ...]) -> dict:
    domain = list(theme.SCORE_DIMENSIONS)
    legend = alt.Legend(
        labelExpr=label_expr(dimension_labels),
        values=[code for code in domain if code in dict(dimension_labels)],
        orient="top",
        symbolStrokeWidth=3,
        symbolSize=300,
    )
    x = alt.X(
        "period:T",
        title=_("Half-year of assessment"),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%Y", tickCount="year"),
    )
    palette = alt.Scale(domain=domain, range=list(theme.SCORE_COLOURS))
    colour = alt.Color(
        "dimension:N",
        title=_("Dimension"),
        scale=palette,
        legend=legend,
    )
    unlabelled = alt.Color("dimension:N", title=_("Dimension"), scale=palette, legend=None)
    tooltip = [
        utc_time("period:T", _("Half-year from")),
        alt.Tooltip("dimension_label:N", title=_("Dimension")),
        alt.Tooltip("n:Q", title=_("Scores"), format=theme.COUNT_FORMAT),
        alt.Tooltip("median:Q", title=_("Median"), format=".2f"),
        alt.Tooltip("q1:Q", title=_("Lower quartile"), format=".2f"),
        alt.Tooltip("q3:Q", title=_("Upper quartile"), format=".2f"),
    ]
    band = (
        alt.Chart()
        .mark_area(opacity=0.08, aria=False)
        .encode(x=x, y=alt.Y("q1:Q"), y2=alt.Y2("q3:Q"), color=unlabelled)
    )
    line = described(
        alt.Chart()
        .mark_line(strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y(
                "median:Q",
                title=_("Median score (0 worst, 1 best)"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".1f"),
            ),
            color=colour,
            strokeDash=alt.StrokeDash(
                "dimension:N",
                title=_("Dimension"),
                scale=alt.Scale(domain=domain, range=[list(d) for d in theme.SCORE_DASHES]),
                legend=legend,
            ),
        ),
        [alt.Tooltip("dimension_label:N", title=_("Dimension"))],
    )
    points = described(
        alt.Chart()
        .mark_point(filled=True, size=70)
        .encode(x=x, y=alt.Y("median:Q", title=_("Median score (0 worst, 1 best)")), color=unlabelled),
        tooltip,
    )
    # Independent legends, so the band's and the points' `legend=None` leave the line's legend
    # (colour and dash together) in place.
    chart = alt.layer(band, line, points).resolve_legend(color="independent", strokeDash="independent")
    return freeze(chart.properties(width="container", height=380))


def scores_chart(assessment_scores: pd.DataFrame) -> Figure:
    """Median score per dimension and half-year (line) with the interquartile range (band).

    A median hidden by the display rules (too few people scored) is left out of the title, which
    says so where no half-year has one."""
    template = _scores_template(pairs(assessment_scores, "dimension", "dimension_label"))
    note = _(SCORES_NOTE)
    rows = records(assessment_scores)
    composite = sorted((row for row in rows if row["dimension"] == "composite"), key=lambda row: row["period"])
    if not composite:
        return figure(
            template,
            assessment_scores,
            _("No assessments in this selection"),
            _("Line chart: no assessment scores."),
            note,
        )
    scored = [row for row in composite if pd.notna(row["median"])]
    if not scored:
        title = _("Too few people scored to show a median composite score")
        alt_text = _(
            "Line chart: median reintegration score per dimension and half-year, 0 to 1, with quartile "
            "bands. Too few people were scored to show a median composite score."
        )
        return figure(template, assessment_scores, title, alt_text, note)
    first, last = scored[0], scored[-1]
    if len(scored) == 1:
        title = _("The median composite score was {last} in {last_half}")
    elif last["median"] > first["median"]:
        title = _("The median composite score rose from {first} ({first_half}) to {last} ({last_half})")
    elif last["median"] < first["median"]:
        title = _("The median composite score fell from {first} ({first_half}) to {last} ({last_half})")
    else:
        title = _("The median composite score stayed at {last} from {first_half} to {last_half}")
    scores = {
        "first": fmt.number(first["median"], 2),
        "first_half": fmt.half_year(first["period"]),
        "last": fmt.number(last["median"], 2),
        "last_half": fmt.half_year(last["period"]),
    }
    if len(scored) == 1:
        alt_text = _(
            "Line chart: median reintegration score per dimension and half-year, 0 to 1, with quartile "
            "bands. Composite: {last} in {last_half}. Latest: {latest}."
        )
    else:
        alt_text = _(
            "Line chart: median reintegration score per dimension and half-year, 0 to 1, with quartile "
            "bands. Composite: {first} in {first_half}, {last} in {last_half}. Latest: {latest}."
        )
    latest = [row for row in rows if row["period"] == last["period"]]
    alt_text = alt_text.format(
        **scores,
        latest=", ".join(f"{row['dimension_label']} {fmt.number(row['median'], 2)}" for row in latest),
    )
    return figure(template, assessment_scores, title.format(**scores), alt_text, note)


def _service_colour() -> alt.Color:
    return alt.Color(
        "service_type:N",
        title=_("Service"),
        scale=alt.Scale(domain=list(SERVICE_TYPES), range=list(theme.SERVICE_COLOURS)),
        legend=alt.Legend(labelExpr=label_expr(service_labels().items())),
    )


# The monthly chart's rows (px): the service's name on top, then its line.
SERVICE_ROW = 76
SERVICE_NAME = 22
SERVICE_GAP = 8


@template
def _services_template() -> dict:
    """Small multiples in one view: a row per type of service (a band of the y scale), its
    sessions a line across the months (`yOffset` inside the band), named above the line. Ninety
    months of six stacked colours were hairline bars; six lines, each on its own scale from none
    to its busiest month, show when each kind of support rose and fell."""
    names = [service_labels()[code] for code in SERVICE_TYPES]
    row = alt.Y("service:N", title=_("Service"), sort=names, scale=alt.Scale(paddingInner=0, paddingOuter=0), axis=None)
    level = alt.Scale(domain=[0, 1], range=[SERVICE_ROW - SERVICE_GAP, SERVICE_NAME])
    x = alt.X(
        "month:T",
        title=_("Month"),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(title=None, format="%Y", tickCount="year"),
    )
    base = (
        alt.Chart()
        .transform_calculate(service=_service_label())
        .transform_joinaggregate(busiest="max(sessions)", groupby=["service_type"])
        .transform_calculate(level="isValid(datum.sessions) ? datum.sessions / max(datum.busiest, 1) : null")
    )
    baseline = base.mark_rule(color=theme.MISSING, aria=False).encode(y=row, yOffset=alt.YOffset(datum=0, scale=level))
    tooltip = [
        utc_time("month:T", _("Month")),
        alt.Tooltip("service:N", title=_("Service")),
        alt.Tooltip("sessions:Q", title=_("Sessions"), format=theme.COUNT_FORMAT),
        alt.Tooltip("people:Q", title=_("People served"), format=theme.COUNT_FORMAT),
    ]
    line = described(
        base.mark_line(strokeWidth=2, interpolate="monotone").encode(
            x=x,
            y=row,
            yOffset=alt.YOffset("level:Q", title=_("Sessions, as a share of the busiest month"), scale=level),
            color=_service_colour().legend(None),
        ),
        [alt.Tooltip("service:N", title=_("Service"))],
    )
    hover = base.mark_point(opacity=0, size=120, filled=True, aria=False).encode(
        x=x, y=row, yOffset=alt.YOffset("level:Q", scale=level), tooltip=tooltip
    )
    busiest = vega_plural(
        lambda n: ngettext(
            "{service}: busiest month {sessions} session", "{service}: busiest month {sessions} sessions", n
        ),
        "datum.busiest",
        service="datum.service",
        sessions="format(datum.busiest, ',')",
    )
    names_layer = (
        base.transform_aggregate(busiest="max(sessions)", groupby=["service", "service_type"])
        .transform_calculate(name=busiest)
        .mark_text(align="left", baseline="bottom", dy=-4, fontWeight="bold", limit=WITHIN_PLOT, aria=False)
        .encode(
            y=row,
            yOffset=alt.YOffset(datum=1, scale=level),
            x=alt.value(0),
            text=alt.Text("name:N"),
            tooltip=alt.Tooltip("name:N", title=_("Service")),
        )
    )
    chart = alt.layer(baseline, line, hover, names_layer).properties(width="container", height=alt.Step(SERVICE_ROW))
    return freeze(chart)


def services_chart(services_by_month: pd.DataFrame) -> Figure:
    """Sessions per month, a row per type of service, each on its own scale."""
    template = _services_template()
    note = _("Each service on its own scale, from none to its busiest month")
    # A type held back for its few people (public) has one "not shown" row and no months: named
    # in the note, not drawn.
    table = services_by_month
    held = not_shown(table).any(axis=1)
    if held.any():
        kinds = [service_labels().get(code, code) for code in services_by_month.loc[held, "service_type"]]
        held_note = _("Not shown, too few people in some part of the selection: {groups}").format(
            groups=", ".join(kinds)
        )
        note = f"{note} · {held_note}"
        services_by_month = services_by_month.loc[~held].reset_index(drop=True)
    sessions = np.nansum(numbers(services_by_month, "sessions"))
    if not sessions:
        return figure(
            template,
            table,
            _("No service has enough people here to draw its months")
            if held.any()
            else _("No sessions recorded for this selection"),
            _("Line chart: no sessions."),
            note if held.any() else "",
            drawn=services_by_month,
        )
    by_type = sum_by(services_by_month, "service_type", "sessions")
    largest = top(by_type)
    months = services_by_month["month"]
    values = {
        "sessions": fmt.count(sessions),
        "start": fmt.month(months.min()),
        "end": fmt.month(months.max()),
        "share": fmt.share(by_type[largest[0]], sessions),
        "service": named(_service(code) for code in largest),
    }
    if len(largest) == 1:
        title = ngettext(
            "{sessions} session from {start} to {end}; {share} were {service}",
            "{sessions} sessions from {start} to {end}; {share} were {service}",
            int(sessions),
        )
    else:
        title = ngettext(
            "{sessions} session from {start} to {end}; {share} each were {service}",
            "{sessions} sessions from {start} to {end}; {share} each were {service}",
            int(sessions),
        )
    by_month = dict(sorted(sum_by(services_by_month, "month", "sessions").items()))
    busiest_months = top(by_month)
    peak = int(by_month[busiest_months[0]])
    overview = _("Line charts, one per type of service, each on its own scale: sessions per month.")
    largest_text = _("Largest type: {service}, {part} of {total}.").format(
        service=values["service"],
        part=each(fmt.count(by_type[largest[0]]), len(largest)),
        total=values["sessions"],
    )
    if len(busiest_months) == 1:
        busiest_text = ngettext(
            "Busiest month: {month}, {busiest} session.", "Busiest month: {month}, {busiest} sessions.", peak
        )
    else:
        busiest_text = ngettext(
            "Busiest months: {month}, {busiest} session each.",
            "Busiest months: {month}, {busiest} sessions each.",
            peak,
        )
    busiest_text = busiest_text.format(month=named(map(fmt.month, busiest_months)), busiest=fmt.count(peak))
    alt_text = " ".join([overview, largest_text, busiest_text, f"{held_note}." if held.any() else ""]).strip()
    return figure(template, table, title.format(**values), alt_text, note, drawn=services_by_month)


SERVICE_BAR = 20
"""The services-by-type bars' thickness (px)."""


@template
def _services_type_template() -> dict:
    # Layers only sort by min, max or count.
    y = alt.Y(
        "service:N",
        sort=alt.EncodingSortField("sessions", op="max", order="descending"),
        title=_("Service"),
        axis=alt.Axis(title=None),
    )
    x = alt.X("sessions:Q", title=_("Sessions"), axis=alt.Axis(format=theme.COUNT_FORMAT))
    tooltip = [
        alt.Tooltip("service:N", title=_("Service")),
        alt.Tooltip("sessions:Q", title=_("Sessions"), format=theme.COUNT_FORMAT),
        alt.Tooltip("people:Q", title=_("People served"), format=theme.COUNT_FORMAT),
    ]
    bars = described(
        alt.Chart()
        .mark_bar(height=SERVICE_BAR, yOffset=-SERVICE_BAR / 2, invalid=SHOW_HIDDEN)
        .encode(y=y, x=x, color=_service_colour().legend(None)),
        tooltip,
    )
    sessions = vega_plural(
        lambda n: ngettext("{sessions} session", "{sessions} sessions", n),
        "datum.sessions",
        sessions="format(datum.sessions, ',')",
    )
    people = vega_plural(
        lambda n: ngettext("{people} person", "{people} people", n), "datum.people", people=shown("people")
    )
    served = vega_text(_("{sessions}, {people}"), sessions=sessions, people=people)
    withheld = vega_text(_("withheld ({people} people)"), people="datum.people_text")
    label = f"isValid(datum.sessions) ? {served} : {withheld}"
    # The label goes under its bar, from the axis: "11,907 sessions, 317 people" is longer than
    # a phone's plot is wide.
    labels = (
        alt.Chart()
        .transform_calculate(label=label)
        .mark_text(align="left", baseline="top", dx=2, dy=4, limit=WITHIN_PLOT, aria=False)
        .encode(y=y, x=alt.value(0), text=alt.Text("label:N"), tooltip=tooltip)
    )
    chart = (
        alt.layer(bars, labels)
        .transform_calculate(service=_service_label())
        .properties(width="container", height=alt.Step(52))
    )
    return freeze(chart)


def services_type_chart(services_by_type: pd.DataFrame) -> Figure:
    """Sessions per type of service over the recent months the query covered."""
    template = _services_type_template()
    counts = numbers(services_by_type, "sessions")
    sessions = np.nansum(counts)
    months = int(services_by_type["months"].to_numpy()[0]) if len(services_by_type) else 0
    largest = top(dict(enumerate(counts.tolist())))
    if not largest:
        return figure(
            template,
            services_by_type,
            ngettext(
                "No sessions in the last {months} month", "No sessions in the last {months} months", months
            ).format(months=fmt.count(months)),
            _("Bar chart: no sessions."),
        )
    rows = records(services_by_type)
    rows = [rows[row] for row in largest]
    share = fmt.share(rows[0]["sessions"], sessions)
    if len(largest) == 1:
        title = ngettext(
            "{service} made up {share} of sessions in the last {months} month",
            "{service} made up {share} of sessions in the last {months} months",
            months,
        ).format(
            service=service_labels().get(rows[0]["service_type"], rows[0]["service_type"]),
            share=share,
            months=fmt.count(months),
        )
    else:
        title = ngettext(
            "{service} made up {share} of sessions each in the last {months} month",
            "{service} made up {share} of sessions each in the last {months} months",
            months,
        ).format(
            service=named(service_labels().get(row["service_type"], row["service_type"]) for row in rows),
            share=share,
            months=fmt.count(months),
        )
    overview = ngettext(
        "Bar chart: sessions by type of service, last {months} month.",
        "Bar chart: sessions by type of service, last {months} months.",
        months,
    ).format(months=fmt.count(months))
    part = fmt.count(rows[0]["sessions"])
    if len(rows) == 1:
        largest_text = _("Largest: {service}, {sessions}, {people}.").format(
            service=_service(rows[0]["service_type"]),
            sessions=ngettext("{part} of {total} session", "{part} of {total} sessions", int(sessions)).format(
                part=part, total=fmt.count(sessions)
            ),
            people=_people(rows[0]),
        )
    else:
        largest_text = ngettext(
            "Largest: {service}, {part} each of {total} session.",
            "Largest: {service}, {part} each of {total} sessions.",
            int(sessions),
        ).format(service=named(_service(row["service_type"]) for row in rows), part=part, total=fmt.count(sessions))
    return figure(template, services_by_type, title, f"{overview} {largest_text}")


def _people(row: pd.Series) -> str:
    """People as counted in a sentence: "317 people", "1 person", or "<5 people" where hidden."""
    n = row["people"]
    if pd.isna(n):
        # TRANSLATORS: {people} is a hidden count such as "<5".
        return _("{people} people").format(people=row.get("people_text") or fmt.MISSING)
    return ngettext("{people} person", "{people} people", int(n)).format(people=fmt.count(n))
