"""How fragile is a recommendation? One-at-a-time tornado and a joint Monte Carlo over the uncertain inputs.

``UNCERTAIN_INPUTS`` is the one table of what is uncertain, by how much and why. ``tornado`` moves each
input to its ends with the full planner (``evaluate``) and bisects for the value where the decision
flips. ``monte_carlo`` samples every input jointly; evaluating the full planner per sample is far too
slow (7-11 ms each), so it builds a vectorised cost/eligibility model around ONE base evaluation
(see ``_SurrogateModel``) and checks the cheapest eligible option per sample.

Sampling (documented contract): every input is drawn independently from a triangular distribution whose
mode is the scenario / catalogue value. Factor inputs are triangular in log space between log(low) and
log(high) (so x0.5 and x2 are equally far from the mode); shift inputs are triangular in linear space.
The catalogued figure is our best estimate, hence the mode at it rather than a uniform draw.

For the GUI / report: ``tornado(...).rows`` feed the tornado chart (cost_at_low/high around base_cost,
flip_text); ``monte_carlo(..., progress, cancelled)`` is meant for a worker thread (chunks of ~50 ms, so
a cancel lands within one chunk) and its ``monthly_usd_by_kind`` / ``winner_monthly_usd`` arrays feed
histograms (inf = no eligible option in that sample). Both are pure functions of (scenario, catalog, seed).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ttcplanner.model import budget, costs
from ttcplanner.model.accuracy import task_accuracy
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.options import KINDS
from ttcplanner.model.planner import Adjustments, Plan, evaluate
from ttcplanner.model.scenario import Scenario
from ttcplanner.model.serving import Setup, estimate_for_latency, with_efficiency

OUTCOMES = KINDS + ("none",)
QUANTILES = (5, 25, 50, 75, 95)
DEFAULT_CHUNK = 1_000  # samples between progress reports and cancel checks (~50 ms each)
MAX_SAMPLES = 1_000_000
DEFAULT_ACCURACY_BAND_PTS = 5.0


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input: an ``Adjustments`` field (target 'adjust') or a ``Scenario`` field ('scenario').

    scale 'factor': the input is multiplied by low..high (scenario fields: base value x factor);
    scale 'shift': low..high is added (accuracy points; the range is resolved per plan, see ``resolve_inputs``).
    """

    name: str  # the Adjustments / Scenario field it moves
    label: str  # with units, for tables and charts
    target: str  # 'adjust' | 'scenario'
    scale: str  # 'factor' | 'shift'
    low: float
    high: float
    source: str  # where the range comes from


UNCERTAIN_INPUTS: tuple[UncertainInput, ...] = (
    UncertainInput(
        "api_price_factor",
        "API prices ($/M tokens, x factor)",
        "adjust",
        "factor",
        0.5,
        1.5,
        "assumption, default +-50%: list prices change (launch discounts, cuts); the catalog has no second "
        "provider for the same API model to derive a spread from",
    ),
    UncertainInput(
        "asic_price_factor",
        "ASIC-cloud prices ($/M tokens, x factor)",
        "adjust",
        "factor",
        0.5,
        1.5,
        "default +-50%; the catalog's spread between providers of the same open model is narrower "
        "(about x0.8-x1.25 of their geometric mean for gpt-oss-120b and Llama 3.3 70B output prices)",
    ),
    UncertainInput(
        "nvidia_gpu_price_factor",
        "NVIDIA GPU rent or purchase ($/GPU-hour or $, x factor)",
        "adjust",
        "factor",
        0.75,
        1.8,
        "gpu_rents.csv: on-demand quotes of each NVIDIA GPU relative to its market median (53 quotes, 9 GPUs) "
        "span x0.74 (10th percentile) to x1.79 (90th)",
    ),
    UncertainInput(
        "amd_gpu_price_factor",
        "AMD GPU rent or purchase ($/GPU-hour or $, x factor)",
        "adjust",
        "factor",
        0.55,
        2.0,
        "gpu_rents.csv: MI300X on-demand quotes relative to their median (6 providers: TensorWave, Vultr, "
        "DigitalOcean, Crusoe, Azure, Oracle) span x0.5-x2.0",
    ),
    UncertainInput(
        "gpu_efficiency_factor",
        "GPU serving efficiency (fitted eta, x factor)",
        "adjust",
        "factor",
        0.6,
        1.5,
        "the serving model's held-out errors (tests/benchmarks/fidelity.py): measured/predicted output tok/s of "
        "267 published runs, each model x hardware x engine group refitted without it, spans x0.60 (10th "
        "percentile) to x1.53 (90th)",
    ),
    UncertainInput(
        "peak_to_average",
        "Peak-to-average load (ratio)",
        "scenario",
        "factor",
        0.5,
        2.0,
        "assumption (no sourced figure): traffic shape is rarely known before launch; x0.5-x2 of the "
        "scenario value, at least 1",
    ),
    UncertainInput(
        "reasoning_tokens",
        "Reasoning tokens per sample (tokens)",
        "scenario",
        "factor",
        0.5,
        2.0,
        "assumption (no sourced figure): reasoning length varies with problem difficulty; x0.5-x2 of the "
        "scenario's budget",
    ),
    UncertainInput(
        "accuracy_shift_pts",
        "Accuracy curves (points added)",
        "adjust",
        "shift",
        -DEFAULT_ACCURACY_BAND_PTS,
        DEFAULT_ACCURACY_BAND_PTS,
        "+- half the recommended option's accuracy band (fit uncertainty); +-5 points if it has none",
    ),
    UncertainInput(
        "requests_per_day",
        "Volume (requests/day)",
        "scenario",
        "factor",
        0.3,
        3.0,
        "assumption (no sourced figure): a pre-launch demand forecast off by up to 3x either way",
    ),
)

