"""The executive summary's words: the budget per option (or the scenario's), alternatives, what flips it."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.format import money, requests
from ttcplanner.model.planner import BreakEven, evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.present.names import model_names
from ttcplanner.present.summary import (
    Budget,
    accuracy_basis,
    alternatives,
    budget_text,
    chosen_budget,
    flip_assumption,
    no_option_text,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module")
def plan(catalog):
    return evaluate(sc.load(scenarios_dir() / "maths-tutor-high-volume.json"), catalog)


@pytest.mark.parametrize("why, text", [
    ("none in the catalog", "The catalog has no ASIC cloud option"),
    ("excluded: on-premises only", "ASIC cloud is excluded: the scenario allows on-premises hardware only"),
    ("none reaches 75.0% (best 61.9%)", "No ASIC cloud option reaches 75.0% (the best reaches 61.9%)"),
    ("none meets the 5 s latency target at this accuracy",
     "No ASIC cloud option meets the 5 s latency target at this accuracy"),
    ("none fits in memory or has a price", "No ASIC cloud option fits in memory or has a price"),
    ("no published accuracy on Maths olympiad (AIME)",
     "No ASIC cloud option has a published accuracy on Maths olympiad (AIME)"),
])
def test_no_option_text_says_what_is_meant(why, text):
    assert no_option_text("asic", why) == text
    assert "none" not in text.lower()


def test_budget_falls_back_to_the_scenario(plan):
    i = plan.recommended
    b = chosen_budget(plan, i)
    assert (b.reasoning_tokens, b.samples) == (plan.scenario.reasoning_tokens, plan.scenario.samples)
    assert "reasoning tokens per sample" in budget_text(plan, i)


def test_budget_per_option_when_the_plan_carries_it(plan):
    n = len(plan.options.kind)
    results = SimpleNamespace(**{f.name: getattr(plan.results, f.name) for f in dataclasses.fields(plan.results)},
                              reasoning_tokens=np.full(n, 3000.0), samples=np.full(n, 5),
                              effort=np.array(["high"] * n, dtype=object))
    per_option = SimpleNamespace(**{f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)})
    per_option.results = results
    b = chosen_budget(per_option, plan.recommended)
    assert (b.reasoning_tokens, b.samples, b.effort) == (3000.0, 5, "high")
    assert "effort level high" in budget_text(per_option, plan.recommended)


def test_budget_for_the_whole_plan_when_the_plan_carries_one_value(plan):
    one = SimpleNamespace(**{f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)},
                          reasoning_tokens=12000.0, samples=3, effort="medium")
    assert chosen_budget(one, plan.recommended) == Budget(12000.0, 3, "medium")


def test_alternatives_are_the_best_of_each_other_kind_with_cost_and_reason(plan, catalog):
    alts = alternatives(plan, model_names(catalog))
    rec_kind = plan.options.kind[plan.recommended]
    assert [a.kind for a in alts] == [k for k in ("api", "gpu", "asic") if k != rec_kind]
    for a in alts:
        assert a.index == plan.best_per_kind[a.kind]
        assert plan.options.label[a.index] in a.text and money(plan.results.monthly_usd[a.index]) in a.text
        assert "Not chosen: it costs" in a.text


def test_flip_from_the_tornado_prefers_a_row_that_changes_the_kind(plan):
    row = dict(flips=True, flip_text="x1.3", flip_to="Some API offer", low_text="x0.5", high_text="x2", label="")
    tornado = SimpleNamespace(scenario=plan.scenario, rows=[
        SimpleNamespace(**{**row, "label": "Bigger swing, same kind", "flips_kind": False}),
        SimpleNamespace(**{**row, "label": "GPU rent", "flips_kind": True})])
    text = flip_assumption(plan, tornado)
    assert text.startswith("GPU rent: at x1.3") and "Some API offer" in text
    stale = SimpleNamespace(scenario=dataclasses.replace(plan.scenario, requests_per_day=5.0), rows=tornado.rows)
    assert "GPU rent" not in flip_assumption(plan, stale)  # a result for another scenario is not used


def test_flip_without_a_tornado_is_the_nearest_break_even(plan):
    (be,) = plan.break_evens  # GPUs win at 2M requests/day, the API below the break-even
    assert flip_assumption(plan).startswith(f"Volume: below {requests(be.requests_per_day)}/day")
    far = BreakEven(requests_per_day=10.0, below="gpu", above="api")
    near = BreakEven(requests_per_day=plan.scenario.requests_per_day * 2, below="gpu", above="api")
    moved = dataclasses.replace(plan, break_evens=(far, near))
    assert flip_assumption(moved).startswith("Volume: above")
    none = dataclasses.replace(plan, break_evens=())
    assert flip_assumption(none).startswith("Volume does not flip it")


def test_accuracy_basis_names_published_points_or_your_eval(plan):
    i = plan.recommended
    assert accuracy_basis(plan, i).startswith("curve fitted to 3 published results for ")
    acc_id = plan.options.accuracy_id[i]
    views = tuple(dataclasses.replace(v, points=tuple(dataclasses.replace(pt, source="user:your eval results")
                                                      for pt in v.points)) if v.accuracy_id == acc_id else v
                  for v in plan.accuracy_curves)
    own = dataclasses.replace(plan, accuracy_curves=views)
    assert "3 of your eval results" in accuracy_basis(own, i)
