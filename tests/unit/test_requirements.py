"""Every third-party package the code imports is declared, so a fresh machine has it.

The same rule as `../shared/tools/check_requirements.py`, kept in the project so CI enforces it:
code outside `tests/` and `benchmarks/` finds its packages in requirements.txt; tests and
benchmarks may also use requirements-dev.txt. A package that only arrives as a dependency of
another one does not count (it can disappear with that package's next release)."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__", ".ruff_cache", ".pytest_cache"}
DEV_ONLY = {"tests", "benchmarks"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(path: Path) -> set[str]:
    """Package names in a requirements file, following `-r` includes."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= declared(path.parent / line.split(None, 1)[1])
        elif match := re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line):
            names.add(normal(match.group(0)))
    return names


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def undeclared() -> list[str]:
    runtime = declared(ROOT / "requirements.txt")
    dev = runtime | declared(ROOT / "requirements-dev.txt")
    local = {p.stem for p in ROOT.glob("*.py")} | {p.name for p in ROOT.iterdir() if p.is_dir()}
    owners_of = metadata.packages_distributions()
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED & set(relative.parts):
            continue
        allowed, where = (
            (dev, "requirements-dev.txt") if relative.parts[0] in DEV_ONLY else (runtime, "requirements.txt")
        )
        for module in sorted(imported(path)):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            owners = {normal(name) for name in owners_of.get(module, [])}
            if not owners & allowed:
                problems.append(
                    f"{relative}: imports {module} ({', '.join(sorted(owners)) or 'not installed'}), "
                    f"not declared in {where}"
                )
    return problems


def test_every_import_is_declared_in_a_requirements_file():
    assert undeclared() == []


def test_every_requirement_is_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-r "):
                assert re.fullmatch(r"[A-Za-z0-9._\[\]-]+==[\w.]+", line), f"{name}: {line!r} is not pinned with =="
