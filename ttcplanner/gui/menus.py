"""The window's menu bar as one table: every menu and entry with its shortcut, status tip, objectName and handler.

Why a table: the menus read in one place and in order, each entry says what it does in the status bar,
standard shortcuts come from ``QKeySequence.StandardKey`` (each platform gets its own bindings, all of them),
and code and tests find an action by its objectName (``MainWindow.menu_actions`` or ``findChild``), never by
its text, which is written for people and may change.

A handler or an existing action is named by its attribute path on the window ("analysis.show_tornado"); the
window builds its features (analysis, catalog menu, docks, the undo stack's actions) before the table is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Union

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

K = QKeySequence.StandardKey
Shortcut = Union[QKeySequence.StandardKey, str, None]


@dataclass(frozen=True)
class Entry:
    """One menu entry. ``handler``: the window's slot it calls (without arguments); ``action``: an action the
    window already has (undo stack, dock toggles), which gets the entry's name, tip and shortcut and keeps its
    own text (the dock's title; "Undo change samples")."""

    text: str
    name: str
    tip: str
    handler: str = ""
    shortcut: Shortcut = None
    action: str = ""


@dataclass(frozen=True)
class Menu:
    title: str
    name: str
    entries: tuple  # Entry, Menu (a submenu) or SEPARATOR
    tip: str = ""


SEPARATOR = None

MENUS = (
    Menu(
        "&File",
        "menuFile",
        (
            Entry("&New", "actionNew", "Start a new untitled scenario", "new_scenario", K.New),
            Entry("&Open…", "actionOpen", "Open a scenario file", "open_dialog", K.Open),
            Menu("Open &Recent", "menuRecent", (), "Scenario files opened lately"),
            SEPARATOR,
            Entry("&Save", "actionSave", "Save the scenario to its file", "save", K.Save),
            Entry("Save &As…", "actionSaveAs", "Save the scenario to a new file", "save_as_dialog", K.SaveAs),
            SEPARATOR,
            Entry(
                "&Export PDF…",
                "actionExportPdf",
                "Write the plan summary, with the analyses you ran, as a PDF",
                "export_pdf_dialog",
                "Ctrl+E",
            ),  # no standard key: Print (Ctrl+P) would promise a print dialog
            SEPARATOR,
            Entry(
                "&Quit", "actionQuit", "Close the window (unsaved changes: Save, Discard or Cancel)", "close", K.Quit
            ),
        ),
    ),
    Menu(
        "&Edit",
        "menuEdit",
        (
            Entry("&Undo", "actionUndo", "Undo the last change to the scenario", shortcut=K.Undo, action="action_undo"),
            Entry("&Redo", "actionRedo", "Redo the change just undone", shortcut=K.Redo, action="action_redo"),
        ),
    ),
    Menu(
        "&View",
        "menuView",
        (
            Entry(
                "Scenario",
                "actionShowScenario",
                "Show or hide the scenario panel",
                action="scenario_dock.toggleViewAction",
            ),
            Entry(
                "Recommendation",
                "actionShowRecommendation",
                "Show or hide the recommendation card",
                action="card_dock.toggleViewAction",
            ),
            Entry(
                "All options",
                "actionShowOptions",
                "Show or hide the table of every evaluated option",
                action="table_dock.toggleViewAction",
            ),
            Entry(
                "Sensitivity",
                "actionShowSensitivity",
                "Show or hide the sensitivity (tornado) panel",
                action="analysis.tornado_dock.toggleViewAction",
            ),
            Entry(
                "Uncertainty",
                "actionShowUncertainty",
                "Show or hide the Monte Carlo uncertainty panel",
                action="analysis.monte_carlo_dock.toggleViewAction",
            ),
            SEPARATOR,
            Entry(
                "Reset &Layout",
                "actionResetLayout",
                "Put every panel back where it was at the first start",
                "reset_layout",
            ),
            Entry(
                "&Fit Plots to Data",
                "actionFitPlots",
                "Undo zoom and pan: every plot shows its data again",
                "fit_plots",
                "Ctrl+0",
            ),
        ),
    ),
    Menu(
        "&Analysis",
        "menuAnalysis",
        (
            Entry(
                "&Sensitivity (What Flips the Decision)",
                "actionTornado",
                "Which inputs move the cost, and the value at which the recommendation changes",
                "analysis.show_tornado",
                "F5",
            ),
            Entry(
                "&Uncertainty (Monte Carlo)",
                "actionMonteCarlo",
                "The probability that each deployment kind is the cheapest, over every uncertain input",
                "analysis.show_monte_carlo",
                "Shift+F5",
            ),
            SEPARATOR,
            Entry(
                "&Compare Scenarios…",
                "actionCompare",
                "Up to four scenarios side by side",
                "analysis.show_compare",
                "Ctrl+Shift+C",
            ),
        ),
    ),
    Menu(
        "&Catalog",
        "menuCatalog",
        (
            Entry(
                "&Calibrate from vLLM benchmark…",
                "actionCalibrate",
                "Scale GPU throughput estimates by what you measured with `vllm bench serve --save-result`",
                "catalog_menu.calibrate",
            ),
            Entry(
                "&Edit prices…",
                "actionEditPrices",
                "Change API, ASIC and GPU prices; saved in your user catalog",
                "catalog_menu.edit_prices",
            ),
            Entry(
                "&Import LiteLLM prices…",
                "actionImportLiteLLM",
                "Read LiteLLM's model_prices_and_context_window.json (no network)",
                "catalog_menu.import_litellm",
            ),
            Entry(
                "Import &Eval Results…",
                "actionImportEval",
                "Plan on your own eval: CSV, per-problem JSONL, lm-evaluation-harness samples or an Inspect AI log",
                "catalog_menu.import_eval",
            ),
            Entry(
                "&Manage User Tasks…",
                "actionManageUserTasks",
                "List and remove the tasks imported from your eval results",
                "catalog_menu.manage_user_tasks",
            ),
            SEPARATOR,
            Entry(
                "&Open user catalog folder",
                "actionOpenUserCatalog",
                "Where your calibrations and prices are saved",
                "catalog_menu.open_user_folder",
            ),
            Entry("&Reload catalog", "actionReloadCatalog", "Read the catalog files again", "catalog_menu.reload"),
        ),
    ),
    Menu(
        "&Help",
        "menuHelp",
        (
            Entry(
                "&Assumptions and Sources…",
                "actionAssumptions",
                "What the model assumes and where every figure comes from",
                "show_assumptions",
                K.HelpContents,
            ),
            Entry("&About ttcplanner", "actionAbout", "Version, catalog date and licence", "show_about"),
        ),
    ),
)


def walk(menus=MENUS):
    """Every Menu and Entry of the table, depth first."""
    for menu in menus:
        yield menu
        for entry in menu.entries:
            if isinstance(entry, Menu):
                yield from walk((entry,))
            elif entry is not None:
                yield entry


def _shortcut(action: QAction, shortcut: Shortcut) -> None:
    if isinstance(shortcut, QKeySequence.StandardKey):
        action.setShortcuts(shortcut)  # every binding of the platform (Redo: Ctrl+Y and Ctrl+Shift+Z)
    elif shortcut:
        action.setShortcut(QKeySequence(shortcut))


def _action(window, entry: Entry) -> QAction:
    if entry.action:
        act = attrgetter(entry.action)(window)
        act = act if isinstance(act, QAction) else act()  # a dock's toggleViewAction method
    else:
        act = QAction(entry.text, window)
        slot = attrgetter(entry.handler)(window)
        act.triggered.connect(lambda _checked=False, slot=slot: slot())
    act.setObjectName(entry.name)
    act.setStatusTip(entry.tip)
    act.setToolTip(entry.tip)
    _shortcut(act, entry.shortcut)
    return act


def _fill(window, qmenu: QMenu, menu: Menu, menus: dict, actions: dict) -> None:
    for entry in menu.entries:
        if entry is SEPARATOR:
            qmenu.addSeparator()
        elif isinstance(entry, Menu):
            sub = qmenu.addMenu(entry.title)
            sub.setObjectName(entry.name)
            sub.menuAction().setStatusTip(entry.tip)
            menus[entry.name] = sub
            _fill(window, sub, entry, menus, actions)
        else:
            actions[entry.name] = act = _action(window, entry)
            qmenu.addAction(act)


def build(window, bar: QMenuBar, table=MENUS) -> tuple[dict[str, QMenu], dict[str, QAction]]:
    """Fill ``bar`` from ``table``; returns the menus and the actions by objectName."""
    menus: dict[str, QMenu] = {}
    actions: dict[str, QAction] = {}
    for menu in table:
        qmenu = bar.addMenu(menu.title)
        qmenu.setObjectName(menu.name)
        menus[menu.name] = qmenu
        _fill(window, qmenu, menu, menus, actions)
    return menus, actions
