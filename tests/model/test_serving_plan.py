"""A plan's GPU replicas are sized for the p95 latency target: a step simulation of that fleet under Poisson
arrivals at the scenario's peak rate meets it."""

from __future__ import annotations

import numpy as np

from ttcplanner.model import costs, serving
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate
from ttcplanner.model.scenario import Scenario


def test_recommended_fleet_meets_p95_in_a_simulated_poisson_run():
    catalog = load_catalog(include_user=False)
    scenario = Scenario(
        task_id="science-qa",
        target_accuracy_pct=50.0,
        reasoning_tokens=600.0,
        samples=1,
        requests_per_day=400_000.0,
        input_tokens=800,
        answer_tokens=200,
        peak_to_average=2.0,
        latency_target_s=40.0,
        ttft_target_s=3.0,
        on_prem_only=True,
        hardware="h100-sxm",
        gpus_per_replica=1,
        kv_precision="fp8",
    )
    plan = evaluate(scenario, catalog)
    k = plan.recommended
    assert k is not None and plan.options.kind[k] == "gpu"
    res = plan.results
    assert res.latency_s[k] <= scenario.latency_target_s and res.ttft_s[k] <= scenario.ttft_target_s
    replicas = int(res.replicas[k])
    peak = scenario.requests_per_day / costs.SECONDS_PER_DAY * scenario.peak_to_average
    assert replicas * res.replica_requests_per_s[k] >= peak * (1 - 1e-9)
    column = int(np.searchsorted(plan.options.gpu_rows, k))
    setup = serving.Setup(**{f: np.asarray(v)[column : column + 1] for f, v in vars(plan.options.setup).items()})
    assert res.samples[k] == 1  # the cap: one sample per request
    output = res.reasoning_tokens[k] + scenario.answer_tokens  # the budget the planner chose (auto mode)
    sim = serving.simulate_poisson(setup, scenario.input_tokens, output, peak, 1500, replicas=replicas, seed=3)
    assert sim["e2e_p95_s"] <= scenario.latency_target_s, sim
    assert sim["ttft_p95_s"] <= scenario.ttft_target_s, sim
    assert 0 < res.utilization[k] < 1
