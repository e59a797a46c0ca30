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
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QStaticText,
    QTextDocument,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget


def prepared(text: str, font: QFont) -> QStaticText:
    """Plain ``text`` shaped once in ``font``: it measures itself (``size()``) and is drawn from its glyphs
    until it changes; measuring and then drawing a plain string shaped it twice (table cells, card tiles)."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(QTransform(), font)
    return static


LINE_BREAK = "<br>"


class RichText(QWidget):
    """Rich text in ``color`` at ``point_size`` (None: the application's size), wrapped to the widget's
    width or on one line, centred vertically; ``box`` = (background, border) draws it in a rounded box,
    spaced as a QLabel styled with a 1 px border and padding 4px 8px (a framed QLabel also indents its
    text by half an "x").

    Each line (the text between two ``<br>``, which no tag may span) is a document of its own, stacked
    under the one before: a slider step changes one or two lines of a text (a cost, a saving), and only those
    are parsed, laid out and repainted again (the whole text was a tenth of a step). The lines sit where one
    document's lines would: a line separator starts a line like a new document does.
    """

    def __init__(
        self,
        name: str,
        point_size: float | None = None,
        bold: bool = False,
        color: str = "#000000",
        wrap: bool = True,
        box: tuple[str, str] | None = None,
    ):
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
        self._html = ""
        self._lines: list[str] = []
        self._docs: list[QTextDocument] = []
        self._text_width: float | None = None  # the width the documents are laid out for (-1: one line)
        self._tops_now: list[int] | None = None  # _tops() until the lines or their width change
        self._context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(self.palette())
        palette.setColor(QPalette.ColorRole.Text, self._color)
        self._context.palette = palette
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(wrap)
        self.setSizePolicy(policy)

    def _new_doc(self) -> QTextDocument:
        doc = QTextDocument(self)
        doc.setDocumentMargin(0)  # as QLabel
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self.font())
        if self._text_width is not None:
            doc.setTextWidth(self._text_width)
        return doc

    def text(self) -> str:
        return self._html

    def setText(self, html: str) -> None:  # noqa: N802 - QLabel's name
        """Show ``html``, parsing only the lines that changed and repainting only where they are (or, when
        one changed height, from it down). The card places its children after setting their texts, so no
        layout request goes to the parent."""
        if html == self._html:
            return
        self._html = html
        lines = html.split(LINE_BREAK)
        tops = self._tops()
        while len(self._docs) < len(lines):
            self._docs.append(self._new_doc())
        for doc in self._docs[len(lines) :]:
            doc.deleteLater()
        del self._docs[len(lines) :]
        changed = [j for j, line in enumerate(lines) if j >= len(self._lines) or line != self._lines[j]]
        for j in changed:
            self._docs[j].setHtml(lines[j])
        self._lines, self._tops_now = lines, None
        self.setAccessibleName("\n".join(doc.toPlainText() for doc in self._docs))
        if self._tops() != tops:  # a line changed height: the lines below it move (or the card places it anew)
            self.update()
            return
        offset = self._offset()
        for j in changed:  # every line where it was: only the changed ones are drawn again
            self.update(0, offset + tops[j], self.width(), tops[j + 1] - tops[j])

    def _tops(self) -> list[int]:
        """Each line's top in the text and, last, the text's height (whole pixels, so lines do not blur)."""
        if self._tops_now is None:
            tops = [0]
            for doc in self._docs:
                tops.append(tops[-1] + math.ceil(doc.size().height()))
            self._tops_now = tops
        return self._tops_now

    def _offset(self) -> int:
        """Where the text's first line starts in the widget: centred in what the padding leaves."""
        return self._pad_y + max(0, (self.height() - 2 * self._pad_y - self._tops()[-1]) // 2)

    def _lay_out(self, width: int) -> None:
        """Lay the text out for a widget ``width`` wide. QTextDocument lays the whole text out again on every
        setTextWidth, even to the width it has (measuring, placing and painting each asked: up to five
        layouts of each changed text per slider step); a new text is laid out by setHtml at the width set."""
        text_width = max(1, width - self._left - self._right) if self._wrap else -1
        if text_width != self._text_width:
            self._text_width, self._tops_now = text_width, None
            for doc in self._docs:
                doc.setTextWidth(text_width)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return self._wrap

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        self._lay_out(width)
        return self._tops()[-1] + 2 * self._pad_y

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """On one line: the text's natural size; wrapped: the height for the current width."""
        if self._wrap:
            return QSize(self.width(), self.heightForWidth(self.width()))
        self._lay_out(0)
        return QSize(
            max((math.ceil(doc.idealWidth()) for doc in self._docs), default=0) + self._left + self._right,
            self._tops()[-1] + 2 * self._pad_y,
        )

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        if self._box:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QColor(self._box[1]))
            painter.setBrush(QColor(self._box[0]))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        self._lay_out(self.width())
        tops, area = self._tops(), event.rect()
        painter.translate(self._left, self._offset())
        area.translate(-self._left, -self._offset())
        for doc, top, bottom in zip(self._docs, tops, tops[1:], strict=False):
            if bottom <= area.top() or top > area.bottom():
                continue  # a line outside what is repainted
            painter.translate(0, top)
            self._context.clip = QRectF(area.translated(0, -top))
            doc.documentLayout().draw(painter, self._context)
            painter.translate(0, -top)
