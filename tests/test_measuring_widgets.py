"""Lesson 01's compute functions (hand-computed values, bad input) and its Explorers driven headlessly."""
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from scalelab.widgets import measuring  # noqa: E402


# ------------------------------------------------------------------------------------ skewed latency (log-normal)
def test_lognormal_percentiles_match_closed_form():
    # P99 = median * exp(sigma * 2.3263), P95 = median * exp(sigma * 1.6449)
    assert measuring.lognormal_percentile(20, 0.5, 50) == pytest.approx(20)
    assert measuring.lognormal_percentile(20, 0.5, 99) == pytest.approx(20 * math.exp(0.5 * 2.326348), rel=1e-6)
    assert measuring.lognormal_percentile(10, 1.0, 95) == pytest.approx(10 * math.exp(1.644854), rel=1e-6)


def test_skewed_latency_mean_lies_above_median():
    r = measuring.skewed_latency(20, 1.0)
    assert r["mean_ms"] == pytest.approx(20 * math.exp(0.5))           # 32.97 ms
    assert r["p50_ms"] < r["mean_ms"] < r["p95_ms"] < r["p99_ms"]
    assert r["share_above_mean"] == pytest.approx(0.308538, rel=1e-5)  # P(Z > 0.5)
    assert r["p99_over_mean"] == pytest.approx(math.exp(2.326348 - 0.5), rel=1e-5)
    assert len(r["x_ms"]) == len(r["density"]) == 400


def test_skewed_latency_density_integrates_to_about_one():
    r = measuring.skewed_latency(30, 0.4, points=4000)
    area = np.trapezoid(r["density"], r["x_ms"]) if hasattr(np, "trapezoid") else np.trapz(r["density"], r["x_ms"])
    assert area == pytest.approx(0.999, abs=0.01)  # the curve stops at the 99.9th percentile


def test_zero_spread_means_every_request_is_the_median():
    r = measuring.skewed_latency(15, 0)
    assert r["mean_ms"] == r["p50_ms"] == r["p99_ms"] == pytest.approx(15)
    assert r["share_above_mean"] == 0


def test_skewed_latency_agrees_with_a_large_sample():
    sample = np.random.default_rng(3).lognormal(math.log(25), 0.7, 200_000)
    r = measuring.skewed_latency(25, 0.7)
    assert np.percentile(sample, 99) == pytest.approx(r["p99_ms"], rel=0.02)
    assert sample.mean() == pytest.approx(r["mean_ms"], rel=0.01)


def test_fit_lognormal_recovers_median_and_sigma():
    sample = np.random.default_rng(4).lognormal(math.log(12), 0.3, 50_000)
    median, sigma = measuring.fit_lognormal(sample)
    assert median == pytest.approx(12, rel=0.01)
    assert sigma == pytest.approx(0.3, rel=0.02)


# ------------------------------------------------------------------------------------ Apdex
def test_apdex_bands_counts_and_score():
    r = measuring.apdex_bands([10, 50, 51, 200, 201, 1000], 50)
    assert (r["satisfied"], r["tolerating"], r["frustrated"], r["total"]) == (2, 2, 2, 6)
    assert r["score"] == pytest.approx((2 + 1) / 6)


def test_apdex_curve_never_falls_as_t_grows():
    lat = np.random.default_rng(5).lognormal(3, 0.8, 2000)
    scores = measuring.apdex_curve(lat, np.linspace(1, 300, 60))
    assert np.all(np.diff(scores) >= 0)
    assert 0 <= scores[0] <= scores[-1] <= 1


# ------------------------------------------------------------------------------------ nines and downtime
def test_downtime_budget_three_nines():
    r = measuring.downtime_budget(3)
    assert r["availability"] == pytest.approx(0.999)
    assert r["year_s"] == pytest.approx(8 * 3600 + 45 * 60 + 36)
    assert r["year_text"] == "8 h 45 min 36 s"
    assert r["month_s"] == pytest.approx(43 * 60 + 48)
    assert r["week_s"] == pytest.approx(604.8)
    assert r["day_s"] == pytest.approx(86.4)


def test_downtime_budget_four_and_five_nines():
    assert measuring.downtime_budget(4)["year_text"] == "52 min 34 s"
    assert measuring.downtime_budget(5)["year_s"] == pytest.approx(315.36)


def test_format_duration():
    assert measuring.format_duration(0) == "0 s"
    assert measuring.format_duration(0.25) == "0.25 s"
    assert measuring.format_duration(6.048) == "6.0 s"
    assert measuring.format_duration(3600) == "1 h"
    assert measuring.format_duration(90061) == "1 d 1 h 1 min"
    assert measuring.format_duration(14 * 3600 + 37) == "14 h 0 min 37 s"


def test_nines_table():
    table = measuring.nines_table((0.999, 0.9999))
    assert list(table["downtime per year"]) == ["8 h 45 min 36 s", "52 min 34 s"]
    assert list(table["nines"]) == [3.0, 4.0]


