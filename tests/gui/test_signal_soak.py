"""Guards the PySide6 < 6.12 pin: 6.12.0 aborts on Python 3.11 ("none_dealloc") after a few thousand
emissions to Python slots. Runs in a subprocess because the failure is a process abort, not an exception."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

EMISSIONS = 20_000

SCRIPT = textwrap.dedent(f"""
    import sys
    from PySide6.QtWidgets import QApplication, QCheckBox, QSlider

    app = QApplication([])
    slider, box = QSlider(), QCheckBox()
    slider.setRange(0, 1000)
    seen = {{"slider": 0, "box": 0}}

    def on_value(value):
        seen["slider"] += 1

    def on_toggled(checked):
        seen["box"] += 1

    slider.valueChanged.connect(on_value)
    box.toggled.connect(on_toggled)
    for i in range({EMISSIONS}):
        slider.setValue(1 + i % 999 if slider.value() == 0 else 0)
        box.setChecked(not box.isChecked())
    print(seen["slider"], seen["box"])
    sys.stdout.flush()
""")


def test_twenty_thousand_signals_to_python_slots_do_not_abort():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert proc.stdout.split() == [str(EMISSIONS), str(EMISSIONS)]
