"""The layers' import rules, read from the source of every module in core/ (every import statement counts, also the
ones inside a function: a lazy import is still a dependency):

- no import cycle between core's modules;
- core never imports tests/ or benchmarks/ (the product does not depend on its tooling);
- Streamlit is imported only by core/cache.py and core/ui/ (everything else in core runs without a server).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STREAMLIT_LAYER = ("core.cache", "core.ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _core_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((ROOT / "core").rglob("*.py"))}


def _imported_names(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
    """(line, module imported) for every import statement; `from a import b` names a.b when b is a module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, one level up per extra dot
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found += [(node.lineno, f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
                      for alias in node.names]
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, list[tuple[int, str]]]:
    """Every module → (line, imported module) for all its imports, inside core or not."""
    known = set(modules)
    return {name: _imported_names(path.read_text(), name, path.name == "__init__.py", known)
            for name, path in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of a module graph: each strongly connected group of more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


@pytest.fixture(scope="module")
def graph() -> dict[str, list[tuple[int, str]]]:
    return import_graph(_core_modules())


def _internal(graph) -> dict[str, set[str]]:
    return {module: {target for _, target in imports if target in graph and target != module}
            for module, imports in graph.items()}


def test_the_walk_sees_every_layer(graph):
    # A walk that silently read nothing would pass every rule below.
    assert {"core.cache", "core.ui.data_picker", "core.sources.loading", "core.twin"} <= set(graph)
    assert "core.sources" in _internal(graph)["core.cache"]
    assert "streamlit" in {target for _, target in graph["core.cache"]}


def test_core_has_no_import_cycle(graph):
    assert import_cycles(_internal(graph)) == []


def test_the_cycle_finder_finds_cycles():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"a"}}) == [["a"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_relative_and_from_imports_resolve_to_modules():
    known = {"core.models", "core.models.store", "core.models.kinds"}
    source = "from . import kinds\nfrom .store import X\nimport numpy\nfrom core.models import store\n"
    assert [name for _, name in _imported_names(source, "core.models.training", False, known)] == [
        "core.models.kinds", "core.models.store", "numpy", "core.models.store"]


def test_core_never_imports_tests_or_benchmarks(graph):
    offenders = [f"{module}:{line} imports {target}" for module, imports in graph.items() for line, target in imports
                 if target.split(".")[0] in ("tests", "benchmarks")]
    assert offenders == [], "the product must not depend on its tooling: " + "; ".join(offenders)


def test_only_the_cache_and_ui_layer_import_streamlit(graph):
    offenders = [f"{module}:{line} imports {target}" for module, imports in graph.items() for line, target in imports
                 if target.split(".")[0] == "streamlit"
                 and not any(module == layer or module.startswith(layer + ".") for layer in STREAMLIT_LAYER)]
    assert offenders == [], "Streamlit belongs in core/cache.py and core/ui/: " + "; ".join(offenders)
