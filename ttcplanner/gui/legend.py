"""A plot's legend as one item that Qt caches as pixels: a line (or symbol) sample and a name per row.

pyqtgraph's LegendItem is a layout of a sample widget and a rich-text label per entry; relabelling it
(a new recommended model on a budget step) re-laid out the layout and every label's text in Python, a few
milliseconds on the slowest steps. Here a new set of names is measured with font metrics and drawn once.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject
from pyqtgraph.graphicsItems.LegendItem import ItemSample

SAMPLE_PX = 20  # the line sample's box, as pyqtgraph draws it
PAD_X, PAD_Y, GAP_PX = 6, 3, 6
TEXT_COLOR = QColor("#222222")
FILL, BORDER = QColor(255, 255, 255, 225), QColor(200, 200, 200)


@dataclass(frozen=True)
class Entry:
    """One row: the plotted ``item`` whose pen (or symbol) the sample copies, and its ``text``."""

    item: object
    text: str


class Legend(QGraphicsObject):
    """Rows of (sample, name) in a white box at a corner of the view box, ``offset`` pixels in from it
    (negative: from the right or bottom edge). ``items`` lists (entry, entry) pairs, as pyqtgraph's
    legend lists (sample, label) pairs."""

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
            p.save()
            p.translate(PAD_X, top + row / 2 - 11)  # pyqtgraph draws its line sample at y = 11 of 20
            ItemSample.paint(entry, p)  # the same sample pyqtgraph draws: line, fill, or symbol
            p.restore()
            p.setPen(TEXT_COLOR)
            p.drawText(QPointF(PAD_X + SAMPLE_PX + GAP_PX, top + (row - self._metrics.height()) / 2 + self._metrics.ascent()),
                       entry.text)
