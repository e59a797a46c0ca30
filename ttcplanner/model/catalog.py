"""The catalog: typed, frozen records loaded from JSON with validation.

Each record kind is one dataclass; its fields carry their own bounds (``spec``), so one generic loader
validates every file and names the file, the entry and the field on error. A user catalog folder
overrides or adds entries by id. Every entry carries ``source`` (URL) and ``as_of`` (YYYY-MM-DD).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import finite_number, is_folder, read_json, require_folder

SCHEMA_VERSION = 1
PRECISIONS = ("bf16", "fp8", "fp4")
# The oldest date any entry can carry: the first transformer paper; an older as_of is a typo.
EARLIEST_DATE = _dt.date(2017, 6, 12)


def spec(
    lo: float | None = None,
    hi: float | None = None,
    default: Any = dataclasses.MISSING,
    choices: tuple[str, ...] | None = None,
    integer: bool = False,
):
    """A dataclass field with validation bounds for the JSON loader."""
    meta = {"lo": lo, "hi": hi, "choices": choices, "integer": integer}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True)
class Entry:
    id: str
    name: str
    source: str
    as_of: str


@dataclass(frozen=True, kw_only=True)
class Gpu(Entry):
    vendor: str
    memory_gb: float = spec(1, 10_000)
    mem_bw_tb_s: float | None = spec(0.01, 100)  # None only on accelerators that are not sized
    bf16_tflops: float = spec(1, 100_000)
    fp8_tflops: float | None = spec(1, 100_000, default=None)  # None: no FP8 tensor cores
    fp4_tflops: float | None = spec(1, 100_000, default=None)
    tdp_w: float | None = spec(1, 10_000)  # None only on accelerators that are not sized
    rent_usd_per_gpu_hour: float | None = spec(0, 1_000, default=None)
    rent_note: str = ""
    purchase_usd: float | None = spec(0, 10_000_000, default=None)
    purchase_note: str = ""
    interconnect: str = spec(choices=("nvlink", "xgmi", "pcie"), default="nvlink")
    max_gpus_per_node: int = spec(1, 72, default=8, integer=True)
    confidence: str = "medium"
    notes: str = ""
    # issue 19: every sourced rent (Rent records), the server around the GPU for owning, and why a priced
    # accelerator is not sized by the serving model ('' = sized)
    rents: list = spec(default=[])
    server_usd_per_8_gpus: float | None = spec(0, 100_000_000, default=None)  # the whole 8-GPU server, GPUs included
    server_note: str = ""
    system_kw_per_8_gpus: float | None = spec(0.01, 1_000, default=None)  # the whole server's power draw
    not_sized_reason: str = ""


RENT_PRICINGS = ("on-demand", "spot", "community", "reserved-1y", "reserved-3y")


@dataclass(frozen=True, kw_only=True)
class Rent:
    """One provider's published price for one GPU (or accelerator chip) hour."""

    provider: str  # lowercase-hyphen provider id ('runpod', 'vast-ai')
    pricing: str = spec(choices=RENT_PRICINGS)
    usd_per_gpu_hour: float = spec(0.01, 1_000)
    source: str
    as_of: str | None  # None: the source records no date (the note says so)
    note: str = ""
    market: bool = True  # False: not a bare GPU rental (managed deployment); listed, never picked


