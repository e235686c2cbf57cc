"""Small parts that keep a service useful when something fails (lesson 11): rate limiters, a circuit breaker, a
health check and a fallback.

Each is a pure state machine: the caller passes the time (``now_s``, seconds on any clock that never goes back), so
they are tested without a clock and replayed on recorded traces. They are not thread-safe; a caller shared by
threads holds a lock around them (``scalelab.bench.principles`` does).
"""
import collections

from . import _validate as v

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


def _time(name, now_s, last_s):
    now_s = v.number(name, now_s)
    if last_s is not None and now_s < last_s:
        raise ValueError(f"{name} must not go back in time: got {now_s!r} after {last_s!r}")
    return now_s


class TokenBucket:
    """Admit a request when a token is left. The bucket holds at most ``burst`` tokens and refills at ``rate_per_s``
    tokens per second; it starts full. Over a long run it admits ``rate_per_s`` requests/s, and up to ``burst`` at
    once after a quiet spell."""

    def __init__(self, rate_per_s, burst):
        self.rate_per_s = v.positive("rate_per_s", rate_per_s)
        self.burst = v.number("burst", burst, low=1)
        self.tokens, self.last_s = self.burst, None
        self.admitted = self.rejected = 0

    def allow(self, now_s, cost=1.0):
        """True (and ``cost`` tokens taken) if the bucket holds at least ``cost`` tokens at ``now_s``, else False."""
        now_s = _time("now_s", now_s, self.last_s)
        cost = v.positive("cost", cost)
        if self.last_s is not None:
            self.tokens = min(self.burst, self.tokens + (now_s - self.last_s) * self.rate_per_s)
        self.last_s = now_s
        if self.tokens >= cost - 1e-12:
            self.tokens = max(0.0, self.tokens - cost)
            self.admitted += 1
            return True
        self.rejected += 1
        return False


class SlidingWindowLimiter:
    """Admit a request when fewer than ``limit`` requests were admitted in the last ``window_s`` seconds (the
    window (now − window_s, now]; a sliding log of admission times, exact, unlike a fixed window that lets
    2 × limit through around a window's edge)."""

    def __init__(self, limit, window_s):
        self.limit = v.integer("limit", limit, low=1)
        self.window_s = v.positive("window_s", window_s)
        self.log, self.last_s = collections.deque(), None
        self.admitted = self.rejected = 0

    def allow(self, now_s):
        """True (and ``now_s`` logged) if fewer than ``limit`` admissions lie in (now_s − window_s, now_s]."""
        now_s = _time("now_s", now_s, self.last_s)
        self.last_s = now_s
        while self.log and self.log[0] <= now_s - self.window_s:
            self.log.popleft()
        if len(self.log) < self.limit:
            self.log.append(now_s)
            self.admitted += 1
            return True
        self.rejected += 1
        return False


class CircuitBreaker:
    """Stop calling a dependency that keeps failing.

    closed: calls go through; ``failure_threshold`` failures in a row open it. open: calls are refused at once (the
    caller serves a fallback) until ``reset_timeout_s`` has passed since it opened; then half-open: up to
    ``half_open_calls`` trial calls go through; one success closes it, one failure opens it again.
    """

    def __init__(self, failure_threshold=5, reset_timeout_s=1.0, half_open_calls=1):
        self.failure_threshold = v.integer("failure_threshold", failure_threshold, low=1)
        self.reset_timeout_s = v.positive("reset_timeout_s", reset_timeout_s)
        self.half_open_calls = v.integer("half_open_calls", half_open_calls, low=1)
        self.state, self.failures, self.opened_at_s, self.trials = CLOSED, 0, None, 0
        self.last_s = None
        self.opened = self.refused = 0

    def allow(self, now_s):
        """True if a call may go to the dependency at ``now_s`` (a half-open trial counts as one)."""
        now_s = _time("now_s", now_s, None)
        self.last_s = now_s if self.last_s is None else max(self.last_s, now_s)
        if self.state == OPEN and now_s - self.opened_at_s >= self.reset_timeout_s - 1e-9:
            self.state, self.trials = HALF_OPEN, 0
        if self.state == CLOSED:
            return True
        if self.state == HALF_OPEN and self.trials < self.half_open_calls:
            self.trials += 1
            return True
        self.refused += 1
        return False

    def record(self, success, now_s):
        """Record how an allowed call ended (``success`` True or False) at ``now_s``."""
        now_s = _time("now_s", now_s, None)
        if success:
            self.state, self.failures = CLOSED, 0
            return
        self.failures += 1
        if self.state == HALF_OPEN or self.failures >= self.failure_threshold:
            if self.state != OPEN:
                self.opened += 1
            self.state, self.opened_at_s, self.failures = OPEN, now_s, 0


class HealthCheck:
    """A probe every ``interval_s``: ``fall`` failed probes in a row mark the target down, ``rise`` good ones in a
    row mark it up again (HAProxy's rise/fall). It starts up."""

    def __init__(self, interval_s=1.0, rise=2, fall=3):
        self.interval_s = v.positive("interval_s", interval_s)
        self.rise = v.integer("rise", rise, low=1)
        self.fall = v.integer("fall", fall, low=1)
        self.healthy, self.streak, self.next_probe_s = True, 0, None

    def due(self, now_s):
        """True when a probe should be sent at ``now_s`` (the first at once, then every interval_s)."""
        now_s = v.number("now_s", now_s)
        return self.next_probe_s is None or now_s >= self.next_probe_s - 1e-12

    def observe(self, ok, now_s):
        """Record a probe's result at ``now_s``; return whether the target is now considered healthy."""
        now_s = v.number("now_s", now_s)
        self.next_probe_s = now_s + self.interval_s
        if bool(ok) == self.healthy:
            self.streak = 0
        else:
            self.streak += 1
            if self.streak >= (self.rise if ok else self.fall):
                self.healthy, self.streak = bool(ok), 0
        return self.healthy


def with_fallback(primary, fallback, *args, errors=(Exception,)):
    """Call ``primary(*args)``; if it raises one of ``errors``, return ``fallback(*args)`` instead.
    Returns (value, used_fallback)."""
    if not callable(primary) or not callable(fallback):
        raise ValueError("primary and fallback must be callables")
    try:
        return primary(*args), False
    except errors:
        return fallback(*args), True
