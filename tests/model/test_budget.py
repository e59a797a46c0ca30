"""The budget search (issue 16): auto mode buys each option at its cheapest budget within the caps.

The brute-force test prices many fixed budgets within each shipped scenario's caps with the planner's own
fixed mode and checks that auto mode is never more than 2% dearer, and meets the targets whenever any fixed
budget does."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from ttcplanner.model import scenario as sc
from ttcplanner.model.budget import (
    describe,
    level_for_budget,
    reachable_levels,
    samples_candidates,
)
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.planner import HINT_SAVING, evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.present.plan_json import plan_to_json

CATALOG = load_catalog()
SHIPPED = sorted(scenarios_dir().glob("*.json"))


def _fixed_budgets_within(s: sc.Scenario):
    """Fixed budgets a user could try within the caps: tokens spread log-evenly from 100 to the cap (plus 0,
    round values and the cap), samples 1..8 and the cap."""
    cap_t, cap_n = s.reasoning_tokens, s.samples
    tokens = np.unique(
        np.concatenate(
            [[0.0, cap_t], np.geomspace(100, max(cap_t, 100), 23), [500, 1000, 2000, 4000, 8000, 16000, 32000]]
        )
    )
    tokens = tokens[tokens <= cap_t]
    samples = sorted({n for n in range(1, 9) if n <= cap_n} | {cap_n})
    return [(float(t), n) for t in tokens for n in samples]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_auto_is_at_most_2_percent_dearer_than_any_fixed_budget_within_the_caps(path: Path):
    s = sc.load(path)
    auto = evaluate(s.replace(budget_mode="auto"), CATALOG)
    cheapest, where = np.inf, None
    for tokens, samples in _fixed_budgets_within(s):
        plan = evaluate(s.replace(budget_mode="fixed", reasoning_tokens=tokens, samples=samples), CATALOG)
        if plan.status == "ok" and plan.results.monthly_usd[plan.recommended] < cheapest:
            cheapest, where = plan.results.monthly_usd[plan.recommended], (tokens, samples)
    if where is None:
        return  # no fixed budget meets the targets: nothing to beat
    assert auto.status == "ok", f"fixed {where} meets the targets at ${cheapest:,.0f}/month; auto: {auto.status}"
    rec = auto.recommended
    assert auto.results.monthly_usd[rec] <= cheapest * 1.02, (where, cheapest, auto.results.monthly_usd[rec])
    assert auto.results.samples[rec] <= s.samples
    # within the caps: no more tokens than a fixed budget at the caps buys this option (the cap itself, or for a
    # model bought by effort level the lowest level whose tokens reach the cap)
    at_caps = evaluate(s.replace(budget_mode="fixed"), CATALOG)
    assert auto.results.reasoning_tokens[rec] <= max(s.reasoning_tokens, at_caps.results.reasoning_tokens[rec])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("mode", ["auto", "fixed"])
def test_recommended_star_lies_on_the_frontier(path: Path, mode: str):
    plan = evaluate(sc.load(path).replace(budget_mode=mode), CATALOG)
    if plan.recommended is None:
        return
    r, i = plan.results, plan.recommended
    fa, fc, _ = plan.frontier
    star_a, star_c = r.accuracy_pct[i], r.cost_per_request_usd[i]
    assert np.any(np.isclose(fa, star_a, rtol=1e-12) & np.isclose(fc, star_c, rtol=1e-12)), "star not a frontier point"
    dominated = (fa >= star_a) & (fc <= star_c) & ((fa > star_a + 1e-9) | (fc < star_c * (1 - 1e-12)))
    assert not dominated.any()
    assert len(plan.frontier_extrapolated) == len(fa) and len(plan.frontier_budget[0]) == len(fa)


def test_frontier_points_meet_latency_and_on_premises_rule():
    s = sc.load(scenarios_dir() / "on-premises-only.json").replace(budget_mode="auto")
    plan = evaluate(s, CATALOG)
    _, _, fo = plan.frontier
    assert fo and all(plan.options.kind[i] == "gpu" for i in fo)
    s = sc.load(scenarios_dir() / "chat-assistant-low-volume.json").replace(budget_mode="auto", latency_target_s=5)
    plan = evaluate(s, CATALOG)
    r = plan.results
    # every frontier point's option serves its budget within 5 s (the latency test of the search)
    for i, t in zip(plan.frontier[2], plan.frontier_budget[0], strict=False):
        if plan.options.kind[i] != "gpu":
            assert plan.options.ttft_s[i] + (t + s.answer_tokens) / plan.options.tokens_per_s_per_user[i] <= 5 * (
                1 + 1e-9
            )
    assert r.meets_latency[plan.recommended]


def test_auto_buys_fewer_tokens_than_the_cap_when_they_reach_the_target():
    # a cap of 16k, not the scenario's 8k: the target needs about 7.9k there, so whether the tokens up to 8k come
    # free (the same replica count, spent by design) hangs on the serving model's last percent
    s = sc.load(scenarios_dir() / "maths-tutor-high-volume.json").replace(
        budget_mode="auto", on_prem_only=True, reasoning_tokens=16000
    )
    plan = evaluate(s, CATALOG)  # on premises: an open model on GPUs, whose reasoning budget is free
    r, i = plan.results, plan.recommended
    assert plan.status == "ok" and r.effort[i] is None and r.reasoning_tokens[i] < s.reasoning_tokens
    assert r.accuracy_pct[i] >= s.target_accuracy_pct
    # the cheapest budget: a little fewer tokens misses the target
    lower = evaluate(
        s.replace(budget_mode="fixed", reasoning_tokens=float(r.reasoning_tokens[i]) * 0.97, samples=int(r.samples[i])),
        CATALOG,
    )
    j = lower.options.label.index(plan.options.label[i])
    assert lower.results.accuracy_pct[j] < s.target_accuracy_pct


def test_every_option_in_the_json_carries_its_budget():
    s = sc.load(scenarios_dir() / "coding-agent-verifier.json")
    for mode in ("auto", "fixed"):
        data = plan_to_json(evaluate(s.replace(budget_mode=mode), CATALOG))
        options = [data["recommendation"]] + [o for o in data["best_per_kind"].values() if o is not None]
        for o in options:
            assert {"reasoning_tokens", "samples", "effort"} <= set(o)
            assert o["samples"] >= 1 and o["reasoning_tokens"] >= 0
        if mode == "fixed":  # the budget itself, or the effort level it buys
            assert all(
                (o["effort"] is not None or o["reasoning_tokens"] == s.reasoning_tokens) and o["samples"] == s.samples
                for o in options
            )
        assert data["budget_mode"] == mode


def test_version_1_files_keep_their_fixed_meaning(tmp_path):
    raw = json.loads((scenarios_dir() / "coding-agent-verifier.json").read_text())
    raw["schema_version"] = 1
    raw.pop("budget_mode", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(raw))
    assert sc.load(path).budget_mode == "fixed"
    saved = tmp_path / "new.json"
    sc.save(sc.load(path), saved)
    assert json.loads(saved.read_text())["schema_version"] == 2 and sc.load(saved).budget_mode == "fixed"
    assert sc.Scenario().budget_mode == "auto"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"budget_mode": "cheapest"}, "budget_mode"),
        ({"reasoning_tokens": -1}, "reasoning_tokens"),
        ({"reasoning_tokens": 2e6}, "reasoning_tokens"),
        ({"samples": 0}, "samples"),
        ({"samples": 5000}, "samples"),
    ],
)
def test_bad_budget_mode_or_caps_name_the_field(change, field, tmp_path):
    raw = {"schema_version": 2, **change}
    with pytest.raises(InputError, match=f"scenario.{field}"):
        sc.from_dict(raw)
    with pytest.raises(InputError, match=f"scenario.{field}"):
        sc.Scenario().replace(**change)


def test_shipped_scenarios_are_version_2():
    for path in SHIPPED:
        raw = json.loads(path.read_text())
        assert raw["schema_version"] == 2 and raw["budget_mode"] in ("auto", "fixed")


# ---------------------------------------------------------------- effort levels


def _with_effort_levels(levels: dict):
    """The shipped catalog with gpt-5-mini's ARC-AGI curve bought at the given effort levels."""
    task = CATALOG.tasks["abstract-reasoning"]
    acc_id = CATALOG.api_offers["gpt-5-mini"].accuracy_id
    assert acc_id in task.curves
    curve = dataclasses.replace(task.curves[acc_id], effort_tokens=levels)
    task = dataclasses.replace(task, curves={**task.curves, acc_id: curve})
    offer = dataclasses.replace(CATALOG.api_offers["gpt-5-mini"], effort_levels=list(levels))
    return dataclasses.replace(
        CATALOG, tasks={**CATALOG.tasks, task.id: task}, api_offers={**CATALOG.api_offers, offer.id: offer}
    )


