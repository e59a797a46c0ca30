"""Why the plan says what it says, as data (``Reason``: a code and its figures): the reasons for the
recommendation, why a kind has no eligible option, and the warnings. ``present/reasons.py`` words them."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ttcplanner.model.catalog import Catalog
from ttcplanner.model.option_index import accuracy_coverage, option_index
from ttcplanner.model.options import KINDS, OptionSet
from ttcplanner.model.plan import STALE_PRICE_DAYS, BreakEven, OptionResults, Reason


def alternatives(task, opts: OptionSet, r: OptionResults, best: dict) -> dict[str, Reason]:
    """Why each kind without an eligible option has none (the first test it fails)."""
    out = {}
    of_kind = option_index(opts).of_kind
    user_eval = getattr(task, "basis", "published") == "user_eval"
    for k in KINDS:
        if best[k] is not None:
            continue
        rows = of_kind[k]
        if not rows.any():
            out[k] = Reason("none_in_catalog", k)
        elif not (r.allowed & rows).any():
            out[k] = Reason("on_premises_only", k)
        elif not (r.has_accuracy & rows).any():
            out[k] = Reason("no_accuracy", k, figures={"task": task.name, "user_eval": user_eval})
        elif not (r.meets_accuracy & r.has_accuracy & rows).any():
            top = np.nanmax(np.where(rows & r.has_accuracy, r.accuracy_pct, np.nan))
            out[k] = Reason("below_target", k, figures={"best_pct": float(top)})
        elif not (r.meets_accuracy & r.meets_latency & rows).any():
            out[k] = Reason("misses_latency", k)
        else:
            out[k] = Reason("no_fit_or_price", k)
    return out


def reasons(
    s, task, opts: OptionSet, r: OptionResults, rec, best: dict, status: str, breaks: tuple[BreakEven, ...]
) -> tuple[Reason, ...]:
    """Why the recommendation: how it was chosen, the best of each other kind, the GPU fleet's load, the nearest
    break-even, and where an imported task's accuracy comes from. None without a recommendation (the nearest
    misses say what to relax)."""
    if rec is None:
        return ()
    kind = str(opts.kind[rec])
    out = []
    if status == "target_missed":
        out.append(
            Reason("most_accurate_instead", kind, rec, {"accuracy_pct": float(r.accuracy_pct[rec]), "task": task.name})
        )
    else:
        out.append(
            Reason(
                "cheapest_of",
                kind,
                rec,
                {"eligible": int(r.eligible.sum()), "task": task.name, "monthly_usd": float(r.monthly_usd[rec])},
            )
        )
    for k in KINDS:
        if k == kind:
            continue
        b = best[k]
        if b is None:
            out.append(Reason("kind_none", k))
        else:
            out.append(
                Reason(
                    "kind_best",
                    k,
                    b,
                    {
                        "monthly_usd": float(r.monthly_usd[b]),
                        "saving_usd": float(r.monthly_usd[b] - r.monthly_usd[rec]),
                    },
                )
            )
    if kind == "gpu" and np.isfinite(r.utilization[rec]):
        out.append(Reason("gpu_utilisation", kind, rec, {"utilisation": float(r.utilization[rec])}))
    near = sorted(breaks, key=lambda b: abs(np.log(b.requests_per_day / s.requests_per_day)))
    if near:
        b = near[0]
        out.append(
            Reason("break_even", figures={"requests_per_day": b.requests_per_day, "below": b.below, "above": b.above})
        )
    if getattr(task, "basis", "published") == "user_eval":
        out.append(
            Reason(
                "accuracy_source", figures={"task": task.name, "record": task.eval_import or {}, "as_of": task.as_of}
            )
        )
    return tuple(out)


def warnings(
    s, task, opts: OptionSet, r: OptionResults, rec, best: dict, today: dt.date | None = None
) -> tuple[Reason, ...]:
    out = []
    today = today or dt.date.today()
    shown = [rec] if rec is not None else []
    stale = sorted(
        {opts.as_of[i] for i in shown if (today - dt.date.fromisoformat(opts.as_of[i])).days > STALE_PRICE_DAYS}
    )
    if stale:
        out.append(
            Reason(
                "stale_prices",
                figures={
                    "as_of": stale[0],
                    "limit_days": STALE_PRICE_DAYS,
                    "age_days": (today - dt.date.fromisoformat(stale[0])).days,
                },
            )
        )
    out.extend(_coverage(task, opts, r, rec, best))
    if rec is not None:
        if r.extrapolated[rec]:
            out.append(Reason("extrapolated", option=rec))
        if opts.confidence[rec].lower().startswith("low"):
            out.append(Reason("low_confidence", option=rec))
        if opts.speed_is_estimate[rec]:
            out.append(Reason("speed_estimate", option=rec))
        if opts.kind[rec] == "gpu" and s.ownership == "rent" and opts.price_caveat and opts.price_caveat[rec]:
            out.append(Reason("price_caveat", option=rec, figures={"caveat": opts.price_caveat[rec]}))
        if opts.kind[rec] == "gpu" and s.on_prem_only and s.ownership == "rent":
            out.append(Reason("on_premises_rented", option=rec))
    return tuple(out)


def _coverage(task, opts: OptionSet, r: OptionResults, rec, best: dict) -> list[Reason]:
    """The count of each kind's offers with published / estimated / no accuracy, when it matters: a kind has
    no eligible option (is that "no data" rather than "too weak"?) or a shown option rests on an estimate."""
    if not r.accuracy_basis:
        return []
    coverage = accuracy_coverage(task, opts)
    shown = [i for i in (rec, *best.values()) if i is not None]
    estimated = [i for i in shown if r.accuracy_basis[i] == "estimated_from_other_tasks"]
    missing = [k for k, v in coverage.items() if best.get(k, 0) is None and v["published"] < sum(v.values())]
    if not estimated and not missing:
        return []
    return [
        Reason(
            "accuracy_coverage",
            option=rec,
            figures={
                "coverage": coverage,
                "recommendation_estimated": rec is not None and r.accuracy_basis[rec] == "estimated_from_other_tasks",
            },
        )
    ]


def provenance(catalog: Catalog, task) -> tuple[tuple[str, str, str], ...]:
    rows = [(f"Task profile: {task.name}", task.source, task.as_of)]
    rows += [(f"Serving efficiency factors: {f.name}", f.source, f.as_of) for f in catalog.serving_factors.values()]
    return tuple(rows)
