"""Nothing lost: autosave, crash recovery and "save changes?" on quit.

Engineers keep a scenario open for hours; a crash, a killed session or a closed laptop must not cost them
their work. While the window runs, the current scenario is written (atomically, debounced) to
``autosave.json`` in the app data folder, next to a session lock (QLockFile: pid, process name, host).
A clean quit removes both. At the next start a lock left behind by a dead process means the session
ended unexpectedly: its autosave is restored without asking, marked modified, and a copy is kept as
``recovered-<time>.json``. A second window running at the same time takes the next free slot
(``session-2.lock`` / ``autosave-2.json``), so two instances never overwrite each other.

Only app.run (``MainWindow(..., autosave=True)``) turns this on; test windows stay off the disk.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox

from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import read_input_bytes, read_json, write_bytes_atomic, write_json_atomic
from ttcplanner.model.planner import evaluate

AUTOSAVE_DELAY_MS = 1000  # debounce: one write per pause, well inside the 2 s promise
MAX_SLOTS = 16  # concurrent windows sharing one app data folder
RESTORED_MESSAGE = "Restored your unsaved scenario from a session that ended unexpectedly"


def data_folder() -> Path:
    """The per-user app data folder (XDG_DATA_HOME/... on Linux, %APPDATA% on Windows)."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def _slot_names(slot: int) -> tuple[str, str, str]:
    suffix = "" if slot == 1 else f"-{slot}"
    return f"session{suffix}.lock", f"autosave{suffix}.json", f"autosave{suffix}.meta.json"


class Session(QObject):
    """The window's session: ``enabled`` False means no files are touched and quitting never asks."""

    def __init__(self, window, enabled: bool, folder: Path | None = None):
        super().__init__(window)
        self.window = window
        self.enabled = enabled
        self.folder: Path | None = None
        self.autosave_path: Path | None = None
        self.restored_from: Path | None = None  # the recovered copy, when a crashed session was restored
        self.write_count = 0
        self._lock: QLockFile | None = None
        self._meta_path: Path | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.write_now)
        if enabled:
            self._start(folder if folder is not None else data_folder())

    # -- start ------------------------------------------------------------------------------------
    def _start(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._say(f"Autosave is off: cannot create {folder} ({exc.strerror})")
            self.enabled = False
            return
        crashed = False
        for slot in range(1, MAX_SLOTS + 1):
            lock_name, autosave_name, meta_name = _slot_names(slot)
            lock = QLockFile(str(folder / lock_name))
            lock.setStaleLockTime(0)  # a long session is not stale; only a dead owner makes it so
            left_over = (folder / lock_name).exists()
            if lock.tryLock(0):  # removes a lock whose process is gone, then takes it
                self._lock, crashed = lock, left_over
                self.folder, self.autosave_path, self._meta_path = folder, folder / autosave_name, folder / meta_name
                break
        if self._lock is None:
            self._say(f"Autosave is off: {MAX_SLOTS} other ttcplanner windows hold the session files in {folder}")
            self.enabled = False
            return
        if crashed and self.autosave_path.is_file():
            self._restore()
        controller = self.window.controller
        controller.scenarioChanged.connect(self.schedule)
        controller.undo_stack.cleanChanged.connect(self.schedule)
        self.write_now()

    def _restore(self) -> None:
        """Bring back the crashed session's scenario, keep a dated copy, say so in the status bar."""
        path = self.autosave_path
        keep = self.folder / time.strftime("recovered-%Y%m%d-%H%M%S.json")
        try:
            write_bytes_atomic(keep, read_input_bytes(path, "autosave"), "recovered copy")
        except InputError:
            keep = path
        try:
            s = scenario_io.load(path)
            evaluate(s, self.window.catalog)  # ids the current catalog lacks fail here, not in the window
        except InputError as exc:
            self._say(f"Could not restore the scenario of a session that ended unexpectedly ({exc}); "
                      f"it is kept at {keep}")
            return
        source = self._read_source_path()
        self.window.controller.set_scenario(s, "restore unsaved scenario")
        self.window.controller.undo_stack.resetClean()  # modified: it was never saved as it is now
        if source is not None:
            self.window.current_path = source
        self.window._update_title()
        self.restored_from = keep
        self._say(RESTORED_MESSAGE)

    def _read_source_path(self) -> Path | None:
        try:
            meta = read_json(self._meta_path, "autosave note")
            source = Path(meta["path"]) if isinstance(meta, dict) and isinstance(meta.get("path"), str) else None
        except (InputError, OSError, ValueError):
            return None
        return source if source is not None and source.is_file() else None

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text)

    # -- autosave ---------------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        if self.enabled:
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def write_now(self) -> bool:
        """Write the current scenario (and the file it belongs to) atomically; a failure is reported once."""
        self._timer.stop()
        if not self.enabled or self.autosave_path is None:
            return False
        path = self.window.current_path
        try:
            scenario_io.save(self.window.scenario, self.autosave_path)
            write_json_atomic(self._meta_path, {"path": str(path.resolve()) if path else None,
                                                "modified": not self.window.controller.undo_stack.isClean()})
        except InputError as exc:
            self._say(f"Autosave failed: {exc}")
            return False
        self.write_count += 1
        return True

    # -- quit -------------------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes; True means the window may close."""
        if not self.enabled:
            return True
        controller = self.window.controller
        controller.flush()  # a value typed or dragged a moment ago counts
        if controller.undo_stack.isClean():
            return True
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Save the changes to “{self.window.scenario.name}” before quitting?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("unsavedChangesDialog")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        box.deleteLater()
        if answer == QMessageBox.StandardButton.Discard:
            return True
        if answer == QMessageBox.StandardButton.Save:
            self.window._save()  # current path, or Save As; a failed or cancelled save keeps the window open
            return controller.undo_stack.isClean()
        return False

    def finish(self) -> None:
        """A clean quit: the autosave and the session lock go; the next start is a fresh one."""
        self._timer.stop()
        if not self.enabled or self._lock is None:
            return
        for p in (self.autosave_path, self._meta_path):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass
        self._lock.unlock()
        self._lock = None
        self.enabled = False


def install(window, enabled: bool = False, folder: Path | None = None) -> Session:
    """Attach the session to ``window`` as ``window.session``; ``enabled`` only for the real app."""
    window.session = Session(window, enabled, folder)
    return window.session
