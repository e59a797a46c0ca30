"""Build the Linux installers: a one-folder tarball and a .deb, then smoke-test the .deb.

    python packaging/build.py [--no-baseline] [--no-smoke]

From a clean checkout: installs PyInstaller if missing, freezes packaging/ttcplanner.spec and writes
    dist/ttcplanner-<version>-linux-x86_64.tar.gz
    dist/ttcplanner_<version>_amd64.deb
The .deb's Depends line is derived, not hand-written: ldd over every bundled ELF file shows which
libraries come from the system, dpkg -S maps them to packages. It also freezes baseline.spec (a bare
PySide6 + pyqtgraph + numpy window, same options) and prints one JSON line with both sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

PACKAGING_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGING_DIR.parent
BUILD_DIR = REPO_ROOT / "build" / "pyinstaller"
DIST_DIR = REPO_ROOT / "dist"
ICON_DIR = REPO_ROOT / "resources" / "icons"
ICON_SIZES_PX = (256, 128, 64)
MB = 1_000_000

# Qt loads libdbus-1 with dlopen (ldd cannot see it); the xcb-util trio is named explicitly so the
# Depends line keeps them even if a future PySide6 dlopens them too.
ALWAYS_DEPENDS = ("libdbus-1-3", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")

# Libraries some optional plugin links (wayland cursor / EGL) that the build machine may lack, so
# dpkg -S cannot name their package; Debian/Ubuntu names.
PACKAGES_OF_ABSENT_LIBRARIES = {
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libwayland-client.so.0": "libwayland-client0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
}

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Name=ttcplanner
GenericName=Test-time compute planner
Comment=Plan accuracy vs reasoning tokens vs dollars across API tiers, GPUs and ASIC clouds
Exec=ttcplanner gui %f
Icon=ttcplanner
Terminal=false
Categories=Office;
Keywords=LLM;inference;GPU;cost;planning;
StartupWMClass=ttcplanner
"""


def log(message: str) -> None:
    print(f"[build] {message}", file=sys.stderr, flush=True)


def read_version() -> str:
    sys.path.insert(0, str(PACKAGING_DIR))
    from spec_common import read_version as version_from_source

    return version_from_source()


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        log("PyInstaller missing: pip install 'pyinstaller>=6.10'")
        subprocess.run([sys.executable, "-m", "pip", "install", "pyinstaller>=6.10"], check=True)


def freeze(spec_name: str, app_name: str) -> Path:
    """Run one spec; returns the one-folder app. PyInstaller's chatter goes to build/pyinstaller/*.log."""
    work = BUILD_DIR / "work"
    dist = BUILD_DIR / "dist"
    log_path = BUILD_DIR / f"{app_name}.log"
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    log(f"freezing {spec_name} (log: {log_path.relative_to(REPO_ROOT)})")
    with log_path.open("w") as log_file:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--clean",
                "--distpath",
                str(dist),
                "--workpath",
                str(work),
                str(PACKAGING_DIR / spec_name),
            ],
            cwd=REPO_ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        sys.stderr.write("".join(log_path.read_text().splitlines(keepends=True)[-30:]))
        raise SystemExit(f"PyInstaller failed on {spec_name}")
    return dist / app_name


