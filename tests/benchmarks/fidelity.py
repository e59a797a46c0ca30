"""Fidelity of the serving model (and, where available, the parallel-sampling model), printed as JSON.

    python tests/benchmarks/fidelity.py [DATA_DIR]

Serving: the runs of serving_points.csv the engine factors are fitted to, each predicted at its real load,
per source and engine: errors of output tok/s, mean TPOT and mean TTFT with every model x hardware x engine
group held out in turn (refit without it), in-sample, and for the plain roofline of 0.1.0 beside them.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ttcplanner.model import fit_serving  # noqa: E402
from ttcplanner.model.catalog import load_catalog  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "data" / "calibration"
R1_SOURCE = "https://developer.nvidia.com/blog/nvidia-blackwell-delivers-world-record-deepseek-r1-inference-performance"
GPUSTACK_SOURCE = "https://github.com/gpustack/gpustack/blob/main/docs/performance-lab/gpt-oss-120b/h100.md"


SHARED_DATA = Path("/work/shared/data")


def serving_fidelity(data_dir: Path) -> dict:
    """Per source and engine: errors of output tok/s, mean TPOT and mean TTFT, in-sample, with each model x
    hardware x engine group held out (refit without it), and for the plain roofline (0.1.0: efficiencies 1,
    no engine caps, no queue)."""
    catalog = fit_serving.serving_catalog()
    ds, theta, skipped = fit_serving.load_and_fit(data_dir, catalog)
    fitted = fit_serving.predict(ds, fit_serving._values(theta))
    logo = fit_serving.leave_one_group_out(ds, theta)
    roof = fit_serving.roofline(ds)
    source = np.array([p.id.split("-")[0] for p in ds.points])
    engine = np.array([p.entry for p in ds.points])

    def block(rows):
        out = {}
        for label, est in (("leave_one_group_out", logo), ("in_sample", fitted), ("roofline", roof)):
            out[label] = {
                "output_tok_s": fit_serving.errors(est.output_tokens_per_s[rows], ds.tok[rows]),
                "tpot": fit_serving.errors(est.tpot_s[rows], ds.tpot[rows]),
                "ttft": fit_serving.errors(est.ttft_s[rows], ds.ttft[rows]),
            }
        return out

    every = np.ones(len(ds.points), dtype=bool)
    overall = block(every)
    lg = overall["leave_one_group_out"]
    goals = {
        "output_tok_s_median_abs_error_pct<=20": lg["output_tok_s"]["median_abs_error_pct"] <= 20,
        "output_tok_s_worst_ratio<=2": lg["output_tok_s"]["worst_ratio"] <= 2,
        "tpot_median_abs_error_pct<=25": lg["tpot"]["median_abs_error_pct"] <= 25,
        "ttft_within_2x_pct>=70": lg["ttft"]["within_2x_pct"] >= 70,
    }
    per = {
        f"{src} / {eng}": block((source == src) & (engine == eng))
        for src in sorted(set(source))
        for eng in sorted(set(engine))
        if np.any((source == src) & (engine == eng))
    }
    groups = sorted({p.group for p in ds.points})
    return {
        "runs": len(ds.points),
        "groups": len(groups),
        "left_out": skipped,
        "overall": overall,
        "goals": goals,
        "per_source_and_engine": per,
        "speculative_decoding": speculative_rows(data_dir, catalog, theta),
    }


def speculative_rows(data_dir: Path, catalog, theta) -> dict:
    """Runs with speculative decoding (not fitted): predicted with the shipped factors, k drafts as published
    (InferenceX 'MTP': 3 assumed) and an assumed acceptance of 0.7; errors beside the runs' own numbers."""
    points, _ = fit_serving.read_points(data_dir)
    spec = [p for p in points if p.draft_tokens > 0]
    ds = fit_serving.build_dataset(catalog, spec, data_dir)
    est = fit_serving.predict(ds, fit_serving._values(theta))
    return {
        "runs": len(ds.points),
        "assumed": "acceptance 0.7; SGLang caps running requests at 48 when speculating",
        "output_tok_s": fit_serving.errors(est.output_tokens_per_s, ds.tok),
        "tpot": fit_serving.errors(est.tpot_s, ds.tpot),
        "ttft": fit_serving.errors(est.ttft_s, ds.ttft),
    }


ACCURACY_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data beside the checkout


def parallel_rows():
    try:
        from ttcplanner.model.accuracy import parallel_fidelity_rows
    except ImportError:
        return "unavailable"
    try:
        return parallel_fidelity_rows()
    except Exception as exc:  # a benchmark reports, it does not crash
        return f"unavailable ({type(exc).__name__}: {exc})"


def accuracy_rows(data_dir=ACCURACY_DATA):
    """Leave-one-(model x task)-out MAE and band coverage of the cross-benchmark accuracy estimate against a
    task-mean baseline, and leave-one-pair-out of the parallel-sampling model (fit_accuracy.fidelity_report)."""
    if not (data_dir / "accuracy_points.csv").is_file():
        return f"unavailable (no {data_dir / 'accuracy_points.csv'})"
    from ttcplanner.model.fit_accuracy import fidelity_report

    report = fidelity_report(data_dir)
    report["parallel_pairs"]["rows"] = [
        r for r in report["parallel_pairs"]["rows"] if abs(r["predicted_pct"] - r["measured_pct"]) > 5
    ]  # only the large misses
    report["parallel_pairs"]["rows_note"] = "rows listed: |error| > 5 points"
    return report


def main(argv):
    data_dir = Path(argv[1]) if len(argv) > 1 else SHARED_DATA
    catalog = dataclasses.replace(load_catalog(include_user=False), user_calibrations={})
    factors = {
        k: {
            f: getattr(v, f)
            for f in (
                "eta_bw",
                "eta_flops",
                "eta_prefill",
                "step_overhead_s",
                "seq_overhead_s",
                "moe_bw_scale",
                "comm_scale",
                "fp4_emulated_scale",
                "fp4_no_fp8_scale",
                "max_running_requests",
                "as_of",
            )
        }
        for k, v in catalog.serving_factors.items()
    }
    report = {
        "factors": factors,
        "serving_points": serving_fidelity(data_dir),
        "parallel_sampling": parallel_rows(),
        "accuracy": accuracy_rows(),
    }
    print(json.dumps(report, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
