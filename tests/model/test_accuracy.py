"""Accuracy model: curve properties, parallel-sampling properties, fitted catalog and calibration rows."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ttcplanner.model import accuracy as acc
from ttcplanner.model.catalog import AccuracyCurve, load_file
from ttcplanner.model.errors import InputError
from ttcplanner.model.fit_accuracy import B_MIN, accuracy_id, fit_points, level_of
from ttcplanner.paths import catalog_dir

REQUIRED_TASKS = (
    "maths-olympiad",
    "science-qa",
    "coding-agent",
    "abstract-reasoning",
    "expert-qa",
    "abstract-reasoning-2",
    "competitive-coding",
    "research-maths",
)
KAPPAS = (0.05, 0.46, 2.05)  # few values: each new concentration builds lookup tables
FORMATS = ("free", "choice:4", "choice:2")


@pytest.fixture(scope="module")
def tasks():
    _, _, loaded = load_file(catalog_dir() / "tasks.json")
    return loaded


def _curve(a=-8.0, b=1.0, floor=0.0, ceiling=95.0, max_tokens=65536.0, tokens=(2000.0, 8000.0, 32000.0), band=3.0):
    from ttcplanner.model.catalog import CurvePoint

    pts = tuple(CurvePoint(reasoning_tokens=t, accuracy_pct=50.0, label="x", source="https://x") for t in tokens)
    return AccuracyCurve(
        floor_pct=floor, ceiling_pct=ceiling, a=a, b=b, max_tokens=max_tokens, band_pct=band, points=pts
    )


curves = st.builds(
    lambda a, b, floor, span, max_tokens: _curve(
        a=a, b=b, floor=floor, ceiling=min(floor + span, 100.0), max_tokens=max_tokens
    ),
    st.floats(-40, 10),
    st.floats(0, 4),
    st.sampled_from([0.0, 25.0, 50.0]),
    st.floats(0, 100),
    st.floats(1, 1e7),
)
tokens = st.floats(0, 1e8, allow_nan=False)


# ---------------------------------------------------------------- sequential


@settings(max_examples=200, deadline=None)
@given(curves, tokens, tokens)
def test_sequential_is_monotone_bounded_and_finite(curve, t1, t2):
    lo_t, hi_t = min(t1, t2), max(t1, t2)
    m1, l1, h1, _ = acc.sequential_pct(curve, lo_t)
    m2, l2, h2, _ = acc.sequential_pct(curve, hi_t)
    assert m1 <= m2 + 1e-9
    for v in (m1, l1, h1, m2, l2, h2):
        assert math.isfinite(float(v)) and 0.0 <= float(v) <= 100.0
    assert l1 <= m1 <= h1 and l2 <= m2 <= h2


def test_no_gain_past_max_tokens():
    curve = _curve(max_tokens=10000.0)
    m = acc.sequential_pct(curve, [10000.0, 20000.0, 1e9])[0]
    assert m[0] == m[1] == m[2]


def test_extrapolation_flag_and_band_widening():
    curve = _curve(tokens=(2000.0, 8000.0, 32000.0), band=3.0)
    t = np.array([500.0, 1950.0, 2000.0, 8000.0, 32000.0, 33000.0, 200000.0])
    mean, low, high, extrapolated = acc.sequential_pct(curve, t)
    assert extrapolated.tolist() == [True, False, False, False, False, False, True]
    half = (high - low) / 2
    assert half[3] == pytest.approx(3.0)
    assert half[0] > 3.0 + 4.0 and half[6] > 3.0 + 4.0  # widened beyond the fitted range


# ---------------------------------------------------------------- parallel


pass1s = st.floats(0, 100, allow_nan=False)
samples = st.integers(1, 5000)


@settings(max_examples=300, deadline=None)
@given(
    pass1s,
    samples,
    samples,
    st.sampled_from(acc.AGGREGATIONS),
    st.sampled_from(FORMATS),
    st.sampled_from(KAPPAS),
    st.floats(0, 1),
)
def test_parallel_monotone_in_samples(p, n1, n2, aggregation, fmt, kappa, quality):
    lo_n, hi_n = min(n1, n2), max(n1, n2)
    a = acc.parallel_pct(p, lo_n, aggregation, fmt, kappa, quality)
    b = acc.parallel_pct(p, hi_n, aggregation, fmt, kappa, quality)
    assert a[0] <= b[0] + 1e-9
    for v in (*a, *b):
        assert math.isfinite(float(v)) and 0.0 <= float(v) <= 100.0
    assert a[1] <= a[0] <= a[2]
    assert a[0] >= p - 1e-9  # voting is never modelled below pass@1


@settings(max_examples=300, deadline=None)
@given(
    pass1s,
    pass1s,
    samples,
    st.sampled_from(acc.AGGREGATIONS),
    st.sampled_from(FORMATS),
    st.sampled_from(KAPPAS),
    st.floats(0, 1),
)
def test_parallel_monotone_in_pass1(p1, p2, n, aggregation, fmt, kappa, quality):
    lo_p, hi_p = min(p1, p2), max(p1, p2)
    a = acc.parallel_pct(lo_p, n, aggregation, fmt, kappa, quality)[0]
    b = acc.parallel_pct(hi_p, n, aggregation, fmt, kappa, quality)[0]
    assert a <= b + 1e-9


@settings(max_examples=200, deadline=None)
@given(pass1s, st.sampled_from(acc.AGGREGATIONS), st.sampled_from(FORMATS), st.sampled_from(KAPPAS))
def test_one_sample_is_pass1_exactly(p, aggregation, fmt, kappa):
    mean, low, high = acc.parallel_pct(p, 1, aggregation, fmt, kappa)
    assert float(mean) == pytest.approx(p, abs=1e-12)
    assert float(low) == pytest.approx(p, abs=1e-12) and float(high) == pytest.approx(p, abs=1e-12)


def test_verifier_matches_closed_form():
    # 1 - B(alpha, beta + N) / B(alpha, beta), computed here with math.lgamma
    for p, n, kappa in ((30.0, 10, 1.0), (74.4, 64, 0.3727), (5.0, 1000, 3.407)):
        m = p / 100
        alpha, beta = m * kappa, (1 - m) * kappa
        miss = math.exp(
            math.lgamma(beta + n) + math.lgamma(alpha + beta) - math.lgamma(beta) - math.lgamma(alpha + beta + n)
        )
        assert float(acc.parallel_pct(p, n, "verifier", "free", kappa)[0]) == pytest.approx(100 * (1 - miss), abs=0.3)


def _simulated_plurality(m, kappa, n, rng, trials=200_000):
    """Monte Carlo of the free-form vote the model describes: one common wrong answer, the rest one-offs."""
    p = rng.beta(m * kappa, (1 - m) * kappa, trials)
    q = acc.FREE_FORM_TOP_WRONG_SHARE * (1 - p)
    u = rng.random((trials, n))
    c = (u < p[:, None]).sum(1)
    w = ((u >= p[:, None]) & (u < (p + q)[:, None])).sum(1)
    r = n - c - w
    top = np.maximum(w, (r > 0).astype(int))
    tied = 1 + (w == c) + np.where(c == 1, r, 0)
    return 100 * np.mean(np.where(c > top, 1.0, np.where((c == top) & (c > 0), 1.0 / tied, 0.0)))


@pytest.mark.parametrize(
    "m, kappa, n, tol", [(0.6, 1.0, 6, 0.5), (0.3, 3.4, 16, 0.5), (0.744, 0.37, 32, 0.5), (0.5, 1.0, 200, 1.5)]
)
def test_majority_matches_simulation(m, kappa, n, tol):
    """Exact vote sums (small N) and the normal race (large N) against a Monte Carlo of the same model."""
    sim = _simulated_plurality(m, kappa, n, np.random.default_rng(7))
    assert float(acc.parallel_pct(100 * m, n, "majority", "free", kappa)[0]) == pytest.approx(sim, abs=tol)


def test_more_choices_vote_better_and_scorer_sits_between():
    maj_free = acc.parallel_pct(60, 64, "majority", "free", 1.0)[0]
    maj_2 = acc.parallel_pct(60, 64, "majority", "choice:2", 1.0)[0]
    ver = acc.parallel_pct(60, 64, "verifier", "free", 1.0)[0]
    sco = acc.parallel_pct(60, 64, "scorer", "free", 1.0, 0.5)[0]
    assert maj_2 < maj_free  # a binary choice concentrates the wrong mass on one answer
    assert maj_free <= sco <= ver


def test_parallel_is_fast():
    rng = np.random.default_rng(1)
    p, n = rng.uniform(0, 100, 100_000), rng.integers(1, 4096, 100_000)
    acc.parallel_pct(p, n, "scorer", "free", 0.3727)  # build tables once
    start = time.perf_counter()
    acc.parallel_pct(p, n, "majority", "free", 0.3727)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.1, f"{elapsed * 1000:.0f} ms for 1e5 pairs"


def test_bad_parallel_inputs_raise_input_error():
    with pytest.raises(InputError):
        acc.parallel_pct(50, 4, "best-of", "free")
    with pytest.raises(InputError):
        acc.parallel_pct(50, 4, "majority", "choice:1")
    with pytest.raises(InputError):
        acc.parallel_pct(50, 4, "scorer", "free", 1.0, 1.5)


# ---------------------------------------------------------------- catalog and fits


def test_required_tasks_and_schema(tasks):
    for task_id in REQUIRED_TASKS:
        assert task_id in tasks
    assert tasks["coding-agent"].verifier_available
    assert tasks["science-qa"].answer_format == "choice:4"
    assert "o3-preview" in tasks["abstract-reasoning"].curves
    for task in tasks.values():
        chance = 0.0 if task.answer_format == "free" else 100.0 / int(task.answer_format[7:])
        assert task.source.startswith("https://") and task.as_of
        assert task.concentration_low <= task.concentration <= task.concentration_high
        for aid, curve in task.curves.items():
            assert curve.floor_pct == pytest.approx(chance), (task.id, aid)
            assert curve.ceiling_pct <= 100.0 and curve.fit_note
            if curve.basis == "published":
                assert curve.points, (task.id, aid)
            else:
                assert not curve.points and len(curve.token_range) == 2 and "ESTIMATED" in curve.fit_note
            for p in curve.points:
                assert p.label and p.source.startswith("http")
                assert p.reasoning_tokens <= curve.max_tokens
            assert curve.effort_tokens and curve.default_effort in curve.effort_tokens, (task.id, aid)
            assert set(curve.effort_basis) == set(curve.effort_tokens), (task.id, aid)
            assert all(how for how in curve.effort_basis.values())


def test_every_curve_within_2_points_of_its_fitted_points(tasks):
    misses = []
    for task in tasks.values():
        for aid, curve in task.curves.items():
            for p in curve.points:
                n, aggregation = acc.point_setting(p)
                est = acc.task_accuracy(task, aid, p.reasoning_tokens, n, aggregation)
                if abs(float(est.mean_pct) - p.accuracy_pct) > 2.0:
                    misses.append((task.id, aid, p.label, p.accuracy_pct, float(est.mean_pct)))
    assert not misses


def test_no_flat_or_non_monotone_fits(tasks):
    """Every curve rises with tokens at least at the floor slope: a reasoning budget of 10 tokens is clearly below
    the curve's lowest published (or estimated) budget (a flat fit gave Claude Sonnet 4.6 86% on ARC at 10 tokens)."""
    grid = np.geomspace(10, 1e6, 40)
    for task in tasks.values():
        for aid, curve in task.curves.items():
            assert curve.b >= B_MIN - 1e-9, (task.id, aid, curve.b)
            mean = acc.curve_mean_pct(curve, grid)
            assert np.all(np.diff(mean) >= -1e-9), (task.id, aid)
            lowest = min([p.reasoning_tokens for p in curve.points] or curve.token_range)
            at_low = float(acc.curve_mean_pct(curve, lowest))
            if at_low - curve.floor_pct > 5.0:
                assert float(acc.curve_mean_pct(curve, 10.0)) < at_low - 1.0, (task.id, aid)


