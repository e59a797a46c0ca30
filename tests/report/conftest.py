"""Report tests share the session's QApplication (pytest-qt's ``qapp``): if they let the report create a bare
QGuiApplication first, a later GUI test in the same run could not create its widgets. The CLI tests that run
in a subprocess still exercise the QGuiApplication-only path."""

import pytest


@pytest.fixture(autouse=True)
def _shared_qapp(qapp):
    return qapp
