"""The card's budget controls (issue 16): auto/fixed switch, fixed mode's cheaper budget, undo."""

from __future__ import annotations

from gui_helpers import change_and_wait
from PySide6.QtWidgets import QApplication

from ttcplanner.model import scenario as sc
from ttcplanner.paths import scenarios_dir


def test_use_this_budget_switches_to_the_cheaper_budget_and_undo_restores(qtbot, make_window):
    fixed = sc.load(scenarios_dir() / "coding-agent-verifier.json").replace(budget_mode="fixed")
    window = make_window(fixed)
    card = window.card
    hint = window.plan.budget_hint
    assert hint is not None and hint.saving >= 0.2
    assert "Cheaper budget within these caps" in card.text() and card.use_hint.width() > 0
    before_monthly = window.plan.results.monthly_usd[window.plan.recommended]
    change_and_wait(qtbot, window, card.use_hint.click)
    s, plan = window.scenario, window.plan
    assert (s.budget_mode, s.reasoning_tokens, s.samples) == ("fixed", hint.reasoning_tokens, hint.samples)
    assert plan.results.monthly_usd[plan.recommended] <= hint.monthly_usd * 1.001 < before_monthly
    change_and_wait(qtbot, window, window.action_undo.trigger)
    assert window.scenario == fixed  # one undo step back to the fixed budget


def test_the_switch_sets_the_mode_and_follows_the_scenario(qtbot, make_window):
    window = make_window(sc.Scenario())
    card = window.card
    assert window.scenario.budget_mode == "auto" and card.auto_budget.isChecked()
    assert card.budget.value_text and "auto" in card.budget.detail_text
    change_and_wait(qtbot, window, lambda: card.auto_budget.setChecked(False))
    assert window.scenario.budget_mode == "fixed" and "fixed" in card.budget.detail_text
    change_and_wait(qtbot, window, window.action_undo.trigger)
    assert window.scenario.budget_mode == "auto" and card.auto_budget.isChecked()  # the box follows the undo
    QApplication.processEvents()


def test_a_step_shows_its_plan_at_once_and_the_hint_when_the_controls_rest(qtbot, make_window):
    """The cheaper-budget hint is a whole budget search: a slider step leaves it out, and it appears once the
    controls rest (or as soon as anyone reads the plan), the same hint a full evaluation gives."""
    from ttcplanner.gui.controller import HINT_DELAY_MS
    from ttcplanner.model.planner import evaluate

    fixed = sc.load(scenarios_dir() / "coding-agent-verifier.json").replace(budget_mode="fixed")
    window = make_window(fixed)
    card = window.card
    shown = []
    window.controller.planChanged.connect(shown.append)
    change_and_wait(qtbot, window, lambda: window.controller.request("samples", {"samples": fixed.samples + 1}))
    assert shown[-1].budget_hint is None and "Cheaper budget within these caps" not in card.text()
    with qtbot.waitSignal(window.controller.planChanged, timeout=HINT_DELAY_MS + 5000) as rested:
        pass
    expected = evaluate(window.scenario, window.catalog).budget_hint
    assert expected is not None and rested.args[0].budget_hint == expected
    assert "Cheaper budget within these caps" in card.text()
    change_and_wait(qtbot, window, lambda: window.controller.request("samples", {"samples": fixed.samples}))
    assert window.plan.budget_hint is not None  # read before the rest: searched now
    assert "Cheaper budget within these caps" in card.text()
