"""Dialogs of the Catalog menu: calibrate from a vLLM benchmark, edit prices, import LiteLLM prices.

Each dialog does its work on a catalog it is given and writes only the user catalog folder (by default
``ttcplanner.paths.user_catalog_dir()``), through the model's own writers, so a saved file is one the
loader accepts. After a successful save a dialog emits ``saved``; the Catalog menu then reloads the
catalog and re-plans. Nothing here blocks: bad input shows in the dialog, the LiteLLM file is read on
a worker thread.
"""

from __future__ import annotations

import dataclasses
import html
import math
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ttcplanner.gui import style
from ttcplanner.gui.workers import Job, JobRunner
from ttcplanner.model.catalog import Catalog, UserCalibration
from ttcplanner.model.errors import InputError
from ttcplanner.model.import_checks import PRICE_JUMP

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ERROR_CSS = "color: #b00020;"
MUTED_CSS = "color: #5a6270;"
EDITED_BG = QColor(style.WARNING_BG)
NOT_APPLICABLE_BG = QColor("#f3f4f6")
PRECISION_CHOICES = (("Native (as released)", "native"), ("BF16", "bf16"), ("FP8", "fp8"), ("FP4 / MXFP4", "fp4"))
KV_CHOICES = (("BF16 (vLLM default, kv_cache_dtype=auto)", "bf16"), ("FP8", "fp8"), ("FP4", "fp4"))
JSON_FILTER = "JSON (*.json);;All files (*)"


def _user_folder(folder: str | Path | None) -> Path:
    from ttcplanner.paths import user_catalog_dir

    return Path(folder) if folder is not None else user_catalog_dir()


def _label(text: str = "", css: str = "", name: str = "") -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if css:
        lab.setStyleSheet(css)
    if name:
        lab.setObjectName(name)
    return lab


def _tok_s(value: float) -> str:
    return f"{value:,.0f} tok/s"


def _price(value: float | None) -> str:
    """$ amounts without noise: 15.00, 1.25, 0.075, 0.0375."""
    if value is None:
        return "—"
    if abs(value - round(value, 2)) < 1e-9:
        return f"{value:,.2f}"
    return f"{value:,.4f}".rstrip("0")