_FIELD_BOUNDS = {f.name: (f.metadata.get("lo"), f.metadata.get("hi")) for f in dataclasses.fields(Scenario)}


def resolve_inputs(scenario: Scenario, plan: Plan, inputs=UNCERTAIN_INPUTS) -> tuple[UncertainInput, ...]:
    """The table with plan-dependent ranges filled in: the accuracy shift uses the recommended option's band."""
    out = []
    for u in inputs:
        if u.name == "accuracy_shift_pts" and plan.recommended is not None:
            r, i = plan.results, plan.recommended
            half = (r.high_pct[i] - r.low_pct[i]) / 2
            if np.isfinite(half) and half > 0:
                u = dataclasses.replace(u, low=-float(half), high=float(half))
        out.append(u)
    return tuple(out)


def natural_value(u: UncertainInput, scenario: Scenario, x: float) -> float:
    """An input's setting in its own units: the scenario value for scenario fields, else the factor / shift."""
    if u.target == "scenario":
        lo, hi = _FIELD_BOUNDS.get(u.name, (None, None))
        value = getattr(scenario, u.name) * x
        if lo is not None:
            value = max(value, lo)
        if hi is not None:
            value = min(value, hi)
        return float(value)
    return float(x)


def describe_value(u: UncertainInput, scenario: Scenario, x: float) -> str:
    """'x1.37', '+2.5 pts', '41.2k requests/day' ... for tables."""
    from ttcplanner.model.format import count

    v = natural_value(u, scenario, x)
    if u.name == "requests_per_day":
        return f"{count(v)} requests/day"
    if u.name == "reasoning_tokens":
        return f"{count(v)} tokens"
    if u.name == "peak_to_average":
        return f"peak/avg {v:.3g}"
    if u.scale == "shift":
        return f"{v:+.2f} pts"
    return f"x{v:.3g}"


def apply_inputs(scenario: Scenario, values: dict[str, float], inputs=UNCERTAIN_INPUTS) -> tuple[Scenario, Adjustments]:
    """Scenario and Adjustments with the given factors / shifts applied (names missing from ``values``: base)."""
    by_name = {u.name: u for u in inputs}
    changes, adjust = {}, {}
    for name, x in values.items():
        u = by_name.get(name)
        if u is None:
            raise InputError(f"unknown uncertain input {name!r}; known: {', '.join(by_name)}")
        if u.target == "scenario":
            changes[name] = natural_value(u, scenario, x)
        else:
            adjust[name] = float(x)
    return (scenario.replace(**changes) if changes else scenario), Adjustments(**adjust)


# --------------------------------------------------------------------------------------------- tornado


@dataclass(frozen=True)
class TornadoRow:
    name: str
    label: str
    low_value: float  # the factor / shift at the low end
    high_value: float
    low_text: str  # in natural units
    high_text: str
    cost_at_low: float  # monthly $ of the base recommendation (same option) at the low end
    cost_at_high: float
    base_cost: float
    swing: float  # |cost_at_high - cost_at_low| (inf when an end is not costed)
    flips: bool  # the recommended option changes at either end
    flips_kind: bool  # ... and its deployment kind changes
    flip_value: float | None  # factor / shift where it flips (nearest to base), natural units below
    flip_natural: float | None  # e.g. requests/day
    flip_text: str | None
    flip_to: str | None  # label of the new recommendation (None with flip_to_kind None: nothing meets the targets)
    flip_to_kind: str | None
    source: str


@dataclass(frozen=True)
class Tornado:
    scenario: Scenario
    base_option: int | None  # the plan's recommended option (a 'target_missed' fallback included)
    base_status: str  # the plan's status: 'ok' | 'target_missed' | 'nothing_feasible'
    base_label: str | None
    base_kind: str | None
    base_cost: float
    rows: tuple[TornadoRow, ...]  # sorted by swing, largest first
    evaluations: int


def _decision(plan: Plan) -> tuple[int | None, str | None]:
    """The option chosen as meeting the targets, and its kind; (None, None) when nothing meets them (the
    planner's 'target_missed' fallback is not a decision to deploy)."""
    rec = plan.recommended
    if rec is None or plan.status != "ok":
        return None, None
    return rec, str(plan.options.kind[rec])


def _cost_of(plan: Plan, option: int | None) -> float:
    return float("nan") if option is None else float(plan.results.monthly_usd[option])


