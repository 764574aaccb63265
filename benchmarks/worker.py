"""One measured server process: the dashboard (`app`) or the naive baseline (`naive`), driven
through Streamlit's AppTest on one snapshot folder. Run by `python -m benchmarks`, one fresh
process per size and variant, so cold start and memory are those of a new server.

    python -m benchmarks.worker app /tmp/bench_data/100000 --runs 20 --started $(date +%s.%N)

Every rerun of a dashboard page follows a rerun of the floor (`benchmarks/floor_app.py`, the same
chrome and nothing else) in the same process, to the same selection, so each page is reported as a
multiple of what Streamlit itself needs, measured side by side ("ratios"). `--profile PAGE`
profiles the script thread during that page's fresh reruns (cProfile runs per thread, and
AppTest runs the script in a thread of its own) and adds the top entries to the result.

Prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, local_script_runner

from data_access import cells, results
from data_access.catalogue import ROOT_VARIABLE
from data_access.filters import DIMENSIONS, Filters
from tests.app.helpers import switch

ROOT = Path(__file__).resolve().parent.parent
FLOOR = Path(__file__).resolve().parent / "floor_app.py"
APP_PAGES = ("overview", "repatriations", "progress", "regions", "explorer", "about")
NAIVE_PAGES = ("naive",)
REMEMBERED = results.RESULT_CACHE_SIZE or results.DEFAULT_RESULT_CACHE_SIZE
"""Each page is measured twice: with the release layer's result cache off (every rerun computes
its tables afresh: a selection nobody asked for) and on (a selection asked for before)."""
SELECTIONS = {
    "all": Filters(),
    "broad": Filters(sex=("female",)),
    "narrow": Filters(cohort=("jusan-2",), region=("KZ-61",), sex=("female",)),
}
MiB = 2**20


class Probe:
    """Time spent in queries and in charts during one script run, the script run itself, and
    the messages it sent to the browser."""

    def __init__(self) -> None:
        self.query = 0.0
        self.chart = 0.0
        self.script = 0.0
        self.script_cpu = 0.0
        self.messages: list = []
        self.profiler: cProfile.Profile | None = None
        self._depth = 0

    def reset(self) -> None:
        self.query = self.chart = self.script = self.script_cpu = 0.0
        self.messages = []

    def wrap(self, module, names, part: str) -> None:
        for name in names:
            original = getattr(module, name)
            setattr(module, name, self._timed(original, part))

    def _timed(self, function, part: str):
        def timed(*args, **kwargs):
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                setattr(self, part, getattr(self, part) + time.perf_counter() - start)
                self._depth -= 1

        timed.__wrapped__ = function
        return timed

    def install(self) -> None:
        run_script = script_runner.ScriptRunner._run_script

        def timed_run(runner, rerun_data):
            start, cpu = time.perf_counter(), time.thread_time()
            profiler = self.profiler
            if profiler is not None:
                profiler.enable()
            try:
                return run_script(runner, rerun_data)
            finally:
                if profiler is not None:
                    profiler.disable()
                self.script += time.perf_counter() - start
                self.script_cpu += time.thread_time() - cpu

        script_runner.ScriptRunner._run_script = timed_run
        run = local_script_runner.LocalScriptRunner.run

        def keep_messages(runner, *args, **kwargs):
            try:
                return run(runner, *args, **kwargs)
            finally:
                self.messages = list(runner.forward_msgs())

        local_script_runner.LocalScriptRunner.run = keep_messages
        # A server compiles each script once (its runtime keeps one ScriptCache); AppTest makes a
        # new cache for every run, so each rerun parsed and compiled app.py or the floor's script
        # again (2.5 ms for the floor's script, a third of its rerun; 0.5 ms for app.py), which no
        # user's rerun pays.
        shared = ScriptCache()
        local_script_runner.ScriptCache = lambda: shared

    def sent(self) -> tuple[int, int]:
        """(bytes of every message of the run, rows of the largest chart dataset)."""
        total = sum(msg.ByteSize() for msg in self.messages)
        largest = 0
        for msg in self.messages:
            if not msg.HasField("delta") or not msg.delta.HasField("new_element"):
                continue
            element = msg.delta.new_element
            if element.WhichOneof("type") != "vega_lite_chart":
                continue
            chart = element.vega_lite_chart
            for data in [chart.data, *(d.data for d in chart.datasets)]:
                if data.data:
                    largest = max(largest, pa.ipc.open_stream(data.data).read_all().num_rows)
        return total, largest


def instrument_app(probe: Probe) -> None:
    import charts
    import ui.widgets
    from data_access import narrative
    from data_access import queries as q

    probe.wrap(
        q,
        [
            n
            for n in dir(q)
            if callable(getattr(q, n))
            and getattr(getattr(q, n), "__module__", "") == q.__name__
            and not n.startswith("_")
        ],
        "query",
    )
    probe.wrap(narrative, ["overview_summary"], "query")
    probe.wrap(charts, [n for n in dir(charts) if n.endswith("_chart") or n.endswith("_heatmap")], "chart")
    probe.wrap(ui.widgets, ["chart"], "chart")


def rss() -> int:
    return psutil.Process().memory_info().rss


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def choose(at: AppTest, filters: Filters) -> None:
    for dim in DIMENSIONS:
        at.multiselect(key=dim).set_value(list(getattr(filters, dim)))


def check(at: AppTest, where: str) -> None:
    """A run that failed is not a time: an exception, or the error box the page's error
    boundary turns one into (a broken page is fast, and was once reported as such)."""
    if at.exception:
        raise RuntimeError(f"{where}: {at.exception[0].value}")
    if at.error:
        raise RuntimeError(f"{where}: the page shows an error: {at.error[0].value}")


def measure_page(
    at: AppTest, probe: Probe, page: str, runs: int, warm_up: int, budget: float | None, floor: AppTest | None = None
) -> tuple[dict, dict | None]:
    """Cycle through the selections (all -> broad -> narrow -> all ...), so every rerun follows a
    filter change; each rerun counts for the selection it changed to. With `floor`, each rerun
    of the page is preceded by a rerun of the floor to the same selection; returns the page's
    figures and the floor's (None without it)."""
    samples = {label: new_samples() for label in SELECTIONS}
    floor_samples = {label: new_samples() for label in SELECTIONS}
    began = time.perf_counter()
    for i in range(warm_up + runs):
        if budget is not None and i > warm_up and time.perf_counter() - began > budget * len(SELECTIONS):
            break
        for label, filters in SELECTIONS.items():
            if floor is not None:
                rerun(floor, probe, filters, f"floor ({page}), {label}", None if i < warm_up else floor_samples[label])
            rerun(at, probe, filters, f"{page}, {label}", None if i < warm_up else samples[label])
    figures = {label: summary(figures) for label, figures in samples.items()}
    if floor is None:
        return figures, None
    return figures, {label: summary(figures) for label, figures in floor_samples.items()}


