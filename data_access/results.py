"""Released tables remembered per snapshot, so a selection anyone has asked for before is not
computed again (a bounded LRU shared by every session).

Kept beside the snapshot (a `WeakKeyDictionary`), so it goes when the snapshot goes. Each entry is
keyed on the access level, the previous snapshot, the language (labels, titles and alt text are in
it) and the call, so a public table is never served to a restricted run or the reverse. Callers
get their own copy of a table, so none can change what another session sees.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping

import pandas as pd

from i18n import language

RESULTS_VARIABLE = "SECOND_CHANCE_RESULT_CACHE"
"""Environment variable: how many released tables and figures to remember per snapshot (default
512; 0: none)."""
DEFAULT_RESULT_CACHE_SIZE = 512
MISSING = object()
"""What `Results.get` gives for a key it does not hold."""


def _size(environ: Mapping[str, str] | None = None) -> int:
    text = (os.environ if environ is None else environ).get(RESULTS_VARIABLE, "").strip()
    return int(text) if text.isdigit() else DEFAULT_RESULT_CACHE_SIZE


RESULT_CACHE_SIZE = _size()
"""Entries kept per snapshot; the benchmark sets it to 0 to measure selections never seen before."""


class Results:
    """Released tables of one snapshot, least recently used dropped first. Tables are small
    (at most a few thousand rows: months x cohorts), so 512 of them stay within tens of MiB."""

    def __init__(self, size: int | None = None) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()
        self._size = size
        """Entries kept (None: `RESULT_CACHE_SIZE`, the released tables' setting)."""

    def get(self, key):
        with self._lock:
            value = self._items.get(key, MISSING)
            if value is not MISSING:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > (RESULT_CACHE_SIZE if self._size is None else self._size):
                self._items.popitem(last=False)


_stores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def results(snapshot) -> Results:
    """The remembered tables of `snapshot`."""
    with _stores_lock:
        store = _stores.get(snapshot)
        if store is None:
            store = _stores[snapshot] = Results()
        return store


def _hashable(value):
    """A key part that means the same in every run: lists as tuples, and a bound method (a
    table of the release, passed to `Release.figure`) by its name, not by its instance."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    if hasattr(value, "__self__") and hasattr(value, "__func__"):
        return value.__func__.__qualname__
    return value


def remembered(method):
    """Compute a released table once per run (a page asks for a selection's size many times)
    and once per snapshot, access level and previous snapshot while it stays remembered.
    The instance needs `snapshot`, `access`, `previous_key` and a dict `memo`."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        key = (
            language(),
            method.__name__,
            *map(_hashable, args),
            *sorted((k, _hashable(v)) for k, v in kwargs.items()),
        )
        value = self.memo.get(key, MISSING)
        shared = (self.access, self.previous_key, key)
        if value is MISSING and RESULT_CACHE_SIZE:
            value = results(self.snapshot).get(shared)
        if value is MISSING:
            value = method(self, *args, **kwargs)
            if RESULT_CACHE_SIZE:
                results(self.snapshot).put(shared, value)
        self.memo[key] = value
        return value.copy() if isinstance(value, pd.DataFrame) else value

    return wrapper
