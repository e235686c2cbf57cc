"""Benchmarks of one machine's resources: cores (threads vs processes), the memory hierarchy, and durable writes.

Each function runs in seconds, returns a pandas DataFrame with one row per timed run, and cleans up its worker
pools and temporary files whatever happens.
"""
import concurrent.futures as cf
import os
import time

import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v
from .harness import temporary_directory, time_call

KINDS = ("thread", "process")
WRITE_MODES = ("buffered", "fsync_end", "fsync_each")


def default_workers(limit=4):
    """Worker counts 1..k with k = min(os.cpu_count(), limit) (at least 2, so a comparison is always possible)."""
    v.integer("limit", limit, low=1)
    k = max(2, min(os.cpu_count() or 1, limit))
    return tuple(range(1, k + 1))


def cpu_task(iterations):
    """A CPU-bound task in pure Python (it holds the GIL while it runs): a sum of squares over a range."""
    total = 0
    for i in range(iterations):
        total += i * i
    return total


def io_task(wait_s):
    """An I/O-bound task: wait ``wait_s`` seconds without using the CPU (as a call to a slow disk or service would)."""
    time.sleep(wait_s)
    return wait_s


def _executor(kind, servers):
    if kind == "thread":
        return cf.ThreadPoolExecutor(max_workers=servers)
    return cf.ProcessPoolExecutor(max_workers=servers)


def _pool_runs(task, argument, kinds, servers, tasks, repeats):
    """Time ``tasks`` calls of task(argument) on a pool of each kind and size; the pool is started before timing."""
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"kinds must contain only {KINDS}, got {kind!r}")
    counts = [v.integer("servers", n, low=1, high=64) for n in servers]
    if not counts:
        raise ValueError("servers must list at least one worker count")
    v.integer("tasks", tasks, low=1)
    v.integer("repeats", repeats, low=1)
    rows = []
    for kind in kinds:
        for n in counts:
            with _executor(kind, n) as pool:
                list(pool.map(abs, range(4 * n)))  # start every worker before the clock runs
                for r in range(repeats):
                    _, wall, cpu = time_call(lambda: list(pool.map(task, [argument] * tasks)))
                    rows.append({"kind": kind, "servers": n, "repeat": r, "tasks": tasks, "wall_s": wall,
                                 "cpu_s_parent": cpu})
    return pd.DataFrame(rows)


def cpu_scaling(servers=None, kinds=KINDS, tasks=8, iterations=200_000, repeats=3):
    """The same CPU-bound job (``tasks`` pure-Python loops of ``iterations`` steps) on 1..k threads and processes.

    Returns rows: kind, servers, repeat, tasks, iterations, wall_s (seconds), cpu_s_parent (CPU seconds of this
    process). Threads share one interpreter lock (the GIL), so only processes can use a second core.
    """
    v.integer("iterations", iterations, low=1)
    frame = _pool_runs(cpu_task, iterations, kinds, default_workers() if servers is None else servers, tasks, repeats)
    frame.insert(4, "iterations", iterations)
    return frame


def io_scaling(servers=(1, 2, 4, 8), kinds=("thread",), tasks=16, wait_s=0.01, repeats=3):
    """An I/O-bound job (``tasks`` waits of ``wait_s`` seconds) on pools of 1..k workers.

    Returns rows: kind, servers, repeat, tasks, wait_s, wall_s, cpu_s_parent. Waiting releases the GIL, so threads
    overlap their waits: wall time falls towards tasks * wait_s / servers.
    """
    v.number("wait_s", wait_s, 0, 1)
    frame = _pool_runs(io_task, wait_s, kinds, servers, tasks, repeats)
    frame.insert(4, "wait_s", wait_s)
    return frame


def speedups(frame):
    """Median wall time per (kind, servers) and the speed-up over 1 worker of the same kind.

    Returns rows: kind, servers, wall_s (median seconds), speedup, efficiency (speedup / servers).
    """
    for column in ("kind", "servers", "wall_s"):
        if column not in frame.columns:
            raise ValueError(f"frame must have the columns kind, servers, wall_s; missing {column!r}")
    table = frame.groupby(["kind", "servers"], as_index=False)["wall_s"].median()
    base = table[table["servers"] == 1].set_index("kind")["wall_s"]
    missing = set(table["kind"]) - set(base.index)
    if missing:
        raise ValueError(f"frame needs a run with servers == 1 for every kind; missing {sorted(missing)}")
    table["speedup"] = table["kind"].map(base) / table["wall_s"]
    table["efficiency"] = table["speedup"] / table["servers"]
    return table


DEFAULT_SIZES = tuple(16 * 1024 * 4 ** i for i in range(8))  # 16 KiB .. 256 MiB


