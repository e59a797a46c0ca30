"""Offline fit of the serving model's efficiency factors to published max-throughput runs.

    python -m ttcplanner.model.fit_serving /work/shared/data [--catalog DIR] [--out FILE] [--as-of DATE]

reads ``throughput_calibration.csv`` (8 published runs), predicts each at the benchmark setting
(``serving.estimate(..., concurrency=None)``: the most sequences whose KV cache fits) and picks, by an
exhaustive grid search, the factors that minimise the sum of squared log errors. Few parameters, so 8 rows
can pin them: one ``eta_bw`` per regime (the only factor that differs by regime), one tensor-core efficiency
shared by all regimes and used for both prefill and compute-bound decode (``eta_prefill = eta_flops``: the data
cannot separate them), and one ``step_overhead_s`` shared by all regimes. Bounds keep the values physical
(bandwidth 0.2-0.9 of the datasheet; tensor cores 0.3-0.8; overhead 0-10 ms). Leave-one-out predictions and a
held-out set from the same source document (other GPUs, models and sequence lengths, not used in the fit)
show how far the fit travels. numpy only; no network.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as _dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ttcplanner.model import serving
from ttcplanner.model.catalog import Catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import read_input_text, write_json_atomic

CALIBRATION_FILE = "throughput_calibration.csv"
TRTLLM_SOURCE = "https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/source/performance/perf-overview.md"
BOUNDS = {"eta_bw": (0.2, 0.9), "eta_tensor": (0.3, 0.8), "step_overhead_s": (0.0, 0.010)}
GRID_ETA_BW = np.round(np.arange(0.2, 0.9001, 0.0125), 4)
GRID_ETA_TENSOR = np.round(np.arange(0.3, 0.8001, 0.025), 4)
GRID_OVERHEAD_S = np.round(np.arange(0.0, 0.01001, 0.00025), 6)
REQUIRED_COLUMNS = ("row", "hardware", "gpus", "model", "precision", "input_tokens", "output_tokens",
                    "measured_total_output_tok_s", "engine", "source_url")


def kv_precision_for(engine: str) -> str:
    """KV-cache precision of a published run.

    TensorRT-LLM runs use NVIDIA's ModelOpt FP8/NVFP4 checkpoints, which quantise the KV cache to FP8 (an
    assumption: the perf-overview page does not print it). vLLM's default ``kv_cache_dtype=auto`` keeps BF16.
    """
    return "bf16" if "vllm" in engine.lower() else "fp8"


@dataclass(frozen=True)
class Run:
    """One published throughput measurement at max concurrency."""

    label: str
    hardware: str
    gpus: int
    model: str
    precision: str
    input_tokens: float
    output_tokens: float
    measured_tok_s: float
    engine: str
    source: str
    kv_precision: str
    note: str = ""


def read_calibration(data_dir: str | Path) -> list[Run]:
    path = Path(data_dir) / CALIBRATION_FILE
    text = read_input_text(path, "calibration file")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"column {missing[0]!r} is missing", source=str(path))
    runs = []
    for i, r in enumerate(reader):
        try:
            runs.append(Run(label=f"row {r['row']}", hardware=r["hardware"], gpus=int(r["gpus"]), model=r["model"],
                            precision=r["precision"], input_tokens=float(r["input_tokens"]),
                            output_tokens=float(r["output_tokens"]),
                            measured_tok_s=float(r["measured_total_output_tok_s"]), engine=r["engine"],
                            source=r["source_url"], kv_precision=kv_precision_for(r["engine"])))
        except (TypeError, ValueError):
            raise InputError("has a value that is not a number", field=f"line {i + 2}", source=str(path)) from None
    if not runs:
        raise InputError("has no rows", source=str(path))
    return runs


# Held out: same document and engine version as the calibration rows (TensorRT-LLM v1.0 perf overview,
# read at commit 00f37686aa854010d68bcbd0f4ab000221541ca6), other GPUs, models, TP sizes and sequence lengths.
# Never used in the fit.
_HELD_OUT = [
    ("h200", 1, "llama-3.1-8b", "fp8", 1000, 1000, 17744),
    ("h100-sxm", 1, "llama-3.1-8b", "fp8", 128, 2048, 22714),
    ("h100-sxm", 1, "llama-3.1-8b", "fp8", 5000, 500, 3459),
    ("h100-sxm", 2, "llama-3.3-70b", "fp8", 1000, 1000, 4205),
    ("h200", 1, "llama-3.3-70b", "fp8", 128, 2048, 4336),
    ("h200", 1, "llama-3.3-70b", "fp8", 5000, 500, 566),
    ("h200", 1, "llama-3.3-70b", "fp8", 20000, 2000, 283),
    ("b200", 1, "llama-3.3-70b", "fp4", 20000, 2000, 665),
    ("h200", 8, "llama-3.1-405b", "fp8", 1000, 1000, 3330),
    ("b200", 4, "llama-3.1-405b", "fp4", 1000, 1000, 5209),
    ("h100-sxm", 8, "qwen3-235b-a22b", "fp8", 1000, 1000, 14898),
    ("b200", 8, "qwen3-235b-a22b", "fp4", 1000, 1000, 42391),
    ("b200", 1, "qwen3-30b-a3b", "fp4", 1000, 1000, 25828),
]
HELD_OUT = [Run(label=f"{h} x{n} {m} {p} {i}/{o}", hardware=h, gpus=n, model=m, precision=p, input_tokens=i,
                output_tokens=o, measured_tok_s=v, engine="TensorRT-LLM (PyTorch backend, v1.0 docs)",
                source=TRTLLM_SOURCE, kv_precision="fp8") for h, n, m, p, i, o, v in _HELD_OUT]


def serving_catalog(*extra: str | Path | None) -> Catalog:
    """The catalog tables the serving model needs (GPUs, open models, serving factors), without the user's
    calibrations: the fit must see the shipped model only, and other tables' errors must not block it."""
    from ttcplanner.model.catalog import KINDS, load_file
    from ttcplanner.paths import catalog_dir

    tables: dict[str, dict] = {k: {} for k in KINDS}
    for folder in [catalog_dir()] + [Path(e) for e in extra if e]:
        for name in ("gpus", "open_models", "serving_factors"):
            path = folder / f"{name}.json"
            if path.is_file():
                kind, _, entries = load_file(path)
                tables[kind].update(entries)
    return Catalog(**tables, as_of=_dt.date.today().isoformat())


