"""Capacity planning models (scalelab.models.capacity), the course's tier and phase tables, and lesson 08's widget."""
import math

import numpy as np
import pytest

from scalelab.models import capacity, queueing


def test_plan_compute_by_hand():
    from scalelab.widgets import capacity as view

    # 10 000 req/s + 30 % = 13 000 at peak; 150 req/s per server at 70 %: 13 000 / 105 = 123.8 -> 124 servers
    result = view.plan_compute(target_rps=10_000, p95_target_ms=100, headroom=0.3, per_server_rps=150,
                               price_per_month=30, utilization=0.7)
    assert result["servers"] == 124
    assert result["peak_rps_per_server"] == pytest.approx(13_000 / 124)
    assert result["utilization_at_target"] == pytest.approx(10_000 / (124 * 150))
    assert result["monthly_cost_usd"] == pytest.approx(124 * 30)
    # each server an M/M/2 with mu = 100/s at 104.8 req/s: the scalar model's P95
    exact_ms = 1000 * queueing.response_time_percentile(13_000 / 124, 100, 2)
    assert result["model_p95_ms"] == pytest.approx(exact_ms, rel=1e-9) and result["meets_p95"] == (exact_ms <= 100)
    curve = dict(zip(result["counts"], result["p95_curve_ms"]))
    assert curve[124] == pytest.approx(exact_ms, rel=1e-9)
    assert math.isinf(curve[60])  # 13 000 / 60 = 217 req/s per server: more than 2 workers x 100/s can serve
    # M/M/1 check: one worker of 10 ms at 50 req/s per server has P95 = ln(20) / 50 s = 59.9 ms
    single = view.plan_compute(target_rps=700, p95_target_ms=50, headroom=0, per_server_rps=100, price_per_month=1,
                               service_time_ms=10, servers=1, utilization=0.5)
    assert single["servers"] == 14 and single["model_p95_ms"] == pytest.approx(1000 * math.log(20) / 50, rel=1e-9)
    assert not single["meets_p95"]


def test_plan_compute_flags_a_capacity_the_server_does_not_have():
    from scalelab.widgets import capacity as view

    overloaded = view.plan_compute(target_rps=10_000, p95_target_ms=100, headroom=0.0, per_server_rps=2000,
                                   price_per_month=30, service_time_ms=10, servers=1)
    assert math.isinf(overloaded["model_p95_ms"]) and not overloaded["meets_p95"]


@pytest.mark.parametrize("kwargs, name", [
    ({"target_rps": -1}, "target_rps"), ({"p95_target_ms": 0}, "p95_target_ms"), ({"headroom": -0.1}, "headroom"),
    ({"per_server_rps": 0}, "per_server_rps"), ({"price_per_month": -1}, "price_per_month"),
    ({"service_time_ms": 0}, "service_time_ms"), ({"servers": 0}, "servers"), ({"utilization": 1.5}, "utilization"),
])
def test_plan_compute_refuses_bad_input_by_name(kwargs, name):
    from scalelab.widgets import capacity as view

    with pytest.raises(ValueError, match=rf"^{name} must"):
        view.plan_compute(**kwargs)


def test_plan_explorer_redraws_headlessly():
    from scalelab.widgets import capacity as view

    explorer = view.plan_explorer()
    before, renders = explorer.result["servers"], explorer.renders
    explorer.controls["target_rps"].value = 50_000
    assert explorer.result["servers"] > before
    assert explorer.renders > renders
    cost = explorer.result["monthly_cost_usd"]
    explorer.controls["price_per_month"].value = 100
    assert explorer.result["monthly_cost_usd"] > cost
    assert f"${explorer.result['monthly_cost_usd']:,.0f}/month" in explorer.text.value
    assert explorer.figure.axes[0].get_xlim()[1] >= explorer.result["servers"]


def test_plot_sweep_draws_model_and_measurement():
    import matplotlib.pyplot as plt
    import pandas as pd

    from scalelab.widgets import capacity as view

    sweep = pd.DataFrame({"offered_rps": [20, 60, 100], "p50_ms": [8, 10, 14], "p95_ms": [30, 38, 52]})
    fig = view.plot_sweep(sweep, 0.01, 2, 50, capacity_rps=60)
    ax = fig.axes[0]
    assert "ms" in ax.get_ylabel() and "requests/s" in ax.get_xlabel()
    assert len(ax.lines) >= 5
    model = ax.lines[0]  # the model P95 at rate 0 is an idle server's: ln(20) x 10 ms
    assert model.get_ydata()[0] == pytest.approx(10 * math.log(20))
    plt.close(fig)
    with pytest.raises(ValueError, match="sweep"):
        view.plot_sweep(pd.DataFrame({"rate": [1]}), 0.01, 2, 50)


