"""Is the dashboard fast in the browser? A user picks a value; how long until the page is done?

    python -m benchmarks.browser --size 100000                  # generated under --data, as `python -m benchmarks`
    python -m benchmarks.browser --root sample_data/snapshots --pages overview progress --runs 3
    python -m benchmarks --sizes 100000 --browser                # the same, in the full benchmark

Starts two real servers on free localhost ports, `streamlit run app.py` (the dashboard) and
`streamlit run benchmarks/floor_app.py` (the floor: the same chrome and no data work), with the
environment the AppTest worker gives the dashboard (the snapshot root, the restricted level, the
prepared copies under --data), and opens each page of both in Debian's Chromium (Playwright).
Then, page by page, it picks values in the sidebar's Cohort multiselect the way a user does (the
dropdown opened, a click on an option; or a click on a chosen cohort's ×), cycling one cohort, two,
the other one, none (everyone), alternately on the floor and on the page, so both see the same
load on the machine: a floor pick, a page pick, a floor pick, ...

A pick is measured in the page itself, on the browser's clock (`performance.now()`), from the
pointer going down on the option (or the ×) to the page being done:

- the websocket has delivered a `script_finished` message after the pick (the page's messages are
  watched in the page: a wrapped `WebSocket` reads each ForwardMsg's top-level field), and the app
  says it is idle (`[data-testid="stApp"][data-test-script-state="notRunning"]`);
- every chart is drawn (each `stVegaLiteChart` holds its canvas or SVG) and their number is stable;
- then nothing more happens: the pick's time ends at the *last* activity seen after it (a
  websocket message, a change to the DOM other than a widget's hover or focus state, a draw on a
  canvas), once nothing has happened for --settle-ms. The settle time is how the harness knows
  the page has stopped changing; it is not part of the figure.

Every wait is one of Playwright's retrying waits (`wait_for_function`) with a generous timeout.
The bytes of a pick are those of every websocket frame the page received from the pick until
done, from the Chrome DevTools protocol (`Network.webSocketFrameReceived`; binary frames arrive
base64-encoded and are counted decoded). The result cache of the dashboard is off by default
(`SECOND_CHANCE_RESULT_CACHE=0`: every pick computes its tables afresh, a selection nobody asked
for before); `--seen` keeps it on and warms up with a whole cycle of picks, so every measured
pick is to a selection asked for before.

Reports per page p50 and p95 of its picks and of the floor's picks beside it, the ratios page ÷
floor, the kB received per pick (median), and the server's part of a pick (p50): from the rerun
request sent to the script_finished message received, both frames timed by the DevTools protocol
on the network side. Prints a table and writes JSON (--json).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import re
import statistics
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from string import Template
from typing import NoReturn

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.setup import ROOT, code_version, ensure_snapshot, machine
from data_access.access import LEVEL_VARIABLE
from data_access.catalogue import LEVEL_ROOT_VARIABLES, ROOT_VARIABLE
from data_access.prepared import PREPARED_VARIABLE
from data_access.results import RESULTS_VARIABLE
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Server  # as the browser tests launch them
from tests.e2e.helpers import websocket_frame
from ui.context import RESCAN_VARIABLE

FLOOR = Path(__file__).resolve().parent / "floor_app.py"
PAGES = ("overview", "repatriations", "progress", "regions", "explorer", "about")
URL_PATHS = {page: "" if page == "overview" else page for page in PAGES}
"""The same URL paths on the dashboard and on the floor (the floor takes the dashboard's pages)."""
KEY = "cohort"
PICKS = (("add", "Jusan-2"), ("add", "Jusan-3"), ("remove", "Jusan-2"), ("remove", "Jusan-3"))
"""The cycle of picks in the Cohort multiselect: one cohort, two, the other one, none (everyone).
A removal clicks the cohort's × on its tag ("Clear all" is no good: on a busy layout a click on it
may open the dropdown instead)."""
START_TIMEOUT_S = int(os.environ.get("BENCH_START_TIMEOUT_S", 600))
"""A server's first page at 1M people loads the snapshot (seconds with a prepared copy, minutes without)."""
PICK_TIMEOUT_MS = int(os.environ.get("BENCH_PICK_TIMEOUT_MS", 300_000))

EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
WATCH = Template("""
(() => {
  const FIELD = $field, EARLY = $early;
  const B = (window.__bench = { armed: false, t0: null, last: 0, finished: [], charts: -1, bytes: 0, frames: 0 });
  const touch = () => { if (B.armed && B.t0 !== null) B.last = Math.max(B.last, performance.now()); };
  B.early = EARLY;
  // The status of a ForwardMsg's script_finished field (a top-level varint), or null.
  const finished = (b) => {
    let i = 0;
    const varint = () => {
      let r = 0, s = 1, x;
      do { x = b[i++]; r += (x & 127) * s; s *= 128; } while (x & 128 && i < b.length);
      return r;
    };
    while (i < b.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) { const v = varint(); if (field === FIELD) return v; }
      else if (wire === 2) { const n = varint(); i += n; } // not `i += varint()`: that adds to i as it was
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return null;
    }
    return null;
  };
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!B.armed || B.t0 === null) return;
        touch();
        B.frames += 1;
        if (event.data instanceof ArrayBuffer) {
          B.bytes += event.data.byteLength;
          const status = finished(new Uint8Array(event.data));
          if (status !== null) B.finished.push([performance.now(), status]);
        }
      });
    }
  }
  window.WebSocket = Watched;
  for (const type of ["pointerdown", "keydown"]) {
    const picked = (event) => { if (B.armed && B.t0 === null) { B.t0 = event.timeStamp; B.last = B.t0; } };
    window.addEventListener(type, picked, true);
  }
  const everything = { subtree: true, childList: true, attributes: true, characterData: true };
  // Drawing, not the widgets' pointer and focus states (react-aria's data-hovered, data-focused, ...).
  const state = /^data-(hovered|pressed|focused|focus-visible|focus-within)$$/;
  const drawing = (records) => { if (records.some((r) => !state.test(r.attributeName || ""))) touch(); };
  new MutationObserver(drawing).observe(document, everything);
  const canvas = CanvasRenderingContext2D.prototype;
  for (const name of ["clearRect", "fillRect", "drawImage", "fill", "stroke", "fillText", "restore"]) {
    const draw = canvas[name];
    canvas[name] = function (...args) { touch(); return draw.apply(this, args); };
  }
})();
""").substitute(
    field=ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number,
    early=EARLY,
)
ARM = """() => Object.assign(
  window.__bench, { armed: true, t0: null, last: 0, finished: [], charts: -1, bytes: 0, frames: 0 }
)"""
DONE = """
(settle) => {
  const B = window.__bench, now = performance.now();
  if (B.t0 === null || !B.finished.some(([at, status]) => at >= B.t0 && status !== B.early)) return false;
  if (!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')) return false;
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  for (const chart of charts) if (!chart.querySelector(".vega-embed canvas, .vega-embed svg")) return false;
  const stable = charts.length === B.charts;
  B.charts = charts.length;
  if (!stable || now - B.last < settle) return false;
  B.armed = false;
  const ran = B.finished.filter(([at, status]) => at >= B.t0 && status !== B.early);
  const finished_ms = ran[ran.length - 1][0] - B.t0;
  // Done is the last activity, and never before script_finished (read a moment after its frame).
  const ms = Math.max(B.last - B.t0, finished_ms);
  return { ms, finished_ms, charts: charts.length, frames: B.frames, bytes: B.bytes };
}
"""
IDLE = """
(settle) => {
  const B = window.__bench, now = performance.now();
  const idle = document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]');
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  const drawn = [...charts].every((chart) => chart.querySelector(".vega-embed canvas, .vega-embed svg"));
  if (!idle || !drawn) { B.quiet = now; return false; }
  if (B.quiet === undefined || charts.length !== B.charts) { B.quiet = now; B.charts = charts.length; return false; }
  return now - B.quiet >= settle && document.querySelector("h1") !== null;
}
"""
STATE = """
() => {
  const B = window.__bench, app = document.querySelector('[data-testid="stApp"]');
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const drawn = charts.filter((c) => c.querySelector(".vega-embed canvas, .vega-embed svg")).length;
  const state = app && app.getAttribute("data-test-script-state");
  return { ...B, now: performance.now(), state, charts: charts.length, drawn };
}
"""
"""After opening a page: idle, every chart drawn, for --settle-ms (no measurement, just ready)."""


def _refuse(message: str) -> NoReturn:
    raise RuntimeError(message)


def server_env(root: Path, prepared: Path | None, seen: bool) -> dict[str, str]:
    """What the AppTest worker gives the dashboard: the snapshot root, the restricted level, the
    prepared copies; and the result cache off unless `seen`. The folder is not re-scanned on a
    timer (a fragment rerun every 10 s would land in some picks; AppTest never runs it either)."""
    env = {k: v for k, v in os.environ.items() if k not in LEVEL_ROOT_VARIABLES.values()}
    env.update({ROOT_VARIABLE: str(root), LEVEL_VARIABLE: "restricted", "PYTHONUNBUFFERED": "1"})
    env[RESCAN_VARIABLE] = "86400"
    if prepared is not None:
        env[PREPARED_VARIABLE] = str(prepared)
    if seen:
        env.pop(RESULTS_VARIABLE, None)
    else:
        env[RESULTS_VARIABLE] = "0"
    return env


class Tab:
    """One app in its own browser context: its page, a CDP session counting websocket bytes."""

    def __init__(self, browser, url: str, name: str) -> None:
        self.url, self.name = url, name
        self.context = browser.new_context(viewport={"width": 1440, "height": 900})
        self.context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort()
        )
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.frames: list[int] = []
        self.sent: list[tuple[float, str]] = []  # (CDP timestamp, BackMsg type) of the frames sent
        self.finished: list[tuple[float, int]] = []  # (CDP timestamp, status) of script_finished frames
        cdp = self.context.new_cdp_session(self.page)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._sent)
        cdp.send("Network.enable")
        self.cdp = cdp

    def _frame(self, event: dict) -> None:
        size, message = websocket_frame(event)
        self.frames.append(size)
        if message is not None and message.WhichOneof("type") == "script_finished":
            self.finished.append((event["timestamp"], message.script_finished))

    def _sent(self, event: dict) -> None:
        response = event["response"]
        if response.get("opcode") == 2:
            message = BackMsg.FromString(base64.b64decode(response.get("payloadData", "")))
            self.sent.append((event["timestamp"], message.WhichOneof("type") or ""))

    def server_ms(self) -> float | None:
        """From the rerun request leaving the page to the run's script_finished arriving, both on
        the network (CDP's clock): the server's part of a pick, with the localhost round trip."""
        asked = [at for at, kind in self.sent if kind == "rerun_script"]
        ran = [at for at, status in self.finished if status != EARLY]
        return (ran[-1] - asked[0]) * 1000 if asked and ran and ran[-1] > asked[0] else None

    def open(self, page: str, settle_ms: float) -> None:
        self.page.goto(f"{self.url}/{URL_PATHS[page]}", timeout=START_TIMEOUT_S * 1000)
        try:
            self.page.wait_for_function(IDLE, arg=settle_ms, polling=50, timeout=START_TIMEOUT_S * 1000)
        except Exception as error:
            raise RuntimeError(f"{self.name}, opening {page}: not ready ({self.page.evaluate(STATE)})") from error
        self.check(f"opening {page}")

    def check(self, where: str) -> None:
        if self.page.locator('[data-testid="stException"]').count():
            raise RuntimeError(f"{self.name}, {where}: an exception on the page")
        if self.errors:
            raise RuntimeError(f"{self.name}, {where}: {self.errors[0]}")

    def pick(self, action: str, option: str, settle_ms: float) -> dict:
        """Add `option` to the Cohort multiselect or remove it, as a user does, and measure to done."""
        widget = self.page.locator(f".st-key-{KEY}")
        if action == "remove":
            # Not by role: while the dropdown is open the tags are aria-hidden.
            tag = f'button[aria-label="Remove {option}"], button[aria-label^="Remove {option} ("]'
            target = widget.locator(".react-aria-ComboBox").locator(tag)
        else:
            widget.get_by_role("combobox").click()
            target = self.page.get_by_role("option", name=re.compile(rf"^{re.escape(option)}( \(|$)"))
        target.wait_for(timeout=PICK_TIMEOUT_MS)
        self.page.evaluate(ARM)
        self.frames.clear()
        self.sent.clear()
        self.finished.clear()
        target.click(timeout=PICK_TIMEOUT_MS)
        try:
            done = self.page.wait_for_function(DONE, arg=settle_ms, polling=50, timeout=PICK_TIMEOUT_MS).json_value()
        except Exception as error:
            state = self.page.evaluate(STATE)
            raise RuntimeError(f"{self.name}, {action} {option}: not done ({state})") from error
        # The CDP events of the pick reach Python while it waits; one more round trip for the last.
        self.page.evaluate("0")
        self.close_dropdown()
        self.check(f"{action} {option}")
        return {
            "ms": done["ms"],
            "finished_ms": done["finished_ms"],
            "server_ms": self.server_ms(),
            "bytes": sum(self.frames),
            "page_bytes": done["bytes"],
            "charts": done["charts"],
        }

    def close_dropdown(self) -> None:
        """Close the multiselect's dropdown, so the next pick starts from a closed one (an open
        one swallows a click outside it, such as on "Clear all")."""
        listbox = self.page.get_by_role("listbox")
        for attempt in range(3):
            if not listbox.count():
                return
            if attempt == 0:
                self.page.locator(f".st-key-{KEY}").get_by_role("combobox").press("Escape")
            else:  # focus was elsewhere: a click on the page's title, outside the dropdown
                self.page.locator("h1").first.click()
            try:
                listbox.first.wait_for(state="hidden", timeout=10_000)
                return
            except Exception:
                continue
        raise RuntimeError(f"{self.name}: the dropdown does not close")

    def close(self) -> None:
        self.context.close()