def tornado(
    scenario: Scenario,
    catalog: Catalog,
    progress: Callable[[int, int], None] | None = None,
    inputs=UNCERTAIN_INPUTS,
    rel_tol: float = 0.005,
    max_steps: int = 25,
) -> Tornado:
    """Each input alone at its low and high end (full planner): the base recommendation's monthly cost, and
    where the decision flips (bisection between base and the flipping end, to ``rel_tol`` relative width)."""
    base = evaluate(scenario, catalog)
    rec, kind = _decision(base)
    shown = base.recommended  # costs are those of the option the plan shows, even as a 'target_missed' fallback
    resolved = resolve_inputs(scenario, base, inputs)
    evaluations = 1
    rows = []
    for n_done, u in enumerate(resolved):

        def run(x, u=u):
            s, adj = apply_inputs(scenario, {u.name: x}, resolved)
            return evaluate(s, catalog, adj)

        neutral = 1.0 if u.scale == "factor" else 0.0
        ends = {}
        for side, x in (("low", u.low), ("high", u.high)):
            plan = run(x)
            evaluations += 1
            ends[side] = (x, plan)
        flips = []
        for x, plan in ends.values():
            r2, k2 = _decision(plan)
            if r2 != rec:
                by_kind = k2 != kind
                found, steps = _bisect(run, u, neutral, x, rec, kind, by_kind, rel_tol, max_steps)
                evaluations += steps
                flips.append((by_kind, found))
        cl, ch = _cost_of(ends["low"][1], shown), _cost_of(ends["high"][1], shown)
        swing = abs(ch - cl) if np.isfinite(cl) and np.isfinite(ch) else (0.0 if shown is None else math.inf)
        flip = _nearest_flip(flips, u, neutral)
        fv = fn = ft = fto = ftk = None
        if flip is not None:
            fv, plan = flip[1]
            fn, ft = natural_value(u, scenario, fv), describe_value(u, scenario, fv)
            r2, ftk = _decision(plan)
            fto = None if r2 is None else plan.options.label[r2]
        rows.append(
            TornadoRow(
                name=u.name,
                label=u.label,
                low_value=u.low,
                high_value=u.high,
                low_text=describe_value(u, scenario, u.low),
                high_text=describe_value(u, scenario, u.high),
                cost_at_low=cl,
                cost_at_high=ch,
                base_cost=_cost_of(base, shown),
                swing=swing,
                flips=bool(flips),
                flips_kind=any(b for b, _ in flips),
                flip_value=fv,
                flip_natural=fn,
                flip_text=ft,
                flip_to=fto,
                flip_to_kind=ftk,
                source=u.source,
            )
        )
        if progress is not None:
            progress(n_done + 1, len(resolved))
    rows.sort(key=lambda row: (-row.swing if not math.isnan(row.swing) else 0.0, row.name))
    return Tornado(
        scenario=scenario,
        base_option=shown,
        base_status=base.status,
        base_label=None if shown is None else base.options.label[shown],
        base_kind=None if shown is None else str(base.options.kind[shown]),
        base_cost=_cost_of(base, shown),
        rows=tuple(rows),
        evaluations=evaluations,
    )


def _bisect(
    run, u: UncertainInput, neutral: float, end: float, rec, kind, by_kind: bool, rel_tol: float, max_steps: int
):
    """Bisect between the base setting (no flip) and ``end`` (flips); factors bisect in log space.

    Returns ((value, plan on the flipped side), evaluations). by_kind: a flip means another deployment
    kind (else: another option)."""

    def flipped(plan):
        r2, k2 = _decision(plan)
        return (k2 != kind) if by_kind else (r2 != rec)

    log = u.scale == "factor"
    to = (lambda x: math.log(x)) if log else (lambda x: x)
    back = (lambda y: math.exp(y)) if log else (lambda y: y)
    a, b = to(neutral), to(end)  # a: no flip, b: flip
    tol = math.log1p(rel_tol) if log else rel_tol * (u.high - u.low)
    plan_b, steps = None, 0
    while abs(b - a) > tol and steps < max_steps:
        mid = (a + b) / 2
        plan = run(back(mid))
        steps += 1
        if flipped(plan):
            b, plan_b = mid, plan
        else:
            a = mid
    if plan_b is None:
        plan_b = run(back(b))
        steps += 1
    return (back((a + b) / 2), plan_b), steps


def _nearest_flip(flips, u: UncertainInput, neutral: float):
    """Prefer a change of deployment kind over a change of option; then the flip nearest the base value."""
    if not flips:
        return None
    dist = (lambda x: abs(math.log(x))) if u.scale == "factor" else (lambda x: abs(x - neutral))
    return min(flips, key=lambda f: (not f[0], dist(f[1][0])))


