"""A newcomer's first hour (issue 21): nothing lost on open/new, undo after a typed value, a scenario name,
clamped input said in the status bar."""

from __future__ import annotations

import pytest
from gui_helpers import change_and_wait, find
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QMessageBox, QSpinBox

from ttcplanner.gui import main_window as mw
from ttcplanner.model import scenario as sc
from ttcplanner.present.reasons import why_not

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
B = QMessageBox.StandardButton


@pytest.fixture
def answers(monkeypatch):
    """Replace the Save / Discard / Cancel prompt: pop the next answer, record what was asked."""
    asked: list[str] = []
    queue: list = []

    def ask(window, doing):
        asked.append(doing)
        return queue.pop(0)

    monkeypatch.setattr(mw, "ask_unsaved_changes", ask)
    return asked, queue


def _modify(qtbot, window, value=31_234):
    change_and_wait(qtbot, window, lambda: find(window, QDoubleSpinBox, "tokenVolumeSliderValue").setValue(value))
    assert window.isWindowModified()


def _other_file(window, tmp_path):
    path = tmp_path / "other.json"
    sc.save(window.scenario.replace(requests_per_day=777, name="Other"), path)
    return path


def test_open_with_unsaved_changes_cancel_keeps_everything(qtbot, window, tmp_path, answers):
    asked, queue = answers
    path = _other_file(window, tmp_path)
    _modify(qtbot, window)
    before, plan, steps = window.scenario, window.plan, window.controller.undo_stack.count()
    queue.append(B.Cancel)
    assert window.open_scenario(path) is False
    assert asked == ["opening “other.json”"]
    assert window.scenario == before and window.plan is plan and window.current_path is None
    assert window.controller.undo_stack.count() == steps and window.isWindowModified()
    assert find(window, QDoubleSpinBox, "tokenVolumeSliderValue").value() == 31_234
    queue.append(B.Discard)
    with qtbot.waitSignal(window.planUpdated):
        assert window.open_scenario(path)
    assert window.scenario.name == "Other" and not window.isWindowModified()


def test_open_with_save_writes_the_current_file_first(qtbot, window, tmp_path, answers):
    _asked, queue = answers
    mine = tmp_path / "mine.json"
    assert window.save_scenario(mine)
    _modify(qtbot, window, 4_321)
    queue.append(B.Save)
    with qtbot.waitSignal(window.planUpdated):
        assert window.open_scenario(_other_file(window, tmp_path))
    assert sc.load(mine).requests_per_day == 4_321


def test_new_and_open_recent_ask_too(qtbot, window, tmp_path, answers):
    asked, queue = answers
    path = _other_file(window, tmp_path)
    window._add_recent(path)
    _modify(qtbot, window)
    before = window.scenario
    queue += [B.Cancel, B.Cancel]
    assert window.new_scenario() is False
    find(window, QAction, "actionRecent1").trigger()
    assert asked == ["starting a new scenario", "opening “other.json”"]
    assert window.scenario == before and window.isWindowModified()
    queue.append(B.Discard)
    with qtbot.waitSignal(window.planUpdated):
        assert window.new_scenario()
    assert not window.isWindowModified() and window.controller.undo_stack.count() == 0


def test_a_clean_window_opens_without_asking(qtbot, window, tmp_path, answers):
    asked, _queue = answers
    with qtbot.waitSignal(window.planUpdated):
        assert window.open_scenario(_other_file(window, tmp_path))
    assert asked == []


def _activate(qtbot, window, widget):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def test_undo_after_a_typed_value_and_enter(qtbot, window):
    spin = find(window, QDoubleSpinBox, "computeBudgetSliderValue")
    start = window.scenario.reasoning_tokens
    _activate(qtbot, window, spin)
    spin.selectAll()
    qtbot.keyClicks(spin, "12345")
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.scenario.reasoning_tokens == 12_345 and spin.hasFocus()
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.scenario.reasoning_tokens == start and spin.value() == start
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.scenario.reasoning_tokens == 12_345


def test_undo_while_typing_stays_in_the_field(qtbot, window):
    spin = find(window, QDoubleSpinBox, "computeBudgetSliderValue")
    before = window.scenario
    _activate(qtbot, window, spin)
    spin.selectAll()
    qtbot.keyClicks(spin, "99")
    qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.controller.flush()
    assert window.scenario == before and window.controller.undo_stack.count() == 0


