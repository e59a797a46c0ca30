"""Time of an eval import (read, fit with bootstrap bands, build the task) on synthetic per-problem JSONL.

Prints JSON: seconds to read and to build for 3 models x N problems x 8 samples (N = 300, 2000), the file size,
and the fitted kappa against the true one (Beta(0.6, 0.9): kappa 1.5). The GUI runs the same work off its
thread, so this is the wait before the preview appears.
Run: python tests/benchmarks/bench_eval_import.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from ttcplanner.model.catalog import load_catalog  # noqa: E402
from ttcplanner.model.eval_import import read_eval_files  # noqa: E402
from ttcplanner.model.user_tasks import build_user_task  # noqa: E402

MODELS = ("gpt-oss-120b", "gpt-oss-20b", "gpt-5-mini")


def main() -> None:
    catalog = load_catalog(include_user=False)
    rng = np.random.default_rng(0)
    out = {"benchmark": "eval_import", "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for problems in (300, 2000):
            p = rng.beta(0.6, 0.9, problems)
            lines = []
            for shift, model in zip((0.0, -0.1, 0.05), MODELS, strict=False):
                q = np.clip(p + shift, 0.0, 1.0)
                for i in range(problems):
                    for s in range(8):
                        lines.append(
                            json.dumps(
                                {
                                    "problem_id": i,
                                    "model": model,
                                    "sample": s,
                                    "correct": int(rng.random() < q[i]),
                                    "reasoning_tokens": 3000,
                                }
                            )
                        )
            path = Path(tmp) / f"eval_{problems}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            start = time.perf_counter()
            data = read_eval_files([path])
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            task, summary = build_user_task(data, catalog, "Bench")
            build_s = time.perf_counter() - start
            out["runs"].append(
                {
                    "problems": problems,
                    "samples": len(lines),
                    "file_mb": round(path.stat().st_size / 1e6, 2),
                    "read_s": round(read_s, 3),
                    "fit_and_build_s": round(build_s, 3),
                    "kappa": round(summary.concentration, 3),
                    "kappa_band": [round(x, 3) for x in summary.concentration_band],
                    "kappa_true_before_shifts": 1.5,
                }
            )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
