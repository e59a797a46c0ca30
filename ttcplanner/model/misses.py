"""When no option meets every target: per target that blocks, the option that comes closest and its figure.

A target "blocks" when the options that meet every other target (and fit in memory, have a price and an
accuracy on the task) all miss it; the closest of those is the nearest miss, and relaxing that target alone to
its figure makes that option feasible (``others_met``). When no target blocks alone (two or more must move),
each target's nearest miss is taken over every option that fits and has a price and an accuracy, with
``others_met`` False. Options are read at the budgets the plan prices them at (auto mode: an option that
reaches the accuracy target only where it misses latency is priced at its fastest such budget).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# target -> unit of ``needed`` and ``best_value``; the order is the order the plan lists them in
UNITS = {"accuracy": "%", "latency": "s", "ttft": "s", "on_premises": "USD/month"}
_TOL = 1 + 1e-9


@dataclass(frozen=True)
class NearestMiss:
    target: str  # a key of UNITS
    needed: float | None  # the target (percent, seconds); None for the on-premises rule
    best_value: float  # the closest figure any option reaches (on_premises: that off-premises option's monthly $)
    option: int  # the option reaching it
    unit: str
    others_met: bool  # that option meets every other target: relaxing this one alone makes it feasible


def nearest_misses(s, opts, r) -> tuple[NearestMiss, ...]:
    """The nearest miss per blocking target (empty when some option meets every target)."""
    if r.eligible.any():
        return ()
    basic = r.has_accuracy & r.fits & np.isfinite(r.monthly_usd)
    meets = {
        "accuracy": r.meets_accuracy,
        "latency": np.isfinite(r.latency_s) & (r.latency_s <= s.latency_target_s * _TOL),
        "ttft": ~(r.ttft_s > s.ttft_target_s * _TOL),
        "on_premises": r.allowed,
    }
    if not s.on_prem_only:
        del meets["on_premises"]
    alone = [_closest(s, r, t, basic & _all_but(meets, t), True) for t in meets]
    found = tuple(m for m in alone if m is not None and not meets[m.target][m.option])
    if found:
        return found
    apart = (_closest(s, r, t, basic, False) for t in meets)
    return tuple(m for m in apart if m is not None and not meets[m.target][m.option])


def _all_but(meets: dict, target: str) -> np.ndarray:
    out = np.ones_like(meets[target], dtype=bool)
    for t, m in meets.items():
        if t != target:
            out &= m
    return out


def _closest(s, r, target: str, rows: np.ndarray, others_met: bool) -> NearestMiss | None:
    """The best of ``rows`` on ``target`` (ties: the cheaper), or None when there is none."""
    if not rows.any():
        return None
    if target == "accuracy":
        value, needed, best = r.accuracy_pct, s.target_accuracy_pct, np.nanmax
    elif target == "latency":
        value, needed, best = r.latency_s, s.latency_target_s, np.nanmin
    elif target == "ttft":
        value, needed, best = r.ttft_s, s.ttft_target_s, np.nanmin
    else:
        value, needed, best = r.monthly_usd, None, np.nanmin
    top = best(np.where(rows, value, np.nan))
    tied = np.flatnonzero(rows & (value == top))
    i = int(tied[np.argmin(r.monthly_usd[tied])])
    return NearestMiss(target, None if needed is None else float(needed), float(top), i, UNITS[target], others_met)
