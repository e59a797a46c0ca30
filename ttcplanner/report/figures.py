"""The report's three plots: the figure specs of ``ttcplanner.present.figures`` drawn as fixed-size print charts.

What is drawn, its colours, names, markers, marker lines, notices and legend come from the specs, as in the
window (the same options highlighted, the same top models, the same words); this module only maps a spec onto
``report.chart`` and picks the print view's ranges.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
from PySide6.QtGui import QImage

from ttcplanner.model.options import KINDS
from ttcplanner.present import palette
from ttcplanner.present.figures import Figure, accuracy_figure, cost_figure, drawn_models, volume_figure
from ttcplanner.present.highlight import highlighted
from ttcplanner.report.chart import Axis, Chart, LegendKey, RefLine, Series

FIGURE_WIDTH_MM = 170.0
FIGURE_HEIGHT_MM = 92.0
KIND_STYLE = {k: (palette.KIND_COLORS[k], palette.KIND_DASHES[k], palette.KIND_MARKERS[k]) for k in KINDS}
MARKER_EVERY = 12  # a kind's marker on every 12th point of its volume curve (black-and-white copies)


def shown_options(plan) -> list[tuple[str, int]]:
    """(role title, option index): ``present.highlight``'s choice (the window draws the same options)."""
    return [(h.title, h.index) for h in highlighted(plan)]


def accuracy_models(plan) -> list:
    """The accuracy curves the figure draws: the highlighted options' models, then the top few others."""
    roles, context, _ = drawn_models(plan)
    return [c for c, _ in roles] + list(context)


def chart_of(fig: Figure, font_family: str, x_range: tuple | None = None, legend_columns: int = 2) -> Chart:
    """``fig`` as a print chart; ``x_range`` overrides the x axis's span (the cost figure's region of interest)."""
    series = []
    for s in fig.series:
        band = s.band is not None
        marker_every = MARKER_EVERY if s.role == "kind" and s.marker else 0
        series.append(
            Series(
                s.xy[0],
                s.xy[1],
                label=s.label + s.suffix,
                color=s.color,
                dash=s.dash,
                width_pt=s.width_pt * 0.6,
                marker=s.marker if marker_every else None,
                marker_every=marker_every,
                band_low=s.band[0] if band else None,
                band_high=s.band[1] if band else None,
                band_alpha=0.10,
                in_legend=False,
            )
        )
    for d in fig.dots:
        series.append(
            Series(d.xy[0], d.xy[1], color=d.color, marker=d.symbol, line=False, marker_size_pt=4.0, in_legend=False)
        )
    for m in fig.marks:
        series.append(
            Series(
                [m.x],
                [m.y],
                color=m.color if not m.hollow else palette.FRONTIER_COLOR,
                marker=m.symbol,
                line=False,
                filled=not m.hollow,
                marker_size_pt=m.size_pt * 0.7,
                in_legend=False,
            )
        )
    refs = [
        RefLine(
            line.value,
            vertical=line.vertical,
            label=line.label,
            dash=line.dash,
            color=line.color,
            width_pt=0.9,
            along=line.along,
        )
        for line in fig.lines
    ]
    legend = [
        LegendKey(
            k.label + k.suffix,
            k.color,
            k.dash,
            k.width_pt * 0.6,
            k.symbol or k.marker,
            not k.hollow,
            k.band,
            line=k.symbol is None,
            marker_size_pt=4.5 if k.symbol != "star" else 7.0,
        )
        for k in fig.legend
    ]
    x_lo, x_hi = x_range or fig.x.span or (None, None)
    y_lo, y_hi = fig.y.span or (None, None)
    return Chart(
        FIGURE_WIDTH_MM,
        FIGURE_HEIGHT_MM,
        Axis(fig.x.title, log=fig.x.log, lo=x_lo, hi=x_hi, fmt=fig.x.tick, note=fig.x.note),
        Axis(fig.y.title, log=fig.y.log, lo=y_lo, hi=y_hi, fmt=fig.y.tick, note=fig.y.note),
        series,
        refs,
        font_family=font_family,
        legend_columns=legend_columns,
        legend=legend,
        notices=list(fig.notices),
    )


def accuracy_chart(plan, font_family: str, names: Mapping[str, str] | None = None) -> Chart:
    return chart_of(accuracy_figure(plan, names), font_family)


def cost_chart(plan, font_family: str) -> Chart:
    """The cost figure from 30 points below the target or the highlighted options' accuracy (the region that
    matters) to 100 %; the cost axis spans the decades of what is drawn there."""
    fig = cost_figure(plan)
    r = plan.results
    shown = [i for _, i in shown_options(plan)]
    anchor = min(
        [plan.scenario.target_accuracy_pct]
        + [float(r.accuracy_pct[i]) for i in shown if np.isfinite(r.accuracy_pct[i])]
    )
    xlo = max(0.0, 10 * math.floor((anchor - 30) / 10))
    chart = chart_of(fig, font_family, x_range=(xlo, 100.0))
    xs = np.concatenate([np.asarray(s.x, float) for s in chart.series] or [np.zeros(0)])
    ys = np.concatenate([np.asarray(s.y, float) for s in chart.series] or [np.zeros(0)])
    ys = ys[np.isfinite(ys) & (ys > 0) & (xs >= xlo)]
    lo = 10 ** math.floor(math.log10(ys.min())) if len(ys) else 1e-4
    hi = 10 ** math.ceil(math.log10(ys.max())) if len(ys) else 1.0
    chart.y.lo, chart.y.hi = lo, max(hi, lo * 10)
    return chart


def volume_chart(plan, font_family: str) -> Chart:
    fig = volume_figure(plan)
    chart = chart_of(fig, font_family, legend_columns=3)
    ys = np.asarray(fig.fit[1], float)
    ys = ys[np.isfinite(ys) & (ys > 0)]
    if len(ys):
        chart.y.lo = 10 ** math.floor(math.log10(ys.min()))
        chart.y.hi = max(10 ** math.ceil(math.log10(ys.max())), chart.y.lo * 10)
    return chart


def plan_figures(plan, font_family: str, dpi: int = 300, names: Mapping[str, str] | None = None) -> dict[str, QImage]:
    """name -> rendered image, in report order; ``names``: display name per accuracy id."""
    return {
        "accuracy": accuracy_chart(plan, font_family, names).render(dpi),
        "cost": cost_chart(plan, font_family).render(dpi),
        "volume": volume_chart(plan, font_family).render(dpi),
    }
