"""The words of a plan's reasons. The model returns them as data (``Reason`` codes and figures, ``WhyNot``
codes per option, ``NearestMiss`` records); this module words them once for the card, the options table, the
PDF, the CLI text and ``plan --json``."""

from __future__ import annotations

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.format import describe_option, duration, money, pct, requests
from ttcplanner.model.memo import memo
from ttcplanner.model.misses import NearestMiss
from ttcplanner.model.options import KIND_NAMES
from ttcplanner.model.plan import OptionResults, Reason, WhyNot

MAX_TTFT_S = 604_800.0  # the ttft_target_s field's maximum: no first-token target
NO_OPTION = "No option meets every target: the nearest misses say which target to relax and by how much."

_WHY_NOT = {
    WhyNot.OFF_PREMISES: "excluded: on-premises only",
    WhyNot.NO_ACCURACY: "no accuracy data for this task",
    WhyNot.NO_MEMORY: "does not fit in memory",
    WhyNot.NO_CONTEXT: "prompt + output exceed the context or output limit",
    WhyNot.NO_GPU_PRICE: "no price for this GPU in the catalog",
    WhyNot.NO_PRICE: "no price",
    WhyNot.ELIGIBLE: "",
    WhyNot.RATE_LIMIT: costs.RATE_LIMIT_REASON,
}


def headline(plan) -> str:
    """'API tier: OpenAI GPT-5.5' (the kind and what to deploy), or that no option meets every target."""
    i = plan.recommended
    if i is None:
        return NO_OPTION
    return f"{KIND_NAMES[str(plan.options.kind[i])]}: {describe_option(plan.options, plan.results, i)}"


def reason_texts(plan) -> list[str]:
    """Why the recommendation, one sentence per reason (per other kind: 'API tier: best is ...')."""
    return [reason_text(plan, x) for x in plan.reasons]


def reason_text(plan, x: Reason) -> str:
    s, o, f = plan.scenario, plan.options, x.figures
    if x.code == "most_accurate_instead":
        return (
            f"No option reaches the {pct(s.target_accuracy_pct)} target on {f['task']}; this is the most "
            f"accurate ({pct(f['accuracy_pct'])}) that meets the latency target."
        )
    if x.code == "cheapest_of":
        n = f["eligible"]
        return (
            f"Cheapest of {n} option{'s' if n != 1 else ''} that reach {pct(s.target_accuracy_pct)} on {f['task']} "
            f"within {s.latency_target_s:g} s per request: {money(f['monthly_usd'])}/month at "
            f"{requests(s.requests_per_day)}/day."
        )
    if x.code == "kind_none":
        return f"{KIND_NAMES[x.kind]}: {alternative_text(plan, plan.alternatives[x.kind])}."
    if x.code == "kind_best":
        monthly, saving = f["monthly_usd"], f["saving_usd"]
        share = f", {saving / monthly:.0%}" if saving > 0 and monthly > 0 else ""
        return (
            f"{KIND_NAMES[x.kind]}: best is {o.label[x.option]} at {money(monthly)}/month "
            f"({'saves' if saving >= 0 else 'costs'} {money(abs(saving))}/month{share})."
        )
    if x.code == "gpu_utilisation":
        return (
            f"The GPU fleet averages {f['utilisation']:.0%} utilisation at this volume (peak/average "
            f"{s.peak_to_average:g}); idle GPU-hours are paid for."
        )
    if x.code == "break_even":
        return (
            f"Break-even at {requests(f['requests_per_day'])}/day: below it {KIND_NAMES[f['below']]} is cheaper, "
            f"above it {KIND_NAMES[f['above']]}."
        )
    if x.code == "accuracy_source":
        return _accuracy_source(f["task"], f["record"], f["as_of"])
    raise ValueError(f"unknown reason code {x.code!r}")


def alternative_text(plan, x: Reason) -> str:
    """Why a kind has no eligible option: 'none reaches 75.0% (best 70.1%)'."""
    s, f = plan.scenario, x.figures
    if x.code == "none_in_catalog":
        return "none in the catalog"
    if x.code == "on_premises_only":
        return "excluded: on-premises only"
    if x.code == "no_accuracy":  # the user's own eval: a model without results has "no data", not "unpublished"
        return f"no data (not in your eval) on {f['task']}" if f["user_eval"] else f"no accuracy data on {f['task']}"
    if x.code == "below_target":
        return f"none reaches {pct(s.target_accuracy_pct)} (best {pct(f['best_pct'])})"
    if x.code == "misses_latency":
        return f"none meets the {s.latency_target_s:g} s latency target at this accuracy"
    if x.code == "no_fit_or_price":
        return "none fits in memory or has a price"
    raise ValueError(f"unknown reason code {x.code!r}")


def alternative_texts(plan) -> dict[str, str]:
    return {k: alternative_text(plan, x) for k, x in plan.alternatives.items()}


def no_option_sentence(plan, kind: str) -> str:
    """Why a kind has no eligible option as a sentence for the summary and the PDF: 'No ASIC cloud option
    reaches 75.0% (the best reaches 70.1%)' rather than 'none: none reaches...'."""
    s, name = plan.scenario, KIND_NAMES.get(kind, kind)
    x = plan.alternatives.get(kind)
    if x is None:
        return f"No {name} option meets the targets"
    f = x.figures
    if x.code == "none_in_catalog":
        return f"The catalog has no {name} option"
    if x.code == "on_premises_only":
        return f"{name} is excluded: the scenario allows on-premises hardware only"
    if x.code == "no_accuracy":
        if f["user_eval"]:
            return f"No {name} option is in your eval of {f['task']}"
        return f"No {name} option has accuracy data on {f['task']}"
    if x.code == "below_target":
        return f"No {name} option reaches {pct(s.target_accuracy_pct)} (the best reaches {pct(f['best_pct'])})"
    if x.code == "misses_latency":
        return f"No {name} option meets the {s.latency_target_s:g} s latency target at this accuracy"
    if x.code == "no_fit_or_price":
        return f"No {name} option fits in memory or has a price"
    raise ValueError(f"unknown reason code {x.code!r}")


