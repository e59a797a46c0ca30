"""Calibrations and imports that look wrong need --force (CLI) or a confirmation (GUI); impossible values
are one error; an import never puts a $0 price over a shipped one and says what it changed (issue 22 item 5)."""

import json
from pathlib import Path

import pytest

from tests.hostile.helpers import ROOT, assert_one_line_error, write_json
from ttcplanner.model import calibration
from ttcplanner.model.catalog import load_catalog

BENCH = ROOT / "tests" / "data" / "vllm_bench_gpt-oss-120b_h100.json"
LITELLM = ROOT / "tests" / "data" / "litellm_prices_sample.json"
SETUP = ("--model", "gpt-oss-120b", "--hardware", "h100-sxm", "--gpus", "1", "--precision", "fp4")


def _bench(tmp_path, **changes) -> Path:
    data = json.loads(BENCH.read_text(encoding="utf-8"))
    data.update(changes)
    return write_json(tmp_path / "bench.json", data)


def _scaled(factor: float) -> dict:
    data = json.loads(BENCH.read_text(encoding="utf-8"))
    return {"output_throughput": data["output_throughput"] * factor}


DOUBTFUL = {
    "50x scale": _scaled(45),
    "a tenth of the estimate": _scaled(0.1),
    "another model": {"model_id": "meta-llama/Llama-3.1-8B-Instruct"},
    "zero outputs": {"total_output_tokens": 0},
}
IMPOSSIBLE = {
    "completed 1e308": {"completed": 1e308},
    "completed 2.5": {"completed": 2.5},
    "completed 400 digits": {"completed": 10**400},
    "max_concurrency 1.5": {"max_concurrency": 1.5},
    "max_concurrency 1e400": {"max_concurrency": 1e400},
    "max_concurrency text": {"max_concurrency": "64"},
    "request_rate 1e400": {"request_rate": 1e400},
    "duration 400 digits": {"duration": 10**400},
}


@pytest.mark.parametrize("case", sorted(DOUBTFUL))
def test_a_doubtful_calibration_needs_force(tmp_path, cli, case):
    into = tmp_path / "cat"
    code, out, err = cli("calibrate", "--vllm-bench", _bench(tmp_path, **DOUBTFUL[case]), *SETUP, "--into", into)
    assert_one_line_error(code, err)
    assert "--force" in err and not into.exists()
    code, out, err = cli(
        "calibrate", "--vllm-bench", _bench(tmp_path, **DOUBTFUL[case]), *SETUP, "--into", into, "--force"
    )
    if case == "zero outputs" and code == 2:  # the model cannot estimate a run without outputs: still refused
        assert_one_line_error(code, err)
        return
    assert code == 0, err
    assert "Saved with --force although" in out
    assert (into / calibration.USER_CALIBRATIONS_FILE).is_file()


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_an_impossible_benchmark_value_is_one_error_even_with_force(tmp_path, cli, case):
    path = tmp_path / "bench.json"
    data = json.loads(BENCH.read_text(encoding="utf-8"))
    data.update(IMPOSSIBLE[case])
    text = json.dumps(data)
    path.write_text(text, encoding="utf-8")
    code, out, err = cli("calibrate", "--vllm-bench", path, *SETUP, "--into", tmp_path / "cat", "--force")
    assert_one_line_error(code, err)
    assert not (tmp_path / "cat").exists()


def test_a_matching_calibration_saves_without_force(tmp_path, cli):
    code, out, err = cli("calibrate", "--vllm-bench", BENCH, *SETUP, "--into", tmp_path / "cat")
    assert code == 0, err
    assert "Saved with --force" not in out


