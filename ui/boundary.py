"""What keeps a run from ending in a traceback: the server log, and the error boundary around
every page.

Logs go to the logger `second_chance` (and its children `.catalogue`, `.load`, `.page`) on
standard error, at the level in `SECOND_CHANCE_LOG_LEVEL` (default INFO).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from data_access.release import SelectionTooSmall
from i18n import _
from ui.fragments import fragment
from ui.widgets import too_small

LOG_LEVEL_VARIABLE = "SECOND_CHANCE_LOG_LEVEL"
log = logging.getLogger("second_chance.page")
_configure_lock = threading.Lock()


def configure_logging() -> None:
    """Give the `second_chance` logger a handler once per process (app.py runs on every rerun)."""
    logger = logging.getLogger("second_chance")
    with _configure_lock:
        if logger.handlers:
            return
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        level = os.environ.get(LOG_LEVEL_VARIABLE, "INFO").strip().upper()
        logger.setLevel(level if level in logging.getLevelNamesMapping() else logging.INFO)


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn any unexpected exception into a message a person can act on, and log the traceback
    with a reference the message quotes. Streamlit's own stop and rerun signals pass through
    (they are not `Exception`s)."""
    try:
        yield
    except SelectionTooSmall as error:  # a public page that did not guard a chart: fail closed, politely
        too_small(error)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("page failed (reference %s)", reference)
        st.error(
            _(
                "**Something went wrong while drawing this page.** Your data is safe and nothing was changed.\n\n"
                "Try again (reload the page), press **Reset filters**, or pick another snapshot in the sidebar. "
                "If it keeps happening, tell whoever runs this dashboard and quote reference **{reference}**."
            ).format(reference=reference),
            icon=":material/error:",
        )


def section(function: Callable) -> Callable:
    """A page section that reruns on its own when one of its widgets changes (`st.fragment`),
    with the error boundary inside it: a section's own rerun is not inside the page's."""

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        with error_boundary():
            return function(*args, **kwargs)

    return fragment(guarded)
