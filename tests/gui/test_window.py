"""The window as a whole: files, undo/redo, coalescing, the volume sweep, selection, menus, PDF, settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import change_and_wait, find
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QMessageBox, QSlider, QTableView

from ttcplanner.gui.options_table import COLUMNS
from ttcplanner.model import scenario as sc
from ttcplanner.model.format import count
from ttcplanner.model.options import KIND_NAMES
from ttcplanner.paths import scenarios_dir

SHIPPED = sorted(scenarios_dir().glob("*.json"))

# Qt's offscreen platform cannot resize native windows and says so whenever a dialog fits itself to
# its text (QMessageBox); on a real display the message does not occur.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _close_error_dialogs(window) -> list[str]:
    texts = []
    for box in window.findChildren(QMessageBox, "errorDialog"):
        if box.isVisible():
            texts.append(box.text())
            box.close()
    return texts


def test_save_then_open_round_trips_exactly(qtbot, window, tmp_path):
    change_and_wait(qtbot, window, lambda: find(window, QDoubleSpinBox, "tokenVolumeSliderValue").setValue(31_234))
    change_and_wait(qtbot, window, lambda: find(window, QComboBox, "kvPrecisionCombo").setCurrentIndex(0))
    change_and_wait(qtbot, window, lambda: find(window, QDoubleSpinBox, "computeBudgetSliderValue").setValue(12_345))
    saved = window.scenario
    path = tmp_path / "mine.json"
    assert window.save_scenario(path)
    assert json.loads(path.read_text()) == sc.to_json(saved)
    change_and_wait(qtbot, window, window.new_scenario)
    assert window.scenario != saved
    change_and_wait(qtbot, window, lambda: window.open_scenario(path))
    assert window.scenario == saved
    assert find(window, QDoubleSpinBox, "tokenVolumeSliderValue").value() == 31_234
    assert str(path.resolve()) == window.recent_files()[0]
    assert not window.isWindowModified()


def test_undo_redo_restores_values(qtbot, window):
    start = window.scenario
    volume = find(window, QDoubleSpinBox, "tokenVolumeSliderValue")
    budget = find(window, QDoubleSpinBox, "computeBudgetSliderValue")
    change_and_wait(qtbot, window, lambda: volume.setValue(50_000))
    change_and_wait(qtbot, window, lambda: budget.setValue(20_000))
    undo, redo = find(window, QAction, "actionUndo"), find(window, QAction, "actionRedo")
    change_and_wait(qtbot, window, undo.trigger)
    assert window.scenario.reasoning_tokens == start.reasoning_tokens and window.scenario.requests_per_day == 50_000
    assert budget.value() == start.reasoning_tokens
    change_and_wait(qtbot, window, undo.trigger)
    assert window.scenario == start and volume.value() == start.requests_per_day
    change_and_wait(qtbot, window, redo.trigger)
    assert window.scenario.requests_per_day == 50_000 and volume.value() == 50_000


def test_a_slider_drag_is_one_undo_step(qtbot, window):
    start = window.scenario
    slider = find(window, QSlider, "computeBudgetSlider")
    slider.setSliderDown(True)
    for step in (5, 10, 15, 20):
        change_and_wait(qtbot, window, lambda s=step: slider.setValue(slider.value() + s))
    slider.setSliderDown(False)  # emits sliderReleased
    assert window.scenario.reasoning_tokens != start.reasoning_tokens
    assert window.controller.undo_stack.count() == 1
    change_and_wait(qtbot, window, find(window, QAction, "actionUndo").trigger)
    assert window.scenario == start


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"schema_version": 1, "task_id": "no-such-task"}',
        '{"schema_version": 1, "requests_per_day": -5}',
        "[1, 2]",
        '{"schema_version": 2, "budget_mode": "cheapest"}',
        '{"schema_version": 2, "budget_mode": "auto", "samples": 0}',
    ],
)
def test_a_bad_file_keeps_the_scenario(qtbot, window, tmp_path, content):
    change_and_wait(qtbot, window, lambda: find(window, QDoubleSpinBox, "tokenVolumeSliderValue").setValue(4_321))
    before, plan = window.scenario, window.plan
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert window.open_scenario(bad) is False
    assert window.scenario == before and window.plan is plan
    texts = _close_error_dialogs(window)
    assert texts and "bad.json" in texts[0]
    if "budget_mode" in content:  # the dialog names the field
        assert ("budget_mode" if "cheapest" in content else "samples") in texts[0]
    assert window.open_scenario(tmp_path / "missing.json") is False
    assert window.scenario == before
    assert _close_error_dialogs(window)


def _recommended_kind(window) -> str | None:
    p = window.plan
    return None if p.recommended is None else str(p.options.kind[p.recommended])


@pytest.mark.skipif(not SHIPPED, reason="no shipped scenarios")
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_volume_sweep_moves_recommendation_across_kinds(qtbot, make_window, path):
    window = make_window(sc.load(path))
    slider = find(window, QSlider, "tokenVolumeSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.minimum()))
    assert window.scenario.requests_per_day == 1
    seen = []
    for step in range(slider.minimum(), slider.maximum() + 1, 15):
        if step != slider.value():
            change_and_wait(qtbot, window, lambda s=step: slider.setValue(s))
        kind = _recommended_kind(window)
        card = window.card.text()
        if kind is not None:
            assert card.startswith(f" {KIND_NAMES[kind]} "), card[:80]  # the card's kind badge
        if not seen or seen[-1] != kind:
            seen.append(kind)
    if slider.value() != slider.maximum():
        change_and_wait(qtbot, window, lambda: slider.setValue(slider.maximum()))
    assert window.scenario.requests_per_day == 1e9
    breaks = window.plan.break_evens
    if not breaks:
        assert len({k for k in seen if k}) <= 1, f"the kind changed without a break-even: {seen}"
        return
    kinds = [k for k in seen if k]
    assert len(set(kinds)) >= 2, f"break-even inside the range but one kind all along: {seen}"
    assert kinds[0] == breaks[0].below and kinds[-1] == breaks[-1].above
    card = window.card.text()
    assert f"{count(breaks[-1].requests_per_day)}/day" in card or any(
        f"{count(b.requests_per_day)}/day" in card for b in breaks
    )
    assert KIND_NAMES[breaks[-1].above] in card


def test_bursts_are_coalesced(qtbot, window):
    slider = find(window, QSlider, "tokenVolumeSlider")
    before = window.controller.evaluate_count
    with qtbot.waitSignal(window.planUpdated, timeout=5000):
        for k in range(50):
            slider.setValue(slider.minimum() + 5 * k)
    qtbot.wait(50)  # let any straggling timer fire before counting
    evaluations = window.controller.evaluate_count - before
    assert 1 <= evaluations <= 3, evaluations
    assert window.scenario.requests_per_day == window.findChild(QDoubleSpinBox, "tokenVolumeSliderValue").value()
    assert window.plan.scenario == window.scenario
    assert window.controller.undo_stack.count() == 1


def test_selecting_a_row_highlights_it_in_the_plots(qtbot, window):
    view = find(window, QTableView, "optionsTable")
    model = window.table.model
    plan = window.plan
    prominent = {plan.recommended, *plan.best_per_kind.values()}
    row = next(
        r
        for r in range(model.rowCount())
        if model.option_at(r) not in prominent
        and plan.results.has_accuracy[model.option_at(r)]
        and plan.options.kind[model.option_at(r)] == "gpu"
    )
    option = model.option_at(row)
    view.selectRow(row)
    assert window.volume_plot.mark("selected").getData()[0].size == 1
    assert any(s.role == "selected" or s.role == "recommended" for s in window.accuracy_plot.figure.series)
    name = window.accuracy_plot.name_of(plan.options.accuracy_id[option])
    legend_names = [label.text for _, label in window.accuracy_plot.legend.items]
    assert any(name in n for n in legend_names) or any("selected" in n for n in legend_names), (
        name,
        legend_names,
        window.accuracy_plot.getPlotItem().getViewBox().width(),
    )
    # the selection survives a recompute
    change_and_wait(qtbot, window, lambda: find(window, QDoubleSpinBox, "tokenVolumeSliderValue").setValue(20_000))
    rows = view.selectionModel().selectedRows()
    assert rows and model.option_at(rows[0].row()) == option


def test_only_options_that_fit_filter(qtbot, window):
    from PySide6.QtWidgets import QCheckBox

    model = window.table.model
    total = model.rowCount()
    find(window, QCheckBox, "onlyFitCheck").setChecked(True)
    assert model.rowCount() == int(window.plan.results.eligible.sum()) < total
    assert all(window.plan.results.eligible[model.option_at(r)] for r in range(model.rowCount()))
    find(window, QCheckBox, "onlyFitCheck").setChecked(False)
    assert model.rowCount() == total


def test_table_sorts_numerically(window):
    model = window.table.model
    model.sort(COLUMNS.index("$ / month"), Qt.SortOrder.AscendingOrder)
    monthly = [window.plan.results.monthly_usd[model.option_at(r)] for r in range(model.rowCount())]
    finite = [m for m in monthly if m == m and m != float("inf")]
    assert finite == sorted(finite) and monthly[: len(finite)] == finite


def test_hover_reads_out_values(window):
    plan = window.plan
    i = plan.recommended
    text = window.accuracy_plot.hover_at_data(
        plan.results.reasoning_tokens[i], plan.results.accuracy_pct[i]
    )  # its budget
    assert "%" in text and "tokens" in text


def test_menus_use_standard_shortcuts(window):
    assert find(window, QAction, "actionExportPdf").shortcut() == QKeySequence("Ctrl+E")
    assert find(window, QAction, "actionUndo").shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert find(window, QAction, "actionOpen").shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert find(window, QAction, "actionSave").shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    menus = [a.menu().objectName() for a in window.menuBar().actions()]
    assert menus == ["menuFile", "menuEdit", "menuView", "menuAnalysis", "menuCatalog", "menuHelp"]


def test_catalog_date_is_visible(window, catalog):
    assert catalog.as_of in window.catalog_label.text()
    assert catalog.as_of in window.card.text()


def test_export_pdf(qtbot, window, tmp_path):
    pytest.importorskip("ttcplanner.report.pdf")
    out = tmp_path / "plan.pdf"
    assert window.export_pdf(out)
    assert out.read_bytes()[:5] == b"%PDF-"
    before = window.scenario
    assert window.export_pdf(tmp_path) is False  # a folder: the error is shown, nothing else changes
    assert _close_error_dialogs(window) and window.scenario == before


def test_geometry_and_recent_files_persist(qtbot, make_window, settings, tmp_path):
    first = make_window()
    first.table_dock.hide()
    first.save_scenario(tmp_path / "a.json")
    first.close()
    assert settings.value("window/geometry") and settings.value("window/state")
    second = make_window()
    assert not second.table_dock.isVisible() and second.scenario_dock.isVisible()
    assert second.recent_files()[0] == str((tmp_path / "a.json").resolve())
    assert find(second, QAction, "actionRecent1").text() == "a.json"


def test_reset_layout_shows_every_panel(window):
    window.table_dock.hide()
    window.reset_layout()
    assert window.table_dock.isVisible() and window.scenario_dock.isVisible() and window.card_dock.isVisible()


def test_assumptions_list_sources(window, catalog):
    from ttcplanner.gui.dialogs import assumptions_html

    text = assumptions_html(catalog)
    some_gpu = next(iter(catalog.gpus.values()))
    assert some_gpu.source in text and catalog.as_of in text


def test_app_run_reports_a_missing_display(monkeypatch, capsys):
    import ttcplanner.qt_env as qt_env
    from ttcplanner.gui import app

    monkeypatch.setattr(qt_env, "check_display", lambda *a, **k: "no display here")
    assert app.run() == 2
    assert "no display here" in capsys.readouterr().err


def test_window_opens_with_a_bad_scenario_path_on_defaults(qtbot, make_window, tmp_path):
    window = make_window()
    default = window.scenario
    assert not window.open_scenario(Path(tmp_path / "nope.json"))
    assert window.scenario == default
    _close_error_dialogs(window)


def test_published_points_carry_their_source(window):
    dots = window.accuracy_plot.figure.dots
    assert dots and all("source: http" in tip and "published" in tip for d in dots for tip in d.tips)


def test_log_plots_never_get_non_finite_values(qtbot, window):
    # on-premises only: API and ASIC have no option at any volume (inf), which a log axis cannot draw
    from PySide6.QtWidgets import QCheckBox

    change_and_wait(qtbot, window, lambda: find(window, QCheckBox, "onPremOnlyCheck").setChecked(True))
    for curve in (window.volume_plot.series_curve(f"kind:{k}") for k in ("api", "gpu", "asic")):
        x, y = curve.getData()
        assert y is None or not np.isinf(y).any()
