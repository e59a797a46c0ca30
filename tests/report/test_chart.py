"""Print charts: log ticks, and drawing that survives NaN, inf and empty series."""

from __future__ import annotations

import numpy as np
import pytest

from ttcplanner.report.chart import Axis, Chart, RefLine, Series, data_range, linear_ticks, log_ticks


def test_log_ticks_label_every_decade_with_minor_ticks_between():
    major, minor = log_ticks(10, 1e6)
    assert major == [1e1, 1e2, 1e3, 1e4, 1e5, 1e6]
    assert 2e1 in minor and 9e5 in minor and 1e3 not in minor


def test_log_ticks_thin_out_labels_on_wide_ranges():
    major, _ = log_ticks(1e-6, 1e12)
    assert len(major) <= 10
    assert all(np.isclose(np.log10(v), round(np.log10(v))) for v in major)


def test_log_ticks_add_2_and_5_on_a_short_range():
    major, _ = log_ticks(1, 10)
    assert major == [1, 2, 5, 10]


def test_linear_ticks_are_round_numbers():
    assert linear_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert linear_ticks(40, 100)[0] == 40


def test_data_range_ignores_non_finite_and_non_positive_on_log_axes():
    assert data_range(np.array([np.nan, -1, 0, 3, 700, np.inf]), log=True) == (1, 1000)


@pytest.fixture(scope="module")
def app():
    from ttcplanner.report.qt_setup import ensure_app

    return ensure_app()


def test_chart_renders_at_the_requested_print_size(app):
    chart = Chart(
        100,
        50,
        Axis("x", log=True),
        Axis("y", log=True),
        [
            Series(
                [1, 10, np.nan, 1000, np.inf],
                [1, 0, 5, np.nan, 3],
                label="gappy",
                marker="circle",
                marker_every=1,
                band_low=[0.5, 0.5, 1, 1, 1],
                band_high=[2, 2, 9, 9, 9],
            ),
            Series([], [], label="empty"),
            Series([5], [5], marker="star", line=False),
        ],
        [RefLine(30, label="here"), RefLine(2, vertical=False, label="target")],
        font_family=app,
    )
    image = chart.render(dpi=300)
    assert (image.width(), image.height()) == (round(100 / 25.4 * 300), round(50 / 25.4 * 300))
    # something other than white was drawn inside the plot
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10


def test_volume_figure_shows_the_closest_option_when_no_kind_has_a_curve():
    from ttcplanner.model import scenario as sc
    from ttcplanner.model.catalog import load_catalog
    from ttcplanner.model.planner import evaluate
    from ttcplanner.paths import scenarios_dir
    from ttcplanner.report.figures import volume_chart

    base = sc.load(scenarios_dir() / "maths-tutor-high-volume.json")
    # A target no option reaches. (112 reasoning tokens used to leave every option short of 75%; with the
    # merged catalog GPT-5.4 is bought at its lowest effort level, whose own ~3.8k tokens reach 88%, so the API
    # kind has a curve.)
    plan = evaluate(base.replace(target_accuracy_pct=99.0), load_catalog(include_user=False))
    assert plan.recommended is not None and not any(np.isfinite(v).any() for v in plan.volume_monthly_usd.values())
    chart = volume_chart(plan, "DejaVu Sans")
    (star,) = chart.series
    assert star.marker == "star" and star.y[0] == plan.results.monthly_usd[plan.recommended]
    assert len(chart.notices) == 1 and "No option meets every target" in chart.notices[0]
    assert "Star: the closest option" in chart.notices[0]
    assert chart.y.lo <= star.y[0] <= chart.y.hi and chart.y.hi / chart.y.lo >= 10
    boxes = chart.layout(dpi=100)
    assert boxes["notices"] and not any(boxes["notices"][0].intersects(m) for m in boxes["markers"])
    ok = evaluate(base, load_catalog(include_user=False))  # the scenario as shipped: curves, no such note
    assert volume_chart(ok, "DejaVu Sans").notices == []


