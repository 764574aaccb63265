"""How much a snapshot may make this server read, checked from the Parquet footers before any row
is read, and one large load at a time.

A small file can decompress into far more than the machine holds (a "Parquet bomb": a few
kilobytes that expand to fifty million rows of one value). The footer says how many rows each
table has and how many bytes its pages take uncompressed, so a table or a snapshot over a limit is
refused with the reason before it is read. The defaults hold the 1M-person benchmark snapshot
(`python -m benchmarks`: 28M service rows, 47M rows and about 0.2 GB uncompressed in all) with
room to spare, on a machine of 24 GiB; set the environment variables to change them.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, fields

log = logging.getLogger("second_chance.load")

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    table_rows: int = 40_000_000
    """Rows in one table of records or aggregates (`SECOND_CHANCE_MAX_TABLE_ROWS`)."""
    reference_rows: int = 10_000
    """Rows in one reference table: cohorts, regions, stages (`SECOND_CHANCE_MAX_REFERENCE_ROWS`)."""
    snapshot_rows: int = 64_000_000
    """Rows in all the tables of a snapshot (`SECOND_CHANCE_MAX_SNAPSHOT_ROWS`)."""
    table_bytes: int = 1024 * MiB
    """Uncompressed bytes of one table's pages, as its footer gives them (`SECOND_CHANCE_MAX_TABLE_BYTES`)."""
    snapshot_bytes: int = 2048 * MiB
    """Uncompressed bytes of all the tables of a snapshot (`SECOND_CHANCE_MAX_SNAPSHOT_BYTES`)."""

    @classmethod
    def from_environment(cls) -> Limits:
        """The limits in force: each from its environment variable, the default where it is unset
        or not a whole number above zero (logged)."""
        chosen = {}
        for field in fields(cls):
            name = variable(field.name)
            raw = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
            if not raw:
                continue
            if raw.isdigit() and int(raw) > 0:
                chosen[field.name] = int(raw)
            else:
                log.warning("%s=%r is not a whole number above zero; the default applies", name, raw[:40])
        return cls(**chosen)


def variable(limit: str) -> str:
    """The environment variable of a limit: `table_rows` -> `SECOND_CHANCE_MAX_TABLE_ROWS`."""
    return f"SECOND_CHANCE_MAX_{limit.upper()}"


LARGE_LOAD_ROWS = 2_000_000
"""A snapshot with at least this many rows in all (about 40,000 people) is loaded while no other
such load runs in this process: two at once could need twice the memory at the same moment."""

_large_loads = threading.Semaphore(1)


@contextmanager
def one_large_load(rows: int, waiting=lambda: None):
    """Hold the process's one slot for large loads while a snapshot of `rows` rows is read (a small
    one goes ahead at once); `waiting()` is called first when another large load holds it."""
    if rows < LARGE_LOAD_ROWS:
        yield
        return
    if not _large_loads.acquire(blocking=False):
        waiting()
        _large_loads.acquire()
    try:
        yield
    finally:
        _large_loads.release()