# ------------------------------------------------------------------------------------ laws on measured numbers
def test_littles_law_check():
    summary = {"throughput_rps": 50.0, "mean_ms": 40.0, "mean_in_flight": 2.2}
    r = measuring.littles_law_check(summary, {"mean_in_system": 1.7})
    assert r["X_times_W"] == pytest.approx(2.0)
    assert r["relative_gap"] == pytest.approx(0.2 / 2.2)
    assert r["outside_server_ms"] == pytest.approx(10.0)  # (2.2 - 1.7) / 50 s = 10 ms
    assert "L_server" not in measuring.littles_law_check(summary)


def test_response_time_law():
    # N = X (R + Z): 10 users, 50 req/s, think 0.1 s -> R = 0.1 s
    assert measuring.response_time_law(10, 50, 0.1) == pytest.approx(0.1)
    assert measuring.response_time_law(1, 100, 0) == pytest.approx(0.01)


def test_mean_think_time_reads_gaps_per_user():
    # two users, three requests each; user 0 thinks 0.1 s, user 1 thinks 0.3 s
    frame = pd.DataFrame({"start": [0.0, 0.2, 0.4, 0.0, 0.4, 0.8], "end": [0.1, 0.3, 0.5, 0.1, 0.5, 0.9]})
    assert measuring.mean_think_time(frame, 2) == pytest.approx(0.2)


def test_intended_latency_adds_the_time_a_request_was_late():
    # due every 0.1 s; the second reply came at 0.5 s although it was due at 0.1 s
    out = measuring.intended_latency([0.05, 0.5, 0.55], 10)
    assert out == pytest.approx([0.05, 0.4, 0.35])


@pytest.mark.parametrize("call", [
    lambda: measuring.lognormal_percentile(0, 0.5, 50),
    lambda: measuring.lognormal_percentile(10, -0.5, 50),
    lambda: measuring.lognormal_percentile(10, 0.5, 100),
    lambda: measuring.skewed_latency(-1, 0.5),
    lambda: measuring.skewed_latency(10, 0.5, points=2),
    lambda: measuring.fit_lognormal([5.0]),
    lambda: measuring.fit_lognormal([5.0, 0.0]),
    lambda: measuring.apdex_bands([], 50),
    lambda: measuring.apdex_bands([10], 0),
    lambda: measuring.apdex_curve([10], [-5]),
    lambda: measuring.availability_from_nines(-1),
    lambda: measuring.downtime_budget(20),
    lambda: measuring.format_duration(-1),
    lambda: measuring.nines_table((1.5,)),
    lambda: measuring.littles_law_check({"throughput_rps": -1, "mean_ms": 1, "mean_in_flight": 1}),
    lambda: measuring.response_time_law(0, 10, 0),
    lambda: measuring.response_time_law(5, 0, 0),
    lambda: measuring.response_time_law(5, 10, -1),
    lambda: measuring.mean_think_time(pd.DataFrame({"start": [0.0, 1, 2], "end": [0.5, 1.5, 2.5]}), 2),
    lambda: measuring.intended_latency([], 10),
    lambda: measuring.intended_latency([0.1], 0),
])
def test_rejects_bad_input(call):
    with pytest.raises(ValueError):
        call()


# ------------------------------------------------------------------------------------ Explorers, headless
def _drive(explorer, name, value):
    before_result, before_renders = explorer.result, explorer.renders
    explorer.controls[name].value = value
    assert explorer.renders > before_renders
    return before_result, explorer.result


def test_percentile_explorer_reacts_to_sigma():
    explorer = measuring.percentile_explorer(measured_ms=np.random.default_rng(1).lognormal(3, 0.5, 300))
    before, after = _drive(explorer, "sigma", 1.2)
    assert after["p99_ms"] > before["p99_ms"]
    assert after["share_above_mean"] < before["share_above_mean"]
    assert "lesson01-percentiles" in explorer.controls["sigma"]._dom_classes


def test_apdex_explorer_reacts_to_t():
    lat = np.random.default_rng(2).lognormal(3, 0.6, 500)
    explorer = measuring.apdex_explorer(lat, t_ms=10)
    before, after = _drive(explorer, "t_ms", 40)
    assert after["score"] > before["score"]
    assert after["satisfied"] > before["satisfied"]


def test_nines_explorer_reacts_to_nines():
    explorer = measuring.nines_explorer(3)
    before, after = _drive(explorer, "nines", 4.0)
    assert after["year_s"] == pytest.approx(before["year_s"] / 10)


def test_plots_return_figures():
    frame = pd.DataFrame({"offered_rps": [10, 20], "p50_ms": [5, 6], "p95_ms": [9, 12], "p99_ms": [12, 20],
                          "mean_ms": [6, 7], "ttfb_p50_ms": [4, 5], "utilization": [0.1, 0.2]})
    assert isinstance(measuring.plot_rate_sweep(frame), matplotlib.figure.Figure)
    assert isinstance(measuring.plot_latency_cdf({"a": [1, 2, 3]}), matplotlib.figure.Figure)
