"""A result that no longer describes the window's scenario says so, instead of sitting beside the new card.

The analysis views (tornado, Monte Carlo) keep their last result after the scenario changes, since
rerunning takes seconds. ``StaleBanner`` is the amber line above such a result: "For the previous
scenario: Run again", with the result's tables greyed out (disabled), until a run for the current
scenario replaces it. (A QGraphicsOpacityEffect fade left ghost copies of a table that moved down under
the banner on X11, so tables are disabled instead and plots rely on the banner.)
"""

from __future__ import annotations

import re
from html import escape, unescape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class StaleBanner(QLabel):
    def __init__(self, name: str, greyed: tuple[QWidget, ...], run, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { background: #fff4d6; border: 1px solid #e0b84c; padding: 3px; color: #5c4400; }")
        self.linkActivated.connect(lambda _link: run())
        self._greyed = greyed
        self.stale = False
        self.hide()

    def set_stale(self, previous_name: str | None) -> None:
        """``previous_name``: the scenario the shown result describes, or None when it is current."""
        self.stale = previous_name is not None
        self.setVisible(self.stale)
        if self.stale:
            self.setText(
                f"<b>For the previous scenario</b> (“{escape(previous_name)}”): "
                f"<a href='run'>Run again</a> for the current one."
            )
        for w in self._greyed:
            w.setEnabled(not self.stale)

    def plain_text(self) -> str:
        """The banner's words without markup (tests, reports)."""
        return unescape(re.sub(r"<[^>]+>", "", self.text())) if self.stale else ""