def memory_hierarchy(sizes_bytes=DEFAULT_SIZES, accesses=1 << 20, repeats=3, min_bytes=32 << 20, rng=None):
    """Throughput of one core over working sets of growing size (float64 numpy arrays).

    For each size: a sequential sum (read repeatedly until at least ``min_bytes`` are read) and a random gather of
    ``accesses`` elements. Returns rows: size_bytes, pattern ("sequential" or "random"), repeat, wall_s,
    bytes_per_s (sequential), ns_per_access (time per element read, both patterns).
    """
    sizes = [v.integer("sizes_bytes", s, low=8 * 16) for s in sizes_bytes]
    if not sizes:
        raise ValueError("sizes_bytes must list at least one size")
    v.integer("accesses", accesses, low=1)
    v.integer("repeats", repeats, low=1)
    v.integer("min_bytes", min_bytes, low=1)
    generator = _random.rng(rng)
    rows = []
    for size in sizes:
        n = size // 8
        data = np.ones(n)
        index = generator.integers(0, n, accesses)
        loops = max(1, -(-min_bytes // (n * 8)))
        data.sum(), data[index].sum()  # warm-up: pages touched, caches filled
        for r in range(repeats):
            _, wall, _ = time_call(lambda data=data, loops=loops: [data.sum() for _ in range(loops)])
            rows.append({"size_bytes": n * 8, "pattern": "sequential", "repeat": r, "wall_s": wall,
                         "bytes_per_s": n * 8 * loops / wall, "ns_per_access": wall / (n * loops) * 1e9})
            _, wall, _ = time_call(lambda data=data, index=index: data[index].sum())
            rows.append({"size_bytes": n * 8, "pattern": "random", "repeat": r, "wall_s": wall,
                         "bytes_per_s": accesses * 8 / wall, "ns_per_access": wall / accesses * 1e9})
        del data, index
    return pd.DataFrame(rows)


def _write_file(path, mode, writes, record):
    with open(path, "wb") as handle:
        for _ in range(writes):
            handle.write(record)
            if mode == "fsync_each":
                handle.flush()
                os.fsync(handle.fileno())
        if mode == "fsync_end":
            handle.flush()
            os.fsync(handle.fileno())


def write_durability(modes=("buffered", "fsync_each"), writes=100, record_bytes=4096, repeats=3):
    """Write ``writes`` records of ``record_bytes`` to a real file, in three durability modes:

    "buffered" (the OS keeps them in memory and writes them later), "fsync_end" (one fsync after the last record,
    a group commit) and "fsync_each" (fsync after every record: each one is on disk before the next).
    Returns rows: mode, writes, record_bytes, repeat, wall_s, writes_per_s. Files live in a temporary directory.
    """
    for mode in modes:
        if mode not in WRITE_MODES:
            raise ValueError(f"modes must contain only {WRITE_MODES}, got {mode!r}")
    v.integer("writes", writes, low=1)
    v.integer("record_bytes", record_bytes, low=1, high=1 << 24)
    v.integer("repeats", repeats, low=1)
    record = b"x" * record_bytes
    rows = []
    with temporary_directory(prefix="scalelab-vertical-") as folder:
        for mode in modes:
            for r in range(repeats):
                path = os.path.join(folder, f"{mode}-{r}.log")
                _, wall, _ = time_call(_write_file, path, mode, writes, record)
                rows.append({"mode": mode, "writes": writes, "record_bytes": record_bytes, "repeat": r,
                             "wall_s": wall, "writes_per_s": writes / wall})
                os.remove(path)
    return pd.DataFrame(rows)


def _local_handler():
    return b"ok"


def call_latency(calls=100, repeats=3):
    """The price of a network hop: the same trivial request answered by a function in this process vs by a server
    process over loopback HTTP (a new connection per call, as a naive client makes).

    Returns rows: where ("in-process" or "loopback HTTP"), calls, repeat, wall_s, us_per_call (microseconds).
    The server is started on 127.0.0.1 and stopped again, also on error.
    """
    import urllib.request

    from .service import LoopbackService

    v.integer("calls", calls, low=1)
    v.integer("repeats", repeats, low=1)
    rows = []
    with LoopbackService(service_time_s=0.0, distribution="constant") as service:
        health = f"http://127.0.0.1:{service.port}/health"

        def remote():
            for _ in range(calls):
                with urllib.request.urlopen(health, timeout=5) as reply:
                    reply.read()

        def local():
            for _ in range(calls):
                _local_handler()

        remote()  # warm-up: imports, first connection
        for where, job in (("in-process", local), ("loopback HTTP", remote)):
            for r in range(repeats):
                _, wall, _ = time_call(job)
                rows.append({"where": where, "calls": calls, "repeat": r, "wall_s": wall,
                             "us_per_call": wall / calls * 1e6})
    return pd.DataFrame(rows)
