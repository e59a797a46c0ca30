"""A plot's legend as one item that Qt caches as pixels: a sample and a name per row.

The samples come from ``present.figures.Key`` specs (the plan plots: colour, dash, width, band or symbol, as
the PDF's legend draws them) or, for the comparison and Monte Carlo plots, from a pyqtgraph item's ``opts``
(its pen, fill and symbol). A new set of names is measured with font metrics and drawn once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from ttcplanner.gui.pg_internals import render_symbol
from ttcplanner.present.figures import Key

SAMPLE_PX = 20
PAD_X, PAD_Y, GAP_PX = 6, 3, 6
TEXT_COLOR = QColor("#222222")
FILL, BORDER = QColor(255, 255, 255, 225), QColor(200, 200, 200)
QT_DASHES = {
    "solid": Qt.PenStyle.SolidLine,
    "dash": Qt.PenStyle.DashLine,
    "dot": Qt.PenStyle.DotLine,
    "dashdot": Qt.PenStyle.DashDotLine,
    "longdash": Qt.PenStyle.DashLine,
    "dashdotdot": Qt.PenStyle.DashDotDotLine,
}
PG_SYMBOLS = {
    "circle": "o",
    "square": "s",
    "triangle": "t1",
    "invtriangle": "t",
    "diamond": "d",
    "cross": "x",
    "star": "star",
}
PT_TO_PX = 1.0  # a spec's width in points is the window's in pixels: a 1-pixel cosmetic pen takes Qt's fast line path


def spec_pen(color: str, width_pt: float, dash: str) -> QPen:
    pen = pg.mkPen(color, width=width_pt * PT_TO_PX)
    pen.setStyle(QT_DASHES.get(dash, Qt.PenStyle.SolidLine))
    return pen


def symbol_pixmap(symbol: str, size_px: float, color: str, hollow: bool = False, dpr: float = 2.0) -> QPixmap:
    """A marker as the plots draw it: ``color`` filled (white with a ``color`` outline when hollow)."""
    pen = pg.mkPen("#111111" if not hollow else color, width=1.0 if not hollow else 1.4)
    brush = "#ffffff" if hollow else color
    return QPixmap.fromImage(render_symbol(PG_SYMBOLS.get(symbol, symbol), size_px, pen, brush, dpr=dpr))


@dataclass(frozen=True)
class Entry:
    """One row: its sample (a ``Key`` or a plotted item whose ``opts`` the sample copies) and its ``text``."""

    item: object
    text: str


class Legend(QGraphicsObject):
    """Rows of (sample, name) in a white box at a corner of the view box, ``offset`` pixels in from it
    (negative: from the right or bottom edge)."""

    def __init__(self, view_box, offset: tuple[int, int], font: QFont):
        super().__init__(view_box)
        self._vb, self._offset = view_box, offset
        self._font, self._metrics = font, QFontMetrics(font)
        self.entries: list[Entry] = []
        self._width = self._height = 0.0
        self.setZValue(100)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        view_box.sigResized.connect(self._place)

    @property
    def items(self) -> list[tuple[Entry, Entry]]:
        return [(e, e) for e in self.entries]

    def set_entries(self, entries: list[tuple[object, str]]) -> None:
        """Show these rows (an empty list hides the legend)."""
        self.prepareGeometryChange()
        self.entries = [Entry(item, text) for item, text in entries]
        text_w = max((self._metrics.horizontalAdvance(e.text) for e in self.entries), default=0)
        self._width = PAD_X * 2 + SAMPLE_PX + GAP_PX + text_w
        self._height = PAD_Y * 2 + self._row_px() * len(self.entries)
        self.setVisible(bool(self.entries))
        self._place()
        self.update()

    def _row_px(self) -> int:
        return max(self._metrics.height(), 14)

    def _place(self, *_) -> None:
        r = self._vb.boundingRect()
        dx, dy = self._offset
        self.setPos(dx if dx >= 0 else r.width() + dx - self._width, dy if dy >= 0 else r.height() + dy - self._height)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return QRectF(0, 0, self._width, self._height)

    def paint(self, p: QPainter, *_) -> None:
        p.setPen(QPen(BORDER))
        p.setBrush(FILL)
        p.drawRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5))
        p.setFont(self._font)
        row = self._row_px()
        for k, entry in enumerate(self.entries):
            top = PAD_Y + k * row
            _paint_sample(p, entry.item, QRectF(PAD_X, top, SAMPLE_PX, row))
            p.setPen(TEXT_COLOR)
            baseline = top + (row - self._metrics.height()) / 2 + self._metrics.ascent()
            p.drawText(QPointF(PAD_X + SAMPLE_PX + GAP_PX, baseline), entry.text)


def _paint_sample(p: QPainter, sample, box: QRectF) -> None:
    mid = box.center().y()
    if isinstance(sample, Key):
        pen, band, symbol = spec_pen(sample.color, sample.width_pt, sample.dash), sample.band, sample.symbol
        fill = QColor(sample.color)
        fill.setAlpha(50)
        hollow = sample.hollow
    else:  # a pyqtgraph item: its pen, its fill (fillLevel set) and its symbol
        opts = getattr(sample, "opts", {})
        pen = pg.mkPen(opts.get("pen")) if opts.get("pen") is not None else QPen(Qt.PenStyle.NoPen)
        band = opts.get("fillLevel") is not None and opts.get("brush") is not None
        fill = pg.mkBrush(opts.get("brush")).color() if band else QColor()
        symbol, hollow = opts.get("symbol"), False
        if symbol is not None:
            fill = pg.mkBrush(opts.get("symbolBrush") or opts.get("brush") or "#888").color()
    if band:
        p.fillRect(QRectF(box.left(), mid - 5, box.width(), 10), fill)
    if symbol is None:
        p.setPen(pen)
        p.drawLine(QPointF(box.left(), mid), QPointF(box.right(), mid))
        return
    name = symbol if isinstance(sample, Key) else {v: k for k, v in PG_SYMBOLS.items()}.get(symbol, symbol)
    color = sample.color if isinstance(sample, Key) else fill.name()
    pix = symbol_pixmap(name, 8, color, hollow)
    side = pix.width() / pix.devicePixelRatio()
    p.drawPixmap(QPointF(box.center().x() - side / 2, mid - side / 2), pix)
