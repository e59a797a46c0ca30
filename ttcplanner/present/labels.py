"""The one set of labels for ids the model uses: deployment kinds, aggregation methods, highlight roles."""

from __future__ import annotations

from ttcplanner.model.options import KIND_NAMES

__all__ = ["AGGREGATION_NAMES", "KIND_NAMES", "KIND_SHORT", "aggregation_name"]

KIND_SHORT = {"api": "API", "gpu": "GPU", "asic": "ASIC"}  # in a narrow legend: "best GPU"
AGGREGATION_NAMES = {
    "majority": "Majority vote",
    "verifier": "Verifier (tests / checker)",
    "scorer": "Learned scorer (best-of-N)",
}


def aggregation_name(aggregation: str) -> str:
    return AGGREGATION_NAMES.get(aggregation, aggregation)
