"""Figure specs (``present.figures``) and label placement (``present.placement``): the readable-plot rules of
issue 21 item 6 that do not need a renderer: legends list only what is drawn, notices only when they apply, the
accuracy axis names the aggregation and N, many models show the highlighted and a few, the rest on demand;
marker-line labels are placed beside their line, inside the plot, clear of each other and of the markers."""

from pathlib import Path

import numpy as np
import pytest

from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.options import KIND_NAMES
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import resource_dir
from ttcplanner.present.figures import TOP_MODELS, Values, accuracy_figure, cost_figure, curve_samples, volume_figure
from ttcplanner.present.highlight import highlighted
from ttcplanner.present.names import model_names
from ttcplanner.present.placement import Box, LineLabel, marker_box, place_line_labels

SCENARIOS = sorted((Path(resource_dir()) / "scenarios").glob("*.json"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def plan(request, catalog):
    return evaluate(scenario_io.load(request.param), catalog)


def _load(catalog, stem: str, **changes):
    s = scenario_io.load(Path(resource_dir()) / "scenarios" / f"{stem}.json")
    return evaluate(s.replace(**changes) if changes else s, catalog)


def _figures(plan, catalog, selected=None, show_all=False):
    names = model_names(catalog)
    return (
        accuracy_figure(plan, names, selected, show_all),
        cost_figure(plan, selected),
        volume_figure(plan, selected),
    )


def test_specs_are_frozen_and_equal_for_equal_plans(plan, catalog):
    again = evaluate(plan.scenario, catalog)
    for a, b in zip(_figures(plan, catalog), _figures(again, catalog), strict=True):
        assert a == b and hash(a) == hash(b)
        with pytest.raises(AttributeError):
            a.title = "x"
    moved = evaluate(plan.scenario.replace(requests_per_day=plan.scenario.requests_per_day * 3), catalog)
    assert volume_figure(moved) != volume_figure(plan)
    assert Values.of([1.0, np.nan]) == Values.of([1.0, np.nan]) != Values.of([1.0, 2.0])
    assert not Values.of([1.0]).arrays[0].flags.writeable


def _drawable(xy) -> bool:
    return bool((np.isfinite(xy[0]) & np.isfinite(xy[1])).any())


def test_legends_list_only_what_is_drawn(plan, catalog):
    for fig in _figures(plan, catalog, show_all=True) + _figures(plan, catalog):
        lines = {s.label + s.suffix for s in fig.series if s.label and _drawable(s.xy)}
        for key in fig.legend:
            text = key.label + key.suffix
            if key.symbol is None:
                assert text in lines or text in KIND_NAMES.values(), (fig.key, text)
            elif key.symbol == "star":
                assert any(m.symbol == "star" for m in fig.marks), (fig.key, text)
            elif key.hollow:
                assert any(m.hollow for m in fig.marks), (fig.key, text)
            else:  # the published dots
                assert fig.dots and text.startswith("published"), (fig.key, text)
        for name in KIND_NAMES.values():  # no kind without a curve
            if any(k.label == name for k in fig.legend):
                kind = next(k for k, v in KIND_NAMES.items() if v == name)
                assert any(s.key.endswith(kind) and _drawable(s.xy) for s in fig.series), (fig.key, name)


def test_on_premises_volume_legend_has_only_gpus(catalog):
    fig = volume_figure(_load(catalog, "on-premises-only"))
    assert [k.label for k in fig.legend] == [KIND_NAMES["gpu"]]


def test_the_accuracy_axis_names_the_aggregation_and_n(catalog):
    arc = _load(catalog, "reasoning-frontier-production")
    fig = accuracy_figure(arc)
    n = curve_samples(arc)
    assert n > 1 and fig.y.note == f"majority vote of {n} samples"
    assert any(k.label == "published (1 sample)" for k in fig.legend)  # published dots are single-sample
    one = accuracy_figure(_load(catalog, "maths-tutor-high-volume"))
    assert one.y.note == "1 sample" and not any("1 sample" in k.label for k in one.legend)
    verifier = _load(catalog, "coding-agent-verifier", budget_mode="fixed", samples=4)
    assert accuracy_figure(verifier).y.note == f"best of {curve_samples(verifier)} by a verifier"


def test_many_models_show_the_highlighted_and_a_few_the_rest_on_demand(catalog):
    arc = _load(catalog, "reasoning-frontier-production")
    assert len(arc.accuracy_curves) > 20
    fig = accuracy_figure(arc)
    models = [s for s in fig.series if s.key.startswith("model:")]
    highlighted_models = [s for s in models if s.role != "context"]
    assert len(models) == len(highlighted_models) + TOP_MODELS
    assert fig.optional == len(arc.accuracy_curves) - len(models) > 0
    assert not any(s.key == "others" for s in fig.series)
    every = accuracy_figure(arc, show_all=True)
    others = next(s for s in every.series if s.key == "others")
    assert others.label == f"{fig.optional} other models" and len(others.parts) == fig.optional
    assert any(k.label == others.label for k in every.legend) and not any(k.label == others.label for k in fig.legend)
    selected = next(
        i
        for i in range(len(arc.options.label))
        if arc.options.accuracy_id[i] not in {s.parts[0] for s in models}
        and any(c.accuracy_id == arc.options.accuracy_id[i] for c in arc.accuracy_curves)
    )
    with_selection = accuracy_figure(arc, selected=selected)
    assert any(s.role == "selected" for s in with_selection.series)


def test_notices_only_when_they_apply(catalog):
    for plan in (_load(catalog, stem) for stem in ("maths-tutor-high-volume", "reasoning-frontier-production")):
        assert volume_figure(plan).notices == ()
    missed = _load(catalog, "maths-tutor-high-volume", target_accuracy_pct=99.0)
    fig = volume_figure(missed)
    assert not fig.series and fig.notices and "No option meets every target" in fig.notices[0]
    assert ("Star: the closest option" in fig.notices[0]) == any(m.key == "recommended" for m in fig.marks) is True
    nothing = _load(catalog, "maths-tutor-high-volume", latency_target_s=0.1)
    assert nothing.recommended is None
    fig = volume_figure(nothing)
    assert fig.notices and "Star" not in fig.notices[0] and not fig.marks
    assert cost_figure(nothing).notices and not cost_figure(nothing).series
    assert all(cost_figure(p).notices == () for p in (missed, _load(catalog, "maths-tutor-high-volume")))


def test_break_evens_close_together_share_one_label(catalog):
    """The cheapest kind can flip back and forth as GPU replicas step up: nine break-evens between 23k and 114k
    a day get nine lines but one label naming the range, on the first line."""
    plan = _load(catalog, "maths-tutor-high-volume", target_accuracy_pct=50.0, reasoning_tokens=8000)
    assert len(plan.break_evens) > 3
    lines = [ln for ln in volume_figure(plan).lines if ln.key.startswith("break-even")]
    assert len(lines) == len(plan.break_evens)
    labelled = [ln for ln in lines if ln.label]
    assert len(labelled) < len(lines) and labelled[0].value == min(ln.value for ln in lines)
    assert labelled[0].label.startswith("break-evens ")
    # a 450 s latency target: at 300 s the GPU rows' replica steps flip the cheapest kind three times (refit 2026-12)
    one = _load(
        catalog, "maths-tutor-high-volume", target_accuracy_pct=60.0, reasoning_tokens=16000, latency_target_s=450.0
    )
    (single,) = [ln for ln in volume_figure(one).lines if ln.key.startswith("break-even")]
    assert single.label.startswith("break-even ") and single.label.endswith("/day")


def test_marks_are_the_highlighted_options_at_their_budget(plan):
    fig = accuracy_figure(plan)
    r = plan.results
    for m in fig.marks:
        if m.key == "recommended":
            assert (m.x, m.y) == (r.reasoning_tokens[plan.recommended], r.accuracy_pct[plan.recommended])
    roles = {h.index for h in highlighted(plan)}
    assert all(plan.best_per_kind[m.key.split(":")[1]] in roles for m in fig.marks if m.key.startswith("best:"))


AREA = Box(0, 0, 300, 200)


def _check(boxes, labels, area, obstacles=()):
    placed = [b for b in boxes if b is not None]
    for k, b in enumerate(placed):
        assert b.inside(area), b
        assert all(b.overlap(o) == 0 for o in placed[k + 1 :]), (b, placed)
        assert all(b.overlap(o) == 0 for o in obstacles), (b, obstacles)
    for b, label in zip(boxes, labels, strict=True):  # beside its own line
        if b is not None and label.vertical:
            assert b.right <= label.at or b.x >= label.at
        elif b is not None:
            assert b.bottom <= label.at or b.y >= label.at


def test_labels_of_close_lines_are_placed_not_stacked_and_clear_of_the_star():
    """Three break-even lines a few pixels apart beside the star (the issue's picture): each label beside its
    line, none over another or over the star."""
    labels = [LineLabel(True, x, 110, 16, along=0.1) for x in (150, 156, 162)]
    star = marker_box(156, 30, 16)
    boxes = place_line_labels(labels, AREA, [star])
    assert all(b is not None for b in boxes)
    _check(boxes, labels, AREA, [star])


def test_a_label_near_the_right_edge_goes_left_of_its_line_inside_the_plot():
    label = LineLabel(True, 290, 120, 16)  # "break-even 218k/day" near the right edge
    (box,) = place_line_labels([label], AREA)
    assert box.inside(AREA) and box.right <= 290
    label = LineLabel(False, 5, 80, 16)  # a horizontal line at the top: its label goes below it
    (box,) = place_line_labels([label], AREA)
    assert box.inside(AREA) and box.y >= 5


def test_a_line_between_the_plots_edge_and_the_label_inset_keeps_its_label():
    """A 99.5 % target runs a pixel below the plot's top, above the inset labels keep: labelled below it."""
    plot = Box(0, 0, 300, 200)
    inset = Box(4, 4, 292, 192)
    for at in (1.0, 0.0, -0.3):
        (box,) = place_line_labels([LineLabel(False, at, 80, 16, along=0.02)], inset, plot=plot)
        assert box is not None and box.inside(inset) and box.y >= at
    (box,) = place_line_labels([LineLabel(False, 199.0, 80, 16)], inset, plot=plot)
    assert box is not None and box.inside(inset) and box.bottom <= 199.0
    assert place_line_labels([LineLabel(False, 1.0, 80, 16)], inset) == (None,)  # without the plot: outside
    assert place_line_labels([LineLabel(False, -5.0, 80, 16)], inset, plot=plot) == (None,)


def test_a_label_too_wide_for_either_side_sits_over_its_line_inside_the_plot():
    narrow = Box(0, 0, 200, 100)
    (box,) = place_line_labels([LineLabel(True, 120, 150, 16)], narrow)
    assert box.inside(narrow) and box.x <= 120 <= box.right


def test_a_line_outside_the_plot_gets_no_label_and_crowds_take_the_least_overlap():
    assert place_line_labels([LineLabel(True, 400, 50, 16)], AREA) == (None,)
    tiny = Box(0, 0, 60, 20)
    boxes = place_line_labels([LineLabel(True, 30, 25, 18), LineLabel(True, 32, 25, 18)], tiny)
    assert all(b is not None and b.inside(tiny) for b in boxes)  # no room for both: both inside all the same


def test_the_target_line_names_the_target_as_the_card_does(catalog):
    """A whole target reads 'target 75%'; one between whole percents keeps its decimal, not a rounded 90%."""
    for target, label in ((75.0, "target 75%"), (89.8, "target 89.8%")):
        plan = _load(catalog, "maths-tutor-high-volume", target_accuracy_pct=target)
        for fig in (accuracy_figure(plan), cost_figure(plan)):
            (line,) = [ln for ln in fig.lines if ln.key == "target"]
            assert line.label == label


def test_on_premises_top_models_are_only_models_the_rule_allows(catalog):
    """The on-premises rule excludes API-only models: the accuracy plot's top few (and its highlights) never
    promote one; without the rule the same task does rank API-only models among the top few."""
    from ttcplanner.present.figures import drawn_models

    onprem = _load(catalog, "on-premises-only")
    r, acc = onprem.results, onprem.options.accuracy_id
    assert not r.allowed.all()
    allowed = {acc[i] for i in np.flatnonzero(r.allowed)}
    roles, context, rest = drawn_models(onprem)
    assert len(context) == TOP_MODELS
    for c in [c for c, _ in roles] + context:
        assert c.accuracy_id in allowed, c.accuracy_id
    assert all(h.index is not None and r.allowed[h.index] for h in highlighted(onprem))
    drawn = {c.accuracy_id for c, _ in roles} | {c.accuracy_id for c in context} | {c.accuracy_id for c in rest}
    assert drawn == {c.accuracy_id for c in onprem.accuracy_curves}  # the rest stay on demand
    fig = accuracy_figure(onprem)
    names = {s.label for s in fig.series if s.role == "context"}
    assert len(names) == TOP_MODELS
    anywhere = _load(catalog, "on-premises-only", on_prem_only=False)
    _, context_anywhere, _ = drawn_models(anywhere)
    assert any(c.accuracy_id not in allowed for c in context_anywhere)  # the test would catch the old choice


def test_a_polyline_crosses_a_box_through_a_point_or_a_segment_but_not_across_a_gap():
    from ttcplanner.present.placement import line_crosses

    box = Box(10, 10, 20, 20)
    assert line_crosses(box, [15], [15])  # a point inside
    assert line_crosses(box, [0, 40], [20, 20])  # a segment straight through, no point inside
    assert line_crosses(box, [0, 40], [0, 40])  # the diagonal
    assert not line_crosses(box, [0, 40], [0, 5])  # beside it
    assert not line_crosses(box, [0, 40], [35, 45])  # its bounding box overlaps, the segment passes the corner
    assert not line_crosses(box, [0, np.nan, 40], [20, np.nan, 20])  # a gap where it would cross
    assert not line_crosses(box, [], [])


def test_a_legend_takes_the_first_corner_free_of_data_else_none():
    from ttcplanner.present.placement import corner_box, covers_data, place_legend

    area = Box(0, 0, 300, 200)
    rising = [(np.linspace(0, 300, 50), np.linspace(200, 0, 50))]  # bottom left to top right (y down)
    box = place_legend(100, 60, area, rising, corners=("bottom-left", "top-left", "bottom-right"))
    assert box == corner_box("top-left", 100, 60, area) and not covers_data(box, rising)
    star = [Box(20, 20, 10, 10)]  # a marker in that corner sends it to the next free one
    box = place_legend(100, 60, area, rising, star, corners=("top-left", "bottom-right"))
    assert box == corner_box("bottom-right", 100, 60, area) and not covers_data(box, rising, star)
    across = rising + [(np.array([0.0, 300.0]), np.array([100.0, 100.0]))]  # a curve across the middle too
    assert place_legend(100, 95, area, across) is None  # every corner covers data: the renderer puts it below
    assert place_legend(320, 20, area, []) is None  # wider than the plot