@dataclass(frozen=True, kw_only=True)
class RateLimitTier:
    """A per-token offer's tier: its limits (None: none published) and its prices."""

    tier: str
    requests_per_minute: float | None = spec(0, 1e12, default=None)
    tokens_per_minute: float | None = spec(0, 1e15, default=None)
    requests_per_day: float | None = spec(0, 1e12, default=None)
    tokens_per_day: float | None = spec(0, 1e15, default=None)
    input_usd_per_mtok: float = spec(0, 10_000)
    output_usd_per_mtok: float = spec(0, 10_000)
    source: str
    as_of: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class OpenModel(Entry):
    total_params_b: float = spec(0.01, 100_000)
    active_params_b: float = spec(0.01, 100_000)
    layers: int = spec(1, 1_000, integer=True)
    hidden_size: int = spec(1, 1_000_000, integer=True)
    attn_heads: int = spec(1, 10_000, integer=True)
    kv_heads: int = spec(1, 10_000, integer=True)
    head_dim: int = spec(1, 10_000, integer=True)
    experts_total: int = spec(0, 10_000, default=0, integer=True)  # 0: dense
    experts_active: int = spec(0, 10_000, default=0, integer=True)
    kv_bytes_per_token_bf16: float = spec(1, 1e8)  # all layers, K and V, at 2 bytes per value
    sliding_window_layer_fraction: float = spec(0, 1, default=0.0)
    sliding_window_tokens: int = spec(0, 10_000_000, default=0, integer=True)
    native_precision: str = spec(choices=PRECISIONS, default="bf16")
    context_tokens: int = spec(1, 100_000_000, integer=True)
    accuracy_id: str = ""  # key into task curves; defaults to id
    confidence: str = "medium"
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class TokenOffer(Entry):
    """A per-token price offer: an API tier (kind 'api') or an ASIC inference cloud (kind 'asic')."""

    kind: str = spec(choices=("api", "asic"))
    vendor: str = ""
    free_note: str = ""  # why a $0 price is right (the provider states it is free); required for any $0 price
    accuracy_id: str = ""  # key into task curves
    open_model_id: str = ""  # for ASIC clouds hosting an open model
    hardware: str = ""
    input_usd_per_mtok: float = spec(0, 10_000)
    cached_input_usd_per_mtok: float | None = spec(0, 10_000, default=None)  # None: no cache discount
    output_usd_per_mtok: float = spec(0, 10_000)
    batch_discount: float = spec(0, 0.95, default=0.0)  # fraction taken off for batch jobs
    reasoning_billed_as_output: bool = True
    context_tokens: int = spec(1, 100_000_000, default=128_000, integer=True)
    effort_levels: list = spec(default=[])
    long_context_threshold_tokens: int | None = spec(1, 100_000_000, default=None, integer=True)
    long_input_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    long_cached_input_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    long_output_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    output_tokens_per_s_per_user: float = spec(0.1, 1_000_000)
    ttft_s: float = spec(0, 3_600, default=1.0)
    speed_is_estimate: bool = False
    speed_source: str = ""
    confidence: str = "medium"
    notes: str = ""
    # issue 19: peak-hour prices (None: one price all day), cache writes, output cap, rate-limit tiers
    peak_input_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    peak_cached_input_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    peak_output_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    peak_hours: str = ""
    cache_write_usd_per_mtok: float | None = spec(0, 10_000, default=None)
    max_output_tokens: int | None = spec(1, 100_000_000, default=None, integer=True)
    rate_limits: list = spec(default=[])  # RateLimitTier records, cheapest first
    first_answer_token_s: float | None = spec(0, 3_600, default=None)  # published, includes reasoning
    released: str = ""  # YYYY-MM-DD: release, or the model's first dated published result (an upper bound)


@dataclass(frozen=True, kw_only=True)
class CurvePoint:
    reasoning_tokens: float
    accuracy_pct: float
    label: str
    source: str
    tokens_derived: str = ""  # how the token count was derived when not published


@dataclass(frozen=True, kw_only=True)
class AccuracyCurve:
    """acc(T) = floor + (ceiling - floor) * sigmoid(a + b ln T), in percent; see accuracy.py."""

    floor_pct: float = spec(0, 100)
    ceiling_pct: float = spec(0, 100)
    a: float = spec(-100_000, 100_000)
    b: float = spec(0, 10_000)
    max_tokens: float = spec(1, 1e9)  # no gain past the trained maximum
    band_pct: float = spec(0, 50, default=3.0)  # half-width of the band inside the fitted range
    points: list = spec(default=[])
    fit_note: str = ""
    # effort level name -> reasoning tokens per problem on this task, for models bought by effort level
    # (the budget search prices those levels only); filled by fit_accuracy, empty where the budget is free
    effort_tokens: dict = spec(default={})
    # how each effort_tokens value was obtained (measured / derived / estimated, with the arithmetic)
    effort_basis: dict = spec(default={})
    default_effort: str = ""  # the level used when none is given (e.g. the API's default)
    # 'published': fitted to this task's published points; 'estimated_from_other_tasks': no published result on
    # this task, placed by the cross-benchmark model from the model's other tasks (see fit_accuracy.py)
    basis: str = spec(choices=("published", "estimated_from_other_tasks"), default="published")
    token_range: list = spec(default=[])  # [lo, hi] tokens the curve rests on when it has no published points


