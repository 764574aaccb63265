"""Turn a restricted snapshot into a public one: aggregates only, with their cell-key material.

    python -m data_access.publish SRC OUT_DIR --key-file KEY [--max-noise 3] [--variance 2]
                                  [--never-shown 2] [--open-data OPEN_DIR]

SRC is a snapshot folder of person records, or a folder of them (each usable one is published).
Each public snapshot is written to OUT_DIR/<snapshot id> (atomically, manifest last) with
`access_level: public` and `kind: aggregates`. It holds no person rows: the per-cell tables of
`data_access.cells` (`contract.AGGREGATE_TABLES`), with **true** cohorts, regions and stages
(nothing recoded, nobody dropped), each count carrying the sum of its people's record keys, and
the reference tables. The public dashboard answers from these and perturbs every count it shows
(`data_access.perturbation`); its totals are the truth within the perturbation table's bound.

KEY is a file holding the publisher's secret. Record keys are derived from it and each person's
pseudonymous id, so the same person has the same key, and the same group of people the same
published numbers, in every snapshot published with the same KEY. Keep it secret and keep it
the same from one snapshot to the next; nothing in the public snapshot reveals it.

The public snapshot is the store a public *server* answers from: like ABS TableBuilder's, it is
not a file to hand out (its true counts are only ever shown perturbed). For partners and HDX,
`--open-data OPEN_DIR` writes a fixed set of perturbed, audited tables (`data_access.open_data`).
Scores in the public snapshot are rounded to 0.001 (medians of the public level may differ from the
restricted ones by less than that).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from data_access import contract as c
from data_access import programme
from data_access.catalogue import find_snapshots, read_manifest
from data_access.cells import Cells, Counts
from data_access.perturbation import KEY_MASK, Perturbation, key_sums, record_keys
from data_access.problems import SnapshotError
from data_access.snapshot import Snapshot, load_snapshot
from data_access.writer import write_snapshot
from i18n import LANGUAGES, N_, _, use

SCORE_DECIMALS = 3
PUBLISHED_NOTE = N_(
    "Published for public use: aggregates per cell only, no person rows; every count the dashboard shows is "
    "perturbed by the cell-key method (at most ±{max_noise})."
)
"""The note every published manifest adds, in each interface language (`notes`, `notes_ru`, ...)."""


def _month(numbers: np.ndarray) -> np.ndarray:
    return np.asarray(numbers, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]")


def _nonzero(counts: Counts, extra: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """(cell, column, {name: values}) of the entries of `counts` that count anyone (or where any
    array in `extra` is non-zero)."""
    people = np.asarray(counts.people.toarray() if hasattr(counts.people, "toarray") else counts.people)
    keys = np.asarray(counts.keys.toarray() if hasattr(counts.keys, "toarray") else counts.keys)
    used = people != 0
    for values in (extra or {}).values():
        used |= values != 0
    cell, column = np.nonzero(used)
    values = {"people": people[cell, column].astype(np.int64), "people_key": keys[cell, column] & KEY_MASK}
    for name, array in (extra or {}).items():
        values[name] = array[cell, column].astype(np.int64)
    return cell, column, values


def aggregate_tables(snapshot: Snapshot, keys: np.ndarray) -> dict[str, pd.DataFrame]:
    """Every table of a public snapshot but the reference ones, from a snapshot of records and
    each person's record key."""
    cells = Cells(snapshot, record_keys=keys)
    stage_ids = np.asarray(snapshot.categories("stage"), dtype=object)
    out = {"cells": _cells_table(snapshot, cells)}

    cell, column, values = _nonzero(cells.flags)
    out["cell_flags"] = pd.DataFrame({"cell": cell, "unaccompanied": column >= 2, "justice": column % 2 == 1, **values})

    cell, column, values = _nonzero(cells.stages_reached)
    out["cell_stages_reached"] = pd.DataFrame({"cell": cell, "stage_id": stage_ids[column], **values})

    first, _ = cells.months
    entries, exits = cells.stage_moves
    moves = Counts(entries.people, entries.keys)
    exit_people, exit_keys = np.asarray(exits.people), np.asarray(exits.keys)
    cell, column, values = _nonzero(moves, {"left": exit_people, "left_key": exit_keys})
    n_stages = len(stage_ids)
    out["cell_stage_moves"] = pd.DataFrame(
        {
            "cell": cell,
            "month": _month(first + column // n_stages),
            "stage_id": stage_ids[column % n_stages],
            "entered": values["people"],
            "entered_key": values["people_key"],
            "left": values["left"],
            "left_key": values["left_key"] & KEY_MASK,
        }
    )

    parts = []
    for stage, counts in cells.milestones.items():
        cell, column, values = _nonzero(counts)
        parts.append(pd.DataFrame({"cell": cell, "milestone": stage, "months": column, **values}))
    out["cell_milestones"] = pd.concat(parts, ignore_index=True)

    days, counts = cells.days_in_stage
    cell, column, values = _nonzero(counts)
    out["cell_days_in_stage"] = pd.DataFrame({"cell": cell, "days": days[column], **values})

    out.update(_score_tables(snapshot, cells, keys))

    first, _, served, sessions = cells.services
    n_types = len(c.SERVICE_TYPES)
    cell, column, values = _nonzero(served, {"sessions": sessions})
    out["cell_services"] = pd.DataFrame(
        {
            "cell": cell,
            "month": _month(first + column // n_types),
            "service_type": np.asarray(c.SERVICE_TYPES, dtype=object)[column % n_types],
            **values,
        }
    )
    cell, column, values = _nonzero(cells.served_last_year)
    out["cell_served_last_year"] = pd.DataFrame(
        {"cell": cell, "service_type": np.asarray(c.SERVICE_TYPES, dtype=object)[column], **values}
    )
    return out


def _cells_table(snapshot: Snapshot, cells: Cells) -> pd.DataFrame:
    def names(dim: str) -> np.ndarray:
        codes = cells.codes[dim]
        labels = np.asarray(snapshot.categories(dim), dtype=object)
        return np.where(codes >= 0, labels[np.maximum(codes, 0)], None)

    return pd.DataFrame(
        {
            "cell": np.arange(cells.n),
            "region_code": names("region"),
            "cohort_id": names("cohort"),
            "stage_id": names("stage"),
            "sex": names("sex"),
            "age_band": names("age_band"),
            "people": cells.size.people[:, 0],
            "people_key": cells.size.keys[:, 0] & KEY_MASK,
        }
    )


def _score_tables(snapshot: Snapshot, cells: Cells, keys: np.ndarray) -> dict[str, pd.DataFrame]:
    """Latest composite per person, scores per assessment and people scored per half-year, per
    cell; scores rounded to `SCORE_DECIMALS`, so a histogram stays small whatever the source."""
    people = snapshot.people
    latest = people["latest_composite"].to_numpy(dtype=float)
    has = ~np.isnan(latest)
    frame = pd.DataFrame(
        {"cell": cells.person_cell[has], "composite": np.round(latest[has], SCORE_DECIMALS), "key": keys[has]}
    )
    latest_table = _grouped(frame, ["cell", "composite"])

    assessments = snapshot.assessments
    cell = cells.person_cell[assessments["person"].to_numpy()]
    score_parts, scored_parts = [], []
    for dimension in programme.SCORE_LABELS:
        values = assessments[dimension].to_numpy(dtype=float)
        has = ~np.isnan(values)
        scored = pd.DataFrame(
            {
                "cell": cell[has],
                "half_year": assessments["half_year"].to_numpy()[has],
                "value": np.round(values[has], SCORE_DECIMALS),
                "person": assessments["person"].to_numpy()[has],
            }
        )
        score_parts.append(
            scored.groupby(["cell", "half_year", "value"], as_index=False)
            .size()
            .rename(columns={"size": "assessments"})
            .assign(dimension=dimension)
        )
        once = scored.drop_duplicates(["person", "half_year"])
        scored_parts.append(
            _grouped(once.assign(key=keys[once["person"].to_numpy()]), ["cell", "half_year"]).assign(
                dimension=dimension
            )
        )
    return {
        "cell_latest_score": latest_table,
        "cell_scores": pd.concat(score_parts, ignore_index=True),
        "cell_scored": pd.concat(scored_parts, ignore_index=True),
    }


def _grouped(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """People and the sum of their keys (modulo 2**32) per group of `by`."""
    codes, uniques = pd.MultiIndex.from_frame(frame[by]).factorize()
    out = uniques.to_frame(index=False, name=by)
    out["people"] = np.bincount(codes, minlength=len(uniques))
    out["people_key"] = key_sums(codes, frame["key"].to_numpy().astype(np.int64), len(uniques))
    return out


def publish(
    src: Path, out_root: Path, secret: bytes, perturbation: Perturbation | None = None, open_data: Path | None = None
) -> tuple[Path, dict]:
    """Publish the snapshot folder `src` as `out_root/<id>` (and its open data as `open_data/<id>`);
    returns its folder and report."""
    perturbation = perturbation or Perturbation()
    if len(secret) < 16:
        raise ValueError("the publisher's key must be at least 16 bytes long")
    info = read_manifest(src)
    snapshot = load_snapshot(info)
    if snapshot.kind != "records":
        raise ValueError(f"{src} is already a public snapshot of aggregates")
    keys = record_keys(snapshot.people["person_id"], secret)
    tables = aggregate_tables(snapshot, keys)
    tables.update(cohorts=snapshot.cohorts, regions=snapshot.regions, stages=snapshot.stages)
    report = {
        "people": len(snapshot.people),
        "cells": len(tables["cells"]),
        "person_rows_published": 0,
        "method": N_("cell-key perturbation of every count (ABS TableBuilder, ONS 2021 Census custom datasets)"),
        "record_keys": N_("HMAC-SHA256 of the pseudonymous person id under the publisher's secret (first 32 bits)"),
        "score_decimals": SCORE_DECIMALS,
    }
    manifest = {
        key: value
        for key, value in info.manifest.items()
        if key not in ("files", "access_level", "source", "kind", "schema_version") and not key.startswith("notes")
    }
    manifest.update(
        schema_version=c.SCHEMA_VERSION,
        kind="aggregates",
        access_level="public",
        perturbation=perturbation.parameters,
        source=f"python -m data_access.publish from snapshot {info.id}, published {dt.date.today().isoformat()}",
        disclosure={key: value for key, value in report.items() if key not in PUBLISHER_ONLY},
    )
    for language in LANGUAGES:
        with use(language):
            manifest[c.notes_key(language)] = [
                *c.manifest_notes(info.manifest, language),
                _(PUBLISHED_NOTE).format(max_noise=perturbation.max_noise),
            ]
    folder = write_snapshot(out_root / info.id, tables, manifest)
    if open_data is not None:
        from data_access.open_data import write_open_data

        report["open_data"] = write_open_data(folder, snapshot, open_data / info.id)
    return folder, report


PUBLISHER_ONLY = ("people", "cells")
"""Figures of the report for the publisher only, left out of the public manifest: the true
number of people (every figure a reader sees is perturbed, the total too) and of occupied cells
(how many combinations of region, cohort, stage, sex and age band are empty)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="a snapshot folder of person records, or a folder of them")
    parser.add_argument("out", type=Path, help="folder to write the public snapshot(s) into")
    parser.add_argument("--key-file", type=Path, required=True, help="file holding the publisher's secret")
    parser.add_argument("--max-noise", type=int, default=3, help="largest noise on a count (default 3)")
    parser.add_argument("--variance", type=float, default=2.0, help="variance of the noise (default 2)")
    parser.add_argument("--never-shown", type=int, default=2, help="published counts 1..N never appear (default 2)")
    parser.add_argument("--open-data", type=Path, help="also write the open-data tables (CSV with HXL, Parquet) here")
    args = parser.parse_args(argv)
    try:
        perturbation = Perturbation(args.max_noise, args.variance, args.never_shown)
    except ValueError as error:
        parser.error(str(error))
    secret = args.key_file.read_bytes().strip()
    sources = [args.src] if (args.src / c.MANIFEST_FILE).is_file() else [i.path for i in find_snapshots(args.src)]
    if not sources:
        parser.error(f"no snapshot found in {args.src}")
    failed = 0
    for src in sources:
        try:
            _, report = publish(src, args.out, secret, perturbation, args.open_data)
        except (SnapshotError, ValueError) as error:
            failed += 1
            print(f"{src.name}: not published: {error}", file=sys.stderr)
            continue
        print(f"{src.name}: {report['people']:,} people in {report['cells']:,} cells published as aggregates")
        if args.open_data:
            audit = report["open_data"]
            print(f"  open data: {audit.summary()}")
            failed += not audit.passed
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
