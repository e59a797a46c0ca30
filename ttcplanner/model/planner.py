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

from ttcplanner.model import budget, costs
from ttcplanner.model.accuracy import task_accuracy, task_accuracy_many
from ttcplanner.model.budget import Budgets
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.misses import NearestMiss, nearest_misses
from ttcplanner.model.options import KIND_NAMES, KINDS, OptionSet, build_options, price_settings
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
    nvidia_gpu_price_factor: float = 1.0  # on top of gpu_price_factor, NVIDIA GPUs only
    amd_gpu_price_factor: float = 1.0  # on top of gpu_price_factor, AMD GPUs only
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
        vendor = np.array(opts.vendor)
        gpu = self.gpu_price_factor * np.where(vendor == "NVIDIA", self.nvidia_gpu_price_factor,
                                               np.where(vendor == "AMD", self.amd_gpu_price_factor, 1.0))
        return dataclasses.replace(opts, prices=prices, setup=setup,
                                   rent_usd_per_gpu_hour=opts.rent_usd_per_gpu_hour * gpu,
                                   purchase_usd=opts.purchase_usd * gpu, server_usd_per_gpu=opts.server_usd_per_gpu * gpu)


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
    # the budget each option is priced at (budget.py): reasoning tokens per sample, samples, effort level or None
    reasoning_tokens: np.ndarray | None = None
    samples: np.ndarray | None = None
    effort: tuple = ()
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
    frontier_extrapolated: np.ndarray | None = None  # per frontier point: meets its accuracy only by extrapolation
    frontier_budget: tuple[np.ndarray, np.ndarray] | None = None  # per frontier point: (reasoning tokens, samples)
    budget_hint: BudgetHint | None = None  # fixed mode: a budget within the same caps that is much cheaper
    nearest_misses: tuple[NearestMiss, ...] = ()  # no option meets every target: the closest per blocking target


@dataclass(frozen=True)
class BudgetHint:
    """Fixed mode: the auto search within the same caps found a plan at least HINT_SAVING cheaper."""

    reasoning_tokens: float  # per sample, whole tokens (the fixed budget to switch to)
    samples: int
    effort: str | None
    option: int
    monthly_usd: float
    saving: float  # fraction of the fixed plan's monthly cost


HINT_SAVING = 0.2


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
_CLASS_CACHE = _IdentityCache(16)  # per (catalog, task, option set): the options' budget classes
_FIXED_BUDGET_CACHE = _IdentityCache(16)  # per budget classes: the fixed budgets at the scenario's budget
_LEVEL_NAME_CACHE = _IdentityCache(16)  # per budget classes: every level name, for one gather per plan
_INVERSE_CACHE = _IdentityCache(16)  # per (task, aggregation, scorer quality): budget.ParallelInverse
_SEQUENTIAL_CACHE = _IdentityCache(16)  # per task: every curve along budget's token grid
_EFFORT_CACHE = _IdentityCache(16)  # per budget classes: exact accuracy of the effort-level ones at the search's counts
_EFFORT_COLUMN_CACHE = _IdentityCache(16)  # the same on SAMPLES_GRID, or at the counts off it (the cap)
_POINT_CACHE = _IdentityCache(64)  # exact accuracy of models at the budgets options are bought at
_SEARCH_SERVING_CACHE = _IdentityCache(32)  # GPU serving estimates at the budgets the search tries


def clear_caches() -> None:
    """Forget this thread's cached intermediates and the option sets (tests compare cold and warm plans;
    results never depend on the caches)."""
    for cache in (_ACCURACY_CACHE, _OPTION_INDEX_CACHE, _SERVING_CACHE, _GRID_SERVING_CACHE, _GRID_TOKEN_CACHE,
                  _GRID_SETUP_CACHE, _CURVE_VIEW_CACHE, _VOLUME_CACHE, _CLASS_CACHE, _FIXED_BUDGET_CACHE,
                  _LEVEL_NAME_CACHE, _INVERSE_CACHE, _SEQUENTIAL_CACHE, _EFFORT_CACHE, _EFFORT_COLUMN_CACHE,
                  _POINT_CACHE, _SEARCH_SERVING_CACHE):
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


def _accuracy_by_model(s: Scenario, task, opts: OptionSet, samples: int | None = None) -> _AccuracyTable:
    """Accuracy of every model of the task that an option uses, at ``samples`` (default the scenario's), cached
    on the inputs that matter, so volume, latency, price and hardware moves do not recompute accuracy."""
    ids = _offered_ids(task, opts)
    samples = s.samples if samples is None else samples
    # the first column is the fixed budget; auto mode reads only the grid, so a moved cap reuses the table
    first = s.reasoning_tokens if s.budget_mode == "fixed" else 0.0
    key = (id(task), ids, _exact(first), samples, s.aggregation, _exact(s.scorer_quality))
    hit = _ACCURACY_CACHE.get(key)
    if hit is not None:
        return hit
    tokens = np.concatenate([[first], BUDGET_GRID])
    many = task_accuracy_many(task, ids, tokens, samples, s.aggregation, s.scorer_quality)
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


def _max_tokens(task, opts: OptionSet) -> np.ndarray:
    """Each option's most reasoning tokens per sample its model takes on this task (inf without a curve), cached."""
    index = _option_index(opts)
    key = ("max_tokens", id(task))
    hit = index.row_of.get(key)
    if hit is None:
        hit = np.array([task.curves[a].max_tokens if a in task.curves else np.inf for a in opts.accuracy_id])
        hit.flags.writeable = False
        index.row_of[key] = hit
    return hit


def _has_curve(task, opts: OptionSet) -> np.ndarray:
    """Whether the task has a curve for each option's model, cached."""
    index = _option_index(opts)
    key = ("has_curve", id(task))
    hit = index.row_of.get(key)
    if hit is None:
        hit = np.isin(index.accuracy_id, tuple(task.curves))
        hit.flags.writeable = False
        index.row_of[key] = hit
    return hit


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


