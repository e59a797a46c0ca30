"""The serving model against known facts, physical properties and measured behaviour under load."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ttcplanner.model import fit_serving, serving
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.errors import InputError

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # the shared folder beside the checkout


@pytest.fixture(scope="module")
def catalog():
    cat = load_catalog(include_user=False)
    return dataclasses.replace(cat, user_calibrations={})


def one(catalog, model_id, gpu, n=1, precision="native", kv="bf16", engine="vllm", **kw):
    g = gpu if not isinstance(gpu, str) else catalog.gpus[gpu]
    return serving.build_setup(catalog, [(catalog.open_models[model_id], g, n)], precision, kv, engine, **kw)


def spec_gpu(gid):
    """A GPU from gpu_specs.csv (the prices developer adds it to gpus.json); skip when the data is absent."""
    gpus = fit_serving.gpu_from_specs(DATA)
    if gid not in gpus:
        pytest.skip(f"{gid} not in gpu_specs.csv here")
    return gpus[gid]


# --- known facts -------------------------------------------------------------------------------------


def test_gpt_oss_120b_mxfp4_fits_one_80gb_gpu(catalog):
    est = serving.estimate(one(catalog, "gpt-oss-120b", "h100-sxm"), 1000, 1000)
    assert est.fits[0] and est.max_concurrency[0] >= 8
    assert est.memory_gb_per_gpu[0] <= 80


def test_llama_405b_bf16_does_not_fit_8_h100(catalog):
    est = serving.estimate(one(catalog, "llama-3.1-405b", "h100-sxm", 8, "bf16"), 1000, 1000)
    assert not est.fits[0]
    assert est.output_tokens_per_s[0] == 0 and est.requests_per_s[0] == 0
    assert np.isinf(est.latency_s[0]) and est.concurrency[0] == 0
    assert serving.estimate(one(catalog, "llama-3.1-405b", "h100-sxm", 8, "fp8"), 1000, 1000).fits[0]


def test_engine_caps_running_requests(catalog):
    """--concurrency max used to admit every sequence that fits (14,921); engines cap it (vLLM 1024 on H100,
    256 on A100), and a burst of N prompts never has more than N in flight."""
    s = one(catalog, "gpt-oss-120b", "h100-sxm", 4)
    burst = serving.load_estimate(s, 215, 196, num_prompts=1000)
    assert burst.running[0] <= 1000 and burst.max_concurrency[0] > 1000
    assert one(catalog, "gpt-oss-120b", "a100-80gb").max_running[0] == 256
    capped = one(catalog, "gpt-oss-120b", "h100-sxm", 4, max_num_seqs=64)
    small = serving.load_estimate(capped, 215, 196, num_prompts=1000)
    assert small.running[0] == 64 and small.ttft_s[0] > 2 * burst.ttft_s[0]


def test_burst_ttft_is_queueing_not_prefill(catalog):
    """A burst of 1000 prompts on one H100 waits for slots: mean TTFT of seconds (measured 23.6 s), not the
    milliseconds of one prefill; p99 above the mean; more GPUs (more KV) cut it (measured 4.6 s at TP2)."""
    tp1 = serving.load_estimate(one(catalog, "gpt-oss-120b", "h100-sxm", 1), 215, 196, num_prompts=1000)
    tp2 = serving.load_estimate(one(catalog, "gpt-oss-120b", "h100-sxm", 2), 215, 196, num_prompts=1000)
    assert tp1.ttft_s[0] > 5 and tp1.ttft_p99_s[0] > tp1.ttft_s[0]
    # the model cuts it about 2x, not the measured 5x: it overestimates TP1's throughput (~35% in-sample, the KV
    # cache holds fewer ShareGPT sequences than its average-length arithmetic), so TP1's queue comes out short
    assert tp2.ttft_s[0] < tp1.ttft_s[0] / 1.5
    assert tp1.e2e_p99_s[0] >= tp1.e2e_s[0]


def test_poisson_latency_grows_with_the_rate(catalog):
    s = one(catalog, "llama-3.1-8b", "h100-sxm", precision="fp8", kv="fp8")
    rates = np.array([0.5, 2.0, 8.0, 16.0])
    est = serving.load_estimate(s, 1000, 500, request_rate=rates)
    assert np.all(np.diff(est.e2e_p99_s) > 0) and np.all(np.diff(est.utilization) > 0)
    assert np.allclose(est.request_throughput_per_s[est.utilization < 0.98], rates[est.utilization < 0.98])
    over = serving.load_estimate(s, 1000, 500, request_rate=1e4)
    assert np.isinf(over.e2e_s[0])  # an endless stream the replica cannot serve


def test_int4_needs_an_engine_that_runs_it(catalog):
    with pytest.raises(InputError, match="int4"):
        one(catalog, "qwen3-32b", "h100-sxm", precision="int4", engine="sglang")
    assert one(catalog, "qwen3-32b", "h100-sxm", precision="int4", engine="llamacpp").weight_bytes_per_param[0] == 0.6


def test_llamacpp_batch_1_on_consumer_gpus(catalog):
    """gpt-oss-20b on an RTX 4090: 0.1.0 said 82 tok/s, published 225 (llama.cpp, low reliability); an
    RTX 4080 slows from 186 to 115 tok/s between 0 and 28.7k context (ik_llama.cpp #758)."""
    s = one(catalog, "gpt-oss-20b", "rtx-4090", engine="llamacpp")
    speed = 1 / serving.load_estimate(s, 100, 500, concurrency=1).tpot_s[0]
    assert 225 / 1.5 < speed < 225 * 1.5
    r4080 = serving.build_setup(
        catalog, [(catalog.open_models["gpt-oss-20b"], spec_gpu("rtx-4080"), 1)], "native", "bf16", "llamacpp"
    )
    near = 1 / serving.load_estimate(r4080, 0, 256, concurrency=1).tpot_s[0]
    deep = 1 / serving.load_estimate(r4080, 28_700, 256, concurrency=1).tpot_s[0]
    assert deep < near and 186 / 1.6 < near < 186 * 1.6


def test_amd_uses_amd_efficiencies(catalog):
    assert catalog.serving_factors["amd"].vendor == "AMD"
    nv = one(catalog, "deepseek-r1", "h200", 8)
    amd = serving.build_setup(
        catalog, [(catalog.open_models["deepseek-r1"], spec_gpu("mi355x"), 8)], "fp8", "fp8", "sglang"
    )
    assert amd.eta_bw[0] == catalog.serving_factors["amd"].eta_bw
    assert nv.eta_bw[0] == catalog.serving_factors["vllm"].eta_bw


def test_speculative_decoding_helps_at_batch_1_and_loses_in_a_burst(catalog):
    """MTP on DeepSeek: a large gain at low load, a loss on a burst of 1000 with SGLang (measured -51% on
    DeepSeek-V3.2; SGLang caps running requests when speculating)."""
    s = one(catalog, "deepseek-r1", "h200", 8, engine="sglang")
    plain1 = serving.load_estimate(s, 1000, 1000, concurrency=1)
    spec1 = serving.load_estimate(s, 1000, 1000, concurrency=1, draft_tokens=3, acceptance=0.7)
    assert spec1.tpot_s[0] < plain1.tpot_s[0] / 1.5
    plain = serving.load_estimate(s, 219, 197, num_prompts=1000)
    spec = serving.load_estimate(s, 219, 197, num_prompts=1000, draft_tokens=1, acceptance=0.7)
    assert spec.output_tokens_per_s[0] < plain.output_tokens_per_s[0]


def test_efficiency_factor_scales_every_term_of_a_step(catalog):
    """The tornado's "GPU serving efficiency" row: half the efficiency must double every time of a step, the host
    time per running sequence included (it scaled only the roofline efficiencies, so a step dominated by
    seq_overhead_s barely moved)."""
    s = one(catalog, "llama-3.1-8b", "h100-sxm", precision="fp8", kv="fp8")
    slow = serving.Setup(**{k: serving.with_efficiency(k, v, 0.5) for k, v in vars(s).items()})
    assert slow.seq_overhead_s[0] == pytest.approx(2 * s.seq_overhead_s[0])
    for c in (1.0, 64.0, 512.0):
        base = serving.load_estimate(s, 1000, 500, concurrency=c, num_prompts=10 * c)
        half = serving.load_estimate(slow, 1000, 500, concurrency=c, num_prompts=10 * c)
        assert half.tpot_s[0] == pytest.approx(2 * base.tpot_s[0], rel=1e-9)
        assert half.output_tokens_per_s[0] == pytest.approx(0.5 * base.output_tokens_per_s[0], rel=1e-9)


def test_fp4_on_ampere_runs_at_the_engines_own_speed(catalog):
    """MXFP4 on a GPU with neither fp4 nor fp8 tensor cores (A100) has its own fitted factor per engine: gpt-oss on
    A100 runs 7-17x slower on SGLang than on vLLM (serving_points.md), on H100 3.4x."""
    a100 = [
        serving.load_estimate(one(catalog, "gpt-oss-120b", "a100-80gb", engine=e), 215, 197, num_prompts=1000)
        for e in ("vllm", "sglang")
    ]
    h100 = [
        serving.load_estimate(one(catalog, "gpt-oss-120b", "h100-sxm", engine=e), 215, 197, num_prompts=1000)
        for e in ("vllm", "sglang")
    ]
    gap_a100 = a100[0].output_tokens_per_s[0] / a100[1].output_tokens_per_s[0]
    gap_h100 = h100[0].output_tokens_per_s[0] / h100[1].output_tokens_per_s[0]
    assert gap_a100 > 3 and gap_a100 > 1.5 * gap_h100
    assert serving.fp4_without_fp8(catalog.gpus["a100-80gb"], "fp4")
    assert not serving.fp4_without_fp8(catalog.gpus["h100-sxm"], "fp4")
    assert not serving.fp4_without_fp8(catalog.gpus["a100-80gb"], "bf16")


# --- properties ---------------------------------------------------------------------------------------

MODELS = [
    "llama-3.1-8b",
    "llama-3.3-70b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "gpt-oss-120b",
    "gpt-oss-20b",
    "mixtral-8x7b",
    "qwen3-235b-a22b",
]
GPUS = ["h100-sxm", "h200", "b200", "a100-80gb", "l40s", "mi300x", "l4"]
setting = st.fixed_dictionaries(
    {
        "model": st.sampled_from(MODELS),
        "gpu": st.sampled_from(GPUS),
        "n": st.sampled_from([1, 2, 4, 8]),
        "precision": st.sampled_from(["bf16", "fp8", "fp4"]),
        "kv": st.sampled_from(["bf16", "fp8"]),
        "engine": st.sampled_from(["vllm", "sglang", "trtllm"]),
        "i": st.integers(1, 30_000),
        "o": st.integers(1, 8_000),
    }
)


@settings(max_examples=60, deadline=None)
@given(setting)
def test_estimates_are_finite_and_monotone_in_concurrency(catalog, x):
    s = one(catalog, x["model"], x["gpu"], x["n"], x["precision"], x["kv"], x["engine"])
    ladder = 2.0 ** np.arange(0, 12)
    est = serving.load_estimate(s, x["i"], x["o"], concurrency=ladder)
    if not est.fits[0]:
        assert (est.output_tokens_per_s == 0).all()
        return
    for f in ("output_tokens_per_s", "request_throughput_per_s", "ttft_s", "tpot_s", "e2e_s", "e2e_p99_s"):
        v = getattr(est, f)
        assert np.all(np.isfinite(v)) and np.all(v >= 0), f
    assert np.all(np.diff(est.output_tokens_per_s) >= -1e-9 * est.output_tokens_per_s[:-1])
    assert np.all(np.diff(est.e2e_s) >= -1e-9 * est.e2e_s[:-1])
    assert np.all(est.e2e_p99_s >= est.e2e_s * (1 - 1e-9))


@settings(max_examples=40, deadline=None)
@given(setting)
def test_more_gpus_never_reduce_max_concurrency(catalog, x):
    b = [
        float(
            serving.max_concurrency(one(catalog, x["model"], x["gpu"], n, x["precision"], x["kv"]), x["i"], x["o"])[0]
        )
        for n in [1, 2, 4, 8]
    ]
    assert all(later >= earlier for earlier, later in zip(b, b[1:], strict=False))


# --- percentile sizing ---------------------------------------------------------------------------------


def test_replicas_sized_for_p95_meet_it_in_a_simulated_poisson_run(catalog):
    """estimate_for_latency gives the per-replica Poisson rate whose p95 end-to-end latency meets the target;
    a fleet of ceil(peak / rate) replicas, simulated step by step under Poisson arrivals at the peak rate,
    meets the target too."""
    s = one(catalog, "llama-3.1-8b", "h100-sxm", precision="fp8", kv="fp8")
    target = 25.0
    sized = serving.estimate_for_latency(s, 1000, 500, target, ttft_target_s=2.0)
    assert sized.latency_s[0] <= target and sized.ttft_p95_s[0] <= 2.0
    assert 0 < sized.utilization[0] < 0.95
    peak = 3.5 * float(sized.requests_per_s[0])
    replicas = math.ceil(peak / float(sized.requests_per_s[0]))
    sim = serving.simulate_poisson(s, 1000, 500, peak, 3000, replicas=replicas, seed=1)
    assert sim["e2e_p95_s"] <= target, sim
    assert sim["ttft_p95_s"] <= 2.0, sim


def test_sizing_leaves_headroom_below_the_target(catalog):
    s = one(catalog, "llama-3.1-8b", "h100-sxm", precision="fp8", kv="fp8")
    loose = serving.estimate_for_latency(s, 1000, 500, 120.0)
    tight = serving.estimate_for_latency(s, 1000, 500, 6.0)
    assert tight.requests_per_s[0] < loose.requests_per_s[0]
    assert tight.latency_s[0] <= 6.0 and loose.latency_s[0] <= 120.0
    assert loose.utilization[0] < 0.95


# --- fidelity goals (refit on the shared data) -----------------------------------------------------------


@pytest.mark.skipif(not (DATA / "serving_points.csv").is_file(), reason="shared data not present")
def test_shipped_factors_match_a_refit(catalog):
    ds, theta, _ = fit_serving.load_and_fit(DATA, fit_serving.serving_catalog())
    values = fit_serving._values(theta)
    for e, name in enumerate(fit_serving.ENTRIES):
        f = catalog.serving_factors[name]
        assert f.eta_bw == pytest.approx(values[e, 0], rel=1e-3)
        assert f.eta_prefill == pytest.approx(values[e, 2], rel=1e-3)
    est = fit_serving.predict(ds, values)
    tok = fit_serving.errors(est.output_tokens_per_s, ds.tok)
    roof = fit_serving.errors(fit_serving.roofline(ds).output_tokens_per_s, ds.tok)
    assert tok["median_abs_error_pct"] < roof["median_abs_error_pct"]
