"""The layers of DEVELOPERS.md hold: the import-linter contracts in pyproject.toml are kept (model and
present never import Qt; lower layers never import higher ones; no import cycle, function-level imports
included). Runs ``lint-imports`` itself, so a new forbidden import fails the default test run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())",
    "--no-cache",
]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("importlinter", reason="install the test extra: pip install -e .[test]")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(LINT, cwd=cwd, capture_output=True, text=True, env=env)


def test_import_contracts_are_kept():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "6 kept, 0 broken" in out.stdout, out.stdout[-2000:]


def test_the_contracts_catch_forbidden_imports_and_cycles(tmp_path):
    """Not vacuous: the same configuration, on a copy with a model module importing Qt and the GUI (and
    so closing a cycle, in a function), reports both."""
    shutil.copytree(ROOT / "ttcplanner", tmp_path / "ttcplanner", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "ttcplanner" / "model" / "bad_layer.py").write_text(
        "import PySide6.QtCore\n\n\ndef late():\n    import ttcplanner.gui.style\n"
    )
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "0 kept" not in out.stdout and "3 kept, 3 broken" in out.stdout, out.stdout[-3000:]
    assert "ttcplanner.model.bad_layer -> ttcplanner.gui.style" in out.stdout
    assert "ttcplanner.model.bad_layer -> PySide6" in out.stdout
    assert "- .model -> .gui" in out.stdout
