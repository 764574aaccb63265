"""What changed since the previous snapshot: people per current stage, then and now."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from charts import theme
from charts._spec import TEMPLATE_CACHE_SIZE, figure, freeze
from charts.figure import Figure

SIGNED = "(datum.change > 0 ? '+' : datum.change < 0 ? '−' : '') + format(abs(datum.change), ',')"


def signed(value: float) -> str:
    """'+42', '−7' (a real minus sign, as on the chart), '0'."""
    return f"+{value:,.0f}" if value > 0 else f"−{-value:,.0f}" if value < 0 else "0"


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _change_template(since: str) -> dict:
    y = alt.Y("stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=None)
    x = alt.X("change:Q", title=f"Change in people since {since}", axis=alt.Axis(format="+,~f"))
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=x,
            color=alt.condition("datum.change >= 0", alt.value(theme.BLUE), alt.value(theme.VERMILLION)),
            tooltip=[
                alt.Tooltip("stage_label:N", title="Stage"),
                alt.Tooltip("previous:Q", title=f"People on {since}", format=theme.COUNT_FORMAT),
                alt.Tooltip("people:Q", title="People now", format=theme.COUNT_FORMAT),
                alt.Tooltip("change:Q", title="Change", format="+,~f"),
            ],
        )
    )

    def labels(rising: bool) -> alt.Chart:
        return (
            alt.Chart()
            .transform_filter("datum.change >= 0" if rising else "datum.change < 0")
            .transform_calculate(
                label=SIGNED + " + ' (' + format(datum.previous, ',') + ' → ' + format(datum.people, ',') + ')'"
            )
            .mark_text(align="left" if rising else "right", baseline="middle", dx=6 if rising else -6)
            .encode(y=y, x=x, text=alt.Text("label:N"))
        )

    # Room on both sides for the labels: the axis spans the largest change either way, plus half.
    room = (
        alt.Chart()
        .transform_aggregate(low="min(change)", high="max(change)")
        .transform_calculate(
            left="min(0, datum.low) - 0.6 * max(abs(datum.low), abs(datum.high), 1)",
            right="max(0, datum.high) + 0.6 * max(abs(datum.low), abs(datum.high), 1)",
        )
        .mark_rule(opacity=0)
        .encode(x=alt.X("left:Q"), x2=alt.X2("right:Q"))
    )
    zero = alt.Chart().mark_rule(color=theme.DARK_GREY).encode(x=alt.datum(0))
    chart = alt.layer(bars, labels(True), labels(False), room, zero).properties(width="container", height=alt.Step(40))
    return freeze(chart)


def stage_change_chart(stage_change: pd.DataFrame, since: str) -> Figure:
    """Bars of the change in people per current stage since the snapshot of `since` (a date as
    text), labelled "+42 (120 → 162)", rises in blue and falls in vermillion."""
    template = _change_template(since)
    change = pd.to_numeric(stage_change["change"], errors="coerce")
    if change.isna().all() or not (change != 0).any():
        return figure(template, stage_change, f"No change in anyone's stage since {since}", "Bar chart: no change.")
    rise = stage_change.loc[change.idxmax()]
    fall = stage_change.loc[change.idxmin()]
    parts = []
    if change.max() > 0:
        parts.append(f"{signed(rise['change'])} in {rise['stage_label']}")
    if change.min() < 0:
        parts.append(f"{signed(fall['change'])} in {fall['stage_label']}")
    title = f"Since {since}: " + ", ".join(parts)
    alt_text = (
        f"Bar chart: change in people per current stage since {since}. "
        + "; ".join(f"{row.stage_label} {signed(row.change)}" for row in stage_change.itertuples())
        + "."
    )
    return figure(template, stage_change, title, alt_text)
