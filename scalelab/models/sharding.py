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
