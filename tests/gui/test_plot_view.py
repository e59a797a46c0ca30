"""Plot axes: fitted to the plan on a coarse grid, left alone once the user zooms, restored on request;
and a slider step re-lays out nothing outside the card."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QSlider

from tests.gui.gui_helpers import EventCounter, change_and_wait, find
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


def _zoom(plot):
    """What the mouse wheel does: both axes scaled, and the plot told the user did it."""
    vb = plot.getPlotItem().getViewBox()
    vb.scaleBy((0.5, 0.5))
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])


def test_a_user_zoom_survives_plan_updates_until_fit_plots(qtbot, window):
    fitted = [_view_range(p) for p in window.plots]
    for plot in window.plots:
        _zoom(plot)
    zoomed = _view_range(window.volume_plot)
    slider = find(window, QSlider, "computeBudgetSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 3))
    assert window.volume_plot.user_view and _view_range(window.volume_plot) == zoomed
    window.findChild(type(window.action_undo), "actionFitPlots").trigger()
    assert not any(plot.user_view for plot in window.plots)
    # both axes come back, including the fixed ones (accuracy 0-100 %, 1 to 10^9 requests/day)
    assert np.allclose(_view_range(window.accuracy_plot)[1], fitted[0][1])
    assert np.allclose(_view_range(window.volume_plot)[0], fitted[2][0])
    y = np.concatenate([window.plan.volume_monthly_usd[k] for k in window.plan.volume_monthly_usd])
    y = np.log10(y[np.isfinite(y) & (y > 0)])
    assert _covers(_view_range(window.volume_plot)[1], y.min(), y.max())


def test_double_click_restores_both_axes(qtbot, window):
    plot = window.accuracy_plot
    fitted = _view_range(plot)
    _zoom(plot)
    assert not np.allclose(_view_range(plot)[1], fitted[1])
    qtbot.mouseDClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.viewport().rect().center())
    assert not plot.user_view
    assert np.allclose(_view_range(plot), fitted)


def test_opening_a_scenario_drops_a_zoom(qtbot, window, tmp_path):
    from ttcplanner.model import scenario as sc

    _zoom(window.cost_plot)
    path = tmp_path / "s.json"
    sc.save(window.scenario.replace(requests_per_day=5_000), path)
    with qtbot.waitSignal(window.planUpdated):
        assert window.open_scenario(path)
    assert not window.cost_plot.user_view


def test_the_selected_option_stays_on_the_volume_plot(qtbot, make_window):
    """The most expensive option, selected in the table, is marked inside the volume plot's view."""
    from ttcplanner.model import scenario as sc
    from ttcplanner.paths import scenarios_dir

    window = make_window(sc.load(scenarios_dir() / "maths-tutor-high-volume.json"))
    plan = window.plan
    monthly = np.where(np.isfinite(plan.results.monthly_usd), plan.results.monthly_usd, -1)
    window.table.select_option(int(np.argmax(monthly)))
    x, y = window.volume_plot.mark("selected").getData()
    (x0, x1), (y0, y1) = _view_range(window.volume_plot)
    assert len(y) == 1 and y0 <= y[0] <= y1 and x0 <= x[0] <= x1


def test_startup_reports_how_long_the_first_plan_took(window):
    assert window.controller.last_evaluate_ms > 0
    assert "plan computed in" in window.timing_label.text()


def test_a_slider_step_does_not_relayout_the_docks(qtbot, window):
    """Card text changes stop at the card: the docks, plots and table keep their geometry untouched."""
    slider = find(window, QSlider, "tokenVolumeSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.minimum()))
    spy = EventCounter(QEvent.Type.LayoutRequest)
    for dock in (window.card_dock, window.table_dock, window.scenario_dock):
        dock.installEventFilter(spy)
    card_before = window.card.text()
    for _ in range(5):
        change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 40))
    qtbot.waitUntil(lambda: window.card.text() != card_before)
    QApplication.processEvents()
    assert spy.count == 0


def test_legends_fit_inside_their_plots_for_every_shipped_scenario(qtbot, make_window):
    """A long model name must not push the legend past the plot's edge, where it would be cut off; inside the
    view box or below it, the legend stays inside the plot widget."""
    from ttcplanner.model import scenario as sc
    from ttcplanner.paths import scenarios_dir

    for path in sorted(scenarios_dir().glob("*.json")):
        window = make_window(sc.load(path))
        window.resize(1500, 950)
        qtbot.waitUntil(lambda window=window: window.accuracy_plot.width() > 300)
        QApplication.processEvents()  # let the legends lay out their new entries
        for plot in window.plots:
            widget = plot.mapToScene(plot.viewport().rect()).boundingRect()
            legend = plot.legend.sceneBoundingRect()
            assert widget.contains(legend), (path.stem, plot.objectName(), legend, widget)
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
    central = window.centralWidget().geometry()
    assert window.card_dock.geometry().bottom() < central.top()  # nothing drawn over anything else
    assert central.bottom() < window.table_dock.geometry().top()
    assert window.scenario_dock.geometry().right() < central.left()


def test_legend_draws_each_entry_at_its_corner_and_follows_new_names(qtbot, window):
    """The legend is one item: its rows' samples are drawn in the items' pens, it sizes itself to the
    longest name and stays anchored to its corner when names change or the plot is resized."""
    from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter

    plot = window.volume_plot  # legend at the bottom right
    legend, vb = plot.legend, plot.getPlotItem().getViewBox()
    curve = plot.series_curve("kind:api")

    def right_bottom_gap():
        r = legend.mapRectToItem(vb, legend.boundingRect())
        return round(vb.boundingRect().right() - r.right()), round(vb.boundingRect().bottom() - r.bottom())

    plot.set_legend([(curve, "short")])
    narrow, gap = legend.boundingRect().width(), right_bottom_gap()
    assert gap == (8, 8) and [label.text for _, label in legend.items] == ["short"]
    plot.set_legend([(curve, "a longer name")])
    metrics = QFontMetrics(plot._legend_font)
    assert legend.boundingRect().width() - narrow == metrics.horizontalAdvance(
        "a longer name"
    ) - metrics.horizontalAdvance("short")
    assert right_bottom_gap() == gap  # grew to the left
    window.resize(window.width() - 120, window.height())
    qtbot.waitUntil(lambda: right_bottom_gap() == gap)
    image = QImage(legend.boundingRect().size().toSize(), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    legend.paint(painter)
    painter.end()
    pen = curve.opts["pen"].color()
    assert any(QColor(image.pixel(x, y)) == pen for x in range(image.width()) for y in range(image.height()))
    plot.set_legend([])
    assert not legend.isVisible()