@dataclass(frozen=True, kw_only=True)
class TaskProfile(Entry):
    benchmark: str = ""
    answer_format: str = "free"  # 'free' or 'choice:K'
    verifier_available: bool = False
    concentration: float = spec(0.05, 1_000, default=1.0)  # Beta concentration of per-problem difficulty
    # spread of the concentration over the published pairs it was fitted to (the parallel band); None: x/÷ 2
    concentration_low: float | None = spec(0.01, 1_000, default=None)
    concentration_high: float | None = spec(0.01, 1_000, default=None)
    scorer_quality: float | None = spec(0, 1, default=None)  # fitted best-of-N scorer quality (None: the caller's)
    # concentration of the oracle (verifier) pass@N, fitted to the verifier pairs; None: the same as concentration
    verifier_concentration: float | None = spec(0.01, 1_000, default=None)
    verifier_concentration_low: float | None = spec(0.01, 1_000, default=None)
    verifier_concentration_high: float | None = spec(0.01, 1_000, default=None)
    default_input_tokens: int = spec(0, 10_000_000, default=1_000, integer=True)
    default_answer_tokens: int = spec(0, 10_000_000, default=500, integer=True)
    curves: dict = spec(default={})  # accuracy_id -> AccuracyCurve
    notes: str = ""
    # where the task's accuracy comes from: 'published' results, or 'user_eval' (the user's own eval results,
    # imported by `ttcplanner eval import`; eval_import names the files, the date and what was fitted)
    basis: str = spec(choices=("published", "user_eval"), default="published")
    eval_import: dict = spec(default={})


@dataclass(frozen=True, kw_only=True)
class ServingFactors(Entry):
    """Fitted efficiency factors of the serving model for one regime (see serving.py)."""

    eta_bw: float = spec(0.01, 1.0)
    eta_flops: float = spec(0.01, 1.0)
    eta_prefill: float = spec(0.01, 1.0)
    step_overhead_s: float = spec(0, 1.0)
    seq_overhead_s: float = spec(0, 0.01, default=0.0)  # host time per running sequence per decode step
    method: str = ""
    # Engine entries (serving.ENGINES, and "amd" for AMD GPUs): fitted factors and the engine's defaults.
    engine: str = ""  # '' for the old regime entries
    vendor: str = ""  # '' any, 'AMD': used for AMD GPUs
    moe_bw_scale: float = spec(0.05, 4.0, default=1.0)  # bandwidth efficiency of expert reads / eta_bw
    comm_scale: float = spec(0.0, 100.0, default=1.0)  # multiplier on the tensor-parallel all-reduce time
    moe_flops_scale: float = spec(0.001, 4.0, default=1.0)  # tensor-core efficiency of MoE GEMMs / eta_flops
    moe_prefill_scale: float = spec(0.001, 4.0, default=1.0)  # MoE prefill efficiency / eta_prefill
    ttft_overhead_s: float = spec(0.0, 10.0, default=0.0)  # fixed time to first token (API server, scheduling)
    admission_s: float = spec(0.0, 1.0, default=0.0)  # serial cost per request admitted (tokenise, schedule)
    # efficiency multiplier for fp4 (MXFP4) weights on GPUs without fp4 tensor cores (dequantising kernels)
    fp4_emulated_scale: float = spec(0.01, 10.0, default=1.0)
    # further multiplier where the GPU has no FP8 tensor cores either (Ampere: A100, RTX 3090): no native kernels
    fp4_no_fp8_scale: float = spec(0.01, 10.0, default=1.0)
    memory_fraction: float = spec(0.1, 1.0, default=0.9)  # share of GPU memory for weights + KV cache
    max_running_requests: int = spec(1, 1_000_000, default=1024, integer=True)
    max_running_requests_small_gpu: int = spec(1, 1_000_000, default=1024, integer=True)  # < 70 GB or no FP8
    max_batched_tokens: int = spec(1, 10_000_000, default=8192, integer=True)
    max_batched_tokens_small_gpu: int = spec(1, 10_000_000, default=8192, integer=True)  # < 70 GB or no FP8
    chunked_prefill: bool = True
    speculative_max_running_requests: int = spec(0, 1_000_000, default=0, integer=True)  # 0: unchanged
    supports_int4: bool = False
    defaults_source: str = ""


