"""The plan's curves: monthly cost per kind along the volume axis (and the break-evens), cost per request
along the budget grid for the drawn options, the Pareto frontier, and the whole option grid
(``evaluate_grid``)."""

from __future__ import annotations

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.accuracy import task_accuracy
from ttcplanner.model.accuracy_table import accuracy_rows
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.memo import memo
from ttcplanner.model.option_index import option_index
from ttcplanner.model.options import KINDS, OptionSet, scenario_options
from ttcplanner.model.plan import BUDGET_GRID, VOLUME_GRID, Adjustments, BreakEven, CostCurve, Grid, OptionResults
from ttcplanner.model.serving import Setup, estimate_for_latency
from ttcplanner.model.serving_rows import cost_per_request, estimate_rows_kept

GRID_CHUNK_POINTS = 1 << 16  # GPU grid points per serving pass: keeps temporaries in cache, time linear


# ---------------------------------------------------------------- volume curves and break-evens


def volume_curves_and_break_evens(s, opts: OptionSet, r: OptionResults):
    """For each kind, the cheapest option that meets the targets at each volume (inf where none; new arrays),
    and the volumes where the cheapest kind changes. Memoised on what they read: the rows on the curves, token
    offers' $ per request, GPU replicas' rate and $ per hour, which the volume and usually the accuracy target
    leave unchanged."""
    fits = r.fits | costs.over_rate_limit_only(opts, s, r)
    base = r.meets_accuracy & r.meets_latency & fits & r.allowed & np.isfinite(r.monthly_usd)
    index = option_index(opts)
    token, gpu = base & index.is_token, base & index.is_gpu
    volume, breaks = _volume(
        s,
        opts,
        base,
        np.where(token, r.cost_per_request_usd, 0.0),
        np.where(gpu, r.replica_requests_per_s, 0.0),
        np.where(gpu, r.usd_per_replica_hour, 0.0),
    )
    return {k: v.copy() for k, v in volume.items()}, breaks


# rate-limit tiers (costs.tier_allows) read these
@memo(32, reads=("peak_to_average", "samples", "input_tokens", "reasoning_tokens", "answer_tokens"))
def _volume(s, opts: OptionSet, base: np.ndarray, cpr: np.ndarray, rate: np.ndarray, hour: np.ndarray):
    out = {}
    of_kind = option_index(opts).of_kind
    for k in KINDS:
        rows = np.flatnonzero(base & of_kind[k])
        out[k] = (
            _monthly_at_volumes(s, opts, cpr, rate, hour, rows, VOLUME_GRID).min(axis=0)
            if len(rows)
            else np.full(VOLUME_GRID.shape, np.inf)
        )
    return out, _break_evens(out)


def _monthly_at_volumes(s, opts: OptionSet, cpr, rate, hour, rows: np.ndarray, volumes: np.ndarray) -> np.ndarray:
    """Monthly $ of ``rows`` at each volume (rows x volumes), every other input as in the scenario."""
    out = np.empty((len(rows), len(volumes)))
    token = opts.kind[rows] != "gpu"
    out[token] = np.where(
        costs.tier_allows(opts, rows[token], s, volumes),
        costs.monthly_from_per_request(cpr[rows[token], None], volumes[None, :]),
        np.inf,
    )
    g = rows[~token]
    reps = costs.replicas_needed(volumes[None, :], s.peak_to_average, rate[g, None])
    out[~token] = reps * hour[g, None] * costs.HOURS_PER_MONTH
    return out


def _break_evens(volume: dict[str, np.ndarray]) -> tuple[BreakEven, ...]:
    """Volumes where the cheapest kind changes (log-interpolated between grid points)."""
    stack = np.vstack([volume[k] for k in KINDS])
    finite = np.isfinite(stack).any(axis=0)
    winner = np.where(finite, np.argmin(stack, axis=0), -1)
    out = []
    for i in np.flatnonzero(winner[1:] != winner[:-1]):
        a, b = winner[i], winner[i + 1]
        if a < 0 or b < 0:
            continue
        x0, x1 = np.log(VOLUME_GRID[i]), np.log(VOLUME_GRID[i + 1])
        with np.errstate(divide="ignore", invalid="ignore"):  # a free tier costs $0; a capped one inf past its cap
            d0 = np.log(stack[a, i]) - np.log(stack[b, i])
            d1 = np.log(stack[a, i + 1]) - np.log(stack[b, i + 1])
        t = d0 / (d0 - d1) if np.isfinite(d0 - d1) and d0 != d1 else 0.5
        out.append(BreakEven(float(np.exp(x0 + np.clip(t, 0, 1) * (x1 - x0))), KINDS[a], KINDS[b]))
    return tuple(out)


# ---------------------------------------------------------------- cost per request along the budget grid


