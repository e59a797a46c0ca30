"""The one palette: the window (gui/style.py) and the PDF (report/) both read their colours here.

Okabe-Ito hues (distinguishable with colour-vision deficiencies); in print, dashes and markers per kind
carry the kind as well, for black-and-white copies. Colours are hex strings so this module needs no Qt.
"""

from __future__ import annotations

KIND_COLORS = {"api": "#0072B2", "gpu": "#D55E00", "asic": "#CC79A7"}
KIND_DASHES = {"api": "solid", "gpu": "dash", "asic": "dashdot"}
KIND_MARKERS = {"api": "circle", "gpu": "square", "asic": "triangle"}
UNKNOWN_KIND_COLOR = "#666666"

ROLE_COLORS = {"recommended": "#009E73", "selected": "#E6B800"}  # a best-of-kind option takes its kind's colour
TARGET_COLOR = "#C0392B"
CURRENT_COLOR = "#444444"
OTHER_COLOR = "#B0B0B0"  # options and models shown only as context
FRONTIER_COLOR = "#000000"

# Tornado bars: the input at its low end, at its high end, and the outline of a bar whose range flips the
# recommendation.
TORNADO_LOW = "#0072B2"
TORNADO_HIGH = "#E69F00"
TORNADO_FLIP = "#C0392B"

# Context curves in print (models not behind a highlighted option): hues left over by the kinds and roles.
CONTEXT_COLORS = ("#56B4E9", "#000000", "#E69F00", "#7F7F7F", "#8C564B", "#F0E442")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "dashdotdot")
MARKERS = ("circle", "square", "triangle", "diamond", "invtriangle", "cross")


def kind_color(kind: str) -> str:
    return KIND_COLORS.get(kind, UNKNOWN_KIND_COLOR)


def role_color(role: str, kind: str) -> str:
    """Colour of a highlighted option: its role's if the role has one, else its kind's."""
    return ROLE_COLORS.get(role) or kind_color(kind)
