"""A slider with an editable value and its unit, on a log or linear scale.

Inputs such as requests per day span nine decades; a linear slider would spend all of its travel on
the top decade. The QSlider works in integer steps (``steps_per_decade`` on a log scale); the spin box
holds the exact value, so typing 12345 is kept even though the slider can only show a nearby step.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QHBoxLayout, QLabel, QSlider, QWidget

from ttcplanner.gui.bounded_spin import BoundedDoubleSpinBox


class LogSlider(QWidget):
    """``valueChanged(value, dragging)``: dragging is True while the user holds the handle (one undo step)."""

    valueChanged = Signal(float, bool)
    dragFinished = Signal()

    def __init__(
        self,
        name: str,
        lo: float,
        hi: float,
        *,
        unit: str = "",
        log: bool = True,
        slider_lo: float | None = None,
        steps_per_decade: int = 100,
        linear_steps: int = 1000,
        decimals: int = 0,
        integer: bool = False,
        special_zero: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName(name + "Control")
        self._lo, self._hi, self._log, self._integer = lo, hi, log, integer
        # A log slider cannot reach 0; slider_lo is its lowest stop, the spin box still accepts lo.
        self._slider_lo = slider_lo if slider_lo is not None else lo
        self._value = lo
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(name)
        if log:
            steps = round(steps_per_decade * math.log10(hi / self._slider_lo))
        else:
            steps = int(hi - lo) if integer and hi - lo <= linear_steps else linear_steps
        self.slider.setRange(0, steps)
        self.slider.setPageStep(max(1, steps // 20))
        self.spin = BoundedDoubleSpinBox()  # says when it clamps a typed value (spin.clamped)
        self.spin.setObjectName(name + "Value")
        self.spin.setRange(lo, hi)
        self.spin.setDecimals(0 if integer else decimals)
        self.spin.setKeyboardTracking(False)
        self.spin.setGroupSeparatorShown(True)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.spin.setMinimumWidth(92)
        self.spin.setMaximumWidth(110)
        if special_zero:
            self.spin.setSpecialValueText(special_zero)
        if log:
            self.spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.unit = QLabel(unit)
        self.unit.setMinimumWidth(64)
        self.unit.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        layout.addWidget(self.unit)
        self.slider.valueChanged.connect(self._on_slider)
        self.slider.sliderReleased.connect(self.dragFinished)
        self.spin.valueChanged.connect(self._on_spin)

    # -- scale --------------------------------------------------------------------------------
    def _to_step(self, value: float) -> int:
        if self._log:
            value = max(value, self._slider_lo)
            frac = math.log(value / self._slider_lo) / math.log(self._hi / self._slider_lo)
        else:
            frac = (value - self._lo) / (self._hi - self._lo)
        return round(min(max(frac, 0.0), 1.0) * self.slider.maximum())

    def _from_step(self, step: int) -> float:
        frac = step / self.slider.maximum()
        if self._log:
            value = self._slider_lo * (self._hi / self._slider_lo) ** frac
            value = float(f"{value:.3g}") if 0 < step < self.slider.maximum() else value  # round stops: 12.6k not 12589
        else:
            value = self._lo + frac * (self._hi - self._lo)
        value = min(max(value, self._lo), self._hi)
        return float(round(value)) if self._integer else value

    # -- API ----------------------------------------------------------------------------------
    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        """Show a value without emitting (model-to-widget sync); an unchanged value touches no widget.

        Every plan update re-syncs all controls, so skipping unchanged ones saves ~20 repaints per
        slider step and never nudges the handle the user is dragging.
        """
        value = float(round(value)) if self._integer else float(value)
        if value == self._value:
            return
        self._value = value
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            self.slider.setValue(self._to_step(self._value))
            self.spin.setValue(self._value)

    def _on_slider(self, step: int) -> None:
        value = self._from_step(step)
        if value == self._value:
            return
        self._value = value
        with QSignalBlocker(self.spin):
            self.spin.setValue(value)
        self.valueChanged.emit(value, self.slider.isSliderDown())

    def _on_spin(self, value: float) -> None:
        value = float(round(value)) if self._integer else float(value)
        if value == self._value:
            return
        self._value = value
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_step(value))
        self.valueChanged.emit(value, False)
