"""The recommendation card: what to deploy, what it costs, what it saves, and why, in one glance.

Every figure is read from the Plan and formatted by ttcplanner.model.format; the card adds no numbers.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPalette, QPixmap, QStaticText
from PySide6.QtWidgets import QApplication, QCheckBox, QFrame, QPushButton, QScrollArea, QSizePolicy, QWidget

from ttcplanner.gui import style
from ttcplanner.gui.rich_text import RichText, prepared
from ttcplanner.model.budget import describe
from ttcplanner.model.format import cost_lines, count, duration, money, pct, requests, saving, whole
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.model.planner import Plan
from ttcplanner.present.reasons import alternative_text, headline, nearest_miss_texts, reason_text, warning_texts

CARD_MIN_HEIGHT_PX = 200  # headline and tiles; the rest scrolls when the card is this small
CARD_MIN_WIDTH_PX = 600
CARD_MARGIN_X_PX, CARD_MARGIN_Y_PX = 12, 8
CARD_GAP_PX = 6  # between rows, tiles and the top row's badges
CARD_COLUMN_GAP_PX = 16  # between the alternatives and the reasons
_ELIDE = Qt.TextElideMode.ElideRight
STATUS_TEXT = {
    "ok": ("meets every target", "#1a7f3c"),
    "target_missed": ("accuracy target missed", "#b35900"),
    "nothing_feasible": ("nothing feasible", "#b00020"),
}


def _badge(text: str, color: str, weight: int) -> str:
    return f"<span style='color:white; background:{color}; font-weight:{weight}'>&nbsp;{text}&nbsp;</span>"


def _kind_badge(kind: str) -> str:
    return _badge(KIND_NAMES[kind], style.KIND_COLORS[kind], 700)


def _status_badge(status: str) -> str:
    text, color = STATUS_TEXT.get(status, (status, "#444"))
    return _badge(text, color, 600)


def _put(widget: QWidget, x: int, y: int, width: int, height: int) -> None:
    """Plain geometry (no fixed size: a fixed size would also pin what heightForWidth reports)."""
    widget.setGeometry(x, y, max(1, width), max(1, height))


def _tile_widths(natural: list[int], room: int, least: list[int] | None = None) -> list[int]:
    """Natural widths, the spare room shared evenly; when the row is too narrow, the widest tiles narrow to
    a common width first but never below ``least`` (each tile's width with its detail wrapped: every text
    still whole), so short figures stay on one line; only a row too narrow even for that cuts texts (tooltip)."""
    spare = room - sum(natural)
    if spare >= 0:
        return [n + spare // len(natural) for n in natural]
    floor = least if least is not None and sum(least) <= room else [1] * len(natural)
    cap = max(natural)
    while cap > 1 and sum(max(min(n, cap), f) for n, f in zip(natural, floor, strict=True)) > room:
        cap -= 1
    return [max(min(n, cap), f) for n, f in zip(natural, floor, strict=True)]


def _wrapped(text: str, metrics: QFontMetrics, room: int) -> list[str]:
    """``text`` broken between words into lines at most ``room`` pixels wide (a word wider stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _two_line_width(text: str, metrics: QFontMetrics) -> int:
    """The narrowest width at which ``text`` wraps onto two lines between words (its width without a space)."""
    words = text.split(" ")
    best = metrics.horizontalAdvance(text)
    for k in range(1, len(words)):
        first, second = " ".join(words[:k]), " ".join(words[k:])
        best = min(best, max(metrics.horizontalAdvance(first), metrics.horizontalAdvance(second)))
    return best + 1


class _Metric(QWidget):
    """A tile of three lines (title, value, detail) painted directly. A narrow tile wraps its detail onto
    DETAIL_LINES lines (``least_width``: every text whole at 1366 px); only a tile narrower than that cuts a
    line with "…", and the tooltip then shows it whole. (Three style-sheet labels in a layout per tile made
    every figure change a layout pass and three style-sheet paints.)"""

    PAD_X, PAD_Y = 8, 4
    DETAIL_LINES = 2
    LINES = (
        ("title", 8.0, QFont.Weight.Normal, "#5a6270"),
        ("value", 12.0, QFont.Weight.DemiBold, "#111111"),
        ("detail", 8.0, QFont.Weight.Normal, "#5a6270"),
    )

    def __init__(self, name: str, title: str):
        super().__init__()
        self.setObjectName(name)
        self._texts = {"title": title, "value": "", "detail": ""}
        self._own_tip = ""
        self._fonts = {}
        for line, points, weight, _ in self.LINES:
            font = QFont(self.font())
            font.setPointSizeF(points)
            font.setWeight(weight)
            self._fonts[line] = (font, QFontMetrics(font))
        self._static: dict[str, QStaticText] = {}
        self._widths: dict[str, int] = {}
        self._wraps: dict = {}  # (detail text, room) -> its wrapped lines
        self._least: tuple = (None, 0)  # (detail text, its narrowest width on two lines)
        for line in self._texts:
            self._shape(line)
        self._frame: tuple = (None, None)  # (size and pixel ratio, the rounded frame drawn for them)

    def _shape(self, line: str) -> None:
        """Lay ``line``'s text out once, as a QStaticText that measures it and draws it until it changes
        (drawText in a rectangle and horizontalAdvance each shaped it again: a fifth of the card's step)."""
        text = self._static[line] = prepared(self._texts[line], self._fonts[line][0])
        self._widths[line] = math.ceil(text.size().width())

    @property
    def value_text(self) -> str:
        return self._texts["value"]

    @property
    def detail_text(self) -> str:
        return self._texts["detail"]

    def set(self, value: str, detail: str = "") -> None:
        if (value, detail) != (self._texts["value"], self._texts["detail"]):
            self._texts.update(value=value, detail=detail)
            for line in ("value", "detail"):
                self._shape(line)
            self._update_tip()
            self.update()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt API
        """The tile's own tooltip (after the whole lines when one is cut)."""
        self._own_tip = tip
        self._update_tip()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = max(self._widths.values())
        height = sum(m.height() for _, m in self._fonts.values())
        return QSize(width + 2 * self.PAD_X + 1, height + 2 * self.PAD_Y)

    def least_width(self) -> int:
        """The narrowest width showing every text whole: title and value on one line, the detail on at most
        DETAIL_LINES lines."""
        detail = self._texts["detail"]
        if self._least[0] != detail:  # measured once per detail text
            self._least = (detail, _two_line_width(detail, self._fonts["detail"][1]) if detail else 0)
        return max(self._widths["title"], self._widths["value"], self._least[1]) + 2 * self.PAD_X + 1

    def detail_lines(self, width: int | None = None) -> list[str]:
        """The detail as drawn at ``width`` (the tile's own by default): one line, or wrapped between words."""
        room = (self.width() if width is None else width) - 2 * self.PAD_X
        text = self._texts["detail"]
        if self._widths["detail"] <= room or not text:
            return [text]
        key = (text, room)
        if key not in self._wraps:
            if len(self._wraps) > 64:
                self._wraps.clear()
            self._wraps[key] = _wrapped(text, self._fonts["detail"][1], room)
        return self._wraps[key]

    def height_for(self, width: int) -> int:
        """The tile's height at ``width``: its detail wrapped onto up to DETAIL_LINES lines."""
        lines = min(len(self.detail_lines(width)), self.DETAIL_LINES)
        title, value, detail = (self._fonts[k][1].height() for k in ("title", "value", "detail"))
        return title + value + detail * lines + 2 * self.PAD_Y

    def shown_texts(self) -> list[str]:
        """Every line as painted at the tile's width and height (a cut line ends in "…"); for tests."""
        room = self.width() - 2 * self.PAD_X
        out = []
        for line, _, _, _ in self.LINES:
            metrics = self._fonts[line][1]
            texts = self._detail_rows() if line == "detail" else [self._texts[line]]
            out += [t if metrics.horizontalAdvance(t) <= room else metrics.elidedText(t, _ELIDE, room) for t in texts]
        return out

    def _detail_rows(self) -> list[str]:
        """The detail lines that fit the tile's height, the last one holding the rest when more would."""
        lines = self.detail_lines()
        metrics = self._fonts["detail"][1]
        above = sum(self._fonts[k][1].height() for k in ("title", "value")) + 2 * self.PAD_Y
        fit = max(1, (self.height() - above) // metrics.height())
        return lines if len(lines) <= fit else lines[: fit - 1] + [" ".join(lines[fit - 1 :])]

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        room = self.width() - 2 * self.PAD_X
        rows = self._detail_rows() if self._widths["detail"] > room else [self._texts["detail"]]
        metrics = self._fonts["detail"][1]
        cut = max(self._widths["title"], self._widths["value"]) > room or any(
            metrics.horizontalAdvance(t) > room for t in rows
        )
        whole = "\n".join(t for t in self._texts.values() if t)
        tip = "\n\n".join(t for t in (whole, self._own_tip) if t) if cut else self._own_tip
        if tip != super().toolTip():
            super().setToolTip(tip)

    def _frame_pixmap(self) -> QPixmap:
        """The tile's rounded frame, drawn once per size: antialiased rounded rectangles were a tenth of
        the card's repaint."""
        key = (self.size(), self.devicePixelRatioF())
        if self._frame[0] != key:
            pixmap = QPixmap(self.size() * key[1])
            pixmap.setDevicePixelRatio(key[1])
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QColor("#dde3ea"))
            p.setBrush(QColor("#f5f7fa"))
            p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
            p.end()
            self._frame = (key, pixmap)
        return self._frame[1]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._frame_pixmap())
        y, room = self.PAD_Y, self.width() - 2 * self.PAD_X
        for line, _, _, color in self.LINES:
            font, metrics = self._fonts[line]
            painter.setFont(font)
            painter.setPen(QColor(color))
            if self._widths[line] <= room:
                painter.drawStaticText(QPointF(self.PAD_X, y), self._static[line])
                y += metrics.height()
                continue
            for text in self._detail_rows() if line == "detail" else [self._texts[line]]:
                painter.drawText(
                    QRect(self.PAD_X, y, room, metrics.height()),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    metrics.elidedText(text, _ELIDE, room),
                )
                y += metrics.height()