@dataclass(frozen=True, kw_only=True)
class UserCalibration(Entry):
    """A user's measured throughput for one setup, as a multiplier on the fitted estimate."""

    model_id: str = ""
    hardware_id: str = ""
    gpus: int = spec(1, 100_000, integer=True, default=1)
    precision: str = spec(choices=PRECISIONS, default="bf16")
    throughput_scale: float = spec(0.01, 100, default=1.0)
    measured_output_tokens_per_s: float = spec(0, 1e9, default=0.0)
    input_tokens: float = spec(0, 1e9, default=0.0)
    output_tokens: float = spec(0, 1e9, default=0.0)
    concurrency: float = spec(0, 1e9, default=0.0)
    # A sweep calibration (several benchmark runs): multipliers on the decode and prefill efficiencies.
    decode_scale: float = spec(0.01, 100, default=1.0)
    prefill_scale: float = spec(0.01, 100, default=1.0)
    engine: str = ""  # '' any engine
    runs: int = spec(1, 100_000, integer=True, default=1)


KINDS: dict[str, type[Entry]] = {
    "gpus": Gpu,
    "open_models": OpenModel,
    "api_offers": TokenOffer,
    "asic_offers": TokenOffer,
    "tasks": TaskProfile,
    "serving_factors": ServingFactors,
    "user_calibrations": UserCalibration,
}


@functools.lru_cache(maxsize=None)
def _field_types(cls: type) -> Mapping[str, Any]:
    """Resolved annotations of a record class (cached, read-only: get_type_hints is slow and every
    Scenario.replace on a slider step goes through from_json)."""
    return types.MappingProxyType(typing.get_type_hints(cls))


def _check_date(value: Any, where: str, src: str) -> str:
    if not isinstance(value, str):
        raise InputError("must be a date YYYY-MM-DD", field=where, source=src)
    try:
        date = _dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"must be a date YYYY-MM-DD, got {value!r}"[:200], field=where, source=src) from None
    if date > _dt.date.today():
        raise InputError(
            f"is in the future ({value}); a price or measurement is dated when it was read", field=where, source=src
        )
    if date < EARLIEST_DATE:
        raise InputError(
            f"is before {EARLIEST_DATE.isoformat()} ({value}); no figure here is that old", field=where, source=src
        )
    return value


def from_json(cls: type, raw: Any, where: str, src: str) -> Any:
    """Build a dataclass from a JSON object, validating every field by its annotation and spec."""
    if not isinstance(raw, dict):
        raise InputError(f"must be an object, got {type(raw).__name__}", field=where, source=src)
    record = cls(**checked_fields(cls, raw, where, src, complete=True))
    if cls is Gpu or cls is TokenOffer:  # every path that makes one (load, import, price edit) checks prices
        _check_prices(record, where, src)
    if cls is TokenOffer:
        _check_effort_levels(record.effort_levels, f"{where}.effort_levels", src)
    if cls is AccuracyCurve:
        _check_effort_tokens(record.effort_tokens, f"{where}.effort_tokens", src)
    return record


def _check_effort_levels(levels: list, where: str, src: str) -> None:
    """Effort level names: distinct non-empty texts (the budget search prices each one)."""
    for i, level in enumerate(levels):
        if not isinstance(level, str) or not level.strip() or len(level) > 40:
            raise InputError(
                f"must be a name of 1-40 characters, got {level!r}"[:120], field=f"{where}[{i}]", source=src
            )
    if len(set(levels)) != len(levels):
        raise InputError("lists a level twice", field=where, source=src)


def _check_effort_tokens(tokens: dict, where: str, src: str) -> None:
    """Effort level name -> reasoning tokens per problem: a number from 0 (no reasoning) to 1e9."""
    for level, value in tokens.items():
        finite_number(value, f"{where}.{level}", src, minimum=0, maximum=1e9)


