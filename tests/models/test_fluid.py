"""Lesson 11's tokens, fluid model, benchmarks (small runs, nothing left behind after success, an exception or
Ctrl-C) and view computations, against hand-computed values."""
import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab.models import fluid  # noqa: E402


# ------------------------------------------------------------------------------------------------ fluid model
def test_fluid_model_by_hand():
    phases = [(1.0, 150.0), (1.0, 30.0)]
    # grows at 50/s to 50 at t = 1, drains at 70/s: empty at 1 + 50/70
    assert fluid.depth([0, 0.5, 1.0, 1.5, 3.0], phases, 100).tolist() == pytest.approx([0, 25, 50, 15, 0])
    assert fluid.peak(phases, 100) == (50.0, 1.0)
    assert fluid.drain_time(phases, 100) == pytest.approx(1 + 50 / 70)
    assert fluid.drain_time([(1.0, 150.0)], 100) == pytest.approx(1.5)       # after the last phase nothing arrives
    assert fluid.drain_time([(1.0, 80.0)], 100) == 0.0
    assert fluid.drain_time([(1.0, 10.0)], 0) == math.inf
    assert fluid.depth([0.5, 2.0], [(0.5, 50), (0.5, 200)], 100).tolist() == [0, 0]   # 50 at t = 1, empty at 1.5
    assert fluid.depth([1.0], [(1.0, 0.0)], 10, initial=30).tolist() == [20]
    with pytest.raises(ValueError, match="service_rps"):
        fluid.depth([0], phases, -1)
    with pytest.raises(ValueError, match="phases"):
        fluid.peak([], 1)
