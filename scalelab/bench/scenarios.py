"""The five kinds of scalability test, shrunk to seconds: load, stress, spike, volume and endurance.

Two extra loopback services live here, each in its own process (see ``processes.start``):

- ``QueuedService``: ``servers`` slots with a bounded waiting queue of ``queue_size`` in front; a request that finds
  the queue full is turned away at once with 503 (queue_size=0: no queue, excess load is shed);
- ``LeakyService``: answers /work and keeps ``leak_bytes`` per request forever (a slow memory leak); /stats
  reports the bytes traced by tracemalloc and the resident set size.

Every function returns a pandas DataFrame and stops its servers and removes its files, whatever happens.
"""
import os
import random
import sqlite3
import threading
import time
import tracemalloc
import urllib.request
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v
from .._random import child_seed
from ..models import loadtest, metrics
from . import processes
from .harness import temporary_directory
from .http import QuietJsonHandler, ServerProcess
from .load import open_loop, paced_user_loop, rate_sweep, scheduled_loop, summarize_requests
from .service import LoopbackService


# --------------------------------------------------------------------------------------------------- servers
def serve_queued(ready, service_time, servers, queue_size, seed):
    """Process entry point: /work sleeps an exponential service time on one of ``servers`` slots; at most
    ``queue_size`` requests wait for a slot, any more get 503 at once. Listens on 127.0.0.1, an ephemeral port."""
    slots = threading.BoundedSemaphore(servers)
    lock = threading.Lock()
    state = {"in_system": 0, "rejected": 0, "served": 0, "max_waiting": 0, "queue_size": queue_size}
    generator = random.Random(seed)

    class Handler(QuietJsonHandler):
        def do_GET(self):
            path = urlparse(self.path).path
            if path == "/health":
                return self.reply(200, {"ok": True})
            if path == "/stats":
                with lock:
                    return self.reply(200, dict(state))
            if path == "/config":
                size = int(parse_qs(urlparse(self.path).query).get("queue_size", [state["queue_size"]])[0])
                with lock:
                    state.update(queue_size=max(size, 0), rejected=0, served=0, max_waiting=0)
                    return self.reply(200, dict(state))
            if path != "/work":
                return self.reply(404, {"error": "no such path"})
            with lock:
                if state["in_system"] >= servers + state["queue_size"]:
                    state["rejected"] += 1
                    admitted = False
                else:
                    state["in_system"] += 1
                    state["max_waiting"] = max(state["max_waiting"], state["in_system"] - servers)
                    admitted = True
                    draw = generator.expovariate(1 / service_time) if service_time > 0 else 0.0
            if not admitted:
                return self.reply(503, {"error": "queue full"})
            try:
                with slots:
                    time.sleep(draw)
            finally:
                with lock:
                    state["in_system"] -= 1
                    state["served"] += 1
            self.reply(200, {"service_time_s": draw})

    processes.serve_on_loopback(ready, Handler)


