"""Capacity planning models (scalelab.models.capacity), the course's tier and phase tables, and lesson 08's widget."""
import heapq
import math

import numpy as np
import pytest

from scalelab.models import queueing


def test_waiting_time_tail_is_erlang_c_times_an_exponential():
    lam, mu, c = 150.0, 100.0, 2
    erlang = queueing.erlang_c(lam, mu, c)
    assert queueing.waiting_time_tail(0, lam, mu, c) == pytest.approx(erlang)
    assert queueing.waiting_time_tail(0.01, lam, mu, c) == pytest.approx(erlang * math.exp(-50 * 0.01))


def test_mm1_response_percentile_matches_the_textbook():
    # M/M/1: T ~ Exp(mu - lambda), so P95 = ln(20) / (mu - lambda).
    assert queueing.response_time_percentile(50, 100, 1) == pytest.approx(math.log(20) / 50, rel=1e-9)
    assert queueing.response_time_percentile(50, 100, 1, q=50) == pytest.approx(math.log(2) / 50, rel=1e-9)
    assert queueing.response_time_tail(0.02, 50, 100, 1) == pytest.approx(math.exp(-1))


def test_idle_server_percentile_is_the_service_time_percentile():
    for c in (1, 2, 8):
        assert queueing.response_time_percentile(0, 100, c) == pytest.approx(math.log(20) / 100, rel=1e-9)


def test_tail_handles_theta_equal_to_mu():
    # c = 2, mu = 1, lambda = 1: theta = 2 - 1 = 1 = mu. Erlang C = 1/3; P(T > t) = (2/3) e^-t + (1/3)(1 + t) e^-t.
    t = 1.5
    expected = (2 / 3) * math.exp(-t) + (1 / 3) * (1 + t) * math.exp(-t)
    assert queueing.response_time_tail(t, 1.0, 1.0, 2) == pytest.approx(expected, rel=1e-9)
    assert queueing.response_time_tail(t, 1.0 + 1e-7, 1.0, 2) == pytest.approx(expected, rel=1e-5)


