"""Difficulty spread from per-problem results: a beta-binomial fit with bands from the number of problems.

Why: parallel sampling pays off on problems a model solves sometimes, not on ones it always or never
solves; per-problem pass counts show which, so the Beta(alpha, beta) spread of per-problem success is
fitted from the user's own results instead of borrowed from a public benchmark.

Model: each problem's single-sample success p ~ Beta(m kappa, (1 - m) kappa); a problem tried n times
is right k times, k ~ BetaBinomial(n, alpha, beta). Each group (a model at one setting) has its own mean
m (its observed pass@1); the concentration kappa is shared by the task (the planner uses one per task)
and fitted by maximum likelihood on all groups' counts. Then
- pass@N with a verifier = 1 - B(alpha, beta + N) / B(alpha, beta) (exact);
- majority vote of N = accuracy.parallel_mean_pct with the fitted kappa (the planner's own model).
Bands: the fit repeated on BOOTSTRAP_DRAWS resamples of the problems (the same problems for every group),
5th-95th percentile. kappa cannot be measured from one sample per problem (a Bernoulli has no spread):
then the prior accuracy.DEFAULT_CONCENTRATION is used and said so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ttcplanner.model import accuracy

KAPPA_MIN, KAPPA_MAX = 0.05, 1000.0  # the catalog's bounds of TaskProfile.concentration
BOOTSTRAP_DRAWS = 200
BAND_PERCENTILES = (5.0, 95.0)  # a 90% interval
_KAPPA_GRID = np.geomspace(KAPPA_MIN, KAPPA_MAX, 241)


@dataclass(frozen=True)
class GroupCounts:
    """Per-problem successes k of n tries for one group, aligned on the task's problem list (n = 0: not tried)."""

    k: np.ndarray
    n: np.ndarray

    @property
    def pass1(self) -> float:
        return float(self.k.sum() / self.n.sum())

    @property
    def problems(self) -> int:
        return int((self.n > 0).sum())


@dataclass(frozen=True)
class SpreadFit:
    kappa: float
    kappa_low: float
    kappa_high: float
    measured: bool  # False: one sample per problem everywhere, kappa is the prior
    pass1: tuple[float, ...]  # per group, fraction
    pass1_low: tuple[float, ...]
    pass1_high: tuple[float, ...]
    draws_pass1: np.ndarray  # (draws, groups)
    draws_kappa: np.ndarray  # (draws,)


def _clamped_mean(k: np.ndarray, n: np.ndarray) -> float:
    total = n.sum()
    return float(np.clip(k.sum() / total, 0.5 / total, 1.0 - 0.5 / total))


def _loglik(k: np.ndarray, n: np.ndarray, m: float, kappa: np.ndarray) -> np.ndarray:
    """Beta-binomial log likelihood (without the binomial coefficients) of one group at mean m, per kappa."""
    tried = n > 0
    k, n = k[tried].astype(int), n[tried].astype(int)
    top = int(n.max())
    steps = np.arange(top)
    a, b = (m * kappa)[:, None], ((1.0 - m) * kappa)[:, None]

    def cumulative(x):  # column j = sum_{i<j} ln(x + i)
        return np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(np.log(x + steps[None, :]), axis=1)], axis=1)

    count_k = np.bincount(k, minlength=top + 1)
    count_fail = np.bincount(n - k, minlength=top + 1)
    count_n = np.bincount(n, minlength=top + 1)
    return cumulative(a) @ count_k + cumulative(b) @ count_fail - cumulative(kappa[:, None]) @ count_n


def _best_kappa(groups: list[GroupCounts], means: list[float]) -> float:
    grid = _KAPPA_GRID
    for _ in range(2):
        total = sum(_loglik(g.k, g.n, m, grid) for g, m in zip(groups, means, strict=False))
        i = int(np.argmax(total))
        if i == grid.size - 1:
            return KAPPA_MAX  # no spread beyond binomial noise: problems look alike
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        grid = np.geomspace(lo, hi, 81)
    return float(grid[int(np.argmax(sum(_loglik(g.k, g.n, m, grid) for g, m in zip(groups, means, strict=False))))])


