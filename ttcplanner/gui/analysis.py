"""The Analysis menu: sensitivity (tornado), uncertainty (Monte Carlo) and scenario comparison.

``Analysis(window)`` builds two docks (tabbed with "All options", hidden until used) and, on demand, the
compare window; the window's menu table (``menus.MENUS``) names its slots and the docks' toggles. The views
inside the docks are built (and their modules imported) on first use, which keeps them off the start-up
path. It keeps the latest results so ``report_extras()`` can put them in the PDF, but only while they
describe the window's current scenario.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStyle

ANALYSIS_DOCK_HEIGHT = 380
FLOATING_SIZE = (1100, 480)  # an analysis dock that floats for lack of room (small screens)
TAB_BAR_ALLOWANCE_PX = 30


class Analysis(QObject):
    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self._tornado = self._monte_carlo = None
        self.tornado_dock = self._dock("Sensitivity", "tornadoView")
        self.monte_carlo_dock = self._dock("Uncertainty", "monteCarloView")
        # shown from the View menu too: build the view, then float the dock if it does not fit below the plots
        self.tornado_dock.visibilityChanged.connect(
            lambda shown: shown and self.tornado and self._float_if_no_room(self.tornado_dock)
        )
        self.monte_carlo_dock.visibilityChanged.connect(
            lambda shown: shown and self.monte_carlo and self._float_if_no_room(self.monte_carlo_dock)
        )
        self.compare = None
        window.installEventFilter(self)

    @property
    def tornado(self):
        if self._tornado is None:
            from ttcplanner.gui.tornado_view import TornadoView

            self._tornado = TornadoView(self.window.controller)
            self.tornado_dock.setWidget(self._tornado)
        return self._tornado

    @property
    def monte_carlo(self):
        if self._monte_carlo is None:
            from ttcplanner.gui.monte_carlo_view import MonteCarloView

            self._monte_carlo = MonteCarloView(self.window.controller)
            self.monte_carlo_dock.setWidget(self._monte_carlo)
        return self._monte_carlo

    def _dock(self, title: str, name: str) -> QDockWidget:
        w = self.window
        dock = QDockWidget(title, w)
        dock.setObjectName(name)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        w.tabifyDockWidget(w.table_dock, dock)
        dock.hide()  # the window's restored state shows it again if it was open when the window last closed
        return dock

    def _room_below(self) -> int:
        """Height the bottom dock area can take while the card and the plots keep their minimum."""
        w = self.window
        gap = w.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
        used = w.menuBar().height() + w.statusBar().sizeHint().height() + 2 * gap
        card = w.card_dock
        if card.isVisible() and not card.isFloating():
            used += card.minimumSizeHint().height()
        if w.centralWidget() is not None:
            used += w.centralWidget().minimumSizeHint().height()
        return w.height() - used

    def screen_area(self):
        """The available area of the window's screen (where a floating dock goes)."""
        return self.window.screen().availableGeometry()

    def _float_if_no_room(self, dock: QDockWidget) -> None:
        """A dock whose smallest size does not fit below the plots floats (inside the screen) rather than
        pushing the window past the screen's edge (tab bar included: it shares the options' area)."""
        if dock.isFloating():
            return
        need = dock.minimumSizeHint().height() + TAB_BAR_ALLOWANCE_PX
        if need <= self._room_below():
            return
        screen = self.screen_area()
        width = min(FLOATING_SIZE[0], screen.width() - 40)
        height = max(min(FLOATING_SIZE[1], screen.height() // 2), min(need, screen.height() - 40))
        dock.setFloating(True)
        dock.setGeometry(screen.right() - width - 20, screen.bottom() - height - 20, width, height)

    def _raise(self, dock: QDockWidget) -> None:
        first_show = dock.isHidden()
        if first_show:
            self._float_if_no_room(dock)
        dock.show()
        dock.raise_()
        if first_show and not dock.isFloating():
            self.window.resizeDocks([dock], [ANALYSIS_DOCK_HEIGHT], Qt.Orientation.Vertical)

    def show_tornado(self) -> None:
        """Show the view and compute it (F5 recomputes)."""
        self.tornado  # noqa: B018 - built first: its size decides whether the dock fits or floats
        self._raise(self.tornado_dock)
        self.tornado.run()

    def show_monte_carlo(self) -> None:
        """Show the view; start a run unless one is going or the shown result is for this scenario."""
        self.monte_carlo  # noqa: B018 - built first: its size decides whether the dock fits or floats
        self._raise(self.monte_carlo_dock)
        result = self.monte_carlo.result
        if not self.monte_carlo.running() and (result is None or result.scenario != self.window.scenario):
            self.monte_carlo.run()

    def show_compare(self):
        if self.compare is None:
            from ttcplanner.gui.compare_window import CompareWindow

            self.compare = CompareWindow(self.window.catalog, lambda: self.window.scenario, self.window)
            self.compare.add_current()
            self.window.planUpdated.connect(lambda _plan: self.compare.mark_stale())  # columns of the window's past
        if self.compare.isVisible():  # already open: bring it forward
            self.compare.raise_()
            self.compare.activateWindow()
        else:
            self.compare.show()
        return self.compare

    def current_results(self):
        """(tornado, monte_carlo): the latest finished results that describe the current scenario, else None."""
        s = self.window.scenario
        tornado, monte_carlo = self._tornado, self._monte_carlo  # never built: nothing computed
        t = tornado.result if tornado is not None else None
        t = t if t is not None and t.scenario == s else None
        mc = monte_carlo.result if monte_carlo is not None else None
        mc = mc if mc is not None and mc.scenario == s and not mc.cancelled else None
        return t, mc

    def report_extras(self) -> dict:
        """PDF sections for the analyses computed for the current scenario ({} when none)."""
        t, mc = self.current_results()
        if t is None and mc is None:
            return {}
        from ttcplanner.report.analysis_section import report_extras

        return report_extras(tornado=t, monte_carlo=mc)

    def shutdown(self) -> None:
        for view in (self._tornado, self._monte_carlo):
            if view is not None:
                view.shutdown()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
            if self.compare is not None:
                self.compare.close()
        return False
