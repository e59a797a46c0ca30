"""Every option at its budget: accuracy, cost, latency, whether it meets the targets and, if not, the first
reason why (a ``WhyNot`` code); then the choice: the cheapest eligible option overall and of each kind."""

from __future__ import annotations

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.accuracy_table import accuracy_at
from ttcplanner.model.budget import Budgets
from ttcplanner.model.option_index import basis_of, batch, max_tokens, option_index
from ttcplanner.model.options import KINDS, OptionSet
from ttcplanner.model.plan import OptionResults, WhyNot
from ttcplanner.model.serving_rows import estimate_fixed

_TOL = 1 + 1e-9


def operating_point(
    s, task, opts: OptionSet, budgets: Budgets, shift_pts: float = 0.0, serving: dict | None = None
) -> OptionResults:
    """``serving``: the GPU rows' estimates at their budgets (auto mode: the search's); fixed mode estimates
    every GPU row at the scenario's budget."""
    n = opts.size
    mean, low, high, extrap = accuracy_at(s, task, opts, budgets, shift_pts)
    has_acc = np.isfinite(mean)
    tokens, samples = budgets.reasoning_tokens, budgets.samples
    output_tokens = tokens + s.answer_tokens
    index = option_index(opts)
    is_token = index.is_token
    on_batch = batch(s.latency_target_s, opts)
    cpr = costs.token_offer_cost_per_request(
        opts.prices, s.input_tokens, tokens, s.answer_tokens, samples, s.cached_input_fraction, s.prefix_cache, on_batch
    )
    speed = opts.tokens_per_s_per_user.copy()
    latency = opts.ttft_s + output_tokens / speed
    latency = np.where(on_batch, np.minimum(latency, costs.BATCH_LATENCY_S), latency)
    ttft = opts.ttft_s.copy()
    in_context = (s.input_tokens + output_tokens <= opts.context_tokens) & (output_tokens <= costs.output_caps(opts))
    within_limits = costs.rows_within_rate_limits(opts, s, output_tokens, samples)
    fits = is_token & in_context & within_limits
    monthly = costs.monthly_from_per_request(cpr, s.requests_per_day)
    replicas = np.zeros(n)
    gpus_total = np.zeros(n)
    concurrency = np.zeros(n)
    utilization = np.full(n, np.nan)
    rate = np.zeros(n)
    replica_hour = np.full(n, np.nan)
    calibrated = np.zeros(n, dtype=bool)
    if opts.setup is not None:
        g = opts.gpu_rows
        est = serving if serving is not None else vars(estimate_fixed(s, opts.setup))
        per, hour = opts.gpus_per_replica[g], costs.gpu_hour_for(opts, g, s)
        reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, est["requests_per_s"])
        gm = costs.gpu_monthly_usd(reps, per, hour)
        ok = est["fits"] & np.isfinite(hour) & np.isfinite(reps)
        fits[g] = est["fits"]
        monthly[g] = np.where(ok, gm, np.inf)
        cpr[g] = np.where(ok, gm / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf)
        latency[g], ttft[g] = est["latency_s"], est["ttft_p95_s"]
        speed[g] = est["output_tokens_per_s_per_user"]
        replicas[g] = np.where(ok, reps, 0)
        gpus_total[g] = replicas[g] * per
        concurrency[g] = est["concurrency"]
        rate[g] = est["requests_per_s"]
        replica_hour[g] = per * hour
        calibrated[g] = est["calibrated_by_user"]
        with np.errstate(divide="ignore", invalid="ignore"):
            utilization[g] = np.where(
                ok, s.requests_per_day / costs.SECONDS_PER_DAY / (reps * est["requests_per_s"]), np.nan
            )
    most = max_tokens(task, opts)
    beyond = tokens > most * _TOL  # above the model's maximum reasoning: refused
    meets_acc = has_acc & (mean >= s.target_accuracy_pct - 1e-9) & ~beyond
    meets_lat = np.isfinite(latency) & (latency <= s.latency_target_s * _TOL) & ~(ttft > s.ttft_target_s * _TOL)
    allowed = index.is_gpu | (not s.on_prem_only)
    costed = np.isfinite(monthly)
    eligible = meets_acc & meets_lat & fits & allowed & costed
    why = _why_not(is_token, allowed, has_acc, fits, costed, meets_lat, meets_acc)
    why[is_token & in_context & ~within_limits & ~fits & (why == WhyNot.NO_CONTEXT)] = WhyNot.RATE_LIMIT
    why[beyond & has_acc & allowed] = WhyNot.MAX_TOKENS
    return OptionResults(
        accuracy_pct=mean,
        low_pct=low,
        high_pct=high,
        extrapolated=extrap,
        has_accuracy=has_acc,
        fits=fits,
        cost_per_request_usd=cpr,
        monthly_usd=monthly,
        latency_s=latency,
        ttft_s=ttft,
        tokens_per_s_per_user=speed,
        replicas=replicas,
        gpus_total=gpus_total,
        concurrency=concurrency,
        utilization=utilization,
        replica_requests_per_s=rate,
        usd_per_replica_hour=replica_hour,
        meets_accuracy=meets_acc,
        meets_latency=meets_lat,
        allowed=allowed,
        eligible=eligible,
        batch=on_batch,
        why_not=why,
        calibrated_by_user=calibrated,
        reasoning_tokens=tokens,
        samples=samples,
        effort=budgets.effort,
        accuracy_basis=basis_of(task, opts),
        max_tokens=most,
    )


