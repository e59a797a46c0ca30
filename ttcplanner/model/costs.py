"""Dollars: per request and per month for token offers (API tiers, ASIC clouds) and GPU replicas.

Conventions (DESIGN.md): a month is 30.4 days; an hour of GPU time is billed whether busy or idle;
reasoning tokens are billed at the output price; the batch discount applies when the latency target
allows a batch job (24 h or more).
"""

from __future__ import annotations

import numpy as np

DAYS_PER_MONTH = 30.4
HOURS_PER_MONTH = DAYS_PER_MONTH * 24
SECONDS_PER_DAY = 86_400.0
BATCH_LATENCY_S = 86_400.0  # batch APIs promise results within 24 h


def token_offer_cost_per_request(prices: dict[str, np.ndarray], input_tokens, reasoning_tokens, answer_tokens,
                                 samples, cached_fraction, prefix_cache: bool, batch: bool) -> np.ndarray:
    """$ per request for per-token offers; arrays broadcast (offers x budgets x samples ...).

    prices: input/cached/output $ per million tokens, long-context tier prices (NaN: none) and threshold,
    batch discount. The first sample reads the prompt at the user's cached share; the other samples of a
    request reuse it from the provider's prompt cache when prefix caching is on.
    """
    i = np.asarray(input_tokens, dtype=float)
    n = np.asarray(samples, dtype=float)
    long = np.isfinite(prices["long_threshold"]) & (i > prices["long_threshold"])
    p_in = np.where(long, prices["long_input"], prices["input"])
    p_cached = np.where(long, prices["long_cached"], prices["cached"])
    p_out = np.where(long, prices["long_output"], prices["output"])
    first = i * (cached_fraction * p_cached + (1 - cached_fraction) * p_in)
    others = (n - 1) * i * (p_cached if prefix_cache else p_in)
    output = n * (np.asarray(reasoning_tokens, dtype=float) + np.asarray(answer_tokens, dtype=float)) * p_out
    cost = (first + others + output) / 1e6
    return cost * np.where(batch, 1 - prices["batch_discount"], 1.0)


def replicas_needed(requests_per_day, peak_to_average, replica_requests_per_s) -> np.ndarray:
    """Whole replicas to serve the peak rate; at least one while any request arrives."""
    peak = np.asarray(requests_per_day, dtype=float) / SECONDS_PER_DAY * peak_to_average
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.ceil(peak / np.asarray(replica_requests_per_s, dtype=float) - 1e-9)
    return np.where(np.isfinite(need), np.maximum(need, 1.0), np.inf)


def gpu_hour_usd(rent_usd_per_gpu_hour, purchase_usd, tdp_w, ownership: str, amortization_months: float,
                 electricity_usd_per_kwh: float, pue: float) -> np.ndarray:
    """Cost of one GPU-hour: the rental price, or purchase amortised plus power at full TDP x PUE."""
    if ownership == "rent":
        return np.asarray(rent_usd_per_gpu_hour, dtype=float)
    capital = np.asarray(purchase_usd, dtype=float) / (amortization_months * HOURS_PER_MONTH)
    power = np.asarray(tdp_w, dtype=float) / 1000.0 * pue * electricity_usd_per_kwh
    return capital + power


def gpu_monthly_usd(replicas, gpus_per_replica, usd_per_gpu_hour) -> np.ndarray:
    return np.asarray(replicas, dtype=float) * gpus_per_replica * usd_per_gpu_hour * HOURS_PER_MONTH


def monthly_from_per_request(cost_per_request, requests_per_day) -> np.ndarray:
    return np.asarray(cost_per_request, dtype=float) * np.asarray(requests_per_day, dtype=float) * DAYS_PER_MONTH
