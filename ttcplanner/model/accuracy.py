"""Test-time compute -> accuracy: a sequential curve per (task, model) and a parallel-samples model.

Sequential: acc(T) = floor + (ceiling - floor) * sigmoid(a + b ln T), fitted offline to published
effort-level points (fit_accuracy.py). T is clipped to [1, max_tokens]: no gain past the trained maximum.

Parallel: each problem's single-sample success p ~ Beta(alpha, beta) with mean pass@1 and the task's
concentration kappa = alpha + beta (small kappa: problems are either easy or hopeless, so voting helps
little; large kappa: every problem is a coin with the same bias, so voting helps a lot).
- verifier/oracle: 1 - E[(1-p)^N] = 1 - B(alpha, beta+N) / B(alpha, beta) (exact, via lgamma);
- majority vote: E over p of W(p, N), the chance the correct answer wins the plurality (ties broken at
  random). Free-form: wrong votes go to one common wrong answer (FREE_FORM_TOP_WRONG_SHARE of the wrong
  mass) or to one-off answers; choice:K: uniformly over the K-1 wrong options. Up to EXACT_MAX_N votes W
  is an exact sum over vote counts (Binom(c; N, p) times a precomputed per-count win chance); above it a
  normal approximation races the correct answer against the common wrong one, floored at p (slightly
  optimistic, ~0.5-1 point at N in the hundreds; quadrature error is of the same size);
- learned scorer: majority + scorer_quality * (verifier - majority).
The expectations over p are tabulated once per (kappa, format) on a grid of (pass@1, ln N) and read by
bilinear interpolation, so 1e5 (pass@1, N) pairs cost a few milliseconds; monotone tables (repaired with
running maxima against quadrature noise) keep the result monotone in N and in pass@1, and N = 1 returns
pass@1 exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ttcplanner.model.catalog import AccuracyCurve, CurvePoint, TaskProfile
from ttcplanner.model.errors import InputError

AGGREGATIONS = ("majority", "verifier", "scorer")
# Free-form answers (AIME integers, ARC grids): the most common wrong answer is assumed to take 20% of the
# wrong mass. An assumption, not a measurement; the task concentration is fitted with it held fixed.
FREE_FORM_TOP_WRONG_SHARE = 0.2
# Outside the fitted token range the band widens by this many points per e-fold of distance (about 2.8
# points per doubling): an assumption that says "we have not seen this budget" rather than a fit.
BAND_WIDENING_PTS_PER_LN = 4.0
# A token count within 5% of the fitted range counts as inside it.
EXTRAPOLATION_TOLERANCE_LN = 0.05
# Concentrations when no task profile is given (CLI --pass1 without --task): least-squares fits over all published
# pairs of parallel_points.csv, the vote over the 53 majority pairs and the oracle over the 36 verifier pairs, each
# with the 5th-95th percentile of the per-pair fits as its band (python -m ttcplanner.model.fit_accuracy prints them
# as prior_concentration; tests/model/test_accuracy.py checks they agree).
PRIOR_CONCENTRATION = 0.4284
PRIOR_CONCENTRATION_BAND = (0.01, 11.3864)
PRIOR_VERIFIER_CONCENTRATION = 0.7071
PRIOR_VERIFIER_CONCENTRATION_BAND = (0.1573, 50.0)
DEFAULT_CONCENTRATION = PRIOR_CONCENTRATION
# Parallel-model parameter uncertainty where no fitted spread is given: concentration x/÷ this factor.
CONCENTRATION_BAND_FACTOR = 2.0
BASES = ("published", "fitted", "estimated_from_other_tasks")

_M_GRID = np.linspace(0.0, 1.0, 201)
_N_GRID = np.unique(np.concatenate([np.arange(1, 17), np.round(np.geomspace(16, 2**20, 57))])).astype(float)
_LN_N_GRID = np.log(_N_GRID)
_GL_T, _GL_W = np.polynomial.legendre.leggauss(48)
_GL_T = 0.5 * (_GL_T + 1.0)  # nodes on [0, 1]
_GL_W = 0.5 * _GL_W


@dataclass(frozen=True)
class AccuracyEstimate:
    """Arrays in percent; extrapolated marks token budgets outside the fitted points."""

    mean_pct: np.ndarray
    low_pct: np.ndarray
    high_pct: np.ndarray
    extrapolated: np.ndarray
    basis: str = "published"  # the curve's: 'published' (fitted to this task's points) or 'estimated_from_other_tasks'
    beyond_max: np.ndarray | None = None  # budgets above the model's maximum reasoning tokens (refused, not clipped)


# ---------------------------------------------------------------- sequential


def curve_mean_pct(curve: AccuracyCurve, reasoning_tokens) -> np.ndarray:
    """The fitted curve alone (no band), T clipped to [1, max_tokens]."""
    return sequential_pct(curve, reasoning_tokens)[0]


def _finite(values, field: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise InputError("must be finite numbers", field=field)
    return arr


def sequential_pct(curve: AccuracyCurve, reasoning_tokens):
    """(mean, low, high, extrapolated) in percent for reasoning tokens per sample."""
    t = _finite(reasoning_tokens, "reasoning_tokens")
    return tuple(part[0] for part in _sequential_many([curve], t))


_COLUMNS: dict = {}  # id(curve) tuple -> (curves kept alive, their constant columns)


def _curve_columns(curves) -> list[np.ndarray]:
    """Per-curve constants as arrays (floor, a, b, band, max tokens, ceiling - floor, ln of the fitted range's
    ends, has a range), remembered per list of curves: a slider step asks for the same few dozen curves again."""
    key = tuple(id(c) for c in curves)
    hit = _COLUMNS.get(key)
    if hit is not None:
        return hit[1]
    spans = [[p.reasoning_tokens for p in c.points] or list(c.token_range) for c in curves]
    columns = [
        np.array(v, dtype=float)
        for v in (
            [c.floor_pct for c in curves],
            [c.a for c in curves],
            [c.b for c in curves],
            [c.band_pct for c in curves],
            [c.max_tokens for c in curves],
            [c.ceiling_pct - c.floor_pct for c in curves],
            [math.log(min(s)) if s else 0.0 for s in spans],
            [math.log(max(s)) if s else 0.0 for s in spans],
            [1.0 if s else 0.0 for s in spans],
        )
    ]
    if len(_COLUMNS) > 64:
        _COLUMNS.clear()
    _COLUMNS[key] = (tuple(curves), columns)
    return columns


def _sequential_many(curves, t: np.ndarray, own: bool = False):
    """``sequential_pct`` of several curves at once, arrays (curves,) + t.shape: one pass instead of a few
    dozen (each element gets the same operations whatever the other curves are); ``own``: t's first axis is
    the curves' (each curve at its own tokens), arrays t.shape. T clipped to [1, max_tokens]; the band widens
    with the distance in ln T outside the published points."""
    shape = (len(curves),) + (1,) * (t.ndim - 1 if own else t.ndim)
    floor, a, b, band, max_tokens, span, lo, hi, has_points = (c.reshape(shape) for c in _curve_columns(curves))
    clipped = np.clip(t, 1.0, max_tokens)
    z = a + b * np.log(clipped)
    mean = floor + span / (1.0 + np.exp(-z))
    ln_t = np.log(np.maximum(t, 1.0))
    has_points = has_points > 0.0
    fitted = np.maximum(0.0, np.maximum(lo - ln_t, ln_t - hi) - EXTRAPOLATION_TOLERANCE_LN)
    distance = np.where(has_points, fitted, 3.0)  # a curve without points is all prior
    extrapolated = distance > 0.0
    half = band + BAND_WIDENING_PTS_PER_LN * distance
    low = np.clip(mean - half, 0.0, 100.0)
    high = np.clip(mean + half, 0.0, 100.0)
    return mean, low, high, extrapolated


# ---------------------------------------------------------------- parallel


def _top_wrong_share(answer_format: str) -> float:
    if answer_format == "free":
        return FREE_FORM_TOP_WRONG_SHARE
    if answer_format.startswith("choice:") and answer_format[7:].isdigit() and int(answer_format[7:]) >= 2:
        return 1.0 / (int(answer_format[7:]) - 1)
    raise InputError(f"must be 'free' or 'choice:K' with K >= 2, got {answer_format!r}", field="answer_format")


def _phi(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7), vectorised without scipy."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-z * z)
    return 0.5 * (1.0 + np.sign(x) * erf)


def _majority_win(p: np.ndarray, n: np.ndarray, share: float) -> np.ndarray:
    """Chance the correct answer wins the vote of n samples for a problem with success p (n >= 2)."""
    q = share * (1.0 - p)
    d = p - q
    var = np.maximum(p + q - d * d, 1e-12)
    z = np.sqrt(np.maximum(n - 1.0, 0.0)) * d / np.sqrt(var)
    win = np.where(d > 0.0, _phi(z), 0.0)
    return np.maximum(p, win)


def _beta_nodes(m: np.ndarray, kappa: float):
    """Quadrature nodes and normalised weights of Beta(m kappa, (1-m) kappa) on (0, 1), one row per m.

    Each half of (0, 1) is mapped so the endpoint singularity p^(alpha-1) or (1-p)^(beta-1) is absorbed.
    """
    alpha, beta = (m * kappa)[:, None], ((1.0 - m) * kappa)[:, None]
    p_lo = 0.5 * _GL_T[None, :] ** (1.0 / alpha)
    w_lo = _GL_W[None, :] * (0.5**alpha / alpha) * (1.0 - p_lo) ** (beta - 1.0)
    p_hi = 1.0 - 0.5 * _GL_T[None, :] ** (1.0 / beta)
    w_hi = _GL_W[None, :] * (0.5**beta / beta) * p_hi ** (alpha - 1.0)
    p = np.concatenate([p_lo, p_hi], axis=1)
    w = np.concatenate([w_lo, w_hi], axis=1)
    return p, w / w.sum(axis=1, keepdims=True)


def _verifier_gain(m: float, kappa: float, n: np.ndarray) -> np.ndarray:
    alpha, beta = m * kappa, (1.0 - m) * kappa
    lg = np.vectorize(math.lgamma)
    miss = np.exp(lg(beta + n) + math.lgamma(alpha + beta) - math.lgamma(beta) - lg(alpha + beta + n))
    return np.maximum(1.0 - miss - m, 0.0)


EXACT_MAX_N = 40  # vote counts up to this N are enumerated exactly; above it the normal race is used


def _plurality_win(c: int, top: int, tied: int, _unused: int = 0) -> float:
    """Chance the correct answer (c votes) wins given the largest wrong count and how many answers tie it."""
    if c > top:
        return 1.0
    if c == top and c > 0:
        return 1.0 / (1 + tied)
    return 0.0


@lru_cache(maxsize=512)
def _exact_vote_weights(n: int, answer_format: str) -> np.ndarray:
    """g[c] = P(correct wins | c of n votes correct), so that W(p, n) = sum_c Binom(c; n, p) g[c].

    free: the wrong votes go to one common wrong answer (share FREE_FORM_TOP_WRONG_SHARE of the wrong mass)
    or to distinct one-off answers; choice:K: uniformly to the K-1 wrong options. Ties break uniformly.
    """
    g = np.zeros(n + 1)
    if answer_format == "free":
        s = FREE_FORM_TOP_WRONG_SHARE
        for c in range(n + 1):
            rem = n - c
            for w in range(rem + 1):
                r = rem - w  # one-off wrong answers, one vote each
                top = max(w, 1 if r > 0 else 0)
                tied = (1 if w == c else 0) + (r if c == 1 else 0)
                g[c] += math.comb(rem, w) * s**w * (1 - s) ** r * _plurality_win(c, top, tied, 0)
        return g
    return _choice_vote_weights(n, int(answer_format[7:]) - 1)


@lru_cache(maxsize=64)
def _below_powers(c: int, nmax: int) -> np.ndarray:
    """G[j, d] = coefficient of x^d in g(x)^j with g(x) = sum_{1 <= k < c} x^k / k! (j, d <= nmax)."""
    g = np.array([1.0 / math.factorial(k) if 1 <= k < c else 0.0 for k in range(nmax + 1)])
    powers = np.zeros((nmax + 1, nmax + 1))
    powers[0, 0] = 1.0
    for j in range(1, nmax + 1):
        powers[j] = np.convolve(powers[j - 1], g)[: nmax + 1]
    return powers


def _choice_vote_weights(n: int, options: int) -> np.ndarray:
    """g[c] for choice:K (options = K - 1 wrong options, each equally likely), in closed form: the rem = n - c wrong
    votes fall on j options with 1..c-1 votes, t options with exactly c (a tie) and the rest with none, so

        P(j, t) = L! / (j! t! (L-j-t)!) * rem! / L^rem * [x^(rem - c t)] g(x)^j / c!^t,

    summed over j, t with weight 1 / (1 + t). At most n options receive a vote, so the work is O(n^2 log n) per n
    whatever K is (choice:100000 costs what choice:50 does); the former per-option recursion grew with K."""
    g = np.zeros(n + 1)
    lg_l = math.lgamma(options + 1)
    ln_l = math.log(options)
    for c in range(1, n + 1):
        rem = n - c
        powers = _below_powers(c, EXACT_MAX_N)
        total = 0.0
        for t in range(0, min(rem // c, options) + 1):
            d = rem - c * t
            j = np.arange(0, min(d, options - t) + 1)
            log_w = (
                lg_l
                - np.array([math.lgamma(k + 1) + math.lgamma(options - k - t + 1) for k in j])
                - math.lgamma(t + 1)
                + math.lgamma(rem + 1)
                - rem * ln_l
                - t * math.lgamma(c + 1)
            )
            total += float(np.sum(np.exp(log_w) * powers[j, d])) / (1 + t)
        g[c] = total
    return g


def _exact_majority_win(p: np.ndarray, n: int, answer_format: str) -> np.ndarray:
    g = _exact_vote_weights(n, answer_format)
    c = np.arange(n + 1)
    coef = np.array([math.comb(n, k) for k in c], dtype=float)
    pmf = coef * p[..., None] ** c * (1.0 - p[..., None]) ** (n - c)
    return pmf @ g


@lru_cache(maxsize=256)
def _gain_table(aggregation: str, kappa: float, answer_format: str) -> np.ndarray:
    """Gain over pass@1 (fraction), shape (len(_M_GRID), len(_N_GRID)); monotone in both axes."""
    table = np.zeros((_M_GRID.size, _N_GRID.size))
    inner = _M_GRID[1:-1]  # m = 0 and m = 1 have no gain
    if aggregation == "verifier":
        for i, m in enumerate(inner, start=1):
            table[i] = _verifier_gain(m, kappa, _N_GRID)
    else:
        p, w = _beta_nodes(inner, kappa)
        share = _top_wrong_share(answer_format)
        column = {int(n): k for k, n in enumerate(_N_GRID) if 2 <= n <= EXACT_MAX_N}
        pmf = np.stack([1.0 - p, p], axis=-1)  # Binom(c; 1, p), grown one vote at a time
        for n in range(2, max(column) + 1):
            grown = np.zeros(p.shape + (n + 1,))
            grown[..., :-1] += pmf * (1.0 - p)[..., None]
            grown[..., 1:] += pmf * p[..., None]
            pmf = grown
            if n in column:
                win = pmf @ _exact_vote_weights(n, answer_format)
                table[1:-1, column[n]] = np.maximum(np.sum(w * (win - p), axis=1), 0.0)
        for k, n in enumerate(_N_GRID):
            if n > EXACT_MAX_N:
                win = _majority_win(p, n, share)
                table[1:-1, k] = np.maximum(np.sum(w * (win - p), axis=1), 0.0)
    table[:, 0] = 0.0  # N = 1 is pass@1 exactly
    acc = np.minimum(_M_GRID[:, None] + table, 1.0)
    acc = np.maximum.accumulate(acc, axis=1)  # repair quadrature noise: non-decreasing in N
    acc = np.maximum.accumulate(acc, axis=0)  # and in pass@1
    return acc - _M_GRID[:, None]


@lru_cache(maxsize=256)
def _accuracy_table(aggregation: str, kappa: float, answer_format: str) -> np.ndarray:
    """pass@1 + gain on the (m, ln N) grid, flattened for one-dimensional gathers (read-only: shared)."""
    table = (_M_GRID[:, None] + _gain_table(aggregation, kappa, answer_format)).ravel()
    table.flags.writeable = False
    return table


def _grid_index(m: np.ndarray, ln_n: np.ndarray):
    """Cell corners (flat indices) and fractions on the (m, ln N) grid, computed once and shared by every table."""
    fm = np.clip(m, 0.0, 1.0) * (_M_GRID.size - 1)
    i = np.minimum(fm.astype(int), _M_GRID.size - 2)
    u = fm - i
    ln_n = np.clip(ln_n, 0.0, _LN_N_GRID[-1])
    j = np.clip(np.searchsorted(_LN_N_GRID, ln_n, side="right") - 1, 0, _LN_N_GRID.size - 2)
    v = (ln_n - _LN_N_GRID[j]) / (_LN_N_GRID[j + 1] - _LN_N_GRID[j])
    k00 = i * _LN_N_GRID.size + j
    k10 = k00 + _LN_N_GRID.size
    return k00, k00 + 1, k10, k10 + 1, u, 1 - u, v, 1 - v


def _interp_accuracy(table: np.ndarray, index) -> np.ndarray:
    """Bilinear interpolation of pass@1 + gain (an ``_accuracy_table``); monotone in both axes because the grid is."""
    k00, k01, k10, k11, u, one_minus_u, v, one_minus_v = index
    a00, a01, a10, a11 = table.take(k00), table.take(k01), table.take(k10), table.take(k11)
    return one_minus_u * (one_minus_v * a00 + v * a01) + u * (one_minus_v * a10 + v * a11)


def parallel_pct(
    pass1_pct,
    samples,
    aggregation: str,
    answer_format: str = "free",
    concentration: float = DEFAULT_CONCENTRATION,
    scorer_quality: float = 0.5,
    concentration_band: tuple | None = None,
    verifier_concentration: float | None = None,
    verifier_band: tuple | None = None,
):
    """(mean, low, high) percent accuracy of N samples aggregated by majority, verifier or scorer.

    ``concentration`` drives the vote, ``verifier_concentration`` (default: the same) the oracle pass@N; both are
    fitted per task family to the published pairs of their kind. The band varies them over their bands (the
    spread of the per-pair fits), or x/÷ CONCENTRATION_BAND_FACTOR when none is given, and a scorer's quality by
    ±0.25; pass@1 is taken as exact here (task_accuracy adds the sequential band).
    """
    if aggregation not in AGGREGATIONS:
        raise InputError(f"must be one of {', '.join(AGGREGATIONS)}; got {aggregation!r}", field="aggregation")
    if not (concentration > 0 and math.isfinite(concentration)):
        raise InputError(f"must be a positive number, got {concentration!r}", field="concentration")
    if not (0.0 <= scorer_quality <= 1.0):
        raise InputError(f"must be between 0 and 1, got {scorer_quality!r}", field="scorer_quality")
    pass1 = np.clip(_finite(pass1_pct, "pass1_pct"), 0.0, 100.0)
    n = np.maximum(_finite(samples, "samples"), 1.0)
    pass1, n = np.broadcast_arrays(pass1, n)
    m = pass1 / 100.0
    _top_wrong_share(answer_format)  # rejects an unknown answer format even when one sample needs no share
    if not np.any(n > 1.0):  # one sample is pass@1 exactly (as below): skip building gain tables, ~0.1 s each cold
        flat = 100.0 * np.clip(m.ravel(), 0.0, 1.0)
        return flat.reshape(m.shape), flat.copy().reshape(m.shape), flat.copy().reshape(m.shape)
    index = _grid_index(m.ravel(), np.log(n).ravel())
    if concentration_band is None:
        concentration_band = (concentration / CONCENTRATION_BAND_FACTOR, concentration * CONCENTRATION_BAND_FACTOR)
    kappas = (concentration, min(concentration_band[0], concentration), max(concentration_band[1], concentration))
    if verifier_concentration is None:
        verifier_concentration, verifier_band = concentration, concentration_band
    if verifier_band is None:
        verifier_band = (
            verifier_concentration / CONCENTRATION_BAND_FACTOR,
            verifier_concentration * CONCENTRATION_BAND_FACTOR,
        )
    vkappas = (
        verifier_concentration,
        min(verifier_band[0], verifier_concentration),
        max(verifier_band[1], verifier_concentration),
    )
    if aggregation == "scorer":
        qualities = (scorer_quality, max(scorer_quality - 0.25, 0.0), min(scorer_quality + 0.25, 1.0))
    else:
        qualities = (scorer_quality,)
    results = []
    for kappa, vkappa in zip(kappas, vkappas, strict=False):
        kappa, vkappa = float(round(kappa, 9)), float(round(vkappa, 9))
        if aggregation == "verifier":
            results.append(_interp_accuracy(_accuracy_table("verifier", vkappa, "free"), index))
            continue
        majority = _interp_accuracy(_accuracy_table("majority", kappa, answer_format), index)
        if aggregation == "majority":
            results.append(majority)
            continue
        verifier = _interp_accuracy(_accuracy_table("verifier", vkappa, "free"), index)
        for quality in qualities:
            results.append(majority + quality * np.maximum(verifier - majority, 0.0))
    flat_m, flat_n = m.ravel(), n.ravel()
    stack = np.stack([np.where(flat_n <= 1.0, flat_m, np.maximum(r, flat_m)) for r in results])
    stack = 100.0 * np.clip(stack, 0.0, 1.0)
    mean = stack[0]
    low, high = stack.min(axis=0), stack.max(axis=0)
    shape = m.shape
    return mean.reshape(shape), low.reshape(shape), high.reshape(shape)


def parallel_mean_pct(
    pass1_pct,
    samples,
    aggregation: str,
    answer_format: str = "free",
    concentration: float = DEFAULT_CONCENTRATION,
    scorer_quality: float = 0.5,
    verifier_concentration: float | None = None,
) -> np.ndarray:
    """The mean of parallel_pct without the band (one table lookup; used by the offline fits)."""
    m = np.clip(_finite(pass1_pct, "pass1_pct"), 0.0, 100.0) / 100.0
    n = np.maximum(_finite(samples, "samples"), 1.0)
    m, n = np.broadcast_arrays(m, n)
    if not np.any(n > 1.0):  # one sample is pass@1 exactly (as below), without building gain tables (start-up)
        return 100.0 * np.clip(m, 0.0, 1.0)
    index = _grid_index(m.ravel(), np.log(n).ravel())
    kappa = float(round(concentration, 9))
    vkappa = kappa if verifier_concentration is None else float(round(verifier_concentration, 9))
    if aggregation == "verifier":
        acc = _interp_accuracy(_accuracy_table("verifier", vkappa, "free"), index)
    else:
        acc = _interp_accuracy(_accuracy_table("majority", kappa, answer_format), index)
        if aggregation == "scorer":
            ver = _interp_accuracy(_accuracy_table("verifier", vkappa, "free"), index)
            acc = acc + scorer_quality * np.maximum(ver - acc, 0.0)
    flat_m, flat_n = m.ravel(), n.ravel()
    acc = np.where(flat_n <= 1.0, flat_m, np.maximum(acc, flat_m))
    return (100.0 * np.clip(acc, 0.0, 1.0)).reshape(m.shape)


# ---------------------------------------------------------------- combined


def has_curve(task: TaskProfile, accuracy_id: str) -> bool:
    return accuracy_id in task.curves


def task_accuracy(
    task: TaskProfile,
    accuracy_id: str,
    reasoning_tokens,
    samples=1,
    aggregation: str = "majority",
    scorer_quality: float = 0.5,
) -> AccuracyEstimate:
    """Accuracy of `samples` samples of `reasoning_tokens` each on a task, with a combined band.

    The sequential curve gives pass@1 and its band; the band's ends go through the parallel model with
    the concentration x/÷ 2, so the result's band covers both sources of uncertainty.
    """
    return task_accuracy_many(task, (accuracy_id,), reasoning_tokens, samples, aggregation, scorer_quality)[accuracy_id]


def _parallel_bands(task: TaskProfile, stack: np.ndarray, n, aggregation: str, scorer_quality: float):
    """N-sample accuracy of stacked (mean, low, high) pass@1 rows: the mean's estimate and a band that is the
    low end's low and the high end's high, never excluding the mean."""
    mean, low, high = parallel_pct(
        stack,
        n,
        aggregation=aggregation,
        answer_format=task.answer_format,
        concentration=task.concentration,
        scorer_quality=scorer_quality,
        **parallel_settings(task),
    )
    m = mean[:, 0]
    return m, np.minimum(low[:, 1], m), np.maximum(high[:, 2], m)


def task_accuracy_many(
    task: TaskProfile,
    accuracy_ids,
    reasoning_tokens,
    samples=1,
    aggregation: str = "majority",
    scorer_quality: float = 0.5,
) -> dict[str, AccuracyEstimate]:
    """``task_accuracy`` for several models at once: their pass@1 values (mean and band ends) go through the
    parallel model in one vectorised call, which is what keeps a 25-model task fast on the slider path."""
    _known_curves(task, accuracy_ids)
    ids = tuple(accuracy_ids)
    if not ids:
        return {}
    t = _finite(reasoning_tokens, "reasoning_tokens")
    seq_mean, seq_low, seq_high, seq_extrap = _sequential_many([task.curves[i] for i in ids], t)
    shape = np.broadcast_shapes(t.shape, np.shape(samples))
    stack = np.ascontiguousarray(
        np.broadcast_to(np.stack([seq_mean, seq_low, seq_high], axis=1), (len(ids), 3) + shape)
    )  # (ids, 3, ...)
    n = np.broadcast_to(np.asarray(samples, dtype=float), stack.shape)
    m, low_band, high_band = _parallel_bands(task, stack, n, aggregation, scorer_quality)
    extrap = np.broadcast_to(seq_extrap, (len(ids),) + shape).astype(bool)
    beyond = np.broadcast_to(
        t > np.array([task.curves[i].max_tokens for i in ids]).reshape((-1,) + (1,) * t.ndim), (len(ids),) + shape
    )
    return {
        accuracy_id: AccuracyEstimate(
            mean_pct=m[k],
            low_pct=low_band[k],
            high_pct=high_band[k],
            extrapolated=extrap[k],
            basis=task.curves[accuracy_id].basis,
            beyond_max=beyond[k],
        )
        for k, accuracy_id in enumerate(ids)
    }


def _known_curves(task: TaskProfile, accuracy_ids) -> None:
    for accuracy_id in accuracy_ids:
        if accuracy_id not in task.curves:
            known = ", ".join(sorted(task.curves))
            raise InputError(
                f"no accuracy curve for {accuracy_id!r} on task {task.id!r}; known: {known}", field="accuracy_id"
            )


def task_accuracy_points(
    task: TaskProfile,
    accuracy_ids: tuple,
    reasoning_tokens: np.ndarray,
    samples: np.ndarray,
    aggregation: str,
    scorer_quality: float,
) -> tuple:
    """``task_accuracy_many`` where each model has points of its own: ``reasoning_tokens`` and ``samples`` are
    (models, P), row k for accuracy_ids[k]; returns (mean, low, high, extrapolated), each (models, P). The same
    numbers element by element, without every model at every other model's points (the planner's exact
    accuracy at the chosen budgets needs ~100 of 2,400)."""
    _known_curves(task, accuracy_ids)
    t = _finite(reasoning_tokens, "reasoning_tokens")
    seq_mean, seq_low, seq_high, seq_extrap = _sequential_many([task.curves[i] for i in accuracy_ids], t, own=True)
    stack = np.ascontiguousarray(np.stack([seq_mean, seq_low, seq_high], axis=1))  # (models, 3, P)
    n = np.broadcast_to(np.asarray(samples, dtype=float)[:, None, :], stack.shape)
    return (*_parallel_bands(task, stack, n, aggregation, scorer_quality), seq_extrap.astype(bool))


def parallel_settings(task: TaskProfile) -> dict:
    """The task's concentration bands and verifier concentration as parallel_pct keyword arguments."""
    verifier_band = None
    if task.verifier_concentration_low is not None and task.verifier_concentration_high is not None:
        verifier_band = (task.verifier_concentration_low, task.verifier_concentration_high)
    return {
        "concentration_band": concentration_band(task),
        "verifier_concentration": task.verifier_concentration,
        "verifier_band": verifier_band,
    }