def test_scenario_name_is_edited_applied_and_undone(qtbot, window):
    edit = find(window, QLineEdit, "scenarioNameEdit")
    assert edit.text() == "Untitled scenario"
    _activate(qtbot, window, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "GPU plan for Q3")
    assert window.scenario.name == "Untitled scenario"  # applied when editing finishes
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.scenario.name == "GPU plan for Q3"
    assert window.windowTitle().startswith("GPU plan for Q3 ")
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.scenario.name == "Untitled scenario" and edit.text() == "Untitled scenario"


def test_an_empty_name_is_refused_and_snaps_back(qtbot, window):
    edit = find(window, QLineEdit, "scenarioNameEdit")
    edit.setText("   ")
    edit.editingFinished.emit()
    window.controller.flush()
    assert window.scenario.name == "Untitled scenario" and edit.text() == "Untitled scenario"
    assert "must not be empty" in window.last_error


def test_save_as_names_an_untitled_scenario_after_its_file(qtbot, window, tmp_path):
    assert window.save_scenario_as(tmp_path / "Q3 coding agents.json")
    assert window.scenario.name == "Q3 coding agents"
    assert find(window, QLineEdit, "scenarioNameEdit").text() == "Q3 coding agents"
    assert sc.load(tmp_path / "Q3 coding agents.json").name == "Q3 coding agents"
    assert not window.isWindowModified()
    assert window.save_scenario_as(tmp_path / "copy.json")  # named now: the name stays
    assert window.scenario.name == "Q3 coding agents"


def test_the_name_titles_the_comparison_view(qtbot, window):
    change_and_wait(qtbot, window, lambda: window.controller.request("name", {"name": "Plan A"}))
    compare = window.analysis.show_compare()
    qtbot.addWidget(compare)
    assert compare.column_names() == ["Plan A"]
    assert "Plan A" in compare.table.horizontalHeaderItem(0).text()


def test_a_clamped_value_says_so_in_the_status_bar(qtbot, window):
    spin = find(window, QDoubleSpinBox, "tokenVolumeSliderValue")
    _activate(qtbot, window, spin)
    spin.selectAll()
    qtbot.keyClicks(spin, "999999999999")
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.scenario.requests_per_day == 1e9
    message = window.statusBar().currentMessage()
    assert "999,999,999,999" in message and "maximum, 1,000,000,000" in message and "Requests" in message


def test_a_clamped_integer_field_says_so(qtbot, window):
    spin = find(window, QSpinBox, "gpusPerReplicaSpin")
    _activate(qtbot, window, spin)
    spin.selectAll()
    qtbot.keyClicks(spin, "500")
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.scenario.gpus_per_replica == 72
    assert "GPUs per replica: 500 is outside the range; set to the maximum, 72" in window.statusBar().currentMessage()


# -- analyses follow the scenario ------------------------------------------------------------------
def _run_monte_carlo(qtbot, window, samples=300):
    view = window.analysis.monte_carlo  # built on first use
    find(window, QSpinBox, "monteCarloSamples").setValue(samples)
    with qtbot.waitSignal(view.runFinished, timeout=60_000):
        view.run()
    return view


def test_opening_another_scenario_marks_the_monte_carlo_result_stale(qtbot, window, tmp_path):

    view = _run_monte_carlo(qtbot, window)
    banner = view.stale_banner
    assert not banner.stale and banner.isHidden()
    first = window.scenario.name
    with qtbot.waitSignal(window.planUpdated):
        assert window.open_scenario(_other_file(window, tmp_path))
    assert banner.stale and not banner.isHidden()
    assert banner.plain_text().startswith(f"For the previous scenario (“{first}”): Run again")
    assert not view.table.isEnabled()
    assert window.analysis.current_results() == (None, None) and window.analysis.report_extras() == {}
    with qtbot.waitSignal(view.runFinished, timeout=60_000):
        banner.linkActivated.emit("run")  # the banner's "Run again"
    assert not banner.stale and view.result.scenario == window.scenario
    assert view.table.isEnabled()


