"""An in-process cache in front of a slow SQLite query, timed.

The query sums one customer's orders in a table without an index (a full scan: the kind of query a cache is put
in front of). ``cache_run`` replays a trace of customer ids through the query alone and through
``functools.lru_cache`` of several sizes, timing every lookup; the cache's own counters give the hits.
"""
import contextlib
import functools
import os
import sqlite3
import time

import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v
from ..models import metrics
from .harness import temporary_directory


def make_orders(path, customers=2000, orders=20000, rng=7):
    """Write an ``orders(customer, amount)`` table of ``orders`` rows over ``customers`` customers (no index),
    drawn from ``rng`` (a generator or an integer seed; None: the package's generator)."""
    n = v.integer("orders", orders, low=1)
    k = v.integer("customers", customers, low=1)
    g = _random.rng(rng)
    rows = zip(g.integers(0, k, n).tolist(), np.round(g.uniform(1, 100, n), 2).tolist())
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE orders (customer INTEGER NOT NULL, amount REAL NOT NULL)")
        db.executemany("INSERT INTO orders VALUES (?, ?)", rows)
    return path


def cache_run(trace, capacities=(0, 10, 100, 500), customers=2000, orders=20000):
    """Replay ``trace`` (customer ids) through the slow query, uncached (capacity 0) and behind an LRU cache of
    each capacity. One row per capacity: capacity, requests, hits, hit_ratio, mean_ms, p50_ms, p99_ms, miss_ms and
    hit_ms (median lookup time of a miss and of a hit), speedup (uncached mean / this mean)."""
    keys = [int(k) for k in trace]
    if not keys:
        raise ValueError("trace must hold at least one customer id")
    caps = [v.integer("capacities", int(c), low=0) for c in capacities]
    rows = []
    with temporary_directory("scalelab-querycache-") as folder:
        path = make_orders(os.path.join(folder, "orders.db"), customers, orders)
        with contextlib.closing(sqlite3.connect(path)) as db:
            def query(customer):
                return db.execute("SELECT COUNT(*), SUM(amount) FROM orders WHERE customer = ?",
                                  (customer,)).fetchone()

            query(0)  # warm the file into the page cache
            for cap in caps:
                lookup = functools.lru_cache(maxsize=cap)(query) if cap else query
                times, hit = np.empty(len(keys)), np.zeros(len(keys), dtype=bool)
                hits_before = 0
                for i, key in enumerate(keys):
                    start = time.perf_counter()
                    lookup(key)
                    times[i] = time.perf_counter() - start
                    if cap:
                        hits_now = lookup.cache_info().hits
                        hit[i], hits_before = hits_now > hits_before, hits_now
                ms = times * 1000
                figures = metrics.request_summary(ms, qs=(50, 99))
                rows.append({"capacity": cap, "requests": len(keys), "hits": int(hit.sum()),
                             "hit_ratio": float(hit.mean()),
                             **{k: figures[k] for k in ("mean_ms", "p50_ms", "p99_ms")},
                             "miss_ms": float(np.median(ms[~hit])) if (~hit).any() else np.nan,
                             "hit_ms": float(np.median(ms[hit])) if hit.any() else np.nan})
    frame = pd.DataFrame(rows)
    frame["speedup"] = frame["mean_ms"].iloc[0] / frame["mean_ms"]
    return frame