def concentration_band(task: TaskProfile) -> tuple | None:
    """The task's fitted concentration spread, or None (then x/÷ CONCENTRATION_BAND_FACTOR)."""
    if task.concentration_low is None or task.concentration_high is None:
        return None
    return (task.concentration_low, task.concentration_high)


def effort_tokens(task: TaskProfile, accuracy_id: str, effort: str | None = None) -> tuple[float, str, str]:
    """(reasoning tokens per problem, level, how) of a model's effort level on a task; ``effort`` None: the
    model's default level. Unknown model or level: InputError naming the known ones."""
    curve = task.curves.get(accuracy_id)
    if curve is None:
        raise InputError(f"no accuracy data for {accuracy_id!r} on task {task.id!r}", field="accuracy_id")
    if not curve.effort_tokens:
        raise InputError(
            f"{accuracy_id!r} has no effort levels on task {task.id!r}; give reasoning tokens", field="effort"
        )
    level = effort if effort is not None else (curve.default_effort or next(iter(curve.effort_tokens)))
    if level not in curve.effort_tokens:
        raise InputError(
            f"unknown effort {level!r} for {accuracy_id!r}; known: {', '.join(curve.effort_tokens)}", field="effort"
        )
    return float(curve.effort_tokens[level]), level, str(curve.effort_basis.get(level, ""))


