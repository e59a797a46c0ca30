"""Bounds where numbers and text enter (issue 22 items 2 and 3): every case is one InputError naming the
field, and on the CLI one line and exit 2."""

import datetime as dt
import json

import pytest

from tests.hostile.helpers import assert_one_line_error, good_scenario, write_json
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import MAX_CHOICES, load_catalog, load_file
from ttcplanner.model.errors import InputError
from ttcplanner.paths import catalog_dir

BIG = 10**400


def _shipped(kind: str) -> dict:
    return json.loads((catalog_dir() / f"{kind}.json").read_text(encoding="utf-8"))


def _catalog_file(tmp_path, kind, mutate, name=None):
    doc = _shipped(kind)
    doc["entries"] = doc["entries"][:1]
    mutate(doc)
    return write_json(tmp_path / (name or f"{kind}.json"), doc)


# -- huge integers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["samples", "requests_per_day", "target_accuracy_pct", "input_tokens"])
def test_a_400_digit_integer_in_a_scenario_names_the_field(tmp_path, field):
    text = json.dumps(good_scenario()).replace(f'"{field}": ', f'"{field}": {BIG}, "x_{field}": ', 1)
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=field):
        sc.load(path)


def test_a_400_digit_integer_in_scenario_replace_is_an_input_error():
    with pytest.raises(InputError, match="out of range"):
        sc.Scenario().replace(requests_per_day=BIG)


@pytest.mark.parametrize(
    "kind,field", [("gpus", "memory_gb"), ("api_offers", "input_usd_per_mtok"), ("open_models", "layers")]
)
def test_a_400_digit_integer_in_a_catalog_names_the_field(tmp_path, kind, field):
    path = _catalog_file(tmp_path, kind, lambda d: None)
    text = path.read_text(encoding="utf-8").replace(f'"{field}": ', f'"{field}": {BIG}, "x": ', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=field):
        load_file(path)


def test_an_integer_longer_than_python_parses_is_one_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"samples": ' + "9" * 50_000 + "}", encoding="utf-8")
    with pytest.raises(InputError, match="out of range"):
        sc.load(path)


# -- catalog types, curve points, prices, dates -------------------------------------------------------
@pytest.mark.parametrize("value", [[], {}, 3, None, True])
def test_catalog_kind_of_the_wrong_type(tmp_path, value):
    path = _catalog_file(tmp_path, "gpus", lambda d: d.update(kind=value))
    with pytest.raises(InputError, match="kind"):
        load_file(path)


def _first_point(doc):
    for task in doc["entries"]:
        for curve in task["curves"].values():
            if curve["points"]:
                return curve["points"][0]
    raise AssertionError("no curve point in tasks.json")


@pytest.mark.parametrize(
    "field,value", [("reasoning_tokens", 0), ("reasoning_tokens", -5), ("accuracy_pct", 1e300), ("accuracy_pct", -50)]
)
def test_curve_points_out_of_range(tmp_path, field, value):
    doc = _shipped("tasks")
    _first_point(doc)[field] = value
    with pytest.raises(InputError, match=field):
        load_file(write_json(tmp_path / "tasks.json", doc))


@pytest.mark.parametrize(
    "fmt", ["choice:100000", "choice:1000", "choice:27", "choice:1", "choice:²", "choice:", "choice:-4", 4]
)
def test_task_answer_format_is_bounded(tmp_path, fmt):
    doc = _shipped("tasks")
    doc["entries"][0]["answer_format"] = fmt
    with pytest.raises(InputError, match="answer_format"):
        load_file(write_json(tmp_path / "tasks.json", doc))


def test_task_answer_format_at_the_maximum_loads(tmp_path):
    doc = _shipped("tasks")
    doc["entries"][0]["answer_format"] = f"choice:{MAX_CHOICES}"
    load_file(write_json(tmp_path / "tasks.json", doc))


@pytest.mark.parametrize("field", ["rent_usd_per_gpu_hour", "purchase_usd"])
def test_a_gpu_price_of_zero_is_refused(tmp_path, field):
    _catalog_file(tmp_path, "gpus", lambda d: d["entries"][0].update({field: 0}))
    with pytest.raises(InputError, match=field):
        load_catalog(tmp_path, include_user=False)


def test_a_zero_token_price_needs_a_free_note(tmp_path):
    path = _catalog_file(tmp_path, "api_offers", lambda d: d["entries"][0].update(output_usd_per_mtok=0))
    with pytest.raises(InputError, match="free_note"):
        load_file(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["entries"][0]["free_note"] = "the provider's pricing page lists this tier as free"
    _, _, entries = load_file(write_json(path, doc))
    assert next(iter(entries.values())).output_usd_per_mtok == 0


@pytest.mark.parametrize("date", ["9999-12-31", (dt.date.today() + dt.timedelta(days=1)).isoformat(), "1999-01-01"])
def test_as_of_in_the_future_or_absurdly_old_is_refused(tmp_path, date):
    path = _catalog_file(tmp_path, "gpus", lambda d: d["entries"][0].update(as_of=date))
    with pytest.raises(InputError, match="as_of"):
        load_file(path)
    path = _catalog_file(tmp_path, "gpus", lambda d: d.update(as_of=date))
    with pytest.raises(InputError, match="as_of"):
        load_file(path)


# -- text that cannot be encoded ------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["name", "task_id", "hardware"])
def test_a_lone_surrogate_in_a_scenario_is_refused_at_load_naming_the_field(tmp_path, field):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**good_scenario(), field: "ab\ud800cd"}), encoding="utf-8")  # json escapes it
    with pytest.raises(InputError, match=field) as exc:
        sc.load(path)
    str(exc.value).encode("utf-8")  # the message itself prints


