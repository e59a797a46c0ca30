"""Colours and pens shared by the plots, the table and the card, so a kind reads the same everywhere."""

from __future__ import annotations

from PySide6.QtGui import QColor

KIND_COLORS = {"api": "#1f77b4", "gpu": "#d9711c", "asic": "#7b4fb3"}
RECOMMENDED_COLOR = "#1a9e4b"
TARGET_COLOR = "#c0392b"
CURRENT_COLOR = "#444444"
OTHER_COLOR = (218, 218, 218)  # grey 150 at alpha 90 over the white plot, opaque (see on_plot)
SELECTED_COLOR = "#e6b800"
WARNING_BG = "#fff4d6"
WARNING_BORDER = "#e0a800"
PLOT_BG = "#ffffff"
AXIS_COLOR = "#333333"
GRID_COLOR = (232, 234, 238)
GRID_ALPHA = 0.18  # used by views that keep pyqtgraph's own grid


def kind_color(kind: str, alpha: int = 255) -> QColor:
    c = QColor(KIND_COLORS.get(kind, "#666666"))
    c.setAlpha(alpha)
    return c


def on_plot(color: QColor, alpha: int) -> QColor:
    """``color`` at ``alpha`` over the plot background, as an opaque colour: curves drawn in opaque pens
    can be painted as line segments (pyqtgraph's fast path), which would darken the joints of a
    translucent pen."""
    bg, a = QColor(PLOT_BG), alpha / 255
    return QColor.fromRgbF(*(a * c + (1 - a) * b for c, b in zip(color.getRgbF()[:3], bg.getRgbF()[:3])))
