"""Load-test arithmetic (scalelab.models.loadtest) and lesson 07's views (scalelab.widgets.scale_testing)."""
import math

import numpy as np
import pytest

from scalelab.widgets import scale_testing


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
