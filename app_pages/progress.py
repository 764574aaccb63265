"""Reintegration progress: how far people have come, how long they stay in each stage, who is
stuck, how their scores move, and what support they receive."""

import streamlit as st

import charts
from app_pages import explorer
from data_access.narrative import form_count, stuck_rule, stuck_sentence
from data_access.programme import STUCK_DEFAULT_DAYS, STUCK_THRESHOLDS
from i18n import N_, _, ngettext
from ui.boundary import section
from ui.context import View, link_params
from ui.widgets import chart, choice, escape, page_header, people_to_show


def render(view: View) -> None:
    page_header(
        _("Reintegration progress"), view, _("Stages reached, time to milestones, who is stuck, scores and services.")
    )
    if not people_to_show(view):
        return
    parts = {code: _(words) for code, (words, _draw) in SECTIONS.items()}
    # A link to the stuck threshold (`?stuck_days=`, also from before the page had sections)
    # opens the section that has it.
    default = "stuck" if "stuck_days" in st.query_params else "stages"
    shown = choice(_("Show"), parts, key="section", default=default, segmented=True)
    SECTIONS[shown][1](view)


def _stages(view: View) -> None:
    snapshot, filters, data = view.snapshot, view.filters, view.data
    stage_ids, cohort_ids = snapshot.categories("stage"), snapshot.categories("cohort")
    left, right = st.columns(2)
    with left:
        funnel = data.figure(charts.funnel_chart, data.stage_reached, filters, options=(stage_ids,))
        chart(funnel, key="prog-funnel", view=view)
    with right:
        occupancy = data.figure(charts.occupancy_chart, data.stage_occupancy, filters, options=(stage_ids,))
        chart(occupancy, key="prog-occupancy", view=view)
    milestones = data.figure(charts.milestone_chart, data.time_to_milestone, filters, options=(cohort_ids,))
    chart(milestones, key="prog-milestones", view=view)


def _scores(view: View) -> None:
    chart(
        view.data.figure(charts.scores_chart, view.data.assessment_scores, view.filters), key="prog-scores", view=view
    )
    st.caption(
        _(
            "Scores from 0 (worst) to 1 (best) on IOM's three dimensions of reintegration sustainability. The "
            "composite here is the plain mean of the dimensions a person was scored on: our convention, not IOM's "
            "weighting."
        )
    )


def _services(view: View) -> None:
    data, filters = view.data, view.filters
    left, right = st.columns(2)
    with left:
        chart(
            data.figure(charts.services_type_chart, data.services_by_type, filters), key="prog-services-type", view=view
        )
    with right:
        chart(data.figure(charts.services_chart, data.services_by_month, filters), key="prog-services-month", view=view)


@section
def _who_is_stuck(view: View) -> None:
    """The stuck threshold, its rule, count, link and chart: a section of its own, so moving
    the slider reruns it, not the page's six other charts and the sidebar."""
    snapshot, filters, data = view.snapshot, view.filters, view.data
    threshold = st.slider(
        _("Flag people who have been in their current stage for more than (days)"),
        min_value=STUCK_THRESHOLDS[0],
        max_value=STUCK_THRESHOLDS[-1],
        value=STUCK_DEFAULT_DAYS,
        step=STUCK_THRESHOLDS[1] - STUCK_THRESHOLDS[0],
        key="stuck_days",
        bind="query-params",
    )
    st.markdown(escape(stuck_rule(snapshot.stages, snapshot.labels("stage"), threshold)))
    stuck, counted = data.stuck_totals(filters, threshold_days=threshold)
    st.markdown(stuck_sentence(stuck, counted, threshold))
    if not view.access.public and stuck != "0":
        _link_to_the_stuck(view, threshold, stuck)
    figure = data.figure(charts.time_in_stage_chart, data.time_in_stage, filters, threshold)
    chart(figure, key="prog-stuck", view=view)


def _link_to_the_stuck(view: View, threshold: int, stuck: str) -> None:
    """A link to the Data explorer's person table, filtered to exactly the people counted above
    (restricted only). Everything it needs is in the link, so it can be shared."""
    label = ngettext(
        "Who they are: the {n} person in the Data explorer",
        "Who they are: the {n} people in the Data explorer",
        form_count(None, stuck),
    )
    st.page_link(
        explorer.page(view),
        label=label.format(n=stuck),
        icon=":material/person_search:",
        query_params=link_params(view, **{explorer.STUCK: str(threshold)}),
    )


SECTIONS = {
    "stages": (N_("Stages"), _stages),
    "stuck": (N_("Who is stuck"), _who_is_stuck),
    "scores": (N_("Assessment scores"), _scores),
    "services": (N_("Services"), _services),
}
"""The page's sections, one on screen at a time (`?section=`), each with its words and what
draws it: a filter change computes and sends the one in view, two or three charts, not all
seven."""
