"""Uncertainty (Monte Carlo) view: how often each deployment kind is the cheapest option meeting the
targets when every uncertain input varies at once, and how its monthly cost spreads.

``sensitivity.monte_carlo`` runs on the worker thread in chunks of ``CHUNK`` samples; it checks the
cancel flag between chunks, so Cancel lands within one chunk (a few tens of ms). A new scenario cancels
a stale run and, with auto-run on, starts a fresh one (it queues behind the cancelled run).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ttcplanner.gui import style
from ttcplanner.gui.plot_base import PlanPlot
from ttcplanner.gui.stale import StaleBanner
from ttcplanner.gui.workers import Job, JobRunner
from ttcplanner.model.format import money, money_tick
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.model.sensitivity import MAX_SAMPLES, OUTCOMES, MonteCarlo, monte_carlo
from ttcplanner.present.histogram import log_histogram

AUTO_RUN_DELAY_MS = 250
CHUNK = 500  # samples per cancel check: 10-80 ms measured, well under the 200 ms cancel budget
DEFAULT_SAMPLES = 10_000
OUTCOME_NAMES = {**KIND_NAMES, "none": "Nothing meets the targets"}
TABLE_COLUMNS = ("Outcome", "Cheapest", "Median $/month", "5th\u201395th pct.")
TABLE_TIPS = (
    "Deployment kind",
    "Share of samples in which this kind has the cheapest option meeting the accuracy and latency targets",
    "Median monthly cost of the best option of this kind, over samples where it has one",
    "Spread of that monthly cost",
)


class CostHistogram(PlanPlot):
    def __init__(self):
        super().__init__(
            "monteCarloHistogram",
            "Monthly cost of the best option of each kind",
            "Monthly cost ($, log scale)",
            "Share of samples (%)",
            money_tick,
            lambda v: f"{v:g}%",
            log_x=True,
            log_y=False,
            legend_corner="top-left",
        )
        self.setMinimumSize(360, 240)
        self.steps = {}
        for k in KINDS:
            item = pg.PlotDataItem(
                [0, 1],
                [0],
                stepMode="center",
                fillLevel=0,
                name=None,
                pen=pg.mkPen(style.kind_color(k), width=1.8),
                brush=style.kind_color(k, 50),
            )
            self.getPlotItem().addItem(item)
            self.steps[k] = item

    def show_result(self, mc: MonteCarlo | None) -> None:
        edges, shares = log_histogram(mc.monthly_usd_by_kind) if mc is not None and mc.n else (np.zeros(0), {})
        legend = []
        for k, item in self.steps.items():
            h = shares.get(k)
            if h is None or not h.any():
                item.setVisible(False)
                continue
            item.setData(edges, h, stepMode="center", fillLevel=0)  # the plot's log mode takes log10 of x
            item.setVisible(True)
            p = mc.probability.get(k, 0.0)
            legend.append((item, KIND_NAMES[k], f" (cheapest in {p:.1%})"))
        self.set_legend(legend)
        if len(edges):
            # the view spans the 0.5th-99.5th percentile: a handful of extreme samples would squash the rest
            finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in mc.monthly_usd_by_kind.values()])
            lo, hi = np.percentile(finite, [0.5, 99.5])
            hi = max(hi, lo * 1.5)
            self.getPlotItem().setXRange(math.log10(lo), math.log10(hi), padding=0.05)
            top = max((float(h.max()) for h in shares.values() if len(h)), default=1.0)
            self.getPlotItem().setYRange(0, top * 1.7, padding=0)  # headroom for the legend


class MonteCarloView(QWidget):
    resultReady = Signal(object)
    runFinished = Signal(object)  # MonteCarlo (complete)
    runCancelled = Signal(object)  # MonteCarlo with the samples done so far, or None

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("monteCarloPanel")
        self.controller = controller
        self.runner = JobRunner(self)
        self.job: Job | None = None
        self.result: MonteCarlo | None = None
        self.samples = QSpinBox()
        self.samples.setObjectName("monteCarloSamples")
        self.samples.setRange(100, MAX_SAMPLES)
        self.samples.setSingleStep(1000)
        self.samples.setGroupSeparatorShown(True)
        self.samples.setValue(DEFAULT_SAMPLES)
        self.seed = QSpinBox()
        self.seed.setObjectName("monteCarloSeed")
        self.seed.setRange(0, 2_000_000_000)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("monteCarloRun")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("monteCarloCancel")
        self.cancel_button.setEnabled(False)
        self.auto = QCheckBox("Re-run when the scenario changes")
        self.auto.setObjectName("monteCarloAuto")
        self.progress = QProgressBar()
        self.progress.setObjectName("monteCarloProgress")
        self.progress.setFormat("%p%")
        self.status = QLabel("Samples every uncertain input at once (triangular, mode at the scenario value).")
        self.status.setObjectName("monteCarloStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # scenario names are shown as typed
        self.table = QTableWidget(len(OUTCOMES), len(TABLE_COLUMNS))
        self.table.setObjectName("monteCarloTable")
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        for col, tip in enumerate(TABLE_TIPS):
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        self.table.setMinimumWidth(440)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.histogram = CostHistogram()
        self.stale_banner = StaleBanner("monteCarloStale", (self.table,), self.run)

        top = QHBoxLayout()
        top.addWidget(QLabel("Samples"))
        top.addWidget(self.samples)
        top.addWidget(QLabel("Seed"))
        top.addWidget(self.seed)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.progress, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.histogram)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 620])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.auto)
        lay.addWidget(self.status)
        lay.addWidget(self.stale_banner)
        lay.addWidget(split, 1)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self._auto_timer = QTimer(self)  # a slider drag is many plans: run once it settles
        self._auto_timer.setSingleShot(True)
        self._auto_timer.setInterval(AUTO_RUN_DELAY_MS)
        self._auto_timer.timeout.connect(self.run)
        self._planned_for = (controller.scenario, controller.catalog)  # the inputs of the last plan seen
        controller.planChanged.connect(self._on_plan_changed)
        self._fill_table(None)

    # -- running ---------------------------------------------------------------------------------
    def run(self) -> Job:
        self._auto_timer.stop()
        scenario, catalog = self.controller.scenario, self.controller.catalog
        n, seed = self.samples.value(), self.seed.value()
        job = Job(
            lambda progress, cancelled: monte_carlo(
                scenario, catalog, n, seed=seed, progress=progress, cancelled=cancelled, chunk=CHUNK
            ),
            "Monte Carlo",
        )
        job.scenario = scenario
        job.signals.progress.connect(lambda d, t, job=job: self._on_progress(job, d, t))
        job.signals.finished.connect(lambda r, job=job: self._on_finished(job, r))
        job.signals.cancelled.connect(lambda r, job=job: self._on_cancelled(job, r))
        job.signals.failed.connect(lambda m, job=job: self._on_failed(job, m))
        if self.job is not None and self.runner.running():
            self.runner.cancel()  # the old job reports its cancel; the view already follows the new one
        self.job = job
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Sampling {n:,} scenarios around “{scenario.name}” (seed {seed})…")
        return self.runner.start(job)

    def cancel(self) -> None:
        if self.runner.running():
            self.runner.cancel()
            self.status.setText("Cancelling…")

    def running(self) -> bool:
        return self.runner.running()

    def _mark_stale(self) -> None:
        """The table and histogram describe another scenario than the window's: say so, grey the table."""
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
        stale = self.runner.running()
        if stale:
            self.runner.cancel()
        if self.auto.isChecked():
            self._auto_timer.start()
        elif stale:
            self.status.setText("The scenario changed: the run was cancelled. Press Run to sample the new scenario.")

    # -- results ---------------------------------------------------------------------------------
    def _on_progress(self, job: Job, done: int, total: int) -> None:
        if job is self.job:
            self.progress.setValue(round(100 * done / max(total, 1)))

    def _on_finished(self, job: Job, mc: MonteCarlo) -> None:
        if job is not self.job:
            return
        self.cancel_button.setEnabled(False)
        self.progress.setValue(100)
        self.result = mc
        self._fill_table(mc)
        self.histogram.show_result(mc)
        self._mark_stale()
        self.status.setText(
            f"{mc.n:,} samples of “{mc.scenario.name}” (seed {mc.seed}). Probabilities: how often "
            "each kind is the cheapest option meeting the accuracy and latency targets."
        )
        self.resultReady.emit(mc)
        self.runFinished.emit(mc)

    def _on_cancelled(self, job: Job, partial) -> None:
        if job is self.job:
            self.cancel_button.setEnabled(False)
            done = f" after {partial.n:,} of {partial.n_requested:,} samples" if partial is not None else ""
            self.status.setText(f"Cancelled{done}; the table shows the last complete run.")
        self.runCancelled.emit(partial)

    def _on_failed(self, job: Job, message: str) -> None:
        if job is self.job:
            self.cancel_button.setEnabled(False)
            self.status.setText(message)

    def _fill_table(self, mc: MonteCarlo | None) -> None:
        for row, k in enumerate(OUTCOMES):
            p = mc.probability.get(k) if mc is not None else None
            q = mc.quantiles_by_kind.get(k) if mc is not None and k != "none" else None
            cells = [OUTCOME_NAMES[k], "" if p is None or not math.isfinite(p) else f"{100 * p:.1f}%"]
            if k == "none":
                cells += ["", ""]
            elif q is None:
                cells += ["", ""]
            elif q["p50"] is None:
                cells += ["n/a", "never meets the targets"]
            else:
                cells += [money(q["p50"]), f"{money(q['p5'])} \u2013 {money(q['p95'])}"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 0 and k in KINDS:
                    item.setForeground(style.kind_color(k))
                self.table.setItem(row, col, item)

    def probabilities_pct(self) -> dict[str, float]:
        """What the table shows, parsed back (for tests)."""
        out = {}
        for row, k in enumerate(OUTCOMES):
            text = self.table.item(row, 1).text().rstrip("%")
            out[k] = float(text) if text else math.nan
        return out

    def shutdown(self) -> None:
        self.runner.shutdown()
