"""Cross-benchmark estimates on an imported eval for the models without the user's results (issue 23 item 4).

Why: an eval run on three models says little about the other forty unless something ties them together. The
accuracy work's cross-benchmark model, logit((acc - chance)/(100 - chance)) = s(task) * theta(model, level) +
c(task), gives every (model, effort level) an ability theta fitted on the published benchmarks; the shipped
tasks.json keeps those numbers in its ``abilities`` block (fit_accuracy.abilities_block). Here the user's task
gets its own s and c, least squares on the anchoring results (the user's pass@1 of models with a known theta);
with one anchoring model, or abilities too close together to fit a slope, s is the median slope of the shipped
tasks and only c is fitted. Every other model with an ability gets a curve through its levels' predictions
(basis ``estimated_from_other_tasks``); models without an ability stay "no data".

The band of an estimate adds in quadrature: the widest band of the shipped estimated curves (their
leave-one-(model x task)-out residuals; the band is never narrower), the fit's own residuals (leave one
anchoring model out when there are three or more, else in-sample), the anchors' measurement bands carried
through the fit, and, with the median slope, the spread of the shipped slopes (10th-90th percentile).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import read_json

BASIS = "estimated_from_other_tasks"
MIN_THETA_SPREAD = 0.25  # anchoring abilities closer than this (logit units) cannot pin a slope: median slope then
SLOPE_QUANTILES = (0.1, 0.9)  # spread of the shipped slopes used for the band when the slope is the median


@dataclass(frozen=True)
class Anchor:
    """One of the user's results on a model the cross-benchmark model knows."""

    model: str
    level: str
    theta: float
    tokens: float
    pass1_pct: float
    band_pts: float
    how: str  # how the level was chosen


@dataclass
class TaskFit:
    """The user's task in the cross-benchmark model."""

    s: float
    c: float
    slope_how: str  # 'fitted' or 'median'
    note: str
    anchors: list[Anchor]
    token_offset: float  # ln of the user's tokens over the token model's, median over the anchors
    residual_pts: float
    band_floor_pts: float
    notes: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=4)
def _read_block(path: str) -> dict:
    doc = read_json(path, "catalog file")
    block = doc.get("abilities") if isinstance(doc, dict) else None
    if not isinstance(block, dict) or not all(isinstance(block.get(k), dict) for k in ("models", "columns")):
        return {}
    for aid, levels in block["models"].items():
        if not isinstance(levels, dict):
            raise InputError("must be an object of effort levels", field=f"abilities.models.{aid}", source=path)
        for level, rec in levels.items():
            for key in ("theta", "tokens"):
                v = rec.get(key) if isinstance(rec, dict) else None
                bad = not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v)
                if bad or (key == "tokens" and v <= 0):
                    raise InputError(
                        "must be a finite number" + (" above 0" if key == "tokens" else ""),
                        field=f"abilities.models.{aid}.{level}.{key}",
                        source=path,
                    )
    return block


def load_abilities(path: str | Path | None = None) -> dict:
    """The shipped catalog's ``abilities`` block (empty when the tasks file has none)."""
    if path is None:
        from ttcplanner.paths import catalog_dir

        path = catalog_dir() / "tasks.json"
    return _read_block(str(path))


def shipped_slopes(block: dict) -> list[float]:
    """s of each shipped task's main benchmark variant."""
    cols = block.get("columns", {})
    return [float(cols[c]["s"]) for c in block.get("task_columns", {}).values() if c in cols]


def _logit(pct: np.ndarray | float, floor: float, clip: float) -> np.ndarray:
    frac = np.clip((np.asarray(pct, float) - floor) / (100.0 - floor), clip, 1.0 - clip)
    return np.log(frac / (1.0 - frac))


def _pct(z, floor: float):
    return floor + (100.0 - floor) / (1.0 + np.exp(-np.asarray(z, float)))


def default_level(catalog, model: str) -> str | None:
    """The effort level a model runs at when none is named: its default on the shipped curves."""
    shipped = [t for t in catalog.tasks.values() if getattr(t, "basis", "published") != "user_eval"]
    named = [t.curves[model].default_effort for t in shipped if model in t.curves and t.curves[model].default_effort]
    return Counter(named).most_common(1)[0][0] if named else None


def anchor_level(levels: dict, effort: str | None, default: str | None) -> tuple[str | None, str]:
    """(ability level of a result, how): the named effort, else the model's default level, else its only level."""
    from ttcplanner.model.fit_accuracy import level_of

    if effort:
        lookup = {k.lower(): k for k in levels}
        key = lookup.get(effort.strip().lower()) or lookup.get(level_of(effort))
        if key:
            return key, f"effort {effort!r}"
        return None, f"effort {effort!r} has no ability estimate (levels known: {', '.join(sorted(levels))})"
    if default in levels:
        return default, f"no effort named: the model's default level {default!r}"
    if len(levels) == 1:
        only = next(iter(levels))
        return only, f"no effort named: the model's only level {only!r}"
    return None, "no effort named and the model has several levels without a known default"