# -- calibrate --------------------------------------------------------------------------------------
class CalibrateDialog(QDialog):
    """Pick a ``vllm bench serve --save-result`` file and the setup it ran on; preview the scale; save it."""

    saved = Signal(object)  # the UserCalibration written

    def __init__(self, catalog: Catalog, parent: QWidget | None = None, folder: str | Path | None = None):
        super().__init__(parent)
        self.setObjectName("calibrateDialog")
        self.setWindowTitle("Calibrate from a vLLM benchmark")
        self.catalog = catalog
        self.folder = folder
        self.result: dict | None = None
        self.calibration: UserCalibration | None = None
        self.doubts: list[str] = []  # why the computed calibration looks wrong (saving then asks to confirm)
        self.error = ""

        file_box = QGroupBox("Benchmark result (vllm bench serve --save-result)")
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("benchFileEdit")
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("No file chosen")
        browse = QPushButton("Choose file…")
        browse.setObjectName("benchBrowseButton")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.run_label = _label(css=MUTED_CSS, name="benchRunLabel")
        fl = QVBoxLayout(file_box)
        fl.addLayout(row)
        fl.addWidget(self.run_label)

        setup_box = QGroupBox("The setup the benchmark ran on")
        form = QFormLayout(setup_box)
        form.setLabelAlignment(RIGHT)
        self.model_combo = self._combo(
            "calibrateModelCombo", [(m.name, m.id) for m in sorted(catalog.open_models.values(), key=lambda m: m.name)]
        )
        self.gpu_combo = self._combo(
            "calibrateGpuCombo", [(g.name, g.id) for g in sorted(catalog.gpus.values(), key=lambda g: g.name)]
        )
        self.gpus_spin = QSpinBox()
        self.gpus_spin.setObjectName("calibrateGpusSpin")
        self.gpus_spin.setRange(1, 72)
        self.gpus_spin.setToolTip("GPUs per replica in the run (vLLM --tensor-parallel-size)")
        self.gpus_spin.valueChanged.connect(self._update)
        self.precision_combo = self._combo("calibratePrecisionCombo", PRECISION_CHOICES)
        self.kv_combo = self._combo("calibrateKvCombo", KV_CHOICES)
        form.addRow("Open model", self.model_combo)
        form.addRow("GPU", self.gpu_combo)
        form.addRow("GPUs per replica (tensor parallel)", self.gpus_spin)
        form.addRow("Weight precision", self.precision_combo)
        form.addRow("KV-cache precision", self.kv_combo)

        result_box = QGroupBox("Measured against the model")
        grid = QGridLayout(result_box)
        grid.setColumnStretch(2, 1)
        self.measured_value = self._value(grid, 0, "Measured output throughput", "measuredValue")
        self.estimate_value = self._value(grid, 1, "Model estimate (uncalibrated)", "estimateValue")
        self.scale_value = self._value(grid, 2, "Scale saved (measured / estimate)", "scaleValue")
        self.scale_value.setStyleSheet("font-weight: 700;")
        self.detail_label = _label(css=MUTED_CSS, name="calibrateDetail")
        grid.addWidget(self.detail_label, 3, 0, 1, 3)
        self.error_label = _label(css=ERROR_CSS, name="calibrateError")
        self.error_label.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save calibration")
        self.save_button.setObjectName("calibrateSaveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (file_box, setup_box, result_box, self.error_label):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(620)
        self._update()

    def _combo(self, name: str, items) -> QComboBox:
        c = QComboBox()
        c.setObjectName(name)
        for text, data in items:
            c.addItem(text, data)
        c.currentIndexChanged.connect(self._update)
        return c

    def _value(self, grid: QGridLayout, row: int, title: str, name: str) -> QLabel:
        grid.addWidget(QLabel(title), row, 0)
        value = QLabel("—")
        value.setObjectName(name)
        value.setAlignment(RIGHT)
        value.setMinimumWidth(130)
        grid.addWidget(value, row, 1)
        return value

    # -- inputs -----------------------------------------------------------------------------------
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "vllm bench serve result", str(Path.home()), JSON_FILTER)
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> bool:
        """Read a result file; a bad one is reported in the dialog and nothing can be saved."""
        from ttcplanner.model.calibration import read_vllm_bench

        self.path_edit.setText(str(path))
        try:
            self.result = read_vllm_bench(path)
        except InputError as exc:
            self.result = None
            self.run_label.setText("")
            self._show_error(f"Cannot read this benchmark result: {exc}")
            self.calibration = None
            self._update_buttons()
            return False
        r = self.result
        conc = "unlimited" if r["max_concurrency"] is None else f"{r['max_concurrency']}"
        rate = "all at once" if math.isinf(r["request_rate_per_s"]) else f"{r['request_rate_per_s']:g} requests/s"
        extra = f"; mean TTFT {r['mean_ttft_s']:.2f} s" if r.get("mean_ttft_s") is not None else ""
        extra += f", TPOT {r['mean_tpot_s'] * 1000:.1f} ms" if r.get("mean_tpot_s") is not None else ""
        self.run_label.setText(
            html.escape(
                f"{r['model_id'] or 'model not named'}: {r['completed']:,} requests, "
                f"mean {r['mean_input_tokens']:,.0f} input / "
                f"{r['mean_output_tokens']:,.0f} output tokens, concurrency {conc}, {rate}{extra}"
            )
        )
        self._guess_model(r["model_id"])
        self._update()
        return True

    def _guess_model(self, served_name: str) -> None:
        """vLLM names the model by its Hugging Face id (openai/gpt-oss-120b): preselect the catalog match."""
        tail = served_name.rsplit("/", 1)[-1].lower()
        for i in range(self.model_combo.count()):
            if self.model_combo.itemData(i).lower() == tail:
                self.model_combo.setCurrentIndex(i)
                return

    def set_setup(
        self, model_id: str, hardware_id: str, gpus: int, precision: str = "native", kv_precision: str = "bf16"
    ) -> None:
        for combo, value in (
            (self.model_combo, model_id),
            (self.gpu_combo, hardware_id),
            (self.precision_combo, precision),
            (self.kv_combo, kv_precision),
        ):
            i = combo.findData(value)
            if i < 0:
                raise InputError(f"unknown choice {value!r}", field=combo.objectName())
            combo.setCurrentIndex(i)
        self.gpus_spin.setValue(int(gpus))
        self._update()

    # -- preview ----------------------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.error = text
        self.error_label.setText(html.escape(text))
        self.error_label.setVisible(bool(text))

    def _update(self, *_) -> None:
        from ttcplanner.model.calibration import DoubtfulCalibration, calibrate

        self.calibration = None
        for v in (self.measured_value, self.estimate_value, self.scale_value):
            v.setText("—")
        self.detail_label.setText("")
        if self.result is None:
            self._show_error("")
            self.detail_label.setText("Choose the JSON file that <code>vllm bench serve --save-result</code> wrote.")
            self._update_buttons()
            return
        self.measured_value.setText(_tok_s(self.result["output_tokens_per_s"]))
        self.doubts = []
        try:
            cal = calibrate(
                self.catalog,
                self.result,
                self.model_combo.currentData(),
                self.gpu_combo.currentData(),
                self.gpus_spin.value(),
                self.precision_combo.currentData(),
                self.kv_combo.currentData(),
            )
        except DoubtfulCalibration as exc:  # computable but suspicious: saving asks first
            cal, self.doubts = exc.calibration, exc.doubts
        except InputError as exc:
            self._show_error(str(exc))
            self._update_buttons()
            return
        self._show_error(
            "This looks wrong: " + "; ".join(self.doubts) + ". Saving asks you to confirm." if self.doubts else ""
        )
        self.calibration = cal
        self.estimate_value.setText(_tok_s(cal.measured_output_tokens_per_s / cal.throughput_scale))
        self.scale_value.setText(f"× {cal.throughput_scale:.3f}")
        lines = [
            f"At {cal.input_tokens:,.0f} input / {cal.output_tokens:,.0f} output tokens per request, "
            f"{cal.concurrency:,.0f} sequences in flight, {cal.precision.upper()} weights. Later GPU estimates for "
            f"{html.escape(cal.name.rsplit(',', 1)[0])} are scaled by this and marked “calibrated by you”."
        ]
        old = self.catalog.user_calibrations.get(cal.id)
        if old is not None:
            lines.append(f"Replaces your calibration of {old.as_of} (× {old.throughput_scale:.3f}).")
        self.detail_label.setText("<br>".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.calibration is not None)

    def confirm_doubts(self) -> bool:
        """Ask before saving a calibration that looks wrong; True: save it anyway."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Save a calibration that looks wrong?",
            "This calibration looks wrong:\n• "
            + "\n• ".join(self.doubts)
            + "\n\nSave it anyway? Later estimates for this setup will use it.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmDoubtfulCalibration")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        box.deleteLater()
        return answer == QMessageBox.StandardButton.Save

    def save(self) -> bool:
        from ttcplanner.model.calibration import save_user_calibration

        if self.calibration is None:
            return False
        if self.doubts and not self.confirm_doubts():
            return False
        try:
            self.saved_path = save_user_calibration(self.calibration, _user_folder(self.folder))
        except (InputError, OSError) as exc:
            self._show_error(f"Cannot save: {exc}")
            return False
        self.saved.emit(self.calibration)
        self.accept()
        return True


# -- edit prices ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PriceColumn:
    title: str
    field: str  # catalog field; "" for descriptive columns
    kinds: tuple[str, ...] = ()  # kinds that have this price
    percent: bool = False  # shown and typed as a percentage of the field's fraction


PRICE_COLUMNS = (
    PriceColumn("Kind", ""),
    PriceColumn("Name", ""),
    PriceColumn("Input\n$ / M tokens", "input_usd_per_mtok", ("api", "asic")),
    PriceColumn("Cached input\n$ / M tokens", "cached_input_usd_per_mtok", ("api", "asic")),
    PriceColumn("Output\n$ / M tokens", "output_usd_per_mtok", ("api", "asic")),
    PriceColumn("Batch\ndiscount %", "batch_discount", ("api", "asic"), percent=True),
    PriceColumn("Rent\n$ / GPU-hour", "rent_usd_per_gpu_hour", ("gpu",)),
    PriceColumn("Purchase\n$ / GPU", "purchase_usd", ("gpu",)),
    PriceColumn("As of", ""),
    PriceColumn("Source", ""),
)
KIND_LABELS = {"api": "API tier", "asic": "ASIC cloud", "gpu": "GPU"}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
AS_OF_COLUMN, SOURCE_COLUMN = 8, 9


def _bounds(entry, field: str) -> tuple[float, float]:
    meta = next(f.metadata for f in dataclasses.fields(entry) if f.name == field)
    return meta["lo"], meta["hi"]


def parse_number(text: str) -> float:
    """A number as typed: '$1,250', '2.5', '50 %' (ValueError for anything else, or not finite)."""
    cleaned = text.strip().replace(",", "").replace("$", "").replace("%", "").strip()
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class PriceTableModel(QAbstractTableModel):
    """Every priced entry (API and ASIC offers, GPUs) with its prices; edits are kept until ``changes`` are saved."""

    rejected = Signal(str)  # why a typed value was not taken

    def __init__(self, catalog: Catalog, parent: QObject | None = None):
        super().__init__(parent)
        rows: list[tuple[str, object]] = []
        rows += [("api", o) for o in sorted(catalog.api_offers.values(), key=lambda o: o.name.lower())]
        rows += [("asic", o) for o in sorted(catalog.asic_offers.values(), key=lambda o: o.name.lower())]
        rows += [("gpu", g) for g in sorted(catalog.gpus.values(), key=lambda g: g.name.lower())]
        self.rows = rows
        self.changes: dict[str, dict[str, float]] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(PRICE_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation != Qt.Orientation.Horizontal:
            return None
        col = PRICE_COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.TextAlignmentRole and col.field:
            return int(RIGHT)
        return None

    def row_of(self, entry_id: str) -> int:
        return next(i for i, (_, e) in enumerate(self.rows) if e.id == entry_id)

    def value(self, row: int, field: str) -> float | None:
        """The current value (edited or catalog) of a price field, in catalog units."""
        _, entry = self.rows[row]
        return self.changes.get(entry.id, {}).get(field, getattr(entry, field))

    def flags(self, index):
        base = super().flags(index)
        kind, _ = self.rows[index.row()]
        if kind in PRICE_COLUMNS[index.column()].kinds:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        kind, entry = self.rows[index.row()]
        col = PRICE_COLUMNS[index.column()]
        edited = self.changes.get(entry.id, {})
        applies = kind in col.kinds
        if role == KIND_ROLE:
            return kind
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, SORT_ROLE):
            if col.field:
                if not applies:
                    return None if role == SORT_ROLE else ""
                v = self.value(index.row(), col.field)
                if role == SORT_ROLE:
                    return -1.0 if v is None else float(v)
                if role == Qt.ItemDataRole.EditRole:
                    return "" if v is None else f"{v * 100:g}" if col.percent else f"{v:g}"
                if v is None:
                    return "—"
                if col.percent:
                    return f"{v * 100:.0f} %" if v * 100 == round(v * 100) else f"{v * 100:.1f} %"
                return f"{v:,.0f}" if col.field == "purchase_usd" else _price(v)
            if index.column() == 0:
                return KIND_LABELS[kind]
            if index.column() == 1:
                return entry.name
            if index.column() == AS_OF_COLUMN:
                return "edited (unsaved)" if edited and role == Qt.ItemDataRole.DisplayRole else entry.as_of
            return "edited by you" if entry.source == "user:edited" else entry.source
        if role == Qt.ItemDataRole.TextAlignmentRole and col.field:
            return int(RIGHT)
        if role == Qt.ItemDataRole.BackgroundRole:
            if col.field and col.field in edited:
                return QBrush(EDITED_BG)
            if col.field and not applies:
                return QBrush(NOT_APPLICABLE_BG)
        if role == Qt.ItemDataRole.FontRole and col.field in edited:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return QBrush(QColor(style.KIND_COLORS[kind]))
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() in (1, SOURCE_COLUMN):
                notes = getattr(entry, "notes", "")
                return f"{entry.name} ({entry.id})\nsource: {entry.source}\nas of {entry.as_of}" + (
                    f"\n\n{notes}" if notes else ""
                )
            if col.field and applies:
                lo, hi = _bounds(entry, col.field)
                unit = "%" if col.percent else ""
                scale = 100 if col.percent else 1
                was = getattr(entry, col.field)
                return (
                    f"{col.title.replace(chr(10), ' ')}: {lo * scale:g} to {hi * scale:,.0f}{unit}; "
                    f"catalog value {'none' if was is None else f'{was * scale:g}{unit}'} (as of {entry.as_of})"
                )
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802 - Qt API
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        kind, entry = self.rows[index.row()]
        col = PRICE_COLUMNS[index.column()]
        if kind not in col.kinds:
            return False
        text = str(value).strip()
        label = f"{entry.name}: {col.title.replace(chr(10), ' ')}"
        if not text:
            if getattr(entry, col.field) is None and col.field not in self.changes.get(entry.id, {}):
                return True  # left empty: no price, unchanged
            self.rejected.emit(f"{label}: type a number (an empty cell cannot replace a price).")
            return False
        try:
            number = parse_number(text)
        except ValueError:
            self.rejected.emit(f"{label}: {text!r} is not a number.")
            return False
        lo, hi = _bounds(entry, col.field)
        scale = 100 if col.percent else 1
        if not lo * scale <= number <= hi * scale:
            self.rejected.emit(f"{label}: must be between {lo * scale:g} and {hi * scale:,.0f}, got {number:g}.")
            return False
        new = round(number / scale, 9)
        changes = self.changes.setdefault(entry.id, {})
        old = getattr(entry, col.field)
        if old is not None and abs(new - old) < 1e-12:
            changes.pop(col.field, None)
        else:
            changes[col.field] = new
        if not changes:
            del self.changes[entry.id]
        row = index.row()
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(PRICE_COLUMNS) - 1))
        return True

    def set_price(self, entry_id: str, field: str, text: str) -> bool:
        """Type ``text`` into an entry's price cell, as the user would (tests, scripting)."""
        col = next(i for i, c in enumerate(PRICE_COLUMNS) if c.field == field)
        return self.setData(self.index(self.row_of(entry_id), col), text)


