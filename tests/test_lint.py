"""ruff (configured in pyproject.toml: pyflakes, pycodestyle, import order, naming, bugbear; its formatter) is
clean on the whole tree. Run in the default test run, so CI fails on a new finding."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    pytest.importorskip("ruff", reason="install the test extra: pip install -e .[test]")
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)


def test_ruff_check_is_clean():
    out = _ruff("check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-1000:]


def test_ruff_format_is_clean():
    out = _ruff("format", "--check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-1000:]


def test_ruff_reports_a_finding(tmp_path):
    """Not vacuous: the same configuration finds an unused import and a zip without strict= in a copy."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bad.py").write_text("import os\n\n\ndef pairs(a, b):\n    return list(zip(a, b))\n")
    out = _ruff("check", "--no-cache", ".", cwd=tmp_path)
    assert out.returncode == 1 and "F401" in out.stdout and "B905" in out.stdout, out.stdout
