"""`ui.heap`: what the process holds after a snapshot load is frozen, so Streamlit's collection
after every run walks only what the run made."""

from __future__ import annotations

import gc

from ui import heap


def test_settle_freezes_what_is_held_and_after_run_does_it_once(monkeypatch):
    monkeypatch.setattr(heap, "_first_run_done", False)
    try:
        gc.unfreeze()
        held = [[i] for i in range(10_000)]  # containers the collector would otherwise walk
        heap.settle()
        frozen = gc.get_freeze_count()
        assert frozen >= len(held)
        heap.after_run()  # the first run's objects join them
        after_first = gc.get_freeze_count()
        assert after_first >= frozen
        more = [[i] for i in range(1_000)]
        heap.after_run()  # not again: every later run's objects stay collectable
        assert gc.get_freeze_count() == after_first and len(more) == 1_000
    finally:
        gc.unfreeze()