def _rss_bytes():
    """Resident set size of this process in bytes (Linux /proc; falls back to the peak from resource)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def serve_leaky(ready, leak_bytes, service_time):
    """Process entry point: /work sleeps ``service_time`` s and keeps ``leak_bytes`` bytes forever (the leak);
    /stats returns served, traced_bytes (tracemalloc) and rss_bytes. Listens on 127.0.0.1, an ephemeral port."""
    tracemalloc.start()
    kept = []  # the leak: a cache nobody evicts
    lock = threading.Lock()
    state = {"served": 0, "leak_bytes": leak_bytes}

    class Handler(QuietJsonHandler):
        def do_GET(self):
            path = urlparse(self.path).path
            if path == "/health":
                return self.reply(200, {"ok": True})
            if path == "/stats":
                traced, _peak = tracemalloc.get_traced_memory()
                with lock:
                    return self.reply(200, {"served": state["served"], "leak_bytes": state["leak_bytes"],
                                            "traced_bytes": traced, "rss_bytes": _rss_bytes()})
            if path == "/config":
                leak = int(parse_qs(urlparse(self.path).query).get("leak_bytes", [state["leak_bytes"]])[0])
                with lock:
                    state["leak_bytes"] = max(leak, 0)
                    return self.reply(200, {"leak_bytes": state["leak_bytes"]})
            if path != "/work":
                return self.reply(404, {"error": "no such path"})
            time.sleep(service_time)
            with lock:
                if state["leak_bytes"]:
                    kept.append(bytearray(state["leak_bytes"]))
                state["served"] += 1
            self.reply(200, {"ok": True})

    processes.serve_on_loopback(ready, Handler)


class QueuedService(ServerProcess):
    """``servers`` slots (mean service_time_s each, exponential) behind a waiting queue of ``queue_size``.

    Capacity is about servers / service_time_s requests/s. queue_size=0 means no queue: excess requests get 503.
    rng: the generator (or an integer seed) the service times are drawn from (default: the package's).
    """

    target = staticmethod(serve_queued)

    def __init__(self, service_time_s=0.01, servers=1, queue_size=100, rng=None):
        v.positive("service_time_s", service_time_s)
        v.integer("servers", servers, low=1, high=256)
        v.integer("queue_size", queue_size, low=0, high=100_000)
        super().__init__(service_time=float(service_time_s), servers=int(servers), queue_size=int(queue_size),
                         seed=child_seed(rng))

    def set_queue_size(self, queue_size):
        """Change the waiting-queue size of the running service (and zero its counters); returns its state."""
        size = v.integer("queue_size", queue_size, low=0, high=100_000)
        return self.get(f"/config?queue_size={size}")

    @property
    def capacity_rps(self):
        """Requests per second the servers can serve: servers / service_time_s."""
        return self.config["servers"] / self.config["service_time"]


class LeakyService(ServerProcess):
    """An HTTP service that keeps ``leak_bytes`` per request forever; /stats shows traced and resident memory."""

    target = staticmethod(serve_leaky)

    def __init__(self, leak_bytes=10_000, service_time_s=0.001):
        v.integer("leak_bytes", leak_bytes, low=0, high=10_000_000)
        v.non_negative("service_time_s", service_time_s)
        super().__init__(leak_bytes=int(leak_bytes), service_time=float(service_time_s))

    def set_leak(self, leak_bytes):
        """Change the bytes kept per request from now on (memory already kept stays kept)."""
        leak = v.integer("leak_bytes", leak_bytes, low=0, high=10_000_000)
        return self.get(f"/config?leak_bytes={leak}")


# --------------------------------------------------------------------------------------------- load drivers
def _stall_in_background(url, at_s, stall_s):
    """Send one request of stall_s seconds to url?ms=... after at_s seconds, from a thread; return the thread."""
    def run():
        time.sleep(at_s)
        try:
            with urllib.request.urlopen(f"{url}?ms={stall_s * 1000:.0f}", timeout=stall_s + 5) as reply:
                reply.read()
        except OSError:
            pass
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _latency_row(label, seconds):
    ms = np.asarray(seconds, dtype=float) * 1000
    figures = metrics.request_summary(ms)
    return {"measured as": label, "samples": figures["requests"],
            **{k: figures[k] for k in ("p50_ms", "p95_ms", "p99_ms")},
            "max_ms": float(ms.max()), "share_over_100ms": float(np.mean(ms > 100))}


# ---------------------------------------------------------------------------------------------- scenarios
def coordinated_omission(rate=50.0, seconds=1.5, stall_at_s=0.4, stall_s=0.4, service_time_s=0.004):
    """The same one-worker service, frozen once for stall_s seconds, measured three ways at the same rate (req/s):
    a paced closed-loop user as a naive tool records it, the same samples corrected to the intended send times,
    and an open loop (uniform arrivals, latency from the scheduled send). One row per way, latencies in ms."""
    rate = v.positive("rate", rate)
    v.positive("seconds", seconds)
    v.non_negative("stall_at_s", stall_at_s)
    v.positive("stall_s", stall_s)
    n = max(2, int(round(rate * seconds)))
    with LoopbackService(service_time_s=service_time_s, servers=1, distribution="constant", rng=1) as svc:
        closed = paced_user_loop(svc.url, rate, n, stall_at_s=stall_at_s, stall_s=stall_s)
        side = _stall_in_background(svc.url, stall_at_s, stall_s)
        try:
            opened = open_loop(svc.url, rate, requests=n, arrivals="uniform").requests
        finally:
            side.join(stall_s + 6)
    ok = closed["status"] == 200
    return pd.DataFrame([
        _latency_row("closed loop, naive (end - actual send)", closed.loc[ok, "naive_s"]),
        _latency_row("closed loop, corrected (end - intended send)", closed.loc[ok, "corrected_s"]),
        _latency_row("open loop (end - scheduled send)", opened.loc[opened["status"] == 200, "latency_s"]),
    ])


def load_test(url, rate, seconds=2.0, slo_p95_ms=50.0, max_error_rate=0.01, **kwargs):
    """A load test: a steady open-loop rate (req/s) for about ``seconds``; one summary row with the SLO verdict."""
    rate = v.positive("rate", rate)
    v.positive("seconds", seconds)
    result = open_loop(url, rate, requests=max(1, int(round(rate * seconds))), **kwargs)
    row = result.summary()
    row["verdict"] = loadtest.verdict(row.get("p95_ms", np.nan), row["error_rate"], slo_p95_ms, max_error_rate)
    return pd.DataFrame([row])


def stress_test(url, rates, seconds=0.8, slo_p95_ms=50.0, max_error_rate=0.01, timeout=2.0, **kwargs):
    """A stress test: a ramp of open-loop rates (req/s), about ``seconds`` each. One row per step with
    ``slo_met``; the lowest rate with slo_met False is the breaking point (see models.loadtest.breaking_point)."""
    table = rate_sweep(url, list(rates), seconds=seconds, timeout=timeout, **kwargs)
    if "p95_ms" not in table:
        table["p95_ms"] = np.nan
    table["slo_met"] = loadtest.slo_met(table["p95_ms"].to_numpy(), table["error_rate"].to_numpy(),
                                        slo_p95_ms, max_error_rate)
    return table


def spike_schedule(base_rps, spike_rps, before_s, spike_s, after_s, rng=None):
    """Poisson send times (s) for normal -> spike -> normal: base_rps for before_s, spike_rps for spike_s,
    base_rps for after_s."""
    phases = [(v.positive("base_rps", base_rps), v.positive("before_s", before_s)),
              (v.positive("spike_rps", spike_rps), v.positive("spike_s", spike_s)),
              (base_rps, v.positive("after_s", after_s))]
    generator = _random.rng(rng)
    times, offset = [], 0.0
    for rate, length in phases:
        gaps = generator.exponential(1 / rate, int(rate * length * 2) + 10)
        t = np.cumsum(gaps)
        times.append(offset + t[t < length])
        offset += length
    return np.concatenate(times)


def spike_test(queue_sizes=(5, 200), base_rps=40.0, spike_rps=200.0, before_s=0.8, spike_s=0.5, after_s=1.5,
               service_time_s=0.01, servers=1, rng=None):
    """A spike test against a QueuedService per queue size (the same Poisson schedule each time).

    Returns one row per request: queue_size, phase ("before", "spike", "after"), scheduled (s), latency_s
    (from the scheduled send), status (200 served, 503 turned away, 0 failed).
    """
    schedule = spike_schedule(base_rps, spike_rps, before_s, spike_s, after_s, rng=rng)
    frames = []
    with QueuedService(service_time_s=service_time_s, servers=servers, queue_size=0, rng=7) as svc:
        for size in queue_sizes:
            svc.set_queue_size(size)
            frame = scheduled_loop(svc.url, schedule, timeout=5.0)
            frame.insert(0, "queue_size", size)
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["phase"] = np.select([out["scheduled"] < before_s, out["scheduled"] < before_s + spike_s],
                             ["before", "spike"], "after")
    return out[["queue_size", "phase", "scheduled", "latency_s", "status"]]


def _fill(connection, start, stop, rng):
    ids = np.arange(start, stop)
    values = rng.integers(0, 1_000_000_000, size=ids.size)
    connection.executemany("INSERT INTO orders (id, customer, amount) VALUES (?, ?, ?)",
                           ((int(i), int(c), float(c % 997)) for i, c in zip(ids, values)))
    connection.commit()
    return values


def volume_test(sizes=(1_000, 10_000, 100_000), queries=60, indexed=(False, True), rng=None):
    """A volume test: one SQLite file grows through ``sizes`` rows; at each size, ``queries`` point lookups by a
    non-key column (customer) are timed without and with an index. One row per (rows, indexed): median and P95
    per query (ms), file size (bytes) and SQLite's query plan."""
    sizes = [v.integer("sizes", int(s), low=1, high=2_000_000) for s in sizes]
    if sorted(sizes) != sizes:
        raise ValueError("sizes must be increasing")
    n_queries = v.integer("queries", queries, low=1, high=100_000)
    generator = _random.rng(rng)
    rows = []
    with temporary_directory("scalelab-volume-") as folder:
        path = os.path.join(folder, "orders.sqlite")
        connection = sqlite3.connect(path, cached_statements=0)  # re-plan after each index change
        try:
            connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, amount REAL)")
            filled, customers = 0, np.empty(0, dtype=np.int64)
            for size in sizes:
                customers = np.concatenate([customers, _fill(connection, filled, size, generator)])
                filled = size
                targets = generator.choice(customers, n_queries)
                for with_index in indexed:
                    connection.execute("DROP INDEX IF EXISTS orders_customer")
                    if with_index:
                        connection.execute("CREATE INDEX orders_customer ON orders (customer)")
                    connection.commit()
                    query = "SELECT id, amount FROM orders WHERE customer = ?"
                    plan = " ".join(r[-1] for r in connection.execute("EXPLAIN QUERY PLAN " + query, (0,)))
                    times = []
                    for c in targets:
                        t0 = time.perf_counter()
                        connection.execute(query, (int(c),)).fetchall()
                        times.append(time.perf_counter() - t0)
                    ms = np.asarray(times) * 1000
                    rows.append({"rows": size, "indexed": bool(with_index), "queries": n_queries,
                                 "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
                                 "file_bytes": os.path.getsize(path), "plan": plan})
        finally:
            connection.close()
    return pd.DataFrame(rows)


