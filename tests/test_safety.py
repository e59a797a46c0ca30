"""No network, no code from files: loaders never use pickle, eval or exec, and a full plan runs with
sockets blocked."""

import ast
import socket
from pathlib import Path

import pytest

import ttcplanner

SOURCE = Path(ttcplanner.__file__).parent
BANNED_CALLS = {"eval", "exec", "compile", "__import__"}
BANNED_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "yaml", "urllib.request",
                  "http.client", "requests", "socket"}


def _python_files():
    return sorted(SOURCE.rglob("*.py"))


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_code_execution_or_network_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in BANNED_CALLS, f"{path.name}:{node.lineno} calls {node.func.id}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name not in BANNED_MODULES, f"{path.name}:{node.lineno} imports {alias.name}"
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module not in BANNED_MODULES, f"{path.name}:{node.lineno} imports from {node.module}"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return refuse


def test_full_plan_runs_without_network(no_network, capsys):
    from ttcplanner.cli import main
    from ttcplanner.paths import scenarios_dir

    for path in sorted(scenarios_dir().glob("*.json")):
        assert main(["plan", str(path), "--json"]) == 0
    assert main(["serve-estimate", "--model", "llama-3.3-70b", "--hardware", "h200", "--gpus", "1",
                 "--precision", "fp8", "--input-tokens", "1000", "--output-tokens", "1000", "--json"]) == 0
    capsys.readouterr()