MEASURES = ("wall_ms", "script_ms", "script_cpu_ms", "query_ms", "chart_ms", "bytes", "largest_chart_rows")


def new_samples() -> dict[str, list]:
    return {name: [] for name in MEASURES}


def rerun(at: AppTest, probe: Probe, filters: Filters, where: str, figures: dict[str, list] | None) -> None:
    """Change the filters to `filters`, rerun, and add the rerun's figures to `figures` (a
    warm-up rerun: None)."""
    choose(at, filters)
    probe.reset()
    start = time.perf_counter()
    at.run()
    wall = time.perf_counter() - start
    check(at, where)
    if figures is None:
        return
    sent, largest = probe.sent()
    figures["wall_ms"].append(wall * 1000)
    figures["script_ms"].append(probe.script * 1000)
    figures["script_cpu_ms"].append(probe.script_cpu * 1000)
    figures["query_ms"].append(probe.query * 1000)
    figures["chart_ms"].append(probe.chart * 1000)
    figures["bytes"].append(sent)
    figures["largest_chart_rows"].append(largest)


def summary(figures: dict[str, list]) -> dict:
    out = {"runs": len(figures["wall_ms"]), "wall_ms_samples": [round(v, 2) for v in figures["wall_ms"]]}
    out["script_cpu_ms_samples"] = [round(v, 2) for v in figures["script_cpu_ms"]]
    for name, values in figures.items():
        if name.endswith("_ms"):
            out[f"{name}_p50"] = round(statistics.median(values), 2)
            out[f"{name}_p95"] = round(percentile(values, 0.95), 2)
    out["bytes_p50"] = statistics.median(figures["bytes"])
    out["bytes_max"] = max(figures["bytes"])
    out["largest_chart_rows"] = max(figures["largest_chart_rows"])
    return out


def ratio(page: dict, floor: dict) -> dict:
    """A page against the floor over all three selections (their reruns pooled): p50 and p95 of
    each, the page's over the floor's (of the wall clock, and of the script thread's CPU time),
    and the bytes each sent per rerun (median)."""

    def pooled(figures: dict, name: str) -> list[float]:
        return [v for selection in figures.values() for v in selection[f"{name}_samples"]]

    out = {}
    for name in ("wall_ms", "script_cpu_ms"):
        mine, theirs = pooled(page, name), pooled(floor, name)
        for stat, share in (("p50", 0.5), ("p95", 0.95)):
            out[f"{name}_{stat}"] = round(percentile(mine, share), 1)
            out[f"floor_{name}_{stat}"] = round(percentile(theirs, share), 1)
            out[f"{name}_{stat}_ratio"] = round(percentile(mine, share) / percentile(theirs, share), 2)
    out["bytes_p50"] = statistics.median(f["bytes_p50"] for f in page.values())
    out["floor_bytes_p50"] = statistics.median(f["bytes_p50"] for f in floor.values())
    return out


