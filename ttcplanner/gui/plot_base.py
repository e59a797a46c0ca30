"""What the three plan plots share: axes that print $ and token counts, log-safe data, hover read-outs.

pyqtgraph's log mode takes log10 of the data and cannot draw 0, inf or NaN, so every array goes
through ``log_safe`` (non-drawable values become NaN and curves use connect='finite'). Items that
pyqtgraph does not transform (markers, marker lines, TextItem) are positioned with ``to_view``.
Hovering finds the nearest drawn point in screen pixels across every registered curve.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QGraphicsWidget,
)

from ttcplanner.gui import style
from ttcplanner.gui.legend import QT_DASHES, Legend, spec_pen, symbol_pixmap
from ttcplanner.gui.pg_internals import KeptPicturesAxis, remembered, render_symbol
from ttcplanner.model.format import pct
from ttcplanner.present.figures import Figure, Key
from ttcplanner.present.placement import (
    CORNERS,
    Box,
    LineLabel,
    covers_data,
    marker_box,
    place_legend,
    place_line_labels,
)

HOVER_RADIUS_PX = 14
SNAP_LOG_DECADES = 0.5  # fitted log axes move in half decades ...
SNAP_LINEAR = 5.0  # ... and linear (percent) axes in 5-point steps, so a slider drag rarely moves them
SIMPLIFY_FROM_POINTS = 64  # curves at least this long lose the points inside their straight runs
FIT_PADDING = 0.02  # fraction of the fitted span left blank at each end
KEEP_FILLED = 0.6  # a fitted axis stays put while the data stays inside it and fills this share of it
LEGEND_POINT_SIZE = 8
PLOT_MIN_SIZE_PX = (230, 260)  # three side by side beside the scenario panel fit a 1280-pixel-wide screen
LEGEND_CHROME_PX = 70  # legend width besides its text: corner offset, line sample, margins
LEGEND_MIN_TEXT_PX = 80
LEGEND_BELOW_GAP_PX = 4  # between the x-axis title and a legend below the plot


def snapped_span(values: np.ndarray, step: float) -> tuple[float, float] | None:
    """The finite values' [min, max] widened outward to multiples of ``step`` (None if nothing is finite)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    lo, hi = math.floor(float(v.min()) / step) * step, math.ceil(float(v.max()) / step) * step
    return (lo, hi) if hi > lo else (lo - step, hi + step)


def steady_span(current: tuple[float, float] | None, wanted: tuple[float, float] | None, step: float = 0.0):
    """``current`` while it still holds ``wanted`` and ``wanted`` fills KEEP_FILLED of it, else ``wanted``
    with ``step`` to spare on each side where the data left ``current`` (when it still fills KEEP_FILLED).

    A slider drag then moves an axis only when the data leaves it or shrinks well inside it, not each time
    the data's edge crosses a grid line, and data that keeps moving the same way has room to move into
    (each move redraws the axes and the grid: the slowest steps).
    """
    if current is None or wanted is None:
        return wanted
    inside = current[0] <= wanted[0] and wanted[1] <= current[1]
    if inside and wanted[1] - wanted[0] >= KEEP_FILLED * (current[1] - current[0]):
        return current
    if not inside and step > 0:
        lo = wanted[0] - (step if wanted[0] < current[0] else 0.0)
        hi = wanted[1] + (step if wanted[1] > current[1] else 0.0)
        if wanted[1] - wanted[0] >= KEEP_FILLED * (hi - lo):
            return lo, hi
    return wanted


AXIS_END_PX = 2.0  # an axis measures its ticks for its side plus a pixel at each end (generateDrawSpecs)
TICK_ROOM_PX = 4  # between the widest tick label and the axis title


