"""A QGuiApplication and the bundled font for headless PDF export (QtGui only, no widgets).

The CLI writes PDFs with no window system: an offscreen QGuiApplication is enough. The bundled DejaVu
font makes the report look the same on every machine, whatever fonts the system has.
"""

from __future__ import annotations

import os
from pathlib import Path

DEV_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # only when the bundle has no fonts (dev checkouts)
PREFERRED_FAMILY = "DejaVu Sans"

_family: str | None = None


def ensure_app() -> str:
    """Make sure a QGuiApplication exists (an offscreen one for the CLI) and the report font is
    registered; return the font family the report uses everywhere."""
    global _family
    if not any(os.environ.get(k) for k in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    from ttcplanner import qt_env

    app = QCoreApplication.instance()
    if app is None:
        QGuiApplication(["ttcplanner"])
        if qt_env.bundled_font_files():
            qt_env.register_fonts()  # our own application: the default font may be set too
    elif not isinstance(app, QGuiApplication):
        raise RuntimeError("PDF export needs a QGuiApplication (fonts and painting); a QCoreApplication is running")
    if _family is None:
        _family = _add_font_files()
    return _family


def _add_font_files() -> str:
    """Register the bundled TTFs without touching the application font (the GUI owns that)."""
    from PySide6.QtGui import QFontDatabase

    from ttcplanner import qt_env

    files = qt_env.bundled_font_files() or sorted(DEV_FONT_DIR.glob("DejaVuSans*.ttf"))
    families: list[str] = []
    for path in files:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if PREFERRED_FAMILY in families or PREFERRED_FAMILY in QFontDatabase.families():
        return PREFERRED_FAMILY
    return families[0] if families else QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