def test_effort_level_models_are_bought_at_their_levels_only():
    levels = {"low": 1500.0, "medium": 5000.0, "high": 14000.0}
    catalog = _with_effort_levels(levels)
    s = sc.Scenario(
        task_id="abstract-reasoning",
        target_accuracy_pct=20,
        reasoning_tokens=32000,
        samples=4,
        budget_mode="auto",
        latency_target_s=3600,
    )
    plan = evaluate(s, catalog)
    i = plan.options.entry_id.index("gpt-5-mini")
    r = plan.results
    assert r.effort[i] == "medium" and r.reasoning_tokens[i] == levels["medium"] and r.eligible[i]
    # fixed: the lowest level whose tokens reach the budget, or the highest
    for budget, level in ((1000, "low"), (1500, "low"), (4000, "medium"), (20000, "high")):
        fixed = evaluate(s.replace(budget_mode="fixed", reasoning_tokens=budget), catalog)
        assert fixed.results.effort[i] == level and fixed.results.reasoning_tokens[i] == levels[level]
        assert fixed.results.reasoning_tokens[0 if i else 1] == budget or fixed.results.effort[0 if i else 1]


def test_effort_level_search_is_the_cheapest_level_a_fixed_budget_could_buy():
    levels = {"low": 1500.0, "medium": 5000.0, "high": 14000.0}
    catalog = _with_effort_levels(levels)
    base = sc.Scenario(task_id="abstract-reasoning", reasoning_tokens=3000, samples=2, latency_target_s=3600)
    i = evaluate(base, catalog).options.entry_id.index("gpt-5-mini")
    for target in (5, 12, 15, 20, 30):  # gpt-5-mini: 12.5% at low, 22% at medium, 34% at high
        s = base.replace(target_accuracy_pct=target)
        auto = evaluate(s.replace(budget_mode="auto"), catalog).results
        fixed = [
            evaluate(s.replace(budget_mode="fixed", reasoning_tokens=t, samples=n), catalog).results
            for t in (0, 1500, 3000)
            for n in (1, 2)
        ]
        feasible = [f.monthly_usd[i] for f in fixed if f.eligible[i]]
        assert auto.eligible[i] == bool(feasible)
        if feasible:
            assert auto.monthly_usd[i] <= min(feasible) * (1 + 1e-9)
            assert auto.reasoning_tokens[i] in (1500.0, 5000.0)  # a cap of 3000 can still buy medium


