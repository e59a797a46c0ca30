"""Planner behaviour: recommendation logic, scale range, monotone costs, shipped scenarios."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.present.plan_json import plan_to_json
from ttcplanner.present.reasons import headline, reason_texts

CATALOG = load_catalog(include_user=False)
SCENARIOS = sorted(scenarios_dir().glob("*.json"))


def test_ships_the_required_example_scenarios():
    names = {p.stem for p in SCENARIOS}
    assert {
        "chat-assistant-low-volume",
        "maths-tutor-high-volume",
        "coding-agent-verifier",
        "on-premises-only",
        "reasoning-frontier-production",
        "reasoning-frontier-unrestricted",
    } <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_plan(path: Path):
    plan = evaluate(sc.load(path), CATALOG)
    assert plan.recommended is not None, headline(plan)
    data = plan_to_json(plan)
    assert data["recommendation"]["monthly_cost_usd"] > 0
    assert set(data["best_per_kind"]) == {"api", "gpu", "asic"}


def test_on_premises_only_recommends_gpus():
    plan = evaluate(sc.load(scenarios_dir() / "on-premises-only.json"), CATALOG)
    assert plan.options.kind[plan.recommended] == "gpu"
    assert plan.best_per_kind["api"] is None and plan.best_per_kind["asic"] is None


def test_recommendation_is_cheapest_eligible():
    plan = evaluate(sc.Scenario(task_id="maths-olympiad", target_accuracy_pct=60, requests_per_day=50_000), CATALOG)
    r = plan.results
    assert r.eligible[plan.recommended]
    assert r.monthly_usd[plan.recommended] == pytest.approx(np.min(r.monthly_usd[r.eligible]))
    for kind, i in plan.best_per_kind.items():
        if i is not None:
            assert plan.options.kind[i] == kind and r.eligible[i]


def test_unreachable_target_reports_target_missed():
    plan = evaluate(sc.Scenario(task_id="expert-qa", target_accuracy_pct=99.5), CATALOG)
    assert plan.status == "target_missed"
    assert "No option reaches" in reason_texts(plan)[0]


def test_unknown_ids_raise_input_error():
    with pytest.raises(InputError, match="task"):
        evaluate(sc.Scenario(task_id="no-such-task"), CATALOG)
    with pytest.raises(InputError, match="GPU"):
        evaluate(sc.Scenario(hardware="no-such-gpu"), CATALOG)


def test_volume_curves_never_decrease():
    plan = evaluate(sc.Scenario(task_id="maths-olympiad", target_accuracy_pct=60), CATALOG)
    for kind, curve in plan.volume_monthly_usd.items():
        finite = curve[np.isfinite(curve)]
        assert np.all(np.diff(finite) >= -1e-6), kind


def test_break_even_lies_between_kinds():
    plan = evaluate(sc.load(scenarios_dir() / "maths-tutor-high-volume.json"), CATALOG)
    for b in plan.break_evens:
        assert 1 <= b.requests_per_day <= 1e9 and b.below != b.above


SCALE = st.fixed_dictionaries(
    {
        "requests_per_day": st.floats(1, 1e9),
        "reasoning_tokens": st.sampled_from([0.0, 1.0, 100.0, 4000.0, 65_000.0, 1e6]),
        "samples": st.sampled_from([1, 2, 8, 64, 1024]),
        "task_id": st.sampled_from(sorted(CATALOG.tasks)),
        "aggregation": st.sampled_from(["majority", "verifier", "scorer"]),
        "latency_target_s": st.sampled_from([1.0, 60.0, 3600.0, 86_400.0]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCALE)
def test_any_scale_gives_finite_non_negative_results(changes):
    plan = evaluate(sc.Scenario().replace(**changes), CATALOG)
    r = plan.results
    for name in ("cost_per_request_usd", "monthly_usd"):
        values = getattr(r, name)
        assert not np.any(np.isnan(values[r.fits])), name
        assert np.all(values[np.isfinite(values)] >= 0), name
    acc = r.accuracy_pct[r.has_accuracy]
    assert np.all((acc >= 0) & (acc <= 100))
    assert np.all(r.low_pct[r.has_accuracy] <= acc + 1e-9) and np.all(acc <= r.high_pct[r.has_accuracy] + 1e-9)
    costed = r.fits & (plan.options.kind == "gpu") & np.isfinite(r.monthly_usd)
    assert np.all(r.replicas[costed] >= 1)


@settings(max_examples=15, deadline=None)
@given(st.floats(1, 1e8), st.floats(1.01, 10))
def test_cost_never_decreases_with_volume(volume, factor):
    base = sc.Scenario(task_id="maths-olympiad", target_accuracy_pct=50)
    low = evaluate(base.replace(requests_per_day=volume), CATALOG).results.monthly_usd
    high = evaluate(base.replace(requests_per_day=min(volume * factor, 1e9)), CATALOG).results.monthly_usd
    finite = np.isfinite(low) & np.isfinite(high)
    assert np.all(high[finite] >= low[finite] - 1e-6)


def test_fleet_scale_tens_of_thousands_of_gpus():
    s = sc.Scenario(
        task_id="maths-olympiad",
        target_accuracy_pct=50,
        requests_per_day=1e9,
        reasoning_tokens=16_000,
        on_prem_only=True,
        hardware="h100-sxm",
        budget_mode="fixed",
    )  # 16k tokens per request, as priced
    plan = evaluate(s, CATALOG)
    assert plan.recommended is not None
    assert plan.results.gpus_total[plan.recommended] >= 10_000
