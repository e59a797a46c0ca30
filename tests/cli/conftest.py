"""Run the CLI in-process: ``cli(*argv)`` -> (exit code, stdout, stderr); ``cli_json(*argv)`` -> parsed --json."""

import json

import pytest

from ttcplanner.cli import main


@pytest.fixture
def cli(capsys):
    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_json(cli):
    def run(*argv):
        code, out, err = cli(*argv, "--json")
        assert code == 0, err
        return json.loads(out)

    return run
