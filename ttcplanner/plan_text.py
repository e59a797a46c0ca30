"""The plan as plain text for the terminal (``ttcplanner plan``).

It renders what ``ttcplanner.present`` decided, as the window and the PDF do: the key-figure rows
(``key_figures``), display names for ids (``names``), kind labels (``labels``), the price-age flag the
status bar shows (``prices``), the budget line, the assumption that flips the decision and the assumptions
list of the PDF (``summary``, ``assumptions``).
"""

from __future__ import annotations

from typing import Mapping

from ttcplanner.model.format import pct, requests
from ttcplanner.present.assumptions import plan_assumptions
from ttcplanner.present.key_figures import budget_line, key_figures
from ttcplanner.present.labels import KIND_NAMES
from ttcplanner.present.names import display_name
from ttcplanner.present.prices import plan_price_age
from ttcplanner.present.reasons import headline, nearest_miss_texts, reason_texts, warning_texts
from ttcplanner.present.summary import flip_assumption


def _figures(row) -> str:
    band = ", ".join([row.band, *row.caveats]) if row.band else ""
    accuracy = f"{row.accuracy} ({band})" if band else row.accuracy
    return f"{accuracy}, {row.monthly}/month, {row.per_1k}/1k requests, {row.latency}, {row.budget}"


def plan_text(plan, names: Mapping[str, str] | None = None, today=None) -> str:
    """``names``: display name per id (``present.names.model_names(catalog)``); ``today`` dates the price age."""
    s, o = plan.scenario, plan.options
    rows = key_figures(plan)
    lines = [
        f"{s.name}  (task {display_name(names, s.task_id)}, target {pct(s.target_accuracy_pct)}, "
        f"{requests(s.requests_per_day)}/day, catalog as of {plan.catalog_as_of})",
        plan_price_age(plan, today).text,
        "",
        f"Recommendation: {headline(plan)}",
    ]
    if plan.recommended is not None:
        rec = rows[0]
        lines.append(f"  {_figures(rec)}" + (f"; {rec.detail}" if rec.detail else ""))
    lines.append(f"  {budget_line(plan)}")
    reasons = reason_texts(plan)
    if reasons:  # a plan with no option has none: its nearest misses say why
        lines += ["", "Why:"] + [f"  - {reason}" for reason in reasons]
    misses = nearest_miss_texts(plan)
    if misses:
        lines += ["", "Nearest misses (what to relax, and by how much):"] + [f"  - {m}" for m in misses]
    lines += ["", "Key figures:"]
    for row in rows:
        if row.index is None:
            lines.append(f"  {row.role} ({row.kind_name}): {row.why_none}")
        else:
            lines.append(f"  {row.role} ({row.kind_name}): {row.option}: {_figures(row)}")
    if plan.break_evens:
        lines += ["", "Break-even volumes:"]
        lines += [
            f"  {requests(b.requests_per_day)}/day: {KIND_NAMES[b.below]} below, {KIND_NAMES[b.above]} above"
            for b in plan.break_evens
        ]
    lines += ["", f"What would change it: {flip_assumption(plan)}"]
    if plan.recommended is not None and o.price_note and o.price_note[plan.recommended]:
        lines += ["", f"Price used: {o.price_note[plan.recommended]}"]
    if o.not_sized:
        lines += ["", "Priced but not sized:"] + [f"  {display_name(names, gpu)}: {why}" for gpu, why in o.not_sized]
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in warning_texts(plan)]
    lines += ["", "Assumptions:"] + [f"  - {a}" for a in plan_assumptions(plan)]
    return "\n".join(lines)