def _basis_of(task, opts: OptionSet) -> tuple[str, ...]:
    """Each option's accuracy basis (cached per option set and task curves: a tuple of ~1000 strings per step).
    Read from the task's curves, not from an accuracy table: auto mode has no table at the samples cap."""
    index = _option_index(opts)
    ids = _offered_ids(task, opts)
    basis = tuple(task.curves[i].basis for i in ids) + ("none",)  # as _AccuracyTable.basis
    key = ("basis", ids, basis)
    hit = index.row_of.get(key)
    if hit is None:
        position = {acc_id: k for k, acc_id in enumerate(ids)}
        hit = index.row_of[key] = tuple(basis[position.get(acc_id, len(ids))] for acc_id in opts.accuracy_id)
    return hit


def _accuracy(scenario: Scenario, task, opts: OptionSet, grid: bool, shift_pts: float = 0.0, rows=None,
              samples: int | None = None):
    """Accuracy arrays for every option, or for ``rows`` (new arrays, safe to change): at the scenario's budget
    (options,) or along BUDGET_GRID (options x budgets), at ``samples`` (default the scenario's); NaN where the
    task has no curve for the option's model."""
    table = _accuracy_by_model(scenario, task, opts, samples)
    rows = _table_rows(opts, table) if rows is None else _table_rows(opts, table)[rows]
    cols = slice(1, None) if grid else 0
    mean, low, high, extrap = (a[rows, cols] for a in (table.mean, table.low, table.high, table.extrapolated))
    if shift_pts:
        mean, low, high = (np.clip(a + shift_pts, 0.0, 100.0) for a in (mean, low, high))
    return mean, low, high, extrap


def _gpu_costs(scenario: Scenario, opts: OptionSet, setup: Setup, output_tokens, rows=None, samples=None):
    """Serving estimate, replicas and monthly $ of GPU rows; output_tokens broadcasts along a trailing axis.
    samples: the scenario's, or an array per row (auto budgets; then output_tokens is one too).

    The estimate is cached on the setup and the serving inputs, so volume, accuracy-target, ownership and
    price moves reuse it (its arrays are read-only)."""
    rows = opts.gpu_rows if rows is None else rows
    n = opts.gpus_per_replica[rows]
    samples = scenario.samples if samples is None else samples
    per_row = np.ndim(samples) > 0
    serving = (scenario.input_tokens, output_tokens.tobytes() if per_row else output_tokens, scenario.latency_target_s,
               samples.tobytes() if per_row else samples, scenario.prefix_cache, scenario.speculative_draft_tokens,
               scenario.speculative_acceptance, scenario.ttft_target_s)
    key = (id(setup), *(_exact(v) for v in serving)) if per_row or np.ndim(output_tokens) == 0 else None
    est = _SERVING_CACHE.get(key) if key is not None else None
    if est is None:
        est = estimate_for_latency(setup, scenario.input_tokens, output_tokens, scenario.latency_target_s,
                                   samples=samples, prefix_cache=scenario.prefix_cache,
                                   draft_tokens=scenario.speculative_draft_tokens,
                                   acceptance=scenario.speculative_acceptance, ttft_target_s=scenario.ttft_target_s)
        if key is not None:
            _frozen(*(getattr(est, f.name) for f in dataclasses.fields(est)))
            _SERVING_CACHE.put(key, setup, est)
    hour = costs.gpu_hour_for(opts, rows, scenario)
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
                                      scenario.kv_precision, price_settings(scenario), scenario.engine))
    shift = adjust.accuracy_shift_pts
    classes = _budget_classes(catalog, task, opts)
    if scenario.budget_mode == "auto":
        budgets = _auto_budgets(scenario, task, opts, classes, shift)
    else:
        budgets = _fixed_budgets(scenario, classes)
    res = _operating_point(scenario, task, opts, budgets, shift)
    rec, best, status = _choose(opts, res)
    hint = _budget_hint(scenario, task, opts, classes, res, rec, status, shift) if scenario.budget_mode == "fixed" else None
    volume, breaks = _volume_curves_and_break_evens(scenario, opts, res)
    curve_samples = int(res.samples[rec]) if rec is not None else scenario.samples
    acc_curves = _accuracy_curves(scenario, task, opts, curve_samples)
    cost_curves, frontier, front_extrap, front_budget = _cost_curves(scenario, task, opts, res, shift)
    headline, reasons, alternatives = _explain(scenario, catalog, task, opts, res, rec, best, status, breaks)
    warnings = _warnings(scenario, catalog, opts, res, rec, best)
    return Plan(scenario=scenario, catalog_as_of=catalog.as_of, catalog_age_days=catalog.age_days(), options=opts,
                results=res, recommended=rec, best_per_kind=best, status=status, headline=headline,
                reasons=tuple(reasons), warnings=tuple(warnings), accuracy_curves=acc_curves,
                cost_curves=cost_curves, frontier=frontier, volume_grid=VOLUME_GRID, volume_monthly_usd=volume,
                break_evens=breaks, alternatives=alternatives, provenance=_provenance(catalog, task),
                frontier_extrapolated=front_extrap, frontier_budget=front_budget, budget_hint=hint,
                nearest_misses=nearest_misses(scenario, opts, res))


def _batch(s: Scenario, opts: OptionSet) -> np.ndarray:
    """Token offers bought through a batch API: the latency target allows 24 h and the offer has a discount."""
    return _option_index(opts).is_token & (s.latency_target_s >= costs.BATCH_LATENCY_S) & (opts.prices["batch_discount"] > 0)


# ---------------------------------------------------------------- budgets: what each option is bought at


def _budget_classes(catalog: Catalog, task, opts: OptionSet) -> budget.BudgetClasses:
    key = (id(catalog), id(task), id(opts))
    hit = _CLASS_CACHE.get(key)
    if hit is None:
        hit = _CLASS_CACHE.put(key, (catalog, task, opts), budget.budget_classes(catalog, task, opts))
        _frozen(hit.of_option, hit.has_curve)
    return hit