def folder_size_bytes(folder: Path) -> int:
    """Installed size: regular files only (symlinks cost nothing)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def elf_needed(path: Path) -> list[str]:
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def system_libraries(app_dir: Path) -> tuple[dict[str, str], set[str]]:
    """({soname: system path}, {sonames not found}) for what bundled ELF files link directly.

    Direct DT_NEEDED only, like dpkg-shlibdeps: libX11's own dependencies are libX11's package's
    business. ldd (with LD_LIBRARY_PATH=_internal, as the PyInstaller bootloader sets at run time)
    tells where each soname resolves.
    """
    internal = app_dir / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    elf_files = [p for p in sorted(app_dir.rglob("*")) if is_elf(p)]
    bundled = {p.name for p in app_dir.rglob("*")}
    found: dict[str, str] = {}
    missing: set[str] = set()
    for path in elf_files:
        wanted = [
            name
            for name in elf_needed(path)
            if name not in bundled and name not in found and not name.startswith("ld-linux")
        ]
        if not wanted:
            continue
        resolved = {}
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            if "=>" in line:
                name, target = (part.strip() for part in line.split("=>", 1))
                resolved[name] = target.split("(")[0].strip()
        for name in wanted:
            target = resolved.get(name, "not found")
            if target == "not found" or not target:
                missing.add(name)
            else:
                found[name] = target
    return found, missing - set(found)


def debian_package_of(library_path: str) -> str | None:
    """dpkg -S, trying the path as linked and its /usr-merged twin."""
    candidates = [library_path, os.path.realpath(library_path)]
    for path in list(candidates):
        candidates.append(path[4:] if path.startswith("/usr/") else "/usr" + path)
    for path in candidates:
        result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            package = result.stdout.split(":", 1)[0].split(",")[0].strip()
            return package
    return None


def minimum_glibc(app_dir: Path) -> str | None:
    """Highest GLIBC_x.y symbol version any bundled file needs: the floor for libc6 (>= x.y)."""
    best: tuple[int, ...] = ()
    for path in app_dir.rglob("*"):
        if not is_elf(path):
            continue
        out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True).stdout
        for match in re.finditer(r"GLIBC_(\d+(?:\.\d+)+)", out):
            best = max(best, tuple(int(x) for x in match.group(1).split(".")))
    return ".".join(map(str, best)) if best else None


def debian_depends(app_dir: Path) -> tuple[str, dict]:
    libraries, missing = system_libraries(app_dir)
    packages: dict[str, list[str]] = {}
    unmapped = []
    for soname, lib in sorted(libraries.items()):
        package = debian_package_of(lib)
        if package is None:
            unmapped.append(lib)
        else:
            packages.setdefault(package, []).append(soname)
    for soname in sorted(missing):
        package = PACKAGES_OF_ABSENT_LIBRARIES.get(soname)
        if package:
            packages.setdefault(package, []).append(soname)
        else:
            unmapped.append(soname)
    if unmapped:
        log(f"WARNING: system libraries with no known Debian package: {unmapped}")
    names = set(packages) | set(ALWAYS_DEPENDS)
    glibc = minimum_glibc(app_dir)
    parts = []
    for name in sorted(names):
        parts.append(f"{name} (>= {glibc})" if name == "libc6" and glibc else name)
    details = {
        "packages": {k: sorted(v) for k, v in sorted(packages.items())},
        "not_on_build_machine": sorted(missing),
        "unmapped": unmapped,
    }
    return ", ".join(parts), details


def make_tarball(app_dir: Path, version: str) -> Path:
    out = DIST_DIR / f"ttcplanner-{version}-linux-x86_64.tar.gz"
    top = f"ttcplanner-{version}"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(app_dir, arcname=top)
        for extra in (ICON_DIR / "ttcplanner-256.png", ICON_DIR / "ttcplanner.svg"):
            tar.add(extra, arcname=f"{top}/{extra.name}")
    return out


def make_deb(app_dir: Path, version: str, depends: str) -> Path:
    stage = REPO_ROOT / "build" / "deb" / f"ttcplanner_{version}_amd64"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / "ttcplanner"
    shutil.copytree(app_dir, opt, symlinks=True)
    bin_dir = stage / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    # relative, so the link also works inside a `dpkg-deb -x` extraction (the smoke test relies on it)
    (bin_dir / "ttcplanner").symlink_to("../../opt/ttcplanner/ttcplanner")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / "ttcplanner.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    icons = stage / "usr" / "share" / "icons" / "hicolor"
    for size_px in ICON_SIZES_PX:
        target = icons / f"{size_px}x{size_px}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(ICON_DIR / f"ttcplanner-{size_px}.png", target / "ttcplanner.png")
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(ICON_DIR / "ttcplanner.svg", icons / "scalable" / "apps" / "ttcplanner.svg")
    installed_kib = (folder_size_bytes(stage) + 1023) // 1024
    control = stage / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: ttcplanner\n"
        f"Version: {version}\n"
        f"Section: science\n"
        f"Priority: optional\n"
        f"Architecture: amd64\n"
        f"Maintainer: ttcplanner developers <ttcplanner@users.noreply.github.com>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {depends}\n"
        f"Description: plan test-time compute for LLM reasoning\n"
        f" Desktop tool to compare accuracy vs reasoning tokens vs dollars across API tiers,\n"
        f" rented or owned GPUs and ASIC inference clouds. Self-contained: bundles its own\n"
        f" Python, Qt (PySide6), pyqtgraph and numpy under /opt/ttcplanner.\n",
        encoding="utf-8",
    )
    for path in [stage, *stage.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    out = DIST_DIR / f"ttcplanner_{version}_amd64.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the size baseline build")
    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke test of the .deb")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("build.py makes the Linux packages; see packaging/windows and packaging/macos")
    for tool in ("dpkg-deb", "dpkg", "ldd", "objdump"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found (Debian/Ubuntu: apt-get install dpkg binutils libc-bin)")

    ensure_pyinstaller()
    version = read_version()
    DIST_DIR.mkdir(exist_ok=True)
    app_dir = freeze("ttcplanner.spec", "ttcplanner")
    app_bytes = folder_size_bytes(app_dir)
    log(f"one-folder app: {app_bytes / MB:.1f} MB")

    tarball = make_tarball(app_dir, version)
    depends, depends_details = debian_depends(app_dir)
    log(f"Depends: {depends}")
    deb = make_deb(app_dir, version, depends)
    log(f"wrote {tarball.relative_to(REPO_ROOT)} and {deb.relative_to(REPO_ROOT)}")

    report = {"version": version, "app_mb": round(app_bytes / MB, 1)}
    if not args.no_baseline:
        baseline_dir = freeze("baseline.spec", "baseline_hello")
        baseline_bytes = folder_size_bytes(baseline_dir)
        report["baseline_mb"] = round(baseline_bytes / MB, 1)
        report["ratio"] = round(app_bytes / baseline_bytes, 3)
    report.update(
        {
            "tar_gz_mb": round(tarball.stat().st_size / MB, 1),
            "deb_mb": round(deb.stat().st_size / MB, 1),
            "deb_installed_kib": int(
                re.search(
                    r"Installed-Size: (\d+)",
                    (REPO_ROOT / "build" / "deb" / f"ttcplanner_{version}_amd64" / "DEBIAN" / "control").read_text(),
                ).group(1)
            ),
            "depends": depends,
            "system_libraries_by_package": depends_details["packages"],
            "artifacts": [str(tarball.relative_to(REPO_ROOT)), str(deb.relative_to(REPO_ROOT))],
        }
    )
    if not args.no_smoke:
        sys.path.insert(0, str(PACKAGING_DIR))
        import smoke_test

        smoke = smoke_test.run(deb, expected_version=version)
        report["smoke"] = smoke
        if not smoke["ok"]:
            print(json.dumps(report))
            return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
