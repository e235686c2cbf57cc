"""Lesson 01's views: each compute against hand-computed values and bad input, the explorers driven headlessly, the
checks on measured numbers and the static pictures."""
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from scalelab.widgets import measuring  # noqa: E402


# ------------------------------------------------------------------------------------ percentiles vs the mean
def test_percentile_compute_by_hand():
    r = measuring.percentile_compute(20, 1.0)
    assert r["mean_ms"] == pytest.approx(20 * math.exp(0.5))           # 32.97 ms
    assert r["p50_ms"] == pytest.approx(20)
    assert r["p95_ms"] == pytest.approx(20 * math.exp(1.644854), rel=1e-6)
    assert r["p99_ms"] == pytest.approx(20 * math.exp(2.326348), rel=1e-6)
    assert r["share_above_mean"] == pytest.approx(0.308538, rel=1e-5)  # P(Z > sigma / 2) = P(Z > 0.5)
    assert r["p99_over_mean"] == pytest.approx(math.exp(2.326348 - 0.5), rel=1e-5)
    assert len(r["x_ms"]) == len(r["density"]) == 400
    assert r["x_ms"][-1] == pytest.approx(20 * math.exp(3.090232), rel=1e-6)  # up to the 99.9th percentile
    assert r["measured"] is None


def test_zero_spread_means_every_request_is_the_median():
    r = measuring.percentile_compute(15, 0)
    assert r["mean_ms"] == r["p50_ms"] == r["p99_ms"] == pytest.approx(15)
    assert r["share_above_mean"] == 0 and not r["density"].any()


def test_percentile_compute_summarises_the_measured_sample():
    r = measuring.percentile_compute(20, 0.5, measured_ms=[10, 20, 30, 40, 100])
    # numpy's linear interpolation: P50 = 30, P95 = 40 + 0.8 * 60 = 88, P99 = 40 + 0.96 * 60 = 97.6
    assert r["measured"] == pytest.approx({"mean_ms": 40.0, "p50_ms": 30.0, "p95_ms": 88.0, "p99_ms": 97.6})


# ------------------------------------------------------------------------------------ Apdex
def test_apdex_compute_counts_and_score_by_hand():
    r = measuring.apdex_compute([10, 50, 51, 200, 201, 1000], 50)
    assert (r["satisfied"], r["tolerating"], r["frustrated"], r["total"]) == (2, 2, 2, 6)
    assert r["score"] == pytest.approx((2 + 1) / 6)
    assert measuring.apdex_compute([10, 50, 51, 200, 201, 1000], 250)["score"] == pytest.approx((5 + 0.5) / 6)


# ------------------------------------------------------------------------------------ nines and downtime
def test_nines_compute_three_nines():
    r = measuring.nines_compute(3)
    assert r["availability"] == pytest.approx(0.999)
    assert r["year_s"] == pytest.approx(8 * 3600 + 45 * 60 + 36)     # 0.001 * 365 * 86400 s = 31 536 s
    assert r["year_text"] == "8 h 45 min 36 s"
    assert r["month_s"] == pytest.approx(43 * 60 + 48)
    assert r["week_s"] == pytest.approx(604.8)
    assert r["day_s"] == pytest.approx(86.4)


def test_nines_compute_four_and_five_nines():
    assert measuring.nines_compute(4)["year_text"] == "52 min 34 s"
    assert measuring.nines_compute(5)["year_s"] == pytest.approx(315.36)


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


def test_mean_think_time_reads_gaps_per_user():
    # two users, three requests each; user 0 thinks 0.1 s, user 1 thinks 0.3 s
    frame = pd.DataFrame({"start": [0.0, 0.2, 0.4, 0.0, 0.4, 0.8], "end": [0.1, 0.3, 0.5, 0.1, 0.5, 0.9]})
    assert measuring.mean_think_time(frame, 2) == pytest.approx(0.2)


@pytest.mark.parametrize("call, name", [
    (lambda: measuring.percentile_compute(-1, 0.5), "median_ms"),
    (lambda: measuring.percentile_compute(10, -0.1), "sigma"),
    (lambda: measuring.percentile_compute(10, 0.5, points=2), "points"),
    (lambda: measuring.percentile_compute(10, 0.5, measured_ms=[]), "measured_ms"),
    (lambda: measuring.apdex_compute([], 50), "latencies_ms"),
    (lambda: measuring.apdex_compute([10, -1], 50), "latencies_ms"),
    (lambda: measuring.apdex_compute([10], 0), "t_ms"),
    (lambda: measuring.nines_compute(20), "nines"),
    (lambda: measuring.nines_compute("three"), "nines"),
    (lambda: measuring.format_duration(-1), "seconds"),
    (lambda: measuring.nines_table((1.5,)), "availability"),
    (lambda: measuring.littles_law_check({"throughput_rps": -1, "mean_ms": 1, "mean_in_flight": 1}), "throughput_rps"),
    (lambda: measuring.mean_think_time(pd.DataFrame({"start": [0.0, 1, 2], "end": [0.5, 1.5, 2.5]}), 2), "frame"),
])
def test_rejects_bad_input_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        call()


# ------------------------------------------------------------------------------------ Explorers, headless
def _drive(explorer, name, value):
    before_result, before_renders = explorer.result, explorer.renders
    explorer.controls[name].value = value
    assert explorer.renders > before_renders
    return before_result, explorer.result


