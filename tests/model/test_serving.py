"""The serving model against known facts, physical properties and its own fidelity goals."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ttcplanner.model import fit_serving, serving
from ttcplanner.model.catalog import load_catalog

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "calibration"


@pytest.fixture(scope="module")
def catalog():
    cat = load_catalog(include_user=False)
    return dataclasses.replace(cat, user_calibrations={})


def one(catalog, model_id, gpu, n=1, precision="native", kv="bf16"):
    g = gpu if not isinstance(gpu, str) else catalog.gpus[gpu]
    return serving.build_setup(catalog, [(catalog.open_models[model_id], g, n)], precision, kv)


# --- known facts -------------------------------------------------------------------------------------

def test_gpt_oss_120b_mxfp4_fits_one_80gb_gpu(catalog):
    est = serving.estimate(one(catalog, "gpt-oss-120b", "h100-sxm"), 1000, 1000)
    assert est.fits[0] and est.max_concurrency[0] >= 8
    assert est.memory_gb_per_gpu[0] <= 80


def test_gpt_oss_20b_fits_a_16gb_gpu(catalog):
    # No 16 GB card is in the catalog: an RTX 4090 record with memory_gb set to 16 (a stand-in for a
    # 16 GB consumer card; OpenAI says gpt-oss-20b runs within 16 GB).
    gpu16 = dataclasses.replace(catalog.gpus["rtx-4090"], id="gpu-16gb", memory_gb=16.0)
    est = serving.estimate(one(catalog, "gpt-oss-20b", gpu16), 1000, 1000)
    assert est.fits[0]


def test_llama_405b_bf16_does_not_fit_8_h100(catalog):
    est = serving.estimate(one(catalog, "llama-3.1-405b", "h100-sxm", 8, "bf16"), 1000, 1000)
    assert not est.fits[0]
    assert est.output_tokens_per_s[0] == 0 and est.requests_per_s[0] == 0
    assert est.output_tokens_per_s_per_user[0] == 0 and est.output_tokens_per_s_per_gpu[0] == 0
    assert np.isinf(est.latency_s[0]) and est.concurrency[0] == 0
    fp8 = serving.estimate(one(catalog, "llama-3.1-405b", "h100-sxm", 8, "fp8"), 1000, 1000)
    assert fp8.fits[0]


def test_too_long_a_sequence_does_not_fit(catalog):
    est = serving.estimate(one(catalog, "qwen3-32b", "h200"), 40_000, 1_000)  # context is 32,768
    assert not est.fits[0] and est.output_tokens_per_s[0] == 0


def test_moe_decode_step_at_batch_1_follows_active_params(catalog):
    s = one(catalog, "qwen3-30b-a3b", "h100-sxm", precision="bf16")
    # Same efficiency factors for both, so only the bytes and FLOPs differ (the regimes' fitted factors differ).
    factors = {k: getattr(s, k) for k in ("eta_bw", "eta_flops", "eta_prefill", "step_overhead_s")}
    dense_30b = dataclasses.replace(one(catalog, "qwen3-32b", "h100-sxm", precision="bf16"), **factors)
    moe = serving.decode_step_s(s, 1, 1000)[0]
    dense = serving.decode_step_s(dense_30b, 1, 1000)[0]
    assert moe < 0.35 * dense
    # A dense model with the MoE's 3.3B active parameters: the step is within 25% of it.
    dense_3b = dataclasses.replace(s, total_params=s.active_params, expert_params=np.zeros(1),
                                   experts_total=np.zeros(1), experts_active=np.zeros(1))
    small = serving.decode_step_s(dense_3b, 1, 1000)[0]
    assert abs(moe / small - 1) < 0.25
    # ... and a large batch touches every expert, so the MoE step grows toward the full weights.
    assert serving.decode_step_s(s, 512, 1000)[0] > 3 * moe


def test_plain_roofline_overestimates_every_calibration_row(catalog):
    runs = fit_serving.read_calibration(DATA_DIR)
    setup = fit_serving.stack_setup(catalog, runs)
    measured = np.array([r.measured_tok_s for r in runs])
    assert np.all(fit_serving.roofline(setup, runs) > measured)


def test_batch_1_speed_stays_below_the_bandwidth_roofline(catalog):
    s = one(catalog, "llama-3.1-8b", "h100-sxm", precision="fp8", kv="fp8")
    est = serving.estimate(s, 1000, 500, 1)
    roofline_tok_s = 3.35e12 / 8e9  # weights read once per token
    assert 0.2 * roofline_tok_s < est.output_tokens_per_s_per_user[0] < roofline_tok_s


# --- speculative decoding ----------------------------------------------------------------------------

def test_speculative_decoding_helps_most_at_batch_1(catalog):
    s = one(catalog, "llama-3.3-70b", "h200", precision="fp8", kv="fp8")
    plain1 = serving.estimate(s, 1000, 1000, 1)
    spec1 = serving.estimate(s, 1000, 1000, 1, draft_tokens=3, acceptance=0.7)
    gain1 = spec1.output_tokens_per_s_per_user[0] / plain1.output_tokens_per_s_per_user[0]
    plain_max = serving.estimate(s, 1000, 1000)
    spec_max = serving.estimate(s, 1000, 1000, draft_tokens=3, acceptance=0.7)
    gain_max = spec_max.output_tokens_per_s[0] / plain_max.output_tokens_per_s[0]
    assert gain1 > 1.5
    assert gain_max < gain1


# --- properties ---------------------------------------------------------------------------------------

MODELS = ["llama-3.1-8b", "llama-3.3-70b", "qwen3-32b", "qwen3-30b-a3b", "gpt-oss-120b", "gpt-oss-20b",
          "mixtral-8x7b", "qwen3-235b-a22b"]
GPUS = ["h100-sxm", "h200", "b200", "a100-80gb", "l40s", "mi300x", "l4"]
setting = st.fixed_dictionaries({
    "model": st.sampled_from(MODELS), "gpu": st.sampled_from(GPUS), "n": st.sampled_from([1, 2, 4, 8]),
    "precision": st.sampled_from(["bf16", "fp8", "fp4"]), "kv": st.sampled_from(["bf16", "fp8"]),
    "i": st.integers(1, 30_000), "o": st.integers(1, 8_000),
})


@settings(max_examples=60, deadline=None)
@given(setting)
def test_estimates_are_finite_and_monotone_in_concurrency(catalog, x):
    s = one(catalog, x["model"], x["gpu"], x["n"], x["precision"], x["kv"])
    bmax = float(serving.max_concurrency(s, x["i"], x["o"])[0])
    ladder = np.unique(np.minimum(2.0 ** np.arange(0, 14), max(bmax, 1)))
    est = serving.estimate(s, x["i"], x["o"], ladder)
    if bmax < 1:
        assert not est.fits.any() and (est.output_tokens_per_s == 0).all()
        return
    for f in ("output_tokens_per_s", "output_tokens_per_s_per_user", "requests_per_s", "ttft_s", "tpot_s", "latency_s"):
        v = getattr(est, f)
        assert np.all(np.isfinite(v)) and np.all(v >= 0), f
    assert np.all(np.diff(est.output_tokens_per_s) >= -1e-9 * est.output_tokens_per_s[:-1])
    assert np.all(np.diff(est.latency_s) >= -1e-9 * est.latency_s[:-1])


@settings(max_examples=40, deadline=None)
@given(setting)
def test_more_gpus_never_reduce_max_concurrency(catalog, x):
    counts = [1, 2, 4, 8]
    b = [float(serving.max_concurrency(one(catalog, x["model"], x["gpu"], n, x["precision"], x["kv"]), x["i"], x["o"])[0])
         for n in counts]
    assert all(later >= earlier for earlier, later in zip(b, b[1:]))


@settings(max_examples=40, deadline=None)
@given(setting)
def test_fp8_kv_roughly_doubles_kv_capacity(catalog, x):
    bf16 = float(serving.max_concurrency(one(catalog, x["model"], x["gpu"], x["n"], x["precision"], "bf16"), x["i"], x["o"])[0])
    fp8 = float(serving.max_concurrency(one(catalog, x["model"], x["gpu"], x["n"], x["precision"], "fp8"), x["i"], x["o"])[0])
    assert fp8 >= bf16
    if bf16 >= 20:
        assert 1.9 <= fp8 / bf16 <= 2.1


def test_estimate_for_latency_meets_a_reachable_target(catalog):
    s = one(catalog, "llama-3.1-8b", "h100-sxm", precision="fp8", kv="fp8")
    single = serving.estimate(s, 1000, 500, 1)
    target = float(single.latency_s[0]) * 3
    best = serving.estimate_for_latency(s, 1000, 500, target)
    assert best.latency_s[0] <= target
    assert best.output_tokens_per_s[0] > single.output_tokens_per_s[0]


# --- fidelity goals -----------------------------------------------------------------------------------

def test_fit_meets_the_goals_on_the_calibration_rows(catalog):
    runs = fit_serving.read_calibration(DATA_DIR)
    setup = fit_serving.stack_setup(catalog, runs)
    i = np.array([r.input_tokens for r in runs])
    o = np.array([r.output_tokens for r in runs])
    measured = np.array([r.measured_tok_s for r in runs])
    ratio = serving.estimate(setup, i, o).output_tokens_per_s / measured  # the shipped serving_factors.json
    stats = fit_serving.summary(ratio)
    assert stats["median_abs_error_pct"] <= 20, stats
    assert stats["max_ratio"] <= 1.5, stats
    baseline = fit_serving.summary(fit_serving.roofline(setup, runs) / measured)
    assert baseline["median_abs_error_pct"] > 2 * stats["median_abs_error_pct"]


def test_refit_reproduces_the_shipped_factors(catalog):
    fit, _ = fit_serving.fit_serving(catalog, fit_serving.read_calibration(DATA_DIR))
    for regime, f in catalog.serving_factors.items():
        assert f.eta_bw == pytest.approx(fit.eta_bw[regime])
        assert f.eta_prefill == pytest.approx(fit.eta_tensor)
        assert f.step_overhead_s == pytest.approx(fit.step_overhead_s)
        lo, hi = fit_serving.BOUNDS["eta_bw"]
        assert lo <= f.eta_bw <= hi


def test_held_out_rows_stay_within_1_5x(catalog):
    runs = fit_serving.HELD_OUT
    setup = fit_serving.stack_setup(catalog, runs)
    est = serving.estimate(setup, np.array([r.input_tokens for r in runs]), np.array([r.output_tokens for r in runs]))
    ratio = est.output_tokens_per_s / np.array([r.measured_tok_s for r in runs])
    assert np.all((ratio > 1 / 1.5) & (ratio < 1.5)), dict(zip([r.label for r in runs], np.round(ratio, 2)))
