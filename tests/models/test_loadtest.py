"""Load-test arithmetic (scalelab.models.loadtest) and lesson 07's views (scalelab.widgets.scale_testing)."""
import math

import numpy as np
import pytest

from scalelab.models import loadtest


# ---------------------------------------------------------------- SLO verdicts and the breaking point
def test_slo_met_scalar_and_array():
    assert loadtest.slo_met(80.0, 0.0, 100.0) is True
    assert loadtest.slo_met(120.0, 0.0, 100.0) is False
    assert loadtest.slo_met(80.0, 0.02, 100.0) is False
    np.testing.assert_array_equal(loadtest.slo_met([10, 200, np.nan], [0, 0, 0], 100.0), [True, False, False])


def test_slo_boundary_is_inclusive():
    assert loadtest.slo_met(100.0, 0.01, 100.0, 0.01) is True


@pytest.mark.parametrize("p95, errors, expected", [
    (50, 0.0, "pass"), (150, 0.0, "latency SLO broken"), (50, 0.05, "error budget broken"),
    (150, 0.05, "both broken")])
def test_verdict(p95, errors, expected):
    assert loadtest.verdict(p95, errors, slo_p95_ms=100) == expected


def test_breaking_point_is_lowest_broken_rate_in_any_order():
    rates = [80, 20, 60, 40, 100]
    p95 = [150, 20, 90, 40, 400]
    errors = [0, 0, 0, 0, 0.2]
    assert loadtest.breaking_point(rates, p95, errors, slo_p95_ms=100) == 80.0
    # an error rate above 1 % breaks the SLO even when latency is fine
    assert loadtest.breaking_point([10, 20, 30], [5, 6, 7], [0, 0.02, 0.5], slo_p95_ms=100) == 20.0


def test_breaking_point_nan_when_never_broken():
    assert math.isnan(loadtest.breaking_point([10, 20], [5, 6], [0, 0], slo_p95_ms=100))


@pytest.mark.parametrize("kwargs", [
    dict(rates=[1, 2], p95_ms=[1], error_rate=[0, 0], slo_p95_ms=10),
    dict(rates=[1, 2], p95_ms=[1, 2], error_rate=[0, 0], slo_p95_ms=0),
    dict(rates=[1, 2], p95_ms=[1, 2], error_rate=[0, 1.5], slo_p95_ms=10),
    dict(rates=[], p95_ms=[], error_rate=[], slo_p95_ms=10),
])
def test_breaking_point_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        loadtest.breaking_point(**kwargs)


# ---------------------------------------------------------------- leaks
def test_leak_trend_exact_line():
    t = [0, 1, 2, 3, 4]
    memory = [1000 + 500 * x for x in t]
    fit = loadtest.leak_trend(t, memory)
    assert fit["slope_bytes_per_s"] == pytest.approx(500)
    assert fit["intercept_bytes"] == pytest.approx(1000)
    assert fit["r_squared"] == pytest.approx(1.0)
    assert loadtest.is_leaking(t, memory, min_slope_bytes_per_s=100)
    assert not loadtest.is_leaking(t, memory, min_slope_bytes_per_s=1000)


def test_flat_memory_is_not_a_leak():
    t = np.arange(10.0)
    memory = 5e6 + np.array([0, 3, -2, 1, 0, -1, 2, -3, 1, 0]) * 100
    assert abs(loadtest.leak_trend(t, memory)["slope_bytes_per_s"]) < 100
    assert not loadtest.is_leaking(t, memory)


def test_leak_trend_hand_computed_slope():
    # slope = cov(t, m) / var(t): t = 0, 1, 2; m = 0, 2, 7 -> sum((t - 1)(m - 3)) / sum((t - 1)^2) = 7 / 2
    assert loadtest.leak_trend([0, 1, 2], [0, 2, 7])["slope_bytes_per_s"] == pytest.approx(3.5)


@pytest.mark.parametrize("t, m", [([0, 1], [1, 2]), ([1, 1, 1], [1, 2, 3]), ([0, 1, 2], [1, 2]),
                                  ([0, 1, 2], [1, -2, 3])])
def test_leak_trend_rejects_bad_input(t, m):
    with pytest.raises(ValueError):
        loadtest.leak_trend(t, m)


# ---------------------------------------------------------------- coordinated omission
def test_paced_single_user_waits_for_the_slow_reply():
    intended = [0.0, 0.1, 0.2, 0.3]
    service = [0.01, 0.35, 0.01, 0.01]
    start, end = loadtest.paced_single_user(intended, service)
    np.testing.assert_allclose(start, [0.0, 0.1, 0.45, 0.46])
    np.testing.assert_allclose(end, [0.01, 0.45, 0.46, 0.47])
    naive = end - start
    corrected = loadtest.corrected_latencies(intended, end)
    np.testing.assert_allclose(naive, [0.01, 0.35, 0.01, 0.01])
    np.testing.assert_allclose(corrected, [0.01, 0.35, 0.26, 0.17])


def test_backfill_adds_the_hidden_samples():
    out = loadtest.backfill_latencies([10, 35], expected_interval=10)
    np.testing.assert_allclose(sorted(out), [5, 10, 15, 25, 35])


