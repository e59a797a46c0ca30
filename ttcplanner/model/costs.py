"""Dollars: per request and per month for token offers (API tiers, ASIC clouds) and GPU replicas.

Conventions (DESIGN.md): a month is 30.4 days; an hour of GPU time is billed whether busy or idle;
reasoning tokens are billed at the output price; the batch discount applies when the latency target
allows a batch job (24 h or more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DAYS_PER_MONTH = 30.4
HOURS_PER_MONTH = DAYS_PER_MONTH * 24
SECONDS_PER_DAY = 86_400.0
BATCH_LATENCY_S = 86_400.0  # batch APIs promise results within 24 h


def token_offer_cost_per_request(
    prices: dict[str, np.ndarray],
    input_tokens,
    reasoning_tokens,
    answer_tokens,
    samples,
    cached_fraction,
    prefix_cache: bool,
    batch: bool,
) -> np.ndarray:
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
    # a provider that bills cache writes charges the first sample's uncached prompt at the write price
    # when the other samples will read it from the cache
    write = prices.get("cache_write")
    p_first = p_in if write is None else np.where(prefix_cache & (n > 1) & np.isfinite(write), write, p_in)
    first = i * (cached_fraction * p_cached + (1 - cached_fraction) * p_first)
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


def gpu_hour_usd(
    rent_usd_per_gpu_hour,
    purchase_usd,
    tdp_w,
    ownership: str,
    amortization_months: float,
    electricity_usd_per_kwh: float,
    pue: float,
) -> np.ndarray:
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


# --- GPU rents: one basis and pricing for every vendor (issue 19) -------------------------------------------

PRICE_BASES = ("market-low", "market-median", "hyperscaler")  # or a provider id
GPU_PRICINGS = ("on-demand", "spot", "reserved-1y", "reserved-3y")
HYPERSCALERS = ("aws", "gcp", "azure", "oracle")


@dataclass(frozen=True)
class RentChoice:
    """The rent a basis picks for one GPU, and how to name it on the card, in the PDF and in plan --json."""

    usd_per_gpu_hour: float  # NaN: no rent at all
    text: str
    as_of: str | None  # the oldest date among the rents behind the figure (None: undated)
    fallback: bool = False
    providers: int = 0  # how many providers' quotes the figure rests on (0: the user's own price)

    @property
    def caveat(self) -> str:
        """Why the figure deserves a second look ('' when it does not)."""
        if self.fallback:
            return f"its GPU rent is a fallback ({self.text})"
        if self.providers == 1 and self.text.startswith("market median"):
            return f"its GPU rent rests on a single provider's quote ({self.text})"
        return ""


def provider_quotes(rents, pricing: str) -> dict[str, object]:
    """One quote per provider at ``pricing``: its newest dated rent (undated ones last), the lowest of a tie
    (e.g. Lambda's 8-GPU instance before its 1-GPU one). Managed deployments (market False) never count."""
    best: dict[str, object] = {}
    for r in rents:
        if r.pricing != pricing or not r.market:
            continue
        key = (r.as_of or "", -r.usd_per_gpu_hour)
        old = best.get(r.provider)
        if old is None or key > (old.as_of or "", -old.usd_per_gpu_hour):
            best[r.provider] = r
    return best


def _median_choice(quotes: list, what: str) -> tuple[float, str, str | None, int]:
    quotes = sorted(quotes, key=lambda r: r.usd_per_gpu_hour)
    n = len(quotes)
    middle = quotes[(n - 1) // 2 : n // 2 + 1]
    value = float(np.mean([r.usd_per_gpu_hour for r in middle]))
    names = " and ".join(f"{r.provider} ${r.usd_per_gpu_hour:g}" for r in middle)
    dates = [r.as_of for r in middle]
    as_of = None if None in dates else min(dates)
    return value, f"{what} of {n} provider{'s' if n != 1 else ''} ({names})", as_of, n


def _one(r, what: str) -> tuple[float, str, str | None, int]:
    return r.usd_per_gpu_hour, f"{what}: {r.provider} ${r.usd_per_gpu_hour:g} ({r.as_of or 'undated'})", r.as_of, 1


def pick_rent(gpu, basis: str, pricing: str) -> RentChoice:
    """The rent of ``gpu`` on a basis (market-low / market-median / hyperscaler / a provider id) at a pricing.

    The user's own figure (``rent_usd_per_gpu_hour``) wins on every basis. Without a rent on the basis, the
    market median at the same pricing is used, then the on-demand median, then the median of any pricing;
    the text says which."""
    if gpu.rent_usd_per_gpu_hour is not None:
        return RentChoice(
            gpu.rent_usd_per_gpu_hour,
            f"your price ${gpu.rent_usd_per_gpu_hour:g}/GPU-h (overrides the {basis} basis)",
            gpu.as_of,
        )
    quotes = provider_quotes(gpu.rents, pricing)
    got = None
    if basis == "market-low" and quotes:
        got = _one(min(quotes.values(), key=lambda r: r.usd_per_gpu_hour), f"market low {pricing}")
    elif basis == "market-median" and quotes:
        got = _median_choice(list(quotes.values()), f"market median {pricing}")
    elif basis == "hyperscaler":
        hyper = [q for p, q in quotes.items() if p in HYPERSCALERS]
        if hyper:
            got = _median_choice(hyper, f"hyperscaler median {pricing}")
    elif basis in quotes:
        got = _one(quotes[basis], f"{basis} {pricing}")
    if got is not None:
        return RentChoice(got[0], got[1] + "/GPU-h", got[2], providers=got[3])
    for fallback_pricing in dict.fromkeys((pricing, "on-demand")):
        q = provider_quotes(gpu.rents, fallback_pricing)
        if q:
            value, text, as_of, n = _median_choice(list(q.values()), f"market median {fallback_pricing}")
            return RentChoice(
                value,
                f"no {basis} {pricing} rent for {gpu.name}; fell back to the {text}/GPU-h",
                as_of,
                fallback=True,
                providers=n,
            )
    anything = [r for r in gpu.rents if r.market]
    if anything:
        value, text, as_of, n = _median_choice(anything, "median of every listed rent")
        return RentChoice(
            value,
            f"no {basis} {pricing} rent for {gpu.name}; fell back to the {text}/GPU-h",
            as_of,
            fallback=True,
            providers=n,
        )
    return RentChoice(float("nan"), f"no rent for {gpu.name} in the catalog", None, fallback=True)


# --- Owning: the whole cost of an owned GPU-hour, itemised ---------------------------------------------------

# The DGX H200 draws 7.0 kW on average (planning figure) for 8 x 700 W of GPUs: the server's power per GPU
# is 1.25 x the GPU's TDP where no server power is catalogued (tco.csv, 2026 ownership-cost appendix).
SERVER_POWER_PER_GPU_TDP = 7.0 / (8 * 0.7)
HOURS_PER_YEAR = HOURS_PER_MONTH * 12


def owned_parts(purchase_usd, server_usd_per_gpu, system_kw_per_gpu, tdp_w, s) -> dict[str, np.ndarray]:
    """$ per owned GPU-hour by item (arrays over rows). ``s``: the scenario (its owning fields).

    Capital (the GPU, its share of the 8-GPU server, networking) depreciates to its residual value over the
    amortisation period; maintenance is a yearly share of it; power is the server's draw x PUE x tariff;
    colocation is billed per provisioned kW; staff per GPU-month."""
    purchase = np.asarray(purchase_usd, dtype=float)
    server = np.asarray(server_usd_per_gpu, dtype=float)
    server = np.where(np.isfinite(server), np.maximum(server, purchase), purchase / s.gpu_share_of_server)
    kw = np.asarray(system_kw_per_gpu, dtype=float)
    kw = np.where(np.isfinite(kw), kw, np.asarray(tdp_w, dtype=float) / 1000.0 * SERVER_POWER_PER_GPU_TDP)
    network = server * s.networking_fraction
    hours = s.amortization_months * HOURS_PER_MONTH
    kept = 1.0 - s.residual_fraction
    return {
        "GPU purchase (depreciation)": purchase * kept / hours,
        "server around the GPU (depreciation)": (server - purchase) * kept / hours,
        "networking (depreciation)": network * kept / hours,
        "maintenance and support": (server + network) * s.maintenance_per_year / HOURS_PER_YEAR,
        "power x PUE": kw * s.pue * s.electricity_usd_per_kwh,
        "colocation": kw * s.colo_usd_per_kw_month / HOURS_PER_MONTH,
        "staff": np.full(purchase.shape, s.staff_usd_per_gpu_month / HOURS_PER_MONTH),
    }


CAPITAL_ITEMS = (
    "GPU purchase (depreciation)",
    "server around the GPU (depreciation)",
    "networking (depreciation)",
    "maintenance and support",
)


def gpu_hour_parts(opts, rows, s) -> tuple[np.ndarray, np.ndarray]:
    """(price-driven, fixed) $ per GPU-hour of GPU ``rows``: rent and 0 when renting; capital items and the
    running items (power, colocation, staff) when owning. Sensitivity scales only the first part."""
    if s.ownership == "rent":
        rent = np.asarray(opts.rent_usd_per_gpu_hour[rows], dtype=float)
        return rent, np.zeros(rent.shape)
    parts = owned_parts(
        opts.purchase_usd[rows], opts.server_usd_per_gpu[rows], opts.system_kw_per_gpu[rows], opts.tdp_w[rows], s
    )
    capital = sum(parts[k] for k in CAPITAL_ITEMS)
    running = sum(v for k, v in parts.items() if k not in CAPITAL_ITEMS)
    return capital, running


def gpu_hour_for(opts, rows, s) -> np.ndarray:
    """$ per GPU-hour of GPU ``rows`` for the scenario: rent on its basis, or the whole owned cost."""
    scaled, fixed = gpu_hour_parts(opts, rows, s)
    return scaled + fixed


def cost_items(opts, i: int, s) -> list[tuple[str, float]]:
    """What one GPU option's GPU-hour is made of ($ per GPU-hour), for the card tooltip, the PDF and --json."""
    if opts.kind[i] != "gpu":
        return []
    if s.ownership == "rent":
        return [(f"rent: {opts.price_note[i]}", float(opts.rent_usd_per_gpu_hour[i]))]
    rows = np.array([i])
    parts = owned_parts(
        opts.purchase_usd[rows], opts.server_usd_per_gpu[rows], opts.system_kw_per_gpu[rows], opts.tdp_w[rows], s
    )
    return [(name, float(v[0])) for name, v in parts.items()]


# --- Rate-limit tiers of per-token offers -----------------------------------------------------------------------

RATE_LIMIT_REASON = "exceeds the rate limits of this tier (requests or tokens per minute at peak)"


def within_rate_limits(rpm, tpm, s, output_tokens, samples=None, rpd=np.inf, tpd=np.inf) -> np.ndarray:
    """Whether a tier's limits (requests / tokens per minute; inf: none) allow the scenario's peak load. Each
    sample is one API request; the peak is the average rate x peak_to_average; output_tokens (per sample)
    and samples (default: the scenario's) broadcast; daily caps (rpd, tpd) use the average volume."""
    n = s.samples if samples is None else np.asarray(samples)
    per_minute = s.requests_per_day / 1440.0 * s.peak_to_average * n
    per_request = s.input_tokens + np.asarray(output_tokens, dtype=float)
    daily = s.requests_per_day * n
    return (
        (per_minute <= np.asarray(rpm))
        & (per_minute * per_request <= np.asarray(tpm))
        & (daily <= np.asarray(rpd))
        & (daily * per_request <= np.asarray(tpd))
    )


def output_caps(opts) -> np.ndarray:
    """Each row's max output tokens per call (inf: none published, or a GPU row)."""
    return opts.max_output_tokens if opts.max_output_tokens is not None else np.full(opts.size, np.inf)


def rows_within_rate_limits(opts, s, output_tokens=None, samples=None) -> np.ndarray:
    """Every row: True unless its tier's limits are exceeded at the scenario's load (only limited rows checked).
    ``output_tokens`` (per sample) and ``samples`` are per-row arrays of each option's budget (default: the
    scenario's budget for every row)."""
    out = np.ones(opts.size, dtype=bool)
    lr = opts.limited_rows
    if lr is not None and len(lr):

        def per_row(a):
            return None if a is None else np.asarray(a, dtype=float)[lr]

        tokens = per_row(output_tokens)
        out[lr] = within_rate_limits(
            opts.rate_limit_rpm[lr],
            opts.rate_limit_tpm[lr],
            s,
            s.reasoning_tokens + s.answer_tokens if tokens is None else tokens,
            per_row(samples),
            opts.rate_limit_rpd[lr],
            opts.rate_limit_tpd[lr],
        )
    return out


def over_rate_limit_only(opts, s, r) -> np.ndarray:
    """Token rows held back only by their tier's limits at the scenario's volume (they fit below it): the volume
    curves keep them and cut them where the limits bind (``tier_allows``)."""
    out = np.zeros(opts.size, dtype=bool)
    lr = opts.limited_rows
    if lr is not None and len(lr):
        in_context = (s.input_tokens + s.reasoning_tokens + s.answer_tokens <= opts.context_tokens[lr]) & (
            s.reasoning_tokens + s.answer_tokens <= output_caps(opts)[lr]
        )
        out[lr] = in_context & ~rows_within_rate_limits(opts, s)[lr]
    return out


def tier_allows(opts, rows, s, volumes) -> np.ndarray:
    """(rows, volumes): whether each token row's tier allows the load at each requests-per-day volume."""
    output = s.reasoning_tokens + s.answer_tokens
    out = np.ones((len(rows), len(volumes)), dtype=bool)
    limited = (
        np.isfinite(opts.rate_limit_rpm[rows])
        | np.isfinite(opts.rate_limit_tpm[rows])
        | np.isfinite(opts.rate_limit_rpd[rows])
        | np.isfinite(opts.rate_limit_tpd[rows])
    )
    if limited.any():
        lr = rows[limited]
        v = np.asarray(volumes, dtype=float)[None, :]
        n = s.samples
        per_minute = v / 1440.0 * s.peak_to_average * n
        per_request = s.input_tokens + output
        ok = (
            (per_minute <= opts.rate_limit_rpm[lr, None])
            & (per_minute * per_request <= opts.rate_limit_tpm[lr, None])
            & (v * n <= opts.rate_limit_rpd[lr, None])
            & (v * n * per_request <= opts.rate_limit_tpd[lr, None])
        )
        out[limited] = ok
    return out
