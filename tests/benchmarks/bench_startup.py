"""Cold start to the first painted main window, against a bare PySide6 window holding one pyqtgraph plot.

Prints JSON. Each start is a fresh ``python -c`` process; the clock runs from just before the interpreter
is launched until the window's first frame has been painted (an application event filter sees the first
Paint event of a widget in the window; a zero-delay timer fires once that paint pass is over). The app
and the baseline are measured alternately (A, B, A, B, ...) so background load hits both alike.
Goal: median(app) / median(baseline) <= 1.5.
Run: python tests/benchmarks/bench_startup.py [--runs 7]   (QT_QPA_PLATFORM defaults to offscreen)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOAL_RATIO = 1.5

# Shared by both: report when the window has painted once, then quit.
PAINTED = r"""
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
class FirstPaint(QObject):
    # The first Paint event of any widget in the window starts the first frame; Qt paints the whole frame
    # in that one pass, so the zero-delay timer fires when the frame is on screen.
    def __init__(self, window):
        super().__init__()
        self.window, self.t = window, None
    def eventFilter(self, obj, ev):
        if (self.t is None and ev.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window() is self.window and not hasattr(self, "seen")):
            self.seen = True
            QTimer.singleShot(0, self.done)
        return False
    def done(self):
        self.t = time.time()
        QApplication.instance().quit()
def run(app, window):
    probe = FirstPaint(window)
    app.installEventFilter(probe)
    window.show()
    QTimer.singleShot(60_000, app.quit)  # never hang a benchmark
    app.exec()
    print("PAINTED", probe.t, app.platformName())
"""

APP = (
    PAINTED
    + r"""
import sys
app = QApplication(sys.argv[:1])
app.setApplicationName("ttcplanner-bench")
from ttcplanner.gui import MainWindow
run(app, MainWindow())
"""
)

BASELINE = (
    PAINTED
    + r"""
import sys
app = QApplication(sys.argv[:1])
import pyqtgraph as pg
from PySide6.QtWidgets import QMainWindow
w = QMainWindow()
w.setCentralWidget(pg.PlotWidget())
w.resize(1500, 950)
run(app, w)
"""
)


def start_once(code: str, env: dict) -> tuple[float, str]:
    t0 = time.time()
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("PAINTED")), None)
    if done.returncode != 0 or line is None or "None" in line:
        raise SystemExit(f"start-up failed ({done.returncode}):\n{done.stderr}")
    _, t_painted, platform = line.split()
    return (float(t_painted) - t0) * 1000, platform


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="starts of each (alternating); at least 5")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ttcplanner-bench-startup-") as home:
        env = dict(
            os.environ,
            PYTHONPATH=str(REPO),
            XDG_CONFIG_HOME=str(Path(home) / "config"),
            XDG_DATA_HOME=str(Path(home) / "data"),
        )
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        start_once(APP, env)  # warm the OS file cache and __pycache__ for both, not measured
        start_once(BASELINE, env)
        app_ms, base_ms, platforms = [], [], set()
        for _ in range(max(5, args.runs)):
            ms, platform = start_once(APP, env)
            app_ms.append(ms)
            platforms.add(platform)
            ms, platform = start_once(BASELINE, env)
            base_ms.append(ms)
            platforms.add(platform)
    app_med, base_med = statistics.median(app_ms), statistics.median(base_ms)
    print(
        json.dumps(
            {
                "platform": sorted(platforms),
                "runs_each": len(app_ms),
                "app_first_paint_ms": {"median": round(app_med, 1), "all": [round(v, 1) for v in app_ms]},
                "baseline_first_paint_ms": {"median": round(base_med, 1), "all": [round(v, 1) for v in base_ms]},
                "ratio": round(app_med / base_med, 3),
                "goal_ratio": GOAL_RATIO,
                "meets_goal": app_med / base_med <= GOAL_RATIO,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
