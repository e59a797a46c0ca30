"""Cross-benchmark accuracy fit (fit_accuracy.Matrix): effort levels read right, the terms do their job, and the
leave-one-(model x task)-out error stays where the README says."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ttcplanner.model import fit_accuracy as fa

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def _row(aid, effort, bench, acc, row_id):
    return {
        "row": row_id,
        "aid": aid,
        "model": aid,
        "level": fa.level_of(effort),
        "effort": effort,
        "bench": bench,
        "task": fa.task_of(bench),
        "key": fa.task_of(bench) or bench,
        "acc": acc,
        "tokens": None,
        "tokens_basis": "unknown",
        "source": "https://x",
        "chance": fa.chance_of_benchmark(bench),
        "access": "api",
    }


@pytest.fixture(scope="module")
def obs():
    if not (DATA / "accuracy_points.csv").is_file():
        pytest.skip("shared data folder not present")
    return fa.observations(DATA)


def test_thinking_defaults_stay_apart_from_reasoning_off(obs):
    """Qwen3 'thinking' and Nemotron 'reasoning on' are the reasoning mode, not the GPT-4.1 kind of default (which is
    reasoning off): folding them together averaged AIME 81.5% and 24.7% into one level."""
    levels = {}
    for o in obs:
        levels.setdefault((o["aid"], o["effort"]), set()).add(o["level"])
    assert levels[("qwen3-235b-a22b", "thinking")] == {"default"}
    assert levels[("qwen3-235b-a22b", "non-thinking (/no_think)")] == {"none"}
    assert levels[("llama-3.3-nemotron-super-49b-v1.5", "reasoning on")] == {"default"}
    assert levels[("llama-3.3-nemotron-super-49b-v1.5", "reasoning off")] == {"none"}
    assert levels[("gpt-4.1", "default")] == {"none"}  # published only as a non-reasoning model


def test_reasoning_off_effect_is_per_benchmark():
    """Synthetic matrix where turning reasoning off costs 3 logits on maths and nothing on a knowledge benchmark:
    the fit recovers that, and a held-out model's reasoning-off maths result is predicted from the others."""
    rng = np.random.default_rng(1)
    benches = ["AIME 2024", "OTIS Mock AIME 2024-2025", "GPQA Diamond", "MMLU-Pro", "SWE-bench Verified"]
    cost = {
        "AIME 2024": -3.0,
        "OTIS Mock AIME 2024-2025": -3.0,
        "GPQA Diamond": 0.0,
        "MMLU-Pro": 0.0,
        "SWE-bench Verified": -0.5,
    }
    obs, k = [], 0
    for m in range(14):
        ability = rng.normal(0.0, 1.0)
        for effort, off in (("high", 0.0), ("no extended thinking", 1.0)):
            for b in benches:
                chance = fa.chance_of_benchmark(b)
                z = ability + off * cost[b] + rng.normal(0.0, 0.05)
                obs.append(_row(f"model-{m}", effort, b, chance + (100 - chance) / (1 + math.exp(-z)), f"t-{k}"))
                k += 1
    matrix = fa.Matrix(obs)
    d = dict(zip(matrix.cols, matrix.fitted.d, strict=True))
    assert d["AIME 2024"] < -2.0 and d["OTIS Mock AIME 2024-2025"] < -2.0
    assert abs(d["GPQA Diamond"]) < 0.7 and abs(d["MMLU-Pro"]) < 0.7
    rows = [r for r in matrix.leave_one_out(obs) if r["task"] == "maths-olympiad" and r["level"] == "none"]
    err = np.array([abs(r["estimated_pct"] - r["published_pct"]) for r in rows])
    assert err.size and float(np.median(err)) < 5.0


