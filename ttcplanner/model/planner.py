"""Scenario -> every option evaluated -> Pareto frontier -> recommendation with its reasons.

``evaluate`` is the one entry point the GUI, the PDF report and the CLI call. It works on arrays along
the option axis (and a budget axis for the curves); the only Python loops run over accuracy models, of
which a task has a few dozen at most. It runs on every slider step, so intermediates that a move leaves
unchanged (accuracy per model, GPU serving estimates, the volume curves ...) are kept in small per-thread
LRU caches keyed on exactly the inputs they read; cached arrays are read-only or copied out, and a plan is
the same to the last bit with the caches cold or warm (tests/model/test_evaluate_cache.py).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.accuracy import task_accuracy, task_accuracy_many
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.options import KIND_NAMES, KINDS, OptionSet, build_options
from ttcplanner.model.scenario import Scenario
from ttcplanner.model.serving import Setup, estimate_for_latency

STALE_PRICE_DAYS = 90
BUDGET_GRID = np.unique(np.concatenate([[0.0], np.logspace(1, 6, 26)]))  # reasoning tokens per sample
VOLUME_GRID = np.logspace(0, 9, 181)  # requests per day


@dataclass(frozen=True)
class Adjustments:
    """Multipliers on uncertain catalog figures, for sensitivity and Monte Carlo runs (1 = as catalogued)."""

    api_price_factor: float = 1.0
    asic_price_factor: float = 1.0
    gpu_price_factor: float = 1.0  # rent, or purchase price when owned
    gpu_efficiency_factor: float = 1.0  # multiplies the fitted eta factors (throughput)
    accuracy_shift_pts: float = 0.0  # added to every accuracy estimate

    def apply(self, opts: OptionSet) -> OptionSet:
        if self == Adjustments():
            return opts
        factor = np.where(opts.kind == "api", self.api_price_factor, np.where(opts.kind == "asic", self.asic_price_factor, 1.0))
        prices = {k: (v if k in ("long_threshold", "batch_discount") else v * factor) for k, v in opts.prices.items()}
        setup = opts.setup
        if setup is not None and self.gpu_efficiency_factor != 1.0:
            f = self.gpu_efficiency_factor
            setup = dataclasses.replace(setup, eta_bw=setup.eta_bw * f, eta_flops=setup.eta_flops * f,
                                        eta_prefill=setup.eta_prefill * f)
        return dataclasses.replace(opts, prices=prices, setup=setup,
                                   rent_usd_per_gpu_hour=opts.rent_usd_per_gpu_hour * self.gpu_price_factor,
                                   purchase_usd=opts.purchase_usd * self.gpu_price_factor)


@dataclass(frozen=True)
class OptionResults:
    """Every option at the scenario's operating point (arrays along the option axis)."""

    accuracy_pct: np.ndarray
    low_pct: np.ndarray
    high_pct: np.ndarray
    extrapolated: np.ndarray
    has_accuracy: np.ndarray
    fits: np.ndarray
    cost_per_request_usd: np.ndarray
    monthly_usd: np.ndarray
    latency_s: np.ndarray
    ttft_s: np.ndarray
    tokens_per_s_per_user: np.ndarray
    replicas: np.ndarray
    gpus_total: np.ndarray
    concurrency: np.ndarray  # sequences in flight per replica (GPU rows)
    utilization: np.ndarray  # average load / provisioned capacity (GPU rows)
    replica_requests_per_s: np.ndarray  # GPU rows: what one replica sustains within the latency target
    usd_per_replica_hour: np.ndarray  # GPU rows
    meets_accuracy: np.ndarray
    meets_latency: np.ndarray
    allowed: np.ndarray
    eligible: np.ndarray
    batch: np.ndarray
    why_not: tuple[str, ...]
    calibrated_by_user: np.ndarray | None = None  # GPU rows whose throughput a user calibration scales
    # per option: 'published' / 'estimated_from_other_tasks' (the task curve's basis) or 'none' (no accuracy data)
    accuracy_basis: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccuracyCurveView:
    accuracy_id: str
    tokens: np.ndarray
    mean_pct: np.ndarray
    low_pct: np.ndarray
    high_pct: np.ndarray
    extrapolated: np.ndarray
    points: tuple  # CurvePoint records (published measurements)
    basis: str = "published"  # or 'estimated_from_other_tasks' (no published point on this task)


@dataclass(frozen=True)
class CostCurve:
    option: int
    accuracy_pct: np.ndarray  # along BUDGET_GRID
    cost_per_request_usd: np.ndarray


@dataclass(frozen=True)
class BreakEven:
    requests_per_day: float
    below: str  # kind that is cheaper below this volume
    above: str


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    catalog_as_of: str
    catalog_age_days: int
    options: OptionSet
    results: OptionResults
    recommended: int | None
    best_per_kind: dict[str, int | None]
    status: str  # 'ok' | 'target_missed' | 'nothing_feasible'
    headline: str
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    accuracy_curves: tuple[AccuracyCurveView, ...]
    cost_curves: tuple[CostCurve, ...]
    frontier: tuple[np.ndarray, np.ndarray, tuple[int, ...]]  # accuracy, cost per request, option index
    volume_grid: np.ndarray
    volume_monthly_usd: dict[str, np.ndarray]  # best eligible option of each kind at each volume (inf: none)
    break_evens: tuple[BreakEven, ...]
    alternatives: dict[str, str] = field(default_factory=dict)  # why a kind has no eligible option
    provenance: tuple[tuple[str, str, str], ...] = ()  # (what, source URL, as_of) of the task profile and model factors