def check_budget(task: TaskProfile, accuracy_id: str, reasoning_tokens: float) -> None:
    """InputError when a budget exceeds the model's maximum reasoning tokens: refused, never extrapolated."""
    curve = task.curves[accuracy_id]
    if reasoning_tokens > curve.max_tokens:
        raise InputError(
            f"{reasoning_tokens:g} reasoning tokens exceed {accuracy_id}'s maximum of {curve.max_tokens:g} "
            f"({curve.fit_note.split('max_tokens', 1)[-1].split(';')[0].strip(' =') or 'see catalog'})",
            field="reasoning_tokens",
        )


def point_basis(task: TaskProfile, accuracy_id: str, reasoning_tokens: float, samples: int = 1) -> str:
    """'published' where a single-sample budget sits on one of the task's published points (within 5%), 'fitted'
    elsewhere on a published curve, 'estimated_from_other_tasks' for an estimated curve."""
    curve = task.curves[accuracy_id]
    if curve.basis != "published":
        return curve.basis
    on_point = any(
        point_setting(p)[0] == 1
        and abs(math.log(max(reasoning_tokens, 1.0) / p.reasoning_tokens)) <= EXTRAPOLATION_TOLERANCE_LN
        for p in curve.points
    )
    return "published" if on_point and samples == 1 else "fitted"


