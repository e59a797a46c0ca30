"""Every evaluated option in a sortable, filterable table.

A plan has hundreds of rows and changes on every slider step, so sorting must not call Python per
comparison: the model sorts and filters itself with numpy (``sort``, ``set_only_fit``). Cells are formatted
lazily, when they are painted, and ``_OptionsView`` paints all visible cells in one Python call: with Qt's
own delegate the table was the most expensive widget to repaint after a slider step.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPointF, QRect, Qt, Signal
from PySide6.QtGui import QAccessible, QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ttcplanner.gui import style
from ttcplanner.gui.rich_text import prepared
from ttcplanner.model.format import count, duration, money, pct, whole
from ttcplanner.model.options import KIND_NAMES
from ttcplanner.model.planner import Plan
from ttcplanner.present.reasons import why_not, why_not_texts

# The budget columns come after Latency: at 1366x768 the key columns (main_window.KEY_TABLE_COLUMNS) up to
# Latency must be on screen, and with the budget columns before it Latency ended 96 px past the viewport.
COLUMNS = (
    "Kind",
    "Option",
    "Accuracy",
    "Band",
    "$ / month",
    "$ / 1k requests",
    "Latency",
    "Reasoning / sample",
    "Samples",
    "GPUs",
    "Meets targets",
    "Why not",
)
OPTION_ROLE = Qt.ItemDataRole.UserRole + 1  # option index in the plan
MONTHLY_COLUMN = COLUMNS.index("$ / month")  # ties in any sort: cheapest first
DEFAULT_SORT_COLUMN = 10  # options that meet the targets first, cheapest first: the recommendation is row 1
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ToolTipRole,
        OPTION_ROLE,
    }
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
CELL_PADDING_PX = 4


def _calibrated(r, i: int) -> bool:
    """A GPU row whose throughput a user calibration (Catalog > Calibrate) scales."""
    return r.calibrated_by_user is not None and bool(r.calibrated_by_user[i])


def _sort_key(plan: Plan, column: int) -> np.ndarray:
    """The numeric (or text) key of one column (only that one is built: this runs on every plan)."""
    r, o = plan.results, plan.options
    keys = [
        lambda: (o.kind == "gpu") + 2 * (o.kind == "asic"),
        lambda: np.array(o.label),
        lambda: r.accuracy_pct,
        lambda: r.high_pct - r.low_pct,
        lambda: r.monthly_usd,
        lambda: r.cost_per_request_usd,
        lambda: r.latency_s,
        lambda: r.reasoning_tokens,
        lambda: r.samples,
        lambda: np.where(o.kind == "gpu", r.gpus_total, np.nan),
        lambda: (~r.eligible).astype(float),
        lambda: np.array(why_not_texts(r)),
    ]
    return np.asarray(keys[column]())


class OptionsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plan: Plan | None = None
        self._order = np.zeros(0, dtype=int)
        self._sort = (DEFAULT_SORT_COLUMN, Qt.SortOrder.AscendingOrder)
        self.only_fit = False  # show only the options that meet every target
        self._cache: dict[tuple[int, int], str] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._kind_brush = {k: QBrush(QColor(c)) for k, c in style.KIND_COLORS.items()}
        self._muted = QBrush(QColor("#8a8f98"))
        self._recommended_bg = QBrush(QColor("#e3f4e8"))

    def set_plan(self, plan: Plan) -> None:
        """A new plan of the same options (every slider step) changes the cells, not the table's shape:
        dataChanged repaints the rows without resetting the header and the selection, as a reset would."""
        order = self._sorted_order(*self._sort, plan=plan)
        if self.plan is None or len(order) != len(self._order):
            self.beginResetModel()
            self.plan, self._order = plan, order
            self._cache.clear()
            self.endResetModel()
            return
        self.plan, self._order = plan, order
        self._cache.clear()
        if len(order):
            self.dataChanged.emit(self.index(0, 0), self.index(len(order) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() or self.plan is None else len(self._order)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def option_at(self, row: int) -> int:
        return int(self._order[row])

    def set_only_fit(self, on: bool) -> None:
        self.beginResetModel()
        self.only_fit = on
        self._order = self._sorted_order(*self._sort)
        self.endResetModel()

    def row_of(self, option: int) -> int:
        hits = np.flatnonzero(self._order == option)
        return int(hits[0]) if len(hits) else -1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        """A cell for Qt's other readers (tooltips, accessibility, tests); the view paints from ``look``."""
        if role not in _ROLES or self.plan is None or not index.isValid():
            return None
        row, col = index.row(), index.column()
        i = int(self._order[row])
        if role == OPTION_ROLE:
            return i
        if role == Qt.ItemDataRole.ToolTipRole:
            r, o = self.plan.results, self.plan.options
            why = why_not(self.plan, i)
            why = f"\nwhy not: {why}" if why else ""  # every cell of the row says why (issue 21)
            if col != 1:
                return o.label[i] + (why or ("\nmeets the targets" if r.eligible[i] else ""))
            return (
                f"{o.label[i]}\nsource: {o.source[i]}\nas of {o.as_of[i]} · confidence {o.confidence[i]}"
                + (
                    "\nthroughput calibrated by you (Catalog > Calibrate from vLLM benchmark)"
                    if _calibrated(r, i)
                    else ""
                )
                + why
            )
        text, brush, bold, align = self.look(row, col)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ForegroundRole:
            return brush
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return align
        if not bold:
            return None
        return self._recommended_bg if role == Qt.ItemDataRole.BackgroundRole else self._bold

    def look(self, row: int, col: int) -> tuple[str, QBrush | None, bool, int]:
        """What one cell shows: text, text colour (None: the palette's), bold, alignment; for the painter."""
        i = int(self._order[row])
        key = (i, col)
        text = self._cache.get(key)
        if text is None:
            text = self._cache[key] = self._text(i, col)
        kind_col = col == 0
        brush = (
            self._kind_brush[str(self.plan.options.kind[i])]
            if kind_col
            else (None if self.plan.results.eligible[i] else self._muted)
        )
        return text, brush, i == self.plan.recommended, _RIGHT if 2 <= col <= 9 else _LEFT

    def _text(self, i: int, col: int) -> str:
        r, o = self.plan.results, self.plan.options
        kind = str(o.kind[i])
        if col == 0:
            return KIND_NAMES[kind]
        if col == 1:
            return (
                o.label[i]
                + (" (batch)" if r.batch[i] else "")
                + (" · calibrated by you" if _calibrated(r, i) else "")
                + ("  ★ recommended" if i == self.plan.recommended else "")
            )
        if col == 2:
            return pct(r.accuracy_pct[i]) + ("*" if r.extrapolated[i] else "")
        if col == 3:
            return f"{pct(r.low_pct[i], 0)}–{pct(r.high_pct[i], 0)}" if np.isfinite(r.low_pct[i]) else "n/a"
        if col == 4:
            return money(r.monthly_usd[i])
        if col == 5:
            return money(r.cost_per_request_usd[i] * 1000)
        if col == 6:
            return duration(r.latency_s[i])
        if col == 7:  # the budget this option is priced at: its effort level, or tokens per sample
            tokens = count(np.ceil(r.reasoning_tokens[i]))
            return f"{r.effort[i]} ({tokens})" if r.effort[i] else tokens
        if col == 8:
            return whole(r.samples[i])
        if col == 9:
            return whole(r.gpus_total[i]) if kind == "gpu" and r.gpus_total[i] > 0 else "—"
        if col == 10:
            return "✔ yes" if r.eligible[i] else "✘ no"
        return why_not(self.plan, i)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        if self.plan is None:
            return
        self.layoutAboutToBeChanged.emit()
        before = self._order
        self._order = self._sorted_order(column, order)
        row_now = np.full(self.plan.options.size, -1)
        row_now[self._order] = np.arange(len(self._order))
        # the selection and the current cell follow their options to their new rows
        kept = self.persistentIndexList()
        moved = [
            self.index(int(row_now[before[i.row()]]), i.column()) if i.row() < len(before) else QModelIndex()
            for i in kept
        ]
        self.changePersistentIndexList(kept, moved)
        self.layoutChanged.emit()

    def _sorted_order(self, column: int, order, plan: Plan | None = None) -> np.ndarray:
        """Row order of ``plan`` (default: the current one) for a sort; without the options that miss a
        target while ``only_fit`` is on."""
        plan = plan or self.plan
        if plan is None:
            return np.zeros(0, dtype=int)
        idx = _sort_all(plan, column, order)
        return idx[plan.results.eligible[idx]] if self.only_fit else idx


