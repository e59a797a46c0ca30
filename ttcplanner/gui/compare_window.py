"""Compare 2-4 scenarios side by side: key figures in one table, and two overlaid plots.

Typical use: "today's prices" vs "next year's volume". Each scenario keeps one colour and dash pattern in
both plots (monthly cost vs requests/day of its recommended deployment kind; the cost-per-request vs
accuracy Pareto frontier) and heads its table column in the same colour. Each plan is one ``evaluate``
(~10 ms), so it runs on the GUI thread. A file that cannot be read or planned shows a message and the
scenarios already loaded stay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ttcplanner.gui.plot_base import HoverTarget, PlanPlot
from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.errors import InputError
from ttcplanner.model.format import count, duration, money, money_tick, pct
from ttcplanner.model.options import KIND_NAMES
from ttcplanner.model.planner import Plan, evaluate
from ttcplanner.model.scenario import Scenario

MAX_SCENARIOS = 4
CURRENT = "current scenario"  # the source of a column added from the main window
STALE_SOURCE = "current scenario as it was: for the previous scenario, Add current scenario again"
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")  # Okabe-Ito, as in the printed report
DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
ROWS = (
    "Scenario",
    "Source",
    "Recommendation",
    "Deployment kind",
    "Accuracy (band)",
    "Monthly cost",
    "Cost per 1k requests",
    "Latency",
    "GPUs",
    "Break-even volumes",
    "Volume",
    "Status",
)


@dataclass
class Entry:
    name: str
    source: str  # file path or "current scenario"
    plan: Plan


def key_figures(plan: Plan, source: str = "") -> list[str]:
    """One table column, in ROWS order."""
    s, r, i = plan.scenario, plan.results, plan.recommended
    status = {
        "ok": "meets the targets",
        "target_missed": "target missed: closest option shown",
        "nothing_feasible": "nothing can serve it",
    }.get(plan.status, plan.status)
    if i is None:
        rec = ["none", "", "", "", "", "", ""]
    else:
        kind = str(plan.options.kind[i])
        band = ""
        if np.isfinite(r.low_pct[i]) and np.isfinite(r.high_pct[i]):
            band = f" ({pct(r.low_pct[i])} to {pct(r.high_pct[i])})"
        gpus = f"{int(r.gpus_total[i]):,}" if kind == "gpu" and np.isfinite(r.gpus_total[i]) else "none (per-token)"
        rec = [
            plan.options.label[i],
            KIND_NAMES.get(kind, kind),
            pct(r.accuracy_pct[i]) + band,
            f"{money(r.monthly_usd[i])}/month",
            money(r.cost_per_request_usd[i] * 1000),
            duration(r.latency_s[i]),
            gpus,
        ]
    breaks = (
        "; ".join(
            f"{count(b.requests_per_day)}/day ({KIND_NAMES[b.below]} below, {KIND_NAMES[b.above]} above)"
            for b in plan.break_evens
        )
        or "none"
    )
    return [s.name, source, *rec, breaks, f"{count(s.requests_per_day)} requests/day", status]


class CompareWindow(QMainWindow):
    changed = Signal()

    def __init__(self, catalog, current=None, parent: QWidget | None = None):
        """``current``: a callable returning the main window's scenario (for "Add current scenario")."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("compareWindow")
        self.setWindowTitle("Compare scenarios — ttcplanner")
        self.catalog = catalog
        self.current = current
        self.entries: list[Entry] = []
        self.last_error = ""
        self._stale: set[int] = set()  # columns added from the window whose scenario has changed since
        self.add_file_button = QPushButton("Add scenario file…")
        self.add_file_button.setObjectName("compareAddFile")
        self.add_current_button = QPushButton("Add current scenario")
        self.add_current_button.setObjectName("compareAddCurrent")
        self.add_current_button.setEnabled(current is not None)
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.setObjectName("compareRemove")
        self.hint = QLabel()
        self.hint.setObjectName("compareHint")
        self.table = QTableWidget(len(ROWS), 0)
        self.table.setObjectName("compareTable")
        self.table.setVerticalHeaderLabels(ROWS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)  # long names keep their start
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.volume_plot = PlanPlot(
            "compareVolumePlot",
            "Monthly cost vs volume (recommended kind)",
            "Requests per day",
            "Monthly cost ($)",
            count,
            money_tick,
            log_x=True,
            log_y=True,
            legend_corner="top-left",
        )
        self.frontier_plot = PlanPlot(
            "compareFrontierPlot",
            "Cheapest cost per request for each accuracy",
            "Accuracy (%)",
            "Cost per request ($)",
            lambda v: f"{v:.0f}%",
            money_tick,
            log_x=False,
            log_y=True,
            legend_corner="top-left",
        )
        self._items: list[tuple[PlanPlot, pg.GraphicsObject]] = []  # drawn per scenario, removed on refresh

        buttons = QHBoxLayout()
        for b in (self.add_file_button, self.add_current_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addWidget(self.hint, 1)
        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.volume_plot)
        plots.addWidget(self.frontier_plot)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(plots)
        split.setSizes([330, 420])
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.addLayout(buttons)
        lay.addWidget(split, 1)
        self.setCentralWidget(central)
        self.setMinimumSize(800, 560)  # explicit: the layout stops re-sending size hints to the window system
        self.resize(1200, 820)
        self.add_file_button.clicked.connect(self._add_file_dialog)
        self.add_current_button.clicked.connect(self.add_current)
        self.remove_button.clicked.connect(self.remove_selected)
        self._refresh()

    # -- adding and removing ---------------------------------------------------------------------
    def _error(self, text: str) -> None:
        self.last_error = text
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Cannot compare this scenario", text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("compareError")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _full(self) -> bool:
        if len(self.entries) >= MAX_SCENARIOS:
            self._error(f"At most {MAX_SCENARIOS} scenarios can be compared; remove one first.")
            return True
        return False

    def add_scenario(self, scenario: Scenario, source: str) -> bool:
        if self._full():
            return False
        try:
            plan = evaluate(scenario, self.catalog)
        except InputError as exc:
            self._error(f"{source}:\n{exc}\n\nThe other scenarios are kept.")
            return False
        self.entries.append(Entry(scenario.name, source, plan))
        self._refresh()
        return True

    def add_file(self, path) -> bool:
        """Load and plan one scenario file; a bad file shows why and leaves the others in place."""
        path = Path(path)
        if self._full():
            return False
        try:
            s = scenario_io.load(path)
        except (InputError, OSError) as exc:
            detail = str(exc) if str(path) in str(exc) else f"{path}:\n{exc}"
            self._error(f"{detail}\n\nThe other scenarios are kept.")
            return False
        return self.add_scenario(s, str(path))

    def add_current(self) -> bool:
        if self.current is None:
            return False
        return self.add_scenario(self.current(), CURRENT)

    def mark_stale(self) -> None:
        """Columns added from the window that no longer match its scenario say so (Source row, grey header)."""
        now = self.current() if self.current is not None else None
        stale = {j for j, e in enumerate(self.entries) if e.source == CURRENT and e.plan.scenario != now}
        if stale != self._stale:
            self._refresh()

    def stale_columns(self) -> list[int]:
        return sorted(self._stale)

    def remove_selected(self) -> None:
        cols = sorted({i.column() for i in self.table.selectedIndexes()}, reverse=True)
        if not cols and self.entries:
            cols = [len(self.entries) - 1]
        for c in cols:
            del self.entries[c]
        self._refresh()

    def _add_file_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add scenarios to compare", str(Path.home()), "Scenarios (*.json);;All files (*)"
        )
        for p in paths:
            if not self.add_file(p):
                break

    # -- showing ---------------------------------------------------------------------------------
    def _refresh(self) -> None:
        n = len(self.entries)
        now = self.current() if self.current is not None else None
        self._stale = {j for j, e in enumerate(self.entries) if e.source == CURRENT and e.plan.scenario != now}
        self.table.setColumnCount(n)
        self.table.setHorizontalHeaderLabels(
            [f"{j + 1}. {e.name}" + (" (previous)" if j in self._stale else "") for j, e in enumerate(self.entries)]
        )
        for j, e in enumerate(self.entries):
            head = self.table.horizontalHeaderItem(j)
            head.setForeground(QColor(COLORS[j]))
            font = head.font()
            font.setBold(True)
            font.setItalic(j in self._stale)
            head.setFont(font)
            source = STALE_SOURCE if j in self._stale else e.source
            for row, text in enumerate(key_figures(e.plan, source)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, j, item)
        self.table.resizeRowsToContents()
        self.add_file_button.setEnabled(n < MAX_SCENARIOS)
        self.add_current_button.setEnabled(self.current is not None and n < MAX_SCENARIOS)
        self.remove_button.setEnabled(n > 0)
        self.hint.setText("Add 2 to 4 scenarios (files or the current one) to compare them." if n < 2 else "")
        self._draw()
        self.changed.emit()

    def _draw(self) -> None:
        for plot, item in self._items:
            plot.getPlotItem().removeItem(item)
        self._items = []
        vol_legend, front_legend, vol_targets, front_targets = [], [], [], []
        for j, e in enumerate(self.entries):
            p, color, dash = e.plan, COLORS[j], DASHES[j]
            name = f"{j + 1}. {e.name}"
            i = p.recommended
            if i is not None:
                kind = str(p.options.kind[i])
                y = p.volume_monthly_usd[kind]
                c = self.volume_plot.curve(color, 2.2, z=5 + j, style_=dash)
                self.volume_plot.set_curve(c, p.volume_grid, y)
                self._items.append((self.volume_plot, c))
                vol_legend.append((c, name, f": {KIND_NAMES[kind]}"))
                vol_targets.append(
                    HoverTarget(
                        p.volume_grid,
                        y,
                        lambda k, p=p, y=y, name=name: f"{name}\n{count(p.volume_grid[k])}/day: {money(y[k])}/month",
                    )
                )
                vx, vy = self.volume_plot.to_view(p.scenario.requests_per_day, float(p.results.monthly_usd[i]))
                if math.isfinite(vx) and math.isfinite(vy):
                    dot = pg.ScatterPlotItem([vx], [vy], size=13, symbol="star", pen=pg.mkPen("#111"), brush=color)
                    dot.setZValue(30)
                    self.volume_plot.getPlotItem().addItem(dot)
                    self._items.append((self.volume_plot, dot))
            fa, fc, _fo = p.frontier
            if len(fa):
                c = self.frontier_plot.curve(color, 2.2, z=5 + j, style_=dash)
                self.frontier_plot.set_curve(c, fa, fc)
                self._items.append((self.frontier_plot, c))
                front_legend.append((c, name))
                front_targets.append(
                    HoverTarget(
                        fa,
                        fc,
                        lambda k, fa=fa, fc=fc, name=name: f"{name}\n{pct(fa[k])} for {money(fc[k])} per request",
                    )
                )
        self.volume_plot.set_legend(vol_legend)
        self.frontier_plot.set_legend(front_legend)
        self.volume_plot.set_hover_targets(vol_targets)
        self.frontier_plot.set_hover_targets(front_targets)
        for plot in (self.volume_plot, self.frontier_plot):
            plot.getPlotItem().enableAutoRange()

    def column_names(self) -> list[str]:
        return [self.table.item(0, j).text() for j in range(self.table.columnCount())]
