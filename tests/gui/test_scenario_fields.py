"""The panel's controls for the serving, price and owning fields: each changes the plan's scenario, undo
restores it, a loaded file shows its values, and each price setting is enabled only when it prices something."""

from __future__ import annotations

import dataclasses

import pytest
from gui_helpers import change_and_wait, choose_data, find
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSlider, QToolButton

from ttcplanner.gui.scenario_panel import OWNING_FIELDS, RENTING_FIELDS
from ttcplanner.model import scenario as scenario_io
from ttcplanner.model.scenario import Scenario

SPECS = {f.name: f.metadata for f in dataclasses.fields(Scenario)}


def _box(value):
    return QDoubleSpinBox, lambda w: w.setValue(value)


def _slider(delta):
    return QSlider, lambda w: w.setValue(min(w.maximum(), max(w.minimum(), w.value() + delta)))


# (objectName, field, how, expected value or None (just different), ownership needed)
CONTROLS = [
    ("engineCombo", "engine", choose_data("sglang"), "sglang", "rent"),
    ("ttftTargetEdit", "ttft_target_s", _box(2.5), 2.5, "rent"),
    ("priceBasisCombo", "gpu_price_basis", choose_data("market-low"), "market-low", "rent"),
    ("priceBasisCombo", "gpu_price_basis", choose_data("runpod"), "runpod", "rent"),
    ("gpuPricingCombo", "gpu_pricing", choose_data("spot"), "spot", "rent"),
    ("peakShareEdit", "peak_traffic_share", _box(50), 0.5, "rent"),
    ("amortizationSlider", "amortization_months", _slider(12), None, "own"),
    ("electricitySlider", "electricity_usd_per_kwh", _slider(50), None, "own"),
    ("pueSlider", "pue", _slider(20), None, "own"),
    ("gpuShareOfServerEdit", "gpu_share_of_server", _box(80), 0.8, "own"),
    ("networkingFractionEdit", "networking_fraction", _box(15), 0.15, "own"),
    ("coloEdit", "colo_usd_per_kw_month", _box(250), 250, "own"),
    ("maintenanceEdit", "maintenance_per_year", _box(12), 0.12, "own"),
    ("staffEdit", "staff_usd_per_gpu_month", _box(300), 300, "own"),
    ("residualEdit", "residual_fraction", _box(25), 0.25, "own"),
]


def _do(qtbot, window, name, how):
    cls, act = how
    widget = find(window, cls, name)
    assert widget.isEnabled(), name
    change_and_wait(qtbot, window, lambda: act(widget))


@pytest.mark.parametrize("name, field, how, expected, ownership", CONTROLS, ids=[f"{c[0]}-{c[3]}" for c in CONTROLS])
def test_control_changes_the_plans_scenario_and_undo_restores_it(qtbot, window, name, field, how, expected, ownership):
    if ownership == "own":
        _do(qtbot, window, "ownershipCombo", choose_data("own"))
    before = window.scenario
    _do(qtbot, window, name, how)
    after = window.scenario
    changed = {f for f in before.__dataclass_fields__ if getattr(after, f) != getattr(before, f)}
    assert changed == {field}, f"{name} changed {changed}"
    if expected is not None:
        assert getattr(after, field) == expected
    assert window.plan.scenario == after
    change_and_wait(qtbot, window, window.action_undo.trigger)
    assert window.scenario == before and window.plan.scenario == before
    assert _shown(window, field) == _shown_value(window, field, getattr(before, field))  # the control shows it


def _shown(window, field):
    """What the field's control holds, in model units."""
    panel = window.panel
    if field in panel._combos:
        return panel._combos[field].currentData()
    if field in panel._sliders:
        return panel._sliders[field].value()
    box, scale, none = panel._edits[field]
    return SPECS[field]["hi"] if none and box.value() == 0 else round(box.value() / scale, box.decimals() + 2)


def _shown_value(window, field, value):
    panel = window.panel
    if field in panel._edits:
        box, scale, _ = panel._edits[field]
        return round(round(value * scale, box.decimals()) / scale, box.decimals() + 2)
    return value


def test_no_ttft_target_shows_none_and_zero_removes_a_target(qtbot, window):
    box = find(window, QDoubleSpinBox, "ttftTargetEdit")
    assert window.scenario.ttft_target_s == SPECS["ttft_target_s"]["hi"] and box.text() == "none"
    change_and_wait(qtbot, window, lambda: box.setValue(1.5))
    assert window.scenario.ttft_target_s == 1.5 and box.text() == "1.50 s to first token"
    change_and_wait(qtbot, window, lambda: box.setValue(0))
    assert window.scenario.ttft_target_s == Scenario().ttft_target_s and box.text() == "none"


