"""The Catalog menu (calibrate, edit prices, import LiteLLM prices, open or reload the user catalog) and
the price-age indicator in the status bar.

Why: shipped prices age and the serving model is an estimate; users fix both with their own data. Every
save goes to the user catalog folder, after which the window reloads the catalog (shipped + user + the
``--catalog`` folders it started with) and re-plans the same scenario. MainWindow constructs one
``CatalogMenu`` and places its ``menu``; its ``catalogChanged`` signal tells other features that
``window.catalog`` was replaced.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ttcplanner.gui import style
from ttcplanner.model.catalog import Catalog, load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.planner import Plan
from ttcplanner.present.names import model_names
from ttcplanner.present.prices import price_age

STALE_CSS = (f"QLabel {{ background: {style.WARNING_BG}; border: 1px solid {style.WARNING_BORDER}; border-radius: 3px; "
             "padding: 0 6px; color: #5c4400; }")


class CatalogMenu(QObject):
    """Owns the Catalog menu of one window and keeps the window's catalog-derived views current."""

    catalogChanged = Signal(object)  # the new Catalog, after the window re-planned with it

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.menu = QMenu("&Catalog", window)
        self.menu.setObjectName("menuCatalog")
        self._add("&Calibrate from vLLM benchmark…", self.calibrate, "actionCalibrate",
                  "Scale GPU throughput estimates by what you measured with `vllm bench serve --save-result`")
        self._add("&Edit prices…", self.edit_prices, "actionEditPrices",
                  "Change API, ASIC and GPU prices; saved in your user catalog")
        self._add("&Import LiteLLM prices…", self.import_litellm, "actionImportLiteLLM",
                  "Read LiteLLM's model_prices_and_context_window.json (no network)")
        self._add("Import &Eval Results…", self.import_eval, "actionImportEval",
                  "Plan on your own eval: CSV, per-problem JSONL, lm-evaluation-harness samples or an Inspect AI log")
        self._add("&Manage User Tasks…", self.manage_user_tasks, "actionManageUserTasks",
                  "List and remove the tasks imported from your eval results")
        self.menu.addSeparator()
        self._add("&Open user catalog folder", self.open_user_folder, "actionOpenUserCatalog",
                  "Where your calibrations and prices are saved")
        self._add("&Reload catalog", self.reload, "actionReloadCatalog", "Read the catalog files again")
        window.planUpdated.connect(self.update_status)
        self.update_status(window.plan)

    def _add(self, text: str, slot, name: str, tip: str) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(name)
        act.setStatusTip(tip)
        act.setToolTip(tip)
        act.triggered.connect(slot)
        self.menu.addAction(act)
        return act

    # -- status bar -------------------------------------------------------------------------------
    def update_status(self, plan: Plan | None = None) -> None:
        label = self.window.catalog_label
        text, stale, tip = price_age(self.window.catalog, plan)
        # Every plan lands here: touch only what changed (a style sheet set again re-polishes the label and
        # re-lays out the status bar).
        if text != label.text():
            label.setText(text)
        label.setToolTip(tip)
        if label.property("stale") != stale:
            label.setProperty("stale", stale)
            label.setStyleSheet(STALE_CSS if stale else "")

    # -- actions ----------------------------------------------------------------------------------
    def _show(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda *_: self.reload())
        dialog.open()

    def calibrate(self):
        from ttcplanner.gui.catalog_dialogs import CalibrateDialog  # dialogs load on first use, not at start-up

        dlg = CalibrateDialog(self.window.catalog, self.window)
        self._show(dlg)
        return dlg

    def edit_prices(self):
        from ttcplanner.gui.catalog_dialogs import PriceEditorDialog

        dlg = PriceEditorDialog(self.window.catalog, self.window)
        self._show(dlg)
        return dlg

    def import_litellm(self, path: str | None = None):
        from ttcplanner.gui.catalog_dialogs import LiteLLMImportDialog

        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "LiteLLM price file (model_prices_and_context_window.json)",
                                                  str(Path.home()), "JSON (*.json);;All files (*)")
            if not path:
                return None
        dlg = LiteLLMImportDialog(path, self.window.catalog, self.window)
        self._show(dlg)
        dlg.start()
        return dlg

    def import_eval(self, paths=None):
        from ttcplanner.gui.eval_import_dialog import EvalImportDialog

        dlg = EvalImportDialog(self.window.catalog, self.window)
        if paths:
            dlg.set_files(paths)
        self._show(dlg)
        return dlg

    def manage_user_tasks(self):
        from ttcplanner.gui.eval_import_dialog import ManageUserTasksDialog

        dlg = ManageUserTasksDialog(self.window.scenario.task_id, self.window)
        self._show(dlg)
        return dlg

    def open_user_folder(self) -> bool:
        from ttcplanner.paths import user_catalog_dir

        folder = user_catalog_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._error("Cannot open the user catalog folder", f"{folder}:\n{exc.strerror}")
            return False
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._error("Cannot open the user catalog folder", f"No file manager opened {folder}.")
            return False
        return True

    def _error(self, title: str, text: str) -> None:
        self.window.last_error = text
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("catalogErrorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- reload ----------------------------------------------------------------------------------
    def reload(self) -> bool:
        """Load shipped + user + the window's extra folders again and re-plan; a bad file keeps the old catalog."""
        try:
            catalog = load_catalog(*self.window.catalog_dirs)
        except (InputError, OSError) as exc:
            self._error("Cannot reload the catalog", f"{exc}\n\nThe planner keeps the catalog it had.")
            return False
        return self.apply(catalog)

    def apply(self, catalog: Catalog) -> bool:
        """Make ``catalog`` the window's: combos, model names, then one re-plan of the same scenario."""
        w = self.window
        old = w.catalog
        self._refresh_views(catalog)
        try:
            w.catalog = catalog
            w.controller.set_catalog(catalog)
        except InputError as exc:
            w.catalog = old
            self._refresh_views(old)
            self._error("Cannot use the reloaded catalog",
                        f"The current scenario cannot be planned with it: {exc}\n\nThe planner keeps the catalog it had.")
            return False
        self.update_status(w.plan)
        w.statusBar().showMessage(f"Catalog reloaded: prices as of {catalog.as_of}, "
                                  f"{len(catalog.user_calibrations)} calibration(s) of yours", 8000)
        self.catalogChanged.emit(catalog)
        return True

    def _refresh_views(self, catalog: Catalog) -> None:
        w = self.window
        w.panel.set_catalog(catalog)
        w.panel.set_scenario(w.scenario)  # reselects the scenario's task and GPU (or shows "not in catalog")
        w.accuracy_plot.set_model_names(dict(model_names(catalog)))

