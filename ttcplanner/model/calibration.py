"""User calibration: scale the serving estimate by what the user measured with ``vllm bench serve``.

``vllm bench serve --save-result`` (vllm/benchmarks/serve.py; before that benchmarks/benchmark_serving.py)
writes one JSON object: the run's settings (``model_id``, ``num_prompts``, ``request_rate`` -- a number or
"inf" --, ``burstiness``, ``max_concurrency`` -- null when unlimited) merged with its metrics (``duration``,
``completed``, ``total_input_tokens``, ``total_output_tokens``, ``request_throughput``,
``output_throughput``, ``total_token_throughput``, ``mean_ttft_ms``, ``mean_tpot_ms`` ...; ``input_lens`` and
``output_lens`` arrays only with ``--save-detailed``). We read the throughput and the mean request shape,
predict the same setting with the fitted model, and keep the ratio as ``UserCalibration.throughput_scale``;
``serving.build_setup`` applies it to that (model, hardware, GPU count, precision) only.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from pathlib import Path
from typing import Any

import numpy as np

from ttcplanner.model import serving
from ttcplanner.model.catalog import PRECISIONS, SCHEMA_VERSION, Catalog, UserCalibration, entry_to_json, load_file
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import finite_number, make_folder, read_input_text, read_json, write_json_atomic

USER_CALIBRATIONS_FILE = "user_calibrations.json"
# Older benchmark_serving.py versions and forks used other names for the same figures.
ALIASES = {
    "completed": ("completed", "successful_requests", "num_completed"),
    "output_throughput": ("output_throughput", "output_token_throughput", "output_tokens_per_second"),
    "total_output_tokens": ("total_output_tokens", "total_output", "total_generated_tokens"),
    "total_input_tokens": ("total_input_tokens", "total_input"),
    "duration": ("duration", "benchmark_duration", "duration_s"),
}


MAX_REQUESTS = 100_000_000  # a benchmark run of more requests is not a run anyone made
MAX_CONCURRENCY = 1_000_000
PLAUSIBLE_SCALE = (1 / 3, 3.0)  # a measurement further from the fitted model than this needs --force


def _number(
    data: dict,
    key: str,
    source: str,
    *,
    required: bool,
    minimum: float = 0.0,
    maximum: float | None = None,
    integer: bool = False,
) -> float | None:
    for name in ALIASES.get(key, (key,)):
        if name in data and data[name] is not None:
            return float(finite_number(data[name], name, source, minimum=minimum, maximum=maximum, integer=integer))
    if required:
        raise InputError("is missing (a `vllm bench serve --save-result` file has it)", field=key, source=source)
    return None


def _mean_of(data: dict, key: str, source: str) -> float | None:
    values = data.get(key)
    if values is None:
        return None
    if (
        not isinstance(values, list)
        or not values
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in values
        )
    ):
        raise InputError("must be a non-empty list of non-negative numbers", field=key, source=source)
    return float(np.mean(values))


def read_vllm_bench(path: str | Path) -> dict[str, Any]:
    """The essentials of one ``vllm bench serve`` result file, with units in the names.

    Returns output_tokens_per_s, completed, mean_input_tokens, mean_output_tokens, max_concurrency (None:
    unlimited), request_rate_per_s (inf: all at once), model_id, and the optional mean_ttft_s, mean_tpot_s,
    total_tokens_per_s, duration_s. A file lacking throughput, the request count or the token totals raises
    InputError naming the key.
    """
    source = str(path)
    data = read_json(path, "vllm bench result")
    if not isinstance(data, dict):
        raise InputError("must be a JSON object written by `vllm bench serve --save-result`", source=source)
    completed = _number(data, "completed", source, required=True, maximum=MAX_REQUESTS, integer=True)
    if completed < 1:
        raise InputError("no request completed; nothing to calibrate on", field="completed", source=source)
    duration = _number(data, "duration", source, required=False)
    total_out = _number(data, "total_output_tokens", source, required=False)
    mean_out = _mean_of(data, "output_lens", source)
    total_in = _number(data, "total_input_tokens", source, required=False)
    mean_in = _mean_of(data, "input_lens", source)
    throughput = _number(data, "output_throughput", source, required=False)
    if throughput is None and total_out is not None and duration:
        throughput = total_out / duration
    if throughput is None:
        raise InputError(
            "is missing (a `vllm bench serve --save-result` file has it)", field="output_throughput", source=source
        )
    if total_out is None and mean_out is None:
        raise InputError("is missing (needed for the mean output length)", field="total_output_tokens", source=source)
    if total_in is None and mean_in is None:
        raise InputError("is missing (needed for the mean input length)", field="total_input_tokens", source=source)
    max_conc = data.get("max_concurrency")
    if max_conc is not None:  # a whole number: 1.5 is not a setting vLLM takes, and truncating it misleads
        max_conc = finite_number(max_conc, "max_concurrency", source, minimum=1, maximum=MAX_CONCURRENCY, integer=True)
    rate = data.get("request_rate", "inf")
    if rate == "inf" or rate is None:
        rate = math.inf
    else:
        rate = finite_number(rate, "request_rate", source, minimum=0, maximum=1e9)
        if rate <= 0:
            raise InputError(f'must be a positive number or "inf", got {rate!r}', field="request_rate", source=source)
    mean_ttft = _number(data, "mean_ttft_ms", source, required=False)
    mean_tpot = _number(data, "mean_tpot_ms", source, required=False)
    return {
        "output_tokens_per_s": throughput,
        "total_tokens_per_s": _number(data, "total_token_throughput", source, required=False),
        "completed": int(completed),
        "mean_input_tokens": mean_in if mean_in is not None else total_in / completed,
        "mean_output_tokens": mean_out if mean_out is not None else total_out / completed,
        "max_concurrency": int(max_conc) if max_conc is not None else None,
        "request_rate_per_s": float(rate),
        "model_id": data["model_id"] if isinstance(data.get("model_id"), str) else "",
        "mean_ttft_s": mean_ttft / 1000 if mean_ttft is not None else None,
        "mean_tpot_s": mean_tpot / 1000 if mean_tpot is not None else None,
        "duration_s": duration,
        "file_name": Path(path).name,
    }


class DoubtfulCalibration(InputError):
    """A calibration that computes but looks wrong; ``doubts`` says why, ``calibration`` is what saving
    it anyway would store (CLI: --force; GUI: a confirmation)."""

    def __init__(self, doubts: list[str], calibration: UserCalibration):
        self.doubts = list(doubts)
        self.calibration = calibration
        super().__init__(
            "this calibration looks wrong: "
            + "; ".join(doubts)
            + ". Check the file and the setup, or save it anyway with --force",
            field="calibration",
        )


def _same_model(served: str, model) -> bool:
    """vLLM names the model as served (openai/gpt-oss-120b, meta-llama/Llama-3.3-70B-Instruct): does it
    name the catalog model? Compared without organisation, case and punctuation."""

    def key(text: str) -> str:
        return "".join(ch for ch in text.rsplit("/", 1)[-1].lower() if ch.isalnum())

    name = key(served)
    return any(k and (k in name or name in k) for k in (key(model.id), key(model.name)))


def calibration_doubts(result: dict[str, Any], model, scale: float) -> list[str]:
    """Why a computed calibration looks wrong: empty when it looks right."""
    doubts = []
    lo, hi = PLAUSIBLE_SCALE
    if not lo <= scale <= hi:
        doubts.append(f"the measured throughput is {scale:.3g}x the model's estimate, outside {lo:.2f}x-{hi:g}x")
    served = result.get("model_id") or ""
    if served and not _same_model(served, model):
        doubts.append(f"the file's model_id {served!r} is not {model.id}")
    if not result.get("mean_output_tokens", 0) >= 1:
        doubts.append("the run produced no output tokens")
    return doubts


def calibrate(
    catalog: Catalog,
    result: dict[str, Any],
    model_id: str,
    hardware_id: str,
    gpus: int,
    precision: str,
    kv_precision: str | None = None,
    force: bool = False,
) -> UserCalibration:
    """Throughput scale = measured output tok/s / the (uncalibrated) estimate at the measured setting.

    The setting: mean input and output tokens of the run; concurrency = the run's max_concurrency when it
    set one, else the most that fit (a burst or an unlimited rate fills the KV cache). KV precision defaults
    to BF16 (vLLM's ``kv_cache_dtype=auto``). A result that looks wrong (``calibration_doubts``) raises
    DoubtfulCalibration unless ``force``.
    """
    model = catalog.get("open_models", model_id)
    gpu = catalog.get("gpus", hardware_id)
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 1:
        raise InputError(f"must be a whole number of at least 1, got {gpus!r}", field="gpus")
    prec = serving.precision_of(model, precision)
    if prec not in PRECISIONS:
        raise InputError(f"must be one of {', '.join(PRECISIONS)} or native, got {precision!r}", field="precision")
    measured = float(result["output_tokens_per_s"])
    if not measured > 0:
        raise InputError("measured output throughput must be above 0", field="output_throughput")
    uncalibrated = _without_user_calibrations(catalog)
    setup = serving.build_setup(uncalibrated, [(model, gpu, gpus)], prec, kv_precision or "bf16")
    est = serving.estimate(
        setup, result["mean_input_tokens"], result["mean_output_tokens"], result.get("max_concurrency")
    )
    if not bool(est.fits[0]):
        raise InputError(
            f"{model_id} does not fit {gpus} x {hardware_id} at {prec} in the model; cannot calibrate", field="model_id"
        )
    predicted = float(est.output_tokens_per_s[0])
    scale = measured / predicted if predicted > 0 else math.inf
    if not 0.01 <= scale <= 100:
        raise InputError(
            f"measured / estimated throughput is {scale:.3g}; outside 0.01-100, check the model, "
            "hardware and GPU count given",
            field="output_throughput",
        )
    name = result.get("file_name") or "result"
    today = _dt.date.today().isoformat()
    cal = UserCalibration(
        id=f"user-{model.id}-{gpu.id}-x{gpus}-{prec}",
        name=f"{model.name} on {gpus} x {gpu.name} ({prec}), vllm bench",
        source=f"user:vllm bench {name}",
        as_of=today,
        model_id=model.id,
        hardware_id=gpu.id,
        gpus=gpus,
        precision=prec,
        throughput_scale=round(scale, 6),
        measured_output_tokens_per_s=measured,
        input_tokens=float(result["mean_input_tokens"]),
        output_tokens=float(result["mean_output_tokens"]),
        concurrency=float(est.concurrency[0]),
    )
    doubts = calibration_doubts(result, model, scale)
    if doubts and not force:
        raise DoubtfulCalibration(doubts, cal)
    return cal


def _without_user_calibrations(catalog: Catalog) -> Catalog:
    import dataclasses

    return dataclasses.replace(catalog, user_calibrations={})


def save_user_calibration(cal: UserCalibration, folder: str | Path) -> Path:
    """Merge ``cal`` into <folder>/user_calibrations.json (same id replaces), written atomically."""
    folder = Path(folder)
    make_folder(folder, "folder")
    path = folder / USER_CALIBRATIONS_FILE
    entries: dict[str, Any] = {}
    if path.exists():
        kind, _, existing = load_file(path)
        if kind != "user_calibrations":
            raise InputError(f"holds kind {kind!r}, not user_calibrations", field="kind", source=str(path))
        entries.update({k: entry_to_json(v) for k, v in existing.items()})
    entries[cal.id] = entry_to_json(cal)
    write_json_atomic(
        path,
        {
            "schema_version": SCHEMA_VERSION,
            "kind": "user_calibrations",
            "as_of": cal.as_of,
            "entries": list(entries.values()),
        },
    )
    return path


# --- sweeps: several runs of one configuration refit its decode and prefill efficiencies -----------------

SWEEP_GRID = np.geomspace(0.1, 10.0, 81)  # multipliers tried on the decode and prefill efficiencies


def read_sglang_bench(path: str | Path) -> list[dict[str, Any]]:
    """Runs in an SGLang ``bench_serving --output-file`` file: one JSON object per line (each run appends one),
    with the vllm-bench names (output_throughput, completed, total_input_tokens, total_output_tokens,
    mean_ttft_ms, mean_tpot_ms, request_rate, max_concurrency, duration). Returns read_vllm_bench's essentials
    for each line."""
    import json

    source = str(path)
    text = read_input_text(path, "SGLang bench_serving output")
    runs = []
    for k, line in enumerate(t for t in text.splitlines() if t.strip()):
        try:
            data = json.loads(line, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError:
            raise InputError(
                "is not JSON (one object per line expected)", field=f"line {k + 1}", source=source
            ) from None
        if not isinstance(data, dict):
            raise InputError("must be a JSON object", field=f"line {k + 1}", source=source)
        runs.append(_essentials(data, f"{source} line {k + 1}", Path(path).name))
    if not runs:
        raise InputError("has no runs", source=source)
    return runs


def _essentials(data: dict, source: str, name: str) -> dict[str, Any]:
    """read_vllm_bench's fields from an already parsed result object."""
    completed = _number(data, "completed", source, required=True)
    if completed < 1:
        raise InputError("no request completed; nothing to calibrate on", field="completed", source=source)
    duration = _number(data, "duration", source, required=False)
    total_out = _number(data, "total_output_tokens", source, required=True)
    total_in = _number(data, "total_input_tokens", source, required=True)
    throughput = _number(data, "output_throughput", source, required=False)
    if throughput is None and duration:
        throughput = total_out / duration
    if throughput is None:
        raise InputError("is missing", field="output_throughput", source=source)
    max_conc = data.get("max_concurrency")
    if max_conc is not None and (isinstance(max_conc, bool) or not isinstance(max_conc, (int, float)) or max_conc < 1):
        raise InputError(
            f"must be null or a positive number, got {max_conc!r}"[:120], field="max_concurrency", source=source
        )
    rate = data.get("request_rate", "inf")
    rate = math.inf if rate in ("inf", None) else rate
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
        raise InputError(f'must be a positive number or "inf", got {rate!r}'[:120], field="request_rate", source=source)
    ttft = _number(data, "mean_ttft_ms", source, required=False)
    tpot = _number(data, "mean_tpot_ms", source, required=False)
    return {
        "output_tokens_per_s": throughput,
        "completed": int(completed),
        "mean_input_tokens": total_in / completed,
        "mean_output_tokens": total_out / completed,
        "max_concurrency": int(max_conc) if max_conc else None,
        "request_rate_per_s": float(rate),
        "mean_ttft_s": ttft / 1000 if ttft is not None else None,
        "mean_tpot_s": tpot / 1000 if tpot is not None else None,
        "file_name": name,
    }


def calibrate_sweep(
    catalog: Catalog,
    results: list[dict[str, Any]],
    model_id: str,
    hardware_id: str,
    gpus: int,
    precision: str,
    kv_precision: str | None = None,
    engine: str = "vllm",
) -> UserCalibration:
    """Refit one configuration's efficiencies on a sweep: multipliers on the decode efficiencies (bandwidth and
    tensor cores) and on the prefill efficiency, chosen on a grid to minimise the squared log errors of output
    tok/s, mean TPOT and mean TTFT over every run, each predicted at its own load (its concurrency, its rate, or
    all prompts at once) by serving.load_estimate."""
    if not results:
        raise InputError("no benchmark runs given", field="results")
    model = catalog.get("open_models", model_id)
    gpu = catalog.get("gpus", hardware_id)
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 1:
        raise InputError(f"must be a whole number of at least 1, got {gpus!r}", field="gpus")
    prec = serving.precision_of(model, precision)
    base = serving.build_setup(
        _without_user_calibrations(catalog), [(model, gpu, gpus)], prec, kv_precision or "bf16", engine
    )
    if serving.max_concurrency(base, results[0]["mean_input_tokens"], results[0]["mean_output_tokens"])[0] < 1:
        raise InputError(
            f"{model_id} does not fit {gpus} x {hardware_id} at {prec} in the model; cannot calibrate", field="model_id"
        )

    def col(key, missing=math.nan):
        return np.array([r[key] if r.get(key) is not None else missing for r in results], dtype=float)  # noqa: E731

    i, o = col("mean_input_tokens"), col("mean_output_tokens")
    conc, rate, n = col("max_concurrency", math.inf), col("request_rate_per_s", math.inf), col("completed")
    tok, tpot, ttft = col("output_tokens_per_s"), col("mean_tpot_s"), col("mean_ttft_s")
    d = SWEEP_GRID[:, None, None]
    p = SWEEP_GRID[None, :, None]
    s = dataclasses.replace(
        base,
        eta_bw=base.eta_bw * d,
        eta_flops=base.eta_flops * d,
        eta_prefill=base.eta_prefill * p,
        step_overhead_s=base.step_overhead_s / d,
        seq_overhead_s=base.seq_overhead_s / d,
        comm_scale=base.comm_scale / d,
        ttft_overhead_s=base.ttft_overhead_s / p,
    )
    est = serving.load_estimate(s, i, o, concurrency=conc, num_prompts=n, request_rate=rate)
    loss = np.zeros((SWEEP_GRID.size, SWEEP_GRID.size))
    for pred, meas in ((est.output_tokens_per_s, tok), (est.tpot_s, tpot), (est.ttft_s, ttft)):
        ok = np.isfinite(meas) & (meas > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            err = np.where(ok, np.log(np.maximum(pred, 1e-12) / np.where(ok, meas, 1.0)), 0.0)
        loss += np.sum(np.where(np.isfinite(err), err, 50.0) ** 2, axis=-1)
    di, pi = np.unravel_index(np.argmin(loss), loss.shape)
    names = ", ".join(sorted({r.get("file_name", "result") for r in results}))
    today = _dt.date.today().isoformat()
    return UserCalibration(
        id=f"user-{model.id}-{gpu.id}-x{gpus}-{prec}",
        name=f"{model.name} on {gpus} x {gpu.name} ({prec}), {engine} sweep",
        source=f"user:{engine} bench sweep {names}"[:300],
        as_of=today,
        model_id=model.id,
        hardware_id=gpu.id,
        gpus=gpus,
        precision=prec,
        throughput_scale=1.0,
        measured_output_tokens_per_s=float(np.nanmax(tok)),
        input_tokens=float(np.mean(i)),
        output_tokens=float(np.mean(o)),
        concurrency=float(np.nanmax(np.where(np.isfinite(conc), conc, n))),
        decode_scale=round(float(SWEEP_GRID[di]), 6),
        prefill_scale=round(float(SWEEP_GRID[pi]), 6),
        engine=engine,
        runs=len(results),
    )