class FormatAxis(KeptPicturesAxis):
    """Tick labels through the project's formatters (``$12k``, ``100k``) rather than ``1e+04``, in a fixed space
    as wide as the widest label the formatter can print (``fit_text_space``): pyqtgraph's own sizing follows
    the ticks shown, which re-lays out the plot as a slider moves, and a fixed space too small for the labels
    lets them run under the axis title."""

    def __init__(self, orientation: str, fmt: Callable[[float], str]):
        super().__init__(orientation)
        self._fmt = fmt
        self.enableAutoSIPrefix(False)

    def fit_text_space(self, metrics: QFontMetrics, samples: list[float]) -> None:
        """Reserve room for the widest (or tallest) of the labels ``samples`` format to, plus TICK_ROOM_PX."""
        if self.orientation in ("left", "right"):
            room = max(metrics.horizontalAdvance(self._fmt(v)) for v in samples) + TICK_ROOM_PX
            self.setStyle(autoExpandTextSpace=False, tickTextWidth=int(room))
            self.setWidth(None)
        else:
            self.setStyle(autoExpandTextSpace=False, tickTextHeight=int(metrics.height()) + TICK_ROOM_PX // 2)
            self.setHeight(None)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        if self.logMode:
            # whole decades get a label; minor ticks stay unlabelled unless only a decade or less is shown
            few = spacing is not None and spacing < 1
            return [self._fmt(10.0**v) if abs(v - round(v)) < 1e-6 or few else "" for v in values]
        return [self._fmt(v) for v in values]


class Drawn:
    """What each item of a view last drew: a view redraws an item only when its new spec differs (each touch
    of an item repaints it). The one change check of the plots."""

    def __init__(self):
        self._specs: dict = {}

    def changed(self, item, spec, aspect: str = "") -> bool:
        """True (and ``spec`` remembered) when ``item`` last drew something else or nothing; ``aspect`` tells
        apart what one item draws separately (a curve's data and its pen)."""
        key = (id(item), aspect)  # items live as long as their plot
        if key in self._specs and self._specs[key] == spec:
            return False
        self._specs[key] = spec
        return True


def _cache_pixels(item) -> None:
    """Keep the item's pixels and repaint it from them until it changes. Axes and titles
    touch the plot area, so each curve that moves used to redraw them in Python as well."""
    for part in (item, *item.childItems()):  # the text of a pyqtgraph label is a child QGraphicsTextItem
        part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _shows(current: list[float], fitted: tuple[float, float]) -> bool:
    """The view shows exactly ``fitted`` plus its padding (a rounding error apart)."""
    span = fitted[1] - fitted[0]
    lo, hi = fitted[0] - FIT_PADDING * span, fitted[1] + FIT_PADDING * span
    return abs(current[0] - lo) <= 1e-6 * span and abs(current[1] - hi) <= 1e-6 * span


class Marker(QGraphicsPixmapItem):
    """One symbol of fixed pixel size at a point in view coordinates, drawn by Qt from a pixmap rendered
    once the way pyqtgraph renders its symbols: a one-point ScatterPlotItem costs a Python paint every
    time anything beneath it changes. ``getData`` answers like a ScatterPlotItem's."""

    def __init__(self, symbol: str, size: float, pen, brush, dpr: float = 2.0):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.size_px = size
        self.restyle(render_symbol(symbol, size, pen, brush, dpr=dpr))
        self.hide()

    def restyle(self, image) -> None:
        """A new picture (a QImage or QPixmap with its device pixel ratio set), centred on the point."""
        pix = image if isinstance(image, QPixmap) else QPixmap.fromImage(image)
        self.setPixmap(pix)
        side = pix.width() / pix.devicePixelRatio()
        self.setOffset(-side / 2, -side / 2)
        self.size_px = side

    def place(self, x_view: float | None = None, y_view: float | None = None) -> None:
        """Show the marker at (x_view, y_view), or hide it when either is None or not finite (Qt ignores a
        position or visibility that is already the item's)."""
        shown = x_view is not None and y_view is not None and math.isfinite(x_view) and math.isfinite(y_view)
        if shown:
            self.setPos(x_view, y_view)
        self.setVisible(shown)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's name
        if not self.isVisible():
            return np.zeros(0), np.zeros(0)
        return np.array([self.pos().x()]), np.array([self.pos().y()])


class Curve(QGraphicsPathItem):
    """A polyline in view coordinates (log10 on log axes) that Qt draws by itself: a QGraphicsPathItem with a
    cosmetic pen. pyqtgraph's PlotCurveItem paints, measures its bounds and handles each setData in Python;
    with a dozen curves repainted per slider step that was a tenth of the step. Speaks enough of
    PlotCurveItem for the legend (``opts``), auto-range (``dataBounds``) and readers (``getData``)."""

    def __init__(self, pen: QPen, vb: pg.ViewBox):
        super().__init__()
        self._vb = vb
        self.opts = {"pen": pen}  # what pyqtgraph's legend sample draws
        self.xData: np.ndarray | None = None
        self.yData: np.ndarray | None = None
        self._data_rect: QRectF | None = None  # the finite points' extent
        self._bounds: QRectF | None = None  # ... plus the pen's half width, in view units
        super().setPen(pen)
        vb.sigTransformChanged.connect(self._forget_bounds)  # the pen's width in view units changed

    def setPen(self, pen: QPen) -> None:  # noqa: N802 - Qt API
        self.prepareGeometryChange()
        self.opts["pen"] = pen
        self._bounds = None
        super().setPen(pen)

    def setData(self, x, y) -> None:  # noqa: N802 - pyqtgraph's name
        """Draw the points (x[i], y[i]), leaving a gap at each non-finite value."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        finite = np.isfinite(x) & np.isfinite(y)
        self.prepareGeometryChange()  # before the bounds change: Qt repaints where the curve was
        self.xData, self.yData = x, y
        if finite.any():
            fx, fy = x[finite], y[finite]
            x0, y0 = float(fx.min()), float(fy.min())
            self._data_rect = QRectF(x0, y0, float(fx.max()) - x0, float(fy.max()) - y0)
            path = pg.arrayToQPath(x, y, connect="finite")
        else:
            self._data_rect, path = None, QPainterPath()
        self._bounds = None
        self.setPath(path)

    def getData(self) -> tuple[np.ndarray | None, np.ndarray | None]:  # noqa: N802 - pyqtgraph's name
        return self.xData, self.yData

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802, N803 - pyqtgraph API
        """The finite points' extent along ``ax`` (None, None without one); for auto-ranged plots."""
        r = self._data_rect
        if r is None:
            return None, None
        return (r.left(), r.right()) if ax == 0 else (r.top(), r.bottom())

    def pixelPadding(self) -> float:  # noqa: N802 - pyqtgraph API
        return self.opts["pen"].widthF() * 0.7072

    def _forget_bounds(self, *_) -> None:
        self.prepareGeometryChange()
        self._bounds = None

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        """The points' extent plus the cosmetic pen's reach in pixels (Qt's own bounds would stroke the path
        with the pen's width in view units: slow, and decades wide on a log axis)."""
        if self._bounds is None:
            if self._data_rect is None:
                self._bounds = QRectF()
            else:
                px, py = self._vb.viewPixelSize()
                pad = self.pixelPadding() + 1.0
                self._bounds = self._data_rect.adjusted(-pad * px, -pad * py, pad * px, pad * py)
        return self._bounds

    def shape(self) -> QPainterPath:
        """No mouse area: hovering is the plot's (nearest point), and Qt's shape would stroke the path."""
        return QPainterPath()


class MarkerLine:
    """A marker line across the plot (budget, target, volume, break-even) with a boxed label, drawn by Qt.

    The line ignores the view's scaling and is laid out in screen pixels from the view range, so a move is a
    few setPos calls (pyqtgraph's InfiniteLine recomputed its bounds and its label in Python on every move and
    repaint). The label is a child of the view box, in its pixels: the plot places every line's label at once
    (``PlanPlot.place_labels``, by ``present.placement``) so they avoid each other and the markers.
    """

    PEN_PX = 1.5
    LABEL_PAD_PX = 2

    def __init__(self, plot: "PlanPlot", vertical: bool, color, dash: str = "dash"):
        self._vb = plot.getPlotItem().getViewBox()
        self.vertical = vertical
        pen = QPen(pg.mkColor(color), self.PEN_PX, QT_DASHES.get(dash, Qt.PenStyle.DashLine))
        pen.setCosmetic(True)
        self.line = QGraphicsLineItem()
        self.line.setPen(pen)
        self.line.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.line.setZValue(50)
        plot.getPlotItem().addItem(self.line, ignoreBounds=True)
        self.box = QGraphicsRectItem(self._vb)
        self.box.setPen(QPen(Qt.PenStyle.NoPen))
        self.box.setBrush(pg.mkBrush(255, 255, 255, 215))
        self.box.setZValue(90)
        self.text = QGraphicsSimpleTextItem(self.box)
        self.text.setBrush(pg.mkColor(color))
        self.text.setFont(plot.font())
        # its pixels are kept: the label is redrawn under every moving curve, and its text rarely changes
        self.text.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.text.setPos(self.LABEL_PAD_PX, self.LABEL_PAD_PX)
        self._pos: float | None = None
        self._vb.sigRangeChanged.connect(self._layout)
        self._vb.sigResized.connect(self._layout)

    def value(self) -> float | None:
        return self._pos

    def isVisible(self) -> bool:  # noqa: N802 - Qt's name
        return self.line.isVisible()

    def setVisible(self, on: bool) -> None:  # noqa: N802 - Qt's name
        self.line.setVisible(on)
        self.box.setVisible(on and self.box.rect().width() > 0)

    def label_text(self) -> str:
        return self.text.text()

    def label_size(self) -> tuple[float, float]:
        size = self.text.boundingRect().size()
        return size.width() + 2 * self.LABEL_PAD_PX, size.height() + 2 * self.LABEL_PAD_PX

    def place(self, pos_view: float, text: str) -> None:
        """Move the line (view units) and relabel it; the plot places the label afterwards."""
        self.text.setText(text)
        self._pos = pos_view
        self._layout()

    def put_label(self, box) -> None:
        """Show the label in ``box`` (view-box pixels, a present.placement.Box), or hide it for None."""
        if box is None:
            self.box.setVisible(False)
            return
        self.box.setRect(0, 0, box.w, box.h)
        self.box.setPos(box.x, box.y)
        self.box.setVisible(self.line.isVisible())

    def _layout(self, *_) -> None:
        if self._pos is None or not math.isfinite(self._pos):
            return
        (x0, x1), (y0, y1) = self._vb.viewRange()
        if self.vertical:
            self.line.setPos(self._pos, y1)  # the top; the line runs down the view in pixels
            self.line.setLine(0, 0, 0, self._vb.height())
        else:
            self.line.setPos(x0, self._pos)
            self.line.setLine(0, 0, self._vb.width(), 0)


@dataclass
class HoverTarget:
    x: np.ndarray  # data coordinates (not log10)
    y: np.ndarray
    text: Callable[[int], str]  # index into x/y -> read-out


def without_collinear(x: np.ndarray, y: np.ndarray, rel_tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """The polyline without the points that lie, going the same way, on the straight line through their
    neighbours: the same picture with fewer segments to stroke. On the log-log volume plot a per-token
    price is a straight line, and a GPU fleet's cost flat between replica counts: most of the 181 grid
    points. Points next to a gap (NaN) are kept; a run of gaps is one NaN, and a curve without a drawable
    point is empty."""
    drawable = np.isfinite(x) & np.isfinite(y)
    gap_start = ~drawable & np.concatenate(([False], drawable[:-1]))
    if not drawable.all():
        x, y = x[drawable | gap_start], y[drawable | gap_start]
    if len(x) < SIMPLIFY_FROM_POINTS:  # a few points: the test costs more than the segments it saves
        return x, y
    dx1, dy1 = x[1:-1] - x[:-2], y[1:-1] - y[:-2]
    dx2, dy2 = x[2:] - x[1:-1], y[2:] - y[1:-1]
    with np.errstate(invalid="ignore"):
        straight = np.abs(dx1 * dy2 - dy1 * dx2) <= rel_tol * (np.abs(dx1) + np.abs(dy1)) * (np.abs(dx2) + np.abs(dy2))
        straight &= dx1 * dx2 + dy1 * dy2 > 0  # a turn back is kept (NaN comparisons are False: kept)
    if not straight.any():
        return x, y
    keep = np.ones(len(x), dtype=bool)
    keep[1:-1] = ~straight
    return x[keep], y[keep]


def log_safe(values, log: bool) -> np.ndarray:
    a = np.array(values, dtype=float)
    bad = ~np.isfinite(a)
    if log:
        bad |= a <= 0
    a[bad] = np.nan
    return a


TITLE_POINT_SIZE = 10
TITLE_SIDE_PX = 8  # the title row's width is the plot's less the left axis and this
TITLE_MARGIN_PX = 10  # the title label's text-document margins
NOTICE_GAP_PX = 14  # between a notice and the highest marker below it
LABEL_INSET_PX = 2  # marker-line labels keep this far inside the view box
DOT_SIZE_PX = 6


def _tick_samples(log: bool) -> list[float]:
    """Values whose labels are as wide as any this axis can show (``FormatAxis.fit_text_space``)."""
    if log:
        return [m * 10.0**e for e in range(-4, 10) for m in (1, 2, 5)]
    return [-5.0, 0.0, 55.0, 100.0]


def _axis_html(title: str, note: str) -> str:
    html = f"<span style='color:#333'>{title}</span>"
    return html + (f"<br><span style='color:#555; font-size:7.5pt'>{note}</span>" if note else "")


class PlanPlot(pg.PlotWidget):
    def __init__(
        self,
        name: str,
        title: str,
        x_label: str,
        y_label: str,
        x_fmt,
        y_fmt,
        log_x: bool,
        log_y: bool,
        legend_corner: str = "top-left",
    ):
        self._log_x, self._log_y = log_x, log_y
        axes = {"bottom": FormatAxis("bottom", x_fmt), "left": FormatAxis("left", y_fmt)}
        super().__init__(background=style.PLOT_BG, axisItems=axes)
        self.setObjectName(name)
        self.setMinimumSize(PLOT_MIN_SIZE_PX[0], PLOT_MIN_SIZE_PX[1])
        # Items are drawn without antialiasing (pyqtgraph's default), so the 2-pixel margin Qt adds around
        # each changed item only made a moving curve repaint the axes and title beside the view as well.
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # One rectangle around everything that changed: most steps change items all over the plot, and a
        # region of many small rectangles cost more to paint than the pixels it spared.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.drawn = Drawn()
        self.title_reserve_px = 0  # room kept free at the right of the title row (the accuracy plot's check box)
        pi = self.getPlotItem()
        self._title = ""
        self.set_title(title)
        pen = pg.mkPen(style.AXIS_COLOR)
        metrics = QFontMetrics(self.font())
        for side, label, log in (("bottom", x_label, log_x), ("left", y_label, log_y)):
            ax = pi.getAxis(side)
            ax.setPen(pen)
            ax.setTextPen(pen)
            ax.setLabel(_axis_html(label, ""))
            ax.fit_text_space(metrics, _tick_samples(log))
        pi.getAxis("left").geometryChanged.connect(self._fit_title)  # a wider axis leaves the title less room
        for side in ("top", "right"):  # never shown, but linked: each range change re-set their labels' HTML
            pi.getAxis(side).unlinkFromView()
        for item in (pi.getAxis("bottom"), pi.getAxis("left"), pi.titleLabel):
            _cache_pixels(item)
        # One path of hairlines Qt draws itself (a width-0 pen: one pixel, bounds without stroking); pyqtgraph's
        # showGrid repaints in Python.
        self._grid = QGraphicsPathItem()
        self._grid.setPen(QPen(pg.mkColor(style.GRID_COLOR), 0))
        self._grid.setZValue(-100)
        self._grids: OrderedDict = OrderedDict()  # view range and size -> grid path
        pi.addItem(self._grid, ignoreBounds=True)
        pi.getViewBox().sigRangeChanged.connect(self._update_grid)
        pi.getViewBox().sigResized.connect(self._update_grid)  # the ticks, and so the lines, follow the length too
        pi.setLogMode(x=log_x, y=log_y)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        offset = {"top-left": (8, 8), "bottom-right": (-8, -8), "top-right": (-8, 8)}[legend_corner]
        self._legend_font = QFont(self.font().family())
        self._legend_font.setPointSizeF(LEGEND_POINT_SIZE)
        self.legend = Legend(pi.getViewBox(), offset, self._legend_font, parent=pi)
        self._legend_entries: list[tuple] = []
        self._legend_tip = ""
        # A figure's legend goes to the first corner (its own, then the opposite one) where it covers no data,
        # else below the plot, in a layout row that is otherwise of no height (``_place_legend``).
        diagonal = {"top-left": "bottom-right", "bottom-right": "top-left", "top-right": "bottom-left"}
        self._legend_corners = tuple(dict.fromkeys((legend_corner, diagonal[legend_corner], *CORNERS)))
        self._legend_row = QGraphicsWidget()
        self._legend_row.setMinimumHeight(0)
        self._legend_row.setMaximumHeight(0)
        pi.layout.addItem(self._legend_row, 4, 0, 1, 3)
        pi.layout.setRowSpacing(4, 0)
        self._legend_row.geometryChanged.connect(self._put_legend_below)
        self._legend_outside = False  # below the plot until the names or the plot's size change
        self._legend_for: tuple = ()  # the widget size the legend was placed for
        self._legend_row_px = 0.0  # the tallest legend below the plot at that size
        self._legend_box: Box | None = None  # its corner box inside the view box (pixels) while inside
        self._curves_clear_of: tuple = (None, False)  # (box, view and curves) last tested, and whether clear
        self._hover_targets: list[HoverTarget] = []
        self._hover = pg.TextItem(
            anchor=(0, 1), color="#111", fill=pg.mkBrush(255, 255, 240, 235), border=pg.mkPen("#999")
        )
        self._hover.setZValue(1000)
        self._hover.setFont(QFont(self.font().family(), 8))
        self._hover.hide()
        pi.addItem(self._hover, ignoreBounds=True)
        self._hover_dot = self.marker("o", 9, (255, 255, 255, 0), z=999, pen=pg.mkPen("#111", width=1.5))
        # Said in the plot when a figure has a notice (the volume plot without a cost curve).
        self.notice = pg.TextItem(
            "", anchor=(0.5, 1.0), color="#444", fill=pg.mkBrush(255, 255, 255, 230), border=pg.mkPen("#bbb")
        )
        self.notice.setFont(QFont(self.font().family(), 8))
        self.notice.setZValue(60)
        self.notice.hide()
        pi.addItem(self.notice, ignoreBounds=True)
        self.scene().sigMouseMoved.connect(self._on_mouse)
        self._fitted: tuple = (None, None)  # the view range shown when the user has not zoomed
        self._tight: tuple = (None, None)  # the snapped range of the latest data (Fit Plots goes back to it)
        self.user_view = False  # True once the user zooms or pans: plans stop moving the axes
        pi.getViewBox().sigRangeChangedManually.connect(self._on_user_range)
        # the figure's items by spec key, made on first use and hidden when a figure lacks them
        self._series: dict[str, tuple[Curve, QGraphicsPathItem]] = {}
        self._marks: dict[str, Marker] = {}
        self._lines: dict[str, MarkerLine] = {}
        self._dots: list[Marker] = []
        self.figure: Figure | None = None
        pi.getViewBox().sigRangeChanged.connect(self.place_labels)
        pi.getViewBox().sigResized.connect(self.place_labels)

    # -- title -------------------------------------------------------------------------------------
    def set_title(self, title: str) -> None:
        self._title = title
        self._fit_title()

    def _fit_title(self, *_) -> None:
        """The title, cut with "…" to the width it has (pyqtgraph pins the plot's minimum width to its
        title's, and a long title then pushed the plot past the window's edge)."""
        font = QFont(self.font())
        font.setPointSizeF(TITLE_POINT_SIZE)
        font.setBold(True)
        label = self.getPlotItem().titleLabel
        side = self.title_reserve_px or TITLE_SIDE_PX  # a check box at the row's right end is the margin there
        room = max(40, self.width() - self.getPlotItem().getAxis("left").width() - side)
        text_room = room - TITLE_MARGIN_PX
        for _ in range(3):  # the label's box is its text's plus the text document's margins: measured, then cut
            text = QFontMetrics(font).elidedText(self._title, Qt.TextElideMode.ElideRight, int(text_room))
            justify = "left" if self.title_reserve_px else "center"
            if self.drawn.changed(label, (text, justify)):
                self.getPlotItem().setTitle(
                    text, size=f"{TITLE_POINT_SIZE}pt", bold=True, color="#222", justify=justify
                )
            if label.minimumWidth() <= room:
                break
            text_room -= label.minimumWidth() - room + 1
        pi, port = self.getPlotItem(), self.viewport()
        if pi.geometry().width() > port.width():  # sized while the title was wider: fit the view again
            pi.setGeometry(QRectF(0, 0, port.width(), port.height()))

    # -- view range ------------------------------------------------------------------------------
    def fit_view(self, x=None, y=None) -> None:
        """Show data-space ``x`` / ``y`` (None: leave that axis alone), snapped to a coarse grid.

        Explicit ranges instead of pyqtgraph's auto-range: auto-range re-measures every item's bounds
        before each paint and shifts the axes on every slider step, which makes curves hard to follow.
        """
        vx, vy = self.view_arrays(np.ravel(x) if x is not None else [], np.ravel(y) if y is not None else [])
        step_x = SNAP_LOG_DECADES if self._log_x else SNAP_LINEAR
        step_y = SNAP_LOG_DECADES if self._log_y else SNAP_LINEAR
        span_x = snapped_span(vx, step_x) if x is not None else None
        span_y = snapped_span(vy, step_y) if y is not None else None
        self._tight = (span_x or self._tight[0], span_y or self._tight[1])
        self._fitted = (
            steady_span(self._fitted[0], span_x, step_x) or self._fitted[0],
            steady_span(self._fitted[1], span_y, step_y) or self._fitted[1],
        )
        if not self.user_view:
            self._apply_fitted()

    def fix_axis(self, x: tuple[float, float] | None = None, y: tuple[float, float] | None = None) -> None:
        """An axis that always shows the same view-space span (accuracy 0-100 %); Fit Plots restores it too."""
        self._fitted = (x or self._fitted[0], y or self._fitted[1])
        self._tight = (x or self._tight[0], y or self._tight[1])
        if not self.user_view:
            self._apply_fitted()

    def reset_view(self) -> None:
        """Back to the fitted range after the user zoomed or panned (double-click, View > Fit Plots)."""
        self.user_view = False
        if self._fitted == (None, None):  # a plot that is never fitted (compare, Monte Carlo) auto-ranges
            self.getPlotItem().enableAutoRange()
        self._fitted = self._tight  # tight around the data again, whatever the drag left
        self._apply_fitted()

    def _apply_fitted(self) -> None:
        vb = self.getPlotItem().getViewBox()
        (cx, cy), (fx, fy) = vb.viewRange(), self._fitted
        want = {}
        if fx is not None and not _shows(cx, fx):
            want["xRange"] = fx
        if fy is not None and not _shows(cy, fy):
            want["yRange"] = fy
        if want:
            vb.setRange(**want, padding=FIT_PADDING)
            vb.updateMatrix()  # now, not in pyqtgraph's pre-paint hook, which would repaint a pass later

    def _on_user_range(self, *_):
        self.user_view = True

    def mouseDoubleClickEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().mouseDoubleClickEvent(ev)
        self.reset_view()

    def _update_grid(self, *_):
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        # a range seen before: its lines, not the ticks again
        path = remembered(
            self._grids,
            (x0, x1, y0, y1, vb.width(), vb.height()),
            lambda: pg.arrayToQPath(*self._grid_lines(vb, x0, x1, y0, y1), connect="pairs"),
        )
        self._grid.setPath(path)

    def _grid_lines(self, vb, x0, x1, y0, y1) -> tuple[np.ndarray, np.ndarray]:
        """The major ticks' grid lines across the view, as pairs of points."""
        xs, ys = [], []
        for side, lo, hi, length in (("bottom", x0, x1, vb.width()), ("left", y0, y1, vb.height())):
            # the axis's own ticks, so the lines fall on them (and the axis finds them computed)
            levels = self.getPlotItem().getAxis(side).tickValues(lo, hi, max(length, 1.0) + AXIS_END_PX)
            values = [v for _, vals in levels[:1] for v in vals if lo <= v <= hi]
            for v in values:
                if side == "bottom":
                    xs += [v, v]
                    ys += [y0, y1]
                else:
                    xs += [x0, x1]
                    ys += [v, v]
        return np.array(xs, float), np.array(ys, float)

    # -- coordinates -------------------------------------------------------------------------------
    def to_view(self, x: float, y: float) -> tuple[float, float]:
        fx = math.log10(x) if self._log_x and x > 0 else (x if not self._log_x else math.nan)
        fy = math.log10(y) if self._log_y and y > 0 else (y if not self._log_y else math.nan)
        return fx, fy

    def view_arrays(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = log_safe(x, self._log_x), log_safe(y, self._log_y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.log10(xs) if self._log_x else xs), (np.log10(ys) if self._log_y else ys)

    def to_pixels(self, x_view: float, y_view: float) -> tuple[float, float]:
        """View coordinates -> the view box's pixels (y down)."""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        return (
            (x_view - x0) / (x1 - x0) * vb.width() if x1 > x0 else math.nan,
            (y1 - y_view) / (y1 - y0) * vb.height() if y1 > y0 else math.nan,
        )

    # -- items ---------------------------------------------------------------------------------------
    def curve(self, color, width: float = 1.5, z: float = 0, style_=None) -> Curve:
        """A curve that ``set_curve`` fills with data already mapped to the axes (log10 where an axis is log)."""
        pen = pg.mkPen(color, width=width) if style_ is None else pg.mkPen(color, width=width, style=style_)
        item = Curve(pen, self.getPlotItem().getViewBox())
        item.setZValue(z)
        self.getPlotItem().addItem(item)
        return item

    def set_curve(self, item: Curve, x, y, every_point: bool = False) -> None:
        """Show data-space ``x``, ``y`` on a ``curve`` (values these axes cannot draw are gaps); setData only
        when the numbers changed. Points in the middle of a straight run are left out (see
        ``without_collinear``) unless ``every_point``."""
        xs, ys = self.view_arrays(x, y)
        if self.drawn.changed(item, (xs.tobytes(), ys.tobytes())):
            item.setData(*((xs, ys) if every_point else without_collinear(xs, ys)))

    def band(self, z: float = 3) -> QGraphicsPathItem:
        """A filled band (no outline) whose path ``set_band`` builds: one item painted by Qt, where two
        invisible pyqtgraph curves and a FillBetweenItem cost three Python paints and two path rebuilds."""
        item = QGraphicsPathItem()
        item.setPen(QPen(Qt.PenStyle.NoPen))
        item.setZValue(z)
        self.getPlotItem().addItem(item, ignoreBounds=True)
        return item

    def set_band(self, item: QGraphicsPathItem, x, low, high) -> None:
        """Fill between ``low`` and ``high`` over ``x`` (data units; points not drawable on these axes are
        left out); skipped when unchanged."""
        vx, vlo = self.view_arrays(x, low)
        vhi = self.view_arrays(x, high)[1]
        ok = np.isfinite(vx) & np.isfinite(vlo) & np.isfinite(vhi)
        vx, vlo, vhi = vx[ok], vlo[ok], vhi[ok]
        if not self.drawn.changed(item, (vx.tobytes(), vlo.tobytes(), vhi.tobytes())):
            return
        path = pg.arrayToQPath(np.concatenate([vx, vx[::-1]]), np.concatenate([vhi, vlo[::-1]]), connect="all")
        path.closeSubpath()
        item.setPath(path)

    def line(self, angle: int, color, dash: str = "dash") -> MarkerLine:
        """A marker across the plot (vertical for angle 90, else horizontal)."""
        return MarkerLine(self, angle == 90, color, dash)

    def marker(self, symbol: str, size: float, brush, z: float = 30, pen="#111") -> Marker:
        item = Marker(symbol, size, pen, brush)
        item.setZValue(z)
        self.getPlotItem().addItem(item, ignoreBounds=True)
        return item

    def set_legend(self, entries: list[tuple]) -> None:
        """Show ``(sample, name)`` or ``(sample, name, suffix)`` entries, names cut with "…" to fit the plot.

        A long model name would otherwise push the legend past the plot's edge, where it is clipped; the
        suffix (a role such as " (recommended)") is always kept whole, and the legend's tooltip and hovering
        the curve show the whole name. The legend is redrawn only when its text changes or on resize.
        """
        self._legend_entries = entries
        room = max(LEGEND_MIN_TEXT_PX, int(self.width()) - LEGEND_CHROME_PX)  # below the plot it has the width
        samples = tuple(item if isinstance(item, Key) else id(item) for item, *_ in entries)  # a Key by value
        if not self.drawn.changed(self.legend, (room, samples, tuple(tuple(text) for _, *text in entries))):
            return
        metrics = QFontMetrics(self._legend_font)
        shown, whole = [], []
        for item, name, *suffix in entries:
            tail = suffix[0] if suffix else ""
            width = max(room - metrics.horizontalAdvance(tail), 24)
            fitted = metrics.elidedText(name, Qt.TextElideMode.ElideRight, width)
            shown.append((item, fitted + tail))
            if fitted != name:
                whole.append(name + tail)
        self._legend_tip = "\n".join(whole)
        self.legend.set_entries(shown, self.legend.flow, self._legend_tip)
        self._place_legend()

    def _place_legend(self) -> None:
        """A figure's legend at the first of its corners where it covers no curve, marker or dot, else below
        the plot in as many columns as fit (plots without a figure keep their corner). Once below, it stays
        there until the plot's size changes: moving it in and out resizes the view, which then repaints a pass
        later (a target-accuracy drag changed the accuracy legend's names on most steps and flipped it)."""
        legend = self.legend
        if self.figure is None or not legend.entries:
            self._set_legend_row(0)
            legend.to_corner()
            return
        vb = self.getPlotItem().getViewBox()
        texts = [e.text for e in legend.entries]
        key = (self.width(), self.height())
        if key != self._legend_for:
            self._legend_for, self._legend_outside, self._legend_box = key, False, None
            self._legend_row_px = 0.0
        if not self._legend_outside:
            w, h = legend.size_for(texts)
            box = self._legend_box
            if box is None or (box.w, box.h) != (w, h) or not self._legend_free(box):
                area = Box(0.0, 0.0, vb.width(), vb.height())
                box = place_legend(w, h, area, *self._data_in_pixels(), self._legend_corners)
            if box is not None:
                self._legend_box = box
                if legend.flow is not None:
                    legend.set_entries([(e.item, e.text) for e in legend.entries], None, self._legend_tip)
                self._set_legend_row(0)
                at = vb.pos()
                legend.put(at.x() + box.x, at.y() + box.y)
                return
            self._legend_outside, self._legend_box = True, None
        flow = float(self.getPlotItem().width() - 2 * LEGEND_BELOW_GAP_PX)
        if legend.flow != flow:
            legend.set_entries([(e.item, e.text) for e in legend.entries], flow, self._legend_tip)
        # the row only grows while the plot keeps its size: a row that shrank with one entry fewer and grew again
        # resized the view on most steps of a drag (three repaints each), and the plot jumped up and down
        self._legend_row_px = max(self._legend_row_px, legend.boundingRect().height() + LEGEND_BELOW_GAP_PX)
        self._set_legend_row(self._legend_row_px)
        self._put_legend_below()

    def _set_legend_row(self, height: float) -> None:
        if self._legend_row.maximumHeight() != height:
            self._legend_row.setMinimumHeight(height)
            self._legend_row.setMaximumHeight(height)

    def _put_legend_below(self, *_) -> None:
        """The legend in its row below the plot, centred (again when the row moves)."""
        if not self._legend_outside or self._legend_box is not None:
            return
        row, width = self._legend_row.geometry(), self.legend.boundingRect().width()
        self.legend.put(max(0.0, row.x() + (row.width() - width) / 2), row.y() + LEGEND_BELOW_GAP_PX)

    def _legend_free(self, box: Box) -> bool:
        """Whether the legend's corner ``box`` still covers no data. The curves are tested again only when one
        of them, the view's range or its size changed (most steps move only markers and lines); markers and
        dots, a few boxes, every time."""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        curves = [c for c, _ in self._series.values() if c.isVisible() and c.xData is not None and len(c.xData)]
        key = (box, x0, x1, y0, y1, vb.width(), vb.height(), tuple(id(c.xData) for c in curves))
        if self._curves_clear_of[0] != key:
            lines, _ = self._data_in_pixels(points=False)
            self._curves_clear_of = (key, not covers_data(box, lines))
        if not self._curves_clear_of[1]:
            return False
        return not covers_data(box, [], self._data_in_pixels(lines=False)[1])

    def _data_in_pixels(self, lines: bool = True, points: bool = True) -> tuple[list, list[Box]]:
        """The drawn curves (view-box pixels, y down) and the markers' and dots' boxes: what a legend must
        not cover. Bands are not: a legend box is never free of the wide ones."""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        if x1 <= x0 or y1 <= y0:
            return [], []
        sx, sy = vb.width() / (x1 - x0), vb.height() / (y1 - y0)
        polylines, boxes = [], []
        curves = [c for c, _ in self._series.values() if c.isVisible() and c.xData is not None and len(c.xData)]
        if lines and curves:  # one polyline, the curves apart by a gap: one test instead of one per curve
            gap = np.array([np.nan])
            xs = np.concatenate([a for c in curves for a in (c.xData, gap)])
            ys = np.concatenate([a for c in curves for a in (c.yData, gap)])
            polylines.append(((xs - x0) * sx, (y1 - ys) * sy))
        for item in (*self._marks.values(), *self._dots) if points else ():
            if item.isVisible():
                at = item.pos()
                boxes.append(marker_box((at.x() - x0) * sx, (y1 - at.y()) * sy, item.size_px))
        return polylines, boxes

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if getattr(self, "drawn", None) is None or self.plotItem is None:  # during __init__, after close
            return
        self._fit_title()
        if self._legend_entries:
            self.set_legend(self._legend_entries)
        elif self.figure is not None:
            self._place_legend()

    # -- a figure spec -------------------------------------------------------------------------------
    def draw_figure(self, fig: Figure) -> None:
        """Draw ``fig`` (a ``present.figures.Figure``): every item whose spec differs from the one it drew last
        is redrawn, items the figure lacks are hidden, and the view is fitted to what the figure shows."""
        self.figure = fig
        pi = self.getPlotItem()
        for side, axis in (("bottom", fig.x), ("left", fig.y)):
            ax = pi.getAxis(side)
            if self.drawn.changed(ax, (axis.title, axis.note), "title"):
                ax.setLabel(_axis_html(axis.title, axis.note))
        wanted = {s.key for s in fig.series}
        for key, (curve, band) in self._series.items():
            if key not in wanted:
                curve.setVisible(False)
                band.setVisible(False)
        targets = []
        for s in fig.series:
            curve, band = self._series_items(s.key)
            if self.drawn.changed(curve, (s.color, s.width_pt, s.dash, s.z), "pen"):
                curve.setPen(spec_pen(s.color, s.width_pt, s.dash))
                curve.setZValue(s.z)
                color = pg.mkColor(s.color)
                band.setBrush(pg.mkBrush(color.red(), color.green(), color.blue(), 38))
            self.set_curve(curve, s.xy[0], s.xy[1], every_point=s.role == "frontier")
            curve.setVisible(True)
            if s.band is not None:
                self.set_band(band, s.xy[0], s.band[0], s.band[1])
            band.setVisible(s.band is not None)
            targets.append(self._series_target(fig, s))
        for key, mark in self._marks.items():
            if all(m.key != key for m in fig.marks):
                mark.place()
        for m in fig.marks:
            item = self.mark(m.key)
            if self.drawn.changed(item, (m.symbol, m.color, m.size_pt, m.hollow)):
                item.restyle(symbol_pixmap(m.symbol, m.size_pt * 1.45, m.color, m.hollow))
            item.place(*self.to_view(m.x, m.y))
            if m.tip:
                targets.insert(
                    0,
                    HoverTarget(np.array([m.x]), np.array([m.y]), lambda k, m=m: f"{m.tip}\n{self._readout(m.x, m.y)}"),
                )
        self._draw_dots(fig, targets)
        for key, ln in self._lines.items():
            ln.setVisible(any(line.key == key for line in fig.lines))
        for line in fig.lines:
            item = self._lines.get(line.key)
            if item is None:
                item = self._lines[line.key] = self.line(90 if line.vertical else 0, line.color, line.dash)
            v = self.to_view(line.value, 1.0)[0] if line.vertical else self.to_view(1.0, line.value)[1]
            if self.drawn.changed(item, (v, line.label)):
                item.place(v, line.label)
            item.setVisible(math.isfinite(v))
        self.set_legend([(k, k.label, k.suffix) for k in fig.legend])
        self.set_hover_targets(targets)
        self._fit_figure(fig)
        self._show_notice(fig)
        self.place_labels()

    def mark(self, key: str) -> Marker:
        """The marker drawn for the figure's ``Mark`` of this key (hidden while the figure has none)."""
        item = self._marks.get(key)
        if item is None:
            item = self._marks[key] = self.marker("o", 6, "#000", z=30 if key == "recommended" else 29)
        return item

    def marker_line(self, key: str) -> MarkerLine | None:
        """The marker line drawn for the figure's ``Line`` of this key (None before one was drawn)."""
        return self._lines.get(key)

    def series_curve(self, key: str) -> Curve:
        """The curve drawn for the figure's ``Series`` of this key (hidden while the figure has none)."""
        return self._series_items(key)[0]

    def _series_items(self, key: str) -> tuple[Curve, QGraphicsPathItem]:
        items = self._series.get(key)
        if items is None:
            items = self._series[key] = (self.curve("#000"), self.band())
        return items

    def _draw_dots(self, fig: Figure, targets: list) -> None:
        """Published dots: a pixmap marker each (pyqtgraph's scatter paints in Python), grey underneath the
        coloured ones."""
        specs = [(d, j) for d in fig.dots for j in range(len(d.tips))]
        while len(self._dots) < len(specs):
            self._dots.append(self.marker("o", DOT_SIZE_PX, "#888", z=20))
        for k, dot in enumerate(self._dots):
            if k >= len(specs):
                dot.place()
                continue
            d, j = specs[k]
            if self.drawn.changed(dot, (d.color, d.symbol)):
                dot.restyle(symbol_pixmap(d.symbol, DOT_SIZE_PX, d.color))
                dot.setZValue(19 if d.key.startswith("dots:other") else 20)
            dot.place(*self.to_view(d.xy[0][j], d.xy[1][j]))
        for d in fig.dots:
            targets.append(HoverTarget(d.xy[0], d.xy[1], lambda k, d=d: d.tips[k]))

    def _readout(self, x: float, y: float) -> str:
        fig = self.figure
        return f"{fig.x.title}: {fig.x.readout(x)}\n{fig.y.title}: {fig.y.readout(y)}" if fig else ""

    def _series_target(self, fig: Figure, s) -> HoverTarget:
        x, y = s.xy[0], s.xy[1]
        which = np.cumsum(~np.isfinite(x) & ~np.isfinite(y))  # the NaN gaps between joined pieces
        parts = s.parts or (s.label,)

        def text(k: int) -> str:
            name = parts[min(int(which[k]), len(parts) - 1)]
            extra = ""
            if s.band is not None:
                extra = f"\nband {pct(s.band[0][k])} to {pct(s.band[1][k])}"
            return f"{name}{s.suffix}\n{self._readout(x[k], y[k])}{extra}"

        return HoverTarget(x, y, text)

    def _fit_figure(self, fig: Figure) -> None:
        spans = []
        for axis, log in ((fig.x, self._log_x), (fig.y, self._log_y)):
            if axis.span is None:
                spans.append(None)
            else:
                lo, hi = axis.span
                spans.append((math.log10(lo), math.log10(hi)) if log else (lo, hi))
        if (spans[0] or spans[1]) and self.drawn.changed(self, tuple(spans), "fixed axes"):
            self.fix_axis(x=spans[0], y=spans[1])
        fx, fy = fig.fit[0], fig.fit[1]
        self.fit_view(
            x=fx if spans[0] is None and np.isfinite(fx).any() else None,
            y=fy if spans[1] is None and np.isfinite(fy).any() else None,
        )

    def _show_notice(self, fig: Figure) -> None:
        text = "\n".join(fig.notices)
        if text and self.drawn.changed(self.notice, text):
            self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self._place_notice()

    def _place_notice(self) -> None:
        """The notice just above the highest marker, or in the view's upper half without one (again after
        each range change: it is placed in view units)."""
        fig = self.figure
        if fig is None or not self.notice.isVisible():
            return
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        tops = [self.to_view(m.x, m.y)[1] for m in fig.marks]
        tops = [y for y in tops if math.isfinite(y)]
        y = max(tops) + NOTICE_GAP_PX * vb.viewPixelSize()[1] if tops else y0 + 0.6 * (y1 - y0)
        self.notice.setPos((x0 + x1) / 2, y)

    def place_labels(self, *_) -> None:
        """Every marker line's label beside its line, inside the view, clear of the other labels, the markers,
        the legend and the notice (``present.placement``)."""
        fig = self.figure
        if fig is None:
            return
        self._place_legend()
        self._place_notice()
        if not fig.lines:
            return
        vb = self.getPlotItem().getViewBox()
        area = Box(LABEL_INSET_PX, LABEL_INSET_PX, vb.width() - 2 * LABEL_INSET_PX, vb.height() - 2 * LABEL_INSET_PX)
        shown = [(line, self._lines[line.key]) for line in fig.lines if self._lines[line.key].isVisible()]
        for line, item in shown:
            if not line.label:
                item.put_label(None)
        shown = [(line, item) for line, item in shown if line.label]
        wants = []
        for line, item in shown:
            w, h = item.label_size()
            x, y = self.to_pixels(item.value(), item.value())
            wants.append(LineLabel(line.vertical, x if line.vertical else y, w, h, line.along))
        obstacles = self.obstacles()
        if not self.drawn.changed(self, (area, tuple(wants), tuple(obstacles)), "labels"):
            return  # the same lines, sizes and obstacles: the labels are where they belong
        plot = Box(0.0, 0.0, vb.width(), vb.height())
        for (_, item), box in zip(shown, place_line_labels(wants, area, obstacles, plot), strict=True):
            item.put_label(box)

    def obstacles(self) -> list[Box]:
        """What marker-line labels keep clear of, in view-box pixels: markers, dots, legend and notice."""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        if x1 <= x0 or y1 <= y0:
            return []
        sx, sy = vb.width() / (x1 - x0), vb.height() / (y1 - y0)  # to_pixels, once for every marker
        obstacles = []
        for item in (*self._marks.values(), *self._dots):
            if item.isVisible():
                at = item.pos()
                obstacles.append(marker_box((at.x() - x0) * sx, (y1 - at.y()) * sy, item.size_px + 2))
        for item in (self.legend, self.notice):
            if item.isVisible():
                r = vb.mapRectFromScene(item.sceneBoundingRect())
                obstacles.append(Box(r.x(), r.y(), r.width(), r.height()))
        return obstacles

    # -- hover ---------------------------------------------------------------------------------------
    def set_hover_targets(self, targets: list[HoverTarget]) -> None:
        self._hover_targets = targets

    def _on_mouse(self, pos: QPointF) -> None:
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self._hover.hide()
            self._hover_dot.place()
            return
        p = vb.mapSceneToView(pos)
        px, py = vb.viewPixelSize()
        best = (HOVER_RADIUS_PX**2, None, 0, 0.0, 0.0)
        for target in self._hover_targets:
            vx, vy = self.view_arrays(target.x, target.y)
            d = ((vx - p.x()) / px) ** 2 + ((vy - p.y()) / py) ** 2
            if not np.isfinite(d).any():
                continue
            i = int(np.nanargmin(d))
            if d[i] < best[0]:
                best = (float(d[i]), target, i, float(vx[i]), float(vy[i]))
        _, target, i, vx, vy = best
        if target is None:
            self._hover.hide()
            self._hover_dot.place()
            return
        self._hover.setText(target.text(i))
        (x0, x1), (y0, y1) = vb.viewRange()
        fx = (vx - x0) / (x1 - x0) if x1 > x0 else 0.0
        fy = (vy - y0) / (y1 - y0) if y1 > y0 else 0.0
        self._hover.setAnchor((1.0 if fx > 0.55 else 0.0, 0.0 if fy > 0.6 else 1.0))  # grow into the plot, not off it
        self._hover.setPos(vx, vy)
        self._hover.show()
        self._hover_dot.place(vx, vy)

    def hover_at_data(self, x: float, y: float) -> str:
        """The read-out the user sees when hovering (x, y) in data units ('' if nothing is near); for tests."""
        vx, vy = self.to_view(x, y)
        vb = self.getPlotItem().getViewBox()
        self._on_mouse(vb.mapViewToScene(QPointF(vx, vy)))
        return self._hover.toPlainText() if self._hover.isVisible() else ""
