"""Is the dashboard fast at national scale? Measured end to end, server side.

    python -m benchmarks                                  # 10k, 100k and 1M people
    python -m benchmarks --sizes 100000 --runs 30
    python -m benchmarks --quick                          # a CI-sized run (2,000 people)
    python -m benchmarks --sizes 100000 --profile progress  # where a page's fresh reruns go
    python -m benchmarks --sizes 100000 --browser          # and in Chromium (benchmarks/browser.py)

For each size it generates a synthetic snapshot on demand (`python -m data_access.generate`,
cached under --data and made again when the generator changes), then starts one fresh process
for the dashboard and one for the naive baseline (`benchmarks/naive_app.py`), each driven by
Streamlit's AppTest (`benchmarks/worker.py`), and measures:

- cold start: process start to the first page rendered (imports, snapshot load, first run),
  at a first start (no prepared copy: every row is checked, and the copy is written) and at a
  restart (a second process that reads the prepared copy, see `data_access.prepared`);
- warm rerun after a filter change, per page and selection (no filter, broad, narrow), p50 and
  p95 over --runs reruns, twice: to a selection nobody asked for before (the release layer's
  result cache off, every table computed) and to one asked for before (cache on; rows marked
  "seen"): the whole AppTest run, the script run on the server (wall clock, and
  the CPU time of the script thread, which other processes on a shared machine disturb less),
  and within it the time in queries (`data_access.queries`) and in charts (`charts` builders and the chart
  element with its data table);
- the floor: each rerun of a page follows a rerun of `benchmarks/floor_app.py` (Streamlit drawing
  the same chrome and nothing else: navigation, snapshot picker, six multiselects, a metric, a
  chart) to the same selection, in the same process; every page is reported as a multiple of
  the floor, p50 and p95 over its reruns, fresh and seen before ("ratios": on a shared machine
  only these are comparable between runs; the load average during the run is recorded too);
- bytes sent to the browser per rerun (every ForwardMsg of the run, serialized) and the rows
  of the largest chart dataset;
- resident memory of the server process: after the first page, steady (after every rerun),
  with --sessions sessions open at once (the snapshot must be loaded once per process), peak.

The naive baseline gets --naive-runs reruns per selection (at least one, at most
--naive-budget seconds a selection); its ratio is taken against the dashboard's Overview plus
Reintegration progress pages, the two pages whose charts it draws.

With --browser, each size is also measured in the browser (`benchmarks/browser.py`, also run on
its own as `python -m benchmarks.browser`): the dashboard and the floor served by `streamlit run`,
a user's pick in the Cohort filter in Chromium, the time to the script finished and every chart
drawn, floor and page picks interleaved, --browser-runs picks a page; and the bytes received over
the websocket per pick. Off by default (it needs Chromium and takes minutes); `--quick --browser`
makes it a short one (2 picks a page after 1 warm-up, Overview and Reintegration progress).

Prints a table and writes everything as JSON (--json, default benchmarks/results/latest.json).
`--profile PAGE` measures only PAGE (first size) and prints the top entries of a cProfile of the
script thread during its fresh reruns (`--profile-seen`: reruns to selections seen before;
`--profile-out FILE` keeps the whole profile for pstats).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks import browser
from benchmarks.setup import ROOT, code_version, ensure_snapshot, machine
from data_access.prepared import PREPARED_VARIABLE

COMPARED_PAGES = ("overview", "progress")


def run_worker(variant: str, root: Path, args: argparse.Namespace, *, cold_only: bool = False) -> dict:
    command = [sys.executable, "-m", "benchmarks.worker", variant, str(root), "--sessions", str(args.sessions)]
    if cold_only:
        command += ["--cold-only"]
    elif args.profile:
        command += ["--runs", str(args.runs), "--warm-up", str(args.warm_up), "--profile", args.profile, "--no-floor"]
        if args.profile_out:
            command += ["--profile-out", str(args.profile_out)]
        if args.profile_seen:
            command += ["--profile-seen"]
    elif variant == "app":
        command += ["--runs", str(args.runs), "--warm-up", str(args.warm_up)]
        if args.pages:
            command += ["--pages", *args.pages]
        if args.no_floor:
            command += ["--no-floor"]
    else:
        command += ["--runs", str(args.naive_runs), "--warm-up", "0", "--budget", str(args.naive_budget)]
    limit = args.max_rss_gib * 2**30
    started = time.time()
    command += ["--started", repr(started)]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        env = {**os.environ, PREPARED_VARIABLE: str(args.data / "prepared")}
        worker = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr, text=True, env=env)
        loads = []
        # A guard for a shared machine: the naive baseline's memory grows with the data.
        while worker.poll() is None:
            loads.append(os.getloadavg()[0])
            try:
                resident = psutil.Process(worker.pid).memory_info().rss
            except psutil.NoSuchProcess:
                break
            if resident > limit:
                worker.kill()
                worker.wait()
                seconds = time.time() - started
                return {"variant": variant, "stopped": f"over {args.max_rss_gib} GiB resident after {seconds:.0f} s"}
            time.sleep(0.5)
        stdout.seek(0)
        stderr.seek(0)
        if worker.returncode != 0:
            raise RuntimeError(f"{variant} worker failed:\n{stderr.read()[-3000:]}")
        result = json.loads(stdout.read().strip().splitlines()[-1])
        result["load_average"] = {"mean": round(statistics.mean(loads or [0]), 2), "max": round(max(loads or [0]), 2)}
        return result


def compare(app: dict, naive: dict, measured: str = "pages") -> dict:
    """Naive p50 over the dashboard's p50 (Overview + Reintegration progress), per selection;
    `measured="pages_revisit"` compares with the reruns to a selection seen before."""
    out = {}
    for label, figures in naive["pages"]["naive"].items():
        pages = [app[measured][p][label]["wall_ms_p50"] for p in COMPARED_PAGES if p in app.get(measured, {})]
        if pages:
            out[label] = round(figures["wall_ms_p50"] / sum(pages), 1)
    return out


FLOOR_TARGETS = {100_000: (2, 3, 1.5), 1_000_000: (3, 4, 1.5)}  # fresh p50, fresh p95, seen p50: × the floor
BYTES_TARGET = 60_000


def print_ratios(size: dict) -> None:
    """Each page as a multiple of the floor measured beside it (wall clock; script CPU after)."""
    app = size["app"]
    if not app.get("ratios"):
        return
    load = app.get("load_average", {})
    print(
        f"\n{size['people']:,} people, pages ÷ the floor (same run; load average during the run "
        f"{load.get('mean', float('nan')):.1f}, max {load.get('max', float('nan')):.1f}, {os.cpu_count()} cores)"
    )
    print(
        f"{'page':<15}{'fresh p50':>10}{'p95':>7}{'seen p50':>10}{'p95':>7}{'cpu fresh':>10}{'cpu seen':>9}"
        f"{'kB/rerun':>9}{'page ms':>9}{'floor ms':>9}"
    )
    for page, r in app["ratios"].items():
        fresh, seen = r["fresh"], r["seen"]
        print(
            f"{page:<15}{fresh['wall_ms_p50_ratio']:>9.1f}×{fresh['wall_ms_p95_ratio']:>6.1f}×"
            f"{seen['wall_ms_p50_ratio']:>9.1f}×{seen['wall_ms_p95_ratio']:>6.1f}×"
            f"{fresh['script_cpu_ms_p50_ratio']:>9.1f}×{seen['script_cpu_ms_p50_ratio']:>8.1f}×"
            f"{fresh['bytes_p50'] / 1000:>9.1f}{fresh['wall_ms_p50']:>9.0f}{fresh['floor_wall_ms_p50']:>9.0f}"
        )
    floor = next(iter(app["ratios"].values()))["fresh"]
    print(f"{'floor':<15}{'':>49}{floor['floor_bytes_p50'] / 1000:>9.1f}")


def ratio_markdown(report: dict) -> str:
    """The README's table of pages against the floor: ratios first, absolute times after."""
    lines = []
    for size in report["sizes"]:
        app = size["app"]
        if not app.get("ratios"):
            continue
        load = app.get("load_average", {})
        found = FLOOR_TARGETS.get(size["people"])
        lines += [
            f"{size['people']:,} people; load average during the run {load.get('mean', 0):.1f} "
            f"(max {load.get('max', 0):.1f}) on {report['machine']['cpus']} cores"
            + (f"; targets: fresh p50 ≤ {found[0]}×, p95 ≤ {found[1]}×, seen p50 ≤ {found[2]}×" if found else "")
            + f", ≤ {BYTES_TARGET // 1000} kB per rerun",
            "",
            "| page | fresh p50 ÷ floor | fresh p95 ÷ floor | seen p50 ÷ floor | seen p95 ÷ floor "
            "| CPU fresh / seen ÷ floor | kB per rerun | fresh p50 / p95 ms | seen p50 ms | floor p50 ms |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for page, r in app["ratios"].items():
            fresh, seen = r["fresh"], r["seen"]
            lines.append(
                f"| {page} | {fresh['wall_ms_p50_ratio']:.1f}× | {fresh['wall_ms_p95_ratio']:.1f}× "
                f"| {seen['wall_ms_p50_ratio']:.1f}× | {seen['wall_ms_p95_ratio']:.1f}× "
                f"| {fresh['script_cpu_ms_p50_ratio']:.1f}× / {seen['script_cpu_ms_p50_ratio']:.1f}× "
                f"| {fresh['bytes_p50'] / 1000:.0f} | {fresh['wall_ms_p50']:.0f} / {fresh['wall_ms_p95']:.0f} "
                f"| {seen['wall_ms_p50']:.0f} | {fresh['floor_wall_ms_p50']:.0f} |"
            )
        floor = next(iter(app["ratios"].values()))["fresh"]
        lines += [f"| *floor* | 1× | 1× | 1× | 1× | 1× | {floor['floor_bytes_p50'] / 1000:.0f} | | | |", ""]
    return "\n".join(lines)


def print_table(report: dict) -> None:
    for size in report["sizes"]:
        app, naive = size["app"], size.get("naive")
        if naive and "stopped" in naive:
            print(f"\n{size['people']:,} people: naive baseline stopped, {naive['stopped']}")
            naive = None
        print(
            f"\n{size['people']:,} people  (cold start {app['cold_start_s']:.1f} s, "
            f"restart {size.get('restart', {}).get('cold_start_s', float('nan')):.1f} s; memory MiB: "
            f"first page {app['rss_after_first_page_mib']:.0f}, steady {app['steady_rss_mib']:.0f}, "
            f"{app['sessions']} sessions {app['sessions_rss_mib']:.0f}, peak {app['peak_rss_mib']:.0f}; "
            f"snapshot loads {app['snapshot_loads']})"
        )
        print(
            f"{'page':<21}{'selection':<9}{'p50 ms':>8}{'p95 ms':>8}{'script':>8}{'cpu':>8}{'query':>8}"
            f"{'chart':>8}{'kB sent':>10}{'max rows':>11}"
        )
        rows = [(page, sel, figures) for page, sels in app["pages"].items() for sel, figures in sels.items()]
        rows += [
            (f"{page} (seen)", sel, figures)
            for page, sels in app.get("pages_revisit", {}).items()
            for sel, figures in sels.items()
        ]
        if naive:
            rows += [("naive", sel, figures) for sel, figures in naive["pages"]["naive"].items()]
        for page, selection, f in rows:
            print(
                f"{page:<21}{selection:<9}{f['wall_ms_p50']:>8.0f}{f['wall_ms_p95']:>8.0f}{f['script_ms_p50']:>8.0f}{f['script_cpu_ms_p50']:>8.0f}"
                f"{f['query_ms_p50']:>8.0f}{f['chart_ms_p50']:>8.0f}{f['bytes_max'] / 1000:>10,.0f}"
                f"{f['largest_chart_rows']:>11,}"
            )
        if naive:
            print(
                f"naive baseline: cold start {naive['cold_start_s']:.1f} s, steady {naive['steady_rss_mib']:.0f} MiB, "
                f"peak {naive['peak_rss_mib']:.0f} MiB; speed-up (naive / overview + progress, p50): "
                + ", ".join(f"{k} {v}x" for k, v in size["speed_up"].items())
            )
        print_ratios(size)
        if size.get("browser"):
            browser.print_table(browser.label(size["people"]), size["browser"])


TARGETS = {100_000: (80, 150, 3, 600), 1_000_000: (150, 300, 15, 2560)}  # p50, p95 ms, cold s, MiB


def markdown(report: dict) -> str:
    """The README's results table: per size, the worst page against the issue's targets."""

    def worst(app: dict, key: str, pages: str = "pages") -> tuple[float, str]:
        return max((f[key], f"{page}, {sel}") for page, sels in app[pages].items() for sel, f in sels.items())

    lines = [
        "| measure | " + " | ".join(f"{s['people']:,} people" for s in report["sizes"]) + " |",
        "|---|" + "---|" * len(report["sizes"]),
    ]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in report["sizes"]) + " |")

    def target(size: dict, index: int, unit: str) -> str:
        found = TARGETS.get(size["people"])
        return f" (target ≤ {found[index]:,} {unit})" if found else ""

    def slowest(label: str, key: str, index: int | None = None, pages: str = "pages") -> None:
        """The slowest page and selection for `key`, against target `index` where there is one."""
        row(
            label,
            lambda s: (
                "{:.0f} ms ({})".format(*worst(s["app"], key, pages))
                + (target(s, index, "ms") if index is not None else "")
            ),
        )

    for stat, index in (("p50", 0), ("p95", 1)):
        slowest(f"warm rerun {stat}, slowest page (wall)", f"wall_ms_{stat}", index)
        slowest(f"warm rerun {stat}, slowest page (script CPU)", f"script_cpu_ms_{stat}")
    row("median page p50 (wall)", lambda s: f"{s['median_page_p50_ms']:.0f} ms")
    if all("pages_revisit" in s["app"] for s in report["sizes"]):
        for stat, index in (("p50", 0), ("p95", 1)):
            label = f"rerun {stat} to a selection seen before (result cache), slowest page (wall)"
            slowest(label, f"wall_ms_{stat}", index, "pages_revisit")
    row("cold start to first page (first start)", lambda s: f"{s['app']['cold_start_s']:.1f} s" + target(s, 2, "s"))
    row(
        "cold start to first page (restart: prepared copy)",
        lambda s: f"{s['restart']['cold_start_s']:.1f} s" + target(s, 2, "s") if "restart" in s else "not run",
    )
    row("steady server memory", lambda s: f"{s['app']['steady_rss_mib']:,.0f} MiB" + target(s, 3, "MiB"))
    row(
        "memory with 5 sessions / peak",
        lambda s: (
            f"{s['app']['sessions_rss_mib']:,.0f} / {s['app']['peak_rss_mib']:,.0f} MiB, "
            f"{s['app']['snapshot_loads']} load"
        ),
    )
    row(
        "data sent per rerun, largest page",
        lambda s: "{:,.0f} kB ({})".format(worst(s["app"], "bytes_max")[0] / 1000, worst(s["app"], "bytes_max")[1]),
    )
    row("largest chart dataset", lambda s: f"{worst(s['app'], 'largest_chart_rows')[0]:,} rows")
    row(
        "speed-up over naive (p50, overview + progress)",
        lambda s: (
            ", ".join(f"{k} {v}×" for k, v in s["speed_up"].items())
            if s.get("speed_up")
            else s.get("naive", {}).get("stopped", "not run")
        ),
    )
    row(
        "speed-up over naive, selection seen before",
        lambda s: ", ".join(f"{k} {v}×" for k, v in s["speed_up_seen"].items()) if s.get("speed_up_seen") else "—",
    )
    row(
        "snapshot rows (events / assessments / services)",
        lambda s: "{stage_events:,} / {assessments:,} / {services:,}".format(**s["snapshot"]["rows"]),
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=20, help="measured reruns per page and selection")
    parser.add_argument("--warm-up", type=int, default=2, help="reruns before measuring, per page and selection")
    parser.add_argument("--sessions", type=int, default=5, help="sessions open at once for the memory figure")
    parser.add_argument("--pages", nargs="+", help="dashboard pages to measure (default: all)")
    parser.add_argument("--naive-runs", type=int, default=3, help="naive baseline reruns per selection")
    parser.add_argument("--naive-budget", type=float, default=120, help="seconds per selection for the naive runs")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (no ratios)")
    parser.add_argument(
        "--profile", metavar="PAGE", help="profile PAGE's fresh reruns at the first size, print the top entries, stop"
    )
    parser.add_argument("--profile-out", type=Path, help="with --profile: also write the whole profile (pstats)")
    parser.add_argument("--profile-seen", action="store_true", help="with --profile: selections seen before instead")
    parser.add_argument("--max-rss-gib", type=float, default=8, help="stop a worker above this resident memory")
    parser.add_argument("--quick", action="store_true", help="2,000 people, 3 runs, 2 sessions: checks it works")
    parser.add_argument("--browser", action="store_true", help="also measure picks in Chromium (benchmarks/browser.py)")
    parser.add_argument("--browser-runs", type=int, default=8, help="measured picks per page in the browser")
    parser.add_argument("--browser-warm-up", type=int, default=2, help="picks before measuring, per page (browser)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench_data"), help="where snapshots are cached")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument(
        "--markdown", type=Path, metavar="JSON", help="print the README table of a results file and stop"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        results = json.loads(args.markdown.read_text())
        if all("app" in size for size in results["sizes"]):  # not a report of the browser alone
            print(ratio_markdown(results))
            print(markdown(results))
        if any(size.get("browser") for size in results["sizes"]):
            print("\n" + browser.markdown(results))
        return 0
    if args.quick:
        args.sizes, args.runs, args.warm_up, args.sessions, args.naive_runs = [2_000], 3, 1, 2, 1
        args.browser_runs, args.browser_warm_up = 2, 1

    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "code": code_version(),
        "runs": args.runs,
        "sizes": [],
    }
    if args.profile:
        people = args.sizes[0]
        ensure_snapshot(args.data, people)
        profiled = run_worker("app", args.data / str(people), args)
        figures = profiled["pages"][args.profile]
        print(profiled["profile"])
        print(
            f"{args.profile}, {people:,} people, fresh selections: "
            + ", ".join(f"{sel} p50 {f['wall_ms_p50']:.0f} ms" for sel, f in figures.items())
            + f" (profiled: slower than unprofiled); load average {profiled['load_average']['mean']:.1f}"
        )
        return 0
    for people in args.sizes:
        snapshot = ensure_snapshot(args.data, people)
        root = args.data / str(people)
        # First start: no prepared copy of this snapshot (the load checks every row and writes
        # one); restart: a new process that finds the copy, as after a server restart.
        shutil.rmtree(args.data / "prepared", ignore_errors=True)
        entry = {"people": people, "snapshot": snapshot, "app": run_worker("app", root, args)}
        entry["restart"] = run_worker("app", root, args, cold_only=True)
        if not args.no_naive:
            entry["naive"] = run_worker("naive", root, args)
            if "pages" in entry["naive"]:
                entry["speed_up"] = compare(entry["app"], entry["naive"])
                entry["speed_up_seen"] = compare(entry["app"], entry["naive"], "pages_revisit")
        if args.browser:
            pages = args.pages or (list(COMPARED_PAGES) if args.quick else None)
            entry["browser"] = browser.measure(
                root, pages, args.browser_runs, args.browser_warm_up, prepared=args.data / "prepared"
            )
        worst = [f["wall_ms_p50"] for sels in entry["app"]["pages"].values() for f in sels.values()]
        entry["worst_page_p50_ms"] = max(worst)
        entry["median_page_p50_ms"] = statistics.median(worst)
        report["sizes"].append(entry)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
    print_table(report)
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
