"""CPU instructions per slider change of the planner window, counted by valgrind (callgrind).

Prints JSON. Wall and even CPU times of identical runs differ by a third on a shared machine, so a change
that saves 3 % cannot be seen in them; the number of instructions executed barely moves between runs
(about 0.05 %). Each control is swept back and forth in a fresh process under callgrind, counting only
what runs inside QSlider.setValue and the event-loop passes that follow each change of value (recompute, views
updated, everything painted), not the start-up. Instructions are not time (cache misses, SIMD), but
fewer of them for the same work is a faster step.

Needs valgrind (``apt-get install valgrind``). Run: python tests/benchmarks/bench_instructions.py
[--scenario STEM] [--controls samplesSlider,computeBudgetSlider] [--changes 60] [--budget fixed|auto]; about a
minute per control. ``--compare [--against NAME]`` measures what a stored baseline measured (its scenario,
controls, changes and budget mode; ``baselines/instructions.json``: README's figures with their date, and the
round's starting point) and prints each control's ratio to it; it exits 1 when a control runs more than
``--tolerance`` (5 %) more instructions per change than the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).resolve().parent / "baselines" / "instructions.json"
COUNTED = (
    "QCoreApplication::processEvents(QFlags<QEventLoop::ProcessEventsFlag>, int)",
    "QAbstractSlider::setValue(int)",
)


def child(scenario: str, control: str, changes: int, budget: str = "") -> None:
    """Sweep ``control``; the counted event-loop passes go through processEvents(flags, maxtime)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication, QSlider

    app = QApplication([])
    from ttcplanner.gui import MainWindow, controller

    # A step is counted, not what the window does once the controls rest (fixed mode's hint search, which a
    # step under callgrind, 50 times slower, would otherwise reach; bench_evaluate times that search).
    controller.HINT_DELAY_MS = 10**8
    from ttcplanner.model import scenario as sc
    from ttcplanner.model.catalog import load_catalog
    from ttcplanner.paths import scenarios_dir

    # not os.devnull: QSettings saves by renaming a file over its path, which as root replaces /dev/null
    start_scenario = sc.load(scenarios_dir() / f"{scenario}.json")
    if budget:
        start_scenario = start_scenario.replace(budget_mode=budget)
    window = MainWindow(
        scenario=start_scenario,
        catalog=load_catalog(include_user=False),
        settings=QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat),
    )
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
        if not window.controller.pending:
            break
    app.processEvents()


def count(scenario: str, control: str, changes: int, budget: str = "") -> dict:
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        *(f"--toggle-collect={f}" for f in COUNTED),
        sys.executable,
        __file__,
        "--child",
        scenario,
        control,
        str(changes),
        budget,
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not collected:
        raise SystemExit(f"callgrind run failed for {control}: {run.stderr.strip().splitlines()[-1:]}")
    updates = json.loads(run.stdout.strip().splitlines()[-1])["plan_updates"]
    total = int(collected.group(1))
    return {
        "changes": changes,
        "plan_updates": updates,
        "instructions": total,
        "million_instructions_per_change": round(total / changes / 1e6, 2),
    }  # each change: a new plan


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else "")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="coding-agent-verifier")
    parser.add_argument("--controls", default="samplesSlider,computeBudgetSlider")
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument(
        "--budget",
        choices=("fixed", "auto"),
        default=None,
        help="budget mode to sweep in (default: the scenario's own)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="measure what the baseline measured (its scenario, controls, changes, budget mode) "
        "and print the ratio per control",
    )
    parser.add_argument("--against", default="readme-fixed", help="which stored baseline (default: readme-fixed)")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="the file of stored baselines")
    parser.add_argument("--tolerance", type=float, default=0.05, help="allowed excess over the baseline (0.05: 5 %%)")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    baseline = None
    if args.compare:
        stored = json.loads(args.baseline.read_text(encoding="utf-8"))
        baseline = stored["baselines"][args.against]
        args.scenario, args.changes, args.budget = stored["scenario"], stored["changes"], baseline["budget"]
        args.controls = ",".join(baseline["million_instructions_per_change"])
    report = {"scenario": args.scenario, "budget": args.budget or "scenario's", "controls": {}}
    for control in args.controls.split(","):
        report["controls"][control] = count(args.scenario, control, args.changes, args.budget or "")
        print(json.dumps({control: report["controls"][control]}), file=sys.stderr, flush=True)
    if baseline is not None:
        report["baseline"] = {
            "file": str(args.baseline),
            "name": args.against,
            "date": baseline["date"],
            "what": baseline["what"],
        }
        ratios = compare(report["controls"], baseline["million_instructions_per_change"])
        report["ratio_to_baseline"] = ratios
        report["within_tolerance"] = all(r <= 1 + args.tolerance for r in ratios.values())
    print(json.dumps(report, indent=2))
    if baseline is not None and not report["within_tolerance"]:
        raise SystemExit(1)


def compare(measured: dict, baseline: dict) -> dict:
    """Measured ÷ stored million instructions per change, per control (1.05 is 5 % more than the baseline)."""
    return {
        control: round(m["million_instructions_per_change"] / baseline[control], 3)
        for control, m in measured.items()
        if control in baseline
    }


if __name__ == "__main__":
    main()
