"""The three live plots of a Plan. Items are created once; ``show_plan`` only calls setData.

A task can have 20-40 candidate models: the recommended option and the best of each kind are drawn in
colour with their bands and legend entries, every other model is one thin grey curve (all of them in a
single NaN-separated item, so a redraw is a handful of setData calls however many models there are).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from ttcplanner.gui import style
from ttcplanner.gui.plot_base import HoverTarget, PlanPlot, Points
from ttcplanner.model.budget import describe
from ttcplanner.model.format import count, money, money_tick, pct, requests, tokens
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.model.planner import Plan

NOTICE_GAP_PX = 14  # between the volume plot's no-curve notice and the marker below it
PROMINENT_SLOTS = 4  # recommended, best of the two other kinds, the row selected in the table
SHORT_KIND = {"api": "API", "gpu": "GPU", "asic": "ASIC"}  # roles in a narrow legend: "best GPU"


def _join(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate curves with a NaN gap between them; also return each point's curve index."""
    if not rows:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=int)
    xs, ys, which = [], [], []
    for j, (x, y) in enumerate(rows):
        xs += [np.asarray(x, float), [np.nan]]
        ys += [np.asarray(y, float), [np.nan]]
        which += [np.full(len(x) + 1, j)]
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(which)




def prominent_options(plan: Plan, selected: int | None) -> list[tuple[int, str]]:
    """(option index, role) of what is drawn in colour: ``present.highlight`` decides, for the PDF too."""
    from ttcplanner.present.highlight import highlighted

    return [(h.index, h.label) for h in highlighted(plan, selected, PROMINENT_SLOTS)]


def _role_color(plan: Plan, i: int, role: str):
    if role == "recommended":
        return style.RECOMMENDED_COLOR
    if role == "selected":
        return style.SELECTED_COLOR
    return style.KIND_COLORS[str(plan.options.kind[i])]