def checked_fields(cls: type, raw: dict, where: str, src: str, complete: bool = False) -> dict[str, Any]:
    """The fields of ``raw`` validated by ``cls``'s annotations and specs (an unknown name is an error;
    with ``complete``, so is a missing field without a default), checked in field order."""
    unknown = sorted(set(raw) - {f.name for f in dataclasses.fields(cls)})
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}", field=where, source=src)
    hints = _field_types(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        fw = f"{where}.{f.name}"
        if f.name not in raw:
            if complete and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise InputError("is missing", field=fw, source=src)
            continue
        values[f.name] = _value(hints[f.name], f.metadata, raw[f.name], fw, src)
    if values.get("as_of") is not None:
        values["as_of"] = _check_date(values["as_of"], f"{where}.as_of", src)
    return values


def _value(tp: Any, meta: Mapping[str, Any], value: Any, fw: str, src: str) -> Any:
    optional = False
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        tp = args[0]
    if value is None:
        if optional:
            return None
        raise InputError("must not be null", field=fw, source=src)
    if tp in (int, float):
        return finite_number(
            value,
            fw,
            src,
            minimum=meta.get("lo"),
            maximum=meta.get("hi"),
            integer=bool(meta.get("integer")) or tp is int,
        )
    if tp is bool:
        if not isinstance(value, bool):
            raise InputError(f"must be true or false, got {value!r}"[:120], field=fw, source=src)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise InputError(f"must be text, got {type(value).__name__}", field=fw, source=src)
        if len(value) > 4_000:
            raise InputError("text is longer than 4000 characters", field=fw, source=src)
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(
                    f"holds a character that cannot be encoded ({value[exc.start]!r} at position "
                    f"{exc.start}); replace it",
                    field=fw,
                    source=src,
                ) from None
        choices = meta.get("choices")
        if choices and value not in choices:
            raise InputError(f"must be one of {', '.join(choices)}; got {value!r}"[:200], field=fw, source=src)
        return value
    if tp is list:
        if not isinstance(value, list):
            raise InputError("must be a list", field=fw, source=src)
        return value
    if tp is dict:
        if not isinstance(value, dict):
            raise InputError("must be an object", field=fw, source=src)
        return value
    raise InputError(f"unsupported type {tp}", field=fw, source=src)


def _convert_task(raw: Any, where: str, src: str) -> TaskProfile:
    task = from_json(TaskProfile, raw, where, src)
    curves = {}
    for acc_id, craw in task.curves.items():
        cw = f"{where}.curves.{acc_id}"
        curve = from_json(AccuracyCurve, craw, cw, src)
        if curve.ceiling_pct < curve.floor_pct:
            raise InputError("ceiling_pct must not be below floor_pct", field=cw, source=src)
        points = tuple(_checked_point(p, f"{cw}.points[{i}]", src) for i, p in enumerate(curve.points))
        curves[acc_id] = dataclasses.replace(curve, points=points)
    check_answer_format(task.answer_format, f"{where}.answer_format", src)
    return dataclasses.replace(task, curves=curves)


# Multiple-choice answers are lettered A-Z; the widest common benchmark format (MMLU-Pro) has 10 options.
MAX_CHOICES = 26
_CHOICE_FORMAT = re.compile(r"choice:([0-9]{1,6})")


def check_answer_format(fmt: Any, field: str = "answer_format", src: str | None = None) -> str:
    """'free' or 'choice:K' with 2 <= K <= MAX_CHOICES (ASCII digits); anything else raises InputError."""
    if fmt == "free":
        return fmt
    m = _CHOICE_FORMAT.fullmatch(fmt) if isinstance(fmt, str) else None
    if m is None or not 2 <= int(m.group(1)) <= MAX_CHOICES:
        raise InputError(
            f"must be 'free' or 'choice:K' with K from 2 to {MAX_CHOICES}, got {fmt!r}"[:200], field=field, source=src
        )
    return fmt


def _checked_point(raw: Any, where: str, src: str) -> CurvePoint:
    """A published point: reasoning tokens above 0 (the curve is in ln T) and an accuracy in percent."""
    point = from_json(CurvePoint, raw, where, src)
    if not 0 < point.reasoning_tokens <= 1e9:
        raise InputError(
            f"must be above 0 and at most 1e9, got {point.reasoning_tokens:g}",
            field=f"{where}.reasoning_tokens",
            source=src,
        )
    if not 0 <= point.accuracy_pct <= 100:
        raise InputError(
            f"must be a percentage in [0, 100], got {point.accuracy_pct:g}", field=f"{where}.accuracy_pct", source=src
        )
    return point


_TOKEN_PRICES = (
    "input_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "output_usd_per_mtok",
    "long_input_usd_per_mtok",
    "long_cached_input_usd_per_mtok",
    "long_output_usd_per_mtok",
)


def _check_prices(entry: Entry, where: str, src: str) -> None:
    """No GPU is free (leave an unknown price null); a $0 token price needs ``free_note`` saying why."""
    if isinstance(entry, Gpu):
        for name in ("rent_usd_per_gpu_hour", "purchase_usd"):
            if getattr(entry, name) == 0:
                raise InputError("must be above 0 (leave it null when unknown)", field=f"{where}.{name}", source=src)
    if isinstance(entry, TokenOffer) and not entry.free_note.strip():
        for name in _TOKEN_PRICES:
            if getattr(entry, name) == 0:
                raise InputError(
                    "is $0; a free offer needs free_note stating that the provider charges nothing",
                    field=f"{where}.{name}",
                    source=src,
                )


def _convert_lists(entry: Entry, where: str, src: str) -> Entry:
    """Rents of a GPU and rate-limit tiers of an offer as validated records (tuples)."""
    if isinstance(entry, Gpu):
        rents = tuple(from_json(Rent, r, f"{where}.rents[{i}]", src) for i, r in enumerate(entry.rents))
        for i, r in enumerate(rents):
            _check_source(r.source, f"{where}.rents[{i}].source", src)
            if not r.provider or r.provider != r.provider.lower() or " " in r.provider:
                raise InputError(
                    "must be a lowercase provider id without spaces", field=f"{where}.rents[{i}].provider", source=src
                )
        return dataclasses.replace(entry, rents=rents)
    if isinstance(entry, TokenOffer):
        tiers = tuple(
            from_json(RateLimitTier, t, f"{where}.rate_limits[{i}]", src) for i, t in enumerate(entry.rate_limits)
        )
        for i, t in enumerate(tiers):
            _check_source(t.source, f"{where}.rate_limits[{i}].source", src)
        return dataclasses.replace(entry, rate_limits=tiers)
    return entry


def _check_source(source: str, where: str, src: str) -> None:
    if not (source.startswith("http://") or source.startswith("https://") or source.startswith("user:")):
        raise InputError("must be a URL (http/https) or 'user:<what>'", field=where, source=src)


def _check_entry(kind: str, entry: Entry, where: str, src: str) -> None:
    if not entry.id or len(entry.id) > 120:
        raise InputError("must be a non-empty id of at most 120 characters", field=f"{where}.id", source=src)
    if not (
        entry.source.startswith("http://") or entry.source.startswith("https://") or entry.source.startswith("user:")
    ):
        raise InputError("must be a URL (http/https) or 'user:<what>'", field=f"{where}.source", source=src)
    if isinstance(entry, OpenModel):
        if entry.active_params_b > entry.total_params_b:
            raise InputError("active_params_b exceeds total_params_b", field=where, source=src)
        if entry.experts_active > entry.experts_total:
            raise InputError("experts_active exceeds experts_total", field=where, source=src)
    if isinstance(entry, Gpu) and not entry.not_sized_reason:
        for name in ("mem_bw_tb_s", "tdp_w"):
            if getattr(entry, name) is None:
                raise InputError(
                    "must be a number unless not_sized_reason says why the GPU is not sized",
                    field=f"{where}.{name}",
                    source=src,
                )
    if isinstance(entry, TokenOffer) and entry.kind != ("api" if kind == "api_offers" else "asic"):
        raise InputError(
            f"kind must be {'api' if kind == 'api_offers' else 'asic'} in {kind}", field=f"{where}.kind", source=src
        )


def load_file(path: Path, kind: str | None = None) -> tuple[str, str, dict[str, Entry]]:
    """Load one catalog file: returns (kind, as_of, {id: entry})."""
    src = str(path)
    data = read_json(path, "catalog file")
    if not isinstance(data, dict):
        raise InputError("must be a JSON object with schema_version, kind and entries", source=src)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"unsupported schema_version {version!r} (expected {SCHEMA_VERSION})", field="schema_version", source=src
        )
    kind = data.get("kind", kind)
    if not isinstance(kind, str) or kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", field="kind", source=src)
    as_of = _check_date(data.get("as_of"), "as_of", src)
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise InputError("must be a list", field="entries", source=src)
    out: dict[str, Entry] = {}
    for i, raw in enumerate(entries):
        where = f"entries[{i}]" + (
            f" ({raw.get('id')})" if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
        )
        entry = _convert_task(raw, where, src) if kind == "tasks" else from_json(KINDS[kind], raw, where, src)
        entry = _convert_lists(entry, where, src)
        _check_entry(kind, entry, where, src)
        if entry.id in out:
            raise InputError(f"duplicate id {entry.id!r}", field=where, source=src)
        out[entry.id] = entry
    return kind, as_of, out