def budget_tile(plan: Plan) -> tuple[str, str, str]:
    """(value, detail, tooltip) of the budget tile: what the recommendation is bought at ("high effort, 1
    sample" / "8k tokens x 4 samples", then how they are aggregated), and the caps or fixed budget behind it."""
    r, s, i = plan.results, plan.scenario, plan.recommended
    caps = f"{count(s.reasoning_tokens)} tokens × {s.samples} sample{'s' if s.samples != 1 else ''}"
    if s.budget_mode == "auto":
        where = "auto"
        tip = f"Searched: the cheapest budget within your caps of {caps} that meets the targets, for every option."
    else:
        where = "fixed"
        tip = f"Fixed: every option is priced at {caps} (a model sold by effort level at the level that buys it)."
    if i is None:
        return "—", where, tip
    full = describe(r.reasoning_tokens[i], r.samples[i], r.effort[i], s.aggregation)
    per_sample = describe(r.reasoning_tokens[i], 1, r.effort[i], s.aggregation).rsplit(", ", 1)[0]
    n = int(r.samples[i])
    value = per_sample if n == 1 else f"{per_sample} × {n}"
    how = "1 sample" if n == 1 else f"{n} samples, {full.rsplit(', ', 1)[1]}"
    return value, f"{how} · {where}", f"{full}\n{tip}"