def test_api_and_open_ids_present(tasks):
    arc = tasks["abstract-reasoning"].curves
    for aid in ("gpt-5", "gpt-5-mini", "claude-opus-4.5", "gemini-2.5-pro", "deepseek-r1", "o3", "o4-mini"):
        assert aid in arc
    for aid in ("gpt-oss-120b", "gpt-oss-20b", "deepseek-r1", "qwen3-235b-a22b", "kimi-k2-thinking", "qwen3-30b-a3b"):
        assert aid in tasks["maths-olympiad"].curves
    for task in tasks.values():  # every model with results elsewhere has a curve (published or estimated) here
        for aid in ("o3", "o4-mini", "gpt-5-mini", "claude-opus-4.5", "kimi-k2-thinking", "qwen3-30b-a3b"):
            assert aid in task.curves, (task.id, aid)


def test_ids_are_the_vendor_names_in_lowercase_hyphen_form():
    assert accuracy_id("GPT-5 mini") == "gpt-5-mini"
    assert accuracy_id("Claude Opus 4.5") == "claude-opus-4.5"
    assert accuracy_id("Kimi-K2-Thinking") == "kimi-k2-thinking"
    assert accuracy_id("Qwen3-30B-A3B") == "qwen3-30b-a3b"
    assert accuracy_id("o3") == "o3"
    assert accuracy_id("DeepSeek-R1 (Jan 2025)") == "deepseek-r1"
    assert level_of("thinking budget 16K") == "thinking 16K" and level_of("no extended thinking") == "none"
    assert level_of("medium (default)") == "medium" and level_of("default (high)") == "high"
    assert level_of("xhigh") == "xhigh" and level_of("default (dynamic thinking)") == "default"


