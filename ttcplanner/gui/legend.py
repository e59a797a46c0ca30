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
COLUMN_GAP_PX = 12  # between the entries on a line of a legend below the plot
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
    """Rows of (sample, name) in a white box. By default at a corner of the view box, ``offset`` pixels in from
    it (negative: from the right or bottom edge); a plot that places it itself (``put``: a corner free of data,
    or below the view box) gives it the plot item as ``parent``. With a ``flow`` width the entries run left to
    right and wrap at that width (a legend below the plot: fewer, wider rows)."""

    def __init__(self, view_box, offset: tuple[int, int], font: QFont, parent=None):
        super().__init__(parent if parent is not None else view_box)
        self._vb, self._offset = view_box, offset
        self._font, self._metrics = font, QFontMetrics(font)
        self.entries: list[Entry] = []
        self._width = self._height = 0.0
        self._slots: list[tuple[float, float]] = []  # each entry's top left
        self.flow: float | None = None
        self._spot: tuple[float, float] | None = None  # put() there, in the parent's coordinates
        self._sized: tuple = (None, None)  # (texts, flow) last measured, and their box
        self.setZValue(100)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        view_box.sigResized.connect(self._place)

    @property
    def items(self) -> list[tuple[Entry, Entry]]:
        return [(e, e) for e in self.entries]

    def _layout(self, texts: list[str], flow: float | None) -> tuple[float, float, list[tuple[float, float]]]:
        """(width, height, each entry's top left): one column, or lines wrapped at ``flow`` pixels."""
        row = self._row_px()
        widths = [SAMPLE_PX + GAP_PX + self._metrics.horizontalAdvance(t) for t in texts]
        if flow is None:
            return (
                PAD_X * 2 + max(widths, default=0),
                PAD_Y * 2 + row * len(texts),
                [(PAD_X, PAD_Y + k * row) for k in range(len(texts))],
            )
        slots, x, y, right = [], float(PAD_X), float(PAD_Y), 0.0
        for w in widths:
            if x > PAD_X and x + w > flow - PAD_X:
                x, y = float(PAD_X), y + row
            slots.append((x, y))
            right = max(right, x + w)
            x += w + COLUMN_GAP_PX
        return right + PAD_X, y + row + PAD_Y, slots

    def size_for(self, texts: list[str], flow: float | None = None) -> tuple[float, float]:
        """The box ``texts`` need in one column, or flowed into lines ``flow`` pixels wide (the last answer
        kept: a plot asks on every step)."""
        key = (tuple(texts), flow)
        if self._sized[0] != key:
            w, h, _ = self._layout(texts, flow)
            self._sized = (key, (w, h))
        return self._sized[1]

    def set_entries(self, entries: list[tuple[object, str]], flow: float | None = None, tip: str = "") -> None:
        """Show these rows (an empty list hides the legend), in one column or flowed into lines ``flow``
        pixels wide; ``tip`` is its tooltip (the whole names of those it shows cut)."""
        self.prepareGeometryChange()
        self.entries = [Entry(item, text) for item, text in entries]
        self.flow = flow
        self._width, self._height, self._slots = self._layout([e.text for e in self.entries], flow)
        self.setToolTip(tip)
        self.setVisible(bool(self.entries))
        self._place()
        self.update()

    def _row_px(self) -> int:
        return max(self._metrics.height(), 14)

    def put(self, x: float, y: float) -> None:
        """Keep the legend's top left at (x, y) in its parent's coordinates (the plot decides where)."""
        self._spot = (x, y)
        self.setPos(x, y)

    def to_corner(self) -> None:
        """Back to its corner of the view box after ``put``."""
        if self._spot is not None:
            self._spot = None
            self._place()

    def _place(self, *_) -> None:
        if self._spot is not None:
            return
        r = self._vb.mapRectToItem(self.parentItem(), self._vb.boundingRect())
        dx, dy = self._offset
        self.setPos(
            r.x() + (dx if dx >= 0 else r.width() + dx - self._width),
            r.y() + (dy if dy >= 0 else r.height() + dy - self._height),
        )

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return QRectF(0, 0, self._width, self._height)

    def paint(self, p: QPainter, *_) -> None:
        p.setPen(QPen(BORDER))
        p.setBrush(FILL)
        p.drawRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5))
        p.setFont(self._font)
        row = self._row_px()
        for entry, (left, top) in zip(self.entries, self._slots, strict=True):
            _paint_sample(p, entry.item, QRectF(left, top, SAMPLE_PX, row))
            p.setPen(TEXT_COLOR)
            baseline = top + (row - self._metrics.height()) / 2 + self._metrics.ascent()
            p.drawText(QPointF(left + SAMPLE_PX + GAP_PX, baseline), entry.text)


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