class _IdentityCache:
    """A small LRU cache whose keys may name objects by id(): each entry keeps those objects alive, so an id in
    a live key can never belong to a newer object (a reloaded catalog builds new options, hence new keys).

    Entries are per thread: the GUI thread and a background sensitivity run (many one-off adjusted option
    sets) neither race on an entry nor evict each other's."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._local = threading.local()

    def _entries(self) -> OrderedDict:
        entries = getattr(self._local, "entries", None)
        if entries is None:
            entries = self._local.entries = OrderedDict()
        return entries

    def get(self, key):
        entries = self._entries()
        entry = entries.get(key)
        if entry is None:
            return None
        entries.move_to_end(key)
        return entry[1]

    def put(self, key, keep, value):
        entries = self._entries()
        entries[key] = (keep, value)
        entries.move_to_end(key)
        while len(entries) > self.maxsize:
            entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries().clear()


def _exact(value):
    """A cache-key form of a number that tells -0.0 from 0.0 (equal as keys, not always in results)."""
    return (value, math.copysign(1.0, value)) if isinstance(value, float) else value


def _frozen(*arrays):
    """Mark cached arrays read-only so no caller can change what later plans are built from."""
    for a in arrays:
        a.flags.writeable = False
    return arrays


_ACCURACY_CACHE = _IdentityCache(64)  # accuracy per model at the scenario's budget and along BUDGET_GRID
_OPTION_INDEX_CACHE = _IdentityCache(16)  # per option set: string columns turned into masks and row lists
_SERVING_CACHE = _IdentityCache(32)  # GPU serving estimate at the operating point
_GRID_SERVING_CACHE = _IdentityCache(64)  # GPU serving estimate of the cost-curve rows along BUDGET_GRID
_GRID_TOKEN_CACHE = _IdentityCache(64)  # token offers' cost and feasibility along BUDGET_GRID
_GRID_SETUP_CACHE = _IdentityCache(16)  # the cost-curve rows' slices of an option set's Setup
_CURVE_VIEW_CACHE = _IdentityCache(16)  # accuracy curve views of an accuracy table offered by an option set
_VOLUME_CACHE = _IdentityCache(32)  # cheapest monthly $ per kind along VOLUME_GRID, and the break-evens


def clear_caches() -> None:
    """Forget this thread's cached intermediates and the option sets (tests compare cold and warm plans;
    results never depend on the caches)."""
    for cache in (_ACCURACY_CACHE, _OPTION_INDEX_CACHE, _SERVING_CACHE, _GRID_SERVING_CACHE, _GRID_TOKEN_CACHE,
                  _GRID_SETUP_CACHE, _CURVE_VIEW_CACHE, _VOLUME_CACHE):
        cache.clear()
    build_options.cache_clear()


@dataclass(frozen=True)
class _AccuracyTable:
    """Every curve of a task at [operating budget] + BUDGET_GRID: a dict per model and the same rows stacked
    (one extra NaN row at the end for options without a curve), so options gather their row in one step."""

    by_model: dict  # accuracy_id -> (mean, low, high, extrapolated)
    ids: tuple[str, ...]
    mean: np.ndarray  # (len(ids) + 1, 1 + len(BUDGET_GRID))
    low: np.ndarray
    high: np.ndarray
    extrapolated: np.ndarray
    beyond_max: np.ndarray | None = None  # budgets above the model's maximum reasoning tokens (refused)
    basis: tuple[str, ...] = ()  # per id, then 'none' for the trailing row


def _offered_ids(task, opts: OptionSet) -> tuple[str, ...]:
    """The task's curves some option uses (a task has ~100 curves, the options use a few dozen), cached."""
    index = _option_index(opts)
    key = ("offered", id(task))
    hit = index.row_of.get(key)
    if hit is None:
        offered = set(opts.accuracy_id)
        hit = index.row_of[key] = tuple(i for i in task.curves if i in offered)
    return hit


def _accuracy_by_model(s: Scenario, task, opts: OptionSet) -> _AccuracyTable:
    """Accuracy of every model of the task that an option uses, cached on the inputs that matter, so volume,
    latency, price and hardware moves do not recompute accuracy."""
    ids = _offered_ids(task, opts)
    key = (id(task), ids, _exact(s.reasoning_tokens), s.samples, s.aggregation, _exact(s.scorer_quality))
    hit = _ACCURACY_CACHE.get(key)
    if hit is not None:
        return hit
    tokens = np.concatenate([[s.reasoning_tokens], BUDGET_GRID])
    many = task_accuracy_many(task, ids, tokens, s.samples, s.aggregation, s.scorer_quality)
    width = len(tokens)

    def stacked(part: str, fill, dtype) -> np.ndarray:
        rows = [getattr(many[i], part) for i in ids] + [np.full(width, fill, dtype=dtype)]
        return np.stack(rows).astype(dtype, copy=False)

    mean, low, high = stacked("mean_pct", np.nan, float), stacked("low_pct", np.nan, float), stacked("high_pct", np.nan, float)
    extrap, beyond = stacked("extrapolated", False, bool), stacked("beyond_max", False, bool)
    _frozen(mean, low, high, extrap, beyond)  # the per-model rows below are views of these, read-only too
    by_model = {acc_id: (mean[k], low[k], high[k], extrap[k]) for k, acc_id in enumerate(ids)}
    table = _AccuracyTable(by_model, ids, mean, low, high, extrap, beyond,
                           tuple(many[i].basis for i in ids) + ("none",))
    return _ACCURACY_CACHE.put(key, task, table)