# ----------------------------------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class MonteCarlo:
    scenario: Scenario
    n: int  # samples evaluated (fewer than n_requested when cancelled)
    n_requested: int
    seed: int
    cancelled: bool
    inputs: tuple[UncertainInput, ...]  # with the ranges actually sampled
    samples: dict[str, np.ndarray]  # factor / shift per input, (n,)
    winner: np.ndarray  # option index of the cheapest eligible option per sample (-1: none)
    winner_kind: np.ndarray  # 'api' | 'gpu' | 'asic' | 'none'
    winner_monthly_usd: np.ndarray  # inf where none
    probability: dict[str, float]  # per outcome in OUTCOMES: share of samples where it is cheapest meeting the target
    monthly_usd_by_kind: dict[str, np.ndarray]  # best eligible option of each kind per sample (inf: none of that kind)
    quantiles_by_kind: dict[str, dict[str, float | None]]  # 'p5'..'p95' over samples with one (None: never)
    winner_quantiles: dict[str, float | None]


def flip_note(row) -> str:
    """'flips to <option> at <value>' (or to nothing meeting the targets); '' when it does not flip."""
    if not row.flips:
        return ""
    to = row.flip_to if row.flip_to is not None else "nothing meeting the targets"
    return f"flips to {to} at {row.flip_text}"


def row_notes(row) -> list[str]:
    """What a tornado bar pair needs said beside it: uncosted ends and the flip, for the GUI and the PDF."""
    notes = [
        f"{end} end not costed"
        for end, cost in (("low", row.cost_at_low), ("high", row.cost_at_high))
        if not math.isfinite(cost)
    ]
    return notes + ([flip_note(row)] if row.flips else [])


def sample_inputs(
    inputs: tuple[UncertainInput, ...], n: int, seed: int = 0, cancelled: Callable[[], bool] | None = None
) -> dict[str, np.ndarray]:
    """Independent triangular draws with the mode at the base value (log space for factors; module docstring).

    ``cancelled`` is checked between inputs (a million draws take ~40 ms each); once it is set, the rest are
    left at their base value, and the caller's own check stops before using them."""
    rng = np.random.Generator(np.random.PCG64(seed))
    out = {}
    for u in inputs:
        neutral = 1.0 if u.scale == "factor" else 0.0
        if cancelled is not None and cancelled():
            out[u.name] = np.full(n, neutral)
            continue
        lo, hi = (math.log(u.low), math.log(u.high)) if u.scale == "factor" else (u.low, u.high)
        mode = math.log(neutral) if u.scale == "factor" else neutral
        mode = min(max(mode, lo), hi)
        x = rng.triangular(lo, mode, hi, size=n) if hi > lo else np.full(n, lo)
        out[u.name] = np.exp(x) if u.scale == "factor" else x
    return out


def _effective_inputs(scenario: Scenario, inputs: tuple[UncertainInput, ...]) -> tuple[UncertainInput, ...]:
    """Factor ranges of scenario fields clipped to the field's bounds (e.g. peak/average never below 1)."""
    out = []
    for u in inputs:
        if u.target == "scenario" and u.scale == "factor":
            base = getattr(scenario, u.name)
            if base > 0:
                lo = natural_value(u, scenario, u.low) / base
                hi = natural_value(u, scenario, u.high) / base
                u = dataclasses.replace(u, low=min(lo, 1.0), high=max(hi, 1.0))
        out.append(u)
    return tuple(out)


def _quantiles(values: np.ndarray) -> dict[str, float | None]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return {f"p{q}": None for q in QUANTILES}
    return {f"p{q}": float(v) for q, v in zip(QUANTILES, np.percentile(finite, QUANTILES), strict=False)}


def monte_carlo(
    scenario: Scenario,
    catalog: Catalog,
    n: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk: int = DEFAULT_CHUNK,
    inputs=UNCERTAIN_INPUTS,
) -> MonteCarlo:
    """Sample every uncertain input jointly and count which deployment kind is cheapest meeting the targets.

    Runs in chunks of ``chunk`` samples, calling ``progress(done, n)`` after each and stopping early (with
    ``cancelled=True`` and the samples done so far) when ``cancelled()`` returns True. Same seed, same result
    regardless of chunk size.
    """
    if not (1 <= int(n) <= MAX_SAMPLES) or int(n) != n:
        raise InputError(f"Monte Carlo samples must be a whole number from 1 to {MAX_SAMPLES:,}, got {n}")
    n = int(n)
    base = evaluate(scenario, catalog)
    priced = scenario
    if scenario.budget_mode == "auto" and base.recommended is not None:
        # the surrogate prices every option at one budget: sample the budget the planner chose (issue 16)
        i = base.recommended
        priced = scenario.replace(
            budget_mode="fixed",
            reasoning_tokens=float(base.results.reasoning_tokens[i]),
            samples=int(base.results.samples[i]),
        )
        base = evaluate(priced, catalog)
    resolved = _effective_inputs(priced, resolve_inputs(priced, base, inputs))
    drawn = sample_inputs(resolved, n, seed, cancelled)
    stop_now = cancelled is not None and cancelled()
    model = None if stop_now else _SurrogateModel(base, resolved, catalog.tasks[scenario.task_id], catalog)
    winner = np.full(n, -1)
    best = {k: np.full(n, np.inf) for k in KINDS}
    done, stopped = 0, False
    while done < n:
        if cancelled is not None and cancelled():
            stopped = True
            break
        stop = min(done + chunk, n)
        w, per_kind = model.evaluate({k: v[done:stop] for k, v in drawn.items()})
        winner[done:stop] = w
        for k in KINDS:
            best[k][done:stop] = per_kind[k]
        done = stop
        if progress is not None:
            progress(done, n)
    winner, best = winner[:done], {k: v[:done] for k, v in best.items()}
    kinds = base.options.kind
    winner_kind = np.where(winner >= 0, kinds[np.maximum(winner, 0)], "none")
    winner_cost = (
        np.where(winner >= 0, np.min(np.vstack([best[k] for k in KINDS]), axis=0), np.inf) if done else np.zeros(0)
    )
    prob = {k: (float(np.mean(winner_kind == k)) if done else float("nan")) for k in OUTCOMES}
    return MonteCarlo(
        scenario=scenario,
        n=done,
        n_requested=n,
        seed=seed,
        cancelled=stopped,
        inputs=resolved,
        samples={k: v[:done] for k, v in drawn.items()},
        winner=winner,
        winner_kind=winner_kind,
        winner_monthly_usd=winner_cost,
        probability=prob,
        monthly_usd_by_kind=best,
        quantiles_by_kind={k: _quantiles(v) for k, v in best.items()},
        winner_quantiles=_quantiles(winner_cost),
    )


