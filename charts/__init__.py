"""Altair builders: a tidy query table in, a `Figure` (spec template, data, alt text) out.

Pages render a figure with
`st.vega_lite_chart(fig.data, fig.spec, alt=fig.alt, width="stretch")`.
"""

from charts.figure import Figure
from charts.geo import region_map_chart
from charts.outcomes import scores_chart, services_chart, services_type_chart
from charts.people import (
    arrivals_chart,
    arrivals_timeline_chart,
    pivot_chart,
    pyramid_chart,
    unaccompanied_chart,
)
from charts.progress import funnel_chart, milestone_chart, occupancy_chart, stage_chart, time_in_stage_chart
from charts.regions import MEASURES, region_stage_heatmap, region_tiles_chart
from charts.theme import cohort_scale, stage_scale

__all__ = [
    "MEASURES",
    "Figure",
    "arrivals_chart",
    "arrivals_timeline_chart",
    "cohort_scale",
    "funnel_chart",
    "milestone_chart",
    "occupancy_chart",
    "pivot_chart",
    "pyramid_chart",
    "region_map_chart",
    "region_stage_heatmap",
    "region_tiles_chart",
    "scores_chart",
    "services_chart",
    "services_type_chart",
    "stage_chart",
    "stage_scale",
    "time_in_stage_chart",
    "unaccompanied_chart",
]
