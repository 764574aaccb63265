"""Hostile and unusual snapshots, made from tests/tiny.py (no binary fixtures) and **re-signed**
after each change: the manifest lists every file with its size and SHA-256, as a buggy or
malicious exporter would write it, so what is tested is the loader's own checks and the pages,
not the checksums (issue 20).

A case either loads (`notices` and `warnings`: what the About page lists) or is unavailable with
exactly its `errors`. `build_root(root)` writes the good snapshot `2022-06-30` and every case;
fatal cases are as of 31 Dec 2022 (newer, so the dashboard has to pass over them), the others
as of 30 Jun 2022 with ids that sort after the good one. A folder `outside/` next to `root`
holds the files that links and `..` entries point at: nothing in it may ever be opened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data_access.contract import MANIFEST_FILE
from data_access.writer import write_manifest
from tests import broken, tiny

GOOD = broken.GOOD
FATAL_AS_OF = broken.FATAL_AS_OF
OUTSIDE = "outside"
"""The folder next to the root that links point into; a file there is never to be opened."""
OUTSIDE_COHORT = "Cohort read from outside the snapshot folder"

PIXEL = "http://127.0.0.1:9/pixel.png"
MARKUP = f'<img src="{PIXEL}"> **bold** _it_ [x](#) $x^2$ :red[red]'
"""Markup of every kind a page could act on: an HTML element fetching a pixel, Markdown emphasis
and a link, LaTeX, a Streamlit colour directive. Shown as text, it makes none of them."""
ACTIVE = ("<img", "**bold**", "_it_", "[x](#)", "$x^2$", ":red[red]")
"""The parts of MARKUP that act if they reach Markdown unescaped."""
BOMB_ROWS = 50_000_000


def hostile(tag: str) -> str:
    """MARKUP with a tag saying where it came from (which column, which row)."""
    return f"{tag} {MARKUP}"


@dataclass(frozen=True)
class Case(broken.Case):
    """A broken snapshot's case, with the notices the loader gives for what it read anyway."""

    notices: tuple[str, ...] = ()


def resign(folder: Path) -> None:
    """Write the manifest again from the files as they are now (sizes and checksums match)."""
    manifest = broken.manifest_of(folder)
    manifest.pop("files", None)
    (folder / MANIFEST_FILE).unlink()
    write_manifest(folder, manifest)


def rewrite(folder: Path, table: str, change: Callable[[pa.Table], pa.Table]) -> None:
    """Rewrite one table of `folder` as `change` makes it, then re-sign the manifest."""
    path = folder / f"{table}.parquet"
    pq.write_table(change(pq.read_table(path)), path)
    resign(folder)


def _fatal(folder: Path, change=None) -> Path:
    return broken.write(folder, change, as_of=FATAL_AS_OF)


def _outside(folder: Path) -> Path:
    """The `outside/` folder next to the snapshots root of `folder`, with a snapshot of its own whose
    one cohort is named OUTSIDE_COHORT: if any of it were read, that name would show."""
    outside = folder.parent.parent / OUTSIDE
    if not (outside / GOOD / MANIFEST_FILE).exists():

        def rename(t):
            t["cohorts"]["name"] = OUTSIDE_COHORT

        broken.write(outside / GOOD, rename)
    return outside / GOOD


# --- 1. markup from data ----------------------------------------------------------------------


def markup_everywhere(folder: Path) -> None:
    """Every text column of every reference table and every text field of the manifest holds
    MARKUP, tagged with where it came from; a previous snapshot (the good one) exists, so the
    'what changed' slide is drawn too."""

    def relabel(t):
        for name, columns in (
            ("cohorts", ("name", "name_ru", "name_kk", "operation")),
            ("regions", ("name_en", "name_ru", "name_kk")),
            ("stages", ("label", "label_ru", "label_kk")),
        ):
            frame = t[name]
            for column in columns:
                frame[column] = [hostile(f"{column}{i}") for i in range(len(frame))]

    notes = {key: [hostile(key), hostile(f"{key}-2")] for key in ("notes", "notes_ru", "notes_kk")}
    broken.write(folder, relabel, as_of="2022-09-30", source=hostile("source"), country=hostile("country"), **notes)


def hostile_track(folder: Path) -> None:
    def track(t):
        t["stages"].loc[0, "track"] = MARKUP

    _fatal(folder, track)


