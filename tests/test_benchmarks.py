"""The benchmarks stay runnable: every area imports, every product name they import exists, and the launcher finds
the app (a bench that breaks only says so when somebody runs it, long after the move that broke it)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import benchmarks
from benchmarks import server

BENCHMARKS = Path(benchmarks.__file__).resolve().parent


def _product_imports() -> list[tuple[str, int, str, str | None]]:
    """(file, line, module, name) of every `from core… import name` / `import core…` in benchmarks/."""
    found = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "core":
                found += [(path.name, node.lineno, node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(path.name, node.lineno, alias.name, None) for alias in node.names
                          if alias.name.split(".")[0] == "core"]
    return found


@pytest.mark.parametrize("area", benchmarks.AREAS)
def test_every_area_imports_and_measures_something(area):
    module = importlib.import_module(f"benchmarks.{area}")
    assert callable(module.measurements)


def test_every_product_name_the_benchmarks_import_exists():
    imports = _product_imports()
    assert len(imports) > 20  # the walk read the lazy imports inside the measurement functions too
    missing = []
    for file, line, module_name, name in imports:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            missing.append(f"{file}:{line} {module_name} ({error})")
            continue
        if name is not None and not hasattr(module, name):
            try:
                importlib.import_module(f"{module_name}.{name}")
            except ImportError:
                missing.append(f"{file}:{line} {module_name}.{name}")
    assert missing == [], "benchmarks import what the product no longer has: " + "; ".join(missing)


def test_the_launcher_and_the_page_benchmarks_find_the_app():
    from benchmarks import eda

    assert (server.ROOT / "app.py").is_file()
    assert (eda.PAGES / "overview.py").is_file()
    assert "--headless" in server.chromium_args() and server.chromium_args() is not server.chromium_args()
    assert 0 < server.free_port() < 65536