_SAMPLES_TAG = re.compile(r"\[samples=(\d+) (majority|verifier|scorer)\]")


def point_setting(point: CurvePoint) -> tuple[int, str]:
    """(samples, aggregation) of a published point: labels of multi-sample points end in
    '[samples=N aggregation]' (e.g. o3-preview's ARC runs); everything else is one sample."""
    match = _SAMPLES_TAG.search(point.label)
    if not match:
        return 1, "majority"
    return int(match.group(1)), match.group(2)


# ---------------------------------------------------------------- fidelity benchmark

# o1's learned scorer (AIME re-rank of 1000 samples) is modelled at the default scorer quality 0.5 (not
# fitted); fit_accuracy.py fits the AIME concentration to both AIME rows with it.
FIDELITY_SCORER_QUALITY = 0.5


# ttc_parallel_calibration.csv (project data), copied so the benchmark needs no files outside the package.
CALIBRATION_ROWS = (
    {
        "case": "o1-aime-cons64",
        "task": "maths-olympiad",
        "pass1_pct": 74.4,
        "samples": 64,
        "aggregate": "majority",
        "answer_format": "free",
        "measured_pct": 83.3,
        "source": "https://openai.com/index/learning-to-reason-with-llms/",
    },
    {
        "case": "o1-gpqa-cons64",
        "task": "science-qa",
        "pass1_pct": 77.3,
        "samples": 64,
        "aggregate": "majority",
        "answer_format": "choice:4",
        "measured_pct": 78.0,
        "source": "https://openai.com/index/learning-to-reason-with-llms/",
    },
    {
        "case": "o1-aime-rerank1000",
        "task": "maths-olympiad",
        "pass1_pct": 74.4,
        "samples": 1000,
        "aggregate": "scorer",
        "answer_format": "free",
        "measured_pct": 93.0,
        "source": "https://openai.com/index/learning-to-reason-with-llms/",
    },
)


