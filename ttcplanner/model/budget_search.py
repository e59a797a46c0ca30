"""Auto budget mode: each option's cheapest (reasoning tokens, samples) within the caps that meets the accuracy
and latency targets, memory and context (budget.py inverts the accuracy model; this module prices the
candidates and picks). Also fixed mode's hint: the same search within the same caps, when it is much cheaper.

For every samples count within the cap, the fewest tokens that reach the target (per budget class) are priced
for every option at once, (options x samples counts); an option takes its cheapest feasible pair. An option that
reaches the target only where it misses latency or memory takes the pair with the lowest latency (its reason then
shows by how much); one that cannot reach it within the caps takes its most accurate budget.

GPU rows are served from the search's own estimates: the operating point gathers each row's estimate at its
chosen budget from them (``Choice.serving``) rather than estimating every GPU row again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ttcplanner.model import budget, costs
from ttcplanner.model.accuracy import task_accuracy_many
from ttcplanner.model.budget import Budgets
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.memo import memo
from ttcplanner.model.option_index import batch, option_index
from ttcplanner.model.options import OptionSet
from ttcplanner.model.plan import BUDGET_GRID, HINT_SAVING, BudgetHint, OptionResults
from ttcplanner.model.serving import ServingEstimate
from ttcplanner.model.serving_rows import cost_per_request, estimate_rows, estimate_rows_kept

GPU_SAMPLES_TRIED = 3  # per GPU row: the samples counts that decode the fewest tokens, and the lowest-latency one
# the estimate fields the operating point reads
SERVING_FIELDS = (
    "fits",
    "latency_s",
    "ttft_p95_s",
    "output_tokens_per_s_per_user",
    "concurrency",
    "requests_per_s",
    "calibrated_by_user",
)


@dataclass(frozen=True)
class Choice:
    budgets: Budgets
    cost: np.ndarray  # $ per request at the chosen budget, inf where no budget is feasible
    serving: dict | None  # GPU rows at their chosen budgets: SERVING_FIELDS -> array along opts.gpu_rows


@memo(16)
def budget_classes(catalog: Catalog, task, opts: OptionSet) -> budget.BudgetClasses:
    return budget.budget_classes(catalog, task, opts)


@memo(16, reads=("reasoning_tokens", "samples"))
def fixed_budgets(s, classes: budget.BudgetClasses) -> Budgets:
    return budget.fixed_budgets(s, classes)


def auto_budgets(
    s, task, opts: OptionSet, classes: budget.BudgetClasses, shift_pts: float, serve: bool = True
) -> Choice:
    """Each option's cheapest budget within the caps (see the module doc); ``serve``: also gather the GPU rows'
    estimates at their chosen budgets for the operating point."""
    ns = budget.samples_candidates(s.samples)
    need, level = _tokens_needed(s, task, classes, ns, s.target_accuracy_pct - shift_pts)
    tokens = need[classes.of_option]  # (options, K): inf where the target is out of reach
    free = _free(classes)[classes.of_option, None]
    tokens = np.where(free & (tokens > s.reasoning_tokens), np.inf, tokens)  # effort levels were capped already
    cost, latency, tried = _search_costs(s, opts, tokens, ns)
    reach = np.isfinite(tokens)
    ok = reach & np.isfinite(cost)
    if s.on_prem_only:
        ok &= option_index(opts).is_gpu[:, None]
    fastest = np.where(reach, np.where(np.isfinite(latency), latency, np.finfo(float).max), np.inf)
    k = np.where(ok.any(axis=1), np.argmin(np.where(ok, cost, np.inf), axis=1), np.argmin(fastest, axis=1))
    rows = np.arange(opts.size)
    chosen_tokens, chosen_samples = tokens[rows, k], ns[k]
    fallback_tokens, fallback_level = _most_accurate_budget(task, classes, s.reasoning_tokens)
    any_reach = reach.any(axis=1)
    chosen_tokens = np.where(any_reach, chosen_tokens, fallback_tokens[classes.of_option])
    chosen_samples = np.where(any_reach, chosen_samples, float(s.samples))
    best_cost = np.where(ok.any(axis=1), cost[rows, k], np.inf)
    chosen_tokens, spent = _spend_what_is_paid_for(s, opts, chosen_tokens, chosen_samples, best_cost)
    chosen_level = np.where(any_reach, level[classes.of_option, k], fallback_level[classes.of_option])
    names, first = _level_names(classes)
    effort = tuple(names[np.where(chosen_level >= 0, first[classes.of_option] + chosen_level, 0)].tolist())
    budgets = Budgets(chosen_tokens, chosen_samples, effort)
    g = opts.gpu_rows
    serving = _gathered(s, opts, chosen_tokens[g], chosen_samples[g], [tried, *spent]) if serve and len(g) else None
    return Choice(budgets, best_cost, serving)


@memo(16)
def _free(classes: budget.BudgetClasses) -> np.ndarray:
    return np.array([not levels for levels in classes.levels], dtype=bool)


@memo(16)
def _level_names(classes: budget.BudgetClasses):
    """(None followed by every class's level names, as an object array; each class's first name in it), so an
    option's effort is one gather: names[first[class] + level]."""
    names = np.array([None] + [name for levels in classes.levels for name, _ in levels], dtype=object)
    first = 1 + np.cumsum([0] + [len(levels) for levels in classes.levels[:-1]])
    return names, first


