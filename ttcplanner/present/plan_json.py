"""The stable JSON shape of ``ttcplanner plan --json``: the plan's figures, and its reasons in the words of
``present.reasons``."""

from __future__ import annotations

import math

from ttcplanner.model.format import option_json
from ttcplanner.model.misses import NearestMiss
from ttcplanner.present.reasons import (
    alternative_texts,
    headline,
    nearest_miss_texts,
    reason_texts,
    warning_texts,
    why_not,
)


def plan_to_json(plan) -> dict:
    """``reasons`` are the recommendation's reasons, followed (when no option meets every target) by the
    nearest misses in words; ``nearest_misses`` holds the same as data (see ``_miss_json``)."""

    def opt(i):
        return None if i is None else option_json(plan.options, plan.results, i, plan.scenario, why_not(plan, i))

    hint = plan.budget_hint
    return {
        "schema_version": 1,
        "scenario": plan.scenario.name,
        "task_id": plan.scenario.task_id,
        "catalog_as_of": plan.catalog_as_of,
        "status": plan.status,
        "headline": headline(plan),
        "budget_mode": plan.scenario.budget_mode,
        "budget_caps" if plan.scenario.budget_mode == "auto" else "budget": {
            "reasoning_tokens": plan.scenario.reasoning_tokens,
            "samples": plan.scenario.samples,
        },
        "cheaper_budget": None
        if hint is None
        else {
            "reasoning_tokens": hint.reasoning_tokens,
            "samples": hint.samples,
            "effort": hint.effort,
            "option": plan.options.label[hint.option],
            "monthly_cost_usd": hint.monthly_usd,
            "saving": None if not math.isfinite(hint.saving) else hint.saving,
        },
        "recommendation": opt(plan.recommended),
        "best_per_kind": {k: opt(i) for k, i in plan.best_per_kind.items()},
        "why_no_option": alternative_texts(plan),
        "reasons": reason_texts(plan) + nearest_miss_texts(plan),
        "warnings": warning_texts(plan),
        "break_even": [
            {"requests_per_day": b.requests_per_day, "cheaper_below": b.below, "cheaper_above": b.above}
            for b in plan.break_evens
        ],
        "options_evaluated": int(plan.options.size),
        "options_meeting_targets": int(plan.results.eligible.sum()),
        "provenance": [{"what": w, "source": src, "as_of": d} for w, src, d in plan.provenance],
        "hardware_not_sized": [{"id": g, "reason": why} for g, why in plan.options.not_sized],
        "nearest_misses": [_miss_json(plan, m) for m in plan.nearest_misses],
    }


def _miss_json(plan, m: NearestMiss) -> dict:
    """One target that blocks every option: ``target`` (accuracy | latency | ttft | on_premises), ``needed`` (the
    scenario's target, null for the on-premises rule), ``best_value`` (the closest figure an option reaches: its
    accuracy, latency or time to first token; for the on-premises rule the monthly cost of the cheapest option
    off premises), ``unit`` (%, s, USD/month), the option reaching it (``option_id``, its catalog entry, and
    ``option`` its label), and ``others_met`` (that option meets every other target, so relaxing this one alone
    to ``best_value`` makes it feasible)."""
    return {
        "target": m.target,
        "needed": m.needed,
        "best_value": m.best_value,
        "unit": m.unit,
        "option_id": plan.options.entry_id[m.option],
        "option": plan.options.label[m.option],
        "others_met": m.others_met,
    }
