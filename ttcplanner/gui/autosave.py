"""Nothing lost: autosave, crash recovery and "save changes?" on quit.

Engineers keep a scenario open for hours; a crash, a killed session or a closed laptop must not cost them
their work. While the window runs, the current scenario is written (atomically) to ``autosave.json`` in the
app data folder at most AUTOSAVE_DELAY_MS after a change (and at once when the window loses focus), next
to a session lock (QLockFile: pid, process name, host). A clean quit removes both.

Each window takes its own slot (``session-2.lock`` / ``autosave-2.json`` for the second, ...), so windows
sharing a data folder never overwrite each other. At the next start every slot whose owner died holds an
orphaned autosave: the new window's own slot is restored without asking (marked modified), every other
one is moved to a ``recovered-<time>-<pid>-<slot>.json`` copy and offered (Open in new windows / Later);
the status bar says at what time the restored state was saved. Recovered copies have unique names, so
two starts in the same second never overwrite each other's copy.

Only app.run (``MainWindow(..., autosave=True)``) turns this on; test windows stay off the disk.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QLockFile, QObject, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import read_input_bytes, read_json, write_bytes_atomic, write_json_atomic
from ttcplanner.model.planner import evaluate

AUTOSAVE_DELAY_MS = 400  # a change is on disk within half a second; a burst of changes is one write
MAX_SLOTS = 16  # concurrent windows sharing one app data folder
RESTORED_MESSAGE = "Restored your unsaved scenario from a session that ended unexpectedly"


def data_folder() -> Path:
    """The per-user app data folder (XDG_DATA_HOME/... on Linux, %APPDATA% on Windows)."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def _slot_names(slot: int) -> tuple[str, str, str]:
    suffix = "" if slot == 1 else f"-{slot}"
    return f"session{suffix}.lock", f"autosave{suffix}.json", f"autosave{suffix}.meta.json"


def probe_writable(folder: Path) -> None:
    """Create and remove a file in ``folder``; raises OSError (e.g. PermissionError) when that fails."""
    fd, tmp = tempfile.mkstemp(prefix=".ttc-probe", dir=folder)
    os.close(fd)
    os.unlink(tmp)


def saved_at_text(path: Path) -> str:
    """When ``path`` was last written, as local time ('14:02:07 on 2026-12-05')."""
    stamp = dt.datetime.fromtimestamp(os.stat(path).st_mtime)
    return f"{stamp:%H:%M:%S} on {stamp:%Y-%m-%d}"


@dataclass(frozen=True)
class Orphan:
    """An autosave left by a window that died: kept as ``copy``; ``saved_at`` is when it was written."""

    copy: Path
    saved_at: str
    source: Path | None  # the scenario file that window had open, if any


