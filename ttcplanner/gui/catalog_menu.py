"""What the Catalog menu does (calibrate, edit prices, import LiteLLM prices or eval results, open or reload
the user catalog) and the price-age indicator in the status bar.

Why: shipped prices age and the serving model is an estimate; users fix both with their own data. Every
save goes to the user catalog folder, after which the window reloads the catalog (shipped + user + the
``--catalog`` folders it started with) and re-plans the same scenario. MainWindow constructs one
``CatalogMenu``; the menu's entries are in ``menus.MENUS``, which names these slots. ``catalogChanged``
tells other features that ``window.catalog`` was replaced.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from ttcplanner.gui import style
from ttcplanner.model.catalog import Catalog, load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.planner import Plan
from ttcplanner.present.prices import price_age

STALE_CSS = (
    f"QLabel {{ background: {style.WARNING_BG}; border: 1px solid {style.WARNING_BORDER}; border-radius: 3px; "
    "padding: 0 6px; color: #5c4400; }"
)


class CatalogMenu(QObject):
    """The Catalog menu's slots for one window, and the window's price-age label kept current."""

    catalogChanged = Signal(object)  # the new Catalog, after the window re-planned with it

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.planUpdated.connect(self.update_status)
        self.update_status(window.plan)

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
            path, _ = QFileDialog.getOpenFileName(
                self.window,
                "LiteLLM price file (model_prices_and_context_window.json)",
                str(Path.home()),
                "JSON (*.json);;All files (*)",
            )
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
        self.window.show_error(title, text, "catalogErrorDialog")

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
        """Make ``catalog`` the window's and re-plan the same scenario; a catalog that cannot plan it is refused."""
        w = self.window
        try:
            w.set_catalog(catalog)
        except InputError as exc:
            self._error(
                "Cannot use the reloaded catalog",
                f"The current scenario cannot be planned with it: {exc}\n\nThe planner keeps the catalog it had.",
            )
            return False
        self.update_status(w.plan)
        w.statusBar().showMessage(
            f"Catalog reloaded: prices as of {catalog.as_of}, {len(catalog.user_calibrations)} calibration(s) of yours",
            8000,
        )
        self.catalogChanged.emit(catalog)
        return True
