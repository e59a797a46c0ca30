"""Colours and pens shared by the plots, the table and the card, so a kind reads the same everywhere.

The colours that carry meaning (kinds, roles, target) come from ``ttcplanner.present.palette``, which the
PDF reads too; the rest here is the window's own chrome.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from ttcplanner.present import palette

KIND_COLORS = palette.KIND_COLORS
RECOMMENDED_COLOR = palette.ROLE_COLORS["recommended"]
TARGET_COLOR = palette.TARGET_COLOR
CURRENT_COLOR = palette.CURRENT_COLOR
OTHER_COLOR = (218, 218, 218)  # grey 150 at alpha 90 over the white plot, opaque (see on_plot)
SELECTED_COLOR = palette.ROLE_COLORS["selected"]
WARNING_BG = "#fff4d6"
WARNING_BORDER = "#e0a800"
PLOT_BG = "#ffffff"
AXIS_COLOR = "#333333"
GRID_COLOR = (232, 234, 238)
GRID_ALPHA = 0.18  # used by views that keep pyqtgraph's own grid


def kind_color(kind: str, alpha: int = 255) -> QColor:
    c = QColor(palette.kind_color(kind))
    c.setAlpha(alpha)
    return c


def on_plot(color: QColor, alpha: int) -> QColor:
    """``color`` at ``alpha`` over the plot background, as an opaque colour: curves drawn in opaque pens
    can be painted as line segments (pyqtgraph's fast path), which would darken the joints of a
    translucent pen."""
    bg, a = QColor(PLOT_BG), alpha / 255
    return QColor.fromRgbF(*(a * c + (1 - a) * b for c, b in zip(color.getRgbF()[:3], bg.getRgbF()[:3], strict=True)))
