"""GUI fixtures: a private settings/data folder (never the user's), the shipped catalog, a shown window."""

from __future__ import annotations

import os
import tempfile

# Before Qt or the catalog loader read them: no user settings, recent files or user catalog leak in.
_HOME = tempfile.mkdtemp(prefix="ttcplanner-gui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def catalog():
    from ttcplanner.model.catalog import load_catalog

    return load_catalog(include_user=False)


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, catalog, settings):
    from ttcplanner.gui import MainWindow
    from ttcplanner.gui.main_window import DEFAULT_SIZE

    def make(scenario=None):
        w = MainWindow(scenario=scenario, catalog=catalog, settings=settings)
        w.resize(*DEFAULT_SIZE)  # the offscreen screen is 800x800: test at the size a desktop screen gives
        w._size_docks()
        qtbot.addWidget(w)
        w.show()
        return w

    return make


@pytest.fixture
def window(make_window):
    return make_window()