def _tokens_needed(s, task, classes: budget.BudgetClasses, ns: np.ndarray, target_pct: float):
    """The fewest reasoning tokens per sample that reach ``target_pct`` with each samples count in ``ns``, per
    class, (classes x K): inf where none does (effort levels: none a budget within the token cap buys; free
    budgets are not capped here); and the effort level that buys them (-1 for a free budget)."""
    need = np.full((len(classes.accuracy_id), len(ns)), np.inf)
    level = np.full(need.shape, -1, dtype=np.intp)
    free = [c for c, levels in enumerate(classes.levels) if classes.has_curve[c] and not levels]
    if free:
        pass1 = _parallel_inverse(task, s.aggregation, s.scorer_quality).pass1_needed(
            target_pct + budget.SEARCH_MARGIN_PTS, ns
        )
        table, row_of = _sequential_rows(task)
        need[free] = budget.tokens_needed(table[[row_of[classes.accuracy_id[c]] for c in free]], pass1)
    for c, acc in _effort_accuracy(task, classes, ns, s.aggregation, s.scorer_quality).items():
        levels = budget.reachable_levels(classes.levels[c], s.reasoning_tokens)
        meets = acc[: len(levels)] >= target_pct - 1e-9  # the reachable levels: the first rows
        first = np.argmax(meets, axis=0)
        reached = meets.any(axis=0)
        need[c] = np.where(reached, np.array([t for _, t in levels])[first], np.inf)
        level[c] = np.where(reached, first, -1)
    return need, level


@memo(16)
def _parallel_inverse(task, aggregation: str, scorer_quality: float) -> budget.ParallelInverse:
    return budget.ParallelInverse(task, aggregation, scorer_quality)


@memo(16)
def _sequential_rows(task):
    """(every curve of the task along budget's token grid, each accuracy id's row in it)."""
    ids = tuple(task.curves)
    return budget.sequential_table(task, ids), {a: k for k, a in enumerate(ids)}


@memo(16)
def _effort_accuracy(
    task, classes: budget.BudgetClasses, ns: np.ndarray, aggregation: str, scorer_quality: float
) -> dict:
    """Exact mean accuracy (percent) of each effort-level class at all its levels x samples counts ``ns``:
    {class: (levels, K)}. Built from columns kept per samples count (the whole SAMPLES_GRID at once, the cap on
    its own), so a moved samples cap computes one new column, for every class in one call (task_accuracy_many
    works element by element: a column is the same whichever columns it is computed with)."""
    if ns.max() <= 1:  # one sample: its column alone, with no vote tables (0.2 s cold, at start-up)
        return _effort_columns(task, classes, ns, aggregation, scorer_quality)
    grid = budget.SAMPLES_GRID
    on_grid = np.isin(ns, grid)
    ongrid = _effort_columns(task, classes, grid, aggregation, scorer_quality) if on_grid.any() else {}
    offgrid = _effort_columns(task, classes, ns[~on_grid], aggregation, scorer_quality) if not on_grid.all() else {}
    cols = np.searchsorted(grid, ns[on_grid])
    out = {}
    for c in ongrid or offgrid:
        acc = np.empty((len(classes.levels[c]), len(ns)))
        if on_grid.any():
            acc[:, on_grid] = ongrid[c][:, cols]
        if not on_grid.all():
            acc[:, ~on_grid] = offgrid[c]
        out[c] = acc
    return out