# --- 2. files outside the snapshot folder -----------------------------------------------------


def table_linked_outside(folder: Path) -> None:
    _fatal(folder)
    (folder / "cohorts.parquet").unlink()
    (folder / "cohorts.parquet").symlink_to(_outside(folder) / "cohorts.parquet")
    resign(folder)  # the checksum of the file the link points at: it matches


def folder_linked_outside(folder: Path) -> None:
    target = _outside(folder).parent / "linked"
    _fatal(target)
    _outside_cohort(target)
    folder.symlink_to(target, target_is_directory=True)


def _outside_cohort(folder: Path) -> None:
    def rename(table: pa.Table) -> pa.Table:
        return table.set_column(1, "name", pa.array([OUTSIDE_COHORT] * table.num_rows))

    rewrite(folder, "cohorts", rename)


def manifest_names_another_snapshot(folder: Path) -> None:
    """The manifest lists `../2022-06-30/cohorts.parquet` (size and checksum right) in place of
    its own cohorts table, which holds other names and is therefore not listed."""
    _fatal(folder)
    _outside_cohort(folder)
    manifest = broken.manifest_of(folder)
    files = manifest["files"]
    del files["cohorts.parquet"]
    elsewhere = f"../{GOOD}/cohorts.parquet"
    files[elsewhere] = broken.manifest_of(folder.parent / GOOD)["files"]["cohorts.parquet"]
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2))


# --- 3. a Parquet bomb ------------------------------------------------------------------------


def services_bomb(folder: Path) -> None:
    """A services file of about 0.6 MB that decompresses to 50 million rows of one value."""
    _fatal(folder)
    write_bomb(folder / "services.parquet", BOMB_ROWS)
    resign(folder)


