"""Run one slow analysis at a time off the GUI thread, cancellable, newest request wins.

A ``Job`` wraps ``fn(progress, cancelled) -> result`` and runs on a private one-thread QThreadPool, so
a new job queues behind a cancelled one instead of racing it. Its signals live on a QObject created in
the GUI thread, so every emit from the worker is delivered there (queued). Each job has its own signal
object: a stale job's late signals can never reach the view that moved on. ``JobRunner.shutdown``
cancels and waits, so no worker outlives its window.

``Cancelled`` lets a function with no cancel hook of its own (``sensitivity.tornado``) stop early: its
progress callback raises it when the job is cancelled.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ttcplanner.model.errors import InputError


class Cancelled(Exception):
    """Raised inside a job's function (via its progress callback) to stop it early."""


class JobSignals(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # the result (also for a cancelled Monte Carlo: its partial result)
    cancelled = Signal(object)  # partial result or None
    failed = Signal(str)


class Job(QRunnable):
    def __init__(
        self,
        fn: Callable[[Callable[[int, int], None], Callable[[], bool]], Any],
        name: str = "job",
        stop_via_progress: bool = False,
    ):
        """stop_via_progress: ``fn`` has no cancel hook; its progress callback raises ``Cancelled`` instead."""
        super().__init__()
        self.stop_via_progress = stop_via_progress
        self.setAutoDelete(False)  # the runner keeps the Python object; Qt must not delete it under us
        self.fn = fn
        self.name = name
        self.signals = JobSignals()
        self._cancel = threading.Event()
        self.done = threading.Event()
        self.started = threading.Event()
        self.cancel_requested_at: float | None = None

    def cancel(self) -> None:
        if not self._cancel.is_set():
            self.cancel_requested_at = time.perf_counter()
            self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        self.signals.progress.emit(int(done), int(total))
        if self.stop_via_progress and self._cancel.is_set():
            raise Cancelled

    def _fail(self, message: str) -> None:
        """A cancelled job's failure is no news: the newer request it gave way to reports instead."""
        if self._cancel.is_set():
            self.signals.cancelled.emit(None)
        else:
            self.signals.failed.emit(message)

    def run(self) -> None:  # worker thread
        self.started.set()
        try:
            if self._cancel.is_set():
                self.signals.cancelled.emit(None)
                return
            result = self.fn(self._progress, self._cancel.is_set)
            if self._cancel.is_set() or getattr(result, "cancelled", False):
                self.signals.cancelled.emit(result)
            else:
                self.signals.finished.emit(result)
        except Cancelled:
            self.signals.cancelled.emit(None)
        except InputError as exc:
            self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - a worker must report, never kill the app
            traceback.print_exc()
            self._fail(f"{self.name} failed: {exc}")
        finally:
            self.done.set()


class JobRunner(QObject):
    """At most one running job; ``start`` cancels the previous one (newest request wins)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.current: Job | None = None
        self._jobs: list[Job] = []  # alive until their run() returns

    def start(self, job: Job) -> Job:
        self.cancel()
        self._jobs = [j for j in self._jobs if not j.done.is_set()]
        self._jobs.append(job)
        self.current = job
        self.pool.start(job)
        return job

    def running(self) -> bool:
        return self.current is not None and not self.current.done.is_set()

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel()

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Cancel everything and wait for the worker (Event.wait releases the GIL the worker needs)."""
        for job in self._jobs:
            job.cancel()
        deadline = time.perf_counter() + timeout_s
        for job in self._jobs:
            while not job.done.wait(0.01) and time.perf_counter() < deadline:
                if not job.started.is_set() and self.pool.tryTake(job):
                    job.done.set()  # never started: taken off the queue
        self.pool.waitForDone(int(max(deadline - time.perf_counter(), 0) * 1000))
