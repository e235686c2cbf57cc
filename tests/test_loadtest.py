"""Load-test arithmetic (scalelab.models.loadtest) and lesson 07's views (scalelab.widgets.scale_testing)."""
import math

import numpy as np
import pytest

from scalelab.models import loadtest
from scalelab.widgets import scale_testing


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


# ---------------------------------------------------------------- lesson 07's views
def test_load_profile_compute_by_hand():
    # capacity 100/s; 200/s for 0.5 s: 50 requests pile up (latency 50 / 100 s + 10 ms of service), then drain at
    # 100 - 40 = 60/s: recovery 50 / 60 = 0.83 s
    out = scale_testing.load_profile_compute("spike", capacity_rps=100, base_rps=40, spike_rps=200, spike_s=0.5,
                                             queue_size=1000, spike_start_s=0.8, duration_s=3.0, dt=0.001)
    assert out["summary"]["peak_queue"] == pytest.approx(50, rel=0.01)
    assert out["summary"]["peak_latency_s"] == pytest.approx(0.51, rel=0.01)
    assert out["summary"]["recovery_s"] == pytest.approx(50 / 60, abs=0.01)
    assert out["summary"]["shed_requests"] == pytest.approx(0)
    assert out["summary"]["offered_requests"] == pytest.approx(40 * 2.5 + 200 * 0.5, rel=0.01)
    # a queue of 10: 40 of the 50 extra requests are shed
    short = scale_testing.load_profile_compute("spike", capacity_rps=100, base_rps=40, spike_rps=200, spike_s=0.5,
                                               queue_size=10, spike_start_s=0.8, duration_s=3.0, dt=0.001)
    assert short["summary"]["shed_requests"] == pytest.approx(40, rel=0.01)
    assert short["summary"]["recovery_s"] == pytest.approx(10 / 60, abs=0.01)
    ramp = scale_testing.load_profile_compute("ramp", capacity_rps=100, base_rps=0, spike_rps=200, duration_s=2.0,
                                              dt=0.01)
    assert ramp["summary"]["saturates_at_rps"] == pytest.approx(100, abs=1.01)
    assert math.isnan(ramp["summary"]["recovery_s"])
    calm = scale_testing.load_profile_compute("steady", capacity_rps=100, spike_rps=80)
    assert calm["summary"]["peak_queue"] == 0 and calm["summary"]["recovery_s"] == 0
    assert calm["rate_rps"] == pytest.approx(np.full(600, 80.0))  # steady holds the peak rate
    # held above capacity: the queue fills at 120 - 100 = 20/s and stays full of 50 after 2.5 s
    full = scale_testing.load_profile_compute("steady", capacity_rps=100, spike_rps=120, queue_size=50)
    assert full["summary"]["peak_queue"] == pytest.approx(50)
    assert full["summary"]["shed_requests"] == pytest.approx(20 * 3.0 - 50, rel=0.02)


@pytest.mark.parametrize("kwargs, name", [
    ({"profile": "wave"}, "profile"), ({"capacity_rps": 0}, "capacity_rps"), ({"queue_size": -1}, "queue_size"),
    ({"queue_size": 2.5}, "queue_size"), ({"spike_rps": -5}, "peak_rps"), ({"duration_s": 0}, "duration_s"),
    ({"dt": 0}, "dt"),
])
def test_load_profile_compute_refuses_bad_input_by_name(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        scale_testing.load_profile_compute(**kwargs)


def test_load_profile_explorer_headless():
    explorer = scale_testing.load_profile_explorer()
    before, renders = explorer.result["summary"], explorer.renders
    explorer.controls["queue_size"].value = 10
    assert explorer.renders == renders + 1
    assert explorer.result["summary"]["shed_requests"] > before["shed_requests"]
    assert f"shed {explorer.result['summary']['shed_requests']:.0f} of" in explorer.text.value
    explorer.controls["profile"].value = "ramp"
    assert explorer.result["profile"] == "ramp"
    assert explorer.renders == renders + 2


def test_plot_spike_vs_model_draws_one_panel_per_queue_size():
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    measured = pd.DataFrame({"queue_size": [5, 5, 200, 200], "scheduled": [0.1, 0.7, 0.1, 0.7],
                             "latency_s": [0.012, 0.0, 0.012, 0.3], "status": [200, 503, 200, 200]})
    fig = scale_testing.plot_spike_vs_model(measured, capacity_rps=100, base_rps=40, spike_rps=200,
                                            spike_start_s=0.6, spike_s=0.4, duration_s=2.0)
    assert [ax.get_title() for ax in fig.axes] == ["queue size 5", "queue size 200"]
    assert "ms" in fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match="measured"):
        scale_testing.plot_spike_vs_model(pd.DataFrame({"t": [1]}), 100, 40, 200, 0.6, 0.4, 2.0)


