"""Figure specs: what the three plan plots show, decided once for the window and the PDF.

``accuracy_figure``, ``cost_figure`` and ``volume_figure`` turn a Plan into a frozen, comparable ``Figure``:
series (role, colour, label, line style), markers, marker lines with their labels, published dots, notices,
axis titles and legend entries. ``gui/plots.py`` draws a Figure with pyqtgraph, ``report/figures.py`` with
QPainter; neither decides what to show. Equal specs draw the same picture, so the window redraws an item only
when its spec differs from the one it drew last.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import numpy as np

from ttcplanner.model.budget import describe
from ttcplanner.model.format import count, money, money_tick, pct
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.present import palette
from ttcplanner.present.highlight import highlighted
from ttcplanner.present.names import display_name

TOP_MODELS = 3  # models drawn besides the highlighted ones unless the user asks for all of them
VOLUME_SPAN = (10**-0.2, 10**9.2)  # the volume slider's 1 to 10^9 a day, a marker at either end drawn whole


def money_axis_tick(v: float) -> str:
    """``money_tick``, with trillions as '$10T' (it prints '$1e+04B': a volume axis at a billion requests a
    day reaches them)."""
    return f"${v / 1e12:g}T" if abs(v) >= 1e12 else money_tick(v)


TICK_FORMATS = {"count": count, "pct": lambda v: f"{v:g}%", "money": money_axis_tick}
READOUT_FORMATS = {"count": count, "pct": pct, "money": money}  # a point's figures in a hover read-out
AGGREGATION_OF = {
    "majority": "majority vote of {n} samples",
    "verifier": "best of {n} by a verifier",
    "scorer": "best of {n} by a learned scorer",
}


@dataclass(frozen=True, eq=False)
class Values:
    """Float arrays compared by content (NaN equals NaN), so specs holding curves compare and hash."""

    arrays: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, *arrays) -> Values:
        out = []
        for a in arrays:
            a = np.array(a, dtype=float)
            a.setflags(write=False)
            out.append(a)
        return cls(tuple(out))

    def __getitem__(self, k: int) -> np.ndarray:
        return self.arrays[k]

    def __len__(self) -> int:
        return len(self.arrays)

    @cached_property
    def _key(self) -> tuple:
        return tuple((a.shape, a.tobytes()) for a in self.arrays)

    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, Values) and self._key == other._key)

    def __hash__(self) -> int:
        return hash(self._key)


@dataclass(frozen=True)
class Axis:
    title: str
    log: bool
    fmt: str  # a TICK_FORMATS key
    note: str = ""  # a second, smaller line under the title: what the figures are of
    span: tuple[float, float] | None = None  # always this data range (accuracy 0-100 %), else fitted

    def tick(self, v: float) -> str:
        return TICK_FORMATS[self.fmt](v)

    def readout(self, v: float) -> str:
        return READOUT_FORMATS[self.fmt](v)


@dataclass(frozen=True)
class Series:
    """A line (NaN-separated pieces), optionally with a band. ``key`` names it across plans (the renderer's
    item); ``parts`` names each piece for hover read-outs; ``label`` is its legend text ('' : none) and
    ``suffix`` the part of it a narrow legend must keep whole (' (recommended)')."""

    key: str
    role: str  # 'recommended' | 'best' | 'selected' | 'context' | 'other' | 'kind' | 'frontier'
    color: str
    width_pt: float
    dash: str  # palette.DASHES name
    xy: Values
    label: str = ""
    suffix: str = ""
    band: Values | None = None  # (low, high) along xy's x
    marker: str | None = None  # print: its kind's marker every few points (black-and-white copies)
    parts: tuple[str, ...] = ()
    z: int = 0


@dataclass(frozen=True)
class Mark:
    """A marker at one point (data units); ``tip`` is its hover read-out."""

    key: str
    symbol: str  # palette.MARKERS name or 'star'
    color: str
    x: float
    y: float
    size_pt: float
    tip: str = ""
    hollow: bool = False


@dataclass(frozen=True)
class Dots:
    """Published measurements of one model: small markers with a read-out each."""

    key: str
    color: str
    symbol: str
    xy: Values
    tips: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """A marker line across the plot at ``value`` (data units) with its label; vertical at an x value."""

    key: str
    vertical: bool
    value: float
    label: str
    color: str
    dash: str
    along: float = 0.1  # where its label would rather sit (see present.placement.LineLabel)


@dataclass(frozen=True)
class Key:
    """A legend entry: the sample (a line of ``dash`` and ``width_pt``, a band behind it, or a ``symbol``)
    and the text, ``suffix`` kept whole."""

    label: str
    color: str
    dash: str = "solid"
    width_pt: float = 1.5
    symbol: str | None = None
    band: bool = False
    hollow: bool = False
    suffix: str = ""
    marker: str | None = None  # print: the marker its line carries every few points


@dataclass(frozen=True)
class Figure:
    key: str  # 'accuracy' | 'cost' | 'volume'
    title: str
    x: Axis
    y: Axis
    series: tuple[Series, ...]
    marks: tuple[Mark, ...]
    lines: tuple[Line, ...]
    dots: tuple[Dots, ...]
    legend: tuple[Key, ...]
    notices: tuple[str, ...]
    fit: Values  # (x, y) in data units: what the fitted view must show (NaN: nothing on that axis)
    optional: int = 0  # models drawn only on demand (show_all)


def _join(rows) -> tuple[np.ndarray, np.ndarray]:
    """Curves concatenated with a NaN between them (one drawn item, however many curves)."""
    if not rows:
        return np.zeros(0), np.zeros(0)
    xs, ys = [], []
    for x, y in rows:
        xs += [np.asarray(x, float), [np.nan]]
        ys += [np.asarray(y, float), [np.nan]]
    return np.concatenate(xs)[:-1], np.concatenate(ys)[:-1]


def _key_of(s: Series) -> Key:
    return Key(
        s.label,
        s.color,
        s.dash,
        s.width_pt,
        None,
        s.band is not None,
        False,
        s.suffix,
        s.marker if s.role == "kind" else None,
    )


def curve_samples(plan) -> int:
    """The samples the accuracy curves are drawn at: the recommendation's (the scenario's without one)."""
    rec = plan.recommended
    return int(plan.results.samples[rec]) if rec is not None else int(plan.scenario.samples)


def accuracy_axis(plan) -> Axis:
    """'Accuracy (%)' with what it is of: the aggregation and N (the legend says published dots are one
    sample each)."""
    n = curve_samples(plan)
    if n > 1:
        note = AGGREGATION_OF.get(plan.scenario.aggregation, plan.scenario.aggregation + " of {n} samples").format(n=n)
    else:
        note = "1 sample"
    return Axis("Accuracy (%)", False, "pct", note, span=(0.0, 100.0))


def _best_pct(curve) -> float:
    finite = np.asarray(curve.mean_pct)[np.isfinite(curve.mean_pct)]
    return float(finite.max()) if finite.size else -1.0


_RANKED: tuple = (None, ())  # the curves last ranked (the planner keeps one tuple while they are unchanged), ranked


def _by_accuracy(curves: tuple) -> tuple:
    """The curves, most accurate first (ties by id); ranked again only for new curves: a volume or latency step
    keeps them. (One global pair, read once: the PDF export builds figures on another thread.)"""
    global _RANKED
    last = _RANKED
    if last[0] is curves:
        return last[1]
    ranked = tuple(sorted(curves, key=lambda c: (-_best_pct(c), c.accuracy_id)))
    _RANKED = (curves, ranked)
    return ranked


_ALLOWED: tuple = (None, b"", None)  # the option ids and allowed mask last asked about, and their models


def allowed_models(plan) -> frozenset[str] | None:
    """The accuracy ids of the models the scenario allows through at least one option (the on-premises rule
    excludes API-only models), or None when it allows every option. Kept while the mask is unchanged."""
    allowed = np.asarray(plan.results.allowed, bool)
    if allowed.all():
        return None
    global _ALLOWED
    last, ids, mask = _ALLOWED, plan.options.accuracy_id, allowed.tobytes()
    if last[0] is ids and last[1] == mask:
        return last[2]
    models = frozenset(ids[i] for i in np.flatnonzero(allowed))
    _ALLOWED = (ids, mask, models)
    return models


def drawn_models(plan, selected: int | None = None) -> tuple[list, list, list]:
    """The accuracy curves by how they are drawn: (curve, Highlight) of the highlighted options' models (a model
    behind two options in its first role), the TOP_MODELS other models with the highest accuracy among those
    the scenario allows (an on-premises plan never promotes an API-only model), the rest."""
    curves = {c.accuracy_id: c for c in plan.accuracy_curves}
    roles = {}
    for h in highlighted(plan, selected):
        acc = str(plan.options.accuracy_id[h.index])
        if acc in curves:
            roles.setdefault(acc, h)
    ranked = [c for c in _by_accuracy(plan.accuracy_curves) if c.accuracy_id not in roles]
    allowed = allowed_models(plan)
    if allowed is None:
        return [(curves[a], h) for a, h in roles.items()], ranked[:TOP_MODELS], ranked[TOP_MODELS:]
    may = [c for c in ranked if c.accuracy_id in allowed]
    context = may[:TOP_MODELS]
    rest = [c for c in ranked if all(c is not k for k in context)]
    return [(curves[a], h) for a, h in roles.items()], context, rest


def accuracy_figure(
    plan, names: Mapping[str, str] | None = None, selected: int | None = None, show_all: bool = False
) -> Figure:
    """A curve per highlighted model (in its role's colour, with its band), the TOP_MODELS other models with
    the highest accuracy, and, with ``show_all``, every other model as one grey line; published dots of the
    drawn models; the recommendation's budget as a star, each other kind's best as a diamond."""
    s, opts, r = plan.scenario, plan.options, plan.results
    roles, context, rest = drawn_models(plan, selected)
    series, dots, legend = [], [], []
    drawn = [(c, h) for c, h in roles] + [(c, None) for c in context]
    for k, (c, h) in enumerate(drawn):
        name = display_name(names, c.accuracy_id)
        if h is not None:
            color, role, width, suffix = h.color, h.role, 2.6 if h.role == "recommended" else 2.0, f" ({h.label})"
            band = Values.of(c.low_pct, c.high_pct)
        else:
            color = palette.CONTEXT_COLORS[(k - len(roles)) % len(palette.CONTEXT_COLORS)]
            role, width, suffix, band = "context", 1.3, "", None
        marker = palette.MARKERS[k % len(palette.MARKERS)]
        one = Series(
            f"model:{k}",
            role,
            color,
            width,
            palette.DASHES[k % len(palette.DASHES)],
            Values.of(c.tokens, c.mean_pct),
            name,
            suffix,
            band,
            marker,
            (name,),
            z=10 - k,
        )
        series.append(one)
        legend.append(_key_of(one))
        dots.append(_dots(f"dots:{k}", c, name, color, marker))
    if show_all and rest:
        x, y = _join([(c.tokens, c.mean_pct) for c in rest])
        label = f"{len(rest)} other model{'s' if len(rest) != 1 else ''}"
        one = Series(
            "others",
            "other",
            palette.OTHER_COLOR,
            1.0,
            "solid",
            Values.of(x, y),
            label,
            parts=tuple(display_name(names, c.accuracy_id) for c in rest),
            z=1,
        )
        series.append(one)
        legend.append(_key_of(one))
        dots += [
            _dots(f"dots:other:{j}", c, display_name(names, c.accuracy_id), palette.OTHER_COLOR, "circle")
            for j, c in enumerate(rest)
        ]
    dots = [d for d in dots if len(d.tips)]
    if dots:
        legend.append(Key("published" + (" (1 sample)" if curve_samples(plan) > 1 else ""), "#888888", symbol="circle"))
    marks = []
    rec = plan.recommended

    def bought(i: int, role: str) -> str:
        budget = describe(r.reasoning_tokens[i], r.samples[i], r.effort[i], s.aggregation)
        return f"{opts.label[i]} ({role})\nbought at {budget}"

    if rec is not None and r.reasoning_tokens[rec] > 0:
        marks.append(
            Mark(
                "recommended",
                "star",
                palette.ROLE_COLORS["recommended"],
                float(r.reasoning_tokens[rec]),
                float(r.accuracy_pct[rec]),
                11.0,
                bought(rec, "recommended"),
            )
        )
    for h in highlighted(plan):
        i = h.index
        if h.role == "best" and r.reasoning_tokens[i] > 0:
            marks.append(
                Mark(
                    f"best:{h.kind}",
                    "diamond",
                    h.color,
                    float(r.reasoning_tokens[i]),
                    float(r.accuracy_pct[i]),
                    8.0,
                    bought(i, h.label),
                )
            )
    budget = max(float(s.reasoning_tokens), 1.0)
    lines = (
        Line(
            "target",
            False,
            float(s.target_accuracy_pct),
            _target_label(s.target_accuracy_pct),
            palette.TARGET_COLOR,
            "dash",
            along=0.02,
        ),
        Line(
            "budget",
            True,
            budget,
            f"{'cap' if s.budget_mode == 'auto' else 'budget'} {count(budget)}",
            palette.CURRENT_COLOR,
            "dot",
            along=0.55,
        ),
    )
    fit_x = [v.xy[0] for v in series] + [d.xy[0] for d in dots] + [[budget], [m.x for m in marks]]
    fit_x = np.concatenate([np.asarray(a, float) for a in fit_x])
    return Figure(
        "accuracy",
        "Accuracy vs compute",
        Axis("Reasoning tokens per sample", True, "count"),
        accuracy_axis(plan),
        tuple(series),
        tuple(marks),
        lines,
        tuple(dots),
        tuple(legend),
        (),
        Values.of(fit_x, np.full(len(fit_x), np.nan)),
        optional=len(rest),
    )


def _dots(key: str, curve, name: str, color: str, symbol: str) -> Dots:
    pts = [p for p in curve.points if p.reasoning_tokens > 0]
    tips = []
    for p in pts:
        derived = f"\ntokens: {p.tokens_derived}" if p.tokens_derived else ""
        tips.append(
            f"{name}: {p.label}\n{pct(p.accuracy_pct)} at {count(p.reasoning_tokens)} tokens (published, "
            f"1 sample){derived}\nsource: {p.source}"
        )
    return Dots(
        key, color, symbol, Values.of([p.reasoning_tokens for p in pts], [p.accuracy_pct for p in pts]), tuple(tips)
    )


def _light(color: str, alpha: float = 110 / 255) -> str:
    """``color`` at ``alpha`` over white, as an opaque hex colour (context curves)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * c + (1 - alpha) * 255):02x}" for c in rgb)


