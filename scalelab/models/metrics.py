"""Metrics of a load test: percentiles, Apdex, error rate, throughput, and the ratios the course uses."""
import numpy as np

from .. import _validate as v


def percentiles(samples, qs=(50, 95, 99)):
    """Percentiles of latency samples (any time unit, returned in the same unit) as a dict {q: value}.

    Uses numpy's default linear interpolation. qs are percentiles in [0, 100].
    """
    arr = v.samples("samples", samples)
    qs = tuple(qs)
    if not qs:
        raise ValueError("qs must name at least one percentile")
    for q in qs:
        v.number("q", q, 0, 100)
    values = np.percentile(arr, qs)
    return {q: float(x) for q, x in zip(qs, values)}


def apdex(latencies, t):
    """Apdex score in [0, 1]: (satisfied + tolerating / 2) / total.

    A latency <= t is satisfied, <= 4 t tolerating, > 4 t frustrated. latencies and t in the same time unit.
    """
    arr = v.samples("latencies", latencies)
    t = v.positive("t", t)
    satisfied = np.count_nonzero(arr <= t)
    tolerating = np.count_nonzero((arr > t) & (arr <= 4 * t))
    return float((satisfied + tolerating / 2) / arr.size)


def error_rate(errors, total):
    """Fraction of failed requests in [0, 1]: errors / total (total >= 1)."""
    e = v.integer("errors", errors, low=0)
    n = v.integer("total", total, low=1)
    if e > n:
        raise ValueError(f"errors must be <= total ({n}), got {e}")
    return e / n


def throughput(completed, seconds):
    """Completed requests per second: completed / seconds."""
    c = v.integer("completed", completed, low=0)
    s = v.positive("seconds", seconds)
    return c / s


def hit_ratio(hits, misses):
    """Cache hit ratio in [0, 1]: hits / (hits + misses)."""
    h = v.integer("hits", hits, low=0)
    m = v.integer("misses", misses, low=0)
    if h + m == 0:
        raise ValueError("hits + misses must be >= 1")
    return h / (h + m)


def pool_usage(in_use, size):
    """Fraction of a connection pool in use, in [0, 1]: in_use / size."""
    s = v.integer("size", size, low=1)
    u = v.integer("in_use", in_use, low=0, high=s)
    return u / s
