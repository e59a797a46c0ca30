"""Any screen from 1366x768 up (issue 21): the first window size comes from the screen, and at 1366x768 and
1920x1080 every named part of the window lies inside it at a usable size."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import find
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from ttcplanner.gui.main_window import DEFAULT_SIZE, KEY_TABLE_COLUMNS, fit_to_screen
from ttcplanner.gui.options_table import COLUMNS

# the offscreen platform cannot resize or raise native windows (a floating dock is one); a real display can
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)", r"This plugin does not support raise\(\)"
)

SCREENS = {"1366x768": QRect(0, 0, 1366, 768), "1920x1080": QRect(0, 0, 1920, 1080)}
# objectName -> smallest usable (width, height)
USABLE = {
    "scenarioPanel": (380, 300),
    "recommendationCard": (600, 200),
    "accuracyPlot": (250, 250),
    "costAccuracyPlot": (250, 250),
    "volumePlot": (250, 250),
    "optionsTable": (600, 4 * 22),
    "catalogDateLabel": (300, 12),
}
ROW_HEIGHT = 22


def _inside(window, widget: QWidget) -> QRect:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return QRect(top_left, widget.size())


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_first_size_comes_from_the_screen(window, screen):
    available = SCREENS[screen]
    g = fit_to_screen(available, window.minimumSize())
    assert available.contains(g)
    if screen == "1920x1080":  # the screen used sensibly: most of it, centred (it opened at 1500x950)
        assert g.width() >= 0.88 * 1920 and g.height() >= 0.88 * 1080
        assert g.center().x() == pytest.approx(available.center().x(), abs=2)
    else:
        assert g.width() >= available.width() - 10 and g.height() >= available.height() - 45
    assert window.minimumSize().width() <= 1366 and window.minimumSize().height() <= 768 - 70


def test_a_saved_geometry_from_a_bigger_screen_is_clamped(window):
    small = QRect(0, 0, 1366, 768)
    g = fit_to_screen(small, window.minimumSize(), QRect(400, 200, 1800, 1000))
    assert small.contains(g) and g.width() <= 1366 and g.height() <= 768


@pytest.fixture
def window_on(qtbot, catalog, settings, monkeypatch):
    """A window opened the way app.run opens it, on a screen of the given size (the offscreen one is 800x800)."""
    from ttcplanner.gui.main_window import MainWindow

    def make(screen: str):
        monkeypatch.setattr(MainWindow, "_available", lambda self: SCREENS[screen])
        w = MainWindow(catalog=catalog, settings=settings)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        assert SCREENS[screen].contains(w.geometry())
        return w

    return make


def _check_layout(window):
    frame = window.rect()
    for name, (w, h) in USABLE.items():
        widget = find(window, QWidget, name)
        assert widget.isVisible(), name
        rect = _inside(window, widget)
        if name == "optionsTable":
            rect = _inside(window, widget.viewport())
        assert frame.contains(rect), f"{name} {rect} outside {frame}"
        assert rect.width() >= w and rect.height() >= h, f"{name} is {rect.size()}, needs {w}x{h}"
    status = window.statusBar()
    assert frame.contains(_inside(window, status)) and status.isVisible()
    for label in (window.timing_label, find(window, QLabel, "catalogDateLabel")):
        assert frame.contains(_inside(window, label))
    # the key table columns are on screen, "Why not" at least its first 100 px
    view = window.table.view
    header, port = view.horizontalHeader(), view.viewport().width()
    for name in KEY_TABLE_COLUMNS:
        col = COLUMNS.index(name)
        left = header.sectionViewportPosition(col)
        right = left + header.sectionSize(col)
        assert left >= 0 and (right <= port if name != "Why not" else left + 100 <= port), name


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_every_named_part_is_inside_at_a_usable_size(window_on, screen):
    window = window_on(screen)
    _check_layout(window)


def test_analysis_docks_at_1366x768_float_or_tab_inside_the_screen(qtbot, window_on, monkeypatch):
    window = window_on("1366x768")
    size = window.size()
    a = window.analysis
    monkeypatch.setattr(a, "screen_area", lambda: SCREENS["1366x768"])  # the offscreen screen is 800x800
    with qtbot.waitSignal(a.tornado.resultReady, timeout=30_000):
        a.show_tornado()
    a.monte_carlo.samples.setValue(300)
    with qtbot.waitSignal(a.monte_carlo.runFinished, timeout=60_000):
        a.show_monte_carlo()
    assert window.size() == size  # the window did not grow past the screen
    screen = SCREENS["1366x768"]
    for name in ("tornadoView", "monteCarloView"):
        dock = find(window, QDockWidget, name)
        assert dock.isVisible()
        if dock.isFloating():
            assert screen.contains(dock.geometry()), name
        else:
            assert window.rect().contains(_inside(window, dock)), name
    _check_layout(window)


def test_a_dock_shown_from_the_view_menu_at_1366x768_floats_inside_the_screen(qtbot, window_on, monkeypatch):
    window = window_on("1366x768")
    size = window.size()
    monkeypatch.setattr(window.analysis, "screen_area", lambda: SCREENS["1366x768"])
    dock = find(window, QDockWidget, "monteCarloView")
    dock.toggleViewAction().trigger()
    dock.raise_()  # its tab brought to the front (a click on it)
    qtbot.waitUntil(dock.isFloating)
    table = window.table.view.viewport()
    qtbot.waitUntil(lambda: window.rect().contains(_inside(window, table)))  # the tab group settles
    assert window.size() == size
    assert SCREENS["1366x768"].contains(dock.geometry())
    _check_layout(window)


def test_a_window_saved_on_a_big_screen_reopens_inside_a_small_one(qtbot, catalog, settings, monkeypatch):
    from ttcplanner.gui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "_available", lambda self: SCREENS["1920x1080"])
    big = MainWindow(catalog=catalog, settings=settings)
    qtbot.addWidget(big)
    big.setGeometry(100, 60, 1800, 1000)
    settings.setValue("window/geometry", big.saveGeometry())
    monkeypatch.setattr(MainWindow, "_available", lambda self: SCREENS["1366x768"])
    small = MainWindow(catalog=catalog, settings=settings)
    qtbot.addWidget(small)
    assert SCREENS["1366x768"].contains(small.geometry())
    assert small.width() >= small.minimumWidth() and small.height() >= small.minimumHeight()


def test_first_size_on_a_big_screen_is_most_of_it_and_never_below_the_default(window):
    huge = QRect(0, 0, 2560, 1440)
    g = fit_to_screen(huge, window.minimumSize())
    assert huge.contains(g) and g.width() >= 0.88 * 2560 and g.height() >= 0.88 * 1440
    roomy = QRect(0, 0, 1600, 1000)  # 90% of it is below DEFAULT_SIZE: the default, as it fits
    assert fit_to_screen(roomy, window.minimumSize()).size() == QSize(*DEFAULT_SIZE)


@pytest.mark.parametrize(
    "stem", [p.stem for p in sorted((Path(__file__).parents[2] / "resources/scenarios").glob("*.json"))]
)
def test_every_tile_shows_its_whole_text_at_1366x768(qtbot, catalog, settings, monkeypatch, stem):
    """The budget tile cut 'medium effort' to 'medium e…' at 1366 px, and the fixed-budget frontier scenarios cut
    '55k tokens': every tile's title and value fit its width on one line (font metrics against the widget) and
    its detail is whole, wrapped if need be; tiles that cannot share one row take two."""
    from ttcplanner.gui.main_window import MainWindow
    from ttcplanner.model import scenario as scenario_io
    from ttcplanner.paths import resource_dir

    monkeypatch.setattr(MainWindow, "_available", lambda self: SCREENS["1366x768"])
    scenario = scenario_io.load(f"{resource_dir()}/scenarios/{stem}.json")
    w = MainWindow(scenario=scenario, catalog=catalog, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.card.budget.width() > 1)
    for tile in w.card.tiles:
        room = tile.width() - 2 * tile.PAD_X
        title_font, value_font = tile._fonts["title"][1], tile._fonts["value"][1]
        assert title_font.horizontalAdvance(tile._texts["title"]) <= room, tile.objectName()
        assert value_font.horizontalAdvance(tile.value_text) <= room, (tile.objectName(), tile.value_text)
        shown = tile.shown_texts()
        assert not any("…" in x for x in shown), (tile.objectName(), shown)
        assert shown[1] == tile.value_text and " ".join(shown[2:]) == tile.detail_text
        assert tile.height() >= tile.height_for(tile.width())  # every wrapped line has its room
    assert w.card.budget.value_text.endswith("effort") or w.card.budget.value_text[0].isdigit()


def _figure_pixels(plot):
    """The plot's figure in view-box pixels (y down), from the spec: curves, and the markers and dots as
    points."""
    import numpy as np

    vb = plot.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    sx, sy = vb.width() / (x1 - x0), vb.height() / (y1 - y0)
    fig = plot.figure
    lines = []
    for s in fig.series:
        vx, vy = plot.view_arrays(s.xy[0], s.xy[1])
        lines.append(((vx - x0) * sx, (y1 - vy) * sy))
    points = [(m.x, m.y) for m in fig.marks] + [(x, y) for d in fig.dots for x, y in zip(*d.xy.arrays, strict=True)]
    for x, y in points:
        vx, vy = plot.to_view(x, y)
        lines.append((np.array([(vx - x0) * sx]), np.array([(y1 - vy) * sy])))
    return lines


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_legends_and_the_all_models_box_cover_no_data(qtbot, catalog, tmp_path, monkeypatch, screen):
    """At 1366x768 the accuracy legend covered curves and the "All N models" box sat over the plot's top-left
    corner: every legend lies in a corner free of the figure's curves, markers and dots, or below the view box
    inside its plot; the box sits in the title row, beside a title shown whole; a legend name cut to fit keeps
    its whole name in the legend's tooltip, and at 1920 px no shipped scenario cuts one."""
    from PySide6.QtCore import QRectF, QSettings
    from PySide6.QtWidgets import QApplication

    from ttcplanner.gui.main_window import MainWindow
    from ttcplanner.model import scenario as scenario_io
    from ttcplanner.paths import scenarios_dir
    from ttcplanner.present.placement import Box, line_crosses

    monkeypatch.setattr(MainWindow, "_available", lambda self: SCREENS[screen])
    for path in sorted(scenarios_dir().glob("*.json")):
        settings = QSettings(str(tmp_path / f"{path.stem}.ini"), QSettings.Format.IniFormat)  # a first launch
        w = MainWindow(scenario=scenario_io.load(path), catalog=catalog, settings=settings)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        QApplication.processEvents()
        for plot in w.plots:
            vb = plot.getPlotItem().getViewBox()
            r = plot.legend.mapRectToItem(vb, plot.legend.boundingRect())
            where = (path.stem, plot.objectName())
            widget = plot.mapToScene(plot.viewport().rect()).boundingRect()
            assert widget.contains(plot.legend.sceneBoundingRect()), where
            if vb.boundingRect().intersects(r):  # inside: in a corner free of data
                assert vb.boundingRect().contains(r), where
                box = Box(r.x(), r.y(), r.width(), r.height())
                assert not any(line_crosses(box, xs, ys) for xs, ys in _figure_pixels(plot)), where
            else:  # below the view box
                assert r.top() >= vb.boundingRect().bottom(), where
            full = [k.label + k.suffix for k in plot.figure.legend]
            shown = [e.text for e in plot.legend.entries]
            for whole, text in zip(full, shown, strict=True):
                if whole != text:
                    assert "…" in text and whole in plot.legend.toolTip(), where
            if screen == "1920x1080":
                assert shown == full, where
        plot = w.accuracy_plot
        check = find(w, QWidget, "showAllModelsCheck")
        if check.isVisible():
            vb_rect = plot.mapFromScene(plot.getPlotItem().getViewBox().sceneBoundingRect()).boundingRect()
            assert not QRectF(check.geometry()).intersects(QRectF(vb_rect)), path.stem
            assert plot.viewport().rect().contains(check.geometry()), path.stem
            title = plot.getPlotItem().titleLabel
            assert title.text == "Accuracy vs compute", (path.stem, title.text)
            title_right = plot.mapFromScene(title.mapToScene(title.item.boundingRect().topRight())).x()
            assert title_right <= check.geometry().left() + 1, path.stem
        w.close()


