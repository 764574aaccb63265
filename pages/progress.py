"""Reintegration progress: how far people have come, how long they stay in each stage, who is
stuck, how their scores move, and what support they receive."""

import streamlit as st

import charts
from ui.context import view
from ui.widgets import chart, page_header, require_people

v = view()
snapshot, filters, data = v.snapshot, v.filters, v.data
page_header("Reintegration progress", v, "Stages reached, time to milestones, who is stuck, scores and services.")
require_people(v)

stage_ids = list(snapshot.stages["stage_id"])
cohort_ids = list(snapshot.cohorts["cohort_id"])

left, right = st.columns(2)
with left:
    chart(data.figure(charts.funnel_chart, "stage_reached", filters, options=(stage_ids,)), key="prog-funnel", view=v)
with right:
    occupancy = data.figure(charts.occupancy_chart, "stage_occupancy", filters, options=(stage_ids,))
    chart(occupancy, key="prog-occupancy", view=v)

milestones = data.figure(charts.milestone_chart, "time_to_milestone", filters, options=(cohort_ids,))
chart(milestones, key="prog-milestones", view=v)

st.subheader("Who is stuck")
threshold = st.slider(
    "Flag people who have been in their current stage for more than (days)",
    min_value=30,
    max_value=1095,
    value=180,
    step=30,
    key="stuck_days",
    bind="query-params",
)
over, open_cases = data.stuck_totals(filters, threshold_days=threshold)
st.markdown(f"**{over}** of the {open_cases} people in an open stage have been there for more than {threshold:,} days.")
chart(data.figure(charts.time_in_stage_chart, "time_in_stage", filters, threshold), key="prog-stuck", view=v)

chart(data.figure(charts.scores_chart, "assessment_scores", filters), key="prog-scores", view=v)
st.caption(
    "Scores from 0 (worst) to 1 (best) on IOM's three dimensions of reintegration sustainability. The composite "
    "here is the plain mean of the dimensions a person was scored on: our convention, not IOM's weighting."
)

left, right = st.columns(2)
with left:
    chart(data.figure(charts.services_type_chart, "services_by_type", filters), key="prog-services-type", view=v)
with right:
    chart(data.figure(charts.services_chart, "services_by_month", filters), key="prog-services-month", view=v)
