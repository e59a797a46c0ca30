"""The model layer (and the CLI's non-GUI commands) must never load Qt."""

import subprocess
import sys

CHECK = (
    "import sys, ttcplanner.model, ttcplanner.model.planner, ttcplanner.model.serving, "
    "ttcplanner.model.accuracy, ttcplanner.model.costs, ttcplanner.model.catalog, ttcplanner.model.scenario, "
    "ttcplanner.model.format, ttcplanner.cli, ttcplanner.plan_text\n"
    "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph') "
    "or m.startswith(('ttcplanner.gui', 'ttcplanner.report')))\n"
    "print(','.join(bad))\n"
)


def test_model_and_cli_import_no_qt():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt or GUI modules loaded by the model layer: {out.stdout}"


def test_model_sources_have_no_qt_imports():
    from pathlib import Path

    import ttcplanner.model as model

    for path in Path(model.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("PySide6", "shiboken6", "pyqtgraph", "ttcplanner.gui", "ttcplanner.report"):
            assert f"import {banned}" not in text and f"from {banned}" not in text, f"{path.name} imports {banned}"
