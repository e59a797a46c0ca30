"""The plan as plain text for the terminal (``ttcplanner plan``)."""

from __future__ import annotations

import math

from ttcplanner.model.budget import describe
from ttcplanner.model.format import count, duration, money, pct, requests
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.present.reasons import alternative_texts, headline, nearest_miss_texts, reason_texts, warning_texts


def plan_text(plan) -> str:
    s, r, o = plan.scenario, plan.results, plan.options
    lines = [f"{s.name}  (task {s.task_id}, target {pct(s.target_accuracy_pct)}, {requests(s.requests_per_day)}/day, "
             f"catalog as of {plan.catalog_as_of})", "", f"Recommendation: {headline(plan)}"]
    if plan.recommended is not None:
        i = plan.recommended
        lines.append(f"  accuracy {pct(r.accuracy_pct[i])} (band {pct(r.low_pct[i])}-{pct(r.high_pct[i])})"
                     f"{' extrapolated' if r.extrapolated[i] else ''}, {money(r.monthly_usd[i])}/month, "
                     f"{money(r.cost_per_request_usd[i] * 1000)} per 1k requests, latency {duration(r.latency_s[i])}")
        lines.append(f"  budget {describe(r.reasoning_tokens[i], r.samples[i], r.effort[i], s.aggregation)}")
    caps = f"{count(s.reasoning_tokens)} tokens x {s.samples} sample{'s' if s.samples != 1 else ''}"
    lines.append(f"  ({'auto budget: the cheapest within the caps of ' if s.budget_mode == 'auto' else 'fixed budget: every option at '}"
                 f"{caps})")
    h = plan.budget_hint
    if h is not None:
        gain = f", {h.saving:.0%} less" if math.isfinite(h.saving) else " and meets every target"
        lines.append(f"  Cheaper budget within these caps: {describe(h.reasoning_tokens, h.samples, h.effort, s.aggregation)} "
                     f"costs {money(h.monthly_usd)}/month ({o.label[h.option]}){gain}")
    lines += ["", "Why:"] + [f"  - {reason}" for reason in reason_texts(plan)] if plan.reasons else []
    misses = nearest_miss_texts(plan)
    if misses:
        lines += ["", "Nearest misses (what to relax, and by how much):"] + [f"  - {m}" for m in misses]
    lines += ["", "Best of each deployment kind:"]
    for k in KINDS:
        i = plan.best_per_kind[k]
        if i is None:
            lines.append(f"  {KIND_NAMES[k]:<20} {alternative_texts(plan).get(k, 'none')}")
        else:
            lines.append(f"  {KIND_NAMES[k]:<20} {o.label[i]}: {pct(r.accuracy_pct[i])}, {money(r.monthly_usd[i])}/month, "
                         f"{money(r.cost_per_request_usd[i] * 1000)}/1k requests, {duration(r.latency_s[i])}, "
                         f"{describe(r.reasoning_tokens[i], r.samples[i], r.effort[i], s.aggregation)}")
    if plan.break_evens:
        lines += ["", "Break-even volumes:"]
        lines += [f"  {requests(b.requests_per_day)}/day: {KIND_NAMES[b.below]} below, {KIND_NAMES[b.above]} above"
                  for b in plan.break_evens]
    if plan.recommended is not None and o.price_note and o.price_note[plan.recommended]:
        lines += ["", f"Price used: {o.price_note[plan.recommended]}"]
    if o.not_sized:
        lines += ["", "Priced but not sized:"] + [f"  {gpu}: {why}" for gpu, why in o.not_sized]
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in warning_texts(plan)]
    return "\n".join(lines)