def grid_cost_per_request(
    s,
    opts: OptionSet,
    rows: np.ndarray,
    budgets: np.ndarray,
    samples: np.ndarray,
    on_batch: np.ndarray,
    per_row: bool = False,
) -> np.ndarray:
    """$ per request of ``rows`` at every (reasoning budget, samples) pair: shape (rows, budgets, samples);
    inf where the option cannot serve that point (memory, context or latency target).

    ``per_row`` (the cost curves): ``samples`` holds each row's own count, shape (rows, budgets, 1) (no row at
    another row's count), and what does not depend on the volume or the operating budget is kept (token offers'
    cost memoised, GPU rows' estimates kept row by row): for the curves' few rows, not for a big grid."""
    t = np.asarray(budgets, dtype=float)[None, :, None]
    n = np.asarray(samples, dtype=float)
    n = n[:, None, None] if per_row else n[None, None, :]
    out = np.full((len(rows), t.shape[1], n.shape[2]), np.inf)
    token = opts.kind[rows] != "gpu"
    tr = rows[token]
    if len(tr):
        nt = n[token] if per_row else n
        token_out = (_token_grid if per_row else _token_grid.__wrapped__)(s, opts, tr, on_batch[tr], t, nt)
        limited = tr[
            np.isfinite(opts.rate_limit_rpm[tr])
            | np.isfinite(opts.rate_limit_tpm[tr])
            | np.isfinite(opts.rate_limit_rpd[tr])
            | np.isfinite(opts.rate_limit_tpd[tr])
        ]
        if len(limited):  # rate-limit tiers depend on the volume: applied after the memo
            within = costs.within_rate_limits(
                opts.rate_limit_rpm[tr, None, None],
                opts.rate_limit_tpm[tr, None, None],
                s,
                t + s.answer_tokens,
                nt,
                opts.rate_limit_rpd[tr, None, None],
                opts.rate_limit_tpd[tr, None, None],
            )
            token_out = np.where(within, token_out, np.inf)
        out[token] = token_out
    g = rows[~token]
    if len(g) and per_row:
        # the cost curves' rows (each model's cheapest configuration) at the plots' budget grid: kept row by row, as
        # the budget search's grid is (a target step moves which row is a model's cheapest, rarely its estimate)
        pos = np.searchsorted(opts.gpu_rows, g)
        tt = np.ascontiguousarray(np.broadcast_to(t[0, :, 0], (len(g), t.shape[1])))
        nn = np.ascontiguousarray(np.broadcast_to(n[~token][:, :, 0], tt.shape))
        out[~token] = cost_per_request(s, opts, g, estimate_rows_kept(s, opts.setup, pos, tt, nn))[:, :, None]
    elif len(g):
        pos = np.searchsorted(opts.gpu_rows, g)
        hour = costs.gpu_hour_for(opts, g, s)
        per = opts.gpus_per_replica[g]
        gpu_out = np.empty((len(g), t.shape[1], n.shape[2]))
        step = max(1, GRID_CHUNK_POINTS // (t.shape[1] * n.shape[2]))
        served = _gpu_grid(s, opts.setup, pos, step, t, n)
        for (requests_per_s, ok), lo in zip(served, range(0, len(g), step), strict=True):
            sl = slice(lo, lo + step)
            reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, requests_per_s)
            monthly = costs.gpu_monthly_usd(reps, per[sl, None, None], hour[sl, None, None])
            gpu_out[sl] = np.where(ok, monthly / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf)
        out[~token] = gpu_out
    return out


@memo(64, reads=("input_tokens", "answer_tokens", "cached_input_fraction", "prefix_cache", "latency_target_s"))
def _token_grid(s, opts: OptionSet, tr: np.ndarray, on_batch: np.ndarray, t: np.ndarray, n: np.ndarray):
    """Token offers ``tr``'s $ per request on the grid (inf where latency, context or output caps rule it out)."""
    prices = {k: v[tr, None, None] for k, v in opts.prices.items()}
    b = on_batch[:, None, None]
    cost = costs.token_offer_cost_per_request(
        prices, s.input_tokens, t, s.answer_tokens, n, s.cached_input_fraction, s.prefix_cache, b
    )
    output = t + s.answer_tokens
    latency = opts.ttft_s[tr, None, None] + output / opts.tokens_per_s_per_user[tr, None, None]
    ok = ((latency <= s.latency_target_s) | b) & (s.input_tokens + output <= opts.context_tokens[tr, None, None])
    ok &= output <= costs.output_caps(opts)[tr, None, None]
    return np.where(ok, cost, np.inf)


def _gpu_grid(s, setup: Setup, pos: np.ndarray, step: int, t: np.ndarray, n: np.ndarray) -> list:
    """Per chunk of ``step`` GPU rows: (requests/s of a replica, serves the point within memory and latency);
    ``n``: the samples counts, (1, 1, counts), for every row."""
    out = []
    for lo in range(0, len(pos), step):
        chunk = Setup(**{k: np.asarray(v)[pos[lo : lo + step], None, None] for k, v in vars(setup).items()})
        est = estimate_for_latency(
            chunk,
            s.input_tokens,
            t + s.answer_tokens,
            s.latency_target_s,
            samples=n,
            prefix_cache=s.prefix_cache,
            draft_tokens=s.speculative_draft_tokens,
            acceptance=s.speculative_acceptance,
            ttft_target_s=s.ttft_target_s,
        )
        out.append(
            (est.requests_per_s, est.fits & (est.latency_s <= s.latency_target_s) & (est.ttft_p95_s <= s.ttft_target_s))
        )
    return out