def fit_spread(groups: list[GroupCounts], seed: int = 0) -> SpreadFit:
    """Fit kappa (shared) and each group's pass@1, with bootstrap bands over problems."""
    measured = any(bool((g.n >= 2).any()) for g in groups)
    means = [_clamped_mean(g.k, g.n) for g in groups]
    kappa = _best_kappa(groups, means) if measured else accuracy.DEFAULT_CONCENTRATION
    rng = np.random.default_rng(seed)
    size = groups[0].n.size
    draws_kappa = np.empty(BOOTSTRAP_DRAWS)
    draws_pass1 = np.empty((BOOTSTRAP_DRAWS, len(groups)))
    for d in range(BOOTSTRAP_DRAWS):
        idx = rng.integers(0, size, size)
        resampled = [GroupCounts(g.k[idx], g.n[idx]) for g in groups]
        usable = [r for r in resampled if r.n.sum() > 0]
        for j, r in enumerate(resampled):
            draws_pass1[d, j] = r.pass1 if r.n.sum() > 0 else means[j]
        if measured and usable:
            draws_kappa[d] = _best_kappa(usable, [_clamped_mean(r.k, r.n) for r in usable])
        else:
            draws_kappa[d] = kappa
    lo_p, hi_p = BAND_PERCENTILES
    if measured:
        k_lo, k_hi = (float(np.percentile(draws_kappa, q)) for q in BAND_PERCENTILES)
    else:  # the prior's own spread where the accuracy model publishes one, else x/÷ its band factor
        k_lo, k_hi = getattr(
            accuracy,
            "PRIOR_CONCENTRATION_BAND",
            (kappa / accuracy.CONCENTRATION_BAND_FACTOR, kappa * accuracy.CONCENTRATION_BAND_FACTOR),
        )
    return SpreadFit(
        kappa=float(kappa),
        kappa_low=min(k_lo, kappa),
        kappa_high=max(k_hi, kappa),
        measured=measured,
        pass1=tuple(g.pass1 for g in groups),
        pass1_low=tuple(float(x) for x in np.percentile(draws_pass1, lo_p, axis=0)),
        pass1_high=tuple(float(x) for x in np.percentile(draws_pass1, hi_p, axis=0)),
        draws_pass1=draws_pass1,
        draws_kappa=draws_kappa,
    )


def verifier_pass_at(m, kappa, samples) -> np.ndarray:
    """pass@N with a perfect verifier: 1 - B(alpha, beta + N) / B(alpha, beta), as a fraction."""
    m = np.clip(np.asarray(m, dtype=float), 1e-12, 1.0 - 1e-12)
    kappa = np.asarray(kappa, dtype=float)
    n = np.asarray(samples, dtype=float)
    lg = np.vectorize(math.lgamma, otypes=[float])
    beta = (1.0 - m) * kappa
    miss = np.exp(lg(beta + n) + lg(kappa) - lg(beta) - lg(kappa + n))
    return 1.0 - miss


def predict_pct(
    fit: SpreadFit, group: int, samples: int, aggregation: str, answer_format: str = "free"
) -> tuple[float, float, float]:
    """(mean, low, high) percent accuracy of ``samples`` samples for one group: verifier or majority."""
    if aggregation not in ("verifier", "majority"):
        raise ValueError(f"aggregation must be verifier or majority, got {aggregation!r}")

    def at(m, kappa):
        if aggregation == "verifier":
            return 100.0 * verifier_pass_at(m, kappa, samples)
        kappa = float(np.clip(round(float(kappa), 6), KAPPA_MIN, KAPPA_MAX))
        return accuracy.parallel_mean_pct(100.0 * np.asarray(m), samples, "majority", answer_format, kappa)

    mean = float(at(fit.pass1[group], fit.kappa))
    if aggregation == "verifier":
        draws = np.asarray(at(fit.draws_pass1[:, group], fit.draws_kappa))
    else:  # one vote table per kappa (~0.5 s each to build): the band's two ends, crossed with the pass@1 draws
        kappas = np.unique(np.round(np.percentile(fit.draws_kappa, BAND_PERCENTILES), 6))
        draws = np.concatenate([np.asarray(at(fit.draws_pass1[:, group], k)) for k in kappas])
    lo, hi = (float(np.percentile(draws, q)) for q in BAND_PERCENTILES)
    return mean, min(lo, mean), max(hi, mean)
