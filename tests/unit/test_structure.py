"""The one-way street, checked on the source: pages, the Streamlit layer and the briefing ask the
release layer for every number (they never import the queries or the per-cell engine), and no
module of the project imports itself back through others."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app_pages", "benchmarks", "briefing", "charts", "data_access", "ui")
ABOVE_THE_RELEASE = ("app_pages", "ui", "briefing", "charts")
BELOW_THE_RELEASE = ("data_access.queries", "data_access.cells")


def modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """Project modules `path` imports (at module level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name in known}
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, set(found)) - {name} for name, path in found.items()}


def test_pages_ui_charts_and_briefing_never_import_the_queries_or_the_engine():
    offenders = {
        name: sorted(targets & set(BELOW_THE_RELEASE))
        for name, targets in graph().items()
        if name.startswith(ABOVE_THE_RELEASE) and targets & set(BELOW_THE_RELEASE)
    }
    assert offenders == {}


def test_no_import_cycles():
    edges = graph()
    # A package's __init__ importing its own modules is how a package works, not a cycle.
    for name in edges:
        edges[name] = {t for t in edges[name] if not (name in PACKAGES and t.startswith(name + "."))}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_checks_see_a_forbidden_import(tmp_path, monkeypatch):
    """A test that cannot fail proves nothing: a page that imports the queries is caught."""
    page = ROOT / "app_pages" / "overview.py"
    found = imports(page, set(modules()))
    assert "data_access.queries" not in found
    bad = tmp_path / "bad.py"
    bad.write_text("from data_access import queries as q\nimport data_access.cells\n")
    assert imports(bad, set(modules())) >= {"data_access.queries", "data_access.cells"}
