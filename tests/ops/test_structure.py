"""The structure docs/architecture.md describes, held: the import layers, no import cycle between
any two files, and no application module longer than a reader can hold (600 lines)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 600
# Not application modules: generated migrations, the test suite, the benchmarks, helper scripts.
EXCLUDED_PARTS = {"migrations", "tests", "bench", "scripts", ".venv", "node_modules", "staticfiles"}


def _import_linter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _application_modules() -> list[Path]:
    packages = _import_linter_config()["root_packages"]
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if not EXCLUDED_PARTS.intersection(path.relative_to(ROOT).parts)
    )


def test_every_app_is_under_the_layer_contract():
    """A new top-level package with Python code is named in the contract (or it escapes it)."""
    packages = set(_import_linter_config()["root_packages"])
    on_disk = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in EXCLUDED_PARTS and path.parent.name not in {"docker", "examples"}
    }
    assert on_disk <= packages, f"packages outside the import contract: {sorted(on_disk - packages)}"


def test_no_application_module_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in _application_modules()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_cycle_between_files():
    spec = importlib.util.spec_from_file_location("import_cycles", ROOT / "scripts" / "import_cycles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import grimp

    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*_import_linter_config()["root_packages"], include_external_packages=False)
    assert module.strongly_connected(graph) == []


def test_the_layer_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed (make install-dev installs it)")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-4000:]