def stack_setup(catalog: Catalog, runs: list[Run]) -> serving.Setup:
    """One Setup with one column per run (each at its own weight and KV precision)."""
    parts = []
    for r in runs:
        model = catalog.get("open_models", r.model)
        gpu = catalog.get("gpus", r.hardware)
        parts.append(serving.build_setup(catalog, [(model, gpu, r.gpus)], r.precision, r.kv_precision))
    return serving.Setup(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                            for f in dataclasses.fields(serving.Setup)})


def regimes_of(setup: serving.Setup) -> np.ndarray:
    return serving.regime_of(setup.experts_total > 0, setup.gpus)


def predict(setup: serving.Setup, runs: list[Run], eta_bw, eta_tensor, overhead_s) -> np.ndarray:
    """Predicted max-concurrency output tok/s; factor arrays broadcast on leading axes, runs on the last."""
    s = dataclasses.replace(setup, eta_bw=np.asarray(eta_bw, dtype=float), eta_flops=np.asarray(eta_tensor, dtype=float),
                            eta_prefill=np.asarray(eta_tensor, dtype=float),
                            step_overhead_s=np.asarray(overhead_s, dtype=float), user_scale=np.ones_like(setup.gpus))
    i = np.array([r.input_tokens for r in runs])
    o = np.array([r.output_tokens for r in runs])
    return serving.estimate(s, i, o).output_tokens_per_s


def roofline(setup: serving.Setup, runs: list[Run]) -> np.ndarray:
    """The plain roofline: every efficiency 1, no overhead (NOTES.md's baseline)."""
    return predict(setup, runs, 1.0, 1.0, 0.0)


