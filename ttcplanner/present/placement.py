"""Where the labels of marker lines go (beside their line, inside the plot, clear of each other and the markers)
and where a legend goes (a corner of the plot where it covers no data, else outside the plot: ``place_legend``).

Qt-free so the window and the PDF place labels alike and tests can check the rules; the renderer supplies
pixel geometry (the plot area, each label's text size, the markers' and legend's boxes) and draws the result.
Coordinates are pixels with y growing downwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

GAP_PX = 3.0  # between a label and its line
STEP_PX = 4.0  # between candidate positions along a line
EDGE_TOL_PX = 0.5  # a line this close outside the plot's edge is on it (a 100 % target, rounded)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlap(self, other: Box) -> float:
        """The area both boxes cover (0 when they only touch)."""
        dx = min(self.x + self.w, other.x + other.w) - max(self.x, other.x)
        if dx <= 0:
            return 0.0
        dy = min(self.y + self.h, other.y + other.h) - max(self.y, other.y)
        return dx * dy if dy > 0 else 0.0

    def inside(self, area: Box, tol: float = 0.01) -> bool:
        return (
            self.x >= area.x - tol
            and self.y >= area.y - tol
            and self.right <= area.right + tol
            and self.bottom <= area.bottom + tol
        )


def marker_box(x: float, y: float, size: float) -> Box:
    """The square a marker of ``size`` pixels centred on (x, y) covers."""
    return Box(x - size / 2, y - size / 2, size, size)


@dataclass(frozen=True)
class LineLabel:
    """The label of a vertical line at x = ``at`` (or a horizontal one at y = ``at``), ``w`` x ``h`` pixels;
    ``along`` is where it would rather sit along its line, 0 at the top (left) and 1 at the bottom (right)."""

    vertical: bool
    at: float
    w: float
    h: float
    along: float = 0.1


def _offsets(preferred: float, lo: float, hi: float, step: float) -> list[float]:
    """``preferred`` then positions alternately after and before it, every ``step``, all within [lo, hi]."""
    preferred = min(max(preferred, lo), hi)
    out, k = [preferred], 1
    while preferred + k * step <= hi or preferred - k * step >= lo:
        for v in (preferred + k * step, preferred - k * step):
            if lo <= v <= hi:
                out.append(v)
        k += 1
    return out


def _candidates(label: LineLabel, area: Box) -> list[Box]:
    w, h = label.w, label.h
    if label.vertical:
        xs = [label.at + GAP_PX, label.at - GAP_PX - w]  # right of the line first, then left
        xs = [x for x in xs if area.x <= x and x + w <= area.right]
        if not xs and w <= area.w:  # too wide for either side: over its line, inside the plot all the same
            xs = [min(max(label.at - w / 2, area.x), area.right - w)]
        ys = _offsets(area.y + label.along * (area.h - h), area.y, area.bottom - h, h / 2 + STEP_PX / 2)
        return [Box(x, y, w, h) for y in ys for x in xs]
    ys = [label.at - GAP_PX - h, label.at + GAP_PX]  # above the line first, then below
    ys = [y for y in ys if area.y <= y and y + h <= area.bottom]
    if not ys and h <= area.h:
        ys = [min(max(label.at - h / 2, area.y), area.bottom - h)]
    xs = _offsets(area.x + label.along * (area.w - w), area.x, area.right - w, STEP_PX * 6)
    return [Box(x, y, w, h) for x in xs for y in ys]


def _near(label: LineLabel, obstacles: Sequence[Box]) -> list[Box]:
    """The obstacles a label beside its line can touch (the band a label's width either side of it)."""
    reach = (label.w if label.vertical else label.h) + GAP_PX
    if label.vertical:
        return [o for o in obstacles if o.right > label.at - reach and o.x < label.at + reach]
    return [o for o in obstacles if o.bottom > label.at - reach and o.y < label.at + reach]


def place_line_labels(
    labels: Sequence[LineLabel], area: Box, obstacles: Sequence[Box] = (), plot: Box | None = None
) -> tuple[Box | None, ...]:
    """A box per label, in order of importance (earlier labels get the better places): inside ``area``,
    beside its own line (over it when neither side has room), overlapping no earlier label and no obstacle
    where any such place exists (else the place that overlaps least). None for a label whose line is outside
    ``plot`` (the box the lines are drawn in, ``area`` or larger: a renderer keeps labels a few pixels inside
    its plot) or that is larger than the area. A line between the plot's edge and the area's (a 99.5 % target
    at the top) is labelled as if it ran along the area's edge: below it at the top, above it at the bottom."""
    plot = plot or area
    placed: list[Box] = []
    out: list[Box | None] = []
    for label in labels:
        lo, hi = (area.x, area.right) if label.vertical else (area.y, area.bottom)
        edge_lo, edge_hi = (plot.x, plot.right) if label.vertical else (plot.y, plot.bottom)
        candidates = []
        if edge_lo - EDGE_TOL_PX <= label.at <= edge_hi + EDGE_TOL_PX:
            inside = LineLabel(label.vertical, min(max(label.at, lo), hi), label.w, label.h, label.along)
            candidates = _candidates(inside, area)
        others = [(o, 2.0) for o in placed] + [(o, 1.0) for o in _near(label, obstacles)]
        best, best_cost = None, float("inf")
        for box in candidates:
            cost = 0.0
            for o, weight in others:
                cost += weight * box.overlap(o)
                if cost >= best_cost:
                    break
            if cost < best_cost:
                best, best_cost = box, cost
                if cost == 0:
                    break
        if best is not None:
            placed.append(best)
        out.append(best)
    return tuple(out)


CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
LEGEND_INSET_PX = 8.0  # between a legend inside the plot and the plot's edges


def corner_box(corner: str, w: float, h: float, area: Box, inset: float = LEGEND_INSET_PX) -> Box:
    """A ``w`` x ``h`` box ``inset`` pixels in from ``corner`` of ``area``."""
    x = area.x + inset if corner.endswith("left") else area.right - inset - w
    y = area.y + inset if corner.startswith("top") else area.bottom - inset - h
    return Box(x, y, w, h)


def line_crosses(box: Box, xs, ys) -> bool:
    """Whether the polyline through (xs[i], ys[i]) (non-finite values: gaps) has a point or a segment
    inside ``box``."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    x0, x1, y0, y1 = box.x, box.right, box.y, box.bottom
    with np.errstate(invalid="ignore"):
        if ((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)).any():
            return True
        if len(xs) < 2:
            return False
        ax, ay, bx, by = xs[:-1], ys[:-1], xs[1:], ys[1:]
        near = (
            (np.maximum(ax, bx) >= x0)
            & (np.minimum(ax, bx) <= x1)
            & (np.maximum(ay, by) >= y0)
            & (np.minimum(ay, by) <= y1)
        )  # NaN compares False: a gap is no segment
        if not near.any():
            return False
        ax, ay, bx, by = ax[near], ay[near], bx[near], by[near]
        dx, dy = bx - ax, by - ay
        sides = np.stack([dx * (cy - ay) - dy * (cx - ax) for cx, cy in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))])
        return bool((~((sides > 0).all(axis=0) | (sides < 0).all(axis=0))).any())


def covers_data(box: Box, lines: Sequence[tuple], points: Sequence[Box] = ()) -> bool:
    """Whether ``box`` covers a point of any polyline in ``lines`` ((xs, ys) pairs) or any of ``points``
    (the boxes of markers and dots)."""
    return any(box.overlap(p) > 0 for p in points) or any(line_crosses(box, xs, ys) for xs, ys in lines)


def place_legend(
    w: float,
    h: float,
    area: Box,
    lines: Sequence[tuple],
    points: Sequence[Box] = (),
    corners: Sequence[str] = CORNERS,
    inset: float = LEGEND_INSET_PX,
) -> Box | None:
    """A ``w`` x ``h`` legend in the first of ``corners`` of ``area`` where it covers no data (the polylines
    ``lines`` and the boxes ``points``, in the same pixels); None when every corner covers some or the legend
    does not fit: the renderer then puts it outside the plot."""
    if w + 2 * inset > area.w or h + 2 * inset > area.h:
        return None
    for corner in corners:
        box = corner_box(corner, w, h, area, inset)
        if not covers_data(box, lines, points):
            return box
    return None
