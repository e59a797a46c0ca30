"""Shared test setup. GUI tests run without a display: the offscreen Qt platform, set before Qt loads."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A private XDG data folder (autosaves, user catalog) for one test."""
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home