def _simulated_mmc_p95(lam, mu, c, n=80_000, seed=7):
    generator = np.random.default_rng(seed)
    arrivals = np.cumsum(generator.exponential(1 / lam, n))
    services = generator.exponential(1 / mu, n)
    free = [0.0] * c
    responses = np.empty(n)
    for i in range(n):
        start = max(arrivals[i], heapq.heappop(free))
        end = start + services[i]
        heapq.heappush(free, end)
        responses[i] = end - arrivals[i]
    return float(np.percentile(responses[n // 10:], 95))


def test_mmc_percentile_agrees_with_a_simulation():
    lam, mu, c = 170.0, 100.0, 2
    assert queueing.response_time_percentile(lam, mu, c) == pytest.approx(_simulated_mmc_p95(lam, mu, c), rel=0.06)


def test_percentile_grows_with_load_and_is_infinite_when_unstable():
    values = [queueing.response_time_percentile(lam, 100, 2) for lam in (0, 50, 100, 150, 190)]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert math.isinf(queueing.response_time_percentile(200, 100, 2))
    with pytest.raises(ValueError, match="q"):
        queueing.response_time_percentile(10, 100, 2, q=100)
    with pytest.raises(ValueError, match="servers"):
        queueing.response_time_percentile(10, 100, 0)


def test_percentile_curve_matches_the_textbook_and_the_scalar_model():
    rho = np.array([0.0, 0.5, 0.8, 0.95])
    # M/M/1 in multiples of S: P95 = ln(20) / (1 - rho); P50 = ln(2) / (1 - rho)
    assert queueing.response_time_percentile_curve(rho, 1) == pytest.approx(math.log(20) / (1 - rho), rel=1e-9)
    assert queueing.response_time_percentile_curve(rho, 1, q=50) == pytest.approx(math.log(2) / (1 - rho), rel=1e-9)
    for c in (2, 5, 16):  # the same numbers as the scalar bisection, point by point (mu = 1)
        exact = [queueing.response_time_percentile(r * c, 1.0, c) for r in rho]
        assert queueing.response_time_percentile_curve(rho, c) == pytest.approx(exact, rel=1e-9)
    # theta == mu (c = 2, rho = 0.5) takes the (1 + t) e^-t branch
    assert queueing.response_time_percentile_curve(np.array([0.5]), 2)[0] == pytest.approx(
        queueing.response_time_percentile(1.0, 1.0, 2), rel=1e-9)
    unstable = queueing.response_time_percentile_curve(np.array([0.5, 1.0, 1.7]), 2)
    assert np.isfinite(unstable[0]) and np.isinf(unstable[1:]).all()
    for bad, name in (([-0.1], "utilization"), ([], "utilization"), ([np.nan], "utilization")):
        with pytest.raises(ValueError, match=name):
            queueing.response_time_percentile_curve(np.array(bad), 2)
    with pytest.raises(ValueError, match="servers"):
        queueing.response_time_percentile_curve(rho, 0)
    with pytest.raises(ValueError, match="^q"):
        queueing.response_time_percentile_curve(rho, 1, q=0)


# ---------------------------------------------------------------------------------------------------- queueing
def test_mm1_textbook_values():
    r = queueing.mm1(8, 10)
    assert r.utilization == pytest.approx(0.8)
    assert r.p_wait == pytest.approx(0.8)  # M/M/1: P(wait) = rho
    assert r.mean_in_system == pytest.approx(4.0)
    assert r.mean_in_queue == pytest.approx(3.2)
    assert r.mean_time_in_system == pytest.approx(0.5)
    assert r.mean_wait == pytest.approx(0.4)


def test_mm1_idle_queue():
    r = queueing.mm1(0, 5)
    assert r.utilization == 0 and r.mean_wait == 0 and r.mean_in_system == 0
    assert r.mean_time_in_system == pytest.approx(0.2)


def test_erlang_c_known_values():
    assert queueing.erlang_c(2, 1, 3) == pytest.approx(4 / 9)
    assert queueing.erlang_c(1, 1, 2) == pytest.approx(1 / 3)   # a = 1, c = 2
    assert queueing.erlang_c(0.5, 1, 1) == pytest.approx(0.5)   # c = 1: P(wait) = rho
    assert queueing.erlang_c(0, 1, 4) == 0.0


def test_mmc_textbook_values():
    r = queueing.mmc(2, 1, 3)   # a = 2 Erlangs on 3 servers
    assert r.utilization == pytest.approx(2 / 3)
    assert r.mean_wait == pytest.approx((4 / 9) / (3 - 2))
    assert r.mean_in_queue == pytest.approx(8 / 9)
    assert r.mean_in_system == pytest.approx(8 / 9 + 2)
    assert r.mean_time_in_system == pytest.approx(4 / 9 + 1)


def test_mmc_obeys_littles_law():
    r = queueing.mmc(7.3, 2.1, 5)
    assert r.mean_in_system == pytest.approx(r.arrival_rate * r.mean_time_in_system)
    assert r.mean_in_queue == pytest.approx(r.arrival_rate * r.mean_wait)


def test_more_servers_never_wait_longer():
    waits = [queueing.mmc(9, 1, c).mean_wait for c in range(10, 16)]
    assert all(a > b for a, b in zip(waits, waits[1:]))


def test_servers_for_wait():
    # 2 Erlangs: c = 3 waits 4/9 s; c = 4 waits less than 0.1 s (Erlang C(4) = 0.1739 / (4 - 2) = 0.087)
    assert queueing.servers_for_wait(2, 1, 0.5) == 3
    assert queueing.servers_for_wait(2, 1, 0.1) == 4
    assert queueing.mmc(2, 1, 4).mean_wait == pytest.approx(0.08696, rel=1e-3)
    assert queueing.servers_for_wait(0, 1, 0) == 1


def test_littles_law_each_direction():
    assert queueing.littles_law(arrival_rate=10, time_in_system=0.2) == pytest.approx(2)
    assert queueing.littles_law(in_system=2, time_in_system=0.2) == pytest.approx(10)
    assert queueing.littles_law(arrival_rate=10, in_system=2) == pytest.approx(0.2)


@pytest.mark.parametrize("call", [
    lambda: queueing.mm1(-1, 10),
    lambda: queueing.mm1(10, 10),        # utilisation 1: unstable
    lambda: queueing.mm1(12, 10),        # utilisation > 1
    lambda: queueing.mm1(1, 0),
    lambda: queueing.mmc(1, 1, 0),       # fewer than 1 server
    lambda: queueing.mmc(1, 1, 1.5),     # not an integer
    lambda: queueing.erlang_c(3, 1, 3),  # utilisation 1
    lambda: queueing.servers_for_wait(-2, 1, 0.1),
    lambda: queueing.servers_for_wait(2, 1, -0.1),
    lambda: queueing.servers_for_wait(2, 1, 0),   # a zero wait is never reached: it used to loop forever
    lambda: queueing.littles_law(arrival_rate=1),
    lambda: queueing.littles_law(arrival_rate=1, time_in_system=1, in_system=1),
    lambda: queueing.littles_law(arrival_rate=-1, time_in_system=1),
    lambda: queueing.littles_law(in_system=1, time_in_system=0),
    lambda: queueing.littles_law(in_system=1, arrival_rate=0),
    lambda: queueing.mm1(float("nan"), 1),
    lambda: queueing.mm1("8", 10),
])
def test_queueing_rejects_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_unstable_queue_message_names_utilization():
    with pytest.raises(ValueError, match="utilization"):
        queueing.mm1(10, 10)


def test_mmc_curve_matches_mmc_point_by_point():
    from scalelab.models import queueing

    rho = np.array([0.0, 0.3, 0.8, 0.95])
    for c in (1, 2, 7):
        curve = queueing.mmc_curve(rho, c)
        for i, r in enumerate(rho):
            point = queueing.mmc(r * c * 5.0, 5.0, c)  # mu = 5/s: S = 0.2 s
            assert curve["p_wait"][i] == pytest.approx(point.p_wait, abs=1e-12)
            assert curve["time_in_system_over_s"][i] == pytest.approx(point.mean_time_in_system / 0.2)
    with pytest.raises(ValueError, match="utilization"):
        queueing.mmc_curve([0.5, 1.0], 1)
    with pytest.raises(ValueError, match="servers"):
        queueing.mmc_curve([0.5], 0)
