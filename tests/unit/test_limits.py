"""The size limits a snapshot is checked against from its Parquet footers, before any row is read,
and the one slot for large loads (issue 20)."""

from __future__ import annotations

import threading
import time

import pytest

from data_access import limits as lim
from data_access.check import main
from data_access.integrity import footer_problems
from data_access.limits import Limits, one_large_load
from tests import broken, hostile


def test_the_defaults_apply_when_nothing_is_set(monkeypatch):
    for name in ("table_rows", "reference_rows", "snapshot_rows", "table_bytes", "snapshot_bytes"):
        monkeypatch.delenv(lim.variable(name), raising=False)
    assert Limits.from_environment() == Limits()
    assert Limits().table_rows == 40_000_000 and Limits().snapshot_bytes == 2 * 1024**3


@pytest.mark.parametrize(("raw", "expected"), [("1000", 1000), ("1_000", 1000), ("1,000", 1000), (" 7 ", 7)])
def test_a_limit_is_read_from_its_variable(monkeypatch, raw, expected):
    monkeypatch.setenv("SECOND_CHANCE_MAX_TABLE_ROWS", raw)
    assert Limits.from_environment().table_rows == expected


@pytest.mark.parametrize("raw", ["0", "-5", "lots", "1e9", "2.5"])
def test_a_limit_that_is_not_a_whole_number_above_zero_keeps_the_default(monkeypatch, caplog, raw):
    monkeypatch.setenv("SECOND_CHANCE_MAX_SNAPSHOT_BYTES", raw)
    assert Limits.from_environment().snapshot_bytes == Limits().snapshot_bytes
    assert "SECOND_CHANCE_MAX_SNAPSHOT_BYTES" in caplog.text


def _over(problems) -> list[str]:
    return [str(p) for p in problems if "over this server's limit" in str(p)]


def test_every_limit_is_checked_from_the_footers(tmp_path):
    folder = broken.write(tmp_path / broken.GOOD)
    assert _over(footer_problems(folder)) == []
    tight = Limits(table_rows=20, reference_rows=2, snapshot_rows=50, table_bytes=400, snapshot_bytes=2_000)
    found = _over(footer_problems(folder, limits=tight))
    assert "cohorts.parquet: holds 2 rows" not in " ".join(found)  # at the limit is allowed
    assert any(
        line.startswith("regions.parquet: holds ") and "(SECOND_CHANCE_MAX_REFERENCE_ROWS)" in line for line in found
    )
    assert any(
        line.startswith("stage_events.parquet: holds ") and "(SECOND_CHANCE_MAX_TABLE_ROWS)" in line for line in found
    )
    assert any(
        "bytes uncompressed, over this server's limit of 400 (SECOND_CHANCE_MAX_TABLE_BYTES)" in x for x in found
    )
    assert any(x.startswith("manifest.json: holds ") and "rows in all" in x for x in found)
    assert any(x.startswith("manifest.json: holds ") and "(SECOND_CHANCE_MAX_SNAPSHOT_BYTES)" in x for x in found)


def test_the_bomb_is_refused_from_its_footer_without_reading_it(tmp_path):
    folder = broken.write(tmp_path / broken.GOOD)
    hostile.write_bomb(folder / "services.parquet", 3_000_000)
    assert (folder / "services.parquet").stat().st_size < 100_000  # 3 million rows of one value
    started = time.perf_counter()
    found = _over(footer_problems(folder, limits=Limits(table_rows=1_000_000)))
    took = time.perf_counter() - started
    assert found == [
        "services.parquet: holds 3,000,000 rows, over this server's limit of 1,000,000 "
        "(SECOND_CHANCE_MAX_TABLE_ROWS); it is not read. Check the export, or raise the limit if the machine "
        "has the memory"
    ]
    assert took < 1, took  # the footer only: decoding 3 million rows would take far longer


def test_large_loads_take_turns_and_small_ones_go_ahead():
    events, waited = [], []

    def large(name: str) -> None:
        with one_large_load(lim.LARGE_LOAD_ROWS, waiting=lambda: waited.append(name)):
            events.append(f"{name} start")
            time.sleep(0.3)
            events.append(f"{name} end")

    first = threading.Thread(target=large, args=("a",))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=large, args=("b",))
    second.start()
    time.sleep(0.05)
    with one_large_load(10):  # a small snapshot does not wait for the large one
        events.append("small")
    first.join()
    second.join()
    assert events == ["a start", "small", "a end", "b start", "b end"]
    assert waited == ["b"]


def test_the_check_command_names_the_row_of_invalid_utf8_and_never_ends_in_a_traceback(tmp_path, capsys):
    case = next(c for c in hostile.FATAL if c.name == "invalid-utf8")
    case.build(tmp_path / case.id)
    assert main([str(tmp_path / case.id)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"{case.id}: UNAVAILABLE", f"  - {case.errors[0]}"]
