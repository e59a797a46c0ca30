"""Issue 19: GPU rents per provider and price basis, the whole cost of owning, rate-limit tiers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ttcplanner.model import costs
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import RateLimitTier, load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.options import PriceSettings, build_options
from ttcplanner.model.planner import evaluate
from ttcplanner.model.scenario import Scenario
from ttcplanner.paths import scenarios_dir
from ttcplanner.present import reasons as words

CATALOG = load_catalog(include_user=False)


def test_big_gpus_list_at_least_four_providers_sourced_and_dated():
    for gid in ("h100-sxm", "h200", "b200", "mi300x"):
        rents = CATALOG.gpus[gid].rents
        assert len({r.provider for r in rents}) >= 4, gid
        for r in rents:
            assert r.source.startswith("https://") and r.pricing in (
                "on-demand",
                "spot",
                "community",
                "reserved-1y",
                "reserved-3y",
            )
            assert r.as_of is None or r.as_of <= "2026-12-05"
            assert r.as_of is not None or "not recorded" in r.note


@pytest.mark.parametrize("gid", ["h100-sxm", "h200", "b200", "b300", "mi300x", "l40s", "a100-80gb"])
def test_basis_ordering_low_median_hyperscaler(gid):
    gpu = CATALOG.gpus[gid]
    low, median, hyper = (costs.pick_rent(gpu, b, "on-demand") for b in ("market-low", "market-median", "hyperscaler"))
    assert low.usd_per_gpu_hour < median.usd_per_gpu_hour < hyper.usd_per_gpu_hour, gid
    assert "hyperscaler" in hyper.text and not hyper.fallback


def test_provider_basis_uses_that_provider_and_the_newest_quote():
    h100 = CATALOG.gpus["h100-sxm"]
    runpod = costs.pick_rent(h100, "runpod", "on-demand")
    assert runpod.usd_per_gpu_hour == 3.99 and "runpod" in runpod.text  # 2026-10-19 beats 3.49 of 2026-09-25
    assert costs.pick_rent(h100, "runpod", "spot").fallback  # RunPod has no spot rent: falls back, says so
    # Fireworks' $8/h is a managed deployment: listed, never picked
    assert all(r.provider != "fireworks" for r in costs.provider_quotes(h100.rents, "on-demand").values())


def test_fallback_is_named_in_the_option_and_the_plan_json():
    from ttcplanner.present.plan_json import plan_to_json

    s = Scenario(
        task_id="maths-olympiad",
        hardware="mi300x",
        gpu_price_basis="lambda",
        requests_per_day=1000,
        latency_target_s=3600,
    )
    plan = evaluate(s, CATALOG)
    notes = {plan.options.price_note[i] for i in plan.options.gpu_rows}
    assert notes and all(
        "no lambda on-demand rent for AMD Instinct MI300X; fell back to the market median" in n for n in notes
    )
    rec = plan_to_json(plan)["best_per_kind"]["gpu"]
    assert rec is not None and "fell back" in rec["price_basis"]


def test_reserved_is_below_on_demand_where_sourced():
    h200 = CATALOG.gpus["h200"]
    assert (
        costs.pick_rent(h200, "market-median", "reserved-3y").usd_per_gpu_hour
        < costs.pick_rent(h200, "market-median", "on-demand").usd_per_gpu_hour
    )


def test_own_price_overrides_every_basis():
    gpu = dataclasses.replace(CATALOG.gpus["h100-sxm"], rent_usd_per_gpu_hour=1.5)
    for basis in ("market-low", "hyperscaler", "aws"):
        choice = costs.pick_rent(gpu, basis, "spot")
        assert choice.usd_per_gpu_hour == 1.5 and "your price" in choice.text


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("gpu_price_basis", "Market Median", "provider id"),
        ("gpu_pricing", "hourly", "must be one of"),
        ("peak_traffic_share", 1.5, "at most 1"),
        ("residual_fraction", -0.1, "at least 0"),
        ("colo_usd_per_kw_month", "cheap", "must be a number"),
    ],
)
def test_new_scenario_fields_are_validated(field, value, message):
    with pytest.raises(InputError) as err:
        Scenario().replace(**{field: value})
    assert field in str(err.value) and message in str(err.value)


def test_unknown_provider_basis_names_the_field_and_the_providers():
    with pytest.raises(InputError) as err:
        evaluate(Scenario(gpu_price_basis="nosuchcloud"), CATALOG)
    assert "gpu_price_basis" in str(err.value) and "runpod" in str(err.value)


def test_old_scenario_files_load_with_the_defaults():
    s = sc.load(scenarios_dir() / "maths-tutor-high-volume.json")
    assert (s.gpu_price_basis, s.gpu_pricing) == ("market-median", "on-demand")


def test_owned_gpu_costs_more_than_purchase_over_amortisation_plus_power():
    s = Scenario(ownership="own", hardware="h100-sxm")
    opts = build_options(CATALOG, "h100-sxm", 0, "native", "fp8", PriceSettings())
    rows = opts.gpu_rows
    whole = costs.gpu_hour_for(opts, rows, s)
    naive = costs.gpu_hour_usd(
        opts.rent_usd_per_gpu_hour[rows],
        opts.purchase_usd[rows],
        opts.tdp_w[rows],
        "own",
        s.amortization_months,
        s.electricity_usd_per_kwh,
        s.pue,
    )
    assert np.all(np.isfinite(whole)) and np.all(whole > naive * 1.3)
    items = dict(costs.cost_items(opts, int(rows[0]), s))
    assert set(items) >= {
        "GPU purchase (depreciation)",
        "server around the GPU (depreciation)",
        "networking (depreciation)",
        "power x PUE",
        "colocation",
        "staff",
        "maintenance and support",
    }
    assert sum(items.values()) == pytest.approx(whole[0])
    # the sourced HGX H100 server ($325k / 8 GPUs) is more than the GPU's own $30k
    assert items["server around the GPU (depreciation)"] > 0


def test_owning_fields_move_the_cost_the_right_way():
    opts = build_options(CATALOG, "h200", 0, "native", "fp8", PriceSettings())
    rows = opts.gpu_rows[:1]
    base = Scenario(ownership="own")
    cost = lambda **kw: float(costs.gpu_hour_for(opts, rows, base.replace(**kw))[0])  # noqa: E731
    ref = cost()
    assert cost(residual_fraction=0.0) > ref > cost(residual_fraction=0.6)
    assert cost(colo_usd_per_kw_month=400.0) > ref
    assert cost(staff_usd_per_gpu_month=500.0) == pytest.approx(ref + 500.0 / costs.HOURS_PER_MONTH)


def _tiered_catalog(tiers):
    offer = CATALOG.asic_offers["cerebras-gpt-oss-120b"]
    offer = dataclasses.replace(offer, rate_limits=tuple(tiers))
    return dataclasses.replace(CATALOG, asic_offers={**CATALOG.asic_offers, offer.id: offer}), offer


def _tier(name, rpm, price):
    return RateLimitTier(
        tier=name,
        requests_per_minute=rpm,
        tokens_per_minute=None,
        input_usd_per_mtok=price,
        output_usd_per_mtok=price,
        source="https://example.org/limits",
        as_of="2026-07-18",
    )


def test_a_2m_requests_per_day_plan_cannot_use_a_10_requests_per_minute_tier():
    catalog, offer = _tiered_catalog([_tier("Developer", 10, 0.75)])
    s = Scenario(task_id="maths-olympiad", requests_per_day=2_000_000, latency_target_s=300, reasoning_tokens=2000)
    plan = evaluate(s, catalog)
    rows = [i for i in range(plan.options.size) if plan.options.entry_id[i] == offer.id]
    assert len(rows) == 1
    assert not plan.results.eligible[rows[0]] and words.why_not(plan, rows[0]) == costs.RATE_LIMIT_REASON
    assert plan.recommended != rows[0]
    small = evaluate(s.replace(requests_per_day=1_000), catalog)  # 1.4 requests/min at peak: within the tier
    assert words.why_not(small, rows[0]) != costs.RATE_LIMIT_REASON


def test_exceeding_a_tier_moves_to_the_next_priced_tier():
    catalog, offer = _tiered_catalog([_tier("Free", 5, 0.0), _tier("Developer", 1000, 0.75)])
    s = Scenario(task_id="maths-olympiad", requests_per_day=100_000, latency_target_s=300, reasoning_tokens=2000)
    plan = evaluate(s, catalog)
    rows = {plan.options.tier[i]: i for i in range(plan.options.size) if plan.options.entry_id[i] == offer.id}
    assert set(rows) == {"Free", "Developer"}
    assert words.why_not(plan, rows["Free"]) == costs.RATE_LIMIT_REASON
    assert words.why_not(plan, rows["Developer"]) != costs.RATE_LIMIT_REASON
    assert plan.results.monthly_usd[rows["Developer"]] > 0


def test_peak_share_blends_peak_and_off_peak_prices():
    offer = next((o for o in CATALOG.api_offers.values() if o.peak_output_usd_per_mtok is not None), None)
    assert offer is not None, "DeepSeek's peak prices are in the catalog"
    for share in (0.0, 0.5, 1.0):
        opts = build_options(CATALOG, "auto", 0, "native", "fp8", PriceSettings(peak_traffic_share=share))
        i = opts.entry_id.index(offer.id)
        expected = (1 - share) * offer.output_usd_per_mtok + share * offer.peak_output_usd_per_mtok
        assert opts.prices["output"][i] == pytest.approx(expected)


def test_cost_lines_name_the_rent_or_list_the_owned_items():
    from ttcplanner.model.format import cost_lines

    s = Scenario(
        task_id="maths-olympiad",
        hardware="h100-sxm",
        gpu_price_basis="hyperscaler",
        requests_per_day=1000,
        latency_target_s=3600,
    )
    plan = evaluate(s, CATALOG)
    i = plan.best_per_kind["gpu"]
    assert i is not None
    (line,) = cost_lines(plan.options, i, s)
    assert "hyperscaler median on-demand of 4 providers" in line and "gcp" in line  # AWS, GCP, Azure, Oracle
    owned = evaluate(s.replace(ownership="own"), CATALOG)
    lines = cost_lines(owned.options, owned.best_per_kind["gpu"], owned.scenario)
    assert lines[0].startswith("Owned GPU-hour") and any("colocation" in x for x in lines)


def test_priced_accelerators_that_are_not_sized_are_named_with_their_reason():
    from ttcplanner.present.plan_json import plan_to_json

    data = plan_to_json(evaluate(Scenario(), CATALOG))
    reasons = {x["id"]: x["reason"] for x in data["hardware_not_sized"]}
    assert set(reasons) == {"tpu-v6e", "trainium2"} and all("not sized" in r for r in reasons.values())
    assert CATALOG.gpus["tpu-v6e"].rents[0].usd_per_gpu_hour == 1.35  # priced per chip-hour (DWS flex-start)
    with pytest.raises(InputError) as err:
        evaluate(Scenario(hardware="trainium2"), CATALOG)
    assert "hardware" in str(err.value) and "not sized" in str(err.value)


def test_a_fallback_or_single_quote_rent_behind_the_recommendation_is_a_warning():
    s = Scenario(
        task_id="maths-olympiad", hardware="mi325x", requests_per_day=100_000, latency_target_s=600, on_prem_only=True
    )  # the GPU row is the recommendation whatever the API tier costs
    plan = evaluate(s, CATALOG)  # MI325X: one provider (TensorWave, via a secondary page)
    assert plan.options.kind[plan.recommended] == "gpu"
    assert any("single provider's quote" in w for w in words.warning_texts(plan))
    spot = evaluate(s.replace(gpu_pricing="spot"), CATALOG)
    assert any("fallback" in w and "no market-median spot rent" in w for w in words.warning_texts(spot))
    owned = evaluate(s.replace(ownership="own"), CATALOG)
    assert not any("second look" in w for w in words.warning_texts(owned))


def test_an_output_longer_than_the_offers_max_output_cannot_use_it():
    offer = CATALOG.api_offers["gemini-4-neon"]
    assert offer.max_output_tokens == 65536
    s = Scenario(task_id="maths-olympiad", reasoning_tokens=70_000, latency_target_s=86_400 * 2)
    plan = evaluate(s, CATALOG)
    i = plan.options.entry_id.index(offer.id)
    assert not plan.results.fits[i]
    ok = evaluate(s.replace(reasoning_tokens=60_000), CATALOG)
    assert ok.results.fits[i]


def test_the_why_not_names_the_output_limit():
    import dataclasses as dc

    offer = dc.replace(CATALOG.api_offers["together-gpt-oss-120b"], max_output_tokens=1000)
    catalog = dc.replace(CATALOG, api_offers={**CATALOG.api_offers, offer.id: offer})
    plan = evaluate(Scenario(task_id="maths-olympiad", reasoning_tokens=4000), catalog)
    i = plan.options.entry_id.index("together-gpt-oss-120b")
    assert words.why_not(plan, i) == "prompt + output exceed the context or output limit"


def test_asic_latency_adds_the_reasoning_once():
    """AA's 'time to first answer token' already holds the reasoning: it is kept apart, and the latency is the
    first token's latency plus (reasoning + answer) at the per-user speed."""
    offer = CATALOG.asic_offers["cerebras-gpt-oss-120b"]
    assert offer.first_answer_token_s == 1.54 and offer.ttft_s == 0.0
    s = Scenario(
        task_id="maths-olympiad", reasoning_tokens=8000, answer_tokens=500, requests_per_day=100, budget_mode="fixed"
    )  # exactly 8,000 reasoning tokens
    plan = evaluate(s, CATALOG)
    i = plan.options.entry_id.index(offer.id)
    output = plan.results.reasoning_tokens[i] + 500  # 8,000 tokens buy an effort level of gpt-oss
    assert plan.results.latency_s[i] == pytest.approx(offer.ttft_s + output / offer.output_tokens_per_s_per_user)
    assert plan.results.ttft_s[i] == offer.ttft_s
