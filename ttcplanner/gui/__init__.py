"""The planner window (PySide6 + pyqtgraph): presentation only; every number comes from the Plan."""

from ttcplanner.gui.main_window import MainWindow

__all__ = ["MainWindow"]
