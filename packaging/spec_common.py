"""Options shared by ttcplanner.spec and baseline.spec, so the size ratio compares like with like.

Imported by the .spec files (which put SPECPATH on sys.path) and by build.py.
Everything here is plain data plus small path filters over PyInstaller TOC entries
(dest_name, src_name, typecode).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGING_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGING_DIR.parent
ICON_DIR = REPO_ROOT / "resources" / "icons"

# Python modules never used at run time. pyqtgraph imports QtTest inside try/except ImportError, so
# it can go; QtOpenGL and QtOpenGLWidgets must stay (pyqtgraph.Qt.OpenGLHelpers imports them
# unconditionally from PlotCurveItem). QtSvg stays: the svg image-format and icon-engine plugins need
# libQt6Svg, and pyqtgraph's SVG export uses it. QtPrintSupport is not excluded: it is bundled only if
# the app imports it.
EXCLUDED_QT_MODULES = [
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DExtras",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DRender",
    "PySide6.QtBluetooth",
    "PySide6.QtCharts",
    "PySide6.QtConcurrent",
    "PySide6.QtDataVisualization",
    "PySide6.QtDesigner",
    "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets",
    "PySide6.QtHelp",
    "PySide6.QtHttpServer",
    "PySide6.QtLocation",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtNetwork",
    "PySide6.QtNetworkAuth",
    "PySide6.QtNfc",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtPositioning",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtQuickWidgets",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtSensors",
    "PySide6.QtSerialBus",
    "PySide6.QtSerialPort",
    "PySide6.QtSpatialAudio",
    "PySide6.QtSql",
    "PySide6.QtStateMachine",
    "PySide6.QtSvgWidgets",
    "PySide6.QtTest",
    "PySide6.QtTextToSpeech",
    "PySide6.QtUiTools",
    "PySide6.QtWebChannel",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebSockets",
    "PySide6.QtWebView",
    "PySide6.QtXml",
    "PySide6.QtAxContainer",
    "PySide6.scripts",
    "PySide6.support.deprecated",
    "PyQt5",
    "PyQt6",
    "PySide2",
]

EXCLUDED_PYTHON_MODULES = [
    # other GUI / science stacks pyqtgraph or numpy may probe for
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "matplotlib",
    "scipy",
    "pandas",
    "PIL",
    "cv2",
    "h5py",
    "numba",
    "cupy",
    "OpenGL",
    "colorcet",
    "IPython",
    "ipykernel",
    "ipywidgets",
    "jupyter_rfb",
    "notebook",
    "pyqtgraph.opengl",
    "pyqtgraph.examples",
    "pyqtgraph.jupyter",
    # development and test tools
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "pypdf",
    "pip",
    "setuptools",
    "pkg_resources",
    "distutils",
    "lib2to3",
    "pydoc_data",
    "numpy.f2py",
    "numpy.distutils",
    "PyInstaller",
    "sqlite3",
    "xmlrpc",
    "curses",
    "ensurepip",
    "venv",
    "readline",
    "rlcompleter",
    "yaml",  # only numpy.show_config() uses it
    # no network at run time: without these, OpenSSL (~5 MB) stays out; hashlib falls back to builtins
    "ssl",
    "_ssl",
    "_hashlib",
    "http.server",
    "urllib.request",
    "ftplib",
    "smtplib",
    "imaplib",
    "poplib",
]

EXCLUDED_MODULES = EXCLUDED_QT_MODULES + EXCLUDED_PYTHON_MODULES

# Qt plugins kept (directory/file-stem prefix under PySide6/Qt/plugins). Everything else is dropped:
# eglfs/linuxfb/vnc platforms, gtk3 theme (would drag GTK in), generic input, designer, qml tooling,
# sql drivers, tls/network information (no network at run time), print support only if QtPrintSupport
# is bundled.
KEPT_PLUGINS = {
    "platforms": {
        "libqxcb",
        "libqoffscreen",
        "libqminimal",
        "libqwayland",
        "qwindows",
        "qoffscreen",
        "qminimal",
        "libqcocoa",
        "qdirect2d",
    },
    "imageformats": {"libqsvg", "libqjpeg", "libqico", "qsvg", "qjpeg", "qico"},
    "iconengines": {"libqsvgicon", "qsvgicon"},
    "platformthemes": {"libqxdgdesktopportal"},
    "platforminputcontexts": {"libcomposeplatforminputcontextplugin", "libibusplatforminputcontextplugin"},
    "xcbglintegrations": {"libqxcb-glx-integration", "libqxcb-egl-integration"},
    "wayland-decoration-client": {"libbradient", "libadwaita"},
    "wayland-shell-integration": {"libxdg-shell", "libqt-shell", "libwl-shell-plugin"},
    "wayland-graphics-integration-client": {"libqt-plugin-wayland-egl", "libshm-emulation-server", "libdmabuf-server"},
    "styles": "*",
    "printsupport": "*",
}

# Qt libraries that slip in as plugin dependencies but no kept plugin or module needs.
DROPPED_QT_LIBRARIES = re.compile(
    r"(^|/)(lib)?Qt6(Quick|Qml|QmlModels|QmlMeta|QmlWorkerScript|Pdf|Network|VirtualKeyboard|"
    r"Multimedia|WebEngine|Designer|Sql|Test|3D|Positioning|Bluetooth|Charts|Graphs|"
    r"SvgWidgets)[A-Za-z]*(\.so|\.dll|\.dylib|$)"
)

# Desktop system libraries left to the distribution (declared in the .deb's Depends), never copied
# from the build machine: mixing a bundled libX11 / fontconfig / dbus / glib with the host's own
# copies is the classic way frozen Qt apps break on other distributions.
SYSTEM_LIBRARIES_LINUX = re.compile(
    r"^(libX[A-Za-z0-9-]*|libxcb[a-z0-9-]*|libxkbcommon[a-z0-9-]*|libfontconfig|libfreetype|libexpat|"
    r"libpng16|libbrotli[a-z]*|libdbus-1|libsystemd|libglib-2\.0|libgobject-2\.0|libgthread-2\.0|"
    r"libgio-2\.0|libgmodule-2\.0|libpcre2-8|libgcrypt|libgpg-error|liblzma|libzstd|liblz4|libcap|"
    r"libbsd|libmd|libwayland-[a-z]*|libGL[A-Za-z]*|libEGL|libOpenGL|libgssapi_krb5|libkrb5[a-z]*|"
    r"libk5crypto|libcom_err|libkeyutils|libuuid|libmount|libblkid|libselinux|libstdc\+\+|libgcc_s)\.so"
)


def _plugin_kept(rel: str) -> bool:
    """rel: path below .../Qt/plugins/, e.g. 'platforms/libqxcb.so'."""
    parts = rel.split("/")
    if len(parts) < 2:
        return False
    kept = KEPT_PLUGINS.get(parts[0])
    return kept == "*" or (kept is not None and parts[-1].split(".")[0] in kept)


def keep_entry(dest_name: str) -> bool:
    """Whether a collected file (destination path inside the bundle) stays in the bundle."""
    dest = dest_name.replace("\\", "/")
    if "/translations/" in dest and dest.endswith(".qm"):
        return False  # English-only UI; Qt's translations are ~14 MB
    plugin_marker = "/plugins/"
    if "PySide6/" in dest and plugin_marker in dest:
        return _plugin_kept(dest.split(plugin_marker, 1)[1])
    if DROPPED_QT_LIBRARIES.search(dest) and "PySide6/Qt" in dest:
        return False
    base = dest.rsplit("/", 1)[-1]
    if sys.platform.startswith("linux") and SYSTEM_LIBRARIES_LINUX.match(base):
        return False
    return True


def elf_needed(path: str) -> list[str]:
    """DT_NEEDED sonames of an ELF file (objdump is a PyInstaller requirement on Linux anyway)."""
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True).stdout
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def drop_unreachable_libraries(binaries: list) -> list:
    """Keep only shared libraries still reachable (DT_NEEDED) from extensions, executables and plugins.

    PyInstaller resolves dependencies of every Qt plugin before we prune plugins, so libraries only
    needed by dropped ones (GTK, cairo, pango for the gtk3 theme; eglfs support...) would stay.
    """
    by_name = {}
    for entry in binaries:
        by_name.setdefault(entry[0].rsplit("/", 1)[-1], []).append(entry)
    roots = [
        e
        for e in binaries
        if e[2] in ("EXTENSION", "EXECUTABLE") or "/plugins/" in e[0] or e[0].rsplit("/", 1)[-1].startswith("libpython")
    ]
    reachable = {id(e) for e in roots}
    todo = [e for e in roots if e[2] != "SYMLINK"]
    while todo:
        entry = todo.pop()
        for soname in elf_needed(entry[1]):
            for dep in by_name.get(soname, []):
                if id(dep) in reachable:
                    continue
                reachable.add(id(dep))
                if dep[2] == "SYMLINK":  # (link, target-inside-bundle, SYMLINK): follow to the target
                    for target in by_name.get(dep[1].rsplit("/", 1)[-1], []):
                        if target[2] != "SYMLINK" and id(target) not in reachable:
                            reachable.add(id(target))
                            todo.append(target)
                else:
                    todo.append(dep)
    return [e for e in binaries if id(e) in reachable]


def remove_dangling_symlinks(folder: Path) -> list[str]:
    """PyInstaller adds top-level symlinks to Qt libraries at COLLECT time, also for pruned ones."""
    removed = []
    for path in folder.rglob("*"):
        if path.is_symlink() and not path.exists():
            path.unlink()
            removed.append(str(path.relative_to(folder)))
    return removed


def strip_python_runtime(folder: Path) -> None:
    """Strip libpython and lib-dynload only (pyenv builds keep debug symbols: 23 MB -> 6 MB).

    Wheel libraries are left alone; see STRIP below.
    """
    if not sys.platform.startswith("linux"):
        return
    targets = [
        p
        for p in folder.rglob("*.so*")
        if not p.is_symlink() and (p.name.startswith("libpython") or "lib-dynload" in p.parts)
    ]
    if targets:
        subprocess.run(["strip", "--strip-unneeded", *map(str, targets)], check=True)


def prune(analysis) -> None:
    """Filter an Analysis' binaries and datas in place."""
    analysis.binaries = [entry for entry in analysis.binaries if keep_entry(entry[0])]
    analysis.datas = [entry for entry in analysis.datas if keep_entry(entry[0])]
    if sys.platform.startswith("linux"):
        analysis.binaries = drop_unreachable_libraries(analysis.binaries)


