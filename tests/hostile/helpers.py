"""Helpers for the hostile-input tests: the CLI in a subprocess with a time limit, files, checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ttcplanner.model import scenario as sc

ROOT = Path(__file__).resolve().parents[2]
TIME_LIMIT_S = 60  # generous for a loaded machine; a hang (FIFO, /dev/zero, choice:100000) never ends


def run_cli(*argv, cwd=None, timeout=TIME_LIMIT_S, env_home=None):
    """The CLI in a subprocess: (code, stdout, stderr); a hang fails the test instead of stalling it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    if env_home is not None:
        env.update(XDG_CONFIG_HOME=str(env_home / "config"), XDG_DATA_HOME=str(env_home / "data"))
    proc = subprocess.run(
        [sys.executable, "-m", "ttcplanner", *map(str, argv)], capture_output=True, timeout=timeout, cwd=cwd, env=env
    )
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def assert_one_line_error(code, err):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("ttcplanner: error: "), err
    assert "Traceback" not in err


def good_scenario() -> dict:
    return sc.to_json(sc.Scenario())


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def char_device() -> Path | None:
    """A character device to aim at (/dev/full first: nothing writes to it on purpose), or None. Checked, not
    assumed: on a shared root machine a tool that saves atomically can turn /dev/null into a regular file."""
    import stat

    for name in ("/dev/full", "/dev/null", "/dev/zero"):
        try:
            if stat.S_ISCHR(os.stat(name).st_mode):
                return Path(name)
        except OSError:
            continue
    return None
