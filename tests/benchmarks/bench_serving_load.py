"""Time per configuration of the serving load model, printed as JSON.

    python tests/benchmarks/bench_serving_load.py

One configuration = one (model, GPU, GPU count, engine) column under one load. Times load_estimate for a
burst, a closed loop and Poisson arrivals, and estimate_for_latency (the planner's p95 sizing), on one column
and on 1,000 columns at once (per column), best of 5 repeats. Goal: at most 2 ms per configuration.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ttcplanner.model import serving  # noqa: E402
from ttcplanner.model.catalog import load_catalog  # noqa: E402


def best_ms(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main():
    cat = load_catalog(include_user=False)
    triple = (cat.open_models["gpt-oss-120b"], cat.gpus["h100-sxm"], 2)
    one = serving.build_setup(cat, [triple], "native", "bf16", "vllm")
    many = serving.build_setup(cat, [triple] * 1000, "native", "bf16", "vllm")
    cases = {
        "burst_1000_prompts": lambda s: serving.load_estimate(s, 215, 196, num_prompts=1000),
        "closed_loop_c64_n640": lambda s: serving.load_estimate(s, 1024, 1024, concurrency=64, num_prompts=640),
        "poisson_5_per_s": lambda s: serving.load_estimate(s, 1000, 500, request_rate=5.0),
        "p95_sizing_estimate_for_latency": lambda s: serving.estimate_for_latency(
            s, 1000, 500, 60.0, ttft_target_s=2.0
        ),
    }
    out = {}
    for name, fn in cases.items():
        out[name] = {
            "one_configuration_ms": round(best_ms(lambda f=fn: f(one)), 4),
            "per_configuration_in_1000_ms": round(best_ms(lambda f=fn: f(many)) / 1000, 5),
        }
    print(json.dumps({"benchmark": "serving_load_model", "goal_ms_per_configuration": 2.0, "cases": out}, indent=2))


if __name__ == "__main__":
    main()
