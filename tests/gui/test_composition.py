"""The window is composed, not patched: its features are constructed by MainWindow, the menu bar is built from
one table (``menus.MENUS``: every entry named, with a status tip, standard shortcuts where Qt has one, no
shortcut used twice), and File > Export PDF writes on the export job runner."""

import ast
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QProgressDialog

from ttcplanner.gui import menus

# the offscreen platform says so for every dialog the window opens (here the progress note and the error box)
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

GUI = Path(menus.__file__).parent
PACKAGE = GUI.parent


def _menu_actions(menu: QMenu):
    for action in menu.actions():
        if action.menu() is not None:
            yield from _menu_actions(action.menu())
        elif not action.isSeparator():
            yield action


def test_features_are_attributes_set_by_the_window(window):
    from ttcplanner.gui.analysis import Analysis
    from ttcplanner.gui.autosave import Session
    from ttcplanner.gui.catalog_menu import CatalogMenu

    assert isinstance(window.analysis, Analysis) and isinstance(window.session, Session)
    assert isinstance(window.catalog_menu, CatalogMenu)


def test_the_menu_bar_is_the_table(window):
    bar = [a.menu() for a in window.menuBar().actions()]
    assert [m.objectName() for m in bar] == [m.name for m in menus.MENUS]
    for qmenu, menu in zip(bar, menus.MENUS, strict=True):
        names = [
            None if a.isSeparator() else a.menu().objectName() if a.menu() else a.objectName() for a in qmenu.actions()
        ]
        assert names == [None if e is menus.SEPARATOR else e.name for e in menu.entries], menu.name
    assert window.findChild(QMenu, "menuRecent") is window.recent_menu


def test_every_entry_is_named_has_a_status_tip_and_a_unique_shortcut(window, tmp_path):
    window.save_scenario(tmp_path / "a.json")  # a recent file, so Open Recent has an entry too
    actions = [a for m in window.menuBar().actions() for a in _menu_actions(m.menu())]
    assert len(actions) == len(set(actions)), "an action is in two menus"
    names = [a.objectName() for a in actions]
    assert all(names) and len(names) == len(set(names)), names
    assert [a for a in actions if not a.statusTip()] == []
    for entry in menus.walk():
        if isinstance(entry, menus.Entry):
            assert window.menu_actions[entry.name] is window.findChild(QAction, entry.name)
    keys = [k.toString() for a in actions for k in a.shortcuts()]
    assert len(keys) == len(set(keys)), sorted(keys)  # an ambiguous shortcut does nothing in Qt


def test_standard_shortcuts_where_qt_has_one(window):
    standard = QKeySequence.StandardKey
    for name, key in (
        ("actionNew", standard.New),
        ("actionOpen", standard.Open),
        ("actionSave", standard.Save),
        ("actionSaveAs", standard.SaveAs),
        ("actionQuit", standard.Quit),
        ("actionUndo", standard.Undo),
        ("actionRedo", standard.Redo),
        ("actionAssumptions", standard.HelpContents),
    ):
        assert window.menu_actions[name].shortcuts() == QKeySequence.keyBindings(key), name


def test_menu_entries_run_their_handlers(qtbot, window):
    with qtbot.waitSignal(window.planUpdated):
        window.controller.request("samples", {"samples": window.scenario.samples + 1})  # so Undo has work
    before = window.scenario.samples
    with qtbot.waitSignal(window.planUpdated):
        window.menu_actions["actionUndo"].trigger()
    assert window.scenario.samples == before - 1
    window.table_dock.hide()
    window.menu_actions["actionResetLayout"].trigger()
    assert window.table_dock.isVisible()
    window.menu_actions["actionShowOptions"].trigger()
    assert not window.table_dock.isVisible()


def _module_sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_private_names_imported_across_modules():
    """``from ttcplanner.x import _y`` and ``x._y`` on an imported ttcplanner module, in every front-end module."""
    found = []
    for path, tree in _module_sources():
        if path.parent.name == "model":
            continue
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ttcplanner"):
                found += [
                    f"{path.name}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
                modules.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.Import):
                modules.update(
                    (a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("ttcplanner")
                )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert found == []


def test_nothing_finds_a_menu_by_its_text_or_patches_the_window():
    """Menus are built from the table: no code inserts before another menu's action, walks a menu's actions to
    match a text, or assigns to the window from another module."""
    found = []
    for path, tree in _module_sources():
        if path.parent != GUI:
            continue
        source = path.read_text(encoding="utf-8")
        if path.name != "menus.py" and ".menuAction()" in source:
            found.append(f"{path.name}: menuAction")
        for node in ast.walk(tree):
            if path.name != "main_window.py" and isinstance(node, ast.Assign):
                for target in node.targets:
                    base = target.value if isinstance(target, ast.Attribute) else None
                    if (
                        isinstance(base, ast.Attribute)
                        and base.attr == "window"
                        or (isinstance(base, ast.Name) and base.id in ("window", "w"))
                    ):
                        found.append(f"{path.name}:{node.lineno}: sets {ast.unparse(target)}")
    assert found == []


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