def _fixed_budgets(s: Scenario, classes: budget.BudgetClasses) -> Budgets:
    key = (id(classes), _exact(s.reasoning_tokens), s.samples)
    hit = _FIXED_BUDGET_CACHE.get(key)
    if hit is None:
        hit = budget.fixed_budgets(s, classes)
        _frozen(hit.reasoning_tokens, hit.samples)
        _FIXED_BUDGET_CACHE.put(key, classes, hit)
    return hit


def _accuracy_at(s: Scenario, task, opts: OptionSet, budgets: Budgets, shift_pts: float):
    """Accuracy of every option at its own budget (new arrays). Fixed budgets read the per-model table at the
    scenario's budget; other budgets (auto, effort levels) are computed exactly at their (tokens, samples)."""
    if s.budget_mode == "fixed":
        mean, low, high, extrap = _accuracy(s, task, opts, grid=False, shift_pts=shift_pts)
        redo = budgets.reasoning_tokens != s.reasoning_tokens
    else:
        mean, low, high = (np.full(opts.size, np.nan) for _ in range(3))
        extrap = np.zeros(opts.size, dtype=bool)
        redo = np.ones(opts.size, dtype=bool)
    ids = _option_index(opts).accuracy_id
    redo &= _has_curve(task, opts)
    if not redo.any():
        return mean, low, high, extrap
    rows = np.flatnonzero(redo)
    pairs, which = np.unique(budgets.reasoning_tokens[rows] + 1j * budgets.samples[rows], return_inverse=True)
    models, model_of = np.unique(ids[rows], return_inverse=True)
    key = (id(task), tuple(models.tolist()), pairs.tobytes(), s.aggregation, _exact(s.scorer_quality))
    hit = _POINT_CACHE.get(key)
    if hit is None:
        many = task_accuracy_many(task, tuple(models.tolist()), pairs.real, pairs.imag, s.aggregation, s.scorer_quality)
        hit = tuple(_frozen(*(np.stack([getattr(many[m], part) for m in models.tolist()])
                              for part in ("mean_pct", "low_pct", "high_pct", "extrapolated"))))
        _POINT_CACHE.put(key, task, hit)
    m, lo, hi, ex = (a[model_of, which.ravel()] for a in hit)
    if shift_pts:
        m, lo, hi = (np.clip(a + shift_pts, 0.0, 100.0) for a in (m, lo, hi))
    mean[rows], low[rows], high[rows], extrap[rows] = m, lo, hi, ex
    return mean, low, high, extrap


def _auto_budgets(s: Scenario, task, opts: OptionSet, classes: budget.BudgetClasses, shift_pts: float,
                  with_cost: bool = False):
    """Each option's cheapest (reasoning tokens, samples) within the caps that meets the accuracy and latency
    targets, memory and context; see budget.py.

    For every samples count within the cap, the fewest tokens that reach the target (per class) are priced for
    every option at once, (options x samples counts); an option takes its cheapest feasible pair. An option
    that reaches the target only where it misses latency or memory takes the pair with the lowest latency (its
    reason then shows by how much); one that cannot reach it within the caps takes its most accurate budget."""
    ns = budget.samples_candidates(s.samples)
    need, level = _tokens_needed(s, task, classes, ns, s.target_accuracy_pct - shift_pts)
    tokens = need[classes.of_option]  # (options, K): inf where the target is out of reach
    free = np.array([not levels for levels in classes.levels], dtype=bool)[classes.of_option, None]
    tokens = np.where(free & (tokens > s.reasoning_tokens), np.inf, tokens)  # effort levels were capped already
    cost, latency = _search_costs(s, opts, tokens, ns)
    reach = np.isfinite(tokens)
    ok = reach & np.isfinite(cost)
    if s.on_prem_only:
        ok &= _option_index(opts).is_gpu[:, None]
    k = np.where(ok.any(axis=1), np.argmin(np.where(ok, cost, np.inf), axis=1),
                 np.argmin(np.where(reach, np.where(np.isfinite(latency), latency, np.finfo(float).max), np.inf), axis=1))
    rows = np.arange(opts.size)
    chosen_tokens, chosen_samples = tokens[rows, k], ns[k]
    fallback_tokens, fallback_level = _most_accurate_budget(s, task, classes)
    any_reach = reach.any(axis=1)
    chosen_tokens = np.where(any_reach, chosen_tokens, fallback_tokens[classes.of_option])
    chosen_samples = np.where(any_reach, chosen_samples, float(s.samples))
    best_cost = np.where(ok.any(axis=1), cost[rows, k], np.inf)
    chosen_tokens = _spend_what_is_paid_for(s, opts, chosen_tokens, chosen_samples, best_cost)
    chosen_level = np.where(any_reach, level[classes.of_option, k], fallback_level[classes.of_option])
    names, first = _level_names(classes)
    effort = tuple(names[np.where(chosen_level >= 0, first[classes.of_option] + chosen_level, 0)].tolist())
    budgets = Budgets(chosen_tokens, chosen_samples, effort)
    return (budgets, best_cost) if with_cost else budgets  # best_cost: $ per request, inf where infeasible


def _level_names(classes: budget.BudgetClasses):
    """(None followed by every class's level names, as an object array; each class's first name in it), so an
    option's effort is one gather: names[first[class] + level]; cached with the classes."""
    key = id(classes)
    hit = _LEVEL_NAME_CACHE.get(key)
    if hit is None:
        names = np.array([None] + [name for levels in classes.levels for name, _ in levels], dtype=object)
        first = 1 + np.cumsum([0] + [len(levels) for levels in classes.levels[:-1]])
        hit = _LEVEL_NAME_CACHE.put(key, classes, _frozen(names, first))
    return hit


