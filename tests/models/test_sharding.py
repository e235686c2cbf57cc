"""Shard routers of scalelab.partition, the scatter-gather model, and the lesson 06 views: the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scalelab.models import sharding  # noqa: E402


def test_scatter_gather_model_by_hand():
    # 4 shards, scan 8 ms, overhead 1 ms: sequential 4 + 8 = 12 ms; 2 cores: 4 + 8 / 2 = 8 ms; 1 core: 12 ms
    assert sharding.scatter_gather_s(0.008, 0.001, 4, cores=2) == pytest.approx((0.012, 0.008))
    assert sharding.scatter_gather_s(0.008, 0.001, 4, cores=1) == pytest.approx((0.012, 0.012))
    assert sharding.scatter_gather_s(0.008, 0.0, 1, cores=8) == pytest.approx((0.008, 0.008))
    # a lookup of two indexed queries took 0.2 ms, the 1-shard scan query 5 ms: overhead 0.1 ms, scan 4.9 ms
    assert sharding.calibrate_scatter_gather(0.0002, 0.005) == pytest.approx((0.0049, 0.0001))
    assert sharding.calibrate_scatter_gather(0.004, 0.001) == pytest.approx((0.0, 0.002))  # never a negative scan


@pytest.mark.parametrize("call, argument", [
    (lambda: sharding.scatter_gather_s(0.008, 0.001, 0), "shards"),
    (lambda: sharding.scatter_gather_s(-1, 0.001, 2), "scan_s"),
    (lambda: sharding.scatter_gather_s(0.008, -1, 2), "overhead_s"),
    (lambda: sharding.scatter_gather_s(0.008, 0.001, 2, cores=0), "cores"),
    (lambda: sharding.calibrate_scatter_gather(-1, 0.005), "lookup_s"),
    (lambda: sharding.calibrate_scatter_gather(0.001, 0.005, queries_per_lookup=0), "queries_per_lookup"),
])
def test_scatter_gather_model_rejects_bad_input(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_expected_max_of_normals_and_the_busiest_shard_model():
    assert sharding.expected_max_standard_normal(1) == pytest.approx(0.0, abs=1e-9)
    assert sharding.expected_max_standard_normal(2) == pytest.approx(1 / np.sqrt(np.pi), rel=1e-6)
    assert sharding.expected_max_standard_normal(3) == pytest.approx(1.5 / np.sqrt(np.pi), rel=1e-6)
    assert sharding.busiest_shard_excess(10_000, 8) == pytest.approx(
        sharding.expected_max_standard_normal(8) * np.sqrt(8 / 10_000))
    # the model against a simulation of uniform hashing: 2,000 sets of 8,000 keys over 8 shards
    loads = np.random.default_rng(3).multinomial(8_000, [1 / 8] * 8, size=2_000)
    simulated = (loads.max(axis=1) / 1_000 - 1).mean()
    assert simulated == pytest.approx(sharding.busiest_shard_excess(8_000, 8), rel=0.05)
    with pytest.raises(ValueError, match="keys"):
        sharding.busiest_shard_excess(0, 8)


def test_half_done_fraction_is_p_times_one_minus_p():
    assert sharding.half_done_fraction(0.2) == pytest.approx(0.16)
    assert sharding.half_done_fraction(0.5) == pytest.approx(0.25)
    assert sharding.half_done_fraction(0.0) == 0 and sharding.half_done_fraction(1.0) == 0
    with pytest.raises(ValueError, match="crash_probability"):
        sharding.half_done_fraction(1.5)
