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


def test_leave_one_model_task_out_error_and_band_coverage(obs):
    """The README's figures (fidelity.py prints the same): MAE about 5.1 points against a task-mean baseline about
    17.6, with about 80% of held-out points inside the band. Fails when a change to the fit makes it worse."""
    matrix = fa.Matrix(obs)
    loo = matrix.leave_one_out(obs)
    bands, check = fa.estimate_bands(loo)
    summary = fa.loo_summary(loo, bands)
    assert summary["mae_pts"] <= 5.5
    assert summary["task_mean_baseline_mae_pts"] >= 3 * summary["mae_pts"]
    assert 0.77 <= summary["inside_band_share"] <= 0.85
    assert check["inside_band_share_leave_one_model_out"] >= 0.75
