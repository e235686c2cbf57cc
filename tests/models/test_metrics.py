"""Unit tests of the core models (queueing, laws, availability, metrics) against textbook values and bad input."""
import math

import numpy as np
import pandas as pd
import pytest

from scalelab.models import availability, metrics


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


def test_timeline_and_availability_of_a_synthetic_run():
    frame = pd.DataFrame({"scheduled": [0.0, 0.1, 0.3, 0.35, 0.6], "end": [0.02, 0.12, 0.32, 0.4, 0.61],
                          "status": [200, 200, 502, 200, 200]})
    line = metrics.timeline(frame, bin_s=0.25)
    assert line["t_s"].tolist() == [0.0, 0.25, 0.5]
    assert line["ok_rps"].tolist() == [8.0, 4.0, 4.0]
    assert line["failed"].tolist() == [0, 1, 0]
    assert metrics.availability_of(frame) == {"requests": 5, "errors": 1, "availability": 0.8}
    with pytest.raises(ValueError):
        metrics.timeline(frame, bin_s=0)
    with pytest.raises(ValueError):
        metrics.timeline(pd.DataFrame({"x": [1]}))


def test_latency_table_by_hand():
    frame = pd.DataFrame({"k": [3, 1, 3, 1, 3], "latency_ms": [2.0, 1.0, 6.0, 3.0, 4.0]})
    table = metrics.latency_table(frame)
    assert table["k"].tolist() == [1, 3] and table["count"].tolist() == [2, 3]
    assert table["mean"].tolist() == pytest.approx([2.0, 4.0])
    assert table["p50"].tolist() == pytest.approx([2.0, 4.0])
    assert table["p99"].tolist() == pytest.approx([1.0 + 0.99 * 2, 4.0 + 0.98 * 2])  # numpy's linear percentiles
    by_user = metrics.latency_table(frame.assign(user=["a", "a", "b", "b", "b"]), by="user")
    assert by_user["user"].tolist() == ["a", "b"] and by_user["count"].tolist() == [2, 3]
    with pytest.raises(ValueError, match="latency_ms"):
        metrics.latency_table(pd.DataFrame({"k": [1]}))
    with pytest.raises(ValueError, match="'k'"):
        metrics.latency_table(pd.DataFrame({"latency_ms": [1.0]}))


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


# ------------------------------------------------------------------------------------ log-normal latency
def test_lognormal_percentiles_match_closed_form():
    # Pq = median * exp(sigma * z_q): z_95 = 1.644854, z_99 = 2.326348
    assert metrics.lognormal_percentile(20, 0.5, 50) == pytest.approx(20)
    assert metrics.lognormal_percentile(20, 0.5, 99) == pytest.approx(20 * math.exp(0.5 * 2.326348), rel=1e-6)
    assert metrics.lognormal_percentile(10, 1.0, 95) == pytest.approx(10 * math.exp(1.644854), rel=1e-6)
    assert metrics.lognormal_percentile(10, 1.0, 5) == pytest.approx(10 * math.exp(-1.644854), rel=1e-6)
    assert metrics.lognormal_percentile(15, 0, 99) == 15


def test_lognormal_mean_and_share_below():
    assert metrics.lognormal_mean(20, 1.0) == pytest.approx(20 * math.exp(0.5))        # 32.97
    assert metrics.lognormal_mean(20, 0) == 20
    # share below the mean = Phi(sigma / 2): Phi(0.5) = 0.691462
    mean = metrics.lognormal_mean(20, 1.0)
    assert metrics.lognormal_share_below(mean, 20, 1.0) == pytest.approx(0.691462, rel=1e-5)
    assert metrics.lognormal_share_below(20, 20, 0.7) == pytest.approx(0.5)
    assert metrics.lognormal_share_below(0, 20, 0.7) == 0
    assert (metrics.lognormal_share_below(19.9, 20, 0), metrics.lognormal_share_below(20, 20, 0)) == (0.0, 1.0)


def test_lognormal_density_by_hand_and_as_a_distribution():
    # at x = median the density is 1 / (median * sigma * sqrt(2 pi)): 1 / (10 * 0.5 * 2.506628) = 0.0797885
    assert metrics.lognormal_density([10.0], 10, 0.5)[0] == pytest.approx(0.0797885, rel=1e-6)
    assert metrics.lognormal_density([0.0], 10, 0.5)[0] == 0
    x = np.linspace(0.01, metrics.lognormal_percentile(30, 0.4, 99.9), 20_000)
    assert np.trapezoid(metrics.lognormal_density(x, 30, 0.4), x) == pytest.approx(0.999, abs=0.002)


