"""The scenario panel: one control per Scenario field, grouped the way a planner thinks about them.

Controls only *request* changes (``changeRequested(field, changes, dragging)``); the controller decides
the new Scenario and ``set_scenario`` writes it back into every control under signal blockers.
Bounds come from the Scenario field specs, so the widgets can never offer a value the model rejects.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit,
                               QScrollArea, QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from ttcplanner.gui.bounded_spin import BoundedSpinBox, committed_text
from ttcplanner.gui.log_slider import LogSlider
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.scenario import Scenario
from ttcplanner.present.labels import AGGREGATION_NAMES

_SPECS = {f.name: f.metadata for f in dataclasses.fields(Scenario)}

PRECISION_NAMES = {"native": "Native (as released)", "bf16": "BF16", "fp8": "FP8", "fp4": "FP4 / MXFP4"}
OWNERSHIP_NAMES = {"rent": "Rent (cloud GPU-hours)", "own": "Own (purchase + power)"}


def task_items(catalog: Catalog) -> list[tuple[str, str]]:
    return [(t.name, t.id) for t in sorted(catalog.tasks.values(), key=lambda t: t.name)]


def gpu_items(catalog: Catalog) -> list[tuple[str, str]]:
    gpus = sorted(catalog.gpus.values(), key=lambda g: g.name)
    return [("Any GPU (cheapest)", "auto")] + [(g.name, g.id) for g in gpus]


COMPACT_BODY_WIDTH = 410  # px: sliders keep ~60 px of travel next to their value and unit


def _bounds(name: str) -> tuple[float, float]:
    return _SPECS[name]["lo"], _SPECS[name]["hi"]


def _number(value: float) -> str:
    """Exact, with thousands separators: the user should recognise what they typed."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


class _UndoToWindow(QObject):
    """Ctrl+Z / Ctrl+Shift+Z in a field go to the window's undo once the value is committed (Enter or focus
    out); while a value is being typed the field keeps them to undo its own typing."""

    def __init__(self, panel: "ScenarioPanel"):
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)):
            if not self.panel.editing(obj):
                event.ignore()  # not overridden: the window's Undo / Redo action gets the key
                return True
        return False