def _tokens_needed(s: Scenario, task, classes: budget.BudgetClasses, ns: np.ndarray, target_pct: float):
    """The fewest reasoning tokens per sample that reach ``target_pct`` with each samples count in ``ns``, per
    class, (classes x K): inf where none does (effort levels: none a budget within the token cap buys; free
    budgets are not capped here); and the effort level that buys them (-1 for a free budget)."""
    need = np.full((len(classes.accuracy_id), len(ns)), np.inf)
    level = np.full(need.shape, -1, dtype=np.intp)
    free = [c for c, levels in enumerate(classes.levels) if classes.has_curve[c] and not levels]
    if free:
        pass1 = _parallel_inverse(s, task).pass1_needed(target_pct + budget.SEARCH_MARGIN_PTS, ns)
        table, row_of = _sequential_rows(task)
        need[free] = budget.tokens_needed(table[[row_of[classes.accuracy_id[c]] for c in free]], pass1)
    for c, acc in _effort_accuracy(s, task, classes, ns).items():
        levels = budget.reachable_levels(classes.levels[c], s.reasoning_tokens)
        meets = acc[:len(levels)] >= target_pct - 1e-9  # the reachable levels: the first rows
        first = np.argmax(meets, axis=0)
        reached = meets.any(axis=0)
        need[c] = np.where(reached, np.array([t for _, t in levels])[first], np.inf)
        level[c] = np.where(reached, first, -1)
    return need, level


def _parallel_inverse(s: Scenario, task) -> budget.ParallelInverse:
    key = (id(task), s.aggregation, _exact(s.scorer_quality))
    hit = _INVERSE_CACHE.get(key)
    return hit if hit is not None else _INVERSE_CACHE.put(key, task, budget.ParallelInverse(task, s.aggregation, s.scorer_quality))


def _sequential_rows(task):
    """(every curve of the task along budget's token grid, each accuracy id's row in it)."""
    key = id(task)
    hit = _SEQUENTIAL_CACHE.get(key)
    if hit is None:
        ids = tuple(task.curves)
        hit = _SEQUENTIAL_CACHE.put(key, task, (budget.sequential_table(task, ids), {a: k for k, a in enumerate(ids)}))
    return hit


def _effort_accuracy(s: Scenario, task, classes: budget.BudgetClasses, ns: np.ndarray) -> dict:
    """Exact mean accuracy (percent) of each effort-level class at all its levels x samples counts ``ns``:
    {class: (levels, K)}. Built from columns kept per samples count (the whole SAMPLES_GRID at once, the cap on
    its own), so a moved samples cap computes one new column, for every class in one call (task_accuracy_many
    works element by element: a column is the same whichever columns it is computed with)."""
    key = (id(task), id(classes), ns.tobytes(), s.aggregation, _exact(s.scorer_quality))
    hit = _EFFORT_CACHE.get(key)
    if hit is not None:
        return hit
    grid = budget.SAMPLES_GRID
    on_grid = np.isin(ns, grid)
    ongrid = _effort_columns(s, task, classes, grid) if on_grid.any() else {}
    offgrid = _effort_columns(s, task, classes, ns[~on_grid]) if not on_grid.all() else {}
    cols = np.searchsorted(grid, ns[on_grid])
    hit = {}
    for c in (ongrid or offgrid):
        acc = np.empty((len(classes.levels[c]), len(ns)))
        if on_grid.any():
            acc[:, on_grid] = ongrid[c][:, cols]
        if not on_grid.all():
            acc[:, ~on_grid] = offgrid[c]
        hit[c] = _frozen(acc)[0]
    return _EFFORT_CACHE.put(key, (task, classes), hit)


def _effort_columns(s: Scenario, task, classes: budget.BudgetClasses, samples: np.ndarray) -> dict:
    """{class: (its levels, len(samples))} exact mean accuracy of the effort-level classes with a curve, in one
    ``task_accuracy_many`` call (every such model at every level's tokens), cached."""
    key = (id(task), id(classes), samples.tobytes(), s.aggregation, _exact(s.scorer_quality))
    hit = _EFFORT_COLUMN_CACHE.get(key)
    if hit is not None:
        return hit
    effort = [c for c, levels in enumerate(classes.levels) if classes.has_curve[c] and levels]
    models = tuple(dict.fromkeys(classes.accuracy_id[c] for c in effort))
    tokens = np.unique([t for c in effort for _, t in classes.levels[c]])
    many = task_accuracy_many(task, models, tokens[:, None], samples[None, :], s.aggregation, s.scorer_quality)
    hit = {}
    for c in effort:
        rows = np.searchsorted(tokens, [t for _, t in classes.levels[c]])
        hit[c] = _frozen(np.array(many[classes.accuracy_id[c]].mean_pct, dtype=float)[rows])[0]
    return _EFFORT_COLUMN_CACHE.put(key, (task, classes), hit)


def _most_accurate_budget(s: Scenario, task, classes: budget.BudgetClasses):
    """Per class, the budget an option that cannot reach the target is shown at: its most accurate one within the
    caps, without tokens its curve gains nothing from (past the trained maximum); and its effort level (-1: free)."""
    tokens, level = [], []
    for acc_id, levels in zip(classes.accuracy_id, classes.levels):
        if levels:
            reachable = budget.reachable_levels(levels, s.reasoning_tokens)
            tokens.append(reachable[-1][1])
            level.append(len(reachable) - 1)
        else:
            curve = task.curves.get(acc_id)
            tokens.append(min(s.reasoning_tokens, curve.max_tokens) if curve is not None else s.reasoning_tokens)
            level.append(-1)
    return np.array(tokens, dtype=float), np.array(level, dtype=np.intp)


