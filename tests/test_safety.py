"""No network, no code from files: loaders never use pickle, eval or exec, and a full plan runs with
sockets blocked."""

import ast
import os
import socket
from pathlib import Path

import pytest

import ttcplanner

SOURCE = Path(ttcplanner.__file__).parent
BANNED_CALLS = {"eval", "exec", "compile", "__import__"}
BANNED_MODULES = {
    "pickle",
    "cPickle",
    "marshal",
    "shelve",
    "dill",
    "cloudpickle",
    "yaml",
    "urllib.request",
    "http.client",
    "requests",
    "socket",
}


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
    assert (
        main(
            [
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
                "1000",
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()


def _socket_fds() -> set[str]:
    """Open socket descriptors of this process (sockets Qt's C++ code opens are invisible to monkeypatch)."""
    fds = Path("/proc/self/fd")
    found = set()
    for fd in fds.iterdir() if fds.is_dir() else ():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_window_plans_moves_a_slider_and_exports_a_pdf_without_network(no_network, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user settings or catalog leak in
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QSlider

    from ttcplanner.gui import MainWindow
    from ttcplanner.model.catalog import load_catalog

    sockets_before = _socket_fds()
    window = MainWindow(
        catalog=load_catalog(include_user=False),
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    slider = window.findChild(QSlider, "computeBudgetSlider")
    with qtbot.waitSignal(window.planUpdated, timeout=5000):
        slider.setValue(slider.value() + 40)
    assert window.plan.scenario.reasoning_tokens != 8_000
    pdf = tmp_path / "x.pdf"
    assert window.export_pdf(pdf), window.last_error
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _socket_fds() <= sockets_before
