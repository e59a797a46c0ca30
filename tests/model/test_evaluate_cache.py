"""evaluate's caches change no result: cold and warm plans, in any order, are equal to the last bit; cached
arrays are read-only or copied; an edited or reloaded catalog is never answered from another catalog's cache.

(The optimised code was also compared with the code before the caches, plan by plan, on 264 scenarios: see the
commit message. That comparison needs the old code, so it is not repeated here.)
"""

import dataclasses
import gc
import threading

import numpy as np
import pytest

from ttcplanner.model import accuracy, planner, serving_rows
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import Adjustments, evaluate
from ttcplanner.paths import scenarios_dir

CATALOG = load_catalog(include_user=False)
SHIPPED = [sc.load(p) for p in sorted(scenarios_dir().glob("*.json"))]


def _varied() -> list[sc.Scenario]:
    """Every shipped scenario plus moves of each input the GUI changes, including the hardware ones."""
    out = list(SHIPPED)
    gpus = sorted(CATALOG.gpus)
    for k, b in enumerate(SHIPPED):
        out += [b.replace(reasoning_tokens=v) for v in (300, 24_000)]
        out += [b.replace(samples=v) for v in (3, 256)]
        out.append(b.replace(aggregation=("majority", "verifier", "scorer")[k % 3], samples=16, scorer_quality=0.8))
        out += [b.replace(requests_per_day=v) for v in (5, 3e7)]
        out += [b.replace(target_accuracy_pct=v) for v in (20, 97.5)]
        out += [b.replace(latency_target_s=v) for v in (2, 200_000)]
        out.append(b.replace(hardware=gpus[k % len(gpus)], gpus_per_replica=(0, 1, 2, 4, 8, 0)[k]))
        out.append(b.replace(weight_precision=("bf16", "fp8", "fp4")[k % 3], kv_precision=("fp8", "bf16")[k % 2]))
        out.append(b.replace(ownership="own" if b.ownership == "rent" else "rent", on_prem_only=not b.on_prem_only))
        out.append(b.replace(speculative_draft_tokens=2, prefix_cache=False, cached_input_fraction=-0.0))
        out.append(
            b.replace(
                peak_to_average=5,
                input_tokens=8_000,
                answer_tokens=250,
                speculative_acceptance=0.5,
                amortization_months=24,
                electricity_usd_per_kwh=0.2,
                pue=1.5,
            )
        )
        out.append(b.replace(budget_mode="fixed" if b.budget_mode == "auto" else "auto"))
    return out


SCENARIOS = _varied()
SHIFTED = Adjustments(api_price_factor=1.2, gpu_efficiency_factor=0.9, accuracy_shift_pts=-3.0)


