"""Live refresh: a snapshot folder that appears while the dashboard runs shows up without a
restart, and one still being copied is listed as incomplete, never loaded. The re-scan period is
set to 0 here (`SECOND_CHANCE_RESCAN_SECONDS`), so no test waits for it."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from data_access.catalogue import ROOT_VARIABLE
from tests import tiny
from tests.app.helpers import assert_page_ok, base_line, metrics, open_app
from tests.app.test_broken_snapshots import unavailable
from ui.context import RESCAN_VARIABLE


@pytest.fixture
def root(monkeypatch, tmp_path):
    root = tmp_path / "snapshots"
    tiny.write(root / "2022-06-30")
    monkeypatch.setenv(ROOT_VARIABLE, str(root))
    monkeypatch.setenv(RESCAN_VARIABLE, "0")
    return root


@pytest.fixture
def export(tmp_path):
    """A newer snapshot, exported elsewhere, waiting to be copied in."""
    return tiny.write(tmp_path / "export" / "2022-12-31", as_of="2022-12-31")


def picker_options(at) -> list[str]:
    return next(s for s in at.sidebar.selectbox if s.key == "snapshot").options


def test_a_snapshot_copied_in_halfway_is_listed_as_incomplete_then_appears(root, export):
    at = open_app()
    assert picker_options(at) == ["30 Jun 2022 — latest"]
    target = root / "2022-12-31"
    target.mkdir()
    tables = sorted(export.glob("*.parquet"))

    # A plain copy in no particular order: some tables first, no manifest yet.
    for table in tables[:3]:
        shutil.copy2(table, target)
    at.run()
    assert_page_ok(at)
    assert picker_options(at) == ["30 Jun 2022 — latest"]
    assert metrics(at)["People who returned"] == "6"
    assert unavailable(at) == {
        "2022-12-31": "manifest.json: missing: the folder is still being copied, or is not a snapshot "
        "(a snapshot's manifest.json is written last)"
    }

    # The manifest has arrived, one table is half written and the rest are not there yet.
    shutil.copy2(export / "manifest.json", target)
    half = tables[3]
    (target / half.name).write_bytes(half.read_bytes()[: half.stat().st_size // 2])
    at.run()
    assert_page_ok(at)
    assert picker_options(at) == ["30 Jun 2022 — latest"]
    listed = json.loads((export / "manifest.json").read_text())["files"][half.name]["bytes"]
    missing = [
        f"{t.name}: listed in the manifest but missing: the snapshot is incomplete (still being copied?)"
        for t in tables[4:]
    ]
    assert unavailable(at)["2022-12-31"] == "; ".join(
        [
            f"{half.name}: is {listed // 2:,} bytes, the manifest says {listed:,}: "
            "the copy is incomplete or the file changed",
            *missing,
        ]
    )

    # The copy finishes: the new snapshot is offered as the latest, this session keeps its view.
    for table in tables[3:]:
        shutil.copy2(table, target)
    at.run()
    assert_page_ok(at)
    assert picker_options(at) == ["31 Dec 2022 — latest", "30 Jun 2022"]
    assert unavailable(at) == {}
    assert base_line(at).endswith("as of 30 Jun 2022")
    assert base_line(open_app()).endswith("as of 31 Dec 2022")


def test_publishing_under_a_hidden_name_then_renaming_is_atomic(root, export):
    at = open_app()
    hidden = root / ".2022-12-31.partial"
    shutil.copytree(export, hidden)
    at.run()
    assert picker_options(at) == ["30 Jun 2022 — latest"]
    assert unavailable(at) == {}
    os.rename(hidden, root / "2022-12-31")
    at.run()
    assert picker_options(at) == ["31 Dec 2022 — latest", "30 Jun 2022"]


def test_a_snapshot_exported_again_in_place_is_read_again(root):
    at = open_app()
    assert metrics(at)["People who returned"] == "6"
    tables = tiny.tables()
    tables["people"] = tables["people"].iloc[:5]
    tiny.write(root / "2022-06-30", tables)
    at.run()
    assert_page_ok(at)
    assert metrics(at)["People who returned"] == "5"


def newer_notice(at) -> list[str]:
    return [i.value for i in at.sidebar.info if "newer snapshot" in i.value]


def test_a_newer_snapshot_is_announced_never_switched_to_and_opens_on_request(root, export):
    at = open_app()
    assert newer_notice(at) == []
    shutil.copytree(export, root / "2022-12-31")
    at.run()
    assert_page_ok(at)
    assert newer_notice(at) == ["A newer snapshot is available (31 Dec 2022)."]
    assert base_line(at).endswith("as of 30 Jun 2022")  # the numbers on screen did not change
    labels = picker_options(at)
    assert labels == ["31 Dec 2022 — latest", "30 Jun 2022"]
    assert sum("latest" in label for label in labels) == 1
    next(b for b in at.sidebar.button if b.key == "open-newer").click().run()
    assert_page_ok(at)
    assert base_line(at).endswith("as of 31 Dec 2022")
    assert newer_notice(at) == []


def test_choosing_an_older_snapshot_raises_no_notice(root, export):
    shutil.copytree(export, root / "2022-12-31")
    at = open_app()
    next(s for s in at.sidebar.selectbox if s.key == "snapshot").set_value("2022-06-30").run()
    assert_page_ok(at)
    assert base_line(at).endswith("as of 30 Jun 2022")
    assert newer_notice(at) == []
