"""The accuracy command's contract (issue 17): --model/--task/--effort/--reasoning-tokens, basis, refusals."""

import pytest

KEYS = {"accuracy_pct", "low_pct", "high_pct", "extrapolated", "basis"}


@pytest.mark.parametrize("model", ["o3", "o4-mini"])
def test_model_on_a_task_at_its_default_effort(cli_json, model):
    data = cli_json("accuracy", "--model", model, "--task", "maths-olympiad")
    assert set(data) >= KEYS | {"effort", "reasoning_tokens"}
    assert 0 <= data["low_pct"] <= data["accuracy_pct"] <= data["high_pct"] <= 100
    assert data["basis"] in ("published", "fitted", "estimated_from_other_tasks")
    low = cli_json("accuracy", "--model", model, "--task", "maths-olympiad", "--effort", "low")
    high = cli_json("accuracy", "--model", model, "--task", "maths-olympiad", "--effort", "high")
    assert low["reasoning_tokens"] < high["reasoning_tokens"] and low["accuracy_pct"] <= high["accuracy_pct"]


@pytest.mark.parametrize("model", ["o3", "o4-mini"])
def test_model_alone_reports_every_task(cli_json, model):
    data = cli_json("accuracy", "--model", model)
    assert set(data["tasks"]) | set(data["no_data"]) >= {"maths-olympiad", "science-qa", "research-maths"}
    for r in data["tasks"].values():
        assert set(r) >= KEYS


def test_estimated_and_published_bases(cli_json):
    published = cli_json("accuracy", "--model", "gpt-5", "--task", "abstract-reasoning", "--effort", "high")
    assert published["basis"] == "published"
    between = cli_json("accuracy", "--model", "gpt-5", "--task", "abstract-reasoning", "--reasoning-tokens", "40000")
    assert between["basis"] == "fitted"
    estimated = cli_json("accuracy", "--model", "o3", "--task", "expert-qa")
    assert estimated["basis"] == "estimated_from_other_tasks"


def test_pass1_with_a_task_uses_its_family_fit(cli_json):
    """The o1 example in the README: o1's published cons@64 (83.3%) lies inside the band."""
    data = cli_json(
        "accuracy", "--pass1", "74.4", "--samples", "64", "--aggregate", "majority", "--task", "maths-olympiad"
    )
    assert data["low_pct"] <= 83.3 <= data["high_pct"]
    prior = cli_json("accuracy", "--pass1", "74.4", "--samples", "64", "--aggregate", "majority")
    assert prior["concentration"] != data["concentration"]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--model", "gpt-oss-120b", "--task", "maths-olympiad", "--reasoning-tokens", "200000"], "maximum"),
        (["--model", "o3", "--task", "maths-olympiad", "--effort", "ultra"], "unknown effort"),
        (["--model", "no-such-model", "--task", "maths-olympiad"], "no accuracy data"),
        (["--model", "o3", "--task", "maths-olympiad", "--effort", "high", "--reasoning-tokens", "10"], "not both"),
    ],
)
def test_refusals_are_one_line_exit_2(cli, argv, words):
    code, _, err = cli("accuracy", *argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