@dataclass(frozen=True)
class _OptionIndex:
    """String columns of an option set as masks and row lists, computed once per option set."""

    accuracy_id: np.ndarray
    is_gpu: np.ndarray
    is_token: np.ndarray
    of_kind: dict  # kind -> mask
    gpu_model: np.ndarray  # GPU rows: position of the row's accuracy id among the GPU ids sorted; -1 elsewhere
    row_of: dict  # tuple of accuracy ids -> each option's position in it (len: none)


def _option_index(opts: OptionSet) -> _OptionIndex:
    key = id(opts)
    hit = _OPTION_INDEX_CACHE.get(key)
    if hit is not None:
        return hit
    ids = np.array(opts.accuracy_id)
    is_gpu = opts.kind == "gpu"
    code = {acc_id: k for k, acc_id in enumerate(sorted(set(ids[is_gpu])))}
    gpu_model = np.array([code[a] if g else -1 for a, g in zip(opts.accuracy_id, is_gpu.tolist())], dtype=np.intp)
    index = _OptionIndex(ids, is_gpu, ~is_gpu, {k: opts.kind == k for k in KINDS}, gpu_model, {})
    _frozen(ids, index.is_gpu, index.is_token, *index.of_kind.values(), gpu_model)
    return _OPTION_INDEX_CACHE.put(key, opts, index)


def _table_rows(opts: OptionSet, table: _AccuracyTable) -> np.ndarray:
    """Each option's row in ``table`` (the trailing NaN row when the task has no curve for its model)."""
    index = _option_index(opts)
    rows = index.row_of.get(table.ids)
    if rows is None:
        position = {acc_id: k for k, acc_id in enumerate(table.ids)}
        rows = np.array([position.get(acc_id, len(table.ids)) for acc_id in opts.accuracy_id], dtype=np.intp)
        rows.flags.writeable = False
        index.row_of[table.ids] = rows
    return rows


def _basis_of(opts: OptionSet, table: _AccuracyTable) -> tuple[str, ...]:
    """Each option's accuracy basis (cached per option set and task table: a tuple of ~1000 strings per step)."""
    index = _option_index(opts)
    key = ("basis", table.ids, table.basis)
    hit = index.row_of.get(key)
    if hit is None:
        hit = index.row_of[key] = tuple(table.basis[k] for k in _table_rows(opts, table).tolist())
    return hit


def _accuracy(scenario: Scenario, task, opts: OptionSet, grid: bool, shift_pts: float = 0.0, rows=None):
    """Accuracy arrays for every option, or for ``rows`` (new arrays, safe to change): at the operating budget
    (options,) or along BUDGET_GRID (options x budgets); NaN where the task has no curve for the option's model."""
    table = _accuracy_by_model(scenario, task, opts)
    rows = _table_rows(opts, table) if rows is None else _table_rows(opts, table)[rows]
    cols = slice(1, None) if grid else 0
    mean, low, high, extrap = (a[rows, cols] for a in (table.mean, table.low, table.high, table.extrapolated))
    if shift_pts:
        mean, low, high = (np.clip(a + shift_pts, 0.0, 100.0) for a in (mean, low, high))
    return mean, low, high, extrap


def _gpu_costs(scenario: Scenario, opts: OptionSet, setup: Setup, output_tokens, rows=None):
    """Serving estimate, replicas and monthly $ of GPU rows; output_tokens broadcasts along a trailing axis.

    The estimate is cached on the setup and the serving inputs, so volume, accuracy-target, ownership and
    price moves reuse it (its arrays are read-only)."""
    rows = opts.gpu_rows if rows is None else rows
    n = opts.gpus_per_replica[rows]
    serving = (scenario.input_tokens, output_tokens, scenario.latency_target_s, scenario.samples,
               scenario.prefix_cache, scenario.speculative_draft_tokens, scenario.speculative_acceptance)
    key = (id(setup), *(_exact(v) for v in serving)) if np.ndim(output_tokens) == 0 else None
    est = _SERVING_CACHE.get(key) if key is not None else None
    if est is None:
        est = estimate_for_latency(setup, scenario.input_tokens, output_tokens, scenario.latency_target_s,
                                   samples=scenario.samples, prefix_cache=scenario.prefix_cache,
                                   draft_tokens=scenario.speculative_draft_tokens,
                                   acceptance=scenario.speculative_acceptance)
        if key is not None:
            _frozen(*(getattr(est, f.name) for f in dataclasses.fields(est)))
            _SERVING_CACHE.put(key, setup, est)
    hour = costs.gpu_hour_usd(opts.rent_usd_per_gpu_hour[rows], opts.purchase_usd[rows], opts.tdp_w[rows],
                              scenario.ownership, scenario.amortization_months, scenario.electricity_usd_per_kwh, scenario.pue)
    return est, n, hour