@dataclass(frozen=True, kw_only=True, eq=False)  # identity hash: plans cache per catalog
class Catalog:
    gpus: Mapping[str, Gpu]
    open_models: Mapping[str, OpenModel]
    api_offers: Mapping[str, TokenOffer]
    asic_offers: Mapping[str, TokenOffer]
    tasks: Mapping[str, TaskProfile]
    serving_factors: Mapping[str, ServingFactors]
    user_calibrations: Mapping[str, UserCalibration]
    as_of: str  # newest price date in the catalog (each entry keeps its own as_of; plans warn per entry)
    sources: tuple[str, ...] = ()  # folders the catalog was read from, shipped first

    def kind_of(self, entry_id: str) -> str | None:
        for kind in KINDS:
            if entry_id in getattr(self, kind):
                return kind
        return None

    def get(self, kind: str, entry_id: str) -> Any:
        table = getattr(self, kind)
        if entry_id not in table:
            known = ", ".join(sorted(table)[:12])
            raise InputError(f"unknown id {entry_id!r}; known: {known}{', ...' if len(table) > 12 else ''}", field=kind)
        return table[entry_id]

    def age_days(self, today: _dt.date | None = None) -> int:
        today = today or _dt.date.today()
        return (today - _dt.date.fromisoformat(self.as_of)).days


