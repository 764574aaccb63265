"""Loaded snapshots kept ready on disk, so a restarted server does not check and convert them again.

Loading a snapshot reads its Parquet files, holds every row to the contract and derives what the
queries need; for a million people that is tens of seconds. The result depends only on the
snapshot's files (named with their checksums in its manifest) and on the loader's code, so the
loaded tables are written once, as Arrow IPC files (LZ4), to a folder of their own keyed on both,
and a later process reads them back in a few seconds instead.

- The folder is `SECOND_CHANCE_PREPARED` (default `~/.cache/second-chance/prepared`, or under
  `XDG_CACHE_HOME`); `off` turns this off. It is never inside a snapshot folder: the snapshot
  folders are only ever read.
- The key is the SHA-256 of the manifest (which lists every file's checksum; the loader verifies
  the files against it before it looks here) and of the loader's source files, so a changed
  snapshot or a new version of the loader never meets an old copy.
- A copy is written to a temporary folder and renamed into place, so a reader sees all of it or
  nothing; any copy that cannot be read is ignored and the snapshot is loaded from its files.
- Only snapshots that loaded (with or without warnings) are kept; their warnings are kept too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from data_access.problems import Problem

PREPARED_VARIABLE = "SECOND_CHANCE_PREPARED"
"""Environment variable: the folder for prepared snapshots, or `off`."""
TABLES = ("people", "events", "assessments", "services", "cohorts", "regions", "stages")
LOADER_FILES = ("snapshot.py", "contract.py", "integrity.py", "catalogue.py", "problems.py", "prepared.py")
FORMAT = 1

log = logging.getLogger("second_chance.load")


def folder() -> Path | None:
    """Where prepared snapshots live, or None when switched off."""
    setting = os.environ.get(PREPARED_VARIABLE, "").strip()
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "second-chance" / "prepared"


def _loader_version() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(str(FORMAT).encode())
    for name in LOADER_FILES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


LOADER_VERSION = _loader_version()


def key(manifest: dict) -> str:
    text = json.dumps(manifest, sort_keys=True, default=str)
    return hashlib.sha256((LOADER_VERSION + text).encode()).hexdigest()[:32]


def read(manifest: dict) -> tuple[dict[str, pd.DataFrame], list[Problem]] | None:
    """The loaded tables and warnings of the snapshot with this manifest, if a copy is ready."""
    wait()
    base = folder()
    if base is None:
        return None
    where = base / key(manifest)
    try:
        meta = json.loads((where / "prepared.json").read_text(encoding="utf-8"))
        tables = {name: _read_table(where / f"{name}.arrow", meta["object_columns"][name]) for name in TABLES}
        problems = [Problem(**{**p, "params": tuple(map(tuple, p.get("params", ())))}) for p in meta["problems"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        log.warning("prepared copy %s could not be read (%s); loading from the snapshot's files", where, exc)
        return None
    log.info("snapshot %s read from its prepared copy %s", manifest.get("as_of", "?"), where)
    return tables, problems


def _read_table(path: Path, object_columns: list[str]) -> pd.DataFrame:
    table = feather.read_table(path, memory_map=False)
    # Text columns come back as Python objects (None for missing), as the loader made them.
    texts = {name: table.column(name).to_numpy(zero_copy_only=False) for name in object_columns}
    names = table.column_names
    # A block per column, each Arrow buffer let go once converted: no second copy of a million
    # people's rows to gather columns into blocks (a restart at 1M: about 1 s less).
    frame = table.drop_columns(object_columns).to_pandas(split_blocks=True, self_destruct=True)
    del table
    if not object_columns:
        return frame
    extra = {name: pd.Series(values, index=frame.index, dtype=object) for name, values in texts.items()}
    return frame.assign(**extra)[names]


_writers: list[threading.Thread] = []


def write_soon(
    manifest: dict, tables: dict[str, pd.DataFrame], problems: list[Problem], then: Callable[[], None]
) -> None:
    """`write` in a thread of its own, then `then` (the first start of a large snapshot need not
    wait the second or two it takes). The thread is not a daemon: a process that ends meanwhile
    finishes the copy first, so no half-written folder is left behind."""

    def writing() -> None:
        try:
            write(manifest, tables, problems)
        finally:
            then()

    writer = threading.Thread(target=writing, name="second-chance-prepare", daemon=False)
    _writers.append(writer)
    writer.start()


def wait() -> None:
    """Until every copy this process began writing is written (a read in the same process, a
    test, a benchmark that stops the process, want the whole copy)."""
    while _writers:
        _writers.pop().join()


def write(manifest: dict, tables: dict[str, pd.DataFrame], problems: list[Problem]) -> Path | None:
    """Keep a loaded snapshot ready for the next process. Never raises: a cache that cannot be
    written (read-only home, full disk) only means the next start loads from the files again."""
    base = folder()
    if base is None:
        return None
    where = base / key(manifest)
    if (where / "prepared.json").exists():
        return where
    temporary = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=".writing-", dir=base))
        objects = {}
        for name in TABLES:
            frame = tables[name]
            objects[name] = [col for col in frame.columns if frame[col].dtype == object]
            # Converted in this thread (`nthreads=1`): the write may outlive the script, and
            # Python's shutdown stops the thread pools pyarrow would otherwise convert columns in.
            table = pa.Table.from_pandas(frame, nthreads=1)
            # One record batch per table: read back, each column is one piece that pandas can
            # take without gathering 64k-row chunks into a copy (a restart at 1M: about 0.5 s less).
            feather.write_feather(table, temporary / f"{name}.arrow", compression="lz4", chunksize=max(1, len(frame)))
        meta = {"format": FORMAT, "object_columns": objects, "problems": [asdict(p) for p in problems]}
        (temporary / "prepared.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(temporary, where)
        temporary = None
        log.info("kept a prepared copy of snapshot %s under %s", manifest.get("as_of", "?"), where)
        return where
    except OSError as exc:
        if not (where / "prepared.json").exists():  # another process may have won the race
            log.warning("could not keep a prepared copy under %s: %s", base, exc)
        return None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(temporary)
