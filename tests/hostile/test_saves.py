"""PDF and every save (issue 22 item 4): written beside the target under a short temporary name, through a
symlink (the link stays), never over a folder, FIFO or device, never to an empty name; any OS refusal is
one InputError line."""

import os
import stat

import pytest

from tests.hostile.helpers import assert_one_line_error, char_device, run_cli
from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import write_bytes_atomic, write_json_atomic
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import scenarios_dir

NAME_MAX = os.pathconf("/", "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
SCENARIO = scenarios_dir() / "chat-assistant-low-volume.json"


@pytest.fixture(scope="module")
def plan():
    return evaluate(sc.load(SCENARIO), load_catalog(include_user=False))


def _pdf(plan, path):
    from ttcplanner.report.pdf import export_pdf

    return export_pdf(plan, path)


def test_a_name_of_250_characters_is_written(tmp_path):
    path = tmp_path / ("n" * 246 + ".pdf")
    write_bytes_atomic(path, b"%PDF-1.4\n")
    assert path.read_bytes() == b"%PDF-1.4\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


def test_the_longest_name_the_file_system_allows_is_written(tmp_path):
    path = tmp_path / ("m" * (NAME_MAX - 4) + ".pdf")
    write_bytes_atomic(path, b"x")
    assert path.read_bytes() == b"x"


def test_a_name_too_long_is_one_error(tmp_path):
    with pytest.raises(InputError, match="too long"):
        write_bytes_atomic(tmp_path / ("x" * (NAME_MAX + 1)), b"x")


def test_an_empty_path_is_refused():
    with pytest.raises(InputError, match="no file name"):
        write_bytes_atomic("", b"x")


def test_a_symlink_is_written_through_and_stays(tmp_path):
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    write_bytes_atomic(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")
    write_json_atomic(link, {"a": 1})
    assert link.is_symlink() and (tmp_path / "target.json").read_text(encoding="utf-8").startswith("{")


@pytest.mark.skipif(char_device() is None, reason="no character device")
@pytest.mark.parametrize("via_symlink", [False, True])
def test_a_device_is_never_replaced(tmp_path, via_symlink):
    target = char_device()
    path = target
    if via_symlink:
        path = tmp_path / "out.pdf"
        path.symlink_to(target)
    before = os.stat(target)
    with pytest.raises(InputError, match="device"):
        write_bytes_atomic(path, b"x")
    assert stat.S_ISCHR(os.stat(target).st_mode) and os.stat(target).st_ino == before.st_ino


def test_a_device_node_made_by_root_is_never_replaced(tmp_path):
    node = tmp_path / "full.pdf"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # a copy of /dev/full
    except (OSError, AttributeError):
        pytest.skip("cannot create device nodes here (not root)")
    with pytest.raises(InputError, match="device"):
        write_bytes_atomic(node, b"x" * 1000)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_never_replaced(tmp_path):
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        write_bytes_atomic(fifo, b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="folder"):
        write_bytes_atomic(tmp_path, b"x")


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o640)
    write_json_atomic(path, {"a": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_pdf_through_a_symlink_and_with_a_long_name(plan, tmp_path, qapp):
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    _pdf(plan, link)
    assert link.is_symlink() and real.read_bytes().startswith(b"%PDF")
    long_name = tmp_path / ("p" * 246 + ".pdf")
    _pdf(plan, long_name)
    assert long_name.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("bad", ["", "{dev}", "{tmp}", "{tmp}/" + "x" * 256 + ".pdf", "{tmp}/a\nb/c.pdf"])
def test_pdf_bad_targets_are_refused_before_rendering(plan, tmp_path, bad, monkeypatch):
    from ttcplanner.report import pdf

    monkeypatch.setattr(pdf, "render_pdf_bytes", lambda *a, **k: pytest.fail("rendered for a bad target"))
    with pytest.raises(InputError) as exc:
        _pdf(plan, bad.format(tmp=tmp_path, dev=char_device() or tmp_path))
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("pdf", ["", "{tmp}/" + "x" * 256 + ".pdf", "{tmp}/new\nline/out.pdf", "{dev}", "{tmp}"])
def test_cli_pdf_bad_targets_are_one_line_exit_2(tmp_path, pdf):
    code, out, err = run_cli(
        "plan", SCENARIO, "--pdf", pdf.format(tmp=tmp_path, dev=char_device() or tmp_path), env_home=tmp_path
    )
    assert_one_line_error(code, err)
    assert out == ""


def test_cli_pdf_with_a_name_in_a_foreign_encoding_prints(tmp_path):
    import subprocess
    import sys

    from tests.hostile.helpers import ROOT

    out = os.fsencode(tmp_path) + b"/\xff-plan.pdf"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "d"),
        XDG_CONFIG_HOME=str(tmp_path / "c"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "ttcplanner", "plan", str(SCENARIO), "--pdf", out],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert open(out, "rb").read(4) == b"%PDF"