def warning_texts(plan) -> list[str]:
    return [warning_text(plan, x) for x in plan.warnings]


def warning_text(plan, x: Reason) -> str:
    f = x.figures
    if x.code == "stale_prices":
        return (
            f"Prices behind this recommendation date from {f['as_of']} ({f['age_days']} days old; older than "
            f"{f['limit_days']} days): check current prices before committing money."
        )
    if x.code == "accuracy_coverage":
        line = (
            "Offers' accuracy published / estimated from other tasks / no data: "
            + ", ".join(
                f"{k.upper()} {v['published']}/{v['estimated_from_other_tasks']}/{v['none']}"
                for k, v in f["coverage"].items()
            )
            + "."
        )
        return line + (" The recommendation's is estimated." if f["recommendation_estimated"] else "")
    return {
        "extrapolated": "The recommended option's accuracy is extrapolated beyond its published points.",
        "low_confidence": "The recommended option rests on low-confidence catalog figures.",
        "speed_estimate": "Its per-user speed is an estimate, not a published measurement.",
        "on_premises_rented": "On-premises only, but GPUs are costed as rented: switch to 'own' for purchase + power.",
        "price_caveat": f"The recommended option's price needs a second look: {f.get('caveat')}.",
    }[x.code]


def why_not(plan, i: int) -> str:
    """Why option ``i`` is not eligible ('' when it is)."""
    return why_not_texts(plan.results)[i]


@memo(4, freeze_result=False)
def why_not_texts(r: OptionResults) -> tuple[str, ...]:
    """Every option's why-not text: the fixed texts by code in one pass, those with a figure one by one."""
    texts = np.array([_WHY_NOT.get(WhyNot(c), "") for c in range(len(WhyNot))], dtype=object)
    why = texts[r.why_not.astype(np.intp)]
    for i in np.flatnonzero(r.why_not == WhyNot.LATENCY).tolist():
        why[i] = f"misses the latency target ({r.latency_s[i]:.3g} s)"
    for i in np.flatnonzero(r.why_not == WhyNot.ACCURACY).tolist():
        why[i] = f"below the accuracy target ({r.accuracy_pct[i]:.1f}%)"
    for i in np.flatnonzero(r.why_not == WhyNot.MAX_TOKENS).tolist():
        why[i] = f"{r.reasoning_tokens[i]:g} reasoning tokens exceed the model's maximum ({r.max_tokens[i]:g})"
    return tuple(why.tolist())


def nearest_miss_texts(plan) -> list[str]:
    """One line per target that blocks, naming the closest option and its figure against the target."""
    misses = plan.nearest_misses
    if not misses:
        return []
    lines = [] if misses[0].others_met else ["More than one target must move: no option meets all but one of them."]
    return lines + [nearest_miss_text(plan, m) for m in misses]


def nearest_miss_text(plan, m: NearestMiss) -> str:
    s, label = plan.scenario, plan.options.label[m.option]
    if m.target == "accuracy":
        where = _within(s) if m.others_met else "at any latency"
        return (
            f"Accuracy: the most accurate option {where} reaches {pct(m.best_value)} (target {pct(m.needed)}; {label})."
        )
    if m.target == "latency":
        what = f"that reaches {pct(s.target_accuracy_pct)} accuracy" if m.others_met else "at any accuracy"
        return (
            f"Latency: the fastest option {what} takes {duration(m.best_value)} (target {duration(m.needed)}; {label})."
        )
    if m.target == "ttft":
        what = "that meets the other targets" if m.others_met else "at any accuracy"
        return (
            f"Time to first token: the quickest option {what} starts in {duration(m.best_value)} at p95 "
            f"(target {duration(m.needed)}; {label})."
        )
    return (
        f"On-premises rule: only options off premises meet the other targets; the cheapest is {label} at "
        f"{money(m.best_value)}/month."
    )


def _within(s) -> str:
    """'within 5.0 s' and the scenario's other rules an option met: on premises, a first-token target."""
    where = f"within {duration(s.latency_target_s)}"
    if s.ttft_target_s < MAX_TTFT_S:
        where += f" (first token within {duration(s.ttft_target_s)})"
    return where + (" on premises" if s.on_prem_only else "")


def _accuracy_source(task: str, record: dict, as_of: str) -> str:
    """Where an imported task's accuracy comes from (the user's eval files, and the models estimated)."""
    files = ", ".join(record.get("files", [])) or "your files"
    problems = record.get("problems") or 0
    spread = (
        "difficulty spread fitted from its per-problem pass rates"
        if record.get("concentration_measured")
        else "difficulty spread not measurable from it (the planner's prior is used)"
    )
    size = f"{problems} problems, " if problems else ""
    n = len(record.get("estimated_models") or [])
    if not n:
        others = "models without results in it have no data."
    else:
        median = (record.get("estimate") or {}).get("slope") == "median"
        how = (
            "the median slope of the shipped tasks, one anchoring model" if median else "a slope fitted to your results"
        )
        others = (
            f"{n} models without results in it are ESTIMATED from their other tasks (basis "
            f"estimated_from_other_tasks, {how}); the rest have no data."
        )
    return (
        f"Accuracy on {task} comes from your eval results (basis user_eval: {files}, imported "
        f"{record.get('imported', as_of)}; {size}{spread}); " + others
    )