def soak_test(leak_sizes=(0, 20_000), rate=100.0, seconds=2.0, samples=8):
    """A shortened endurance (soak) test: for each leak size (bytes kept per request), a steady open-loop rate
    (req/s) for ``seconds`` against one LeakyService, reading its memory ``samples`` times. One row per sample:
    leak_bytes, t_s (since that soak began), served, traced_bytes, rss_bytes, p95_ms of the slice before it."""
    rate = v.positive("rate", rate)
    v.positive("seconds", seconds)
    k = v.integer("samples", samples, low=3, high=1000)
    per_slice = max(1, int(round(rate * seconds / k)))
    rows = []
    with LeakyService(leak_bytes=0) as svc:
        for leak in leak_sizes:
            svc.set_leak(leak)
            t0 = time.perf_counter()
            rows.append({"t_s": 0.0, **svc.stats(), "p95_ms": np.nan})
            for _ in range(k):
                result = open_loop(svc.url, rate, requests=per_slice, arrivals="uniform")
                summary = summarize_requests(result.requests)
                rows.append({"t_s": time.perf_counter() - t0, **svc.stats(), "p95_ms": summary.get("p95_ms", np.nan)})
    columns = ["leak_bytes", "t_s", "served", "traced_bytes", "rss_bytes", "p95_ms"]
    return pd.DataFrame(rows)[columns]
