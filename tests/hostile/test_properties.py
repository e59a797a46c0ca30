"""Property-based: whatever bytes or values arrive, every loader either loads or raises one InputError
(a one-line message), and the CLI exits 0 or 2 with at most one line on stderr, within a time limit
(a SIGALRM guard turns a hang into a failure instead of stalling the suite; it never times speed)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.helpers import ROOT
from ttcplanner.cli import main
from ttcplanner.model import calibration, price_import
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_file
from ttcplanner.model.errors import InputError
from ttcplanner.paths import catalog_dir

HANG_LIMIT_S = 60  # a hang guard for a loaded machine, not a speed test
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
BENCH = json.loads((ROOT / "tests" / "data" / "vllm_bench_gpt-oss-120b_h100.json").read_text(encoding="utf-8"))
LITELLM = json.loads((ROOT / "tests" / "data" / "litellm_prices_sample.json").read_text(encoding="utf-8"))


def _shipped(kind: str) -> dict:
    doc = json.loads((catalog_dir() / f"{kind}.json").read_text(encoding="utf-8"))
    doc["entries"] = doc["entries"][:2]
    return doc


GOOD = {
    "scenario": sc.to_json(sc.Scenario()),
    "gpus": _shipped("gpus"),
    "tasks": _shipped("tasks"),
    "api_offers": _shipped("api_offers"),
    "vllm": BENCH,
    "litellm": LITELLM,
}
LOADERS = {
    "scenario": sc.load,
    "gpus": load_file,
    "tasks": load_file,
    "api_offers": load_file,
    "vllm": calibration.read_vllm_bench,
    "litellm": lambda p: price_import.import_litellm(p, as_of="2026-11-01"),
}


@contextlib.contextmanager
def time_limit(seconds: float):
    if not hasattr(signal, "setitimer"):
        yield
        return

    def hang(signum, frame):
        raise AssertionError(f"still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.just(-(10**30)),
    st.floats(allow_nan=False),
    st.just(1e308),
    st.just(1e-320),
    st.text(max_size=30),
    st.sampled_from(
        [
            "\ud800",
            "a\udfffb",
            "x\n\ny",
            "choice:100000",
            "choice:²",
            "9999-12-31",
            "",
            " ",
            "inf",
            "NaN",
            "1e400",
            "../../etc/passwd",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(value, prefix=()):
    """Every (path) into a JSON document, so a mutation can target any field at any depth."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated(draw, name: str):
    doc = copy.deepcopy(GOOD[name])
    paths = [p for p in _paths(doc) if p]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            if draw(st.booleans()) or not isinstance(target, dict):
                target[path[-1]] = draw(HOSTILE_VALUES)
            else:
                target[draw(st.text(max_size=8))] = draw(HOSTILE_VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    return json.dumps(doc, allow_nan=True).encode("utf-8")


def _check_loader(name: str, raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(raw)
    with time_limit(HANG_LIMIT_S):
        try:
            LOADERS[name](path)
        except InputError as exc:
            text = str(exc)
            assert "\n" not in text and text.isprintable()
            text.encode("utf-8")


@pytest.mark.parametrize("name", sorted(LOADERS))
@SETTINGS
@given(raw=st.binary(max_size=400))
def test_any_bytes_load_or_raise_one_input_error(tmp_path, name, raw):
    _check_loader(name, raw, tmp_path)


@pytest.mark.parametrize("name", sorted(LOADERS))
@SETTINGS
@given(data=st.data())
def test_any_mutation_of_a_valid_file_loads_or_raises_one_input_error(tmp_path, name, data):
    _check_loader(name, data.draw(mutated(name)), tmp_path)


def _cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with time_limit(HANG_LIMIT_S), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _assert_contract(code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("ttcplanner: error: "), err
    assert "Traceback" not in err


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


@pytest.mark.parametrize("command", ["plan", "sensitivity"])
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_cli_on_any_scenario_exits_0_or_2_with_one_line(private_home, command, data):
    raw = data.draw(st.one_of(mutated("scenario"), st.binary(max_size=200)))
    path = private_home / "s.json"
    path.write_bytes(raw)
    _assert_contract(*_cli(command, path)[::2])


@SETTINGS
@given(data=st.data())
def test_cli_calibrate_on_any_result_exits_0_or_2(private_home, data):
    path = private_home / "bench.json"
    path.write_bytes(data.draw(st.one_of(mutated("vllm"), st.binary(max_size=200))))
    code, out, err = _cli(
        "calibrate",
        "--vllm-bench",
        path,
        "--model",
        "gpt-oss-120b",
        "--hardware",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp4",
        "--into",
        private_home / "cat",
    )
    _assert_contract(code, err)


@SETTINGS
@given(data=st.data())
def test_cli_import_litellm_on_any_file_exits_0_or_2(private_home, data):
    path = private_home / "prices.json"
    path.write_bytes(data.draw(st.one_of(mutated("litellm"), st.binary(max_size=200))))
    code, out, err = _cli("catalog", "import-litellm", path, "--into", private_home / "cat")
    _assert_contract(code, err)


@SETTINGS
@given(data=st.data())
def test_cli_catalog_folder_with_any_file_exits_0_or_2(private_home, data):
    kind = data.draw(st.sampled_from(["gpus", "tasks", "api_offers"]))
    folder = private_home / "cat"
    folder.mkdir(exist_ok=True)
    (folder / f"{kind}.json").write_bytes(data.draw(mutated(kind)))
    code, out, err = _cli("catalog", "validate", folder)
    _assert_contract(code, err)


TEXT_ARG = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["1e9", "1e400", "nan", "-1", "0", "72", "73", "1.5", "9" * 5000, "choice:100000", "choice:4", "\ud800", ""]
    ),
)


@SETTINGS
@given(gpus=TEXT_ARG, concurrency=TEXT_ARG, inp=TEXT_ARG)
def test_cli_serve_estimate_numbers_exit_0_or_2(private_home, gpus, concurrency, inp):
    code, out, err = _cli(
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
        inp,
        "--output-tokens",
        "100",
        "--concurrency",
        concurrency,
    )
    _assert_contract(code, err)


@SETTINGS
@given(pass1=TEXT_ARG, samples=TEXT_ARG, fmt=TEXT_ARG)
def test_cli_accuracy_numbers_exit_0_or_2(private_home, pass1, samples, fmt):
    code, out, err = _cli("accuracy", "--pass1", pass1, "--samples", samples, "--answer-format", fmt)
    _assert_contract(code, err)


@SETTINGS
@given(name=st.text(min_size=0, max_size=300))
def test_cli_pdf_path_of_any_text_exits_0_or_2_without_rendering(private_home, name, monkeypatch):
    from ttcplanner.report import pdf

    monkeypatch.setattr(pdf, "render_pdf_bytes", lambda *a, **k: b"%PDF-1.4\n")  # the save path, not the layout
    monkeypatch.chdir(private_home)
    code, out, err = _cli("plan", ROOT / "resources" / "scenarios" / "chat-assistant-low-volume.json", "--pdf", name)
    _assert_contract(code, err)


PATH_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "/dev/null", "/dev/zero", "/", "x" * 300, "a\nb", "a\0b", "\ud800", "/tmp/" + "y" * 5000]),
)


@SETTINGS
@given(folder=PATH_TEXT)
def test_cli_any_folder_argument_exits_0_or_2(private_home, folder, monkeypatch):
    monkeypatch.chdir(private_home)
    for argv in (
        ("--catalog", folder, "catalog", "list"),
        ("catalog", "validate", folder),
        ("catalog", "import-litellm", ROOT / "tests" / "data" / "litellm_prices_sample.json", "--into", folder),
    ):
        code, out, err = _cli(*argv)
        _assert_contract(code, err)
