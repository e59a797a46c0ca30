"""The executive summary's decisions, in words a manager reads: what is recommended, on what budget,
what the alternatives are and why they lost, and the one assumption that would change the answer.

Qt-free so any front end can show the same summary; the PDF's page 1 is built from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ttcplanner.model.format import count, money, pct, requests
from ttcplanner.model.options import KINDS
from ttcplanner.present.labels import KIND_NAMES, aggregation_name
from ttcplanner.present.names import display_name
from ttcplanner.present.reasons import no_option_sentence

BUDGET_FIELDS = ("reasoning_tokens", "samples", "effort")


@dataclass(frozen=True)
class Budget:
    reasoning_tokens: float
    samples: int
    effort: str  # '' when the option is not bought by effort level


@dataclass(frozen=True)
class Alternative:
    kind: str
    index: int | None  # the best option of this kind, None when no option of the kind meets the targets
    text: str  # what it is and why it was not chosen, or why there is none


def chosen_budget(plan, i: int) -> Budget:
    """Reasoning tokens per sample, samples and effort level option ``i`` is priced at (the budget search's
    choice in auto mode; in fixed mode the scenario's budget, or the effort level it buys)."""
    r = plan.results
    return Budget(float(r.reasoning_tokens[i]), int(r.samples[i]), str(r.effort[i] or ""))


def budget_text(plan, i: int) -> str:
    b = chosen_budget(plan, i)
    text = (
        f"{count(b.reasoning_tokens)} reasoning tokens per sample \u00d7 {b.samples} "
        f"sample{'s' if b.samples != 1 else ''}"
    )
    if b.samples > 1:
        text += f", combined by {aggregation_name(plan.scenario.aggregation).lower()}"
    text += f"; effort level {b.effort}" if b.effort else "; no effort level (the budget is set in tokens)"
    return text


def accuracy_basis(plan, i: int, names=None) -> str:
    """Where the accuracy figure comes from: the fit to the published points of the option's model."""
    acc_id = str(plan.options.accuracy_id[i])
    model = display_name(names, acc_id)
    views = [v for v in plan.accuracy_curves if v.accuracy_id == acc_id]
    points = views[0].points if views else ()
    n = len(points)
    where = "extrapolated beyond them, so less certain" if bool(plan.results.extrapolated[i]) else "within their range"
    basis = plan.results.accuracy_basis[i] if plan.results.accuracy_basis else ""
    if basis == "estimated_from_other_tasks":
        return f"estimated from {model}'s results on other tasks (no published result on this task), {where}"
    own = n and all(str(pt.source).startswith("user:") for pt in points)  # an imported eval (eval_import)
    what = "of your eval results" if own else f"published result{'s' if n != 1 else ''}"
    if n:
        return f"curve fitted to {n} {what} for {model} on this task, {where}"
    return f"catalog curve for {model} on this task, {where}"


def accuracy_text(plan, i: int) -> str:
    r = plan.results
    if not np.isfinite(r.accuracy_pct[i]):
        return "not published for this task"
    return f"{pct(r.accuracy_pct[i])} (likely range {pct(r.low_pct[i], 0)}\u2013{pct(r.high_pct[i], 0)})"


def _why_not_chosen(plan, b: int, rec: int) -> str:
    r = plan.results
    why = []
    extra = r.monthly_usd[b] - r.monthly_usd[rec]
    if np.isfinite(extra) and extra > 0:
        why.append(
            f"costs {money(extra)}/month more ({r.monthly_usd[b] / r.monthly_usd[rec]:.1f}\u00d7)"
            if r.monthly_usd[rec] > 0
            else f"costs {money(extra)}/month more"
        )
    if np.isfinite(r.accuracy_pct[b]) and r.accuracy_pct[b] < r.accuracy_pct[rec] - 0.05 and plan.status != "ok":
        why.append(f"less accurate ({pct(r.accuracy_pct[b])})")
    if not why:
        why.append("no cheaper than the recommendation")
    return " and ".join(why)


def alternatives(plan, names=None) -> tuple[Alternative, ...]:
    """The best option of each kind other than the recommendation's, with its cost and why it lost (or why
    there is none)."""
    rec = plan.recommended
    rec_kind = str(plan.options.kind[rec]) if rec is not None else None
    out = []
    for k in KINDS:
        if k == rec_kind:
            continue
        b = plan.best_per_kind.get(k)
        if b is None or rec is None:
            out.append(Alternative(k, None, no_option_sentence(plan, k) + "."))
            continue
        o, r = plan.options, plan.results
        out.append(
            Alternative(
                k,
                int(b),
                f"{o.label[b]} ({KIND_NAMES[k]}): {money(r.monthly_usd[b])}/month, "
                f"{pct(r.accuracy_pct[b])}. Not chosen: it {_why_not_chosen(plan, b, rec)}.",
            )
        )
    return tuple(out)


def _flipping_row(tornado):
    """The tornado input that changes the decision: one that changes the deployment kind first, then any
    other, each in the tornado's order (largest cost swing first)."""
    rows = [r for r in tornado.rows if r.flips]
    kind_rows = [r for r in rows if r.flips_kind]
    return (kind_rows or rows or [None])[0]


def flip_assumption(plan, tornado=None) -> str:
    """The one assumption that flips the recommendation: from the sensitivity (tornado) result when one for
    this scenario is given, otherwise the break-even volume nearest the scenario's."""
    s = plan.scenario
    if tornado is not None and getattr(tornado, "scenario", None) == s:
        row = _flipping_row(tornado)
        if row is None:
            return (
                f"None of the {len(tornado.rows)} uncertain inputs in the sensitivity analysis changes the "
                "recommendation within its range."
            )
        to = row.flip_to if row.flip_to is not None else "nothing meeting the targets"
        return (
            f"{row.label}: at {row.flip_text} (range studied {row.low_text} to {row.high_text}) the "
            f"recommendation changes to {to} (sensitivity analysis)."
        )
    vol = s.requests_per_day
    if plan.break_evens:
        b = min(plan.break_evens, key=lambda be: abs(math.log(be.requests_per_day / vol)) if vol > 0 else 0)
        cheaper = KIND_NAMES[b.above] if b.requests_per_day > vol else KIND_NAMES[b.below]
        side = "above" if b.requests_per_day > vol else "below"
        return (
            f"Volume: {side} {requests(b.requests_per_day)}/day (the scenario assumes {requests(vol)}/day) "
            f"{cheaper} becomes the cheaper kind (break-even volume; run the sensitivity analysis for the "
            "other inputs)."
        )
    grid = plan.volume_grid
    lo, hi = count(float(grid[0])), count(float(grid[-1]))
    if plan.recommended is None:
        return (
            f"No volume between {lo} and {hi} requests/day changes the outcome on its own; run the sensitivity "
            "analysis for the other inputs."
        )
    kind = KIND_NAMES[str(plan.options.kind[plan.recommended])]
    return (
        f"Volume does not flip it: {kind} stays the cheapest kind from {lo} to {hi} requests/day (no break-even); "
        "run the sensitivity analysis for the other inputs."
    )
