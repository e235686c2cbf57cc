"""Lesson 11's resilience parts, the degraded front end and the cache strategies against hand-computed values."""
import pytest

from scalelab import resilience as rs


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


def test_fallback():
    def broken():
        raise ConnectionError("down")

    assert rs.with_fallback(lambda: 1, lambda: 0) == (1, False)
    assert rs.with_fallback(broken, lambda: 0) == (0, True)
    with pytest.raises(ValueError, match="callables"):
        rs.with_fallback(1, lambda: 0)
