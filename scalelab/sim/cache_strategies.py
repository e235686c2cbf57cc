"""Four ways to put a cache in front of a database, simulated on one workload of reads and writes (lesson 11).

- ``cache-aside``: the application reads the cache; on a miss it reads the database and stores the row with a
  time to live (TTL). A write goes to the database; the cached copy is left to expire (or deleted, ``invalidate``).
- ``write-through``: a write goes to the database and the cache together (the caller waits for both), so the
  cache always holds the last write of a key it has.
- ``write-behind``: a write goes to the cache only and is acknowledged at once; every ``flush_s`` the dirty keys
  are written to the database in one batch (several writes of one key become one). A crash loses what is unflushed.
- ``refresh-ahead``: cache-aside, but a read of an entry in the last ``refresh_share`` of its TTL reloads it in
  the background, so popular keys rarely expire.

The cache has no size limit (the TTL bounds what it holds). Times are seconds, latencies milliseconds. A read is
*stale* when it returns an older version of the key than the last acknowledged write.
"""
import math

import numpy as np

from .. import _validate as v
from .._random import rng as _rng

STRATEGIES = ("cache-aside", "write-through", "write-behind", "refresh-ahead")
DEFAULT_COSTS_MS = {"hit_ms": 0.5, "db_read_ms": 10.0, "db_write_ms": 15.0, "cache_write_ms": 0.5}


def workload(operations=2000, rate_rps=200.0, keys=100, write_share=0.1, zipf_s=1.0, rng=None):
    """Operations at Poisson times: a dict of arrays time_s (sorted), key (0 = most popular, Zipf ``zipf_s``) and
    write (True for a write)."""
    n = v.integer("operations", operations, low=1, high=10_000_000)
    rate = v.positive("rate_rps", rate_rps)
    k = v.integer("keys", keys, low=1)
    p_write = v.probability("write_share", write_share)
    s = v.non_negative("zipf_s", zipf_s)
    generator = _rng(rng)
    weights = 1.0 / np.arange(1, k + 1) ** s
    times = np.cumsum(generator.exponential(1 / rate, n))
    return {"time_s": times, "key": generator.choice(k, size=n, p=weights / weights.sum()),
            "write": generator.random(n) < p_write}


def _check_ops(ops):
    for name in ("time_s", "key", "write"):
        if name not in ops:
            raise ValueError(f"ops must hold the arrays time_s, key and write (missing {name!r})")
    times = np.asarray(ops["time_s"], dtype=float)
    if len(times) != len(ops["key"]) or len(times) != len(ops["write"]):
        raise ValueError("ops: time_s, key and write must have the same length")
    if np.any(np.diff(times) < 0):
        raise ValueError("ops['time_s'] must be sorted")
    return times


def simulate(strategy, ops, ttl_s=1.0, flush_s=0.5, refresh_share=0.5, invalidate=False, hit_ms=0.5,
             db_read_ms=10.0, db_write_ms=15.0, cache_write_ms=0.5):
    """Run one strategy over ``ops`` (see ``workload``); return a dict of plain numbers:

    reads, writes, hit_ratio (reads served by the cache), read_ms and write_ms (mean latency the caller saw),
    mean_ms (over all operations), stale_share (of reads), db_ops_per_s (reads, refreshes and writes the database
    did), at_risk_mean and at_risk_max (acknowledged writes not yet in the database, averaged over time and at
    worst: what a crash of the cache loses).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    times = _check_ops(ops)
    ttl = v.positive("ttl_s", ttl_s)
    flush = v.positive("flush_s", flush_s)
    refresh = v.probability("refresh_share", refresh_share)
    costs = {name: v.non_negative(name, value) for name, value in
             (("hit_ms", hit_ms), ("db_read_ms", db_read_ms), ("db_write_ms", db_write_ms),
              ("cache_write_ms", cache_write_ms))}
    keys, writes = np.asarray(ops["key"]), np.asarray(ops["write"], dtype=bool)
    latest = {}       # key -> last acknowledged version
    db = {}           # key -> version in the database
    cache = {}        # key -> [version, loaded_at_s]
    dirty = {}        # write-behind: key -> list of acknowledged times not yet flushed
    read_ms, write_ms = [], []
    hits = stale = db_ops = 0
    at_risk_area, at_risk_max, unflushed = 0.0, 0, 0
    next_flush = flush
    last_t = 0.0

    def do_flush(at):
        nonlocal db_ops, unflushed
        for key in dirty:
            db[key] = cache[key][0]
        db_ops += len(dirty)
        dirty.clear()
        unflushed = 0

    for t, key, is_write in zip(times, keys, writes):
        key = int(key)
        if strategy == "write-behind":
            while next_flush <= t:
                at_risk_area += unflushed * (next_flush - last_t)
                last_t = next_flush
                do_flush(next_flush)
                next_flush += flush
            at_risk_area += unflushed * (t - last_t)
            last_t = t
        if is_write:
            version = latest.get(key, 0) + 1
            latest[key] = version
            if strategy == "write-behind":
                cache[key] = [version, t]
                dirty.setdefault(key, []).append(t)
                unflushed += 1
                at_risk_max = max(at_risk_max, unflushed)
                write_ms.append(costs["cache_write_ms"])
                continue
            db[key] = version
            db_ops += 1
            if strategy == "write-through":
                cache[key] = [version, t]
                write_ms.append(costs["db_write_ms"] + costs["cache_write_ms"])
            else:
                if invalidate:
                    cache.pop(key, None)
                write_ms.append(costs["db_write_ms"])
            continue
        entry = cache.get(key)
        fresh_enough = entry is not None and (t - entry[1] < ttl or key in dirty)
        if fresh_enough:
            hits += 1
            read_ms.append(costs["hit_ms"])
            if strategy == "refresh-ahead" and t - entry[1] >= (1 - refresh) * ttl:
                cache[key] = [db.get(key, 0), t]  # reloaded in the background: the caller does not wait
                db_ops += 1
            got = entry[0]
        else:
            got = db.get(key, 0)
            cache[key] = [got, t]
            db_ops += 1
            read_ms.append(costs["hit_ms"] + costs["db_read_ms"])
        stale += got < latest.get(key, 0)
    span = float(times[-1]) if len(times) else 0.0
    n_reads, n_writes = len(read_ms), len(write_ms)
    all_ms = read_ms + write_ms
    return {"strategy": strategy, "reads": n_reads, "writes": n_writes,
            "hit_ratio": hits / n_reads if n_reads else math.nan,
            "read_ms": float(np.mean(read_ms)) if n_reads else math.nan,
            "write_ms": float(np.mean(write_ms)) if n_writes else math.nan,
            "mean_ms": float(np.mean(all_ms)) if all_ms else math.nan,
            "stale_share": stale / n_reads if n_reads else math.nan,
            "db_ops_per_s": db_ops / span if span > 0 else math.nan,
            "at_risk_mean": at_risk_area / span if span > 0 else 0.0, "at_risk_max": int(at_risk_max)}


def compare(ops, strategies=STRATEGIES, **params):
    """``simulate`` for each strategy on the same operations: a pandas DataFrame, one row per strategy."""
    import pandas as pd

    return pd.DataFrame([simulate(s, ops, **params) for s in strategies]).set_index("strategy")
