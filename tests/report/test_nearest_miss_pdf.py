"""The PDF of an infeasible plan says which target to relax and by how much (issue 21 item 5)."""

from __future__ import annotations

import re

from pypdf import PdfReader

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.format import duration
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.report.pdf import export_pdf


def test_the_pdf_names_the_nearest_miss_with_its_figures(tmp_path):
    scenario = sc.load(scenarios_dir() / "chat-assistant-low-volume.json").replace(latency_target_s=0.5)
    plan = evaluate(scenario, load_catalog(include_user=False))
    (miss,) = plan.nearest_misses
    reader = PdfReader(export_pdf(plan, tmp_path / "infeasible.pdf"))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Latency: the fastest option that reaches 65.0% accuracy takes " + duration(miss.best_value) in text
    assert "(target 500 ms;" in text