@dataclass(frozen=True)
class Fit:
    eta_bw: dict[str, float]
    eta_tensor: float
    step_overhead_s: float
    sse: float


def _grid_log_errors(setup: serving.Setup, runs: list[Run]) -> np.ndarray:
    """log(pred/measured) on the grid: axes (eta_bw, eta_tensor, overhead, run)."""
    b = GRID_ETA_BW[:, None, None, None]
    t = GRID_ETA_TENSOR[None, :, None, None]
    v = GRID_OVERHEAD_S[None, None, :, None]
    measured = np.array([r.measured_tok_s for r in runs])
    pred = predict(setup, runs, b, t, v)
    return np.log(np.maximum(pred, 1e-9) / measured)


def fit_from_errors(errors: np.ndarray, regimes: np.ndarray, use: np.ndarray) -> Fit | None:
    """Best grid point: shared eta_tensor and overhead, eta_bw per regime (each regime's own rows)."""
    sq = errors ** 2
    total = np.zeros(sq.shape[1:3])
    best_b = {}
    for g, name in enumerate(serving.REGIMES):
        cols = use & (regimes == g)
        if not cols.any():
            continue
        sse_g = sq[..., cols].sum(axis=-1)  # (b, t, v)
        best_b[name] = np.argmin(sse_g, axis=0)
        total += np.min(sse_g, axis=0)
    if not best_b:
        return None
    ti, vi = np.unravel_index(np.argmin(total), total.shape)
    eta_bw = {name: float(GRID_ETA_BW[idx[ti, vi]]) for name, idx in best_b.items()}
    return Fit(eta_bw=eta_bw, eta_tensor=float(GRID_ETA_TENSOR[ti]), step_overhead_s=float(GRID_OVERHEAD_S[vi]),
               sse=float(total[ti, vi]))


def predict_with(setup: serving.Setup, runs: list[Run], fit: Fit, default_eta_bw: float | None = None) -> np.ndarray:
    regimes = regimes_of(setup)
    eta_bw = np.array([fit.eta_bw.get(serving.REGIMES[g], default_eta_bw if default_eta_bw is not None else np.nan)
                       for g in regimes])
    return predict(setup, runs, eta_bw, fit.eta_tensor, fit.step_overhead_s)


def fit_serving(catalog: Catalog, runs: list[Run]) -> tuple[Fit, dict]:
    """Fit on all runs; also leave-one-out predictions and the roofline baseline."""
    setup = stack_setup(catalog, runs)
    regimes = regimes_of(setup)
    errors = _grid_log_errors(setup, runs)
    everything = np.ones(len(runs), dtype=bool)
    fit = fit_from_errors(errors, regimes, everything)
    measured = np.array([r.measured_tok_s for r in runs])
    predicted = predict_with(setup, runs, fit)
    loo = []
    for k in range(len(runs)):
        use = everything.copy()
        use[k] = False
        if not (use & (regimes == regimes[k])).any():
            loo.append(None)  # its regime has no other row: eta_bw is not identifiable without it
            continue
        sub = fit_from_errors(errors, regimes, use)
        loo.append(float(predict_with(_column(setup, k), [runs[k]], sub)[0] / measured[k]))
    details = {
        "regimes": [serving.REGIMES[g] for g in regimes],
        "predicted": predicted,
        "measured": measured,
        "roofline": roofline(setup, runs),
        "leave_one_out_ratio": loo,
    }
    return fit, details


def _column(setup: serving.Setup, k: int) -> serving.Setup:
    return serving.Setup(**{f.name: getattr(setup, f.name)[k:k + 1] for f in dataclasses.fields(serving.Setup)})


def summary(ratios) -> dict:
    r = np.asarray([x for x in ratios if x is not None], dtype=float)
    abs_err = np.abs(r - 1)
    worst = np.maximum(r, 1 / r)
    return {"median_abs_error_pct": round(float(np.median(abs_err)) * 100, 1),
            "max_ratio": round(float(np.max(worst)), 3), "rows": int(r.size)}


