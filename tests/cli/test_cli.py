"""CLI: every --json shape, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest

from ttcplanner.cli import main
from ttcplanner.paths import scenarios_dir


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("ttcplanner 0.")


def test_plan_json_shape(cli_json):
    data = cli_json("plan", str(scenarios_dir() / "maths-tutor-high-volume.json"))
    assert {
        "schema_version",
        "scenario",
        "task_id",
        "catalog_as_of",
        "status",
        "headline",
        "recommendation",
        "best_per_kind",
        "reasons",
        "warnings",
        "break_even",
        "options_evaluated",
    } <= set(data)
    rec = data["recommendation"]
    for key in (
        "kind",
        "label",
        "accuracy_pct",
        "accuracy_low_pct",
        "accuracy_high_pct",
        "monthly_cost_usd",
        "cost_per_1k_requests_usd",
        "latency_s",
        "gpus_total",
        "meets_targets",
        "source",
        "as_of",
    ):
        assert key in rec
    assert rec["kind"] in ("api", "gpu", "asic")
    assert set(data["best_per_kind"]) == {"api", "gpu", "asic"}


def test_plan_text(cli):
    code, out, _ = cli("plan", str(scenarios_dir() / "chat-assistant-low-volume.json"))
    assert code == 0 and "Recommendation:" in out and "Key figures:" in out


def test_serve_estimate_json_shape(cli_json):
    data = cli_json(
        "serve-estimate",
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp4",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "1000",
    )
    for key in (
        "fits",
        "concurrency",
        "output_tokens_per_s",
        "output_tokens_per_s_per_gpu",
        "output_tokens_per_s_per_user",
        "ttft_s",
        "tpot_s",
        "memory_gb_per_gpu",
    ):
        assert key in data
    assert data["fits"] is True and data["concurrency"] >= 1 and data["output_tokens_per_s"] > 0
    assert data["output_tokens_per_s_per_gpu"] == pytest.approx(data["output_tokens_per_s"])


def test_serve_estimate_not_fitting_has_no_throughput(cli_json):
    data = cli_json(
        "serve-estimate",
        "--model",
        "llama-3.1-405b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "8",
        "--precision",
        "bf16",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "1000",
    )
    assert data["fits"] is False and data["output_tokens_per_s"] is None and data["concurrency"] == 0


def test_serve_estimate_speculative_and_concurrency(cli_json):
    base = cli_json(
        "serve-estimate",
        "--model",
        "llama-3.3-70b",
        "--hardware",
        "h200",
        "--gpus",
        "1",
        "--precision",
        "fp8",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "500",
        "--concurrency",
        "1",
    )
    spec = cli_json(
        "serve-estimate",
        "--model",
        "llama-3.3-70b",
        "--hardware",
        "h200",
        "--gpus",
        "1",
        "--precision",
        "fp8",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "500",
        "--concurrency",
        "1",
        "--speculative",
        "4:0.7",
    )
    assert base["concurrency"] == 1
    assert spec["output_tokens_per_s_per_user"] > base["output_tokens_per_s_per_user"]


def test_accuracy_pass1_json(cli_json):
    data = cli_json("accuracy", "--pass1", "74.4", "--samples", "64", "--aggregate", "majority")
    assert set(data) >= {"accuracy_pct", "low_pct", "high_pct"}
    assert data["low_pct"] <= data["accuracy_pct"] <= data["high_pct"]
    assert data["accuracy_pct"] > 74.4
    one = cli_json("accuracy", "--pass1", "74.4", "--samples", "1", "--aggregate", "verifier")
    assert one["accuracy_pct"] == pytest.approx(74.4)


def test_accuracy_model_task_json(cli_json):
    data = cli_json(
        "accuracy",
        "--model",
        "gpt-oss-120b",
        "--task",
        "maths-olympiad",
        "--reasoning-tokens",
        "8000",
        "--samples",
        "4",
        "--aggregate",
        "majority",
    )
    assert 0 <= data["low_pct"] <= data["accuracy_pct"] <= data["high_pct"] <= 100
    assert isinstance(data["extrapolated"], bool)


def test_catalog_list_show_validate_json(cli_json, tmp_path):
    listing = cli_json("catalog", "list")
    assert "h100-sxm" in {e["id"] for e in listing["gpus"]}
    assert len(listing["api_offers"]) >= 20 and len(listing["asic_offers"]) >= 6 and len(listing["tasks"]) >= 5
    shown = cli_json("catalog", "show", "h100-sxm")
    assert shown["kind"] == "gpus" and shown["memory_gb"] == 80 and shown["source"].startswith("http")
    user = tmp_path / "cat"
    user.mkdir()
    (user / "gpus.json").write_text(
        json.dumps(
            {
                "schema_version": 1,
                "kind": "gpus",
                "as_of": "2026-11-01",
                "entries": [
                    {
                        "id": "my-gpu",
                        "name": "My GPU",
                        "vendor": "Acme",
                        "source": "https://example.com/gpu",
                        "as_of": "2026-11-01",
                        "memory_gb": 16,
                        "mem_bw_tb_s": 0.5,
                        "bf16_tflops": 100,
                        "tdp_w": 200,
                        "rent_usd_per_gpu_hour": 0.5,
                    }
                ],
            }
        )
    )
    valid = cli_json("catalog", "validate", str(user))
    assert valid["valid"] is True and valid["files"]["gpus.json"]["entries"] == 1
    merged = cli_json("--catalog", str(user), "catalog", "show", "my-gpu")
    assert merged["memory_gb"] == 16


BAD = [
    [
        "serve-estimate",
        "--model",
        "nope",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp8",
        "--input-tokens",
        "10",
        "--output-tokens",
        "10",
    ],
    [
        "serve-estimate",
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "-2",
        "--precision",
        "fp8",
        "--input-tokens",
        "10",
        "--output-tokens",
        "10",
    ],
    [
        "serve-estimate",
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp8",
        "--input-tokens",
        "1e99",
        "--output-tokens",
        "10",
    ],
    ["accuracy", "--pass1", "140", "--samples", "4"],
    ["accuracy", "--pass1", "50", "--samples", "0"],
    ["accuracy", "--pass1", "50", "--answer-format", "choice:1"],
    ["catalog", "show", "no-such-id"],
    ["plan", "/no/such/file.json"],
    ["frobnicate"],
]


@pytest.mark.parametrize("argv", BAD, ids=lambda a: " ".join(a[:3]))
def test_bad_input_exits_2_with_one_line(cli, argv):
    code, out, err = cli(*argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("ttcplanner: error:")
    assert "Traceback" not in err


def test_bad_scenario_file_one_line(tmp_path, cli):
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": 1, "samples": "many"}')
    code, _, err = cli("plan", str(path))
    assert code == 2 and "samples" in err and len(err.strip().splitlines()) == 1


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "ttcplanner", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("ttcplanner ")


def test_calibrate_from_vllm_bench_then_estimate_says_calibrated(cli_json, tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = Path(__file__).resolve().parents[1] / "data" / "vllm_bench_gpt-oss-120b_h100.json"
    data = cli_json(
        "calibrate",
        "--vllm-bench",
        str(result),
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp4",
    )
    assert Path(data["saved_to"]).is_file() and str(tmp_path) in data["saved_to"]
    measured = data["calibration"]["measured_output_tokens_per_s"]
    est = cli_json(
        "serve-estimate",
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp4",
        "--input-tokens",
        str(data["calibration"]["input_tokens"]),
        "--output-tokens",
        str(data["calibration"]["output_tokens"]),
    )
    assert est["calibrated_by_user"] is True
    assert est["output_tokens_per_s"] == pytest.approx(measured, rel=0.01)
    other = cli_json(
        "serve-estimate",
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h200",
        "--gpus",
        "1",
        "--precision",
        "fp4",
        "--input-tokens",
        "200",
        "--output-tokens",
        "200",
    )
    assert other["calibrated_by_user"] is False


def test_catalog_import_litellm_reports_skipped_and_prices_take_effect(cli_json, tmp_path):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "litellm_prices_sample.json"
    data = cli_json("catalog", "import-litellm", str(sample), "--all", "--into", str(tmp_path))
    assert data["imported"] > 0 and "gpt-5" in data["updated"]
    reasons = {s["key"]: s["reason"] for s in data["skipped"]}
    assert "sample_spec" in reasons and any("embedding" in r for r in reasons.values())
    shown = cli_json("--catalog", str(tmp_path), "catalog", "show", "gpt-5")
    assert "LiteLLM" in shown["notes"] and shown["source"].startswith("https://github.com/BerriAI/litellm")


def test_a_json_file_alone_opens_the_gui(monkeypatch):
    import ttcplanner.gui.app as app

    seen = {}
    monkeypatch.setattr(app, "run", lambda scenario_path=None, catalog_dirs=(): seen.update(path=scenario_path) or 0)
    assert main(["my-plan.json"]) == 0
    assert seen["path"] == "my-plan.json"
