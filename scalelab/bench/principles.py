"""Lesson 11's benchmarks: design principles measured on this machine.

- ``restart_run``: carts kept in a worker's memory, in a shared SQLite file and in signed client-side tokens,
  through lesson 04's cluster, across a restart of every worker (a deploy).
- ``io_concurrency``: the same I/O-bound requests (a loopback server that answers after a delay) made by a pool of
  threads and by asyncio coroutines, at several concurrencies.
- ``burst_run``: a queue (a broker process) drained by worker processes while a producer sends a burst; the
  queue's depth sampled over time and the workers' own counters (jobs done, busy seconds).
- ``degradation_run``: a front end of handler threads calling lesson 05's service chain; an outage or an overload
  injected, with and without a circuit breaker, a rate limiter and a fallback (``scalelab.resilience``).
- ``cached_query``: cache-aside in front of a slow SQLite query, on a read/write workload.

Every process, port and temp file is released on success, error and Ctrl-C.
"""
import asyncio
import collections
import concurrent.futures
import contextlib
import dataclasses
import os
import socket
import sqlite3
import threading
import time
import typing
import urllib.parse

if typing.TYPE_CHECKING:
    import pandas

from .. import _validate as v
from . import processes
from .http import QuietJsonHandler

STORES = ("local", "sqlite", "token")


@dataclasses.dataclass(frozen=True)
class RestartRun:
    """What ``restart_run`` measured: one row per request in ``table``; restart_after_step; restart_s, how long the
    restart of every worker took (0 if there was none)."""

    table: "pandas.DataFrame"
    restart_after_step: int
    restart_s: float


@dataclasses.dataclass(frozen=True)
class BurstRun:
    """What ``burst_run`` measured: one row per tick in ``table``; workers: each worker's counters (done, busy_s);
    service_rps: the run's own measured service rate; phases, servers and service_time_ms as asked for."""

    table: "pandas.DataFrame"
    workers: dict
    service_rps: float
    phases: list
    servers: int
    service_time_ms: float


@dataclasses.dataclass(frozen=True)
class DegradationRun:
    """What ``degradation_run`` measured: one row per request in ``table``, the settings (arrival_rps, duration_s,
    handlers, timeout_s, outage, breaker and limiter class names), breaker_opened (times the breaker opened) and
    ok_service_time_s (median service time of the full answers, s)."""

    table: "pandas.DataFrame"
    arrival_rps: float
    duration_s: float
    handlers: int
    timeout_s: float
    outage: tuple | None
    breaker: str | None
    limiter: str | None
    breaker_opened: int
    ok_service_time_s: float


@dataclasses.dataclass(frozen=True)
class CachedQueryRun:
    """What ``cached_query`` measured: one row per operation in ``table``; query_ms, the median uncached read, and
    write_ms, the median write (ms)."""

    table: "pandas.DataFrame"
    query_ms: float
    write_ms: float


# ------------------------------------------------------------------------------------------ stateless design
def _cart_call(cluster, user, store, tokens):
    if store == "token":
        query = urllib.parse.urlencode({"user": user, "token": tokens.get(user, "")})
        start = time.perf_counter()
        status, body = cluster.get(f"/cart_token?{query}")
        if status == 200:
            tokens[user] = body["token"]
    else:
        start = time.perf_counter()
        status, body = cluster.get(f"/cart?user={user}&store={store}")
    return status, body, time.perf_counter() - start