def test_percentile_explorer_reacts_to_sigma_and_shows_the_measured_figures():
    sample = np.random.default_rng(1).lognormal(3, 0.5, 300)
    explorer = measuring.percentile_explorer(measured_ms=sample)
    before, after = _drive(explorer, "sigma", 1.2)
    assert after["p99_ms"] > before["p99_ms"]
    assert after["share_above_mean"] < before["share_above_mean"]
    assert "lesson01-percentiles" in explorer.controls["sigma"]._dom_classes
    assert f"P99 {after['p99_ms']:.1f} ms" in explorer.text.value and "your run" in explorer.text.value
    ax = explorer.figure.axes[0]
    assert ax.get_xlim()[1] >= after["p99_ms"], "the model's P99 stays on the axes"
    assert ax.get_ylim()[1] >= after["density"].max(), "and so does the top of its density"


def test_apdex_explorer_colours_the_bands_and_moves_the_score():
    lat = np.random.default_rng(2).lognormal(3, 0.6, 500)
    explorer = measuring.apdex_explorer(lat, t_ms=10)
    before, after = _drive(explorer, "t_ms", 40)
    assert after["score"] > before["score"] and after["satisfied"] > before["satisfied"]
    colours = explorer.artists["bars"].get_facecolors()
    green = matplotlib.colors.to_rgba(measuring.BAND_COLOURS["satisfied"])
    first_bar_green = np.allclose(colours[0], green)
    last_bar_green = np.allclose(colours[-1], green)
    assert first_bar_green and not last_bar_green, "bars up to T are satisfied, the tail beyond 4T is not"
    assert f"Apdex {after['score']:.2f}" in explorer.text.value


def test_nines_explorer_reacts_to_nines():
    explorer = measuring.nines_explorer(3)
    before, after = _drive(explorer, "nines", 4.0)
    assert after["year_s"] == pytest.approx(before["year_s"] / 10)
    assert "99.99 % available" in explorer.text.value and "52 min 34 s" in explorer.text.value
    assert explorer.blits >= 1, "the axes are fixed: moving the slider only redraws the bars"


def test_plots_return_figures():
    frame = pd.DataFrame({"offered_rps": [10, 20], "p50_ms": [5, 6], "p95_ms": [9, 12], "p99_ms": [12, 20],
                          "mean_ms": [6, 7], "ttfb_p50_ms": [4, 5], "utilization": [0.1, 0.2]})
    assert isinstance(measuring.plot_rate_sweep(frame), matplotlib.figure.Figure)
    assert isinstance(measuring.plot_latency_cdf({"a": [1, 2, 3]}), matplotlib.figure.Figure)


def test_littles_law_check_prefers_the_sampled_count_and_reads_queue_depth():
    summary = {"throughput_rps": 50.0, "mean_ms": 40.0, "mean_in_flight": 2.0, "sampled_in_flight": 2.5}
    r = measuring.littles_law_check(summary, {"mean_in_system": 1.5, "utilization": 0.6, "servers": 1})
    assert r["L_client"] == 2.5 and r["relative_gap"] == pytest.approx(0.2)
    assert r["queue_depth"] == pytest.approx(0.9)
    r = measuring.littles_law_check({**summary, "sampled_in_flight": float("nan")}, {"mean_in_system": 0.1,
                                                                                     "utilization": 0.3, "servers": 2})
    assert r["L_client"] == 2.0 and r["queue_depth"] == 0.0


def test_closed_loop_model_by_hand():
    # one user: X = 1 / (S + delay + Z), nothing queues
    one = measuring.closed_loop_model(1, service_time_s=0.010, delay_s=0.002, think_time_s=0.050)
    assert one["throughput_rps"][0] == pytest.approx(1 / 0.062)
    assert one["response_ms"][0] == pytest.approx(12.0)
    # two users, no delay or think time: MVA gives R(2) = S (1 + Q(1)) = 2 S, X = 1 / S (the worker saturates)
    two = measuring.closed_loop_model(2, service_time_s=0.010)
    assert two["throughput_rps"][1] == pytest.approx(100.0) and two["response_ms"][1] == pytest.approx(20.0)
    many = measuring.closed_loop_model(50, service_time_s=0.010, think_time_s=0.050)
    assert np.all(many["throughput_rps"] <= many["upper_rps"] + 1e-9)
    assert many["throughput_rps"][-1] == pytest.approx(100.0, rel=1e-3)   # far past N* = (S + Z) / S = 6: saturated
    with pytest.raises(ValueError, match="service_time_s"):
        measuring.closed_loop_model(4, service_time_s=0)


def test_plot_closed_loop_draws_measurement_on_the_model_axes():
    fig = measuring.plot_closed_loop([1, 4, 8], [16.0, 60.0, 95.0], service_time_s=0.010, delay_s=0.002,
                                     think_time_s=0.050)
    lines = fig.axes[0].lines
    assert list(lines[2].get_ydata()) == [16.0, 60.0, 95.0]
    assert lines[0].get_ydata()[0] == pytest.approx(1 / 0.062)
    with pytest.raises(ValueError, match="same length"):
        measuring.plot_closed_loop([1, 4], [16.0], service_time_s=0.010)
