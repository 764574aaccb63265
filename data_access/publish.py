"""Turn a restricted snapshot into a public one that can leave the programme.

    python -m data_access.publish SRC OUT_DIR [--k 5] [--min-cohort 20] [--max-suppressed 0.05]

SRC is a snapshot folder, or a folder of snapshot folders (each usable one is published).
Each public snapshot is written to OUT_DIR/<snapshot id> (atomically, manifest last) with
`access_level: public`. What is done, in order:

1. **Small cohorts merged**: cohorts of fewer than `min_cohort` people become one cohort.
2. **k-anonymity** on the quasi-identifiers (cohort, region, sex, age band, unaccompanied,
   current stage): every combination shared by at least k people. Cohorts and regions are
   generalised along a hierarchy (region -> one of six areas of the tile map -> whole
   country; cohort -> country returned from -> all), choosing the least generalisation whose
   remaining small classes hold at most `max_suppressed` of the people; the people still in
   classes under k are then suppressed (left out with all their records).
3. **Dates coarsened to months** (the first of the month) everywhere.
4. **Fresh ids**: every person gets a new random id (no mapping is kept or written), rows are
   shuffled, household ids are dropped.

The manifest records the rules applied and a disclosure report: people generalised and
suppressed, the smallest equivalence class, and the re-identification risk (prosecutor model:
the chance of singling out a given person who is in the file is 1 / their class size; the
average and the maximum are reported). Equivalence classes are counted on the derived current
stage, as the dashboard derives it from the published events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from data_access import contract as c
from data_access.catalogue import find_snapshots, read_manifest
from data_access.problems import SnapshotError
from data_access.snapshot import ORIGIN_NAMES, load_snapshot
from data_access.writer import write_snapshot

QUASI_IDENTIFIERS = ("cohort", "region", "sex", "age_band", "unaccompanied", "stage")
REGION_LEVELS = ("region", "area", "country")
COHORT_LEVELS = ("cohort", "origin", "all")
MERGED_COHORT = "merged-small"


@dataclass(frozen=True)
class Report:
    """What publishing did, for the manifest and the command's output."""

    k: int
    people_in: int
    people_out: int
    suppressed: int
    generalised: int
    steps: tuple[str, ...]
    merged_cohorts: tuple[str, ...]
    smallest_class: int
    classes: int
    risk_average: float
    risk_max: float

    def as_manifest(self) -> dict:
        return {
            "k": self.k,
            "quasi_identifiers": ", ".join(QUASI_IDENTIFIERS),
            "generalisation": "local recoding of the people in classes under k, in this order: "
            + "; ".join(f"{c} -> {lvl}" for c, lvl in STEPS)
            + " (used: "
            + (", ".join(self.steps) or "none")
            + ")",
            "cohorts_merged": ", ".join(self.merged_cohorts) or "none",
            "people_in_source": self.people_in,
            "people_published": self.people_out,
            "people_suppressed": self.suppressed,
            "people_generalised": self.generalised,
            "equivalence_classes": self.classes,
            "smallest_equivalence_class": self.smallest_class,
            "reidentification_risk_average": round(self.risk_average, 4),
            "reidentification_risk_max": round(self.risk_max, 4),
            "dates": "coarsened to the first day of the month",
            "ids": "replaced by fresh random ids; no mapping kept; rows shuffled",
            "household_ids": "dropped",
        }


