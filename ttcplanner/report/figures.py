"""The report's three plots, built from a Plan as fixed-size print charts.

Which options appear, their colours and their names come from ``ttcplanner.present`` (``highlight``,
``palette``, ``names``), as in the window: the recommendation and the best option of each other
deployment kind, the same rows as the key-figures table, so figures and table agree.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
from PySide6.QtGui import QImage

from ttcplanner.model.format import count, money_tick, requests
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.present import palette
from ttcplanner.present.highlight import highlighted
from ttcplanner.present.labels import aggregation_name
from ttcplanner.present.names import display_name
from ttcplanner.report.chart import Axis, Chart, RefLine, Series

MAX_ACCURACY_MODELS = 6
FIGURE_WIDTH_MM = 170.0
FIGURE_HEIGHT_MM = 92.0
KIND_STYLE = {k: (palette.KIND_COLORS[k], palette.KIND_DASHES[k], palette.KIND_MARKERS[k]) for k in KINDS}


def shown_options(plan) -> list[tuple[str, int]]:
    """(role title, option index): ``present.highlight``'s choice (the window draws the same options)."""
    return [(h.title, h.index) for h in highlighted(plan)]


def accuracy_models(plan) -> list:
    """Curves to draw: those behind the shown options first, then ones with published points, capped."""
    wanted = [plan.options.accuracy_id[i] for _, i in shown_options(plan)]
    by_id = {v.accuracy_id: v for v in plan.accuracy_curves}
    order = [a for a in dict.fromkeys(wanted) if a in by_id]
    rest = sorted((v for v in plan.accuracy_curves if v.accuracy_id not in order),
                  key=lambda v: (-len(v.points), -float(np.nanmax(v.mean_pct)) if np.isfinite(v.mean_pct).any() else 0))
    order += [v.accuracy_id for v in rest]
    return [by_id[a] for a in order[:MAX_ACCURACY_MODELS]]


def _pct_axis(label: str, lo: float = 0, hi: float = 100) -> Axis:
    return Axis(label, lo=lo, hi=hi, fmt=lambda v: f"{v:g}%")


def accuracy_chart(plan, font_family: str, names: Mapping[str, str] | None = None) -> Chart:
    """A curve per model: those behind a highlighted option in its colour and named with its role (as in the
    window's legend), the others as context in the leftover colours; ``names``: display name per id."""
    s = plan.scenario
    series = []
    roles = {}
    for h in highlighted(plan):
        roles.setdefault(plan.options.accuracy_id[h.index], h)
    context = 0
    for k, view in enumerate(accuracy_models(plan)):
        band = view.accuracy_id in roles or not roles  # context models get no band: stacked bands turn grey
        dash, marker = palette.DASHES[k % len(palette.DASHES)], palette.MARKERS[k % len(palette.MARKERS)]
        label = display_name(names, view.accuracy_id)
        h = roles.get(view.accuracy_id)
        if h is not None:
            color, label = h.color, f"{label} ({h.label})"
        else:
            color = palette.CONTEXT_COLORS[context % len(palette.CONTEXT_COLORS)]
            context += 1
        x = np.asarray(view.tokens, dtype=float)
        keep = x > 0
        series.append(Series(x[keep], np.asarray(view.mean_pct)[keep], label=label, color=color, dash=dash,
                             width_pt=1.3, band_low=np.asarray(view.low_pct)[keep] if band else None,
                             band_high=np.asarray(view.high_pct)[keep] if band else None,
                             band_alpha=0.10, marker=marker, marker_every=0, marker_size_pt=5.0))
        pts = [pt for pt in view.points if pt.reasoning_tokens > 0]
        if pts:
            series.append(Series([pt.reasoning_tokens for pt in pts], [pt.accuracy_pct for pt in pts],
                                 color=color, marker=marker, line=False, marker_size_pt=5.0, in_legend=False))
    refs = [RefLine(s.target_accuracy_pct, vertical=False, label=f"target {s.target_accuracy_pct:g}%", dash="dash"),
            RefLine(max(s.reasoning_tokens, 10.0), label=f"scenario: {count(s.reasoning_tokens)} tokens", dash="dot")]
    return Chart(FIGURE_WIDTH_MM, FIGURE_HEIGHT_MM,
                 Axis("Reasoning tokens per sample", log=True, lo=10, hi=1e6, fmt=count),
                 _pct_axis(f"Accuracy ({s.samples} samples, {aggregation_name(s.aggregation).lower()})"
                           if s.samples > 1 else "Accuracy (1 sample)"),
                 series, refs, font_family=font_family, legend_columns=2)


