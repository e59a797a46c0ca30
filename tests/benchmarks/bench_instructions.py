"""CPU instructions per slider change of the planner window, counted by valgrind (callgrind).

Prints JSON. Wall and even CPU times of identical runs differ by a third on a shared machine, so a change
that saves 3 % cannot be seen in them; the number of instructions executed barely moves between runs
(about 0.05 %). Each control is swept back and forth in a fresh process under callgrind, counting only
what runs inside QSlider.setValue and the event-loop passes that follow each change of value (recompute, views
updated, everything painted), not the start-up. Instructions are not time (cache misses, SIMD), but
fewer of them for the same work is a faster step.

Needs valgrind (``apt-get install valgrind``). Run: python tests/benchmarks/bench_instructions.py
[--scenario STEM] [--controls samplesSlider,computeBudgetSlider] [--changes 60]; about a minute per control.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNTED = ("QCoreApplication::processEvents(QFlags<QEventLoop::ProcessEventsFlag>, int)", "QAbstractSlider::setValue(int)")


def child(scenario: str, control: str, changes: int) -> None:
    """Sweep ``control``; the counted event-loop passes go through processEvents(flags, maxtime)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication, QSlider

    app = QApplication([])
    from ttcplanner.gui import MainWindow
    from ttcplanner.model import scenario as sc
    from ttcplanner.model.catalog import load_catalog
    from ttcplanner.paths import scenarios_dir

    import tempfile

    # not os.devnull: QSettings saves by renaming a file over its path, which as root replaces /dev/null
    window = MainWindow(scenario=sc.load(scenarios_dir() / f"{scenario}.json"), catalog=load_catalog(include_user=False),
                        settings=QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1500, 950)
    window.show()
    app.processEvents()
    plans = []
    window.planUpdated.connect(plans.append)
    slider = window.findChild(QSlider, control)
    start, step = slider.value(), max(1, (slider.maximum() - slider.minimum()) // 120)
    # Uncounted probe: the positions whose value differs from the last one (a log slider's integer value
    # often rounds to the same number), so that every counted change recomputes the plan.
    moving, pos, direction = [], start, 1
    while len(moving) < changes:
        if not slider.minimum() <= pos + direction * step <= slider.maximum():
            direction = -direction
        pos += direction * step
        before = len(plans)
        _settle_uncounted(app, window, slider, pos)
        if len(plans) > before:
            moving.append(pos)
    from ttcplanner.model import planner

    planner.clear_caches()  # the probe's plans must not be cache hits for the counted sweep
    _settle_uncounted(app, window, slider, start)  # back to the start: what a step does not change is cached
    plans.clear()
    for pos in moving:
        slider.setValue(pos)
        for _ in range(3):
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1000)
    print(json.dumps({"plan_updates": len(plans)}))


def _settle_uncounted(app, window, slider, pos) -> None:
    slider.setValue(pos)
    for _ in range(20):  # the controller coalesces on a zero-time timer: a few passes settle it
        app.processEvents()
        if not window.controller._pending and not window.controller._timer.isActive():
            break
    app.processEvents()


def count(scenario: str, control: str, changes: int) -> dict:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           *(f"--toggle-collect={f}" for f in COUNTED), sys.executable, __file__, "--child", scenario, control, str(changes)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not collected:
        raise SystemExit(f"callgrind run failed for {control}: {run.stderr.strip().splitlines()[-1:]}")
    updates = json.loads(run.stdout.strip().splitlines()[-1])["plan_updates"]
    total = int(collected.group(1))
    return {"changes": changes, "plan_updates": updates, "instructions": total,
            "million_instructions_per_change": round(total / changes / 1e6, 2)}  # each change: a new plan


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="coding-agent-verifier")
    parser.add_argument("--controls", default="samplesSlider,computeBudgetSlider")
    parser.add_argument("--changes", type=int, default=60)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    report = {"scenario": args.scenario, "controls": {}}
    for control in args.controls.split(","):
        report["controls"][control] = count(args.scenario, control, args.changes)
        print(json.dumps({control: report["controls"][control]}), file=sys.stderr, flush=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
