"""Lesson 13's view computations: the tiers of a plan at a phase, and a plan edited through one choice per
intervention, scored per phase."""
import math

import numpy as np
import pytest

from scalelab.sim import growth
from scalelab.widgets import capstone

PLAN = {"foundation": ["monitoring"], "growth": ["load_balancer", "cache", "read_replicas", "cdn"],
        "scale": ["auto_scaling", "service_split", "bigger_server"], "optimization": ["sharding"]}


def test_tiers_compute_shows_each_tier_and_the_bottleneck():
    out = capstone.tiers_compute(plans={"mine": PLAN}, plan="mine", phase="scale", capacity_rps=140.0)
    r = out["result"]
    names = [t.name for t in r.tiers]
    for name, util, present in zip(growth.TIERS, out["utilization"], out["present"]):
        assert present == (name in names)
        if name in ("app", "cache", "db_primary", "db_replica"):
            assert util == pytest.approx(r.tier(name).utilization)
        else:
            assert math.isnan(util)                       # the CDN and the balancer have no queue
    assert out["bottleneck"] == max((t for t in r.tiers if t.servers), key=lambda t: t.utilization).name
    with pytest.raises(ValueError, match="plan must be one of"):
        capstone.tiers_compute(plans={"mine": PLAN}, plan="theirs")
    with pytest.raises(ValueError, match="phase must be one of"):
        capstone.tiers_compute(plans={"mine": PLAN}, plan="mine", phase="launch")


def test_choices_make_the_plan_and_are_refused_when_unknown():
    choices = {s: "never" for s in growth.INTERVENTIONS}
    choices.update(monitoring="foundation", load_balancer="growth", bigger_server="foundation+scale")
    plan = capstone.plan_from_choices(choices)
    assert plan == {"foundation": ["monitoring", "bigger_server"], "growth": ["load_balancer"],
                    "scale": ["bigger_server"], "optimization": []}
    with pytest.raises(ValueError, match="unknown intervention 'kubernetes'"):
        capstone.plan_from_choices({"kubernetes": "growth"})
    with pytest.raises(ValueError, match=r"choices\['cache'\]"):
        capstone.plan_from_choices({"cache": "launch"})


def test_plan_compute_scores_every_phase_as_the_simulator_does():
    choices = {s: "never" for s in growth.INTERVENTIONS}
    for phase, steps in PLAN.items():
        for step in steps:
            choices[step] = phase
    out = capstone.plan_compute(capacity_rps=140.0, **choices)
    assert {p: sorted(s) for p, s in out["plan"].items()} == {p: sorted(s) for p, s in PLAN.items()}
    for r, cost, p95 in zip(out["results"], out["cost_ratio"], out["p95_ratio"]):
        assert cost == pytest.approx(r.cost_usd / r.budget_usd) and p95 == pytest.approx(r.p95_ms / r.p95_target_ms)
    assert np.all(out["nines_target"] == pytest.approx([-math.log10(1 - a) for a in (0.995, 0.999, 0.9995, 0.9999)]))
    assert all(r.passed for r in out["results"])
