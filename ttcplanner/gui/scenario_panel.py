"""The scenario panel: one control per Scenario field, grouped the way a planner thinks about them.

Controls only *request* changes (``changeRequested(field, changes, dragging)``); the controller decides
the new Scenario and ``set_scenario`` writes it back into every control under signal blockers.
Bounds come from the Scenario field specs, so the widgets can never offer a value the model rejects.
"""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ttcplanner.gui.bounded_spin import BoundedDoubleSpinBox, BoundedSpinBox, committed_text
from ttcplanner.gui.log_slider import LogSlider
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.scenario import Scenario
from ttcplanner.present.labels import AGGREGATION_NAMES

_SPECS = {f.name: f.metadata for f in dataclasses.fields(Scenario)}

PRECISION_NAMES = {"native": "Native (as released)", "bf16": "BF16", "fp8": "FP8", "fp4": "FP4 / MXFP4"}
OWNERSHIP_NAMES = {"rent": "Rent (cloud GPU-hours)", "own": "Own (purchase + power)"}
ENGINE_NAMES = {
    "vllm": "vLLM",
    "sglang": "SGLang",
    "trtllm": "TensorRT-LLM",
    "llamacpp": "llama.cpp",
    "auto": "Auto (fastest per model and GPU)",
}
PRICE_BASIS_NAMES = {
    "market-low": "Market low (cheapest provider)",
    "market-median": "Market median",
    "hyperscaler": "Hyperscaler median (AWS, GCP, Azure, Oracle)",
}
PRICING_NAMES = {
    "on-demand": "On-demand",
    "spot": "Spot / interruptible",
    "reserved-1y": "Reserved, 1 year",
    "reserved-3y": "Reserved, 3 years",
}
# Fields that price owned GPUs: enabled only when ownership is "own" (renting prices GPUs by the rent alone).
OWNING_FIELDS = (
    "amortization_months",
    "electricity_usd_per_kwh",
    "pue",
    "gpu_share_of_server",
    "networking_fraction",
    "colo_usd_per_kw_month",
    "maintenance_per_year",
    "staff_usd_per_gpu_month",
    "residual_fraction",
)
RENTING_FIELDS = ("gpu_price_basis", "gpu_pricing")  # which rent is picked: no effect on owned GPUs


def task_items(catalog: Catalog) -> list[tuple[str, str]]:
    return [(t.name, t.id) for t in sorted(catalog.tasks.values(), key=lambda t: t.name)]


def gpu_items(catalog: Catalog) -> list[tuple[str, str]]:
    gpus = sorted(catalog.gpus.values(), key=lambda g: g.name)
    return [("Any GPU (cheapest)", "auto")] + [(g.name, g.id) for g in gpus]


def price_basis_items(catalog: Catalog) -> list[tuple[str, str]]:
    """The three market bases, then every provider that quotes a bare GPU rent in the catalog (a provider
    with only managed deployments is never picked by the model, so it is not offered)."""
    gpus_of: dict[str, set[str]] = {}
    for g in catalog.gpus.values():
        for r in g.rents:
            if r.market:
                gpus_of.setdefault(r.provider, set()).add(g.id)
    providers = [
        (f"{p} (rents for {len(ids)} GPU type{'s' if len(ids) != 1 else ''})", p) for p, ids in sorted(gpus_of.items())
    ]
    return [(v, k) for k, v in PRICE_BASIS_NAMES.items()] + providers


COMPACT_BODY_WIDTH = 410  # px: sliders keep ~60 px of travel next to their value and unit


def _bounds(name: str) -> tuple[float, float]:
    return _SPECS[name]["lo"], _SPECS[name]["hi"]


def _default(field: str) -> object:
    return next(f.default for f in dataclasses.fields(Scenario) if f.name == field)


def _wrapped(tip: str) -> str:
    """Rich text, so Qt wraps a long tooltip instead of drawing one line wider than a small screen."""
    return f"<p>{html.escape(tip)}</p>"


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
            event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)
        ):
            if not self.panel.editing(obj):
                event.ignore()  # not overridden: the window's Undo / Redo action gets the key
                return True
        return False


