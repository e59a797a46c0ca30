"""How the accuracy basis reaches a plan: estimated curves are labelled, missing data is not a failed target,
budgets beyond a model's maximum are refused with a reason (issue 17)."""

import numpy as np

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate
from ttcplanner.present import reasons as words
from ttcplanner.present.plan_json import plan_to_json

CATALOG = load_catalog(include_user=False)


def test_estimated_options_are_labelled_in_results_json_and_warnings():
    plan = evaluate(sc.Scenario(task_id="expert-qa", target_accuracy_pct=20), CATALOG)
    bases = set(plan.results.accuracy_basis)
    assert {"published", "estimated_from_other_tasks", "none"} <= bases
    assert len(plan.results.accuracy_basis) == plan.options.size
    data = plan_to_json(plan)
    for option in [data["recommendation"], *data["best_per_kind"].values()]:
        if option is not None:
            assert option["accuracy_basis"] in ("published", "estimated_from_other_tasks")
    (line,) = [w for w in words.warning_texts(plan) if w.startswith("Offers' accuracy published")]
    assert "estimated from other tasks / no data: API " in line and "GPU " in line
    views = {v.accuracy_id: v.basis for v in plan.accuracy_curves}
    assert "estimated_from_other_tasks" in views.values()


def test_no_data_is_never_a_failed_target():
    plan = evaluate(sc.Scenario(task_id="research-maths", target_accuracy_pct=10), CATALOG)
    r = plan.results
    none = np.array([b == "none" for b in r.accuracy_basis])
    assert none.any()
    assert not r.has_accuracy[none].any()
    assert all(
        words.why_not(plan, i) in ("no accuracy data for this task", "excluded: on-premises only")
        for i in np.flatnonzero(none)
    )


def test_budget_beyond_the_model_maximum_is_infeasible_with_a_reason():
    plan = evaluate(
        sc.Scenario(
            task_id="maths-olympiad",
            target_accuracy_pct=10,
            reasoning_tokens=200_000,
            latency_target_s=100_000,
            budget_mode="fixed",
        ),
        CATALOG,
    )
    # rows with a free budget (offers bought by effort level buy their highest level instead)
    rows = [i for i, a in enumerate(plan.options.accuracy_id) if a == "gpt-oss-120b" and plan.results.effort[i] is None]
    assert rows
    for i in rows:
        assert not plan.results.eligible[i]
        assert (
            "exceed the model's maximum (131072)" in words.why_not(plan, i)
            or words.why_not(plan, i) == "excluded: on-premises only"
            or not plan.results.allowed[i]
            or not plan.results.fits[i]
        )
    assert any("exceed the model's maximum" in words.why_not(plan, i) for i in rows)