def test_sweep_summary_states_the_run_and_flags_a_noisy_one():
    import pandas as pd

    from scalelab.widgets import capacity as view

    model_low = 1000 * queueing.response_time_percentile(20, 100, 2)
    rising = pd.DataFrame({"offered_rps": [20, 60, 100], "p95_ms": [model_low + 5, 40, 60]})
    text = view.sweep_summary(rising, 0.01, 2, 50, 60)
    assert "5.0 ms above" in text and "never fell by more than 5%" in text and "noisy" not in text
    model_cap = capacity.max_rate_for_p95(0.01, 2, 0.05)
    assert f"{60 / model_cap:.0%}" in text
    falling = pd.DataFrame({"offered_rps": [100, 20, 60], "p95_ms": [60, model_low - 2, 45]})
    text = view.sweep_summary(falling, 0.01, 2, 50, 20)
    assert "2.0 ms below" in text and "fell from" not in text
    noisy = pd.DataFrame({"offered_rps": [20, 60, 100], "p95_ms": [35, 33, 60]})
    assert "fell from 35.0 ms at 20 req/s to 33.0 ms at 60 req/s" in view.sweep_summary(noisy, 0.01, 2, 50, 60)
    assert "rerun" in view.sweep_summary(noisy, 0.01, 2, 50, 60)
    level = pd.DataFrame({"offered_rps": [20, 60, 100], "p95_ms": [35, 34, 60]})   # a 3 % dip is level
    assert "noisy" not in view.sweep_summary(level, 0.01, 2, 50, 60)
    with pytest.raises(ValueError, match="sweep"):
        view.sweep_summary(noisy.head(1), 0.01, 2, 50, 20)


def test_knee_compute_adds_the_overhead_and_matches_max_rate_for_p95():
    from scalelab.widgets import capacity as view

    rates, p95, errors = [20, 100, 150], [35.0, 45.0, 80.0], [0.0, 0.0, 0.0]
    plain = view.knee_compute(rates, p95, errors, service_time_ms=10, servers=2, p95_target_ms=50, rate_top=250)
    assert plain["model_p95_ms"][0] == pytest.approx(10 * math.log(20))  # an idle server: ln 20 x 10 ms
    assert plain["model_capacity_rps"] == pytest.approx(capacity.max_rate_for_p95(0.01, 2, 0.05), rel=1e-4)
    assert plain["measured_capacity_rps"] == 100  # 150 req/s missed 50 ms
    assert np.isinf(plain["model_p95_ms"][-1])  # 250 req/s is beyond what two 10 ms workers serve
    shifted = view.knee_compute(rates, p95, errors, service_time_ms=10, servers=2, overhead_ms=5, p95_target_ms=50)
    assert shifted["model_at_measured_ms"] == pytest.approx(plain["model_at_measured_ms"] + 5)
    assert shifted["model_capacity_rps"] == pytest.approx(capacity.max_rate_for_p95(0.01, 2, 0.045), rel=1e-4)
    gaps = np.abs(plain["model_at_measured_ms"] - np.array(p95))
    assert plain["mean_gap_ms"] == pytest.approx(gaps.mean())
    assert view.knee_compute(rates, p95, errors, overhead_ms=60, p95_target_ms=50)["model_capacity_rps"] == 0.0
    for kwargs, name in (({"servers": 0}, "servers"), ({"overhead_ms": -1}, "overhead_ms"),
                         ({"p95_target_ms": 0}, "p95_target_ms"), ({"service_time_ms": 0}, "service_time_ms")):
        with pytest.raises(ValueError, match=name):
            view.knee_compute(rates, p95, errors, **kwargs)
    with pytest.raises(ValueError, match="same length"):
        view.knee_compute([1, 2], [1.0], [0.0])


def test_knee_explorer_moves_the_model_over_the_measured_points():
    import pandas as pd

    from scalelab.widgets import capacity as view

    sweep = pd.DataFrame({"offered_rps": [20, 100, 150], "p95_ms": [35.0, 45.0, 80.0], "error_rate": [0.0] * 3})
    explorer = view.knee_explorer(sweep)
    before = explorer.result["model_capacity_rps"]
    explorer.controls["overhead_ms"].value = 10.0
    assert explorer.result["model_capacity_rps"] < before
    assert f"{explorer.result['model_capacity_rps']:.0f} req/s" in explorer.text.value
    assert explorer.figure.axes[0].get_xlim()[1] >= 150
    with pytest.raises(ValueError, match="sweep"):
        view.knee_explorer(pd.DataFrame({"rate": [1]}))
