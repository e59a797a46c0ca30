"""A read-only block of rich text drawn from one QTextDocument: the recommendation card's text.

A word-wrapped rich-text QLabel lays its text out twice to answer ``heightForWidth`` (once unwrapped, once
at the width), and when it is painted before being measured it lays the text out then and asks for a
second repaint an event-loop pass later. The card changes several texts on most slider steps, so those
layouts and late repaints were a fifth of a step. Here a text is laid out once per change and width, and
painting draws that layout.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import (QAbstractTextDocumentLayout, QColor, QFont, QFontMetrics, QPainter, QPalette, QStaticText,
                           QTextDocument, QTransform)
from PySide6.QtWidgets import QSizePolicy, QWidget


def prepared(text: str, font: QFont) -> QStaticText:
    """Plain ``text`` shaped once in ``font``: it measures itself (``size()``) and is drawn from its glyphs
    until it changes; measuring and then drawing a plain string shaped it twice (table cells, card tiles)."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(QTransform(), font)
    return static


class RichText(QWidget):
    """Rich text in ``color`` at ``point_size`` (None: the application's size), wrapped to the widget's
    width or on one line, centred vertically; ``box`` = (background, border) draws it in a rounded box,
    spaced as a QLabel styled with a 1 px border and padding 4px 8px (a framed QLabel also indents its
    text by half an "x")."""

    def __init__(self, name: str, point_size: float | None = None, bold: bool = False, color: str = "#000000",
                 wrap: bool = True, box: tuple[str, str] | None = None):
        super().__init__()
        self.setObjectName(name)
        self._wrap, self._box, self._color = wrap, box, QColor(color)
        font = QFont(self.font())
        if point_size is not None:
            font.setPointSizeF(point_size)
        font.setBold(bold)
        self.setFont(font)
        indent = QFontMetrics(font).horizontalAdvance("x") // 2
        self._left, self._right, self._pad_y = (9 + indent, 9, 5) if box else (0, 0, 0)
        self._doc = QTextDocument(self)
        self._doc.setDocumentMargin(0)  # as QLabel
        self._doc.setUndoRedoEnabled(False)
        self._doc.setDefaultFont(font)
        self._html = ""
        self._text_width: float | None = None  # the width the document is laid out for (-1: one line)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(wrap)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self._html

    def setText(self, html: str) -> None:  # noqa: N802 - QLabel's name
        """Show ``html``. The card places its children after setting their texts, so no layout request
        goes to the parent."""
        if html != self._html:
            self._html = html
            self._doc.setHtml(html)
            self.setAccessibleName(self._doc.toPlainText())
            self.update()

    def _lay_out(self, width: int) -> None:
        """Lay the text out for a widget ``width`` wide. QTextDocument lays the whole text out again on every
        setTextWidth, even to the width it has (measuring, placing and painting each asked: up to five
        layouts of each changed text per slider step); a new text is laid out by setHtml at the width set."""
        text_width = max(1, width - self._left - self._right) if self._wrap else -1
        if text_width != self._text_width:
            self._text_width = text_width
            self._doc.setTextWidth(text_width)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return self._wrap

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        self._lay_out(width)
        return math.ceil(self._doc.size().height()) + 2 * self._pad_y

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """On one line: the text's natural size; wrapped: the height for the current width."""
        if self._wrap:
            return QSize(self.width(), self.heightForWidth(self.width()))
        self._lay_out(0)
        return QSize(math.ceil(self._doc.idealWidth()) + self._left + self._right,
                     math.ceil(self._doc.size().height()) + 2 * self._pad_y)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        if self._box:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QColor(self._box[1]))
            painter.setBrush(QColor(self._box[0]))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        self._lay_out(self.width())
        top = self._pad_y + max(0, (self.height() - 2 * self._pad_y - math.ceil(self._doc.size().height())) // 2)
        painter.translate(self._left, top)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(self.palette())
        palette.setColor(QPalette.ColorRole.Text, self._color)
        context.palette = palette
        context.clip = QRectF(event.rect()).translated(-self._left, -top)
        self._doc.documentLayout().draw(painter, context)
