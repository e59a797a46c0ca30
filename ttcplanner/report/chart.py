"""Small fixed-size charts drawn with QPainter on a QImage, for print.

The GUI's pyqtgraph plots need QtWidgets and follow the screen; a printed report needs fixed sizes,
300 dpi, log axes with decade labels, and series that stay distinct in black-and-white (dash pattern
and marker shape as well as colour). Sizes are in millimetres and points so the printed figure has the
same proportions whatever the dpi.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF

from ttcplanner.present.placement import Box, LineLabel, place_line_labels

# Colours, dash names and marker names come from the callers (ttcplanner.present.palette); this module draws.
_DASH_PATTERNS = {
    "dash": [5, 3],
    "dot": [1, 2.2],
    "dashdot": [6, 2.5, 1, 2.5],
    "longdash": [10, 3],
    "dashdotdot": [6, 2, 1, 2, 1, 2],
}


@dataclass
class Axis:
    label: str
    log: bool = False
    lo: float | None = None  # None: from the data
    hi: float | None = None
    fmt: Callable[[float], str] = lambda v: f"{v:g}"
    note: str = ""  # a second, smaller line under the title


@dataclass
class LegendKey:
    """A legend row drawn as given (a figure spec's ``Key``), instead of one per labelled series."""

    label: str
    color: str
    dash: str = "solid"
    width_pt: float = 1.2
    marker: str | None = None
    filled: bool = True
    band: bool = False
    line: bool = True
    marker_size_pt: float = 5.0
    band_alpha: float = 0.13


@dataclass
class Series:
    """A line (optionally with a band and markers) or, with ``line=False``, a scatter of markers."""

    x: Sequence[float]
    y: Sequence[float]
    label: str = ""
    color: str = "#000000"
    width_pt: float = 1.2
    dash: str = "solid"
    marker: str | None = None
    marker_every: int = 0  # 0: markers on every point (scatter) / none on lines unless set
    marker_size_pt: float = 4.0
    filled: bool = True
    line: bool = True
    band_low: Sequence[float] | None = None
    band_high: Sequence[float] | None = None
    band_alpha: float = 0.13
    step: bool = False  # draw as a staircase (Pareto frontier)
    in_legend: bool = True


@dataclass
class RefLine:
    """A vertical (``x``) or horizontal (``y``) reference line with a short label."""

    value: float
    vertical: bool = True
    label: str = ""
    dash: str = "dash"
    color: str = "#444444"
    width_pt: float = 0.9
    along: float = 0.02  # where its label would rather sit along it (present.placement.LineLabel)


@dataclass
class Chart:
    width_mm: float
    height_mm: float
    x: Axis
    y: Axis
    series: list[Series] = field(default_factory=list)
    refs: list[RefLine] = field(default_factory=list)
    font_family: str = "DejaVu Sans"
    font_pt: float = 7.5
    legend_columns: int = 3
    legend: list[LegendKey] | None = None  # None: a row per series with a label
    notices: list[str] = field(default_factory=list)  # said in a box at the top of the plot area

    def render(self, dpi: int = 300) -> QImage:
        return _Renderer(self, dpi).draw()

    def layout(self, dpi: int = 300) -> dict[str, list[QRectF]]:
        """Where the chart drew its texts and markers (pixels at ``dpi``): 'plot', 'x_title', 'y_title',
        'x_ticks', 'y_ticks', 'ref_labels', 'markers', 'notices', 'legend'; for tests of what overlaps."""
        renderer = _Renderer(self, dpi)
        renderer.draw()
        return renderer.boxes


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[float]]:
    """Major ticks at decades (plus 2 and 5 when the range spans under two decades) and minor ticks."""
    first, last = math.floor(math.log10(lo) + 1e-9), math.ceil(math.log10(hi) - 1e-9)
    decades = [10.0**e for e in range(first, last + 1)]
    step = max(1, math.ceil(len(decades) / 10))  # at most ~10 labels
    major = [10.0**e for e in range(first, last + 1) if e % step == 0]
    if last - first <= 1:
        major = sorted({d * m for d in decades for m in (1, 2, 5)})
    minor = [d * m for d in decades for m in range(2, 10)]
    inside = lambda v: lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)  # noqa: E731
    return [v for v in major if inside(v)], [v for v in minor if inside(v) and v not in major]