def test_effort_tokens_helper_and_budget_refusal(tasks):
    task = tasks["maths-olympiad"]
    tokens, level, how = acc.effort_tokens(task, "o3")
    assert level == task.curves["o3"].default_effort and tokens == task.curves["o3"].effort_tokens[level] and how
    low, _, _ = acc.effort_tokens(task, "o3", "low")
    high, _, _ = acc.effort_tokens(task, "o3", "high")
    assert low < high
    with pytest.raises(InputError, match="unknown effort"):
        acc.effort_tokens(task, "o3", "ultra")
    with pytest.raises(InputError, match="no accuracy data"):
        acc.effort_tokens(task, "no-such-model")
    curve = task.curves["gpt-oss-120b"]
    assert curve.max_tokens == 131072  # the published context, not an extrapolation
    acc.check_budget(task, "gpt-oss-120b", 100_000)
    with pytest.raises(InputError, match="maximum"):
        acc.check_budget(task, "gpt-oss-120b", 200_000)
    est = acc.task_accuracy(task, "gpt-oss-120b", [100_000.0, 200_000.0])
    assert est.beyond_max.tolist() == [False, True]


def test_estimated_curves_carry_their_basis_and_a_wider_band(tasks):
    task = tasks["expert-qa"]
    estimated = [aid for aid, c in task.curves.items() if c.basis == "estimated_from_other_tasks"]
    published = [aid for aid, c in task.curves.items() if c.basis == "published"]
    assert estimated and published
    est = acc.task_accuracy(task, estimated[0], task.curves[estimated[0]].token_range[0])
    assert est.basis == "estimated_from_other_tasks"
    assert float(est.high_pct - est.low_pct) > 10.0  # the leave-one-out band, not a fit error
    aid = published[0]
    p = task.curves[aid].points[0]
    assert acc.point_basis(task, aid, p.reasoning_tokens) == "published"
    assert acc.point_basis(task, aid, p.reasoning_tokens * 3) == "fitted"
    assert acc.point_basis(task, estimated[0], 5000.0) == "estimated_from_other_tasks"


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(REQUIRED_TASKS),
    st.data(),
    tokens,
    tokens,
    samples,
    samples,
    st.sampled_from(acc.AGGREGATIONS),
    st.floats(0, 1),
)
def test_task_accuracy_monotone(tasks, task_id, data, t1, t2, n1, n2, aggregation, quality):
    task = tasks[task_id]
    aid = data.draw(st.sampled_from(sorted(task.curves)))
    est = acc.task_accuracy(
        task,
        aid,
        np.array([min(t1, t2), max(t1, t2), max(t1, t2)]),
        np.array([min(n1, n2), min(n1, n2), max(n1, n2)]),
        aggregation,
        quality,
    )
    m = est.mean_pct
    assert m[0] <= m[1] + 1e-9 <= m[2] + 2e-9
    assert np.all(est.low_pct <= m) and np.all(m <= est.high_pct)
    assert np.all((est.low_pct >= 0) & (est.high_pct <= 100)) and np.all(np.isfinite(est.high_pct))