@memo(16)
def _effort_columns(
    task, classes: budget.BudgetClasses, samples: np.ndarray, aggregation: str, scorer_quality: float
) -> dict:
    """{class: (its levels, len(samples))} exact mean accuracy of the effort-level classes with a curve, in one
    ``task_accuracy_many`` call (every such model at every level's tokens)."""
    effort = [c for c, levels in enumerate(classes.levels) if classes.has_curve[c] and levels]
    models = tuple(dict.fromkeys(classes.accuracy_id[c] for c in effort))
    tokens = np.unique([t for c in effort for _, t in classes.levels[c]])
    many = task_accuracy_many(task, models, tokens[:, None], samples[None, :], aggregation, scorer_quality)
    out = {}
    for c in effort:
        rows = np.searchsorted(tokens, [t for _, t in classes.levels[c]])
        out[c] = np.array(many[classes.accuracy_id[c]].mean_pct, dtype=float)[rows]
    return out


@memo(16)
def _most_accurate_budget(task, classes: budget.BudgetClasses, cap: float):
    """Per class, the budget an option that cannot reach the target is shown at: its most accurate one within the
    caps, without tokens its curve gains nothing from (past the trained maximum); and its effort level (-1: free)."""
    tokens, level = [], []
    for acc_id, levels in zip(classes.accuracy_id, classes.levels, strict=True):
        if levels:
            reachable = budget.reachable_levels(levels, cap)
            tokens.append(reachable[-1][1])
            level.append(len(reachable) - 1)
        else:
            curve = task.curves.get(acc_id)
            tokens.append(min(cap, curve.max_tokens) if curve is not None else cap)
            level.append(-1)
    return np.array(tokens, dtype=float), np.array(level, dtype=np.intp)


def _search_costs(s, opts: OptionSet, tokens: np.ndarray, ns: np.ndarray):
    """$ per request and latency of every option at (tokens[option, k], ns[k]), (options x K; tokens inf: out
    of reach), and the GPU rows' estimates (``_gpu_search``); the cost is inf where the option cannot serve that
    budget within the latency target, memory or context (the operating point's tests, on a grid), or where a
    GPU row's budget is not tried."""
    index = option_index(opts)
    cost = np.full(tokens.shape, np.inf)
    latency = np.full(tokens.shape, np.inf)
    tr = np.flatnonzero(index.is_token)
    if len(tr):
        on_batch = batch(s.latency_target_s, opts)[tr, None]
        t = np.where(np.isfinite(tokens[tr]), tokens[tr], 0.0)
        c = costs.token_offer_cost_per_request(
            {k: v[tr, None] for k, v in opts.prices.items()},
            s.input_tokens,
            t,
            s.answer_tokens,
            ns[None, :],
            s.cached_input_fraction,
            s.prefix_cache,
            on_batch,
        )
        out = t + s.answer_tokens
        lat = opts.ttft_s[tr, None] + out / opts.tokens_per_s_per_user[tr, None]
        lat = np.where(on_batch, np.minimum(lat, costs.BATCH_LATENCY_S), lat)
        ok = (
            (lat <= s.latency_target_s * (1 + 1e-9))
            & ~(opts.ttft_s[tr, None] > s.ttft_target_s * (1 + 1e-9))
            & (s.input_tokens + out <= opts.context_tokens[tr, None])
            & (out <= costs.output_caps(opts)[tr, None])
            & costs.within_rate_limits(
                opts.rate_limit_rpm[tr, None],
                opts.rate_limit_tpm[tr, None],
                s,
                out,
                ns[None, :],
                opts.rate_limit_rpd[tr, None],
                opts.rate_limit_tpd[tr, None],
            )
        )
        cost[tr] = np.where(ok & np.isfinite(c) & np.isfinite(tokens[tr]), c, np.inf)
        latency[tr] = np.where(np.isfinite(tokens[tr]), lat, np.inf)
    g = opts.gpu_rows
    tried = None
    if len(g):
        cost[g], latency[g], tried = _gpu_search(s, opts, tokens[g], ns)
    return cost, latency, tried


