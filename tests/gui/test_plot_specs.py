"""The window's plots and the PDF's charts render the figure specs of ``present.figures`` and nothing else:
the same spec in, the same colours and names out; and what the renderers must get right themselves: axis
titles clear of the tick labels, marker-line labels inside the view and clear of each other and the markers,
the "All models" control, and no item touched when its spec is unchanged."""

from pathlib import Path

import numpy as np
import pytest
from gui_helpers import change_and_wait, find
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QCheckBox

from ttcplanner.gui.plot_base import Curve, MarkerLine, PlanPlot
from ttcplanner.gui.plots import AccuracyPlot, CostAccuracyPlot, VolumePlot
from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import resource_dir
from ttcplanner.present.figures import accuracy_figure, cost_figure, volume_figure
from ttcplanner.present.names import model_names
from ttcplanner.report.figures import chart_of

SCENARIOS = sorted((Path(resource_dir()) / "scenarios").glob("*.json"))


@pytest.fixture(scope="module")
def plans(catalog):
    out = {p.stem: evaluate(scenario_io.load(p), catalog) for p in SCENARIOS}
    base = scenario_io.load(Path(resource_dir()) / "scenarios" / "maths-tutor-high-volume.json")
    out["target-missed"] = evaluate(base.replace(target_accuracy_pct=99.0), catalog)
    out["nothing-feasible"] = evaluate(base.replace(latency_target_s=0.1), catalog)
    chat = scenario_io.load(Path(resource_dir()) / "scenarios" / "chat-assistant-low-volume.json")
    out["break-evens"] = evaluate(chat.replace(target_accuracy_pct=60.0, reasoning_tokens=4000), catalog)
    out["more-break-evens"] = evaluate(base.replace(target_accuracy_pct=80.0, reasoning_tokens=16000), catalog)
    return out


def _figures(plan, catalog):
    return (accuracy_figure(plan, model_names(catalog)), cost_figure(plan), volume_figure(plan))


def _plot_for(fig) -> PlanPlot:
    return {"accuracy": lambda: AccuracyPlot({}), "cost": CostAccuracyPlot, "volume": VolumePlot}[fig.key]()


def test_window_and_pdf_draw_a_spec_in_its_colours_under_its_names(qtbot, plans, catalog):
    """Same spec in, same colours and names out: every series' pen in the window and line in the PDF is the
    spec's colour, and both legends read the spec's legend entries in order, in the spec's colours."""
    for stem, plan in plans.items():
        for fig in _figures(plan, catalog):
            plot = _plot_for(fig)
            qtbot.addWidget(plot)
            plot.resize(1400, 700)  # wide: no legend name is cut
            plot.draw_figure(fig)
            chart = chart_of(fig, "DejaVu Sans")
            for s in fig.series:
                assert plot.series_curve(s.key).pen().color() == QColor(s.color), (stem, fig.key, s.key)
            pdf_lines = [c for c in chart.series if c.line]
            assert [QColor(c.color) for c in pdf_lines] == [QColor(s.color) for s in fig.series], (stem, fig.key)
            spec_legend = [(k.label + k.suffix, QColor(k.color)) for k in fig.legend]
            assert [(e.text, QColor(e.item.color)) for e in plot.legend.entries] == spec_legend, (stem, fig.key)
            assert [(k.label, QColor(k.color)) for k in chart.legend] == spec_legend, (stem, fig.key)
            for m in fig.marks:
                assert plot.mark(m.key).isVisible() == all(np.isfinite(plot.to_view(m.x, m.y)))
            assert [ln.label for ln in fig.lines] == [r.label for r in chart.refs]
            assert chart.notices == list(fig.notices) and chart.y.note == fig.y.note


def _tick_rects(axis) -> list[QRectF]:
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [rect for rect, _flags, text in specs[2] if text] if specs else []


def _title_rect(axis) -> QRectF:
    """The axis title's text as drawn (its text document's margins are blank)."""
    item = axis.label
    margin = item.document().documentMargin()
    return item.mapRectToParent(item.boundingRect().adjusted(margin, margin, -margin, -margin))


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_axis_titles_never_overlap_tick_labels(qtbot, make_window, plans, size):
    window = make_window(plans["reasoning-frontier-production"].scenario)
    window.resize(*size)
    QApplication.processEvents()
    for stem, plan in plans.items():
        for plot in window.plots:
            plot.show_plan(plan)
        QApplication.processEvents()
        for plot in window.plots:
            for side in ("left", "bottom"):
                axis = plot.getPlotItem().getAxis(side)
                title, ticks = _title_rect(axis), _tick_rects(axis)
                assert ticks, (stem, plot.objectName(), side)
                assert not any(title.intersects(t) for t in ticks), (stem, plot.objectName(), side, title, ticks)
    for plan in plans.values():
        for fig in _figures(plan, window.catalog):
            boxes = chart_of(fig, "DejaVu Sans").layout(dpi=100)
            for title, ticks in (("y_title", "y_ticks"), ("x_title", "x_ticks")):
                assert not any(boxes[title][0].intersects(t) for t in boxes[ticks]), (fig.key, title)