def write_bomb(path: Path, rows: int, block: int = 1_000_000) -> None:
    ones = pa.array([0] * block, pa.int32())
    chunk = pa.table(
        {
            "person_id": pa.DictionaryArray.from_arrays(ones, pa.array(["p1"])),
            "month": pa.array([dt.date(2020, 2, 1)], pa.date32()).take(ones),
            "service_type": pa.DictionaryArray.from_arrays(ones, pa.array(["legal"])),
            "sessions": pa.array([1] * block, pa.int32()),
        }
    )
    with pq.ParquetWriter(path, chunk.schema) as writer:
        for _ in range(rows // block):
            writer.write_table(chunk, row_group_size=block)


# --- 4. legitimate exports of other types -------------------------------------------------------


def _cast_all(folder: Path, cast: Callable[[pa.DataType, str], pa.DataType]) -> None:
    for path in sorted(folder.glob("*.parquet")):
        table = pq.read_table(path)
        schema = pa.schema([pa.field(f.name, cast(f.type, f.name)) for f in table.schema])
        pq.write_table(table.cast(schema), path)
    resign(folder)


def polars_export(folder: Path) -> None:
    """As Polars writes: text as large_string, whole numbers as int64, dates as timestamps."""
    broken.write(folder)

    def polars(kind: pa.DataType, _name: str) -> pa.DataType:
        if kind == pa.string():
            return pa.large_string()
        if pa.types.is_integer(kind):
            return pa.int64()
        if pa.types.is_date(kind):
            return pa.timestamp("us")
        return kind

    _cast_all(folder, polars)


def small_integers(folder: Path) -> None:
    broken.write(folder)
    small = {"sessions": pa.int8(), "order": pa.int16(), "grid_row": pa.uint8(), "grid_col": pa.int16()}
    _cast_all(folder, lambda kind, name: small.get(name, kind))


def whole_floats_and_decimal_scores(folder: Path) -> None:
    broken.write(folder)
    types = {"sessions": pa.float64(), "order": pa.float32(), **dict.fromkeys(SCORES, pa.decimal128(4, 3))}
    _cast_all(folder, lambda kind, name: types.get(name, kind))


SCORES = ("economic", "social", "psychosocial")


def dates_of_other_kinds(folder: Path) -> None:
    broken.write(folder)
    types = {"arrival_date": pa.date64(), "month": pa.timestamp("ms", "UTC"), "entered_on": pa.timestamp("s")}
    _cast_all(folder, lambda kind, name: types.get(name, kind))


def dictionary_text(folder: Path) -> None:
    """Text as dictionaries of large strings with unsigned indices (Polars' categoricals)."""
    broken.write(folder)
    _cast_all(folder, lambda kind, _: pa.dictionary(pa.uint32(), pa.large_string()) if kind == pa.string() else kind)


def _column(table: str, column: str, values: pa.Array) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        _fatal(folder)
        rewrite(folder, table, lambda t: t.set_column(t.schema.get_field_index(column), column, values))

    return build


# --- 5. unclear failures ----------------------------------------------------------------------


def invalid_utf8(folder: Path) -> None:
    _fatal(folder)
    names = pa.array([b"Cohort One", b"Cohort \xff Two"], pa.binary()).view(pa.string())
    rewrite(folder, "cohorts", lambda t: t.set_column(1, "name", names))


def manifest_with_bom(folder: Path) -> None:
    broken.write(folder)
    path = folder / MANIFEST_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


LONG_NOTE = "A long note. " * 400_000
"""5.2 MB of text in one note."""
MANY_COHORTS = 60


def long_notes_and_many_cohorts(folder: Path) -> None:
    """A 5 MB note and 60 cohorts (the six people spread over the first two as before)."""

    def more(t):
        extra = pd.DataFrame(
            [(f"c{i}", f"Cohort number {i}", "Jusan", "SY", tiny.D("2020-01-01")) for i in range(3, MANY_COHORTS + 1)],
            columns=["cohort_id", "name", "operation", "origin_country", "arrival_date"],
        )
        t["cohorts"] = pd.concat([t["cohorts"], extra], ignore_index=True)

    broken.write(folder, more, notes=[LONG_NOTE, *(f"Note {i}" for i in range(2, 41))])


FATAL: tuple[Case, ...] = (
    Case(
        "hostile-track",
        hostile_track,
        (
            f"stages.parquet.track: track must be one of rehabilitation, justice, exit (1 row; e.g. stage_id=arrival, "
            f"track={MARKUP[:40]})",
        ),
    ),
    Case(
        "table-linked-outside",
        table_linked_outside,
        ("cohorts.parquet: is a link to a file outside the snapshot folder; it is not opened",),
    ),
    Case(
        "folder-linked-outside",
        folder_linked_outside,
        (
            f"{FATAL_AS_OF}-folder-linked-outside: is a link to a folder outside the snapshots folder; only folders "
            "inside it are opened",
        ),
    ),
    Case(
        "manifest-names-another-snapshot",
        manifest_names_another_snapshot,
        (
            f"../{GOOD}/cohorts.parquet: is not a plain file name; a snapshot lists only files of its own folder",
            "cohorts.parquet: is not listed in the manifest's files, so it cannot be checked; re-export the snapshot",
        ),
    ),
    Case(
        "services-bomb",
        services_bomb,
        (
            "services.parquet: holds 50,000,000 rows, over this server's limit of 40,000,000 "
            "(SECOND_CHANCE_MAX_TABLE_ROWS); it is not read. Check the export, or raise the limit if the machine "
            "has the memory",
        ),
    ),
    Case(
        "fractional-sessions",
        _column("services", "sessions", pa.array([2.0, 1.5, 3.0, 4.0])),
        (
            "services.parquet.sessions: holds numbers that are not whole; a count or a position is a whole number "
            "(1 row; e.g. row 2: 1.5)",
        ),
    ),
    Case(
        "times-of-day",
        _column(
            "stage_events",
            "entered_on",
            pa.array(
                [
                    dt.datetime.combine(d, dt.time(10, 30) if i == 4 else dt.time())
                    for i, d in enumerate(tiny.tables()["stage_events"]["entered_on"])
                ],
                pa.timestamp("s"),
            ),
        ),
        (
            "stage_events.parquet.entered_on: holds times of day, not only dates; export the dates alone "
            "(1 row; e.g. row 5: 2021-05-01 10:30:00)",
        ),
    ),
    Case(
        "integers-too-large",
        _column("services", "sessions", pa.array([2, 5_000_000_000, 3, 4], pa.int64())),
        ("services.parquet.sessions: holds numbers too large for int32 (1 row; e.g. row 2: 5000000000)",),
    ),
    Case(
        "long-decimals",
        _column(
            "assessments",
            "social",
            pa.array([Decimal("0.3"), Decimal("0.5"), Decimal("0.5")], pa.decimal128(20, 18)),
        ),
        (
            "assessments.parquet.social: holds decimals of 20 digits, more than a number keeps (15) "
            "(3 rows; e.g. row 1: 0.300000000000000000)",
        ),
    ),
    Case(
        "invalid-utf8",
        invalid_utf8,
        (
            "cohorts.parquet.name: holds text that is not valid UTF-8; export the table with its text encoded as UTF-8 "
            "(e.g. row 2: 'Cohort \ufffd Two')",
        ),
    ),
)

TEXT = "stored as large_string, read as text (string) without changing any value"
SURVIVABLE: tuple[Case, ...] = (
    Case(
        "polars-export",
        polars_export,
        notices=(
            f"people.parquet.person_id, household_id, cohort_id, sex, age_band, region_code: {TEXT}",
            f"stage_events.parquet.person_id, stage_id: {TEXT}",
            "stage_events.parquet.entered_on, exited_on: stored as timestamp[us], read as a date (date32[day]) "
            "without changing any value",
            f"assessments.parquet.person_id: {TEXT}",
            "assessments.parquet.assessed_on: stored as timestamp[us], read as a date (date32[day]) without "
            "changing any value",
            f"services.parquet.person_id, service_type: {TEXT}",
            "services.parquet.month: stored as timestamp[us], read as a date (date32[day]) without changing any value",
            "services.parquet.sessions: stored as int64, read as a whole number (int32) without changing any value",
            f"cohorts.parquet.cohort_id, name, name_ru, name_kk, operation, origin_country: {TEXT}",
            "cohorts.parquet.arrival_date: stored as timestamp[us], read as a date (date32[day]) without changing "
            "any value",
            f"regions.parquet.region_code, name_en, name_ru, name_kk: {TEXT}",
            "regions.parquet.grid_row, grid_col: stored as int64, read as a whole number (int32) without changing "
            "any value",
            f"stages.parquet.stage_id, label, label_ru, label_kk, track: {TEXT}",
            "stages.parquet.order: stored as int64, read as a whole number (int32) without changing any value",
        ),
    ),
    Case(
        "small-integers",
        small_integers,
        notices=(
            "services.parquet.sessions: stored as int8, read as a whole number (int32) without changing any value",
            "regions.parquet.grid_row: stored as uint8, read as a whole number (int32) without changing any value",
            "regions.parquet.grid_col: stored as int16, read as a whole number (int32) without changing any value",
            "stages.parquet.order: stored as int16, read as a whole number (int32) without changing any value",
        ),
    ),
    Case(
        "whole-floats-and-decimal-scores",
        whole_floats_and_decimal_scores,
        notices=(
            "assessments.parquet.economic, social, psychosocial: stored as decimal128(4, 3), read as a number "
            "(double) without changing any value",
            "services.parquet.sessions: stored as double, read as a whole number (int32) without changing any value",
            "stages.parquet.order: stored as float, read as a whole number (int32) without changing any value",
        ),
    ),
    Case(
        "dates-of-other-kinds",
        dates_of_other_kinds,
        notices=(
            # Parquet keeps seconds as milliseconds, and date64 as a date: only the timestamps remain.
            "stage_events.parquet.entered_on: stored as timestamp[ms], read as a date (date32[day]) without changing "
            "any value",
            "services.parquet.month: stored as timestamp[ms, tz=UTC], read as a date (date32[day]) without changing "
            "any value",
        ),
    ),
    Case("dictionary-text", dictionary_text),
    Case("manifest-with-bom", manifest_with_bom),
    Case("long-notes-and-many-cohorts", long_notes_and_many_cohorts),
)
MARKUP_CASE = Case("markup-everywhere", markup_everywhere)
"""As of 30 Sep 2022: the newest snapshot, so it opens by default, with the good one before it."""

ALL = (*FATAL, *SURVIVABLE, MARKUP_CASE)


def case_folder(root: Path, case: Case) -> Path:
    return root / ("2022-09-30-markup-everywhere" if case is MARKUP_CASE else case.id)


def build_root(root: Path, cases=ALL) -> Path:
    """The good snapshot and `cases` under `root` (and `outside/` next to it)."""
    broken.write(root / GOOD)
    for case in cases:
        case.build(case_folder(root, case))
    return root


def opened_outside(paths: list[str], root: Path) -> list[str]:
    """The paths in `paths` that lie in the `outside/` folder next to `root`."""
    outside = os.path.realpath(root.parent / OUTSIDE)
    return [p for p in paths if os.path.realpath(p).startswith(outside + os.sep)]