def test_task_accuracy_one_sample_is_the_curve(tasks):
    task = tasks["maths-olympiad"]
    curve = task.curves["gpt-oss-120b"]
    lo, hi = min(p.reasoning_tokens for p in curve.points), max(p.reasoning_tokens for p in curve.points)
    est = acc.task_accuracy(task, "gpt-oss-120b", [lo, hi], 1, "majority")
    assert np.allclose(est.mean_pct, acc.curve_mean_pct(curve, [lo, hi]))
    assert est.extrapolated.tolist() == [False, False]
    assert acc.task_accuracy(task, "gpt-oss-120b", 100.0).extrapolated.all()


def test_unknown_accuracy_id_raises(tasks):
    task = tasks["science-qa"]
    assert acc.has_curve(task, "gpt-oss-120b") and not acc.has_curve(task, "no-such-model")
    with pytest.raises(InputError, match="no-such-model"):
        acc.task_accuracy(task, "no-such-model", 1000.0)


# ---------------------------------------------------------------- calibration


def test_parallel_calibration_rows_inside_their_bands(tasks):
    """o1's published parallel results (the README example among them) fall inside the family-fitted bands; the
    errors are reported by tests/benchmarks/fidelity.py (the AIME family's mean misses o1 cons@64 by ~8 points)."""
    rows = acc.parallel_fidelity_rows(tasks)
    assert {r["case"] for r in rows} == {"o1-aime-cons64", "o1-gpqa-cons64", "o1-aime-rerank1000"}
    for r in rows:
        assert r["low_pct"] <= r["measured_pct"] <= r["high_pct"], r
        assert set(r) == {
            "case",
            "pass1_pct",
            "samples",
            "aggregate",
            "answer_format",
            "predicted_pct",
            "low_pct",
            "high_pct",
            "measured_pct",
            "error_pts",
        }