def _sort_all(plan: Plan, column: int, order) -> np.ndarray:
    """Every option of ``plan`` in the order of one column; NaN/inf last, ties cheapest first."""
    key = _sort_key(plan, column)
    cheap = _sort_key(plan, MONTHLY_COLUMN).astype(float)
    cheap = np.where(np.isfinite(cheap), cheap, np.inf)  # ties: cheapest first
    if key.dtype.kind in "fi":
        key = key.astype(float)
        bad = ~np.isfinite(key)
        key = np.where(bad, 0.0, key)
        idx = np.lexsort((cheap, key if order == Qt.SortOrder.AscendingOrder else -key, bad))  # NaN/inf last
    else:
        _, rank = np.unique(key, return_inverse=True)
        rank = rank if order == Qt.SortOrder.AscendingOrder else -rank
        idx = np.lexsort((cheap, rank))
    return idx.astype(int)


class _OptionsView(QTableView):
    """Paints the visible cells itself, in one Python call per repaint, from ``OptionsModel.look``.

    Qt's delegate asked the model for seven roles per cell and shaped every text again; here each cell is a
    background, its text cut with "…" to its column (shaped once, as a QStaticText) and the
    grid lines.
    Selection, tooltips, sorting and scrolling stay Qt's.
    """

    MAX_CACHED_TEXTS = 4000

    def __init__(self):
        super().__init__()
        self._texts: dict[tuple[str, bool, int], tuple[QStaticText, int]] = {}
        self._text_dpr: float | None = None  # the device pixel ratio the cached texts were shaped for
        self._painted: dict[tuple[int, int], tuple] = {}  # (row, column) -> the look last painted there

    def setModel(self, model) -> None:  # noqa: N802 - Qt API
        super().setModel(model)
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._painted.clear)  # rows now hold other options: Qt repaints them all

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:  # noqa: N802 - Qt API
        """Repaint only the visible cells whose look changed. A slider step changes a sixth to a third of
        them (costs, mostly), but a changed range made Qt repaint the whole table, and painting cells is
        most of the table's share of a step."""
        if QAccessible.isActive():  # Qt's own handling also tells assistive tools what changed
            super().dataChanged(top_left, bottom_right, roles)
            return
        model, port = self.model(), self.viewport()
        first, last = self.rowAt(0), self.rowAt(port.height() - 1)
        if first < 0:
            return
        last = model.rowCount() - 1 if last < 0 else last
        left, right = self.columnAt(0), self.columnAt(port.width() - 1)
        right = model.columnCount() - 1 if right < 0 else right
        rows = range(max(first, top_left.row()), min(last, bottom_right.row()) + 1)
        cols = [
            (c, self.columnViewportPosition(c), self.columnWidth(c))
            for c in range(max(left, top_left.column()), min(right, bottom_right.column()) + 1)
        ]
        painted, look = self._painted, model.look
        for row in rows:
            y, h = self.rowViewportPosition(row), self.rowHeight(row)
            for col, x, w in cols:
                if painted.get((row, col)) != look(row, col):
                    port.update(x, y, w, h)

    def _shaped(self, text: str, bold: bool, width: int, font: QFont, metrics: QFontMetrics) -> tuple[QStaticText, int]:
        """The cell text cut to ``width`` as a prepared QStaticText, and its width in pixels: shaped once,
        then drawn from its glyphs as long as the text is shown (measuring, then drawing, a plain string
        shaped it twice, and a number changes on most slider steps)."""
        key = (text, bold, width)
        seen = self._texts.get(key)
        if seen is None:
            if len(self._texts) > self.MAX_CACHED_TEXTS:
                self._texts.clear()
            st = prepared(text, font)
            advance = round(st.size().width())
            if advance > width:
                st = prepared(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width), font)
                advance = round(st.size().width())
            seen = self._texts[key] = (st, advance)
        return seen

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._texts.clear()  # measured and shaped with the old font
        super().changeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.devicePixelRatioF() != self._text_dpr:  # moved to a screen of another density
            self._texts.clear()
            self._text_dpr = self.devicePixelRatioF()
        model = self.model()
        rows = model.rowCount()
        area = event.rect()
        first = self.rowAt(area.top())
        if rows == 0 or first < 0:
            return
        last = self.rowAt(area.bottom())
        last = rows - 1 if last < 0 else last
        pal = self.palette()
        plain, bold_font = self.font(), model._bold
        fonts = {False: (plain, QFontMetrics(plain)), True: (bold_font, QFontMetrics(bold_font))}
        columns = [(c, self.columnViewportPosition(c), self.columnWidth(c)) for c in range(model.columnCount())]
        columns = [(c, x, w) for c, x, w in columns if x + w >= area.left() and x <= area.right()]
        selected = {i.row() for i in self.selectionModel().selectedRows()}
        colors = {
            "text": pal.color(QPalette.ColorRole.Text),
            "on_selection": pal.color(QPalette.ColorRole.HighlightedText),
        }
        fills = {
            "selected": pal.brush(QPalette.ColorRole.Highlight),
            "alternate": pal.brush(QPalette.ColorRole.AlternateBase),
            "recommended": model._recommended_bg,
        }
        grid = QColor.fromRgba(self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, None, self) & 0xFFFFFFFF)
        region = event.region()
        painter = QPainter(self.viewport())
        pen_font = (None, None)  # set on the painter only when a cell needs another (most share them)
        for row in range(first, last + 1):
            y, h = self.rowViewportPosition(row), self.rowHeight(row)
            is_selected = row in selected
            for col, x, w in columns:
                if not region.intersects(QRect(x, y, w, h)):  # a cell outside the changed ones
                    continue
                look = self._painted[(row, col)] = model.look(row, col)
                text, brush, bold, align = look
                fill = "selected" if is_selected else "recommended" if bold else "alternate" if row % 2 else None
                if fill:
                    painter.fillRect(x, y, w - 1, h - 1, fills[fill])
                font, metrics = fonts[bold]
                room = w - 1 - 2 * CELL_PADDING_PX
                shaped, advance = self._shaped(text, bold, room, font, metrics)
                pen = colors["on_selection"] if is_selected else brush if brush is not None else colors["text"]
                if (pen, bold) != pen_font:
                    pen_font = (pen, bold)
                    painter.setFont(font)
                    painter.setPen(pen.color() if isinstance(pen, QBrush) else pen)
                left = x + w - 1 - CELL_PADDING_PX - advance if align == _RIGHT else x + CELL_PADDING_PX
                top = y + (h - 1 - metrics.height()) // 2  # the line's top, in whole pixels
                painter.drawStaticText(QPointF(left, top), shaped)
            painter.setPen(grid)
            pen_font = (None, None)
            painter.drawLine(area.left(), y + h - 1, area.right(), y + h - 1)
        painter.setPen(grid)
        bottom = self.rowViewportPosition(last) + self.rowHeight(last) - 1
        for _, x, w in columns:
            painter.drawLine(x + w - 1, area.top(), x + w - 1, bottom)
        painter.end()


