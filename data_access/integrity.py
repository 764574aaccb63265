"""Checks on a snapshot folder that need no table data: are the files the manifest lists all
there with the right sizes (and checksums), can every table's Parquet footer be read, and do its
columns and types follow the contract?

The catalogue runs the cheap checks (sizes and footers, no checksums) on every re-scan, so a
folder still being copied or a table that cannot be read is listed as unavailable before anyone
picks it. The loader runs them all, checksums included, before reading any rows.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from data_access import contract as c
from data_access.limits import Limits, variable
from data_access.problems import Problem, problem
from i18n import N_

# Tables that must hold rows for a snapshot to show anything.
MUST_HAVE_ROWS = ("cohorts", "regions", "stages", "people", "stage_events", "cells")

# What each contract type may be stored as: the loader converts these, and refuses (with the row)
# only values that would change: a time of day, a fraction in a whole number, a number too large.
_KIND = {
    "string": (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view),
    "date32[day]": (pa.types.is_date, pa.types.is_timestamp),
    "double": (pa.types.is_floating, pa.types.is_integer, pa.types.is_decimal),
    "int32": (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal),
    "int64": (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal),
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


def words(contract_type: str) -> str:
    """How a person names a contract type ("text", "a date"), marked for translation."""
    return _WORDS[contract_type]


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


def plain_name(name: object) -> bool:
    """A manifest names its files by plain name: no folder, no `..`, nothing hidden."""
    text = str(name)
    separators = ("/", "\\", "\0")
    return bool(text) and not text.startswith(".") and not any(sep in text for sep in separators)


class OutsideFolder(Exception):
    """A file that is not a regular file of the snapshot's own folder: never opened."""

    def __init__(self, name: str, message: str, **params) -> None:
        super().__init__(message)
        self.problem = problem("error", name[:80], message, **params)


def _real_file(folder: Path, name: str) -> Path:
    """The real path of `folder/name`, checked to be a regular file right in the real `folder`
    (not a link to anything elsewhere, not a folder, device or pipe); raises OutsideFolder."""
    if not plain_name(name):
        raise OutsideFolder(str(name), N_("is not a plain file name; a snapshot lists only files of its own folder"))
    real = (Path(folder) / name).resolve()
    if real.parent != Path(folder).resolve():
        raise OutsideFolder(name, N_("is a link to a file outside the snapshot folder; it is not opened"))
    return real


def open_file(folder: Path, name: str) -> BinaryIO:
    """`folder/name` opened for reading, only if it is a regular file inside the snapshot folder
    itself (the real path is resolved and compared, and the file is opened without following a
    link, so it cannot be swapped for one in between). Raises FileNotFoundError or OutsideFolder."""
    real = _real_file(folder, name)
    if not real.exists():
        raise FileNotFoundError(name)
    descriptor = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OutsideFolder(name, N_("is not a regular file; it is not opened"))
    return os.fdopen(descriptor, "rb")


def present(folder: Path, name: str) -> bool:
    """Whether `folder/name` exists (a link too, even a broken one: it is then refused, not missed)."""
    path = Path(folder) / name
    return path.exists() or path.is_symlink()


def digest(folder: Path, name: str) -> dict[str, int | str]:
    """Size and SHA-256 of a file of the snapshot folder (read through `open_file`)."""
    sha, size = hashlib.sha256(), 0
    with open_file(folder, name) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return {"bytes": size, "sha256": sha.hexdigest()}