class AccuracyPlot(PlanPlot):
    """Accuracy vs reasoning tokens per sample (log x), a curve per candidate model."""

    def __init__(self, model_names: dict[str, str]):
        super().__init__("accuracyPlot", "Accuracy vs test-time compute", "Reasoning tokens per sample",
                         "Accuracy (%)", count, lambda v: f"{v:.0f}%", log_x=True, log_y=False,
                         legend_corner="bottom-right")
        self._names = model_names
        self.others = self.curve(style.OTHER_COLOR, 1.0, z=1)
        self._points_key = None
        self.slots = []
        for k in range(PROMINENT_SLOTS):
            self.slots.append((self.curve(style.RECOMMENDED_COLOR, 2.4, z=10 - k), self.band(z=3)))
        # Published points: every model's in grey (they change only with the task), and the highlighted
        # models' again in their colours on top (a new recommendation restyles a few points, not all).
        self.points = Points(size=6, pen=pg.mkPen(120, 120, 120, 120, width=0.6),
                                         brush=pg.mkBrush(185, 185, 185, 110), hoverable=True, hoverSize=11,
                                         tip=self._point_tip)
        self.highlighted_points = Points(size=8, pen=pg.mkPen("#222", width=0.8), hoverable=True,
                                                     hoverSize=11, tip=self._point_tip)
        for z, item in ((20, self.points), (21, self.highlighted_points)):
            item.setZValue(z)
            item.setCacheMode(item.CacheMode.DeviceCoordinateCache)
            self.getPlotItem().addItem(item)
        self._highlight_key = None
        self.operating = self.marker("star", 15, style.RECOMMENDED_COLOR)
        # each other kind's best option at the budget it is bought at (the recommendation's is the star)
        self.kind_budgets = {k: self.marker("d", 11, style.KIND_COLORS[k], z=29) for k in KINDS}
        self.budget_line = self.line(90, style.CURRENT_COLOR, label_pos=0.55)
        self.target_line = self.line(0, style.TARGET_COLOR, label_pos=0.1)
        self.others_legend = pg.PlotDataItem([], [], pen=pg.mkPen(style.OTHER_COLOR, width=1.5))
        self.fix_axis(y=(0.0, 100.0))
        self.getPlotItem().getViewBox().setLimits(yMin=-5, yMax=105)

    @staticmethod
    def _point_tip(x, y, data):
        return data or ""

    def name_of(self, acc_id: str) -> str:
        return self._names.get(acc_id, acc_id)

    def set_model_names(self, names: dict[str, str]) -> None:
        """Display names after a catalog reload; the next plan draws with them."""
        self._names = names

    def show_plan(self, plan: Plan, selected: int | None = None) -> None:
        s, opts = plan.scenario, plan.options
        curves = {c.accuracy_id: c for c in plan.accuracy_curves}
        shown = []
        for i, role in prominent_options(plan, selected):
            acc = opts.accuracy_id[i]
            if acc in curves and all(acc != a for a, _, _ in shown):
                shown.append((acc, i, role))
        shown_ids = {a for a, _, _ in shown}
        rest = [c for c in plan.accuracy_curves if c.accuracy_id not in shown_ids]
        x, y, which = _join([(c.tokens, c.mean_pct) for c in rest])
        self.set_curve(self.others, x, y)  # unchanged by budget or volume moves: skipped then
        legend = []
        targets = []
        for slot, entry in zip(self.slots, shown + [None] * PROMINENT_SLOTS):
            mean, band = slot
            if entry is None:
                for item in slot:
                    item.setVisible(False)
                continue
            acc, i, role = entry
            c = curves[acc]
            color = _role_color(plan, i, role)
            if getattr(mean, "_shown_style", None) != (color, role):  # a new pen repaints: only when it changes
                mean._shown_style = (color, role)
                mean.setPen(pg.mkPen(color, width=2.6 if role == "recommended" else 2.0))
                band.setBrush(pg.mkBrush(pg.mkColor(color).red(), pg.mkColor(color).green(), pg.mkColor(color).blue(), 38))
            self.set_curve(mean, c.tokens, c.mean_pct)
            self.set_band(band, c.tokens, c.low_pct, c.high_pct)
            for item in slot:
                item.setVisible(True)
            name = f"{self.name_of(acc)} ({role})"
            legend.append((mean, self.name_of(acc), f" ({role})"))
            targets.append(HoverTarget(c.tokens, c.mean_pct, lambda k, c=c, name=name: (
                f"{name}\n{tokens(c.tokens[k])}/sample: {pct(c.mean_pct[k])}\n"
                f"band {pct(c.low_pct[k])} to {pct(c.high_pct[k])}{' (extrapolated)' if c.extrapolated[k] else ''}")))
        if rest:
            legend.append((self.others_legend, f"{len(rest)} other model{'s' if len(rest) != 1 else ''}"))
            targets.append(HoverTarget(x, y, lambda k, rest=rest, which=which, x=x, y=y: (
                f"{self.name_of(rest[which[k]].accuracy_id)}\n{tokens(x[k])}/sample: {pct(y[k])}")))
        self.set_legend(legend)
        self._show_points(plan, shown)
        r, rec = plan.results, plan.recommended
        chosen = [(i, "recommended")] if (i := rec) is not None else []
        chosen += [(i, f"best {SHORT_KIND[k]}") for k, i in plan.best_per_kind.items() if i is not None and i != rec]
        for k, marker in self.kind_budgets.items():
            i = plan.best_per_kind.get(k)
            if i is None or i == rec or r.reasoning_tokens[i] <= 0:
                marker.place()
            else:
                marker.place(*self.to_view(r.reasoning_tokens[i], r.accuracy_pct[i]))
        if chosen:  # the budget each highlighted option is bought at (its samples may differ from the curves')
            tx = np.array([max(r.reasoning_tokens[i], 1.0) for i, _ in chosen])
            ty = np.array([r.accuracy_pct[i] for i, _ in chosen])
            targets.insert(0, HoverTarget(tx, ty, lambda k, chosen=chosen: (
                f"{opts.label[chosen[k][0]]} ({chosen[k][1]})\nbought at "
                f"{describe(r.reasoning_tokens[chosen[k][0]], r.samples[chosen[k][0]], r.effort[chosen[k][0]], s.aggregation)}"
                f"\n{pct(r.accuracy_pct[chosen[k][0]])}")))
        self.set_hover_targets(targets)
        if rec is not None and r.reasoning_tokens[rec] > 0:
            self.operating.place(*self.to_view(r.reasoning_tokens[rec], r.accuracy_pct[rec]))
        else:
            self.operating.place()
        self.fit_view(x=np.concatenate([c.tokens for c in plan.accuracy_curves]
                                       + [[p.reasoning_tokens for c in plan.accuracy_curves for p in c.points]]
                                       + [[max(s.reasoning_tokens, 1.0)]]))
        bx, _ = self.to_view(max(s.reasoning_tokens, 1.0), 1)
        self.budget_line.place(bx, f"{'cap' if s.budget_mode == 'auto' else 'budget'} {count(s.reasoning_tokens)}")
        self.target_line.place(s.target_accuracy_pct, f"target {pct(s.target_accuracy_pct, 0)}")

    def _show_points(self, plan: Plan, shown) -> None:
        colors = {acc: _role_color(plan, i, role) for acc, i, role in shown}
        published = tuple((c.accuracy_id, tuple((p.reasoning_tokens, p.accuracy_pct) for p in c.points))
                          for c in plan.accuracy_curves)
        if published != self._points_key:  # a new task
            self._points_key, self._highlight_key = published, None
            self._set_points(self.points, plan.accuracy_curves)
        key = (published, tuple(sorted(colors.items())))
        if key != self._highlight_key:  # a new recommendation, best option or selection
            self._highlight_key = key
            self._set_points(self.highlighted_points, [c for c in plan.accuracy_curves if c.accuracy_id in colors],
                             colors)

    def _set_points(self, item: pg.ScatterPlotItem, curves, colors: dict | None = None) -> None:
        """The published points of ``curves`` (each with its source as tooltip), brushed per model if
        ``colors`` is given."""
        xs, ys, data, brushes = [], [], [], []
        for c in curves:
            for p in c.points:
                if p.reasoning_tokens <= 0:
                    continue
                xs.append(np.log10(p.reasoning_tokens))
                ys.append(p.accuracy_pct)
                if colors is not None:
                    brushes.append(pg.mkBrush(colors[c.accuracy_id]))
                derived = f"\ntokens: {p.tokens_derived}" if p.tokens_derived else ""
                data.append(f"{self.name_of(c.accuracy_id)}: {p.label}\n{pct(p.accuracy_pct)} at "
                            f"{tokens(p.reasoning_tokens)} (published){derived}\nsource: {p.source}")
        if colors is None:
            item.setData(x=xs, y=ys, data=data)
        else:
            item.setData(x=xs, y=ys, data=data, brush=brushes)