def _search_costs(s: Scenario, opts: OptionSet, tokens: np.ndarray, ns: np.ndarray):
    """$ per request and latency of every option at (tokens[option, k], ns[k]), (options x K; tokens inf: out
    of reach); the cost is inf where the option cannot serve that budget within the latency target, memory or
    context (the tests of _operating_point, on a grid), or where a GPU row's budget is not tried (see
    _gpu_search)."""
    index = _option_index(opts)
    cost = np.full(tokens.shape, np.inf)
    latency = np.full(tokens.shape, np.inf)
    tr = np.flatnonzero(index.is_token)
    if len(tr):
        batch = _batch(s, opts)[tr, None]
        t = np.where(np.isfinite(tokens[tr]), tokens[tr], 0.0)
        c = costs.token_offer_cost_per_request({k: v[tr, None] for k, v in opts.prices.items()}, s.input_tokens, t,
                                               s.answer_tokens, ns[None, :], s.cached_input_fraction, s.prefix_cache, batch)
        out = t + s.answer_tokens
        lat = opts.ttft_s[tr, None] + out / opts.tokens_per_s_per_user[tr, None]
        lat = np.where(batch, np.minimum(lat, costs.BATCH_LATENCY_S), lat)
        ok = ((lat <= s.latency_target_s * (1 + 1e-9)) & ~(opts.ttft_s[tr, None] > s.ttft_target_s * (1 + 1e-9))
              & (s.input_tokens + out <= opts.context_tokens[tr, None]) & (out <= costs.output_caps(opts)[tr, None])
              & costs.within_rate_limits(opts.rate_limit_rpm[tr, None], opts.rate_limit_tpm[tr, None], s, out,
                                         ns[None, :], opts.rate_limit_rpd[tr, None], opts.rate_limit_tpd[tr, None]))
        cost[tr] = np.where(ok & np.isfinite(c) & np.isfinite(tokens[tr]), c, np.inf)
        latency[tr] = np.where(np.isfinite(tokens[tr]), lat, np.inf)
    g = opts.gpu_rows
    if len(g):
        cost[g], latency[g] = _gpu_search(s, opts, tokens[g], ns)
    return cost, latency


GPU_SAMPLES_TRIED = 3  # per GPU row: the samples counts that decode the fewest tokens, and the lowest-latency one


def _gpu_search(s: Scenario, opts: OptionSet, tokens: np.ndarray, ns: np.ndarray):
    """$ per request and latency of the GPU rows at (tokens[:, k], ns[k]), (GPU rows x K), inf where not tried.

    A replica's cost is its decode work, about samples x (reasoning + answer) tokens per request, so each row
    tries the GPU_SAMPLES_TRIED samples counts with the least of it and the one with the fewest tokens per
    sample (the lowest latency, for tight targets): 4 serving estimates per row instead of one per count (42
    for a cap of 1,024). The brute-force test over fixed budgets (tests/model/test_budget.py) checks the cut."""
    finite = np.isfinite(tokens)
    work = np.where(finite, ns[None, :] * (tokens + s.answer_tokens), np.inf)
    tried = np.argsort(work, axis=1, kind="stable")[:, :GPU_SAMPLES_TRIED]
    fastest = len(ns) - 1 - np.argmax(finite[:, ::-1], axis=1)  # the largest count in reach: fewest tokens each
    tried = np.concatenate([tried, fastest[:, None]], axis=1)
    rows = np.arange(len(tokens))[:, None]
    t, n = tokens[rows, tried], np.broadcast_to(ns[tried], tried.shape)
    ok = np.isfinite(t)
    c, lat = _gpu_costs_at(s, opts, opts.gpu_rows, np.where(ok, t, 0.0), n)
    cost, latency = np.full(tokens.shape, np.inf), np.full(tokens.shape, np.inf)
    cost[rows, tried] = np.where(ok, c, np.inf)
    latency[rows, tried] = np.where(ok, lat, np.inf)
    return cost, latency


def _serve(s: Scenario, setup: Setup, tokens: np.ndarray, samples: np.ndarray):
    """(requests/s of a replica, serves within memory and the latency target, latency) at these budgets."""
    est = estimate_for_latency(setup, s.input_tokens, tokens + s.answer_tokens, s.latency_target_s, samples=samples,
                               prefix_cache=s.prefix_cache, draft_tokens=s.speculative_draft_tokens,
                               acceptance=s.speculative_acceptance, ttft_target_s=s.ttft_target_s)
    served = (est.fits & (est.latency_s <= s.latency_target_s * (1 + 1e-9))
              & ~(est.ttft_p95_s > s.ttft_target_s * (1 + 1e-9)))
    return est.requests_per_s, served, est.latency_s


def _gpu_cost_per_request(s: Scenario, opts: OptionSet, g: np.ndarray, requests_per_s, served) -> np.ndarray:
    """$ per request of GPU rows ``g`` (leading axis) at the scenario's volume; inf where not served."""
    hour = costs.gpu_hour_for(opts, g, s)
    reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, requests_per_s)
    monthly = costs.gpu_monthly_usd(reps, opts.gpus_per_replica[g, None], hour[:, None])
    with np.errstate(invalid="ignore"):
        return np.where(served & np.isfinite(monthly), monthly / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf)


