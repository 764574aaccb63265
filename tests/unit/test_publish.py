"""The publish command, checked independently: the files it writes are read back with pyarrow
alone and compared with the restricted sample, the current stage derived here from the events
and the record keys computed here from the ids and the sample's key file."""

from __future__ import annotations

import filecmp
import hashlib
import hmac
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from data_access import Filters, load_snapshot
from data_access import contract as c
from data_access import queries as q
from data_access.publish import main, publish
from tests.unit.test_release import PUBLIC_ROOT

ROOT = Path(__file__).resolve().parents[2]
RESTRICTED = ROOT / "sample_data" / "snapshots"
PUBLIC = ROOT / "sample_data" / "public"
OPEN = ROOT / "sample_data" / "open-data"
KEY = ROOT / "sample_data" / "sample-publisher-key.txt"
SNAPSHOTS = sorted(p.name for p in PUBLIC.iterdir() if p.is_dir())
CELL = ["region_code", "cohort_id", "stage_id", "sex", "age_band"]
PERSON_COLUMNS = {"person_id", "household_id", "person"}


def read(folder: Path, name: str) -> pd.DataFrame:
    return pq.read_table(folder / f"{name}.parquet").to_pandas()


def people_with_stage(folder: Path) -> pd.DataFrame:
    """People with their current stage: the open stage entered last, else the last entered."""
    people, events = read(folder, "people"), read(folder, "stage_events")
    events = events.assign(open=events["exited_on"].isna(), order=range(len(events)))
    current = events.sort_values(["person_id", "open", "entered_on", "order"]).groupby("person_id").tail(1)
    return people.merge(current[["person_id", "stage_id"]], on="person_id", how="left")


def key_of(person_id: str) -> int:
    secret = KEY.read_bytes().strip()
    return int.from_bytes(hmac.new(secret, person_id.encode(), hashlib.sha256).digest()[:4], "big")


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_the_public_sample_holds_aggregates_only(snapshot):
    folder = PUBLIC / snapshot
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["access_level"], manifest["kind"]) == ("public", "aggregates")
    assert manifest["perturbation"] == {"max_noise": 3, "variance": 2.0, "never_shown": 2}
    files = {p.name for p in folder.glob("*.parquet")}
    assert files == {t.file_name for t in c.AGGREGATE_TABLES}
    for path in folder.glob("*.parquet"):
        assert not PERSON_COLUMNS & set(pq.read_schema(path).names), path.name
    assert not load_snapshot(folder).warnings


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_its_cells_hold_the_true_counts_and_key_sums_of_the_people_in_them(snapshot):
    people = people_with_stage(RESTRICTED / snapshot)
    people["key"] = people["person_id"].map(key_of)
    truth = people.groupby(CELL, dropna=False).agg(people=("person_id", "size"), key=("key", "sum")).reset_index()
    truth["key"] = truth["key"] % 2**32
    cells = read(PUBLIC / snapshot, "cells")
    merged = truth.merge(cells, on=CELL, how="outer", suffixes=("_true", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), "cells differ from the people's"
    assert (merged["people_true"] == merged["people"]).all()
    assert (merged["key"] == merged["people_key"]).all()
    assert cells["people"].sum() == len(people)  # nobody dropped


def test_cohorts_regions_and_stages_are_the_true_ones():
    for name in ("cohorts", "regions", "stages"):
        pd.testing.assert_frame_equal(read(PUBLIC / "2026-09-30", name), read(RESTRICTED / "2026-09-30", name))


def test_the_same_people_get_the_same_number_in_every_snapshot():
    """A cohort's members are the same in every snapshot, and so are their record keys: its
    published size is the same number in all four public snapshots."""
    snapshots = [load_snapshot(PUBLIC / name) for name in SNAPSHOTS]
    for cohort in snapshots[0].categories("cohort"):
        sizes = {q.base_n(s, Filters(cohort=(cohort,))) for s in snapshots}
        assert len(sizes) == 1, (cohort, sizes)


def test_publishing_again_gives_the_same_files(tmp_path):
    publish(RESTRICTED / "2026-09-30", tmp_path, KEY.read_bytes().strip())
    names = sorted(p.name for p in (PUBLIC / "2026-09-30").glob("*.parquet"))
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "2026-09-30", PUBLIC / "2026-09-30", names, shallow=False)
    assert mismatch == [] and errors == [], "the committed public sample is not what publish makes: publish it again"


