"""Plot axes: fitted to the plan on a coarse grid, left alone once the user zooms, restored on request;
and a slider step re-lays out nothing outside the card."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QSlider

from tests.gui.gui_helpers import change_and_wait, find
from ttcplanner.gui.plot_base import FIT_PADDING, SNAP_LOG_DECADES, snapped_span


def _view_range(plot):
    return plot.getPlotItem().getViewBox().viewRange()


def _covers(view: list[float], lo: float, hi: float) -> bool:
    return view[0] <= lo + 1e-9 and view[1] >= hi - 1e-9


def test_snapped_span_widens_outward_to_the_grid():
    assert snapped_span(np.array([0.26, 1.9, np.nan]), 0.5) == (0.0, 2.0)
    assert snapped_span(np.array([61.0, 88.0]), 5.0) == (60.0, 90.0)
    assert snapped_span(np.array([2.0]), 0.5) == (1.5, 2.5)  # a single value still gets a span
    assert snapped_span(np.array([np.nan, np.inf]), 0.5) is None


def test_cost_plot_range_covers_every_cost_curve_on_a_coarse_grid(window):
    plan = window.plan
    plot = window.cost_plot
    costs = np.concatenate([c.cost_per_request_usd for c in plan.cost_curves])
    costs = np.log10(costs[np.isfinite(costs) & (costs > 0)])
    accs = np.concatenate([c.accuracy_pct for c in plan.cost_curves])
    (x0, x1), (y0, y1) = _view_range(plot)
    assert _covers([y0, y1], costs.min(), costs.max())
    assert _covers([x0, x1], np.nanmin(accs), np.nanmax(accs))
    # the fitted edges (inside the padding) sit on the grid, so small plan changes do not move them
    span = (y1 - y0) / (1 + 2 * FIT_PADDING)
    for edge in (y0 + FIT_PADDING * span, y1 - FIT_PADDING * span):
        steps = edge / SNAP_LOG_DECADES
        assert abs(steps - round(steps)) < 1e-6, edge
    assert plot.getPlotItem().getViewBox().autoRangeEnabled() == [False, False]


def test_small_budget_steps_rarely_move_the_axes(qtbot, window):
    slider = find(window, QSlider, "computeBudgetSlider")
    before = [_view_range(p) for p in window.plots]
    moved = 0
    for _ in range(3):
        change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 1))
        after = [_view_range(p) for p in window.plots]
        moved += after != before
        before = after
    assert moved <= 1  # one of three tiny budget steps may cross a grid line; most must not


def test_a_user_zoom_survives_plan_updates_until_fit_plots(qtbot, window):
    plot = window.volume_plot
    vb = plot.getPlotItem().getViewBox()
    vb.scaleBy((0.5, 0.5))  # what the mouse wheel does
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])
    zoomed = _view_range(plot)
    slider = find(window, QSlider, "tokenVolumeSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.maximum()))
    assert plot.user_view and _view_range(plot) == zoomed
    window.findChild(type(window.action_undo), "actionFitPlots").trigger()
    assert not plot.user_view
    y = np.concatenate([window.plan.volume_monthly_usd[k] for k in window.plan.volume_monthly_usd])
    y = np.log10(y[np.isfinite(y) & (y > 0)])
    assert _covers(_view_range(plot)[1], y.min(), y.max())


def test_double_click_restores_the_fitted_view(qtbot, window):
    plot = window.accuracy_plot
    vb = plot.getPlotItem().getViewBox()
    fitted = _view_range(plot)
    vb.translateBy(x=1.0)
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])
    assert _view_range(plot) != fitted
    center = plot.viewport().rect().center()
    qtbot.mouseDClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert not plot.user_view
    assert np.allclose(_view_range(plot), fitted)


class _LayoutRequests(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_slider_step_does_not_relayout_the_docks(qtbot, window):
    """Card text changes stop at the card: the docks, plots and table keep their geometry untouched."""
    slider = find(window, QSlider, "tokenVolumeSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.minimum()))
    spy = _LayoutRequests()
    for dock in (window.card_dock, window.table_dock, window.scenario_dock):
        dock.installEventFilter(spy)
    card_before = window.card.text()
    for _ in range(5):
        change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 40))
    qtbot.waitUntil(lambda: window.card.text() != card_before)
    QApplication.processEvents()
    assert spy.count == 0


def test_legends_fit_inside_their_plots_for_every_shipped_scenario(qtbot, make_window):
    """A long model name must not push the legend past the plot's edge, where it would be cut off."""
    from ttcplanner.model import scenario as sc
    from ttcplanner.paths import scenarios_dir

    for path in sorted(scenarios_dir().glob("*.json")):
        window = make_window(sc.load(path))
        window.resize(1500, 950)
        qtbot.waitUntil(lambda: window.accuracy_plot.width() > 300)
        QApplication.processEvents()  # let the legends lay out their new entries
        for plot in window.plots:
            vb = plot.getPlotItem().getViewBox().sceneBoundingRect()
            legend = plot.legend.sceneBoundingRect()
            assert vb.contains(legend), (path.stem, plot.objectName(), legend, vb)
        window.close()


def test_at_the_smallest_window_every_plot_fits_its_widget(qtbot, window):
    """The window cannot be made smaller than its panels need, and a narrow plot shrinks rather than
    drawing past its own edge (pyqtgraph would otherwise size it to its title's width)."""
    assert window.minimumWidth() >= window.layout().minimumSize().width()
    window.resize(1, 1)
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
    QApplication.processEvents()
    for plot in window.plots:
        item = plot.getPlotItem().sceneBoundingRect()
        assert item.width() <= plot.viewport().width() + 1, (plot.objectName(), item.width(), plot.viewport().width())
