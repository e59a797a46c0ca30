"""Catalog > Import Eval Results… previews, saves and re-plans; Catalog > Manage User Tasks… removes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDialog

from tests.gui.gui_helpers import find
from ttcplanner.present.reasons import reason_texts

DATA = Path(__file__).resolve().parents[1] / "data" / "eval"
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    from ttcplanner.paths import user_catalog_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return user_catalog_dir()


@pytest.fixture
def open_window(qtbot, settings, user_dir):
    from ttcplanner.gui import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    QThreadPool.globalInstance().waitForDone(10_000)


def _dialog(window, action: str, name: str):
    find(window, QAction, action).trigger()
    shown = [d for d in window.findChildren(QDialog, name) if d.isVisible()]
    assert len(shown) == 1
    return shown[0]


def test_import_previews_saves_and_plans(qtbot, open_window, user_dir, tmp_path):
    w = open_window
    dlg = _dialog(w, "actionImportEval", "evalImportDialog")
    assert not dlg.import_button.isEnabled()
    dlg.set_files([DATA / "inspect_ticket_routing.json"])
    dlg.set_inputs(task="Ticket routing")
    assert dlg.busy and not dlg.import_button.isEnabled()  # read and fitted off the GUI thread
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    text = dlg.preview_text.toPlainText()
    assert "Task 'Ticket routing' (id ticket-routing, basis user_eval)" in text
    assert "gpt-5-mini: your eval, effort medium: pass@1 50.0%" in text and "WIDE: only 3 problems" in text
    assert dlg.import_button.isEnabled() and dlg.import_button.text() == "Import"
    assert not (user_dir / "eval_tasks.json").exists()  # a preview writes nothing
    dlg.grab().save(str(tmp_path / "eval_import_dialog.png"))
    with qtbot.waitSignal(w.catalog_menu.catalogChanged, timeout=10_000):
        dlg.import_button.click()
    assert (user_dir / "eval_tasks.json").is_file()
    assert w.catalog.tasks["ticket-routing"].basis == "user_eval"
    combo = find(w.panel, QComboBox, "taskCombo")
    assert combo.findData("ticket-routing") >= 0  # in the task list like any other
    w.controller.set_scenario(
        w.scenario.replace(task_id="ticket-routing", target_accuracy_pct=45.0, reasoning_tokens=2000.0, samples=1)
    )
    qtbot.waitUntil(lambda: w.plan is not None and w.plan.scenario.task_id == "ticket-routing", timeout=10_000)
    assert w.plan.recommended is not None
    rec = w.plan.recommended  # the measured model, or one estimated from its other tasks (issue 23 item 4)
    assert w.plan.results.accuracy_basis[rec] == (
        "published" if w.plan.options.accuracy_id[rec] == "gpt-5-mini" else "estimated_from_other_tasks"
    )
    assert w.plan.provenance[0][1].startswith("user:your eval results (basis user_eval)")
    assert any(
        r.startswith(
            "Accuracy on Ticket routing comes from your eval results (basis user_eval: inspect_ticket_routing.json"
        )
        for r in reason_texts(w.plan)
    )  # the card's "Why" list
    assert any("ESTIMATED from their other tasks" in r for r in reason_texts(w.plan))
    w.grab().save(str(tmp_path / "window_user_task.png"))

    manage = _dialog(w, "actionManageUserTasks", "manageUserTasksDialog")
    assert manage.task_list.count() == 1
    manage.select("ticket-routing")
    assert not manage.remove("ticket-routing")  # the open scenario plans on it
    assert "choose another task first" in manage.message.text()
    manage.close()
    w.controller.set_scenario(w.scenario.replace(task_id="maths-olympiad"))
    qtbot.waitUntil(lambda: w.plan.scenario.task_id == "maths-olympiad", timeout=10_000)
    manage = _dialog(w, "actionManageUserTasks", "manageUserTasksDialog")
    manage.select("ticket-routing")
    with qtbot.waitSignal(w.catalog_menu.catalogChanged, timeout=10_000):
        assert manage.remove("ticket-routing")
    assert "ticket-routing" not in w.catalog.tasks
    assert find(w.panel, QComboBox, "taskCombo").findData("ticket-routing") < 0


def test_bad_files_show_one_reason_and_write_nothing(qtbot, open_window, user_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    dlg = _dialog(open_window, "actionImportEval", "evalImportDialog")
    dlg.set_files([bad])
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    assert dlg.error.startswith("Cannot import:") and "no usable sample" in dlg.error
    assert "\n" not in dlg.error and not dlg.import_button.isEnabled()
    dlg.set_files([DATA / "per_problem.jsonl"])
    dlg.set_inputs(task="Coding agent")
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    assert "shipped task" in dlg.error and not dlg.save()
    dlg.set_inputs(task="SQL")
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    assert (
        dlg.error == ""
        and "not imported, not in the catalog (give --model ID): my-finetune-v2" in dlg.preview_text.toPlainText()
    )
    dlg.reject()
    assert not user_dir.exists() or not (user_dir / "eval_tasks.json").exists()