def cost_chart(plan, font_family: str) -> Chart:
    s, r, o = plan.scenario, plan.results, plan.options
    shown = {i: role for role, i in shown_options(plan)}
    series = []
    grey_first = True
    for curve in plan.cost_curves:
        if curve.option in shown:
            continue
        series.append(Series(curve.accuracy_pct, curve.cost_per_request_usd, label="other options" if grey_first else "",
                             color=palette.OTHER_COLOR, width_pt=0.6))
        grey_first = False
    fa, fc, _ = plan.frontier
    if len(fa):
        order = np.argsort(fc)
        series.append(Series(np.asarray(fa)[order], np.asarray(fc)[order], label="Pareto frontier (cheapest for its accuracy)",
                             color=palette.FRONTIER_COLOR, width_pt=2.2, dash="solid"))
    curves = {c.option: c for c in plan.cost_curves}
    for h in highlighted(plan):
        i = h.index
        color, dash, marker = KIND_STYLE[h.kind]  # by kind here, as in the window's cost plot; the star marks the role
        if i in curves:
            series.append(Series(curves[i].accuracy_pct, curves[i].cost_per_request_usd,
                                 label=f"{o.label[i]} ({h.label})", color=color, dash=dash, width_pt=1.3))
        series.append(Series([r.accuracy_pct[i]], [r.cost_per_request_usd[i]], color=color, marker=marker, line=False,
                             marker_size_pt=5.5, in_legend=False))
    rec = plan.recommended
    if rec is not None:
        series.append(Series([r.accuracy_pct[rec]], [r.cost_per_request_usd[rec]], label="recommended (operating point)",
                             color=palette.ROLE_COLORS["recommended"], marker="star", line=False, marker_size_pt=9.0,
                             filled=True))
    anchor = min([s.target_accuracy_pct] + [float(r.accuracy_pct[i]) for i in shown if np.isfinite(r.accuracy_pct[i])])
    xlo = max(0.0, 10 * math.floor((anchor - 30) / 10))  # the region that matters: near the target
    xs = np.concatenate([np.asarray(x.x, dtype=float) for x in series] or [np.zeros(0)])
    ys = np.concatenate([np.asarray(x.y, dtype=float) for x in series] or [np.zeros(0)])
    ys = ys[np.isfinite(ys) & (ys > 0) & (xs >= xlo)]
    lo = 10 ** math.floor(math.log10(ys.min())) if len(ys) else 1e-4
    hi = 10 ** math.ceil(math.log10(ys.max())) if len(ys) else 1.0
    refs = [RefLine(s.target_accuracy_pct, label=f"target {s.target_accuracy_pct:g}%", dash="dash")]
    return Chart(FIGURE_WIDTH_MM, FIGURE_HEIGHT_MM, _pct_axis("Accuracy", lo=xlo, hi=100),
                 Axis("Cost per request", log=True, lo=lo, hi=max(hi, lo * 10), fmt=money_tick),
                 series, refs, font_family=font_family, legend_columns=2)


def volume_range(plan) -> tuple[float, float]:
    """Three decades either side of the scenario's volume, widened to show every break-even."""
    v = plan.scenario.requests_per_day
    points = [v / 1000, v * 1000] + [b.requests_per_day for b in plan.break_evens]
    grid = plan.volume_grid
    lo = max(float(grid[0]), 10 ** math.floor(math.log10(min(points))))
    hi = min(float(grid[-1]), 10 ** math.ceil(math.log10(max(points))))
    return lo, hi


def volume_chart(plan, font_family: str) -> Chart:
    s = plan.scenario
    lo, hi = volume_range(plan)
    grid = np.asarray(plan.volume_grid, dtype=float)
    inside = (grid >= lo * 0.999) & (grid <= hi * 1.001)
    series = []
    for k in KINDS:
        y = np.asarray(plan.volume_monthly_usd[k], dtype=float)
        if not np.isfinite(y[inside]).any():
            continue
        color, dash, marker = KIND_STYLE[k]
        best = plan.best_per_kind.get(k)
        label = KIND_NAMES[k] + (f" (at this volume: {plan.options.label[best]})" if best is not None else "")
        series.append(Series(grid[inside], y[inside], label=label, color=color, dash=dash, width_pt=1.5,
                             marker=marker, marker_every=12))
        at = float(np.interp(math.log(s.requests_per_day), np.log(grid), np.where(np.isfinite(y), y, np.nan)))
        if best is not None:
            at = float(plan.results.monthly_usd[best])
        series.append(Series([s.requests_per_day], [at], color=color, marker=marker, line=False, marker_size_pt=6.5,
                             in_legend=False))
    rec = plan.recommended
    if not series and rec is not None and np.isfinite(plan.results.monthly_usd[rec]):
        # No kind has a curve (no option meets every target): show where the closest option stands, not an
        # empty frame.
        series.append(Series([s.requests_per_day], [float(plan.results.monthly_usd[rec])],
                             color=palette.ROLE_COLORS["recommended"],
                             marker="star", line=False, marker_size_pt=9.0,
                             label=f"no option meets every target; closest: {plan.options.label[rec]}"))
    refs = [RefLine(s.requests_per_day, label=f"this scenario: {requests(s.requests_per_day)}/day", dash="solid",
                    color="#000000", width_pt=0.8)]
    for b in plan.break_evens:
        if lo <= b.requests_per_day <= hi:
            refs.append(RefLine(b.requests_per_day, label=f"break-even {count(b.requests_per_day)}/day", dash="dot",
                                color="#333333", width_pt=1.0))
    ys = np.concatenate([np.asarray(x.y, dtype=float) for x in series] or [np.zeros(0)])
    ys = ys[np.isfinite(ys) & (ys > 0)]
    if len(ys) == 1:  # the closest option alone: half a decade either side, not on the frame
        ys = np.array([ys[0] * 0.3, ys[0] * 3.0])
    ylo = 10 ** math.floor(math.log10(ys.min())) if len(ys) else 1.0
    yhi = 10 ** math.ceil(math.log10(ys.max())) if len(ys) else 10.0
    return Chart(FIGURE_WIDTH_MM, FIGURE_HEIGHT_MM, Axis("Requests per day", log=True, lo=lo, hi=hi, fmt=count),
                 Axis("Monthly cost", log=True, lo=ylo, hi=max(yhi, ylo * 10), fmt=money_tick),
                 series, refs, font_family=font_family, legend_columns=1)


def plan_figures(plan, font_family: str, dpi: int = 300, names: Mapping[str, str] | None = None) -> dict[str, QImage]:
    """name -> rendered image, in report order; ``names``: display name per accuracy id."""
    return {"accuracy": accuracy_chart(plan, font_family, names).render(dpi),
            "cost": cost_chart(plan, font_family).render(dpi),
            "volume": volume_chart(plan, font_family).render(dpi)}
