"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import pytest

from scalelab.models import layers


def test_layered_path_by_hand():
    path = layers.layered_path([0.8, 0.5], [20, 2, 30], rate_rps=1000, names=["CDN", "app", "db"])
    frame = path.table
    assert path.db_rps == pytest.approx(100)
    assert path.mean_ms == pytest.approx(20 + 0.2 * 2 + 0.1 * 30)
    assert frame["answered"].sum() == pytest.approx(1)
    with pytest.raises(ValueError, match="latencies_ms"):
        layers.layered_path([0.5], [1, 2, 3])
