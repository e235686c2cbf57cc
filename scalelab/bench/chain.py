"""Calls between services on this machine: an in-process call, a loopback HTTP call, a chain of k services, a fan-out.

A ``ServicePool`` starts n small HTTP services, each in its own process on 127.0.0.1. Every request says what to do:

- ``route``: the ports of the services still to call, in order, so one pool serves chains of any length
  (service 1 calls service 2 over HTTP, which calls service 3, ...);
- the work each service does before answering: ``service_time_ms`` (milliseconds) drawn as "constant", "exponential"
  (mean service_time_ms) or "bimodal" (service_time_ms, but slow_ms with probability p_slow: a rare slow call);
- ``p_fail``: the chance that each service fails (answers 500), to see availability multiply along a chain.

Every benchmark returns a pandas DataFrame; the pool's processes are stopped on success, error and Ctrl-C.
"""
import concurrent.futures
import http.client
import json
import random
import threading
import time
from urllib.parse import parse_qs, urlencode, urlparse

import numpy as np

from .. import _random
from .. import _validate as v
from ..models import metrics
from . import processes
from .http import QuietJsonHandler

# pandas is imported inside the functions that build tables, so a service process starts without it.


def __getattr__(name):
    if name == "pd":  # `chain.pd` still works, imported when first asked for
        import pandas

        return pandas
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

DISTRIBUTIONS = ("constant", "exponential", "bimodal")
HOST = "127.0.0.1"


