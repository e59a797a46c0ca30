"""Smallest comparable program: one window with one pyqtgraph plot (size baseline for the installer)."""

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication


def main() -> int:
    app = QApplication(sys.argv)
    x = np.linspace(0.0, 10.0, 200)
    plot = pg.PlotWidget(title="baseline")
    plot.plot(x, np.sin(x))
    plot.show()
    if "--quit" in sys.argv:
        return 0
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
