"""Fragments (`st.fragment`) that speak the session's language on their own reruns."""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

import i18n


def fragment(function: Callable, *, run_every: float | None = None) -> Callable:
    """`st.fragment(function)` in the session's language. The language is set once per run of the
    page (`ui.context.apply_language`); a fragment's own rerun runs without the page around it, so
    without this every text it draws came out in English on a Russian or Kazakh page."""

    @functools.wraps(function)
    def spoken(*args, **kwargs):
        with i18n.use(st.session_state.get(i18n.SESSION_KEY, i18n.DEFAULT)):
            return function(*args, **kwargs)

    return st.fragment(spoken, run_every=run_every)