def _per_option_vote_weights(n: int, options: int) -> np.ndarray:
    """The former recursion over the K - 1 wrong options (cost grows with K): the reference for the closed form."""
    g = np.zeros(n + 1)
    for c in range(1, n + 1):
        rem = n - c
        dp = np.zeros((rem + 1, options + 1))
        dp[0, 0] = 1.0
        for _ in range(options):
            new = np.zeros_like(dp)
            for k in range(min(c, rem) + 1):
                shifted = dp[: rem + 1 - k] / math.factorial(k)
                if k == c:
                    new[k:, 1:] += shifted[:, :-1]
                else:
                    new[k:, :] += shifted
            dp = new
        g[c] = sum(math.factorial(rem) / options**rem * dp[rem, t] / (1 + t) for t in range(options + 1))
    return g


@pytest.mark.parametrize("k", [2, 3, 4, 10, 45])
@pytest.mark.parametrize("n", [2, 7, 16, 40])
def test_choice_vote_closed_form_matches_the_per_option_recursion(k, n):
    assert np.allclose(acc._exact_vote_weights(n, f"choice:{k}"), _per_option_vote_weights(n, k - 1), atol=1e-12)


def test_majority_with_a_huge_choice_count_is_cheap():
    """choice:100000 took forever with a recursion over the options; the closed form does O(N^2 log N) work per vote
    count whatever K is (here: it completes, and the calls it makes do not depend on K)."""
    calls = []
    original = acc._below_powers.__wrapped__

    def counting(c, nmax):
        calls.append(c)
        return original(c, nmax)

    acc._below_powers.cache_clear()
    import unittest.mock

    with unittest.mock.patch.object(acc, "_below_powers", counting):
        acc._exact_vote_weights.cache_clear()
        big = acc._exact_vote_weights(40, "choice:100000")
        n_big = len(calls)
        calls.clear()
        small = acc._exact_vote_weights(40, "choice:50")
        assert len(calls) == n_big  # same work for K = 100000 and K = 50
    acc._exact_vote_weights.cache_clear()
    assert np.all(big >= small - 1e-9)  # more options scatter wrong votes more
    mean = acc.parallel_pct(50, 64, "majority", "choice:100000", 1.0)[0]
    free_form = acc.parallel_pct(50, 64, "majority", "choice:4", 1.0)[0]
    assert 50 < float(free_form) < float(mean) <= 100


