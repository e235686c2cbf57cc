"""Lesson 11's tokens, fluid model, benchmarks (small runs, nothing left behind after success, an exception or
Ctrl-C) and view computations, against hand-computed values."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab.bench import principles  # noqa: E402
from scalelab.sim import cache_strategies  # noqa: E402
from scalelab.widgets import principles as views  # noqa: E402


# --------------------------------------------------------------------------------------------------- views
def test_burst_view_by_hand():
    result = views.burst_compute(burst_rps=150, burst_s=1.0, after_rps=30, servers=2, per_worker_rps=50)
    assert (result["peak"], result["peak_at_s"]) == (50.0, 1.0)
    assert result["empty_at_s"] == pytest.approx(1 + 50 / 70)
    with pytest.raises(ValueError, match="servers"):
        views.burst_compute(servers=0)
    with pytest.raises(ValueError, match="measured"):
        views.burst_explorer(measured=None)


def test_degrade_view_protection_pays_in_an_outage():
    result = views.degrade_compute(rate_rps=150, outage_s=1.0, threshold=3, reset_s=0.2)
    assert result["protected_summary"]["goodput_rps"] > result["unprotected_summary"]["goodput_rps"]
    assert len(result["t_s"]) == len(result["protected"]) == 15
    calm = views.degrade_compute(rate_rps=100, outage_s=0.0)
    assert calm["protected_summary"]["goodput_rps"] == calm["unprotected_summary"]["goodput_rps"]
    with pytest.raises(ValueError, match="threshold"):
        views.degrade_compute(threshold=0)


def test_cache_view_and_pictures(started):
    table = views.cache_compute(write_share=0.2)
    assert list(table.index) == list(cache_strategies.STRATEGIES)
    assert table.loc["write-through", "stale_share"] == 0 and table.loc["write-behind", "at_risk_max"] > 0
    with pytest.raises(ValueError, match="write_share"):
        views.cache_compute(write_share=2)
    import pandas as pd

    burst = pd.DataFrame({"t_s": [0, 0.5, 1.0], "depth": [0, 20, 5]})
    assert views.plot_burst(burst, [(1.0, 100.0)], 80.0).axes
    io = pd.DataFrame({"mode": ["threads", "asyncio"], "concurrency": [10, 10], "requests": [20, 20],
                       "throughput_rps": [400, 450], "waiting_model_s": [0.04, 0.04]})
    assert views.plot_io(io).axes
    with pytest.raises(ValueError, match="measured"):
        views.plot_burst(io, [(1.0, 1.0)], 1.0)
    from scalelab.sim import degradation

    frame = pd.DataFrame({"scheduled_s": [0.1, 0.5], "outcome": ["ok", "fallback"], "latency_s": [0.01, 0.001]})
    run = principles.DegradationRun(table=frame, arrival_rps=2.0, duration_s=1.0, handlers=1, timeout_s=0.25,
                                    outage=(0.4, 0.6), breaker=None, limiter=None, breaker_opened=0,
                                    ok_service_time_s=0.01)
    model = degradation.replay([0.1, 0.5], outages=[(0.4, 0.6)])
    fig = views.plot_degradation({"run": run}, 0.1, models={"run": model})
    assert len(fig.axes[0].lines) == 2
