"""Unit tests of the core models (queueing, laws, availability, metrics) against textbook values and bad input."""
import datetime as dt
import math

import numpy as np
import pytest

from scalelab.models import availability, laws, metrics, queueing


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


# ---------------------------------------------------------------------------------------------------- laws
def test_amdahl_textbook_values():
    assert laws.amdahl_speedup(0.95, math.inf) == pytest.approx(20)
    assert laws.amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    assert laws.amdahl_speedup(0.9, 10) == pytest.approx(1 / (0.1 + 0.09))
    assert laws.amdahl_speedup(0.0, 64) == pytest.approx(1)
    assert laws.amdahl_speedup(1.0, 8) == pytest.approx(8)
    assert laws.amdahl_speedup(1.0, math.inf) == math.inf
    assert laws.amdahl_speedup(0.7, 1) == pytest.approx(1)


def test_amdahl_fit_recovers_p():
    n = np.array([1, 2, 4, 8, 16])
    s = np.array([laws.amdahl_speedup(0.9, k) for k in n])
    assert laws.amdahl_fit(n, s) == pytest.approx(0.9, abs=1e-4)


def test_usl_values_and_special_cases():
    # sigma = kappa = 0: linear scaling
    assert laws.usl_throughput(8, 100, 0, 0) == pytest.approx(800)
    # sigma only: Amdahl-like, X(N) = lam N / (1 + sigma (N - 1))
    assert laws.usl_throughput(5, 10, 0.25, 0) == pytest.approx(50 / 2)
    assert laws.usl_throughput(4, 1, 0.1, 0.01) == pytest.approx(4 / (1 + 0.3 + 0.12))
    arr = laws.usl_throughput([1, 2], 10, 0.1, 0.0)
    assert isinstance(arr, np.ndarray) and arr[0] == pytest.approx(10)


def test_usl_peak():
    assert laws.usl_peak(0.0, 0.01) == pytest.approx(10)
    assert laws.usl_peak(0.19, 0.0009) == pytest.approx(30)
    assert laws.usl_peak(0.1, 0) == math.inf


def test_usl_fit_recovers_known_parameters():
    n = np.array([1, 2, 4, 8, 16, 32, 64])
    x = laws.usl_throughput(n, 1000, 0.05, 0.002)
    fit = laws.usl_fit(n, x)
    assert fit.lam == pytest.approx(1000, rel=1e-3)
    assert fit.sigma == pytest.approx(0.05, rel=1e-2)
    assert fit.kappa == pytest.approx(0.002, rel=1e-2)
    assert fit.peak_n == pytest.approx(math.sqrt(0.95 / 0.002), rel=1e-2)
    assert fit.r_squared == pytest.approx(1, abs=1e-6)
    assert fit.predict(10) == pytest.approx(laws.usl_throughput(10, 1000, 0.05, 0.002), rel=1e-3)


@pytest.mark.parametrize("call", [
    lambda: laws.amdahl_speedup(1.2, 4),
    lambda: laws.amdahl_speedup(-0.1, 4),
    lambda: laws.amdahl_speedup(0.5, 0.5),    # n < 1
    lambda: laws.amdahl_speedup(0.5, 0),
    lambda: laws.amdahl_fit([1, 2], [1.0]),
    lambda: laws.amdahl_fit([0.5, 2], [1.0, 1.5]),
    lambda: laws.usl_throughput(0, 10, 0.1, 0.1),
    lambda: laws.usl_throughput(2, -10, 0.1, 0.1),
    lambda: laws.usl_throughput(2, 10, -0.1, 0.1),
    lambda: laws.usl_throughput(2, 10, 0.1, -0.1),
    lambda: laws.usl_throughput([], 10, 0.1, 0.1),
    lambda: laws.usl_peak(-0.1, 0.1),
    lambda: laws.usl_fit([1, 2], [1, 2]),              # too few points
    lambda: laws.usl_fit([1, 1, 2, 2], [1, 1, 2, 2]),  # only 2 distinct n
    lambda: laws.usl_fit([1, 2, 3], [1, 2]),
    lambda: laws.usl_fit([1, 2, 3], [1, 0, 2]),
    lambda: laws.usl_fit([], []),
])
def test_laws_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------------------------------------------- availability
def test_series_and_parallel():
    assert availability.series(0.99, 0.99) == pytest.approx(0.9801)
    assert availability.series([0.999, 0.999, 0.999]) == pytest.approx(0.997002999)
    assert availability.parallel(0.99, 0.99) == pytest.approx(0.9999)
    assert availability.parallel(0.9) == pytest.approx(0.9)
    assert availability.series(1.0, 0.5) == pytest.approx(0.5)


