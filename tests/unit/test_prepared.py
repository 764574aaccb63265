"""Prepared copies: a loaded snapshot kept on disk (outside the snapshot folder) is read back
exactly as loaded, only for the same files and loader, and never at the cost of a load."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from data_access import load_snapshot, prepared
from data_access import snapshot as loader
from tests import broken, tiny

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Prepared copies under a temporary folder, kept for any snapshot size."""
    folder = tmp_path / "prepared"
    monkeypatch.setenv(prepared.PREPARED_VARIABLE, str(folder))
    monkeypatch.setattr(loader, "PREPARE_FROM_PEOPLE", 0)
    return folder


def tree(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def assert_same(a, b):
    for name in prepared.TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.problems == b.problems and a.info == b.info


def test_a_second_load_reads_the_prepared_copy_exactly(store, tmp_path, monkeypatch):
    folder = broken.write(tmp_path / "snapshots" / broken.GOOD)
    before = tree(folder)
    first = load_snapshot(folder)
    prepared.wait()
    assert len(list(store.iterdir())) == 1 and tree(folder) == before  # written beside, never inside
    monkeypatch.setattr(loader, "_people", lambda *a: pytest.fail("the copy should have been read"))
    assert_same(first, load_snapshot(folder))
    assert first.people["person_id"].dtype == object


def test_warnings_are_kept_with_the_copy(store, tmp_path):
    case = next(c for c in broken.SURVIVABLE if c.name == "extra-columns")
    case.build(tmp_path / case.id)
    first = load_snapshot(tmp_path / case.id)
    assert first.warnings
    assert_same(first, load_snapshot(tmp_path / case.id))


def test_the_copy_is_written_after_the_load_returns_and_read_after_it_is_written(store, tmp_path, monkeypatch):
    """A first start does not wait for the copy (it is for the next process); a load in the same
    process meanwhile waits for it rather than meeting half a copy."""
    folder = tiny.write(tmp_path / "2022-06-30")
    go = threading.Event()
    write = prepared.write
    monkeypatch.setattr(prepared, "write", lambda *a: go.wait(30) and write(*a))
    first = load_snapshot(folder)
    assert not store.exists()  # returned while the copy waits
    threading.Timer(0.2, go.set).start()
    monkeypatch.setattr(loader, "_people", lambda *a: pytest.fail("the copy should have been read"))
    assert_same(first, load_snapshot(folder))


def test_a_changed_snapshot_or_loader_never_meets_an_old_copy(store, tmp_path, monkeypatch):
    folder = tiny.write(tmp_path / "2022-06-30")
    load_snapshot(folder)
    manifest = loader.read_manifest(folder).manifest
    assert prepared.key(manifest) != prepared.key({**manifest, "files": {}})
    monkeypatch.setattr(prepared, "LOADER_VERSION", "another loader")
    assert prepared.read(manifest) is None


def test_an_unreadable_copy_is_ignored_and_the_files_are_loaded(store, tmp_path, caplog):
    folder = tiny.write(tmp_path / "2022-06-30")
    first = load_snapshot(folder)
    prepared.wait()
    [copy] = store.iterdir()
    (copy / "services.arrow").write_bytes(b"not arrow at all")
    assert_same(first, load_snapshot(folder))
    assert "could not be read" in caplog.text


def test_an_unwritable_store_or_off_only_means_loading_from_the_files(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "PREPARE_FROM_PEOPLE", 0)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(prepared.PREPARED_VARIABLE, str(blocker / "prepared"))
    folder = tiny.write(tmp_path / "2022-06-30")
    assert_same(load_snapshot(folder), load_snapshot(folder))
    monkeypatch.setenv(prepared.PREPARED_VARIABLE, "off")
    assert prepared.folder() is None
    assert prepared.write(loader.read_manifest(folder).manifest, {}, []) is None


def test_small_snapshots_are_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.PREPARED_VARIABLE, str(tmp_path / "prepared"))
    load_snapshot(tiny.write(tmp_path / "2022-06-30"))
    assert not (tmp_path / "prepared").exists()
    shutil.rmtree(tmp_path / "2022-06-30")


def test_a_process_that_ends_during_the_write_still_leaves_the_whole_copy(tmp_path):
    """The copy is written in a thread that outlives the script: Python's shutdown has by then
    stopped the thread pools pyarrow would convert columns in, so the write must not need one
    (it failed with "cannot schedule new futures after interpreter shutdown", and no copy)."""
    folder = ROOT / "sample_data" / "snapshots" / "2026-09-30"  # tables long enough for pyarrow's threads
    script = f"""
import time
from data_access import load_snapshot, prepared
from data_access import snapshot as loader
loader.PREPARE_FROM_PEOPLE = 0
write = prepared.write
prepared.write = lambda *a: time.sleep(0.5) or write(*a)  # still writing when the script ends
load_snapshot({str(folder)!r})
"""
    environment = {**os.environ, prepared.PREPARED_VARIABLE: str(tmp_path / "prepared")}
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    copies = list((tmp_path / "prepared").glob("*/prepared.json"))
    assert len(copies) == 1