def evaluate(scenario: Scenario, catalog: Catalog, adjust: Adjustments | None = None) -> Plan:
    """Evaluate every option for ``scenario`` and recommend one (``adjust``: what-if multipliers)."""
    if scenario.task_id not in catalog.tasks:
        raise InputError(f"unknown task {scenario.task_id!r}; known: {', '.join(sorted(catalog.tasks))}", field="task_id")
    if scenario.hardware != "auto" and scenario.hardware not in catalog.gpus:
        raise InputError(f"unknown GPU {scenario.hardware!r}; known: auto, {', '.join(sorted(catalog.gpus))}", field="hardware")
    task = catalog.tasks[scenario.task_id]
    adjust = adjust or Adjustments()
    opts = adjust.apply(build_options(catalog, scenario.hardware, scenario.gpus_per_replica, scenario.weight_precision,
                                      scenario.kv_precision))
    res = _operating_point(scenario, task, opts, adjust.accuracy_shift_pts)
    rec, best, status = _choose(opts, res)
    volume, breaks = _volume_curves_and_break_evens(scenario, opts, res)
    acc_curves = _accuracy_curves(scenario, task, opts)
    cost_curves, frontier = _cost_curves(scenario, task, opts, res, adjust.accuracy_shift_pts)
    headline, reasons, alternatives = _explain(scenario, catalog, task, opts, res, rec, best, status, breaks)
    warnings = _warnings(scenario, catalog, opts, res, rec, best)
    return Plan(scenario=scenario, catalog_as_of=catalog.as_of, catalog_age_days=catalog.age_days(), options=opts,
                results=res, recommended=rec, best_per_kind=best, status=status, headline=headline,
                reasons=tuple(reasons), warnings=tuple(warnings), accuracy_curves=acc_curves,
                cost_curves=cost_curves, frontier=frontier, volume_grid=VOLUME_GRID, volume_monthly_usd=volume,
                break_evens=breaks, alternatives=alternatives, provenance=_provenance(catalog, task))


def _operating_point(s: Scenario, task, opts: OptionSet, shift_pts: float = 0.0) -> OptionResults:
    n = opts.size
    mean, low, high, extrap = _accuracy(s, task, opts, grid=False, shift_pts=shift_pts)
    has_acc = np.isfinite(mean)
    output_tokens = s.reasoning_tokens + s.answer_tokens
    index = _option_index(opts)
    is_token = index.is_token
    batch = is_token & (s.latency_target_s >= costs.BATCH_LATENCY_S) & (opts.prices["batch_discount"] > 0)
    cpr = costs.token_offer_cost_per_request(opts.prices, s.input_tokens, s.reasoning_tokens, s.answer_tokens, s.samples,
                                             s.cached_input_fraction, s.prefix_cache, batch)
    speed = opts.tokens_per_s_per_user.copy()
    latency = opts.ttft_s + output_tokens / speed
    latency = np.where(batch, np.minimum(latency, costs.BATCH_LATENCY_S), latency)
    ttft = opts.ttft_s.copy()
    fits = is_token & (s.input_tokens + output_tokens <= opts.context_tokens)
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
        est, per, hour = _gpu_costs(s, opts, opts.setup, output_tokens)
        reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, est.requests_per_s)
        gm = costs.gpu_monthly_usd(reps, per, hour)
        ok = est.fits & np.isfinite(hour) & np.isfinite(reps)
        fits[g] = est.fits
        monthly[g] = np.where(ok, gm, np.inf)
        cpr[g] = np.where(ok, gm / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf)
        latency[g], ttft[g], speed[g] = est.latency_s, est.ttft_s, est.output_tokens_per_s_per_user
        replicas[g] = np.where(ok, reps, 0)
        gpus_total[g] = replicas[g] * per
        concurrency[g] = est.concurrency
        rate[g] = est.requests_per_s
        replica_hour[g] = per * hour
        calibrated[g] = est.calibrated_by_user
        with np.errstate(divide="ignore", invalid="ignore"):
            utilization[g] = np.where(ok, s.requests_per_day / costs.SECONDS_PER_DAY / (reps * est.requests_per_s), np.nan)
    table = _accuracy_by_model(s, task, opts)
    rows = _table_rows(opts, table)
    beyond = table.beyond_max[rows, 0]  # budget above the model's maximum reasoning: refused, not extrapolated
    meets_acc = has_acc & (mean >= s.target_accuracy_pct - 1e-9) & ~beyond
    meets_lat = np.isfinite(latency) & (latency <= s.latency_target_s * (1 + 1e-9))
    allowed = index.is_gpu | (not s.on_prem_only)
    costed = np.isfinite(monthly)
    eligible = meets_acc & meets_lat & fits & allowed & costed
    why = _why_not(opts, allowed, has_acc, fits, costed, meets_lat, meets_acc, latency, mean)
    for i in np.flatnonzero(beyond & has_acc & allowed).tolist():
        why[i] = f"{s.reasoning_tokens:g} reasoning tokens exceed the model's maximum ({task.curves[opts.accuracy_id[i]].max_tokens:g})"
    return OptionResults(accuracy_pct=mean, low_pct=low, high_pct=high, extrapolated=extrap, has_accuracy=has_acc,
                         fits=fits, cost_per_request_usd=cpr, monthly_usd=monthly, latency_s=latency, ttft_s=ttft,
                         tokens_per_s_per_user=speed, replicas=replicas, gpus_total=gpus_total, concurrency=concurrency,
                         utilization=utilization, replica_requests_per_s=rate, usd_per_replica_hour=replica_hour, meets_accuracy=meets_acc, meets_latency=meets_lat, allowed=allowed,
                         eligible=eligible, batch=batch, why_not=tuple(why),
                         calibrated_by_user=calibrated, accuracy_basis=_basis_of(opts, table))


_WHY_NOT = ("excluded: on-premises only", "no accuracy data for this task", "does not fit in memory",
            "prompt + output exceed the context limit", "no price for this GPU in the catalog", "no price",
            None, None, "")  # None: the text carries a number (latency, accuracy)


