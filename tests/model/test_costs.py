"""API and ASIC costs against a hand computation from the catalog prices, to the cent."""

import pytest

from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate
from ttcplanner.model.scenario import Scenario


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


def _row(plan, entry_id):
    return plan.options.entry_id.index(entry_id)


def test_single_sample_api_cost_matches_hand_computation(catalog):
    offer = catalog.api_offers["gpt-5"]
    s = Scenario(
        task_id="maths-olympiad",
        input_tokens=1000,
        reasoning_tokens=8000,
        answer_tokens=500,
        samples=1,
        requests_per_day=10_000,
        cached_input_fraction=0.0,
        latency_target_s=600,
        budget_mode="fixed",
    )
    plan = evaluate(s, catalog)
    i = _row(plan, "gpt-5")
    t = plan.results.reasoning_tokens[i]  # GPT-5 is bought by effort level: the level 8,000 tokens buy
    assert t >= 8000 and plan.results.effort[i] is not None
    per_request = (1000 * offer.input_usd_per_mtok + (t + 500) * offer.output_usd_per_mtok) / 1e6
    monthly = per_request * 10_000 * 30.4
    assert round(plan.results.cost_per_request_usd[i], 6) == round(per_request, 6)
    assert round(plan.results.monthly_usd[i], 2) == round(monthly, 2)
    assert offer.input_usd_per_mtok == 1.25 and offer.output_usd_per_mtok == 10.0


def test_samples_cached_prompt_and_batch_discount(catalog):
    offer = catalog.api_offers["gpt-5"]
    s = Scenario(
        task_id="maths-olympiad",
        input_tokens=1000,
        reasoning_tokens=8000,
        answer_tokens=500,
        samples=3,
        cached_input_fraction=0.2,
        prefix_cache=True,
        requests_per_day=1000,
        latency_target_s=86_400,
        budget_mode="fixed",
    )
    plan = evaluate(s, catalog)
    i = _row(plan, "gpt-5")
    t = plan.results.reasoning_tokens[i]  # the effort level 8,000 tokens buy
    first = 1000 * (0.2 * offer.cached_input_usd_per_mtok + 0.8 * offer.input_usd_per_mtok)
    others = 2 * 1000 * offer.cached_input_usd_per_mtok
    output = 3 * (t + 500) * offer.output_usd_per_mtok
    per_request = (first + others + output) / 1e6 * (1 - offer.batch_discount)
    assert plan.results.batch[i]
    assert round(plan.results.cost_per_request_usd[i], 8) == round(per_request, 8)
    assert round(plan.results.monthly_usd[i], 2) == round(per_request * 1000 * 30.4, 2)


def test_long_context_tier_prices_apply_above_threshold(catalog):
    offer = catalog.api_offers["gemini-2.5-pro"]
    assert offer.long_context_threshold_tokens == 200_000
    s = Scenario(
        task_id="maths-olympiad",
        input_tokens=250_000,
        reasoning_tokens=1000,
        answer_tokens=100,
        requests_per_day=100,
        latency_target_s=3600,
    )
    plan = evaluate(s, catalog)
    i = _row(plan, "gemini-2.5-pro")
    expected = (250_000 * offer.long_input_usd_per_mtok + 1100 * offer.long_output_usd_per_mtok) / 1e6
    assert round(plan.results.cost_per_request_usd[i], 8) == round(expected, 8)


def test_gpu_monthly_cost_is_replicas_times_gpus_times_rent(catalog):
    s = Scenario(
        task_id="maths-olympiad",
        hardware="h100-sxm",
        gpus_per_replica=1,
        requests_per_day=100_000,
        latency_target_s=600,
    )
    plan = evaluate(s, catalog)
    r = plan.results
    rent = catalog.gpus["h100-sxm"].rents and plan.options.rent_usd_per_gpu_hour  # the basis's rent (issue 19)
    for i in plan.options.gpu_rows:
        if r.fits[i] and r.replicas[i] > 0:
            assert r.monthly_usd[i] == pytest.approx(r.replicas[i] * 1 * rent[i] * 30.4 * 24, rel=1e-12)