def test_a_legend_below_the_plot_keeps_its_row_while_a_drag_changes_its_names(qtbot, catalog, tmp_path, monkeypatch):
    """Below the plot the legend's row only grows while the plot keeps its size: a target-accuracy drag changes
    which models the accuracy legend names (one entry more or fewer), and a row that shrank and grew with them
    resized the view on most steps (three repaints each) and made the plot jump."""
    from gui_helpers import change_and_wait
    from PySide6.QtCore import QSettings

    from ttcplanner.gui.main_window import MainWindow
    from ttcplanner.model import scenario as scenario_io
    from ttcplanner.paths import scenarios_dir

    monkeypatch.setattr(MainWindow, "_available", lambda self: SCREENS["1366x768"])
    start = scenario_io.load(scenarios_dir() / "chat-assistant-low-volume.json").replace(budget_mode="auto")
    w = MainWindow(start, catalog=catalog, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    plot = w.accuracy_plot
    vb = plot.getPlotItem().getViewBox()
    counts, heights = set(), set()
    for target in (40.0, 55.0, 70.0, 85.0, 95.0, 60.0, 45.0, 90.0, 75.0):
        change_and_wait(qtbot, w, lambda t=target: w.controller.request("target", {"target_accuracy_pct": t}))
        counts.add(len(plot.legend.entries))
        if plot._legend_outside:
            heights.add(round(vb.height()))
    assert len(counts) > 1  # the names did change
    assert len(heights) <= 2  # at most one growth (to the tallest legend), never back