def restart_run(cluster, users=4, steps=6, restart_after_step=3, stores=STORES, tag="r"):
    """Each user adds one item per step to a cart in each store, through ``cluster``'s balancer (sticky, so the
    memory store works at all); right after step ``restart_after_step`` every worker is restarted (0 = never).

    One row per request: user, store, step, status, worker, items (what the cart holds), expected (= step), lost
    (expected − items) and latency_ms, in the ``table`` of the ``RestartRun`` returned; its ``restart_s`` is how
    long the restart took.
    """
    import pandas as pd

    for store in stores:
        if store not in STORES:
            raise ValueError(f"stores must hold only {STORES}, got {store!r}")
    u = v.integer("users", users, low=1, high=50)
    steps = v.integer("steps", steps, low=1, high=200)
    restart_after = v.integer("restart_after_step", restart_after_step, low=0, high=steps)
    cluster.configure(sticky=True, algorithm="round_robin")
    tokens, rows, restart_s = {}, [], 0.0
    for step in range(1, steps + 1):
        for k in range(u):
            user = f"{tag}u{k}"
            for store in stores:
                status, body, seconds = _cart_call(cluster, user, store, tokens)
                rows.append({"user": user, "store": store, "step": step, "status": status,
                             "worker": body.get("worker", -1), "items": body.get("items", 0), "expected": step,
                             "latency_ms": 1000 * seconds})
        if step == restart_after:
            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(cluster.servers) as pool:
                list(pool.map(cluster.restart_worker, range(cluster.servers)))
            restart_s = time.perf_counter() - start
    frame = pd.DataFrame(rows)
    frame["lost"] = frame["expected"] - frame["items"]
    return RestartRun(table=frame, restart_after_step=restart_after, restart_s=restart_s)


