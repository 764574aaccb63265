"""What changed since the previous snapshot: people per current stage, then and now."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import theme
from charts._spec import beside, described, each, figure, freeze, named, numbers, template, top
from charts.figure import Figure
from i18n import _
from i18n import format as fmt

SIGNED = "(datum.change > 0 ? '+' : datum.change < 0 ? '−' : '') + format(abs(datum.change), ',')"


def signed(value: float) -> str:
    """'+42', '−7' (a real minus sign, as on the chart), '0', with the language's grouping."""
    if pd.isna(value):
        return fmt.MISSING
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + fmt.count(abs(round(value)))


@template
def _change_template(since: str) -> dict:
    y = alt.Y(
        "stage_label:N", sort=alt.EncodingSortField("order", op="min"), title=_("Stage"), axis=alt.Axis(title=None)
    )
    x = alt.X(
        "change:Q",
        title=_("Change in people since {date}").format(date=since),
        axis=alt.Axis(format="+,~f"),
    )
    bars = described(
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=x,
            color=alt.condition("datum.change >= 0", alt.value(theme.BLUE), alt.value(theme.VERMILLION)),
        ),
        [
            alt.Tooltip("stage_label:N", title=_("Stage")),
            alt.Tooltip("previous:Q", title=_("People on {date}").format(date=since), format=theme.COUNT_FORMAT),
            alt.Tooltip("people:Q", title=_("People now"), format=theme.COUNT_FORMAT),
            alt.Tooltip("change:Q", title=_("Change"), format="+,~f"),
        ],
    )

    def labels(rising: bool) -> alt.Chart:
        return (
            alt.Chart()
            .transform_filter("datum.change >= 0" if rising else "datum.change < 0")
            .transform_calculate(
                label=SIGNED + " + ' (' + format(datum.previous, ',') + ' → ' + format(datum.people, ',') + ')'"
            )
            .mark_text(
                align="left" if rising else "right",
                baseline="middle",
                dx=6 if rising else -6,
                limit=beside("change", 6, leftwards=not rising),
                aria=False,
            )
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
        .mark_rule(opacity=0, aria=False)
        .encode(x=alt.X("left:Q"), x2=alt.X2("right:Q"))
    )
    zero = alt.Chart().mark_rule(color=theme.DARK_GREY, aria=False).encode(x=alt.datum(0))
    chart = alt.layer(bars, labels(True), labels(False), room, zero).properties(width="container", height=alt.Step(40))
    return freeze(chart)


def stage_change_chart(stage_change: pd.DataFrame, since: str) -> Figure:
    """Bars of the change in people per current stage since the snapshot of `since` (a date as
    text, see `i18n.format.date`), labelled "+42 (120 → 162)", rises in blue and falls in
    vermillion."""
    template = _change_template(since)
    change = pd.to_numeric(stage_change["change"], errors="coerce")
    if change.isna().all() or not (change != 0).any():
        return figure(
            template,
            stage_change,
            _("No change in anyone's stage since {date}").format(date=since),
            _("Bar chart: no change."),
        )
    changes = dict(enumerate(numbers(stage_change, "change").tolist()))
    labels = stage_change["stage_label"].tolist()
    rises, falls = top(changes), top(changes, lowest=True)
    if change.max() > 0 and change.min() < 0:
        title = _("Since {date}: {rise} in {rise_stage}, {fall} in {fall_stage}")
    elif change.max() > 0:
        title = _("Since {date}: {rise} in {rise_stage}")
    else:
        title = _("Since {date}: {fall} in {fall_stage}")
    title = title.format(
        date=since,
        rise=each(signed(change.max()), len(rises)),
        rise_stage=named(labels[row] for row in rises),
        fall=each(signed(change.min()), len(falls)),
        fall_stage=named(labels[row] for row in falls),
    )
    alt_text = _("Bar chart: change in people per current stage since {date}. {changes}.").format(
        date=since,
        changes="; ".join(f"{row.stage_label} {signed(row.change)}" for row in stage_change.itertuples()),
    )
    return figure(template, stage_change, title, alt_text)