class CostAccuracyPlot(PlanPlot):
    """Cost per request vs accuracy as the reasoning budget grows; the Pareto frontier over all options."""

    def __init__(self):
        super().__init__("costAccuracyPlot", "Cost per request vs accuracy", "Accuracy (%)", "Cost per request ($)",
                         lambda v: f"{v:.0f}%", money_tick, log_x=False, log_y=True)
        self.kind_curves = {k: self.curve(style.on_plot(style.kind_color(k), 110), 1.0, z=2) for k in KINDS}
        self.best_curves = {k: self.curve(style.kind_color(k), 2.2, z=8) for k in KINDS}
        self.selected_curve = self.curve(style.SELECTED_COLOR, 3.0, z=9)
        self.frontier = self.curve("#111111", 2.0, z=10, style_=Qt.PenStyle.DashLine)
        self.frontier_dots: list = []  # one marker per frontier point (see _show_frontier_dots)
        self.extrapolated_dots: list = []  # hollow: points that reach their accuracy only by extrapolation
        self.recommended = self.marker("star", 16, style.RECOMMENDED_COLOR)
        self.target_line = self.line(90, style.TARGET_COLOR, label_pos=0.5)
        self.rec_legend = pg.ScatterPlotItem(symbol="star", size=12, pen=pg.mkPen("#111"), brush=style.RECOMMENDED_COLOR)
        self.set_legend([(self.best_curves[k], KIND_NAMES[k]) for k in KINDS] +
                        [(self.frontier, "Pareto frontier (○ extrapolated)"), (self.rec_legend, "recommended (its budget)")])

    def _show_frontier_dots(self, x_view, y_view, extrapolated) -> None:
        """A dot on each frontier point, hollow where its accuracy is extrapolated: pixmap markers Qt draws
        itself (a ScatterPlotItem of ten dots took half of this plot's repaint, in Python)."""
        x_view = [] if x_view is None else x_view
        for dots, hollow, symbol in ((self.frontier_dots, False, ("o", 4, "#111")), (self.extrapolated_dots, True, ("o", 7, "white"))):
            at = [(x_view[i], y_view[i]) for i in range(len(x_view)) if bool(extrapolated[i]) == hollow]
            while len(dots) < len(at):
                dots.append(self.marker(*symbol, z=11 if hollow else 10, pen="#111" if hollow else None))
            for i, dot in enumerate(dots):
                dot.place(*(at[i] if i < len(at) else (None, None)))

    def show_plan(self, plan: Plan, selected: int | None = None) -> None:
        opts, r = plan.options, plan.results
        best = {i for i in plan.best_per_kind.values() if i is not None}
        if plan.recommended is not None:
            best.add(plan.recommended)
        targets = []
        for k in KINDS:
            rows = [c for c in plan.cost_curves if opts.kind[c.option] == k and c.option not in best]
            x, y, which = _join([(c.accuracy_pct, c.cost_per_request_usd) for c in rows])
            self.set_curve(self.kind_curves[k], x, y)
            targets.append(self._target(opts, rows, x, y, which))
            tops = [c for c in plan.cost_curves if opts.kind[c.option] == k and c.option in best]
            x, y, which = _join([(c.accuracy_pct, c.cost_per_request_usd) for c in tops])
            self.set_curve(self.best_curves[k], x, y)
            targets.append(self._target(opts, tops, x, y, which))
        sel = [c for c in plan.cost_curves if c.option == selected]
        x, y, which = _join([(c.accuracy_pct, c.cost_per_request_usd) for c in sel])
        self.set_curve(self.selected_curve, x, y)
        fa, fc, fo = plan.frontier
        extrap = plan.frontier_extrapolated if plan.frontier_extrapolated is not None else np.zeros(len(fa), dtype=bool)
        ft, fn = plan.frontier_budget if plan.frontier_budget is not None else (np.full(len(fa), np.nan),) * 2
        self.set_curve(self.frontier, fa, fc, every_point=True)  # a dot on each point
        xv, yv = self.frontier.getData()
        self._show_frontier_dots(xv, yv, extrap if xv is not None and len(xv) == len(fa) else np.zeros(0, dtype=bool))
        self.fit_view(x=np.concatenate([c.accuracy_pct for c in plan.cost_curves] + [fa, [plan.scenario.target_accuracy_pct]]),
                      y=np.concatenate([c.cost_per_request_usd for c in plan.cost_curves] + [fc, [np.nan]]))
        agg = plan.scenario.aggregation
        targets.insert(0, HoverTarget(fa, fc, lambda k: (
            f"Pareto frontier: {opts.label[fo[k]]}\n{pct(fa[k])} for {money(fc[k])} per request"
            + (f"\nat {describe(ft[k], fn[k], None, agg)}" if np.isfinite(ft[k]) else "")
            + ("\naccuracy extrapolated beyond the published points" if extrap[k] else ""))))
        rec = plan.recommended
        if rec is not None:
            self.recommended.place(*self.to_view(r.accuracy_pct[rec], r.cost_per_request_usd[rec]))
        else:
            self.recommended.place()
        self.target_line.place(plan.scenario.target_accuracy_pct,
                        f"target {pct(plan.scenario.target_accuracy_pct, 0)}")
        self.set_hover_targets(targets)

    @staticmethod
    def _target(opts, rows, x, y, which) -> HoverTarget:
        return HoverTarget(x, y, lambda k: f"{opts.label[rows[which[k]].option]}\n{pct(x[k])} for {money(y[k])} per request")