def test_the_model_id_check_accepts_hugging_face_names():
    cat = load_catalog(include_user=False)
    for served, model in (
        ("openai/gpt-oss-120b", "gpt-oss-120b"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b"),
        ("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"),
    ):
        assert calibration._same_model(served, cat.open_models[model]), served
    assert not calibration._same_model("meta-llama/Llama-3.1-8B-Instruct", cat.open_models["gpt-oss-120b"])


# -- LiteLLM -------------------------------------------------------------------------------------------
def _litellm(tmp_path, **entries) -> Path:
    data = json.loads(LITELLM.read_text(encoding="utf-8"))
    data.update(entries)
    return write_json(tmp_path / "prices.json", data)


def _offer(input_per_token: float, output_per_token: float) -> dict:
    return {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": input_per_token,
        "output_cost_per_token": output_per_token,
        "max_input_tokens": 272000,
    }


def test_a_zero_price_never_replaces_a_shipped_offer(tmp_path, cli):
    into = tmp_path / "cat"
    code, out, err = cli(
        "catalog", "import-litellm", _litellm(tmp_path, **{"gpt-5-mini": _offer(0, 0)}), "--into", into
    )
    assert code == 0, err
    assert (
        "gpt-5-mini: LiteLLM lists input_usd_per_mtok as $0; not imported, the shipped price of 'gpt-5-mini' stays"
        in out
    )
    cat = load_catalog(into, include_user=False)
    assert cat.api_offers["gpt-5-mini"].output_usd_per_mtok > 0


def test_the_unrestricted_reasoning_scenario_never_costs_zero_after_a_zero_import(tmp_path, cli):
    from ttcplanner.paths import scenarios_dir

    into = tmp_path / "cat"
    cli("catalog", "import-litellm", _litellm(tmp_path, **{"gpt-5-mini": _offer(0, 0)}), "--into", into)
    code, out, err = cli("--catalog", into, "plan", scenarios_dir() / "reasoning-frontier-unrestricted.json", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["recommendation"]["monthly_cost_usd"] > 0


def test_every_import_prints_what_changed(tmp_path, cli):
    code, out, err = cli(
        "catalog",
        "import-litellm",
        _litellm(tmp_path, **{"gpt-5-mini": _offer(3e-7, 2.2e-6)}),
        "--into",
        tmp_path / "cat",
    )
    assert code == 0, err
    assert "gpt-5-mini: input_usd_per_mtok 0.25 -> 0.3, output_usd_per_mtok 2 -> 2.2" in out
    code, out, err = cli(
        "catalog",
        "import-litellm",
        _litellm(tmp_path, **{"gpt-5-mini": _offer(3e-7, 2.2e-6)}),
        "--into",
        tmp_path / "cat2",
        "--json",
    )
    changes = {c["id"]: c for c in json.loads(out)["changes"]}
    assert changes["gpt-5-mini"]["fields"]["output_usd_per_mtok"] == {"old": 2.0, "new": 2.2}


def test_a_price_jump_needs_force(tmp_path, cli):
    into = tmp_path / "cat"
    path = _litellm(tmp_path, **{"gpt-5-mini": _offer(2.5e-4, 2e-3)})  # per million instead of per token
    code, out, err = cli("catalog", "import-litellm", path, "--into", into)
    assert_one_line_error(code, err)
    assert "--force" in err and not into.exists()
    code, out, err = cli("catalog", "import-litellm", path, "--into", into, "--force")
    assert code == 0, err
    assert load_catalog(into, include_user=False).api_offers["gpt-5-mini"].output_usd_per_mtok == 2000


# -- GUI -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [False, True])
def test_gui_asks_before_saving_a_doubtful_calibration(qtbot, tmp_path, monkeypatch, answer):
    from ttcplanner.gui.catalog_dialogs import CalibrateDialog

    dlg = CalibrateDialog(load_catalog(include_user=False), folder=tmp_path / "cat")
    qtbot.addWidget(dlg)
    assert dlg.load_file(_bench(tmp_path, **DOUBTFUL["50x scale"]))
    dlg.set_setup("gpt-oss-120b", "h100-sxm", 1, "fp4", "bf16")
    assert dlg.doubts and "looks wrong" in dlg.error and dlg.save_button.isEnabled()
    asked = []
    monkeypatch.setattr(dlg, "confirm_doubts", lambda: asked.append(True) or answer)
    assert dlg.save() is answer
    assert asked == [True]
    assert (tmp_path / "cat" / calibration.USER_CALIBRATIONS_FILE).is_file() is answer


@pytest.mark.parametrize("answer", [False, True])
def test_gui_asks_before_saving_prices_that_jump(qtbot, tmp_path, monkeypatch, answer):
    from ttcplanner.gui.catalog_dialogs import LiteLLMImportDialog

    path = _litellm(tmp_path, **{"gpt-5-mini": _offer(2.5e-4, 2e-3)})
    dlg = LiteLLMImportDialog(path, load_catalog(include_user=False), folder=tmp_path / "cat")
    qtbot.addWidget(dlg)
    dlg.start()
    qtbot.waitUntil(lambda: dlg.result is not None or bool(dlg.error), timeout=20_000)
    asked = []
    monkeypatch.setattr(dlg, "confirm_jumps", lambda jumps: asked.append(jumps) or answer)
    assert dlg.save() is answer
    assert asked and any("gpt-5-mini output_usd_per_mtok 2 -> 2000" in j for j in asked[0])
    assert (tmp_path / "cat" / "api_offers.json").is_file() is answer
