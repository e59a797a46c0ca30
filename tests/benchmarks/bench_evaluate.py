"""Time of planner.evaluate per shipped scenario while one slider's field sweeps, as the GUI drives it.

Prints JSON: for each shipped scenario (resources/scenarios/*.json) and each field the main sliders change
(reasoning_tokens, samples, requests_per_day, target_accuracy_pct, latency_target_s), p50/p95/max ms of
evaluate over BENCH_CHANGES changes (default 240). Like the slider, each field walks back and forth over
120 positions spread across its range (log or linear), starting at the scenario's value, rounded as the slider
rounds; a position equal to the previous one is skipped (the GUI does not recompute then). Scenarios are built
before timing, so only evaluate is timed. The shipped catalog only (no user catalog), so runs are comparable.
Wall times on a shared machine vary by a third between runs: compare builds in interleaved runs.
Run: python tests/benchmarks/bench_evaluate.py   (BENCH_SCENARIOS=stem,stem to run some scenarios only;
BENCH_BUDGET=auto or fixed to plan every scenario in that budget mode)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from ttcplanner.model.catalog import load_catalog  # noqa: E402
from ttcplanner.model.planner import evaluate  # noqa: E402
from ttcplanner.model.scenario import load  # noqa: E402
from ttcplanner.paths import scenarios_dir  # noqa: E402

CHANGES = int(os.environ.get("BENCH_CHANGES", "240"))
POSITIONS = 120
# field: (low, high, log scale, rounding: decimals or None for whole numbers)
SWEEPS = {
    "reasoning_tokens": (100.0, 1e6, True, None),
    "samples": (1.0, 4096.0, True, None),
    "requests_per_day": (1.0, 1e9, True, None),
    "target_accuracy_pct": (0.0, 100.0, False, 1),
    "latency_target_s": (0.1, 604_800.0, True, 1),
}


def positions(field: str, start: float) -> list[float]:
    """CHANGES values bouncing across the field's range from the position nearest ``start``."""
    lo, hi, log, decimals = SWEEPS[field]
    grid = np.geomspace(lo, hi, POSITIONS) if log else np.linspace(lo, hi, POSITIONS)
    grid = np.round(grid) if decimals is None else np.round(grid, decimals)
    pos = int(np.argmin(np.abs(grid - start)))
    out, previous, direction = [], grid[pos], 1
    while len(out) < CHANGES:
        if not 0 <= pos + direction < POSITIONS:
            direction = -direction
        pos += direction
        value = grid[pos]
        if value != previous:
            out.append(int(value) if decimals is None else float(value))
            previous = value
    return out


def stats(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 3),
        "p95_ms": round(float(np.percentile(a, 95)), 3),
        "max_ms": round(float(a.max()), 3),
        "calls": int(a.size),
    }


def bench_scenario(path: Path, catalog) -> dict:
    base = load(path)
    if os.environ.get("BENCH_BUDGET"):  # auto | fixed: every scenario in that budget mode (default: the file's)
        base = base.replace(budget_mode=os.environ["BENCH_BUDGET"])
    evaluate(base, catalog)  # options and accuracy tables built once, as at start-up
    out, every, every_cpu = {}, [], []
    for field in SWEEPS:
        scenarios = [base.replace(**{field: v}) for v in positions(field, float(getattr(base, field)))]
        times, cpu = [], []
        for s in scenarios:
            c0, t0 = time.thread_time(), time.perf_counter()
            evaluate(s, catalog)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)  # a busy shared machine inflates wall times, less this
        out[field] = {**stats(times), "cpu": stats(cpu)}
        every += times
        every_cpu += cpu
    out["all"] = {**stats(every), "cpu": stats(every_cpu)}
    return out


def main() -> None:
    catalog = load_catalog(include_user=False)
    wanted = [s for s in os.environ.get("BENCH_SCENARIOS", "").split(",") if s]
    paths = [p for p in sorted(scenarios_dir().glob("*.json")) if not wanted or p.stem in wanted]
    results = {}
    for path in paths:
        results[path.stem] = bench_scenario(path, catalog)
        print(path.stem, json.dumps(results[path.stem]["all"]), file=sys.stderr)
    print(
        json.dumps(
            {
                "benchmark": "evaluate_slider_sweeps",
                "changes_per_field": CHANGES,
                "goal": "well inside one 60 Hz frame (16 ms) with the redraw",
                "scenarios": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
