"""Accuracy for the plan: every offered model of the task along the budget grid (for the curves), and every
option at its own budget (computed exactly: that number alone decides whether it meets the target)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ttcplanner.model.accuracy import task_accuracy_many, task_accuracy_points
from ttcplanner.model.budget import Budgets
from ttcplanner.model.memo import memo
from ttcplanner.model.option_index import has_curve, offered_ids, option_index, table_rows
from ttcplanner.model.options import OptionSet
from ttcplanner.model.plan import BUDGET_GRID, AccuracyCurveView


@dataclass(frozen=True)
class AccuracyTable:
    """Every offered curve of a task at [first budget] + BUDGET_GRID: a dict per model and the same rows stacked
    (one extra NaN row at the end for options without a curve), so options gather their row in one step."""

    by_model: dict  # accuracy_id -> (mean, low, high, extrapolated)
    ids: tuple[str, ...]
    mean: np.ndarray  # (len(ids) + 1, 1 + len(BUDGET_GRID))
    low: np.ndarray
    high: np.ndarray
    extrapolated: np.ndarray


def accuracy_table(s, task, opts: OptionSet, samples: int | None = None) -> AccuracyTable:
    """The table at ``samples`` (default the scenario's). Its first column is the fixed budget; auto mode reads
    only the grid, so there a moved cap keeps the table."""
    first = s.reasoning_tokens if s.budget_mode == "fixed" else 0.0
    return _table(
        task, offered_ids(task, opts), first, s.samples if samples is None else samples, s.aggregation, s.scorer_quality
    )


@memo(64)
def _table(task, ids: tuple[str, ...], first: float, samples: int, aggregation: str, scorer_quality: float):
    tokens = np.concatenate([[first], BUDGET_GRID])
    many = task_accuracy_many(task, ids, tokens, samples, aggregation, scorer_quality)
    width = len(tokens)

    def stacked(part: str, fill, dtype) -> np.ndarray:
        rows = [getattr(many[i], part) for i in ids] + [np.full(width, fill, dtype=dtype)]
        return np.stack(rows).astype(dtype, copy=False)

    mean, low, high = (stacked(p, np.nan, float) for p in ("mean_pct", "low_pct", "high_pct"))
    extrap = stacked("extrapolated", False, bool)
    by_model = {acc_id: (mean[k], low[k], high[k], extrap[k]) for k, acc_id in enumerate(ids)}
    return AccuracyTable(by_model, ids, mean, low, high, extrap)


def accuracy_rows(s, task, opts: OptionSet, grid: bool, shift_pts: float = 0.0, rows=None, samples: int | None = None):
    """Accuracy arrays (mean, low, high, extrapolated) of every option, or of ``rows`` (new arrays): at the fixed
    budget (options,) or along BUDGET_GRID (options x budgets), at ``samples`` (default the scenario's); NaN
    where the task has no curve for the option's model."""
    table = accuracy_table(s, task, opts, samples)
    at = table_rows(opts, table.ids) if rows is None else table_rows(opts, table.ids)[rows]
    cols = slice(1, None) if grid else 0
    mean, low, high, extrap = (a[at, cols] for a in (table.mean, table.low, table.high, table.extrapolated))
    if shift_pts:
        mean, low, high = (np.clip(a + shift_pts, 0.0, 100.0) for a in (mean, low, high))
    return mean, low, high, extrap


def accuracy_at(s, task, opts: OptionSet, budgets: Budgets, shift_pts: float):
    """Accuracy of every option at its own budget (new arrays). Fixed budgets read the table at the scenario's
    budget; other budgets (auto, effort levels) are computed exactly at their (tokens, samples)."""
    if s.budget_mode == "fixed":
        mean, low, high, extrap = accuracy_rows(s, task, opts, grid=False, shift_pts=shift_pts)
        redo = budgets.reasoning_tokens != s.reasoning_tokens
    else:
        mean, low, high = (np.full(opts.size, np.nan) for _ in range(3))
        extrap = np.zeros(opts.size, dtype=bool)
        redo = np.ones(opts.size, dtype=bool)
    redo &= has_curve(task, opts)
    if not redo.any():
        return mean, low, high, extrap
    rows = np.flatnonzero(redo)
    pairs, which = np.unique(budgets.reasoning_tokens[rows] + 1j * budgets.samples[rows], return_inverse=True)
    models, model_of = np.unique(option_index(opts).accuracy_id[rows], return_inverse=True)
    # each model at its own budgets only: (model, budget) combos, a row of up to P of them per model
    combos, combo_of = np.unique(model_of.ravel() * len(pairs) + which.ravel(), return_inverse=True)
    model, pair = np.divmod(combos, len(pairs))
    start = np.searchsorted(model, np.arange(len(models)))
    col = np.arange(len(combos)) - start[model]
    points = np.broadcast_to(pairs[pair[start]][:, None], (len(models), int(col.max()) + 1)).copy()  # pad: 1st
    points[model, col] = pairs[pair]
    exact = _exact_points(task, tuple(models.tolist()), points, s.aggregation, s.scorer_quality)
    m, lo, hi, ex = (a[model[combo_of], col[combo_of]] for a in exact)
    if shift_pts:
        m, lo, hi = (np.clip(a + shift_pts, 0.0, 100.0) for a in (m, lo, hi))
    mean[rows], low[rows], high[rows], extrap[rows] = m, lo, hi, ex
    return mean, low, high, extrap


@memo(64)
def _exact_points(task, models: tuple[str, ...], points: np.ndarray, aggregation: str, scorer_quality: float):
    """(mean, low, high, extrapolated), each (models, P): model k at its budgets points[k] (tokens + 1j samples)."""
    return task_accuracy_points(task, models, points.real, points.imag, aggregation, scorer_quality)


def accuracy_curves(s, task, opts: OptionSet, samples: int) -> tuple[AccuracyCurveView, ...]:
    """Every offered model's accuracy along BUDGET_GRID at ``samples`` (the recommendation's)."""
    return _curve_views(accuracy_table(s, task, opts, samples), task)


@memo(16)
def _curve_views(table: AccuracyTable, task) -> tuple[AccuracyCurveView, ...]:
    return tuple(
        AccuracyCurveView(
            acc_id,
            BUDGET_GRID,
            m[1:],
            lo[1:],
            hi[1:],
            ex[1:],
            tuple(task.curves[acc_id].points),
            task.curves[acc_id].basis,
        )
        for acc_id, (m, lo, hi, ex) in sorted(table.by_model.items())
    )
