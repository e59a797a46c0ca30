"""Which compute budget (reasoning tokens per sample, samples, effort level) each option is bought at.

``budget_mode`` "fixed": exactly the scenario's budget; a model bought by effort level at the lowest level
whose tokens reach it, or its highest level. "auto": the scenario's budget is a pair of caps, and each option
gets the cheapest budget within them that meets the accuracy target (the planner then checks latency, memory
and prices, and picks the cheapest samples count; see budget_search.py).

Accuracy rises with reasoning tokens and with samples, and cost rises with both, so for each samples count N
the cheapest tokens are the fewest that reach the target. They are found by inverting the two stages of the
accuracy model on fine grids, with no search loop on the slider path:
- the parallel stage: the pass@1 needed for the target at N (``accuracy.parallel_mean_pct`` tabulated on a
  pass@1 grid of 0.05 points; it is piecewise linear on the coarser grid it interpolates, so reading it
  back linearly is exact up to the floor at pass@1);
- the sequential stage: the tokens at which the model's curve reaches that pass@1 (each curve tabulated at 200
  points per decade of tokens, read back linearly in ln T: within ~0.003 points of the curve).
The search aims SEARCH_MARGIN_PTS above the target to cover that error; the planner then computes the exact
accuracy at the chosen budget with ``task_accuracy_many``, and that number alone decides whether an option
meets the target.

Free budgets (open models, thinking budgets, models whose task curve lists no ``effort_tokens``) are searched
on that continuous token axis. Models bought by effort level are searched over their levels only, with the
tokens per level on this task from ``AccuracyCurve.effort_tokens``; where the accuracy fit gave no
``effort_tokens`` for a model sold by effort, its tokens are treated as free (the token axis) -- an
approximation the catalog fixes by filling the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ttcplanner.model.accuracy import parallel_mean_pct, sequential_pct

# Samples counts the search tries: every count up to 16, then steps of at most 25% up to the field's limit;
# the scenario's cap is added when it falls between two of them.
SAMPLES_GRID = np.unique(np.concatenate([np.arange(1, 17), np.round(16 * 2 ** (np.arange(1, 33) / 4))])).astype(float)
_PASS1_GRID = np.linspace(0.0, 100.0, 2001)  # percent
_TOKEN_GRID = np.concatenate([[0.0], np.logspace(0, 6, 1201)])  # reasoning tokens: 200 points per decade
_THINKING_BUDGET = re.compile(r"^thinking \d+(\.\d+)?[kK]$")  # a thinking budget, not an effort level
SEARCH_MARGIN_PTS = 0.01  # aim this far above the target: covers the grids' read-back error (~0.003 points)


@dataclass(frozen=True)
class Budgets:
    """The budget each option is priced at (arrays along the option axis)."""

    reasoning_tokens: np.ndarray  # per sample
    samples: np.ndarray  # whole numbers, as floats
    effort: tuple  # the named effort level, or None where the budget is free


@dataclass(frozen=True)
class BudgetClasses:
    """Options grouped by what decides their budget: the accuracy model and the effort levels it is sold at."""

    accuracy_id: tuple[str, ...]  # per class
    levels: tuple  # per class: ((name, tokens), ...) ascending in tokens; () when the budget is free
    of_option: np.ndarray  # each option's class
    has_curve: np.ndarray  # per class: the task has a curve for it


def budget_classes(catalog, task, opts) -> BudgetClasses:
    """Classes of ``opts`` on ``task``: a token offer is bought by effort level when its catalog entry lists
    levels and the task's curve gives tokens for some of them (``effort_tokens``); otherwise its budget is free."""
    keys, of_option = {}, []
    for acc_id, entry_id, kind in zip(opts.accuracy_id, opts.entry_id, opts.kind.tolist(), strict=True):
        levels = ()
        curve = task.curves.get(acc_id)
        if kind != "gpu" and curve is not None and curve.effort_tokens:
            offer = catalog.api_offers.get(entry_id) or catalog.asic_offers.get(entry_id)
            named = offer.effort_levels if offer is not None else []
            levels = tuple(
                sorted(
                    (
                        (str(n), float(t))
                        for n, t in curve.effort_tokens.items()
                        if n in named and not _THINKING_BUDGET.match(str(n))
                    ),
                    key=lambda level: level[1],
                )
            )
            # levels the offer does not sell, and thinking budgets ('thinking 8K': any budget can be set), leave
            # the budget free (see module doc)
        of_option.append(keys.setdefault((acc_id, levels), len(keys)))
    classes = tuple(keys)
    return BudgetClasses(
        tuple(a for a, _ in classes),
        tuple(lv for _, lv in classes),
        np.array(of_option, dtype=np.intp),
        np.array([a in task.curves for a, _ in classes], dtype=bool),
    )


