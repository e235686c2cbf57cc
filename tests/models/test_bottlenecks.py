"""Lesson 09's layer models against hand-computed values, and the seeded retry simulator against the closed form."""
import math

import numpy as np
import pytest

from scalelab.models import bottlenecks as bm


# ---------------------------------------------------------------------------------------------------- database
def test_pool_size_needed_is_littles_law_rounded_up():
    assert bm.pool_size_needed(200, 0.0172) == 4                    # 200/s x 17.2 ms = 3.44 in use
    assert bm.pool_size_needed(100, 0.05) == 5                      # exactly 5: no extra connection
    assert bm.pool_size_needed(200, 0.0172, headroom=0.5) == 6      # 3.44 x 1.5 = 5.16
    assert bm.pool_size_needed(0, 1.0) == 1                         # never fewer than one


def test_pool_wait_quantile_is_erlang_c_by_hand():
    # lambda = 1/s, hold 1 s, 2 connections: a = 1, Erlang C = (1/2 * 2) / (1 + 1 + 1) = 1/3; k mu - lambda = 1/s
    assert bm.pool_wait_quantile(1, 1.0, 2, 0.95) == pytest.approx(math.log((1 / 3) / 0.05))   # 1.897 s
    assert bm.pool_wait_quantile(1, 1.0, 2, 0.5) == 0.0              # two thirds never wait: the median is 0
    assert bm.pool_wait_quantile(2, 1.0, 2) == math.inf               # lambda * hold = k: the queue grows
    assert bm.pool_wait_quantile(0, 1.0, 1) == 0.0
    with pytest.raises(ValueError, match="quantile"):
        bm.pool_wait_quantile(1, 1.0, 2, 1.0)
    with pytest.raises(ValueError, match="pool_size"):
        bm.pool_wait_quantile(1, 1.0, 0)


def test_closed_pool():
    # 8 users back to back on 4 connections of 10 ms: X = 4 / 0.01 = 400/s, R = 8 / 400 = 20 ms, wait 10 ms
    assert bm.closed_pool(8, 4, 0.01) == pytest.approx({"throughput_rps": 400, "response_s": 0.02, "wait_s": 0.01})
    # fewer users than connections: nobody waits
    assert bm.closed_pool(2, 4, 0.01) == pytest.approx({"throughput_rps": 200, "response_s": 0.01, "wait_s": 0.0})


# ----------------------------------------------------------------------------------------------------- network
def test_transfer_time_and_goodput():
    assert bm.transfer_time(1e6, 1e6, rtt_s=0.05, round_trips=2) == pytest.approx(1.1)   # 2 x 50 ms + 1 s
    assert bm.transfer_time(1e6, math.inf, rtt_s=0.01) == pytest.approx(0.01)             # only the round trip
    assert bm.goodput(1e6, 1e6, rtt_s=0.05, round_trips=2) == pytest.approx(1e6 / 1.1)
    # an array: nothing sent -> 0; 1000 bytes at 1000 B/s after a 1 s round trip -> 500 B/s
    assert bm.goodput([0, 1000], 1000, rtt_s=1.0) == pytest.approx([0, 500])
    assert bm.goodput(0, math.inf, 0.0) == 0.0
    big = bm.goodput(np.array([1e3, 1e9]), 1e6, rtt_s=0.01)
    assert big[0] < 0.1e6 and big[1] == pytest.approx(1e6, rel=1e-4)   # small: round trip; large: the bandwidth


def test_compression_break_even():
    assert bm.compression_break_even(200_000, 28_000, 0.004) == pytest.approx(43e6)   # 172 000 B / 4 ms
    assert bm.compression_break_even(1000, 1000, 0.01) == 0.0                        # saves nothing
    assert bm.compression_break_even(1000, 1200, 0.01) == 0.0                        # grows the payload
    assert bm.compression_break_even(1000, 100, 0.0) == math.inf                     # free compression


def test_retry_outcome_by_hand():
    assert bm.attempt_failure(0.1) == pytest.approx(0.1)
    assert bm.attempt_failure(0.5, packets=2) == pytest.approx(0.75)      # 1 - 0.5^2
    # q = 0.5, 2 retries: success after 0, 1, 2 failures with 1/2, 1/4, 1/8
    out = bm.retry_outcome(loss=0.5, retries=2, timeout_s=1.0, rtt_s=0.1)
    assert out["success"] == pytest.approx(0.875)                          # 1 - q^3
    assert out["mean_attempts"] == pytest.approx(1.75)                     # (1 - q^3) / (1 - q)
    assert out["mean_latency_s"] == pytest.approx((0.1 / 2 + 1.1 / 4 + 2.1 / 8) / 0.875)
    assert out["worst_latency_s"] == pytest.approx(2.1)                    # two timeouts + one round trip
    lossless = bm.retry_outcome(loss=0.0, retries=3, timeout_s=0.2, rtt_s=0.02, packets=4)
    assert lossless["success"] == 1.0 and lossless["mean_attempts"] == 1.0
    assert lossless["mean_latency_s"] == pytest.approx(0.02)
    dead = bm.retry_outcome(loss=1.0, retries=2, timeout_s=0.2, rtt_s=0.02)
    assert dead["success"] == 0.0 and dead["mean_attempts"] == 3.0 and math.isnan(dead["mean_latency_s"])


