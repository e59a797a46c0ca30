"""The model's assumptions in words, one list for Help > Assumptions and the PDF's caveats.

The numbers come from the model modules themselves, so the text cannot drift from what the planner
computes; with a scenario, the items that depend on it quote its values.
"""

from __future__ import annotations

from ttcplanner.model import costs, serving
from ttcplanner.model.format import duration
from ttcplanner.present.prices import STALE_PRICE_DAYS


def model_assumptions(scenario=None) -> tuple[str, ...]:
    peak = (
        f"the peak rate (average \u00d7 {scenario.peak_to_average:g})"
        if scenario is not None
        else "the peak rate (average \u00d7 peak-to-average)"
    )
    return (
        f"A month is {costs.DAYS_PER_MONTH:g} days ({costs.HOURS_PER_MONTH:g} GPU-hours per GPU).",
        f"GPU hours are paid whether the GPUs are busy or idle; the fleet is sized in whole replicas so that, under "
        f"Poisson arrivals at {peak}, the 95th-percentile end-to-end latency and time to first token meet their "
        "targets.",
        "Reasoning tokens are billed at the output-token price; each extra sample repeats the reasoning and the "
        "answer, while the prompt is read once and then served from the prefix cache when that is on.",
        f"Batch-API discounts apply only when the latency target is {duration(costs.BATCH_LATENCY_S)} or longer "
        "and the offer has a batch discount.",
        "Owned GPUs cost their purchase price, their share of the 8-GPU server and networking, depreciated to the "
        "residual value over the amortisation period, plus yearly maintenance, the server's power \u00d7 PUE, "
        "colocation per kW and staff (the scenario's owning fields; sources in tco.csv).",
        (
            f"Rented GPUs are priced on the {scenario.gpu_price_basis} basis at {scenario.gpu_pricing} pricing, "
            "the same way for every vendor; the sources name the provider and price behind each option."
            if scenario is not None
            else "Rented GPUs are priced on the scenario's price basis and pricing, the same way for every vendor; the "
            "sources name the provider and price behind each option."
        ),
        "GPU throughput and latency come from a roofline model (memory bandwidth vs FLOPs) with a queueing model of "
        "continuous batching under the engine's running-request cap, whose efficiency factors were fitted per engine "
        "to published serving runs at their real load; they are estimates, not measurements of your serving "
        f"stack. {serving.USABLE_MEMORY_FRACTION:.0%} of GPU memory is usable and "
        f"{serving.ACTIVATION_RESERVE_GB_PER_GPU:g} GB per GPU is reserved for activations.",
        f"Speculative decoding: a draft token costs {serving.DRAFT_COST_PER_TOKEN:.0%} of a target step (an "
        "assumption); the acceptance rate is yours to set.",
        "Accuracy vs reasoning tokens is a sigmoid in log tokens fitted to published points, with no gain past the "
        "model's trained maximum; outside the published points the band widens and the value is marked "
        "extrapolated. The band shows the fit's uncertainty.",
        "Several samples are combined with a per-problem difficulty model (Beta-distributed): a verifier succeeds if "
        "any sample is right, majority vote needs the right answer to win the plurality, a learned scorer lies "
        "between the two.",
        "API and ASIC-cloud speeds and prices are catalog figures with their sources and dates; estimated speeds "
        "are labelled as such in the catalog.",
        f"Prices older than {STALE_PRICE_DAYS} days are flagged as stale on the recommendation.",
        "The recommendation is the cheapest option per month that meets the accuracy and latency targets; if none "
        "does, the most accurate option that meets the latency target.",
    )


def plan_assumptions(plan) -> tuple[str, ...]:
    """The assumptions for the plan's scenario and the catalog's age: the PDF's caveats and the CLI's list."""
    return (
        *model_assumptions(plan.scenario),
        f"The catalog is {plan.catalog_age_days} days old (newest price dated {plan.catalog_as_of}).",
    )
