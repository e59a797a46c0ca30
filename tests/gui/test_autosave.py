"""Nothing lost: autosave within 2 s, crash restore without asking, Save/Discard/Cancel on quit, atomic saves.

Every window here writes to a private XDG_DATA_HOME under tmp_path (never the user's folder). A crash is
a real one: a child process opens the window, changes a value, waits for the autosave and dies with
os._exit, leaving its session lock behind.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from gui_helpers import change_and_wait, find
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QFileDialog, QMessageBox

from ttcplanner.gui import MainWindow
from ttcplanner.gui.autosave import RESTORED_MESSAGE, data_folder, saved_at_text
from ttcplanner.model import scenario as sc

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def app_window(qtbot, catalog, settings, data_home):
    """Windows as app.run makes them (autosave on); teardown quits cleanly without a prompt."""

    def make():
        w = MainWindow(catalog=catalog, settings=settings, autosave=True)
        qtbot.addWidget(w, before_close_func=lambda w: w.session.finish())
        w.show()
        return w

    return make


def _answer_next_dialog(button) -> list[str]:
    """Click ``button`` in the next modal QMessageBox (polled from inside its exec loop); the list gets its text."""
    seen: list[str] = []
    timer = QTimer()

    def poll():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            timer.stop()
            seen.append(box.text())
            box.button(button).click()

    timer.timeout.connect(poll)
    timer.start(10)
    _answer_next_dialog.timer = timer  # alive until the next call
    return seen


def _set_volume(qtbot, window, value):
    change_and_wait(qtbot, window, lambda: find(window, QDoubleSpinBox, "tokenVolumeSliderValue").setValue(value))


def test_autosave_lands_in_the_app_data_folder_within_two_seconds(qtbot, app_window, data_home):
    w = app_window()
    folder = w.session.folder
    assert folder == data_folder() and folder.is_dir() and data_home in folder.parents
    assert (folder / "session.lock").is_file()
    _set_volume(qtbot, w, 43_210)
    start = time.monotonic()
    qtbot.waitUntil(lambda: sc.load(w.session.autosave_path) == w.scenario, timeout=2000)
    assert time.monotonic() - start < 2.0
    assert sc.load(w.session.autosave_path).requests_per_day == 43_210


def test_a_burst_of_changes_is_one_autosave_write(qtbot, app_window):
    w = app_window()
    writes = w.session.write_count
    for v in (20_000, 30_000, 40_000, 50_000):  # one burst: no event loop pass in between
        w.controller.set_scenario(w.scenario.replace(requests_per_day=v))
    qtbot.waitUntil(lambda: not w.session.pending, timeout=5000)
    assert w.session.write_count == writes + 1
    assert sc.load(w.session.autosave_path).requests_per_day == 50_000


def test_clean_quit_removes_the_session_files_and_the_next_start_is_fresh(qtbot, app_window, tmp_path):
    w = app_window()
    _set_volume(qtbot, w, 43_210)
    assert w.save_scenario(tmp_path / "saved.json")
    folder = w.session.folder
    assert w.close()  # saved: no question
    assert not (folder / "session.lock").exists() and not (folder / "autosave.json").exists()
    w2 = app_window()
    assert w2.session.restored_from is None and not w2.isWindowModified()
    assert w2.scenario == sc.Scenario()


def test_a_second_window_takes_its_own_slot(qtbot, app_window):
    w1, w2 = app_window(), app_window()
    assert w1.session.autosave_path != w2.session.autosave_path
    assert w2.session.autosave_path.name == "autosave-2.json"
    assert w2.session.restored_from is None  # w1 is alive: not a crash


CRASH_SCRIPT = textwrap.dedent("""
    import os, sys
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QDoubleSpinBox
    app = QApplication(sys.argv[:1])
    app.setApplicationName(sys.argv[1]); app.setOrganizationName(sys.argv[2])
    from ttcplanner.gui import MainWindow
    from ttcplanner.model.catalog import load_catalog
    settings = QSettings(sys.argv[3], QSettings.Format.IniFormat)
    w = MainWindow(catalog=load_catalog(include_user=False), settings=settings, autosave=True)
    w.show()
    w.findChild(QDoubleSpinBox, "tokenVolumeSliderValue").setValue(77_777)
    w.findChild(QDoubleSpinBox, "computeBudgetSliderValue").setValue(23_456)
    w.session.schedule()
    while w.session.pending or w.scenario.reasoning_tokens != 23_456:
        app.processEvents()
    print(w.session.autosave_path, flush=True)
    os._exit(3)  # a crash: no close, no clean-up