def assert_same(a, b, where="plan"):
    """Exact equality of two plans (or parts of them), arrays included (dtype, shape and every value)."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where, strict=True)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def cold(scenario, catalog=CATALOG, adjust=None):
    planner.clear_caches()
    return evaluate(scenario, catalog, adjust)


@pytest.fixture(scope="module")
def cold_plans():
    return [cold(s) for s in SCENARIOS]


def test_warm_plans_equal_cold_ones_in_every_order(cold_plans):
    assert len(SCENARIOS) >= 60
    planner.clear_caches()
    for order in (
        range(len(SCENARIOS)),
        reversed(range(len(SCENARIOS))),
        np.random.default_rng(3).permutation(len(SCENARIOS)),
    ):
        for i in order:
            assert_same(evaluate(SCENARIOS[i], CATALOG), cold_plans[i], f"plan {i} ({SCENARIOS[i].name})")


SWEEPS = (  # one field moved back and forth, everything else fixed: each cache key must hold that field
    ("requests_per_day", (10, 1e4, 10, 1e6)),
    ("target_accuracy_pct", (50, 90, 50)),
    ("reasoning_tokens", (1_000, 90_000, 1_000)),
    ("samples", (1, 64, 1)),
    ("latency_target_s", (60, 7_200, 60)),
    ("aggregation", ("majority", "scorer", "verifier")),
    ("scorer_quality", (0.2, 0.9)),
    ("input_tokens", (500, 20_000)),
    ("answer_tokens", (100, 4_000)),
    ("cached_input_fraction", (0.0, 0.7)),
    ("peak_to_average", (1.5, 4.0, 1.5)),
    ("speculative_draft_tokens", (0, 4, 0)),
    ("speculative_acceptance", (0.3, 0.9)),
    ("prefix_cache", (False, True)),
    ("on_prem_only", (True, False)),
    ("ownership", ("rent", "own", "rent")),
    ("amortization_months", (12, 60)),
    ("electricity_usd_per_kwh", (0.05, 0.4)),
    ("pue", (1.1, 2.0)),
    ("weight_precision", ("fp8", "native")),
    ("kv_precision", ("bf16", "fp8")),
    ("gpus_per_replica", (2, 0)),
    ("hardware", (sorted(CATALOG.gpus)[0], "auto")),
)


@pytest.mark.parametrize("field,values", SWEEPS, ids=[f for f, _ in SWEEPS])
def test_one_field_sweeps_equal_cold_plans(field, values):
    """As a slider drag makes them; the base samples 4 with a scorer, speculative decoding on and GPUs owned,
    so every field reaches the result."""
    base = SHIPPED[1].replace(samples=4, aggregation="scorer", speculative_draft_tokens=2, ownership="own")
    planner.clear_caches()
    evaluate(base, CATALOG)
    moved = [base.replace(**{field: v}) for v in values]
    warm = [evaluate(s, CATALOG) for s in moved]
    for v, s, plan in zip(values, moved, warm, strict=False):
        assert_same(plan, cold(s), f"{field}={v}")


def test_adjusted_plans_equal_cold_ones():
    planner.clear_caches()
    for s in SCENARIOS[::7]:
        evaluate(s, CATALOG)
        warm = evaluate(s, CATALOG, SHIFTED)
        assert_same(warm, cold(s, adjust=SHIFTED), s.name)


def test_cached_arrays_cannot_be_changed_through_a_plan(cold_plans):
    s = SCENARIOS[0]
    plan = evaluate(s, CATALOG)
    for curve in plan.accuracy_curves:
        for arr in (curve.mean_pct, curve.low_pct, curve.high_pct, curve.extrapolated):
            assert not arr.flags.writeable
            with pytest.raises(ValueError):
                arr[...] = 0
    # arrays a plan owns are its own: scribbling on them changes no later plan
    for f in dataclasses.fields(plan.results):
        arr = getattr(plan.results, f.name)
        if isinstance(arr, np.ndarray) and arr.size and arr.flags.writeable:
            arr[...] = arr.flat[0] if arr.dtype == bool else -1
    for arr in plan.volume_monthly_usd.values():
        arr[...] = -1
    for curve in plan.cost_curves:
        curve.accuracy_pct[...] = -1
        curve.cost_per_request_usd[...] = -1
    assert_same(evaluate(s, CATALOG), cold_plans[0])


def test_an_edited_catalog_is_never_answered_from_the_old_one():
    base = SHIPPED[1]
    before = evaluate(base, CATALOG)
    rec = before.recommended
    kind = before.options.kind[rec]
    if kind == "gpu":
        gpu = CATALOG.gpus[before.options.hardware_id[rec]]
        edited = dataclasses.replace(
            CATALOG,
            gpus={
                **CATALOG.gpus,
                gpu.id: dataclasses.replace(
                    gpu, rent_usd_per_gpu_hour=float(before.options.rent_usd_per_gpu_hour[rec]) * 3
                ),
            },
        )  # the user's own price
    else:
        table = "api_offers" if kind == "api" else "asic_offers"
        offer = getattr(CATALOG, table)[before.options.entry_id[rec]]
        edited = dataclasses.replace(
            CATALOG,
            **{
                table: {
                    **getattr(CATALOG, table),
                    offer.id: dataclasses.replace(
                        offer,
                        output_usd_per_mtok=offer.output_usd_per_mtok * 3,
                        input_usd_per_mtok=offer.input_usd_per_mtok * 3,
                    ),
                }
            },
        )
    after = evaluate(base, edited)
    assert after.results.monthly_usd[rec] > before.results.monthly_usd[rec]
    assert_same(after, cold(base, edited))
    assert_same(evaluate(base, CATALOG), cold(base, CATALOG))


def test_a_reloaded_catalog_whose_id_may_be_reused_gets_its_own_results():
    base = SHIPPED[0]
    for factor in (2.0, 5.0, 0.5):
        catalog = load_catalog(include_user=False)
        gpus = {
            k: dataclasses.replace(
                g, rents=tuple(dataclasses.replace(r, usd_per_gpu_hour=r.usd_per_gpu_hour * factor) for r in g.rents)
            )
            for k, g in catalog.gpus.items()
        }
        catalog = dataclasses.replace(catalog, gpus=gpus)
        warm = evaluate(base, catalog)
        assert_same(warm, cold(base, catalog))
        del catalog, warm
        gc.collect()


def test_sequential_curves_at_once_equal_one_by_one():
    """The vectorised sequential step is, number for number, the per-curve function it replaces."""
    tokens = (
        np.array(5_000.0),
        np.concatenate([[55_000.0], planner.BUDGET_GRID]),
        np.geomspace(0.5, 5e6, 40).reshape(8, 5),
        np.array([0.0, 1.0, 1e9]),
    )
    for task in CATALOG.tasks.values():
        curves = list(task.curves.values())
        for t in tokens:
            many = accuracy._sequential_many(curves, t)
            for k, curve in enumerate(curves):
                one = accuracy.sequential_pct(curve, t)
                for got, want in zip(many, one, strict=False):
                    assert_same(np.asarray(got[k]), np.asarray(want), f"{task.id}/{k}")


def test_a_background_thread_plans_the_same_and_keeps_its_own_caches(cold_plans):
    """Sensitivity runs evaluate on a worker thread while the GUI thread evaluates slider moves."""
    planner.clear_caches()
    evaluate(SCENARIOS[0], CATALOG)
    main_entries = serving_rows.estimate_rows.entries()
    got = {}

    def work():
        got["plans"] = [evaluate(s, CATALOG, SHIFTED if i % 2 else None) for i, s in enumerate(SCENARIOS[:12])]
        got["entries"] = serving_rows.estimate_rows.entries()

    thread = threading.Thread(target=work)
    thread.start()
    for i in range(12):
        assert_same(evaluate(SCENARIOS[i], CATALOG), cold_plans[i], f"main {i}")
    thread.join()
    assert got["entries"] > 0 and serving_rows.estimate_rows.entries() >= main_entries
    for i, plan in enumerate(got["plans"]):
        assert_same(plan, cold(SCENARIOS[i], adjust=SHIFTED if i % 2 else None), f"worker {i}")


def test_a_one_sample_plan_builds_no_vote_tables():
    """Vote tables cost about 0.1 s each cold and a one-sample plan reads none: start-up (the default scenario
    has one sample) built three of them through the search's effort columns and the parallel inverse."""
    planner.clear_caches()
    accuracy._gain_table.cache_clear()
    accuracy._accuracy_table.cache_clear()
    for mode in ("auto", "fixed"):
        evaluate(sc.Scenario(samples=1, budget_mode=mode), CATALOG)
    assert accuracy._gain_table.cache_info().currsize == 0
    evaluate(sc.Scenario(samples=4, budget_mode="auto"), CATALOG)
    assert accuracy._gain_table.cache_info().currsize > 0  # the check sees tables when they are built