def _why_not(opts: OptionSet, allowed, has_acc, fits, costed, meets_lat, meets_acc, latency, mean) -> list[str]:
    """The first reason each option is not eligible ('' when it is): a reason code per row from whole-array
    tests (the last test that fails is the first reason), then text; only rows whose text holds a number are
    formatted one by one."""
    is_token = _option_index(opts).is_token
    code = np.full(opts.size, 8)
    code[~meets_acc] = 7
    code[~meets_lat] = 6
    code[~costed] = 4 + is_token[~costed]
    code[~fits] = 2 + is_token[~fits]
    code[~has_acc] = 1
    code[~allowed] = 0
    why = [_WHY_NOT[c] for c in code.tolist()]
    for i in np.flatnonzero(code == 6).tolist():
        why[i] = f"misses the latency target ({latency[i]:.3g} s)"
    for i in np.flatnonzero(code == 7).tolist():
        why[i] = f"below the accuracy target ({mean[i]:.1f}%)"
    return why


def _argmin(values: np.ndarray, mask: np.ndarray) -> int | None:
    if not mask.any():
        return None
    masked = np.where(mask, values, np.inf)
    return int(np.argmin(masked))


def _choose(opts: OptionSet, r: OptionResults):
    of_kind = _option_index(opts).of_kind
    best = {k: _argmin(r.monthly_usd, r.eligible & of_kind[k]) for k in KINDS}
    rec = _argmin(r.monthly_usd, r.eligible)
    if rec is not None:
        return rec, best, "ok"
    feasible = r.has_accuracy & r.fits & r.meets_latency & r.allowed & np.isfinite(r.monthly_usd)
    if feasible.any():
        acc = np.where(feasible, r.accuracy_pct, -np.inf)
        top = np.flatnonzero(acc >= acc.max() - 1e-9)
        return int(top[np.argmin(r.monthly_usd[top])]), best, "target_missed"
    return None, best, "nothing_feasible"


def _monthly_at_volumes(s: Scenario, opts: OptionSet, r: OptionResults, rows: np.ndarray, volumes: np.ndarray) -> np.ndarray:
    """Monthly $ of ``rows`` at each volume (rows x volumes), every other input as in the scenario."""
    out = np.empty((len(rows), len(volumes)))
    token = opts.kind[rows] != "gpu"
    out[token] = costs.monthly_from_per_request(r.cost_per_request_usd[rows[token], None], volumes[None, :])
    g = rows[~token]
    reps = costs.replicas_needed(volumes[None, :], s.peak_to_average, r.replica_requests_per_s[g, None])
    out[~token] = reps * r.usd_per_replica_hour[g, None] * costs.HOURS_PER_MONTH
    return out


def _volume_curves_and_break_evens(s: Scenario, opts: OptionSet, r: OptionResults):
    """``_volume_curves`` and ``_break_evens``, cached on exactly what they read (the eligible rows, token
    offers' $ per request, GPU replicas' rate and $ per hour, peak/average), which the volume and usually
    the accuracy target leave unchanged. The curves are returned as new arrays."""
    base = r.meets_accuracy & r.meets_latency & r.fits & r.allowed & np.isfinite(r.monthly_usd)
    index = _option_index(opts)
    token, gpu = base & index.is_token, base & index.is_gpu
    key = (id(opts), base.tobytes(), r.cost_per_request_usd[token].tobytes(), r.replica_requests_per_s[gpu].tobytes(),
           r.usd_per_replica_hour[gpu].tobytes(), _exact(s.peak_to_average))
    hit = _VOLUME_CACHE.get(key)
    if hit is None:
        volume = _volume_curves(s, opts, r)
        _frozen(*volume.values())
        hit = _VOLUME_CACHE.put(key, opts, (volume, _break_evens(volume)))
    volume, breaks = hit
    return {k: v.copy() for k, v in volume.items()}, breaks


def _volume_curves(s: Scenario, opts: OptionSet, r: OptionResults) -> dict[str, np.ndarray]:
    """For each kind, the cheapest option that meets the targets at each volume (inf where none)."""
    out = {}
    base = r.meets_accuracy & r.meets_latency & r.fits & r.allowed & np.isfinite(r.monthly_usd)
    for k in KINDS:
        rows = np.flatnonzero(base & _option_index(opts).of_kind[k])
        out[k] = _monthly_at_volumes(s, opts, r, rows, VOLUME_GRID).min(axis=0) if len(rows) else np.full(VOLUME_GRID.shape, np.inf)
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
        d0 = np.log(stack[a, i]) - np.log(stack[b, i])
        d1 = np.log(stack[a, i + 1]) - np.log(stack[b, i + 1])
        t = d0 / (d0 - d1) if np.isfinite(d0 - d1) and d0 != d1 else 0.5
        out.append(BreakEven(float(np.exp(x0 + np.clip(t, 0, 1) * (x1 - x0))), KINDS[a], KINDS[b]))
    return tuple(out)


def _accuracy_curves(s: Scenario, task, opts: OptionSet) -> tuple[AccuracyCurveView, ...]:
    cached = _accuracy_by_model(s, task, opts)
    key = (id(cached), id(opts))
    hit = _CURVE_VIEW_CACHE.get(key)
    if hit is not None:
        return hit
    offered = set(opts.accuracy_id)
    views = tuple(AccuracyCurveView(acc_id, BUDGET_GRID, m[1:], lo[1:], hi[1:], ex[1:], tuple(task.curves[acc_id].points),
                                    task.curves[acc_id].basis)
                  for acc_id, (m, lo, hi, ex) in sorted(cached.by_model.items()) if acc_id in offered)
    return _CURVE_VIEW_CACHE.put(key, (cached, opts), views)  # read-only arrays: views cannot change the cache


