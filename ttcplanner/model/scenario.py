"""The user's inputs: one frozen dataclass, saved as versioned JSON.

Widgets, files and the CLI all produce a Scenario; the planner consumes it. Bounds live on the
fields (``spec``) so one validator serves every entry point.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ttcplanner.model.catalog import PRECISIONS, checked_fields, from_json, spec
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import read_json, write_json_atomic

SCHEMA_VERSION = 2
AGGREGATIONS = ("majority", "verifier", "scorer")
# "auto": reasoning_tokens and samples are caps and the planner buys each option at its cheapest budget
# within them; "fixed": every option is priced at exactly this budget (the only meaning before version 2)
BUDGET_MODES = ("auto", "fixed")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str = "Untitled scenario"
    task_id: str = "maths-olympiad"
    target_accuracy_pct: float = spec(0, 100, default=70.0)
    # compute budget
    reasoning_tokens: float = spec(0, 1_000_000, default=8_000.0)  # per sample
    samples: int = spec(1, 4_096, default=1, integer=True)
    aggregation: str = spec(choices=AGGREGATIONS, default="majority")
    scorer_quality: float = spec(0, 1, default=0.5)  # 0 = majority vote, 1 = oracle verifier
    budget_mode: str = spec(choices=BUDGET_MODES, default="auto")
    # token volume
    requests_per_day: float = spec(1, 1e9, default=10_000.0)
    input_tokens: int = spec(0, 10_000_000, default=1_000, integer=True)
    answer_tokens: int = spec(1, 1_000_000, default=500, integer=True)
    cached_input_fraction: float = spec(0, 1, default=0.0)
    peak_to_average: float = spec(1, 100, default=2.0)
    latency_target_s: float = spec(0.1, 604_800, default=120.0)
    # hardware
    hardware: str = "auto"  # a GPU id, or 'auto' for every GPU in the catalog
    gpus_per_replica: int = spec(0, 72, default=0, integer=True)  # 0: smallest tensor-parallel size that fits
    ownership: str = spec(choices=("rent", "own"), default="rent")
    weight_precision: str = spec(choices=("native",) + PRECISIONS, default="native")
    kv_precision: str = spec(choices=PRECISIONS, default="fp8")
    speculative_draft_tokens: int = spec(0, 16, default=0, integer=True)  # 0: off
    speculative_acceptance: float = spec(0, 0.99, default=0.7)
    prefix_cache: bool = True
    # serving engine and percentile targets (latency_target_s is the p95 end-to-end latency per request)
    engine: str = spec(choices=("vllm", "sglang", "trtllm", "llamacpp", "auto"), default="vllm")
    ttft_target_s: float = spec(0.01, 604_800, default=604_800.0)  # p95 time to first token; the maximum: none
    on_prem_only: bool = False
    amortization_months: float = spec(1, 120, default=36.0)
    electricity_usd_per_kwh: float = spec(0, 10, default=0.12)
    pue: float = spec(1, 3, default=1.3)
    # prices (issue 19): which GPU rent, DeepSeek-style peak pricing, and the whole cost of owning
    gpu_price_basis: str = "market-median"  # market-low | market-median | hyperscaler | a provider id
    gpu_pricing: str = spec(choices=("on-demand", "spot", "reserved-1y", "reserved-3y"), default="on-demand")
    # DeepSeek's peak hours are 7 of 24 on weekdays only (01-04, 06-10 UTC): 35 of 168 weekly hours for even traffic
    peak_traffic_share: float = spec(0, 1, default=round(35 / 168, 4))
    gpu_share_of_server: float = spec(0.05, 1, default=0.65)  # tco.csv: GPUs are 60-70% of an HGX server's price
    networking_fraction: float = spec(0, 1, default=0.125)  # tco.csv: +10-15% of server capex (LOW confidence)
    colo_usd_per_kw_month: float = spec(0, 10_000, default=184.0)  # CBRE H1 2025 N. America average
    maintenance_per_year: float = spec(0, 1, default=0.10)  # tco.csv: 8-12% of hardware value per year
    staff_usd_per_gpu_month: float = spec(0, 1_000_000, default=0.0)  # no sourced figure: enter your own
    residual_fraction: float = spec(0, 1, default=0.30)  # tco.csv: 25-35% after 36 months (LOW confidence)

    def replace(self, **changes: Any) -> "Scenario":
        """A copy with some fields changed, those validated (the others already were): a slider step
        calls this, and re-checking every field through JSON cost a fifth of a millisecond."""
        values = checked_fields(Scenario, changes, "scenario", "change")
        _check_names(values, "change")
        return dataclasses.replace(self, **values)


def to_json(scenario: Scenario) -> dict[str, Any]:
    data = {"schema_version": SCHEMA_VERSION}
    data.update(dataclasses.asdict(scenario))
    return data


def from_dict(data: Any, source: str = "scenario") -> Scenario:
    if not isinstance(data, dict):
        raise InputError("a scenario must be a JSON object", source=source)
    data = dict(data)
    version = data.pop("schema_version", None)
    if version == 1:  # version 1 had no budget search: its budget was the one every option was priced at
        data.setdefault("budget_mode", "fixed")
        version = SCHEMA_VERSION
    if version != SCHEMA_VERSION:
        raise InputError(
            f"unsupported schema_version {version!r} (expected {SCHEMA_VERSION})", field="schema_version", source=source
        )
    scenario = from_json(Scenario, data, "scenario", source)
    _check_names(vars(scenario), source)
    return scenario


def _check_names(values: dict[str, Any], source: str) -> None:
    for name in ("name", "task_id", "hardware"):
        if name in values and not values[name].strip():
            raise InputError("must not be empty", field=f"scenario.{name}", source=source)
    basis = values.get("gpu_price_basis")
    if basis is not None and not _PRICE_BASIS.fullmatch(basis):
        raise InputError(
            "must be market-low, market-median, hyperscaler or a provider id (lowercase letters, "
            f"digits and hyphens), got {basis[:60]!r}",
            field="scenario.gpu_price_basis",
            source=source,
        )


_PRICE_BASIS = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def load(path: str | Path) -> Scenario:
    return from_dict(read_json(path, "scenario file"), source=str(path))


def defaults_used(data: Any) -> list[str]:
    """The Scenario fields a file leaves out, in field order: the loader gave them their defaults, and
    the reader should be told (a file without task_id silently planned the maths olympiad)."""
    if not isinstance(data, dict):
        return []
    return [f.name for f in dataclasses.fields(Scenario) if f.name not in data]


def load_noting_defaults(path: str | Path) -> tuple[Scenario, list[str]]:
    """``load``, plus the names of the fields that took their default (``defaults_used``)."""
    data = read_json(path, "scenario file")
    return from_dict(data, source=str(path)), defaults_used(data)


def save(scenario: Scenario, path: str | Path) -> None:
    write_json_atomic(path, to_json(scenario))