class _FieldBox(BoundedDoubleSpinBox):
    """A number field without step buttons that a mouse wheel changes only once it has focus: wheeling
    through the panel must not set, say, a 0.01 s TTFT target on the way past (the wheel scrolls the panel)."""

    def __init__(self):
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # goes on to the scroll area


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
        self._edits: dict[str, tuple[QDoubleSpinBox, float, bool]] = {}  # field -> (box, scale, none at 0)
        self._owned: bool | None = None  # ownership last shown (the Owning section opens on a change to "own")
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
        self._row(
            task,
            "Scenario name",
            self.name_edit,
            "Titles the window, the PDF and the comparison view; Save As names an untitled scenario after its file",
        )
        self._combo(
            task,
            "task_id",
            "taskCombo",
            "Task profile",
            task_items(catalog),
            "Benchmark family whose published accuracy curves drive the accuracy estimates",
        )
        self._slider(
            task,
            "target_accuracy_pct",
            "targetAccuracySlider",
            "Target accuracy",
            unit="%",
            log=False,
            decimals=1,
            tip="Options below this accuracy are not recommended",
        )
        self._slider(
            task,
            "latency_target_s",
            "latencyTargetSlider",
            "p95 latency",
            unit="s end-to-end",
            decimals=1,
            steps_per_decade=60,
            tip="p95 end-to-end latency target: 95% of requests finish within it, all samples included "
            "(GPU fleets are sized for it under Poisson arrivals at the peak rate). "
            f"Default {_default('latency_target_s'):g} s",
        )
        self._edit(
            task,
            "ttft_target_s",
            "ttftTargetEdit",
            "p95 TTFT",
            " s to first token",
            decimals=2,
            none="none",
            tip="p95 time to first token target: 95% of requests see their first token within it. Options "
            "whose p95 TTFT exceeds it miss the targets; GPU fleets are sized (smaller batches, more "
            'replicas) to meet it. Default "none": no TTFT target (type 0 to remove one)',
        )
        self._check(task, "on_prem_only", "onPremOnlyCheck", "On-premises only (no APIs or ASIC clouds)")

        budget = self._group(col, "Compute budget (test-time compute)")
        self._slider(
            budget,
            "reasoning_tokens",
            "computeBudgetSlider",
            "Reasoning tokens",
            unit="tokens / sample",
            slider_lo=100,
            integer=True,
            tip="Thinking tokens each sample spends before answering",
        )
        self._slider(
            budget,
            "samples",
            "samplesSlider",
            "Parallel samples",
            unit="per request",
            integer=True,
            steps_per_decade=60,
            tip="Independent samples per request, combined by the aggregation method",
        )
        self._combo(
            budget,
            "aggregation",
            "aggregationCombo",
            "Aggregation",
            list((v, k) for k, v in AGGREGATION_NAMES.items()),
            "How the samples are combined into one answer",
        )
        self._slider(
            budget,
            "scorer_quality",
            "scorerQualitySlider",
            "Scorer quality",
            unit="0 vote, 1 oracle",
            log=False,
            decimals=2,
            linear_steps=100,
            tip="Only for the learned scorer",
        )

        volume = self._group(col, "Token volume")
        self._slider(
            volume,
            "requests_per_day",
            "tokenVolumeSlider",
            "Requests",
            unit="per day",
            integer=True,
            steps_per_decade=50,
            tip="Average daily requests; GPU fleets are sized for the peak",
        )
        self._slider(
            volume,
            "input_tokens",
            "inputTokensSlider",
            "Input tokens",
            unit="per request",
            slider_lo=10,
            integer=True,
            steps_per_decade=50,
        )
        self._slider(
            volume,
            "answer_tokens",
            "answerTokensSlider",
            "Answer tokens",
            unit="per sample",
            integer=True,
            steps_per_decade=50,
            tip="Visible answer after the reasoning",
        )
        self._slider(
            volume,
            "cached_input_fraction",
            "cachedInputSlider",
            "Cached input",
            unit="of input",
            log=False,
            decimals=2,
            linear_steps=100,
            tip="Share of the prompt billed at the cached-input price",
        )
        self._slider(
            volume,
            "peak_to_average",
            "peakToAverageSlider",
            "Peak / average",
            unit="× load",
            decimals=1,
            steps_per_decade=50,
            tip="GPU fleets are provisioned for the peak; idle hours are paid for",
        )

        hw = self._group(col, "Hardware")
        self._combo(
            hw,
            "hardware",
            "hardwareCombo",
            "GPU type",
            gpu_items(catalog),
            "Restrict local / rented GPU options to one GPU type",
        )
        self._spin(hw, "gpus_per_replica", "gpusPerReplicaSpin", "GPUs per replica", "auto", " GPUs")
        self._combo(
            hw,
            "ownership",
            "ownershipCombo",
            "Rent or own",
            [(v, k) for k, v in OWNERSHIP_NAMES.items()],
            "Rented GPUs cost their hourly rent (Prices); owned GPUs their purchase, server, power and upkeep (Owning)",
        )
        self._combo(
            hw,
            "weight_precision",
            "weightPrecisionCombo",
            "Weight precision",
            [(v, k) for k, v in PRECISION_NAMES.items()],
        )

        opt = self._group(col, "Serving (GPU engine and optimisations)")
        engines = _SPECS["engine"]["choices"]
        self._combo(
            opt,
            "engine",
            "engineCombo",
            "Serving engine",
            [(ENGINE_NAMES.get(e, e), e) for e in engines],
            "Engine whose fitted factors (serving_factors.json, fitted to published serving runs) set the "
            "throughput and latency of GPU options. Auto picks, per model and GPU, the engine with the "
            f"highest throughput on a 1000-prompt burst. Default {ENGINE_NAMES[_default('engine')]}",
        )
        self._combo(
            opt,
            "kv_precision",
            "kvPrecisionCombo",
            "KV-cache precision",
            [(PRECISION_NAMES[p], p) for p in ("bf16", "fp8", "fp4")],
            "Smaller KV entries fit more concurrent sequences per GPU",
        )
        self._spin(opt, "speculative_draft_tokens", "speculativeDraftSpin", "Speculative draft", "off", " tokens")
        self._slider(
            opt,
            "speculative_acceptance",
            "speculativeAcceptanceSlider",
            "Draft acceptance",
            unit="rate",
            log=False,
            decimals=2,
            linear_steps=99,
        )
        self._check(opt, "prefix_cache", "prefixCacheCheck", "Prefix cache (prompt prefilled once)")
        self._checks["prefix_cache"].setToolTip("The shared prompt is prefilled once for all samples of a request")

        prices = self._group(col, "Prices")
        self._combo(
            prices,
            "gpu_price_basis",
            "priceBasisCombo",
            "GPU rent basis",
            price_basis_items(catalog),
            "Which of the catalog's sourced GPU rents prices a rented GPU: the cheapest provider, the median "
            "of all providers, the hyperscalers' median, or one provider (where it has no rent for a GPU, "
            "the market median is used and the card says so). Your own rent in the catalog wins on every "
            f"basis. Renting only. Default {PRICE_BASIS_NAMES[_default('gpu_price_basis')].lower()}",
        )
        self._combo(
            prices,
            "gpu_pricing",
            "gpuPricingCombo",
            "GPU rent pricing",
            [(v, k) for k, v in PRICING_NAMES.items()],
            "Which of a provider's published prices: on demand, spot (interruptible) or a 1- or 3-year "
            f"reservation. Renting only. Default {PRICING_NAMES[_default('gpu_pricing')].lower()}",
        )
        self._edit(
            prices,
            "peak_traffic_share",
            "peakShareEdit",
            "API peak-hour share",
            " % of traffic",
            scale=100,
            decimals=2,
            tip="Share of requests sent in an API's peak hours, billed at its peak prices "
            "(offers with time-of-day prices only, e.g. DeepSeek). Default "
            f"{100 * _default('peak_traffic_share'):g}%: DeepSeek's peak hours are 35 of the week's 168 "
            "hours (7 a day, weekdays), so evenly spread traffic sends 35/168 of its requests then",
        )

        own = self._collapsible(col, "Owning (when you own the GPUs)", "owningGroup", "owningToggle")
        self._slider(
            own,
            "amortization_months",
            "amortizationSlider",
            "Amortisation",
            unit="months",
            log=False,
            integer=True,
            tip="Purchase price (less the residual value) spread over this many months. "
            f"Default {_default('amortization_months'):g} months; tco.csv: CoreWeave depreciates GPUs over "
            "6 years, Nebius over 4; residual values are quoted after 36 months",
        )
        self._slider(
            own,
            "electricity_usd_per_kwh",
            "electricitySlider",
            "Electricity",
            unit="$ / kWh",
            log=False,
            decimals=3,
            linear_steps=1000,
            tip="Tariff for the servers' draw x PUE. Default "
            f"${_default('electricity_usd_per_kwh'):g}/kWh; tco.csv: US industrial average $0.0977/kWh "
            "(EIA, 2026-07)",
        )
        self._slider(
            own,
            "pue",
            "pueSlider",
            "PUE",
            unit="facility",
            log=False,
            decimals=2,
            linear_steps=200,
            tip="Power usage effectiveness: facility power / IT power. Default "
            f"{_default('pue'):g}; tco.csv: industry average 1.54 (Uptime Institute 2025), modern "
            "liquid-cooled AI data centres about 1.2",
        )
        self._edit(
            own,
            "gpu_share_of_server",
            "gpuShareOfServerEdit",
            "GPU share of server",
            " % of server price",
            scale=100,
            decimals=1,
            tip="Where the catalog has no server price, the 8-GPU server costs the "
            "GPUs' price / this share. Default "
            f"{100 * _default('gpu_share_of_server'):g}%; tco.csv: GPUs are 60-70% of an HGX server's price",
        )
        self._edit(
            own,
            "networking_fraction",
            "networkingFractionEdit",
            "Networking",
            " % of server capex",
            scale=100,
            decimals=1,
            tip="InfiniBand / RoCE fabric and optics, depreciated with the server. Default "
            f"{100 * _default('networking_fraction'):g}%; tco.csv: +10-15% of server capex (low confidence)",
        )
        self._edit(
            own,
            "colo_usd_per_kw_month",
            "coloEdit",
            "Colocation",
            " / kW-month",
            prefix="$",
            decimals=0,
            tip="Data-centre space and cooling, billed per provisioned kW of server draw. Default "
            f"${_default('colo_usd_per_kw_month'):g}/kW-month; tco.csv: CBRE H1 2025 North America "
            "primary-market average",
        )
        self._edit(
            own,
            "maintenance_per_year",
            "maintenanceEdit",
            "Maintenance",
            " % of hardware / year",
            scale=100,
            decimals=1,
            tip="Support contracts and repairs, a yearly share of server and networking capex. "
            f"Default {100 * _default('maintenance_per_year'):g}%; tco.csv: 8-12% of hardware value per year",
        )
        self._edit(
            own,
            "staff_usd_per_gpu_month",
            "staffEdit",
            "Staff",
            " / GPU-month",
            prefix="$",
            decimals=0,
            tip="Operations staff cost per owned GPU. Default "
            f"${_default('staff_usd_per_gpu_month'):g}: no sourced figure, enter your own",
        )
        self._edit(
            own,
            "residual_fraction",
            "residualEdit",
            "Residual value",
            " % of purchase",
            scale=100,
            decimals=1,
            tip="Resale value at the end of amortisation; the rest depreciates. Default "
            f"{100 * _default('residual_fraction'):g}%; tco.csv: 25-35% after 36 months (low confidence)",
        )
        col.addStretch(1)
        self.setWidget(body)
        # Small screens get the compact width (shorter sliders), wide ones the comfortable one (preferred_width);
        # measured with the Owning section open, so opening it never squeezes the panel.
        self.preferred_width = body.sizeHint().width() + 24
        self.setMinimumWidth(min(self.preferred_width, max(body.minimumSizeHint().width(), COMPACT_BODY_WIDTH) + 24))
        self.owning_toggle.setChecked(False)

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

    def _collapsible(self, col: QVBoxLayout, title: str, name: str, toggle_name: str) -> QFormLayout:
        """A group whose rows fold away behind a toggle (the Owning items: nine rows that matter only to owners)."""
        box = QGroupBox(title)
        box.setObjectName(name)
        outer = QVBoxLayout(box)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(4)
        toggle = QToolButton()
        toggle.setObjectName(toggle_name)
        toggle.setCheckable(True)
        toggle.setChecked(True)
        toggle.setAutoRaise(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        content = QWidget()
        form = QFormLayout(content)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(6)

        def show(on: bool) -> None:
            toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
            toggle.setText("Hide the cost of owning" if on else "Show the cost of owning (9 items)")
            content.setVisible(on)

        toggle.toggled.connect(show)
        show(True)
        toggle.setToolTip(
            _wrapped(
                "Purchase, server, networking, power, colocation, maintenance, staff and residual "
                "value of owned GPUs; used when Rent or own is Own (the section opens when you "
                "choose Own)"
            )
        )
        outer.addWidget(toggle, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(content)
        col.addWidget(box)
        self.owning_toggle, self.owning_content = toggle, content
        return form

    def _row(self, form: QFormLayout, label: str, widget: QWidget, tip: str = "") -> None:
        lab = QLabel(label)
        if tip:
            tip = _wrapped(tip)
            lab.setToolTip(tip)
            widget.setToolTip(tip)
        form.addRow(lab, widget)

    def _slider(self, form, field, name, label, *, unit="", log=True, tip="", **kw) -> None:
        lo, hi = _bounds(field)
        w = LogSlider(name, lo, hi, unit=unit, log=log, **kw)
        is_integer = kw.get("integer", False)
        w.valueChanged.connect(
            lambda v, dragging, f=field, integer=is_integer: self.changeRequested.emit(
                f, {f: int(v) if integer else v}, dragging
            )
        )
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

    def _edit(self, form, field, name, label, suffix, *, prefix="", scale=1.0, decimals=2, none="", tip="") -> None:
        """A number field for a Scenario field shown as ``value x scale`` (e.g. a fraction in %), unit in the
        suffix. ``none``: the field's default is its maximum meaning "no target"; the box shows ``none`` at 0."""
        lo, hi = _bounds(field)
        w = _FieldBox()
        w.setObjectName(name)
        w.setDecimals(decimals)
        w.setRange(0.0 if none else lo * scale, hi * scale)
        if none:
            w.setSpecialValueText(none)
        w.setPrefix(prefix)
        w.setSuffix(suffix)
        w.setKeyboardTracking(False)
        w.setGroupSeparatorShown(True)
        w.setAlignment(Qt.AlignmentFlag.AlignRight)
        w.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        unit = (prefix + suffix).strip()
        w.clamped.connect(lambda typed, used, lab=label, u=unit: self._say_clamped(lab, u, typed, used))
        w.installEventFilter(self._undo_filter)

        def changed(v: float, f=field) -> None:
            value = hi if none and v == 0 else round(v / scale, decimals + 2) if scale != 1 else v
            self.changeRequested.emit(f, {f: value}, False)

        w.valueChanged.connect(changed)
        self._edits[field] = (w, scale, bool(none))
        self._row(form, label, w, tip)

    def _check(self, form, field, name, text) -> None:
        w = QCheckBox(text)
        w.setObjectName(name)
        w.toggled.connect(lambda on, f=field: self.changeRequested.emit(f, {f: bool(on)}, False))
        self._checks[field] = w
        form.addRow(w)

    def _say_clamped(self, label: str, unit: str, typed: float, used: float) -> None:
        bound = "maximum" if used < typed else "minimum"
        unit = f" {unit}" if unit else ""
        self.inputClamped.emit(
            f"{label}: {_number(typed)} is outside the range; set to the {bound}, {_number(used)}{unit}"
        )

    def _on_name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if name != self._name:
            self.changeRequested.emit("name", {"name": name}, False)  # empty: the model refuses, the name snaps back

    def commit_typing(self) -> None:
        """Apply what is typed but not yet entered (a save or a prompt must not lose it)."""
        if self.editing(self.name_edit):
            self._on_name_edited()
        boxes = [w for w, _, _ in self._edits.values()]
        for w in list(self._spins.values()) + [s.spin for s in self._sliders.values()] + boxes:
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
        """Offer a reloaded catalog's tasks, GPUs and rent providers (no change is requested; ``set_scenario``
        reselects)."""
        for field, items in (
            ("task_id", task_items(catalog)),
            ("hardware", gpu_items(catalog)),
            ("gpu_price_basis", price_basis_items(catalog)),
        ):
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
        for field, (w, scale, none) in self._edits.items():
            value = getattr(s, field)
            shown = 0.0 if none and value >= w.maximum() else round(value * scale, w.decimals())
            if w.value() != shown:
                with QSignalBlocker(w):
                    w.setValue(shown)
        for field, w in self._checks.items():
            with QSignalBlocker(w):
                w.setChecked(bool(getattr(s, field)))
        self._sliders["scorer_quality"].setEnabled(s.aggregation == "scorer")
        owned = s.ownership == "own"
        for field in OWNING_FIELDS:
            (self._sliders[field] if field in self._sliders else self._edits[field][0]).setEnabled(owned)
        for field in RENTING_FIELDS:
            self._combos[field].setEnabled(not owned)
        if owned and self._owned is not True:
            self.owning_toggle.setChecked(True)  # choosing Own shows what owning costs are made of
        self._owned = owned
        self._sliders["speculative_acceptance"].setEnabled(s.speculative_draft_tokens > 0)
