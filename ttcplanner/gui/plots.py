"""The three live plots of a Plan: each draws the figure spec ``ttcplanner.present.figures`` builds for it.

What is drawn, in which colour and under which name, is decided there (the PDF draws the same specs);
``PlanPlot.draw_figure`` redraws only the items whose spec changed.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QCheckBox

from ttcplanner.gui.plot_base import TITLE_MARGIN_PX, TITLE_POINT_SIZE, TITLE_SIDE_PX, PlanPlot
from ttcplanner.present.figures import TICK_FORMATS, accuracy_figure, cost_figure, volume_figure

SHOW_ALL_GAP_PX = 4  # between the title and the "All models" check box in the title row


class AccuracyPlot(PlanPlot):
    """Accuracy vs reasoning tokens per sample (log x): the highlighted models, the top few others, and every
    model on demand (the "All models" check box at the right of the title row, clear of the plot)."""

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
        self._total, self._shown = 0, False  # models in the plan; whether the check box is shown
        self._checked_for: tuple = ()  # what the check box was last labelled and placed for
        self.show_all = QCheckBox("All models", self)
        self.show_all.setObjectName("showAllModelsCheck")
        self.show_all.setToolTip(
            "Draw every model's accuracy curve. Unchecked: the recommended, best-of-kind and "
            "selected options' models and the few most accurate others."
        )
        font = self.show_all.font()
        font.setPointSizeF(8)
        self.show_all.setFont(font)
        self.show_all.toggled.connect(self._redraw)
        self.show_all.hide()
        pi = self.getPlotItem()
        pi.getViewBox().sigResized.connect(self._place_check)
        pi.titleLabel.geometryChanged.connect(self._place_check)
        pi.getViewBox().setLimits(yMin=-5, yMax=105)

    def name_of(self, acc_id: str) -> str:
        return self._names.get(acc_id, acc_id)

    def set_model_names(self, names: dict[str, str]) -> None:
        """Display names after a catalog reload; the next plan draws with them."""
        self._names = names

    def show_plan(self, plan, selected: int | None = None) -> None:
        self._last = (plan, selected)
        fig = accuracy_figure(plan, self._names, selected, self.show_all.isChecked())
        self._total = fig.optional + len([s for s in fig.series if s.key.startswith("model:")])
        self._shown = fig.optional > 0 or self.show_all.isChecked()
        self._label_check()
        self.show_all.setVisible(self._shown)
        self.draw_figure(fig)

    def _label_check(self) -> None:
        """'All 42 models', or 'All 42' when the title would not fit whole beside it (a 1366-pixel screen);
        the title keeps clear of it (``title_reserve_px``)."""
        pi = self.getPlotItem()
        key = (self._shown, self._total, self.width(), pi.getAxis("left").width(), self.show_all.isChecked())
        if key == self._checked_for:  # a step that changes none of these (most): the label and place stand
            return
        self._checked_for = key
        if not self._shown:
            reserve = 0
        else:
            font = QFont(self.font())
            font.setPointSizeF(TITLE_POINT_SIZE)
            font.setBold(True)
            title_w = QFontMetrics(font).horizontalAdvance(self._title) + TITLE_MARGIN_PX
            room = self.width() - pi.getAxis("left").width() - TITLE_SIDE_PX
            metrics = self.show_all.fontMetrics()
            chrome = self.show_all.sizeHint().width() - metrics.horizontalAdvance(self.show_all.text())
            text = f"All {self._total} models"
            if title_w + SHOW_ALL_GAP_PX + chrome + metrics.horizontalAdvance(text) > room:
                text = f"All {self._total}"
            if self.show_all.text() != text:
                self.show_all.setText(text)
                self.show_all.adjustSize()
            reserve = chrome + metrics.horizontalAdvance(text) + SHOW_ALL_GAP_PX
        if reserve != self.title_reserve_px:
            self.title_reserve_px = reserve
            self._fit_title()
        self._place_check()

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if getattr(self, "show_all", None) is not None:
            self._label_check()

    def _redraw(self, *_) -> None:
        if self._last is not None:
            self.show_plan(*self._last)

    def _place_check(self, *_) -> None:
        """At the right end of the title row, level with the title, its right edge on the view's: above the
        plot, covering no data and no axis."""
        pi = self.getPlotItem()
        title = self.mapFromScene(pi.titleLabel.sceneBoundingRect()).boundingRect()
        right = self.mapFromScene(pi.getViewBox().sceneBoundingRect()).boundingRect().right()
        size = self.show_all.sizeHint()
        self.show_all.resize(size)
        self.show_all.move(right - size.width(), title.center().y() - size.height() // 2 + 1)


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
