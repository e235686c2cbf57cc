"""Lesson 10's view computations against the models they show, and their pictures' input checks."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalelab.models import batching as bm  # noqa: E402
from scalelab.models import consistency, tradeoffs  # noqa: E402
from scalelab.widgets import tradeoffs as views  # noqa: E402


def test_quorum_compute_strong_quorums_under_a_partition():
    result = views.quorum_compute(n=5, r=3, w=3, minority=2)
    assert (result["overlap"], result["shared"], result["read_failures"], result["write_failures"]) == (True, 1, 2, 2)
    assert result["model_stale"] == 0 and result["sim_stale"] == 0
    majority_r, majority_w, minority_r, minority_w = result["cp"]["accepted"]
    assert majority_r == majority_w == 1.0 and minority_r == minority_w == 0.0  # a 2-replica side has no quorum of 3
    assert all(share == 1.0 for share in result["ap"]["accepted"])
    assert result["cp"]["linearizable"] and result["cp"]["lost_lww"] == 0
    assert result["ap"]["lost_vv"] == 0 and result["ap"]["lost_lww"] > 0 and not result["ap"]["linearizable"]


def test_quorum_compute_weak_quorums_and_clamping():
    result = views.quorum_compute(n=5, r=1, w=1, minority=0)
    assert result["model_stale"] == pytest.approx(0.8) and abs(result["sim_stale"] - 0.8) < 0.05
    assert all(math.isnan(share) for share in result["cp"]["accepted"])  # no partition: nothing to count
    clamped = views.quorum_compute(n=3, r=9, w=9, minority=4)
    assert (clamped["r"], clamped["w"], clamped["minority"]) == (3, 3, 1)
    with pytest.raises(ValueError, match="n"):
        views.quorum_compute(n=0)


def test_batch_compute_marks_the_models_batch_sizes():
    result = views.batch_compute(rate=2000, overhead_ms=1.0, per_item_us=100, target_ms=10)
    assert result["stable"] == bm.smallest_stable_batch(2000, 0.001, 0.0001) == 3
    assert result["best"] == 26 and result["best_latency_ms"] <= 10
    assert np.isinf(result["latency_ms"][0])  # b = 1 cannot keep up
    none = views.batch_compute(rate=20_000, overhead_ms=1.0, per_item_us=100)
    assert none["stable"] is None and none["best"] is None
    assert "no batch size keeps up" in views.batch_draw(views.batch_setup(matplotlib.figure.Figure(), {}), none)
    for kwargs, name in (({"rate": 0}, "rate"), ({"target_ms": -1}, "target_ms"),
                         ({"overhead_ms": 0, "per_item_us": 0}, "overhead_ms")):
        with pytest.raises(ValueError, match=name):
            views.batch_compute(**kwargs)


def test_cost_compute_uses_the_course_cost_table():
    result = views.cost_compute(tier=0, copies=1, regions=1, processing="nightly batch")
    expected = tradeoffs.deployment(500, 1000, 1.0, realtime=False, batch_window_h=24)
    assert result["deployment"] == expected and result["tier"] == "4 CPU / 16 GB"
    hourly = views.cost_compute(processing="hourly batch")["deployment"]
    assert hourly.result_wait_h == 0.5
    with pytest.raises(ValueError, match="tier"):
        views.cost_compute(tier=4)
    with pytest.raises(ValueError, match="processing"):
        views.cost_compute(processing="weekly")


def test_pictures_check_their_inputs():
    with pytest.raises(ValueError, match="measured"):
        views.plot_stale_reads(pd.DataFrame({"r": [1]}))
    with pytest.raises(ValueError, match="history"):
        views.plot_history([])
    with pytest.raises(ValueError, match="commits"):
        views.plot_batches(pd.DataFrame(), pd.DataFrame(), 0.001, 0.0)
    with pytest.raises(ValueError, match="measured"):
        views.plot_architectures(pd.DataFrame(), {"a": ["x"]})


def test_history_picture_outlines_the_stuck_operation():
    history = [{"client": "a", "op": "write", "value": 1, "ok": True, "start": 0.0, "end": 0.01},
               {"client": "b", "op": "read", "value": 1, "ok": True, "start": 0.001, "end": 0.002},
               {"client": "c", "op": "read", "value": None, "ok": True, "start": 0.003, "end": 0.004}]
    result = consistency.check(history)
    fig = views.plot_history(history, result)
    bars = [p for p in fig.axes[0].patches]
    widths = [b.get_linewidth() for b in bars]
    assert len(bars) == 3 and widths.index(max(widths)) == result.stuck_at == 2
