"""Sharded queries in numbers: the cost of a scatter-gather query over n shards, and its calibration on a
one-shard measurement.

Pure functions: numbers in, numbers out; no I/O, no clock, no randomness. Times in seconds.
"""
from .. import _validate as v


def scatter_gather_s(scan_s, overhead_s, shards, cores=2):
    """Time (s) of one scatter-gather query over ``shards`` shards: (sequential_s, threads_s).

    Each shard query costs a fixed overhead_s (building it, a round trip, merging its rows: Python work that does
    not run in parallel) plus its 1/shards part of the full scan scan_s. Sequential: shards * overhead + scan.
    Threads: shards * overhead + scan / min(shards, cores) (the scans run outside the interpreter lock).
    """
    scan_s = v.non_negative("scan_s", scan_s)
    overhead_s = v.non_negative("overhead_s", overhead_s)
    shards = v.integer("shards", shards, low=1)
    cores = v.integer("cores", cores, low=1)
    fixed = shards * overhead_s
    return fixed + scan_s, fixed + scan_s / min(shards, cores)


def calibrate_scatter_gather(lookup_s, scatter_s, queries_per_lookup=2):
    """Scan time and per-query overhead (s) from a one-shard measurement: (scan_s, overhead_s).

    lookup_s: one routed point lookup (s, >= 0), made of ``queries_per_lookup`` tiny indexed queries, each costing
    about the fixed overhead; scatter_s: one scatter-gather query on the single shard (s, >= 0) = overhead + scan.
    """
    lookup_s = v.non_negative("lookup_s", lookup_s)
    scatter_s = v.non_negative("scatter_s", scatter_s)
    overhead = lookup_s / v.integer("queries_per_lookup", queries_per_lookup, low=1)
    return max(scatter_s - overhead, 0.0), overhead


def expected_max_standard_normal(n):
    """E[max of n independent standard normal variables] (1 -> 0, 2 -> 0.564, 8 -> 1.424), by numerical
    integration of x * n * phi(x) * Phi(x)^(n-1); n: 1..100,000."""
    import numpy as np
    from scipy.special import ndtr

    n = v.integer("n", n, low=1, high=100_000)
    x = np.linspace(-10.0, 10.0, 20_001)
    density = n * np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * ndtr(x) ** (n - 1)
    return float(np.sum(x * density) * (x[1] - x[0]))


def busiest_shard_excess(keys, shards):
    """Expected share by which the busiest of ``shards`` shards exceeds the mean when ``keys`` keys are hashed
    uniformly at random (0.04 = 4 % above the mean).

    Each count is about K/n + sqrt(K/n) * (Z_i - mean Z) (the multinomial's covariance), so the busiest exceeds the
    mean by E[max Z] * sqrt(K/n), a share E[max of n normals] * sqrt(n / K). Accurate for K/n >= about 30.
    keys >= 1, shards >= 1.
    """
    k = v.integer("keys", keys, low=1)
    n = v.integer("shards", shards, low=1, high=100_000)
    return expected_max_standard_normal(n) * (n / k) ** 0.5


def half_done_fraction(crash_probability):
    """Share of two-shard transactions left half-done when each shard's commit fails independently with probability
    p (in [0, 1]): the first commits (1 - p) and the second fails (p), so p * (1 - p), at most 1/4 at p = 1/2.
    One database commits both halves together: 0."""
    p = v.probability("crash_probability", crash_probability)
    return p * (1 - p)
