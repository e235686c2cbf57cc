"""A front end with ``servers`` handler threads in front of one dependency, replayed on a trace of arrivals
(lesson 11). The dependency answers in ``service_time_s`` while it is up and makes the caller wait ``timeout_s`` for
nothing while it is down (an outage); a rate limiter may refuse requests on arrival, a circuit breaker may refuse
calls to the dependency, and a fallback may answer in place of a failed call.

Deterministic given the arrivals (``arrivals`` draws them, seeded through ``scalelab.rng``). It uses the very
state machines of ``scalelab.resilience`` that the real benchmark uses.
"""
import heapq

import numpy as np

from .. import _validate as v
from .._random import rng as _rng

OUTCOMES = ("ok", "fallback", "error", "rejected")


def arrivals(rate_rps, duration_s, kind="poisson", rng=None):
    """Arrival times (s, sorted) of ``rate_rps`` requests/s for ``duration_s`` s: "poisson" or "uniform" gaps."""
    rate = v.positive("rate_rps", rate_rps)
    duration = v.positive("duration_s", duration_s)
    if kind == "uniform":
        return np.arange(int(rate * duration)) / rate
    if kind != "poisson":
        raise ValueError(f"kind must be 'poisson' or 'uniform', got {kind!r}")
    generator = _rng(rng)
    n = generator.poisson(rate * duration)
    return np.sort(generator.uniform(0, duration, n))


def _down(t, outages):
    return any(a <= t < b for a, b in outages)


def replay(arrivals_s, servers=4, service_time_s=0.01, timeout_s=0.1, outages=(), breaker=None, limiter=None,
           fallback=True, fallback_s=0.0005):
    """Replay a FIFO front end of ``servers`` handlers over ``arrivals_s`` (s, sorted).

    outages: (start_s, end_s) windows when the dependency is down; breaker: a ``resilience.CircuitBreaker`` (asked at
    the moment a handler picks the request up) or None; limiter: an object with ``allow(now_s)`` asked on arrival, or
    None; fallback: answer a refused or failed call with a degraded reply (``fallback_s`` of work) instead of an
    error. Returns a dict of arrays, one entry per request: arrival_s, start_s, end_s, latency_s (end − arrival)
    and outcome (one of OUTCOMES: "ok" full answer, "fallback" degraded answer, "error", "rejected" by the limiter).
    """
    times = v.samples("arrivals_s", arrivals_s) if len(arrivals_s) else np.zeros(0)
    if np.any(np.diff(times) < 0):
        raise ValueError("arrivals_s must be sorted")
    k = v.integer("servers", servers, low=1, high=10_000)
    service = v.positive("service_time_s", service_time_s)
    timeout = v.positive("timeout_s", timeout_s)
    fallback_cost = v.non_negative("fallback_s", fallback_s)
    windows = [(v.non_negative("outage start", a), v.non_negative("outage end", b)) for a, b in outages]
    free = [0.0] * k  # a heap of the times each handler is next free
    pending = []  # (end_s, success) of dependency calls not yet reported to the breaker
    start, end, outcome = [], [], []
    failed = "fallback" if fallback else "error"
    push, pop = heapq.heappush, heapq.heappop
    for t in times.tolist():
        if limiter is not None and not limiter.allow(t):
            start.append(t)
            end.append(t)
            outcome.append("rejected")
            continue
        begin = max(t, pop(free))
        while pending and pending[0][0] <= begin:
            when, success = pop(pending)
            breaker.record(success, when)
        if breaker is not None and not breaker.allow(begin):
            finish, result = begin + fallback_cost, failed
        elif windows and _down(begin, windows):
            finish, result = begin + timeout + (fallback_cost if fallback else 0.0), failed
            if breaker is not None:
                push(pending, (begin + timeout, False))
        else:
            finish, result = begin + service, "ok"
            if breaker is not None:
                push(pending, (finish, True))
        push(free, finish)
        start.append(begin)
        end.append(finish)
        outcome.append(result)
    start, end = np.array(start), np.array(end)
    return {"arrival_s": times, "start_s": start, "end_s": end, "latency_s": end - times,
            "outcome": np.array(outcome, dtype=object)}


def summary(result, duration_s, slo_s):
    """Shares of each outcome, P50/P99 latency of answered requests (ms) and goodput (full answers within
    ``slo_s``, per second of ``duration_s``), as a dict of plain numbers."""
    duration = v.positive("duration_s", duration_s)
    slo = v.positive("slo_s", slo_s)
    outcome, latency = result["outcome"], result["latency_s"]
    n = len(outcome)
    counts = {name: int(np.sum(outcome == name)) for name in OUTCOMES}
    answered = latency[(outcome == "ok") | (outcome == "fallback")]
    good = int(np.sum((outcome == "ok") & (latency <= slo)))
    useful = int(np.sum(((outcome == "ok") | (outcome == "fallback")) & (latency <= slo)))
    return {"requests": n, **{f"{name}_share": (counts[name] / n if n else np.nan) for name in OUTCOMES},
            "error_rate": (counts["error"] + counts["rejected"]) / n if n else np.nan,
            "p50_ms": float(np.percentile(answered, 50) * 1000) if len(answered) else np.nan,
            "p99_ms": float(np.percentile(answered, 99) * 1000) if len(answered) else np.nan,
            "goodput_rps": good / duration, "answered_in_slo_rps": useful / duration}
