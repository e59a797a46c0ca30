"""Serving estimates of an option set's GPU rows at given budgets, memoised on the budgets and the serving
inputs (volume, price and accuracy-target moves reuse them), and what a replica then costs per request."""

from __future__ import annotations

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.memo import memo, memo_rows
from ttcplanner.model.options import OptionSet
from ttcplanner.model.serving import ServingEstimate, Setup, estimate_for_latency

# what a serving estimate reads from the scenario
SERVING_READS = (
    "input_tokens",
    "answer_tokens",
    "latency_target_s",
    "prefix_cache",
    "speculative_draft_tokens",
    "speculative_acceptance",
    "ttft_target_s",
)
_TOL = 1 + 1e-9


@memo(16)
def setup_rows(setup: Setup, pos: np.ndarray, ndim: int) -> Setup:
    """The Setup's rows ``pos``, shaped (rows, 1, ...) with ``ndim`` axes to broadcast against budgets."""
    shape = (len(pos),) + (1,) * (ndim - 1)
    return Setup(**{k: np.asarray(v)[pos].reshape(shape) for k, v in vars(setup).items()})


@memo(64, reads=SERVING_READS)
def estimate_rows(s, setup: Setup, pos: np.ndarray, tokens: np.ndarray, samples: np.ndarray) -> ServingEstimate:
    """The estimate of GPU rows ``pos`` (positions in the option set's gpu_rows) at reasoning ``tokens`` per
    sample and ``samples``, both (len(pos), C)."""
    return _estimate(s, setup, pos, tokens, samples)


@memo_rows(1_000, reads=SERVING_READS)
def estimate_rows_kept(s, setup: Setup, pos: np.ndarray, tokens: np.ndarray, samples: np.ndarray) -> ServingEstimate:
    """``estimate_rows`` with each row kept apart: for a few rows at many budgets that recur in other sets of rows
    (the budget grid of each model's cheapest row, which a target step moves from row to row). Unpacking rows
    costs about a microsecond each, so thousands of rows at one budget each are cheaper estimated whole."""
    return _estimate(s, setup, pos, tokens, samples)


def _estimate(s, setup: Setup, pos: np.ndarray, tokens: np.ndarray, samples: np.ndarray) -> ServingEstimate:
    return estimate_for_latency(
        setup_rows(setup, pos, 2),
        s.input_tokens,
        tokens + s.answer_tokens,
        s.latency_target_s,
        samples=samples,
        prefix_cache=s.prefix_cache,
        draft_tokens=s.speculative_draft_tokens,
        acceptance=s.speculative_acceptance,
        ttft_target_s=s.ttft_target_s,
    )


@memo(32, reads=SERVING_READS + ("reasoning_tokens", "samples"))
def estimate_fixed(s, setup: Setup) -> ServingEstimate:
    """Every GPU row at the scenario's own budget (fixed mode)."""
    return estimate_for_latency(
        setup,
        s.input_tokens,
        s.reasoning_tokens + s.answer_tokens,
        s.latency_target_s,
        samples=s.samples,
        prefix_cache=s.prefix_cache,
        draft_tokens=s.speculative_draft_tokens,
        acceptance=s.speculative_acceptance,
        ttft_target_s=s.ttft_target_s,
    )


def served(s, est: ServingEstimate) -> np.ndarray:
    """Where the estimate fits in memory and meets the latency and first-token targets."""
    return est.fits & (est.latency_s <= s.latency_target_s * _TOL) & ~(est.ttft_p95_s > s.ttft_target_s * _TOL)


def cost_per_request(s, opts: OptionSet, g: np.ndarray, est: ServingEstimate) -> np.ndarray:
    """$ per request of GPU rows ``g`` (the estimate's leading axis) at the scenario's volume; inf where not
    served."""
    hour = costs.gpu_hour_for(opts, g, s)
    reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, est.requests_per_s)
    monthly = costs.gpu_monthly_usd(reps, opts.gpus_per_replica[g, None], hour[:, None])
    with np.errstate(invalid="ignore"):
        return np.where(
            served(s, est) & np.isfinite(monthly), monthly / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf
        )