def reachable_levels(levels: tuple, cap_tokens: float) -> tuple:
    """The levels a fixed budget within the cap can buy: those up to the first whose tokens reach the cap
    (a fixed budget is bought at the lowest level that reaches it), so auto never misses what fixed finds."""
    for k, (_, tokens) in enumerate(levels):
        if tokens >= cap_tokens:
            return levels[: k + 1]
    return levels


def level_for_budget(levels: tuple, tokens: float) -> tuple:
    """The level a fixed budget buys: the lowest whose tokens reach it, or the highest."""
    for level in levels:
        if level[1] >= tokens:
            return level
    return levels[-1]


def fixed_budgets(s, classes: BudgetClasses) -> Budgets:
    """Every option at the scenario's own budget (effort-level models at the level it buys)."""
    per_class = [
        level_for_budget(lv, s.reasoning_tokens) if lv else (None, s.reasoning_tokens) for lv in classes.levels
    ]
    tokens = np.array([t for _, t in per_class], dtype=float)[classes.of_option]
    effort = tuple(per_class[c][0] for c in classes.of_option.tolist())
    return Budgets(tokens, np.full(len(effort), float(s.samples)), effort)


def samples_candidates(cap: int) -> np.ndarray:
    """The samples counts the search tries within the cap (the cap itself included)."""
    grid = SAMPLES_GRID[SAMPLES_GRID <= cap]
    return grid if grid[-1] == cap else np.append(grid, float(cap))


class ParallelInverse:
    """The pass@1 a task needs to reach a given accuracy with N samples, per (task, aggregation, scorer quality):
    columns of the parallel model on a pass@1 grid, computed once per samples count and kept."""

    def __init__(self, task, aggregation: str, scorer_quality: float):
        self.task, self.aggregation, self.scorer_quality = task, aggregation, scorer_quality
        self.columns: dict[float, np.ndarray] = {}
        self._stacked: tuple = (b"", None)  # the last table asked for: most steps ask for the same one

    def table(self, samples: np.ndarray) -> np.ndarray:
        """(len(_PASS1_GRID), len(samples)) accuracy in percent."""
        key = samples.tobytes()
        if self._stacked[0] == key:
            return self._stacked[1]
        missing = [n for n in samples.tolist() if n not in self.columns]
        if missing:
            t = self.task
            acc = parallel_mean_pct(
                _PASS1_GRID[:, None],
                np.array(missing)[None, :],
                self.aggregation,
                t.answer_format,
                t.concentration,
                self.scorer_quality,
            )
            acc = np.maximum.accumulate(acc, axis=0)  # monotone in pass@1, as the model is
            for k, n in enumerate(missing):
                self.columns[n] = acc[:, k].copy()
        table = np.stack([self.columns[n] for n in samples.tolist()], axis=1)
        self._stacked = (key, table)
        return table

    def pass1_needed(self, target_pct: float, samples: np.ndarray) -> np.ndarray:
        """Pass@1 (percent) reaching ``target_pct`` at each samples count (interpolated linearly between the
        grid's points); inf where none does."""
        table = self.table(samples)  # (m, N), each column non-decreasing
        target = np.broadcast_to(np.asarray(target_pct, dtype=float), samples.shape)
        k = np.count_nonzero(table < target[None, :], axis=0)  # the first row reaching the target, per column
        out = np.full(samples.shape, np.inf)
        out[k == 0] = _PASS1_GRID[0]
        mid = np.flatnonzero((k > 0) & (k < len(_PASS1_GRID)))
        kk = k[mid]
        y0, y1 = table[kk - 1, mid], table[kk, mid]
        frac = np.where(y1 > y0, (target[mid] - y0) / np.where(y1 > y0, y1 - y0, 1.0), 1.0)
        out[mid] = _PASS1_GRID[kk - 1] + frac * (_PASS1_GRID[kk] - _PASS1_GRID[kk - 1])
        return out


