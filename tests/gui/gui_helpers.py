"""Drive the window the way a user does (widgets found by objectName) and read what it shows."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsPathItem, QWidget

from ttcplanner.gui.plot_base import Curve, Marker

PLOTS = ("accuracyPlot", "costAccuracyPlot", "volumePlot")


def find(window, cls, name: str):
    w = window.findChild(cls, name)
    assert w is not None, f"no {cls.__name__} named {name!r}"
    return w


def plot_snapshot(window) -> bytes:
    """Every array the three plots draw, plus marker-line positions, as one comparable blob."""
    parts = []
    for name in PLOTS:
        plot = find(window, QWidget, name)
        for item in plot.getPlotItem().items:
            if not item.isVisible():  # what the plots draw: a hidden item keeps its last data
                continue
            if isinstance(item, (pg.PlotDataItem, pg.PlotCurveItem, Curve)):
                x, y = item.getOriginalDataset() if isinstance(item, pg.PlotDataItem) else item.getData()
                if x is not None:
                    parts += [
                        np.nan_to_num(np.asarray(x, float), nan=-7.0).tobytes(),
                        np.nan_to_num(np.asarray(y, float), nan=-7.0).tobytes(),
                    ]
            elif isinstance(item, (pg.ScatterPlotItem, Marker)):
                x, y = item.getData()
                parts += [np.asarray(x, float).tobytes(), np.asarray(y, float).tobytes()]
            elif isinstance(item, QGraphicsPathItem):  # accuracy bands
                r = item.path().boundingRect()
                parts.append(np.array([r.left(), r.top(), r.width(), r.height(), float(item.isVisible())]).tobytes())
            elif isinstance(item, QGraphicsLineItem):  # marker lines (budget, target, volume, break-even)
                parts.append(np.array([item.pos().x(), item.pos().y(), float(item.isVisible())]).tobytes())
    return b"|".join(parts)


def change_and_wait(qtbot, window, action, timeout: int = 5000):
    """Run ``action`` and wait until the window shows the resulting plan."""
    with qtbot.waitSignal(window.planUpdated, timeout=timeout):
        action()


class EventCounter(QObject):
    """Counts events of one type reaching the objects it filters (install it on them or on the
    application), or only those reaching ``only`` when given."""

    def __init__(self, event_type: QEvent.Type, only=None):
        super().__init__()
        self.event_type, self.only, self.count = event_type, set(only) if only is not None else None, 0

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == self.event_type and (self.only is None or obj in self.only):
            self.count += 1
        return False


class PaintRegions(QObject):
    """Records the region of each paint event ``widget`` gets (installed on it until ``remove``)."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.widget, self.regions = widget, []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if obj is self.widget and event.type() == QEvent.Type.Paint:
            self.regions.append(event.region())
        return False

    def remove(self) -> None:
        self.widget.removeEventFilter(self)


def choose_data(data):
    """(QComboBox, action) that selects the item whose data is ``data`` (it must exist)."""
    from PySide6.QtWidgets import QComboBox

    def act(w):
        i = w.findData(data)
        assert i >= 0, data
        w.setCurrentIndex(i)

    return QComboBox, act