# -------------------------------------------------------------------------------------- threads and asyncio
async def _delayed_reply(reader, writer, delay_s):
    try:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(delay_s)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def delay_server(ready, delay_ms):
    """Process entry point: an asyncio HTTP server on 127.0.0.1 that answers every request after ``delay_ms``
    (waiting, no CPU: an I/O-bound call as the client sees it), thousands at once."""
    async def main():
        server = await asyncio.start_server(lambda r, w: _delayed_reply(r, w, delay_ms / 1000), "127.0.0.1", 0,
                                            backlog=4096)
        ready(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def _thread_call(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(REQUEST)
        while sock.recv(4096):
            pass


async def _async_calls(port, requests, concurrency):
    gate = asyncio.Semaphore(concurrency)

    async def one():
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(REQUEST)
            await writer.drain()
            await reader.read()
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(one() for _ in range(requests)))


def _run_async(coroutine):
    """Run a coroutine to the end in a fresh event loop of its own thread (a notebook already runs one)."""
    box = {}

    def target():
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def io_concurrency(requests=200, delay_ms=20.0, concurrencies=(10, 50, 200), repeats=1):
    """Wall time of ``requests`` calls to a server that answers after ``delay_ms``, made at most ``c`` at a time by
    a pool of c threads and by asyncio coroutines (a semaphore of c), for each c. The modes alternate.

    One row per (mode, concurrency): mode ("threads" or "asyncio"), concurrency, requests, wall_s (the fastest of
    ``repeats``), throughput_rps and waiting_model_s (ceil(requests / c) × delay: the time if a call cost nothing
    but the wait).
    """
    import math

    import pandas as pd

    n = v.integer("requests", requests, low=1, high=20_000)
    delay = v.positive("delay_ms", delay_ms)
    levels = [v.integer("concurrency", c, low=1, high=2000) for c in concurrencies]
    repeats = v.integer("repeats", repeats, low=1, high=10)
    process, port = processes.start(delay_server, delay_ms=delay)
    try:
        _thread_call(port)  # warm-up
        best = collections.defaultdict(lambda: math.inf)
        for _ in range(repeats):
            for c in levels:
                start = time.perf_counter()
                with concurrent.futures.ThreadPoolExecutor(c) as pool:
                    list(pool.map(_thread_call, [port] * n))
                best["threads", c] = min(best["threads", c], time.perf_counter() - start)
                start = time.perf_counter()
                _run_async(_async_calls(port, n, c))
                best["asyncio", c] = min(best["asyncio", c], time.perf_counter() - start)
    finally:
        processes.stop(process)
    rows = [{"mode": mode, "concurrency": c, "requests": n, "wall_s": best[mode, c],
             "throughput_rps": n / best[mode, c], "waiting_model_s": math.ceil(n / c) * delay / 1000}
            for mode in ("threads", "asyncio") for c in levels]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------ a queue absorbs a burst
def _broker_handler(state):
    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = {key: values[0] for key, values in urllib.parse.parse_qs(url.query).items()}
            with state["lock"]:
                if url.path == "/put":
                    for _ in range(int(query.get("n", 0))):
                        state["queue"].append(time.monotonic())
                        state["enqueued"] += 1
                    return self.reply(200, {"depth": len(state["queue"]), "enqueued": state["enqueued"],
                                            "done": state["done"]})
                if url.path == "/get":
                    worker = query.get("worker", "?")
                    if query.get("finished") == "1":
                        state["done"] += 1
                        counters = state["workers"].setdefault(worker, {"done": 0, "busy_s": 0.0})
                        counters["done"] += 1
                        counters["busy_s"] += float(query.get("busy_s", 0))
                    if state["queue"]:
                        state["queue"].popleft()
                        return self.reply(200, {"job": True})
                    return self.reply(200, {"job": False})
                if url.path == "/stats":
                    return self.reply(200, {"depth": len(state["queue"]), "enqueued": state["enqueued"],
                                            "done": state["done"], "workers": state["workers"]})
            return self.reply(404, {"error": "no such path"})

    return Handler


def broker(ready):
    """Process entry point: an in-memory FIFO queue on 127.0.0.1 (/put?n=K, /get, /stats), as a message broker."""
    state = {"lock": threading.Lock(), "queue": collections.deque(), "enqueued": 0, "done": 0, "workers": {}}
    processes.serve_on_loopback(ready, _broker_handler(state))


def _get(port, path, timeout=5.0):
    import http.client
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def queue_worker(ready, broker_port, worker, service_time_ms, poll_ms=2.0):
    """Process entry point: take jobs from the broker, one at a time, each ``service_time_ms`` of waiting work. It
    reports, with each finished job, its busy time: from asking for the job to asking for the next (fetch included).
    It listens on no port (reports 0) and runs until terminated."""
    ready(0)
    finished, busy_s = 0, 0.0
    while True:
        asked = time.perf_counter()
        reply = _get(broker_port, f"/get?worker={worker}&finished={finished}&busy_s={busy_s:.6f}")
        if reply["job"]:
            time.sleep(service_time_ms / 1000)
            finished, busy_s = 1, time.perf_counter() - asked
        else:
            finished, busy_s = 0, 0.0
            time.sleep(poll_ms / 1000)


def _arrived_by(phases, t_s):
    """Jobs due by time ``t_s`` (s) when the phases (duration_s, rate_rps) follow one another from t = 0."""
    due, start = 0.0, 0.0
    for duration, rate in phases:
        due += rate * max(0.0, min(t_s, start + duration) - start)
        start += duration
    return due + 1e-9


def burst_run(phases=((1.0, 150.0), (1.0, 30.0)), servers=2, service_time_ms=20.0, tick_ms=10.0, max_s=6.0):
    """A producer sends jobs at the rate of each phase (duration_s, rate_rps) in turn, every ``tick_ms`` the jobs due
    by then (by the clock, so a slow moment sends a bigger batch rather than stretching the burst), to a broker
    drained by ``servers`` worker processes (each job ``service_time_ms``); every tick it reads the queue's
    depth. It goes on after the last phase until the queue is empty (at most ``max_s`` in all).

    Returns a ``BurstRun``: its ``table`` has one row per tick: t_s, depth, enqueued, done; with per-worker counters
    (done, busy_s) and service_rps, the run's own measured service rate: jobs done / busy seconds, times the number
    of workers.
    """
    import pandas as pd

    phases = [(v.positive("phase duration_s", d), v.non_negative("phase rate_rps", r)) for d, r in phases]
    k = v.integer("servers", servers, low=1, high=16)
    service = v.positive("service_time_ms", service_time_ms)
    tick = v.positive("tick_ms", tick_ms) / 1000
    limit = v.positive("max_s", max_s)
    started = []
    try:
        broker_process, port = processes.start(broker)
        started.append(broker_process)
        with concurrent.futures.ThreadPoolExecutor(k) as starter:
            for process, _ in starter.map(lambda i: processes.start(queue_worker, broker_port=port, worker=i,
                                                                    service_time_ms=service), range(k)):
                started.append(process)
        total_s = sum(d for d, _ in phases)
        rows, sent, t0, tick_no = [], 0, time.perf_counter(), 0
        while True:
            now = time.perf_counter() - t0
            due = int(_arrived_by(phases, now))  # jobs due by now: a slow loop sends bigger batches, never fewer jobs
            reply = _get(port, f"/put?n={due - sent}")
            sent = due
            rows.append({"t_s": time.perf_counter() - t0, "depth": reply["depth"], "enqueued": reply["enqueued"],
                         "done": reply["done"]})
            if (now >= total_s and reply["depth"] == 0) or now > limit:
                break
            tick_no += 1
            time.sleep(max(0.0, t0 + tick_no * tick - time.perf_counter()))
        time.sleep(3 * service / 1000)  # let the last jobs report
        stats = _get(port, "/stats")
    finally:
        for process in started:
            processes.stop(process)
    frame = pd.DataFrame(rows)
    counters = stats["workers"]
    done = sum(c["done"] for c in counters.values())
    busy = sum(c["busy_s"] for c in counters.values())
    return BurstRun(table=frame, workers=counters, service_rps=k * done / busy if busy else float("nan"),
                    phases=phases, servers=k, service_time_ms=service)


# -------------------------------------------------------------------------------------- graceful degradation
class _Front:
    """The front end's state shared by its handler threads: the breaker and limiter behind one lock."""

    def __init__(self, breaker, limiter):
        self.breaker, self.limiter, self.lock = breaker, limiter, threading.Lock()

    def admit(self, now_s):
        if self.limiter is None:
            return True
        with self.lock:
            return self.limiter.allow(now_s)

    def may_call(self, now_s):
        if self.breaker is None:
            return True
        with self.lock:
            return self.breaker.allow(now_s)

    def record(self, success, now_s):
        if self.breaker is not None:
            with self.lock:
                self.breaker.record(success, now_s)


def degradation_run(pool, rate_rps=120.0, duration_s=2.5, handlers=4, service_time_ms=5.0, timeout_s=0.25, outage=None,
                    breaker=None, limiter=None, fallback=True, rng=None):
    """Open-loop requests at ``rate_rps`` (Poisson) for ``duration_s`` into a front end of ``handlers`` threads;
    each request calls a chain of two services of ``pool`` (lesson 05; ``service_time_ms`` in each) with ``timeout_s``.

    outage: (start_s, end_s) during which the last service of the chain hangs (``pool.inject_fault``) or None;
    breaker: a ``resilience.CircuitBreaker`` (asked when a handler picks a request up) or None; limiter: an object
    with ``allow(now_s)`` asked on arrival, or None; fallback: answer a refused or failed call with a degraded
    reply instead of an error. One row per request: scheduled_s, start_s, end_s, latency_s (end − scheduled) and
    outcome ("ok", "fallback", "error", "rejected"), in the ``table`` of the ``DegradationRun`` returned, which also
    holds the settings and the breaker's counters.
    """
    import numpy as np
    import pandas as pd

    from .._random import rng as _rng
    from ..sim.degradation import arrivals

    if not pool.processes or pool.size < 2:
        raise ValueError("pool must be a started ServicePool of at least 2 services")
    rate = v.positive("rate_rps", rate_rps)
    duration = v.positive("duration_s", duration_s)
    k = v.integer("handlers", handlers, low=1, high=64)
    timeout = v.positive("timeout_s", timeout_s)
    v.non_negative("service_time_ms", service_time_ms)
    if outage is not None:
        outage = (v.non_negative("outage start", outage[0]), v.non_negative("outage end", outage[1]))
    schedule = arrivals(rate, duration, rng=_rng(rng))
    front = _Front(breaker, limiter)
    rows = [None] * len(schedule)
    pool.call(2, service_time_ms=service_time_ms)  # warm-up

    def handle(i, t0):
        begin = time.perf_counter() - t0
        if not front.may_call(begin):
            result = "fallback" if fallback else "error"
        else:
            try:
                _, reply = pool.call(2, timeout=timeout, check=False, service_time_ms=service_time_ms)
                success = reply["status"] == 200
            except OSError:  # timed out or refused
                success = False
            front.record(success, time.perf_counter() - t0)
            result = "ok" if success else ("fallback" if fallback else "error")
        rows[i] = (schedule[i], begin, time.perf_counter() - t0, result)

    timers = []
    with concurrent.futures.ThreadPoolExecutor(k) as executor:
        t0 = time.perf_counter()
        if outage is not None:
            for at, delay in ((outage[0], 20_000 * timeout), (outage[1], 0.0)):
                timer = threading.Timer(max(0.0, at - (time.perf_counter() - t0)), pool.inject_fault,
                                        args=(1,), kwargs={"delay_ms": delay})
                timer.start()
                timers.append(timer)
        try:
            for i, when in enumerate(schedule):
                time.sleep(max(0.0, t0 + when - time.perf_counter()))
                if front.admit(float(when)):
                    executor.submit(handle, i, t0)
                else:
                    now = time.perf_counter() - t0
                    rows[i] = (when, now, now, "rejected")
        except BaseException:  # an error or Ctrl-C: no outage starts or ends later
            for timer in timers:
                timer.cancel()
            raise
        finally:
            for timer in timers:
                timer.join()
            if outage is not None:
                pool.inject_fault(1, delay_ms=0.0)
    frame = pd.DataFrame(rows, columns=["scheduled_s", "start_s", "end_s", "outcome"])
    frame["latency_s"] = frame["end_s"] - frame["scheduled_s"]
    ok_rows = frame["outcome"] == "ok"
    return DegradationRun(table=frame, arrival_rps=rate, duration_s=duration, handlers=k, timeout_s=timeout,
                          outage=outage, breaker=type(breaker).__name__ if breaker else None,
                          limiter=type(limiter).__name__ if limiter else None,
                          breaker_opened=getattr(breaker, "opened", 0),
                          ok_service_time_s=float(np.median((frame["end_s"] - frame["start_s"])[ok_rows]))
                          if ok_rows.any() else float("nan"))


def degradation_summary(run, slo_s):
    """Outcome shares, P50/P99 latency of answered requests (ms), goodput (full answers within ``slo_s`` per
    second) and answered_in_slo_rps (full or degraded) of a ``DegradationRun``, as a dict."""
    from ..sim.degradation import summary

    result = {"outcome": run.table["outcome"].to_numpy(), "latency_s": run.table["latency_s"].to_numpy()}
    return summary(result, run.duration_s, slo_s)


# -------------------------------------------------------------------------------- a cache before a slow query
def _slow_database(path, rows, customers, rng):
    generator = rng
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE orders (customer INTEGER, amount REAL)")  # no index: every query scans
        db.executemany("INSERT INTO orders VALUES (?, ?)",
                       zip(generator.integers(0, customers, rows).tolist(), generator.random(rows).round(2).tolist()))


QUERY = "SELECT COUNT(*), ROUND(SUM(amount), 2) FROM orders WHERE customer = ?"


def cached_query(ops, rows=200_000, customers=50, ttl_s=1.0, uncached_reads=20, rng=None):
    """Cache-aside (a dict with a TTL) in front of a slow SQLite query (a customer's order total, a full scan of
    ``rows`` orders), driven by ``ops`` (``sim.cache_strategies.workload``: a read asks for a customer's total, a
    write adds an order; keys are customers). Operations run back to back; their times in ``ops`` only order them
    and set the cache's clock (so the TTL means the same as in the simulator). First ``uncached_reads`` reads go
    straight to the database, for the baseline.

    Returns a ``CachedQueryRun``: its ``table`` has one row per operation: i, key, write, hit, stale (a cached
    answer older than the database's), latency_ms; with query_ms (median uncached read) and write_ms (median write).
    """
    import numpy as np
    import pandas as pd

    from .._random import rng as _rng
    from .harness import temporary_directory

    n_rows = v.integer("rows", rows, low=1, high=10_000_000)
    n_customers = v.integer("customers", customers, low=1)
    ttl = v.positive("ttl_s", ttl_s)
    base = v.integer("uncached_reads", uncached_reads, low=1, high=10_000)
    keys = np.asarray(ops["key"]) % n_customers
    with temporary_directory("scalelab-cache-") as folder:
        path = os.path.join(folder, "orders.db")
        _slow_database(path, n_rows, n_customers, _rng(rng))
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
            uncached = []
            for key in keys[:base]:
                start = time.perf_counter()
                db.execute(QUERY, (int(key),)).fetchone()
                uncached.append(time.perf_counter() - start)
            cache, last_write, out = {}, {}, []
            for i, (t, key, write) in enumerate(zip(ops["time_s"], keys, ops["write"])):
                key = int(key)
                start = time.perf_counter()
                hit = stale = False
                if write:
                    db.execute("INSERT INTO orders VALUES (?, ?)", (key, 1.0))  # cache-aside: the db only
                    last_write[key] = t
                else:
                    entry = cache.get(key)
                    if entry is not None and t - entry[1] < ttl:
                        hit, answer = True, entry[0]
                    else:
                        answer = db.execute(QUERY, (key,)).fetchone()
                        cache[key] = (answer, t)
                elapsed = time.perf_counter() - start
                if hit:  # outside the timed part: was the customer written since the answer was cached?
                    stale = last_write.get(key, -1.0) > cache[key][1]
                out.append({"i": i, "key": key, "write": bool(write), "hit": hit, "stale": stale,
                            "latency_ms": 1000 * elapsed})
    frame = pd.DataFrame(out)
    return CachedQueryRun(table=frame, query_ms=1000 * float(np.median(uncached)),
                          write_ms=float(frame.loc[frame["write"], "latency_ms"].median())
                          if frame["write"].any() else float("nan"))


def probe_health(pool, index=1, interval_s=0.1, rise=2, fall=3, probes=4):
    """Probe service ``index``'s /health every ``interval_s`` through ``resilience.HealthCheck(rise, fall)``:
    ``probes`` probes during an injected fault, then ``probes`` after it is cleared. One row per probe: phase
    ("outage" or "recovered"), t_s, status and healthy (the checker's verdict after that probe)."""
    import pandas as pd

    from .. import resilience
    from .chain import http_get

    check = resilience.HealthCheck(interval_s=interval_s, rise=rise, fall=fall)
    n = v.integer("probes", probes, low=1, high=100)
    rows, t0 = [], time.perf_counter()
    try:
        for phase, delay_ms in (("outage", 1000.0), ("recovered", 0.0)):
            pool.inject_fault(index, delay_ms=delay_ms)
            for _ in range(n):
                status, _ = http_get(pool.ports[index], "/health")
                now = time.perf_counter() - t0
                rows.append({"phase": phase, "t_s": now, "status": status,
                             "healthy": check.observe(status == 200, now)})
                time.sleep(max(0.0, check.next_probe_s - (time.perf_counter() - t0)))
    finally:
        pool.inject_fault(index, delay_ms=0.0)
    return pd.DataFrame(rows)


def front_capacity(pool, handlers=4, service_time_ms=5.0, requests=80, timeout_s=2.0):
    """The front end's capacity, measured at saturation: ``requests`` calls through a chain of two services of
    ``pool`` handed at once to ``handlers`` threads (so none is ever idle). Returns a dict: capacity_rps
    (requests / wall time), call_s (median call), wall_s and requests."""
    import statistics

    if not pool.processes or pool.size < 2:
        raise ValueError("pool must be a started ServicePool of at least 2 services")
    k = v.integer("handlers", handlers, low=1, high=64)
    n = v.integer("requests", requests, low=k, high=100_000)
    v.non_negative("service_time_ms", service_time_ms)
    pool.call(2, service_time_ms=service_time_ms)  # warm-up
    with concurrent.futures.ThreadPoolExecutor(k) as executor:
        start = time.perf_counter()
        calls = list(executor.map(lambda _: pool.call(2, timeout=timeout_s, service_time_ms=service_time_ms)[0],
                                  range(n)))
        wall = time.perf_counter() - start
    return {"capacity_rps": n / wall, "call_s": statistics.median(calls), "wall_s": wall, "requests": n}