def test_downtime_textbook_values():
    assert availability.downtime(0.999) == dt.timedelta(hours=8, minutes=45, seconds=36)
    assert availability.downtime(0.9999, "year").total_seconds() == pytest.approx(52 * 60 + 33.6)
    assert availability.downtime(0.999, "month").total_seconds() == pytest.approx(43 * 60 + 48)
    assert availability.downtime(0.999, "week").total_seconds() == pytest.approx(604.8)
    assert availability.downtime(0.99, "day").total_seconds() == pytest.approx(864)
    assert availability.downtime(1.0) == dt.timedelta(0)


def test_nines():
    assert availability.nines(0.999) == pytest.approx(3)
    assert availability.nines(0.99999) == pytest.approx(5)
    assert availability.nines(0.9995) == pytest.approx(3.30103, rel=1e-5)
    assert availability.nines(1.0) == math.inf
    assert availability.nines(0.0) == pytest.approx(0)


@pytest.mark.parametrize("call", [
    lambda: availability.series(),
    lambda: availability.series(1.1),
    lambda: availability.series(0.9, -0.1),
    lambda: availability.parallel(2),
    lambda: availability.downtime(1.5),
    lambda: availability.downtime(0.99, "fortnight"),
    lambda: availability.nines(-0.5),
    lambda: availability.nines(float("nan")),
])
def test_availability_rejects_bad_input(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------------------------------------------- metrics
def test_percentiles_linear_interpolation():
    p = metrics.percentiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert p[50] == pytest.approx(5.5)
    assert p[95] == pytest.approx(9.55)
    assert p[99] == pytest.approx(9.91)
    assert metrics.percentiles([7.0], qs=(0, 100)) == {0: 7.0, 100: 7.0}


def test_percentiles_are_ordered_and_exceed_mean_on_skewed_data():
    sample = np.random.default_rng(1).lognormal(3, 1, 10_000)
    p = metrics.percentiles(sample)
    assert p[50] <= p[95] <= p[99]
    assert p[50] < sample.mean() < p[99]


def test_apdex_bands():
    # T = 100: 50 and 100 satisfied, 150 and 400 tolerating, 401 frustrated
    assert metrics.apdex([50, 100, 150, 400, 401], 100) == pytest.approx((2 + 2 / 2) / 5)
    assert metrics.apdex([0.01] * 10, 0.5) == 1.0
    assert metrics.apdex([10.0] * 10, 0.5) == 0.0
    assert metrics.apdex([0.6, 1.0], 0.5) == pytest.approx(0.5)


def test_simple_ratios():
    assert metrics.error_rate(1, 1000) == pytest.approx(0.001)
    assert metrics.error_rate(0, 1) == 0
    assert metrics.throughput(600, 60) == pytest.approx(10)
    assert metrics.throughput(0, 2) == 0
    assert metrics.hit_ratio(90, 10) == pytest.approx(0.9)
    assert metrics.pool_usage(15, 20) == pytest.approx(0.75)
    assert metrics.pool_usage(0, 5) == 0


@pytest.mark.parametrize("call", [
    lambda: metrics.percentiles([]),
    lambda: metrics.percentiles([1, 2], qs=(101,)),
    lambda: metrics.percentiles([1, 2], qs=()),
    lambda: metrics.percentiles([1, -2]),
    lambda: metrics.percentiles([1, float("inf")]),
    lambda: metrics.apdex([], 0.5),
    lambda: metrics.apdex([0.1], 0),
    lambda: metrics.apdex([0.1], -1),
    lambda: metrics.error_rate(5, 4),
    lambda: metrics.error_rate(-1, 4),
    lambda: metrics.error_rate(0, 0),
    lambda: metrics.throughput(10, 0),
    lambda: metrics.throughput(-1, 1),
    lambda: metrics.hit_ratio(0, 0),
    lambda: metrics.hit_ratio(-1, 3),
    lambda: metrics.pool_usage(6, 5),
    lambda: metrics.pool_usage(1, 0),
])
def test_metrics_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()


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
