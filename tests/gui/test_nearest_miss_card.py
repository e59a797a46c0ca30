"""The card of an infeasible plan says which target to relax and by how much (issue 21 item 5)."""

from __future__ import annotations

from ttcplanner.model import scenario as sc
from ttcplanner.paths import scenarios_dir
from ttcplanner.present.reasons import nearest_miss_texts


def test_the_card_names_the_nearest_miss_per_blocking_target(make_window):
    scenario = sc.load(scenarios_dir() / "chat-assistant-low-volume.json").replace(
        latency_target_s=0.5, target_accuracy_pct=99.0
    )
    window = make_window(scenario)
    plan = window.plan
    assert plan.status == "nothing_feasible" and len(plan.nearest_misses) == 2
    text = " ".join(window.card.text().split())
    assert "Nearest misses" in text
    for line in nearest_miss_texts(plan):
        assert " ".join(line.split()) in text
