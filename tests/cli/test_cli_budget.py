"""CLI: plan --budget auto|fixed overrides the file; a bad budget mode or cap is one line and exit 2."""

import json

from ttcplanner.paths import scenarios_dir

CODING = str(scenarios_dir() / "coding-agent-verifier.json")


def test_budget_flag_overrides_the_file(cli_json):
    auto = cli_json("plan", CODING, "--budget", "auto")
    fixed = cli_json("plan", CODING, "--budget", "fixed")
    assert auto["budget_mode"] == "auto" and fixed["budget_mode"] == "fixed"
    assert auto["budget_caps"] == {"reasoning_tokens": 16000.0, "samples": 4}
    for data in (auto, fixed):
        for option in [data["recommendation"]] + [o for o in data["best_per_kind"].values() if o]:
            assert {"reasoning_tokens", "samples", "effort"} <= set(option)
    rec = fixed["recommendation"]  # the fixed budget itself, or the effort level it buys
    assert (rec["effort"] is not None or rec["reasoning_tokens"] == 16000.0) and rec["samples"] == 4
    assert auto["recommendation"]["monthly_cost_usd"] < fixed["recommendation"]["monthly_cost_usd"]
    assert fixed["cheaper_budget"]["monthly_cost_usd"] <= auto["recommendation"]["monthly_cost_usd"] * 1.001


def test_plan_text_states_the_budget(cli):
    code, out, _ = cli("plan", CODING, "--budget", "auto")
    assert (
        code == 0 and "Compute budget: " in out and "the cheapest within the caps of 16k tokens \u00d7 4 samples" in out
    )


def test_bad_budget_mode_or_cap_is_one_line_and_exit_2(cli, tmp_path):
    raw = json.loads(open(CODING).read())
    for field, value in (("budget_mode", "cheapest"), ("samples", 0), ("reasoning_tokens", 2e6)):
        bad = tmp_path / f"bad_{field}.json"
        bad.write_text(json.dumps({**raw, field: value}))
        code, out, err = cli("plan", str(bad))
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and field in err
    code, _, err = cli("plan", CODING, "--budget", "cheapest")
    assert code == 2 and len(err.strip().splitlines()) == 1
