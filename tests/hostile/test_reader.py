"""Every input file goes through one guarded reader: regular files only (FIFOs, devices, folders refused
before any open for reading), a size cap, strict UTF-8. Each case from issue 22."""

import os
import stat
import threading
from pathlib import Path

import pytest

from tests.hostile.helpers import assert_one_line_error, good_scenario, run_cli, write_json
from ttcplanner.model import calibration, price_import
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog, load_file
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import MAX_FILE_BYTES, read_input_bytes, read_json

HAS_FIFO = hasattr(os, "mkfifo")
HAS_DEV_ZERO = stat.S_ISCHR(os.stat("/dev/zero").st_mode) if os.path.exists("/dev/zero") else False
LOADERS = {
    "scenario": sc.load,
    "catalog file": load_file,
    "vllm bench": calibration.read_vllm_bench,
    "litellm": price_import.import_litellm,
}


def _fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


def _with_watchdog(fn, fifo: Path):
    """Run ``fn``; if it blocks on the FIFO, a writer unblocks it after 10 s and the test fails."""
    done = threading.Event()

    def unblock():
        if not done.wait(10):
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)

    t = threading.Thread(target=unblock, daemon=True)
    t.start()
    try:
        return fn()
    finally:
        done.set()


@pytest.mark.skipif(not HAS_FIFO, reason="no FIFOs on this platform")
@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_fifo_is_refused_before_it_is_opened(tmp_path, loader):
    fifo = _fifo(tmp_path)
    with pytest.raises(InputError, match="FIFO"):
        _with_watchdog(lambda: LOADERS[loader](fifo), fifo)


@pytest.mark.skipif(not HAS_DEV_ZERO, reason="no /dev/zero")
@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("via_symlink", [False, True])
def test_dev_zero_and_a_symlink_to_it_are_refused(tmp_path, loader, via_symlink):
    path = Path("/dev/zero")
    if via_symlink:
        path = tmp_path / "zero.json"
        path.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="device"):
        LOADERS[loader](path)


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_folder_is_refused(tmp_path, loader):
    with pytest.raises(InputError, match="folder"):
        LOADERS[loader](tmp_path)


@pytest.mark.skipif(not HAS_FIFO, reason="no FIFOs on this platform")
def test_a_fifo_in_a_catalog_folder_is_refused(tmp_path):
    os.mkfifo(tmp_path / "gpus.json")
    with pytest.raises(InputError, match="FIFO"):
        _with_watchdog(lambda: load_catalog(tmp_path, include_user=False), tmp_path / "gpus.json")


def test_a_folder_named_like_a_catalog_file_is_refused(tmp_path):
    (tmp_path / "gpus.json").mkdir()
    with pytest.raises(InputError, match="folder"):
        load_catalog(tmp_path, include_user=False)


@pytest.mark.skipif(not (HAS_FIFO and HAS_DEV_ZERO), reason="needs FIFOs and /dev/zero")
@pytest.mark.parametrize(
    "argv",
    [
        ("plan", "{p}"),
        ("sensitivity", "{p}"),
        ("catalog", "import-litellm", "{p}", "--into", "{d}"),
        (
            "calibrate",
            "--vllm-bench",
            "{p}",
            "--model",
            "gpt-oss-120b",
            "--hardware",
            "h100-sxm",
            "--gpus",
            "1",
            "--precision",
            "fp4",
            "--into",
            "{d}",
        ),
        ("catalog", "validate", "{d}"),
        ("--catalog", "{d}", "catalog", "list"),
    ],
)
@pytest.mark.parametrize("kind", ["fifo", "zero-link"])
def test_cli_on_a_fifo_or_dev_zero_ends_in_one_line(tmp_path, argv, kind):
    folder = tmp_path / "cat"
    folder.mkdir()
    path = folder / "x.json"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    args = [a.format(p=path, d=folder) for a in argv]
    code, out, err = run_cli(*args, env_home=tmp_path)
    assert_one_line_error(code, err)
    assert ("FIFO" if kind == "fifo" else "device") in err


def test_the_size_cap_reads_at_most_cap_plus_one_bytes(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 100)
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(InputError, match="limit"):
        read_input_bytes(path, "file", max_bytes=10)
    assert sum(reads) <= 11


def test_a_file_that_grows_after_the_size_check_is_still_capped(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_bytes(b" " * (MAX_FILE_BYTES + 10))
    real_stat = os.stat

    class Small:  # what a device reports: size 0
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(os, "stat", lambda p, *a, **k: Small(real_stat(p, *a, **k)))
    with pytest.raises(InputError, match="limit"):
        read_json(path, "scenario file")


def test_non_utf8_and_empty_and_missing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(InputError, match="UTF-8"):
        sc.load(bad)
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        sc.load(empty)
    with pytest.raises(InputError, match="not found"):
        sc.load(tmp_path / "missing.json")
    with pytest.raises(InputError):
        sc.load("")


def test_a_name_too_long_and_a_nul_byte_are_one_error(tmp_path):
    with pytest.raises(InputError):
        sc.load(tmp_path / ("x" * 300 + ".json"))
    with pytest.raises(InputError):
        sc.load(str(tmp_path / "a\0b.json"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_one_error(tmp_path):
    path = write_json(tmp_path / "s.json", good_scenario())
    path.chmod(0)
    with pytest.raises(InputError, match="cannot read"):
        sc.load(path)


def test_the_fit_tools_read_through_the_guarded_reader(tmp_path):
    from ttcplanner.model import fit_serving

    (tmp_path / fit_serving.POINTS_FILE).mkdir()
    with pytest.raises(InputError, match="folder"):
        fit_serving.read_points(tmp_path)


def test_no_module_opens_input_files_around_the_reader():
    """Every read of a file in the package goes through jsonio.read_input_bytes."""
    import ast

    import ttcplanner

    root = Path(ttcplanner.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "jsonio.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                json_load = name == "load" and isinstance(f, ast.Attribute) and getattr(f.value, "id", "") == "json"
                if json_load or name in ("read_text", "read_bytes") or (name == "open" and isinstance(f, ast.Name)):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    "argv",
    [
        ("--catalog", "{long}", "catalog", "list"),
        ("catalog", "validate", "{long}"),
        ("catalog", "validate", "{file}"),
        ("--catalog", "{nul}", "catalog", "list"),
    ],
)
def test_cli_folder_arguments_the_os_refuses_are_one_line(tmp_path, cli, argv):
    (tmp_path / "f.json").write_text("{}", encoding="utf-8")
    args = [a.format(long=tmp_path / ("q" * 300), file=tmp_path / "f.json", nul="a\0b") for a in argv]
    code, out, err = cli(*args)
    assert_one_line_error(code, err)