def http_get(port, path, timeout=5.0):
    """One GET to 127.0.0.1:port on a new connection; return (status, parsed JSON body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read() or b"{}")
    finally:
        connection.close()


def _draw_service_time_ms(generator, lock, service_time_ms, distribution, p_slow, slow_ms):
    """Milliseconds of work for one call, and whether it was a slow one."""
    with lock:
        if distribution == "exponential":
            return (generator.expovariate(1 / service_time_ms) if service_time_ms > 0 else 0.0), False
        if distribution == "bimodal" and generator.random() < p_slow:
            return slow_ms, True
        return service_time_ms, False


def _make_handler(generator, lock, fault=None):
    fault = {"delay_ms": 0.0, "fail": False} if fault is None else fault  # an injected outage (lesson 11)

    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/health":
                if fault["fail"] or fault["delay_ms"]:
                    return self.reply(503, {"ok": False, **fault})
                return self.reply(200, {"ok": True})
            if url.path == "/fault":  # /fault?delay_ms=D&fail=0|1: hang D ms, or fail, on every call from now on
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                try:
                    fault.update(delay_ms=float(query.get("delay_ms", 0)), fail=query.get("fail", "0") == "1")
                except ValueError:
                    return self.reply(400, {"error": "bad query"})
                return self.reply(200, dict(fault))
            if url.path != "/call":
                return self.reply(404, {"error": "no such path"})
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            try:
                route = [int(p) for p in query.get("route", "").split(",") if p]
                service_time_ms = float(query.get("service_time_ms", 0))
                distribution = query.get("distribution", "constant")
                p_slow, slow_ms = float(query.get("p_slow", 0)), float(query.get("slow_ms", 0))
                p_fail = float(query.get("p_fail", 0))
            except ValueError:
                return self.reply(400, {"error": "bad query"})
            with lock:
                failed = generator.random() < p_fail
            if fault["delay_ms"]:
                time.sleep(fault["delay_ms"] / 1000)
            if failed or fault["fail"]:
                return self.reply(500, {"error": "injected failure"})
            drawn_ms, slow = _draw_service_time_ms(generator, lock, service_time_ms, distribution, p_slow, slow_ms)
            time.sleep(drawn_ms / 1000)
            result = {"hops": 1, "service_time_ms": drawn_ms, "slow_calls": int(slow)}
            if route:  # call the next service in the chain and add up what it did
                rest = dict(query, route=",".join(map(str, route[1:])))
                try:
                    status, downstream = http_get(route[0], "/call?" + urlencode(rest))
                except OSError as exc:
                    return self.reply(502, {"error": f"next service unreachable: {exc}"})
                if status != 200:
                    return self.reply(502, {"error": "next service failed", "downstream": downstream})
                for key in result:
                    result[key] += downstream[key]
            self.reply(200, result)

    return Handler


def serve_hop(ready, seed):
    """Process entry point: one service of a pool on 127.0.0.1, an ephemeral port (reported through ready)."""
    processes.serve_on_loopback(ready, _make_handler(random.Random(seed), threading.Lock()))


class ServicePool:
    """``services`` HTTP services on 127.0.0.1, each in its own process. Use it as a context manager::

        with ServicePool(services=4) as pool:
            frame = chain_latency(pool, ks=(1, 2, 3, 4))

    rng: a numpy Generator (the package's seeded generator when None); each service process gets its own seed
    integer drawn from it, to build the generator of its slow-call and failure draws.
    """

    def __init__(self, services=4, rng=None):
        self.size = v.integer("services", services, low=1, high=16)
        base = int(_random.rng(rng).integers(2**31 - 16))
        self.seeds = [int(base) + i for i in range(self.size)]
        self.processes, self.ports = [], []

    def start(self):
        """Start every service (in parallel) and return self; stops the ones that started if one fails or on Ctrl-C."""
        if self.processes:
            return self
        started = processes.start_many(serve_hop, [{"seed": s} for s in self.seeds])
        self.processes = [process for process, _ in started]
        self.ports = [port for _, port in started]
        return self

    def inject_fault(self, index, delay_ms=0.0, fail=False):
        """From now on service ``index`` hangs ``delay_ms`` on every call (and fails it if ``fail``); 0 and False
        end the outage. Its /health answers 503 while a fault is set."""
        v.integer("index", index, low=0, high=self.size - 1)
        query = urlencode({"delay_ms": v.non_negative("delay_ms", delay_ms), "fail": int(bool(fail))})
        status, reply = http_get(self.ports[index], "/fault?" + query)
        if status != 200:
            raise RuntimeError(f"service {index} refused the fault: {reply}")
        return reply

    def stop(self):
        """Stop every service process and free its port. Safe to call twice."""
        for process in self.processes:
            processes.stop(process)
        self.processes = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def path(self, chain=(), service_time_ms=0.0, distribution="constant", p_slow=0.0, slow_ms=0.0, p_fail=0.0):
        """The request path for a call that continues through the ports in ``chain`` (after the first service)."""
        query = {"route": ",".join(map(str, chain)), "service_time_ms": service_time_ms, "distribution": distribution,
                 "p_slow": p_slow, "slow_ms": slow_ms, "p_fail": p_fail}
        return "/call?" + urlencode(query)

    def call(self, services=1, first=0, timeout=5.0, check=True, **work):
        """Call a chain of ``services`` services (starting at pool index ``first``); return (seconds, reply dict).

        work: service_time_ms, distribution, p_slow, slow_ms, p_fail (what each service does before answering).
        check: raise RuntimeError unless the reply is 200 (else a failed reply dict holds "status").
        """
        if not self.processes:
            raise RuntimeError("the pool is not started: use it in a `with` block or call start()")
        k = v.integer("services", services, low=1, high=self.size)
        order = [self.ports[(first + i) % self.size] for i in range(k)]
        path = self.path(order[1:], **work)
        start = time.perf_counter()
        status, reply = http_get(order[0], path, timeout)
        elapsed = time.perf_counter() - start
        if status != 200 and check:
            raise RuntimeError(f"the chain failed with HTTP {status}: {reply}")
        return elapsed, dict(reply, status=status)


def _check_work(service_time_ms, distribution, p_slow, slow_ms, p_fail=0.0):
    v.non_negative("service_time_ms", service_time_ms)
    v.probability("p_fail", p_fail)
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    v.probability("p_slow", p_slow)
    v.non_negative("slow_ms", slow_ms)
    return dict(service_time_ms=float(service_time_ms), distribution=distribution, p_slow=float(p_slow),
                slow_ms=float(slow_ms), p_fail=float(p_fail))


def _ks(name, ks, high):
    values = [v.integer(f"{name} value", k, low=1, high=high) for k in ks]
    if not values:
        raise ValueError(f"{name} must name at least one number of services")
    return values


def handle_locally(route=(), service_time_ms=0.0):
    """What a service does, as a plain function call: the in-process baseline (no network, no process)."""
    return {"hops": 1 + len(route), "service_time_ms": service_time_ms, "slow_calls": 0}


def call_costs(pool, calls=200, local_calls=20_000):
    """Cost of one call made in-process vs over loopback HTTP to a service in another process (no work done).

    Returns a DataFrame with one row per kind of call: kind, calls, mean_us, p50_us, p99_us (microseconds).
    In-process calls are timed in blocks of 100 (a single call is shorter than the clock's resolution).
    """
    n = v.integer("calls", calls, low=10, high=100_000)
    local = v.integer("local_calls", local_calls, low=100, high=10_000_000)
    block = 100
    per_call = []
    for _ in range(local // block):
        start = time.perf_counter()
        for _ in range(block):
            handle_locally()
        per_call.append((time.perf_counter() - start) / block)
    remote = []
    pool.call(1)  # warm-up: first connection, first thread
    for i in range(n):
        remote.append(pool.call(1, first=i % pool.size)[0])
    rows = []
    for kind, seconds in (("in-process function call", per_call), ("loopback HTTP call", remote)):
        us = np.asarray(seconds) * 1e6
        q = metrics.percentiles(us, (50, 99))
        rows.append({"kind": kind, "calls": len(us) * (block if kind.startswith("in-process") else 1),
                     "mean_us": float(us.mean()), "p50_us": q[50], "p99_us": q[99]})
    import pandas as pd

    return pd.DataFrame(rows)


def chain_latency(pool, ks=(1, 2, 3, 4), calls=100, service_time_ms=0.0, distribution="constant", p_slow=0.0,
                  slow_ms=0.0, p_fail=0.0):
    """Latency of a request that passes through a chain of k services, each calling the next over HTTP.

    p_fail: chance that each service fails (the whole request then fails). The k values are interleaved
    (k=1, 2, 3, 4, 1, 2, ...) so a slow moment on the machine hits all alike. Returns one row per request:
    k, request, ok (True when every service answered), latency_ms, hops and service_time_ms (work the services did, ms;
    NaN for failed requests).
    """
    work = _check_work(service_time_ms, distribution, p_slow, slow_ms, p_fail)
    values = _ks("ks", ks, pool.size)
    n = v.integer("calls", calls, low=1, high=100_000)
    pool.call(max(values), **dict(work, p_fail=0.0))  # warm-up
    rows = []
    for i in range(n):
        for k in values:
            seconds, reply = pool.call(k, first=i % pool.size, check=False, **work)
            ok = reply["status"] == 200
            rows.append({"k": k, "request": i, "ok": ok, "latency_ms": seconds * 1000,
                         "hops": reply["hops"] if ok else np.nan,
                         "service_time_ms": reply["service_time_ms"] if ok else np.nan})
    import pandas as pd

    return pd.DataFrame(rows)


def fan_out(pool, ks=(1, 2, 4), requests=200, service_time_ms=1.0, distribution="bimodal", p_slow=0.01, slow_ms=30.0,
            timeout=5.0):
    """Requests that each call k services in parallel and wait for all the replies (the slowest one decides).

    Returns one row per request: k, request, latency_ms (until the last reply), fastest_ms and slowest_ms (of the
    k calls, each measured by its own caller thread), slow_calls (how many of the k calls drew slow_ms).
    """
    work = _check_work(service_time_ms, distribution, p_slow, slow_ms)
    values = _ks("ks", ks, 64)
    n = v.integer("requests", requests, low=1, high=100_000)
    if not pool.processes:
        raise RuntimeError("the pool is not started: use it in a `with` block or call start()")
    path = pool.path((), **work)

    def one(port):
        start = time.perf_counter()
        status, reply = http_get(port, path, timeout)
        if status != 200:
            raise RuntimeError(f"a service failed with HTTP {status}: {reply}")
        return time.perf_counter() - start, reply["slow_calls"]

    rows = []
    with concurrent.futures.ThreadPoolExecutor(max(values)) as callers:
        list(callers.map(one, pool.ports))  # warm-up
        for i in range(n):
            for k in values:
                ports = [pool.ports[(i + j) % pool.size] for j in range(k)]
                start = time.perf_counter()
                results = list(callers.map(one, ports))
                elapsed = time.perf_counter() - start
                each = [seconds for seconds, _ in results]
                rows.append({"k": k, "request": i, "latency_ms": elapsed * 1000, "fastest_ms": min(each) * 1000,
                             "slowest_ms": max(each) * 1000, "slow_calls": sum(s for _, s in results)})
    import pandas as pd

    return pd.DataFrame(rows)