def sequential_table(task, accuracy_ids) -> np.ndarray:
    """Each model's single-sample accuracy (percent) along _TOKEN_GRID: (models, tokens), monotone."""
    rows = [sequential_pct(task.curves[a], _TOKEN_GRID)[0] for a in accuracy_ids]
    table = np.maximum.accumulate(np.array(rows, dtype=float).reshape(len(rows), len(_TOKEN_GRID)), axis=1)
    table.flags.writeable = False
    return table


def tokens_needed(seq_rows: np.ndarray, pass1_pct: np.ndarray) -> np.ndarray:
    """The fewest reasoning tokens at which each model's curve (``sequential_table`` rows, (models, grid))
    reaches each pass@1 (K,): (models, K); inf where it never does."""
    rows, width = seq_rows.shape
    # one search for every row: row r's values (0..100 percent) and targets shifted by r x 1000 stay in order
    offset = 1000.0 * np.arange(rows)[:, None]
    target = np.asarray(pass1_pct, dtype=float)[None, :] + offset
    flat = (seq_rows + offset).ravel()
    k = np.searchsorted(flat, target, side="left") - np.arange(rows)[:, None] * width
    y = seq_rows.take(np.clip(k, 0, width - 1) + np.arange(rows)[:, None] * width)
    y0 = seq_rows.take(np.clip(k - 1, 0, width - 1) + np.arange(rows)[:, None] * width)
    return _crossing_at(_TOKEN_GRID, k, y0, y, target - offset)


def _crossing_at(x: np.ndarray, k: np.ndarray, y0: np.ndarray, y1: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The x where a non-decreasing tabulated y first reaches ``target``, given k, the first index with
    y >= target (len(x): none), and y[k-1], y[k]: interpolated linearly in ln x (x[0] may be 0); inf where y
    never reaches it."""
    out = np.full(target.shape, np.inf)
    inside = k < len(x)
    out[inside & (k == 0)] = x[0]
    mid = inside & (k > 0)
    if np.any(mid):
        kk, y0, y1 = k[mid], y0[mid], y1[mid]
        frac = np.where(y1 > y0, (target[mid] - y0) / np.where(y1 > y0, y1 - y0, 1.0), 1.0)
        lo = np.log(np.maximum(x[kk - 1], 1.0))
        hi = np.log(x[kk])
        value = np.exp(lo + frac * (hi - lo))
        out[mid] = np.where(x[kk - 1] <= 0.0, np.where(frac >= 1.0, x[kk], np.maximum(value, 1.0)), value)
    return out


def describe(tokens: float, samples: float, effort, aggregation: str) -> str:
    """'high effort, 1 sample' / '8k tokens x 4 samples, majority vote'."""
    from ttcplanner.model.format import count

    n = round(samples)
    if effort:
        what = f"{effort} effort" if " " not in effort else f"'{effort}'"  # 'thinking 8K' reads better without
    else:
        what = f"{count(math.ceil(tokens))} tokens" if tokens > 0 else "no reasoning"
    if n == 1:
        return f"{what}, 1 sample"
    how = {"majority": "majority vote", "verifier": "best by verifier", "scorer": "best by scorer"}.get(
        aggregation, aggregation
    )
    return f"{what} x {n} samples, {how}"