class _SurrogateModel:
    """Vectorised monthly cost and eligibility of every option around one base evaluation.

    Token offers (exact): $/request = price factor x (prompt part + per-output-token part x (t x reasoning +
    answer)); latency = TTFT + output / speed. GPU rows: the serving estimate (replica requests/s and latency
    at the best concurrency within the latency target) is computed once on a grid of reasoning-token factor x
    efficiency factor and interpolated per sample in log space; replicas = ceil(peak / rate); $/replica-hour
    scales with the GPU price factor (purchase part only when owned). Accuracy: base value at the scenario's
    budget + (curve at t x budget - curve at budget), interpolated in log tokens along the budget grid, + shift.
    """

    TOKEN_GRID_POINTS = 9
    ACCURACY_GRID_POINTS = 41
    REFINE_CANDIDATES = 8  # cheapest GPU rows per sample re-estimated exactly
    EFFICIENCY_GRID_POINTS = 5

    def __init__(self, plan: Plan, inputs: tuple[UncertainInput, ...], task, catalog):
        s, o, r = plan.scenario, plan.options, plan.results
        self.s, self.o = s, o
        self.names = {u.name for u in inputs}
        rng = {u.name: (u.low, u.high) for u in inputs}
        token = np.flatnonzero(o.kind != "gpu")
        self.token = token
        self.kind_code = np.array([KINDS.index(k) for k in o.kind])
        self.allowed = r.allowed & r.has_accuracy
        self.target = s.target_accuracy_pct
        # token offers: split $/request into a fixed prompt part and a per-output-token part
        pr = {k: v[token] for k, v in o.prices.items()}
        b = r.batch[token]
        fixed = costs.token_offer_cost_per_request(
            pr, s.input_tokens, 0.0, 0.0, s.samples, s.cached_input_fraction, s.prefix_cache, b
        )
        # each option's own budget (a model bought by effort level is priced at the level's tokens)
        base = (
            np.asarray(r.reasoning_tokens, dtype=float)
            if r.reasoning_tokens is not None
            else np.full(o.size, float(s.reasoning_tokens))
        )
        self.tok_base = base[token]
        full = costs.token_offer_cost_per_request(
            pr, s.input_tokens, self.tok_base, s.answer_tokens, s.samples, s.cached_input_fraction, s.prefix_cache, b
        )
        self.tok_fixed = fixed
        self.tok_per_output = (full - fixed) / (self.tok_base + s.answer_tokens)
        self.tok_ttft, self.tok_speed, self.tok_batch = o.ttft_s[token], o.tokens_per_s_per_user[token], b
        self.tok_context = o.context_tokens[token]
        # accuracy: base value + change along each model's curve, tabulated on a fine grid of the token factor
        self.acc_base = r.accuracy_pct
        t_lo, t_hi = rng.get("reasoning_tokens", (1.0, 1.0))
        self.acc_log_t = np.log(np.geomspace(t_lo, t_hi, self.ACCURACY_GRID_POINTS)) if t_hi > t_lo else np.zeros(1)
        ids = np.array(o.accuracy_id)
        self.curve_of = np.full(o.size, -1)
        self.curves = []
        if t_hi > t_lo:
            for acc_id, t0 in sorted(
                set(zip(ids[r.has_accuracy].tolist(), base[r.has_accuracy].tolist(), strict=False))
            ):
                if t0 <= 0:
                    continue
                tokens = t0 * np.concatenate([[1.0], np.exp(self.acc_log_t)])
                est = task_accuracy(task, acc_id, tokens, s.samples, s.aggregation, s.scorer_quality)
                mean = np.asarray(est.mean_pct, dtype=float)
                self.curve_of[(ids == acc_id) & (base == t0)] = len(self.curves)
                self.curves.append(mean[1:] - mean[0])  # change from the option's base budget
        # offers bought by effort level: a budget of t x the scenario's buys the lowest level whose tokens reach
        # it, or the highest (as the planner's fixed mode does), so their tokens and accuracy step with t
        self.effort_groups = []
        if t_hi > t_lo:
            classes = budget.budget_classes(catalog, task, o)
            where = {row: k for k, row in enumerate(token.tolist())}
            for c, levels in enumerate(classes.levels):
                rows = [i for i in np.flatnonzero(classes.of_option == c).tolist() if i in where]
                if not levels or not rows or not classes.has_curve[c]:
                    continue
                level_tokens = np.array([t for _, t in levels])
                est = task_accuracy(
                    task, classes.accuracy_id[c], level_tokens, s.samples, s.aggregation, s.scorer_quality
                )
                rows = np.array(rows)
                self.curve_of[rows] = -1  # the level's own accuracy replaces the curve change
                self.effort_groups.append(
                    (
                        rows,
                        np.array([where[i] for i in rows.tolist()]),
                        level_tokens,
                        np.asarray(est.mean_pct, dtype=float),
                    )
                )
        # GPU rows on a (reasoning factor x efficiency factor) grid; rows that can never be eligible are dropped
        self.gpu = np.zeros(0, dtype=int)
        if o.setup is not None:
            self.setup_pos = np.flatnonzero(self.allowed[o.gpu_rows])
            self.gpu = o.gpu_rows[self.setup_pos]
        if len(self.gpu):
            self._build_gpu_grid(
                plan, rng.get("reasoning_tokens", (1.0, 1.0)), rng.get("gpu_efficiency_factor", (1.0, 1.0))
            )

    def _build_gpu_grid(self, plan: Plan, t_range, e_range):
        s, o = self.s, self.o
        self.t_grid = (
            np.log(np.geomspace(t_range[0], t_range[1], self.TOKEN_GRID_POINTS))
            if t_range[1] > t_range[0]
            else np.zeros(1)
        )
        self.e_grid = (
            np.log(np.geomspace(e_range[0], e_range[1], self.EFFICIENCY_GRID_POINTS))
            if e_range[1] > e_range[0]
            else np.zeros(1)
        )
        shape = (len(self.gpu), len(self.t_grid), len(self.e_grid))
        eff = np.exp(self.e_grid)[None, None, :]
        fields = {}
        for name, v in vars(o.setup).items():
            v = with_efficiency(name, np.asarray(v, dtype=float)[self.setup_pos][:, None, None], eff)
            fields[name] = np.broadcast_to(v, shape)
        setup = Setup(**fields)
        output = s.reasoning_tokens * np.exp(self.t_grid)[None, :, None] + s.answer_tokens
        est = estimate_for_latency(
            setup,
            s.input_tokens,
            output,
            s.latency_target_s,
            samples=s.samples,
            prefix_cache=s.prefix_cache,
            draft_tokens=s.speculative_draft_tokens,
            acceptance=s.speculative_acceptance,
            ttft_target_s=s.ttft_target_s,
        )
        scaled, fixed = costs.gpu_hour_parts(o, self.gpu, s)
        hour = scaled + fixed
        ok = est.fits & (est.requests_per_s > 0)
        keep = ok.any(axis=(1, 2)) & np.isfinite(hour)  # fits somewhere on the grid and has a price
        hour, scaled, fixed = hour[keep], scaled[keep], fixed[keep]
        self.gpu, self.setup_pos, ok = self.gpu[keep], self.setup_pos[keep], ok[keep]
        rate, latency = est.requests_per_s[keep], est.latency_s[keep]
        # tables as (grid cell, row) so a per-sample lookup gathers whole contiguous rows
        cells = int(np.prod(ok.shape[1:]))  # explicit: reshape(0, -1) fails when no GPU row has a price
        with np.errstate(divide="ignore"):
            self.g_log_rate = (
                np.where(ok, np.log(np.where(ok, rate, 1.0)), np.nan).reshape(len(self.gpu), cells).T.copy()
            )
            self.g_log_latency = (
                np.where(ok, np.log(np.where(ok, latency, 1.0)), np.nan).reshape(len(self.gpu), cells).T.copy()
            )
        ng = len(self.gpu)
        per = o.gpus_per_replica[self.gpu]
        self.g_hour_fixed = per * fixed * costs.HOURS_PER_MONTH  # $/replica-month not scaled by the price factor
        self.g_hour_scaled = per * scaled * costs.HOURS_PER_MONTH
        vendor = np.array(o.vendor)[self.gpu] if o.vendor else np.full(ng, "")
        self.g_nvidia, self.g_amd = vendor == "NVIDIA", vendor == "AMD"

    def _gpu_price_factors(self, get) -> np.ndarray:
        """(samples, GPU rows): the all-GPU factor times the NVIDIA or AMD factor of each row's vendor."""
        nvidia, amd = get("nvidia_gpu_price_factor")[:, None], get("amd_gpu_price_factor")[:, None]
        vendor = np.where(self.g_nvidia[None, :], nvidia, np.where(self.g_amd[None, :], amd, 1.0))
        return get("gpu_price_factor")[:, None] * vendor

    def _refine_gpu(self, masked, static_ok, t, eff, volume, peak, price_factor) -> None:
        """Re-estimate exactly (full serving model) the few cheapest GPU rows of each sample, in place: the grid
        interpolation can be a replica off, which matters for the winner's cost."""
        s, g = self.s, self.gpu
        k = min(self.REFINE_CANDIDATES, len(g))
        pos = np.argpartition(masked[:, g], k - 1, axis=1)[:, :k]  # (m, k) positions among the GPU rows
        fields = {}
        for name, v in vars(self.o.setup).items():
            v = np.asarray(v, dtype=float)[self.setup_pos[pos]]
            fields[name] = with_efficiency(name, v, eff[:, None])
        output = (s.reasoning_tokens * t + s.answer_tokens)[:, None]
        est = estimate_for_latency(
            Setup(**fields),
            s.input_tokens,
            output,
            s.latency_target_s,
            samples=s.samples,
            prefix_cache=s.prefix_cache,
            draft_tokens=s.speculative_draft_tokens,
            acceptance=s.speculative_acceptance,
            ttft_target_s=s.ttft_target_s,
        )
        reps = costs.replicas_needed(volume[:, None], peak[:, None], est.requests_per_s)
        rows = np.arange(len(t))[:, None]
        cost = reps * (self.g_hour_fixed[pos] + self.g_hour_scaled[pos] * price_factor[rows, pos])
        ok = (
            static_ok[rows, g[pos]]
            & est.fits
            & np.isfinite(cost)
            & (est.latency_s <= s.latency_target_s * (1 + 1e-9))
            & ~(est.ttft_p95_s > s.ttft_target_s * (1 + 1e-9))
        )
        masked[rows, g[pos]] = np.where(ok, cost, np.inf)

    @staticmethod
    def _weights(grid: np.ndarray, x: np.ndarray):
        """Lower index and weight for linear interpolation of x on an increasing grid (clamped)."""
        if len(grid) == 1:
            return np.zeros(len(x), dtype=int), np.zeros(len(x))
        i = np.clip(np.searchsorted(grid, x) - 1, 0, len(grid) - 2)
        w = np.clip((x - grid[i]) / (grid[i + 1] - grid[i]), 0.0, 1.0)
        return i, w

    def _gpu_interp(self, table, it, wt, ie, we):
        """table (token cells x efficiency cells, rows) -> (samples, rows), bilinear in log space; NaN if any
        corner is NaN (the row does not fit there: conservative)."""
        ne = len(self.e_grid)
        jt = np.minimum(it + 1, len(self.t_grid) - 1)
        je = np.minimum(ie + 1, ne - 1)
        wt, we = wt[:, None], we[:, None]
        low = table[it * ne + ie] * (1 - we) + table[it * ne + je] * we
        high = table[jt * ne + ie] * (1 - we) + table[jt * ne + je] * we
        return low * (1 - wt) + high * wt

    def evaluate(self, x: dict[str, np.ndarray]):
        """Cheapest eligible option (-1: none) and the best monthly $ of each kind, per sample."""
        s, o = self.s, self.o
        m = len(next(iter(x.values())))
        one = np.ones(m)
        get = lambda name, neutral=1.0: x.get(name, one * neutral)  # noqa: E731
        t, volume = get("reasoning_tokens"), get("requests_per_day") * s.requests_per_day
        peak = get("peak_to_average") * s.peak_to_average
        shift = get("accuracy_shift_pts", 0.0)
        monthly = np.full((m, o.size), np.inf)
        latency_ok = np.zeros((m, o.size), dtype=bool)
        fits = np.zeros((m, o.size), dtype=bool)
        # token offers
        tk = self.token
        output = self.tok_base[None, :] * t[:, None] + s.answer_tokens  # (m, token rows)
        level_acc = []
        for rows, pos, level_tokens, acc_at_level in self.effort_groups:
            k = np.minimum(np.searchsorted(level_tokens, s.reasoning_tokens * t * (1 - 1e-12)), len(level_tokens) - 1)
            output[:, pos] = (level_tokens[k] + s.answer_tokens)[:, None]
            level_acc.append((rows, acc_at_level[k]))
        pf = np.where(o.kind[tk][None, :] == "api", get("api_price_factor")[:, None], get("asic_price_factor")[:, None])
        cpr = pf * (self.tok_fixed[None, :] + self.tok_per_output[None, :] * output)
        monthly[:, tk] = cpr * (volume * costs.DAYS_PER_MONTH)[:, None]
        lat = self.tok_ttft[None, :] + output / self.tok_speed[None, :]
        lat = np.where(self.tok_batch[None, :], np.minimum(lat, costs.BATCH_LATENCY_S), lat)
        latency_ok[:, tk] = (
            np.isfinite(lat)
            & (lat <= s.latency_target_s * (1 + 1e-9))
            & ~(self.tok_ttft[None, :] > s.ttft_target_s * (1 + 1e-9))
        )
        fits[:, tk] = (s.input_tokens + output <= self.tok_context[None, :]) & (
            output <= costs.output_caps(o)[tk][None, :]
        )
        per_minute = volume[:, None] / 1440.0 * peak[:, None] * s.samples  # rate-limit tiers at each sample's load
        daily = volume[:, None] * s.samples
        fits[:, tk] &= (
            (per_minute <= o.rate_limit_rpm[tk][None, :])
            & (per_minute * (s.input_tokens + output) <= o.rate_limit_tpm[tk][None, :])
            & (daily <= o.rate_limit_rpd[tk][None, :])
            & (daily * (s.input_tokens + output) <= o.rate_limit_tpd[tk][None, :])
        )
        # GPU rows
        g = self.gpu
        if len(g):
            it, wt = self._weights(self.t_grid, np.log(t))
            ie, we = self._weights(self.e_grid, np.log(get("gpu_efficiency_factor")))
            log_rate = self._gpu_interp(self.g_log_rate, it, wt, ie, we)
            log_lat = self._gpu_interp(self.g_log_latency, it, wt, ie, we)
            ok = np.isfinite(log_rate)
            rate = np.exp(np.where(ok, log_rate, 0.0))
            reps = costs.replicas_needed(volume[:, None], peak[:, None], rate)
            price = self._gpu_price_factors(get)
            per_month = self.g_hour_fixed[None, :] + self.g_hour_scaled[None, :] * price
            cost = reps * per_month
            monthly[:, g] = np.where(ok & np.isfinite(cost), cost, np.inf)
            fits[:, g] = ok
            latency_ok[:, g] = ok & (log_lat <= np.log(s.latency_target_s * (1 + 1e-9)))
        # accuracy
        acc = self.acc_base[None, :] + shift[:, None]
        if self.curves:
            lt = np.log(t)
            delta = np.stack([np.interp(lt, self.acc_log_t, c) for c in self.curves], axis=1)
            has = self.curve_of >= 0
            acc[:, has] += delta[:, self.curve_of[has]]
        for rows, at_level in level_acc:
            acc[:, rows] = at_level[:, None] + shift[:, None]
        acc = np.clip(acc, 0.0, 100.0)
        static_ok = self.allowed[None, :] & (acc >= self.target - 1e-9)
        eligible = static_ok & fits & latency_ok & np.isfinite(monthly)
        masked = np.where(eligible, monthly, np.inf)
        if len(g):
            self._refine_gpu(masked, static_ok, t, get("gpu_efficiency_factor"), volume, peak, price)
        winner = np.argmin(masked, axis=1)
        winner = np.where(np.isfinite(masked[np.arange(m), winner]), winner, -1)
        per_kind = {k: masked[:, o.kind == k].min(axis=1) if (o.kind == k).any() else np.full(m, np.inf) for k in KINDS}
        return winner, per_kind


