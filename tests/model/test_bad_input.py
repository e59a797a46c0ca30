"""Bad files never crash: scenario and catalog loaders reject them with an InputError naming the problem,
and the CLI turns that into one line and exit code 2."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttcplanner.cli import main
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_file
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import MAX_DEPTH, MAX_FILE_BYTES

GOOD = sc.to_json(sc.Scenario())
FIELDS = sorted(k for k in GOOD if k != "schema_version")


def _write(tmp_path, content, name="s.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


CASES = {
    "invalid json": "{not json",
    "truncated": json.dumps(GOOD)[:57],
    "empty": "",
    "top-level list": "[1, 2, 3]",
    "nan": json.dumps(GOOD).replace('"samples": 1', '"samples": NaN'),
    "infinity": json.dumps(GOOD).replace('"requests_per_day": 10000.0', '"requests_per_day": Infinity'),
    "wrong type": json.dumps({**GOOD, "samples": "many"}),
    "bool as number": json.dumps({**GOOD, "samples": True}),
    "negative": json.dumps({**GOOD, "requests_per_day": -5}),
    "absurd": json.dumps({**GOOD, "requests_per_day": 1e30}),
    "fractional samples": json.dumps({**GOOD, "samples": 2.5}),
    "unknown field": json.dumps({**GOOD, "sampels": 3}),
    "bad choice": json.dumps({**GOOD, "aggregation": "vibes"}),
    "wrong schema": json.dumps({**GOOD, "schema_version": 99}),
    "deep nesting": "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
    "very deep nesting": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_scenario_files_raise_input_error(tmp_path, name):
    path = _write(tmp_path, CASES[name])
    with pytest.raises(InputError) as exc:
        sc.load(path)
    assert str(path) in str(exc.value)


def test_non_utf8_and_oversized_files(tmp_path):
    with pytest.raises(InputError, match="UTF-8"):
        sc.load(_write(tmp_path, b'{"name": "\xff\xfe"}'))
    big = _write(tmp_path, b" " * (MAX_FILE_BYTES + 1) + b"{}", "big.json")
    with pytest.raises(InputError, match="limit"):
        sc.load(big)
    with pytest.raises(InputError, match="not found"):
        sc.load(tmp_path / "missing.json")
    with pytest.raises(InputError, match="folder"):
        sc.load(tmp_path)


def test_unknown_ids_are_named_by_the_cli(tmp_path, capsys):
    path = _write(tmp_path, json.dumps({**GOOD, "task_id": "no-such-task"}))
    assert main(["plan", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no-such-task" in err and len(err.strip().splitlines()) == 1


def _mutations():
    value = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )
    return st.dictionaries(st.sampled_from(FIELDS + ["extra", "schema_version"]), value, min_size=1, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mutations())
def test_random_scenario_mutations_load_or_raise_input_error(tmp_path, changes):
    data = {**GOOD, **changes}
    text = json.dumps(data, allow_nan=True)
    path = _write(tmp_path, text)
    try:
        loaded = sc.load(path)
    except InputError:
        return
    for key in FIELDS:  # what loads is within bounds and finite
        value = getattr(loaded, key)
        if isinstance(value, float):
            assert math.isfinite(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_cli(tmp_path, blob):
    path = _write(tmp_path, blob)
    try:
        code = main(["plan", str(path), "--json"])
    except SystemExit as exc:  # argparse never gets here: a file was given
        code = exc.code
    assert code in (0, 2)


CATALOG_ENTRY = {
    "id": "x",
    "name": "X",
    "vendor": "V",
    "source": "https://example.com",
    "as_of": "2026-01-01",
    "memory_gb": 80,
    "mem_bw_tb_s": 3.35,
    "bf16_tflops": 989,
    "tdp_w": 700,
}


@pytest.mark.parametrize(
    "change,field",
    [
        ({"memory_gb": -80}, "memory_gb"),
        ({"memory_gb": "80"}, "memory_gb"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"source": "not a url"}, "source"),
        ({"interconnect": "carrier pigeon"}, "interconnect"),
        ({"tdp_w": None}, "tdp_w"),
    ],
)
def test_bad_catalog_entries_name_file_entry_and_field(tmp_path, change, field):
    path = _write(
        tmp_path,
        json.dumps(
            {"schema_version": 1, "kind": "gpus", "as_of": "2026-01-01", "entries": [{**CATALOG_ENTRY, **change}]}
        ),
        "gpus.json",
    )
    with pytest.raises(InputError) as exc:
        load_file(path)
    message = str(exc.value)
    assert "gpus.json" in message and "entries[0]" in message and field in message


def test_duplicate_and_missing_fields_in_catalog(tmp_path):
    dup = {"schema_version": 1, "kind": "gpus", "as_of": "2026-01-01", "entries": [CATALOG_ENTRY, CATALOG_ENTRY]}
    with pytest.raises(InputError, match="duplicate"):
        load_file(_write(tmp_path, json.dumps(dup), "gpus.json"))
    missing = {k: v for k, v in CATALOG_ENTRY.items() if k != "mem_bw_tb_s"}
    with pytest.raises(InputError, match="mem_bw_tb_s.*missing"):
        load_file(_write(tmp_path, json.dumps({**dup, "entries": [missing]}), "gpus.json"))


_CHANGES = st.dictionaries(
    st.sampled_from(
        [
            "samples",
            "reasoning_tokens",
            "requests_per_day",
            "target_accuracy_pct",
            "ownership",
            "name",
            "prefix_cache",
            "speculative_acceptance",
            "gpus_per_replica",
            "unknown_field",
        ]
    ),
    st.one_of(
        st.integers(-5, 10**7),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=6),
        st.booleans(),
        st.sampled_from(["rent", "own"]),
    ),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(_CHANGES)
def test_replace_checks_changes_as_a_full_reload_would(changes):
    """``Scenario.replace`` validates only the changed fields: it must accept and reject exactly what a
    reload of the whole changed scenario would, with the same message, and build the same scenario."""
    from ttcplanner.model import scenario as sc

    base = sc.Scenario()
    try:
        expected = sc.from_dict({**sc.to_json(base), **changes}, source="change")
    except InputError as e:
        with pytest.raises(InputError) as got:
            base.replace(**changes)
        assert str(got.value) == str(e)
    else:
        got = base.replace(**changes)
        assert got == expected and sc.to_json(got) == sc.to_json(expected)
