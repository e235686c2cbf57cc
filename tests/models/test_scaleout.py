"""Lesson 04 models and views: scale-out capacity and failover (models.scaleout), the USL peak, the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scalelab.models import scaleout  # noqa: E402


# ------------------------------------------------------------------------------------------------ models.scaleout
def test_scale_out_rps_by_hand():
    n = np.arange(1, 6)
    # sleep: 20 ms per request, 2 cores, 1 ms of CPU each: min(N / 0.020, 2 / 0.001) = 50 N up to 2000 req/s
    assert scaleout.scale_out_rps(n, 0.020, 2, 0.001).tolist() == pytest.approx([50, 100, 150, 200, 250])
    assert scaleout.scale_out_rps(100, 0.020, 2, 0.001) == pytest.approx(2000.0)
    # CPU-bound: min(50 N, 2 / 0.021 = 95.238 req/s)
    assert scaleout.scale_out_rps(n, 0.020, 2, 0.001, cpu_bound=True).tolist() == pytest.approx([50] + [2 / 0.021] * 4)
    assert scaleout.scale_out_rps(3, 0.010, 4, 0.0, cpu_bound=True) == pytest.approx(300.0)
    assert scaleout.cpu_ceiling_rps(2, 0.0) == math.inf and scaleout.cpu_ceiling_rps(4, 0.010) == pytest.approx(400)
    assert scaleout.cpu_knee_workers(0.020, 2, 0.001) == pytest.approx(2 * 0.020 / 0.021)  # 1.905 workers
    assert scaleout.cpu_knee_workers(0.010, 4) == pytest.approx(4.0)


def test_failover_cost_by_hand():
    cost = scaleout.failover_cost(rate_rps=80, servers=4, service_time_s=0.020, response_s=0.050)
    assert cost.in_flight_lost == pytest.approx(80 / 4 * 0.050)  # Little: 20 req/s x 50 ms = 1 request
    assert cost.utilization_before == pytest.approx(0.4) and cost.utilization_after == pytest.approx(1.6 / 3)
    assert cost.sessions_lost_fraction == pytest.approx(0.25) and not cost.overloaded_after
    assert scaleout.failover_cost(100, 2, 0.020, 0.020).overloaded_after  # 100 x 20 ms on one survivor = 200 %
    assert scaleout.worker_utilization(80, np.array([2, 4, 8]), 0.020).tolist() == pytest.approx([0.8, 0.4, 0.2])


@pytest.mark.parametrize("call, argument", [
    (lambda: scaleout.scale_out_rps(0, 0.02, 2), "servers"),
    (lambda: scaleout.scale_out_rps([1, 2.5], 0.02, 2), "servers"),
    (lambda: scaleout.scale_out_rps(2, 0, 2), "service_time_s"),
    (lambda: scaleout.scale_out_rps(2, 0.02, 0), "cores"),
    (lambda: scaleout.scale_out_rps(2, 0.02, 2, overhead_s=-1), "overhead_s"),
    (lambda: scaleout.cpu_ceiling_rps(2, -0.1), "cpu_per_request_s"),
    (lambda: scaleout.failover_cost(80, 1, 0.02, 0.03), "servers"),
    (lambda: scaleout.failover_cost(0, 3, 0.02, 0.03), "rate_rps"),
    (lambda: scaleout.failover_cost(80, 3, 0.02, 0), "response_s"),
    (lambda: scaleout.worker_utilization(-1, 2, 0.02), "rate_rps"),
])
def test_scaleout_rejects_bad_input(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
