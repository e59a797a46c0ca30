"""Spin boxes that say when they clamp what was typed.

A plain QSpinBox silently drops the keystroke that would leave its range, so typing 999999999999 into a
field whose maximum is 1,000,000,000 shows 999,999,999 without a word. These accept an out-of-range
number while it is typed, clamp it to the nearest bound when the edit is committed (Enter or focus out)
and emit ``clamped(typed, used)`` so the window can say so in the status bar.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox


def _number(spin: QAbstractSpinBox, text: str) -> float | None:
    """The number in ``text`` (prefix, suffix and group separators removed), or None."""
    t = text
    if spin.prefix() and t.startswith(spin.prefix()):
        t = t[len(spin.prefix()) :]
    if spin.suffix() and t.endswith(spin.suffix()):
        t = t[: -len(spin.suffix())]
    t = t.strip().replace(spin.locale().groupSeparator(), "")
    if not t:
        return None
    value, ok = spin.locale().toDouble(t)
    return value if ok and math.isfinite(value) else None


def _validate(spin, base_result):
    """Out-of-range numbers are Intermediate (typing may continue) instead of Invalid (keystroke dropped)."""
    state, text, pos = base_result
    if state == QValidator.State.Invalid:
        value = _number(spin, text)
        if value is not None and not spin.minimum() <= value <= spin.maximum():
            return QValidator.State.Intermediate, text, pos
    return state, text, pos


def _fixup(spin, text: str) -> str:
    value = _number(spin, text)
    if value is None or spin.minimum() <= value <= spin.maximum():
        return text
    used = spin.maximum() if value > spin.maximum() else spin.minimum()
    spin.clamped.emit(value, float(used))
    return spin.prefix() + spin.textFromValue(used) + spin.suffix()


class BoundedDoubleSpinBox(QDoubleSpinBox):
    clamped = Signal(float, float)  # typed, used

    def validate(self, text, pos):  # noqa: D102 - Qt API
        return _validate(self, super().validate(text, pos))

    def fixup(self, text):  # noqa: D102 - Qt API
        return _fixup(self, text)


class BoundedSpinBox(QSpinBox):
    clamped = Signal(float, float)  # typed, used

    def validate(self, text, pos):  # noqa: D102 - Qt API
        return _validate(self, super().validate(text, pos))

    def fixup(self, text):  # noqa: D102 - Qt API
        return _fixup(self, text)


def committed_text(spin: QAbstractSpinBox) -> str:
    """What the editor shows for its current value (differs from its text while an edit is being typed)."""
    if spin.specialValueText() and spin.value() == spin.minimum():
        return spin.specialValueText()
    return spin.prefix() + spin.textFromValue(spin.value()) + spin.suffix()
