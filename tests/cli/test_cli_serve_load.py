"""serve-estimate under load (engines, bursts, Poisson rates, caps) and calibrate on a sweep."""

import json

import pytest

BASE = (
    "serve-estimate",
    "--model",
    "gpt-oss-120b",
    "--hardware",
    "h100-sxm",
    "--precision",
    "fp4",
    "--input-tokens",
    "215",
    "--output-tokens",
    "196",
)
NEW_KEYS = ("engine", "ttft_s", "ttft_p99_s", "tpot_s", "e2e_s", "e2e_p99_s", "request_throughput_per_s")
OLD_KEYS = (
    "model",
    "hardware",
    "gpus",
    "precision",
    "kv_precision",
    "input_tokens",
    "output_tokens",
    "fits",
    "max_concurrency",
    "concurrency",
    "output_tokens_per_s",
    "output_tokens_per_s_per_gpu",
    "output_tokens_per_s_per_user",
    "memory_gb_per_gpu",
    "memory_gb_available_per_gpu",
    "regime",
    "calibrated_by_user",
    "speculative",
)


def test_burst_json_has_old_and_new_keys(cli_json):
    data = cli_json(*BASE, "--gpus", "2", "--num-prompts", "1000", "--concurrency", "max")
    for key in OLD_KEYS + NEW_KEYS:
        assert key in data, key
    assert data["engine"] == "vllm" and data["concurrency"] <= 1000
    assert data["ttft_p99_s"] >= data["ttft_s"] > 0 and data["e2e_p99_s"] >= data["e2e_s"] > data["ttft_s"]


def test_engines_and_caps_change_the_answer(cli_json):
    vllm = cli_json(*BASE, "--gpus", "1", "--num-prompts", "1000")
    capped = cli_json(*BASE, "--gpus", "1", "--num-prompts", "1000", "--max-num-seqs", "32")
    sglang = cli_json(*BASE, "--gpus", "1", "--num-prompts", "1000", "--engine", "sglang")
    assert capped["concurrency"] == 32 and capped["ttft_s"] > vllm["ttft_s"]
    assert sglang["engine"] == "sglang" and sglang["output_tokens_per_s"] != vllm["output_tokens_per_s"]


def test_poisson_rate_and_n_through_c_slots(cli_json):
    rate = cli_json(*BASE, "--gpus", "1", "--request-rate", "2")
    assert rate["request_throughput_per_s"] == pytest.approx(2.0)
    slots = cli_json(*BASE, "--gpus", "1", "--num-prompts", "200", "--concurrency", "8")
    assert slots["concurrency"] == 8


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--request-rate", "2", "--concurrency", "4"), "not both"),
        (("--max-num-seqs", "0"), "max-num-seqs"),
        (("--engine", "sglang", "--precision", "int4"), "int4"),
    ],
)
def test_bad_combinations_exit_2_with_one_line(cli, extra, message):
    argv = list(BASE) + ["--gpus", "1"] + list(extra)
    code, out, err = cli(*argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_calibrate_on_a_sweep_refits_decode_and_prefill(cli, tmp_path):
    """Runs made by the model itself with decode efficiency x0.5 and prefill x2: the sweep refit finds them."""
    import dataclasses

    from ttcplanner.model import serving
    from ttcplanner.model.catalog import load_catalog

    cat = load_catalog(include_user=False)
    s = serving.build_setup(cat, [(cat.open_models["qwen3-32b"], cat.gpus["h100-sxm"], 1)], "fp8", "bf16", "vllm")
    slow = dataclasses.replace(
        s,
        eta_bw=s.eta_bw * 0.5,
        eta_flops=s.eta_flops * 0.5,
        step_overhead_s=s.step_overhead_s * 2,
        seq_overhead_s=s.seq_overhead_s * 2,
        comm_scale=s.comm_scale * 2,
        eta_prefill=s.eta_prefill * 2,
        ttft_overhead_s=s.ttft_overhead_s / 2,
    )
    lines = []
    for c in (1, 8, 32, 128):
        e = serving.load_estimate(slow, 1000, 300, concurrency=c, num_prompts=10 * c)
        lines.append(
            {
                "completed": 10 * c,
                "total_input_tokens": 10000 * c,
                "total_output_tokens": 3000 * c,
                "output_throughput": float(e.output_tokens_per_s[0]),
                "mean_ttft_ms": float(e.ttft_s[0]) * 1000,
                "mean_tpot_ms": float(e.tpot_s[0]) * 1000,
                "request_rate": "inf",
                "max_concurrency": c,
            }
        )
    out = tmp_path / "sglang.jsonl"
    out.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    code, text, err = cli(
        "calibrate",
        "--sglang-bench",
        str(out),
        "--engine",
        "vllm",
        "--model",
        "qwen3-32b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp8",
        "--into",
        str(tmp_path / "cat"),
        "--json",
    )
    assert code == 0, err
    cal = json.loads(text)["calibration"]
    assert cal["runs"] == 4 and cal["decode_scale"] == pytest.approx(0.5, rel=0.05)
    assert cal["prefill_scale"] == pytest.approx(2.0, rel=0.1)
    cat2 = load_catalog(tmp_path / "cat", include_user=False)
    again = serving.build_setup(
        cat2, [(cat2.open_models["qwen3-32b"], cat2.gpus["h100-sxm"], 1)], "fp8", "bf16", "vllm"
    )
    assert again.calibrated[0] == 1 and again.eta_bw[0] == pytest.approx(s.eta_bw[0] * cal["decode_scale"])