def _gpu_search(s, opts: OptionSet, tokens: np.ndarray, ns: np.ndarray):
    """$ per request and latency of the GPU rows at (tokens[:, k], ns[k]), (GPU rows x K), inf where not tried or
    out of reach; and the estimates made (a ``_Tried``, one entry per budget tried).

    A replica's cost is its decode work, about samples x (reasoning + answer) tokens per request, so each row
    tries the GPU_SAMPLES_TRIED samples counts with the least of it and the one with the fewest tokens per
    sample (the lowest latency, for tight targets): 4 serving estimates per row instead of one per count (42
    for a cap of 1,024). The brute-force test over fixed budgets (tests/model/test_budget.py) checks the cut."""
    finite = np.isfinite(tokens)
    work = np.where(finite, ns[None, :] * (tokens + s.answer_tokens), np.inf)
    tried = np.argsort(work, axis=1, kind="stable")[:, :GPU_SAMPLES_TRIED]
    fastest = len(ns) - 1 - np.argmax(finite[:, ::-1], axis=1)  # the largest count in reach: fewest tokens each
    tried = np.concatenate([tried, fastest[:, None]], axis=1)
    row, col = np.nonzero(finite[np.arange(len(tokens))[:, None], tried])  # only budgets in reach are estimated
    k = tried[row, col]
    cost, latency = np.full(tokens.shape, np.inf), np.full(tokens.shape, np.inf)
    if not len(row):
        return cost, latency, None
    t, n = tokens[row, k][:, None], ns[k][:, None]
    est = estimate_rows(s, opts.setup, row, t, n)
    cost[row, k] = cost_per_request(s, opts, opts.gpu_rows[row], est)[:, 0]
    latency[row, k] = est.latency_s[:, 0]
    return cost, latency, _Tried(row, t, n, est)


@dataclass(frozen=True)
class _Tried:
    """Estimates the search made: GPU rows ``pos`` (positions in gpu_rows; a row may appear more than once) at
    (tokens, samples), both (len(pos), C), and the estimate."""

    pos: np.ndarray
    tokens: np.ndarray
    samples: np.ndarray
    est: ServingEstimate


def _spend_what_is_paid_for(s, opts: OptionSet, tokens: np.ndarray, samples: np.ndarray, cost: np.ndarray):
    """A GPU fleet is paid by the replica, so more reasoning can cost nothing: the cheapest feasible GPU row of
    each model (``cost``: each row's $ per request at its budget, inf where infeasible; the row the cost curves
    draw) takes the most tokens within the cap (on the plots' budget grid, or the cap) that cost no more. More
    accuracy for the same money, and no point of its cost curve lies above-left of it.

    The grid's estimates do not depend on the accuracy target (only on the rows and their samples), so a
    target step, which moves the cheapest row of a model from one configuration to another, reuses them row by
    row; the whole grid is estimated whatever the cap (a cap step reuses it, and the cost curves read the same
    rows). Returns the tokens and the estimates made (a list of ``_Tried``)."""
    index = option_index(opts)
    feasible = index.is_gpu & np.isfinite(cost)
    rows = np.flatnonzero(feasible)
    if not len(rows):
        return tokens, []
    by_model = rows[np.lexsort((cost[rows], index.gpu_model[rows]))]
    model = index.gpu_model[by_model]
    g = by_model[np.r_[True, model[1:] != model[:-1]]]
    pos = np.searchsorted(opts.gpu_rows, g)
    # the plots' whole grid, kept row by row (the cost curves read the same rows) whatever the cap, and the cap
    t = np.ascontiguousarray(np.broadcast_to(BUDGET_GRID, (len(g), len(BUDGET_GRID))))
    n = np.ascontiguousarray(np.broadcast_to(samples[g, None], t.shape))
    on_grid = _Tried(pos, t, n, estimate_rows_kept(s, opts.setup, pos, t, n))
    t_cap, n_cap = np.full((len(g), 1), float(s.reasoning_tokens)), n[:, :1]
    at_cap = _Tried(pos, t_cap, n_cap, estimate_rows(s, opts.setup, pos, t_cap, n_cap))
    within = BUDGET_GRID < s.reasoning_tokens
    grid = np.append(BUDGET_GRID[within], s.reasoning_tokens)
    price = np.concatenate(
        [cost_per_request(s, opts, g, on_grid.est)[:, within], cost_per_request(s, opts, g, at_cap.est)], axis=1
    )
    same = (grid > tokens[g, None]) & (price <= cost[g, None] * (1 + 1e-12))
    last = len(grid) - 1 - np.argmax(same[:, ::-1], axis=1)  # cost never falls with tokens: a run of columns
    out = tokens.copy()
    out[g] = np.where(same.any(axis=1), grid[last], tokens[g])
    return out, [on_grid, at_cap]


