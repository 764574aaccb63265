"""Reintegration progress: how far people have come, how long they stay in each stage, who is
stuck, how their scores move, and what support they receive."""

import streamlit as st

import charts
from data_access import queries as q
from ui.context import view
from ui.widgets import chart, page_header, require_people

v = view()
snapshot, filters = v.snapshot, v.filters
page_header("Reintegration progress", v, "Stages reached, time to milestones, who is stuck, scores and services.")
require_people(v)

stage_ids = list(snapshot.stages["stage_id"])
cohort_ids = list(snapshot.cohorts["cohort_id"])

left, right = st.columns(2)
with left:
    chart(charts.funnel_chart(q.stage_reached(snapshot, filters), stage_ids), key="prog-funnel", view=v)
with right:
    chart(charts.occupancy_chart(q.stage_occupancy(snapshot, filters), stage_ids), key="prog-occupancy", view=v)

chart(charts.milestone_chart(q.time_to_milestone(snapshot, filters), cohort_ids), key="prog-milestones", view=v)

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
stuck = q.time_in_stage(snapshot, filters, threshold_days=threshold)
over = int(stuck["over_threshold"].sum())
open_cases = int(stuck["people"].sum())
st.markdown(
    f"**{over:,}** of the {open_cases:,} people in an open stage have been there for more than {threshold:,} days."
)
chart(charts.time_in_stage_chart(stuck), key="prog-stuck", view=v)

chart(charts.scores_chart(q.assessment_scores(snapshot, filters)), key="prog-scores", view=v)
st.caption(
    "Scores from 0 (worst) to 1 (best) on IOM's three dimensions of reintegration sustainability. The composite "
    "here is the plain mean of the dimensions a person was scored on: our convention, not IOM's weighting."
)

left, right = st.columns(2)
with left:
    chart(charts.services_type_chart(q.services_by_type(snapshot, filters)), key="prog-services-type", view=v)
with right:
    chart(charts.services_chart(q.services_by_month(snapshot, filters)), key="prog-services-month", view=v)