def _target_label(target_pct: float) -> str:
    """'target 75%', or 'target 89.8%' when the slider sits between whole percents: the card's figure."""
    return f"target {pct(target_pct, 0 if float(target_pct).is_integer() else 1)}"


def cost_figure(plan, selected: int | None = None) -> Figure:
    """Cost per request vs accuracy as the budget grows: every option's curve thin in its kind's tint, the
    highlighted options' in their kind's colour, the selected one in its role's colour, the Pareto frontier
    with a dot per point (hollow: extrapolated) and the recommendation's operating point as a star."""
    s, opts, r = plan.scenario, plan.options, plan.results
    hs = highlighted(plan)
    tops = {h.index for h in hs}
    series, legend = [], []
    for k in KINDS:
        rows = [c for c in plan.cost_curves if opts.kind[c.option] == k and c.option not in tops]
        best = [c for c in plan.cost_curves if opts.kind[c.option] == k and c.option in tops]
        drawn = False
        for key, role, color, width, z, cs in (
            (f"kind:{k}", "kind", _light(palette.kind_color(k)), 1.0, 2, rows),
            (f"best:{k}", "best", palette.kind_color(k), 2.2, 8, best),
        ):
            if not cs:
                continue
            x, y = _join([(c.accuracy_pct, c.cost_per_request_usd) for c in cs])
            if not (np.isfinite(y) & (y > 0)).any():  # nothing a log axis can draw
                continue
            drawn = True
            series.append(
                Series(
                    key,
                    role,
                    color,
                    width,
                    "solid",
                    Values.of(x, y),
                    parts=tuple(str(opts.label[c.option]) for c in cs),
                    z=z,
                )
            )
        if drawn:
            legend.append(Key(KIND_NAMES[k], palette.kind_color(k), width_pt=2.2))
    sel = [c for c in plan.cost_curves if c.option == selected and selected not in tops]
    if sel:
        one = Series(
            "selected",
            "selected",
            palette.ROLE_COLORS["selected"],
            3.0,
            "solid",
            Values.of(sel[0].accuracy_pct, sel[0].cost_per_request_usd),
            "selected",
            parts=(str(opts.label[selected]),),
            z=9,
        )
        series.append(one)
        legend.append(_key_of(one))
    fa, fc, fo = plan.frontier
    marks = []
    if len(fa):
        extrap = (
            np.asarray(plan.frontier_extrapolated, bool)
            if plan.frontier_extrapolated is not None
            else np.zeros(len(fa), bool)
        )
        ft, fn = plan.frontier_budget if plan.frontier_budget is not None else (np.full(len(fa), np.nan),) * 2
        parts = []
        for k in range(len(fa)):
            at = f"\nat {describe(ft[k], fn[k], None, s.aggregation)}" if np.isfinite(ft[k]) else ""
            parts.append(
                f"Pareto frontier: {opts.label[fo[k]]}{at}"
                + ("\naccuracy extrapolated beyond the published points" if extrap[k] else "")
            )
        one = Series(
            "frontier",
            "frontier",
            palette.FRONTIER_COLOR,
            2.0,
            "dash",
            Values.of(fa, fc),
            "Pareto frontier",
            parts=tuple(parts),
            z=10,
        )
        series.append(one)
        legend.append(_key_of(one))
        solid = hollow = 0  # numbered apart: a marker keeps its look as the frontier changes (no new pixmap)
        for k in range(len(fa)):
            if extrap[k]:
                key, hollow = f"frontier:hollow:{hollow}", hollow + 1
            else:
                key, solid = f"frontier:{solid}", solid + 1
            marks.append(
                Mark(
                    key,
                    "circle",
                    "#ffffff" if extrap[k] else palette.FRONTIER_COLOR,
                    float(fa[k]),
                    float(fc[k]),
                    5.0 if extrap[k] else 3.0,
                    parts[k],
                    hollow=bool(extrap[k]),
                )
            )
        if extrap.any():
            legend.append(Key("extrapolated", palette.FRONTIER_COLOR, symbol="circle", hollow=True))
    rec = plan.recommended
    if rec is not None and np.isfinite(r.cost_per_request_usd[rec]) and r.cost_per_request_usd[rec] > 0:
        marks.append(
            Mark(
                "recommended",
                "star",
                palette.ROLE_COLORS["recommended"],
                float(r.accuracy_pct[rec]),
                float(r.cost_per_request_usd[rec]),
                11.0,
                f"{opts.label[rec]} (recommended)",
            )
        )
        legend.append(Key("recommended (its budget)", palette.ROLE_COLORS["recommended"], symbol="star"))
    lines = (
        Line(
            "target",
            True,
            float(s.target_accuracy_pct),
            _target_label(s.target_accuracy_pct),
            palette.TARGET_COLOR,
            "dash",
            along=0.5,
        ),
    )
    x = np.concatenate([c.accuracy_pct for c in plan.cost_curves] + [fa, [s.target_accuracy_pct]])
    y = np.concatenate([c.cost_per_request_usd for c in plan.cost_curves] + [fc, [np.nan]])
    notices = () if series else ("No option meets the latency\ntarget and hardware rules,\nso there is no cost curve.",)
    return Figure(
        "cost",
        "Cost vs accuracy",
        Axis("Accuracy (%)", False, "pct"),
        Axis("Cost per request ($)", True, "money"),
        tuple(series),
        tuple(marks),
        lines,
        (),
        tuple(legend),
        notices,
        Values.of(x, y),
    )


