"""One test per pyqtgraph internal that ``ttcplanner/gui/pg_internals.py`` relies on (pyqtgraph is capped below
0.15 in pyproject.toml: these must pass on a new release before the cap is lifted)."""

import pyqtgraph as pg
from PySide6.QtGui import QImage, QPainter, QPicture

from ttcplanner.gui.pg_internals import KeptPicturesAxis, render_symbol


def test_render_symbol_draws_each_symbol_the_plots_use_at_its_size():
    for symbol in ("o", "s", "t", "t1", "d", "x", "star"):
        image = render_symbol(symbol, 10, "#111111", "#ff0000", dpr=2.0)
        assert isinstance(image, QImage) and not image.isNull()
        assert image.width() / image.devicePixelRatio() >= 10 and image.devicePixelRatio() == 2.0


def test_axis_paint_draws_generate_draw_specs_into_picture_and_drops_it_on_change(qtbot):
    """AxisItem.paint draws ``drawPicture(p, *generateDrawSpecs(p))`` into ``self.picture`` and sets
    ``picture`` to None when its range or size changes (what KeptPicturesAxis.paint replays)."""
    widget = pg.PlotWidget(axisItems={"left": KeptPicturesAxis("left")})
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    axis = widget.getPlotItem().getAxis("left")
    qtbot.waitUntil(lambda: axis.picture is not None)
    assert isinstance(axis.picture, QPicture)
    image = QImage(50, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    specs = axis.generateDrawSpecs(painter)
    assert len(specs) == 3  # axis line, ticks, texts: drawPicture's arguments
    axis.drawPicture(painter, *specs)
    painter.end()
    widget.getPlotItem().setYRange(0, 1234, padding=0)
    assert axis.picture is None  # a new range drops the picture
    qtbot.waitUntil(lambda: axis.picture is not None)
    widget.resize(300, 260)
    qtbot.waitUntil(lambda: axis.picture is None or axis.size().height() > 150)
    kept = len(axis._pictures)
    widget.getPlotItem().setYRange(0, 1, padding=0)
    qtbot.waitUntil(lambda: len(axis._pictures) > kept)  # painted from a new picture, the old ones kept


def test_tick_values_depend_on_log_mode_scale_and_style_attributes(qtbot):
    """The ticks' key reads ``logMode``, ``scale`` and ``style['maxTickLevel']``: pyqtgraph must keep them as the
    attributes setLogMode, setScale and setStyle change."""
    axis = KeptPicturesAxis("bottom")
    axis.setLogMode(True)
    assert axis.logMode is True
    axis.setScale(2.0)
    assert axis.scale == 2.0
    axis.setStyle(maxTickLevel=1)
    assert axis.style["maxTickLevel"] == 1
    once = axis.tickValues(0.0, 3.0, 300)
    assert axis.tickValues(0.0, 3.0, 300) is once  # kept
    axis.setLogMode(False)
    assert axis.tickValues(0.0, 3.0, 300) is not once