def test_a_tight_ttft_target_changes_the_plan(qtbot, window):
    """The TTFT control reaches the planner: a 0.05 s p95 TTFT leaves fewer options meeting the latency targets."""
    before = int(window.plan.results.meets_latency.sum())
    box = find(window, QDoubleSpinBox, "ttftTargetEdit")
    change_and_wait(qtbot, window, lambda: box.setValue(0.05))
    assert int(window.plan.results.meets_latency.sum()) < before


def test_a_scenario_file_shows_its_values_in_the_controls(qtbot, window, tmp_path):
    s = Scenario(
        engine="trtllm",
        ttft_target_s=3.0,
        latency_target_s=90.0,
        gpu_price_basis="hyperscaler",
        gpu_pricing="reserved-1y",
        peak_traffic_share=0.4,
        ownership="own",
        amortization_months=48,
        electricity_usd_per_kwh=0.08,
        pue=1.2,
        gpu_share_of_server=0.6,
        networking_fraction=0.1,
        colo_usd_per_kw_month=150.0,
        maintenance_per_year=0.08,
        staff_usd_per_gpu_month=120.0,
        residual_fraction=0.25,
    )
    path = tmp_path / "s.json"
    scenario_io.save(s, path)
    change_and_wait(qtbot, window, lambda: window.open_scenario(path))
    assert window.scenario == s
    for field in (
        "engine",
        "ttft_target_s",
        "latency_target_s",
        "gpu_price_basis",
        "gpu_pricing",
        "peak_traffic_share",
        *OWNING_FIELDS,
    ):
        assert _shown(window, field) == pytest.approx(getattr(s, field)), field
    assert find(window, QDoubleSpinBox, "coloEdit").text() == "$150 / kW-month"
    assert find(window, QDoubleSpinBox, "peakShareEdit").text() == "40.00 % of traffic"
    toggle = find(window, QToolButton, "owningToggle")
    assert toggle.isChecked() and window.panel.owning_content.isVisibleTo(window.panel)  # owners see the items


def test_a_provider_basis_from_a_file_is_selected(qtbot, window, tmp_path):
    path = tmp_path / "s.json"
    scenario_io.save(Scenario(gpu_price_basis="lambda"), path)
    change_and_wait(qtbot, window, lambda: window.open_scenario(path))
    combo = find(window, QComboBox, "priceBasisCombo")
    assert combo.currentData() == "lambda" and combo.currentText().startswith("lambda (rents for")


def test_owning_fields_are_enabled_only_when_owning(qtbot, window):
    panel = window.panel

    def control(field):
        return panel._sliders[field] if field in panel._sliders else panel._edits[field][0]

    assert window.scenario.ownership == "rent"
    assert not any(control(f).isEnabled() for f in OWNING_FIELDS)
    assert all(panel._combos[f].isEnabled() for f in RENTING_FIELDS)
    toggle = find(window, QToolButton, "owningToggle")
    assert not toggle.isChecked() and not panel.owning_content.isVisibleTo(panel)  # folded while renting
    _do(qtbot, window, "ownershipCombo", choose_data("own"))
    assert all(control(f).isEnabled() for f in OWNING_FIELDS)
    assert not any(panel._combos[f].isEnabled() for f in RENTING_FIELDS)
    assert toggle.isChecked() and panel.owning_content.isVisibleTo(panel)  # choosing Own opens the section
    change_and_wait(qtbot, window, window.action_undo.trigger)
    assert not any(control(f).isEnabled() for f in OWNING_FIELDS)
    assert toggle.isChecked()  # back to renting: the section stays as the user left it
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not toggle.isChecked() and not panel.owning_content.isVisibleTo(panel)
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)  # a renter may still open it to read the items
    assert toggle.isChecked() and panel.owning_content.isVisibleTo(panel)
    assert not any(control(f).isEnabled() for f in OWNING_FIELDS)


def test_price_basis_list_comes_from_the_catalogs_gpu_rents(window, catalog):
    combo = find(window, QComboBox, "priceBasisCombo")
    offered = [combo.itemData(i) for i in range(combo.count())]
    market = {r.provider for g in catalog.gpus.values() for r in g.rents if r.market}
    assert offered[:3] == ["market-low", "market-median", "hyperscaler"]
    assert set(offered[3:]) == market and len(offered) == len(set(offered))
    managed_only = {r.provider for g in catalog.gpus.values() for r in g.rents} - market
    assert not managed_only & set(offered)  # a provider the model never picks a rent from is not offered