def load_catalog(*folders: str | Path | None, include_user: bool = True) -> Catalog:
    """Load the shipped catalog, then the user's saved catalog (calibrations, edited prices), then each
    folder given (``--catalog DIR``) on top: the same id overrides, a new id adds."""
    from ttcplanner.paths import catalog_dir, user_catalog_dir

    user = user_catalog_dir()
    dirs = [catalog_dir()] + ([user] if include_user and is_folder(user) else []) + [Path(f) for f in folders if f]
    tables: dict[str, dict[str, Entry]] = {k: {} for k in KINDS}
    dates: list[str] = []
    for d in dirs:
        require_folder(d, "catalog folder")
        for path in sorted(d.glob("*.json")):
            kind, as_of, entries = load_file(path)
            tables[kind].update(entries)
            if kind in ("gpus", "api_offers", "asic_offers"):
                dates.extend(e.as_of for e in entries.values())
    as_of = max(dates) if dates else _dt.date.today().isoformat()
    return Catalog(**tables, as_of=as_of, sources=tuple(str(d) for d in dirs))


def entry_to_json(entry: Any) -> Any:
    """A record as plain JSON (for `catalog show --json` and for writing the user catalog)."""
    if dataclasses.is_dataclass(entry):
        return {f.name: entry_to_json(getattr(entry, f.name)) for f in dataclasses.fields(entry)}
    if isinstance(entry, (list, tuple)):
        return [entry_to_json(v) for v in entry]
    if isinstance(entry, dict):
        return {k: entry_to_json(v) for k, v in entry.items()}
    return entry