def test_coordinated_omission_rejects_bad_input():
    with pytest.raises(ValueError):
        loadtest.paced_single_user([0.2, 0.1], [0.01, 0.01])
    with pytest.raises(ValueError):
        loadtest.corrected_latencies([1.0], [0.5])
    with pytest.raises(ValueError):
        loadtest.backfill_latencies([1.0], expected_interval=0)


# ---------------------------------------------------------------- fluid model
def test_rate_profiles():
    t, rate = loadtest.rate_profile("spike", 3.0, 40, 200, spike_start_s=1.0, spike_s=0.5, dt=0.5)
    np.testing.assert_allclose(t, [0, 0.5, 1.0, 1.5, 2.0, 2.5])
    np.testing.assert_allclose(rate, [40, 40, 200, 40, 40, 40])
    _, ramp = loadtest.rate_profile("ramp", 2.0, 0, 100, dt=0.5)
    np.testing.assert_allclose(ramp, [0, 25, 50, 75])
    with pytest.raises(ValueError):
        loadtest.rate_profile("wave", 2.0, 0, 100)


def test_fluid_queue_spike_by_hand():
    # capacity 100/s; 200/s for 0.5 s -> 50 requests pile up, then drain at 100 - 40 = 60/s (0.83 s)
    t, rate = loadtest.rate_profile("spike", 3.0, 40, 200, spike_start_s=1.0, spike_s=0.5, dt=0.001)
    out = loadtest.fluid_queue(t, rate, capacity_rps=100, queue_size=1000)
    assert out["queue"].max() == pytest.approx(50, rel=0.01)
    assert out["latency_s"].max() == pytest.approx(50 / 100 + 0.01, rel=0.01)
    assert out["dropped_rps"].sum() == 0
    empty_again = t[(t > 1.5) & (out["queue"] < 1e-9)][0]
    assert empty_again - 1.5 == pytest.approx(50 / 60, abs=0.01)


def test_fluid_queue_sheds_beyond_queue_size():
    t, rate = loadtest.rate_profile("spike", 3.0, 40, 200, spike_start_s=1.0, spike_s=0.5, dt=0.001)
    out = loadtest.fluid_queue(t, rate, capacity_rps=100, queue_size=10)
    assert out["queue"].max() == pytest.approx(10)
    assert out["dropped_rps"].sum() * 0.001 == pytest.approx(40, rel=0.01)  # 50 extra, 10 kept


def test_fluid_queue_rejects_bad_input():
    with pytest.raises(ValueError):
        loadtest.fluid_queue([0, 1, 3], [1, 1, 1], 10, 5)
    with pytest.raises(ValueError):
        loadtest.fluid_queue([0, 1, 2], [1, 1, 1], 0, 5)
    with pytest.raises(ValueError):
        loadtest.fluid_queue([0, 1, 2], [1, 1, 1], 10, -1)


def test_recovery_time_by_hand():
    t = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    latency = [10, 10, 300, 200, 12, 10]
    assert loadtest.recovery_time(t, latency, after_s=1.0, normal=15) == pytest.approx(1.0)  # normal at 2.0 s
    assert loadtest.recovery_time(t, latency, after_s=0.0, normal=15) == 0.0                 # normal at once
    assert math.isnan(loadtest.recovery_time(t, latency, after_s=1.0, normal=5))            # never back
    for kwargs, name in (({"t_s": [0, 1], "values": [1]}, "t_s"), ({"t_s": [1, 0], "values": [1, 1]}, "t_s"),
                         ({"t_s": [0, 1], "values": [1, np.nan]}, "values")):
        with pytest.raises(ValueError, match=rf"^{name}"):
            loadtest.recovery_time(after_s=0, normal=1, **kwargs)


def test_tables_cover_the_five_tests_and_eight_tools():
    assert [row["test"] for row in loadtest.STRATEGIES] == list(loadtest.TEST_TYPES)
    assert {row["tool"] for row in loadtest.TOOLS} == {"JMeter", "k6", "LoadRunner", "Artillery", "Gatling",
                                                       "NBomber", "BlazeMeter", "Locust"}


def test_mm1_percentile_spread_matches_simulated_numpy_percentiles():
    import numpy as np

    from scalelab.models import loadtest as lt

    low, median, high = lt.mm1_percentile_spread_ms(30, 40, 100)
    sampled = 1000 * np.percentile(np.random.default_rng(1).exponential(1 / 60, (20_000, 30)), 95, axis=1)
    expected = np.percentile(sampled, [5, 50, 95])
    assert (low, median, high) == pytest.approx(tuple(expected), rel=0.03)
    big = lt.mm1_percentile_spread_ms(100_000, 40, 100)
    assert big[0] < 1000 * np.log(20) / 60 < big[2] and big[2] - big[0] < 1.0  # many samples: the true P95
    for kwargs, name in (({"samples": 1}, "samples"), ({"arrival_rps": 100}, "arrival_rps"),
                         ({"coverage": 1}, "coverage")):
        args = {"samples": 30, "arrival_rps": 40, "service_rate_rps": 100, **kwargs}
        with pytest.raises(ValueError, match=name):
            lt.mm1_percentile_spread_ms(**args)