def _label_boxes(plot) -> list[QRectF]:
    vb = plot.getPlotItem().getViewBox()
    return [ln.box.mapRectToItem(vb, ln.box.rect()) for ln in plot._lines.values() if ln.box.isVisible()]


def _marker_boxes(plot) -> list[QRectF]:
    out = []
    for m in plot._marks.values():
        if m.isVisible():
            x, y = plot.to_pixels(m.pos().x(), m.pos().y())
            out.append(QRectF(x - m.size_px / 2, y - m.size_px / 2, m.size_px, m.size_px))
    return out


def test_line_labels_and_notices_sit_inside_the_view_clear_of_each_other_and_the_markers(qtbot, make_window, plans):
    window = make_window(plans["reasoning-frontier-production"].scenario)
    window.resize(1366, 768)
    QApplication.processEvents()
    for stem, plan in plans.items():
        for plot in window.plots:
            plot.show_plan(plan, None)
        QApplication.processEvents()
        for plot in window.plots:
            vb = plot.getPlotItem().getViewBox().boundingRect()
            labels, markers = _label_boxes(plot), _marker_boxes(plot)
            if plot.notice.isVisible():  # a notice is read whole, inside the plot
                notice = plot.getPlotItem().getViewBox().mapRectFromScene(plot.notice.sceneBoundingRect())
                assert vb.contains(notice), (stem, plot.objectName(), notice)
                assert not any(notice.intersects(b) for b in labels + markers), (stem, plot.objectName())
            shown = [ln for ln in plot.figure.lines if ln.label and np.isfinite(plot.to_view(ln.value, ln.value)[0])]
            assert len(labels) == len(shown), (stem, plot.objectName())
            for k, box in enumerate(labels):
                where = (stem, plot.objectName(), box)
                assert vb.contains(box), where
                assert not any(box.intersects(o) for o in labels[k + 1 :]), where
                assert not any(box.intersects(m) for m in markers), where


def test_a_break_even_at_the_right_edge_is_labelled_inside_the_plot(qtbot, plans):
    """'break-even 218k' must not be cut at the right edge: a line near the edge has its label on its left."""
    from dataclasses import replace

    from ttcplanner.present.figures import Line

    plot = VolumePlot()
    qtbot.addWidget(plot)
    plot.resize(300, 280)
    plot.show()
    fig = volume_figure(plans["maths-tutor-high-volume"])
    edge = Line("break-even:9", True, 10**9.1, "break-even 1.26B/day", "#555555", "dot")
    plot.draw_figure(replace(fig, lines=fig.lines + (edge,)))
    QApplication.processEvents()
    line = plot.marker_line("break-even:9")
    box = line.box.mapRectToItem(plot.getPlotItem().getViewBox(), line.box.rect())
    assert plot.getPlotItem().getViewBox().boundingRect().contains(box)
    assert box.right() <= plot.to_pixels(line.value(), 0)[0]


def test_all_models_is_a_visible_control_that_draws_every_model(qtbot, make_window, plans):
    window = make_window(plans["reasoning-frontier-production"].scenario)
    plot = window.accuracy_plot
    check = find(window, QCheckBox, "showAllModelsCheck")
    assert check.isVisible() and check.toolTip() and str(len(window.plan.accuracy_curves)) in check.text()
    assert not any(s.key == "others" for s in plot.figure.series)
    check.setChecked(True)
    others = next(s for s in plot.figure.series if s.key == "others")
    assert plot.series_curve("others").isVisible() and others.label in [e.text for e in plot.legend.entries]
    change_and_wait(qtbot, window, lambda: find(window, QCheckBox, "onPremOnlyCheck").setChecked(True))
    assert any(s.key == "others" for s in plot.figure.series)  # the choice stays for the next plans
    check.setChecked(False)
    assert not plot.series_curve("others").isVisible()
    assert not any(e.text == others.label for e in plot.legend.entries)


def test_an_unchanged_spec_touches_no_item(qtbot, plans, catalog, monkeypatch):
    """One change check (``Drawn``): drawing an equal figure again sets no data, pen, label or legend."""
    touched = []
    for cls, name in ((Curve, "setData"), (Curve, "setPen"), (MarkerLine, "place")):
        original = getattr(cls, name)
        monkeypatch.setattr(
            cls, name, lambda self, *a, _o=original, _n=name, **k: touched.append(_n) or _o(self, *a, **k)
        )
    plan = plans["reasoning-frontier-production"]
    for k, fig in enumerate(_figures(plan, catalog)):
        plot = _plot_for(fig)
        qtbot.addWidget(plot)
        plot.draw_figure(fig)
        assert touched
        touched.clear()
        entries = plot.legend.entries
        plot.draw_figure(_figures(plan, catalog)[k])  # built again: equal, not the same objects
        assert touched == [] and plot.legend.entries is entries, fig.key
