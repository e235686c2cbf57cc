"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import math

import numpy as np
import pytest

from scalelab import datasets
from scalelab.sim import autoscale


def test_autoscaler_follows_target_and_respects_its_rules():
    rps = np.concatenate([np.full(30, 200.0), np.full(60, 1200.0)])
    run = autoscale.autoscale(rps, target_utilisation=0.5, cooldown_min=0, warmup_min=3, max_step=100,
                              min_replicas=1, max_replicas=50)
    # 1200 req/s at 50 % of 100 req/s per replica: 24 replicas, ordered one minute after the jump, ready 3 later
    assert run["replicas"].iloc[-1] == 24 and run["replicas"].iloc[4] == 4
    assert run.loc[31, "replicas"] == 24 and run.loc[33, "ready"] == 4 and run.loc[34, "ready"] == 24
    slow = autoscale.autoscale(rps, target_utilisation=0.5, cooldown_min=10, max_step=5, min_replicas=1)
    jumps = np.diff(slow["replicas"].to_numpy())
    assert np.abs(jumps).max() <= 5
    moves = np.flatnonzero(jumps)
    assert np.all(np.diff(moves) >= 10)
    assert run["cost_usd"].sum() == pytest.approx(run["replicas"].sum() * 0.10 / 60)


def test_p95_model_is_mmc_and_overload_violates():
    from scalelab.models import queueing

    got = autoscale.p95_ms([150.0], [2], servers=4, service_time_ms=40.0)[0]
    assert got == pytest.approx(1000 * queueing.response_time_percentile(75.0, 25.0, 4, 95), rel=1e-6)
    assert math.isinf(autoscale.p95_ms([250.0], [2])[0])


def test_rolling_update_keeps_capacity_within_its_limits():
    for surge, unavailable in ((1, 0), (0, 1), (2, 1)):
        run = autoscale.rolling_update(6, surge, unavailable, warmup_min=2)
        assert run["ready"].min() >= 6 - unavailable and run["paid"].max() <= 6 + surge
        assert run["new_ready"].iloc[-1] == 6 and run["old"].iloc[-1] == 0
    with pytest.raises(ValueError, match="max_surge"):
        autoscale.rolling_update(3, 0, 0)


def test_threshold_verdict_equals_the_p95_verdict():
    trace = datasets.load_traffic_trace()["rps"]
    u = autoscale.max_utilisation(200.0, 4, 40.0)
    assert autoscale.p95_ms([u * 100], [1])[0] == pytest.approx(200.0, rel=1e-6)
    for kw in (dict(target_utilisation=0.6), dict(target_utilisation=0.8, cooldown_min=0),
               dict(target_utilisation=0.9, max_replicas=30)):
        exact = autoscale.autoscale(trace, **kw)
        quick = autoscale.autoscale(trace, with_p95=False, **kw)
        assert (exact["slo_ok"] == quick["slo_ok"]).all() and "p95_ms" not in quick
