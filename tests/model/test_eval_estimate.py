"""Issue 23 item 4: models without the user's results get a cross-benchmark estimate anchored on those with results.

The synthetic user task's true pass@1 follows the cross-benchmark model, logit = s * theta(model, level) + c, for
the abilities shipped in tasks.json; the import sees some models and must place the others inside their bands.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ttcplanner.model import eval_estimate as est
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.eval_import import read_eval_files
from ttcplanner.model.user_tasks import build_user_task, catalog_model_ids

TRUE_S, TRUE_C = 1.3, -0.4  # the synthetic task: steeper than the median shipped task, a little harder
TOKEN_SCALE = math.exp(0.3)  # the task asks for 35% more tokens than the token model's mean benchmark


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module")
def block():
    b = est.load_abilities()
    assert b and b["models"], "the shipped tasks.json has no abilities block (run fit_accuracy)"
    return b


def _truth(theta: float) -> float:
    return 100.0 / (1.0 + math.exp(-(TRUE_S * theta + TRUE_C)))


def _models(catalog, block):
    """Catalog models with an ability at their default level, ordered by that ability."""
    out = []
    for m in sorted(catalog_model_ids(catalog) & set(block["models"])):
        level = est.default_level(catalog, m)
        if level in block["models"][m]:
            out.append((block["models"][m][level]["theta"], m, level))
    return sorted(out)


def _csv(path: Path, rows, block, rng=None, n=400) -> Path:
    lines = ["model,effort,reasoning_tokens,samples,accuracy_pct,n_problems"]
    for _, m, level in rows:
        rec = block["models"][m][level]
        p = _truth(rec["theta"])
        if rng is not None:  # a real eval: pass@1 measured on n problems
            p = 100.0 * rng.binomial(n, p / 100.0) / n
        lines.append(f"{m},{level},{rec['tokens'] * TOKEN_SCALE:.1f},1,{p:.3f},{n}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _curve_pct(curve, tokens: float) -> float:
    z = curve.a + curve.b * math.log(tokens)
    return curve.floor_pct + (curve.ceiling_pct - curve.floor_pct) / (1.0 + math.exp(-z))


def _held_out_errors(task, held, block):
    """(error, band) of the estimate at each ability level of each held-out model."""
    out = []
    for _, m, _ in held:
        curve = task.curves[m]
        assert curve.basis == "estimated_from_other_tasks" and not curve.points
        for level, rec in block["models"][m].items():
            tokens = rec["tokens"] * TOKEN_SCALE
            out.append((abs(_curve_pct(curve, tokens) - _truth(rec["theta"])), curve.band_pct, m, level))
    return out


def test_held_out_models_land_in_their_bands(catalog, block, tmp_path):
    models = _models(catalog, block)
    assert len(models) >= 10
    anchors = models[:: max(1, len(models) // 6)][:6]
    held = [x for x in models if x not in anchors][::5]
    rng = np.random.default_rng(23)
    task, summary = build_user_task(read_eval_files([_csv(tmp_path / "r.csv", anchors, block, rng)]), catalog, "Synth")
    record = task.eval_import["estimate"]
    assert record["slope"] == "fitted" and abs(record["s"] - TRUE_S) < 0.25, record  # 400 problems of noise
    assert abs(record["token_offset"] - 0.3) < 1e-3
    errors = _held_out_errors(task, held, block)
    floor = max(
        c.band_pct for t in catalog.tasks.values() for c in t.curves.values() if c.basis == "estimated_from_other_tasks"
    )
    assert all(band >= floor for _, band, _, _ in errors)  # never narrower than the shipped estimates
    outside = [e for e in errors if e[0] > e[1]]
    assert not outside, outside
    for _, m, _ in anchors:
        assert task.curves[m].basis == "published" and task.curves[m].points  # measured, not estimated
    assert set(summary.estimated_models) >= {m for _, m, _ in held}
    assert all(m not in task.curves for m in summary.no_data_models)
    print(
        {
            "held_out_levels": len(errors),
            "max_error_pts": round(max(e[0] for e in errors), 2),
            "median_error_pts": round(float(np.median([e[0] for e in errors])), 2),
            "band_pts": errors[0][1],
        }
    )


def test_noise_free_fit_recovers_the_task_exactly(catalog, block, tmp_path):
    models = _models(catalog, block)
    anchors = [models[0], models[len(models) // 2], models[-1]]
    task, _ = build_user_task(read_eval_files([_csv(tmp_path / "r.csv", anchors, block)]), catalog, "Synth")
    record = task.eval_import["estimate"]
    assert abs(record["s"] - TRUE_S) < 0.02 and abs(record["c"] - TRUE_C) < 0.02
    single_level = [m for _, m, _ in models if len(block["models"][m]) == 1 and m not in {a[1] for a in anchors}]
    for m in single_level[:5]:  # one level: the curve passes through the prediction itself
        rec = next(iter(block["models"][m].values()))
        assert abs(_curve_pct(task.curves[m], rec["tokens"] * TOKEN_SCALE) - _truth(rec["theta"])) < 0.5


def test_one_anchoring_model_uses_the_median_slope_and_says_so(catalog, block, tmp_path):
    models = _models(catalog, block)
    anchor = models[len(models) // 2]
    task, summary = build_user_task(read_eval_files([_csv(tmp_path / "r.csv", [anchor], block)]), catalog, "Synth")
    record = task.eval_import["estimate"]
    slopes = est.shipped_slopes(block)
    assert record["slope"] == "median" and record["s"] == pytest.approx(float(np.median(slopes)), abs=1e-4)
    assert "MEDIAN SLOPE" in summary.estimate_note and "one anchoring model" in summary.estimate_note
    assert any("ESTIMATED from other tasks" in line for line in summary.lines())
    other = next(m for _, m, _ in models if m != anchor[1])
    assert "MEDIAN SLOPE" in task.curves[other].fit_note
    assert task.curves[other].basis == "estimated_from_other_tasks"
    two, _ = build_user_task(read_eval_files([_csv(tmp_path / "r2.csv", [models[0], anchor], block)]), catalog, "Synth")
    assert two.eval_import["estimate"]["slope"] == "fitted"
    far = models[-1][1]  # far from the single anchor, the slope's spread widens the band
    assert task.curves[far].band_pct > two.curves[far].band_pct


def test_models_without_an_ability_stay_no_data(catalog, block, tmp_path):
    models = _models(catalog, block)
    task, summary = build_user_task(read_eval_files([_csv(tmp_path / "r.csv", models[:3], block)]), catalog, "Synth")
    without = sorted(catalog_model_ids(catalog) - set(block["models"]))
    assert without and set(without) <= set(summary.no_data_models)
    assert not set(without) & set(task.curves)
    assert "ESTIMATED" in " ".join(summary.lines()) and "no ability estimate" in " ".join(summary.lines())


def test_a_bad_abilities_block_is_refused_by_field_and_a_missing_one_gives_nothing(tmp_path):
    import json

    from ttcplanner.model.errors import InputError

    doc = {
        "schema_version": 1,
        "kind": "tasks",
        "as_of": "2026-12-05",
        "entries": [],
        "abilities": {"columns": {}, "models": {"gpt-5": {"high": {"theta": "strong", "tokens": 9000}}}},
    }
    (tmp_path / "tasks.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match="abilities.models.gpt-5.high.theta"):
        est.load_abilities(tmp_path / "tasks.json")
    del doc["abilities"]
    (tmp_path / "none.json").write_text(json.dumps(doc))
    assert est.load_abilities(tmp_path / "none.json") == {}


def test_replacing_an_import_lists_measured_models_and_counts_estimates(catalog, block, tmp_path):
    import dataclasses

    from ttcplanner.model.user_tasks import describe_changes

    models = _models(catalog, block)
    old, _ = build_user_task(read_eval_files([_csv(tmp_path / "a.csv", models[:2], block)]), catalog, "Synth")
    new, _ = build_user_task(read_eval_files([_csv(tmp_path / "b.csv", models[:3], block)]), catalog, "Synth")
    changes = describe_changes(old, new)
    assert f"{models[2][1]}: added" in changes and len([c for c in changes if c.endswith(": added")]) == 1
    n_old = sum(c.basis == "estimated_from_other_tasks" for c in old.curves.values())
    assert f"models estimated from other tasks: {n_old} -> {n_old - 1}" in changes
    before = dataclasses.replace(old, curves={m: c for m, c in old.curves.items() if c.points})  # an import made
    assert f"models estimated from other tasks: 0 -> {n_old - 1}" in describe_changes(before, new)  # before item 4