class ScenarioPanel(QScrollArea):
    changeRequested = Signal(str, dict, bool)
    dragFinished = Signal()
    inputClamped = Signal(str)  # a typed value was out of range: what was used instead, for the status bar

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scenarioPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._sliders: dict[str, LogSlider] = {}
        self._combos: dict[str, QComboBox] = {}
        self._spins: dict[str, QSpinBox] = {}
        self._checks: dict[str, QCheckBox] = {}
        self._name = ""
        self._undo_filter = _UndoToWindow(self)
        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(10)

        task = self._group(col, "Task and targets")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("scenarioNameEdit")
        self.name_edit.setPlaceholderText("Scenario name")
        self.name_edit.setMaxLength(200)
        self.name_edit.editingFinished.connect(self._on_name_edited)
        self.name_edit.installEventFilter(self._undo_filter)
        self._row(task, "Scenario name", self.name_edit,
                  "Titles the window, the PDF and the comparison view; Save As names an untitled scenario after its file")
        self._combo(task, "task_id", "taskCombo", "Task profile", task_items(catalog),
                    "Benchmark family whose published accuracy curves drive the accuracy estimates")
        self._slider(task, "target_accuracy_pct", "targetAccuracySlider", "Target accuracy", unit="%", log=False,
                     decimals=1, tip="Options below this accuracy are not recommended")
        self._slider(task, "latency_target_s", "latencyTargetSlider", "Latency target", unit="s / request",
                     decimals=1, steps_per_decade=60, tip="End-to-end time per request, all samples included")
        self._check(task, "on_prem_only", "onPremOnlyCheck", "On-premises only (no APIs or ASIC clouds)")

        budget = self._group(col, "Compute budget (test-time compute)")
        self._slider(budget, "reasoning_tokens", "computeBudgetSlider", "Reasoning tokens", unit="tokens / sample",
                     slider_lo=100, integer=True, tip="Thinking tokens each sample spends before answering")
        self._slider(budget, "samples", "samplesSlider", "Parallel samples", unit="per request", integer=True,
                     steps_per_decade=60, tip="Independent samples per request, combined by the aggregation method")
        self._combo(budget, "aggregation", "aggregationCombo", "Aggregation", list(
            (v, k) for k, v in AGGREGATION_NAMES.items()), "How the samples are combined into one answer")
        self._slider(budget, "scorer_quality", "scorerQualitySlider", "Scorer quality", unit="0 vote, 1 oracle",
                     log=False, decimals=2, linear_steps=100, tip="Only for the learned scorer")

        volume = self._group(col, "Token volume")
        self._slider(volume, "requests_per_day", "tokenVolumeSlider", "Requests", unit="per day", integer=True,
                     steps_per_decade=50, tip="Average daily requests; GPU fleets are sized for the peak")
        self._slider(volume, "input_tokens", "inputTokensSlider", "Input tokens", unit="per request", slider_lo=10,
                     integer=True, steps_per_decade=50)
        self._slider(volume, "answer_tokens", "answerTokensSlider", "Answer tokens", unit="per sample", integer=True,
                     steps_per_decade=50, tip="Visible answer after the reasoning")
        self._slider(volume, "cached_input_fraction", "cachedInputSlider", "Cached input", unit="of input",
                     log=False, decimals=2, linear_steps=100, tip="Share of the prompt billed at the cached-input price")
        self._slider(volume, "peak_to_average", "peakToAverageSlider", "Peak / average", unit="× load", decimals=1,
                     steps_per_decade=50, tip="GPU fleets are provisioned for the peak; idle hours are paid for")

        hw = self._group(col, "Hardware")
        self._combo(hw, "hardware", "hardwareCombo", "GPU type", gpu_items(catalog),
                    "Restrict local / rented GPU options to one GPU type")
        self._spin(hw, "gpus_per_replica", "gpusPerReplicaSpin", "GPUs per replica", "auto", " GPUs")
        self._combo(hw, "ownership", "ownershipCombo", "Rent or own", [(v, k) for k, v in OWNERSHIP_NAMES.items()])
        self._combo(hw, "weight_precision", "weightPrecisionCombo", "Weight precision",
                    [(v, k) for k, v in PRECISION_NAMES.items()])
        self._slider(hw, "amortization_months", "amortizationSlider", "Amortisation", unit="months", log=False,
                     integer=True, tip="Owned hardware: purchase price spread over this many months")
        self._slider(hw, "electricity_usd_per_kwh", "electricitySlider", "Electricity", unit="$ / kWh", log=False,
                     decimals=3, linear_steps=1000)
        self._slider(hw, "pue", "pueSlider", "PUE", unit="facility", log=False, decimals=2, linear_steps=200)

        opt = self._group(col, "Inference optimisations (GPU serving)")
        self._combo(opt, "kv_precision", "kvPrecisionCombo", "KV-cache precision",
                    [(PRECISION_NAMES[p], p) for p in ("bf16", "fp8", "fp4")],
                    "Smaller KV entries fit more concurrent sequences per GPU")
        self._spin(opt, "speculative_draft_tokens", "speculativeDraftSpin", "Speculative draft", "off", " tokens")
        self._slider(opt, "speculative_acceptance", "speculativeAcceptanceSlider", "Draft acceptance", unit="rate",
                     log=False, decimals=2, linear_steps=99)
        self._check(opt, "prefix_cache", "prefixCacheCheck", "Prefix cache (prompt prefilled once)")
        self._checks["prefix_cache"].setToolTip("The shared prompt is prefilled once for all samples of a request")
        col.addStretch(1)
        self.setWidget(body)
        # Small screens get the compact width (shorter sliders), wide ones the comfortable one (preferred_width).
        self.preferred_width = body.sizeHint().width() + 24
        self.setMinimumWidth(min(self.preferred_width, max(body.minimumSizeHint().width(), COMPACT_BODY_WIDTH) + 24))

    # -- building ---------------------------------------------------------------------------------
    def _group(self, col: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(6)
        col.addWidget(box)
        return form

    def _row(self, form: QFormLayout, label: str, widget: QWidget, tip: str = "") -> None:
        lab = QLabel(label)
        if tip:
            lab.setToolTip(tip)
            widget.setToolTip(tip)
        form.addRow(lab, widget)

    def _slider(self, form, field, name, label, *, unit="", log=True, tip="", **kw) -> None:
        lo, hi = _bounds(field)
        w = LogSlider(name, lo, hi, unit=unit, log=log, **kw)
        w.valueChanged.connect(lambda v, dragging, f=field, integer=kw.get("integer", False):
                               self.changeRequested.emit(f, {f: int(v) if integer else v}, dragging))
        w.dragFinished.connect(self.dragFinished)
        w.spin.clamped.connect(lambda typed, used, lab=label, u=unit: self._say_clamped(lab, u, typed, used))
        w.spin.installEventFilter(self._undo_filter)
        self._sliders[field] = w
        self._row(form, label, w, tip)

    def _combo(self, form, field, name, label, items, tip="") -> None:
        w = QComboBox()
        w.setObjectName(name)
        w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        w.setMinimumContentsLength(16)
        w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for text, data in items:
            w.addItem(text, data)
        w.currentIndexChanged.connect(lambda i, f=field, c=w: self.changeRequested.emit(f, {f: c.itemData(i)}, False))
        self._combos[field] = w
        self._row(form, label, w, tip)

    def _spin(self, form, field, name, label, special, suffix) -> None:
        lo, hi = _bounds(field)
        w = BoundedSpinBox()
        w.setObjectName(name)
        w.clamped.connect(lambda typed, used, lab=label: self._say_clamped(lab, "", typed, used))
        w.installEventFilter(self._undo_filter)
        w.setRange(int(lo), int(hi))
        w.setSpecialValueText(special)
        w.setSuffix(suffix)
        w.setKeyboardTracking(False)
        w.valueChanged.connect(lambda v, f=field: self.changeRequested.emit(f, {f: int(v)}, False))
        self._spins[field] = w
        self._row(form, label, w)

    def _check(self, form, field, name, text) -> None:
        w = QCheckBox(text)
        w.setObjectName(name)
        w.toggled.connect(lambda on, f=field: self.changeRequested.emit(f, {f: bool(on)}, False))
        self._checks[field] = w
        form.addRow(w)

    def _say_clamped(self, label: str, unit: str, typed: float, used: float) -> None:
        bound = "maximum" if used < typed else "minimum"
        unit = f" {unit}" if unit else ""
        self.inputClamped.emit(f"{label}: {_number(typed)} is outside the range; set to the {bound}, "
                               f"{_number(used)}{unit}")

    def _on_name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if name != self._name:
            self.changeRequested.emit("name", {"name": name}, False)  # empty: the model refuses, the name snaps back

    def commit_typing(self) -> None:
        """Apply what is typed but not yet entered (a save or a prompt must not lose it)."""
        if self.editing(self.name_edit):
            self._on_name_edited()
        for w in list(self._spins.values()) + [s.spin for s in self._sliders.values()]:
            if self.editing(w):
                w.interpretText()

    def editing(self, widget) -> bool:
        """True while ``widget`` holds typed text that is not yet applied."""
        if widget is self.name_edit:
            return widget.text().strip() != self._name
        if isinstance(widget, QAbstractSpinBox):
            return widget.lineEdit().text() != committed_text(widget)
        return False

    # -- model -> widgets -----------------------------------------------------------------------
    def set_catalog(self, catalog: Catalog) -> None:
        """Offer a reloaded catalog's tasks and GPUs (no change is requested; ``set_scenario`` reselects)."""
        for field, items in (("task_id", task_items(catalog)), ("hardware", gpu_items(catalog))):
            combo = self._combos[field]
            with QSignalBlocker(combo):
                combo.clear()
                for text, data in items:
                    combo.addItem(text, data)

    def set_scenario(self, s: Scenario) -> None:
        self._name = s.name
        if self.name_edit.text() != s.name:
            with QSignalBlocker(self.name_edit):
                self.name_edit.setText(s.name)
                self.name_edit.setCursorPosition(0)
        for field, w in self._sliders.items():
            w.setValue(getattr(s, field))
        for field, w in self._combos.items():
            with QSignalBlocker(w):
                i = w.findData(getattr(s, field))
                if i < 0:  # e.g. a GPU id from a user catalog that is not loaded: show it rather than hide it
                    w.addItem(f"{getattr(s, field)} (not in catalog)", getattr(s, field))
                    i = w.count() - 1
                w.setCurrentIndex(i)
        for field, w in self._spins.items():
            if w.value() != int(getattr(s, field)):  # re-setting the same value still repaints the editor
                with QSignalBlocker(w):
                    w.setValue(int(getattr(s, field)))
        for field, w in self._checks.items():
            with QSignalBlocker(w):
                w.setChecked(bool(getattr(s, field)))
        self._sliders["scorer_quality"].setEnabled(s.aggregation == "scorer")
        owned = s.ownership == "own"
        for field in ("amortization_months", "electricity_usd_per_kwh", "pue"):
            self._sliders[field].setEnabled(owned)
        self._sliders["speculative_acceptance"].setEnabled(s.speculative_draft_tokens > 0)
