"""Checks on a snapshot folder that need no table data: are the files the manifest lists all
there with the right sizes (and checksums), can every table's Parquet footer be read, and do its
columns and types follow the contract?

The catalogue runs the cheap checks (sizes and footers, no checksums) on every re-scan, so a
folder still being copied or a table that cannot be read is listed as unavailable before anyone
picks it. The loader runs them all, checksums included, before reading any rows.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from data_access import contract as c
from data_access.problems import Problem, problem
from data_access.writer import file_digest
from i18n import N_

# Tables that must hold rows for a snapshot to show anything.
MUST_HAVE_ROWS = ("cohorts", "regions", "stages", "people", "stage_events", "cells")

_KIND = {
    "string": (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view),
    "date32[day]": (pa.types.is_date, pa.types.is_timestamp),
    "double": (pa.types.is_floating, pa.types.is_integer),
    "int32": (pa.types.is_integer,),
    "int64": (pa.types.is_integer,),
    "bool": (pa.types.is_boolean,),
    "binary": (pa.types.is_binary, pa.types.is_large_binary),
}
_WORDS = {
    "string": N_("text"),
    "date32[day]": N_("a date"),
    "double": N_("a number"),
    "int32": N_("a whole number"),
    "int64": N_("a whole number"),
    "bool": N_("true/false"),
    "binary": N_("binary data"),
}


def _words(actual: pa.DataType) -> str:
    kind = next((k for k, tests in _KIND.items() if any(test(actual) for test in tests)), "")
    return _WORDS.get(kind, N_("other values"))


def value_type(data_type: pa.DataType) -> pa.DataType:
    """The type of the values, seen through dictionary encoding."""
    return data_type.value_type if pa.types.is_dictionary(data_type) else data_type


def schema_problems(table: c.Table, schema: pa.Schema) -> list[Problem]:
    """Missing columns and wrong types (errors), extra columns (a warning)."""
    problems = []
    names = set(schema.names)
    extra = sorted(names - {col.name for col in table.columns})
    # A renamed column shows up as one missing and one extra: name the extra ones as a hint.
    for col in table.columns:
        if col.name not in names and col.required and extra:
            problems.append(
                problem(
                    "error",
                    table.file_name,
                    "required column is missing (the file has {columns} instead: renamed?)",
                    column=col.name,
                    columns=", ".join(extra[:3])[:120],
                )
            )
        elif col.name not in names and col.required:
            problems.append(problem("error", table.file_name, "required column is missing", column=col.name))
    if extra:
        problems.append(
            problem("warning", table.file_name, "extra columns ignored: {columns}", columns=", ".join(extra)[:200])
        )
    for col in table.columns:
        if col.name not in names:
            continue
        actual = value_type(schema.field(col.name).type)
        expected = str(col.type)
        if not any(test(actual) for test in _KIND[expected]) and not pa.types.is_null(actual):
            problems.append(
                problem(
                    "error",
                    table.file_name,
                    "holds {found} ({actual}), expected {expected} ({type}); fix the export",
                    column=col.name,
                    found=_words(actual),
                    actual=actual,
                    expected=_WORDS[expected],
                    type=col.type,
                )
            )
    return problems


def unreadable(table: c.Table, exc: Exception) -> Problem:
    return problem(
        "error",
        table.file_name,
        "cannot be read as Parquet ({reason}); the file is damaged or not Parquet: export it again",
        reason=str(exc)[:160],
    )


def missing_table(table: c.Table) -> Problem:
    return Problem("error", table.file_name, "required table is missing from the snapshot folder")


def empty_table(table: c.Table) -> Problem:
    return Problem("error", table.file_name, "is empty; the snapshot has nothing to show")


def file_problems(folder: Path, manifest: dict, *, checksums: bool) -> list[Problem]:
    """Every file the manifest lists is present with its size (and, if asked, its checksum).

    A mismatch usually means the folder is still being copied; it is never loaded half-way.
    """
    files = manifest.get("files")
    if not isinstance(files, dict):
        return []
    problems = []
    for name, expected in files.items():
        path = folder / str(name)
        if not path.is_file():
            problems.append(
                Problem(
                    "error",
                    str(name)[:80],
                    "listed in the manifest but missing: the snapshot is incomplete (still being copied?)",
                )
            )
            continue
        if not isinstance(expected, dict):
            continue
        size = path.stat().st_size
        if expected.get("bytes") is not None and size != expected.get("bytes"):
            problems.append(
                problem(
                    "error",
                    str(name)[:80],
                    "is {size} bytes, the manifest says {expected}: the copy is incomplete or the file changed",
                    size=f"{size:,}",
                    expected=f"{expected.get('bytes'):,}",
                )
            )
        elif checksums and expected.get("sha256") and file_digest(path)["sha256"] != expected["sha256"]:
            problems.append(
                Problem(
                    "error",
                    str(name)[:80],
                    "checksum differs from the manifest: the file changed after export or was damaged in transit",
                )
            )
    return problems


def footer_problems(folder: Path, kind: str = "records") -> list[Problem]:
    """Errors the tables' Parquet footers already show: a table missing, unreadable, with missing
    columns or wrong types, or without rows where rows are needed. Reads no row data."""
    problems = []
    for table in c.TABLES_BY_KIND[kind]:
        path = folder / table.file_name
        if not path.is_file():
            if not table.optional:
                problems.append(missing_table(table))
            continue
        try:
            with pq.ParquetFile(path) as parquet:
                schema, rows = parquet.schema_arrow, parquet.metadata.num_rows
        except (OSError, pa.ArrowException) as exc:
            problems.append(unreadable(table, exc))
            continue
        problems += [p for p in schema_problems(table, schema) if p.severity == "error"]
        if table.name in MUST_HAVE_ROWS and rows == 0:
            problems.append(empty_table(table))
    return problems
