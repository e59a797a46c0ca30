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
    """Both draw the accuracy models ``present.figures.drawn_models`` picks; the PDF's key-figures rows are
    ``present.highlight``'s."""
    from ttcplanner.present.figures import accuracy_figure, drawn_models
    from ttcplanner.report.figures import accuracy_models, shown_options

    roles, context, _ = drawn_models(plan)
    assert [c.accuracy_id for c in accuracy_models(plan)] == [c.accuracy_id for c, _ in roles] + [
        c.accuracy_id for c in context
    ]
    assert [i for _, i in shown_options(plan)] == [h.index for h in highlighted(plan)]
    assert [s.role for s in accuracy_figure(plan).series][: len(roles)] == [h.role for _, h in roles]


def test_window_and_pdf_share_one_palette():
    from PySide6.QtGui import QColor

    from ttcplanner.gui import style
    from ttcplanner.report.figures import KIND_STYLE

    for kind, color in palette.KIND_COLORS.items():
        assert QColor(KIND_STYLE[kind][0]) == QColor(color) == style.kind_color(kind)
    assert style.RECOMMENDED_COLOR == palette.ROLE_COLORS["recommended"]
    from ttcplanner.gui import tornado_view
    from ttcplanner.report import analysis_section

    assert (tornado_view.LOW_COLOR, tornado_view.HIGH_COLOR, tornado_view.FLIP_COLOR) == (
        analysis_section.LOW_COLOR,
        analysis_section.HIGH_COLOR,
        analysis_section.FLIP_COLOR,
    )


def test_accuracy_curves_same_colours_and_names_in_window_and_pdf(qtbot, plan, catalog):
    """The highlighted options' models in the window's accuracy plot and the PDF's accuracy figure: each in its
    role's colour under its display name and role (no raw ids), in both from the same spec."""
    from PySide6.QtGui import QColor

    from ttcplanner.gui.plots import AccuracyPlot
    from ttcplanner.report.figures import accuracy_chart

    names = model_names(catalog)
    view = AccuracyPlot(dict(names))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show_plan(plan)
    first = {}  # a model behind two highlighted options is drawn once, in its first role
    for h in highlighted(plan):
        acc = plan.options.accuracy_id[h.index]
        if any(c.accuracy_id == acc for c in plan.accuracy_curves):
            first.setdefault(acc, h)
    expected = {f"{names.get(acc, acc)} ({h.label})": QColor(h.color).name() for acc, h in first.items()}
    assert expected, "every shipped scenario highlights at least one model"
    window = {
        s.label + s.suffix: QColor(view.series_curve(s.key).pen().color()).name()
        for s in view.figure.series
        if s.role != "context"
    }
    assert window == expected
    assert expected.items() <= {e.text: QColor(e.item.color).name() for e in view.legend.entries}.items()
    chart = accuracy_chart(plan, "DejaVu Sans", names)
    pdf_legend = {k.label: QColor(k.color).name() for k in chart.legend}
    assert expected.items() <= pdf_legend.items()
    raw_ids = {c.accuracy_id for c in plan.accuracy_curves} - set(names.values())
    assert not raw_ids & set(pdf_legend), "the PDF legend prints a raw id where the window prints a name"


def test_cost_figure_colours_options_by_kind_and_the_recommendation_by_role(qtbot, plan):
    """In the window's cost plot and the PDF's: the highlighted options' curves in their kind's colour, the
    recommended operating point a star in the recommendation's colour."""
    from PySide6.QtGui import QColor

    from ttcplanner.gui.plots import CostAccuracyPlot
    from ttcplanner.report.figures import cost_chart

    view = CostAccuracyPlot()
    qtbot.addWidget(view)
    view.show_plan(plan)
    chart = cost_chart(plan, "DejaVu Sans")
    kinds = {h.kind for h in highlighted(plan) if any(c.option == h.index for c in plan.cost_curves)}
    for k in kinds:
        pen = view.series_curve(f"best:{k}").pen().color()
        assert pen == QColor(palette.kind_color(k))
        assert any(QColor(s.color) == pen and s.width_pt > 1 for s in chart.series)
    if plan.recommended is not None:
        star = next(m for m in view.figure.marks if m.key == "recommended")
        assert star.color == palette.ROLE_COLORS["recommended"] and view.mark("recommended").isVisible()
        assert any(s.marker == "star" and s.color == star.color for s in chart.series)


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

    code = (
        "import pkgutil, importlib, sys, ttcplanner.present as p\n"
        "for m in pkgutil.iter_modules(p.__path__): importlib.import_module('ttcplanner.present.' + m.name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')"
        " or m.startswith(('ttcplanner.gui', 'ttcplanner.report', 'ttcplanner.cli')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
