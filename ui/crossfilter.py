"""Cross-filtering: a click on a chart bar becomes a global filter (so it shows in the sidebar,
the URL and every page), and the clicked chart is drawn without its own dimension's filter so
it stays whole."""

from __future__ import annotations

import streamlit as st


def picked(chart_key: str, field: str, param: str = "pick") -> list[str]:
    """Values of `field` in the chart's point selection (empty when nothing is selected)."""
    state = st.session_state.get(chart_key)
    if not state:
        return []
    points = state.get("selection", {}).get(param) or []
    return [str(p[field]) for p in points if isinstance(p, dict) and field in p]


def to_filter(chart_key: str, field: str, dimension: str):
    """An on_select callback that copies the chart's selection into the global filter."""

    def callback() -> None:
        st.session_state[dimension] = picked(chart_key, field)

    return callback
