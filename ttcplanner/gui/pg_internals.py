"""Every use of pyqtgraph beyond its public API, in this one module.

Each is checked by a test in ``tests/gui/test_pg_internals.py`` that fails when a pyqtgraph release changes
it (pyqtgraph is capped below 0.15 in pyproject.toml; lift the cap when those tests pass on the new release):

- ``render_symbol``: the module-level ``renderSymbol`` of ``ScatterPlotItem``, so the plots' pixmap markers
  look like pyqtgraph's symbols.
- ``KeptPicturesAxis``: ``AxisItem.paint`` draws its ticks into ``self.picture`` through ``generateDrawSpecs``
  and ``drawPicture`` and sets ``picture`` to None whenever what it draws changes. The subclass keeps the
  pictures of recent ranges: fitted ranges are snapped to half decades, so a slider drag moves an axis between
  a few of them, and generating one (in Python) is a quarter of such a step. It also computes the ticks of a
  range once for the grid and the axis (``tickValues`` keyed on the attributes they depend on: ``logMode``,
  ``scale``, ``style``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from PySide6.QtGui import QImage, QPainter, QPicture

RANGES_KEPT = 32  # view ranges whose axis pictures are kept


def remembered(kept: OrderedDict, key, make: Callable[[], object], limit: int = RANGES_KEPT):
    """``kept[key]``, made by ``make()`` the first time; beyond ``limit`` the least recently used go."""
    value = kept.get(key)
    if value is None:
        value = kept[key] = make()
        while len(kept) > limit:
            kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    return value


def render_symbol(symbol: str, size: float, pen, brush, dpr: float = 2.0) -> QImage:
    """pyqtgraph's picture of ``symbol`` ('o', 's', 't1', 'd', 'star', ...) ``size`` pixels wide."""
    return renderSymbol(symbol, size, pg.mkPen(pen), pg.mkBrush(brush), dpr=dpr)


class KeptPicturesAxis(pg.AxisItem):
    """An AxisItem that repaints a range it drew recently from the picture it kept."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self._pictures: OrderedDict = OrderedDict()  # drawing key -> the QPicture pyqtgraph made for it
        self._ticks: OrderedDict = OrderedDict()  # tickValues' arguments -> its answer

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph API
        """pyqtgraph's ticks, computed once per range and length: the grid asks first (it is updated when the
        range changes), then the axis's picture (when it is painted)."""
        key = (minVal, maxVal, size, self.logMode, self.scale, self.style["maxTickLevel"])
        return remembered(self._ticks, key, lambda: super(KeptPicturesAxis, self).tickValues(minVal, maxVal, size))

    def _picture_key(self) -> tuple:
        """What the drawn ticks and figures depend on: the range, the size and every style setting (the plots
        never set explicit ticks)."""
        return (
            tuple(self.range),
            self.logMode,
            self.size().width(),
            self.size().height(),
            repr(self.style),
            self.pen().color().rgba(),
            self.textPen().color().rgba(),
        )

    def setTicks(self, ticks) -> None:  # noqa: N802 - pyqtgraph API
        """Explicit ticks are not in the pictures' key: drop the kept pictures."""
        self._pictures.clear()
        super().setTicks(ticks)

    def setTickSpacing(self, major=None, minor=None, levels=None) -> None:  # noqa: N802 - pyqtgraph API
        """The spacing decides the ticks and is in neither key: drop both."""
        self._pictures.clear()
        self._ticks.clear()
        super().setTickSpacing(major, minor, levels)

    def paint(self, p, opt, widget) -> None:
        if self.picture is None:
            self.picture = remembered(self._pictures, self._picture_key(), self._draw_picture)
        self.picture.play(p)

    def _draw_picture(self) -> QPicture:
        """The axis as pyqtgraph's paint draws it, into a picture."""
        picture = QPicture()
        painter = QPainter(picture)
        try:
            if self.style["tickFont"]:
                painter.setFont(self.style["tickFont"])
            specs = self.generateDrawSpecs(painter)
            if specs is not None:
                self.drawPicture(painter, *specs)
        finally:
            painter.end()
        return picture
