"""Render resources/icons/ttcplanner.svg to the PNG sizes desktops and installers ask for.

The SVG is the single source; rerun this after editing it:  python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES_PX = (256, 128, 64)


def render(svg_path: Path, size_px: int, out_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise SystemExit(f"{svg_path}: not a valid SVG")
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out_path)):
        raise SystemExit(f"could not write {out_path}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    svg_path = ICON_DIR / "ttcplanner.svg"
    for size_px in SIZES_PX:
        out_path = ICON_DIR / f"ttcplanner-{size_px}.png"
        render(svg_path, size_px, out_path)
        print(out_path)
    # Windows wants an .ico (exe resource and Inno Setup); Qt's ico plugin writes one from the 256 px PNG.
    from PySide6.QtGui import QImage

    ico_path = ICON_DIR / "ttcplanner.ico"
    if not QImage(str(ICON_DIR / "ttcplanner-256.png")).save(str(ico_path), "ICO"):
        raise SystemExit(f"could not write {ico_path}")
    print(ico_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
