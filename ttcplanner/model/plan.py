"""What a plan is made of: the option results, curves, frontier and the reasons, as data.

Numbers only: the words of reasons, warnings and why-not texts are built in ``present/reasons.py`` from the
codes and figures here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from ttcplanner.model.misses import NearestMiss
from ttcplanner.model.options import OptionSet
from ttcplanner.model.scenario import Scenario
from ttcplanner.model.serving import Setup, with_efficiency

STALE_PRICE_DAYS = 90
BUDGET_GRID = np.unique(np.concatenate([[0.0], np.logspace(1, 6, 26)]))  # reasoning tokens per sample
VOLUME_GRID = np.logspace(0, 9, 181)  # requests per day


class WhyNot(IntEnum):
    """The first reason an option is not eligible, in the order they are tested."""

    OFF_PREMISES = 0  # excluded by the on-premises rule
    NO_ACCURACY = 1  # no accuracy data for the task
    NO_MEMORY = 2  # GPU row: the model does not fit in memory
    NO_CONTEXT = 3  # token offer: prompt + output exceed the context or output limit
    NO_GPU_PRICE = 4
    NO_PRICE = 5
    LATENCY = 6  # misses the latency target (figure: latency_s)
    ACCURACY = 7  # below the accuracy target (figure: accuracy_pct)
    ELIGIBLE = 8
    RATE_LIMIT = 9  # a rate-limited tier over its limits at this volume
    MAX_TOKENS = 10  # budget above the model's maximum reasoning tokens (figures: reasoning_tokens, max_tokens)


@dataclass(frozen=True)
class Reason:
    """One reason or warning as data: ``code`` says what it is, the rest are its figures."""

    code: str
    kind: str | None = None  # the deployment kind it is about
    option: int | None = None  # the option it is about
    figures: dict = field(default_factory=dict)


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
        factor = np.where(
            opts.kind == "api", self.api_price_factor, np.where(opts.kind == "asic", self.asic_price_factor, 1.0)
        )
        prices = {k: (v if k in ("long_threshold", "batch_discount") else v * factor) for k, v in opts.prices.items()}
        setup = opts.setup
        if setup is not None and self.gpu_efficiency_factor != 1.0:
            f = self.gpu_efficiency_factor
            setup = Setup(**{k: with_efficiency(k, v, f) for k, v in vars(setup).items()})
        vendor = np.array(opts.vendor)
        gpu = self.gpu_price_factor * np.where(
            vendor == "NVIDIA", self.nvidia_gpu_price_factor, np.where(vendor == "AMD", self.amd_gpu_price_factor, 1.0)
        )
        return dataclasses.replace(
            opts,
            prices=prices,
            setup=setup,
            rent_usd_per_gpu_hour=opts.rent_usd_per_gpu_hour * gpu,
            purchase_usd=opts.purchase_usd * gpu,
            server_usd_per_gpu=opts.server_usd_per_gpu * gpu,
        )


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
    why_not: np.ndarray  # per option, the first reason it is not eligible: a WhyNot code (WhyNot.ELIGIBLE: none)
    calibrated_by_user: np.ndarray | None = None  # GPU rows whose throughput a user calibration scales
    # the budget each option is priced at (budget.py): reasoning tokens per sample, samples, effort level or None
    reasoning_tokens: np.ndarray | None = None
    samples: np.ndarray | None = None
    effort: tuple = ()
    # per option: 'published' / 'estimated_from_other_tasks' (the task curve's basis) or 'none' (no accuracy data)
    accuracy_basis: tuple[str, ...] = ()
    max_tokens: np.ndarray | None = None  # the most reasoning tokens per sample each option's model takes (inf: any)


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
    reasons: tuple[Reason, ...]  # why this recommendation (present.reasons words them)
    warnings: tuple[Reason, ...]
    accuracy_curves: tuple[AccuracyCurveView, ...]
    cost_curves: tuple[CostCurve, ...]
    frontier: tuple[np.ndarray, np.ndarray, tuple[int, ...]]  # accuracy, cost per request, option index
    volume_grid: np.ndarray
    volume_monthly_usd: dict[str, np.ndarray]  # best eligible option of each kind at each volume (inf: none)
    break_evens: tuple[BreakEven, ...]
    alternatives: dict[str, Reason] = field(default_factory=dict)  # why a kind has no eligible option
    provenance: tuple[tuple[str, str, str], ...] = ()  # (what, source URL, as_of) of the task profile and model factors
    frontier_extrapolated: np.ndarray | None = None  # per frontier point: meets its accuracy only by extrapolation
    frontier_budget: tuple[np.ndarray, np.ndarray] | None = None  # per frontier point: (reasoning tokens, samples)
    budget_hint: BudgetHint | None = None  # fixed mode: a budget within the same caps that is much cheaper
    nearest_misses: tuple[NearestMiss, ...] = ()  # no option meets every target: the closest per blocking target
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
