"""Serving open models on GPUs: memory fit, throughput and latency under load (roofline x fitted efficiency).

Everything is vectorised: a ``Setup`` holds one numpy array per quantity, broadcast along an option axis
(model x GPU x tensor-parallel size ...), so the planner evaluates its whole grid without Python loops.

Engine step (DESIGN.md, "Serving open models on GPUs"):
- weights = total params x bytes/param; MoE keeps every expert resident; int4 (GGUF Q4_K_M-class, AWQ/GPTQ)
  is 0.6 bytes/param (about 4.8 bits with scales);
- KV bytes/token = K+V x layers x kv_heads x head_dim x KV bytes (sliding-window layers keep at most the window);
- KV capacity = GPUs x memory x the engine's memory fraction - weights - activations;
- decode step at batch B = max(weights read / (bandwidth x eta_bw), GEMM FLOPs / (peak x eta_flops))
  + max(KV read / (bandwidth x eta_bw), attention FLOPs / (peak x eta_flops)) + per-step overhead
  + B x per-sequence host time (scheduling, sampling, detokenising and streaming each token)
  + tensor-parallel all-reduces x comm_scale (expert-parallel MoE: an all-to-all instead of the expert
  all-reduce); MoE reads the experts the B tokens touch, at eta_bw x moe_bw_scale;
- prefill = (2 x active params x prompt + attention) / (peak x eta_prefill).
The efficiencies and the engine defaults (running-request cap, batched-token budget, memory fraction) are one
catalog entry per engine (serving_factors.json, ``engine`` field; AMD GPUs use the ``amd`` entry's efficiencies,
fitted on AMD runs only), fitted by fit_serving.py to serving_points.csv. llama.cpp splits layers across GPUs
(no tensor parallel): more GPUs add memory, not bandwidth.

The load model (``load_estimate``) is analytic: with b sequences running, prefill interleaved with decode,
a replica finishes X(b) = b / (O t(b) + b p) requests/s (t: time per generated token, p: prefill per request)
and each token takes TPOT(b) = t(b) + b p / O. A burst of N prompts (or N through C slots, or Poisson arrivals
that outrun the replica) queues for the running-request cap and the KV cache: request k is admitted at
max(arrival, (k - slots + 1) / X); the first wave waits for the prefills before it. Stable Poisson arrivals
run at the mean batch n = lambda D(n) with M/D/1 prefill waits, an Erlang-style slot wait and exponential
tails for the percentiles. ``simulate_poisson`` is a step-by-step simulation of continuous batching used to
check it (tests), not on the planner's path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from ttcplanner.model.catalog import Catalog, Gpu, OpenModel, ServingFactors
from ttcplanner.model.errors import InputError

BYTES_PER_VALUE = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5625, "int4": 0.6}  # fp4: MXFP4/NVFP4 + block scales
WEIGHT_PRECISIONS = ("bf16", "fp8", "fp4", "int4")
ENGINES = ("vllm", "sglang", "trtllm", "llamacpp")
USABLE_MEMORY_FRACTION = 0.90  # vLLM gpu_memory_utilization default; other engines carry their own
ACTIVATION_RESERVE_GB_PER_GPU = 2.0  # CUDA graphs, activations, allocator slack (engine defaults; an estimate)
# All-reduce cost per decode step: 2 per layer. Link bandwidth per GPU, one direction:
# NVLink 4 (H100/H200) 450 GB/s, NVLink 5 (B200/GB200) 900 GB/s, Infinity Fabric (MI300X) ~448 GB/s,
# PCIe Gen4/5 x16 ~32/64 GB/s (vendor datasheets). Latency per all-reduce step: an estimate of NCCL small-message
# latency (log2(GPUs) steps per collective, allreduce_hops).
LINK_GB_S = {"nvlink": 450.0, "xgmi": 448.0, "pcie": 32.0}
ALLREDUCE_LATENCY_S = {"nvlink": 8e-6, "xgmi": 10e-6, "pcie": 25e-6}
DRAFT_COST_PER_TOKEN = 0.05  # a draft token costs ~5% of a target step (EAGLE/MTP-style heads; an assumption)
LARGE_GPU_GB = 70.0  # vLLM V1 picks its larger defaults on GPUs with >= 70 GiB that are not A100 (no FP8)
REGIMES = ("dense-small-tp", "dense-large-tp", "moe")
Z = {0.95: 1.645, 0.99: 2.326}
BACKOFF_STEPS = 2  # exact re-checks after the second solve, backing off 20% (what still misses is reported as missing)
MAX_UTILIZATION = 0.95  # the sizing keeps each replica below this share of its capacity


def allreduce_hops(gpus: int) -> float:
    """Latency steps of one all-reduce (or all-to-all) across ``gpus`` GPUs: log2(gpus), as in NCCL's tree and
    NVLink SHARP algorithms for small messages (a fixed latency per collective made TP8 as cheap as TP2; held out,
    log2 steps took TPOT from 26.9% to 26.2% and the fitted comm_scale from 4.5 to 1.6)."""
    return max(math.log2(max(gpus, 1)), 1.0)


EFFICIENCY_TERMS = ("eta_bw", "eta_flops", "eta_prefill")  # multiplied by a serving-efficiency factor
OVERHEAD_TERMS = ("step_overhead_s", "seq_overhead_s", "comm_scale", "ttft_overhead_s", "admission_s")  # divided


def with_efficiency(name: str, value, factor):
    """Setup field ``name`` at ``factor`` times the fitted serving speed: efficiencies multiplied, the fixed,
    per-sequence, communication and admission times divided, so that every term of a step (not only the roofline
    part) scales and throughput moves by about ``factor`` (sensitivity's "GPU serving efficiency")."""
    if name in EFFICIENCY_TERMS:
        return value * factor
    if name in OVERHEAD_TERMS:
        return value / factor
    return value


def regime_of(is_moe: np.ndarray, gpus: np.ndarray) -> np.ndarray:
    """0 dense on 1-2 GPUs, 1 dense on >= 4 GPUs (large tensor parallel), 2 MoE (a label for reports)."""
    return np.where(is_moe, 2, np.where(gpus >= 4, 1, 0))


def precision_of(model: OpenModel, requested: str) -> str:
    return model.native_precision if requested == "native" else requested


def peak_tflops(gpu: Gpu, precision: str) -> float:
    """Tensor throughput at the weight precision, falling back to the next wider format the card has
    (int4 weights, and fp4 weights on a card without fp4 tensor cores, are dequantised to 16-bit for the matrix
    multiplies: MXFP4 on H100 runs as 4-bit weights x 16-bit activations, not at the FP8 rate)."""
    order = {"fp4": ("fp4", "bf16"), "fp8": ("fp8", "bf16"), "bf16": ("bf16",), "int4": ("bf16",)}[precision]
    for p in order:
        value = getattr(gpu, f"{p}_tflops")
        if value:
            return value
    return gpu.bf16_tflops


def fp4_emulated(gpu: Gpu, precision: str) -> bool:
    """fp4 weights on a GPU without fp4 tensor cores (A100, H100, H200, Ada): engines dequantise them in their own
    kernels, whose speed differs by engine (gpt-oss MXFP4 on H100: vLLM 2,901 vs SGLang 866 tok/s)."""
    return precision == "fp4" and not gpu.fp4_tflops


def fp4_without_fp8(gpu: Gpu, precision: str) -> bool:
    """fp4 weights on a GPU with neither fp4 nor fp8 tensor cores (Ampere: A100, RTX 3090): the engines' MXFP4
    kernels target Hopper and later, and on Ampere some engines fall back to far slower paths (gpt-oss on A100:
    SGLang 266-330 tok/s against vLLM's 2,300-4,600; on H100 SGLang reaches 30-100% of vLLM)."""
    return fp4_emulated(gpu, precision) and not gpu.fp8_tflops


@dataclass(frozen=True)
class Setup:
    """One array per quantity, all broadcastable along the option axis."""

    total_params: np.ndarray  # parameters (not billions)
    active_params: np.ndarray
    expert_params: np.ndarray  # parameters in routed experts (0 for dense)
    experts_total: np.ndarray
    experts_active: np.ndarray
    layers: np.ndarray
    attn_width: np.ndarray  # heads x head_dim
    hidden_size: np.ndarray
    kv_bytes_per_token: np.ndarray  # at the chosen KV precision, full-attention layers
    sw_fraction: np.ndarray
    sw_tokens: np.ndarray
    context_limit: np.ndarray
    memory_gb: np.ndarray  # per GPU
    mem_bw_tb_s: np.ndarray
    peak_tflops: np.ndarray
    gpus: np.ndarray
    parallel: np.ndarray  # GPUs whose bandwidth and compute add up (1 for llama.cpp's layer split)
    link_gb_s: np.ndarray
    allreduce_latency_s: np.ndarray
    weight_bytes_per_param: np.ndarray
    eta_bw: np.ndarray
    eta_flops: np.ndarray
    eta_prefill: np.ndarray
    step_overhead_s: np.ndarray
    seq_overhead_s: np.ndarray  # host time per running sequence per step (scheduling, sampling, streaming)
    moe_bw_scale: np.ndarray
    comm_scale: np.ndarray
    moe_flops_scale: np.ndarray
    moe_prefill_scale: np.ndarray
    ttft_overhead_s: np.ndarray
    admission_s: np.ndarray
    expert_parallel: np.ndarray  # 1: experts sharded (all-to-all), 0: tensor-parallel experts
    memory_fraction: np.ndarray
    max_running: np.ndarray  # the engine's running-request cap (sequences)
    spec_max_running: np.ndarray  # the cap with speculative decoding on (0: unchanged)
    max_batched_tokens: np.ndarray
    engine_index: np.ndarray  # position in ENGINES
    user_scale: np.ndarray  # user calibration multiplier on throughput (1 = none)
    calibrated: np.ndarray  # 1 where a user calibration (one run or a sweep) applies


def engine_factors(catalog: Catalog, engine: str, gpu: Gpu) -> tuple[ServingFactors, ServingFactors]:
    """(efficiencies, defaults) of an engine on a GPU: AMD GPUs take efficiencies fitted on AMD runs."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}", field="engine")
    table = catalog.serving_factors
    if engine not in table:
        raise InputError(f"serving factors missing for engine {engine!r}", field="serving_factors")
    defaults = table[engine]
    eff = table.get("amd", defaults) if gpu.vendor.upper() == "AMD" else defaults
    return eff, defaults


def check_engine_precision(catalog: Catalog, engine: str, precision: str) -> None:
    if precision == "int4" and engine in catalog.serving_factors and not catalog.serving_factors[engine].supports_int4:
        able = [e for e in ENGINES if e in catalog.serving_factors and catalog.serving_factors[e].supports_int4]
        raise InputError(f"int4 weights are not modelled on {engine}; use one of {', '.join(able)}", field="precision")


def build_setup(
    catalog: Catalog,
    pairs: list[tuple[OpenModel, Gpu, int]],
    weight_precision: str,
    kv_precision: str,
    engine: str = "vllm",
    expert_parallel: bool = False,
    max_num_seqs: int | None = None,
) -> Setup:
    """Stack (model, GPU, GPU count) triples into a Setup with the engine's fitted factors and defaults.

    engine 'auto': per row, the engine with the highest throughput on a 1000-prompt burst of 1000/500 tokens
    (among those that run the precision)."""
    if engine == "auto":
        return _auto_setup(catalog, pairs, weight_precision, kv_precision, expert_parallel, max_num_seqs)
    if max_num_seqs is not None and max_num_seqs < 1:
        raise InputError(f"must be at least 1, got {max_num_seqs}", field="max_num_seqs")
    cols: dict[str, list[float]] = {f.name: [] for f in fields(Setup)}
    for model, gpu, n in pairs:
        prec = precision_of(model, weight_precision)
        check_engine_precision(catalog, engine, prec)
        eff, dflt = engine_factors(catalog, engine, gpu)
        is_moe = model.experts_total > 0
        total = model.total_params_b * 1e9
        active = model.active_params_b * 1e9
        share = model.experts_active / model.experts_total if is_moe else 0.0
        expert = (total - active) / (1 - share) if is_moe and share < 1 else 0.0
        scale, dec, pre, calibrated = 1.0, 1.0, 1.0, 0.0
        for cal in catalog.user_calibrations.values():
            if (cal.model_id, cal.hardware_id, cal.gpus, cal.precision) == (model.id, gpu.id, n, prec) and getattr(
                cal, "engine", ""
            ) in ("", engine):
                scale = cal.throughput_scale
                dec, pre = getattr(cal, "decode_scale", 1.0), getattr(cal, "prefill_scale", 1.0)
                calibrated = 1.0
        # fp4 weights on a GPU without fp4 tensor cores run through the engine's dequantising kernels: their
        # compute efficiency is the engine's own (the bytes read are the same)
        k4 = getattr(eff, "fp4_emulated_scale", 1.0) if fp4_emulated(gpu, prec) else 1.0
        k4 *= getattr(eff, "fp4_no_fp8_scale", 1.0) if fp4_without_fp8(gpu, prec) else 1.0
        large = gpu.memory_gb >= LARGE_GPU_GB and gpu.fp8_tflops is not None
        cap = max_num_seqs or (dflt.max_running_requests if large else dflt.max_running_requests_small_gpu)
        row = dict(
            total_params=total,
            active_params=active,
            expert_params=expert,
            experts_total=model.experts_total,
            experts_active=model.experts_active,
            layers=model.layers,
            attn_width=model.attn_heads * model.head_dim,
            hidden_size=model.hidden_size,
            kv_bytes_per_token=model.kv_bytes_per_token_bf16 * BYTES_PER_VALUE[kv_precision] / 2.0,
            sw_fraction=model.sliding_window_layer_fraction,
            sw_tokens=model.sliding_window_tokens,
            context_limit=model.context_tokens,
            memory_gb=gpu.memory_gb,
            mem_bw_tb_s=gpu.mem_bw_tb_s,
            peak_tflops=peak_tflops(gpu, prec),
            gpus=n,
            parallel=1 if engine == "llamacpp" else n,
            link_gb_s=LINK_GB_S[gpu.interconnect],
            allreduce_latency_s=ALLREDUCE_LATENCY_S[gpu.interconnect] * allreduce_hops(n),
            weight_bytes_per_param=BYTES_PER_VALUE[prec],
            eta_bw=eff.eta_bw * dec,
            eta_flops=eff.eta_flops * dec * k4,
            eta_prefill=eff.eta_prefill * pre * k4,
            step_overhead_s=eff.step_overhead_s / dec,
            seq_overhead_s=eff.seq_overhead_s / dec,
            moe_bw_scale=eff.moe_bw_scale,
            comm_scale=eff.comm_scale / dec,
            moe_flops_scale=eff.moe_flops_scale,
            moe_prefill_scale=eff.moe_prefill_scale,
            ttft_overhead_s=eff.ttft_overhead_s / pre,
            admission_s=eff.admission_s,
            expert_parallel=float(expert_parallel and is_moe),
            memory_fraction=dflt.memory_fraction,
            max_running=cap,
            spec_max_running=0 if max_num_seqs else dflt.speculative_max_running_requests,
            max_batched_tokens=dflt.max_batched_tokens if large else dflt.max_batched_tokens_small_gpu,
            engine_index=ENGINES.index(engine),
            user_scale=scale,
            calibrated=calibrated,
        )
        for k, v in row.items():
            cols[k].append(float(v))
    return Setup(**{k: np.asarray(v, dtype=float) for k, v in cols.items()})


def _auto_setup(catalog, pairs, weight_precision, kv_precision, expert_parallel, max_num_seqs) -> Setup:
    best, best_tok = None, None
    for engine in ENGINES:
        if engine not in catalog.serving_factors:
            continue
        try:
            s = build_setup(catalog, pairs, weight_precision, kv_precision, engine, expert_parallel, max_num_seqs)
        except InputError:
            continue  # the engine does not run this precision
        tok = load_estimate(s, 1000, 500, num_prompts=1000).output_tokens_per_s
        if best is None:
            best, best_tok = s, tok
            continue
        better = tok > best_tok
        best = Setup(**{f.name: np.where(better, getattr(s, f.name), getattr(best, f.name)) for f in fields(Setup)})
        best_tok = np.maximum(tok, best_tok)
    if best is None:
        raise InputError("no engine runs this precision", field="engine")
    return best


def stack_setups(parts: list[Setup]) -> Setup:
    return Setup(**{f.name: np.concatenate([np.atleast_1d(getattr(p, f.name)) for p in parts]) for f in fields(Setup)})


def kv_bytes_per_sequence(s: Setup, context) -> np.ndarray:
    context = np.asarray(context, dtype=float)
    windowed = np.minimum(context, np.where(s.sw_tokens > 0, s.sw_tokens, context))
    return s.kv_bytes_per_token * ((1 - s.sw_fraction) * context + s.sw_fraction * windowed)


def weight_bytes(s: Setup) -> np.ndarray:
    return s.total_params * s.weight_bytes_per_param


def kv_budget_bytes(s: Setup) -> np.ndarray:
    """Memory left for the KV cache across the replica (negative: the weights do not fit)."""
    usable = s.gpus * (s.memory_gb * s.memory_fraction - ACTIVATION_RESERVE_GB_PER_GPU) * 1e9
    return usable - weight_bytes(s)


def max_concurrency(s: Setup, input_tokens, output_tokens) -> np.ndarray:
    """Largest number of sequences whose KV cache fits, at the average context input + output/2.

    0 where the weights do not fit, where one full-length sequence does not fit, or where the
    sequence is longer than the model's context. (The engine's running-request cap is applied by the
    load model, not here.)
    """
    input_tokens = np.asarray(input_tokens, dtype=float)
    output_tokens = np.asarray(output_tokens, dtype=float)
    budget = kv_budget_bytes(s)
    avg = kv_bytes_per_sequence(s, input_tokens + output_tokens / 2)
    full = kv_bytes_per_sequence(s, input_tokens + output_tokens)
    b = np.floor(np.maximum(budget, 0) / np.maximum(avg, 1.0))
    ok = (budget >= full) & (input_tokens + output_tokens <= s.context_limit)
    return np.where(ok, np.maximum(b, 1), 0.0)


def _comm_s(s: Setup, tokens) -> np.ndarray:
    """Tensor-parallel all-reduces per decode step (2 per layer), or with expert parallelism an all-to-all
    dispatch and combine of each token's hidden state to its experts' GPUs in place of the MoE all-reduce."""
    multi = (s.gpus > 1) & (s.parallel > 1)
    per_layer = s.allreduce_latency_s + tokens * s.hidden_size * 2 / (s.link_gb_s * 1e9)
    alltoall = s.allreduce_latency_s + tokens * s.hidden_size * 2 * np.maximum(s.experts_active, 1) / (
        s.link_gb_s * 1e9 * np.maximum(s.gpus, 1)
    )
    moe_layer = np.where(s.expert_parallel > 0, 2 * alltoall, per_layer)
    return np.where(multi, s.comm_scale * s.layers * (per_layer + moe_layer), 0.0)


def gemm_efficiency(s: Setup) -> np.ndarray:
    """Share of peak tensor throughput the decode GEMMs reach (MoE: x moe_flops_scale), at most 1: fp4 weights
    on a GPU without fp4 (eta_flops x fp4_emulated_scale, fitted on MoE runs) must not exceed the peak."""
    return np.minimum(s.eta_flops * np.where(s.experts_total > 0, s.moe_flops_scale, 1.0), 1.0)


def prefill_efficiency(s: Setup) -> np.ndarray:
    """Share of peak tensor throughput a prefill reaches (MoE: x moe_prefill_scale), at most 1."""
    return np.minimum(s.eta_prefill * np.where(s.experts_total > 0, s.moe_prefill_scale, 1.0), 1.0)


def decode_step_s(s: Setup, batch, context, tokens_per_seq=1.0) -> np.ndarray:
    """Time of one decode step for ``batch`` sequences at ``context`` tokens, verifying ``tokens_per_seq`` each.

    The weight GEMMs and the attention are separate kernels run one after the other, so their times add:
    GEMMs take max(weights read / bandwidth, 2 x active params x tokens / peak); attention takes
    max(KV read / bandwidth, attention FLOPs / peak). The host adds a fixed time per step and a time per running
    sequence (seq_overhead_s: scheduling, sampling, detokenising and streaming each new token; it grows with the
    batch, not with the model or the GPU).
    """
    batch = np.maximum(np.asarray(batch, dtype=float), 1.0)
    context = np.asarray(context, dtype=float)
    tokens = batch * tokens_per_seq
    dense_params = s.total_params - s.expert_params
    share = np.where(s.experts_total > 0, s.experts_active / np.maximum(s.experts_total, 1), 0.0)
    touched = 1 - (1 - share) ** tokens  # fraction of experts some token in the step routes to
    bandwidth = s.parallel * s.mem_bw_tb_s * 1e12 * s.eta_bw
    compute = s.parallel * s.peak_tflops * 1e12 * gemm_efficiency(s)
    weights_t = (dense_params + s.expert_params * touched / s.moe_bw_scale) * s.weight_bytes_per_param / bandwidth
    kv_read = batch * kv_bytes_per_sequence(s, context)
    # Weight reads and tensor-core work do not overlap fully in real engines (grouped MoE GEMMs, small
    # per-expert batches): their times add, which the fit to serving_points.csv prefers to a roofline max().
    t_gemm = weights_t + tokens * 2 * s.active_params / compute
    t_attn = np.maximum(kv_read / bandwidth, tokens * 4 * s.layers * s.attn_width * context / compute)
    return t_gemm + t_attn + s.step_overhead_s + batch * s.seq_overhead_s + _comm_s(s, tokens)


def prefill_s(s: Setup, prompt_tokens) -> np.ndarray:
    """Compute-bound prefill of one prompt (linear layers plus causal attention)."""
    p = np.asarray(prompt_tokens, dtype=float)
    flops = 2 * s.active_params * p + 2 * s.layers * s.attn_width * p * p
    return flops / (s.parallel * s.peak_tflops * 1e12 * prefill_efficiency(s))


def prefill_weights_s(s: Setup, prompt_tokens) -> np.ndarray:
    """Weights one prefill of ``prompt_tokens`` reads (the experts its tokens touch): its time floor when no
    other work shares the pass (a lone request's TTFT)."""
    p = np.maximum(np.asarray(prompt_tokens, dtype=float), 1.0)
    share = np.where(s.experts_total > 0, s.experts_active / np.maximum(s.experts_total, 1), 0.0)
    touched = 1 - (1 - share) ** p
    bytes_ = (s.total_params - s.expert_params + s.expert_params * touched / s.moe_bw_scale) * s.weight_bytes_per_param
    return bytes_ / (s.parallel * s.mem_bw_tb_s * 1e12 * s.eta_bw)


def accepted_per_step(draft_tokens, acceptance) -> np.ndarray:
    """Expected tokens emitted per target step with k draft tokens accepted i.i.d. with rate a."""
    k = np.asarray(draft_tokens, dtype=float)
    a = np.clip(np.asarray(acceptance, dtype=float), 0.0, 0.999)
    return np.where(k > 0, (1 - a ** (k + 1)) / (1 - a), 1.0)


class _Workload:
    """What the load model needs that does not depend on the load: computed once per request shape."""

    def __init__(self, s: Setup, input_tokens, output_tokens, samples, prefix_cache, draft_tokens, acceptance):
        self.i = np.asarray(input_tokens, dtype=float)
        self.o = np.maximum(np.asarray(output_tokens, dtype=float), 1.0)
        self.n = np.asarray(samples, dtype=float)
        self.kv_max = max_concurrency(s, self.i, self.o)
        k = np.asarray(draft_tokens, dtype=float)
        self.spec = k > 0
        self.accepted = accepted_per_step(k, acceptance)
        self.context = self.i + self.o / 2
        self.tokens_per_seq = np.where(self.spec, k + 1, 1.0)
        self.draft_cost = 1 + DRAFT_COST_PER_TOKEN * k
        self.prefill_one = prefill_s(s, self.i) / s.user_scale
        self.prefills_per_request = np.where(prefix_cache, 1.0, self.n)
        self.kv_per_seq = kv_bytes_per_sequence(s, self.context)
        self.weights = weight_bytes(s)
        cap = np.where(
            self.spec & (s.spec_max_running > 0), np.minimum(s.spec_max_running, s.max_running), s.max_running
        )
        # Sequences the engine runs at once: the cap, the KV cache, and the prefill budget. Each step prefills at
        # most max_batched_tokens - b tokens (decode tokens count against the budget), so b sequences of o tokens
        # are replaced no faster than that: b <= samples x o x budget / (prompt + samples x o). Long prompts on a
        # small budget (32k prompts, 2048 tokens per step on A100) run a few sequences, not the cap.
        per_request = self.i * np.where(prefix_cache, 1.0, self.n) + self.n * self.o
        prefill_bound = np.maximum(self.n * self.o * s.max_batched_tokens / per_request, 1.0)
        self.slots = np.minimum(np.minimum(self.kv_max, cap), np.floor(prefill_bound))
        self.chunk_steps = np.ceil(np.maximum(self.i, 1.0) / np.maximum(s.max_batched_tokens, 1.0))
        # a request's own prefill (TTFT): compute, or the weights it reads, plus the engine's fixed TTFT cost
        self.first_floor = (
            np.maximum(
                self.prefill_one,
                prefill_weights_s(s, np.minimum(self.i, s.max_batched_tokens)) * self.chunk_steps / s.user_scale,
            )
            + s.ttft_overhead_s
        )

        # decode_step_s as A + B b + E (1 - exp(L b)): the setup and shape parts once, so a batch costs 6 operations
        tps = self.tokens_per_seq
        share = np.where(s.experts_total > 0, s.experts_active / np.maximum(s.experts_total, 1), 0.0)
        bandwidth = s.parallel * s.mem_bw_tb_s * 1e12 * s.eta_bw
        compute = s.parallel * s.peak_tflops * 1e12 * gemm_efficiency(s)
        multi = (s.gpus > 1) & (s.parallel > 1)
        ep = s.expert_parallel > 0
        lat = s.allreduce_latency_s
        per_seq_link = tps * s.hidden_size * 2 / (s.link_gb_s * 1e9)
        moe_link = np.where(
            ep, 2 * per_seq_link * np.maximum(s.experts_active, 1) / np.maximum(s.gpus, 1), per_seq_link
        )
        comm0 = np.where(multi, s.comm_scale * s.layers * (lat + np.where(ep, 2 * lat, lat)), 0.0)
        comm1 = np.where(multi, s.comm_scale * s.layers * (per_seq_link + moe_link), 0.0)
        attn = np.maximum(self.kv_per_seq / bandwidth, tps * 4 * s.layers * s.attn_width * self.context / compute)
        self._a = s.step_overhead_s + (s.total_params - s.expert_params) * s.weight_bytes_per_param / bandwidth + comm0
        self._b = tps * 2 * s.active_params / compute + attn + comm1 + s.seq_overhead_s
        self._e = s.expert_params * s.weight_bytes_per_param / (s.moe_bw_scale * bandwidth)
        self._l = tps * np.log1p(-np.minimum(share, 0.999999))
        self._f_step = self.draft_cost / s.user_scale
        self._f_tok = self._f_step / self.accepted
        # constants of the Poisson formulas (_at_batch)
        self.p = self.prefill_one * self.prefills_per_request  # prefill time of one request
        self.top = np.maximum(self.slots, 1.0)
        self.p_per_tok = self.p / (self.n * self.o)
        self.first_base = np.maximum(self.p, self.first_floor)
        x_max = self.top / (self.n * (self.o * self.token_time(s, self.top) + self.top * self.p))
        self.inv_x_max = 1.0 / np.minimum(x_max, 1.0 / np.maximum(s.admission_s, 1e-9))
        self.slots_req = np.maximum(self.slots / self.n, 1e-9)

    SUBSET_FIELDS = (
        "_a",
        "_b",
        "_e",
        "_l",
        "_f_tok",
        "_f_step",
        "p_per_tok",
        "accepted",
        "first_base",
        "chunk_steps",
        "o",
        "n",
        "inv_x_max",
        "p",
        "slots_req",
        "top",
    )

    def subset(self, mask: np.ndarray) -> _Workload:
        """The elements where ``mask`` (full broadcast shape) is set, as a flat workload for ``_at_batch`` and
        ``_batch_for_targets``: re-solving a few elements does not recompute the whole grid."""
        sub = object.__new__(_Workload)
        for name in self.SUBSET_FIELDS:
            setattr(sub, name, np.broadcast_to(getattr(self, name), mask.shape)[mask])
        return sub

    def _raw_step(self, batch) -> np.ndarray:
        b = np.maximum(batch, 1.0)
        return self._a + self._b * b + self._e * (1.0 - np.exp(self._l * b))

    def token_time(self, s: Setup, batch) -> np.ndarray:
        """Decode time per generated token of one sequence with ``batch`` sequences running (no prefill)."""
        return self._raw_step(batch) * self._f_tok

    def step(self, s: Setup, batch) -> np.ndarray:
        return self._raw_step(batch) * self._f_step


@dataclass(frozen=True)
class LoadEstimate:
    """A replica under one load; times in seconds, rates per second; 0 / inf where the model does not fit."""

    fits: np.ndarray
    max_concurrency: np.ndarray  # sequences whose KV cache fits
    running: np.ndarray  # sequences in flight (mean)
    output_tokens_per_s: np.ndarray
    request_throughput_per_s: np.ndarray
    ttft_s: np.ndarray  # mean
    ttft_p99_s: np.ndarray
    tpot_s: np.ndarray  # mean
    e2e_s: np.ndarray  # mean
    e2e_p99_s: np.ndarray
    utilization: np.ndarray  # offered / sustainable request rate (Poisson), 1 under a burst or closed loop


def _mean_ramp(alpha, beta, count):
    """Mean over k in [0, count) of max(0, alpha k - beta) (continuous approximation)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k0 = np.where(alpha > 0, np.clip(beta / alpha, 0, count), count)
        return np.where(count > 0, np.maximum(alpha, 0) * (count - k0) ** 2 / (2 * np.maximum(count, 1)), 0.0)


def _tail(mean_wait, p_wait, q):
    """q-quantile of a wait that is 0 with probability 1 - p_wait and else exponential with the given mean."""
    pw = np.maximum(p_wait, 1e-12)
    return np.maximum(np.log(pw / (1 - q)), 0.0) * (mean_wait / pw)


def _normal_sf(x):
    """P(Z > x) for a standard normal, by the logistic approximation 1 / (1 + exp(1.702 x)) (error < 0.01):
    three array operations, on the planner's path."""
    return 1.0 / (1.0 + np.exp(np.clip(1.702 * np.asarray(x, dtype=float), -50.0, 50.0)))


def _at_batch(s: Setup, w: _Workload, n, q: float):
    """Poisson arrivals whose mean running batch is n sequences: the rate (Little's law, rate = n / (samples
    x D(n))) and (rate, tpot, tpot_q, ttft, ttft_q, util) with M/D/1 prefill waits, a normal-approximation
    slot wait and exponential tails for the q-quantiles."""
    t_n = w.token_time(s, n)
    tpot = t_n + n * w.p_per_tok
    step = t_n * w.accepted
    base = np.maximum(w.first_base, w.chunk_steps * step) + step  # own prefill and first token
    d = base + (w.o - 1) * tpot
    lam = n / (w.n * d)
    util = lam * w.inv_x_max
    rho_p = np.minimum(lam * w.p, 0.999)
    w_pf = lam * w.p * w.p / (2 * (1 - rho_p))
    a = lam * d  # requests in service
    gap = w.slots_req - a
    p_slot = _normal_sf(gap / np.sqrt(np.maximum(a, 1e-9)))
    w_slot = p_slot * d / np.maximum(gap, 1.0)
    ttft = base + w_pf + w_slot
    ttft_q = np.maximum(base + _tail(w_pf, rho_p, q) + _tail(w_slot, p_slot, q), ttft)
    n_q = np.minimum(n + Z[q] * np.sqrt(n), w.top)
    tpot_q = w.token_time(s, n_q) + n_q * w.p_per_tok
    return lam, tpot, tpot_q, ttft, ttft_q, util


def _poisson(s: Setup, w: _Workload, rate, q: float):
    """Stable Poisson arrivals at ``rate`` requests/s: the mean batch n = rate x samples x D(n) by a few
    fixed-point passes, then ``_at_batch``; returns (n, tpot, tpot_q, ttft, ttft_q, util)."""
    lam = np.asarray(rate, dtype=float)
    p = w.prefill_one * w.prefills_per_request
    n = np.clip(lam * w.n * (p + w.o * w.token_time(s, 1.0)), 1.0, np.maximum(w.slots, 1.0))
    for _ in range(4):
        tpot = w.token_time(s, n) + n * p / (w.n * w.o)
        n = np.clip(lam * w.n * (p + w.o * tpot), 1.0, np.maximum(w.slots, 1.0))
    _, tpot, tpot_q, ttft, ttft_q, _ = _at_batch(s, w, n, q)
    return n, tpot, tpot_q, ttft, ttft_q, lam * w.inv_x_max


def load_estimate(
    s: Setup,
    input_tokens,
    output_tokens,
    *,
    concurrency=math.inf,
    num_prompts=math.inf,
    request_rate=math.inf,
    samples=1,
    prefix_cache=True,
    draft_tokens=0,
    acceptance=0.0,
    output_cv=0.0,
    workload: _Workload | None = None,
) -> LoadEstimate:
    """A replica under load: ``concurrency`` C requests in flight (closed loop), ``num_prompts`` N (with
    C infinite and no rate: all at once), or Poisson arrivals at ``request_rate`` (finite N: a benchmark of N
    requests; infinite N: steady state, inf latency where the rate exceeds what the replica sustains).
    ``output_cv``: spread (coefficient of variation) of output lengths; a benchmark of N requests lasts until its
    longest output ends, about O x cv x (ln m + 0.58 - 1) tokens beyond the mean for m requests in the last wave,
    decoded almost alone (ShareGPT: about 1; fixed lengths with --ignore-eos: 0)."""
    w = workload or _Workload(s, input_tokens, output_tokens, samples, prefix_cache, draft_tokens, acceptance)
    conc = np.asarray(concurrency, dtype=float)
    n_prompts = np.asarray(num_prompts, dtype=float)
    lam = np.asarray(request_rate, dtype=float)
    fits = w.kv_max >= 1
    p = w.prefill_one * w.prefills_per_request
    in_flight = np.minimum(conc, n_prompts) * w.n  # sequences the client keeps in flight
    b = np.maximum(np.minimum(w.slots, in_flight), 1.0)
    slots_req = np.maximum(w.slots / w.n, 1.0)
    t_tok = w.token_time(s, b)
    step = w.step(s, b)
    x = b / (w.n * (w.o * t_tok + b * p))  # requests/s at occupancy b
    x = np.minimum(x, 1.0 / np.maximum(s.admission_s, 1e-9))  # the API server admits requests one at a time
    # Prefills of other requests interleave with a request's decode: with b sequences running, the other b/n - 1
    # requests turn over once during its decode; the first wave of a burst starts together, so on average half
    # of that wave's prefills come after a request's first token.
    n_total = np.where(np.isfinite(n_prompts), n_prompts, np.inf)
    first_share = np.where(np.isfinite(n_total), np.minimum(b / w.n / np.maximum(n_total, 1.0), 1.0), 0.0)
    others = np.maximum(b - w.n, 0.0) * (1.0 - 0.5 * first_share)
    tpot = t_tok + others * p / (w.n * w.o)
    first = np.maximum(np.maximum(p, w.chunk_steps * step), w.first_floor)  # at least one chunk per step
    d = first + step + (w.o - 1) * tpot
    # Queue for slots: arrivals at k / rate (all at once when the rate is infinite); a closed loop of conc < n_prompts
    # requests keeps conc - slots of them waiting in the engine.
    closed = np.isfinite(conc) & (conc < n_prompts) & ~np.isfinite(lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_rate = np.where(np.isfinite(lam), 1.0 / lam, 0.0)
        alpha = 1.0 / x - inv_rate
        beta = (slots_req - 1.0) / x
        count = np.where(np.isfinite(n_prompts), n_prompts, 0.0)
        slot_mean = _mean_ramp(alpha, beta, count)
        slot_q = np.maximum(0.0, alpha * 0.99 * count - beta)
        wave = np.minimum(np.minimum(count, slots_req), np.where(np.isfinite(conc), conc, np.inf))
        # The first wave's prompts are prefilled max_batched_tokens per step, each step also decoding the batch.
        per_prompt = p + w.i / np.maximum(s.max_batched_tokens, 1.0) * step + s.admission_s
        pf_mean = _mean_ramp(per_prompt - inv_rate, 0.0, wave) * wave / np.maximum(count, 1)
        pf_q = np.where(0.99 * count < wave, np.maximum(0.0, (per_prompt - inv_rate) * 0.99 * count), 0.0)
        closed_wait = np.maximum(np.where(np.isfinite(conc), conc, 0.0) - slots_req, 0.0) / x
        rho_p = np.minimum(x * p, 0.999)
        closed_pf = x * p * p / (2 * (1 - rho_p))
    ttft_burst = first + step + slot_mean + pf_mean
    ttft_burst_q = first + step + slot_q + pf_q
    ttft_closed = first + step + closed_wait + closed_pf + pf_mean
    ttft_closed_q = first + step + closed_wait + _tail(closed_pf, rho_p, 0.99) + pf_q
    span = np.maximum(np.where(np.isfinite(n_prompts), n_prompts, 0.0) / x, np.maximum(count - slots_req, 0.0) / x + d)
    span = np.maximum(span, np.where(np.isfinite(lam), count * inv_rate + d, 0.0))
    last_wave = np.maximum(np.minimum(count, slots_req), 1.0)
    span = span + w.o * np.asarray(output_cv, dtype=float) * np.maximum(np.log(last_wave) - 0.4228, 0.0) * w.token_time(
        s, 1.0
    )
    finite_tok = count * w.n * w.o / np.maximum(span, 1e-12)
    ttft = np.where(closed, ttft_closed, ttft_burst)
    ttft_q = np.maximum(np.where(closed, ttft_closed_q, ttft_burst_q), ttft)
    tok = np.where(np.isfinite(n_prompts), finite_tok, x * w.n * w.o)
    req = tok / (w.n * w.o)
    tpot_mean, tpot_q, running, util = tpot, tpot, b, np.ones_like(tok)
    # Poisson arrivals the replica sustains: the steady-state queue model instead of the ramp.
    poisson = np.isfinite(lam)
    if np.any(poisson):
        lam_safe = np.where(poisson, lam, 0.0)
        pn, ptpot, ptpot_q, pttft, pttft_q, putil = _poisson(s, w, lam_safe, 0.99)
        stable = poisson & (putil < 0.98)
        tpot_mean = np.where(stable, ptpot, tpot_mean)
        tpot_q = np.where(stable, ptpot_q, tpot_q)
        ttft = np.where(stable, pttft, ttft)
        ttft_q = np.where(stable, pttft_q, ttft_q)
        running = np.where(stable, pn, running)
        req = np.where(stable, lam_safe, req)
        tok = np.where(stable, lam_safe * w.n * w.o, tok)
        util = np.where(poisson, putil, util)
        unbounded = poisson & ~stable & ~np.isfinite(n_prompts)
        ttft = np.where(unbounded, np.inf, ttft)
        ttft_q = np.where(unbounded, np.inf, ttft_q)
    zero = np.zeros_like(tok)
    return LoadEstimate(
        fits=np.broadcast_to(fits, tok.shape).copy(),
        max_concurrency=np.broadcast_to(w.kv_max, tok.shape).copy(),
        running=np.where(fits, running, zero),
        output_tokens_per_s=np.where(fits, tok, zero),
        request_throughput_per_s=np.where(fits, req, zero),
        ttft_s=np.where(fits, ttft, np.inf),
        ttft_p99_s=np.where(fits, ttft_q, np.inf),
        tpot_s=np.where(fits, tpot_mean, np.inf),
        e2e_s=np.where(fits, ttft + (w.o - 1) * tpot_mean, np.inf),
        e2e_p99_s=np.where(fits, ttft_q + (w.o - 1) * tpot_q, np.inf),
        utilization=np.where(fits, util, zero),
    )


@dataclass(frozen=True)
class ServingEstimate:
    fits: np.ndarray
    max_concurrency: np.ndarray
    concurrency: np.ndarray
    output_tokens_per_s: np.ndarray  # whole replica
    output_tokens_per_s_per_gpu: np.ndarray
    output_tokens_per_s_per_user: np.ndarray
    requests_per_s: np.ndarray
    ttft_s: np.ndarray
    tpot_s: np.ndarray
    latency_s: np.ndarray  # one request end to end (its samples run in parallel); p95 from estimate_for_latency
    memory_gb_per_gpu: np.ndarray
    calibrated_by_user: np.ndarray  # True where a user calibration (vllm bench result) scales the estimate
    ttft_p95_s: np.ndarray | None = None  # estimate_for_latency: at the Poisson rate it sizes for
    utilization: np.ndarray | None = None  # estimate_for_latency: share of the replica's capacity that rate uses


def _serving_estimate(
    s: Setup, w: _Workload, est: LoadEstimate, requests_per_s, latency, ttft, **extra
) -> ServingEstimate:
    fits = est.fits
    zero = np.zeros_like(est.output_tokens_per_s)
    tok = requests_per_s * w.n * w.o
    mem = (w.weights + est.running * w.kv_per_seq) / s.gpus / 1e9 + ACTIVATION_RESERVE_GB_PER_GPU
    return ServingEstimate(
        fits=fits,
        max_concurrency=est.max_concurrency,
        concurrency=np.where(fits, est.running, 0.0),
        output_tokens_per_s=np.where(fits, tok, zero),
        output_tokens_per_s_per_gpu=np.where(fits, tok / s.gpus, zero),
        output_tokens_per_s_per_user=np.where(fits, 1.0 / est.tpot_s, zero),
        requests_per_s=np.where(fits, requests_per_s, zero),
        ttft_s=np.where(fits, ttft, np.inf),
        tpot_s=est.tpot_s,
        latency_s=np.where(fits, latency, np.inf),
        memory_gb_per_gpu=np.where(fits, mem, w.weights / s.gpus / 1e9 + ACTIVATION_RESERVE_GB_PER_GPU),
        calibrated_by_user=np.broadcast_to(s.calibrated > 0, np.shape(tok)).copy(),
        **extra,
    )


def estimate(
    s: Setup,
    input_tokens,
    output_tokens,
    concurrency=None,
    *,
    samples=1,
    prefix_cache=True,
    draft_tokens=0,
    acceptance=0.0,
) -> ServingEstimate:
    """Steady state of a replica with ``concurrency`` requests in flight (None: as many as the engine runs).

    A request is ``samples`` sequences of ``output_tokens`` each sharing one prompt; with prefix caching
    the prompt is prefilled once per request, otherwise once per sample.
    """
    w = _Workload(s, input_tokens, output_tokens, samples, prefix_cache, draft_tokens, acceptance)
    c = (
        np.where(np.isfinite(w.slots), w.slots / w.n, 1.0)
        if concurrency is None
        else np.asarray(concurrency, dtype=float)
    )
    c = np.minimum(c, np.maximum(w.slots / w.n, 1.0))
    est = load_estimate(s, input_tokens, output_tokens, concurrency=c, workload=w)
    return _serving_estimate(s, w, est, est.request_throughput_per_s, est.e2e_s, est.ttft_s)


def estimate_for_latency(
    s: Setup,
    input_tokens,
    output_tokens,
    latency_target_s,
    *,
    samples=1,
    prefix_cache=True,
    draft_tokens=0,
    acceptance=0.0,
    ttft_target_s=math.inf,
    quantile=0.95,
) -> ServingEstimate:
    """The highest Poisson request rate per replica at which the ``quantile`` end-to-end latency meets
    ``latency_target_s`` and the same quantile of TTFT meets ``ttft_target_s``.

    Search over the mean running batch n (rate = n / (samples D(n)) by Little's law, so no fixed point is
    needed): each constraint solved for n in closed form with the decode step linear in the batch (the MoE
    expert term at the batch of a first pass) and the queueing tails left out, then checked exactly with the
    tails; where a target is missed, the secant between one sequence and that batch (the tails are convex, so
    it lands at or below the batch that meets it), then 20% back-offs for what remains (rare). ``latency_s`` is
    that p95 end-to-end latency, ``ttft_p95_s`` the p95 TTFT, ``utilization`` the rate over the replica's capacity
    (1 - utilization: its headroom).
    Where even one sequence misses, the one-sequence rate is returned (its latency shows by how much).
    """
    w = _Workload(s, input_tokens, output_tokens, samples, prefix_cache, draft_tokens, acceptance)
    target = np.asarray(latency_target_s, dtype=float)
    ttft_target = np.asarray(ttft_target_s, dtype=float)

    n = _batch_for_targets(w, target, ttft_target, quantile)
    out = _at_batch(s, w, n, quantile)
    e2e, ttft_q, miss = misses(w, out, target, ttft_target)
    miss &= n > 1
    if np.any(miss):
        # The closed form leaves out the queueing tails; they grow with the batch, so solving again with the
        # targets lowered by the tails at this batch lands at or below the batch that meets them. Only the
        # elements that missed are solved again.
        sub = w.subset(miss)
        t_sub = np.broadcast_to(target, miss.shape)[miss]
        f_sub = np.broadcast_to(ttft_target, miss.shape)[miss]
        n_sub = _batch_for_targets(
            sub,
            t_sub - np.maximum(e2e[miss] - t_sub, 0.0) * 1.05,
            f_sub - np.maximum(ttft_q[miss] - f_sub, 0.0) * 1.05,
            quantile,
        )
        n_sub = np.minimum(n_sub, n[miss] * 0.95)
        out_sub = _at_batch(s, sub, n_sub, quantile)
        for _ in range(BACKOFF_STEPS):  # what remains (rare): back off 20%
            again = misses(sub, out_sub, t_sub, f_sub)[2] & (n_sub > 1)
            if not np.any(again):
                break
            n_sub = np.where(again, np.maximum(n_sub * 0.8, 1.0), n_sub)
            out_sub = _at_batch(s, sub, n_sub, quantile)
        n = n.copy()
        n[miss] = n_sub
        full = []
        for whole, part in zip(out, out_sub, strict=False):
            whole = np.array(np.broadcast_to(whole, miss.shape))
            whole[miss] = part
            full.append(whole)
        out = tuple(full)
    rate, tpot, tpot_q, ttft, ttft_q, util = out
    fits = np.broadcast_to(w.kv_max >= 1, rate.shape)
    est = LoadEstimate(
        fits=fits,
        max_concurrency=np.broadcast_to(w.kv_max, rate.shape),
        running=n,
        output_tokens_per_s=rate * w.n * w.o,
        request_throughput_per_s=rate,
        ttft_s=ttft,
        ttft_p99_s=ttft_q,
        tpot_s=tpot,
        e2e_s=ttft + (w.o - 1) * tpot,
        e2e_p99_s=ttft_q + (w.o - 1) * tpot_q,
        utilization=util,
    )
    return _serving_estimate(
        s,
        w,
        est,
        rate,
        est.e2e_p99_s,
        ttft,
        ttft_p95_s=np.where(fits, ttft_q, np.inf),
        utilization=np.where(fits, util, 0.0),
    )


def misses(w: _Workload, out, target, ttft_target):
    """(e2e quantile, TTFT quantile, where a target or the utilisation cap is missed) of ``_at_batch`` output."""
    _, _, tpot_q, _, ttft_q, util = out
    e2e = ttft_q + (w.o - 1) * tpot_q
    return e2e, ttft_q, ~((e2e <= target) & (ttft_q <= ttft_target) & (util < MAX_UTILIZATION))


def _batch_for_targets(w: _Workload, target, ttft_target, quantile: float) -> np.ndarray:
    """Mean running batch meeting the e2e and TTFT quantile targets and the utilisation cap, without the
    queueing tails: with the share u of experts touched held fixed the decode step A + B m + E u is linear in
    the batch, so each constraint has a closed form; u is then updated at the new batch (four passes, the last
    two averaged in log space: the fixed point of the tail-free equations)."""
    f, acc, o1 = w._f_tok, w.accepted, w.o - 1
    g = acc + o1  # the first token's step plus the rest of the output
    first = w.first_base
    top = w.top
    z = Z[quantile]
    x_cap = 0.99 * MAX_UTILIZATION / w.inv_x_max  # just inside the cap (the exact check is strict)
    slope = g * f * w._b + o1 * w.p_per_tok
    budget = np.minimum(ttft_target - first, ttft_target / (w.chunk_steps + 1))
    k = x_cap * w.n
    experts = w._e > 0  # only these rows' step moves with u: the others are solved in the first pass, row by row
    u = np.ones_like(top)
    n = top
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for step in range(4 if np.any(experts) else 1):
            fixed = f * (w._a + w._e * u)
            m = (target - first - g * fixed) / slope  # batch at the quantile
            root = (-z + np.sqrt(z * z + 4 * np.maximum(m, 0.0))) / 2
            n_ttft = (budget / (acc * f) - w._a - w._e * u) / w._b
            d0 = first + g * fixed
            n_util = np.where(k * slope < 1, k * d0 / (1 - k * slope), np.inf)
            new = np.minimum(np.minimum(root * root, n_ttft), np.minimum(n_util, top))
            new = np.clip(np.where(np.isnan(new), 1.0, new), 1.0, top)
            n = np.where(experts, np.sqrt(n * new), new) if step >= 2 else new
            u = 1.0 - np.exp(w._l * np.minimum(n + z * np.sqrt(n), top))
    return n


def simulate_poisson(
    s: Setup, input_tokens: float, output_tokens: float, rate: float, requests: int, *, replicas: int = 1, seed: int = 0
) -> dict:
    """Step-by-step simulation of continuous batching under Poisson arrivals (one column of ``s``).

    Each replica (requests assigned round-robin) runs engine steps: admit waiting requests while slots and KV
    allow, give the step a prefill budget of max_batched_tokens tokens (first come first served, chunked),
    decode one token for every running sequence whose prefill is done; a step lasts the decode step of the
    running batch plus the prefill chunk's compute. Returns mean and p50/p95/p99 TTFT and end-to-end latency
    in seconds. For tests and benchmarks (a Python loop), not for the planner.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / rate, size=requests))
    w = _Workload(s, input_tokens, output_tokens, 1, True, 0, 0.0)
    slots = int(w.slots[0])
    budget = float(s.max_batched_tokens[0])
    per_token_prefill = float(w.prefill_one[0]) / max(float(input_tokens), 1.0)
    o = int(max(output_tokens, 1))
    ttft = np.full(requests, np.nan)
    done = np.full(requests, np.nan)
    for r in range(replicas):
        mine = arrivals[r::replicas]
        idx = np.arange(requests)[r::replicas]
        t, nxt = 0.0, 0
        queue: list[int] = []
        running: dict[int, list] = {}  # request -> [prefill tokens left, tokens generated]
        while nxt < len(mine) or queue or running:
            if not queue and not running:
                t = max(t, mine[nxt])
            while nxt < len(mine) and mine[nxt] <= t:
                queue.append(nxt)
                nxt += 1
            while queue and len(running) < slots:
                running[queue.pop(0)] = [float(input_tokens), 0]
            left = budget
            chunk = 0.0
            for state in running.values():
                if state[0] > 0 and left > 0:
                    take = min(state[0], left)
                    state[0] -= take
                    left -= take
                    chunk += take
            decoding = [k for k, v in running.items() if v[0] <= 0]
            step = float(w.step(s, max(len(decoding), 1))[0]) if decoding else 0.0
            t += step + chunk * per_token_prefill
            for k in decoding:
                state = running[k]
                state[1] += 1
                if state[1] == 1:
                    ttft[idx[k]] = t - mine[k]
                if state[1] >= o:
                    done[idx[k]] = t - mine[k]
                    del running[k]

    def q(a, x):
        return float(np.nanpercentile(a, x))

    return {
        "ttft_mean_s": float(np.nanmean(ttft)),
        "ttft_p95_s": q(ttft, 95),
        "ttft_p99_s": q(ttft, 99),
        "e2e_mean_s": float(np.nanmean(done)),
        "e2e_p50_s": q(done, 50),
        "e2e_p95_s": q(done, 95),
        "e2e_p99_s": q(done, 99),
        "requests": requests,
        "replicas": replicas,
        "rate_per_s": rate,
    }