def test_lesson07_pictures_draw_measurement_beside_model():
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from scalelab.widgets import scale_testing as view

    bars = pd.DataFrame({"p95_ms": [5.0, 350.0, 390.0]})
    fig = view.plot_omission(bars, bars)
    assert len(fig.axes[0].patches) == 6 and "ms" in fig.axes[0].get_ylabel()
    plt.close(fig)
    ramp = pd.DataFrame({"offered_rps": [20, 40, 70], "p95_ms": [40.0, 60.0, 120.0]})
    fig = view.plot_stress_ramp(ramp, 0.010, 1, 100.0, breaking_rps=70)
    model = fig.axes[0].lines[0]   # M/M/1 P95 = ln 20 / (mu - lambda): 1000 ln 20 / (100 - x) ms
    x, y = model.get_xdata(), model.get_ydata()
    assert np.allclose(y, 1000 * np.log(20) / (100 - x), rtol=1e-6)
    plt.close(fig)
    volume = pd.DataFrame({"rows": [1_000, 10_000, 1_000, 10_000], "indexed": [False, False, True, True],
                           "median_ms": [0.1, 1.0, 0.02, 0.025]})
    fig = view.plot_volume(volume)
    assert fig.axes[0].get_xscale() == "log" and len(fig.axes[0].lines) == 4
    plt.close(fig)
    soak = pd.DataFrame({"leak_bytes": [0, 0, 0, 1000, 1000, 1000], "t_s": [0.0, 0.5, 1.0, 0.0, 0.5, 1.0],
                         "traced_bytes": [1e6, 1e6, 1e6, 1e6, 1.05e6, 1.1e6]})
    fig = view.plot_soak(soak, leak_bytes=1000, rate_rps=100)
    model = fig.axes[0].lines[-1]   # 1 kB x 100/s = 0.1 MB/s from the leaking run's first sample
    assert model.get_ydata()[-1] - model.get_ydata()[0] == pytest.approx(0.1)
    plt.close(fig)
    with pytest.raises(ValueError, match="ramp"):
        view.plot_stress_ramp(pd.DataFrame({"x": [1]}), 0.01, 1, 100)
    with pytest.raises(ValueError, match="volume"):
        view.plot_volume(volume[volume["indexed"]])


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


def test_plot_p95_spread_draws_runs_and_the_model_band():
    import matplotlib.pyplot as plt
    import pandas as pd

    from scalelab.models import loadtest as lt
    from scalelab.widgets import scale_testing

    runs = pd.DataFrame({"requests": [30, 30, 31], "p95_ms": [40.0, 55.0, 47.0]})
    fig = scale_testing.plot_p95_spread(runs, 40, 100)
    ax = fig.axes[0]
    assert ax.lines[0].get_ydata()[0] == pytest.approx(lt.mm1_percentile_spread_ms(30, 40, 100)[1])
    assert list(ax.lines[1].get_ydata()) == [40.0, 55.0, 47.0]
    plt.close(fig)
    with pytest.raises(ValueError, match="runs"):
        scale_testing.plot_p95_spread(pd.DataFrame({"p95": [1]}), 40, 100)