def evaluate_grid(scenario, catalog: Catalog, budgets, samples, adjust: Adjustments | None = None) -> Grid:
    """The whole option grid (options x budgets x samples) with the scenario's other inputs, vectorised."""
    task = catalog.get("tasks", scenario.task_id)
    opts = (adjust or Adjustments()).apply(scenario_options(scenario, catalog))
    budgets = np.asarray(budgets, dtype=float)
    samples = np.asarray(samples, dtype=float)
    acc = np.full((opts.size, len(budgets), len(samples)), np.nan)
    ids = np.array(opts.accuracy_id)
    for acc_id in task.curves:
        rows = ids == acc_id
        if rows.any():
            acc[rows] = task_accuracy(
                task, acc_id, budgets[:, None], samples[None, :], scenario.aggregation, scenario.scorer_quality
            ).mean_pct
    on_batch = (
        (opts.kind != "gpu")
        & (scenario.latency_target_s >= costs.BATCH_LATENCY_S)
        & (opts.prices["batch_discount"] > 0)
    )
    cost = grid_cost_per_request(scenario, opts, np.arange(opts.size), budgets, samples, on_batch)
    return Grid(budgets, samples, acc, cost)


# ---------------------------------------------------------------- cost curves and the frontier


def cost_curves(s, task, opts: OptionSet, r: OptionResults, shift_pts: float):
    """Cost per request vs accuracy along the budget grid for each token offer and the cheapest GPU
    configuration of each open model (at the samples each is bought with); and the Pareto frontier over the
    budgets the mode can buy that meet the latency target, memory and the on-premises rule: every option at
    its own budget, and in auto mode also the curves' points within the caps (a model bought by effort level
    only at its level). Returns (curves, frontier, its points' extrapolated flags, their (tokens, samples)).
    The recommendation is one of these points and none lies above-left of it (the search finds the cheapest
    budget, ties go to the more accurate)."""
    candidates = r.has_accuracy & r.allowed
    index = option_index(opts)
    token_rows = np.flatnonzero(candidates & index.is_token)
    # the cheapest costed GPU row of each model, models in id order (stable sort: the first of equal costs)
    costed = np.flatnonzero(candidates & index.is_gpu & np.isfinite(r.monthly_usd))
    by_model = costed[np.lexsort((r.monthly_usd[costed], index.gpu_model[costed]))]
    model = index.gpu_model[by_model]
    gpu_rows = by_model[np.r_[True, model[1:] != model[:-1]]] if len(by_model) else by_model
    rows = np.concatenate([token_rows, gpu_rows]).astype(int)
    shape = (len(rows), len(BUDGET_GRID))
    acc, cost, extrap = np.empty(shape), np.empty(shape), np.zeros(shape, dtype=bool)
    samples = r.samples[rows] if s.budget_mode == "auto" else np.full(len(rows), float(s.samples))
    counts, which_n = np.unique(samples, return_inverse=True)
    for k, n in enumerate(counts.tolist()):
        part = which_n == k
        m, _, _, ex = accuracy_rows(s, task, opts, grid=True, shift_pts=shift_pts, rows=rows[part], samples=int(n))
        acc[part], extrap[part] = m, ex
    # each row at its own samples count only, in one (memoised) pass
    cost[:] = grid_cost_per_request(s, opts, rows, BUDGET_GRID, samples, r.batch, per_row=True)[:, :, 0]
    curves = tuple(CostCurve(int(i), acc[j], cost[j]) for j, i in enumerate(rows))
    own = np.flatnonzero(r.has_accuracy & r.allowed & r.fits & r.meets_latency & np.isfinite(r.cost_per_request_usd))
    a, c, ex, which = r.accuracy_pct[own], r.cost_per_request_usd[own], r.extrapolated[own], own
    t, n = r.reasoning_tokens[own], r.samples[own]
    if s.budget_mode == "auto" and len(rows):
        within = np.broadcast_to(BUDGET_GRID <= s.reasoning_tokens, shape)
        free = np.array([not r.effort[i] for i in rows.tolist()], dtype=bool)[:, None]
        ok = within & free & np.isfinite(acc) & np.isfinite(cost)
        a, c, ex = np.concatenate([a, acc[ok]]), np.concatenate([c, cost[ok]]), np.concatenate([ex, extrap[ok]])
        which = np.concatenate([which, np.broadcast_to(rows[:, None], shape)[ok]])
        t = np.concatenate([t, np.broadcast_to(BUDGET_GRID, shape)[ok]])
        n = np.concatenate([n, np.broadcast_to(samples[:, None], shape)[ok]])
    order = np.lexsort((-a, c))
    best_acc = np.maximum.accumulate(a[order]) if len(order) else a
    keep = np.r_[True, best_acc[1:] > best_acc[:-1]] & (a[order] >= best_acc - 1e-12) if len(order) else order > 0
    sel = order[keep]
    return curves, (a[sel], c[sel], tuple(int(w) for w in which[sel])), ex[sel], (t[sel], n[sel])