def test_level_helpers():
    levels = (("low", 1000.0), ("medium", 4000.0), ("high", 9000.0))
    assert reachable_levels(levels, 500) == levels[:1]
    assert reachable_levels(levels, 4000) == levels[:2]
    assert reachable_levels(levels, 5000) == levels
    assert level_for_budget(levels, 0) == levels[0] and level_for_budget(levels, 9001) == levels[2]
    assert list(samples_candidates(1)) == [1.0]
    assert samples_candidates(1000)[-1] == 1000 and 8 in samples_candidates(1000)
    assert describe(0, 1, "high", "majority") == "high effort, 1 sample"
    assert describe(8000, 4, None, "majority") == "8k tokens x 4 samples, majority vote"


# ---------------------------------------------------------------- fixed mode's hint


def test_fixed_mode_names_a_much_cheaper_budget_within_its_caps():
    s = sc.load(scenarios_dir() / "coding-agent-verifier.json").replace(budget_mode="fixed")
    plan = evaluate(s, CATALOG)
    hint = plan.budget_hint
    assert hint is not None and hint.saving >= HINT_SAVING
    assert hint.reasoning_tokens <= s.reasoning_tokens and hint.samples <= s.samples
    switched = evaluate(s.replace(reasoning_tokens=hint.reasoning_tokens, samples=hint.samples), CATALOG)
    assert switched.status == "ok"
    assert switched.results.monthly_usd[switched.recommended] <= hint.monthly_usd * 1.001
    assert evaluate(s.replace(budget_mode="auto"), CATALOG).budget_hint is None


def test_no_hint_when_the_fixed_budget_is_already_cheapest():
    s = sc.load(scenarios_dir() / "maths-tutor-high-volume.json").replace(budget_mode="fixed")
    auto = evaluate(s.replace(budget_mode="auto"), CATALOG)
    i = auto.recommended
    tokens = float(auto.results.reasoning_tokens[i])  # an effort level's own tokens buy exactly that level
    at_best = s.replace(
        reasoning_tokens=tokens if auto.results.effort[i] else float(np.ceil(tokens)),
        samples=int(auto.results.samples[i]),
    )
    assert evaluate(at_best, CATALOG).budget_hint is None


def test_thinking_budgets_are_free_not_effort_levels():
    catalog = _with_effort_levels({"thinking 1K": 1200.0, "thinking 8K": 5000.0, "low": 1500.0})
    s = sc.Scenario(
        task_id="abstract-reasoning",
        target_accuracy_pct=12,
        reasoning_tokens=32000,
        samples=1,
        budget_mode="auto",
        latency_target_s=3600,
    )
    plan = evaluate(s, catalog)
    i = plan.options.entry_id.index("gpt-5-mini")
    assert plan.results.effort[i] == "low"  # the only effort level; the thinking budgets are not levels
    only_thinking = _with_effort_levels({"thinking 1K": 1200.0, "thinking 8K": 5000.0})
    plan = evaluate(s, only_thinking)
    assert plan.results.effort[i] is None  # free: any token count
