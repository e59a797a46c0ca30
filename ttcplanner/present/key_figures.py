"""The key figures of a plan as rows of text, one set for the PDF's table and the CLI's listing.

The rows are ``highlight.highlighted``'s options (the recommendation, then the best option of each other
kind: the options the window's plots and the PDF's figures draw in colour), then one row per deployment
kind with no eligible option, saying why in a sentence. Every figure is formatted by ``model.format``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ttcplanner.model.budget import describe
from ttcplanner.model.format import duration, money, pct, tokens, whole
from ttcplanner.model.options import KINDS
from ttcplanner.present.highlight import highlighted
from ttcplanner.present.labels import KIND_NAMES
from ttcplanner.present.reasons import no_option_sentence


@dataclass(frozen=True)
class KeyFigure:
    """One row. ``index`` is None for a kind without an eligible option; then only ``kind``, ``kind_name``,
    ``role`` ("No option") and ``why_none`` are set."""

    index: int | None
    role: str  # "Recommended", "Best GPU", ... (``Highlight.title``)
    kind: str
    kind_name: str  # "API tier", "Local / rented GPUs", "ASIC cloud"
    option: str = ""  # the option's label
    accuracy: str = ""  # "62.4%", or "n/a"
    band: str = ""  # "55–70%": the fit's uncertainty range
    caveats: tuple[str, ...] = ()  # "extrapolated", "est. from other tasks"
    monthly: str = ""
    per_1k: str = ""  # cost per 1,000 requests
    latency: str = ""
    gpus: str = ""  # GPUs in the fleet, or "managed"
    detail: str = ""  # a GPU fleet's shape ("2 × 8 GPU, FP8, 54% utilised") or "via batch API"
    budget: str = ""  # the compute budget the option is priced at
    why_none: str = ""  # a sentence: why the kind has no option


def _row(plan, role: str, i: int) -> KeyFigure:
    r, o, s = plan.results, plan.options, plan.scenario
    kind = str(o.kind[i])
    finite = bool(np.isfinite(r.accuracy_pct[i]))
    caveats = []
    if finite and r.extrapolated[i]:
        caveats.append("extrapolated")
    if finite and r.accuracy_basis and r.accuracy_basis[i] == "estimated_from_other_tasks":
        caveats.append("est. from other tasks")
    if kind == "gpu":
        used = pct(100 * r.utilization[i], 0) if np.isfinite(r.utilization[i]) else "n/a"
        detail = (
            f"{int(r.replicas[i])} \u00d7 {int(o.gpus_per_replica[i])} GPU, {o.precision[i].upper()}, {used} utilised"
        )
    else:
        detail = "via batch API" if r.batch[i] else ""
    return KeyFigure(
        index=i,
        role=role,
        kind=kind,
        kind_name=KIND_NAMES[kind],
        option=o.label[i],
        accuracy=pct(r.accuracy_pct[i]) if finite else "n/a",
        band=f"{pct(r.low_pct[i], 0)}\u2013{pct(r.high_pct[i], 0)}" if finite else "",
        caveats=tuple(caveats),
        monthly=money(r.monthly_usd[i]),
        per_1k=money(r.cost_per_request_usd[i] * 1000),
        latency=duration(r.latency_s[i]),
        gpus=whole(r.gpus_total[i]) if kind == "gpu" else "managed",
        detail=detail,
        budget=describe(r.reasoning_tokens[i], r.samples[i], r.effort[i], s.aggregation),
    )


def key_figures(plan) -> tuple[KeyFigure, ...]:
    """The highlighted options, then a row per kind that has none."""
    rows = [_row(plan, h.title, h.index) for h in highlighted(plan)]
    shown = {row.kind for row in rows}
    for k in KINDS:
        if k not in shown:
            rows.append(KeyFigure(None, "No option", k, KIND_NAMES[k], why_none=no_option_sentence(plan, k) + "."))
    return tuple(rows)


def budget_line(plan) -> str:
    """The budget the recommendation is bought at, against the caps (auto) or the fixed budget; and fixed mode's
    cheaper budget within the same caps."""
    s, r, i = plan.scenario, plan.results, plan.recommended
    caps = f"{tokens(s.reasoning_tokens)} \u00d7 {s.samples} sample{'s' if s.samples != 1 else ''}"
    chosen = describe(r.reasoning_tokens[i], r.samples[i], r.effort[i], s.aggregation) if i is not None else "none"
    if s.budget_mode == "auto":
        line = f"Compute budget: {chosen}, the cheapest within the caps of {caps} per request."
    else:
        line = f"Compute budget: {chosen} (fixed: every option priced at {caps})."
    h = plan.budget_hint
    if h is not None:
        gain = f", {h.saving:.0%} less" if h.saving == h.saving else " and meets every target"
        line += (
            f" Within these caps, {describe(h.reasoning_tokens, h.samples, h.effort, s.aggregation)} costs "
            f"{money(h.monthly_usd)}/month ({plan.options.label[h.option]}){gain}."
        )
    return line
