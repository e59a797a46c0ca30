"""Full installer build + smoke test (slow, ~3 min): python -m pytest -m packaging tests/packaging."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb not installed"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux packages"),
]


@pytest.fixture(scope="module")
def build_report() -> dict:
    done = subprocess.run(
        [sys.executable, "packaging/build.py", "--no-smoke"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_artifacts_exist_and_are_named_by_version(build_report):
    version = build_report["version"]
    tarball = REPO_ROOT / "dist" / f"ttcplanner-{version}-linux-x86_64.tar.gz"
    deb = REPO_ROOT / "dist" / f"ttcplanner_{version}_amd64.deb"
    assert tarball.is_file() and deb.is_file()
    fields = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    assert f"Version: {version}" in fields
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libfontconfig1", "libxkbcommon-x11-0"):
        assert package in fields.split("Depends:", 1)[1].splitlines()[0]
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    for path in (
        "./opt/ttcplanner/ttcplanner",
        "./usr/bin/ttcplanner",
        "./usr/share/applications/ttcplanner.desktop",
        "./usr/share/icons/hicolor/256x256/apps/ttcplanner.png",
        "./opt/ttcplanner/_internal/ttcplanner/resources/fonts/DejaVuSans.ttf",
    ):
        assert path in listing, path


def test_size_against_baseline(build_report):
    assert build_report["ratio"] <= 1.3, build_report


@pytest.mark.parametrize("suffix", ["deb", "tar.gz"])
def test_smoke(build_report, suffix):
    version = build_report["version"]
    name = f"ttcplanner_{version}_amd64.deb" if suffix == "deb" else f"ttcplanner-{version}-linux-x86_64.tar.gz"
    done = subprocess.run(
        [sys.executable, "packaging/smoke_test.py", f"dist/{name}", "--version", version],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["version"] == f"ttcplanner {version}"
