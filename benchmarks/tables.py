"""How long does each released table take to compute, on its own? Below a page, above the cells.

    python -m benchmarks.tables                         # 100,000 people, restricted (generated under --data)
    python -m benchmarks.tables --size 1000000 --runs 5
    python -m benchmarks.tables --root sample_data/public --level public

Loads the latest snapshot under the root once, then times every table a page asks the release
layer for (`data_access.release.Release`), with the result cache off and the run's memo cleared
before each call, so each figure is computed afresh: what a fresh selection costs in queries and
display rules, without Streamlit, charts or the sidebar. Three selections (no filter, one region,
two regions), --runs rounds after one warm-up round; prints the mean per call in ms. The page
benchmark (`python -m benchmarks`) says what a whole rerun costs; this says which table to look at.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchmarks.setup import AS_OF, ensure_snapshot


def tables(release, queries, snapshot) -> dict:
    """Every table a page asks for, by name: a function of the selection."""
    return {
        "headline": release.headline,
        "arrivals": release.arrivals,
        "unaccompanied_children": release.unaccompanied_children,
        "age_sex_pyramid": release.age_sex_pyramid,
        "counts_by region": lambda f: release.counts_by(f, ["region"]),
        "stage_distribution": release.stage_distribution,
        "stage_reached": release.stage_reached,
        "stage_occupancy": release.stage_occupancy,
        "time_to_milestone": release.time_to_milestone,
        "time_in_stage": lambda f: release.time_in_stage(f, 180),
        "assessment_scores": release.assessment_scores,
        "services_by_month": release.services_by_month,
        "services_by_type": release.services_by_type,
        "region_summary": release.region_summary,
        "region_stage": release.region_stage,
        "facet_counts": lambda f: queries.facet_counts(snapshot, f),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--size", type=int, default=100_000, help="people in the generated snapshot (under --data)")
    where.add_argument("--root", type=Path, help="a folder of snapshot folders; its latest is used")
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench_data"), help="where snapshots are cached")
    parser.add_argument("--level", choices=("restricted", "public"), default="restricted")
    parser.add_argument("--runs", type=int, default=10, help="rounds over the three selections")
    args = parser.parse_args(argv)
    os.environ["SECOND_CHANCE_RESULT_CACHE"] = "0"  # read when data_access.results is imported

    from data_access import load_snapshot
    from data_access import queries as q
    from data_access.cells import cells
    from data_access.filters import Filters
    from data_access.release import Access, Release

    if args.root:
        folder = sorted(p for p in args.root.iterdir() if p.is_dir())[-1]
    else:
        ensure_snapshot(args.data, args.size)
        folder = args.data / str(args.size) / AS_OF
    snapshot = load_snapshot(folder)
    release = Release(snapshot, Access(level=args.level))
    # The largest regions: at the public level a region under the minimum base cannot be one of
    # several values chosen (every piece of a selection needs it).
    regions = sorted(cells(snapshot).categories["region"], key=lambda r: -q.base_n(snapshot, Filters(region=(r,))))
    selections = [Filters(), Filters(region=(regions[0],)), Filters(region=tuple(regions[1:3]))]
    print(f"{folder}: {args.level}, {args.runs} rounds of {len(selections)} selections, result cache off")
    for name, table in tables(release, q, snapshot).items():
        for filters in selections:  # warm-up: per-snapshot rows, labels, the cells' tables
            release.memo.clear()
            table(filters)
        started = time.perf_counter()
        for _ in range(args.runs):
            for filters in selections:
                release.memo.clear()
                table(filters)
        print(f"{name:24s} {(time.perf_counter() - started) / args.runs / len(selections) * 1000:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