GRID_CHUNK_POINTS = 1 << 16  # GPU grid points per serving pass: keeps temporaries in cache, time linear


def _grid_cost_per_request(s: Scenario, opts: OptionSet, rows: np.ndarray, budgets: np.ndarray,
                           samples: np.ndarray, batch: np.ndarray, cache: bool = False) -> np.ndarray:
    """$ per request of ``rows`` at every (reasoning budget, samples) pair: shape (rows, budgets, samples);
    inf where the option cannot serve that point (memory, context or latency target).

    cache: keep what does not depend on the volume or the operating budget (token offers' cost, the GPU
    serving estimate) for the next call with the same rows and inputs: the cost curves' few rows, not a big grid.
    """
    t = np.asarray(budgets, dtype=float)[None, :, None]
    n = np.asarray(samples, dtype=float)[None, None, :]
    out = np.full((len(rows), t.shape[1], n.shape[2]), np.inf)
    token = opts.kind[rows] != "gpu"
    tr = rows[token]
    grid_key = (t.tobytes(), n.tobytes(), s.input_tokens, s.answer_tokens, _exact(s.latency_target_s), s.prefix_cache)
    if len(tr):
        key = (id(opts), tr.tobytes(), batch[tr].tobytes(), _exact(s.cached_input_fraction), s.samples, *grid_key)
        token_out = _GRID_TOKEN_CACHE.get(key) if cache else None
        if token_out is None:
            prices = {k: v[tr, None, None] for k, v in opts.prices.items()}
            cost = costs.token_offer_cost_per_request(prices, s.input_tokens, t, s.answer_tokens, n, s.cached_input_fraction,
                                                      s.prefix_cache, batch[tr, None, None])
            output = t + s.answer_tokens
            latency = opts.ttft_s[tr, None, None] + output / opts.tokens_per_s_per_user[tr, None, None]
            ok = ((latency <= s.latency_target_s) | batch[tr, None, None]) & (s.input_tokens + output <= opts.context_tokens[tr, None, None])
            token_out = np.where(ok, cost, np.inf)
            if cache:
                _GRID_TOKEN_CACHE.put(key, opts, _frozen(token_out)[0])
        out[token] = token_out
    g = rows[~token]
    if len(g):
        pos = np.searchsorted(opts.gpu_rows, g)
        hour = costs.gpu_hour_usd(opts.rent_usd_per_gpu_hour[g], opts.purchase_usd[g], opts.tdp_w[g], s.ownership,
                                  s.amortization_months, s.electricity_usd_per_kwh, s.pue)
        per = opts.gpus_per_replica[g]
        gpu_out = np.empty((len(g), t.shape[1], n.shape[2]))
        step = max(1, GRID_CHUNK_POINTS // (t.shape[1] * n.shape[2]))
        key = (id(opts.setup), pos.tobytes(), s.samples, s.speculative_draft_tokens, _exact(s.speculative_acceptance),
               *grid_key)
        served = _GRID_SERVING_CACHE.get(key) if cache else None
        if served is None:
            served = []  # per chunk: (requests/s of a replica, serves the point within memory and latency)
            for setup in _setup_chunks(opts.setup, pos, step, cache):
                est = estimate_for_latency(setup, s.input_tokens, t + s.answer_tokens, s.latency_target_s, samples=n,
                                           prefix_cache=s.prefix_cache, draft_tokens=s.speculative_draft_tokens,
                                           acceptance=s.speculative_acceptance)
                served.append(_frozen(est.requests_per_s, est.fits & (est.latency_s <= s.latency_target_s)))
            if cache:
                _GRID_SERVING_CACHE.put(key, opts.setup, served)
        for (requests_per_s, ok), lo in zip(served, range(0, len(g), step)):
            sl = slice(lo, lo + step)
            reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, requests_per_s)
            monthly = costs.gpu_monthly_usd(reps, per[sl, None, None], hour[sl, None, None])
            gpu_out[sl] = np.where(ok, monthly / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf)
        out[~token] = gpu_out
    return out


def _setup_chunks(setup: Setup, pos: np.ndarray, step: int, cache: bool) -> list[Setup]:
    """The Setup rows ``pos`` in chunks of ``step``, shaped (rows, 1, 1) to broadcast against a grid."""
    key = (id(setup), pos.tobytes(), step)
    chunks = _GRID_SETUP_CACHE.get(key) if cache else None
    if chunks is None:
        chunks = [Setup(**{k: np.asarray(v)[pos[lo:lo + step], None, None] for k, v in vars(setup).items()})
                  for lo in range(0, len(pos), step)]
        if cache:
            for chunk in chunks:
                _frozen(*vars(chunk).values())
            _GRID_SETUP_CACHE.put(key, setup, chunks)
    return chunks


@dataclass(frozen=True)
class Grid:
    """Every option at every (reasoning budget, samples) pair: arrays (options, budgets, samples)."""

    budgets: np.ndarray
    samples: np.ndarray
    accuracy_pct: np.ndarray
    cost_per_request_usd: np.ndarray

    @property
    def points(self) -> int:
        return int(self.accuracy_pct.size)


