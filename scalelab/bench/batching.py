"""Batch size against throughput and per-item latency, measured on SQLite inserts that wait for the disk.

Every commit is durable (``PRAGMA synchronous=FULL``, SQLite's default rollback journal): it waits until the disk
has the data, a fixed cost shared by all the items of a batch.

- ``commit_costs``: commit batches of b items back to back for a while; seconds per commit and items per second
  (the throughput capacity at each b);
- ``batched_inserts``: items arrive at a fixed rate (scheduled times, as an open-loop load generator schedules
  requests); the writer waits until b items have arrived, commits them in one transaction, and each item's latency
  runs from its arrival to the end of that commit.

Both return DataFrames; the database lives in a temporary directory removed on success, error and Ctrl-C.
"""
import os
import sqlite3
import time

import numpy as np

from .. import _validate as v
from ..models import metrics
from .harness import temporary_directory

SCHEMA = "CREATE TABLE events (id INTEGER PRIMARY KEY, arrived REAL, payload TEXT)"


def _open(folder, name):
    connection = sqlite3.connect(os.path.join(folder, name), isolation_level=None)
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(SCHEMA)
    return connection


def _commit(connection, rows):
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO events (arrived, payload) VALUES (?, ?)", rows)
    connection.execute("COMMIT")


def _sizes(batch_sizes):
    sizes = [v.integer("batch_sizes value", b, low=1, high=100_000) for b in batch_sizes]
    if not sizes:
        raise ValueError("batch_sizes must hold at least one batch size")
    return sizes


def commit_costs(batch_sizes=(1, 4, 16, 64, 256), duration_s=1.0, payload_bytes=100):
    """Commit batches back to back, taking the batch sizes in turn (so a slow moment of the disk hits all alike),
    for about duration_s in all; each commit is timed on its own.

    Returns one row per batch size: batch_size, commits, commit_ms (the median commit: robust to the disk's
    hiccups), mean_commit_ms, and items_per_s = batch_size / median commit (the throughput capacity).
    """
    sizes = _sizes(batch_sizes)
    duration = v.positive("duration_s", duration_s)
    payload = "x" * v.integer("payload_bytes", payload_bytes, low=0, high=1_000_000)
    import pandas as pd

    times = {b: [] for b in sizes}
    with temporary_directory() as folder:
        connection = _open(folder, "saturation.db")
        try:
            _commit(connection, [(0.0, payload)])  # warm-up: the file and the journal exist
            start = time.perf_counter()
            while time.perf_counter() - start < duration or min(len(t) for t in times.values()) < 5:
                for b in sizes:
                    began = time.perf_counter()
                    _commit(connection, [(0.0, payload)] * b)
                    times[b].append(time.perf_counter() - began)
        finally:
            connection.close()
    rows = []
    for b in sizes:
        median = float(np.median(times[b]))
        rows.append({"batch_size": b, "commits": len(times[b]), "commit_ms": 1000 * median,
                     "mean_commit_ms": 1000 * float(np.mean(times[b])), "items_per_s": b / median})
    return pd.DataFrame(rows)


def batched_inserts(rate, batch_sizes=(1, 4, 16, 64, 256), items=1000, max_s=1.0, payload_bytes=100):
    """Items arrive every 1/rate s; the writer commits each batch of b once its last item has arrived.

    Runs each batch size for ``items`` items or max_s seconds of wall time, whichever ends first (a writer that
    cannot keep up falls ever further behind). Returns one row per batch size: batch_size, rate, items (arrived
    by the end), committed, mean_ms, p50_ms, p95_ms, p99_ms (latency from arrival to commit), throughput_items_s
    (committed items / time from the first arrival to the last commit), behind_ms (how late the last batch
    started after its last item arrived: near 0 when the writer keeps up) and commit_ms (mean per commit).
    """
    lam = v.positive("rate", rate)
    sizes = _sizes(batch_sizes)
    n = v.integer("items", items, low=1, high=10_000_000)
    limit = v.positive("max_s", max_s)
    payload = "x" * v.integer("payload_bytes", payload_bytes, low=0, high=1_000_000)
    import pandas as pd

    rows = []
    with temporary_directory() as folder:
        for b in sizes:
            connection = _open(folder, f"batches_{b}.db")
            try:
                _commit(connection, [(0.0, payload)])
                arrivals = np.arange(n) / lam
                latencies, commit_s, behind = [], [], 0.0
                t0 = time.perf_counter()
                last_end = 0.0
                for first in range(0, n, b):
                    last = min(first + b, n) - 1
                    delay = arrivals[last] - (time.perf_counter() - t0)
                    if delay > 0:
                        time.sleep(delay)
                    began = time.perf_counter() - t0
                    if began > limit:
                        break
                    behind = began - arrivals[last]
                    _commit(connection, [(float(a), payload) for a in arrivals[first:last + 1]])
                    last_end = time.perf_counter() - t0
                    commit_s.append(last_end - began)
                    latencies.extend(last_end - arrivals[first:last + 1])
            finally:
                connection.close()
            figures = metrics.request_summary(1000 * np.asarray(latencies))
            arrived = int(np.searchsorted(arrivals, max(last_end, began), side="right"))
            rows.append({"batch_size": b, "rate": lam, "items": min(arrived, n), "committed": len(latencies),
                         **{k: figures[k] for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms")},
                         "throughput_items_s": len(latencies) / last_end if last_end > 0 else np.nan,
                         "behind_ms": 1000 * max(behind, 0.0), "commit_ms": 1000 * float(np.mean(commit_s))})
    return pd.DataFrame(rows)
