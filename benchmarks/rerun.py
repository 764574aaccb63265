"""How long one rerun of each page takes after a filter change, through AppTest (server side,
no browser), on any snapshot folder.

    python -m benchmarks.rerun                                   # the committed sample
    python -m benchmarks.rerun --root /tmp/bench/100000 --runs 20

Each measured rerun changes the cohort filter (alternating two selections) so no per-selection
cache can answer it; the first runs of a page are warm-up and not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_access.catalogue import ROOT_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "repatriations", "progress", "regions", "explorer", "about"]


def measure(page: str, runs: int, selections: list[list[str]]) -> list[float]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    timings = []
    for i in range(runs + 2):
        cohort = next(w for w in at.multiselect if w.key == "cohort")
        cohort.set_value(selections[i % len(selections)])
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        if i >= 2:
            timings.append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="folder of snapshot folders (default: the sample)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.root:
        os.environ[ROOT_VARIABLE] = str(args.root)
    selections = [["jusan-2"], ["jusan-3", "rusafa"], []]
    print(f"{'page':<15}{'p50 ms':>10}{'p95 ms':>10}")
    for page in PAGES:
        timings = sorted(measure(page, args.runs, selections))
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        print(f"{page:<15}{statistics.median(timings) * 1000:>10.0f}{p95 * 1000:>10.0f}")


if __name__ == "__main__":
    main()
