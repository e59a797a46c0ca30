"""Start-up guards for a real display, run before QApplication exists.

Qt's xcb platform plugin aborts with a cryptic "could not load the Qt platform plugin" when a few
system libraries are missing (typical on minimal Debian/Ubuntu installs and WSL). Checking first
lets the launcher print one sentence naming the package to install instead of a core dump.
No Qt import at module level: check_display() must work when Qt itself cannot start.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    debian_package: str
    fedora_package: str


# The libraries PySide6 wheels do not bundle but libqxcb.so needs (Qt >= 6.5 added xcb-cursor).
XCB_LIBRARIES: tuple[SystemLibrary, ...] = (
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
)

APT_INSTALL_COMMAND = "sudo apt-get install " + " ".join(lib.debian_package for lib in XCB_LIBRARIES)
DNF_INSTALL_COMMAND = "sudo dnf install " + " ".join(lib.fedora_package for lib in XCB_LIBRARIES)

DEFAULT_FONT_FAMILY = "DejaVu Sans"
DEFAULT_FONT_POINT_SIZE = 10


def prefer_utf8_locale(environ: dict | None = None) -> None:
    """Ask for C.UTF-8 when the locale is the bare "C"/POSIX one (env -i, cron, some frozen launches).

    Qt needs UTF-8 and otherwise prints a notice on stderr at start; CPython does the same coercion for
    itself (PEP 538), but a frozen app does not. An explicit LC_ALL is the user's choice and is kept.
    """
    env = os.environ if environ is None else environ
    if env.get("LC_ALL"):
        return
    ctype = env.get("LC_CTYPE") or env.get("LANG") or ""
    if ctype in ("", "C", "POSIX"):
        env["LC_CTYPE"] = "C.UTF-8"


def library_loadable(soname: str) -> bool:
    """True when the dynamic loader can open soname (what Qt will do a moment later)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(
    is_loadable: Callable[[str], bool] | None = None,
) -> list[SystemLibrary]:
    check = is_loadable or library_loadable
    return [lib for lib in XCB_LIBRARIES if not check(lib.soname)]


def _requested_platform(environ: Mapping[str, str]) -> str:
    """First platform named in QT_QPA_PLATFORM ("xcb:opt" and "wayland;xcb" forms allowed)."""
    raw = environ.get("QT_QPA_PLATFORM", "").strip()
    first = raw.split(";")[0]
    return first.split(":")[0].strip().lower()


def check_display(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    is_loadable: Callable[[str], bool] | None = None,
) -> str | None:
    """A user-facing message when the GUI cannot start on this display, else None.

    Only Linux is checked; Windows and macOS always have their platform plugin.
    """
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return None
    requested = _requested_platform(env)
    if requested not in ("", "xcb"):
        return None  # offscreen, minimal, wayland, vnc...: the user chose explicitly
    has_x11 = bool(env.get("DISPLAY"))
    has_wayland = bool(env.get("WAYLAND_DISPLAY"))
    if not has_x11 and not has_wayland:
        return (
            "ttcplanner found no display: neither DISPLAY nor WAYLAND_DISPLAY is set.\n"
            "Start it from a desktop session, or for headless use (servers, CI, "
            "`ttcplanner plan ... --pdf`) set QT_QPA_PLATFORM=offscreen, e.g.\n"
            "    QT_QPA_PLATFORM=offscreen ttcplanner plan scenario.json --pdf out.pdf"
        )
    if requested == "" and has_wayland:
        return None  # Qt 6 picks its wayland plugin first when a compositor is present
    if not has_x11:
        return (
            "QT_QPA_PLATFORM=xcb was requested but DISPLAY is not set. "
            "Unset QT_QPA_PLATFORM to use Wayland, or use QT_QPA_PLATFORM=offscreen for headless use."
        )
    missing = missing_xcb_libraries(is_loadable)
    if not missing:
        return None
    names = ", ".join(
        f"{lib.soname} (Debian/Ubuntu: {lib.debian_package}, Fedora: {lib.fedora_package})" for lib in missing
    )
    return (
        f"ttcplanner cannot open a window: Qt's X11 (xcb) plugin needs system libraries that are missing: "
        f"{names}.\n"
        f"Install them with:\n"
        f"    {APT_INSTALL_COMMAND}        # Debian, Ubuntu, Mint\n"
        f"    {DNF_INSTALL_COMMAND}   # Fedora, RHEL\n"
        f"or run headless with QT_QPA_PLATFORM=offscreen."
    )


def bundled_font_files() -> list[Path]:
    from ttcplanner.paths import resource_dir

    return sorted((resource_dir() / "fonts").glob("*.ttf"))


def register_fonts(point_size: int = DEFAULT_FONT_POINT_SIZE) -> str:
    """Register the shipped DejaVu fonts and make DejaVu Sans the application font.

    Bundling the font keeps plots and PDFs identical across machines with different system fonts.
    Needs a live QGuiApplication. Returns the family now used as the default font.
    """
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

    if QGuiApplication.instance() is None:
        raise RuntimeError("register_fonts() needs a QGuiApplication; create the application first")
    families: list[str] = []
    for font_file in bundled_font_files():
        font_id = QFontDatabase.addApplicationFont(str(font_file))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    family = DEFAULT_FONT_FAMILY if DEFAULT_FONT_FAMILY in families else (families[0] if families else "")
    if not family:
        return QGuiApplication.font().family()  # fonts missing from the bundle: keep the system default
    QGuiApplication.setFont(QFont(family, point_size))
    return family