class VolumePlot(PlanPlot):
    """Monthly cost vs requests per day (log-log) for the cheapest option of each kind; break-evens marked."""

    MAX_BREAK_EVENS = 6

    def __init__(self):
        super().__init__("volumePlot", "Monthly cost vs volume", "Requests per day", "Monthly cost ($)",
                         count, money_tick, log_x=True, log_y=True, legend_corner="bottom-right")
        self.kind_curves = {k: self.curve(style.kind_color(k), 2.2, z=5) for k in KINDS}
        self.set_legend([(self.kind_curves[k], KIND_NAMES[k]) for k in KINDS])
        self.break_lines = [self.line(90, "#666666", label_pos=0.45 + 0.1 * (j % 3)) for j in range(self.MAX_BREAK_EVENS)]
        self.volume_line = self.line(90, style.CURRENT_COLOR, dash=False, label_pos=0.9)
        self.recommended = self.marker("star", 16, style.RECOMMENDED_COLOR)
        self.selected = self.marker("o", 12, style.SELECTED_COLOR, z=29)
        # Said in the plot when no option meets every target: otherwise it is an empty frame around a star.
        self.notice = pg.TextItem("No option meets every target,\nso no kind has a cost curve.\n"
                                  "Star: the closest option.", anchor=(0.5, 1.0), color="#444",
                                  fill=pg.mkBrush(255, 255, 255, 230), border=pg.mkPen("#bbb"))
        self.notice.setFont(QFont(self.font().family(), 8))
        self.notice.setZValue(60)
        self.notice.hide()
        self.getPlotItem().addItem(self.notice, ignoreBounds=True)
        # 1 to 10^9 requests per day, with a fifth of a decade to spare at each end: the view clips what
        # leaves it, and a marker at either end of the slider was cut in half
        self.fix_axis(x=(-0.2, 9.2))

    def _place_notice(self, markers: list[float]) -> None:
        """The notice just above the highest marker (they all sit on the volume line), or in the view's upper
        quarter without one; never over a marker."""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        tops = [self.to_view(1.0, m)[1] for m in markers]
        tops = [y for y in tops if math.isfinite(y)]
        y = max(tops) + NOTICE_GAP_PX * vb.viewPixelSize()[1] if tops else y0 + 0.75 * (y1 - y0)
        self.notice.setPos((x0 + x1) / 2, y)

    def show_plan(self, plan: Plan, selected: int | None = None) -> None:
        grid = plan.volume_grid
        targets = []
        for k in KINDS:
            y = plan.volume_monthly_usd[k]
            self.set_curve(self.kind_curves[k], grid, y)
            targets.append(HoverTarget(grid, y, lambda i, k=k, y=y: (
                f"cheapest {KIND_NAMES[k]}\n{requests(grid[i])}/day: {money(y[i])}/month")))
        self.set_hover_targets(targets)
        r = plan.results
        markers = [r.monthly_usd[i] for i in (plan.recommended, selected) if i is not None]
        empty = not any(np.isfinite(plan.volume_monthly_usd[k]).any() for k in KINDS)
        # no curve: half a decade below the markers and a decade and a half above them, so the axis has
        # figures to read and the notice room above the markers
        # with curves: a fifth of a decade either side of the markers, so a marker at the data's end is drawn whole
        spread = [m * f for m in markers for f in ((0.3, 30.0) if empty else (0.6, 1.6))]
        self.fit_view(y=np.concatenate([plan.volume_monthly_usd[k] for k in KINDS] + [spread]))
        if empty:
            self._place_notice(markers)
        self.notice.setVisible(empty)
        for j, ln in enumerate(self.break_lines):
            if j < len(plan.break_evens):
                b = plan.break_evens[j]
                ln.place(np.log10(b.requests_per_day), f"break-even {count(b.requests_per_day)}/day")
                ln.setVisible(True)
            else:
                ln.setVisible(False)
        s = plan.scenario
        self.volume_line.place(np.log10(s.requests_per_day), f"now {count(s.requests_per_day)}/day")
        for item, i in ((self.recommended, plan.recommended), (self.selected, selected)):
            if i is not None:
                item.place(*self.to_view(s.requests_per_day, r.monthly_usd[i]))
            else:
                item.place()
