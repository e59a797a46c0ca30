"""Start the planner window: display check, QApplication, fonts, icon, the scenario from the command line.

The display check runs before QApplication exists because Qt aborts the process (no exception) when its
platform plugin cannot load; ``check_display`` turns that into one readable sentence and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

EXIT_NO_DISPLAY = 2


def _display_problem() -> str | None:
    try:
        from ttcplanner.qt_env import check_display
    except ImportError:
        return None
    return check_display()


def run(scenario_path: str | None = None, catalog_dirs: Sequence[str] = ()) -> int:
    problem = _display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ttcplanner")
    app.setApplicationDisplayName("ttcplanner")
    app.setOrganizationName("")
    try:
        from ttcplanner.qt_env import register_fonts

        register_fonts()
    except ImportError:
        pass
    from ttcplanner.paths import resource_dir

    icon = resource_dir() / "icons" / "ttcplanner-256.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))

    from ttcplanner.gui.main_window import MainWindow
    from ttcplanner.model.catalog import load_catalog

    catalog = load_catalog(*catalog_dirs)  # a bad --catalog folder: InputError, reported by the CLI as one line
    # the real app data folder: autosave and crash restore
    window = MainWindow(catalog=catalog, catalog_dirs=catalog_dirs, autosave=True)
    window.show()
    if scenario_path and not window.open_scenario(Path(scenario_path)):
        window.statusBar().showMessage("Could not open the scenario file: the default scenario is open instead.")
    return app.exec()