BREAK_EVEN_CLUSTER = 10.0  # break-evens within this factor of a group's first volume share one label


def _break_even_labels(break_evens) -> list[tuple[float, str]]:
    """(volume, label) per break-even line; lines close together (the cheapest kind flips back and forth as
    GPU replicas step up) are one group labelled once on its first line, 'break-evens 2M-8.08M/day', the
    others unlabelled: a label per line stacked nine boxes over the curves."""
    volumes = sorted(float(b.requests_per_day) for b in break_evens)
    groups: list[list[float]] = []
    for v in volumes:
        if groups and v <= groups[-1][0] * BREAK_EVEN_CLUSTER:
            groups[-1].append(v)
        else:
            groups.append([v])
    out = []
    for g in groups:
        label = f"break-even {count(g[0])}/day" if len(g) == 1 else f"break-evens {count(g[0])}-{count(g[-1])}/day"
        out += [(g[0], label)] + [(v, "") for v in g[1:]]
    return out


def volume_figure(plan, selected: int | None = None) -> Figure:
    """Monthly cost vs requests per day of the cheapest option of each kind, the break-even volumes, the
    scenario's volume ('now'), the recommendation (star) and the selected option (circle)."""
    s, r, opts = plan.scenario, plan.results, plan.options
    grid = np.asarray(plan.volume_grid, float)
    series, legend = [], []
    for k in KINDS:
        y = np.asarray(plan.volume_monthly_usd[k], float)
        if not (np.isfinite(y) & (y > 0)).any():
            continue
        one = Series(
            f"kind:{k}",
            "kind",
            palette.kind_color(k),
            2.2,
            palette.KIND_DASHES[k],
            Values.of(grid, y),
            KIND_NAMES[k],
            marker=palette.KIND_MARKERS[k],
            parts=(f"cheapest {KIND_NAMES[k]}",),
            z=5,
        )
        series.append(one)
        legend.append(_key_of(one))
    marks = []
    v = float(s.requests_per_day)
    for key, symbol, color, size, i in (
        ("recommended", "star", palette.ROLE_COLORS["recommended"], 11.0, plan.recommended),
        ("selected", "circle", palette.ROLE_COLORS["selected"], 8.0, selected),
    ):
        if i is not None and (key == "recommended" or i != plan.recommended):
            m = float(r.monthly_usd[i])
            if np.isfinite(m) and m > 0:
                marks.append(Mark(key, symbol, color, v, m, size, f"{opts.label[i]} ({key})"))
    notices = ()
    if not series:
        star = any(m.key == "recommended" for m in marks)
        notices = (
            "No option meets every target,\nso no kind has a cost curve."
            + ("\nStar: the closest option." if star else ""),
        )
    lines = [Line("now", True, v, f"now {count(v)}/day", palette.CURRENT_COLOR, "solid", along=0.02)]
    for j, (volume, label) in enumerate(_break_even_labels(plan.break_evens)):
        lines.append(Line(f"break-even:{j}", True, volume, label, "#555555", "dot", along=0.3))
    # markers drawn whole: a fifth of a decade either side (with curves), or room for the notice above them
    spread = [m.y * f for m in marks for f in ((0.3, 30.0) if not series else (0.6, 1.6))]
    y = np.concatenate([s_.xy[1] for s_ in series] + [np.asarray(spread, float)])
    return Figure(
        "volume",
        "Monthly cost vs volume",
        Axis("Requests per day", True, "count", span=VOLUME_SPAN),
        Axis("Monthly cost ($)", True, "money"),
        tuple(series),
        tuple(marks),
        tuple(lines),
        (),
        tuple(legend),
        notices,
        Values.of(np.full(len(y), np.nan), y),
    )
