"""The three live plots of a Plan: each draws the figure spec ``ttcplanner.present.figures`` builds for it.

What is drawn, in which colour and under which name, is decided there (the PDF draws the same specs);
``PlanPlot.draw_figure`` redraws only the items whose spec changed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox

from ttcplanner.gui.plot_base import PlanPlot
from ttcplanner.present.figures import TICK_FORMATS, accuracy_figure, cost_figure, volume_figure
from ttcplanner.present.placement import Box

SHOW_ALL_MARGIN_PX = 6


class AccuracyPlot(PlanPlot):
    """Accuracy vs reasoning tokens per sample (log x): the highlighted models, the top few others, and every
    model on demand (the "All models" check box in the title row)."""

    def __init__(self, model_names: dict[str, str]):
        super().__init__(
            "accuracyPlot",
            "Accuracy vs compute",
            "Reasoning tokens per sample",
            "Accuracy (%)",
            TICK_FORMATS["count"],
            TICK_FORMATS["pct"],
            log_x=True,
            log_y=False,
            legend_corner="bottom-right",
        )
        self._names = model_names
        self._last: tuple | None = None  # the plan and selection drawn, to redraw when the check box toggles
        self.show_all = QCheckBox("All models", self)
        self.show_all.setObjectName("showAllModelsCheck")
        self.show_all.setToolTip(
            "Draw every model's accuracy curve. Unchecked: the recommended, best-of-kind and "
            "selected options' models and the few most accurate others."
        )
        font = self.show_all.font()
        font.setPointSizeF(8)
        self.show_all.setFont(font)
        self.show_all.setAutoFillBackground(True)
        self.show_all.toggled.connect(self._redraw)
        self.show_all.hide()
        self.getPlotItem().getViewBox().sigResized.connect(self._place_check)
        self.getPlotItem().getViewBox().setLimits(yMin=-5, yMax=105)

    def name_of(self, acc_id: str) -> str:
        return self._names.get(acc_id, acc_id)

    def set_model_names(self, names: dict[str, str]) -> None:
        """Display names after a catalog reload; the next plan draws with them."""
        self._names = names

    def show_plan(self, plan, selected: int | None = None) -> None:
        self._last = (plan, selected)
        fig = accuracy_figure(plan, self._names, selected, self.show_all.isChecked())
        total = fig.optional + len([s for s in fig.series if s.key.startswith("model:")])
        if fig.optional:
            self.show_all.setText(f"All {total} models")
            self.show_all.adjustSize()
            self._place_check()
        self.show_all.setVisible(fig.optional > 0)
        self.draw_figure(fig)

    def _redraw(self, *_) -> None:
        if self._last is not None:
            self.show_plan(*self._last)

    def _place_check(self, *_) -> None:
        """In the view's top-left corner (few tokens, high accuracy: where accuracy curves rarely run); the
        marker-line labels keep clear of it (``obstacles``)."""
        vb = self.getPlotItem().getViewBox()
        at = self.mapFromScene(vb.sceneBoundingRect().topLeft())
        self.show_all.move(at.x() + SHOW_ALL_MARGIN_PX, at.y() + SHOW_ALL_MARGIN_PX)

    def obstacles(self) -> list[Box]:
        boxes = super().obstacles()
        if self.show_all.isVisible():
            g = self.show_all.geometry()
            at = self.getPlotItem().getViewBox().mapFromScene(self.mapToScene(g.topLeft()))
            boxes.append(Box(at.x(), at.y(), g.width(), g.height()))
        return boxes


class CostAccuracyPlot(PlanPlot):
    """Cost per request vs accuracy as the reasoning budget grows; the Pareto frontier over all options."""

    def __init__(self):
        super().__init__(
            "costAccuracyPlot",
            "Cost vs accuracy",
            "Accuracy (%)",
            "Cost per request ($)",
            TICK_FORMATS["pct"],
            TICK_FORMATS["money"],
            log_x=False,
            log_y=True,
        )

    def show_plan(self, plan, selected: int | None = None) -> None:
        self.draw_figure(cost_figure(plan, selected))


class VolumePlot(PlanPlot):
    """Monthly cost vs requests per day (log-log) for the cheapest option of each kind; break-evens marked."""

    def __init__(self):
        super().__init__(
            "volumePlot",
            "Monthly cost vs volume",
            "Requests per day",
            "Monthly cost ($)",
            TICK_FORMATS["count"],
            TICK_FORMATS["money"],
            log_x=True,
            log_y=True,
            legend_corner="bottom-right",
        )

    def show_plan(self, plan, selected: int | None = None) -> None:
        self.draw_figure(volume_figure(plan, selected))
