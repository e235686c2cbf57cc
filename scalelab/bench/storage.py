"""The storage layer: sequential vs random access on a real temporary file (with and without the page cache),
fsync per write vs batched, and the growth rate of a database file for a capacity projection.

The operating system keeps recently used file pages in memory (the **page cache**): a read of a cached page is a
memory copy, a read of an evicted page waits for the disk. ``access_patterns`` measures both by evicting the file
(``posix_fadvise(POSIX_FADV_DONTNEED)`` on Linux) before the "cold" reads.
"""
import contextlib
import os
import sqlite3
import time

from .. import _random
from .. import _validate as v
from .harness import temporary_directory

PATTERNS = ("sequential", "random")


def _evict(fd):
    if hasattr(os, "posix_fadvise"):
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return True
    return False


def access_patterns(file_bytes=32 << 20, block_bytes=4096, blocks=2000, repeats=3, rng=None):
    """Read and write ``blocks`` blocks of ``block_bytes`` at sequential or random offsets of a ``file_bytes``
    temporary file. Reads: "warm" (the file in the page cache) and "cold" (evicted first); writes: into the page
    cache, then one fsync (counted). One row per (op, cache, pattern, repeat): seconds, us_per_block, mb_per_s.
    The file is removed on exit."""
    import numpy as np
    import pandas as pd

    size = v.integer("file_bytes", file_bytes, low=1 << 16, high=1 << 32)
    block = v.integer("block_bytes", block_bytes, low=512, high=1 << 24)
    n_blocks = size // block
    k = v.integer("blocks", blocks, low=1, high=n_blocks)
    r = v.integer("repeats", repeats, low=1, high=100)
    generator = _random.rng(rng)
    rows = []
    with temporary_directory("scalelab-storage-") as folder:
        path = os.path.join(folder, "data.bin")
        with open(path, "wb") as handle:
            chunk = os.urandom(1 << 20)
            for _ in range(size // len(chunk) + 1):
                handle.write(chunk)
            handle.truncate(n_blocks * block)
        fd = os.open(path, os.O_RDWR)
        try:
            for i in range(r):
                offsets = {"sequential": (generator.integers(0, n_blocks - k + 1) + np.arange(k)) * block,
                           "random": generator.choice(n_blocks, k, replace=False) * block}
                for pattern in PATTERNS:
                    for cache in ("warm", "cold"):
                        if cache == "cold":
                            _evict(fd)
                        else:
                            for off in offsets[pattern]:
                                os.pread(fd, block, int(off))
                        t0 = time.perf_counter()
                        for off in offsets[pattern]:
                            os.pread(fd, block, int(off))
                        rows.append(("read", cache, pattern, i, time.perf_counter() - t0))
                    data = os.urandom(block)
                    t0 = time.perf_counter()
                    for off in offsets[pattern]:
                        os.pwrite(fd, data, int(off))
                    os.fsync(fd)
                    rows.append(("write + fsync", "-", pattern, i, time.perf_counter() - t0))
        finally:
            os.close(fd)
    frame = pd.DataFrame(rows, columns=["op", "cache", "pattern", "repeat", "seconds"])
    frame["us_per_block"] = 1e6 * frame["seconds"] / k
    frame["mb_per_s"] = k * block / frame["seconds"] / 1e6
    return frame


def fsync_batches(batches=(1, 10, 100), writes=300, record_bytes=256, repeats=3):
    """Append ``writes`` records of ``record_bytes`` to a log file, calling fsync once every ``batch`` records (a
    group commit; batch 1 = every record durable before the next). One row per (batch, repeat): seconds,
    records_per_s, fsyncs."""
    import pandas as pd

    sizes = [v.integer("batches", b, low=1, high=1_000_000) for b in batches]
    n = v.integer("writes", writes, low=1, high=1_000_000)
    record = b"x" * (v.integer("record_bytes", record_bytes, low=1, high=1 << 20) - 1) + b"\n"
    r = v.integer("repeats", repeats, low=1, high=100)
    rows = []
    with temporary_directory("scalelab-fsync-") as folder:
        for i in range(r):
            for batch in sizes:
                path = os.path.join(folder, f"log-{batch}-{i}")
                fsyncs = 0
                with open(path, "wb", buffering=0) as handle:
                    t0 = time.perf_counter()
                    for j in range(1, n + 1):
                        handle.write(record)
                        if j % batch == 0 or j == n:
                            os.fsync(handle.fileno())
                            fsyncs += 1
                    seconds = time.perf_counter() - t0
                os.remove(path)
                rows.append({"batch": batch, "repeat": i, "writes": n, "fsyncs": fsyncs, "seconds": seconds,
                             "records_per_s": n / seconds})
    return pd.DataFrame(rows)


def growth_sample(steps=6, rows_per_step=5000, row_bytes=200):
    """Insert ``rows_per_step`` rows of about ``row_bytes`` into a SQLite table ``steps`` times and record the file
    size after each step: one row per step: rows, file_bytes. The slope of file_bytes against rows is the growth
    per row that a capacity projection needs."""
    import pandas as pd

    k = v.integer("steps", steps, low=2, high=1000)
    per = v.integer("rows_per_step", rows_per_step, low=1, high=1_000_000)
    pad = "y" * v.integer("row_bytes", row_bytes, low=1, high=100_000)
    out = []
    with temporary_directory("scalelab-growth-") as folder:
        path = os.path.join(folder, "events.sqlite")
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at REAL, body TEXT)")
            db.commit()
            total = 0
            for step in range(k):
                db.executemany("INSERT INTO events (at, body) VALUES (?, ?)",
                               ((float(total + i), pad) for i in range(per)))
                db.commit()
                total += per
                out.append({"step": step + 1, "rows": total, "file_bytes": os.path.getsize(path)})
    return pd.DataFrame(out)
