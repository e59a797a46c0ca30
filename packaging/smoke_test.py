"""Smoke-test a built artifact the way a user gets it, away from this checkout and its Python.

    python packaging/smoke_test.py dist/ttcplanner_0.1.0_amd64.deb [--version 0.1.0]
    python packaging/smoke_test.py dist/ttcplanner-0.1.0-linux-x86_64.tar.gz
    python packaging/smoke_test.py path/to/ttcplanner(.exe)          # Windows / macOS one-folder build

A .deb is unpacked with `dpkg-deb -x` into an empty temp folder (nothing installed system-wide), a
tarball with tarfile. Each command runs with a minimal environment (PATH of system folders only,
HOME in the temp folder) from the temp folder, so a stray import from the checkout or site-packages
cannot make it pass. Prints one JSON object; exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TIMEOUT_S = 180


def minimal_env(home: Path, **extra: str) -> dict[str, str]:
    if sys.platform == "win32":
        system_root = os.environ.get("SystemRoot", r"C:\Windows")
        env = {
            "SystemRoot": system_root,
            "PATH": rf"{system_root}\system32;{system_root}",
            "USERPROFILE": str(home),
            "TEMP": str(home),
            "TMP": str(home),
        }
    else:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(home)}
    env.update(extra)
    return env


def unpack(artifact: Path, into: Path) -> Path:
    """Return the ttcplanner executable inside the unpacked artifact."""
    name = artifact.name
    if name.endswith(".deb"):
        root = into / "root"
        root.mkdir()
        subprocess.run(["dpkg-deb", "-x", str(artifact), str(root)], check=True)
        exe = root / "usr" / "bin" / "ttcplanner"
        if not exe.resolve().is_relative_to(root.resolve()):
            raise SystemExit(f"/usr/bin/ttcplanner points outside the package: {os.readlink(exe)}")
        return exe
    if name.endswith(".tar.gz"):
        root = into / "root"
        with tarfile.open(artifact) as tar:
            tar.extractall(root, filter="tar")
        [top] = list(root.iterdir())
        return top / "ttcplanner"
    return artifact.resolve()


def shipped_scenario(exe: Path) -> Path | None:
    """An example scenario from inside the artifact (never from the checkout)."""
    app_root = exe.resolve().parent
    search_roots = [app_root, app_root.parent / "Resources", app_root.parent / "Frameworks"]
    for root in search_roots:
        hits = sorted(root.rglob("resources/scenarios/*.json")) if root.is_dir() else []
        if hits:
            return hits[0]
    return None


def run_cmd(exe: Path, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def run(artifact: Path, expected_version: str | None = None) -> dict:
    results: dict = {"artifact": str(artifact), "ok": True}

    def fail(step: str, why: str) -> None:
        results["ok"] = False
        results[step] = f"FAILED: {why}"

    with tempfile.TemporaryDirectory(prefix="ttcplanner-smoke-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        home.mkdir()
        exe = unpack(Path(artifact), tmp)
        env = minimal_env(home)

        done = run_cmd(exe, ["--version"], tmp, env)
        text = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or not text.startswith("ttcplanner "):
            fail("version", f"exit {done.returncode}: {text[-500:]}")
        elif expected_version and text != f"ttcplanner {expected_version}":
            fail("version", f"expected 'ttcplanner {expected_version}', got {text!r}")
        else:
            results["version"] = text

        done = run_cmd(exe, ["--help"], tmp, env)
        if done.returncode == 0 and "usage" in done.stdout.lower():
            results["help"] = "ok"
        else:
            fail("help", f"exit {done.returncode}: {(done.stdout + done.stderr)[-500:]}")

        if run_cmd(exe, ["plan", "--help"], tmp, env).returncode != 0:
            results["plan_pdf"] = "skipped: plan not yet available"
        else:
            scenario = shipped_scenario(exe)
            pdf = tmp / "out.pdf"
            if scenario is None:
                fail("plan_pdf", "no resources/scenarios/*.json inside the artifact")
            else:
                done = run_cmd(
                    exe, ["plan", str(scenario), "--pdf", str(pdf)], tmp, minimal_env(home, QT_QPA_PLATFORM="offscreen")
                )
                head = pdf.read_bytes()[:5] if pdf.is_file() else b""
                if done.returncode != 0 or head != b"%PDF-":
                    fail(
                        "plan_pdf", f"exit {done.returncode}, pdf header {head!r}: {(done.stdout + done.stderr)[-800:]}"
                    )
                else:
                    results["plan_pdf"] = f"ok: {scenario.name} -> {pdf.stat().st_size} byte PDF"
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-test a ttcplanner artifact.")
    parser.add_argument("artifact", type=Path, help=".deb, .tar.gz, or the frozen executable")
    parser.add_argument("--version", dest="expected_version", help="version the app must report")
    args = parser.parse_args(argv)
    results = run(args.artifact, args.expected_version)
    print(json.dumps(results, indent=2))
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
