"""Minutes of slider dragging in seconds: 5,000 random changes through the real widgets.

Engineers drag controls for minutes; the window must not raise, warn, leak or drift. Changes come in
batches the way a user makes them (a drag of one control, or a few controls touched in quick succession);
after each batch the event loop runs until the controller is idle. At the end the plan on screen must be
exactly what a fresh planner.evaluate gives for the scenario on screen.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QCheckBox, QComboBox, QSlider, QSpinBox

from ttcplanner.model.planner import evaluate
from ttcplanner.present.reasons import headline

CHANGES = 5_000
WARM_UP = 500
SEED = 20261129
MAX_RSS_GROWTH_MB = 50
MAIN_CONTROLS = (
    "computeBudgetSlider",
    "samplesSlider",
    "aggregationCombo",
    "tokenVolumeSlider",
    "hardwareCombo",
    "taskCombo",
    "targetAccuracySlider",
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _controls(window) -> dict:
    """Every named input of the scenario panel, by objectName."""
    panel = window.panel
    found = {}
    for cls in (QSlider, QComboBox, QSpinBox, QCheckBox):
        for w in panel.findChildren(cls):
            if w.objectName():
                found[w.objectName()] = w
    return found


def _change(rng: random.Random, w) -> None:
    """One user-like change of one control (a disabled control cannot be touched)."""
    if isinstance(w, QSlider):
        w.setValue(rng.randint(w.minimum(), w.maximum()))
    elif isinstance(w, QComboBox):
        w.setCurrentIndex(rng.randrange(w.count()))
    elif isinstance(w, QSpinBox):
        w.setValue(rng.randint(w.minimum(), w.maximum()))
    else:
        w.toggle()


def _idle(controller) -> bool:
    return not controller.pending


def test_five_thousand_random_changes(qtbot, window, catalog):
    started = time.monotonic()
    rng = random.Random(SEED)
    controls = _controls(window)
    assert set(MAIN_CONTROLS) <= set(controls), sorted(controls)
    assert len(controls) >= 20
    names = sorted(controls)
    controller = window.controller
    plans = []
    window.planUpdated.connect(plans.append)
    done, rss_after_warm_up = 0, None
    while done < CHANGES:
        if rss_after_warm_up is None and done >= WARM_UP:
            rss_after_warm_up = rss_mb()
        if rng.random() < 0.8:  # a drag: one control, many positions, released at the end
            w = controls[rng.choice(MAIN_CONTROLS if rng.random() < 0.6 else names)]
            batch = [w] * rng.randint(1, 30)
        else:  # a few different controls in quick succession (each one its own undo step)
            batch = [controls[rng.choice(names)] for _ in range(rng.randint(2, 5))]
        batch = batch[: CHANGES - done]
        dragging = isinstance(batch[0], QSlider) and len(set(map(id, batch))) == 1
        if dragging:
            batch[0].setSliderDown(True)
        for w in batch:
            if w.isEnabled():
                _change(rng, w)
            done += 1
        if dragging:
            batch[0].setSliderDown(False)
        if rng.random() < 0.05 and window.action_undo.isEnabled():
            window.action_undo.trigger()
        qtbot.waitUntil(lambda: _idle(controller), timeout=5000)
        plans.clear()  # only the views' latest plan matters; do not keep 5,000 of them alive

    qtbot.waitUntil(lambda: _idle(controller), timeout=5000)
    growth = rss_mb() - rss_after_warm_up
    print(
        f"stress: {CHANGES} changes, {controller.evaluate_count} evaluates, RSS +{growth:.1f} MB after "
        f"warm-up, {time.monotonic() - started:.1f} s"
    )
    assert growth < MAX_RSS_GROWTH_MB, f"RSS grew {growth:.1f} MB after warm-up"
    assert controller.evaluate_count > 100  # the changes really reached the planner

    fresh = evaluate(window.scenario, catalog)
    shown = window.plan
    assert shown.scenario == window.scenario
    assert shown.recommended == fresh.recommended
    assert headline(shown) == headline(fresh)
    np.testing.assert_array_equal(shown.results.monthly_usd, fresh.results.monthly_usd)
    for kind, monthly in fresh.volume_monthly_usd.items():
        np.testing.assert_array_equal(shown.volume_monthly_usd[kind], monthly)
