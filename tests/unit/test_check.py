"""`python -m data_access.check`: what an operator runs before publishing a snapshot."""

from __future__ import annotations

import re

from data_access.check import main
from tests import broken


def test_every_snapshot_under_a_folder_is_reported(tmp_path, capsys):
    broken.write(tmp_path / broken.GOOD)
    case = next(c for c in broken.CASES if c.name == "duplicate-person-ids")
    case.build(tmp_path / case.id)
    assert main([str(tmp_path)]) == 1
    out = re.sub(r"loaded in [\d.]+ s", "loaded in X s", capsys.readouterr().out)
    assert out == (
        "2022-12-31-duplicate-person-ids: UNAVAILABLE\n"
        "  - people.parquet.person_id: duplicate person_id; each must appear once (2 rows; e.g. person_id=p4)\n"
        "2022-06-30: usable, 6 people, loaded in X s\n"
    )


def test_one_hidden_folder_can_be_checked_before_it_is_renamed_into_place(tmp_path, capsys):
    staging = tmp_path / ".2022-06-30-extra-columns.partial"
    next(c for c in broken.SURVIVABLE if c.name == "extra-columns").build(staging)
    assert main([str(staging)]) == 0
    # pandas writes its text columns as large_string: read without loss, with a notice (issue 20).
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  warning: people.parquet: extra columns ignored: nickname, phone",
        "  notice: people.parquet.person_id, household_id, cohort_id, sex, age_band, region_code: stored as "
        "large_string, read as text (string) without changing any value",
    ]


def test_a_folder_still_being_copied_is_unavailable(tmp_path, capsys):
    folder = broken.write(tmp_path / "2022-06-30")
    (folder / "manifest.json").unlink()
    assert main([str(folder)]) == 1
    assert "manifest.json: missing: the folder is still being copied" in capsys.readouterr().out
