"""Every setting the dashboard reads from the environment is documented in the README."""

from __future__ import annotations

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