def profile_text(profiler: cProfile.Profile, top: int) -> str:
    """The top entries of a profile, by cumulative time and by own time."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def open_page(at: AppTest, page: str, script: Path) -> None:
    if script.name in ("app.py", FLOOR.name):
        switch(at, page)
        at.run()
        check(at, page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variant", choices=("app", "naive"))
    parser.add_argument("root", type=Path, help="folder of snapshot folders")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--pages", nargs="+", help="pages to measure (default: all)")
    parser.add_argument("--budget", type=float, help="stop measuring a selection after this many seconds")
    parser.add_argument("--started", type=float, help="time.time() when the parent started this process")
    parser.add_argument("--cold-only", action="store_true", help="stop after the first page (a restart)")
    parser.add_argument("--no-floor", action="store_true", help="do not interleave the floor's reruns")
    parser.add_argument("--profile", metavar="PAGE", help="profile PAGE's fresh reruns (only that page is measured)")
    parser.add_argument("--profile-top", type=int, default=30, help="entries of the profile to keep")
    parser.add_argument("--profile-out", help="also write the whole profile here (pstats; snakeviz, gprof2dot)")
    parser.add_argument("--profile-seen", action="store_true", help="profile reruns to selections seen before")
    args = parser.parse_args(argv)
    started = args.started or time.time()
    os.environ[ROOT_VARIABLE] = str(args.root)
    probe = Probe()
    probe.install()
    loads = []
    if args.variant == "app":
        import ui.context

        load = ui.context.load_snapshot

        def counted_load(path, *args):
            loads.append(str(path))
            return load(path, *args)

        ui.context.load_snapshot = counted_load
        instrument_app(probe)
        script, pages = ROOT / "app.py", [args.profile] if args.profile else args.pages or list(APP_PAGES)
    else:
        script, pages = Path(__file__).resolve().parent / "naive_app.py", list(NAIVE_PAGES)

    at = AppTest.from_file(str(script), default_timeout=900)
    at.run()
    check(at, "first page")
    cold = time.time() - started
    result = {
        "variant": args.variant,
        "cold_start_s": round(cold, 3),
        "rss_after_first_page_mib": round(rss() / MiB, 1),
        "pages": {},
    }
    if args.variant == "app":
        result["pages_revisit"] = {}
        # Large snapshots get their per-cell tables built in the background after the first page;
        # reruns are measured on the warmed server, and how long warming took is recorded.
        began = time.perf_counter()
        cells.wait_for_warm_up()
        result["warm_up_s"] = round(time.perf_counter() - began, 2)
    if args.cold_only:
        print(json.dumps(result))
        return 0
    floor = None
    if args.variant == "app" and not args.no_floor:
        floor = AppTest.from_file(str(FLOOR), default_timeout=900)
        floor.run()
        check(floor, "floor")
        result["floor"], result["floor_revisit"], result["ratios"] = {}, {}, {}
    if args.profile:
        open_page(at, args.profile, script)
        if not args.profile_seen:
            results.RESULT_CACHE_SIZE = 0
        for _ in range(args.warm_up):
            for label, filters in SELECTIONS.items():
                rerun(at, probe, filters, f"{args.profile}, {label}", None)
        probe.profiler = cProfile.Profile()
        result["pages"][args.profile], _ = measure_page(at, probe, args.profile, args.runs, 0, None)
        probe.profiler, profiler = None, probe.profiler
        result["profile"] = profile_text(profiler, args.profile_top)
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        print(json.dumps(result))
        return 0
    for page in pages:
        open_page(at, page, script)
        if args.variant == "app":
            if floor is not None:
                open_page(floor, page, FLOOR)
            # A selection nobody has asked for: every released table is computed afresh ...
            results.RESULT_CACHE_SIZE = 0
            fresh = measure_page(at, probe, page, args.runs, args.warm_up, args.budget, floor)
            # ... and one asked for before (the warm-up asks for each): tables come from the cache.
            results.RESULT_CACHE_SIZE = REMEMBERED
            seen = measure_page(at, probe, page, args.runs, args.warm_up, args.budget, floor)
            result["pages"][page], result["pages_revisit"][page] = fresh[0], seen[0]
            if floor is not None:
                result["floor"][page], result["floor_revisit"][page] = fresh[1], seen[1]
                result["ratios"][page] = {"fresh": ratio(*fresh), "seen": ratio(*seen)}
        else:
            result["pages"][page], _ = measure_page(at, probe, page, args.runs, args.warm_up, args.budget)
    gc.collect()
    result["steady_rss_mib"] = round(rss() / MiB, 1)
    # More sessions open at once: each its own AppTest (session state), one process, one cache.
    sessions = [at]
    for _ in range(args.sessions - 1):
        other = AppTest.from_file(str(script), default_timeout=900)
        other.run()
        open_page(other, pages[min(2, len(pages) - 1)], script)
        choose(other, SELECTIONS["narrow"])
        other.run()
        check(other, "another session")
        sessions.append(other)
    gc.collect()
    result["sessions"] = len(sessions)
    result["sessions_rss_mib"] = round(rss() / MiB, 1)
    result["snapshot_loads"] = len(loads) if args.variant == "app" else None
    result["peak_rss_mib"] = round(peak_rss() / MiB, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