def _gpu_costs_at(s: Scenario, opts: OptionSet, g: np.ndarray, tokens: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """$ per request (inf where not served) and latency of GPU rows ``g`` at budgets (tokens, samples), both
    (len(g), C). The serving estimate is cached on the budgets and serving inputs (volume and price moves
    reuse it)."""
    pos = np.searchsorted(opts.gpu_rows, g)
    samples = np.ascontiguousarray(samples, dtype=float)
    key = (id(opts.setup), pos.tobytes(), tokens.tobytes(), samples.tobytes(), s.input_tokens, s.answer_tokens,
           _exact(s.latency_target_s), s.prefix_cache, s.speculative_draft_tokens, _exact(s.speculative_acceptance),
           _exact(s.ttft_target_s))
    est = _SEARCH_SERVING_CACHE.get(key)
    if est is None:
        setup = _setup_chunks(opts.setup, pos, len(pos), True)[0]
        setup = Setup(**{k: v[:, :, 0] for k, v in vars(setup).items()})  # (rows, 1): broadcast along the budgets
        est = _SEARCH_SERVING_CACHE.put(key, opts.setup, _frozen(*_serve(s, setup, tokens, samples)))
    return _gpu_cost_per_request(s, opts, g, est[0], est[1]), est[2]


def _spend_what_is_paid_for(s: Scenario, opts: OptionSet, tokens: np.ndarray, samples: np.ndarray,
                            cost: np.ndarray) -> np.ndarray:
    """A GPU fleet is paid by the replica, so more reasoning can cost nothing: the cheapest feasible GPU row of
    each model (``cost``: each row's $ per request at its budget, inf where infeasible; the row the cost curves
    draw) takes the most tokens within the cap (on the plots' budget grid, or the cap) that cost no more. More
    accuracy for the same money, and no point of its cost curve lies above-left of it."""
    index = _option_index(opts)
    feasible = index.is_gpu & np.isfinite(cost)
    rows = np.flatnonzero(feasible)
    if not len(rows):
        return tokens
    by_model = rows[np.lexsort((cost[rows], index.gpu_model[rows]))]
    model = index.gpu_model[by_model]
    g = by_model[np.r_[True, model[1:] != model[:-1]]]
    grid = np.append(BUDGET_GRID[BUDGET_GRID < s.reasoning_tokens], s.reasoning_tokens)
    low = tokens[g, None]
    candidates = np.concatenate([low, np.maximum(grid[None, :], low)], axis=1)  # column 0: the cheapest budget
    cost = _gpu_costs_at(s, opts, g, candidates, np.broadcast_to(samples[g, None], candidates.shape))[0]
    same = np.isfinite(cost) & (cost <= cost[:, :1] * (1 + 1e-12))
    last = candidates.shape[1] - 1 - np.argmax(same[:, ::-1], axis=1)  # cost never falls with tokens: a prefix
    out = tokens.copy()
    out[g] = candidates[np.arange(len(g)), last]
    return out


def _budget_hint(s: Scenario, task, opts: OptionSet, classes, r: OptionResults, rec, status, shift_pts: float):
    """Fixed mode: the cheapest option the budget search finds within the same caps (the search's own price
    of it: no second operating point), when it costs at least HINT_SAVING less (or the fixed budget misses
    the targets)."""
    budgets, cost = _auto_budgets(s, task, opts, classes, shift_pts, with_cost=True)
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
    effort = budgets.effort[best]
    tokens = float(budgets.reasoning_tokens[best]) if effort else float(math.ceil(budgets.reasoning_tokens[best]))
    return BudgetHint(tokens, int(budgets.samples[best]), effort, best, monthly, saving)


def _operating_point(s: Scenario, task, opts: OptionSet, budgets: Budgets, shift_pts: float = 0.0) -> OptionResults:
    """Every option at its budget: accuracy, cost, latency and whether it meets the targets."""
    n = opts.size
    mean, low, high, extrap = _accuracy_at(s, task, opts, budgets, shift_pts)
    has_acc = np.isfinite(mean)
    tokens, samples = budgets.reasoning_tokens, budgets.samples
    output_tokens = tokens + s.answer_tokens
    index = _option_index(opts)
    is_token = index.is_token
    batch = _batch(s, opts)
    cpr = costs.token_offer_cost_per_request(opts.prices, s.input_tokens, tokens, s.answer_tokens, samples,
                                             s.cached_input_fraction, s.prefix_cache, batch)
    speed = opts.tokens_per_s_per_user.copy()
    latency = opts.ttft_s + output_tokens / speed
    latency = np.where(batch, np.minimum(latency, costs.BATCH_LATENCY_S), latency)
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
        if s.budget_mode == "fixed":  # every GPU row at the scenario's budget: one cached estimate
            est, per, hour = _gpu_costs(s, opts, opts.setup, s.reasoning_tokens + s.answer_tokens)
        else:
            est, per, hour = _gpu_costs(s, opts, opts.setup, output_tokens[g], samples=samples[g])
        reps = costs.replicas_needed(s.requests_per_day, s.peak_to_average, est.requests_per_s)
        gm = costs.gpu_monthly_usd(reps, per, hour)
        ok = est.fits & np.isfinite(hour) & np.isfinite(reps)
        fits[g] = est.fits
        monthly[g] = np.where(ok, gm, np.inf)
        cpr[g] = np.where(ok, gm / (s.requests_per_day * costs.DAYS_PER_MONTH), np.inf)
        latency[g], ttft[g], speed[g] = est.latency_s, est.ttft_p95_s, est.output_tokens_per_s_per_user
        replicas[g] = np.where(ok, reps, 0)
        gpus_total[g] = replicas[g] * per
        concurrency[g] = est.concurrency
        rate[g] = est.requests_per_s
        replica_hour[g] = per * hour
        calibrated[g] = est.calibrated_by_user
        with np.errstate(divide="ignore", invalid="ignore"):
            utilization[g] = np.where(ok, s.requests_per_day / costs.SECONDS_PER_DAY / (reps * est.requests_per_s), np.nan)
    beyond = tokens > _max_tokens(task, opts) * (1 + 1e-9)  # above the model's maximum reasoning: refused
    meets_acc = has_acc & (mean >= s.target_accuracy_pct - 1e-9) & ~beyond
    meets_lat = np.isfinite(latency) & (latency <= s.latency_target_s * (1 + 1e-9)) & ~(ttft > s.ttft_target_s * (1 + 1e-9))
    allowed = index.is_gpu | (not s.on_prem_only)
    costed = np.isfinite(monthly)
    eligible = meets_acc & meets_lat & fits & allowed & costed
    why = _why_not(opts, allowed, has_acc, fits, costed, meets_lat, meets_acc, latency, mean)
    for i in np.flatnonzero(is_token & in_context & ~within_limits & (~fits)).tolist():
        if why[i] == _WHY_NOT[3]:
            why[i] = costs.RATE_LIMIT_REASON
    for i in np.flatnonzero(beyond & has_acc & allowed).tolist():
        why[i] = (f"{tokens[i]:g} reasoning tokens exceed the model's maximum "
                  f"({task.curves[opts.accuracy_id[i]].max_tokens:g})")
    return OptionResults(accuracy_pct=mean, low_pct=low, high_pct=high, extrapolated=extrap, has_accuracy=has_acc,
                         fits=fits, cost_per_request_usd=cpr, monthly_usd=monthly, latency_s=latency, ttft_s=ttft,
                         tokens_per_s_per_user=speed, replicas=replicas, gpus_total=gpus_total, concurrency=concurrency,
                         utilization=utilization, replica_requests_per_s=rate, usd_per_replica_hour=replica_hour, meets_accuracy=meets_acc, meets_latency=meets_lat, allowed=allowed,
                         eligible=eligible, batch=batch, why_not=tuple(why),
                         calibrated_by_user=calibrated, reasoning_tokens=tokens, samples=samples, effort=budgets.effort,
                         accuracy_basis=_basis_of(task, opts))


_WHY_NOT = ("excluded: on-premises only", "no accuracy data for this task", "does not fit in memory",
            "prompt + output exceed the context or output limit", "no price for this GPU in the catalog", "no price",
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


def _argmin(values: np.ndarray, mask: np.ndarray, accuracy: np.ndarray) -> int | None:
    """The cheapest row in ``mask``; of equally cheap rows the most accurate (so no option dominates it)."""
    if not mask.any():
        return None
    masked = np.where(mask, values, np.inf)
    tied = np.flatnonzero(masked <= masked.min())
    return int(tied[np.argmax(accuracy[tied])]) if len(tied) > 1 else int(tied[0])


def _choose(opts: OptionSet, r: OptionResults):
    of_kind = _option_index(opts).of_kind
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


def _monthly_at_volumes(s: Scenario, opts: OptionSet, r: OptionResults, rows: np.ndarray, volumes: np.ndarray) -> np.ndarray:
    """Monthly $ of ``rows`` at each volume (rows x volumes), every other input as in the scenario."""
    out = np.empty((len(rows), len(volumes)))
    token = opts.kind[rows] != "gpu"
    out[token] = np.where(costs.tier_allows(opts, rows[token], s, volumes),
                          costs.monthly_from_per_request(r.cost_per_request_usd[rows[token], None], volumes[None, :]), np.inf)
    g = rows[~token]
    reps = costs.replicas_needed(volumes[None, :], s.peak_to_average, r.replica_requests_per_s[g, None])
    out[~token] = reps * r.usd_per_replica_hour[g, None] * costs.HOURS_PER_MONTH
    return out


def _volume_curves_and_break_evens(s: Scenario, opts: OptionSet, r: OptionResults):
    """``_volume_curves`` and ``_break_evens``, cached on exactly what they read (the eligible rows, token
    offers' $ per request, GPU replicas' rate and $ per hour, peak/average), which the volume and usually
    the accuracy target leave unchanged. The curves are returned as new arrays."""
    base = _volume_base(s, opts, r)
    index = _option_index(opts)
    token, gpu = base & index.is_token, base & index.is_gpu
    key = (id(opts), base.tobytes(), r.cost_per_request_usd[token].tobytes(), r.replica_requests_per_s[gpu].tobytes(),
           r.usd_per_replica_hour[gpu].tobytes(), _exact(s.peak_to_average),
           s.samples, s.input_tokens, _exact(s.reasoning_tokens), s.answer_tokens)  # rate-limit tiers read these
    hit = _VOLUME_CACHE.get(key)
    if hit is None:
        volume = _volume_curves(s, opts, r)
        _frozen(*volume.values())
        hit = _VOLUME_CACHE.put(key, opts, (volume, _break_evens(volume)))
    volume, breaks = hit
    return {k: v.copy() for k, v in volume.items()}, breaks


def _volume_base(s: Scenario, opts: OptionSet, r: OptionResults) -> np.ndarray:
    """Rows on the volume curves: those meeting the targets, and rate-limited tiers at the volumes they allow."""
    fits = r.fits | costs.over_rate_limit_only(opts, s, r)
    return r.meets_accuracy & r.meets_latency & fits & r.allowed & np.isfinite(r.monthly_usd)


def _volume_curves(s: Scenario, opts: OptionSet, r: OptionResults) -> dict[str, np.ndarray]:
    """For each kind, the cheapest option that meets the targets at each volume (inf where none)."""
    out = {}
    base = _volume_base(s, opts, r)
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
        with np.errstate(divide="ignore", invalid="ignore"):  # a free tier costs $0; a capped one inf past its cap
            d0 = np.log(stack[a, i]) - np.log(stack[b, i])
            d1 = np.log(stack[a, i + 1]) - np.log(stack[b, i + 1])
        t = d0 / (d0 - d1) if np.isfinite(d0 - d1) and d0 != d1 else 0.5
        out.append(BreakEven(float(np.exp(x0 + np.clip(t, 0, 1) * (x1 - x0))), KINDS[a], KINDS[b]))
    return tuple(out)


def _accuracy_curves(s: Scenario, task, opts: OptionSet, samples: int) -> tuple[AccuracyCurveView, ...]:
    """Every offered model's accuracy along BUDGET_GRID at ``samples`` (the recommendation's)."""
    cached = _accuracy_by_model(s, task, opts, samples)
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
    grid_key = (t.tobytes(), n.tobytes(), s.input_tokens, s.answer_tokens, _exact(s.latency_target_s), s.prefix_cache,
                _exact(s.ttft_target_s))
    if len(tr):
        key = (id(opts), tr.tobytes(), batch[tr].tobytes(), _exact(s.cached_input_fraction), *grid_key)
        token_out = _GRID_TOKEN_CACHE.get(key) if cache else None
        if token_out is None:
            prices = {k: v[tr, None, None] for k, v in opts.prices.items()}
            cost = costs.token_offer_cost_per_request(prices, s.input_tokens, t, s.answer_tokens, n, s.cached_input_fraction,
                                                      s.prefix_cache, batch[tr, None, None])
            output = t + s.answer_tokens
            latency = opts.ttft_s[tr, None, None] + output / opts.tokens_per_s_per_user[tr, None, None]
            ok = ((latency <= s.latency_target_s) | batch[tr, None, None]) & (s.input_tokens + output <= opts.context_tokens[tr, None, None])
            ok &= output <= costs.output_caps(opts)[tr, None, None]
            token_out = np.where(ok, cost, np.inf)
            if cache:
                _GRID_TOKEN_CACHE.put(key, opts, _frozen(token_out)[0])
        limited = tr[np.isfinite(opts.rate_limit_rpm[tr]) | np.isfinite(opts.rate_limit_tpm[tr])
                     | np.isfinite(opts.rate_limit_rpd[tr]) | np.isfinite(opts.rate_limit_tpd[tr])]
        if len(limited):  # rate-limit tiers depend on the volume: applied after the cache
            within = costs.within_rate_limits(opts.rate_limit_rpm[tr, None, None], opts.rate_limit_tpm[tr, None, None], s,
                                              t + s.answer_tokens, n, opts.rate_limit_rpd[tr, None, None],
                                              opts.rate_limit_tpd[tr, None, None])
            token_out = np.where(within, token_out, np.inf)
        out[token] = token_out
    g = rows[~token]
    if len(g):
        pos = np.searchsorted(opts.gpu_rows, g)
        hour = costs.gpu_hour_for(opts, g, s)
        per = opts.gpus_per_replica[g]
        gpu_out = np.empty((len(g), t.shape[1], n.shape[2]))
        step = max(1, GRID_CHUNK_POINTS // (t.shape[1] * n.shape[2]))
        key = (id(opts.setup), pos.tobytes(), s.speculative_draft_tokens, _exact(s.speculative_acceptance), *grid_key)
        served = _GRID_SERVING_CACHE.get(key) if cache else None
        if served is None:
            served = []  # per chunk: (requests/s of a replica, serves the point within memory and latency)
            for setup in _setup_chunks(opts.setup, pos, step, cache):
                est = estimate_for_latency(setup, s.input_tokens, t + s.answer_tokens, s.latency_target_s, samples=n,
                                           prefix_cache=s.prefix_cache, draft_tokens=s.speculative_draft_tokens,
                                           acceptance=s.speculative_acceptance, ttft_target_s=s.ttft_target_s)
                served.append(_frozen(est.requests_per_s, est.fits & (est.latency_s <= s.latency_target_s)
                                      & (est.ttft_p95_s <= s.ttft_target_s)))
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
                                                         scenario.weight_precision, scenario.kv_precision,
                                                         price_settings(scenario), scenario.engine))
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
    configuration of each open model (at the samples each is bought with); and the Pareto frontier over the
    budgets the mode can buy that meet the latency target, memory and the on-premises rule: every option at
    its own budget, and in auto mode also the curves' points within the caps (a model bought by effort level
    only at its level). Returns (curves, frontier, its points' extrapolated flags, their (tokens, samples)).
    The recommendation is one of these points and none lies above-left of it (the search finds the cheapest
    budget, ties go to the more accurate)."""
    candidates = r.has_accuracy & r.allowed
    index = _option_index(opts)
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
        m, _, _, ex = _accuracy(s, task, opts, grid=True, shift_pts=shift_pts, rows=rows[part], samples=int(n))
        acc[part], extrap[part] = m, ex
    # every row at every samples count in one (cached) pass, then each row's own
    every = _grid_cost_per_request(s, opts, rows, BUDGET_GRID, counts, r.batch, cache=True)
    cost[:] = every[np.arange(len(rows)), :, which_n]
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
    if getattr(task, "basis", "published") == "user_eval":  # the user's own eval: no result is "no data", not "unpublished"
        import re

        alternatives = {k: re.sub(r"^no (published accuracy|accuracy data) on", "no data (not in your eval) on", v)
                        for k, v in alternatives.items()}
    if rec is None:
        return ("No option meets every target: the nearest misses say which target to relax and by how much.",
                [], alternatives)
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
    if getattr(task, "basis", "published") == "user_eval":
        from ttcplanner.model.user_tasks import accuracy_source

        reasons.append(accuracy_source(task))
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
        if opts.kind[rec] == "gpu" and s.ownership == "rent" and opts.price_caveat and opts.price_caveat[rec]:
            w.append(f"The recommended option's price needs a second look: {opts.price_caveat[rec]}.")
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
        return None if i is None else option_json(plan.options, plan.results, i, plan.scenario)

    return {
        "schema_version": 1,
        "scenario": plan.scenario.name,
        "task_id": plan.scenario.task_id,
        "catalog_as_of": plan.catalog_as_of,
        "status": plan.status,
        "headline": plan.headline,
        "budget_mode": plan.scenario.budget_mode,
        "budget_caps" if plan.scenario.budget_mode == "auto" else "budget": {
            "reasoning_tokens": plan.scenario.reasoning_tokens, "samples": plan.scenario.samples},
        "cheaper_budget": None if plan.budget_hint is None else {
            "reasoning_tokens": plan.budget_hint.reasoning_tokens, "samples": plan.budget_hint.samples,
            "effort": plan.budget_hint.effort, "option": plan.options.label[plan.budget_hint.option],
            "monthly_cost_usd": plan.budget_hint.monthly_usd,
            "saving": None if not math.isfinite(plan.budget_hint.saving) else plan.budget_hint.saving},
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
        "hardware_not_sized": [{"id": g, "reason": why} for g, why in plan.options.not_sized],
        "nearest_misses": [_miss_json(plan, m) for m in plan.nearest_misses],
    }


def _miss_json(plan: Plan, m: NearestMiss) -> dict:
    """One target that blocks every option: ``target`` (accuracy | latency | ttft | on_premises), ``needed`` (the
    scenario's target, null for the on-premises rule), ``best_value`` (the closest figure an option reaches: its
    accuracy, latency or time to first token; for the on-premises rule the monthly cost of the cheapest option
    off premises), ``unit`` (%, s, USD/month), the option reaching it (``option_id``, its catalog entry, and
    ``option`` its label), and ``others_met`` (that option meets every other target, so relaxing this one alone
    to ``best_value`` makes it feasible)."""
    return {"target": m.target, "needed": m.needed, "best_value": m.best_value, "unit": m.unit,
            "option_id": plan.options.entry_id[m.option], "option": plan.options.label[m.option],
            "others_met": m.others_met}
