"""`ttcplanner eval import/list/remove`, and a plan on the imported task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "eval"
INSPECT = DATA / "inspect_ticket_routing.json"
LM_EVAL = DATA / "lm_eval" / "samples_gsm8k_2026-11-30T14-02-11.512834.jsonl"


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "ttcplanner" / "catalog"


def test_import_then_plan_says_basis_user_eval(qapp, cli, cli_json, user_dir, tmp_path):
    # qapp: the widgets QApplication the GUI tests need exists before the PDF export (which would otherwise
    # start a plain QGuiApplication in this process)
    code, out, err = cli("eval", "import", str(INSPECT), "--task", "Ticket routing")
    assert code == 0, err
    assert "Task 'Ticket routing' (id ticket-routing, basis user_eval)" in out
    assert "gpt-5-mini: your eval, effort medium: pass@1 50.0%" in out and "WIDE: only 3 problems" in out
    assert (user_dir / "eval_tasks.json").is_file()
    listed = cli_json("eval", "list")
    assert [t["id"] for t in listed["tasks"]] == ["ticket-routing"]
    assert listed["tasks"][0]["files"] == [INSPECT.name]

    scenario = tmp_path / "s.json"
    scenario.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "task_id": "ticket-routing",
                "target_accuracy_pct": 45,
                "reasoning_tokens": 8000,
                "latency_target_s": 600,
            }
        )
    )
    pdf = tmp_path / "plan.pdf"
    plan = cli_json("plan", str(scenario), "--pdf", str(pdf))
    assert plan["basis"] == "user_eval"
    assert plan["provenance"][0]["source"] == f"user:your eval results (basis user_eval): {INSPECT.name}"
    rec = plan["recommendation"]
    assert rec is not None  # the measured model, or one estimated from its other tasks and marked so (item 4)
    assert rec["accuracy_basis"] == ("published" if "gpt-5-mini" in rec["id"] else "estimated_from_other_tasks")
    # no open model is in the eval: the GPU kind's best rests on an estimate, and plan --json says so
    assert plan["best_per_kind"]["gpu"]["accuracy_basis"] == "estimated_from_other_tasks"
    assert any("ESTIMATED from their other tasks" in r for r in plan["reasons"])
    est = cli_json("accuracy", "--task", "ticket-routing", "--model", "gpt-5", "--reasoning-tokens", "2000")
    assert est["basis"] == "estimated_from_other_tasks"
    assert pdf.stat().st_size > 10_000
    acc = cli_json("accuracy", "--task", "ticket-routing", "--model", "gpt-5-mini", "--reasoning-tokens", "1915")
    assert abs(acc["accuracy_pct"] - 50.0) < 1.0
    code, out, err = cli("sensitivity", str(scenario))
    assert code == 0, err

    code, out, err = cli("eval", "remove", "Ticket routing")
    assert code == 0 and "Removed the eval task 'ticket-routing'" in out
    assert cli_json("eval", "list")["tasks"] == []
    code, out, err = cli("plan", str(scenario))
    assert code == 2 and "unknown task 'ticket-routing'" in err


def test_import_again_shows_the_changes(cli, cli_json, tmp_path):
    assert cli("eval", "import", str(LM_EVAL), "--task", "Maths homework")[0] == 0
    again = cli_json("eval", "import", str(DATA / "aggregate.csv"), "--task", "Maths homework")
    assert again["replaces"] is True
    assert any(c.startswith("gpt-oss-120b: 80.0% at") for c in again["changes"])
    assert again["task"]["basis"] == "user_eval"
    assert again["unknown_models"] == [] and again["not_usable"][0]["where"].endswith("aggregate.csv:7")


def test_dry_run_and_refusals_write_nothing(cli, user_dir, tmp_path):
    code, out, err = cli("eval", "import", str(DATA / "per_problem.jsonl"), "--task", "SQL", "--dry-run")
    assert code == 0 and "Dry run: nothing written." in out
    assert "not imported, not in the catalog (give --model ID): my-finetune-v2" in out
    assert "per_problem.jsonl:8: not valid JSON" in out
    assert not user_dir.exists()
    bad = tmp_path / "x.jsonl"
    bad.write_text(
        '{"task": "a", "problem_id": 1, "model": "gpt-5", "sample": 0, "correct": 1, "reasoning_tokens": 9}\n'
        '{"task": "b", "problem_id": 1, "model": "gpt-5", "sample": 0, "correct": 1, "reasoning_tokens": 9}\n'
    )
    for argv, message in (
        ((str(bad),), "several tasks (a, b)"),
        ((str(bad), "--task", "Coding agent"), "'coding-agent' is a shipped task"),
        ((str(tmp_path / "none.csv"), "--task", "T"), "not found"),
        ((str(INSPECT), "--task", "T", "--answer-format", "choice:1"), "got 'choice:1'"),
    ):
        code, out, err = cli("eval", "import", *argv)
        assert code == 2, (argv, err)
        assert message in err and err.count("\n") == 1
    code, out, err = cli("eval", "remove", "nothing")
    assert code == 2 and "no imported eval task 'nothing'" in err
    assert not (user_dir / "eval_tasks.json").exists()
