"""The option set: every deployment the planner can choose, as arrays along one option axis.

Built once per (catalog, hardware settings) and cached, so slider moves that only change the workload
do not rebuild it. Rows are API offers, ASIC-cloud offers, then (open model x GPU x GPUs per replica).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ttcplanner.model.catalog import Catalog, TokenOffer
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

    @property
    def size(self) -> int:
        return len(self.kind)


def _offer_prices(offers: list[TokenOffer]) -> dict[str, list[float]]:
    nan = float("nan")
    out: dict[str, list[float]] = {k: [] for k in ("input", "cached", "output", "long_threshold", "long_input",
                                                   "long_cached", "long_output", "batch_discount")}
    for o in offers:
        cached = o.cached_input_usd_per_mtok if o.cached_input_usd_per_mtok is not None else o.input_usd_per_mtok
        long_in = o.long_input_usd_per_mtok if o.long_input_usd_per_mtok is not None else o.input_usd_per_mtok
        out["input"].append(o.input_usd_per_mtok)
        out["cached"].append(cached)
        out["output"].append(o.output_usd_per_mtok)
        out["long_threshold"].append(o.long_context_threshold_tokens or nan)
        out["long_input"].append(long_in)
        out["long_cached"].append(o.long_cached_input_usd_per_mtok if o.long_cached_input_usd_per_mtok is not None else cached)
        out["long_output"].append(o.long_output_usd_per_mtok if o.long_output_usd_per_mtok is not None else o.output_usd_per_mtok)
        out["batch_discount"].append(o.batch_discount)
    return out


@lru_cache(maxsize=16)
def build_options(catalog: Catalog, hardware: str, gpus_per_replica: int, weight_precision: str,
                  kv_precision: str, engine: str = "vllm") -> OptionSet:
    """All options for a catalog and the hardware settings of a scenario (cached: catalogs are immutable)."""
    offers = list(catalog.api_offers.values()) + list(catalog.asic_offers.values())
    gpus = [catalog.get("gpus", hardware)] if hardware != "auto" else list(catalog.gpus.values())
    sizes = (gpus_per_replica,) if gpus_per_replica > 0 else TENSOR_PARALLEL_SIZES
    triples = [(m, g, n) for m in catalog.open_models.values() for g in gpus for n in sizes if n <= max(g.max_gpus_per_node, gpus_per_replica)]
    nan = float("nan")
    kind = [o.kind for o in offers] + ["gpu"] * len(triples)
    prices = _offer_prices(offers)
    prices = {k: np.array(v + [nan] * len(triples)) for k, v in prices.items()}
    label = [o.name for o in offers]
    label += [f"{m.name} on {n}x {g.name}" for m, g, n in triples]
    setup = build_setup(catalog, triples, weight_precision, kv_precision, engine) if triples else None
    return OptionSet(
        kind=np.array(kind),
        entry_id=tuple(o.id for o in offers) + tuple(m.id for m, _, _ in triples),
        hardware_id=tuple(o.hardware or o.vendor for o in offers) + tuple(g.id for _, g, _ in triples),
        accuracy_id=tuple(o.accuracy_id or o.open_model_id or o.id for o in offers) + tuple(m.accuracy_id or m.id for m, _, _ in triples),
        label=tuple(label),
        gpus_per_replica=np.array([0.0] * len(offers) + [float(n) for _, _, n in triples]),
        precision=tuple("" for _ in offers) + tuple(precision_of(m, weight_precision) for m, _, _ in triples),
        context_tokens=np.array([float(o.context_tokens) for o in offers] + [float(m.context_tokens) for m, _, _ in triples]),
        prices=prices,
        tokens_per_s_per_user=np.array([o.output_tokens_per_s_per_user for o in offers] + [nan] * len(triples)),
        ttft_s=np.array([o.ttft_s for o in offers] + [nan] * len(triples)),
        rent_usd_per_gpu_hour=np.array([nan] * len(offers) + [g.rent_usd_per_gpu_hour if g.rent_usd_per_gpu_hour is not None else nan for _, g, _ in triples]),
        purchase_usd=np.array([nan] * len(offers) + [g.purchase_usd if g.purchase_usd is not None else nan for _, g, _ in triples]),
        tdp_w=np.array([nan] * len(offers) + [g.tdp_w for _, g, _ in triples]),
        speed_is_estimate=np.array([o.speed_is_estimate for o in offers] + [False] * len(triples)),
        confidence=tuple(o.confidence for o in offers) + tuple(min((m.confidence, g.confidence), key=_confidence_rank) for m, g, _ in triples),
        source=tuple(o.source for o in offers) + tuple(f"{g.source} ; {m.source}" for m, g, _ in triples),
        as_of=tuple(o.as_of for o in offers) + tuple(min(g.as_of, m.as_of) for m, g, _ in triples),
        gpu_rows=np.arange(len(offers), len(offers) + len(triples)),
        setup=setup,
    )


def _confidence_rank(text: str) -> int:
    text = text.lower()
    return 0 if text.startswith("low") else 1 if text.startswith("medium") else 2
