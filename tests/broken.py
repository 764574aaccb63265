"""Broken snapshots, generated from tests/tiny.py (no binary fixtures): every way an export can go
wrong that issue 8 lists, each with exactly what a person is told about it.

A case is either *fatal* (the snapshot is listed as unavailable with `errors`) or *survivable*
(it loads, and the About page lists `warnings`). `build_root(root)` writes one good snapshot and
every case into `root`:

- the good snapshot is `2022-06-30` (as of 30 Jun 2022, the six people of tests/tiny.py);
- fatal cases are as of 31 Dec 2022, newer than the good one, so the dashboard has to pass over
  each of them to find a snapshot to open;
- survivable cases are as of 30 Jun 2022 with ids that sort after the good one's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data_access.contract import MANIFEST_FILE, SCHEMA_VERSION
from data_access.writer import write_manifest
from tests import tiny

GOOD = "2022-06-30"
FATAL_AS_OF = "2022-12-31"
MAGIC = "Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file."

LONG = "Cohort " + "with a very long name " * 500
RTL = "\u202eعودة\u202c — שיבה — Қайту 🇰🇿 e\u0301"
SCRIPT = "<script>alert('x')</script>"
HTML = '<img src=x onerror="alert(1)">'
MARKDOWN = "**bold** [link](http://evil.example/) ![pixel](http://evil.example/p.png) :red[red] $x^2$"


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], None]
    errors: tuple[str, ...] | Callable[[Path], tuple[str, ...]] = ()
    warnings: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def fatal(self) -> bool:
        return bool(self.errors)

    @property
    def id(self) -> str:
        return f"{FATAL_AS_OF if self.fatal else GOOD}-{self.name}"

    def expected_errors(self, folder: Path) -> tuple[str, ...]:
        return self.errors(folder) if callable(self.errors) else self.errors


def write(folder: Path, change: Callable[[dict], None] | None = None, **manifest) -> Path:
    """tests/tiny.py's tables, changed by `change`, written properly (manifest last)."""
    tables = tiny.tables()
    if change:
        change(tables)
    return tiny.write(folder, tables, **manifest)


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_FILE).read_text())


def replace_file(folder: Path, file_name: str, content: bytes | pa.Table, *, update_manifest: bool = True) -> None:
    """Put `content` in place of a table. With `update_manifest` the manifest is rewritten to match
    (the damage happened before export); without it the manifest still describes the old file
    (damaged or replaced after export, or still being copied)."""
    path = folder / file_name
    if isinstance(content, pa.Table):
        pq.write_table(content, path)
    else:
        path.write_bytes(content)
    if update_manifest:
        manifest = manifest_of(folder)
        manifest.pop("files", None)
        (folder / MANIFEST_FILE).unlink()
        write_manifest(folder, manifest)


def _as_of_fatal(folder: Path, change=None) -> Path:
    return write(folder, change, as_of=FATAL_AS_OF)


def _table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _people(**columns) -> pd.DataFrame:
    return tiny.tables()["people"].assign(**columns)


# --- fatal: listed as unavailable ------------------------------------------------------------


