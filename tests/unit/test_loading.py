"""Loading and validation: one test per kind of bad input, each asserting what a person reads."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_access import SnapshotError, find_snapshots, load_snapshot
from data_access.catalogue import ROOT_VARIABLE, snapshot_root
from tests import tiny


def broken(tmp_path, change=None, **manifest):
    tables = tiny.tables()
    if change:
        change(tables)
    return tiny.write(tmp_path / "2022-06-30", tables, **manifest)


def errors_of(folder) -> list[str]:
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(folder)
    return [str(p) for p in caught.value.problems if p.severity == "error"]


def warnings_of(folder) -> list[str]:
    return [str(p) for p in load_snapshot(folder).warnings]


def test_a_clean_snapshot_loads_without_problems(tiny_snapshot):
    assert tiny_snapshot.problems == ()
    assert tiny_snapshot.as_of.isoformat() == "2022-06-30"
    assert len(tiny_snapshot.people) == 6


def test_missing_table(tmp_path):
    folder = broken(tmp_path)
    (folder / "people.parquet").unlink()
    assert errors_of(folder) == [
        "people.parquet: listed in the manifest but missing: the snapshot is incomplete (still being copied?)"
    ]


def test_missing_table_not_listed_in_manifest(tmp_path):
    folder = broken(tmp_path)
    (folder / "stages.parquet").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert errors_of(folder) == ["stages.parquet: required table is missing from the snapshot folder"]


def test_optional_services_table_may_be_absent(tmp_path):
    folder = broken(tmp_path, lambda t: t.pop("services"))
    assert load_snapshot(folder).services.empty


def test_missing_column(tmp_path):
    folder = broken(tmp_path)
    people = tiny.tables()["people"].drop(columns="region_code")
    _rewrite(folder, "people", pa.Table.from_pandas(people, preserve_index=False))
    assert errors_of(folder) == ["people.parquet.region_code: required column is missing"]


def _rewrite(folder, name, table: pa.Table):
    pq.write_table(table, folder / f"{name}.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("files", None)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_wrong_type_dates_as_strings(tmp_path):
    folder = broken(tmp_path)
    events = tiny.tables()["stage_events"].astype({"entered_on": str})
    _rewrite(folder, "stage_events", pa.Table.from_pandas(events, preserve_index=False))
    assert errors_of(folder) == [
        "stage_events.parquet.entered_on: holds text (large_string), expected a date (date32[day]); fix the export"
    ]


def test_wrong_type_ids_as_numbers(tmp_path):
    folder = broken(tmp_path)
    people = tiny.tables()["people"].assign(person_id=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    _rewrite(folder, "people", pa.Table.from_pandas(people, preserve_index=False))
    assert errors_of(folder) == [
        "people.parquet.person_id: holds a number (double), expected text (string); fix the export"
    ]


def test_extra_columns_are_a_warning(tmp_path):
    folder = broken(tmp_path)
    people = tiny.tables()["people"].assign(nickname="x")
    _rewrite(folder, "people", pa.Table.from_pandas(people, preserve_index=False))
    assert warnings_of(folder) == ["people.parquet: extra columns ignored: nickname"]


def test_nulls_in_a_required_column(tmp_path):
    folder = broken(tmp_path)
    people = tiny.tables()["people"]
    people.loc[2, "cohort_id"] = None
    _rewrite(folder, "people", pa.Table.from_pandas(people, preserve_index=False))
    assert errors_of(folder) == ["people.parquet.cohort_id: empty values in a required column (1 row; e.g. row 3)"]


def test_duplicate_person_ids(tmp_path):
    def duplicate(t):
        t["people"].loc[1, "person_id"] = "p1"

    assert errors_of(broken(tmp_path, duplicate)) == [
        "people.parquet.person_id: duplicate person_id; each must appear once (2 rows; e.g. person_id=p1)"
    ]


def test_unknown_codes_leave_rows_out_with_a_warning(tmp_path):
    def unknown(t):
        t["people"].loc[0, "region_code"] = "KZ-99"
        t["stage_events"].loc[5, "stage_id"] = "holiday"
        t["people"].loc[5, "cohort_id"] = "c9"

    folder = broken(tmp_path, unknown)
    snapshot = load_snapshot(folder)
    assert [str(p) for p in snapshot.warnings] == [
        "people.parquet.cohort_id: unknown cohort (not in cohorts); these rows are left out (1 row; e.g. cohort_id=c9)",
        "people.parquet.region_code: unknown region (not in regions); these rows are left out "
        "(1 row; e.g. region_code=KZ-99)",
        "stage_events.parquet.person_id: unknown person_id (not in people); these rows are left out "
        "(9 rows; e.g. person_id=p1)",
        "stage_events.parquet.stage_id: unknown stage (not in stages); these rows are left out "
        "(1 row; e.g. stage_id=holiday)",
        "assessments.parquet.person_id: unknown person_id (not in people); these rows are left out "
        "(2 rows; e.g. person_id=p1)",
        "services.parquet.person_id: unknown person_id (not in people); these rows are left out "
        "(2 rows; e.g. person_id=p1)",
    ]
    assert list(snapshot.people["person_id"]) == ["p2", "p3", "p4", "p5"]


def test_events_after_the_as_of_date(tmp_path):
    def late(t):
        t["stage_events"].loc[14, "exited_on"] = tiny.D("2023-01-01")
        t["stage_events"].loc[len(t["stage_events"])] = ["p4", "documents", tiny.D("2023-01-01"), None]

    snapshot = load_snapshot(broken(tmp_path, late))
    assert [str(p) for p in snapshot.warnings] == [
        "stage_events.parquet.entered_on: entered after the snapshot's as-of date; left out "
        "(1 row; e.g. person_id=p4, entered_on=2023-01-01)",
        "stage_events.parquet.exited_on: exit after the as-of date; treated as still in the stage "
        "(1 row; e.g. person_id=p4, exited_on=2023-01-01)",
    ]
    assert snapshot.people.set_index("person_id").loc["p4", "stage"] == "placement"


def test_events_before_arrival_and_overlaps_are_warnings(tmp_path):
    def odd(t):
        t["stage_events"].loc[0, "entered_on"] = tiny.D("2019-12-01")
        t["stage_events"].loc[6, "exited_on"] = tiny.D("2020-03-01")  # p2 adaptation ends after placement began

    warnings = warnings_of(broken(tmp_path, odd))
    assert warnings == [
        "stage_events.parquet.entered_on: entered before the person's cohort arrived; kept as recorded "
        "(1 row; e.g. person_id=p1, entered_on=2019-12-01)",
        "stage_events.parquet: stage intervals overlap for some people; the latest entered stage counts "
        "as current (1 row; e.g. person_id=p2)",
    ]


def test_scores_outside_0_1_become_missing(tmp_path):
    def out_of_range(t):
        t["assessments"].loc[0, "social"] = 1.7

    snapshot = load_snapshot(broken(tmp_path, out_of_range))
    assert [str(p) for p in snapshot.warnings] == [
        "assessments.parquet.social: score outside 0-1; treated as missing (1 row; e.g. person_id=p1, social=1.7)"
    ]
    assert snapshot.assessments["social"].isna().sum() == 1


def test_empty_people_table(tmp_path):
    folder = broken(tmp_path, lambda t: t.update(people=t["people"].iloc[0:0]))
    assert "people.parquet: is empty; the snapshot has nothing to show" in errors_of(folder)


def test_empty_assessments_is_a_warning(tmp_path):
    folder = broken(tmp_path, lambda t: t.update(assessments=t["assessments"].iloc[0:0]))
    assert warnings_of(folder) == ["assessments.parquet: is empty: no scores to show"]


def test_corrupt_parquet(tmp_path):
    folder = broken(tmp_path)
    (folder / "assessments.parquet").write_bytes(b"PAR1 not really")
    errors = errors_of(folder)
    assert errors == [
        "assessments.parquet: is 15 bytes, the manifest says "
        f"{json.loads((folder / 'manifest.json').read_text())['files']['assessments.parquet']['bytes']:,}"
        ": the copy is incomplete or the file changed"
    ]


def test_csv_renamed_parquet_without_checksums(tmp_path):
    folder = broken(tmp_path)
    _rewrite(folder, "people", pa.table({"x": [1]}))
    (folder / "people.parquet").write_text("person_id,cohort_id\np1,c1\n")
    [error] = errors_of(folder)
    assert error.startswith("people.parquet: cannot be read as Parquet (")
    assert error.endswith("the file is damaged or not Parquet: export it again")


def test_checksum_mismatch(tmp_path):
    folder = broken(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["people.parquet"]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert errors_of(folder) == [
        "people.parquet: checksum differs from the manifest: the file changed after export or was damaged in transit"
    ]


@pytest.mark.parametrize(
    ("manifest_text", "expected"),
    [
        (
            None,
            "manifest.json: missing: the folder is still being copied, or is not a snapshot "
            "(a snapshot's manifest.json is written last)",
        ),
        ("{not json", "manifest.json: is not valid JSON"),
        ("[1, 2]", "manifest.json: must be a JSON object with the fields of the data contract"),
        (
            '{"schema_version": 99, "as_of": "2022-06-30", "country": "KZ", "access_level": "restricted"}',
            "manifest.json: schema_version 99 is newer than this dashboard understands (3); "
            "upgrade the dashboard to load it",
        ),
        (
            '{"schema_version": 1, "as_of": "yesterday", "country": "KZ", "access_level": "restricted"}',
            "manifest.json: as_of must be a date like 2026-09-30, found 'yesterday'",
        ),
        (
            '{"schema_version": 1, "as_of": "2022-06-30", "country": "KZ", "access_level": "open"}',
            "manifest.json: access_level must be one of restricted, public, found 'open'",
        ),
        (
            '{"as_of": "2022-06-30", "country": "KZ", "access_level": "restricted"}',
            "manifest.json: required field 'schema_version' is missing",
        ),
    ],
)
def test_bad_manifests(tmp_path, manifest_text, expected):
    folder = broken(tmp_path)
    if manifest_text is None:
        (folder / "manifest.json").unlink()
    else:
        (folder / "manifest.json").write_text(manifest_text)
    [error] = errors_of(folder)
    assert error.startswith(expected)


@pytest.mark.parametrize(
    "raw",
    ['{"country": "Қазақстан"}'.encode("utf-16"), b"[" * 100_000],
    ids=["utf-16", "nested-past-the-parser"],
)
def test_a_manifest_the_parser_cannot_read_sets_one_snapshot_aside(tmp_path, raw):
    """Not UTF-8, or nested deeper than the JSON parser goes: that snapshot is set aside with a
    message, and the catalogue still lists the good one beside it."""
    root = tmp_path / "snapshots"
    tiny.write(root / "2022-06-30")
    bad = root / "2023-01-01"
    bad.mkdir()
    (bad / "manifest.json").write_bytes(raw)
    infos = {info.id: info for info in find_snapshots(root)}
    assert infos["2022-06-30"].usable and not infos["2023-01-01"].usable
    [error] = errors_of(bad)
    assert error.startswith("manifest.json: is not valid JSON")


def test_catalogue_lists_newest_first_and_broken_last(tmp_path):
    root = tmp_path / "snapshots"
    tiny.write(root / "2022-06-30")
    tiny.write(root / "2021-12-31", as_of="2021-12-31")
    (root / "2023-01-01").mkdir()
    (root / ".2024-01-01.partial").mkdir()
    infos = find_snapshots(root)
    assert [(i.id, i.usable) for i in infos] == [
        ("2022-06-30", True),
        ("2021-12-31", True),
        ("2023-01-01", False),
    ]
    assert infos[0].label == "30 Jun 2022"


def test_catalogue_of_a_missing_root_is_empty(tmp_path):
    assert find_snapshots(tmp_path / "nowhere") == []


def test_root_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    assert snapshot_root() == tmp_path
    monkeypatch.delenv(ROOT_VARIABLE)
    assert snapshot_root().parts[-2:] == ("sample_data", "snapshots")


def test_loading_never_writes_into_the_snapshot_folder(tmp_path):
    folder = broken(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        snapshot = load_snapshot(folder)
    finally:
        os.chmod(folder, stat.S_IRWXU)
    assert len(snapshot.people) == 6
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_loaded_tables_use_categoricals_for_dimensions(tiny_snapshot):
    people = tiny_snapshot.people
    for column in ("cohort", "region", "stage", "sex", "age_band", "origin", "group"):
        assert isinstance(people[column].dtype, pd.CategoricalDtype), column


def test_repeated_service_rows_are_merged_with_a_warning(tmp_path):
    def repeat(t):
        t["services"].loc[len(t["services"])] = ["p1", tiny.D("2020-02-01"), "legal", 2]

    snapshot = load_snapshot(broken(tmp_path, repeat))
    assert [str(p) for p in snapshot.warnings] == [
        "services.parquet: the same person, month and service type appear more than once; their sessions are added up (1 row)"
    ]
    legal = snapshot.services[snapshot.services["service_type"] == "legal"]
    assert legal["sessions"].tolist() == [3]


@pytest.mark.parametrize("text_type", [pa.string(), pa.large_string()])
def test_person_ids_are_matched_across_row_groups(tmp_path, text_type):
    """Ids in a child table are matched to people in Arrow, one dictionary per row group: a row
    keeps its own person whichever group it is in, and an unknown id in a later group is left
    out and named."""
    folder = broken(tmp_path)
    ids = ["p6", "p1", "p1", "p4", "p9", "p2", "p6", "p3"]
    assessments = pd.DataFrame(
        {
            "person_id": ids,
            "assessed_on": [tiny.D("2021-01-01")] * len(ids),
            "economic": [i / 10 for i in range(len(ids))],
            "social": [0.5] * len(ids),
            "psychosocial": [0.5] * len(ids),
        }
    )
    table = pa.Table.from_pandas(assessments, preserve_index=False)
    table = table.set_column(0, "person_id", table.column("person_id").cast(text_type))
    pq.write_table(table, folder / "assessments.parquet", row_group_size=3)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("files", None)
    (folder / "manifest.json").write_text(json.dumps(manifest))

    snapshot = load_snapshot(folder)
    people_ids = snapshot.people["person_id"].to_numpy()
    loaded = snapshot.assessments
    assert list(people_ids[loaded["person"]]) == ["p6", "p1", "p1", "p4", "p2", "p6", "p3"]
    assert list(loaded["economic"]) == [0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7]
    assert [str(p) for p in snapshot.warnings if "assessments" in str(p)] == [
        "assessments.parquet.person_id: unknown person_id (not in people); these rows are left out "
        "(1 row; e.g. person_id=p9)"
    ]
