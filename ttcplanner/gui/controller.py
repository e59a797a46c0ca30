"""The one source of truth: the current Scenario, its Plan, and the undo history.

Widgets never change state directly. They call ``request`` with the fields they want changed; requests
pile up until a zero-delay single-shot timer fires, so a burst of slider moves (everything Qt delivered
while the previous recompute was running) becomes one ``Scenario.replace`` and one ``evaluate``: the last
value wins and the event loop never queues stale work. Each committed change is one undo command;
consecutive changes while a slider is dragged merge into one.

A step's plan leaves out fixed mode's cheaper-budget hint (a whole budget search, a third of a fixed-mode step):
it is searched once the controls rest for HINT_DELAY_MS, or at once when anyone reads ``plan`` (an export, a
test), and then shown like any plan.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ttcplanner.model.catalog import Catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.planner import Plan, evaluate
from ttcplanner.model.scenario import Scenario

_MERGE_IDS: dict[str, int] = {}
HINT_DELAY_MS = 250  # rest before fixed mode's cheaper-budget hint is searched
UNDO_LIMIT = 1000  # steps kept; a slider drag is one step, so this is hours of editing in bounded memory


def _merge_id(key: str) -> int:
    return _MERGE_IDS.setdefault(key, 1000 + len(_MERGE_IDS))


class _ScenarioCommand(QUndoCommand):
    def __init__(self, controller: "Controller", before: Scenario, after: Scenario, key: str, mergeable: bool):
        super().__init__(f"change {key.replace('_', ' ')}")
        self._controller, self.before, self.after = controller, before, after
        self._key, self._open = key, mergeable

    def id(self) -> int:  # noqa: A003 - Qt API
        return _merge_id(self._key) if self._open else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, _ScenarioCommand) or other._key != self._key or not self._open:
            return False
        self.after = other.after
        self._open = other._open
        return True

    def close(self) -> None:
        self._open = False

    def redo(self) -> None:
        self._controller._apply(self.after)

    def undo(self) -> None:
        self._controller._apply(self.before)


class Controller(QObject):
    """Owns scenario + plan. ``planChanged`` carries each new Plan; ``failed`` a message for the status bar."""

    planChanged = Signal(object)
    scenarioChanged = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        catalog: Catalog,
        scenario: Scenario,
        plan: Plan | None = None,
        evaluate_ms: float = 0.0,
        parent: QObject | None = None,
    ):
        """``plan``, ``evaluate_ms``: the scenario's plan and its compute time if the caller has them (start-up)."""
        super().__init__(parent)
        self.catalog = catalog
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._pending: dict = {}
        self._pending_key = ""
        self._pending_dragging = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(HINT_DELAY_MS)
        self._hint_timer.timeout.connect(self._complete)
        self._hint_due = False  # the plan lacks fixed mode's hint, which is searched when the controls rest
        self.evaluate_count = 0  # how many recomputes ran (tests check bursts are coalesced)
        self.last_evaluate_ms = 0.0
        self.scenario = scenario
        if plan is None:
            plan = self._evaluate(scenario)
        else:
            self.evaluate_count, self.last_evaluate_ms = 1, evaluate_ms
        self._plan: Plan = plan

    @property
    def plan(self) -> Plan:
        """The current plan, complete: a hint a slider step left for later is searched now."""
        self._complete()
        return self._plan

    @property
    def pending(self) -> bool:
        """A requested change not applied yet (the coalescing timer has not fired)."""
        return bool(self._pending) or self._timer.isActive()

    # -- requests from widgets ------------------------------------------------------------------
    def request(self, key: str, changes: dict, dragging: bool = False) -> None:
        """Queue a change; the timer applies the latest values once control returns to the event loop."""
        if self._pending and key != self._pending_key:
            self.flush()  # a different control: keep the two as separate undo steps
        self._pending.update(changes)
        self._pending_key, self._pending_dragging = key, dragging
        self._timer.start()

    def end_drag(self) -> None:
        """A slider was released: the next change of the same control is a new undo step."""
        self.flush()
        cmd = self.undo_stack.command(self.undo_stack.index() - 1)
        if isinstance(cmd, _ScenarioCommand):
            cmd.close()

    def flush(self) -> None:
        self._timer.stop()
        if not self._pending:
            return
        changes, key, dragging = self._pending, self._pending_key, self._pending_dragging
        self._pending = {}
        try:
            after = self.scenario.replace(**changes)
        except InputError as exc:
            self.failed.emit(str(exc))
            self.scenarioChanged.emit(self.scenario)  # widgets snap back to the valid state
            return
        if after == self.scenario:
            return
        self.undo_stack.push(_ScenarioCommand(self, self.scenario, after, key, dragging))

    def set_scenario(self, scenario: Scenario, text: str = "replace scenario") -> None:
        """A whole new scenario (File > New / Open) as one undo step."""
        self._pending = {}
        self._timer.stop()
        if scenario != self.scenario:
            cmd = _ScenarioCommand(self, self.scenario, scenario, "scenario", False)
            cmd.setText(text)
            self.undo_stack.push(cmd)

    def reset(self, scenario: Scenario) -> None:
        """Start over with ``scenario`` and an empty history (a file was opened)."""
        self._pending = {}
        self._timer.stop()
        self.undo_stack.clear()
        self._apply(scenario)
        self.undo_stack.setClean()

    def set_catalog(self, catalog: Catalog) -> None:
        """Plan the current scenario with a new catalog (prices edited, imported or calibrated); history is kept.

        Raises InputError (and changes nothing) when the scenario cannot be planned with ``catalog``.
        """
        self.flush()
        plan = evaluate(self.scenario, catalog)
        self._hint_timer.stop()
        self.catalog, self._plan, self._hint_due = catalog, plan, False
        self.planChanged.emit(plan)

    # -- applying -------------------------------------------------------------------------------
    def _evaluate(self, scenario: Scenario, hint: bool = True) -> Plan:
        start = time.perf_counter()
        plan = evaluate(scenario, self.catalog, hint=hint)
        self.last_evaluate_ms = (time.perf_counter() - start) * 1000
        self.evaluate_count += 1
        return plan

    def _apply(self, scenario: Scenario) -> None:
        try:
            plan = self._evaluate(scenario, hint=False)
        except InputError as exc:
            self.failed.emit(str(exc))
            self.scenarioChanged.emit(self.scenario)
            return
        self.scenario, self._plan = scenario, plan
        self._hint_due = scenario.budget_mode == "fixed"
        if self._hint_due:
            self._hint_timer.start()
        self.scenarioChanged.emit(scenario)
        self.planChanged.emit(plan)

    def _complete(self) -> None:
        """Search the hint a step left out (the rest of the plan is memoised) and show it if there is one."""
        self._hint_timer.stop()
        if not self._hint_due:
            return
        self._hint_due = False
        try:
            self._plan = evaluate(self.scenario, self.catalog)
        except InputError:  # the same inputs just planned without it: keep that plan
            return
        if self._plan.budget_hint is not None:
            self.planChanged.emit(self._plan)