def hint_text(plan: Plan) -> str:
    """Fixed mode: one line on a much cheaper budget within the same caps ('' when there is none)."""
    h = plan.budget_hint
    if h is None:
        return ""
    what = describe(h.reasoning_tokens, h.samples, h.effort, plan.scenario.aggregation)
    gain = f", {h.saving:.0%} less" if math.isfinite(h.saving) else " and meets every target"
    return (
        f"<b>Cheaper budget within these caps:</b> {html.escape(what)} costs {money(h.monthly_usd)}/month "
        f"({html.escape(plan.options.label[h.option])}){gain}."
    )


class RecommendationCard(QFrame):
    # (undo-step key, Scenario fields): the budget switches, applied by the controller as one undoable step
    changeRequested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recommendationCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        white = QPalette(self.palette())
        white.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(CARD_MIN_WIDTH_PX, CARD_MIN_HEIGHT_PX)
        # The card places its contents itself (``_place``), without Qt layouts: a layout re-measures every
        # word-wrapped rich-text label many times after each text change (heightForWidth, size hints) and
        # tells its parents "my geometry may have changed", which re-laid out the main window on every slider
        # step. Here each label is measured once per change, and a text change ripples no further.
        # Too small a card scrolls instead of cutting off the last lines.
        self._scroll = QScrollArea(self)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.viewport().installEventFilter(self)  # see eventFilter
        # A scroll bar that goes away widens the viewport and the body: repaint only the strip that appears
        # (Qt repaints a widened widget whole, and with it every text of the card, a pass after the step).
        self._scroll.viewport().setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._body = QWidget()
        self._body.setObjectName("recommendationBody")
        self._body.setAttribute(Qt.WidgetAttribute.WA_StaticContents)  # children placed from the top left
        # White from the palette, not a style sheet: a style sheet on the card made Qt paint the card and
        # every child through its style-sheet engine, on each text's repaint
        for w in (self, self._body):
            w.setPalette(white)
            w.setAutoFillBackground(True)
        self.kind = RichText("recommendationKind", wrap=False)
        self.headline = RichText("recommendationHeadline", 13, bold=True, color="#111111")
        self.status = RichText("recommendationStatus", wrap=False)
        self.accuracy = _Metric("metricAccuracy", "Expected accuracy")
        self.budget = _Metric("metricBudget", "Compute budget")
        self.monthly = _Metric("metricMonthly", "Monthly cost")
        self.per_1k = _Metric("metricPer1k", "Per 1k requests")
        self.latency = _Metric("metricLatency", "Latency per request")
        self.gpus = _Metric("metricGpus", "GPUs needed")
        self.breakeven = _Metric("metricBreakEven", "Break-even volume")
        self.tiles = (self.accuracy, self.budget, self.monthly, self.per_1k, self.latency, self.gpus, self.breakeven)
        self.alternatives = RichText("recommendationAlternatives", 9)
        self.reasons = RichText("recommendationReasons", 9, color="#222222")
        self.warnings = RichText(
            "recommendationWarnings", color="#5c4400", box=(style.WARNING_BG, style.WARNING_BORDER)
        )
        self.footer = RichText("recommendationFooter", 8, color="#6b7280")
        self.auto_budget = QCheckBox("Search the cheapest budget")
        self.auto_budget.setObjectName("budgetAutoCheck")
        self.auto_budget.setToolTip(
            "On: reasoning tokens and samples are caps, and each option is bought at its "
            "cheapest budget within them.\nOff: every option is priced at exactly that budget."
        )
        self.auto_budget.toggled.connect(
            lambda on: self.changeRequested.emit("budget_mode", {"budget_mode": "auto" if on else "fixed"})
        )
        self.use_hint = QPushButton("Use this budget")
        self.use_hint.setObjectName("useCheaperBudget")
        self.use_hint.clicked.connect(self._use_hint)
        self._hint_budget: dict | None = None
        for w in (
            self.kind,
            self.headline,
            self.status,
            *self.tiles,
            self.alternatives,
            self.reasons,
            self.warnings,
            self.footer,
            self.auto_budget,
            self.use_hint,
        ):
            w.setParent(self._body)
        self._scroll.setWidget(self._body)
        # The texts are drawn, not selectable labels: right-click or Ctrl+C copies the whole card instead.
        self.copy_action = QAction("Copy Recommendation", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(lambda: QApplication.clipboard().setText(self.text()))
        self.addAction(self.copy_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._placed_for = None  # (layout width, viewport height, texts) last placed: unchanged, no new geometry
        self._height = 0  # the body's height the last placing needed
        self._tile_rows: dict[int, tuple[int, list[int]]] = {}  # per row of tiles: (its width, the tiles' widths)
        self._two_rows_at = -1  # the card width at which the tiles took two rows (they keep them at that width)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.minimumSize()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._scroll.setGeometry(self.contentsRect())
        self._place()

    def _place(self) -> None:
        """Give every child its geometry for the current texts: a row of badges and headline, a row of
        tiles (natural widths, stretched or cut evenly to the row), the alternatives and the reasons side by
        side (2:3), then the warnings and the footer. The body is as wide as the scroll area's viewport (a
        scroll bar that comes or goes resizes the viewport, which places the body again) and as tall as
        its contents or the viewport, whichever is taller."""
        width, room = self._scroll.viewport().width(), self._scroll.viewport().height()
        if width <= 0:
            return
        # The children are laid out for the viewport's width with the scroll bar shown, shown or not: a step
        # whose new text made the card start (or stop) scrolling laid every text out and painted it again a
        # pass later, at a width one scroll bar different.
        laid_out = self._scroll.maximumViewportSize().width() - self._scroll.verticalScrollBar().sizeHint().width()
        key = (laid_out, room, self._texts())
        if key != self._placed_for:
            self._placed_for = key
            self._height = self._arrange(max(1, laid_out))
        size = QSize(width, max(self._height, room))  # white to the card's bottom edge
        if self._body.size() != size:
            self._body.setFixedSize(size)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _texts(self) -> tuple:
        return tuple(
            w.text()
            for w in (
                self.kind,
                self.headline,
                self.status,
                self.alternatives,
                self.reasons,
                self.warnings,
                self.footer,
            )
        ) + tuple((m.value_text, m.detail_text) for m in self.tiles)

    def _arrange(self, width: int) -> int:
        """Place the children for a body ``width``; return the body's height."""
        left, top, gap, inner = CARD_MARGIN_X_PX, CARD_MARGIN_Y_PX, CARD_GAP_PX, width - 2 * CARD_MARGIN_X_PX
        # badges at their own width: slots as wide as the widest badge would keep the top row still when the
        # recommendation changes (Qt repaints a moved label a frame late), but left gaps and wrapped headlines
        kind_w = self.kind.sizeHint().width() if self.kind.text() else 0
        status_w = self.status.sizeHint().width()
        head_w = max(1, inner - kind_w - status_w - 2 * gap)
        row = max(self.headline.heightForWidth(head_w), self.kind.sizeHint().height(), self.status.sizeHint().height())
        x = left
        for w, wid in ((self.kind, kind_w), (self.headline, head_w), (self.status, status_w)):
            _put(w, x, top, wid, row)
            x += wid + (gap if wid else 0)
        y = top + row + gap

        tiles = list(self.tiles)
        if sum(m.least_width() for m in tiles) > inner - gap * (len(tiles) - 1):
            # two rows of tiles rather than cut figures, until the card's width changes: a second row that came
            # and went with the texts would move the card's lower half on most steps of a drag
            self._two_rows_at = inner
        split = (len(tiles) + 1) // 2 if self._two_rows_at == inner else len(tiles)
        y = self._tile_line(0, tiles[:split], left, y, inner)
        if split < len(tiles):
            y = self._tile_line(1, tiles[split:], left, y, inner)

        alt_w = int((inner - CARD_COLUMN_GAP_PX) * 2 / 5)
        why_w = inner - CARD_COLUMN_GAP_PX - alt_w
        alt_h, why_h = self.alternatives.heightForWidth(alt_w), self.reasons.heightForWidth(why_w)
        _put(self.alternatives, left, y, alt_w, alt_h)
        _put(self.reasons, left + alt_w + CARD_COLUMN_GAP_PX, y, why_w, why_h)
        y += max(alt_h, why_h) + gap
        if self.warnings.text():
            h = self.warnings.heightForWidth(inner)
            _put(self.warnings, left, y, inner, h)
            y += h + gap
        else:  # shown, but of no size: hiding and showing it would repaint the card a frame later
            self.warnings.setGeometry(left, y, 0, 0)
        # the footer, with the budget switches at its right: fixed mode's "use this budget" (of no size without
        # a hint, see the warnings) and auto/fixed
        controls = [self.use_hint] if self._hint_budget is not None else []
        controls.append(self.auto_budget)
        widths = [c.sizeHint().width() for c in controls]
        text_w = max(1, inner - sum(widths) - gap * len(controls))
        footer_h = self.footer.heightForWidth(text_w)
        h = max([footer_h] + [c.sizeHint().height() for c in controls])
        _put(self.footer, left, y + (h - footer_h) // 2, text_w, footer_h)
        x = left + text_w + gap
        if self._hint_budget is None:
            self.use_hint.setGeometry(x, y, 0, 0)
        for c, wid in zip(controls, widths, strict=False):
            _put(c, x, y, wid, c.sizeHint().height())
            x += wid + gap
        return y + h + top

    def _tile_line(self, line: int, tiles: list, left: int, y: int, inner: int) -> int:
        """Place one row of tiles at ``y``; return the y below it."""
        gap = CARD_GAP_PX
        natural = [m.sizeHint().width() for m in tiles]
        least = [m.least_width() for m in tiles]
        room = inner - gap * (len(tiles) - 1)
        room_before, widths = self._tile_rows.get(line, (-1, []))
        if room != room_before or any(
            n > w and (f > w or sum(natural) <= room) for n, f, w in zip(natural, least, widths, strict=False)
        ):
            # new widths only when the row's width changed or a text outgrew its tile (unless the row is narrow
            # and its detail wraps): a tile that moves repaints the whole row (a new recommendation changes most
            # texts, rarely by much)
            widths = _tile_widths(natural, room, least)
            self._tile_rows[line] = (room, widths)
        tile_h = max(m.height_for(w) for m, w in zip(tiles, widths, strict=False))
        x = left
        for m, wid in zip(tiles, widths, strict=False):
            _put(m, x, y, wid, tile_h)
            x += wid + gap
        return y + tile_h + gap

    def text(self) -> str:
        """Everything the card shows as plain text (tests, accessibility, copy-paste)."""
        parts = [self.kind.text(), self.headline.text(), self.status.text()]
        for m in self.tiles:
            parts += [m.value_text, m.detail_text]
        parts += [self.alternatives.text(), self.reasons.text(), self.warnings.text(), self.footer.text()]
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml("<br>".join(parts))
        return doc.toPlainText()

    def show_plan(self, plan: Plan) -> None:
        r, o, s = plan.results, plan.options, plan.scenario
        i = plan.recommended
        self.status.setText(_status_badge(plan.status))
        esc = html.escape
        if i is None:
            self.kind.setText("")
            self.headline.setText(esc(headline(plan)))
            for m in (self.accuracy, self.monthly, self.per_1k, self.latency, self.gpus):
                m.set("—")
            self.monthly.setToolTip("")
        else:
            kind = str(o.kind[i])
            self.kind.setText(_kind_badge(kind))
            self.headline.setText(esc(headline(plan).removeprefix(f"{KIND_NAMES[kind]}: ")))
            extra = " (extrapolated)" if r.extrapolated[i] else ""
            if r.accuracy_basis and r.accuracy_basis[i] == "estimated_from_other_tasks":
                extra += " (estimated)"
            self.accuracy.set(pct(r.accuracy_pct[i]), f"band {pct(r.low_pct[i])} to {pct(r.high_pct[i])}{extra}")
            self.monthly.set(money(r.monthly_usd[i]), f"at {requests(s.requests_per_day)}/day")
            self.monthly.setToolTip("\n".join(cost_lines(o, i, s)))  # the rent and its provider, or owning itemised
            self.per_1k.set(money(r.cost_per_request_usd[i] * 1000), f"{money(r.cost_per_request_usd[i])} per request")
            self.latency.set(duration(r.latency_s[i]), f"target {duration(s.latency_target_s)}")
            if kind == "gpu":
                reps = int(r.replicas[i])
                calibrated = (
                    " · calibrated by you" if r.calibrated_by_user is not None and r.calibrated_by_user[i] else ""
                )
                self.gpus.set(
                    whole(r.gpus_total[i]),
                    f"{whole(reps)} replica{'s' if reps != 1 else ''} × {int(o.gpus_per_replica[i])}{calibrated}",
                )
            else:
                self.gpus.set("none", "billed per token")
        value, detail, tip = budget_tile(plan)
        self.budget.set(value, detail)
        self.budget.setToolTip(tip)
        if self.auto_budget.isChecked() != (s.budget_mode == "auto"):
            with QSignalBlocker(self.auto_budget):  # model to widget: no request back
                self.auto_budget.setChecked(s.budget_mode == "auto")
        h = plan.budget_hint
        self._hint_budget = None if h is None else {"reasoning_tokens": h.reasoning_tokens, "samples": h.samples}
        self._show_alternatives(plan)
        self._show_break_even(plan)
        # Per-kind comparisons ("API tier: best is ...") are already in the alternatives block.
        why = [reason_text(plan, x) for x in plan.reasons if x.code not in ("kind_none", "kind_best")]
        misses = nearest_miss_texts(plan)  # no option meets every target: what to relax, and by how much
        title = "Why" if not misses else "Nearest misses" if i is None else "Why, and the nearest misses"
        self.reasons.setText(f"<b>{title}</b><br>" + "<br>".join(f"• {esc(x)}" for x in why + misses))
        hint = [hint_text(plan)] if plan.budget_hint is not None else []
        warnings = [f"⚠ {esc(w)}" for w in warning_texts(plan)]
        self.warnings.setText("<br>".join(hint + warnings))  # empty: no room (see _arrange)
        self.footer.setText(
            f"Catalog as of {plan.catalog_as_of} ({plan.catalog_age_days} days old) · "
            f"{o.size} options evaluated, {int(r.eligible.sum())} meet every target"
        )
        self._place()

    def _show_alternatives(self, plan: Plan) -> None:
        r, o = plan.results, plan.options
        rec = plan.recommended
        rows = []
        for k in KINDS:
            b = plan.best_per_kind.get(k)
            c = style.KIND_COLORS[k]
            name = f"<span style='color:{c}; font-weight:600'>{KIND_NAMES[k]}</span>"
            if rec is not None and str(o.kind[rec]) == k:
                continue
            if b is None:
                why = alternative_text(plan, plan.alternatives[k]) if k in plan.alternatives else "no eligible option"
                rows.append(f"{name}: {html.escape(why)}")
            else:
                vs = saving(r.monthly_usd[rec], r.monthly_usd[b]) if rec is not None else ""
                n = int(r.samples[b])
                how = describe(r.reasoning_tokens[b], 1, r.effort[b], "").rsplit(", ", 1)[0] + (
                    f" × {n}" if n > 1 else ""
                )
                rows.append(
                    f"{name}: {html.escape(o.label[b])} ({html.escape(how)}), {money(r.monthly_usd[b])}/month"
                    f"{f'; recommendation {vs}' if vs else ''}"
                )
        self.alternatives.setText(
            "<b>Against the best of each other kind</b><br>" + "<br>".join(f"• {x}" for x in rows)
        )

    def _use_hint(self) -> None:
        """Switch the fixed budget to the cheaper one the hint names (one undoable step)."""
        if self._hint_budget is not None:
            self.changeRequested.emit("budget", dict(self._hint_budget))

    def _show_break_even(self, plan: Plan) -> None:
        s = plan.scenario
        if not plan.break_evens:
            self.breakeven.set("none", "one kind is cheapest at every volume")
            return
        b = min(plan.break_evens, key=lambda b: abs(math.log(b.requests_per_day / s.requests_per_day)))
        side = KIND_NAMES[b.above] if s.requests_per_day >= b.requests_per_day else KIND_NAMES[b.below]
        short = {"api": "API", "gpu": "GPUs", "asic": "ASIC cloud"}  # the full names are in the tooltip
        self.breakeven.set(f"{count(b.requests_per_day)}/day", f"{short[b.below]} below, {short[b.above]} above")
        self.breakeven.setToolTip(
            "\n".join(
                f"{requests(x.requests_per_day)}/day: {KIND_NAMES[x.below]} cheaper below, {KIND_NAMES[x.above]} above"
                for x in plan.break_evens
            )
            + f"\nAt {requests(s.requests_per_day)}/day: {side} side"
        )
