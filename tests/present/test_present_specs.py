"""The window and the PDF take their colours, names and highlighted options from ``ttcplanner.present``:
the same plan in, the same options, colours and names out of both."""

from pathlib import Path

import pytest

from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import resource_dir
from ttcplanner.present import palette
from ttcplanner.present.highlight import Highlight, highlighted
from ttcplanner.present.labels import AGGREGATION_NAMES
from ttcplanner.present.names import model_names

SCENARIOS = sorted((Path(resource_dir()) / "scenarios").glob("*.json"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def plan(request, catalog):
    return evaluate(scenario_io.load(request.param), catalog)


def test_highlight_is_frozen_comparable_and_ordered(plan):
    hs = highlighted(plan)
    assert hs == highlighted(plan) and hash(hs) == hash(highlighted(plan))
    with pytest.raises(AttributeError):
        hs[0].index = 0  # frozen
    assert len({h.index for h in hs}) == len(hs)
    if plan.recommended is not None:
        assert hs[0] == Highlight(plan.recommended, "recommended", str(plan.options.kind[plan.recommended]))
        assert hs[0].color == palette.ROLE_COLORS["recommended"]
    for h in hs[1:]:
        assert h.role == "best" and plan.best_per_kind[h.kind] == h.index and h.color == palette.KIND_COLORS[h.kind]


def test_window_and_pdf_highlight_the_same_options(plan):
    from ttcplanner.gui.plots import PROMINENT_SLOTS, prominent_options
    from ttcplanner.report.figures import shown_options

    gui = prominent_options(plan, None)
    pdf = shown_options(plan)
    assert [i for i, _ in gui] == [i for _, i in pdf][:PROMINENT_SLOTS]
    assert [role for role, _ in pdf][:PROMINENT_SLOTS] == [role[:1].upper() + role[1:] for _, role in gui]  # same words


def test_window_and_pdf_share_one_palette():
    from PySide6.QtGui import QColor

    from ttcplanner.gui import style
    from ttcplanner.report.figures import KIND_STYLE

    for kind, color in palette.KIND_COLORS.items():
        assert QColor(KIND_STYLE[kind][0]) == QColor(color) == style.kind_color(kind)
    assert style.RECOMMENDED_COLOR == palette.ROLE_COLORS["recommended"]
    from ttcplanner.gui import tornado_view
    from ttcplanner.report import analysis_section

    assert (tornado_view.LOW_COLOR, tornado_view.HIGH_COLOR, tornado_view.FLIP_COLOR) == \
           (analysis_section.LOW_COLOR, analysis_section.HIGH_COLOR, analysis_section.FLIP_COLOR)


def test_accuracy_curves_same_colours_and_names_in_window_and_pdf(qtbot, plan, catalog):
    """The curves of the highlighted options' models: in the window's accuracy plot and in the PDF's
    accuracy figure, each in the same colour under the same display name and role (no raw ids)."""
    from PySide6.QtGui import QColor

    from ttcplanner.gui.plots import AccuracyPlot
    from ttcplanner.report.figures import accuracy_chart

    names = model_names(catalog)
    view = AccuracyPlot(dict(names))
    qtbot.addWidget(view)
    view.show_plan(plan)
    window_legend = {}
    for item, name, *suffix in view._legend_entries:
        if item is not view.others_legend:
            window_legend[name + "".join(suffix)] = QColor(item.pen().color()).name()

    chart = accuracy_chart(plan, "DejaVu Sans", names)
    first = {}  # a model behind two highlighted options is drawn once, in its first role
    for h in highlighted(plan, limit=len(view.slots)):
        acc = plan.options.accuracy_id[h.index]
        if any(c.accuracy_id == acc for c in plan.accuracy_curves):
            first.setdefault(acc, h)
    expected = {f"{names.get(acc, acc)} ({h.label})": QColor(h.color).name() for acc, h in first.items()}
    assert expected, "every shipped scenario highlights at least one model"
    assert window_legend == expected
    pdf_legend = {s.label: QColor(s.color).name() for s in chart.series if s.label and s.in_legend}
    assert expected.items() <= pdf_legend.items()
    raw_ids = {c.accuracy_id for c in plan.accuracy_curves} - set(names.values())
    assert not raw_ids & set(pdf_legend), "the PDF legend prints a raw id where the window prints a name"


def test_cost_figure_colours_options_by_kind_and_the_recommendation_by_role(qtbot, plan):
    """As in the window's cost plot: each highlighted option's curve in its kind's colour (the window's
    best-of-kind pens), the recommended operating point a star in the recommendation's colour."""
    from PySide6.QtGui import QColor

    from ttcplanner.gui.plots import CostAccuracyPlot
    from ttcplanner.report.figures import cost_chart

    view = CostAccuracyPlot()
    qtbot.addWidget(view)
    chart = cost_chart(plan, "DejaVu Sans")
    by_label = {s.label: s for s in chart.series if s.label}
    curves = {c.option for c in plan.cost_curves}
    for h in highlighted(plan):
        if h.index in curves:
            color = by_label[f"{plan.options.label[h.index]} ({h.label})"].color
            assert QColor(color) == QColor(palette.kind_color(h.kind)) == view.best_curves[h.kind].pen().color()
    if plan.recommended is not None:
        assert by_label["recommended (operating point)"].color == palette.ROLE_COLORS["recommended"]


def test_one_set_of_aggregation_labels(plan):
    from ttcplanner.gui import scenario_panel
    from ttcplanner.report.document import SCENARIO_FIELDS

    assert scenario_panel.AGGREGATION_NAMES is AGGREGATION_NAMES
    assert SCENARIO_FIELDS["aggregation"][1](plan.scenario) == AGGREGATION_NAMES[plan.scenario.aggregation]


def test_one_assumptions_text(catalog, plan):
    from ttcplanner.gui.dialogs import assumptions_html
    from ttcplanner.present.assumptions import model_assumptions
    from ttcplanner.report.document import model_assumptions as pdf_assumptions

    window = assumptions_html(catalog)
    pdf = pdf_assumptions(plan)
    for general, specific in zip(model_assumptions(), model_assumptions(plan.scenario), strict=True):
        assert general[:40] in window.replace("&#x27;", "'") and specific in pdf


def test_present_loads_no_qt_at_run_time():
    """The contract checks the imports as written; this checks what importing every present module loads."""
    import subprocess
    import sys

    code = ("import pkgutil, importlib, sys, ttcplanner.present as p\n"
            "for m in pkgutil.iter_modules(p.__path__): importlib.import_module('ttcplanner.present.' + m.name)\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')"
            " or m.startswith(('ttcplanner.gui', 'ttcplanner.report', 'ttcplanner.cli')))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
