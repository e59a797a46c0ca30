"""Plan summary PDF export time per shipped scenario (goal: well under 2 s each).

Prints JSON: per scenario, the best of 3 wall times of export_pdf (charts, layout, PDF bytes, atomic
write), the plan evaluation time for comparison, page count and file size. The first export of the
process also pays Qt start-up and font registration; it is reported separately as cold_s.
Run: QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_pdf.py
"""

import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pypdf import PdfReader  # noqa: E402

from ttcplanner.model import scenario as sc  # noqa: E402
from ttcplanner.model.catalog import load_catalog  # noqa: E402
from ttcplanner.model.planner import evaluate  # noqa: E402
from ttcplanner.paths import scenarios_dir  # noqa: E402
from ttcplanner.report.pdf import export_pdf  # noqa: E402


def main() -> None:
    catalog = load_catalog(include_user=False)
    rows = []
    cold = None
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(scenarios_dir().glob("*.json")):
            t0 = time.perf_counter()
            plan = evaluate(sc.load(path), catalog)
            evaluate_s = time.perf_counter() - t0
            out = Path(tmp) / f"{path.stem}.pdf"
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                export_pdf(plan, out)
                times.append(time.perf_counter() - t0)
            if cold is None:
                cold = times[0]
            rows.append(
                {
                    "scenario": path.stem,
                    "export_s": round(min(times), 3),
                    "evaluate_s": round(evaluate_s, 3),
                    "pages": len(PdfReader(out).pages),
                    "bytes": out.stat().st_size,
                }
            )
    worst = max(r["export_s"] for r in rows) if rows else None
    print(
        json.dumps(
            {"cold_s": round(cold, 3) if cold else None, "worst_export_s": worst, "goal_s": 2.0, "scenarios": rows},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
