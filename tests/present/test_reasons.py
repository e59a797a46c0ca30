"""present/reasons.py words every reason the model returns as data (issue 20 item 5)."""

import numpy as np

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.plan import WhyNot
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.present import reasons

CATALOG = load_catalog(include_user=False)


def _plans():
    for path in sorted(scenarios_dir().glob("*.json")):
        base = sc.load(path)
        yield evaluate(base, CATALOG)
        yield evaluate(base.replace(target_accuracy_pct=99.0, on_prem_only=True), CATALOG)
        yield evaluate(base.replace(latency_target_s=0.5), CATALOG)


def test_every_reason_warning_alternative_and_why_not_has_words():
    codes, why_codes = set(), set()
    for plan in _plans():
        texts = (
            reasons.reason_texts(plan) + reasons.warning_texts(plan) + list(reasons.alternative_texts(plan).values())
        )
        assert all(t and "{" not in t for t in texts)
        codes |= {x.code for x in (*plan.reasons, *plan.warnings, *plan.alternatives.values())}
        why = reasons.why_not_texts(plan.results)
        assert len(why) == plan.options.size
        eligible = plan.results.why_not == WhyNot.ELIGIBLE
        assert np.array_equal(eligible, plan.results.eligible)
        assert all(bool(w) != e for w, e in zip(why, eligible.tolist(), strict=True))
        why_codes |= set(np.unique(plan.results.why_not).tolist())
        assert reasons.headline(plan)
    assert {"cheapest_of", "most_accurate_instead", "kind_best", "kind_none"} <= codes
    assert {WhyNot.LATENCY, WhyNot.ACCURACY, WhyNot.OFF_PREMISES, WhyNot.NO_ACCURACY} <= why_codes


def test_the_why_not_words_carry_the_figures():
    plan = evaluate(sc.load(scenarios_dir() / "chat-assistant-low-volume.json").replace(latency_target_s=0.5), CATALOG)
    r = plan.results
    i = int(np.flatnonzero(r.why_not == WhyNot.LATENCY)[0])
    assert reasons.why_not(plan, i) == f"misses the latency target ({r.latency_s[i]:.3g} s)"