def test_engine_and_pricing_lists_are_the_spec_choices(window):
    for name, field in (("engineCombo", "engine"), ("gpuPricingCombo", "gpu_pricing")):
        combo = find(window, QComboBox, name)
        assert [combo.itemData(i) for i in range(combo.count())] == list(SPECS[field]["choices"])


@pytest.mark.parametrize(
    "name, field, scale, zero_is_none",
    [
        ("ttftTargetEdit", "ttft_target_s", 1, True),
        ("peakShareEdit", "peak_traffic_share", 100, False),
        ("gpuShareOfServerEdit", "gpu_share_of_server", 100, False),
        ("networkingFractionEdit", "networking_fraction", 100, False),
        ("coloEdit", "colo_usd_per_kw_month", 1, False),
        ("maintenanceEdit", "maintenance_per_year", 100, False),
        ("staffEdit", "staff_usd_per_gpu_month", 1, False),
        ("residualEdit", "residual_fraction", 100, False),
    ],
)
def test_bounds_come_from_the_spec_and_every_number_has_a_unit_and_tooltip(window, name, field, scale, zero_is_none):
    box = find(window, QDoubleSpinBox, name)
    lo = 0 if zero_is_none else SPECS[field]["lo"] * scale
    assert (box.minimum(), box.maximum()) == pytest.approx((lo, SPECS[field]["hi"] * scale))
    assert box.suffix().strip()
    assert "Default" in box.toolTip()


def test_latency_control_says_p95_end_to_end(window):
    slider = window.panel._sliders["latency_target_s"]
    label = window.panel.findChildren(QLabel)
    texts = [lab.text() for lab in label if lab.buddy() is slider or lab.toolTip() == slider.toolTip()]
    assert any("p95" in t for t in texts)
    assert "p95 end-to-end" in slider.toolTip()
    assert "end-to-end" in slider.unit.text()


def test_a_typed_out_of_range_share_is_clamped_and_said(qtbot, window):
    box = find(window, QDoubleSpinBox, "peakShareEdit")
    messages = []
    window.panel.inputClamped.connect(messages.append)
    box.lineEdit().selectAll()
    with qtbot.waitSignal(window.planUpdated):
        qtbot.keyClicks(box.lineEdit(), "150")
        qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert window.scenario.peak_traffic_share == 1.0
    assert messages and "set to the maximum" in messages[-1]


def test_the_wheel_passes_an_unfocused_ttft_box_on_without_setting_a_target(qtbot, window):
    """An ignored wheel event goes on to the scroll area (Qt propagates real, spontaneous ones; a synthetic
    one stops, so this checks the box ignores it and leaves the value), and a focused box takes it."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    box = find(window, QDoubleSpinBox, "ttftTargetEdit")

    def wheel(delta) -> bool:
        centre = QPointF(box.rect().center())
        event = QWheelEvent(
            centre,
            QPointF(box.mapToGlobal(box.rect().center())),
            QPoint(),
            QPoint(0, delta),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(box, event)
        return event.isAccepted()

    assert not box.hasFocus()
    assert not wheel(120) and box.text() == "none"
    assert window.scenario.ttft_target_s == Scenario().ttft_target_s and not window.controller._pending
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    with qtbot.waitSignal(window.planUpdated):
        assert wheel(120)
    assert window.scenario.ttft_target_s == 0.01  # the first step above "none"


def test_a_reloaded_catalog_offers_its_rent_providers(qtbot, window, catalog):
    """Catalog > Reload / an import goes through panel.set_catalog: a provider new to the catalog's GPU rents is
    offered, and the current basis stays selected."""
    from ttcplanner.model.catalog import Rent

    gpu = next(iter(catalog.gpus.values()))
    rent = Rent(
        provider="example-cloud",
        pricing="on-demand",
        usd_per_gpu_hour=2.0,
        source="https://example.com",
        as_of="2026-12-01",
    )
    more = dataclasses.replace(gpu, rents=(*gpu.rents, rent))
    bigger = dataclasses.replace(catalog, gpus={**catalog.gpus, gpu.id: more})
    combo = find(window, QComboBox, "priceBasisCombo")
    assert combo.findData("example-cloud") < 0
    window.panel.set_catalog(bigger)
    window.panel.set_scenario(window.scenario)
    assert combo.findData("example-cloud") >= 0 and combo.currentData() == window.scenario.gpu_price_basis
