"""Catalog > Import Eval Results… and Catalog > Manage User Tasks…: plan on the user's own eval.

The import dialog shows what will be imported before anything is written (the same summary lines as
``ttcplanner eval import``: models, pass@1 with its band, what N samples buy, unknown models, unusable
lines, and what changes when it replaces an earlier import). Saving goes through the model's writer
(user_tasks.save_user_task, atomic); ``saved`` then makes the Catalog menu reload and re-plan.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ttcplanner.gui.workers import Job, JobRunner
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.errors import InputError

ERROR_CSS = "color: #b00020;"
EVAL_FILTER = "Eval results (*.csv *.jsonl *.json);;All files (*)"
ANSWER_FORMATS = ("free", "choice:2", "choice:3", "choice:4", "choice:5", "choice:10")


def _folder(folder: str | Path | None) -> Path:
    from ttcplanner.paths import user_catalog_dir

    return Path(folder) if folder is not None else user_catalog_dir()


class EvalImportDialog(QDialog):
    """Files, a task name, optional model id and answer format -> a preview -> Import."""

    saved = Signal(str)  # the task id written
    previewed = Signal()  # the newest preview finished (check .task / .error)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None, folder: str | Path | None = None):
        super().__init__(parent)
        self.setObjectName("evalImportDialog")
        self.runner = JobRunner(self)  # a new preview cancels the older one (newest inputs win)
        self.busy = False
        self.setWindowTitle("Import eval results")
        self.catalog = catalog
        self.folder = folder
        self.task = None
        self.summary = None
        self.error = ""
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Your own eval results become a task to plan on: a CSV of accuracies, per-problem JSONL, "
            "lm-evaluation-harness <code>samples_*.jsonl</code> (with the results JSON beside it) or an "
            "Inspect AI log in JSON."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.file_list = QListWidget()
        self.file_list.setObjectName("evalFiles")
        self.file_list.setMaximumHeight(90)
        layout.addWidget(self.file_list)
        row = QHBoxLayout()
        add = QPushButton("Add files…")
        add.setObjectName("evalAddFiles")
        add.clicked.connect(self._browse)
        drop = QPushButton("Remove file")
        drop.setObjectName("evalRemoveFile")
        drop.clicked.connect(self._remove_selected)
        row.addWidget(add)
        row.addWidget(drop)
        row.addStretch(1)
        layout.addLayout(row)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("evalTaskName")
        self.name_edit.setPlaceholderText("default: the task named in the files")
        self.model_edit = QLineEdit()
        self.model_edit.setObjectName("evalModel")
        self.model_edit.setPlaceholderText("catalog model id, when the files do not name a known one")
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("evalAnswerFormat")
        for fmt in ANSWER_FORMATS:
            self.format_combo.addItem(fmt, fmt)
        form.addRow("Task name", self.name_edit)
        form.addRow("Model id", self.model_edit)
        form.addRow("Answer format", self.format_combo)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setObjectName("evalError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_CSS)
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label)
        self.preview_text = QPlainTextEdit()
        self.preview_text.setObjectName("evalPreview")
        self.preview_text.setReadOnly(True)
        self.preview_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.preview_text.setFont(mono)
        self.preview_text.setMinimumSize(720, 240)
        layout.addWidget(self.preview_text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("evalImportButton")
        self.import_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.name_edit.editingFinished.connect(self.preview)
        self.model_edit.editingFinished.connect(self.preview)
        self.format_combo.currentIndexChanged.connect(self.preview)
        self.preview()

    # -- inputs -----------------------------------------------------------------------------------
    def files(self) -> list[str]:
        return [self.file_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.file_list.count())]

    def set_files(self, paths) -> None:
        self.file_list.clear()
        for p in paths:
            item = QListWidgetItem(Path(p).name)
            item.setData(Qt.ItemDataRole.UserRole, str(p))
            item.setToolTip(str(p))
            self.file_list.addItem(item)
        self.preview()

    def set_inputs(self, task: str = "", model: str = "", answer_format: str = "free") -> None:
        self.name_edit.setText(task)
        self.model_edit.setText(model)
        i = self.format_combo.findData(answer_format)
        if i < 0:
            self.format_combo.addItem(answer_format, answer_format)
            i = self.format_combo.count() - 1
        self.format_combo.setCurrentIndex(i)
        self.preview()

    def _browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Eval result files", str(Path.home()), EVAL_FILTER)
        if paths:
            self.set_files(self.files() + [p for p in paths if p not in self.files()])

    def _remove_selected(self) -> None:
        row = self.file_list.currentRow()
        if row >= 0:
            self.set_files([f for i, f in enumerate(self.files()) if i != row])

    # -- preview ----------------------------------------------------------------------------------
    def preview(self, *_) -> None:
        """Read and fit what the inputs name on the thread pool (large lm-eval files take seconds); the newest
        run shows the summary or the one-line reason it cannot be imported, and emits ``previewed``."""
        self.task = self.summary = None
        files = self.files()
        if not files:
            self.runner.cancel()
            self.busy = False
            self._show("", "Add the result files of one task (several files: several models or runs of it).")
            self.previewed.emit()
            return
        self.busy = True
        self._show("", "Reading " + ", ".join(Path(f).name for f in files) + "…")
        name, model = self.name_edit.text().strip() or None, self.model_edit.text().strip() or None
        fmt, catalog = self.format_combo.currentData(), self.catalog

        def work(_progress, _cancelled) -> tuple:
            from ttcplanner.model.eval_import import read_eval_files
            from ttcplanner.model.user_tasks import build_user_task

            try:
                data = read_eval_files(files, task=name, model=model)
                title = name or next((t for t in data.tasks if t), "")
                if not title:
                    raise InputError("the files name no task; give it a name")
                return build_user_task(data, catalog, title, fmt), ""
            except (InputError, OSError, ValueError, MemoryError) as exc:
                return None, str(exc)

        job = Job(work, "Eval import")  # a cancelled (older) preview reports nothing
        job.signals.finished.connect(lambda outcome: self._on_finished(*outcome))
        job.signals.failed.connect(lambda message: self._on_finished(None, message))
        self.runner.start(job)

    def _on_finished(self, result, error: str) -> None:
        self.busy = False
        if result is None:
            self._show(f"Cannot import: {error}", "")
        else:
            self.task, self.summary = result
            self._show("", "\n".join(self.summary.lines()))
        self.previewed.emit()

    def _show(self, error: str, text: str) -> None:
        self.error = error
        self.error_label.setText(html.escape(error))
        self.error_label.setVisible(bool(error))
        self.preview_text.setPlainText(text)
        self.import_button.setEnabled(self.task is not None)
        if self.task is not None:
            self.import_button.setText("Replace" if self.summary.replaces else "Import")

    def save(self) -> bool:
        from ttcplanner.model.user_tasks import save_user_task

        if self.task is None:
            return False
        try:
            self.saved_path = save_user_task(self.task, _folder(self.folder))
        except (InputError, OSError) as exc:
            self._show(f"Cannot save: {exc}", self.preview_text.toPlainText())
            return False
        self.saved.emit(self.task.id)
        self.accept()
        return True


class ManageUserTasksDialog(QDialog):
    """The imported eval tasks, with Remove (not the one the open scenario plans on)."""

    saved = Signal(str)  # the task id removed

    def __init__(self, in_use: str = "", parent: QWidget | None = None, folder: str | Path | None = None):
        super().__init__(parent)
        self.setObjectName("manageUserTasksDialog")
        self.setWindowTitle("Manage user tasks")
        self.in_use = in_use
        self.folder = folder
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tasks imported from your eval results (Catalog > Import Eval Results…):"))
        self.task_list = QListWidget()
        self.task_list.setObjectName("userTasksList")
        self.task_list.setMinimumSize(560, 160)
        layout.addWidget(self.task_list)
        self.message = QLabel()
        self.message.setObjectName("userTasksMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.remove_button = buttons.addButton("Remove", QDialogButtonBox.ButtonRole.ActionRole)
        self.remove_button.setObjectName("removeUserTask")
        self.remove_button.clicked.connect(lambda: self.remove(self.selected()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.task_list.currentRowChanged.connect(lambda *_: self.remove_button.setEnabled(bool(self.selected())))
        self.refresh()

    def refresh(self) -> None:
        from ttcplanner.model.user_tasks import user_tasks

        self.task_list.clear()
        try:
            tasks = user_tasks(_folder(self.folder))
        except InputError as exc:
            self.message.setText(f"Cannot read your imported tasks: {exc}")
            tasks = {}
        for t in tasks.values():
            files = ", ".join(t.eval_import.get("files", []))
            item = QListWidgetItem(
                f"{t.name}  ({t.id}; {', '.join(sorted(t.curves))}; imported {t.as_of} from {files})"
            )
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.task_list.addItem(item)
        if not tasks and not self.message.text():
            self.message.setText("No imported tasks.")
        self.remove_button.setEnabled(bool(self.selected()))

    def selected(self) -> str:
        item = self.task_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def select(self, task_id: str) -> None:
        for i in range(self.task_list.count()):
            if self.task_list.item(i).data(Qt.ItemDataRole.UserRole) == task_id:
                self.task_list.setCurrentRow(i)

    def remove(self, task_id: str) -> bool:
        from ttcplanner.model.user_tasks import remove_user_task

        if not task_id:
            return False
        if task_id == self.in_use:
            self.message.setText(f"The open scenario plans on {task_id!r}: choose another task first.")
            return False
        try:
            remove_user_task(task_id, _folder(self.folder))
        except (InputError, OSError) as exc:
            self.message.setText(f"Cannot remove: {exc}")
            return False
        self.message.setText(f"Removed {task_id!r}. Import its files again to bring it back.")
        self.refresh()
        self.saved.emit(task_id)
        return True
