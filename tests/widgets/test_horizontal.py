"""Lesson 04 models and views: scale-out capacity and failover (models.scaleout), the USL peak, the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from scalelab.widgets import horizontal as hz  # noqa: E402


def _figure():
    fig = Figure(figsize=(7, 3.2), dpi=90)
    FigureCanvasAgg(fig)
    return fig


# ----------------------------------------------------------------------------------------------------- computes
def test_capacity_sleep_scales_past_cores_cpu_does_not():
    result = hz.capacity_compute(service_time_ms=20.0, cores=2, overhead_ms=1.0, n_max=8)
    assert result["n"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    # sleep: N / 0.020 s = 50 N req/s, capped at 2 cores / 0.001 s = 2000 req/s
    assert result["sleep_rps"].tolist() == pytest.approx([50, 100, 150, 200, 250, 300, 350, 400])
    # CPU: capped at 2 / (0.020 + 0.001) = 95.238 req/s, so N = 1 gives 50 and N >= 2 gives 95.24
    assert result["cpu_rps"].tolist() == pytest.approx([50] + [2 / 0.021] * 7)
    assert result["knee_n"] == pytest.approx(2 / 0.021 * 0.020)  # 1.905 workers
    assert result["sleep_cap_rps"] == pytest.approx(2000.0) and result["cpu_cap_rps"] == pytest.approx(2 / 0.021)


def test_capacity_without_overhead_has_no_sleep_ceiling():
    result = hz.capacity_compute(service_time_ms=10.0, cores=4, overhead_ms=0.0, n_max=4)
    assert math.isinf(result["sleep_cap_rps"])
    assert result["cpu_rps"].tolist() == pytest.approx([100, 200, 300, 400])
    assert result["knee_n"] == pytest.approx(4.0)


def test_usl_compute_matches_textbook_values():
    result = hz.usl_compute(sigma=0.05, kappa=0.001, lam=100.0, n_max=50)
    assert result["peak_n"] == pytest.approx(math.sqrt(0.95 / 0.001))  # 30.82
    n = math.sqrt(950)
    assert result["peak_rps"] == pytest.approx(100 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1)))
    assert result["model_rps"][0] == pytest.approx(100.0) and result["n"][-1] == 50
    assert result["linear_rps"][-1] == pytest.approx(5000.0)
    assert result["fit"] is None and math.isnan(result["rms_rel_error"])


def test_usl_compute_scores_the_slider_curve_against_points():
    ns, xs = [1, 2, 4], [100.0, 200.0, 400.0]
    exact = hz.usl_compute(sigma=0.0, kappa=0.0, lam=100.0, measured_n=ns, measured_x=xs)
    assert exact["rms_rel_error"] == pytest.approx(0.0)
    assert math.isinf(exact["peak_n"]) and math.isinf(exact["peak_rps"])
    assert exact["fit"].sigma == pytest.approx(0.0, abs=1e-3)
    off = hz.usl_compute(sigma=0.0, kappa=0.0, lam=50.0, measured_n=ns, measured_x=xs)
    assert off["rms_rel_error"] == pytest.approx(0.5)  # every point predicted at half


def test_failover_compute_by_hand():
    result = hz.failover_compute(rate=80.0, servers=4, service_time_ms=20.0, response_ms=50.0)
    assert result["in_flight_lost"] == pytest.approx(80 / 4 * 0.050)  # 1 request
    assert result["util_before"] == pytest.approx(0.4)
    assert result["util_after"] == pytest.approx(80 * 0.020 / 3)
    assert result["sessions_lost_fraction"] == pytest.approx(0.25)
    assert not result["overloaded_after"]
    assert result["n"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert result["util_before_n"].tolist() == pytest.approx([1.6 / n for n in range(2, 9)])
    assert result["util_after_n"].tolist() == pytest.approx([1.6 / (n - 1) for n in range(2, 9)])
    assert hz.failover_compute(rate=100.0, servers=2, service_time_ms=20.0)["overloaded_after"]


def test_dispatch_compute_literal_values():
    result = hz.dispatch_compute(n_servers=2, big_every=4, big_s=6.0, small_s=1.0, jobs=24)
    assert result["round_robin"]["mean_s"] == pytest.approx(7.0)
    assert result["round_robin"]["worst_s"] == pytest.approx(21.0)
    assert result["least_connections"]["mean_s"] == pytest.approx(4.125)
    assert result["least_connections"]["worst_s"] == pytest.approx(8.0)
    assert hz.uneven_workload(5, 2, 3.0, 1.0).tolist() == [3, 1, 3, 1, 3]


@pytest.mark.parametrize("call, argument", [
    (lambda: hz.capacity_compute(service_time_ms=0), "service_time_ms"),
    (lambda: hz.capacity_compute(cores=0), "cores"),
    (lambda: hz.capacity_compute(overhead_ms=-1), "overhead_ms"),
    (lambda: hz.capacity_compute(n_max=0), "n_max"),
    (lambda: hz.capacity_compute(measured=[pd.DataFrame({"servers": [1]})]), "measured"),
    (lambda: hz.usl_compute(sigma=-0.1), "sigma"),
    (lambda: hz.usl_compute(kappa=-0.1), "kappa"),
    (lambda: hz.usl_compute(lam=0), "lam"),
    (lambda: hz.usl_compute(n_max=1), "n_max"),
    (lambda: hz.usl_compute(measured_n=[1, 2], measured_x=[1.0]), "same length"),
    (lambda: hz.usl_compute(measured_n=[0, 2], measured_x=[1.0, 2.0]), "measured_n"),
    (lambda: hz.failover_compute(servers=1), "servers"),
    (lambda: hz.failover_compute(rate=0), "rate"),
    (lambda: hz.failover_compute(service_time_ms=0), "service_time_ms"),
    (lambda: hz.failover_compute(response_ms=-5), "response_ms"),
    (lambda: hz.uneven_workload(jobs=0), "jobs"),
    (lambda: hz.dispatch_compute(n_servers=0), "n_servers"),
    (lambda: hz.dispatch_compute(big_s=-1), "big_s"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# -------------------------------------------------------------------------------------------- draws, one by one
def test_capacity_draw_moves_the_model_and_states_the_ceilings():
    sweep = pd.DataFrame({"servers": [1, 2, 3, 4], "kind": "cpu", "service_time_ms": 20.0,
                          "throughput_rps": [48.0, 90.0, 91.0, 89.0]})
    params = {"service_time_ms": 20.0, "cores": 2, "overhead_ms": 1.0, "n_max": 8, "measured": [sweep]}
    fig = _figure()
    artists = hz.capacity_setup(fig, params)
    result = hz.capacity_compute(**params)
    caption = hz.capacity_draw(artists, result, params)
    assert artists["sleep"].get_ydata().tolist() == pytest.approx(result["sleep_rps"].tolist())
    assert artists["knee"].get_xdata()[0] == pytest.approx(1.905, abs=1e-3)
    assert artists["ax"].get_ylim() == (0, 500)  # 400 req/s at N = 8, with room: the next nice top
    assert "2,000 req/s" in caption and "95.2 req/s" in caption and "N ≈ 1.9" in caption
    assert any(line.get_label() == "measured: cpu (20 ms)" for line in artists["ax"].get_lines())


def test_usl_draw_shows_the_peak_only_inside_the_axes():
    fig = _figure()
    params = {"sigma": 0.0, "kappa": 0.01, "lam": 50.0, "n_max": 16, "measured_n": None, "measured_x": None}
    artists = hz.usl_setup(fig, params)
    caption = hz.usl_draw(artists, hz.usl_compute(**params), params)
    assert artists["peak"].get_visible() and artists["peak"].get_xdata()[0] == pytest.approx(10.0)  # sqrt(1 / 0.01)
    assert "peak N* = 10.0" in caption
    params["kappa"] = 0.0
    caption = hz.usl_draw(artists, hz.usl_compute(**params), params)
    assert not artists["peak"].get_visible() and "linear scaling" in caption


def test_failover_draw_says_when_the_survivors_are_overloaded():
    fig = _figure()
    artists = hz.failover_setup(fig, {})
    caption = hz.failover_draw(artists, hz.failover_compute(rate=80, servers=3, service_time_ms=20, response_ms=30))
    assert "53% busy before, 80% after" in caption and "keep up" in caption and "About 0.8 requests" in caption
    assert artists["after"].get_ydata()[0] == pytest.approx(160.0)  # N = 2: 80 x 20 ms on one survivor
    caption = hz.failover_draw(artists, hz.failover_compute(rate=200, servers=3, service_time_ms=20, response_ms=30))
    assert "overloaded" in caption and artists["ax"].get_ylim()[1] >= 400


def test_dispatch_draw_plots_every_job():
    fig = _figure()
    artists = hz.dispatch_setup(fig, {})
    caption = hz.dispatch_draw(artists, hz.dispatch_compute())
    assert len(artists["round_robin"].get_xdata()) == 24 and max(artists["round_robin"].get_ydata()) == 21
    assert "worst 21.0 s" in caption and "worst 8.0 s" in caption


# ------------------------------------------------------------------------------------------------------ explorers
@pytest.mark.parametrize("make, name, value", [
    (lambda: hz.capacity_explorer(), "cores", 4),
    (lambda: hz.usl_explorer([1, 2, 3, 4], [48.0, 96.0, 143.0, 174.0]), "kappa", 0.02),
    (lambda: hz.usl_explorer(), "sigma", 0.2),
    (lambda: hz.failover_explorer(), "servers", 5),
    (lambda: hz.dispatch_explorer(), "n_servers", 3),
])
def test_explorers_redraw_when_a_control_moves(make, name, value):
    explorer = make()
    before, renders, caption = explorer.result, explorer.renders, explorer.text.value
    explorer.controls[name].value = value
    assert explorer.renders == renders + 1 and explorer.text.value != caption
    changed = [k for k in before if not _same(before[k], explorer.result[k])]
    assert changed, f"moving {name} should change the result"


def _same(a, b):
    if isinstance(a, dict) or hasattr(a, "columns") or a is None or b is None:
        return a is b or (isinstance(a, dict) and all(_same(a[k], b[k]) for k in a))
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except (TypeError, ValueError):
        return a == b


def test_dispatch_compute_says_whether_the_servers_can_keep_up():
    assert hz.dispatch_compute(n_servers=2, big_every=4, big_s=6.0, small_s=1.0)["utilization"] == pytest.approx(9 / 8)
    assert hz.dispatch_compute(n_servers=2, big_every=4, big_s=4.0, small_s=1.0)["utilization"] == pytest.approx(7 / 8)
    assert hz.dispatch_compute(n_servers=2, big_every=3, big_s=6.0, small_s=1.0)["utilization"] == pytest.approx(4 / 3)


def test_lesson_pictures_draw_measured_and_model_and_reject_bad_input():
    import pandas as pd

    sweep = pd.DataFrame({"kind": ["sleep"] * 2, "servers": [1, 2], "throughput_rps": [48.0, 95.0],
                          "p95_ms": [22.0, 23.0]})
    fig = hz.plot_scaling_sweeps([sweep], rps_per_worker=50)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any("measured" in label for label in labels) and any("model" in label for label in labels)
    with pytest.raises(ValueError, match="rps_per_worker"):
        hz.plot_scaling_sweeps([sweep], rps_per_worker=0)
    with pytest.raises(ValueError, match="sweeps"):
        hz.plot_scaling_sweeps([], rps_per_worker=50)
    from scalelab.bench.cluster import FailoverRun

    table = pd.DataFrame({"scheduled": [0.0, 0.3, 0.6], "end": [0.02, 0.33, 0.7], "status": [200, 502, 200]})
    run = FailoverRun(table=table, kill_at_s=0.25, kill_index=0, servers=3, arrival_rps=10.0, health_checks=False,
                      balancer={})
    assert len(hz.plot_failover({"naive": run}).axes) == 2
    with pytest.raises(ValueError, match="runs"):
        hz.plot_failover({})
    with pytest.raises(ValueError, match="bin_s"):
        hz.plot_failover({"naive": run}, bin_s=0)
