"""Sensitivity (tornado) view: which single input moves the recommended option's monthly cost most,
and which ones flip the decision.

Each input gets a pair of horizontal bars from the base cost (vertical line) to the cost at its low end
(blue) and its high end (orange), largest swing on top. An input that changes the recommendation within
its range is drawn with a red outline and a red "flips to ... at ..." note. ``tornado`` takes 0.3-1 s
(full planner per end plus bisection), so it runs on the worker thread; a newer scenario cancels it.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ttcplanner.gui import style
from ttcplanner.gui.stale import StaleBanner
from ttcplanner.gui.workers import Job, JobRunner
from ttcplanner.model.format import money, money_tick
from ttcplanner.model.sensitivity import Tornado, row_notes, tornado
from ttcplanner.present import palette

AUTO_RUN_DELAY_MS = 250
LOW_COLOR, HIGH_COLOR, FLIP_COLOR = palette.TORNADO_LOW, palette.TORNADO_HIGH, palette.TORNADO_FLIP
LABEL_WIDTH_PX = 250
BAR_HEIGHT = 0.2  # each of the pair; the gap above a pair holds its flip note


class _MoneyAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        return [money_tick(v) for v in values]


class TornadoPlot(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background=style.PLOT_BG, axisItems={"bottom": _MoneyAxis("bottom")})
        self.setObjectName("tornadoPlot")
        self.setMinimumSize(420, 200)
        pi = self.getPlotItem()
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.showGrid(x=True, y=False, alpha=style.GRID_ALPHA)
        pen = pg.mkPen(style.AXIS_COLOR)
        for side in ("bottom", "left"):
            pi.getAxis(side).setPen(pen)
            pi.getAxis(side).setTextPen(pen)
        pi.getAxis("bottom").setLabel("<span style='color:#333'>Monthly cost of the recommended option ($)</span>")
        left = pi.getAxis("left")
        left.setWidth(LABEL_WIDTH_PX)
        left.setStyle(hideOverlappingLabels=False, tickFont=QFont(self.font().family(), 8))
        pi.getViewBox().setMouseEnabled(x=True, y=False)
        self.low_bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=BAR_HEIGHT, brush=LOW_COLOR)
        self.high_bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=BAR_HEIGHT, brush=HIGH_COLOR)
        pi.addItem(self.low_bars)
        pi.addItem(self.high_bars)
        self.base_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen("#111", width=1.6),
            movable=False,
            label="",
            labelOpts={"position": 0.04, "color": "#111", "fill": pg.mkBrush(255, 255, 255, 220)},
        )
        pi.addItem(self.base_line, ignoreBounds=True)
        self.notes: list[pg.TextItem] = []
        pi.getViewBox().sigXRangeChanged.connect(self._place_notes)
        self.rows = ()

    def show_tornado(self, t: Tornado | None) -> None:
        pi = self.getPlotItem()
        for note in self.notes:
            pi.removeItem(note)
        self.notes = []
        rows = t.rows if t is not None else ()
        self.rows = rows
        n = len(rows)
        y = np.arange(n, dtype=float)[::-1]  # largest swing on top
        base = t.base_cost if t is not None and math.isfinite(t.base_cost) else 0.0
        lo = np.array([r.cost_at_low if math.isfinite(r.cost_at_low) else base for r in rows], dtype=float)
        hi = np.array([r.cost_at_high if math.isfinite(r.cost_at_high) else base for r in rows], dtype=float)
        pens = [pg.mkPen(FLIP_COLOR, width=2.2) if r.flips else pg.mkPen("#555", width=0.6) for r in rows]
        self.low_bars.setOpts(
            x0=np.full(n, base), x1=lo, y=y + BAR_HEIGHT / 2, height=BAR_HEIGHT, pens=pens, brush=LOW_COLOR
        )
        self.high_bars.setOpts(
            x0=np.full(n, base), x1=hi, y=y - BAR_HEIGHT / 2, height=BAR_HEIGHT, pens=pens, brush=HIGH_COLOR
        )
        ticks = []
        for yi, r in zip(y, rows, strict=False):
            ticks.append((yi, self._fit(r.label)))  # the range goes in the note above the bars
            texts = [f"{r.low_text} to {r.high_text}"] + row_notes(r)
            if texts:
                color = FLIP_COLOR if r.flips else "#555555"
                note = pg.TextItem(
                    " \u00b7 ".join(texts), color=color, anchor=(0, 0.5), fill=pg.mkBrush(255, 255, 255, 190)
                )
                f = QFont(self.font().family())
                f.setPointSizeF(7.5)
                f.setBold(r.flips)
                note.setFont(f)
                note.setPos(0.0, yi + 0.5)  # x follows the left edge of the view (_place_notes)
                note.setZValue(20)
                pi.addItem(note)
                self.notes.append(note)
        pi.getAxis("left").setTicks([ticks, []])
        self.base_line.setPos(base)
        self.base_line.label.setFormat(f"base {money(base)}/month" if t is not None else "")
        self.base_line.setVisible(t is not None)
        if n:
            xs = np.concatenate([lo, hi, [base]])
            span = max(xs.max() - min(xs.min(), base), 1.0)
            pi.setXRange(max(0.0, xs.min() - 0.05 * span), xs.max() + 0.05 * span, padding=0)
            pi.setYRange(-0.6, n - 0.2, padding=0)
        self._place_notes()

    def _place_notes(self, *_args) -> None:
        """Notes start at the left edge of the visible range so they stay readable when zoomed or panned."""
        x0 = self.getPlotItem().getViewBox().viewRange()[0][0]
        for note in self.notes:
            note.setPos(x0, note.pos().y())

    def _fit(self, text: str) -> str:
        """Elide each line to the axis width: pyqtgraph drops a tick label that does not fit."""
        fm = QFontMetrics(QFont(self.font().family(), 8))
        return "\n".join(
            fm.elidedText(line, Qt.TextElideMode.ElideRight, LABEL_WIDTH_PX - 14) for line in text.split("\n")
        )

    def bar_pairs(self) -> int:
        """How many inputs have a low and a high bar (for tests)."""
        return min(len(np.atleast_1d(self.low_bars.opts["x1"])), len(np.atleast_1d(self.high_bars.opts["x1"])))


class TornadoView(QWidget):
    """Run button, auto-run checkbox, progress and the chart; ``result`` is the latest finished tornado."""

    resultReady = Signal(object)

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tornadoPanel")
        self.controller = controller
        self.runner = JobRunner(self)
        self.job: Job | None = None
        self.result: Tornado | None = None
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("tornadoRun")
        self.run_button.setToolTip("Recompute the sensitivity of the current scenario (F5)")
        self.auto = QCheckBox("Recompute when the scenario changes")
        self.auto.setObjectName("tornadoAuto")
        self.progress = QProgressBar()
        self.progress.setObjectName("tornadoProgress")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.status = QLabel("Press Run to see which inputs move the cost and which flip the decision.")
        self.status.setObjectName("tornadoStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.plot = TornadoPlot()
        self.stale_banner = StaleBanner("tornadoStale", (), self.run)
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.auto)
        top.addWidget(self.progress)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.stale_banner)
        lay.addWidget(self.plot, 1)
        self.run_button.clicked.connect(self.run)
        self._auto_timer = QTimer(self)  # a slider drag is many plans: run once it settles
        self._auto_timer.setSingleShot(True)
        self._auto_timer.setInterval(AUTO_RUN_DELAY_MS)
        self._auto_timer.timeout.connect(self.run)
        self._planned_for = (controller.scenario, controller.catalog)  # the inputs of the last plan seen
        controller.planChanged.connect(self._on_plan_changed)

    def run(self) -> Job:
        self._auto_timer.stop()
        scenario, catalog = self.controller.scenario, self.controller.catalog
        job = Job(
            lambda progress, cancelled: tornado(scenario, catalog, progress=progress),
            "Sensitivity",
            stop_via_progress=True,
        )
        job.scenario = scenario
        job.signals.progress.connect(lambda d, n, job=job: self._on_progress(job, d, n))
        job.signals.finished.connect(lambda r, job=job: self._on_finished(job, r))
        job.signals.failed.connect(lambda m, job=job: self._on_failed(job, m))
        job.signals.cancelled.connect(lambda _r, job=job: self._on_cancelled(job))
        self.job = job
        self.progress.setValue(0)
        self.status.setText(f"Computing the sensitivity of “{escape(scenario.name)}”…")
        return self.runner.start(job)

    def _mark_stale(self) -> None:
        """The chart describes another scenario than the window's: say so (until a current result)."""
        r = self.result
        self.stale_banner.set_stale(
            r.scenario.name if r is not None and r.scenario != self.controller.scenario else None
        )

    def _on_plan_changed(self, plan) -> None:
        scenario, catalog = self._planned_for
        if plan.scenario == scenario and self.controller.catalog is catalog:
            return  # the same inputs (fixed mode's hint arriving once the controls rest): nothing to redo
        self._planned_for = (plan.scenario, self.controller.catalog)
        self._mark_stale()
        if self.runner.running():
            self.runner.cancel()
        if self.auto.isChecked():
            self._auto_timer.start()
        elif self.result is not None and self.result.scenario != self.controller.scenario:
            self.status.setText("The scenario changed: press Run to update (the chart shows the previous scenario).")

    def _on_progress(self, job: Job, done: int, total: int) -> None:
        if job is self.job:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)

    def _on_cancelled(self, job: Job) -> None:
        if job is self.job:
            self.status.setText(
                "The scenario changed: press Run to compute its sensitivity"
                + (" (the chart shows the previous result)." if self.result is not None else ".")
            )

    def _on_failed(self, job: Job, message: str) -> None:
        if job is self.job:
            self.status.setText(message)

    def _on_finished(self, job: Job, t: Tornado) -> None:
        if job is not self.job:
            return
        self.result = t
        self.plot.show_tornado(t)
        self._mark_stale()
        flips = [r for r in t.rows if r.flips]
        if t.base_label is None:
            head = "Nothing meets the targets in the base scenario; the chart shows no costs."
        else:
            head = f"Recommended: {escape(t.base_label)}, {money(t.base_cost)}/month."
        tail = (
            f" {len(flips)} input{'s' if len(flips) != 1 else ''} can flip the decision."
            if flips
            else " No single input flips the decision within its range."
        )
        key = (
            f" &nbsp; <span style='color:{LOW_COLOR}'>&#9632;</span> low end &nbsp; "
            f"<span style='color:{HIGH_COLOR}'>&#9632;</span> high end &nbsp; "
            f"<span style='color:{FLIP_COLOR}'>&#9633;</span> flips"
        )
        self.status.setText(head + tail + key)
        self.status.setToolTip(f"{t.evaluations} full plan evaluations")
        self.resultReady.emit(t)

    def shutdown(self) -> None:
        self.runner.shutdown()
