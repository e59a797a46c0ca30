"""Peak resident memory (VmHWM) of the planner window after N minutes of random slider changes.

Prints JSON. The session runs in a child process (so the figure is the app's, not this script's): a
MainWindow on the shipped catalog, seeded random moves of every panel slider/combo in user-like bursts,
each burst followed by the plan update and a paint. Goal: peak < 300 MB.
Run: python tests/benchmarks/bench_memory.py [--minutes 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOAL_MB = 300

CHILD = r"""
import json, os, random, sys, time
from pathlib import Path
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication, QComboBox, QSlider

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")

minutes, seed, settings_path = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
app = QApplication(sys.argv[:1])
from ttcplanner.gui import MainWindow
from ttcplanner.model.catalog import load_catalog
w = MainWindow(catalog=load_catalog(include_user=False), settings=QSettings(settings_path, QSettings.Format.IniFormat))
w.show()
app.processEvents()
rng = random.Random(seed)
controls = [c for cls in (QSlider, QComboBox) for c in w.panel.findChildren(cls) if c.objectName()]
start, changes, samples = time.monotonic(), 0, []
rss_after_startup = status("VmRSS")
while time.monotonic() - start < minutes * 60:
    c = rng.choice(controls)
    for _ in range(rng.randint(1, 20)):
        if not c.isEnabled():
            break
        if isinstance(c, QSlider):
            c.setValue(rng.randint(c.minimum(), c.maximum()))
        else:
            c.setCurrentIndex(rng.randrange(c.count()))
        changes += 1
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)  # flush -> evaluate -> views
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)  # paint
    if not samples or time.monotonic() - samples[-1][0] >= 10:
        samples.append((time.monotonic(), status("VmRSS")))
print(json.dumps({"changes": changes, "evaluates": w.controller.evaluate_count,
                  "rss_after_startup_mb": round(rss_after_startup, 1), "rss_end_mb": round(status("VmRSS"), 1),
                  "peak_rss_mb": round(status("VmHWM"), 1),
                  "rss_every_10s_mb": [round(r, 1) for _, r in samples],
                  "undo_steps": w.controller.undo_stack.count()}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), PYTHONPATH=str(REPO))
    with tempfile.TemporaryDirectory(prefix="ttcplanner-bench-memory-") as home:
        env.update(XDG_CONFIG_HOME=str(Path(home) / "config"), XDG_DATA_HOME=str(Path(home) / "data"))
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.minutes), str(args.seed), str(Path(home) / "settings.ini")],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(
        {
            "minutes": args.minutes,
            "seed": args.seed,
            "platform": env["QT_QPA_PLATFORM"],
            "goal_peak_rss_mb": GOAL_MB,
            "meets_goal": result["peak_rss_mb"] < GOAL_MB,
        }
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
