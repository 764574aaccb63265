"""The publish command, checked independently: the Parquet files it writes are read back with
pyarrow alone, the current stage derived here from the events, and every combination of the
quasi-identifiers counted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from data_access import load_snapshot
from data_access.publish import main, publish

ROOT = Path(__file__).resolve().parents[2]
RESTRICTED = ROOT / "sample_data" / "snapshots"
PUBLIC = ROOT / "sample_data" / "public"
QUASI = ["cohort_id", "region_code", "sex", "age_band", "unaccompanied", "stage"]


def read(folder: Path, name: str) -> pd.DataFrame:
    return pq.read_table(folder / f"{name}.parquet").to_pandas()


def quasi_identifiers(folder: Path) -> pd.DataFrame:
    """People with their current stage: the open stage entered last, else the last entered."""
    people, events = read(folder, "people"), read(folder, "stage_events")
    events = events.assign(open=events["exited_on"].isna(), order=range(len(events)))
    current = events.sort_values(["person_id", "open", "entered_on", "order"]).groupby("person_id").tail(1)
    return people.merge(current[["person_id", "stage_id"]].rename(columns={"stage_id": "stage"}), on="person_id")


def smallest_class(folder: Path) -> int:
    return int(quasi_identifiers(folder).groupby(QUASI, dropna=False).size().min())


@pytest.mark.parametrize("snapshot", sorted(p.name for p in PUBLIC.iterdir() if p.is_dir()))
def test_the_committed_public_sample_is_k_anonymous_and_coarse(snapshot):
    folder = PUBLIC / snapshot
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["access_level"] == "public"
    assert smallest_class(folder) >= 5 == manifest["disclosure"]["k"]
    assert manifest["disclosure"]["smallest_equivalence_class"] == smallest_class(folder)
    people = read(folder, "people")
    assert people["household_id"].isna().all()
    source_ids = set(read(RESTRICTED / snapshot, "people")["person_id"])
    assert not source_ids & set(people["person_id"])
    for name, columns in {"stage_events": ["entered_on", "exited_on"], "assessments": ["assessed_on"]}.items():
        for column in columns:
            days = pd.to_datetime(read(folder, name)[column].dropna())
            assert (days.dt.day == 1).all(), f"{name}.{column} has days, not months"
    snap = load_snapshot(folder)
    assert not snap.warnings
    assert len(snap.people) == manifest["disclosure"]["people_published"]


def test_publishing_reaches_k_and_reports_what_it_did(tmp_path):
    report = publish(RESTRICTED / "2026-09-30", tmp_path, k=5)
    folder = tmp_path / "2026-09-30"
    assert smallest_class(folder) >= 5
    assert report.smallest_class == smallest_class(folder)
    assert report.people_in == 626
    assert report.people_out + report.suppressed == 626
    assert report.people_out == len(read(folder, "people"))
    assert 0 < report.risk_average <= report.risk_max <= 1 / 5
    cohorts = read(folder, "cohorts")
    assert "Rusafa" not in set(cohorts["name"])  # 14 people: merged with the other small cohorts
    assert (
        not set(read(folder, "regions")["region_code"])
        - set(read(RESTRICTED / "2026-09-30", "regions")["region_code"])
        - {"all", "North-west", "North-central", "North-east", "South-west", "South-central", "South-east"}
    )


def test_ids_are_fresh_on_every_run(tmp_path):
    publish(RESTRICTED / "2025-03-31", tmp_path / "a")
    publish(RESTRICTED / "2025-03-31", tmp_path / "b")
    first = set(read(tmp_path / "a" / "2025-03-31", "people")["person_id"])
    second = set(read(tmp_path / "b" / "2025-03-31", "people")["person_id"])
    assert len(first) == len(second) and not first & second


def test_a_higher_k_is_reached_too(tmp_path):
    publish(RESTRICTED / "2026-09-30", tmp_path, k=10)
    assert smallest_class(tmp_path / "2026-09-30") >= 10


def test_the_command_refuses_a_k_under_5(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(RESTRICTED / "2026-09-30"), str(tmp_path), "--k", "3"])
    assert "--k must be at least 5" in capsys.readouterr().err