def test_calibration_rows_match_shared_csv():
    import csv

    path = Path(__file__).resolve().parents[1] / "data" / "calibration" / "ttc_parallel_calibration.csv"
    if not path.is_file():
        pytest.skip("project data folder not present")
    with open(path, newline="", encoding="utf-8") as fh:
        csv_rows = {r["case"]: r for r in csv.DictReader(fh)}
    for r in acc.CALIBRATION_ROWS:
        c = csv_rows[r["case"]]
        assert (
            float(c["pass1_pct"]),
            int(c["samples"]),
            c["aggregate"],
            c["answer_format"],
            float(c["measured_pct"]),
        ) == (r["pass1_pct"], r["samples"], r["aggregate"], r["answer_format"], r["measured_pct"])


# ---------------------------------------------------------------- fitter


def test_fit_points_recovers_a_known_curve():
    t = np.array([1000.0, 4000.0, 16000.0, 64000.0])
    truth = 90.0 / (1 + np.exp(-(-9.0 + 1.1 * np.log(t))))
    a, b, ceiling, _ = fit_points(t, truth, 0.0)
    pred = ceiling / (1 + np.exp(-(a + b * np.log(t))))
    assert np.max(np.abs(pred - truth)) < 0.3


def test_fit_points_single_point_uses_prior_slope():
    a, b, ceiling, how = fit_points([10000.0], [60.0], 0.0, prior_b=1.2)
    assert b == 1.2 and ceiling == 100.0 and "prior" in how
    assert 100 / (1 + math.exp(-(a + b * math.log(10000.0)))) == pytest.approx(60.0)


def test_prior_concentration_is_the_fit_over_all_published_pairs():
    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not (data / "parallel_points.csv").is_file():
        pytest.skip("shared data folder not present")
    from ttcplanner.model.fit_accuracy import family_fit, parallel_pairs

    pairs = parallel_pairs(data)
    for aggregate, kappa, band in (
        ("majority", acc.PRIOR_CONCENTRATION, acc.PRIOR_CONCENTRATION_BAND),
        ("verifier", acc.PRIOR_VERIFIER_CONCENTRATION, acc.PRIOR_VERIFIER_CONCENTRATION_BAND),
    ):
        fit = family_fit(pairs, None, aggregate)
        assert (round(fit[0], 4), (round(fit[1], 4), round(fit[2], 4))) == (kappa, band), aggregate
