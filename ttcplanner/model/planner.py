"""Scenario -> every option evaluated -> Pareto frontier -> recommendation with its reasons.

``evaluate`` is the one entry point the GUI, the PDF report and the CLI call; it runs on every slider step.
It is a pipeline of named steps, each in a module of its own:
  options (options.py) -> budget classes -> budgets (fixed: budget.py; auto: budget_search.py)
  -> operating point (operating_point.py) -> choice -> fixed mode's cheaper-budget hint
  -> volume curves and break-evens, accuracy and cost curves, frontier (curves.py, accuracy_table.py)
  -> reasons, warnings and nearest misses as data (explain.py, misses.py; present/reasons.py words them).
Steps work on arrays along the option axis. What a move leaves unchanged is memoised in one place
(``memo.py``: keyed on the inputs each step reads), so a plan is the same with the memo cold or warm.
"""

from __future__ import annotations

from ttcplanner.model import memo
from ttcplanner.model.accuracy_table import accuracy_curves
from ttcplanner.model.budget_search import auto_budgets, budget_classes, budget_hint, fixed_budgets
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.curves import cost_curves, evaluate_grid, volume_curves_and_break_evens
from ttcplanner.model.errors import InputError
from ttcplanner.model.explain import alternatives, provenance, reasons, warnings
from ttcplanner.model.misses import nearest_misses
from ttcplanner.model.operating_point import choose, operating_point
from ttcplanner.model.options import build_options, scenario_options
from ttcplanner.model.plan import (
    BUDGET_GRID,
    HINT_SAVING,
    STALE_PRICE_DAYS,
    VOLUME_GRID,
    AccuracyCurveView,
    Adjustments,
    BreakEven,
    BudgetHint,
    CostCurve,
    Grid,
    OptionResults,
    Plan,
    Reason,
    WhyNot,
)
from ttcplanner.model.scenario import Scenario

__all__ = [
    "BUDGET_GRID",
    "HINT_SAVING",
    "STALE_PRICE_DAYS",
    "VOLUME_GRID",
    "AccuracyCurveView",
    "Adjustments",
    "BreakEven",
    "BudgetHint",
    "CostCurve",
    "Grid",
    "OptionResults",
    "Plan",
    "Reason",
    "WhyNot",
    "clear_caches",
    "evaluate",
    "evaluate_grid",
]


def evaluate(scenario: Scenario, catalog: Catalog, adjust: Adjustments | None = None, *, hint: bool = True) -> Plan:
    """Evaluate every option for ``scenario`` and recommend one (``adjust``: what-if multipliers). ``hint=False``
    leaves out fixed mode's cheaper-budget hint, a whole budget search: the window searches it once the
    controls rest, not on every slider step."""
    task = _task(scenario, catalog)
    adjust = adjust or Adjustments()
    shift = adjust.accuracy_shift_pts
    opts = adjust.apply(scenario_options(scenario, catalog))
    classes = budget_classes(catalog, task, opts)
    if scenario.budget_mode == "auto":
        choice = auto_budgets(scenario, task, opts, classes, shift)
        res = operating_point(scenario, task, opts, choice.budgets, shift, choice.serving)
    else:
        res = operating_point(scenario, task, opts, fixed_budgets(scenario, classes), shift)
    rec, best, status = choose(opts, res)
    fixed = scenario.budget_mode == "fixed"
    cheaper = budget_hint(scenario, task, opts, classes, res, rec, status, shift) if fixed and hint else None
    volume, breaks = volume_curves_and_break_evens(scenario, opts, res)
    curves, frontier, front_extrap, front_budget = cost_curves(scenario, task, opts, res, shift)
    samples = int(res.samples[rec]) if rec is not None else scenario.samples
    return Plan(
        scenario=scenario,
        catalog_as_of=catalog.as_of,
        catalog_age_days=catalog.age_days(),
        options=opts,
        results=res,
        recommended=rec,
        best_per_kind=best,
        status=status,
        reasons=reasons(scenario, task, opts, res, rec, best, status, breaks),
        warnings=warnings(scenario, task, opts, res, rec, best),
        accuracy_curves=accuracy_curves(scenario, task, opts, samples),
        cost_curves=curves,
        frontier=frontier,
        volume_grid=VOLUME_GRID,
        volume_monthly_usd=volume,
        break_evens=breaks,
        alternatives=alternatives(task, opts, res, best),
        provenance=provenance(catalog, task),
        frontier_extrapolated=front_extrap,
        frontier_budget=front_budget,
        budget_hint=cheaper,
        nearest_misses=nearest_misses(scenario, opts, res),
    )


def _task(scenario: Scenario, catalog: Catalog):
    if scenario.task_id not in catalog.tasks:
        raise InputError(
            f"unknown task {scenario.task_id!r}; known: {', '.join(sorted(catalog.tasks))}", field="task_id"
        )
    if scenario.hardware != "auto" and scenario.hardware not in catalog.gpus:
        raise InputError(
            f"unknown GPU {scenario.hardware!r}; known: auto, {', '.join(sorted(catalog.gpus))}", field="hardware"
        )
    return catalog.tasks[scenario.task_id]


def clear_caches() -> None:
    """Forget this thread's memoised intermediates and the option sets (tests compare cold and warm plans;
    results never depend on the memo)."""
    memo.clear()
    build_options.cache_clear()