# ------------------------------------------------------------------------------------------------ JSON


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _input_json(u: UncertainInput) -> dict:
    return {
        "name": u.name,
        "label": u.label,
        "target": u.target,
        "scale": u.scale,
        "low": u.low,
        "high": u.high,
        "source": u.source,
    }


def tornado_to_json(t: Tornado) -> dict:
    """Stable shape of ``ttcplanner sensitivity --json``."""
    return {
        "schema_version": 1,
        "scenario": t.scenario.name,
        "base": {
            "option": t.base_label,
            "kind": t.base_kind,
            "status": t.base_status,
            "monthly_cost_usd": _num(t.base_cost),
        },
        "evaluations": t.evaluations,
        "rows": [
            {
                "name": r.name,
                "label": r.label,
                "low": r.low_value,
                "high": r.high_value,
                "low_text": r.low_text,
                "high_text": r.high_text,
                "cost_at_low_usd": _num(r.cost_at_low),
                "cost_at_high_usd": _num(r.cost_at_high),
                "base_cost_usd": _num(r.base_cost),
                "swing_usd": _num(r.swing),
                "flips": r.flips,
                "flips_kind": r.flips_kind,
                "flip_value": _num(r.flip_value),
                "flip_natural": _num(r.flip_natural),
                "flip_text": r.flip_text,
                "flip_to": r.flip_to,
                "flip_to_kind": r.flip_to_kind,
                "source": r.source,
            }
            for r in t.rows
        ],
    }


def monte_carlo_to_json(mc: MonteCarlo) -> dict:
    """Stable shape of the ``monte_carlo`` member of ``ttcplanner plan --monte-carlo N --json``."""
    return {
        "schema_version": 1,
        "n": mc.n,
        "n_requested": mc.n_requested,
        "seed": mc.seed,
        "cancelled": mc.cancelled,
        "sampling": "independent triangular draws, mode at the base value; log space for factors",
        "inputs": [_input_json(u) for u in mc.inputs],
        "probability": {k: _num(v) for k, v in mc.probability.items()},
        "monthly_cost_usd_by_kind": {
            k: {"share_with_option": _num(np.mean(np.isfinite(v))) if len(v) else None, **mc.quantiles_by_kind[k]}
            for k, v in mc.monthly_usd_by_kind.items()
        },
        "winner_monthly_cost_usd": mc.winner_quantiles,
    }