def _month(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    return stamps.dt.to_period("M").dt.start_time.dt.date.where(stamps.notna(), None)


def areas(regions: pd.DataFrame) -> pd.Series:
    """Each region's area: the tile map cut into north/south halves and west/centre/east
    thirds, so neighbours share an area (data-driven, no country-specific list)."""
    rows, cols = regions["grid_row"].astype(float), regions["grid_col"].astype(float)
    north = np.where(rows <= rows.median(), "North", "South")
    thirds = np.quantile(cols, [1 / 3, 2 / 3])
    side = np.select([cols <= thirds[0], cols <= thirds[1]], ["west", "central"], "east")
    return pd.Series([f"{a}-{b}" for a, b in zip(north, side, strict=True)], index=regions["region_code"])


def _classes(frame: pd.DataFrame) -> pd.Series:
    """Size of each person's equivalence class on the quasi-identifiers."""
    return frame.groupby(list(QUASI_IDENTIFIERS), observed=True, dropna=False)["person"].transform("size")


STEPS = (("region", "area"), ("cohort", "origin"), ("stage", "track"), ("region", "country"), ("cohort", "all"))
"""Local recoding, in order: only the people still in a class under k are generalised at each step."""


def recode(qi: pd.DataFrame, k: int, maps: dict[tuple[str, str], dict]) -> tuple[pd.DataFrame, list[str]]:
    """Generalise, step by step, only the quasi-identifiers of people whose class is under k.

    Returns the recoded table and, per person, the steps applied (for the report)."""
    out = qi.copy()
    applied = [""] * len(out)
    for column, level in STEPS:
        small = (_classes(out) < k).to_numpy()
        if not small.any():
            break
        mapping = maps[(column, level)]
        original = out[column].to_numpy()
        changed = small & (pd.Series(original).map(mapping).fillna(pd.Series(original)).to_numpy() != original)
        out.loc[changed, column] = pd.Series(original[changed]).map(mapping).to_numpy()
        for i in np.flatnonzero(changed):
            applied[i] = f"{applied[i]}, {column}->{level}" if applied[i] else f"{column}->{level}"
    return out, applied


def publish(src: Path, out_root: Path, k: int = 5, min_cohort: int = 20, max_suppressed: float = 0.05) -> Report:
    """Publish the snapshot folder `src` as `out_root/<id>`; returns the disclosure report."""
    if k < 2:
        raise ValueError("k must be at least 2")
    info = read_manifest(src)
    snap = load_snapshot(info)
    raw = {t.name: pq.read_table(src / t.file_name).to_pandas() for t in c.TABLES if (src / t.file_name).is_file()}
    people = snap.people
    ids = people["person_id"].astype(str).to_numpy()
    qi = pd.DataFrame(
        {
            "person": np.arange(len(people)),
            "cohort": people["cohort"].astype(str).to_numpy(),
            "region": people["region"].astype(str).to_numpy(),
            "sex": people["sex"].astype(str).to_numpy(),
            "age_band": people["age_band"].astype(str).to_numpy(),
            "unaccompanied": people["unaccompanied"].to_numpy(),
            "stage": people["stage"].astype(str).to_numpy(),
        }
    )

    # 1. Small cohorts merged.
    cohorts = raw["cohorts"].copy()
    sizes = qi["cohort"].value_counts()
    small = [cid for cid in cohorts["cohort_id"] if 0 < sizes.get(cid, 0) < min_cohort]
    if len(small) >= 2 or (len(small) == 1 and sizes.get(small[0], 0) > 0):
        merged = cohorts.loc[cohorts["cohort_id"].isin(small)]
        origins = sorted(merged["origin_country"].unique())
        row = {
            "cohort_id": MERGED_COHORT,
            "name": "Smaller cohorts: " + ", ".join(merged["name"]),
            "operation": " and ".join(sorted(merged["operation"].unique())),
            "origin_country": "+".join(origins),
            "arrival_date": min(merged["arrival_date"]),
        }
        cohorts = pd.concat([cohorts.loc[~cohorts["cohort_id"].isin(small)], pd.DataFrame([row])], ignore_index=True)
        qi["cohort"] = qi["cohort"].where(~qi["cohort"].isin(small), MERGED_COHORT)
    cohorts = cohorts.loc[cohorts["cohort_id"].isin(qi["cohort"].unique())]

    # 2. Generalise the people in small classes, step by step, then suppress what is still under k.
    regions, stages = raw["regions"], raw["stages"]
    area_of = areas(regions)
    origin_of = dict(zip(cohorts["cohort_id"], "from-" + cohorts["origin_country"].str.lower(), strict=True))
    track_of = dict(zip(stages["stage_id"], stages["track"] + "-withheld", strict=True))
    maps = {
        ("region", "area"): area_of.to_dict(),
        ("region", "country"): {**{code: "all" for code in regions["region_code"]}, **{a: "all" for a in area_of}},
        ("cohort", "origin"): origin_of,
        ("cohort", "all"): {**{cid: "all" for cid in cohorts["cohort_id"]}, **{o: "all" for o in origin_of.values()}},
        ("stage", "track"): track_of,
    }
    general, applied = recode(qi, k, maps)
    keep = (_classes(general) >= k).to_numpy()
    generalised = int(sum(1 for flag, steps in zip(keep, applied, strict=True) if flag and steps))
    steps_used = sorted(
        {step for flag, steps in zip(keep, applied, strict=True) if flag and steps for step in steps.split(", ")}
    )
    general = general.loc[keep]
    sizes = _classes(general)
    cohorts, regions, stages = _reference_tables(general, cohorts, regions, stages, area_of, origin_of)

    # 4. Fresh ids and shuffled rows: no mapping is kept.
    order = np.array(general["person"])
    np.random.default_rng(secrets.randbits(64)).shuffle(order)
    new_ids: dict[str, str] = {}
    while len(new_ids) < len(order):
        token = "q" + secrets.token_hex(5)
        if token not in new_ids.values():
            new_ids[ids[order[len(new_ids)]]] = token
    general = general.set_index("person").loc[order]
    published_people = pd.DataFrame(
        {
            "person_id": [new_ids[ids[p]] for p in order],
            "household_id": pd.Series([None] * len(order), dtype=object),
            "cohort_id": general["cohort"].to_numpy(),
            "sex": general["sex"].to_numpy(),
            "age_band": general["age_band"].to_numpy(),
            "unaccompanied": general["unaccompanied"].to_numpy(dtype=bool),
            "region_code": general["region"].to_numpy(),
        }
    )
    rank = {new_ids[ids[p]]: i for i, p in enumerate(order)}

    def remap(table: pd.DataFrame, date_columns: tuple[str, ...], sort: tuple[str, ...]) -> pd.DataFrame:
        table = table.loc[table["person_id"].astype(str).isin(new_ids)].copy()
        table["person_id"] = table["person_id"].astype(str).map(new_ids)
        table["_rank"] = table["person_id"].map(rank)
        table = table.sort_values(["_rank", *sort], kind="stable").drop(columns="_rank")
        for column in date_columns:  # 3. months, not days
            table[column] = _month(table[column])
        return table.reset_index(drop=True)

    events = raw["stage_events"].copy()
    recoded_stage = dict(zip(np.asarray(ids)[general.index.to_numpy()], general["stage"], strict=True))
    current = _current_rows(events)
    wanted = events.loc[current, "person_id"].astype(str).map(recoded_stage)
    events.loc[current, "stage_id"] = wanted.fillna(events.loc[current, "stage_id"]).to_numpy()
    events = remap(events, ("entered_on", "exited_on"), ("entered_on",))
    events = events.drop_duplicates(["person_id", "stage_id", "entered_on"], keep="last")
    assessments = remap(raw["assessments"], ("assessed_on",), ("assessed_on",))
    assessments = assessments.drop_duplicates(["person_id", "assessed_on"], keep="last")
    tables = {
        "people": published_people,
        "stage_events": events,
        "assessments": assessments,
        "cohorts": cohorts.assign(arrival_date=_month(cohorts["arrival_date"])),
        "regions": regions,
        "stages": stages,
    }
    if "services" in raw:
        tables["services"] = remap(raw["services"], ("month",), ("month", "service_type"))

    report = Report(
        k=k,
        people_in=len(qi),
        people_out=len(order),
        suppressed=int((~keep).sum()),
        generalised=generalised,
        steps=tuple(steps_used),
        merged_cohorts=tuple(small),
        smallest_class=int(sizes.min()) if len(sizes) else 0,
        classes=int(general.groupby(list(QUASI_IDENTIFIERS), observed=True).ngroups),
        risk_average=float((1 / sizes).mean()) if len(sizes) else 0.0,
        risk_max=float(1 / sizes.min()) if len(sizes) else 0.0,
    )
    manifest = {
        key: value for key, value in info.manifest.items() if key not in ("files", "access_level", "source", "notes")
    }
    manifest.update(
        access_level="public",
        source=f"python -m data_access.publish (k={k}, min_cohort={min_cohort}, max_suppressed={max_suppressed}) "
        f"from snapshot {info.id}, published {dt.date.today().isoformat()}",
        notes=[
            *info.manifest.get("notes", []),
            f"Published for public use: k-anonymity with k={k} on {', '.join(QUASI_IDENTIFIERS)}; dates in months; "
            "fresh random ids; household ids dropped; small cohorts merged.",
        ],
        disclosure=report.as_manifest(),
    )
    write_snapshot(out_root / info.id, tables, manifest)
    return report


def _current_rows(events: pd.DataFrame) -> np.ndarray:
    """Positions of each person's current event, as the loader derives it: the open stage
    entered last, or if none is open the last entered."""
    order = events.assign(_open=events["exited_on"].isna(), _pos=np.arange(len(events)))
    order = order.sort_values(["person_id", "_open", "entered_on"], kind="stable")
    return order.drop_duplicates("person_id", keep="last")["_pos"].to_numpy()


def _reference_tables(general, cohorts, regions, stages, area_of, origin_of):
    """Cohort, region and stage tables with rows for the generalised codes in use (names say
    what they stand for; area tiles sit on a row of their own below the map)."""
    used = set(general["cohort"])
    extra = []
    for code in sorted(used - set(cohorts["cohort_id"])):
        members = cohorts if code == "all" else cohorts.loc[cohorts["cohort_id"].map(origin_of) == code]
        origins = "+".join(sorted(members["origin_country"].unique()))
        names = " and ".join(ORIGIN_NAMES.get(o, o) for o in origins.split("+"))
        extra.append(
            {
                "cohort_id": code,
                "name": "Cohort withheld (all cohorts)" if code == "all" else f"Cohort withheld (from {names})",
                "operation": " and ".join(sorted(members["operation"].unique())),
                "origin_country": origins,
                "arrival_date": min(members["arrival_date"]),
            }
        )
    cohorts = pd.concat([cohorts.loc[cohorts["cohort_id"].isin(used)], pd.DataFrame(extra)], ignore_index=True)

    used = set(general["region"])
    bottom = int(regions["grid_row"].max()) + 2
    extra = []
    for i, code in enumerate(sorted(used - set(regions["region_code"]))):
        members = regions if code == "all" else regions.loc[regions["region_code"].map(area_of) == code]
        title = "Region withheld" if code == "all" else f"Region withheld ({code.replace('-', ' ')} area)"
        extra.append(
            {
                "region_code": code,
                "name_en": title,
                "name_ru": ", ".join(members["name_ru"]),
                "name_kk": ", ".join(members["name_kk"]),
                "grid_row": bottom,
                "grid_col": i,
            }
        )
    regions = pd.concat([regions, pd.DataFrame(extra)], ignore_index=True)

    used = set(general["stage"])
    extra = []
    for i, code in enumerate(sorted(used - set(stages["stage_id"]))):
        track = code.removesuffix("-withheld")
        extra.append({"stage_id": code, "label": f"Stage withheld ({track} track)", "order": 90 + i, "track": track})
    stages = pd.concat([stages, pd.DataFrame(extra)], ignore_index=True).astype({"order": "int32"})
    return cohorts, regions.astype({"grid_row": "int32", "grid_col": "int32"}), stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="a snapshot folder, or a folder of snapshot folders")
    parser.add_argument("out", type=Path, help="folder to write the public snapshot(s) into")
    parser.add_argument("--k", type=int, default=5, help="smallest equivalence class (default 5)")
    parser.add_argument("--min-cohort", type=int, default=20, help="merge cohorts smaller than this (default 20)")
    parser.add_argument(
        "--max-suppressed",
        type=float,
        default=0.05,
        help="share of people that may be suppressed before generalising further (default 0.05)",
    )
    args = parser.parse_args(argv)
    if args.k < 5:
        parser.error("--k must be at least 5 for a public snapshot")
    sources = [args.src] if (args.src / c.MANIFEST_FILE).is_file() else [i.path for i in find_snapshots(args.src)]
    if not sources:
        parser.error(f"no snapshot found in {args.src}")
    failed = 0
    for src in sources:
        try:
            report = publish(src, args.out, k=args.k, min_cohort=args.min_cohort, max_suppressed=args.max_suppressed)
        except SnapshotError as error:
            failed += 1
            print(f"{src.name}: not published: {error}", file=sys.stderr)
            continue
        print(
            f"{src.name}: {report.people_out:,} of {report.people_in:,} people published "
            f"({report.suppressed} suppressed, {report.generalised} generalised: {', '.join(report.steps) or 'none'}); "
            f"smallest class {report.smallest_class}; "
            f"risk average {report.risk_average:.1%}, max {report.risk_max:.1%}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