def test_a_marker_at_the_axis_end_is_drawn_whole(app):
    """The plot clips lines and bands, not markers: a point at the axis's end (the volume slider's maximum)
    was cut in half by the frame."""

    def red_pixels(x: float) -> int:
        chart = Chart(
            100,
            50,
            Axis("x", log=True, lo=1, hi=100),
            Axis("y", log=True, lo=1, hi=100),
            [Series([x], [10], marker="star", line=False, color="#d00000", marker_size_pt=9)],
            [],
            font_family=app,
        )
        image = chart.render(dpi=150)
        return sum(
            1
            for px in range(image.width())
            for py in range(image.height())
            if (lambda c: c.red() > 180 and c.green() < 90 and c.blue() < 90)(image.pixelColor(px, py))
        )

    middle = red_pixels(10)
    assert middle > 20 and abs(red_pixels(100) - middle) <= middle * 0.15  # whole, give or take the frame line
    assert red_pixels(1000) == 0  # a point beyond the axis is not drawn


@pytest.mark.parametrize("target", [99.5, 100.0, 0.0])
def test_a_target_line_at_the_plots_edge_keeps_its_label_inside_the_plot(app, target):
    """The PDF's accuracy figure at a target of 99.5% (the line a few pixels below the top edge, inside the
    label inset) dropped its label; it must sit inside the plot, below the line at the top, above at the bottom."""
    from ttcplanner.model import scenario as scenario_io
    from ttcplanner.model.catalog import load_catalog
    from ttcplanner.model.planner import evaluate
    from ttcplanner.paths import resource_dir
    from ttcplanner.present.figures import accuracy_figure
    from ttcplanner.report.figures import chart_of

    path = f"{resource_dir()}/scenarios/maths-tutor-high-volume.json"
    plan = evaluate(scenario_io.load(path).replace(target_accuracy_pct=target), load_catalog(include_user=False))
    fig = accuracy_figure(plan)
    assert [line.key for line in fig.lines if line.label] == ["target", "budget"]
    chart = chart_of(fig, "DejaVu Sans")
    boxes = chart.layout(dpi=150)
    plot = boxes["plot"][0]
    assert len(boxes["ref_labels"]) == 2  # the target's and the budget's
    target_box = boxes["ref_labels"][0]  # drawn in the figure's order: the target first
    assert plot.contains(target_box)
    line_y = plot.bottom() - target / 100 * plot.height()
    if target > 50:
        assert target_box.top() >= line_y  # below its line
    else:
        assert target_box.bottom() <= line_y  # above its line


def test_the_pdf_figures_legends_sit_below_the_plot_and_cover_no_data(app):
    """The PDF's legends are drawn under the plot area, clear of it and of the axis titles, for every figure
    of every shipped scenario."""
    from pathlib import Path

    from ttcplanner.model import scenario as scenario_io
    from ttcplanner.model.catalog import load_catalog
    from ttcplanner.model.planner import evaluate
    from ttcplanner.paths import resource_dir
    from ttcplanner.report.figures import accuracy_chart, cost_chart, volume_chart

    catalog = load_catalog(include_user=False)
    for path in sorted((Path(resource_dir()) / "scenarios").glob("*.json")):
        plan = evaluate(scenario_io.load(path), catalog)
        for chart in (
            accuracy_chart(plan, "DejaVu Sans"),
            cost_chart(plan, "DejaVu Sans"),
            volume_chart(plan, "DejaVu Sans"),
        ):
            boxes = chart.layout(dpi=100)
            (plot,), legend = boxes["plot"], boxes["legend"]
            assert legend, path.stem
            for box in legend:
                assert box.top() >= plot.bottom() and not box.intersects(plot), path.stem
                assert not any(box.intersects(t) for t in boxes["x_title"] + boxes["x_ticks"]), path.stem
