"""Lesson 11's resilience parts, the degraded front end and the cache strategies against hand-computed values."""
import numpy as np
import pytest

from scalelab import resilience as rs
from scalelab.sim import degradation as dg


# ------------------------------------------------------------------------------------ the degraded front end
def test_replay_without_outage_is_a_fifo_multi_server_queue():
    out = dg.replay([0.0, 0.0, 0.0, 0.5], servers=2, service_time_s=0.1, timeout_s=1.0)
    assert list(out["start_s"]) == pytest.approx([0.0, 0.0, 0.1, 0.5])
    assert list(out["latency_s"]) == pytest.approx([0.1, 0.1, 0.2, 0.1])
    assert list(out["outcome"]) == ["ok"] * 4


def test_replay_breaker_turns_timeouts_into_fast_fallbacks():
    arrivals = np.arange(10) * 0.1            # one request every 0.1 s, the dependency down from 0 to 2 s
    plain = dg.replay(arrivals, servers=1, service_time_s=0.01, timeout_s=0.3, outages=[(0, 2)])
    # one handler, 0.3 s timeout + 0.5 ms fallback per call: request i ends at 0.3005 (i + 1), arrived at 0.1 i
    assert plain["latency_s"][4] == pytest.approx(0.3005 * 5 - 0.4)
    breaker = rs.CircuitBreaker(failure_threshold=2, reset_timeout_s=10.0)
    guarded = dg.replay(arrivals, servers=1, service_time_s=0.01, timeout_s=0.3, outages=[(0, 2)], breaker=breaker)
    # two timed-out calls (each 0.3 s + 0.5 ms of fallback) open it; request 2 starts at 0.601 and is refused
    assert list(guarded["outcome"]).count("fallback") == 10 and breaker.opened == 1
    assert guarded["end_s"][2] == pytest.approx(2 * 0.3005 + 0.0005)
    assert guarded["latency_s"][9] == pytest.approx(0.0005)
    s = dg.summary(guarded, duration_s=1.0, slo_s=0.1)
    assert s["fallback_share"] == 1.0 and s["goodput_rps"] == 0


def test_replay_limiter_keeps_the_queue_short_under_overload():
    arrivals = np.arange(100) * 0.01           # 100 req/s into 1 handler that serves 50/s
    plain = dg.summary(dg.replay(arrivals, servers=1, service_time_s=0.02), duration_s=1.0, slo_s=0.05)
    limited = dg.summary(dg.replay(arrivals, servers=1, service_time_s=0.02, limiter=rs.TokenBucket(50, 1)),
                         duration_s=1.0, slo_s=0.05)
    assert limited["rejected_share"] == pytest.approx(0.5)
    assert plain["goodput_rps"] == 4          # request i answers after 0.02 + 0.01 i s: i = 0..3 within 50 ms
    assert limited["goodput_rps"] == 50
    with pytest.raises(ValueError, match="servers"):
        dg.replay(arrivals, servers=0)
    with pytest.raises(ValueError, match="sorted"):
        dg.replay([1.0, 0.0])


def test_arrivals():
    assert list(dg.arrivals(4, 1.0, kind="uniform")) == [0, 0.25, 0.5, 0.75]
    a = dg.arrivals(100, 2.0, rng=np.random.default_rng(1))
    assert 150 < len(a) < 250 and np.all(np.diff(a) >= 0)
    with pytest.raises(ValueError, match="kind"):
        dg.arrivals(1, 1, kind="bursty")
