"""User calibration from a `vllm bench serve --save-result` file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from ttcplanner.model import calibration, serving
from ttcplanner.model.catalog import load_catalog, load_file
from ttcplanner.model.errors import InputError

BENCH = Path(__file__).resolve().parents[1] / "data" / "vllm_bench_gpt-oss-120b_h100.json"


@pytest.fixture(scope="module")
def catalog():
    return dataclasses.replace(load_catalog(include_user=False), user_calibrations={})


def test_reads_the_real_key_names():
    r = calibration.read_vllm_bench(BENCH)
    assert r["completed"] == 1000
    assert r["output_tokens_per_s"] == pytest.approx(2900.87, rel=1e-4)
    assert r["mean_input_tokens"] == pytest.approx(215.8, abs=0.1)
    assert r["mean_output_tokens"] == pytest.approx(196.0, abs=0.1)
    assert r["max_concurrency"] is None and r["request_rate_per_s"] == float("inf")
    assert r["mean_tpot_s"] == pytest.approx(0.05412)


def test_old_names_and_detailed_arrays_are_accepted(tmp_path):
    raw = json.loads(BENCH.read_text())
    for k in ("completed", "output_throughput", "total_output_tokens", "total_input_tokens"):
        raw.pop(k)
    raw.update(
        successful_requests=4,
        duration=2.0,
        total_generated_tokens=400,
        input_lens=[10, 20, 30, 40],
        max_concurrency=4,
        request_rate=2.5,
    )
    p = tmp_path / "old.json"
    p.write_text(json.dumps(raw))
    r = calibration.read_vllm_bench(p)
    assert r["output_tokens_per_s"] == 200 and r["mean_input_tokens"] == 25 and r["mean_output_tokens"] == 100
    assert r["max_concurrency"] == 4 and r["request_rate_per_s"] == 2.5


@pytest.mark.parametrize("missing", ["completed", "output_throughput", "total_input_tokens", "total_output_tokens"])
def test_a_file_lacking_an_essential_names_it(tmp_path, missing):
    raw = json.loads(BENCH.read_text())
    raw.pop(missing)
    if missing == "output_throughput":
        raw.pop("duration")
    p = tmp_path / "r.json"
    p.write_text(json.dumps(raw))
    with pytest.raises(InputError, match=missing):
        calibration.read_vllm_bench(p)


def test_not_json_is_an_input_error(tmp_path):
    p = tmp_path / "r.json"
    p.write_text("Successful requests: 1000")
    with pytest.raises(InputError):
        calibration.read_vllm_bench(p)


def test_calibrating_matches_the_measurement_and_leaves_other_setups_alone(catalog, tmp_path):
    result = calibration.read_vllm_bench(BENCH)
    cal = calibration.calibrate(catalog, result, "gpt-oss-120b", "h100-sxm", 1, "native")
    assert cal.source == "user:vllm bench vllm_bench_gpt-oss-120b_h100.json"
    path = calibration.save_user_calibration(cal, tmp_path)
    kind, _, entries = load_file(path)
    assert kind == "user_calibrations" and cal.id in entries
    calibrated = dataclasses.replace(catalog, user_calibrations=entries)

    model, h100 = catalog.open_models["gpt-oss-120b"], catalog.gpus["h100-sxm"]
    setup = serving.build_setup(
        calibrated, [(model, h100, 1), (model, h100, 2), (model, catalog.gpus["h200"], 1)], "native", "bf16"
    )
    est = serving.estimate(setup, result["mean_input_tokens"], result["mean_output_tokens"])
    assert est.output_tokens_per_s[0] == pytest.approx(result["output_tokens_per_s"], rel=0.01)
    assert est.calibrated_by_user.tolist() == [True, False, False]

    plain = serving.build_setup(catalog, [(model, h100, 2), (model, catalog.gpus["h200"], 1)], "native", "bf16")
    before = serving.estimate(plain, result["mean_input_tokens"], result["mean_output_tokens"])
    np.testing.assert_allclose(est.output_tokens_per_s[1:], before.output_tokens_per_s)


def test_saving_merges_and_replaces_by_id(catalog, tmp_path):
    result = calibration.read_vllm_bench(BENCH)
    a = calibration.calibrate(catalog, result, "gpt-oss-120b", "h100-sxm", 1, "native")
    b = calibration.calibrate(catalog, result, "gpt-oss-120b", "h200", 1, "native", force=True)  # 0.13x: doubtful
    calibration.save_user_calibration(a, tmp_path)
    calibration.save_user_calibration(b, tmp_path)
    calibration.save_user_calibration(dataclasses.replace(a, throughput_scale=0.5), tmp_path)
    _, _, entries = load_file(tmp_path / calibration.USER_CALIBRATIONS_FILE)
    assert set(entries) == {a.id, b.id} and entries[a.id].throughput_scale == 0.5
    assert not list(tmp_path.glob("*.tmp"))


def test_a_setup_that_does_not_fit_cannot_be_calibrated(catalog):
    result = calibration.read_vllm_bench(BENCH)
    with pytest.raises(InputError, match="does not fit"):
        calibration.calibrate(catalog, result, "llama-3.1-405b", "h100-sxm", 1, "bf16")