def parallel_fidelity_rows(tasks=None) -> list[dict]:
    """Predicted vs measured for every calibration row (the parallel part of tests/benchmarks/fidelity.py).

    All three rows were used to fit the AIME and GPQA concentrations (AIME: one kappa for two rows at scorer
    quality 0.5, so its two errors are a partial test; GPQA: kappa at its lower bound), so these rows check
    the fit, they do not validate the model out of sample.
    """
    if tasks is None:
        from ttcplanner.model.catalog import load_file
        from ttcplanner.paths import catalog_dir

        _, _, tasks = load_file(catalog_dir() / "tasks.json")
    rows = []
    for r in CALIBRATION_ROWS:
        task = tasks[r["task"]]
        quality = task.scorer_quality if task.scorer_quality is not None else FIDELITY_SCORER_QUALITY
        mean, low, high = parallel_pct(
            r["pass1_pct"],
            r["samples"],
            r["aggregate"],
            r["answer_format"],
            task.concentration,
            quality,
            **parallel_settings(task),
        )
        rows.append(
            {
                "case": r["case"],
                "pass1_pct": r["pass1_pct"],
                "samples": r["samples"],
                "aggregate": r["aggregate"],
                "answer_format": r["answer_format"],
                "predicted_pct": round(float(mean), 2),
                "low_pct": round(float(low), 2),
                "high_pct": round(float(high), 2),
                "measured_pct": r["measured_pct"],
                "error_pts": round(float(mean) - r["measured_pct"], 2),
            }
        )
    return rows