def file_problems(folder: Path, manifest: dict, *, checksums: bool) -> list[Problem]:
    """Every file the manifest lists is present with its size (and, if asked, its checksum).

    A mismatch usually means the folder is still being copied; it is never loaded half-way.
    A listed name that is not a plain file name of the folder, or a file that is a link to
    somewhere else, is refused and never opened.
    """
    files = manifest.get("files")
    if not isinstance(files, dict):
        return []
    problems = []
    for name, expected in files.items():
        name = str(name)
        try:
            real = _real_file(folder, name)
            if not present(folder, name):
                raise FileNotFoundError(name)
            with open_file(folder, name) as fh:
                size = os.fstat(fh.fileno()).st_size
        except OutsideFolder as refused:
            problems.append(refused.problem)
            continue
        except OSError:
            problems.append(
                Problem(
                    "error",
                    name[:80],
                    "listed in the manifest but missing: the snapshot is incomplete (still being copied?)",
                )
            )
            continue
        if not isinstance(expected, dict):
            continue
        if expected.get("bytes") is not None and size != expected.get("bytes"):
            problems.append(
                problem(
                    "error",
                    name[:80],
                    "is {size} bytes, the manifest says {expected}: the copy is incomplete or the file changed",
                    size=f"{size:,}",
                    expected=_amount(expected.get("bytes")),
                )
            )
        elif checksums and expected.get("sha256") and digest(folder, real.name)["sha256"] != expected["sha256"]:
            problems.append(
                Problem(
                    "error",
                    name[:80],
                    "checksum differs from the manifest: the file changed after export or was damaged in transit",
                )
            )
    listed = {str(name) for name in files}
    for table in c.TABLES_BY_NAME.values():
        if table.file_name not in listed and present(folder, table.file_name):
            problems.append(
                problem(
                    "error",
                    table.file_name,
                    "is not listed in the manifest's files, so it cannot be checked; re-export the snapshot",
                )
            )
    return problems


def _amount(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else repr(value)[:40]


def footer_problems(folder: Path, kind: str = "records", limits: Limits | None = None) -> list[Problem]:
    """Errors the tables' Parquet footers already show: a table missing, unreadable, with missing
    columns or wrong types, without rows where rows are needed, or larger than this server's
    limits (rows and uncompressed bytes, per table and for the snapshot). Reads no row data."""
    limits = limits or Limits.from_environment()
    problems = []
    rows_in_all = bytes_in_all = 0
    for table in c.TABLES_BY_KIND[kind]:
        try:
            with open_file(folder, table.file_name) as fh, pq.ParquetFile(fh) as parquet:
                schema, metadata = parquet.schema_arrow, parquet.metadata
        except FileNotFoundError:
            if not table.optional:
                problems.append(missing_table(table))
            continue
        except OutsideFolder as refused:
            problems.append(refused.problem)
            continue
        except (OSError, pa.ArrowException) as exc:
            problems.append(unreadable(table, exc))
            continue
        problems += [p for p in schema_problems(table, schema) if p.severity == "error"]
        rows, size = metadata.num_rows, uncompressed_bytes(metadata)
        rows_in_all, bytes_in_all = rows_in_all + rows, bytes_in_all + size
        if table.name in MUST_HAVE_ROWS and rows == 0:
            problems.append(empty_table(table))
        most_rows = limits.reference_rows if table in c.REFERENCE_TABLES else limits.table_rows
        limit = "reference_rows" if table in c.REFERENCE_TABLES else "table_rows"
        problems += _over(table.file_name, rows, most_rows, limit, N_("rows"))
        problems += _over(table.file_name, size, limits.table_bytes, "table_bytes", N_("bytes uncompressed"))
    problems += _over(c.MANIFEST_FILE, rows_in_all, limits.snapshot_rows, "snapshot_rows", N_("rows in all"))
    in_all = N_("bytes uncompressed in all")
    problems += _over(c.MANIFEST_FILE, bytes_in_all, limits.snapshot_bytes, "snapshot_bytes", in_all)
    return problems


def uncompressed_bytes(metadata: pq.FileMetaData) -> int:
    """What a table's pages take once decompressed, as its footer says."""
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))


def footer_rows(folder: Path, kind: str = "records") -> int:
    """Rows in all the tables of a snapshot, from their footers (0 for a table that cannot be read)."""
    rows = 0
    for table in c.TABLES_BY_KIND[kind]:
        try:
            with open_file(folder, table.file_name) as fh, pq.ParquetFile(fh) as parquet:
                rows += parquet.metadata.num_rows
        except (OSError, OutsideFolder, pa.ArrowException):
            continue
    return rows


def _over(where: str, amount: int, limit: int, name: str, unit: str) -> list[Problem]:
    if amount <= limit:
        return []
    return [
        problem(
            "error",
            where,
            "holds {amount} {unit}, over this server's limit of {limit} ({variable}); it is not read. "
            "Check the export, or raise the limit if the machine has the memory",
            amount=f"{amount:,}",
            unit=unit,
            limit=f"{limit:,}",
            variable=variable(name),
        )
    ]