def test_a_changed_value_marks_the_tornado_stale_and_undo_clears_it(qtbot, window):
    view = window.analysis.tornado
    with qtbot.waitSignal(view.resultReady, timeout=30_000):
        view.run()
    assert not view.stale_banner.stale
    _modify(qtbot, window)
    assert view.stale_banner.stale and "Run again" in view.stale_banner.plain_text()
    change_and_wait(qtbot, window, window.action_undo.trigger)
    assert not view.stale_banner.stale and view.stale_banner.isHidden()


def test_a_comparison_column_of_the_window_is_marked_when_the_scenario_changes(qtbot, window):
    from ttcplanner.gui.compare_window import ROWS

    compare = window.analysis.show_compare()
    qtbot.addWidget(compare)
    assert compare.stale_columns() == []
    _modify(qtbot, window)
    assert compare.stale_columns() == [0]
    assert "(previous)" in compare.table.horizontalHeaderItem(0).text()
    assert "for the previous scenario" in compare.table.item(ROWS.index("Source"), 0).text()
    change_and_wait(qtbot, window, window.action_undo.trigger)
    assert compare.stale_columns() == []


# -- reasons shown -------------------------------------------------------------------------------
def test_every_row_tooltip_and_the_selected_option_say_why_not(qtbot, window):
    model, _r = window.table.model, window.plan.results
    rows = [row for row in range(model.rowCount()) if why_not(window.plan, model.option_at(row))]
    assert rows, "the default scenario has options that miss a target"
    for row in rows[:20]:
        why = why_not(window.plan, model.option_at(row))
        for col in range(model.columnCount()):
            assert why in model.data(model.index(row, col), Qt.ItemDataRole.ToolTipRole), (row, col)
    window.table.view.selectRow(rows[0])
    option = model.option_at(rows[0])
    assert (
        window.statusBar().currentMessage()
        == f"{window.plan.options.label[option]}: why not: {why_not(window.plan, option)}"
    )


def test_a_file_without_task_id_says_which_default_it_used(qtbot, window, tmp_path):
    path = tmp_path / "no-task.json"
    path.write_text('{"schema_version": %d, "name": "No task", "requests_per_day": 500}' % sc.SCHEMA_VERSION)
    with qtbot.waitSignal(window.planUpdated):
        assert window.open_scenario(path)
    message = window.statusBar().currentMessage()
    assert message.startswith("no-task.json does not set ") and "task_id = maths-olympiad" in message
    assert not window.timing_label.isVisible()  # the note gets the room


def test_the_real_prompt_cancelled_by_a_click_keeps_everything(qtbot, window, tmp_path):
    """The QMessageBox itself (no monkeypatch), answered from a timer while it runs its own event loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    path = _other_file(window, tmp_path)
    _modify(qtbot, window)
    before = window.scenario
    seen = []

    def answer():
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.objectName() == "unsavedChangesDialog" and w.isVisible()
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(10, answer)  # not up yet
            return
        seen.append(box.text())
        box.button(B.Cancel).click()

    QTimer.singleShot(0, answer)
    assert window.open_scenario(path) is False
    assert seen and "before opening “other.json”" in seen[0] and "undo history" in seen[0]
    assert window.scenario == before and window.isWindowModified()


def test_the_name_titles_the_pdf(qtbot, window, tmp_path):
    from pypdf import PdfReader

    change_and_wait(qtbot, window, lambda: window.controller.request("name", {"name": "Q3 plan for finance"}))
    assert window.export_pdf(tmp_path / "plan.pdf")
    reader = PdfReader(str(tmp_path / "plan.pdf"))
    assert "Q3 plan for finance" in reader.metadata.title
    assert "Q3 plan for finance" in " ".join(reader.pages[0].extract_text().split())


def test_save_keeps_a_name_and_a_value_typed_without_enter(qtbot, window, tmp_path):
    edit = find(window, QLineEdit, "scenarioNameEdit")
    spin = find(window, QDoubleSpinBox, "tokenVolumeSliderValue")
    edit.setText("Typed, not entered")
    spin.lineEdit().setText("4,242")
    assert window.save_scenario(tmp_path / "typed.json")
    saved = sc.load(tmp_path / "typed.json")
    assert saved.name == "Typed, not entered" and saved.requests_per_day == 4242
    assert not window.isWindowModified()
