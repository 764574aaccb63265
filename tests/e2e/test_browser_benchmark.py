"""The browser benchmark (`benchmarks/browser.py`) runs on the committed sample: real picks in the
Cohort filter on two pages and on the floor beside them, each timed to done, with the bytes the
websocket delivered (timings are not asserted beyond being there: they depend on the machine)."""

from __future__ import annotations

from benchmarks import browser as bench
from tests.conftest import SAMPLE_ROOT

PAGES = ["progress", "about"]


def test_picks_on_two_pages_and_the_floor_are_timed_with_their_bytes(browser):
    result = bench.measure(SAMPLE_ROOT, PAGES, runs=2, warm_up=1, browser=browser)

    assert result["result_cache"] == "off" and result["runs"] == 2
    for page in PAGES:
        figures = result[page]
        assert figures["runs"] == 2 and len(figures["ms_samples"]) == 2, page
        assert 0 < figures["p50_ms"] <= figures["p95_ms"], page
        # The script_finished message was seen, and the page was done after it.
        assert 0 < figures["finished_p50_ms"] <= figures["p50_ms"], page
        # ... and on the network, from the rerun request sent to script_finished received (CDP).
        assert 0 < figures["server_p50_ms"] <= figures["p50_ms"], page
        assert figures["ratio_p50"] > 0 and figures["ratio_p95"] > 0, page
        expected = figures["p50_ms"] / figures["floor_p50_ms"]
        assert abs(figures["ratio_p50"] - expected) < 0.02 * expected + 0.01, page
        assert figures["kb_per_rerun"] > 0 and figures["floor_kb_per_rerun"] > 0, page
    # Reintegration progress draws seven charts and sends their data; the floor one small chart.
    assert result["progress"]["charts"] > 1 and result["floor"]["charts"] == 1
    assert result["progress"]["kb_per_rerun"] > result["floor"]["kb_per_rerun"]
    floor = result["floor"]
    assert floor["runs"] == 2 * len(PAGES) and 0 < floor["p50_ms"] <= floor["p95_ms"] and floor["kb_per_rerun"] > 0
    assert 0 < floor["server_p50_ms"] <= floor["p50_ms"]
    assert result["load_average"]["max"] >= result["load_average"]["mean"] >= 0

    table = bench.markdown({"machine": {"cpus": 2}, "sizes": [{"people": 1_000, "browser": result}]})
    assert "| page | p50 ÷ floor |" in table and "| progress |" in table and "| *floor* |" in table