def factors_document(fit: Fit, runs: list[Run], details: dict, as_of: str) -> dict:
    ratios = details["predicted"] / details["measured"]
    base = details["roofline"] / details["measured"]
    names = {"dense-small-tp": "Dense model, 1-2 GPUs", "dense-large-tp": "Dense model, 4+ GPUs tensor parallel",
             "moe": "Mixture-of-experts model"}
    entries = []
    for name in serving.REGIMES:
        idx = [k for k, g in enumerate(details["regimes"]) if g == name]
        sources = sorted({runs[k].source for k in idx}) or [TRTLLM_SOURCE]
        rows_txt = "; ".join(
            f"{runs[k].label} ({runs[k].hardware} x{runs[k].gpus} {runs[k].model} {runs[k].precision} "
            f"{runs[k].input_tokens:g}/{runs[k].output_tokens:g}, {runs[k].engine}): measured "
            f"{runs[k].measured_tok_s:g}, fitted {details['predicted'][k]:.0f} (x{ratios[k]:.2f}), "
            f"roofline x{base[k]:.2f}" for k in idx)
        method = (
            f"Grid search (ttcplanner.model.fit_serving) minimising the sum of squared log errors of total output "
            f"tok/s at the max concurrency that fits, over all {len(runs)} rows of throughput_calibration.csv "
            f"(SSE {fit.sse:.3f}). eta_bw fitted on this regime's rows only: {rows_txt or 'none'}. "
            f"eta_prefill = eta_flops = {fit.eta_tensor:g} and step_overhead_s = {fit.step_overhead_s:g} are shared "
            f"by all regimes and fitted on all rows. Bounds: eta_bw 0.2-0.9, tensor 0.3-0.8, overhead 0-10 ms. "
            f"KV cache FP8 for TensorRT-LLM rows (assumed from the ModelOpt checkpoints), BF16 for vLLM. "
            f"Other sources: {', '.join(sources[1:]) or 'none'}.")
        entries.append({
            "id": name, "name": names[name], "source": sources[0], "as_of": as_of,
            "eta_bw": fit.eta_bw.get(name, BOUNDS["eta_bw"][0]), "eta_flops": fit.eta_tensor,
            "eta_prefill": fit.eta_tensor, "step_overhead_s": fit.step_overhead_s, "method": method[:3900],
        })
    return {"schema_version": 1, "kind": "serving_factors", "as_of": as_of, "entries": entries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ttcplanner.model.fit_serving", description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", help="folder holding throughput_calibration.csv")
    parser.add_argument("--catalog", help="extra catalog folder (GPUs, open models) on top of the shipped one")
    parser.add_argument("--out", help="where to write serving_factors.json (default: the shipped catalog)")
    parser.add_argument("--as-of", default=_dt.date.today().isoformat(), help="date stamped on the fitted factors")
    args = parser.parse_args(argv)
    try:
        from ttcplanner.paths import catalog_dir

        catalog = serving_catalog(args.catalog)
        runs = read_calibration(args.data_dir)
        fit, details = fit_serving(catalog, runs)
        out = Path(args.out) if args.out else catalog_dir() / "serving_factors.json"
        write_json_atomic(out, factors_document(fit, runs, details, args.as_of))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ratios = details["predicted"] / details["measured"]
    print(f"wrote {out}")
    print(f"eta_bw {fit.eta_bw}  eta_prefill=eta_flops {fit.eta_tensor}  step_overhead_s {fit.step_overhead_s}")
    for r, g, x, b, l in zip(runs, details["regimes"], ratios, details["roofline"] / details["measured"],
                             details["leave_one_out_ratio"]):
        loo = f"{l:.2f}" if l is not None else "n/a"
        print(f"  {r.label:7} {g:15} fitted x{x:.2f}  roofline x{b:.2f}  leave-one-out x{loo}")
    print(f"fitted {summary(ratios)}  roofline {summary(details['roofline'] / details['measured'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