def test_lognormal_agrees_with_a_large_sample():
    sample = np.random.default_rng(3).lognormal(math.log(25), 0.7, 200_000)
    assert np.percentile(sample, 99) == pytest.approx(metrics.lognormal_percentile(25, 0.7, 99), rel=0.02)
    assert sample.mean() == pytest.approx(metrics.lognormal_mean(25, 0.7), rel=0.01)


def test_fit_lognormal_by_hand_and_as_scipy_fits():
    # ln of [e, e^3] = [1, 3]: median exp(2), sigma = std([1, 3]) = 1
    median, sigma = metrics.fit_lognormal([math.e, math.e ** 3])
    assert median == pytest.approx(math.exp(2)) and sigma == pytest.approx(1.0)
    sample = np.random.default_rng(4).lognormal(math.log(12), 0.3, 5_000)
    median, sigma = metrics.fit_lognormal(sample)
    assert median == pytest.approx(12, rel=0.01) and sigma == pytest.approx(0.3, rel=0.03)
    from scipy import stats

    shape, _, scale = stats.lognorm.fit(sample, floc=0)
    assert (median, sigma) == pytest.approx((scale, shape), rel=1e-9)


# ------------------------------------------------------------------------------------ Apdex bands
def test_apdex_counts_by_hand_and_the_score_uses_them():
    # T = 50: 10 and 50 satisfied, 51 and 200 tolerating, 201 and 1000 frustrated
    counts = metrics.apdex_counts([10, 50, 51, 200, 201, 1000], 50)
    assert counts == {"satisfied": 2, "tolerating": 2, "frustrated": 2, "total": 6}
    assert metrics.apdex([10, 50, 51, 200, 201, 1000], 50) == pytest.approx((2 + 2 / 2) / 6)


@pytest.mark.parametrize("call, name", [
    (lambda: metrics.lognormal_percentile(0, 0.5, 50), "median"),
    (lambda: metrics.lognormal_percentile(10, -0.5, 50), "sigma"),
    (lambda: metrics.lognormal_percentile(10, 0.5, 100), "q"),
    (lambda: metrics.lognormal_mean(10, 11), "sigma"),
    (lambda: metrics.lognormal_share_below(-1, 10, 0.5), "x"),
    (lambda: metrics.lognormal_density([1.0], 10, 0), "sigma"),
    (lambda: metrics.lognormal_density([-1.0], 10, 0.5), "x"),
    (lambda: metrics.fit_lognormal([5.0]), "latencies"),
    (lambda: metrics.fit_lognormal([5.0, 0.0]), "latencies"),
    (lambda: metrics.apdex_counts([], 50), "latencies"),
    (lambda: metrics.apdex_counts([10], 0), "t"),
    (lambda: availability.from_nines(-1), "nines"),
    (lambda: availability.from_nines(13), "nines"),
])
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        call()


def test_request_summary_counts_failures_and_takes_percentiles_of_ok_requests_only():
    row = metrics.request_summary([10, 20, 30, 1000], ok=[True, True, True, False], span_s=2.0)
    assert (row["requests"], row["ok"], row["error_rate"], row["throughput_rps"]) == (4, 3, 0.25, 1.5)
    assert row["mean_ms"] == pytest.approx(20.0)
    assert (row["p50_ms"], row["p95_ms"], row["p99_ms"]) == pytest.approx((20.0, 29.0, 29.8))
    none_ok = metrics.request_summary([5.0], ok=[False])
    assert none_ok["ok"] == 0 and math.isnan(none_ok["p95_ms"]) and math.isnan(none_ok["throughput_rps"])
    assert set(metrics.request_summary([1.0, 2.0], qs=(50, 99))) >= {"p50_ms", "p99_ms"}
    with pytest.raises(ValueError, match="ok"):
        metrics.request_summary([1.0, 2.0], ok=[True])
    with pytest.raises(ValueError, match="span_s"):
        metrics.request_summary([1.0], span_s=0)
