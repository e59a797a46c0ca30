"""Monte Carlo throughput per shipped scenario: 10,000 joint samples of a full plan (goal < 2 s), the largest
chunk time (a GUI cancel waits at most one chunk: goal < 200 ms), and the tornado's time for reference.

Prints JSON: best of 3 wall times. Run: python tests/benchmarks/bench_monte_carlo.py
"""

import json
import time

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.sensitivity import DEFAULT_CHUNK, monte_carlo, tornado
from ttcplanner.paths import scenarios_dir

SAMPLES = 10_000


def _timed(fn, repeats=3):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    catalog = load_catalog(include_user=False)
    rows = []
    for path in sorted(scenarios_dir().glob("*.json")):
        s = sc.load(path)
        monte_carlo(s, catalog, 100)  # warm the option and accuracy caches
        seconds, mc = _timed(lambda s=s: monte_carlo(s, catalog, SAMPLES, seed=0))
        stamps = []
        t0 = time.perf_counter()
        monte_carlo(s, catalog, SAMPLES, progress=lambda done, total, stamps=stamps: stamps.append(time.perf_counter()))
        chunks = [b - a for a, b in zip([t0] + stamps[:-1], stamps, strict=False)]  # first includes the base evaluation
        tornado_s, t = _timed(lambda s=s: tornado(s, catalog), repeats=1)
        rows.append(
            {
                "scenario": path.stem,
                "samples": SAMPLES,
                "seconds": round(seconds, 3),
                "samples_per_s": round(SAMPLES / seconds),
                "max_chunk_ms": round(max(chunks) * 1000, 1),
                "chunk": DEFAULT_CHUNK,
                "probability": {k: round(v, 4) for k, v in mc.probability.items()},
                "tornado_seconds": round(tornado_s, 3),
                "tornado_evaluations": t.evaluations,
            }
        )
    print(
        json.dumps(
            {
                "benchmark": "monte_carlo",
                "rows": rows,
                "goal": f"{SAMPLES:,} samples of a full plan < 2 s; one chunk < 200 ms",
                "worst_seconds": max(r["seconds"] for r in rows),
                "worst_chunk_ms": max(r["max_chunk_ms"] for r in rows),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
