"""Start-up guards: missing xcb libraries and missing displays produce actionable messages."""

from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ttcplanner import qt_env  # noqa: E402

X11_ENV = {"DISPLAY": ":0"}


def all_present(soname: str) -> bool:
    return True


def test_all_libraries_present_gives_no_message():
    assert qt_env.check_display(X11_ENV, platform="linux", is_loadable=all_present) is None


def test_missing_cursor_library_names_library_and_packages():
    message = qt_env.check_display(X11_ENV, platform="linux", is_loadable=lambda soname: soname != "libxcb-cursor.so.0")
    assert message is not None
    assert "libxcb-cursor.so.0" in message
    assert "libxcb-icccm.so.4" not in message.split("Install them")[0]
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message
    assert "xcb-util-cursor xcb-util-wm xcb-util-keysyms" in message


def test_every_missing_library_is_named():
    message = qt_env.check_display(X11_ENV, platform="linux", is_loadable=lambda soname: False)
    for lib in qt_env.XCB_LIBRARIES:
        assert lib.soname in message
        assert lib.debian_package in message


def test_default_lookup_is_monkeypatchable(monkeypatch):
    monkeypatch.setattr(qt_env, "library_loadable", lambda soname: soname != "libxcb-keysyms.so.1")
    message = qt_env.check_display({"DISPLAY": ":1", "QT_QPA_PLATFORM": "xcb"}, platform="linux")
    assert "libxcb-keysyms.so.1" in message and "libxcb-keysyms1" in message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sonames are Linux-specific")
def test_real_lookup_finds_libc_and_rejects_nonsense():
    assert qt_env.library_loadable("libc.so.6")
    assert not qt_env.library_loadable("libdefinitely-not-here.so.42")


def test_no_display_suggests_offscreen():
    message = qt_env.check_display({}, platform="linux", is_loadable=all_present)
    assert "DISPLAY" in message and "QT_QPA_PLATFORM=offscreen" in message


@pytest.mark.parametrize("platform_value", ["offscreen", "minimal", "wayland", "offscreen:fontengine=freetype"])
def test_explicit_non_xcb_platform_is_not_checked(platform_value):
    env = {"QT_QPA_PLATFORM": platform_value}
    assert qt_env.check_display(env, platform="linux", is_loadable=lambda s: False) is None


def test_wayland_session_skips_xcb_check():
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert qt_env.check_display(env, platform="linux", is_loadable=lambda s: False) is None


def test_forced_xcb_in_wayland_session_is_checked():
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}
    assert "libxcb-cursor0" in qt_env.check_display(env, platform="linux", is_loadable=lambda s: False)


@pytest.mark.parametrize("os_name", ["win32", "darwin"])
def test_other_operating_systems_are_not_checked(os_name):
    assert qt_env.check_display({}, platform=os_name, is_loadable=lambda s: False) is None


def test_fonts_are_shipped():
    names = {path.name for path in qt_env.bundled_font_files()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"} <= names


@pytest.fixture
def restore_app_font(qapp):
    from PySide6.QtGui import QGuiApplication

    saved = QGuiApplication.font()
    yield
    QGuiApplication.setFont(saved)


def test_register_fonts_sets_dejavu_default(qapp, restore_app_font):
    from PySide6.QtGui import QFontDatabase, QFontInfo, QGuiApplication

    family = qt_env.register_fonts()
    assert family == "DejaVu Sans"
    assert "DejaVu Sans" in QFontDatabase.families()
    font = QGuiApplication.font()
    assert font.family() == "DejaVu Sans" and font.pointSize() == 10
    assert QFontInfo(font).family() == "DejaVu Sans"
    bold_styles = QFontDatabase.styles("DejaVu Sans")
    assert any("Bold" in style for style in bold_styles)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "C.UTF-8"),
        ({"LANG": "C"}, "C.UTF-8"),
        ({"LC_CTYPE": "POSIX", "LANG": "en_US.UTF-8"}, "C.UTF-8"),
        ({"LANG": "de_DE.UTF-8"}, None),  # a real locale is left alone
        ({"LC_ALL": "C"}, None),  # an explicit LC_ALL is the user's choice
    ],
)
def test_bare_c_locale_asks_for_utf8(env, expected):
    qt_env.prefer_utf8_locale(env)
    assert env.get("LC_CTYPE") == expected


def test_frozen_style_start_prints_no_locale_notice(tmp_path):
    """A start with no locale at all (env -i; CPython's own PEP 538 coercion disabled) writes nothing to stderr."""
    import subprocess

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONCOERCECLOCALE": "0",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.getcwd(),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ttcplanner",
            "plan",
            "resources/scenarios/maths-tutor-high-volume.json",
            "--pdf",
            str(tmp_path / "p.pdf"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "locale" not in out.stderr.lower(), out.stderr