def _why_not(is_token, allowed, has_acc, fits, costed, meets_lat, meets_acc) -> np.ndarray:
    """The first reason each option is not eligible (WhyNot.ELIGIBLE when it is): the last test that fails is
    the first reason."""
    code = np.full(len(allowed), WhyNot.ELIGIBLE, dtype=np.int8)
    code[~meets_acc] = WhyNot.ACCURACY
    code[~meets_lat] = WhyNot.LATENCY
    code[~costed] = np.where(is_token[~costed], WhyNot.NO_PRICE, WhyNot.NO_GPU_PRICE)
    code[~fits] = np.where(is_token[~fits], WhyNot.NO_CONTEXT, WhyNot.NO_MEMORY)
    code[~has_acc] = WhyNot.NO_ACCURACY
    code[~allowed] = WhyNot.OFF_PREMISES
    return code


def _argmin(values: np.ndarray, mask: np.ndarray, accuracy: np.ndarray) -> int | None:
    """The cheapest row in ``mask``; of equally cheap rows the most accurate (so no option dominates it)."""
    if not mask.any():
        return None
    masked = np.where(mask, values, np.inf)
    tied = np.flatnonzero(masked <= masked.min())
    return int(tied[np.argmax(accuracy[tied])]) if len(tied) > 1 else int(tied[0])


def choose(opts: OptionSet, r: OptionResults):
    """(recommended option or None, best option per kind, status: 'ok' | 'target_missed' | 'nothing_feasible').
    When no option meets every target, the most accurate that meets the others is shown instead."""
    of_kind = option_index(opts).of_kind
    best = {k: _argmin(r.monthly_usd, r.eligible & of_kind[k], r.accuracy_pct) for k in KINDS}
    rec = _argmin(r.monthly_usd, r.eligible, r.accuracy_pct)
    if rec is not None:
        return rec, best, "ok"
    feasible = r.has_accuracy & r.fits & r.meets_latency & r.allowed & np.isfinite(r.monthly_usd)
    if feasible.any():
        acc = np.where(feasible, r.accuracy_pct, -np.inf)
        top = np.flatnonzero(acc >= acc.max() - 1e-9)
        return int(top[np.argmin(r.monthly_usd[top])]), best, "target_missed"
    return None, best, "nothing_feasible"
