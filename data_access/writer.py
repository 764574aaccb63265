"""Writing snapshots: used by the generator, the tests and anyone exporting from a case system.

A snapshot is written into a hidden temporary folder next to its destination and renamed into
place at the end, with the manifest (sizes and checksums of every table) written last. A reader
therefore never sees a half-written snapshot, and one copied by hand can be checked against its
manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data_access import boundaries
from data_access.contract import MANIFEST_FILE, TABLES_BY_NAME


def file_digest(path: Path) -> dict[str, int | str]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return {"bytes": path.stat().st_size, "sha256": sha.hexdigest()}


def to_arrow(name: str, table: pa.Table | pd.DataFrame) -> pa.Table:
    """Cast a table to the contract's schema (column order and types); an optional column the
    table does not have is written empty."""
    contract = TABLES_BY_NAME[name]
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    for col in contract.columns:
        if col.name not in table.column_names and not col.required:
            table = table.append_column(col.name, pa.nulls(table.num_rows, col.type))
    table = table.select(contract.schema.names).cast(contract.schema)
    if name == "regions" and table.column(boundaries.COLUMN).null_count < table.num_rows:
        table = table.replace_schema_metadata(boundaries.geo_metadata(table))
    return table


def write_manifest(folder: Path, manifest: Mapping) -> None:
    files = {p.name: file_digest(p) for p in sorted(folder.glob("*.parquet"))}
    body = {**manifest, "files": files}
    (folder / MANIFEST_FILE).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def write_snapshot(folder: Path, tables: Mapping[str, pa.Table | pd.DataFrame], manifest: Mapping) -> Path:
    """Write `tables` (contract table name -> data) and `manifest` as the snapshot `folder`.

    An existing folder of that name is replaced as a whole.
    """
    folder = Path(folder)
    staging = folder.with_name(f".{folder.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name, table in tables.items():
        pq.write_table(to_arrow(name, table), staging / TABLES_BY_NAME[name].file_name)
    write_manifest(staging, manifest)
    replace_folder(staging, folder)
    return folder


def replace_folder(staging: Path, folder: Path) -> None:
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old)
    else:
        os.replace(staging, folder)