def test_another_secret_gives_other_keys_and_other_numbers(tmp_path):
    publish(RESTRICTED / "2026-09-30", tmp_path, b"another publisher's secret key")
    ours, theirs = read(PUBLIC / "2026-09-30", "cells"), read(tmp_path / "2026-09-30", "cells")
    assert (ours["people"] == theirs["people"]).all()
    assert (ours["people_key"] != theirs["people_key"]).mean() > 0.99


def test_the_command_refuses_a_short_key_and_a_public_source(tmp_path, capsys):
    short = tmp_path / "key"
    short.write_text("too short")
    assert main([str(RESTRICTED / "2026-09-30"), str(tmp_path / "out"), "--key-file", str(short)]) == 1
    assert "at least 16 bytes" in capsys.readouterr().err
    assert main([str(PUBLIC / "2026-09-30"), str(tmp_path / "out"), "--key-file", str(KEY)]) == 1
    assert "already a public snapshot" in capsys.readouterr().err


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_the_open_data_is_audited_and_reads_cleanly(snapshot):
    folder = OPEN / snapshot
    audit = json.loads((folder / "audit.json").read_text())
    assert audit["passed"] and all(v["protected"] and v["true_inside"] for v in audit["values"])
    for csv in folder.glob("*.csv"):
        if csv.name == "perturbation_table.csv":
            continue
        lines = csv.read_text().splitlines()
        header = next(i for i, line in enumerate(lines) if not line.startswith("# "))
        assert lines[header + 1].startswith("#"), f"{csv.name}: no HXL row under the header"
        table = pd.read_csv(csv, comment="#")
        assert not PERSON_COLUMNS & set(table.columns)
        parquet = pd.read_parquet(folder / f"{csv.stem}.parquet")
        assert list(table.columns) == list(parquet.columns) and len(table) == len(parquet)
        shown = pd.to_numeric(table["people"], errors="coerce")
        assert not shown.between(1, 4).any(), csv.name


def test_open_data_numbers_are_the_dashboards(latest):
    """The region table of the open data says what the public dashboard's facet counts say."""
    from data_access.release import Access, Release

    release = Release(load_snapshot(PUBLIC / "2026-09-30"), Access("public"))
    facets = release.option_counts(Filters(), "region").set_index("code")["people_text"]
    table = pd.read_csv(OPEN / "2026-09-30" / "people_by_region.csv", comment="#", dtype=str).set_index("region_code")
    assert table["people_shown_as"].to_dict() == facets.to_dict()


def test_open_data_hides_a_small_justice_count_under_ten(monkeypatch):
    """The key figures' justice track is sensitive in the open data too: a published 7 is "<10"
    (the sample's 50 cannot show it, so the count is made small here)."""
    from data_access import open_data

    real = open_data.q.headline

    def few_on_the_justice_track(*args, **kwargs):
        table = real(*args, **kwargs)
        return table.assign(value=np.where(table["measure"] == "justice_track", 7, table["value"]))

    monkeypatch.setattr(open_data.q, "headline", few_on_the_justice_track)
    public = load_snapshot(PUBLIC_ROOT / "2026-09-30")
    figures = open_data.published_tables(public)["key_figures"].set_index("measure")
    assert figures.loc["justice_track", "people_shown_as"] == "<10"
    assert pd.isna(figures.loc["justice_track", "people"])
