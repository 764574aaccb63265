"""Keep Streamlit's collection after every run cheap.

Streamlit collects garbage after every script run (`runner.postScriptGC`): a full collection
that walks every container object the process holds (Streamlit's, pandas', Altair's and Babel's
modules, the loaded snapshots and their tables). With a 100,000-person snapshot loaded that took
about 120 ms after every rerun on this project's machine, and the last messages of the run and
the next rerun wait behind it. `settle()` moves what the process holds now out of the collector's
sight (`gc.freeze()`), so the collection after a run walks only what that run made. Frozen
objects are still freed when their last reference goes; only cycles among them are left alone,
and modules and loaded snapshots live as long as the process anyway.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_first_run_done = False


def settle() -> None:
    """Freeze what the process holds now: after a snapshot is loaded."""
    with _lock:
        gc.collect()  # what is garbage now goes first, not into the permanent generation
        gc.freeze()


def after_run() -> None:
    """After a full run: the first one's imports and pages join the frozen objects, once."""
    global _first_run_done
    if _first_run_done:
        return
    _first_run_done = True
    settle()