def test_a_lone_surrogate_in_scenario_replace_and_in_a_catalog_key():
    with pytest.raises(InputError, match="name"):
        sc.Scenario().replace(name="x\udfff")


def test_a_lone_surrogate_in_a_catalog_entry(tmp_path):
    path = _catalog_file(tmp_path, "gpus", lambda d: d["entries"][0].update(notes="\ud800"))
    with pytest.raises(InputError, match="notes"):
        load_file(path)


@pytest.mark.parametrize("command", [("plan",), ("sensitivity",), ("plan", "--pdf", "{out}")])
def test_cli_with_a_surrogate_name_is_one_line(tmp_path, cli, command):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**good_scenario(), "name": "\ud800"}), encoding="utf-8")
    argv = [c.format(out=tmp_path / "o.pdf") for c in command]
    code, out, err = cli(argv[0], path, *argv[1:])
    assert_one_line_error(code, err)
    assert "scenario.name" in err or "name" in err


# -- CLI numbers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["choice:100000", "choice:1000", "choice:27", "choice:²", "choice:0x10"])
def test_cli_answer_format_is_bounded(cli, fmt):
    code, out, err = cli("accuracy", "--pass1", "50", "--samples", "8", "--answer-format", fmt)
    assert_one_line_error(code, err)


def test_cli_answer_format_maximum_runs(cli):
    code, out, err = cli("accuracy", "--pass1", "50", "--samples", "8", "--answer-format", f"choice:{MAX_CHOICES}")
    assert code == 0, err


@pytest.mark.parametrize("gpus", ["1e9", "1000000000", "73", "0", "-1", "1.5", "9" * 5000])
def test_serve_estimate_gpus_bounded_like_a_scenario(cli, gpus):
    code, out, err = cli(
        "serve-estimate",
        "--model",
        "llama-3.3-70b",
        "--hardware",
        "h200",
        "--gpus",
        gpus,
        "--precision",
        "fp8",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "1000",
    )
    assert_one_line_error(code, err)


@pytest.mark.parametrize("concurrency", ["1e400", "9" * 30, "0", "nan"])
def test_serve_estimate_concurrency_bounded(cli, concurrency):
    code, out, err = cli(
        "serve-estimate",
        "--model",
        "llama-3.3-70b",
        "--hardware",
        "h200",
        "--gpus",
        "2",
        "--precision",
        "fp8",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "1000",
        "--concurrency",
        concurrency,
    )
    assert_one_line_error(code, err)


@pytest.mark.parametrize("value", ["1e400", "nan", "inf", "-inf", "9" * 5000])
def test_cli_float_options_refuse_non_finite(cli, value):
    code, out, err = cli("accuracy", "--pass1", value)
    assert_one_line_error(code, err)


@pytest.mark.parametrize("change", [{"rent_usd_per_gpu_hour": 0}, {"purchase_usd": 0}])
def test_a_price_edit_to_zero_is_refused_and_nothing_is_saved(tmp_path, change):
    from ttcplanner.model.price_import import edit_price

    catalog = load_catalog(include_user=False)
    with pytest.raises(InputError, match="above 0"):
        edit_price(catalog, "h100-sxm", folder=tmp_path, **change)
    assert list(tmp_path.iterdir()) == []


def test_a_zero_token_price_edit_is_refused(tmp_path):
    from ttcplanner.model.price_import import edit_price

    with pytest.raises(InputError, match="free_note"):
        edit_price(load_catalog(include_user=False), "gpt-5-mini", output_usd_per_mtok=0, folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_error_about_a_huge_unknown_key_stays_a_short_line(tmp_path):
    path = write_json(tmp_path / "s.json", {**good_scenario(), "k" * 1_000_000: 1})
    with pytest.raises(InputError) as exc:
        sc.load(path)
    assert len(str(exc.value)) <= 2000 and "\n" not in str(exc.value)


@pytest.mark.parametrize("levels", [[1], [{}], [None], [""], ["low", "low"]])
def test_effort_levels_must_be_distinct_names(tmp_path, levels):
    path = _catalog_file(tmp_path, "api_offers", lambda d: d["entries"][0].update(effort_levels=levels))
    with pytest.raises(InputError, match="effort_levels"):
        load_file(path)


@pytest.mark.parametrize("value", ["abc", [1], -5, 1e300, None, True])
def test_effort_tokens_must_be_token_counts(tmp_path, value):
    doc = _shipped("tasks")
    curve = next(iter(doc["entries"][0]["curves"].values()))
    curve["effort_tokens"] = {"low": value}
    with pytest.raises(InputError, match="effort_tokens"):
        load_file(write_json(tmp_path / "tasks.json", doc))


def test_monte_carlo_with_no_priced_gpu_is_not_a_traceback(cli, tmp_path):
    # owning an A100: the catalog has no purchase price for it, so no GPU row survives in the surrogate grid
    path = write_json(tmp_path / "s.json", {**good_scenario(), "ownership": "own", "hardware": "a100-80gb"})
    code, out, err = cli("plan", path, "--monte-carlo", "100")
    assert code == 0, err
    assert "Local / rented GPUs" in out