class _PriceFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = self.needle = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, kind: str, needle: str) -> None:
        """Rows of ``kind`` ('' for all) whose kind, name, id, date or source contain ``needle`` (any case)."""
        self.beginFilterChange()
        self.kind, self.needle = kind, needle.strip().lower()
        self.endFilterChange()

    def filterAcceptsRow(self, row, parent):  # noqa: N802 - Qt API
        model = self.sourceModel()
        if self.kind and model.data(model.index(row, 0, parent), KIND_ROLE) != self.kind:
            return False
        if not self.needle:
            return True
        hay = " ".join(str(model.data(model.index(row, c, parent)) or "") for c in (0, 1, AS_OF_COLUMN, SOURCE_COLUMN))
        _, entry = model.rows[row]
        return self.needle in f"{hay} {entry.id} {getattr(entry, 'vendor', '')}".lower()


class PriceEditorDialog(QDialog):
    """Catalog > Edit prices: a filterable table of every price; Save writes each changed entry."""

    saved = Signal(list)  # ids written

    def __init__(self, catalog: Catalog, parent: QWidget | None = None, folder: str | Path | None = None):
        super().__init__(parent)
        self.setObjectName("priceEditorDialog")
        self.setWindowTitle("Edit prices")
        self.catalog = catalog
        self.folder = folder
        self.model = PriceTableModel(catalog, self)
        self.proxy = _PriceFilter(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("priceFilterEdit")
        self.search.setPlaceholderText("Filter by name, id, vendor, date or source…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("priceKindCombo")
        for text, data in (("All kinds", ""), ("API tiers", "api"), ("ASIC clouds", "asic"), ("GPUs", "gpu")):
            self.kind_combo.addItem(text, data)
        self.kind_combo.currentIndexChanged.connect(lambda _: self._filter())
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind_combo)

        self.view = QTableView()
        self.view.setObjectName("priceTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setStretchLastSection(True)
        for col, width in enumerate((80, 300, 90, 95, 90, 75, 95, 90, 100)):
            self.view.setColumnWidth(col, width)

        self.message = _label(css=MUTED_CSS, name="priceMessage")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("priceSaveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.model.rejected.connect(self._on_rejected)
        self.model.dataChanged.connect(self._update)
        self.resize(1240, 640)
        self._update()

    def _filter(self, *_) -> None:
        self.proxy.set_filter(self.kind_combo.currentData(), self.search.text())
        self._update()

    def _on_rejected(self, why: str) -> None:
        self.message.setStyleSheet(ERROR_CSS)
        self.message.setText(html.escape(why))

    def _update(self, *_) -> None:
        n = len(self.model.changes)
        self.save_button.setEnabled(n > 0)
        self.message.setStyleSheet(MUTED_CSS)
        shown = f"{self.proxy.rowCount()} of {self.model.rowCount()} entries shown"
        edits = (
            f"{n} entr{'y' if n == 1 else 'ies'} changed (highlighted); "
            "Save writes them to your user catalog dated today"
            if n
            else "Double-click a price to change it"
        )
        self.message.setText(
            f"{shown} · {edits}. Your edits override the shipped catalog; the catalog URL is kept in the notes."
        )

    def save(self) -> bool:
        """Write every changed entry with ``edit_price``; stops at the first failure and says which."""
        from ttcplanner.model.price_import import edit_price

        written: list[str] = []
        for entry_id, changes in list(self.model.changes.items()):
            try:
                edit_price(self.catalog, entry_id, folder=_user_folder(self.folder), **changes)
            except (InputError, OSError) as exc:
                self._on_rejected(
                    f"Cannot save {entry_id}: {exc}" + (f" ({len(written)} saved before it)" if written else "")
                )
                if written:
                    self.saved.emit(written)
                return False
            written.append(entry_id)
        self.saved.emit(written)
        self.accept()
        return True


# -- LiteLLM import ---------------------------------------------------------------------------------
def _table(name: str, headers: tuple[str, ...], rows: list[tuple], numeric: tuple[int, ...] = ()) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(22)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            item.setToolTip(str(value))
            if c in numeric:
                item.setTextAlignment(RIGHT)
            t.setItem(r, c, item)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    for c in numeric:
        t.horizontalHeaderItem(c).setTextAlignment(RIGHT)
    return t


class LiteLLMImportDialog(QDialog):
    """Read LiteLLM's price file off the GUI thread, show what would change and why entries were skipped; Save."""

    loaded = Signal()  # the import finished (check .result / .error)
    saved = Signal(list)  # files written

    def __init__(
        self, path: str | Path, catalog: Catalog, parent: QWidget | None = None, folder: str | Path | None = None
    ):
        super().__init__(parent)
        self.setObjectName("litellmImportDialog")
        self.setWindowTitle("Import LiteLLM prices")
        self.path = Path(path)
        self.catalog = catalog
        self.folder = folder
        self.result = None
        self.error = ""
        self.runner = JobRunner(self)  # reading again (the providers box) cancels the older read

        self.file_label = _label(
            f"<b>{html.escape(self.path.name)}</b> <span style='color:#5a6270'>"
            f"({html.escape(str(self.path.parent))})</span>"
        )
        self.all_check = QCheckBox("Include resellers and other providers (Azure, Bedrock, Vertex AI, OpenRouter…)")
        self.all_check.setObjectName("litellmAllCheck")
        self.all_check.setToolTip(
            "Off: only the vendors' own offers, as `ttcplanner catalog import-litellm` does by default"
        )
        self.all_check.toggled.connect(lambda _: self.start())
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.summary = _label(name="litellmSummary")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("litellmTabs")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("litellmSaveButton")
        self.save_button.setText("Save to my catalog")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (self.file_label, self.all_check, self.progress, self.summary):
            lay.addWidget(w)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.buttons)
        self.resize(1060, 600)
        self.save_button.setEnabled(False)

    def providers(self):
        from ttcplanner.model.providers import FIRST_PARTY_PROVIDERS

        return None if self.all_check.isChecked() else FIRST_PARTY_PROVIDERS

    def start(self) -> Job:
        """(Re)read the file off the GUI thread; an older read still going is cancelled and its result dropped."""
        from ttcplanner.model.price_import import import_litellm

        self.result, self.error = None, ""
        self.save_button.setEnabled(False)
        self.all_check.setEnabled(False)
        self.progress.show()
        self.summary.setStyleSheet("")
        self.summary.setText(f"Reading {html.escape(self.path.name)}…")
        self.tabs.clear()
        path, providers = self.path, self.providers()

        def read(_progress, _cancelled):
            try:
                return import_litellm(path, providers=providers)
            except (OSError, ValueError, MemoryError) as exc:  # InputError is a ValueError: reported as is
                raise InputError(str(exc)) from exc

        job = Job(read, "LiteLLM import")
        job.signals.finished.connect(self._on_loaded)
        job.signals.failed.connect(self._on_failed)
        return self.runner.start(job)

    def done(self, result: int) -> None:
        self.runner.shutdown()  # no read outlives the dialog (it cannot be interrupted, so this waits for it)
        super().done(result)

    def _is_current(self) -> bool:
        """A read that finished just before a newer one started still reports: only the newest counts."""
        current = self.runner.current
        return current is not None and self.sender() is current.signals

    def _on_loaded(self, result) -> None:
        if self._is_current():
            self._on_finished(result, "")

    def _on_failed(self, error: str) -> None:
        if self._is_current():
            self._on_finished(None, error)

    def _on_finished(self, result, error: str) -> None:
        self.progress.hide()
        self.all_check.setEnabled(True)
        self.result, self.error = result, error
        self.tabs.setVisible(result is not None)
        if result is None:
            self.summary.setStyleSheet(ERROR_CSS)
            self.summary.setText(f"Cannot import this file: {html.escape(error)}<br>Nothing was changed.")
        else:
            self._show(result)
        self.loaded.emit()

    def _show(self, res) -> None:
        by_id = {o.id: o for o in res.offers}
        date = res.offers[0].as_of if res.offers else "—"
        scope = "all providers" if self.all_check.isChecked() else "the vendors' own offers"
        self.summary.setStyleSheet("")
        self.summary.setText(
            f"<b>{len(res.updated)}</b> shipped offers get new prices, <b>{len(res.added)}</b> offers are added, "
            f"<b>{len(res.skipped)}</b> entries are skipped ({scope}). Imported prices are dated <b>{date}</b> "
            "(the file's date) and sourced to LiteLLM's table; speed, TTFT and anything LiteLLM does not state are "
            "kept from the shipped offer or marked as estimates."
            + ("" if res.offers else "<br><span style='color:#b00020'>Nothing to save.</span>")
        )
        old = self.catalog.api_offers

        def change(o, field):
            was = getattr(old[o.id], field) if o.id in old else None
            now = getattr(o, field)
            return (
                _price(now)
                if was is None or abs(was - (now or 0)) < 1e-12 or now is None
                else f"{_price(was)} → {_price(now)}"
            )

        updated = [
            (
                by_id[i].name,
                i,
                change(by_id[i], "input_usd_per_mtok"),
                change(by_id[i], "cached_input_usd_per_mtok"),
                change(by_id[i], "output_usd_per_mtok"),
                old[i].as_of if i in old else "—",
            )
            for i in res.updated
        ]
        added = [
            (
                by_id[i].name,
                i,
                _price(by_id[i].input_usd_per_mtok),
                _price(by_id[i].cached_input_usd_per_mtok),
                _price(by_id[i].output_usd_per_mtok),
                f"{by_id[i].output_tokens_per_s_per_user:g}" + (" (estimate)" if by_id[i].speed_is_estimate else ""),
            )
            for i in res.added
        ]
        prices = ("Input\n$ / M tokens", "Cached input\n$ / M tokens", "Output\n$ / M tokens")
        self.tabs.addTab(
            _table("litellmUpdatedTable", ("Offer", "Id", *prices, "Shipped price\nas of"), updated, (2, 3, 4)),
            f"Updated ({len(updated)})",
        )
        self.tabs.addTab(
            _table("litellmAddedTable", ("Offer", "Id", *prices, "Speed (tok/s)"), added, (2, 3, 4)),
            f"Added ({len(added)})",
        )
        self.tabs.addTab(
            _table("litellmSkippedTable", ("LiteLLM key", "Why skipped"), list(res.skipped)),
            f"Skipped ({len(res.skipped)})",
        )
        self.save_button.setEnabled(bool(res.offers))

    def confirm_jumps(self, jumps: list[str]) -> bool:
        """Ask before saving prices that move more than 10-fold (LiteLLM unit errors); True: save anyway."""
        shown = "\n• ".join(jumps[:10]) + (f"\n… and {len(jumps) - 10} more" if len(jumps) > 10 else "")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Save prices that look wrong?",
            f"{len(jumps)} price(s) would change more than {PRICE_JUMP:g}-fold:\n• {shown}\n\n"
            "This is usually a unit error in the file. Save anyway?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmPriceJumps")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        box.deleteLater()
        return answer == QMessageBox.StandardButton.Save

    def save(self) -> bool:
        from ttcplanner.model.import_checks import price_changes, price_jumps
        from ttcplanner.model.price_import import save_offers

        if self.result is None or not self.result.offers:
            return False
        jumps = price_jumps(price_changes(self.catalog, self.result.offers))
        if jumps and not self.confirm_jumps(jumps):
            return False
        try:
            paths = save_offers(self.result.offers, _user_folder(self.folder))
        except (InputError, OSError) as exc:
            self.summary.setStyleSheet(ERROR_CSS)
            self.summary.setText(f"Cannot save: {html.escape(str(exc))}")
            return False
        self.saved.emit([str(p) for p in paths])
        self.accept()
        return True
