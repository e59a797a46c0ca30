"""Model evaluation time as the option grid grows from 1e3 to 1e6 points (options x budgets x samples).

Prints JSON: per grid size, the best of 3 wall times and microseconds per point. Goal: linear, 1e6 < 0.5 s.
Run: python tests/benchmarks/bench_grid.py
"""

import json
import time

import numpy as np

from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate_grid
from ttcplanner.model.scenario import Scenario


def main() -> None:
    catalog = load_catalog(include_user=False)
    scenario = Scenario(task_id="maths-olympiad", requests_per_day=100_000, latency_target_s=600)
    samples = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512], dtype=float)
    n_options = evaluate_grid(scenario, catalog, [1000.0], [1.0]).accuracy_pct.shape[0]
    rows = []
    for target in (1e3, 1e4, 1e5, 1e6):
        s = samples if target > 1e3 else samples[:2]
        k = max(1, int(round(target / (n_options * len(s)))))
        budgets = np.logspace(1, 6, k)
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            grid = evaluate_grid(scenario, catalog, budgets, s)
            best = min(best, time.perf_counter() - t0)
        rows.append(
            {
                "points": grid.points,
                "options": n_options,
                "budgets": k,
                "samples": len(s),
                "seconds": round(best, 4),
                "us_per_point": round(best / grid.points * 1e6, 3),
            }
        )
    big = rows[-1]
    print(
        json.dumps(
            {
                "benchmark": "grid_scaling",
                "rows": rows,
                "goal": "1e6 points < 0.5 s, linear",
                "seconds_at_1e6_scaled": round(big["seconds"] * 1e6 / big["points"], 4),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
