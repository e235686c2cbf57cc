"""Lesson 04 explorers: the pure compute functions against hand-computed values, bad input, and headless views."""
import math

import numpy as np
import pytest

from scalelab.widgets import horizontal as hz


def test_capacity_sleep_scales_past_cores_cpu_does_not():
    result = hz.capacity_compute(service_ms=20.0, cores=2, overhead_ms=1.0, n_max=8)
    assert result["n"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    # sleep: N / 0.020 s = 50 N req/s, capped at 2 cores / 0.001 s = 2000 req/s
    assert result["sleep_rps"].tolist() == pytest.approx([50, 100, 150, 200, 250, 300, 350, 400])
    # CPU: capped at 2 / (0.020 + 0.001) = 95.238 req/s, so N = 1 gives 50 and N >= 2 gives 95.24
    assert result["cpu_rps"].tolist() == pytest.approx([50] + [2 / 0.021] * 7)
    assert result["knee_n"] == pytest.approx(2 / 0.021 * 0.020)  # 1.905 workers


def test_capacity_without_overhead_has_no_sleep_ceiling():
    result = hz.capacity_compute(service_ms=10.0, cores=4, overhead_ms=0.0, n_max=4)
    assert math.isinf(result["sleep_cap_rps"])
    assert result["cpu_rps"].tolist() == pytest.approx([100, 200, 300, 400])
    assert result["knee_n"] == pytest.approx(4.0)


def test_usl_compute_matches_textbook_values():
    result = hz.usl_compute(sigma=0.05, kappa=0.001, lam=100.0, n_max=50)
    assert result["peak_n"] == pytest.approx(math.sqrt(0.95 / 0.001))  # 30.82
    # X(N*) = 100 * 30.82 / (1 + 0.05 * 29.82 + 0.001 * 30.82 * 29.82)
    n = math.sqrt(950)
    assert result["peak_rps"] == pytest.approx(100 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1)))
    assert result["model_rps"][0] == pytest.approx(100.0)
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
    result = hz.failover_compute(rate=80.0, n_workers=4, service_ms=20.0, response_ms=50.0)
    assert result["in_flight_lost"] == pytest.approx(80 / 4 * 0.050)  # 1 request
    assert result["util_before"] == pytest.approx(0.4)
    assert result["util_after"] == pytest.approx(80 * 0.020 / 3)
    assert result["sessions_lost_fraction"] == pytest.approx(0.25)
    assert not result["overloaded_after"]
    assert hz.failover_compute(rate=100.0, n_workers=2, service_ms=20.0)["overloaded_after"]


def test_dispatch_compute_literal_values():
    result = hz.dispatch_compute(n_servers=2, big_every=4, big_s=6.0, small_s=1.0, jobs=24)
    assert result["round_robin"]["mean_s"] == pytest.approx(7.0)
    assert result["round_robin"]["worst_s"] == pytest.approx(21.0)
    assert result["least_connections"]["mean_s"] == pytest.approx(4.125)
    assert result["least_connections"]["worst_s"] == pytest.approx(8.0)
    assert hz.uneven_workload(5, 2, 3.0, 1.0).tolist() == [3, 1, 3, 1, 3]


@pytest.mark.parametrize("call", [
    lambda: hz.capacity_compute(service_ms=0),
    lambda: hz.capacity_compute(cores=0),
    lambda: hz.capacity_compute(overhead_ms=-1),
    lambda: hz.usl_compute(sigma=-0.1),
    lambda: hz.usl_compute(kappa=-0.1),
    lambda: hz.usl_compute(lam=0),
    lambda: hz.usl_compute(measured_n=[1, 2], measured_x=[1.0]),
    lambda: hz.failover_compute(n_workers=1),
    lambda: hz.failover_compute(rate=0),
    lambda: hz.uneven_workload(jobs=0),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("make, name, value", [
    (lambda: hz.capacity_explorer(), "cores", 4),
    (lambda: hz.usl_explorer([1, 2, 3, 4], [48.0, 96.0, 143.0, 174.0]), "kappa", 0.02),
    (lambda: hz.usl_explorer(), "sigma", 0.2),
    (lambda: hz.failover_explorer(), "n_workers", 5),
    (lambda: hz.dispatch_explorer(), "n_servers", 3),
])
def test_explorers_redraw_when_a_control_moves(make, name, value):
    explorer = make()
    before, renders = explorer.result, explorer.renders
    explorer.controls[name].value = value
    assert explorer.renders == renders + 1
    changed = [k for k in before if not _same(before[k], explorer.result[k])]
    assert changed, f"moving {name} should change the result"


def _same(a, b):
    if isinstance(a, dict) or hasattr(a, "columns") or a is None or b is None:
        return a is b or (isinstance(a, dict) and all(_same(a[k], b[k]) for k in a))
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except TypeError:
        return a == b
