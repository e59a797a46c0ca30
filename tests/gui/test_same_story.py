"""The window, the PDF and the CLI tell the same story: for one plan, the CLI's text names the same options,
kinds, roles, task and prices as the PDF's key figures and the recommendation card, and flags the same
price age as the status bar, because all three render ``ttcplanner.present``."""

import html
import re

import pytest

from ttcplanner.model import scenario as scenario_io
from ttcplanner.paths import scenarios_dir
from ttcplanner.plan_text import plan_text
from ttcplanner.present.assumptions import plan_assumptions
from ttcplanner.present.key_figures import budget_line, key_figures
from ttcplanner.present.names import model_names
from ttcplanner.report.document import report_html


def _pdf_text(plan, names) -> str:
    body = report_html(plan, {}, names=names)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.mark.parametrize("stem", ["coding-agent-verifier", "on-premises-only"])
def test_cli_text_card_and_pdf_use_the_same_names_and_labels(make_window, stem):
    window = make_window(scenario_io.load(scenarios_dir() / f"{stem}.json"))
    plan, names = window.plan, model_names(window.catalog)
    cli = plan_text(plan, names)
    pdf = _pdf_text(plan, names)
    card = window.card.text()
    rows = key_figures(plan)
    assert any(row.index is None for row in rows) == (stem == "on-premises-only")
    for row in rows:
        assert f"{row.role} ({row.kind_name})" in cli
        assert row.role in pdf and row.kind_name in pdf
        if row.index is None:
            assert row.why_none in cli and row.why_none in pdf
            continue
        for text in (row.option, row.accuracy, row.band, row.monthly, row.per_1k, row.latency):
            assert text in cli and text in pdf, text
    rec = rows[0]
    assert rec.role == "Recommended" and rec.kind_name in card and rec.option in card and rec.monthly in card
    task = names[plan.scenario.task_id]
    assert task != plan.scenario.task_id and task in cli and task in pdf and plan.scenario.task_id not in cli
    assert window.catalog_label.text() in cli.splitlines()  # the status bar's price age, stale flag included
    assert budget_line(plan) in cli and budget_line(plan) in pdf
    for assumption in plan_assumptions(plan):
        assert assumption in cli and assumption in pdf
    for gpu, _why in plan.options.not_sized:  # ids never reach the reader
        assert names[gpu] in cli and f"{gpu}:" not in cli