def linear_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    raw = (hi - lo) / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    return [round(start + i * step, 10) for i in range(int((hi - start) / step + 1e-9) + 1)]


def data_range(values: np.ndarray, log: bool, pad: float = 0.04) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if log:
        v = v[v > 0]
    if not len(v):
        return (1.0, 10.0) if log else (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    if log:
        lo, hi = 10 ** math.floor(math.log10(lo) + 1e-9), 10 ** math.ceil(math.log10(hi) - 1e-9)
        return (lo, hi * 10) if lo == hi else (lo, hi)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    return lo - pad * span, hi + pad * span


class _Renderer:
    def __init__(self, chart: Chart, dpi: int):
        self.c = chart
        self.dpi = dpi
        self.px_per_pt = dpi / 72.0
        self.w = round(chart.width_mm / 25.4 * dpi)
        self.h = round(chart.height_mm / 25.4 * dpi)
        self.font = QFont(chart.font_family)
        self.font.setPointSizeF(chart.font_pt)
        self.small = QFont(self.font)
        self.small.setPointSizeF(chart.font_pt * 0.9)
        self.boxes: dict[str, list[QRectF]] = {
            k: []
            for k in ("plot", "x_title", "y_title", "x_ticks", "y_ticks", "ref_labels", "markers", "notices", "legend")
        }

    # geometry ------------------------------------------------------------------------------------
    def _axis_range(self, axis: Axis, which: str) -> tuple[float, float]:
        values = np.concatenate([np.asarray(getattr(s, which), dtype=float) for s in self.c.series] or [np.zeros(0)])
        bands = [
            np.asarray(b, dtype=float)
            for s in self.c.series
            for b in (s.band_low, s.band_high)
            if b is not None and which == "y"
        ]
        if bands:
            values = np.concatenate([values, *bands])
        lo, hi = data_range(values, axis.log)
        return (axis.lo if axis.lo is not None else lo), (axis.hi if axis.hi is not None else hi)

    def _map(self, v: np.ndarray, lo: float, hi: float, log: bool, a: float, b: float) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if log:
                t = (np.log10(np.where(v > 0, v, np.nan)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
            else:
                t = (v - lo) / (hi - lo)
        return a + t * (b - a)

    def px(self, pt: float) -> float:
        return pt * self.px_per_pt

    def pen(self, color: str, width_pt: float, dash: str = "solid") -> QPen:
        pen = QPen(QColor(color))
        pen.setWidthF(self.px(width_pt))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if dash == "solid" else Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if dash != "solid":
            pen.setDashPattern(_DASH_PATTERNS[dash])
        return pen

    # drawing -------------------------------------------------------------------------------------
    def draw(self) -> QImage:
        img = QImage(self.w, self.h, QImage.Format.Format_RGB32)
        dpm = round(self.dpi / 0.0254)
        img.setDotsPerMeterX(dpm)
        img.setDotsPerMeterY(dpm)
        img.fill(QColor("white"))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setFont(self.font)
        fm = QFontMetricsF(self.font, img)
        self.fm = fm
        legend_h = self._legend_height(fm)
        xr, yr = self._axis_range(self.c.x, "x"), self._axis_range(self.c.y, "y")
        ymaj = log_ticks(*yr)[0] if self.c.y.log else linear_ticks(*yr)
        label_w = max((fm.horizontalAdvance(self.c.y.fmt(v)) for v in ymaj), default=0)
        pad = self.px(4)
        title_h = fm.height() * (2 if self.c.y.note else 1)  # the bold title and the note under it
        left = pad + title_h + pad + label_w + self.px(4)
        right = self.w - self.px(10)
        top = self.px(6)
        bottom = self.h - legend_h - pad - fm.height() * 2 - self.px(6)
        self.plot = QRectF(left, top, right - left, bottom - top)
        self.boxes["plot"].append(QRectF(self.plot))
        self.xr, self.yr = xr, yr
        self._grid_and_axes(p, fm)
        p.save()
        p.setClipRect(self.plot)
        for s in self.c.series:
            if s.band_low is not None and s.band_high is not None:
                self._band(p, s)
        for r in self.c.refs:
            self._ref(p, r)
        for s in self.c.series:
            if s.line:
                self._line(p, s)
        p.restore()
        p.setPen(self.pen("#000000", 0.8))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(self.plot)
        for s in self.c.series:  # on the frame, whole: a point at the axis's end was cut in half
            self._markers(p, s)
        self._notices(p)
        self._ref_labels(p)
        self._legend(p, fm, self.h - legend_h)
        p.end()
        return img

    def to_x(self, v):
        return self._map(v, *self.xr, self.c.x.log, self.plot.left(), self.plot.right())

    def to_y(self, v):
        return self._map(v, *self.yr, self.c.y.log, self.plot.bottom(), self.plot.top())

    def _grid_and_axes(self, p: QPainter, fm: QFontMetricsF) -> None:
        plot = self.plot
        tick = self.px(3)
        for axis, rng, horizontal in ((self.c.x, self.xr, True), (self.c.y, self.yr, False)):
            if axis.log:
                major, minor = log_ticks(*rng)
            else:
                major, minor = linear_ticks(*rng), []
            coords_major = (self.to_x if horizontal else self.to_y)(np.array(major, dtype=float))
            coords_minor = (self.to_x if horizontal else self.to_y)(np.array(minor, dtype=float))
            p.setPen(self.pen("#E4E4E4", 0.4))
            for c in coords_minor:
                p.drawLine(QPointF(c, plot.top()), QPointF(c, plot.bottom())) if horizontal else p.drawLine(
                    QPointF(plot.left(), c), QPointF(plot.right(), c)
                )
            p.setPen(self.pen("#BDBDBD", 0.5))
            for c in coords_major:
                p.drawLine(QPointF(c, plot.top()), QPointF(c, plot.bottom())) if horizontal else p.drawLine(
                    QPointF(plot.left(), c), QPointF(plot.right(), c)
                )
            p.setPen(self.pen("#000000", 0.6))
            for c in coords_minor:
                if horizontal:
                    p.drawLine(QPointF(c, plot.bottom()), QPointF(c, plot.bottom() - tick * 0.5))
                else:
                    p.drawLine(QPointF(plot.left(), c), QPointF(plot.left() + tick * 0.5, c))
            last_right = -1e9
            for v, c in zip(major, coords_major, strict=True):
                text = axis.fmt(v)
                tw = fm.horizontalAdvance(text)
                if horizontal:
                    p.drawLine(QPointF(c, plot.bottom()), QPointF(c, plot.bottom() - tick))
                    x0 = min(max(c - tw / 2, self.px(1)), self.w - tw - self.px(1))  # a hair inside the image
                    if x0 > last_right + self.px(2):
                        p.drawText(QPointF(x0, plot.bottom() + self.px(3) + fm.ascent()), text)
                        self.boxes["x_ticks"].append(QRectF(x0, plot.bottom() + self.px(3), tw, fm.height()))
                        last_right = x0 + tw
                else:
                    p.drawLine(QPointF(plot.left(), c), QPointF(plot.left() + tick, c))
                    base = c + fm.ascent() / 2 - fm.descent() / 2
                    p.drawText(QPointF(plot.left() - self.px(3) - tw, base), text)
                    left = plot.left() - self.px(3) - tw
                    self.boxes["y_ticks"].append(QRectF(left, base - fm.ascent(), tw, fm.height()))
        # axis titles
        bold = QFont(self.font)
        bold.setBold(True)
        p.setFont(bold)
        bfm = QFontMetricsF(bold, p.device())
        xt = self.c.x.label
        xw, x_top = bfm.horizontalAdvance(xt), plot.bottom() + self.px(3) + fm.height() + self.px(2)
        p.drawText(QPointF(plot.center().x() - xw / 2, x_top + bfm.ascent()), xt)
        self.boxes["x_title"].append(QRectF(plot.center().x() - xw / 2, x_top, xw, bfm.height()))
        yt, note = self.c.y.label, self.c.y.note
        p.save()
        p.translate(self.px(4) + bfm.ascent(), plot.center().y())
        p.rotate(-90)
        p.drawText(QPointF(-bfm.horizontalAdvance(yt) / 2, 0), yt)
        if note:
            p.setFont(self.small)
            sfm = QFontMetricsF(self.small, p.device())
            p.setPen(QColor("#444444"))
            p.drawText(QPointF(-sfm.horizontalAdvance(note) / 2, bfm.descent() + sfm.ascent()), note)
        p.restore()
        y_w = max(bfm.horizontalAdvance(yt), QFontMetricsF(self.small, p.device()).horizontalAdvance(note))
        title_h = bfm.height() + (QFontMetricsF(self.small, p.device()).height() if note else 0)
        self.boxes["y_title"].append(QRectF(self.px(4), plot.center().y() - y_w / 2, title_h, y_w))
        p.setPen(QColor("#000000"))
        p.setFont(self.font)

    def _segments(self, s: Series, y=None):
        """Runs of consecutive drawable points (finite, positive on log axes) as pixel arrays."""
        xs, ys = self.to_x(np.asarray(s.x, dtype=float)), self.to_y(np.asarray(s.y if y is None else y, dtype=float))
        ok = np.isfinite(xs) & np.isfinite(ys)
        out, start = [], None
        for i, good in enumerate(np.append(ok, False)):
            if good and start is None:
                start = i
            elif not good and start is not None:
                out.append((xs[start:i], ys[start:i]))
                start = None
        return out

    def _line(self, p: QPainter, s: Series) -> None:
        p.setPen(self.pen(s.color, s.width_pt, s.dash))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for xs, ys in self._segments(s):
            path = QPainterPath(QPointF(xs[0], ys[0]))
            for j in range(1, len(xs)):
                if s.step:
                    path.lineTo(QPointF(xs[j], ys[j - 1]))
                path.lineTo(QPointF(xs[j], ys[j]))
            p.drawPath(path)

    def _band(self, p: QPainter, s: Series) -> None:
        xs = self.to_x(np.asarray(s.x, dtype=float))
        lo, hi = self.to_y(np.asarray(s.band_low, dtype=float)), self.to_y(np.asarray(s.band_high, dtype=float))
        ok = np.isfinite(xs) & np.isfinite(lo) & np.isfinite(hi)
        color = QColor(s.color)
        color.setAlphaF(s.band_alpha)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(color))
        idx = np.flatnonzero(ok)
        if len(idx) < 2:
            return
        pts = [QPointF(xs[i], hi[i]) for i in idx] + [QPointF(xs[i], lo[i]) for i in idx[::-1]]
        p.drawPolygon(QPolygonF(pts))

    def _markers(self, p: QPainter, s: Series) -> None:
        if not s.marker:
            return
        xs, ys = self.to_x(np.asarray(s.x, dtype=float)), self.to_y(np.asarray(s.y, dtype=float))
        inside = self.plot.adjusted(-0.5, -0.5, 0.5, 0.5)  # the points, not the markers, must be in the plot
        idx = np.flatnonzero(
            np.isfinite(xs)
            & np.isfinite(ys)
            & (xs >= inside.left())
            & (xs <= inside.right())
            & (ys >= inside.top())
            & (ys <= inside.bottom())
        )
        if s.line and s.marker_every > 1:
            idx = idx[:: s.marker_every]
        elif s.line and s.marker_every == 0:
            return
        for i in idx:
            draw_marker(p, QPointF(xs[i], ys[i]), s.marker, self.px(s.marker_size_pt), s.color, s.filled, self.px(0.9))
            side = self.px(s.marker_size_pt) * 1.3
            self.boxes["markers"].append(QRectF(xs[i] - side / 2, ys[i] - side / 2, side, side))

    def _ref(self, p: QPainter, r: RefLine) -> None:
        p.setPen(self.pen(r.color, r.width_pt, r.dash))
        if r.vertical:
            c = float(self.to_x(np.array([r.value]))[0])
            if np.isfinite(c):
                p.drawLine(QPointF(c, self.plot.top()), QPointF(c, self.plot.bottom()))
        else:
            c = float(self.to_y(np.array([r.value]))[0])
            if np.isfinite(c):
                p.drawLine(QPointF(self.plot.left(), c), QPointF(self.plot.right(), c))

    def _notices(self, p: QPainter) -> None:
        """Each notice in a white box at the top centre of the plot area."""
        p.setFont(self.small)
        fm = QFontMetricsF(self.small, p.device())
        top = self.plot.top() + self.px(4)
        for text in self.c.notices:
            lines = text.split("\n")
            w = max(fm.horizontalAdvance(line) for line in lines) + self.px(6)
            h = fm.height() * len(lines) + self.px(4)
            rect = QRectF(self.plot.center().x() - w / 2, top, w, h)
            p.setPen(QPen(QColor("#BBBBBB")))
            p.setBrush(QColor(255, 255, 255, 235))
            p.drawRect(rect)
            p.setPen(QColor("#444444"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            self.boxes["notices"].append(rect)
            top = rect.bottom() + self.px(2)
        p.setFont(self.font)

    def _ref_labels(self, p: QPainter) -> None:
        """Labels inside the plot on a white box, beside their line and clear of each other, the markers and
        the notices (``present.placement``, as in the window)."""
        p.setFont(self.small)
        fm = QFontMetricsF(self.small, p.device())
        refs, wants = [], []
        for r in self.c.refs:
            if not r.label:
                continue
            c = float((self.to_x if r.vertical else self.to_y)(np.array([r.value]))[0])
            if not np.isfinite(c):
                continue
            refs.append(r)
            wants.append(
                LineLabel(r.vertical, c, fm.horizontalAdvance(r.label) + self.px(3), fm.height() + self.px(1), r.along)
            )
        inset = self.px(1.5)
        area = Box(
            self.plot.left() + inset,
            self.plot.top() + inset,
            self.plot.width() - 2 * inset,
            self.plot.height() - 2 * inset,
        )
        obstacles = [Box(b.x(), b.y(), b.width(), b.height()) for b in self.boxes["markers"] + self.boxes["notices"]]
        plot = Box(self.plot.left(), self.plot.top(), self.plot.width(), self.plot.height())
        for r, box in zip(refs, place_line_labels(wants, area, obstacles, plot), strict=True):
            if box is None:
                continue
            rect = QRectF(box.x, box.y, box.w, box.h)
            self.boxes["ref_labels"].append(rect)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 255, 255, 225))
            p.drawRect(rect)
            p.setPen(QColor(r.color))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, r.label)
        p.setFont(self.font)

    # legend --------------------------------------------------------------------------------------
    def _legend_items(self) -> list:
        if self.c.legend is not None:
            return list(self.c.legend)
        return [
            LegendKey(
                s.label,
                s.color,
                s.dash,
                s.width_pt,
                s.marker,
                s.filled,
                s.band_low is not None,
                s.line,
                s.marker_size_pt,
                s.band_alpha,
            )
            for s in self.c.series
            if s.label and s.in_legend
        ]

    def _legend_layout(self, fm: QFontMetricsF):
        items = self._legend_items()
        sample_w = self.px(22)
        gap = self.px(10)
        cols = max(1, min(self.c.legend_columns, len(items)))
        while cols > 1:
            col_w = (self.w - self.px(8)) / cols
            if all(sample_w + self.px(4) + fm.horizontalAdvance(s.label) <= col_w - gap * 0.5 for s in items):
                break
            cols -= 1
        rows = math.ceil(len(items) / cols) if items else 0
        return items, cols, rows, sample_w

    def _legend_height(self, fm: QFontMetricsF) -> float:
        _, _, rows, _ = self._legend_layout(fm)
        return rows * (fm.height() + self.px(2.5)) + (self.px(4) if rows else 0)

    def _legend(self, p: QPainter, fm: QFontMetricsF, top: float) -> None:
        items, cols, rows, sample_w = self._legend_layout(fm)
        if not items:
            return
        col_w = (self.w - self.px(8)) / cols
        row_h = fm.height() + self.px(2.5)
        self.boxes["legend"].append(QRectF(self.px(4), top, self.w - self.px(8), rows * row_h + self.px(2)))
        for k, s in enumerate(items):
            r, c = divmod(k, cols)
            x = self.px(4) + c * col_w
            y = top + self.px(2) + r * row_h + row_h / 2
            if s.band:
                color = QColor(s.color)
                color.setAlphaF(s.band_alpha * 1.6)
                p.fillRect(QRectF(x, y - row_h * 0.32, sample_w, row_h * 0.64), color)
            if s.line:
                p.setPen(self.pen(s.color, s.width_pt, s.dash))
                p.drawLine(QPointF(x, y), QPointF(x + sample_w, y))
            if s.marker:
                draw_marker(
                    p,
                    QPointF(x + sample_w / 2, y),
                    s.marker,
                    self.px(s.marker_size_pt),
                    s.color,
                    s.filled,
                    self.px(0.9),
                )
            p.setPen(QColor("#000000"))
            p.drawText(QPointF(x + sample_w + self.px(4), y + fm.ascent() / 2 - fm.descent() / 2), s.label)


def draw_marker(p: QPainter, c: QPointF, shape: str, size: float, color: str, filled: bool, line_w: float) -> None:
    """Open or filled shapes that differ by outline, so they survive greyscale printing."""
    pen = QPen(QColor(color) if not filled else QColor("#000000"))
    pen.setWidthF(line_w)
    p.setPen(pen)
    p.setBrush(QColor(color) if filled else QColor("white"))
    r = size / 2
    x, y = c.x(), c.y()
    if shape == "circle":
        p.drawEllipse(c, r, r)
    elif shape == "square":
        p.drawRect(QRectF(x - r * 0.88, y - r * 0.88, r * 1.76, r * 1.76))
    elif shape in ("triangle", "invtriangle"):
        s = -1 if shape == "triangle" else 1
        p.drawPolygon(
            QPolygonF([QPointF(x, y + s * r * 1.1), QPointF(x - r, y - s * r * 0.7), QPointF(x + r, y - s * r * 0.7)])
        )
    elif shape == "diamond":
        p.drawPolygon(
            QPolygonF([QPointF(x, y - r * 1.2), QPointF(x + r, y), QPointF(x, y + r * 1.2), QPointF(x - r, y)])
        )
    elif shape == "star":
        pts = []
        for k in range(10):
            rad = r * (1.3 if k % 2 == 0 else 0.55)
            ang = math.pi / 2 + k * math.pi / 5
            pts.append(QPointF(x + rad * math.cos(ang), y - rad * math.sin(ang)))
        p.drawPolygon(QPolygonF(pts))
    else:  # cross
        pen.setColor(QColor(color))
        pen.setWidthF(line_w * 1.6)
        p.setPen(pen)
        p.drawLine(QPointF(x - r, y - r), QPointF(x + r, y + r))
        p.drawLine(QPointF(x - r, y + r), QPointF(x + r, y - r))
