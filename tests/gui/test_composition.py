"""The window is composed, not patched: its features are constructed by MainWindow and placed by it (menus
before Help, analysis toggles in View), and File > Export PDF writes on the export job runner."""

import pytest
from PySide6.QtWidgets import QMenu, QProgressDialog

# the offscreen platform says so for every dialog the window opens (here the progress note and the error box)
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _titles(window) -> list[str]:
    return [a.text().replace("&", "") for a in window.menuBar().actions()]


def test_features_are_attributes_set_by_the_window_and_their_menus_placed_by_it(window):
    from ttcplanner.gui.analysis import Analysis
    from ttcplanner.gui.autosave import Session
    from ttcplanner.gui.catalog_menu import CatalogMenu

    assert isinstance(window.analysis, Analysis) and isinstance(window.session, Session)
    assert isinstance(window.catalog_menu, CatalogMenu)
    assert _titles(window) == ["File", "Edit", "View", "Analysis", "Catalog", "Help"]
    assert window.findChild(QMenu, "menuAnalysis") is window.analysis.menu
    view = window.view_menu.actions()
    tools = view.index(window._view_tools)
    assert view[tools - 2:tools] == window.analysis.view_actions  # under the main docks' toggles


def test_pdf_export_runs_on_the_job_runner(qtbot, window, tmp_path):
    out = tmp_path / "plan.pdf"
    job = window.start_pdf_export(out)
    assert window.export_runner.current is job
    qtbot.waitUntil(lambda: str(out) in window.statusBar().currentMessage(), timeout=30_000)
    qtbot.waitUntil(job.done.is_set)  # the worker marks the job done just after its last signal
    assert out.read_bytes()[:5] == b"%PDF-" and not window.last_error
    qtbot.waitUntil(lambda: window.findChild(QProgressDialog, "pdfProgress") is None)  # closed and deleted


def test_pdf_export_failure_is_shown_and_writes_nothing(qtbot, window, tmp_path):
    job = window.start_pdf_export(tmp_path)  # a folder
    qtbot.waitUntil(lambda: bool(window.last_error), timeout=30_000)
    qtbot.waitUntil(job.done.is_set)
    assert "folder" in window.last_error
    assert list(tmp_path.iterdir()) == []
