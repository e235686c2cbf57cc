"""A loopback mini-cluster and its benchmarks: N identical worker processes behind a load-balancer process, all on
127.0.0.1 (the servers are in ``scalelab.bench.loadbalancer``, their routing rules in ``scalelab.sim.routing``).

- ``Cluster``: a context manager that starts them all and always stops them (success, error, Ctrl-C).
- The benchmarks (``scaling_sweep``, ``failover_run``, ``session_run``, ``algorithm_run``) return pandas DataFrames
  or a small result object holding one; ``scalelab.models.metrics.timeline`` and ``availability_of`` read its
  per-request tables.
"""
import contextlib
import dataclasses
import json
import os
import secrets
import threading
import typing
import urllib.error
import urllib.request

if typing.TYPE_CHECKING:
    import pandas

from .. import _validate as v
from ..sim.routing import ALGORITHMS
from . import loadbalancer, processes
from .loadbalancer import KINDS, STORES, balancer, worker

# pandas, numpy and the load generator are imported inside the functions that need them.


# ----------------------------------------------------------------------------------------------------- the cluster
class Cluster:
    """N identical workers behind one load balancer, each in its own process on 127.0.0.1::

        with Cluster(3, "least_connections", service_time_ms=20) as cluster:
            result = closed_loop(cluster.url, users=6)
            cluster.kill_worker(0)

    servers: 1..16; algorithm: "round_robin" or "least_connections"; service_time_ms: work per request (ms, >= 0);
    kind: "sleep" (waits, no CPU) or "cpu" (burns CPU); sticky: route a ``user=`` to the same worker;
    store: session state "local" (each worker's memory) or "sqlite" (one shared file); retry_after_s: how long a
    worker that failed stays out of rotation before the balancer tries it again (s); slowdowns: one factor per
    worker (>= 1 makes it slower: its /work takes that many times the service time), default all 1.
    Every process and port is released on exit, whatever happens inside the ``with`` block.
    """

    def __init__(self, servers=2, algorithm="round_robin", service_time_ms=20.0, kind="sleep", sticky=False,
                 store="local", retry_after_s=1.0, timeout=10.0, slowdowns=None):
        self.servers = v.integer("servers", servers, low=1, high=16)
        self.slowdowns = [1.0] * self.servers if slowdowns is None else [
            v.positive("slowdowns", float(f)) for f in slowdowns]
        if len(self.slowdowns) != self.servers:
            raise ValueError(f"slowdowns must hold one factor per worker ({self.servers}), got {len(self.slowdowns)}")
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if store not in STORES:
            raise ValueError(f"store must be one of {STORES}, got {store!r}")
        self.algorithm, self.kind, self.store, self.sticky = algorithm, kind, store, bool(sticky)
        self.service_time_ms = v.non_negative("service_time_ms", service_time_ms)
        self.retry_after_s = v.non_negative("retry_after_s", retry_after_s)
        self.timeout = v.positive("timeout", timeout)
        self.workers, self.worker_ports = [], []
        self.secret = secrets.token_hex(16)  # every worker signs and checks session tokens with it
        self.balancer_process, self.port, self.store_path = None, None, None
        self._stack = None

    def start(self):
        """Start the workers (in parallel), then the balancer; returns self. On any failure everything is stopped."""
        from .harness import temporary_directory

        if self._stack is not None:
            return self
        self._stack = contextlib.ExitStack()
        try:
            self._stack.callback(self._stop_processes)
            folder = self._stack.enter_context(temporary_directory("scalelab-cluster-"))
            self.store_path = os.path.join(folder, "sessions.db")
            loadbalancer.create_cart_table(self.store_path)  # once, before the workers race to do it
            started = processes.start_many(worker, [
                dict(worker_id=i, service_time_ms=self.service_time_ms, kind=self.kind, store=self.store,
                     store_path=self.store_path, secret=self.secret, slowdown=self.slowdowns[i])
                for i in range(self.servers)])
            self.workers = [process for process, _ in started]
            self.worker_ports = [port for _, port in started]
            self.balancer_process, self.port = processes.start(
                balancer, ports=self.worker_ports, algorithm=self.algorithm, sticky=self.sticky,
                retry_after_s=self.retry_after_s, timeout=self.timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _stop_processes(self):
        processes.stop(self.balancer_process)
        for process in self.workers:
            processes.stop(process)

    def stop(self):
        """Stop the balancer and every worker, free their ports and remove the session file."""
        if self._stack is not None:
            stack, self._stack = self._stack, None
            stack.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def base(self):
        if self.port is None:
            raise RuntimeError("the cluster is not started: use it in a `with` block or call start()")
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self):
        """URL of the /work endpoint, through the balancer."""
        return self.base + "/work"

    def all_processes(self):
        """Every process of the cluster: the balancer first, then the workers."""
        return [p for p in [self.balancer_process, *self.workers] if p is not None]

    def kill_worker(self, index):
        """Stop worker ``index`` (0-based) as if it crashed; the balancer is not told."""
        v.integer("index", index, low=0, high=self.servers - 1)
        processes.stop(self.workers[index])

    def restart_worker(self, index):
        """Start a fresh worker in place of worker ``index`` (as an orchestrator would) and hand it to the balancer.

        The new worker starts with empty local state; returns its port."""
        v.integer("index", index, low=0, high=self.servers - 1)
        processes.stop(self.workers[index])
        process, port = processes.start(worker, worker_id=index, service_time_ms=self.service_time_ms, kind=self.kind,
                                        store=self.store, store_path=self.store_path, secret=self.secret,
                                        slowdown=self.slowdowns[index])
        self.workers[index], self.worker_ports[index] = process, port
        with urllib.request.urlopen(f"{self.base}/lb/config?replace={index}:{port}", timeout=5) as reply:
            reply.read()
        return port

    def worker_alive(self, index):
        """True while worker ``index`` is running."""
        return self.workers[index].poll() is None

    def stats(self, reset=False):
        """The balancer's counters: requests, routed (per worker), connect_errors, retries, failed_in_flight, up."""
        with urllib.request.urlopen(self.base + "/lb/stats" + ("?reset=1" if reset else ""), timeout=5) as reply:
            return json.loads(reply.read())

    def configure(self, n_active=None, algorithm=None, sticky=None, health_checks=None):
        """Change the balancer at run time: use only the first ``n_active`` workers, switch algorithm or stickiness,
        turn health tracking (mark failing workers down, retry refused connections elsewhere) on or off."""
        query = {}
        if health_checks is not None:
            query["health_checks"] = int(bool(health_checks))
        if n_active is not None:
            query["n_active"] = v.integer("n_active", n_active, low=1, high=self.servers)
        if algorithm is not None:
            if algorithm not in ALGORITHMS:
                raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
            query["algorithm"] = algorithm
        if sticky is not None:
            query["sticky"] = int(bool(sticky))
        path = "/lb/config?" + "&".join(f"{k}={val}" for k, val in query.items())
        with urllib.request.urlopen(self.base + path, timeout=5) as reply:
            return json.loads(reply.read())

    def get(self, path):
        """GET ``path`` through the balancer; return (status, JSON body or {})."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=self.timeout) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, {}
        except OSError:
            return 0, {}


# ------------------------------------------------------------------------------------------------------ benchmarks
@dataclasses.dataclass(frozen=True)
class FailoverRun:
    """What ``failover_run`` measured: the per-request table and how the run was set up.

    table: one row per request (the columns of ``open_loop``'s table plus ``ok``); kill_at_s: when the worker was
    killed (s from the start); kill_index: which worker; servers; arrival_rps: the offered rate; health_checks:
    whether the balancer tracked health; balancer: its counters at the end (routed, connect_errors, retries, ...).
    """

    table: "pandas.DataFrame"
    kill_at_s: float
    kill_index: int
    servers: int
    arrival_rps: float
    health_checks: bool
    balancer: dict


@dataclasses.dataclass(frozen=True)
class SessionRun:
    """What ``session_run`` measured: one row per request in ``table``; sticky: whether sessions stuck to a worker;
    killed_worker: the worker killed after step ``kill_after_step`` (None if none was)."""

    table: "pandas.DataFrame"
    sticky: bool
    killed_worker: int | None
    kill_after_step: int


@contextlib.contextmanager
def _using(cluster, **kwargs):
    """Yield ``cluster`` if given (the caller owns it), else a new Cluster(**kwargs) stopped on exit."""
    if cluster is not None:
        yield cluster
    else:
        with Cluster(**kwargs) as made:
            yield made


def scaling_sweep(ns=(1, 2, 3, 4), kind="sleep", service_time_ms=20.0, users_per_worker=2, seconds=1.0,
                  algorithm="least_connections", repeats=1, cluster=None):
    """Throughput and latency of a closed-loop load (users_per_worker * N users, no think time) for each N.

    repeats: runs per N; the one with the highest throughput (the least disturbed by other work on the machine)
    is kept.
    Uses ``cluster`` if given (it needs at least max(ns) workers), else starts one with max(ns) workers; the
    balancer is told to use only the first N workers for each point. kind: "sleep" or "cpu" work per request.
    One row per N: servers, kind, service_time_ms, users, requests, ok, error_rate, throughput_rps (ok replies/s),
    mean_ms, p50_ms, p95_ms, p99_ms and speedup (throughput / throughput at the first N).
    """
    import pandas as pd

    from .load import closed_loop

    ns = [v.integer("n", n, low=1, high=16) for n in ns]
    if not ns:
        raise ValueError("ns must hold at least one worker count")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    upw = v.integer("users_per_worker", users_per_worker, low=1, high=50)
    repeats = v.integer("repeats", repeats, low=1, high=20)
    v.positive("seconds", seconds)
    v.positive("service_time_ms", service_time_ms)
    per_user = max(5, int(round(seconds * 1000 / (service_time_ms * upw))))
    rows = []
    with _using(cluster, servers=max(ns), algorithm=algorithm, service_time_ms=service_time_ms, kind=kind) as used:
        if used.servers < max(ns):
            raise ValueError(f"cluster has {used.servers} workers, the sweep needs {max(ns)}")
        url = f"{used.url}?kind={kind}&ms={service_time_ms:g}"
        for n in ns:
            used.configure(n_active=n, algorithm=algorithm)
            closed_loop(url, users=n, requests_per_user=2)  # warm-up: connections, caches
            runs = [closed_loop(url, users=upw * n, requests_per_user=per_user).summary() for _ in range(repeats)]
            summary = max(runs, key=lambda run: run["throughput_rps"])
            rows.append({"servers": n, "kind": kind, "service_time_ms": service_time_ms, **summary})
        used.configure(n_active=used.servers)
    frame = pd.DataFrame(rows)
    keep = ["servers", "kind", "service_time_ms", "users", "requests", "ok", "error_rate", "throughput_rps",
            "mean_ms", "p50_ms", "p95_ms", "p99_ms"]
    frame = frame[[c for c in keep if c in frame.columns]].copy()
    frame["speedup"] = frame["throughput_rps"] / frame["throughput_rps"].iloc[0]
    return frame


def failover_run(servers=3, rate=80.0, seconds=3.0, kill_at_s=1.0, kill_index=0, service_time_ms=20.0,
                 algorithm="least_connections", retry_after_s=0.5, health_checks=True, cluster=None):
    """Open-loop load at ``rate`` req/s for ``seconds`` over ``servers`` workers; ``kill_index`` dies ``kill_at_s`` in.

    Uses ``cluster`` if given (its first ``servers`` workers; one of them is killed), else starts its own.
    health_checks=False turns the balancer naive: it keeps sending 1/N of the requests to the dead worker.
    Returns a ``FailoverRun``: its ``table`` is the per-request DataFrame of ``open_loop`` (scheduled, start, ttfb,
    end, status, latency_s, ...) plus ``ok`` (status 200); it also holds ``kill_at_s``, ``kill_index`` and the
    balancer's counters.
    """
    from .load import closed_loop, open_loop

    n = v.integer("servers", servers, low=2, high=16)
    v.positive("rate", rate)
    seconds = v.positive("seconds", seconds)
    kill_at = v.number("kill_at_s", kill_at_s, 0, seconds)
    v.integer("kill_index", kill_index, low=0, high=n - 1)
    with _using(cluster, servers=n, algorithm=algorithm, service_time_ms=service_time_ms,
                retry_after_s=retry_after_s) as used:
        used.configure(n_active=n, algorithm=algorithm, health_checks=health_checks)
        url = f"{used.url}?kind=sleep&ms={service_time_ms:g}"
        closed_loop(url, users=n, requests_per_user=2)
        used.stats(reset=True)
        timer = threading.Timer(kill_at, used.kill_worker, args=(kill_index,))
        timer.start()
        try:
            result = open_loop(url, rate, requests=max(1, int(round(rate * seconds))), arrivals="uniform")
        finally:
            timer.cancel()
            timer.join()
        stats = used.stats()
        used.configure(health_checks=True)
    frame = result.requests.copy()
    frame["ok"] = frame["status"] == 200
    return FailoverRun(table=frame, kill_at_s=kill_at, kill_index=kill_index, servers=n, arrival_rps=float(rate),
                       health_checks=bool(health_checks), balancer=stats)


def session_run(sticky=True, stores=STORES, users=4, steps=6, kill_after_step=3, tag="", cluster=None):
    """Each user adds one item per step to a cart in each of ``stores``, through the balancer; right after step
    ``kill_after_step`` the worker that served user 0 last is killed (0 = never). Uses ``cluster`` if given
    (else a 3-worker one). Each request is retried once if it fails (a client's usual retry).

    Returns a ``SessionRun``: its ``table`` has one row per request: user, store, step, status, worker, items (what
    the cart holds), expected (= step) and lost (expected - items); it also holds killed_worker and sticky.
    """
    import pandas as pd

    for store in stores:
        if store not in STORES:
            raise ValueError(f"stores must hold only {STORES}, got {store!r}")
    u = v.integer("users", users, low=1, high=50)
    steps = v.integer("steps", steps, low=1, high=200)
    kill_after = v.integer("kill_after_step", kill_after_step, low=0, high=steps)
    rows, killed = [], None
    with _using(cluster, servers=3, algorithm="round_robin", service_time_ms=1.0) as used:
        used.configure(sticky=sticky, algorithm="round_robin")
        for step in range(1, steps + 1):
            for k in range(u):
                user = f"{tag}u{k}"
                for store in stores:
                    status, body = used.get(f"/cart?user={user}&store={store}")
                    if status != 200:
                        status, body = used.get(f"/cart?user={user}&store={store}")
                    rows.append({"user": user, "store": store, "step": step, "status": status,
                                 "worker": body.get("worker", -1), "items": body.get("items", 0), "expected": step})
            if step == kill_after:
                killed = next(r["worker"] for r in reversed(rows) if r["user"] == f"{tag}u0")
                used.kill_worker(killed)
    frame = pd.DataFrame(rows)
    frame["lost"] = frame["expected"] - frame["items"]
    return SessionRun(table=frame, sticky=bool(sticky), killed_worker=killed, kill_after_step=kill_after)


def algorithm_run(algorithms=ALGORITHMS, rate=60.0, seconds=2.0, servers=3, service_time_ms=10.0, slowdown=5.0,
                  cluster=None):
    """Round robin against least connections, measured: open-loop Poisson load at ``rate`` req/s for ``seconds``
    per algorithm on ``servers`` workers, the last one ``slowdown`` times slower than the others.

    Uses ``cluster`` if given (it must have that slow worker), else starts one. One row per algorithm: algorithm,
    requests, ok, mean_ms, p50_ms, p95_ms, p99_ms, slow_share (share of requests the slow worker got),
    fair_share (its share of the capacity) and offered_utilisation (rate over the cluster's capacity).
    """
    import numpy as np
    import pandas as pd

    from .load import closed_loop, open_loop

    for a in algorithms:
        if a not in ALGORITHMS:
            raise ValueError(f"algorithms must hold only {ALGORITHMS}, got {a!r}")
    n = v.integer("servers", servers, low=2, high=16)
    v.positive("rate", rate)
    seconds = v.positive("seconds", seconds)
    v.positive("service_time_ms", service_time_ms)
    factor = v.number("slowdown", slowdown, 1.0)
    speeds = np.array([1.0] * (n - 1) + [1 / factor])
    capacity = speeds.sum() * 1000 / service_time_ms
    rows = []
    with _using(cluster, servers=n, algorithm=algorithms[0], service_time_ms=service_time_ms,
                slowdowns=[1.0] * (n - 1) + [factor]) as used:
        url = f"{used.url}?kind=sleep&ms={service_time_ms:g}"
        for algorithm in algorithms:
            used.configure(n_active=n, algorithm=algorithm)
            closed_loop(url, users=n, requests_per_user=2)
            used.stats(reset=True)
            result = open_loop(url, rate, requests=max(1, int(round(rate * seconds))), rng=7)
            stats = used.stats()
            summary = result.summary()
            routed = np.array(stats["routed"], dtype=float)
            rows.append({"algorithm": algorithm, "requests": summary["requests"], "ok": summary["ok"],
                         "mean_ms": summary["mean_ms"], "p50_ms": summary["p50_ms"], "p95_ms": summary["p95_ms"],
                         "p99_ms": summary["p99_ms"], "slow_share": routed[-1] / max(routed.sum(), 1),
                         "fair_share": speeds[-1] / speeds.sum(), "offered_utilisation": rate / capacity})
    return pd.DataFrame(rows)