@contextmanager
def launch():
    """Debian's Chromium, headless, as the browser tests launch it."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"No browser at {CHROMIUM}: install Debian's Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(picks: list[dict]) -> dict:
    times = [p["ms"] for p in picks]
    server = [p["server_ms"] for p in picks if p["server_ms"] is not None]
    return {
        "runs": len(picks),
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "kb_per_rerun": round(statistics.median(p["bytes"] for p in picks) / 1000, 1),
        # From the pick to the page's script seeing script_finished (its main thread may be busy
        # drawing the run's first elements before it gets to that message).
        "finished_p50_ms": round(percentile([p["finished_ms"] for p in picks], 0.5), 1),
        # From the rerun request sent to script_finished received, on the network: the server's part.
        "server_p50_ms": round(percentile(server, 0.5), 1) if server else None,
        "charts": max(p["charts"] for p in picks),
        "ms_samples": [round(t, 1) for t in times],
        "bytes_samples": [p["bytes"] for p in picks],
    }


def measure(
    root: Path,
    pages: list[str] | None = None,
    runs: int = 8,
    warm_up: int = 2,
    settle_ms: float = 500,
    prepared: Path | None = None,
    seen: bool = False,
    browser=None,
) -> dict:
    """The browser figures for the snapshots under `root`: per page and for the floor. In
    `browser` (a Playwright Browser) when given, else in a Chromium launched here."""
    pages = list(pages or PAGES)
    if seen:  # a whole cycle first, so that every measured pick is to a selection asked for before
        warm_up = max(warm_up, len(PICKS))
    env = server_env(root, prepared, seen)
    loads: list[float] = []
    out: dict = {"runs": runs, "warm_up": warm_up, "settle_ms": settle_ms, "result_cache": "on" if seen else "off"}
    with ExitStack() as stack:
        # Started as the browser tests start the dashboard; a server that does not come up is an error.
        app = stack.enter_context(Server(environ=env, wait=120, fail=_refuse))
        floor = stack.enter_context(Server(script=FLOOR, environ=env, wait=120, fail=_refuse))
        if browser is None:
            browser = stack.enter_context(launch())
        tabs = {"floor": Tab(browser, floor.url, "floor"), "app": Tab(browser, app.url, "dashboard")}
        picked: dict[str, dict[str, list[dict]]] = {}
        for page in pages:
            for tab in tabs.values():
                tab.open(page, settle_ms)
            picked[page] = {"floor": [], "app": []}
            for i in range(warm_up + runs):
                action, option = PICKS[i % len(PICKS)]
                loads.append(os.getloadavg()[0])
                for name, tab in tabs.items():
                    result = tab.pick(action, option, settle_ms)
                    if i >= warm_up:
                        picked[page][name].append(result)
            done = {name: percentile([p["ms"] for p in picks], 0.5) for name, picks in picked[page].items()}
            print(f"browser: {page} {done['app']:.0f} ms, floor {done['floor']:.0f} ms", file=sys.stderr, flush=True)
        for tab in tabs.values():
            tab.close()
    floor_all = []
    for page, both in picked.items():
        mine, theirs = summary(both["app"]), summary(both["floor"])
        floor_all += both["floor"]
        out[page] = {
            **mine,
            "ratio_p50": round(mine["p50_ms"] / theirs["p50_ms"], 2),
            "ratio_p95": round(mine["p95_ms"] / theirs["p95_ms"], 2),
            "floor_p50_ms": theirs["p50_ms"],
            "floor_p95_ms": theirs["p95_ms"],
            "floor_kb_per_rerun": theirs["kb_per_rerun"],
            "floor_server_p50_ms": theirs["server_p50_ms"],
        }
    out["floor"] = summary(floor_all)
    out["load_average"] = {"mean": round(statistics.mean(loads), 2), "max": round(max(loads), 2)}
    return out


def print_table(people: int | str, browser: dict) -> None:
    load = browser["load_average"]
    print(
        f"\n{people}, in the browser: a pick in the Cohort filter → script idle and every chart drawn "
        f"({browser['runs']} picks a page, result cache {browser['result_cache']}; load average "
        f"{load['mean']:.1f}, max {load['max']:.1f}, {os.cpu_count()} cores)"
    )
    print(
        f"{'page':<15}{'p50 ÷ floor':>12}{'p95 ÷ floor':>12}{'p50 ms':>9}{'p95 ms':>9}{'floor p50':>10}{'kB/pick':>9}"
        f"{'server p50':>11}"
    )
    for page, r in browser.items():
        if page in PAGES:
            print(
                f"{page:<15}{r['ratio_p50']:>11.1f}×{r['ratio_p95']:>11.1f}×{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
                f"{r['floor_p50_ms']:>10.0f}{r['kb_per_rerun']:>9.1f}{ms(r.get('server_p50_ms')):>11}"
            )
    floor = browser["floor"]
    print(
        f"{'floor':<15}{'1×':>12}{'1×':>12}{floor['p50_ms']:>9.0f}{floor['p95_ms']:>9.0f}{'':>10}"
        f"{floor['kb_per_rerun']:>9.1f}{ms(floor.get('server_p50_ms')):>11}"
    )


BROWSER_TARGET = 2


def label(people: int | str) -> str:
    """ "100,000 people" for a generated snapshot; the folder's name for one given with --root."""
    return f"{people:,} people" if isinstance(people, int) else str(people)


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def markdown(report: dict) -> str:
    """The README's table of the browser figures, per size that has them."""
    lines = []
    for size in report["sizes"]:
        browser = size.get("browser")
        if not browser:
            continue
        load = browser["load_average"]
        lines += [
            f"{label(size['people'])}, in the browser ({browser['runs']} picks a page, result cache "
            f"{browser['result_cache']}); load average {load['mean']:.1f} (max {load['max']:.1f}) on "
            f"{report['machine']['cpus']} cores; target: ≤ {BROWSER_TARGET}× the floor",
            "",
            "| page | p50 ÷ floor | p95 ÷ floor | p50 / p95 ms | floor p50 / p95 ms | kB per pick | server p50 ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for page, r in browser.items():
            if page in PAGES:
                lines.append(
                    f"| {page} | {r['ratio_p50']:.1f}× | {r['ratio_p95']:.1f}× | {r['p50_ms']:.0f} / {r['p95_ms']:.0f} "
                    f"| {r['floor_p50_ms']:.0f} / {r['floor_p95_ms']:.0f} | {r['kb_per_rerun']:.0f} "
                    f"| {ms(r.get('server_p50_ms'))} |"
                )
        floor = browser["floor"]
        lines += [
            f"| *floor* | 1× | 1× | {floor['p50_ms']:.0f} / {floor['p95_ms']:.0f} | | {floor['kb_per_rerun']:.0f} "
            f"| {ms(floor.get('server_p50_ms'))} |",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.browser", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--size", type=int, default=100_000, help="people in the generated snapshot (under --data)")
    where.add_argument("--root", type=Path, help="a folder of snapshot folders to use as it is (no generation)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench_data"), help="where snapshots are cached")
    parser.add_argument("--pages", nargs="+", choices=PAGES, help="pages to measure (default: all)")
    parser.add_argument("--runs", type=int, default=8, help="measured picks per page (and as many on the floor)")
    parser.add_argument("--warm-up", type=int, default=2, help="picks before measuring, per page")
    parser.add_argument("--settle-ms", type=float, default=500, help="quiet time that says a page is done")
    parser.add_argument(
        "--seen", action="store_true", help="keep the dashboard's result cache on (at least 4 warm-up picks)"
    )
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "browser-latest.json")
    args = parser.parse_args(argv)

    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.browser " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "code": code_version(),
    }
    if args.root:
        root, prepared, people = args.root.resolve(), None, str(args.root)
    else:
        ensure_snapshot(args.data, args.size)
        root, prepared, people = args.data / str(args.size), args.data / "prepared", args.size
    result = measure(root, args.pages, args.runs, args.warm_up, args.settle_ms, prepared, args.seen)
    # Shaped as `python -m benchmarks` writes its report, so `--markdown` reads either.
    report["sizes"] = [{"people": people, "root": str(root), "browser": result}]
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1))
    print_table(label(people), result)
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