def _fit_sc(theta: np.ndarray, y: np.ndarray, models: list[str], s_median: float) -> tuple[float, float, str]:
    if len(set(models)) >= 2 and np.ptp(theta) >= MIN_THETA_SPREAD:
        s, c = np.polyfit(theta, y, 1)
        if s > 0:
            return float(s), float(c), "fitted"
    return s_median, float(np.mean(y - s_median * theta)), "median"


def fit_task(anchors: list[Anchor], floor: float, block: dict, band_floor: float) -> TaskFit:
    """s and c of the user's task from its anchors, with the fit's residual (pct points)."""
    clip = float(block.get("logit_clip", 0.005))
    slopes = shipped_slopes(block)
    s_median = float(np.median(slopes)) if slopes else 1.0
    theta = np.array([a.theta for a in anchors])
    y = _logit([a.pass1_pct for a in anchors], floor, clip)
    models = [a.model for a in anchors]
    s, c, how = _fit_sc(theta, y, models, s_median)
    distinct = sorted(set(models))
    if how == "fitted":
        note = (
            f"s={s:.3f}, c={c:.3f} fitted by least squares to {len(anchors)} result(s) of {len(distinct)} models "
            f"({', '.join(distinct)})"
        )
    else:
        why = (
            "one anchoring model"
            if len(distinct) == 1
            else "the anchoring abilities are too close to fit a slope"
            if np.ptp(theta) < MIN_THETA_SPREAD
            else "the fitted slope was not positive"
        )
        note = (
            f"MEDIAN SLOPE: s={s:.3f} = median slope of the {len(slopes)} shipped tasks ({why}); c={c:.3f} "
            f"fitted to {', '.join(distinct)}"
        )
    pred = _pct(s * theta + c, floor)
    residual = float(np.max(np.abs(pred - [a.pass1_pct for a in anchors])))
    res_how = "largest in-sample residual"
    if len(distinct) >= 3:  # leave each anchoring model out, refit, predict it
        errs = []
        for m in distinct:
            keep = np.array([x != m for x in models])
            s2, c2, _ = _fit_sc(theta[keep], y[keep], [x for x in models if x != m], s_median)
            errs.extend(np.abs(_pct(s2 * theta[~keep] + c2, floor) - np.array([a.pass1_pct for a in anchors])[~keep]))
        residual, res_how = float(np.max(errs)), "largest leave-one-anchoring-model-out residual"
    neutral = [math.log(block["models"][a.model][a.level]["tokens"]) for a in anchors]
    offset = float(np.median([math.log(a.tokens) for a in anchors]) - np.median(neutral))
    note += f"; {res_how} {residual:.1f} pts" if len(distinct) >= 2 else "; no residual (one anchoring model)"
    return TaskFit(
        s=s,
        c=c,
        slope_how=how,
        note=note,
        anchors=anchors,
        token_offset=offset,
        residual_pts=residual,
        band_floor_pts=band_floor,
    )


def predict_band(fit: TaskFit, theta: float, floor: float, block: dict) -> tuple[float, float]:
    """(predicted pass@1 %, band half-width in points) for an ability on the user's task."""
    clip = float(block.get("logit_clip", 0.005))
    pred = float(_pct(fit.s * theta + fit.c, floor))
    th = np.array([a.theta for a in fit.anchors])
    y = _logit([a.pass1_pct for a in fit.anchors], floor, clip)
    slopes = shipped_slopes(block)
    s_median = float(np.median(slopes)) if slopes else 1.0
    models = [a.model for a in fit.anchors]
    carried = 0.0  # each anchor moved by its own band, the fit redone (slope kind kept)
    for j, a in enumerate(fit.anchors):
        worst = 0.0
        for sign in (-1.0, 1.0):
            yj = y.copy()
            yj[j] = _logit(a.pass1_pct + sign * a.band_pts, floor, clip)
            if fit.slope_how == "fitted":
                s2, c2, _ = _fit_sc(th, yj, models, s_median)
            else:
                s2, c2 = fit.s, float(np.mean(yj - fit.s * th))
            worst = max(worst, abs(float(_pct(s2 * theta + c2, floor)) - pred))
        carried = math.hypot(carried, worst)
    slope_term = 0.0
    if fit.slope_how == "median" and len(slopes) >= 2:
        for q in SLOPE_QUANTILES:
            sq = float(np.quantile(slopes, q))
            cq = float(np.mean(y - sq * th))
            slope_term = max(slope_term, abs(float(_pct(sq * theta + cq, floor)) - pred))
    band = math.sqrt(fit.band_floor_pts**2 + fit.residual_pts**2 + carried**2 + slope_term**2)
    return pred, band


def band_floor(catalog, block: dict) -> tuple[float, str]:
    """The widest band of the shipped estimated curves: an estimate on the user's task is never narrower."""
    bands = [
        c.band_pct
        for t in catalog.tasks.values()
        if getattr(t, "basis", "published") != "user_eval"
        for c in t.curves.values()
        if getattr(c, "basis", "published") == BASIS
    ]
    if not bands:
        bands = [float(v) for v in block.get("estimate_band_pts", {}).values()]
    if not bands:
        return 10.0, "10 pts (ASSUMED: no shipped estimated curve)"
    return max(bands), (
        f"{max(bands):.1f} pts = the widest band of the shipped estimated curves (80% of their "
        "leave-one-(model x task)-out residuals)"
    )