# ------------------------------------------------------------------------------------------- application, storage
def test_hotspot_speedup_is_amdahls_law():
    assert bm.hotspot_speedup(0.8, math.inf) == pytest.approx(5.0)        # 1 / (1 - 0.8)
    assert bm.hotspot_speedup(0.5, 2) == pytest.approx(4 / 3)             # 1 / (0.5 + 0.25)
    assert bm.hotspot_speedup(0.0, 100) == 1.0
    assert bm.hotspot_speedup(1.0, 10) == pytest.approx(10.0)


def test_days_until_full():
    assert bm.days_until_full(1e9, 1e7) == pytest.approx(100)
    # keep 10 % of a 2 GB volume free: (1e9 - 2e8) / 1e7 = 80 days
    assert bm.days_until_full(1e9, 1e7, reserve_fraction=0.1, total_bytes=2e9) == pytest.approx(80)
    assert bm.days_until_full(1e8, 1e7, reserve_fraction=0.5, total_bytes=1e9) == 0.0   # already past the reserve
    assert bm.days_until_full(1e9, 0) == math.inf and bm.days_until_full(1e9, -5) == math.inf


def test_batched_fsync_rate():
    assert bm.batched_fsync_rate(1, 0.004) == pytest.approx(250)                     # one fsync per record
    assert bm.batched_fsync_rate(10, 0.01, write_s=0.001) == pytest.approx(500)      # 10 / (10 ms + 10 ms)
    assert bm.batched_fsync_rate(1, 0.0, 0.0) == math.inf


@pytest.mark.parametrize("call, word", [
    (lambda: bm.pool_size_needed(-1, 0.1), "arrival_rate"),
    (lambda: bm.pool_size_needed(1, -0.1), "hold_time"),
    (lambda: bm.pool_size_needed(1, 0.1, headroom=-1), "headroom"),
    (lambda: bm.closed_pool(0, 1, 0.1), "users"),
    (lambda: bm.closed_pool(1, 1.5, 0.1), "pool_size"),
    (lambda: bm.transfer_time(-1, 1e6), "size_bytes"),
    (lambda: bm.transfer_time(1, 0), "bandwidth_bytes_per_s"),
    (lambda: bm.transfer_time(1, 1e6, rtt_s=-1), "rtt_s"),
    (lambda: bm.transfer_time(1, 1e6, round_trips=-1), "round_trips"),
    (lambda: bm.goodput([1, -1], 1e6), "size_bytes"),
    (lambda: bm.goodput([], 1e6), "size_bytes"),
    (lambda: bm.goodput(10, -1), "bandwidth_bytes_per_s"),
    (lambda: bm.compression_break_even(0, 0, 1), "original_bytes"),
    (lambda: bm.compression_break_even(10, -1, 1), "compressed_bytes"),
    (lambda: bm.compression_break_even(10, 1, -1), "cpu_s"),
    (lambda: bm.attempt_failure(1.5), "loss"),
    (lambda: bm.attempt_failure(0.1, packets=0), "packets"),
    (lambda: bm.retry_outcome(0.1, -1, 0.2, 0.02), "retries"),
    (lambda: bm.retry_outcome(0.1, 1, 0, 0.02), "timeout_s"),
    (lambda: bm.retry_outcome(0.1, 1, 0.2, -0.02), "rtt_s"),
    (lambda: bm.hotspot_speedup(1.2, 2), "hotspot_share"),
    (lambda: bm.hotspot_speedup(0.5, 0.5), "hotspot_speedup_factor"),
    (lambda: bm.days_until_full(-1, 1), "free_bytes"),
    (lambda: bm.days_until_full(1, 1, reserve_fraction=1.0, total_bytes=10), "reserve_fraction"),
    (lambda: bm.days_until_full(1, 1, reserve_fraction=0.1), "total_bytes"),
    (lambda: bm.days_until_full(1, 1, reserve_fraction=0.1, total_bytes=0), "total_bytes"),
    (lambda: bm.batched_fsync_rate(0, 0.01), "batch"),
    (lambda: bm.batched_fsync_rate(1, -0.01), "fsync_s"),
    (lambda: bm.batched_fsync_rate(1, 0.01, write_s=-1), "write_s"),
])
def test_bad_input_names_the_argument(call, word):
    with pytest.raises(ValueError, match=word):
        call()
