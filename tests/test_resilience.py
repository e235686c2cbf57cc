"""Lesson 11's resilience parts, the degraded front end and the cache strategies against hand-computed values."""

import numpy as np
import pytest

from scalelab import resilience as rs
from scalelab.sim import cache_strategies as cs
from scalelab.sim import degradation as dg


# ----------------------------------------------------------------------------------------------- token bucket
def test_token_bucket_admits_the_burst_then_the_rate():
    bucket = rs.TokenBucket(rate_per_s=2, burst=3)
    assert [bucket.allow(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.allow(0.4) is False          # 0.8 token refilled
    assert bucket.allow(0.5) is True           # 1.0 token
    assert bucket.allow(0.5) is False
    assert bucket.allow(10.0) and bucket.tokens == pytest.approx(2.0)   # capped at the burst: 3 - 1
    assert (bucket.admitted, bucket.rejected) == (5, 3)


def test_token_bucket_refuses_bad_input():
    with pytest.raises(ValueError, match="rate_per_s"):
        rs.TokenBucket(0, 1)
    with pytest.raises(ValueError, match="burst"):
        rs.TokenBucket(1, 0.5)
    bucket = rs.TokenBucket(1, 1)
    bucket.allow(2.0)
    with pytest.raises(ValueError, match="now_s"):
        bucket.allow(1.0)


# --------------------------------------------------------------------------------------------- sliding window
def test_sliding_window_counts_the_last_window_only():
    limiter = rs.SlidingWindowLimiter(limit=2, window_s=1.0)
    assert [limiter.allow(t) for t in (0.0, 0.5, 0.9, 1.0, 1.2, 1.5, 1.6)] == \
        [True, True, False, True, False, True, False]   # 1.0 drops 0.0; 1.5 drops 0.5


def test_sliding_window_does_not_let_two_windows_in_at_an_edge():
    limiter = rs.SlidingWindowLimiter(limit=3, window_s=1.0)
    decisions = [limiter.allow(t) for t in (0.9, 0.95, 0.99, 1.01, 1.02)]
    assert sum(decisions) == 3  # a fixed window [0, 1), [1, 2) would admit all five
    with pytest.raises(ValueError, match="limit"):
        rs.SlidingWindowLimiter(0, 1.0)
    with pytest.raises(ValueError, match="window_s"):
        rs.SlidingWindowLimiter(1, 0)


# ------------------------------------------------------------------------------------------- circuit breaker
def test_breaker_opens_after_the_threshold_and_probes_after_the_timeout():
    breaker = rs.CircuitBreaker(failure_threshold=3, reset_timeout_s=1.0)
    for t in (0.0, 0.1, 0.2):
        assert breaker.allow(t)
        breaker.record(False, t)
    assert breaker.state == "open" and breaker.opened == 1
    assert breaker.allow(1.1) is False            # 0.9 s after opening
    assert breaker.allow(1.2) is True             # 1.0 s: half-open, one trial
    assert breaker.state == "half_open" and breaker.allow(1.2) is False
    breaker.record(False, 1.3)                    # the trial failed: open again from 1.3
    assert breaker.state == "open" and breaker.allow(2.2) is False and breaker.allow(2.3) is True
    breaker.record(True, 2.35)
    assert breaker.state == "closed" and breaker.allow(2.4)
    assert breaker.opened == 2 and breaker.refused == 3


def test_breaker_success_resets_the_count_of_failures():
    breaker = rs.CircuitBreaker(failure_threshold=2, reset_timeout_s=1.0)
    for ok in (False, True, False, True, False):
        breaker.record(ok, 0.0)
    assert breaker.state == "closed"
    with pytest.raises(ValueError, match="failure_threshold"):
        rs.CircuitBreaker(failure_threshold=0)
    with pytest.raises(ValueError, match="reset_timeout_s"):
        rs.CircuitBreaker(reset_timeout_s=0)


# ---------------------------------------------------------------------------------- health check and fallback
def test_health_check_falls_and_rises():
    check = rs.HealthCheck(interval_s=1.0, rise=2, fall=3)
    assert check.due(0.0)
    states = [check.observe(ok, t) for t, ok in enumerate([False, False, True, False, False, False, True, True])]
    assert states == [True, True, True, True, True, False, False, True]
    assert not check.due(7.5) and check.due(8.0)
    with pytest.raises(ValueError, match="rise"):
        rs.HealthCheck(rise=0)


def test_fallback_and_goodput():
    def broken():
        raise ConnectionError("down")

    assert rs.with_fallback(lambda: 1, lambda: 0) == (1, False)
    assert rs.with_fallback(broken, lambda: 0) == (0, True)
    with pytest.raises(ValueError, match="callables"):
        rs.with_fallback(1, lambda: 0)
    assert rs.goodput_rps([0.01, 0.2, 0.05, 0.01], [True, True, True, False], 2.0, 0.1) == 1.0


# ------------------------------------------------------------------------------------ the degraded front end
def test_replay_without_outage_is_a_fifo_multi_server_queue():
    out = dg.replay([0.0, 0.0, 0.0, 0.5], workers=2, service_time_s=0.1, timeout_s=1.0)
    assert list(out["start_s"]) == pytest.approx([0.0, 0.0, 0.1, 0.5])
    assert list(out["latency_s"]) == pytest.approx([0.1, 0.1, 0.2, 0.1])
    assert list(out["outcome"]) == ["ok"] * 4


def test_replay_breaker_turns_timeouts_into_fast_fallbacks():
    arrivals = np.arange(10) * 0.1            # one request every 0.1 s, the dependency down from 0 to 2 s
    plain = dg.replay(arrivals, workers=1, service_time_s=0.01, timeout_s=0.3, outages=[(0, 2)])
    # one handler, 0.3 s timeout + 0.5 ms fallback per call: request i ends at 0.3005 (i + 1), arrived at 0.1 i
    assert plain["latency_s"][4] == pytest.approx(0.3005 * 5 - 0.4)
    breaker = rs.CircuitBreaker(failure_threshold=2, reset_timeout_s=10.0)
    guarded = dg.replay(arrivals, workers=1, service_time_s=0.01, timeout_s=0.3, outages=[(0, 2)], breaker=breaker)
    # two timed-out calls (each 0.3 s + 0.5 ms of fallback) open it; request 2 starts at 0.601 and is refused
    assert list(guarded["outcome"]).count("fallback") == 10 and breaker.opened == 1
    assert guarded["end_s"][2] == pytest.approx(2 * 0.3005 + 0.0005)
    assert guarded["latency_s"][9] == pytest.approx(0.0005)
    s = dg.summary(guarded, duration_s=1.0, slo_s=0.1)
    assert s["fallback_share"] == 1.0 and s["goodput_rps"] == 0


def test_replay_limiter_keeps_the_queue_short_under_overload():
    arrivals = np.arange(100) * 0.01           # 100 req/s into 1 handler that serves 50/s
    plain = dg.summary(dg.replay(arrivals, workers=1, service_time_s=0.02), duration_s=1.0, slo_s=0.05)
    limited = dg.summary(dg.replay(arrivals, workers=1, service_time_s=0.02, limiter=rs.TokenBucket(50, 1)),
                         duration_s=1.0, slo_s=0.05)
    assert limited["rejected_share"] == pytest.approx(0.5)
    assert plain["goodput_rps"] == 4          # request i answers after 0.02 + 0.01 i s: i = 0..3 within 50 ms
    assert limited["goodput_rps"] == 50
    with pytest.raises(ValueError, match="workers"):
        dg.replay(arrivals, workers=0)
    with pytest.raises(ValueError, match="sorted"):
        dg.replay([1.0, 0.0])


def test_arrivals():
    assert list(dg.arrivals(4, 1.0, kind="uniform")) == [0, 0.25, 0.5, 0.75]
    a = dg.arrivals(100, 2.0, rng=np.random.default_rng(1))
    assert 150 < len(a) < 250 and np.all(np.diff(a) >= 0)
    with pytest.raises(ValueError, match="kind"):
        dg.arrivals(1, 1, kind="bursty")


# ------------------------------------------------------------------------------------------ cache strategies
def _ops(rows):
    return {"time_s": np.array([r[0] for r in rows], float), "key": np.array([r[1] for r in rows]),
            "write": np.array([r[2] for r in rows])}


OPS = _ops([(0.0, 0, False), (0.2, 0, False), (0.4, 0, True), (0.6, 0, False), (1.1, 0, False), (1.3, 0, False),
            (2.0, 0, False)])


def test_cache_aside_by_hand():
    out = cs.simulate("cache-aside", OPS, ttl_s=1.0)
    # reads at 0 (miss), 0.2 hit, 0.6 hit but stale (the write at 0.4 went to the db), 1.1 miss (expired),
    # 1.3 hit, 2.0 hit (loaded at 1.1)
    assert out["reads"] == 6 and out["hit_ratio"] == pytest.approx(4 / 6)
    assert out["stale_share"] == pytest.approx(1 / 6)
    assert out["read_ms"] == pytest.approx((4 * 0.5 + 2 * 10.5) / 6)
    assert out["write_ms"] == 15 and out["at_risk_max"] == 0
    assert out["db_ops_per_s"] == pytest.approx(3 / 2.0)   # two loads, one write
    inv = cs.simulate("cache-aside", OPS, ttl_s=1.0, invalidate=True)
    assert inv["stale_share"] == 0 and inv["hit_ratio"] == pytest.approx(3 / 6)


def test_write_through_and_behind_by_hand():
    wt = cs.simulate("write-through", OPS, ttl_s=1.0)
    # 0 miss, 0.2 hit, 0.6 hit (written through at 0.4), 1.1 hit (loaded 0.4), 1.3 hit, 2.0 hit? loaded 0.4 -> miss
    assert wt["hit_ratio"] == pytest.approx(4 / 6) and wt["stale_share"] == 0 and wt["write_ms"] == 15.5
    wb = cs.simulate("write-behind", OPS, ttl_s=1.0, flush_s=0.5)
    # the write at 0.4 waits for the flush at 0.5: 1 write at risk for 0.1 s of 2.0 s
    assert wb["write_ms"] == 0.5 and wb["stale_share"] == 0
    assert wb["at_risk_mean"] == pytest.approx(0.1 / 2.0) and wb["at_risk_max"] == 1


def test_write_behind_coalesces_writes_of_one_key():
    ops = _ops([(0.1, 0, True), (0.2, 0, True), (0.3, 0, True), (1.0, 1, False)])
    wb = cs.simulate("write-behind", ops, flush_s=0.5)
    assert wb["at_risk_max"] == 3 and wb["at_risk_mean"] == pytest.approx((0.4 + 0.3 + 0.2) / 1.0)
    assert wb["db_ops_per_s"] == pytest.approx(2 / 1.0)   # one batched write of key 0, one load of key 1


def test_refresh_ahead_keeps_a_hot_key_loaded():
    ops = _ops([(t, 0, False) for t in np.arange(0, 3.0, 0.3)])
    aside = cs.simulate("cache-aside", ops, ttl_s=1.0)
    ahead = cs.simulate("refresh-ahead", ops, ttl_s=1.0, refresh_share=0.5)
    assert aside["hit_ratio"] == pytest.approx(7 / 10)   # misses at 0, 1.2, 2.4
    assert ahead["hit_ratio"] == pytest.approx(9 / 10)   # only the first read misses


def test_cache_sim_refuses_bad_input():
    with pytest.raises(ValueError, match="strategy"):
        cs.simulate("read-through", OPS)
    with pytest.raises(ValueError, match="ttl_s"):
        cs.simulate("cache-aside", OPS, ttl_s=0)
    with pytest.raises(ValueError, match="write_share"):
        cs.workload(write_share=1.5)
    table = cs.compare(cs.workload(500, rng=np.random.default_rng(3)))
    assert list(table.index) == list(cs.STRATEGIES)
    assert table.loc["write-behind", "at_risk_mean"] > 0 == table.loc["write-through", "at_risk_mean"]