def read_version() -> str:
    """ttcplanner.__version__, read as text so the build needs no importable package."""
    text = (REPO_ROOT / "ttcplanner" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if not match:
        raise SystemExit("ttcplanner/__init__.py has no __version__")
    return match.group(1)


def icon_for_platform() -> str | None:
    if sys.platform == "win32":
        return str(ICON_DIR / "ttcplanner.ico")
    if sys.platform == "darwin":
        return str(ICON_DIR / "ttcplanner-256.png")  # PyInstaller converts to .icns (needs Pillow)
    return None


# Same for both specs. No strip: wheels' libraries are already stripped, and strip corrupts the
# patchelf-ed ones (numpy's libscipy_openblas: "ELF load command address/offset not page-aligned").
# No UPX: it corrupts Qt plugins and triggers antivirus false positives.
STRIP = False
UPX = False


def build_one_folder(pyi, *, name, script, datas=(), hiddenimports=(), macos_bundle=False):
    """Analysis -> PYZ -> EXE(s) -> COLLECT (and BUNDLE on macOS), identical for app and baseline.

    pyi: dict with the PyInstaller spec globals Analysis, PYZ, EXE, COLLECT, BUNDLE.
    On Windows a second, windowed exe named <name>-gui is added so double-clicking
    opens no console, while <name>.exe keeps stdout for --version / plan.
    """
    analysis = pyi["Analysis"](
        [str(script)],
        pathex=[str(REPO_ROOT)],
        binaries=[],
        datas=list(datas),
        hiddenimports=list(hiddenimports),
        hookspath=[],
        runtime_hooks=[],
        excludes=EXCLUDED_MODULES,
        noarchive=False,
        optimize=0,  # keep asserts and docstrings: argparse help and validation may rely on them
    )
    prune(analysis)
    pyz = pyi["PYZ"](analysis.pure)

    def exe(exe_name, console):
        return pyi["EXE"](
            pyz,
            analysis.scripts,
            [],
            exclude_binaries=True,
            name=exe_name,
            debug=False,
            bootloader_ignore_signals=False,
            strip=STRIP,
            upx=UPX,
            console=console,
            icon=icon_for_platform(),
        )

    executables = [exe(name, console=True)]
    if sys.platform == "win32":
        executables.append(exe(f"{name}-gui", console=False))
    coll = pyi["COLLECT"](*executables, analysis.binaries, analysis.datas, strip=STRIP, upx=UPX, name=name)
    remove_dangling_symlinks(Path(coll.name))
    strip_python_runtime(Path(coll.name))
    if macos_bundle and sys.platform == "darwin":
        pyi["BUNDLE"](
            coll,
            name=f"{name}.app",
            icon=icon_for_platform(),
            bundle_identifier=f"org.{name}.{name}",
            info_plist={"CFBundleShortVersionString": read_version(), "NSHighResolutionCapable": True},
        )
    return coll
