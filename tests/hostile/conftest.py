"""The CLI in-process for the hostile-input tests, with a private user catalog and data folder."""

import pytest

from ttcplanner.cli import main


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    """``cli(*argv)`` -> (code, stdout, stderr), in-process, with an empty user catalog."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