class OptionsTable(QWidget):
    optionSelected = Signal(object)  # option index, or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = OptionsModel(self)
        self.view = _OptionsView()
        self.view.setObjectName("optionsTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)  # a selected row made every header bold, too wide for its column
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((150, 268, 72, 82, 78, 104, 82, 96, 58, 60, 98)):
            self.view.setColumnWidth(col, width)
        self.only_fit = QCheckBox("Only options that meet the targets")
        self.only_fit.setObjectName("onlyFitCheck")
        self.only_fit.toggled.connect(self._filter)
        self.count = QLabel()
        self.count.setStyleSheet("color: #5a6270;")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.only_fit)
        bar.addStretch(1)
        bar.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addLayout(bar)
        lay.addWidget(self.view)
        self._selected: int | None = None
        self._quiet = False  # select_option(emit=False) is moving the selection: no optionSelected
        self.view.selectionModel().selectionChanged.connect(self._on_selection)

    def _filter(self, on: bool) -> None:
        selected = self._selected
        self.model.set_only_fit(on)
        self.select_option(selected, emit=False)
        self._update_count()

    def _update_count(self) -> None:
        p = self.model.plan
        if p is not None:
            self.count.setText(f"{self.model.rowCount()} of {p.options.size} options shown · * extrapolated accuracy")

    def set_plan(self, plan: Plan, selected: int | None = None) -> None:
        """Show a new plan; ``selected`` (an option of this plan) stays highlighted without re-emitting."""
        self.model.set_plan(plan)
        self._update_count()
        self.select_option(selected, emit=False)  # None clears a highlight the new rows would mislabel

    def select_option(self, option: int | None, emit: bool = True) -> None:
        sm = self.view.selectionModel()
        row = self.model.row_of(option) if option is not None else -1
        # not sm.blockSignals: the view repaints the rows the selection leaves and enters on that signal (a
        # new plan repaints only the cells it changed)
        self._quiet = not emit
        try:
            if row < 0:  # not in this plan, or hidden by the filter (it stays selected in the plots)
                sm.clearSelection()
                if not emit:
                    plan = self.model.plan
                    self._selected = (
                        option if option is not None and plan is not None and 0 <= option < plan.options.size else None
                    )
            else:
                self.view.selectRow(row)
                if not emit:
                    self._selected = option
        finally:
            self._quiet = False

    def _on_selection(self, *_):
        if self._quiet:
            return
        rows = self.view.selectionModel().selectedRows()
        option = self.model.option_at(rows[0].row()) if rows else None
        self._selected = option
        self.optionSelected.emit(option)
