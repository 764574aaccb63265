"""The benchmark harness runs end to end on a tiny snapshot and reports every figure the README
table is made from (timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_writes_every_field(tmp_path):
    out = tmp_path / "result.json"
    command = [sys.executable, "-m", "benchmarks", "--sizes", "300", "--runs", "2", "--warm-up", "0"]
    command += ["--sessions", "2", "--naive-runs", "1", "--pages", "overview"]
    command += ["--data", str(tmp_path / "data"), "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "overview" in done.stdout and "speed-up" in done.stdout

    [size] = json.loads(out.read_text())["sizes"]
    assert size["people"] == 300 and size["snapshot"]["rows"]["people"] == 300
    app, naive = size["app"], size["naive"]
    assert app["snapshot_loads"] == 1 and app["sessions"] == 2
    for figure in ("cold_start_s", "rss_after_first_page_mib", "steady_rss_mib", "sessions_rss_mib", "peak_rss_mib"):
        assert app[figure] > 0 and naive[figure] > 0, figure
    assert set(app["pages"]) == {"overview"}
    assert_floor_measured(app)
    assert "÷ the floor" in done.stdout
    for page in (*app["pages"].values(), naive["pages"]["naive"]):
        assert set(page) == {"all", "broad", "narrow"}
        for figures in page.values():
            for measure in ("wall_ms", "script_ms", "script_cpu_ms", "query_ms", "chart_ms"):
                assert figures[f"{measure}_p50"] <= figures[f"{measure}_p95"], measure
            assert figures["bytes_max"] > 0 and figures["largest_chart_rows"] >= 0
    assert app["pages"]["overview"]["all"]["query_ms_p50"] > 0
    assert app["pages"]["overview"]["all"]["chart_ms_p50"] > 0
    assert app["pages"]["overview"]["all"]["largest_chart_rows"] > 0
    assert set(size["speed_up"]) == {"all", "broad", "narrow"}
    assert size["restart"]["cold_start_s"] > 0 and not size["restart"]["pages"]
    revisit = app["pages_revisit"]["overview"]
    assert set(revisit) == {"all", "broad", "narrow"}
    assert revisit["all"]["query_ms_p50"] < app["pages"]["overview"]["all"]["query_ms_p50"]  # tables remembered
    assert "cold start to first page (restart: prepared copy)" in markdown_of(out)


def assert_floor_measured(app: dict) -> None:
    """The floor ran beside every page, to the same selections, and each page has its ratios."""
    assert set(app["floor"]) == set(app["floor_revisit"]) == set(app["ratios"]) == set(app["pages"])
    for page, floor in app["floor"].items():
        assert set(floor) == {"all", "broad", "narrow"}
        for label, figures in floor.items():
            assert figures["runs"] == app["pages"][page][label]["runs"], (page, label)
            assert figures["query_ms_p50"] == 0 and figures["chart_ms_p50"] == 0  # none of our code runs
            assert figures["bytes_max"] > 0 and figures["largest_chart_rows"] > 0
        for measured in app["ratios"][page].values():
            for name in ("wall_ms", "script_cpu_ms"):
                for stat in ("p50", "p95"):
                    expected = measured[f"{name}_{stat}"] / measured[f"floor_{name}_{stat}"]
                    assert abs(measured[f"{name}_{stat}_ratio"] - expected) < 0.05 * expected + 0.01
            assert measured["bytes_p50"] > 0 and measured["floor_bytes_p50"] > 0
    assert app["load_average"]["max"] >= app["load_average"]["mean"] >= 0


def markdown_of(results: Path) -> str:
    command = [sys.executable, "-m", "benchmarks", "--markdown", str(results)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout


def test_quick_reports_every_page_against_the_floor_and_profiles_one(tmp_path):
    out = tmp_path / "quick.json"
    command = [sys.executable, "-m", "benchmarks", "--quick", "--no-naive", "--runs", "1", "--warm-up", "0"]
    command += ["--data", str(tmp_path / "data"), "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    [size] = json.loads(out.read_text())["sizes"]
    assert set(size["app"]["ratios"]) == {"overview", "repatriations", "progress", "regions", "explorer", "about"}
    assert_floor_measured(size["app"])
    table = markdown_of(out)
    assert "| page | fresh p50 ÷ floor |" in table and "| *floor* |" in table and "| progress |" in table

    command = [sys.executable, "-m", "benchmarks", "--sizes", "2000", "--profile", "progress", "--runs", "1"]
    command += ["--warm-up", "0", "--data", str(tmp_path / "data")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Ordered by: cumulative time" in done.stdout
    # The script thread, not the main one: the script run and the page's render lead the profile
    # (a name further down, such as the sidebar's _filter_widgets, may fall out of the top 30).
    assert "script_runner.py" in done.stdout and "progress.py" in done.stdout and "(render)" in done.stdout


def test_a_page_that_shows_an_error_is_not_measured():
    from streamlit.testing.v1 import AppTest

    from benchmarks.worker import check

    at = AppTest.from_string('import streamlit as st\nst.error("Something went wrong while drawing this page.")').run()
    with pytest.raises(RuntimeError, match="the page shows an error: Something went wrong"):
        check(at, "overview")
    check(AppTest.from_string('import streamlit as st\nst.title("Overview")').run(), "overview")


def test_the_worker_compiles_a_script_once_as_a_server_does(monkeypatch):
    """A server compiles its script once; AppTest, left alone, compiles it again on every run
    (2.5 ms for the floor's script, a third of its rerun), which flattered every ratio."""
    from streamlit.runtime.scriptrunner import magic, script_runner
    from streamlit.testing.v1 import AppTest, local_script_runner

    from benchmarks.worker import Probe

    for owner, name in ((script_runner.ScriptRunner, "_run_script"), (local_script_runner.LocalScriptRunner, "run")):
        monkeypatch.setattr(owner, name, getattr(owner, name))
    monkeypatch.setattr(local_script_runner, "ScriptCache", local_script_runner.ScriptCache)
    compiled = []
    add_magic = magic.add_magic
    monkeypatch.setattr(magic, "add_magic", lambda *args: compiled.append(args[1]) or add_magic(*args))
    Probe().install()
    at = AppTest.from_string('import streamlit as st\nst.title("Overview")')
    for _ in range(3):
        at.run()
    assert at.title[0].value == "Overview"
    assert len(compiled) == 1


@pytest.mark.parametrize("root, level", [("sample_data/snapshots", "restricted"), ("sample_data/public", "public")])
def test_the_table_timings_run_on_both_levels(root, level):
    """`python -m benchmarks.tables` times every released table a page asks for, at either level."""
    command = [sys.executable, "-m", "benchmarks.tables", "--root", root, "--level", level, "--runs", "1"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    timed = {line.split()[0] for line in done.stdout.splitlines()[1:] if line.endswith(" ms")}
    assert {"headline", "arrivals", "stage_occupancy", "time_to_milestone", "region_summary"} <= timed
    assert "2026-09-30" in done.stdout.splitlines()[0] and level in done.stdout
