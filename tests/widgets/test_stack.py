"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import numpy as np
import pytest

from scalelab import datasets
from scalelab.models import monitoring
from scalelab.sim import autoscale, balancers


# ------------------------------------------------------------------------------------------ views and clean-up
def test_view_computations_validate_and_agree_with_the_simulators():
    from scalelab.widgets import stack

    lb = stack.balancer_compute(load=0.7, slow_speed=0.4, size_cv=1.0, key_skew=1.0)
    assert lb["algorithms"] == list(balancers.ALGORITHMS) and lb["fair_share"] == pytest.approx(0.4 / 3.4)
    with pytest.raises(ValueError, match="load"):
        stack.balancer_compute(load=0.99)
    run = stack.autoscale_compute(target_utilisation=0.6)
    direct = autoscale.summary(autoscale.autoscale(datasets.load_traffic_trace()["rps"], target_utilisation=0.6))
    assert run["cost_usd"] == pytest.approx(direct["cost_usd"]) and run["violation_min"] == direct["violation_min"]
    x = np.random.default_rng(1).lognormal(np.log(20), 0.6, 500)
    b = stack.buckets_compute(x, first_ms=5, factor=2, count=8, q=95)
    assert b["per_bucket"].sum() + b["above"] == 500
    assert b["estimate_ms"] == pytest.approx(1000 * monitoring.histogram_quantile(
        0.95, list(b["bounds"] / 1000), monitoring.bucket_counts(x / 1000, list(b["bounds"] / 1000))))
    with pytest.raises(ValueError, match="count"):
        stack.buckets_compute(x, count=1)