def truncated(folder: Path) -> None:
    _as_of_fatal(folder)
    data = (folder / "stage_events.parquet").read_bytes()
    replace_file(folder, "stage_events.parquet", data[: len(data) // 2])


def half_copied(folder: Path) -> None:
    """The manifest arrived, a table is still being copied (only half of its bytes are there)."""
    _as_of_fatal(folder)
    data = (folder / "assessments.parquet").read_bytes()
    replace_file(folder, "assessments.parquet", data[: len(data) // 2], update_manifest=False)


def _half_copied_errors(folder: Path) -> tuple[str, ...]:
    listed = manifest_of(folder)["files"]["assessments.parquet"]["bytes"]
    size = (folder / "assessments.parquet").stat().st_size
    return (
        f"assessments.parquet: is {size:,} bytes, the manifest says {listed:,}: the copy is incomplete or the file changed",
    )


def table_not_copied_yet(folder: Path) -> None:
    _as_of_fatal(folder)
    (folder / "services.parquet").unlink()


def garbage(folder: Path) -> None:
    _as_of_fatal(folder)
    replace_file(folder, "regions.parquet", bytes(range(256)) * 8)


def changed_after_export(folder: Path) -> None:
    """Same size, one byte different: only the checksum can tell, and it is checked at load."""
    _as_of_fatal(folder)
    data = bytearray((folder / "cohorts.parquet").read_bytes())
    data[8] ^= 0xFF  # in the first column's data, far from the footer a scan reads
    replace_file(folder, "cohorts.parquet", bytes(data), update_manifest=False)


def csv_renamed(folder: Path) -> None:
    _as_of_fatal(folder)
    replace_file(folder, "people.parquet", tiny.tables()["people"].to_csv(index=False).encode())


def missing_table(folder: Path) -> None:
    _as_of_fatal(folder)
    (folder / "stages.parquet").unlink()
    replace_file(folder, "people.parquet", (folder / "people.parquet").read_bytes())


def missing_column(folder: Path) -> None:
    _as_of_fatal(folder)
    replace_file(folder, "people.parquet", _table(tiny.tables()["people"].drop(columns="region_code")))


def renamed_column(folder: Path) -> None:
    _as_of_fatal(folder)
    people = tiny.tables()["people"].rename(columns={"cohort_id": "cohort"})
    replace_file(folder, "people.parquet", _table(people))


def dates_as_text(folder: Path) -> None:
    _as_of_fatal(folder)
    events = tiny.tables()["stage_events"].astype({"entered_on": str})
    replace_file(folder, "stage_events.parquet", _table(events))


def ids_as_numbers(folder: Path) -> None:
    _as_of_fatal(folder)
    replace_file(folder, "people.parquet", _table(_people(person_id=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])))


def nulls(folder: Path) -> None:
    _as_of_fatal(folder)
    people = tiny.tables()["people"]
    people.loc[3, "sex"] = None
    replace_file(folder, "people.parquet", _table(people))


def duplicate_ids(folder: Path) -> None:
    def duplicate(t):
        t["people"].loc[4, "person_id"] = "p4"

    _as_of_fatal(folder, duplicate)


def all_unknown_cohorts(folder: Path) -> None:
    _as_of_fatal(folder, lambda t: t["people"].__setitem__("cohort_id", "c9"))


def bad_track(folder: Path) -> None:
    def track(t):
        t["stages"].loc[0, "track"] = "holiday"

    _as_of_fatal(folder, track)


def no_people(folder: Path) -> None:
    _as_of_fatal(folder, lambda t: t.update(people=t["people"].iloc[0:0]))


def empty_stages(folder: Path) -> None:
    _as_of_fatal(folder, lambda t: t.update(stages=t["stages"].iloc[0:0]))


def no_manifest(folder: Path) -> None:
    _as_of_fatal(folder)
    (folder / MANIFEST_FILE).unlink()


def _manifest_text(text: str) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        _as_of_fatal(folder)
        (folder / MANIFEST_FILE).write_text(text)

    return build


def _manifest_fields(**fields) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        _as_of_fatal(folder)
        manifest = {**manifest_of(folder), **fields}
        (folder / MANIFEST_FILE).write_text(json.dumps({k: v for k, v in manifest.items() if v is not None}))

    return build


# --- survivable: loads with warnings -------------------------------------------------------------


def extra_columns(folder: Path) -> None:
    write(folder)
    replace_file(folder, "people.parquet", _table(_people(nickname="x", phone="y")))


def unknown_codes(folder: Path) -> None:
    def unknown(t):
        t["people"].loc[2, "region_code"] = "KZ-99"
        t["stage_events"].loc[14, "stage_id"] = "holiday"

    write(folder, unknown)


def unknown_cohort(folder: Path) -> None:
    write(folder, lambda t: t["people"].__setitem__("cohort_id", ["c1", "c1", "c1", "c2", "c2", "c9"]))


def events_out_of_time(folder: Path) -> None:
    def odd(t):
        events = t["stage_events"]
        events.loc[0, "entered_on"] = tiny.D("2019-12-01")
        events.loc[14, "exited_on"] = tiny.D("2023-01-01")
        events.loc[len(events)] = ["p4", "documents", tiny.D("2023-01-01"), None]

    write(folder, odd)


def overlapping(folder: Path) -> None:
    write(
        folder,
        lambda t: t["stage_events"].__setitem__(
            "exited_on", t["stage_events"]["exited_on"].where(t["stage_events"].index != 6, tiny.D("2020-03-01"))
        ),
    )


def scores_out_of_range(folder: Path) -> None:
    def out(t):
        t["assessments"].loc[0, "social"] = 1.7
        t["assessments"].loc[2, "psychosocial"] = -0.2

    write(folder, out)


def empty_assessments(folder: Path) -> None:
    write(folder, lambda t: t.update(assessments=t["assessments"].iloc[0:0], services=t["services"].iloc[0:0]))


# --- hostile labels: load cleanly, must be shown as text ---------------------------------------


def _labels(cohort: str, region: str, person: str = "p1") -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        def relabel(t):
            t["cohorts"].loc[0, "name"] = cohort
            t["regions"].loc[t["regions"]["region_code"] == "KZ-47", "name_en"] = region
            for name in ("people", "stage_events", "assessments", "services"):
                t[name]["person_id"] = t[name]["person_id"].replace("p1", person)

        write(folder, relabel, source=cohort, notes=[region, MARKDOWN])

    return build


def _missing_table_errors(table: str) -> tuple[str, ...]:
    return (f"{table}: required table is missing from the snapshot folder",)


CASES: tuple[Case, ...] = (
    Case(
        "truncated-parquet",
        truncated,
        (
            f"stage_events.parquet: cannot be read as Parquet ({MAGIC}); the file is damaged or not Parquet: export it again",
        ),
    ),
    Case("half-copied", half_copied, _half_copied_errors),
    Case(
        "table-not-copied-yet",
        table_not_copied_yet,
        ("services.parquet: listed in the manifest but missing: the snapshot is incomplete (still being copied?)",),
    ),
    Case(
        "corrupt-parquet",
        garbage,
        (f"regions.parquet: cannot be read as Parquet ({MAGIC}); the file is damaged or not Parquet: export it again",),
    ),
    Case(
        "changed-after-export",
        changed_after_export,
        (
            "cohorts.parquet: checksum differs from the manifest: the file changed after export or was damaged in transit",
        ),
    ),
    Case(
        "csv-renamed-parquet",
        csv_renamed,
        (f"people.parquet: cannot be read as Parquet ({MAGIC}); the file is damaged or not Parquet: export it again",),
    ),
    Case("missing-table", missing_table, _missing_table_errors("stages.parquet")),
    Case("missing-column", missing_column, ("people.parquet.region_code: required column is missing",)),
    Case(
        "renamed-column",
        renamed_column,
        ("people.parquet.cohort_id: required column is missing (the file has cohort instead: renamed?)",),
    ),
    Case(
        "dates-as-text",
        dates_as_text,
        ("stage_events.parquet.entered_on: holds text (large_string), expected a date (date32[day]); fix the export",),
    ),
    Case(
        "ids-as-numbers",
        ids_as_numbers,
        ("people.parquet.person_id: holds a number (double), expected text (string); fix the export",),
    ),
    Case(
        "nulls-in-required-column",
        nulls,
        ("people.parquet.sex: empty values in a required column (1 row; e.g. row 4)",),
    ),
    Case(
        "duplicate-person-ids",
        duplicate_ids,
        ("people.parquet.person_id: duplicate person_id; each must appear once (2 rows; e.g. person_id=p4)",),
    ),
    Case(
        "only-unknown-cohorts",
        all_unknown_cohorts,
        ("people.parquet: no usable people are left after the checks above",),
    ),
    Case(
        "unknown-track",
        bad_track,
        (
            "stages.parquet.track: track must be one of rehabilitation, justice, exit (1 row; e.g. stage_id=arrival, track=holiday)",
        ),
    ),
    Case("no-people", no_people, ("people.parquet: is empty; the snapshot has nothing to show",)),
    Case("empty-stages-table", empty_stages, ("stages.parquet: is empty; the snapshot has nothing to show",)),
    Case(
        "manifest-missing",
        no_manifest,
        (
            "manifest.json: missing: the folder is still being copied, or is not a snapshot (a snapshot's manifest.json is written last)",
        ),
    ),
    Case(
        "manifest-malformed",
        _manifest_text('{"schema_version": 1, "as_of": '),
        ("manifest.json: is not valid JSON (Expecting value: line 1 column 32 (char 31)); re-export the snapshot",),
    ),
    Case(
        "manifest-not-an-object",
        _manifest_text("[1, 2, 3]"),
        ("manifest.json: must be a JSON object with the fields of the data contract",),
    ),
    Case(
        "manifest-future-version",
        _manifest_fields(schema_version=SCHEMA_VERSION + 1),
        (
            f"manifest.json: schema_version {SCHEMA_VERSION + 1} is newer than this dashboard understands "
            f"({SCHEMA_VERSION}); upgrade the dashboard to load it",
        ),
    ),
    Case(
        "manifest-version-not-a-number",
        _manifest_fields(schema_version="1"),
        ("manifest.json: schema_version must be a whole number, found '1'",),
    ),
    Case(
        "manifest-bad-date",
        _manifest_fields(as_of="31/12/2022"),
        ("manifest.json: as_of must be a date like 2026-09-30, found '31/12/2022'",),
    ),
    Case(
        "manifest-bad-access-level",
        _manifest_fields(access_level="<b>everyone</b>"),
        ("manifest.json: access_level must be one of restricted, public, found '<b>everyone</b>'",),
    ),
    Case(
        "manifest-without-country",
        _manifest_fields(country=None),
        ("manifest.json: required field 'country' is missing (Country running the programme.)",),
    ),
)

SURVIVABLE: tuple[Case, ...] = (
    Case("extra-columns", extra_columns, warnings=("people.parquet: extra columns ignored: nickname, phone",)),
    Case(
        "unknown-region-and-stage",
        unknown_codes,
        warnings=(
            "people.parquet.region_code: unknown region (not in regions); these rows are left out (1 row; e.g. region_code=KZ-99)",
            "stage_events.parquet.person_id: unknown person_id (not in people); these rows are left out (3 rows; e.g. person_id=p3)",
            "stage_events.parquet.stage_id: unknown stage (not in stages); these rows are left out (1 row; e.g. stage_id=holiday)",
        ),
    ),
    Case(
        "unknown-cohort",
        unknown_cohort,
        warnings=(
            "people.parquet.cohort_id: unknown cohort (not in cohorts); these rows are left out (1 row; e.g. cohort_id=c9)",
            "stage_events.parquet.person_id: unknown person_id (not in people); these rows are left out (4 rows; e.g. person_id=p6)",
        ),
    ),
    Case(
        "events-before-arrival-and-after-as-of",
        events_out_of_time,
        warnings=(
            "stage_events.parquet.entered_on: entered after the snapshot's as-of date; left out (1 row; e.g. person_id=p4, entered_on=2023-01-01)",
            "stage_events.parquet.exited_on: exit after the as-of date; treated as still in the stage (1 row; e.g. person_id=p4, exited_on=2023-01-01)",
            "stage_events.parquet.entered_on: entered before the person's cohort arrived; kept as recorded (1 row; e.g. person_id=p1, entered_on=2019-12-01)",
        ),
    ),
    Case(
        "overlapping-stages",
        overlapping,
        warnings=(
            "stage_events.parquet: stage intervals overlap for some people; the latest entered stage counts as current (1 row; e.g. person_id=p2)",
        ),
    ),
    Case(
        "scores-out-of-range",
        scores_out_of_range,
        warnings=(
            "assessments.parquet.social: score outside 0-1; treated as missing (1 row; e.g. person_id=p1, social=1.7)",
            "assessments.parquet.psychosocial: score outside 0-1; treated as missing (1 row; e.g. person_id=p4, psychosocial=-0.2)",
        ),
    ),
    Case(
        "empty-assessments-and-services",
        empty_assessments,
        warnings=("assessments.parquet: is empty: no scores to show",),
    ),
    Case("long-labels", _labels(LONG, "Region " * 2000, person="p" * 5000), labels={"cohort": LONG}),
    Case("unicode-and-right-to-left", _labels(RTL, "منطقة مانغيستاو", person="人-١"), labels={"cohort": RTL}),
    Case("html-and-script", _labels(SCRIPT, HTML, person="<b>p1</b>"), labels={"cohort": SCRIPT}),
    Case(
        "markdown",
        _labels(MARKDOWN, "# Heading\n\n- item", person="[p1](http://evil.example)"),
        labels={"cohort": MARKDOWN},
    ),
)

ALL = CASES + SURVIVABLE


def build_root(root: Path) -> Path:
    """One good snapshot and every case under `root`."""
    write(root / GOOD)
    for case in ALL:
        case.build(root / case.id)
    return root
