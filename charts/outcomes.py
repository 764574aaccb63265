"""How people are doing: reintegration scores over time and the support delivered."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from charts import theme
from charts._spec import (
    TEMPLATE_CACHE_SIZE,
    at,
    count,
    figure,
    freeze,
    headroom,
    label_expr,
    pairs,
    percent,
    shown,
    top,
    total,
    utc_time,
)
from charts.figure import Figure
from data_access.contract import SERVICE_TYPES

SCORES_NOTE = (
    "Banding and composite are our convention; scores 0–1 in the style of IOM's Reintegration Sustainability Survey"
)
SERVICE_LABEL = "upper(slice(datum.service_type, 0, 1)) + slice(datum.service_type, 1)"
SERVICE_LABELS = tuple((code, code.capitalize()) for code in SERVICE_TYPES)


def _half_year(period: pd.Timestamp) -> str:
    return f"{'H1' if period.month <= 6 else 'H2'} {period.year}"


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _scores_template(dimension_labels: tuple[tuple[str, str], ...]) -> dict:
    domain = list(theme.SCORE_DIMENSIONS)
    legend = alt.Legend(
        labelExpr=label_expr(dimension_labels),
        values=[code for code in domain if code in dict(dimension_labels)],
        orient="top",
        columns=2,
        symbolStrokeWidth=3,
        symbolSize=300,
    )
    x = alt.X(
        "period:T",
        title="Half-year of assessment",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%Y", tickCount="year"),
    )
    palette = alt.Scale(domain=domain, range=list(theme.SCORE_COLOURS))
    colour = alt.Color(
        "dimension:N",
        title="Dimension",
        scale=palette,
        legend=legend,
    )
    unlabelled = alt.Color("dimension:N", scale=palette, legend=None)
    tooltip = [
        utc_time("period:T", "Half-year from"),
        alt.Tooltip("dimension_label:N", title="Dimension"),
        alt.Tooltip("n:Q", title="Scores", format=theme.COUNT_FORMAT),
        alt.Tooltip("median:Q", title="Median", format=".2f"),
        alt.Tooltip("q1:Q", title="Lower quartile", format=".2f"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=".2f"),
    ]
    band = alt.Chart().mark_area(opacity=0.08).encode(x=x, y=alt.Y("q1:Q"), y2=alt.Y2("q3:Q"), color=unlabelled)
    line = (
        alt.Chart()
        .mark_line(strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y(
                "median:Q",
                title="Median score (0 worst, 1 best)",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".1f"),
            ),
            color=colour,
            strokeDash=alt.StrokeDash(
                "dimension:N",
                title="Dimension",
                scale=alt.Scale(domain=domain, range=[list(d) for d in theme.SCORE_DASHES]),
                legend=legend,
            ),
        )
    )
    points = (
        alt.Chart().mark_point(filled=True, size=70).encode(x=x, y=alt.Y("median:Q"), color=unlabelled, tooltip=tooltip)
    )
    # Independent legends, so the band's and the points' `legend=None` leave the line's legend
    # (colour and dash together) in place.
    chart = alt.layer(band, line, points).resolve_legend(color="independent", strokeDash="independent")
    return freeze(chart.properties(width="container", height=380))


def scores_chart(assessment_scores: pd.DataFrame) -> Figure:
    """Median score per dimension and half-year (line) with the interquartile range (band)."""
    template = _scores_template(pairs(assessment_scores, "dimension", "dimension_label"))
    composite = assessment_scores.loc[assessment_scores["dimension"] == "composite"].sort_values("period")
    if composite.empty:
        return figure(
            template,
            assessment_scores,
            "No assessments in this selection",
            "Line chart: no assessment scores.",
            SCORES_NOTE,
        )
    first, last = composite.iloc[0], composite.iloc[-1]
    verb = "rose" if last["median"] > first["median"] else "fell" if last["median"] < first["median"] else "stayed"
    title = (
        f"The median composite score {verb} from {first['median']:.2f} ({_half_year(first['period'])}) "
        f"to {last['median']:.2f} ({_half_year(last['period'])})"
    )
    latest = assessment_scores.loc[assessment_scores["period"] == last["period"]]
    alt_text = (
        f"Line chart: median reintegration score per dimension and half-year, 0 to 1, with quartile "
        f"bands. Composite: {first['median']:.2f} in {_half_year(first['period'])}, "
        f"{last['median']:.2f} in {_half_year(last['period'])}. Latest: "
        + ", ".join(f"{row.dimension_label} {row.median:.2f}" for row in latest.itertuples())
        + "."
    )
    return figure(template, assessment_scores, title, alt_text, SCORES_NOTE)


def _service_colour() -> alt.Color:
    return alt.Color(
        "service_type:N",
        title="Service",
        scale=alt.Scale(domain=list(SERVICE_TYPES), range=list(theme.SERVICE_COLOURS)),
        legend=alt.Legend(labelExpr=label_expr(SERVICE_LABELS)),
    )


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _services_template() -> dict:
    chart = (
        alt.Chart()
        .transform_calculate(service=SERVICE_LABEL)
        .mark_bar()
        .encode(
            x=alt.X("utcyearmonth(month):T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("sessions:Q", stack="zero", title="Sessions per month", axis=alt.Axis(format=theme.COUNT_FORMAT)),
            color=_service_colour(),
            order=alt.Order("service_rank:Q"),
            tooltip=[
                utc_time("month:T", "Month"),
                alt.Tooltip("service:N", title="Service"),
                alt.Tooltip("sessions:Q", title="Sessions", format=theme.COUNT_FORMAT),
                alt.Tooltip("people:Q", title="People served", format=theme.COUNT_FORMAT),
            ],
        )
        .transform_calculate(service_rank=f"indexof({list(SERVICE_TYPES)}, datum.service_type)")
        .properties(width="container", height=340)
    )
    return freeze(chart)


def services_chart(services_by_month: pd.DataFrame) -> Figure:
    """Sessions per month, stacked by type of service."""
    template = _services_template()
    sessions = total(services_by_month, "sessions")
    if not sessions:
        return figure(template, services_by_month, "No sessions recorded for this selection", "Bar chart: no sessions.")
    by_type = services_by_month.groupby("service_type")["sessions"].sum().reset_index()
    largest = top(by_type, "sessions")
    months = services_by_month["month"]
    title = (
        f"{count(sessions)} sessions from {months.min():%b %Y} to {months.max():%b %Y}; "
        f"{percent(largest['sessions'] / sessions)} were {largest['service_type']}"
    )
    busiest = services_by_month.groupby("month")["sessions"].sum()
    alt_text = (
        f"Stacked bar chart: sessions per month by type of service. Largest type: "
        f"{largest['service_type']}, {count(largest['sessions'])} of {count(sessions)}. Busiest month: "
        f"{busiest.idxmax():%B %Y}, {count(busiest.max())} sessions."
    )
    return figure(template, services_by_month, title, alt_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _services_type_template() -> dict:
    # Layers only sort by min, max or count.
    y = alt.Y("service:N", sort=alt.EncodingSortField("sessions", op="max", order="descending"), title=None)
    x = alt.X("sessions:Q", title="Sessions", axis=alt.Axis(format=theme.COUNT_FORMAT))
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=x,
            color=_service_colour().legend(None),
            tooltip=[
                alt.Tooltip("service:N", title="Service"),
                alt.Tooltip("sessions:Q", title="Sessions", format=theme.COUNT_FORMAT),
                alt.Tooltip("people:Q", title="People served", format=theme.COUNT_FORMAT),
            ],
        )
    )
    labels = (
        alt.Chart()
        .transform_calculate(
            label=f"isValid(datum.sessions) ? format(datum.sessions, ',') + ' sessions, ' + ({shown('people')}) "
            "+ ' people' : 'withheld (' + datum.people_text + ' people)'",
            label_at=at("sessions"),
        )
        .mark_text(align="left", baseline="middle", dx=6)
        .encode(y=y, x=alt.X("label_at:Q"), text=alt.Text("label:N"))
    )
    chart = (
        alt.layer(bars, labels, headroom("sessions", 1.6))
        .transform_calculate(service=SERVICE_LABEL)
        .properties(width="container", height=alt.Step(40))
    )
    return freeze(chart)


def services_type_chart(services_by_type: pd.DataFrame) -> Figure:
    """Sessions per type of service over the recent months the query covered."""
    template = _services_type_template()
    sessions = total(services_by_type, "sessions")
    months = int(services_by_type["months"].iloc[0]) if len(services_by_type) else 0
    largest = top(services_by_type, "sessions")
    if largest is None:
        return figure(template, services_by_type, f"No sessions in the last {months} months", "Bar chart: no sessions.")
    title = (
        f"{largest['service_type'].capitalize()} made up {percent(largest['sessions'] / sessions)} "
        f"of sessions in the last {months} months"
    )
    alt_text = (
        f"Bar chart: sessions by type of service, last {months} months. Largest: "
        f"{largest['service_type']}, {count(largest['sessions'])} of {count(sessions)} sessions, "
        f"{count(largest['people'])} people."
    )
    return figure(template, services_by_type, title, alt_text)
