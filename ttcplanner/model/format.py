"""The one place numbers become text: dollars, tokens, percentages, durations, request rates.

GUI, PDF and CLI all format through here so a figure reads the same everywhere.
"""

from __future__ import annotations

import math

import numpy as np

from ttcplanner.model.costs import cost_items
from ttcplanner.model.options import KIND_NAMES, OptionSet


def _scaled(value: float, units: tuple[tuple[float, str], ...], digits: int = 3) -> str:
    for size, suffix in units:
        if abs(value) >= size:
            return f"{value / size:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def money(usd: float) -> str:
    """$1.23, $456, $12.3k, $4.56M, $7.8B; cents for small amounts."""
    if usd is None or not math.isfinite(usd):
        return "n/a"
    if abs(usd) < 0.01 and usd != 0:
        return f"${usd:.2g}"
    if abs(usd) < 1000:
        return f"${usd:,.2f}" if abs(usd) < 100 else f"${usd:,.0f}"
    return "$" + _scaled(usd, ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")))


def tokens(count: float) -> str:
    if count is None or not math.isfinite(count):
        return "n/a"
    return _scaled(count, ((1e9, "B"), (1e6, "M"), (1e3, "k"))) + " tokens"


def count(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return _scaled(value, ((1e9, "B"), (1e6, "M"), (1e3, "k")))


def requests(per_day: float) -> str:
    return f"{count(per_day)} requests"


def pct(value: float, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}%"


def duration(seconds: float) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def whole(n: float) -> str:
    """An exact whole number with thousands separators (GPU and replica counts: 20,144 not 20144)."""
    return f"{int(n):,}"


def rate(tokens_per_s: float) -> str:
    if tokens_per_s is None or not math.isfinite(tokens_per_s):
        return "n/a"
    return f"{count(tokens_per_s)} tok/s"


def describe_option(opts: OptionSet, r, i: int) -> str:
    """One line: what to deploy."""
    if opts.kind[i] == "gpu":
        reps = int(r.replicas[i])
        return (
            f"{opts.label[i]} ({opts.precision[i].upper()}), {whole(reps)} replica{'s' if reps != 1 else ''} = "
            f"{whole(r.gpus_total[i])} GPU{'s' if r.gpus_total[i] != 1 else ''}"
        )
    return opts.label[i] + (" via batch API" if r.batch[i] else "")


def _num(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def option_json(opts: OptionSet, r, i: int, scenario=None, why_not: str = "") -> dict:
    """One option in the stable JSON shape shared by the CLI and reports (with ``scenario``: also what a
    GPU-hour is made of; ``why_not``: the words of its why-not reason, from present.reasons)."""
    return {
        "kind": str(opts.kind[i]),
        "kind_name": KIND_NAMES[str(opts.kind[i])],
        "id": opts.entry_id[i],
        "label": opts.label[i],
        "description": describe_option(opts, r, i),
        "hardware": opts.hardware_id[i],
        "gpus_per_replica": int(opts.gpus_per_replica[i]),
        "replicas": int(r.replicas[i]),
        "gpus_total": int(r.gpus_total[i]),
        "precision": opts.precision[i] or None,
        "reasoning_tokens": _num(r.reasoning_tokens[i]) if r.reasoning_tokens is not None else None,  # per sample
        "samples": int(r.samples[i]) if r.samples is not None else None,
        "effort": (r.effort[i] or None) if r.effort else None,  # the named effort level, or null
        "accuracy_pct": _num(r.accuracy_pct[i]),
        "accuracy_low_pct": _num(r.low_pct[i]),
        "accuracy_high_pct": _num(r.high_pct[i]),
        "accuracy_extrapolated": bool(r.extrapolated[i]),
        "accuracy_basis": r.accuracy_basis[i] if r.accuracy_basis else None,
        "monthly_cost_usd": _num(r.monthly_usd[i]),
        "cost_per_request_usd": _num(r.cost_per_request_usd[i]),
        "cost_per_1k_requests_usd": _num(r.cost_per_request_usd[i] * 1000),
        "latency_s": _num(r.latency_s[i]),
        "ttft_s": _num(r.ttft_s[i]),
        "output_tokens_per_s_per_user": _num(r.tokens_per_s_per_user[i]),
        "utilization": _num(r.utilization[i]) if opts.kind[i] == "gpu" else None,
        "batch": bool(r.batch[i]),
        "calibrated_by_user": bool(r.calibrated_by_user[i]) if r.calibrated_by_user is not None else False,
        "meets_targets": bool(r.eligible[i]),
        "why_not": why_not or None,
        "confidence": opts.confidence[i],
        "source": opts.source[i],
        "as_of": opts.as_of[i],
        "price_basis": (
            "owned: see usd_per_gpu_hour_items"
            if scenario is not None and opts.kind[i] == "gpu" and scenario.ownership == "own"
            else (opts.price_note[i] or None)
            if opts.price_note
            else None
        ),
        "tier": (opts.tier[i] or None) if opts.tier else None,
        "usd_per_gpu_hour_items": (
            None
            if scenario is None or opts.kind[i] != "gpu"
            else {name: _num(v) for name, v in cost_items(opts, i, scenario)}
        ),
    }


def cost_lines(opts: OptionSet, i: int, scenario) -> list[str]:
    """The price behind an option as short lines (card tooltip, PDF): the rent and its provider, or the owned
    GPU-hour item by item."""
    if opts.kind[i] != "gpu":
        return [opts.price_note[i]] if opts.price_note and opts.price_note[i] else []
    items = cost_items(opts, i, scenario)
    if scenario.ownership == "rent":
        return [f"Rent per GPU-hour: {items[0][0][len('rent: ') :]}"]
    total = sum(v for _, v in items)
    return [f"Owned GPU-hour {money(total)}:"] + [f"  {name}: {money(v)}" for name, v in items]


def nan_to_none(values: np.ndarray) -> list:
    return [None if not math.isfinite(float(v)) else float(v) for v in np.ravel(values)]


def money_tick(usd: float) -> str:
    """Compact axis label: $0.001, $0.5, $10, $1k, $2M (no trailing cents on round values)."""
    if usd is None or not math.isfinite(usd):
        return ""
    if abs(usd) >= 1:
        return "$" + count(usd)
    return f"${usd:g}"


def saving(chosen_usd: float, alternative_usd: float) -> str:
    """'saves $7.3k/month (70%)' or 'costs $1.2k/month more': the chosen option against an alternative."""
    if not (math.isfinite(chosen_usd) and math.isfinite(alternative_usd)):
        return "n/a"
    diff = alternative_usd - chosen_usd
    if abs(diff) < 0.005:
        return "costs the same"
    if diff > 0:
        share = f" ({diff / alternative_usd:.0%})" if alternative_usd > 0 else ""
        return f"saves {money(diff)}/month{share}"
    return f"costs {money(-diff)}/month more"
