"""CLI: ``sensitivity`` and ``plan --monte-carlo``: JSON shapes, text, reproducibility, one-line errors."""

import json

import pytest

from ttcplanner.paths import scenarios_dir

CODING = str(scenarios_dir() / "coding-agent-verifier.json")


def test_sensitivity_json_shape(cli_json):
    data = cli_json("sensitivity", CODING)
    assert data["schema_version"] == 1 and data["base"]["kind"] in ("api", "gpu", "asic")
    names = [r["name"] for r in data["rows"]]
    assert {
        "api_price_factor",
        "asic_price_factor",
        "nvidia_gpu_price_factor",
        "amd_gpu_price_factor",
        "gpu_efficiency_factor",
        "peak_to_average",
        "reasoning_tokens",
        "accuracy_shift_pts",
        "requests_per_day",
    } == set(names)
    for r in data["rows"]:
        assert isinstance(r["flips"], bool) and (r["flip_value"] is None) == (not r["flips"])
    # which input flips depends on the catalog's prices (issue 19 added hosted open-model APIs); the shape does not
    flipping = [r for r in data["rows"] if r["flips"]]
    assert flipping
    for r in flipping:
        assert r["flip_to_kind"] in ("api", "gpu", "asic") and r["flip_text"]


def test_sensitivity_text(cli):
    code, out, _ = cli("sensitivity", CODING)
    assert code == 0
    assert "flips at" in out and "Volume (requests/day)" in out and "-> " in out


def test_plan_monte_carlo_json(cli_json):
    data = cli_json("plan", CODING, "--monte-carlo", "1500", "--seed", "4")
    mc = data["monte_carlo"]
    assert mc["n"] == 1500 and mc["seed"] == 4 and mc["cancelled"] is False
    assert set(mc["probability"]) == {"api", "gpu", "asic", "none"}
    assert sum(mc["probability"].values()) == pytest.approx(1.0)
    assert {"p5", "p25", "p50", "p75", "p95", "share_with_option"} == set(mc["monthly_cost_usd_by_kind"]["gpu"])
    assert "recommendation" in data  # the plan itself is unchanged


def test_plan_monte_carlo_same_seed_same_output(cli_json):
    first = cli_json("plan", CODING, "--monte-carlo", "800", "--seed", "9")
    second = cli_json("plan", CODING, "--monte-carlo", "800", "--seed", "9")
    assert first["monte_carlo"] == second["monte_carlo"]


def test_plan_without_monte_carlo_has_no_member(cli_json):
    assert "monte_carlo" not in cli_json("plan", CODING)


def test_plan_monte_carlo_text(cli):
    code, out, _ = cli("plan", CODING, "--monte-carlo", "500")
    assert code == 0 and "Recommendation:" in out
    assert "Monte Carlo (500 samples" in out and "median" in out and "%" in out


@pytest.mark.parametrize("value", ["0", "1000001", "abc", "-3", "2.5"])
def test_bad_monte_carlo_count_is_one_line_error(cli, value):
    code, out, err = cli("plan", CODING, "--monte-carlo", value)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--monte-carlo" in err


def test_bad_seed_is_one_line_error(cli):
    code, _, err = cli("plan", CODING, "--monte-carlo", "10", "--seed", "-1")
    assert code == 2 and err.count("\n") == 1 and "--seed" in err


def test_sensitivity_missing_file_is_one_line_error(cli, tmp_path):
    code, _, err = cli("sensitivity", str(tmp_path / "nope.json"))
    assert code == 2 and err.count("\n") == 1 and err.startswith("ttcplanner: error:")


def test_sensitivity_bad_scenario_names_the_field(cli, tmp_path):
    data = json.loads(open(CODING).read())
    data["requests_per_day"] = -5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    code, _, err = cli("sensitivity", str(path))
    assert code == 2 and "requests_per_day" in err and err.count("\n") == 1