def _gathered(s, opts: OptionSet, tokens: np.ndarray, samples: np.ndarray, made: list) -> dict:
    """Each GPU row's serving estimate at its chosen budget (tokens, samples): taken from the estimates the search
    made where one was made at exactly that budget; the rest (rows out of reach, shown at their most accurate
    budget) estimated here, in one call."""
    n_rows = len(tokens)
    out = {f: np.empty(n_rows, dtype=bool if f in ("fits", "calibrated_by_user") else float) for f in SERVING_FIELDS}
    todo = np.ones(n_rows, dtype=bool)
    for m in made:
        if m is not None:
            _take(out, todo, m.est, m.pos, m.tokens, m.samples, tokens, samples)
    rest = np.flatnonzero(todo)
    if len(rest):
        t, n = tokens[rest, None], samples[rest, None]
        _take(out, todo, estimate_rows(s, opts.setup, rest, t, n), rest, t, n, tokens, samples)
    return out


def _take(out: dict, todo: np.ndarray, est, pos, t, n, tokens, samples) -> None:
    """Fill ``out`` for the rows still ``todo`` that ``est`` (rows ``pos`` at (t, n), (len(pos), C)) has at their
    chosen (tokens, samples)."""
    same = (t == tokens[pos, None]) & (n == samples[pos, None])
    hit = same.any(axis=1) & todo[pos]
    at, col = np.flatnonzero(hit), np.argmax(same, axis=1)[hit]
    rows = pos[at]
    for f in SERVING_FIELDS:
        a = getattr(est, f)
        out[f][rows] = a[at if a.shape[0] > 1 else 0, col if a.shape[1] > 1 else 0]
    todo[rows] = False


def budget_hint(s, task, opts: OptionSet, classes, r: OptionResults, rec, status, shift_pts: float):
    """Fixed mode: the cheapest option the budget search finds within the same caps (the search's own price
    of it: no second operating point), when it costs at least HINT_SAVING less (or the fixed budget misses
    the targets)."""
    choice = auto_budgets(s, task, opts, classes, shift_pts, serve=False)
    cost = choice.cost
    if not np.isfinite(cost).any():
        return None
    best = int(np.argmin(cost))
    monthly = float(costs.monthly_from_per_request(cost[best], s.requests_per_day))
    if status == "ok":
        saving = 1.0 - monthly / float(r.monthly_usd[rec]) if r.monthly_usd[rec] > 0 else 0.0
        if saving < HINT_SAVING:
            return None
    else:
        saving = float("nan")  # the fixed budget misses the targets: any saving is beside the point
    budgets = choice.budgets
    effort = budgets.effort[best]
    tokens = float(budgets.reasoning_tokens[best]) if effort else float(math.ceil(budgets.reasoning_tokens[best]))
    return BudgetHint(tokens, int(budgets.samples[best]), effort, best, monthly, saving)
