"""The option set: every deployment the planner can choose, as arrays along one option axis.

Built once per (catalog, hardware settings) and cached, so slider moves that only change the workload
do not rebuild it. Rows are API offers, ASIC-cloud offers, then (open model x GPU x GPUs per replica).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.catalog import Catalog, TokenOffer
from ttcplanner.model.errors import InputError
from ttcplanner.model.serving import Setup, build_setup, precision_of

TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
KINDS = ("api", "gpu", "asic")
KIND_NAMES = {"api": "API tier", "gpu": "Local / rented GPUs", "asic": "ASIC cloud"}


@dataclass(frozen=True)
class OptionSet:
    kind: np.ndarray  # 'api' | 'asic' | 'gpu'
    entry_id: tuple[str, ...]  # offer id, or open model id for GPU rows
    hardware_id: tuple[str, ...]  # GPU id, or the offer's hardware
    accuracy_id: tuple[str, ...]
    label: tuple[str, ...]
    gpus_per_replica: np.ndarray  # 0 for token offers
    precision: tuple[str, ...]
    context_tokens: np.ndarray
    prices: dict[str, np.ndarray]  # token offers: $/M tokens; NaN on GPU rows
    tokens_per_s_per_user: np.ndarray  # token offers (NaN on GPU rows)
    ttft_s: np.ndarray
    rent_usd_per_gpu_hour: np.ndarray  # GPU rows (NaN elsewhere or when unknown)
    purchase_usd: np.ndarray
    tdp_w: np.ndarray
    speed_is_estimate: np.ndarray
    confidence: tuple[str, ...]
    source: tuple[str, ...]
    as_of: tuple[str, ...]
    gpu_rows: np.ndarray  # indices of GPU rows, aligned with ``setup``
    setup: Setup | None
    # issue 19 (defaults keep hand-built option sets working)
    vendor: tuple[str, ...] = ()  # 'NVIDIA', 'AMD', ... for GPU rows; the offer's vendor for token rows
    price_note: tuple[str, ...] = ()  # which rent / peak share / tier priced the row, named
    server_usd_per_gpu: np.ndarray | None = None  # GPU rows: the 8-GPU server's price / 8 (NaN: unknown)
    system_kw_per_gpu: np.ndarray | None = None  # GPU rows: the server's power / 8 (NaN: unknown)
    rate_limit_rpm: np.ndarray | None = None  # token rows: the tier's requests per minute (inf: none published)
    rate_limit_tpm: np.ndarray | None = None
    rate_limit_rpd: np.ndarray | None = None  # daily caps of free tiers (inf: none)
    rate_limit_tpd: np.ndarray | None = None
    tier: tuple[str, ...] = ()  # token rows: the rate-limit tier ('' when the offer has none)
    limited_rows: np.ndarray | None = None  # rows with any finite rate limit (few: the checks run on them only)
    max_output_tokens: np.ndarray | None = None  # token rows: output cap per call (inf: none published)
    price_caveat: tuple[str, ...] = ()  # GPU rows: a fallback or single-quote rent ('' elsewhere)
    not_sized: tuple[tuple[str, str], ...] = ()  # (GPU id, why): priced accelerators the serving model cannot size

    @property
    def size(self) -> int:
        return len(self.kind)


@dataclass(frozen=True)
class PriceSettings:
    """The scenario fields that choose prices (part of the option-set cache key)."""

    gpu_price_basis: str = "market-median"
    gpu_pricing: str = "on-demand"
    peak_traffic_share: float = 0.0


def price_settings(scenario) -> PriceSettings:
    return PriceSettings(scenario.gpu_price_basis, scenario.gpu_pricing, scenario.peak_traffic_share)


def _token_rows(offers: list[TokenOffer], peak_share: float) -> list[tuple[TokenOffer, object | None]]:
    """(offer, rate-limit tier) per option row: one row per tier, cheapest tier first; one row without tiers."""
    return [(o, t) for o in offers for t in (o.rate_limits or (None,))]


def _blend(off: float, peak: float | None, share: float) -> float:
    return off if peak is None else (1.0 - share) * off + share * peak


def _offer_prices(rows, peak_share: float) -> dict[str, list[float]]:
    nan = float("nan")
    out: dict[str, list[float]] = {
        k: []
        for k in (
            "input",
            "cached",
            "output",
            "long_threshold",
            "long_input",
            "long_cached",
            "long_output",
            "batch_discount",
            "cache_write",
        )
    }
    for o, tier in rows:
        base_in = tier.input_usd_per_mtok if tier is not None else o.input_usd_per_mtok
        base_out = tier.output_usd_per_mtok if tier is not None else o.output_usd_per_mtok
        inp = _blend(base_in, o.peak_input_usd_per_mtok, peak_share)
        out_p = _blend(base_out, o.peak_output_usd_per_mtok, peak_share)
        cached = (
            _blend(o.cached_input_usd_per_mtok, o.peak_cached_input_usd_per_mtok, peak_share)
            if o.cached_input_usd_per_mtok is not None
            else inp
        )
        long_in = o.long_input_usd_per_mtok if o.long_input_usd_per_mtok is not None else inp
        out["input"].append(inp)
        out["cached"].append(cached)
        out["output"].append(out_p)
        out["long_threshold"].append(o.long_context_threshold_tokens or nan)
        out["long_input"].append(long_in)
        out["long_cached"].append(
            o.long_cached_input_usd_per_mtok if o.long_cached_input_usd_per_mtok is not None else cached
        )
        out["long_output"].append(o.long_output_usd_per_mtok if o.long_output_usd_per_mtok is not None else out_p)
        out["batch_discount"].append(o.batch_discount)
        out["cache_write"].append(o.cache_write_usd_per_mtok if o.cache_write_usd_per_mtok is not None else nan)
    return out


def _token_note(o: TokenOffer, tier, share: float) -> str:
    parts = []
    if tier is not None:
        limits = ", ".join(
            x
            for x in (
                f"{tier.requests_per_minute:g} requests/min" if tier.requests_per_minute is not None else "",
                f"{tier.tokens_per_minute:g} tokens/min" if tier.tokens_per_minute is not None else "",
            )
            if x
        )
        parts.append(f"{tier.tier} tier ({limits or 'no published limits'})")
    if o.peak_output_usd_per_mtok is not None:
        parts.append(f"{share:.0%} of traffic at peak prices ({o.peak_hours or 'peak hours'})")
    return "; ".join(parts)


@lru_cache(maxsize=16)
def _gpu_triples(
    catalog: Catalog, hardware: str, gpus_per_replica: int, weight_precision: str, kv_precision: str, engine: str
):
    """(open model, GPU, GPUs per replica) rows and their serving Setup: independent of prices, so a price
    change keeps the same Setup object (and the serving caches keyed on it)."""
    if hardware != "auto":
        gpu = catalog.get("gpus", hardware)
        if gpu.not_sized_reason:
            raise InputError(f"{gpu.name} is priced but not sized: {gpu.not_sized_reason}", field="hardware")
        gpus = [gpu]
    else:
        gpus = [g for g in catalog.gpus.values() if not g.not_sized_reason]
    sizes = (gpus_per_replica,) if gpus_per_replica > 0 else TENSOR_PARALLEL_SIZES
    triples = [
        (m, g, n)
        for m in catalog.open_models.values()
        for g in gpus
        for n in sizes
        if n <= max(g.max_gpus_per_node, gpus_per_replica)
    ]
    setup = build_setup(catalog, triples, weight_precision, kv_precision, engine) if triples else None
    return triples, setup


def check_price_basis(catalog: Catalog, basis: str) -> None:
    """A provider basis must name a provider with at least one rent in the catalog."""
    if basis in costs.PRICE_BASES:
        return
    providers = sorted({r.provider for g in catalog.gpus.values() for r in g.rents})
    if basis not in providers:
        raise InputError(
            f"unknown price basis {basis!r}; expected {', '.join(costs.PRICE_BASES)} or a provider id: "
            f"{', '.join(providers)}"[:600],
            field="gpu_price_basis",
        )


@lru_cache(maxsize=16)
def build_options(
    catalog: Catalog,
    hardware: str,
    gpus_per_replica: int,
    weight_precision: str,
    kv_precision: str,
    prices: PriceSettings = PriceSettings(),
    engine: str = "vllm",
) -> OptionSet:
    """All options for a catalog and the hardware, price and engine settings of a scenario (cached: catalogs
    are immutable)."""
    check_price_basis(catalog, prices.gpu_price_basis)
    offers = list(catalog.api_offers.values()) + list(catalog.asic_offers.values())
    rows = _token_rows(offers, prices.peak_traffic_share)
    triples, setup = _gpu_triples(catalog, hardware, gpus_per_replica, weight_precision, kv_precision, engine)
    choice = {
        g.id: costs.pick_rent(g, prices.gpu_price_basis, prices.gpu_pricing)
        for g in {g.id: g for _, g, _ in triples}.values()
    }
    nan = float("nan")
    inf = float("inf")
    kind = [o.kind for o, _ in rows] + ["gpu"] * len(triples)
    price = _offer_prices(rows, prices.peak_traffic_share)
    price = {k: np.array(v + [nan] * len(triples)) for k, v in price.items()}
    label = [o.name + (f" ({t.tier} tier)" if t is not None and len(o.rate_limits) > 1 else "") for o, t in rows]
    label += [f"{m.name} on {n}x {g.name}" for m, g, n in triples]
    rent_as_of = [choice[g.id].as_of or g.as_of for _, g, _ in triples]
    return OptionSet(
        kind=np.array(kind),
        entry_id=tuple(o.id for o, _ in rows) + tuple(m.id for m, _, _ in triples),
        hardware_id=tuple(o.hardware or o.vendor for o, _ in rows) + tuple(g.id for _, g, _ in triples),
        accuracy_id=tuple(o.accuracy_id or o.open_model_id or o.id for o, _ in rows)
        + tuple(m.accuracy_id or m.id for m, _, _ in triples),
        label=tuple(label),
        gpus_per_replica=np.array([0.0] * len(rows) + [float(n) for _, _, n in triples]),
        precision=tuple("" for _ in rows) + tuple(precision_of(m, weight_precision) for m, _, _ in triples),
        context_tokens=np.array(
            [float(o.context_tokens) for o, _ in rows] + [float(m.context_tokens) for m, _, _ in triples]
        ),
        prices=price,
        tokens_per_s_per_user=np.array([o.output_tokens_per_s_per_user for o, _ in rows] + [nan] * len(triples)),
        ttft_s=np.array([o.ttft_s for o, _ in rows] + [nan] * len(triples)),
        rent_usd_per_gpu_hour=np.array([nan] * len(rows) + [choice[g.id].usd_per_gpu_hour for _, g, _ in triples]),
        purchase_usd=np.array(
            [nan] * len(rows) + [g.purchase_usd if g.purchase_usd is not None else nan for _, g, _ in triples]
        ),
        tdp_w=np.array([nan] * len(rows) + [g.tdp_w for _, g, _ in triples]),
        speed_is_estimate=np.array([o.speed_is_estimate for o, _ in rows] + [False] * len(triples)),
        confidence=tuple(o.confidence for o, _ in rows)
        + tuple(min((m.confidence, g.confidence), key=_confidence_rank) for m, g, _ in triples),
        source=tuple(t.source if t is not None else o.source for o, t in rows)
        + tuple(f"{g.source} ; {m.source}" for m, g, _ in triples),
        as_of=tuple(t.as_of if t is not None else o.as_of for o, t in rows) + tuple(rent_as_of),
        gpu_rows=np.arange(len(rows), len(rows) + len(triples)),
        setup=setup,
        vendor=tuple(o.vendor for o, _ in rows) + tuple(g.vendor for _, g, _ in triples),
        price_note=tuple(_token_note(o, t, prices.peak_traffic_share) for o, t in rows)
        + tuple(choice[g.id].text for _, g, _ in triples),
        server_usd_per_gpu=np.array(
            [nan] * len(rows)
            + [g.server_usd_per_8_gpus / 8 if g.server_usd_per_8_gpus is not None else nan for _, g, _ in triples]
        ),
        system_kw_per_gpu=np.array(
            [nan] * len(rows)
            + [g.system_kw_per_8_gpus / 8 if g.system_kw_per_8_gpus is not None else nan for _, g, _ in triples]
        ),
        rate_limit_rpm=np.array([_limit(t, "requests_per_minute") for _, t in rows] + [inf] * len(triples)),
        rate_limit_tpm=np.array([_limit(t, "tokens_per_minute") for _, t in rows] + [inf] * len(triples)),
        rate_limit_rpd=np.array([_limit(t, "requests_per_day") for _, t in rows] + [inf] * len(triples)),
        rate_limit_tpd=np.array([_limit(t, "tokens_per_day") for _, t in rows] + [inf] * len(triples)),
        tier=tuple(t.tier if t is not None else "" for _, t in rows) + ("",) * len(triples),
        max_output_tokens=np.array(
            [float(o.max_output_tokens) if o.max_output_tokens else inf for o, _ in rows] + [inf] * len(triples)
        ),
        price_caveat=("",) * len(rows) + tuple(choice[g.id].caveat for _, g, _ in triples),
        not_sized=tuple(
            (g.id, g.not_sized_reason) for g in catalog.gpus.values() if g.not_sized_reason and hardware == "auto"
        ),
        limited_rows=np.array(
            [
                k
                for k, (_, t) in enumerate(rows)
                if t is not None
                and any(
                    getattr(t, n) is not None
                    for n in ("requests_per_minute", "tokens_per_minute", "requests_per_day", "tokens_per_day")
                )
            ],
            dtype=np.intp,
        ),
    )


def _limit(tier, name: str) -> float:
    value = getattr(tier, name) if tier is not None else None
    return float("inf") if value is None else float(value)


def _confidence_rank(text: str) -> int:
    text = text.lower()
    return 0 if text.startswith("low") else 1 if text.startswith("medium") else 2


def scenario_options(scenario, catalog) -> OptionSet:
    """The options a scenario plans over: its hardware, GPUs per replica, precisions, price settings, engine."""
    return build_options(
        catalog,
        scenario.hardware,
        scenario.gpus_per_replica,
        scenario.weight_precision,
        scenario.kv_precision,
        price_settings(scenario),
        scenario.engine,
    )
