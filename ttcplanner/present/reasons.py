"""The words of a plan's reasons: the model returns them as data (codes and figures), this module words them
once for the card, the options table, the PDF and the CLI."""

from __future__ import annotations

from ttcplanner.model.format import duration, money, pct
from ttcplanner.model.misses import NearestMiss

MAX_TTFT_S = 604_800.0  # the ttft_target_s field's maximum: no first-token target


def nearest_miss_texts(plan) -> list[str]:
    """One line per target that blocks, naming the closest option and its figure against the target."""
    misses = getattr(plan, "nearest_misses", ())
    if not misses:
        return []
    lines = [] if misses[0].others_met else ["More than one target must move: no option meets all but one of them."]
    return lines + [nearest_miss_text(plan, m) for m in misses]


def nearest_miss_text(plan, m: NearestMiss) -> str:
    s, label = plan.scenario, plan.options.label[m.option]
    if m.target == "accuracy":
        where = _within(s) if m.others_met else "at any latency"
        return (f"Accuracy: the most accurate option {where} reaches {pct(m.best_value)} "
                f"(target {pct(m.needed)}; {label}).")
    if m.target == "latency":
        what = f"that reaches {pct(s.target_accuracy_pct)} accuracy" if m.others_met else "at any accuracy"
        return (f"Latency: the fastest option {what} takes {duration(m.best_value)} "
                f"(target {duration(m.needed)}; {label}).")
    if m.target == "ttft":
        what = "that meets the other targets" if m.others_met else "at any accuracy"
        return (f"Time to first token: the quickest option {what} starts in {duration(m.best_value)} at p95 "
                f"(target {duration(m.needed)}; {label}).")
    return (f"On-premises rule: only options off premises meet the other targets; the cheapest is {label} at "
            f"{money(m.best_value)}/month.")


def _within(s) -> str:
    """'within 5.0 s' and the scenario's other rules an option met: on premises, a first-token target."""
    where = f"within {duration(s.latency_target_s)}"
    if s.ttft_target_s < MAX_TTFT_S:
        where += f" (first token within {duration(s.ttft_target_s)})"
    return where + (" on premises" if s.on_prem_only else "")