class Session(QObject):
    """The window's session: ``enabled`` False means no files are touched and quitting never asks."""

    def __init__(self, window, enabled: bool, folder: Path | None = None):
        super().__init__(window)
        self.window = window
        self.enabled = enabled
        self.folder: Path | None = None
        self.autosave_path: Path | None = None
        self.restored_from: Path | None = None  # the recovered copy, when a crashed session was restored
        self.restored_saved_at: str | None = None  # when the restored state had been autosaved
        self.offered: list[Orphan] = []  # other dead windows' autosaves, offered at start
        self.recovered_windows: list = []  # windows opened from offered autosaves (kept alive here)
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
            probe_writable(folder)
        except OSError as exc:
            self._off(folder, exc)
            return
        own_slot = self._take_slot(folder)
        if own_slot is None:
            return
        if self.autosave_path.is_file():  # a clean quit removes it: its window ended unexpectedly
            self._restore()
        self.offered = self._adopt_orphans(folder, own_slot)
        controller = self.window.controller
        controller.scenarioChanged.connect(self.schedule)
        controller.undo_stack.cleanChanged.connect(self.schedule)
        self.window.installEventFilter(self)  # focus loss writes a pending change at once
        app = QApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._on_app_state)
        self.write_now()
        if self.offered:
            self._offer()

    def _off(self, folder: Path, exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        hint = " (the folder is read-only or belongs to another user)" if isinstance(exc, PermissionError) else ""
        self._say(f"Autosave is off: cannot write in {folder}: {reason}{hint}")
        self.enabled = False

    def _take_slot(self, folder: Path) -> int | None:
        for slot in range(1, MAX_SLOTS + 1):
            lock_name, autosave_name, meta_name = _slot_names(slot)
            lock = QLockFile(str(folder / lock_name))
            lock.setStaleLockTime(0)  # a long session is not stale; only a dead owner makes it so
            if lock.tryLock(0):  # removes a lock whose process is gone, then takes it
                self._lock = lock
                self.folder, self.autosave_path, self._meta_path = folder, folder / autosave_name, folder / meta_name
                return slot
            if lock.error() == QLockFile.LockError.PermissionError:
                self._off(folder, PermissionError(13, f"no permission to create {lock_name}"))
                return None
        self._say(f"Autosave is off: {MAX_SLOTS} other ttcplanner windows hold the session files in {folder}")
        self.enabled = False
        return None

    def _recovered_name(self, slot: int) -> Path:
        """A name no other start can pick: time, this process's id and the slot, plus a counter."""
        base = f"recovered-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}-{slot}"
        n = 0
        while True:
            path = self.folder / (f"{base}.json" if n == 0 else f"{base}-{n}.json")
            if not os.path.lexists(path):
                return path
            n += 1

    def _keep_copy(self, autosave: Path, slot: int) -> Path:
        keep = self._recovered_name(slot)
        try:
            write_bytes_atomic(keep, read_input_bytes(autosave, "autosave"), "recovered copy")
        except InputError:
            return autosave
        return keep

    def _restore(self) -> None:
        """Bring back this slot's crashed scenario, keep a uniquely named copy, say so with its time."""
        path = self.autosave_path
        slot = self._slot_of(path)
        try:
            saved_at = saved_at_text(path)
        except OSError:
            saved_at = "an unknown time"
        keep = self._keep_copy(path, slot)
        try:
            s = scenario_io.load(path)
            evaluate(s, self.window.catalog)  # ids the current catalog lacks fail here, not in the window
        except InputError as exc:
            self._say(
                f"Could not restore the scenario of a session that ended unexpectedly ({exc}); it is kept at {keep}"
            )
            return
        self.window.show_recovered(s, self._read_source_path(self._meta_path))
        self.restored_from, self.restored_saved_at = keep, saved_at
        self._say(f"{RESTORED_MESSAGE}, as it was at {saved_at} (a copy is kept at {keep.name})")

    @staticmethod
    def _slot_of(path: Path) -> int:
        stem = path.name.split(".")[0]  # autosave / autosave-3
        return int(stem.rsplit("-", 1)[1]) if "-" in stem else 1

    def _adopt_orphans(self, folder: Path, own_slot: int) -> list[Orphan]:
        """Every other slot whose owner is gone and left an autosave: move it to a recovered copy."""
        found = []
        for slot in range(1, MAX_SLOTS + 1):
            if slot == own_slot:
                continue
            lock_name, autosave_name, meta_name = _slot_names(slot)
            autosave = folder / autosave_name
            if not autosave.is_file():
                continue
            lock = QLockFile(str(folder / lock_name))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):  # a live window owns it
                continue
            try:
                try:
                    saved_at = saved_at_text(autosave)
                except OSError:
                    saved_at = "an unknown time"
                source = self._read_source_path(folder / meta_name)
                keep = self._keep_copy(autosave, slot)
                if keep != autosave:
                    for p in (autosave, folder / meta_name):
                        try:
                            p.unlink(missing_ok=True)
                        except OSError:
                            pass
                found.append(Orphan(keep, saved_at, source))
            finally:
                lock.unlock()
        return found

    def _offer(self) -> None:
        """A non-blocking question: open each orphaned autosave in its own window, or keep the copies."""
        lines = "\n".join(f"• saved at {o.saved_at}: {o.copy.name}" for o in self.offered)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved scenarios from other windows",
            f"{len(self.offered)} other window(s) ended unexpectedly with unsaved scenarios. "
            f"They are kept in {self.folder}:\n{lines}\n\nOpen them now, each in its own window?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
            self.window,
        )
        box.setObjectName("orphanedAutosavesDialog")
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        box.button(QMessageBox.StandardButton.Close).setText("Later")
        box.accepted.connect(self.open_offered)
        box.finished.connect(box.deleteLater)
        box.open()

    def open_offered(self) -> list:
        """Open every offered autosave in a new window (marked modified); returns the windows."""
        opened = []
        for orphan in self.offered:
            try:
                s = scenario_io.load(orphan.copy)
                evaluate(s, self.window.catalog)
            except InputError as exc:
                self._say(f"Could not open the unsaved scenario kept at {orphan.copy} ({exc})")
                continue
            w = type(self.window)(
                catalog=self.window.catalog, settings=getattr(self.window, "settings", None), autosave=self.enabled
            )
            w.show_recovered(s, orphan.source)
            w.session._say(f"{RESTORED_MESSAGE}, as it was at {orphan.saved_at} (kept at {orphan.copy.name})")
            w.show()
            opened.append(w)
        self.recovered_windows.extend(opened)
        self.offered = []
        return opened

    @staticmethod
    def _read_source_path(meta_path: Path | None) -> Path | None:
        if meta_path is None:
            return None
        try:
            meta = read_json(meta_path, "autosave note")
            source = Path(meta["path"]) if isinstance(meta, dict) and isinstance(meta.get("path"), str) else None
            return source if source is not None and source.is_file() else None
        except (InputError, OSError, ValueError):
            return None

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text)

    # -- autosave ---------------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        """Write within AUTOSAVE_DELAY_MS of the first unsaved change (later changes ride along)."""
        if self.enabled and not self._timer.isActive():
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.WindowDeactivate and self.pending:
            self.write_now()
        return False

    def _on_app_state(self, state) -> None:
        if self.pending and state != Qt.ApplicationState.ApplicationActive:
            self.write_now()

    def write_now(self) -> bool:
        """Write the current scenario (and the file it belongs to) atomically; a failure is reported once."""
        self._timer.stop()
        if not self.enabled or self.autosave_path is None:
            return False
        path = self.window.current_path
        try:
            scenario_io.save(self.window.scenario, self.autosave_path)
            write_json_atomic(
                self._meta_path,
                {
                    "path": str(path.resolve()) if path else None,
                    "modified": not self.window.controller.undo_stack.isClean(),
                },
            )
        except (InputError, OSError) as exc:
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
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save the changes to “{self.window.scenario.name}” before quitting?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("unsavedChangesDialog")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        box.deleteLater()
        if answer == QMessageBox.StandardButton.Discard:
            return True
        if answer == QMessageBox.StandardButton.Save:
            self.window.save()  # current path, or Save As; a failed or cancelled save keeps the window open
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