""")


def _crash_a_session(tmp_path) -> Path:
    app = QApplication.instance()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASH_SCRIPT,
            app.applicationName(),
            app.organizationName(),
            str(tmp_path / "crashed-settings.ini"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 3, done.stderr
    path = Path(done.stdout.strip())
    assert (path.parent / "session.lock").is_file()
    return path


def test_after_a_crash_the_scenario_is_restored_without_asking(qtbot, app_window, tmp_path):
    autosave = _crash_a_session(tmp_path)
    saved_at = saved_at_text(autosave)
    w = app_window()  # no dialog may appear: this would block
    assert w.session.autosave_path == autosave
    assert w.scenario.requests_per_day == 77_777 and w.scenario.reasoning_tokens == 23_456
    assert find(w, QDoubleSpinBox, "tokenVolumeSliderValue").value() == 77_777
    message = w.statusBar().currentMessage()
    assert message.startswith(RESTORED_MESSAGE) and f"as it was at {saved_at}" in message  # the time of the state
    assert w.isWindowModified() and not w.controller.undo_stack.isClean()
    assert sc.load(w.session.restored_from) == w.scenario  # a dated copy survives whatever happens next
    assert w.plan.scenario == w.scenario


def test_a_crash_with_an_unreadable_autosave_starts_fresh_and_keeps_the_file(qtbot, app_window, tmp_path):
    autosave = _crash_a_session(tmp_path)
    autosave.write_text('{"schema_version": 1, "samples": "many"', encoding="utf-8")
    w = app_window()
    assert w.scenario == sc.Scenario()
    message = w.statusBar().currentMessage()
    assert "Could not restore" in message and "recovered-" in message
    kept = sorted(autosave.parent.glob("recovered-*.json"))
    assert kept and kept[-1].read_text(encoding="utf-8") == '{"schema_version": 1, "samples": "many"'


def test_quit_with_unsaved_changes_cancel_keeps_the_window(qtbot, app_window):
    w = app_window()
    _set_volume(qtbot, w, 12_345)
    seen = _answer_next_dialog(QMessageBox.StandardButton.Cancel)
    assert not w.close()
    assert w.isVisible() and w.scenario.requests_per_day == 12_345
    assert "before quitting" in seen[0]
    assert (w.session.folder / "session.lock").exists()


def test_quit_with_unsaved_changes_discard_closes(qtbot, app_window):
    w = app_window()
    _set_volume(qtbot, w, 12_345)
    folder = w.session.folder
    _answer_next_dialog(QMessageBox.StandardButton.Discard)
    assert w.close()
    assert not (folder / "session.lock").exists() and not (folder / "autosave.json").exists()


def test_quit_with_unsaved_changes_save_writes_the_current_file(qtbot, app_window, tmp_path):
    w = app_window()
    path = tmp_path / "plan.json"
    assert w.save_scenario(path)
    _set_volume(qtbot, w, 12_345)
    _answer_next_dialog(QMessageBox.StandardButton.Save)
    assert w.close()
    assert sc.load(path).requests_per_day == 12_345


def test_quit_save_without_a_file_asks_where_and_cancelling_that_keeps_the_window(
    qtbot, app_window, tmp_path, monkeypatch
):
    w = app_window()
    _set_volume(qtbot, w, 12_345)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    _answer_next_dialog(QMessageBox.StandardButton.Save)
    assert not w.close() and w.isVisible()
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    _answer_next_dialog(QMessageBox.StandardButton.Save)
    assert w.close()
    assert sc.load(tmp_path / "chosen.json").requests_per_day == 12_345


def _error_texts(window) -> list[str]:
    return [b.text() for b in window.findChildren(QMessageBox, "errorDialog") if b.isVisible()]


def test_a_save_that_fails_mid_write_leaves_the_old_file_intact(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    assert window.save_scenario(path)
    before = path.read_bytes()
    _set_volume(qtbot, window, 98_765)

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)  # the new bytes are written, then the disk fills up
    assert not window.save_scenario(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind
    errors = _error_texts(window)
    assert errors and str(path) in errors[0] and "No space left" in errors[0]
    assert window.scenario.requests_per_day == 98_765 and window.isWindowModified()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_save_into_a_read_only_folder_leaves_the_old_file_intact(qtbot, window, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "plan.json"
    assert window.save_scenario(path)
    before = path.read_bytes()
    _set_volume(qtbot, window, 98_765)
    folder.chmod(0o555)
    try:
        assert not window.save_scenario(path)
    finally:
        folder.chmod(0o755)
    assert path.read_bytes() == before and [p.name for p in folder.iterdir()] == ["plan.json"]
    assert _error_texts(window) and window.scenario.requests_per_day == 98_765


def test_a_save_where_no_file_can_be_created_shows_an_error(qtbot, window, tmp_path):
    """The root-proof variant of the read-only folder: the 'folder' is a file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"keep me")
    _set_volume(qtbot, window, 98_765)
    assert not window.save_scenario(blocker / "plan.json")
    assert blocker.read_bytes() == b"keep me"
    errors = _error_texts(window)
    assert errors and str(blocker / "plan.json") in errors[0]
    assert window.scenario.requests_per_day == 98_765 and window.isWindowModified()


def test_the_autosave_file_is_a_plain_scenario(qtbot, app_window):
    w = app_window()
    w.session.write_now()
    data = json.loads(w.session.autosave_path.read_text(encoding="utf-8"))
    assert sc.from_dict(data) == w.scenario