def test_effort_sensitivity_is_per_benchmark():
    """Synthetic matrix where each e-fold of a level's tokens adds 1.5 logits on maths and 0.2 on a knowledge benchmark
    (beyond what the ability difference between levels gives everywhere): the g term recovers the contrast, and a
    held-out model's low and high maths results are predicted from its other benchmarks."""
    rng = np.random.default_rng(2)
    benches = ["AIME 2024", "OTIS Mock AIME 2024-2025", "GPQA Diamond", "MMLU-Pro", "SWE-bench Verified"]
    gain = {"AIME 2024": 1.5, "OTIS Mock AIME 2024-2025": 1.5, "GPQA Diamond": 0.2, "MMLU-Pro": 0.2}
    levels = {"low": 2000.0, "medium": 6000.0, "high": 18000.0}
    obs, k = [], 0
    for m in range(14):
        ability = rng.normal(0.0, 1.0)
        for effort, tokens in levels.items():
            x = math.log(tokens / 6000.0)
            for b in benches:
                chance = fa.chance_of_benchmark(b)
                z = ability + 0.3 * x + gain.get(b, 0.5) * x + rng.normal(0.0, 0.05)
                row = _row(f"model-{m}", effort, b, chance + (100 - chance) / (1 + math.exp(-z)), f"t-{k}")
                row["tokens"], row["tokens_basis"] = tokens, "measured"
                obs.append(row)
                k += 1
    matrix = fa.Matrix(obs)
    g = dict(zip(matrix.cols, matrix.fitted.g, strict=True))
    assert g["AIME 2024"] - g["GPQA Diamond"] > 0.8 and g["OTIS Mock AIME 2024-2025"] - g["MMLU-Pro"] > 0.8
    rows = [r for r in matrix.leave_one_out(obs) if r["task"] == "maths-olympiad"]
    err = np.array([abs(r["estimated_pct"] - r["published_pct"]) for r in rows])
    assert err.size and float(np.median(err)) < 4.0


def test_pairs_of_a_benchmark_set_its_concentration():
    """A benchmark with 3+ pairs of one aggregation gets its own concentration (AIME's problems spread from routine to
    unsolved; OlymMATH-Hard's are uniformly hard, the data say so); the band still spans the family's pairs."""
    pairs = [
        {"id": f"a{i}", "aggregate": "verifier", "family": "maths", "benchmark_group": "aime"} for i in range(3)
    ] + [{"id": f"o{i}", "aggregate": "verifier", "family": "maths", "benchmark_group": "olymmath"} for i in range(3)]
    for p, (pass1, n, measured) in zip(
        pairs,
        [
            (88.54, 16, 93.33),
            (16.88, 16, 33.33),
            (48.8, 64, 76.67),
            (47.5, 16, 91.8),
            (11.1, 16, 53.4),
            (11.1, 64, 74.0),
        ],
        strict=True,
    ):
        p.update(pass1=pass1, samples=n, measured=measured, format="free", model="m", bench=p["benchmark_group"])
    aime = fa.family_fit(pairs, "maths", "verifier", "aime")
    olym = fa.family_fit(pairs, "maths", "verifier", "olymmath")
    family = fa.family_fit(pairs, "maths", "verifier")
    assert aime[0] < family[0] < olym[0]
    assert aime[1] <= family[1] and aime[2] >= family[2] and "aime" in aime[4]
    assert fa.pair_benchmark("AIME 2025 (no tools)") == "aime" and fa.pair_benchmark("GPQA Diamond - Physics") == "gpqa"


def test_leave_one_model_task_out_error_and_band_coverage(obs):
    """The README's figures (fidelity.py prints the same): MAE about 4.5 points against a task-mean baseline about
    17.6, with about 80% of held-out points inside the band. Fails when a change to the fit makes it worse."""
    matrix = fa.Matrix(obs)
    loo = matrix.leave_one_out(obs)
    bands, check = fa.estimate_bands(loo)
    summary = fa.loo_summary(loo, bands)
    assert summary["mae_pts"] <= 4.7
    assert summary["task_mean_baseline_mae_pts"] >= 3 * summary["mae_pts"]
    assert 0.77 <= summary["inside_band_share"] <= 0.85
    assert check["inside_band_share_leave_one_model_out"] >= 0.75


def test_parallel_pairs_leave_one_out_error_and_band_coverage():
    """The README's parallel figures: leave-one-pair-out MAE about 3.6 points (5.4 with one concentration per task
    family) with about 83% of the held-out pairs inside the band."""
    if not (DATA / "parallel_points.csv").is_file():
        pytest.skip("shared data folder not present")
    summary = fa.parallel_leave_one_out(DATA)["summary"]
    assert summary["mae_pts"] <= 3.8
    assert summary["inside_band_share"] >= 0.8