def evaluate_grid(scenario: Scenario, catalog: Catalog, budgets, samples, adjust: Adjustments | None = None) -> Grid:
    """The whole option grid (options x budgets x samples) with the scenario's other inputs, vectorised."""
    task = catalog.get("tasks", scenario.task_id)
    opts = (adjust or Adjustments()).apply(build_options(catalog, scenario.hardware, scenario.gpus_per_replica,
                                                         scenario.weight_precision, scenario.kv_precision))
    budgets = np.asarray(budgets, dtype=float)
    samples = np.asarray(samples, dtype=float)
    acc = np.full((opts.size, len(budgets), len(samples)), np.nan)
    ids = np.array(opts.accuracy_id)
    for acc_id in task.curves:
        rows = ids == acc_id
        if rows.any():
            acc[rows] = task_accuracy(task, acc_id, budgets[:, None], samples[None, :], scenario.aggregation,
                                      scenario.scorer_quality).mean_pct
    batch = (opts.kind != "gpu") & (scenario.latency_target_s >= costs.BATCH_LATENCY_S) & (opts.prices["batch_discount"] > 0)
    cost = _grid_cost_per_request(scenario, opts, np.arange(opts.size), budgets, samples, batch)
    return Grid(budgets, samples, acc, cost)


def _cost_curves(s: Scenario, task, opts: OptionSet, r: OptionResults, shift_pts: float):
    """Cost per request vs accuracy along the budget grid for each token offer and the cheapest GPU
    configuration of each open model; plus the Pareto frontier over all of those points."""
    candidates = r.has_accuracy & r.allowed
    index = _option_index(opts)
    token_rows = np.flatnonzero(candidates & index.is_token)
    # the cheapest costed GPU row of each model, models in id order (stable sort: the first of equal costs)
    costed = np.flatnonzero(candidates & index.is_gpu & np.isfinite(r.monthly_usd))
    by_model = costed[np.lexsort((r.monthly_usd[costed], index.gpu_model[costed]))]
    model = index.gpu_model[by_model]
    gpu_rows = by_model[np.r_[True, model[1:] != model[:-1]]] if len(by_model) else by_model
    rows = np.concatenate([token_rows, gpu_rows]).astype(int)
    if not len(rows):
        return (), (np.zeros(0), np.zeros(0), ())
    acc = _accuracy(s, task, opts, grid=True, shift_pts=shift_pts, rows=rows)[0]
    cost = _grid_cost_per_request(s, opts, rows, BUDGET_GRID, np.array([s.samples]), r.batch, cache=True)[:, :, 0]
    curves = tuple(CostCurve(int(i), acc[j], cost[j]) for j, i in enumerate(rows))
    a, c = acc.ravel(), cost.ravel()
    which = np.repeat(rows, acc.shape[1])
    ok = np.isfinite(a) & np.isfinite(c)
    a, c, which = a[ok], c[ok], which[ok]
    order = np.lexsort((-a, c))
    best_acc = np.maximum.accumulate(a[order])
    keep = np.r_[True, best_acc[1:] > best_acc[:-1]] & (a[order] >= best_acc - 1e-12)
    sel = order[keep]
    return curves, (a[sel], c[sel], tuple(int(w) for w in which[sel]))


def _explain(s: Scenario, catalog: Catalog, task, opts: OptionSet, r: OptionResults, rec, best, status, breaks):
    from ttcplanner.model.format import describe_option, money, pct, requests

    alternatives = {}
    for k in KINDS:
        if best[k] is None:
            rows = _option_index(opts).of_kind[k]
            if not rows.any():
                alternatives[k] = "none in the catalog"
            elif not (r.allowed & rows).any():
                alternatives[k] = "excluded: on-premises only"
            elif not (r.has_accuracy & rows).any():
                alternatives[k] = f"no accuracy data on {task.name}"
            elif not (r.meets_accuracy & r.has_accuracy & rows).any():
                top = np.nanmax(np.where(rows & r.has_accuracy, r.accuracy_pct, np.nan))
                alternatives[k] = f"none reaches {pct(s.target_accuracy_pct)} (best {pct(top)})"
            elif not (r.meets_accuracy & r.meets_latency & rows).any():
                alternatives[k] = f"none meets the {s.latency_target_s:g} s latency target at this accuracy"
            else:
                alternatives[k] = "none fits in memory or has a price"
    if rec is None:
        return ("No option can serve this workload: nothing fits the latency target with a published accuracy.",
                ["Relax the latency target, reduce reasoning tokens or choose another task."], alternatives)
    kind = opts.kind[rec]
    headline = f"{KIND_NAMES[kind]}: {describe_option(opts, r, rec)}"
    reasons = []
    if status == "target_missed":
        reasons.append(f"No option reaches the {pct(s.target_accuracy_pct)} target on {task.name}; this is the most accurate "
                       f"({pct(r.accuracy_pct[rec])}) that meets the latency target.")
    else:
        n_ok = int(r.eligible.sum())
        reasons.append(f"Cheapest of {n_ok} option{'s' if n_ok != 1 else ''} that reach {pct(s.target_accuracy_pct)} on {task.name} "
                       f"within {s.latency_target_s:g} s per request: {money(r.monthly_usd[rec])}/month at {requests(s.requests_per_day)}/day.")
    for k in KINDS:
        if k == kind:
            continue
        b = best[k]
        if b is None:
            reasons.append(f"{KIND_NAMES[k]}: {alternatives[k]}.")
        else:
            saving = r.monthly_usd[b] - r.monthly_usd[rec]
            reasons.append(f"{KIND_NAMES[k]}: best is {opts.label[b]} at {money(r.monthly_usd[b])}/month "
                           f"({'saves' if saving >= 0 else 'costs'} {money(abs(saving))}/month"
                           f"{f', {saving / r.monthly_usd[b]:.0%}' if saving > 0 and r.monthly_usd[b] > 0 else ''}).")
    if kind == "gpu" and np.isfinite(r.utilization[rec]):
        reasons.append(f"The GPU fleet averages {r.utilization[rec]:.0%} utilisation at this volume (peak/average {s.peak_to_average:g}); "
                       "idle GPU-hours are paid for.")
    near = sorted(breaks, key=lambda b: abs(np.log(b.requests_per_day / s.requests_per_day)))
    if near:
        b = near[0]
        reasons.append(f"Break-even at {requests(b.requests_per_day)}/day: below it {KIND_NAMES[b.below]} is cheaper, "
                       f"above it {KIND_NAMES[b.above]}.")
    return headline, reasons, alternatives


