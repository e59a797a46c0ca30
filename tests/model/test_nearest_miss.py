"""Infeasible plans name, per target that blocks, the option that comes closest and its figure (issue 21 item 5)."""

import numpy as np
import pytest

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.plan_text import plan_text
from ttcplanner.present.plan_json import plan_to_json
from ttcplanner.present.reasons import nearest_miss_texts

CATALOG = load_catalog(include_user=False)


def _plan(stem: str, **changes):
    return evaluate(sc.load(scenarios_dir() / f"{stem}.json").replace(**changes), CATALOG)


@pytest.mark.parametrize("budget_mode", ["auto", "fixed"])
def test_a_plan_infeasible_by_latency_names_the_fastest_option_that_reaches_the_target(budget_mode):
    plan = _plan("chat-assistant-low-volume", latency_target_s=0.5, budget_mode=budget_mode)
    r = plan.results
    assert plan.status == "nothing_feasible"
    (miss,) = plan.nearest_misses
    assert miss.target == "latency" and miss.others_met and miss.needed == 0.5 and miss.unit == "s"
    reaches = r.meets_accuracy & r.fits & np.isfinite(r.monthly_usd) & r.allowed
    assert miss.best_value == pytest.approx(np.min(r.latency_s[reaches])) and miss.best_value > 0.5
    assert reaches[miss.option] and r.latency_s[miss.option] == miss.best_value
    # relaxing the latency target to the figure named makes the plan feasible
    relaxed = _plan(
        "chat-assistant-low-volume", latency_target_s=round(miss.best_value * 1.001, 3), budget_mode=budget_mode
    )
    assert relaxed.status == "ok"
    data = plan_to_json(plan)["nearest_misses"]
    assert data == [
        {
            "target": "latency",
            "needed": 0.5,
            "best_value": miss.best_value,
            "unit": "s",
            "option_id": plan.options.entry_id[miss.option],
            "option": plan.options.label[miss.option],
            "others_met": True,
        }
    ]
    (line,) = nearest_miss_texts(plan)
    assert line.startswith("Latency: the fastest option that reaches 65.0% accuracy takes ")
    assert "(target 500 ms; " + plan.options.label[miss.option] in line
    text = plan_text(plan)
    assert line in text
    assert "Why:" not in text  # no heading over an empty list: the nearest misses say why


def test_a_plan_infeasible_by_accuracy_names_the_most_accurate_option_within_the_latency_target():
    plan = _plan("chat-assistant-low-volume", target_accuracy_pct=99.0)
    r = plan.results
    assert plan.status == "target_missed"
    (miss,) = plan.nearest_misses
    assert miss.target == "accuracy" and miss.others_met and miss.needed == 99.0 and miss.unit == "%"
    within = r.meets_latency & r.fits & np.isfinite(r.monthly_usd) & r.allowed & r.has_accuracy
    assert miss.best_value == pytest.approx(np.max(r.accuracy_pct[within])) and miss.best_value < 99.0
    assert miss.option == plan.recommended  # the most accurate within the targets is what the plan shows
    relaxed = _plan("chat-assistant-low-volume", target_accuracy_pct=np.floor(miss.best_value * 10) / 10)
    assert relaxed.status == "ok"
    (line,) = nearest_miss_texts(plan)
    assert line == (
        f"Accuracy: the most accurate option within 30.0 s reaches {miss.best_value:.1f}% "
        f"(target 99.0%; {plan.options.label[miss.option]})."
    )


def test_when_two_targets_must_move_each_is_named_apart():
    plan = _plan("chat-assistant-low-volume", latency_target_s=0.5, target_accuracy_pct=99.0)
    assert plan.status == "nothing_feasible"
    assert [m.target for m in plan.nearest_misses] == ["accuracy", "latency"]
    assert not any(m.others_met for m in plan.nearest_misses)
    lines = nearest_miss_texts(plan)
    assert lines[0].startswith("More than one target must move")
    assert lines[1].startswith("Accuracy: the most accurate option at any latency reaches ")
    assert lines[2].startswith("Latency: the fastest option at any accuracy takes ")


def test_the_on_premises_rule_is_named_when_only_options_off_premises_meet_the_targets():
    base = sc.load(scenarios_dir() / "on-premises-only.json")
    plan = evaluate(base.replace(latency_target_s=8.0), CATALOG)
    assert plan.status == "nothing_feasible"
    by_target = {m.target: m for m in plan.nearest_misses}
    assert set(by_target) == {"latency", "on_premises"}
    m = by_target["on_premises"]
    assert not plan.results.allowed[m.option] and m.needed is None and m.unit == "USD/month"
    off_prem = evaluate(base.replace(latency_target_s=8.0, on_prem_only=False), CATALOG)
    assert off_prem.status == "ok" and off_prem.results.monthly_usd[off_prem.recommended] == pytest.approx(m.best_value)
    assert any(t.startswith("On-premises rule: ") for t in nearest_miss_texts(plan))


def test_a_feasible_plan_has_no_nearest_misses():
    plan = _plan("chat-assistant-low-volume")
    assert plan.status == "ok" and plan.nearest_misses == () and plan_to_json(plan)["nearest_misses"] == []
