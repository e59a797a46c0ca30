"""Eval import: the four real-format readers, the refusals, the difficulty-spread fit and the user task."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ttcplanner.model import accuracy
from ttcplanner.model.catalog import load_catalog, load_file
from ttcplanner.model.errors import InputError
from ttcplanner.model.eval_fit import GroupCounts, fit_spread, predict_pct, verifier_pass_at
from ttcplanner.model.eval_import import read_eval_files
from ttcplanner.model.user_tasks import USER_TASKS_FILE, build_user_task, remove_user_task, save_user_task, user_tasks

DATA = Path(__file__).resolve().parents[1] / "data" / "eval"
LM_EVAL = DATA / "lm_eval" / "samples_gsm8k_2026-11-30T14-02-11.512834.jsonl"
INSPECT = DATA / "inspect_ticket_routing.json"
JSONL = DATA / "per_problem.jsonl"
CSV = DATA / "aggregate.csv"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


# ---------------------------------------------------------------- readers


def test_lm_eval_samples_with_results_beside_them():
    data = read_eval_files([LM_EVAL])
    assert data.formats == ["lm-eval"]
    assert data.tasks == ["gsm8k"]
    assert data.models == ["openai/gpt-oss-120b"]  # results_<date>.json model_name
    assert len(data.samples) == 5  # one filter of two: five docs
    assert [s.correct for s in sorted(data.samples, key=lambda s: int(s.problem_id))] == [True, True, True, False, True]
    assert any("strict-match" in n and "flexible-extract" in n for n in data.notes)
    assert all(s.reasoning_tokens > 1 and s.tokens_how.startswith("estimated") for s in data.samples)
    assert str(LM_EVAL.with_name("results_2026-11-30T14-02-11.512834.json")) in data.files


def test_inspect_log_scores_epochs_and_usage():
    data = read_eval_files([INSPECT])
    assert data.formats == ["inspect"] and data.tasks == ["ticket_routing"]
    assert data.models == ["openai/gpt-5-mini"]
    assert len(data.samples) == 6 and len({s.sample for s in data.samples}) == 2  # two epochs
    assert sum(s.correct for s in data.samples) == 3  # "C" x 3, "I" x 3
    assert {s.effort for s in data.samples} == {"medium"}  # model_generate_config.reasoning_effort
    first = next(s for s in data.samples if s.problem_id == "1" and s.sample.endswith("epoch1"))
    assert first.reasoning_tokens == 1810  # output_tokens, which include the 1610 reasoning tokens


def test_per_problem_jsonl_lists_bad_lines_by_number():
    data = read_eval_files([JSONL])
    assert data.formats == ["jsonl"]
    where = [w for w, _ in data.skipped]
    assert where == [f"{JSONL}:8", f"{JSONL}:9"]
    assert "not valid JSON" in data.skipped[0][1] and "partial credit" in data.skipped[1][1]
    assert len(data.samples) == 9


def test_csv_rows_and_bad_row():
    data = read_eval_files([CSV])
    assert data.formats == ["csv"] and len(data.aggregates) == 5
    assert data.skipped == [(f"{CSV}:7", "accuracy_pct must be a number, got 'not-a-number'")]
    majority = [a for a in data.aggregates if a.samples == 8]
    assert majority and majority[0].aggregation == "majority"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_refusals_are_one_line(tmp_path):
    bad = _write(tmp_path / "bad.jsonl", 'nonsense\n{"problem_id": 1}\n')
    with pytest.raises(InputError, match=r"no usable sample in this jsonl file; first problem: not valid JSON"):
        read_eval_files([bad])
    a = _write(tmp_path / "a.jsonl", '{"task": "x", "problem_id": 1, "model": "gpt-5", "sample": 0, "correct": 1}\n')
    b = _write(tmp_path / "b.jsonl", '{"task": "y", "problem_id": 1, "model": "gpt-5", "sample": 0, "correct": 1}\n')
    with pytest.raises(InputError, match=r"several tasks \(x, y\).*--task NAME"):
        read_eval_files([a, b])
    assert len(read_eval_files([a, b], task="both").samples) == 2
    c = _write(tmp_path / "c.jsonl", '{"task": "x", "problem_id": 1, "model": "gpt-5", "sample": 0, "correct": 0}\n')
    with pytest.raises(InputError, match=r"conflicting duplicates: problem '1', model 'gpt-5', sample '0'"):
        read_eval_files([a, c])
    with pytest.raises(InputError, match="the same file is given twice"):
        read_eval_files([a, tmp_path / "." / "a.jsonl"])
    with pytest.raises(InputError, match="give the samples_<task>_<date>.jsonl"):
        read_eval_files([LM_EVAL.with_name("results_2026-11-30T14-02-11.512834.json")])
    with pytest.raises(InputError, match="several models"):
        read_eval_files([JSONL], model="gpt-5")
    with pytest.raises(InputError, match="convert it to JSON first"):
        read_eval_files([_write(tmp_path / "log.eval", "PK")])
    with pytest.raises(InputError, match="CSV header lacks accuracy_pct"):
        read_eval_files([_write(tmp_path / "h.csv", "model,effort,samples\ngpt-5,high,1\n")])
    with pytest.raises(InputError, match="not a readable CSV"):  # a field over the csv module's limit
        read_eval_files(
            [_write(tmp_path / "big.csv", "model,effort,samples,accuracy_pct\ngpt-5," + "h" * 200_000 + ",1,50\n")]
        )
    nul = read_eval_files(
        [_write(tmp_path / "nul.csv", "model,effort,samples,accuracy_pct\ngpt-5,hi\0gh,1,50\ngpt-5,high,1,50\n")]
    )
    assert nul.skipped == [(f"{tmp_path / 'nul.csv'}:2", "effort contains control characters")]
    half = read_eval_files(
        [_write(tmp_path / "half.csv", "model,effort,samples,accuracy_pct\ngpt-5,high,2.5,50\ngpt-5,high,1,50\n")]
    )
    assert half.skipped[0][1] == "samples must be a whole number, got 2.5"
    with pytest.raises(InputError) as info:
        read_eval_files([a, c])
    assert "\n" not in str(info.value)


def test_lm_eval_without_results_needs_a_model(tmp_path):
    copy = tmp_path / LM_EVAL.name
    shutil.copy(LM_EVAL, copy)
    with pytest.raises(InputError, match="give --model ID"):
        read_eval_files([copy])
    assert read_eval_files([copy], model="gpt-oss-120b").models == ["gpt-oss-120b"]


# ---------------------------------------------------------------- the difficulty spread


def test_synthetic_pass_at_k_matches_the_truth():
    """300 problems x 8 samples from Beta(0.6, 0.9) (pass@1 40%, kappa 1.5), 20 seeds: the fitted spread
    predicts pass@1 within 2 points and pass@8 with a verifier within 3 points of the truth on the drawn
    problems (each problem's own success probability), and its band holds the population value."""
    a, b = 0.6, 0.9
    population8 = 100 * float(verifier_pass_at(a / (a + b), a + b, 8))
    errors1, errors8, covered = [], [], 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        p = rng.beta(a, b, 300)
        k = rng.binomial(8, p)
        fit = fit_spread([GroupCounts(k.astype(float), np.full(300, 8.0))])
        mean8, low8, high8 = predict_pct(fit, 0, 8, "verifier")
        errors1.append(100 * fit.pass1[0] - 100 * p.mean())
        errors8.append(mean8 - 100 * np.mean(1 - (1 - p) ** 8))
        covered += low8 <= population8 <= high8
    assert np.max(np.abs(errors1)) <= 2.0  # measured: largest 1.94
    assert np.mean(np.abs(np.array(errors8)) <= 3.0) >= 0.95  # measured: 19 of 20 seeds, largest error 3.13
    assert covered >= 14  # a 90% band; measured 18 of 20


def test_kappa_is_recovered_and_prior_without_repeats():
    rng = np.random.default_rng(7)
    p = rng.beta(2.0, 2.0, 2000)
    fit = fit_spread([GroupCounts(rng.binomial(8, p).astype(float), np.full(2000, 8.0))])
    assert fit.measured and fit.kappa_low < 4.0 < fit.kappa_high
    one = fit_spread([GroupCounts(rng.binomial(1, p).astype(float), np.full(2000, 1.0))])
    assert not one.measured and one.kappa == accuracy.DEFAULT_CONCENTRATION  # the planner's prior


def test_fifty_problems_get_a_wide_band_and_say_so(catalog, tmp_path):
    rng = np.random.default_rng(3)

    def eval_file(n_problems: int) -> Path:
        p = rng.beta(0.6, 0.9, n_problems)
        lines = [
            json.dumps(
                {
                    "problem_id": i,
                    "model": "gpt-oss-120b",
                    "sample": s,
                    "correct": int(rng.random() < p[i]),
                    "reasoning_tokens": 3000,
                }
            )
            for i in range(n_problems)
            for s in range(4)
        ]
        return _write(tmp_path / f"eval{n_problems}.jsonl", "\n".join(lines) + "\n")

    small = build_user_task(read_eval_files([eval_file(50)]), catalog, "Small")
    large = build_user_task(read_eval_files([eval_file(1000)]), catalog, "Large")
    small_band = small[1].models["gpt-oss-120b"]["settings"][0]["band_pts"]
    large_band = large[1].models["gpt-oss-120b"]["settings"][0]["band_pts"]
    assert small_band > 6 and small_band > 3 * large_band  # measured 8.0 vs 1.9 points (90% bands)
    assert small[0].curves["gpt-oss-120b"].band_pct >= small_band - 0.01
    assert any("WIDE: only 50 problems" in line for line in small[1].lines())
    assert not any("WIDE" in line for line in large[1].lines())


# ---------------------------------------------------------------- the user task


def test_user_task_from_each_format(catalog):
    for files, model in (
        ([LM_EVAL], "gpt-oss-120b"),
        ([INSPECT], "gpt-5-mini"),
        ([JSONL], "gpt-oss-120b"),
        ([CSV], "gpt-oss-120b"),
    ):
        task, summary = build_user_task(read_eval_files(files), catalog, "Tickets")
        assert task.basis == "user_eval" and task.id == "tickets"
        assert model in task.curves
        assert task.eval_import["files"][0] == files[0].name
        assert task.source.startswith("user:")
    task, summary = build_user_task(read_eval_files([JSONL]), catalog, "Tickets")
    assert summary.unknown_models == ["my-finetune-v2"]  # listed, not guessed
    assert "my-finetune-v2" not in task.curves
    # item 4: a model without results in the eval is estimated from its other tasks; one without an ability has no data
    assert "gpt-5" in summary.estimated_models and task.curves["gpt-5"].basis == "estimated_from_other_tasks"
    assert summary.no_data_models and not set(summary.no_data_models) & set(task.curves)


def test_refuses_shipped_task_names_and_unknown_only(catalog, tmp_path):
    with pytest.raises(InputError, match="shipped task"):
        build_user_task(read_eval_files([CSV]), catalog, "Coding agent")
    only = _write(
        tmp_path / "u.jsonl",
        '{"problem_id": 1, "model": "mystery-7b", "sample": 0, "correct": 1, "reasoning_tokens": 10}\n',
    )
    with pytest.raises(InputError, match=r"every model is unknown to the catalog \(mystery-7b\)"):
        build_user_task(read_eval_files([only]), catalog, "X")
    no_tokens = _write(tmp_path / "t.jsonl", '{"problem_id": 1, "model": "gpt-5", "sample": 0, "correct": 1}\n')
    with pytest.raises(InputError, match="the planner needs the tokens per answer"):
        build_user_task(read_eval_files([no_tokens]), catalog, "X")


def test_save_replace_remove(catalog, tmp_path, monkeypatch):
    folder = tmp_path / "user"
    task, _ = build_user_task(read_eval_files([JSONL]), catalog, "SQL tickets")
    path = save_user_task(task, folder)
    assert path.name == USER_TASKS_FILE and list(user_tasks(folder)) == ["sql-tickets"]
    loaded = load_catalog(folder, include_user=False)
    assert loaded.tasks["sql-tickets"].basis == "user_eval"
    assert loaded.tasks["sql-tickets"].curves["gpt-oss-120b"].points[0].source.startswith("user:")
    again, summary = build_user_task(read_eval_files([CSV]), loaded, "SQL tickets")
    assert summary.replaces and any(c.startswith("gpt-oss-120b: 50.0% at 2,467 tokens ->") for c in summary.changes)
    save_user_task(again, folder)
    assert len(load_file(path)[2]) == 1
    before = path.read_bytes()
    with pytest.raises(InputError):  # a fatal error writes nothing
        read_eval_files([tmp_path / "missing.jsonl"])
    with pytest.raises(InputError, match="no imported eval task 'nope'; imported: sql-tickets"):
        remove_user_task("nope", folder)
    assert path.read_bytes() == before
    remove_user_task("sql-tickets", folder)
    assert user_tasks(folder) == {}


def test_plan_on_imported_task_uses_its_fit(catalog, tmp_path):
    from ttcplanner.model.accuracy import task_accuracy
    from ttcplanner.model.planner import evaluate
    from ttcplanner.model.scenario import Scenario

    task, summary = build_user_task(read_eval_files([INSPECT]), catalog, "Ticket routing")
    save_user_task(task, tmp_path)
    cat = load_catalog(tmp_path, include_user=False)
    t = cat.tasks["ticket-routing"]
    setting = summary.models["gpt-5-mini"]["settings"][0]
    one = task_accuracy(t, "gpt-5-mini", np.array([setting["reasoning_tokens"]]), 1)
    assert abs(float(one.mean_pct[0]) - setting["accuracy_pct"]) < 1.0  # the curve passes through the eval
    plan = evaluate(
        Scenario(task_id="ticket-routing", target_accuracy_pct=40.0, reasoning_tokens=setting["reasoning_tokens"]), cat
    )
    assert plan.provenance[0][1].startswith("user:your eval results (basis user_eval)")
    assert t.default_input_tokens == 412  # the Inspect log's measured prompt tokens
    assert "median prompt tokens of 6 samples" in t.notes