def _warnings(s: Scenario, catalog: Catalog, opts: OptionSet, r: OptionResults, rec, best=None) -> list[str]:
    import datetime as dt

    w = []
    shown = [i for i in [rec, *(opts and [])] if i is not None]
    today = dt.date.today()
    stale = sorted({opts.as_of[i] for i in shown if (today - dt.date.fromisoformat(opts.as_of[i])).days > STALE_PRICE_DAYS})
    if stale:
        age = (today - dt.date.fromisoformat(stale[0])).days
        w.append(f"Prices behind this recommendation date from {stale[0]} ({age} days old; older than {STALE_PRICE_DAYS} days): "
                 "check current prices before committing money.")
    w.extend(_coverage_warning(opts, r, rec, best or {}))
    if rec is not None:
        if r.extrapolated[rec]:
            w.append("The recommended option's accuracy is extrapolated beyond its published points.")
        if opts.confidence[rec].lower().startswith("low"):
            w.append("The recommended option rests on low-confidence catalog figures.")
        if opts.speed_is_estimate[rec]:
            w.append("Its per-user speed is an estimate, not a published measurement.")
        if opts.kind[rec] == "gpu" and s.on_prem_only and s.ownership == "rent":
            w.append("On-premises only, but GPUs are costed as rented: switch to 'own' for purchase + power.")
    return w


def _coverage_warning(opts: OptionSet, r: OptionResults, rec, best: dict) -> list[str]:
    """One line counting each kind's offers with published / estimated / no accuracy, when it matters: a kind has
    no eligible option (is that "no data" rather than "too weak"?) or a shown option rests on an estimate."""
    if not r.accuracy_basis:
        return []
    index = _option_index(opts)
    key = ("coverage", r.accuracy_basis)
    coverage = index.row_of.get(key)
    if coverage is None:
        coverage = index.row_of[key] = accuracy_coverage(opts, r)
    shown = [i for i in (rec, *best.values()) if i is not None]
    estimated = [i for i in shown if r.accuracy_basis[i] == "estimated_from_other_tasks"]
    missing = [k for k, v in coverage.items() if best.get(k, 0) is None and v["published"] < sum(v.values())]
    if not estimated and not missing:
        return []
    line = "Offers' accuracy published / estimated from other tasks / no data: " + ", ".join(
        f"{k.upper()} {v['published']}/{v['estimated_from_other_tasks']}/{v['none']}" for k, v in coverage.items()) + "."
    if rec is not None and r.accuracy_basis[rec] == "estimated_from_other_tasks":
        line += " The recommendation's is estimated."
    return [line]


def accuracy_coverage(opts: OptionSet, r: OptionResults) -> dict:
    """kind -> how many of its offers (distinct entries) have a published, an estimated or no accuracy curve."""
    out = {}
    for k in KINDS:
        seen = {}
        for i in np.flatnonzero(opts.kind == k).tolist():
            seen.setdefault(opts.entry_id[i], r.accuracy_basis[i] if r.accuracy_basis else "none")
        if seen:
            out[k] = {b: sum(1 for v in seen.values() if v == b) for b in ("published", "estimated_from_other_tasks", "none")}
    return out


def _provenance(catalog: Catalog, task) -> tuple[tuple[str, str, str], ...]:
    rows = [(f"Task profile: {task.name}", task.source, task.as_of)]
    rows += [(f"Serving efficiency factors: {f.name}", f.source, f.as_of) for f in catalog.serving_factors.values()]
    return tuple(rows)


def plan_to_json(plan: Plan) -> dict:
    """The stable JSON shape of ``ttcplanner plan --json``."""
    from ttcplanner.model.format import option_json

    def opt(i):
        return None if i is None else option_json(plan.options, plan.results, i)

    return {
        "schema_version": 1,
        "scenario": plan.scenario.name,
        "task_id": plan.scenario.task_id,
        "catalog_as_of": plan.catalog_as_of,
        "status": plan.status,
        "headline": plan.headline,
        "recommendation": opt(plan.recommended),
        "best_per_kind": {k: opt(i) for k, i in plan.best_per_kind.items()},
        "why_no_option": dict(plan.alternatives),
        "reasons": list(plan.reasons),
        "warnings": list(plan.warnings),
        "break_even": [{"requests_per_day": b.requests_per_day, "cheaper_below": b.below, "cheaper_above": b.above}
                       for b in plan.break_evens],
        "options_evaluated": int(plan.options.size),
        "options_meeting_targets": int(plan.results.eligible.sum()),
        "provenance": [{"what": w, "source": src, "as_of": d} for w, src, d in plan.provenance],
    }
