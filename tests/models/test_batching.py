"""Quorum arithmetic, version vectors and the batching model against hand-computed values."""
import math

import numpy as np
import pytest

from scalelab.models import batching as bm


# ----------------------------------------------------------------------------------------------------- batching
def test_commit_time_and_capacity():
    assert bm.commit_time_s(10, 0.001, 0.0001) == pytest.approx(0.002)
    assert bm.throughput_capacity(10, 0.001, 0.0001) == pytest.approx(5000)
    np.testing.assert_allclose(bm.throughput_capacity(np.array([1, 100]), 0.001, 0.0), [1000, 100_000])


def test_fill_wait_and_latency():
    # 1000 items/s, batches of 11: the first item waits 10 ms, the last 0; mean 5 ms
    assert bm.batch_latency_s(11, 1000, 0.001, 0.0001) == pytest.approx(0.005 + 0.0021)
    # b = 1 at 1000/s with a 1.1 ms commit cannot keep up
    assert bm.batch_latency_s(1, 1000, 0.001, 0.0001) == math.inf


def test_smallest_stable_and_largest_within_target():
    # rate 2000/s, c0 = 1 ms, c1 = 0.1 ms: b > 2 / (1 - 0.2) = 2.5 -> 3
    assert bm.smallest_stable_batch(2000, 0.001, 0.0001) == 3
    assert bm.smallest_stable_batch(20_000, 0.001, 0.0001) is None
    # latency(b) = (b - 1)/4000 + 0.001 + 0.0001 b <= 0.01 -> b <= (0.009 + 0.00025) / 0.00035 = 26.4
    assert bm.largest_batch_for_latency(2000, 0.010, 0.001, 0.0001) == 26
    assert bm.batch_latency_s(26, 2000, 0.001, 0.0001) <= 0.010 < bm.batch_latency_s(27, 2000, 0.001, 0.0001)
    # the smallest stable size, 3, takes 2/4000 + 0.001 + 0.0003 = 1.8 ms: a 1.5 ms target cannot be met
    assert bm.largest_batch_for_latency(2000, 0.0015, 0.001, 0.0001) is None


def test_fit_commit_time_recovers_a_line():
    b = np.array([1, 4, 16, 64, 256])
    assert bm.fit_commit_time(b, 0.0012 + 4e-6 * b) == pytest.approx((0.0012, 4e-6))


@pytest.mark.parametrize("call, name", [(lambda: bm.commit_time_s(0, 0.001, 0), "batch_size"),
                                        (lambda: bm.commit_time_s(2, -1, 0), "overhead_s"),
                                        (lambda: bm.throughput_capacity(2, 0, 0), "overhead_s"),
                                        (lambda: bm.largest_batch_for_latency(10, 0, 0.001, 0), "target_s"),
                                        (lambda: bm.fit_commit_time([4, 4], [1, 2]), "batch_sizes")])
def test_batching_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
