"""The README documents what the code does: every setting it reads from the environment, and the
performance tables of the benchmark run it cites."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_setting_is_in_the_readme():
    code = "".join(p.read_text() for folder in ("data_access", "ui") for p in (ROOT / folder).glob("*.py"))
    code += (ROOT / "app.py").read_text()
    settings = set(re.findall(r'"(SECOND_CHANCE_[A-Z_]+)"', code))
    assert settings >= {"SECOND_CHANCE_SNAPSHOTS", "SECOND_CHANCE_RESCAN_SECONDS", "SECOND_CHANCE_LOG_LEVEL"}
    readme = (ROOT / "README.md").read_text()
    assert {s for s in settings if f"`{s}`" not in readme} == set()


def test_the_readme_shows_the_performance_tables_of_the_run_it_cites():
    """The performance section's tables are `python -m benchmarks --markdown` of the results file
    its command writes, verbatim: a table is never left out, nor copied by hand from another run."""
    from benchmarks import browser
    from benchmarks.__main__ import markdown, ratio_markdown

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Performance") :]
    (cited,) = re.findall(r"--json (benchmarks/results/[\w.-]+\.json)`", section[: section.index("**Within")])
    results = json.loads((ROOT / cited).read_text())
    tables = "\n\n".join([ratio_markdown(results), markdown(results), browser.markdown(results)])
    blocks = [block.strip() for block in tables.split("\n\n") if block.strip()]
    assert len(blocks) >= 9, "two ratio tables, two browser tables, the rest, and their headings"
    assert [block[:60] for block in blocks if block not in section] == []
