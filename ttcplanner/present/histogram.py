"""Histogram of Monte Carlo costs, shared by the window's Monte Carlo view and the PDF's analysis section."""

from __future__ import annotations

import numpy as np

HISTOGRAM_BINS = 40


def log_histogram(values_by_kind: dict[str, np.ndarray], bins: int = HISTOGRAM_BINS):
    """Shared log-spaced bin edges over every finite positive cost, and each kind's share of all samples
    (%) per bin (so a kind that rarely has an eligible option shows a small area)."""
    finite = [v[np.isfinite(v) & (v > 0)] for v in values_by_kind.values()]
    allv = np.concatenate(finite) if finite else np.zeros(0)
    if not len(allv):
        return np.zeros(0), {}
    lo, hi = float(allv.min()), float(allv.max())
    if hi <= lo:
        lo, hi = lo / 1.5, hi * 1.5
    edges = np.geomspace(lo, hi * (1 + 1e-9), bins + 1)
    out = {}
    for k, v in values_by_kind.items():
        h, _ = np.histogram(v[np.isfinite(v) & (v > 0)], bins=edges)
        out[k] = 100.0 * h / max(len(v), 1)
    return edges, out
