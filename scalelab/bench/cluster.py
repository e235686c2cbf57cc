"""A loopback mini-cluster: N identical worker processes behind a load-balancer process, all on 127.0.0.1.

- ``worker``: an HTTP server that handles one request at a time (like one single-threaded server process).
  ``GET /work`` does ``service_ms`` of work, either sleeping ("sleep": waiting on I/O, no CPU) or spinning
  ("cpu": burning that much CPU time); ``GET /cart?user=U`` adds one item to user U's cart, kept either in the
  worker's own memory ("local") or in a SQLite file every worker shares ("sqlite"); ``GET /health``.
- ``balancer``: an HTTP-aware TCP proxy. It reads a request's head, picks a worker (round robin or least
  connections, optionally sticky by ``user=``), forwards the request and relays the reply. A worker that refuses
  the connection is marked down and the request is retried on another one; a worker that dies with the request
  in flight gives a 502. ``GET /lb/stats`` returns its counters as JSON.
- ``Cluster``: a context manager that starts them all and always stops them (success, error, Ctrl-C).

The benchmarks (``scaling_sweep``, ``failover_run``, ``session_run``) return pandas DataFrames. The pure
helpers (``pick_round_robin``, ``pick_least_connections``, ``sticky_index``, ``dispatch``) have no clock.
"""
import concurrent.futures
import contextlib
import json
import os
import secrets
import socket
import socketserver
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import zlib
from urllib.parse import parse_qs, urlparse

from .. import _validate as v
from . import processes
from .http import QuietJsonHandler, ThreadedServer

# pandas, numpy and the load generator are imported inside the functions that need them, so the worker and
# balancer processes (which import this module) start without them.

ALGORITHMS = ("round_robin", "least_connections")
KINDS = ("sleep", "cpu")
STORES = ("local", "sqlite")


# ----------------------------------------------------------------------------------------------- pure routing rules
def pick_round_robin(turn, up):
    """Index of the next worker in turn among those up: the first up worker at or after ``turn`` (mod n).

    turn: an integer counter (>= 0); up: a sequence of booleans, one per worker. Returns None if none is up.
    """
    turn = v.integer("turn", turn, low=0)
    n = len(up)
    for step in range(n):
        index = (turn + step) % n
        if up[index]:
            return index
    return None


def pick_least_connections(active, up, turn=0):
    """Index of the up worker with the fewest active connections; ties go to the first at or after ``turn``.

    active: open connections per worker (>= 0); up: booleans per worker. Returns None if none is up.
    """
    if len(active) != len(up):
        raise ValueError(f"active and up must have the same length, got {len(active)} and {len(up)}")
    if any(a < 0 for a in active):
        raise ValueError("active must contain only counts >= 0")
    turn = v.integer("turn", turn, low=0)
    n = len(up)
    best = None
    for step in range(n):
        index = (turn + step) % n
        if up[index] and (best is None or active[index] < active[best]):
            best = index
    return best


def sticky_index(key, n_workers):
    """The worker (0 .. n_workers - 1) a session key sticks to: CRC-32 of the key modulo n (stable everywhere)."""
    n = v.integer("n_workers", n_workers, low=1)
    return zlib.crc32(str(key).encode()) % n


def dispatch(sizes, n_servers, algorithm, gap=1.0):
    """Send jobs arriving every ``gap`` seconds to ``n_servers`` FIFO servers; return one row per job.

    sizes: service time of each job (s, >= 0); algorithm: "round_robin" (job i -> server i mod n) or
    "least_connections" (the server with the fewest jobs still in it when the job arrives; ties -> lowest index).
    Columns: job, arrival_s, size_s, server, start_s, finish_s, response_s (finish - arrival).
    """
    import pandas as pd

    sizes = v.samples("sizes", sizes)
    n = v.integer("n_servers", n_servers, low=1)
    v.positive("gap", gap)
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    finishes = [[] for _ in range(n)]  # finish times of the jobs each server has been given
    rows = []
    for job, size in enumerate(sizes):
        arrival = job * gap
        if algorithm == "round_robin":
            server = job % n
        else:
            in_system = [sum(f > arrival for f in finishes[s]) for s in range(n)]
            server = pick_least_connections(in_system, [True] * n)
        start = max([arrival] + finishes[server][-1:])
        finish = start + size
        finishes[server].append(finish)
        rows.append({"job": job, "arrival_s": arrival, "size_s": float(size), "server": server,
                     "start_s": start, "finish_s": finish, "response_s": finish - arrival})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------------ the worker
def _spin(seconds):
    """Burn ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class _CartStore:
    """Session state: a dict in this process ("local") or a table in a shared SQLite file ("sqlite")."""

    def __init__(self, store, path):
        self.store, self.path, self.local = store, path, {}
        if store == "sqlite":
            with contextlib.closing(self._connect()) as db, db:
                db.execute("CREATE TABLE IF NOT EXISTS carts (user TEXT PRIMARY KEY, items INTEGER NOT NULL)")

    def _connect(self):
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def add(self, user):
        """Add one item to ``user``'s cart; return the number of items now in it."""
        if self.store == "local":
            self.local[user] = self.local.get(user, 0) + 1
            return self.local[user]
        with contextlib.closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO carts VALUES (?, 1) ON CONFLICT(user) DO UPDATE SET items = items + 1", (user,))
            items = db.execute("SELECT items FROM carts WHERE user = ?", (user,)).fetchone()[0]
            db.execute("COMMIT")
            return items


def _worker_handler(worker_id, service_s, kind, stores, default_store, one_at_a_time, secret=""):
    class Handler(QuietJsonHandler):
        def _reply(self, status, payload):
            self.reply(status, {"worker": worker_id, **payload}, close=True)

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/health":
                return self._reply(200, {"ok": True})
            if url.path == "/work":
                seconds = float(query["ms"][0]) / 1000 if "ms" in query else service_s
                how = query.get("kind", [kind])[0]
                with one_at_a_time:
                    if how == "cpu":
                        _spin(seconds)
                    else:
                        time.sleep(seconds)
                return self._reply(200, {"service_s": seconds, "kind": how})
            if url.path == "/cart":
                store = query.get("store", [default_store])[0]
                if store not in stores:
                    return self._reply(400, {"error": f"store must be one of {STORES}"})
                with one_at_a_time:
                    items = stores[store].add(query.get("user", ["anonymous"])[0])
                return self._reply(200, {"items": items, "store": store})
            if url.path == "/cart_token" and secret:  # the session travels with the client, signed (lesson 11)
                from .. import tokens

                token = query.get("token", [""])[0]
                user = query.get("user", ["anonymous"])[0]
                session = tokens.verify(token, secret) if token else {"user": user, "items": 0}
                if session is None or session.get("user") != user:
                    return self._reply(403, {"error": "bad session token"})
                with one_at_a_time:
                    session["items"] += 1
                return self._reply(200, {"items": session["items"], "store": "token",
                                         "token": tokens.sign(session, secret)})
            return self._reply(404, {"error": "no such path"})

    return Handler


def worker(ready, worker_id, service_ms, kind, store, store_path, secret=""):
    """Process entry point: one worker on 127.0.0.1 (ephemeral port, reported through ready), until terminated.
    secret: the key that signs session tokens (``/cart_token``); empty turns tokens off."""
    stores = {"local": _CartStore("local", ""), "sqlite": _CartStore("sqlite", store_path)}
    handler = _worker_handler(worker_id, service_ms / 1000, kind, stores, store, threading.Lock(), secret)
    server = ThreadedServer(("127.0.0.1", 0), handler)
    ready(server.server_address[1])
    server.serve_forever(poll_interval=0.05)


# ---------------------------------------------------------------------------------------------------- the balancer
class _BalancerState:
    """Which workers are up, their open connections, and the counters the balancer reports."""

    def __init__(self, ports, algorithm, sticky, retry_after_s):
        self.ports, self.algorithm, self.sticky, self.retry_after_s = list(ports), algorithm, sticky, retry_after_s
        n = len(self.ports)
        self.lock = threading.Lock()
        self.active, self.down_since = [0] * n, [None] * n
        self.turn, self.n_active, self.health_checks = 0, n, True
        self.reset()

    def reset(self):
        n = len(self.ports)
        self.routed, self.connect_errors = [0] * n, [0] * n
        self.requests = self.retries = self.failed_in_flight = self.no_worker = self.refused_to_client = 0

    def _up(self, exclude):
        now = time.monotonic()
        return [i < self.n_active and i not in exclude and (d is None or now - d >= self.retry_after_s)
                for i, d in enumerate(self.down_since)]

    def choose(self, user, exclude):
        """Pick a worker for a request (None if every worker is down or tried); count it as active."""
        with self.lock:
            up = self._up(exclude)
            if self.sticky and user is not None:
                index = pick_round_robin(sticky_index(user, len(up)), up)
            elif self.algorithm == "round_robin":
                index = pick_round_robin(self.turn % len(up), up)
            else:
                index = pick_least_connections(self.active, up, self.turn % len(up))
            self.turn += 1
            if index is not None:
                self.active[index] += 1
                self.routed[index] += 1
            return index

    def finished(self, index, failed_connect=False, failed_in_flight=False):
        """Record how a forwarded request ended. With health tracking on, a failing worker is marked down and a
        refused connection is retried elsewhere (counted in retries); with it off, nothing is learned."""
        with self.lock:
            self.active[index] -= 1
            if self.health_checks:
                failed = failed_connect or failed_in_flight
                self.down_since[index] = time.monotonic() if failed else None
            if failed_connect:
                self.connect_errors[index] += 1
                if self.health_checks:
                    self.routed[index] -= 1
                    self.retries += 1
                else:
                    self.refused_to_client += 1
            if failed_in_flight:
                self.failed_in_flight += 1

    def configure(self, query):
        """Apply /lb/config?n_active=K&algorithm=A&sticky=0|1 (only the parameters given); return an error or None."""
        with self.lock:
            if "n_active" in query:
                k = int(query["n_active"][0])
                if not 1 <= k <= len(self.ports):
                    return f"n_active must be in [1, {len(self.ports)}]"
                self.n_active = k
            if "algorithm" in query:
                if query["algorithm"][0] not in ALGORITHMS:
                    return f"algorithm must be one of {ALGORITHMS}"
                self.algorithm = query["algorithm"][0]
            if "sticky" in query:
                self.sticky = query["sticky"][0] == "1"
            if "health_checks" in query:
                self.health_checks = query["health_checks"][0] == "1"
                self.down_since = [None] * len(self.ports)
            if "replace" in query:  # replace=INDEX:PORT, a restarted worker
                index, port = (int(x) for x in query["replace"][0].split(":"))
                if not 0 <= index < len(self.ports):
                    return f"replace index must be in [0, {len(self.ports) - 1}]"
                self.ports[index], self.down_since[index] = port, None
        return None

    def snapshot(self):
        with self.lock:
            up = self._up(set())
            return {"algorithm": self.algorithm, "sticky": self.sticky, "n_active": self.n_active,
                    "requests": self.requests,
                    "routed": list(self.routed), "connect_errors": list(self.connect_errors),
                    "health_checks": self.health_checks, "retries": self.retries,
                    "refused_to_client": self.refused_to_client, "failed_in_flight": self.failed_in_flight,
                    "no_worker": self.no_worker, "up": up, "active": list(self.active)}


def _read_head(sock, limit=65536):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            break
    return data


def _simple_reply(sock, status, reason, payload):
    body = json.dumps(payload).encode()
    sock.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                 f"Connection: close\r\n\r\n".encode() + body)


def _balancer_handler(state, timeout):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            client = self.request
            client.settimeout(timeout)
            head = _read_head(client)
            if not head:
                return
            try:
                path = head.split(b"\r\n", 1)[0].split()[1].decode()
            except IndexError:
                return _simple_reply(client, 400, "Bad Request", {"error": "not HTTP"})
            url = urlparse(path)
            if url.path == "/lb/stats":
                if parse_qs(url.query).get("reset"):
                    with state.lock:
                        state.reset()
                return _simple_reply(client, 200, "OK", state.snapshot())
            if url.path == "/lb/config":
                try:
                    error = state.configure(parse_qs(url.query))
                except (ValueError, IndexError):
                    error = "bad /lb/config query"
                if error:
                    return _simple_reply(client, 400, "Bad Request", {"error": error})
                return _simple_reply(client, 200, "OK", state.snapshot())
            with state.lock:
                state.requests += 1
            user = parse_qs(url.query).get("user", [None])[0]
            tried = set()
            while True:
                index = state.choose(user, tried)
                if index is None:
                    with state.lock:
                        state.no_worker += 1
                    return _simple_reply(client, 503, "Service Unavailable", {"error": "no worker is up"})
                tried.add(index)
                try:
                    backend = socket.create_connection(("127.0.0.1", state.ports[index]), timeout=timeout)
                except OSError:
                    state.finished(index, failed_connect=True)
                    if state.health_checks:
                        continue  # route around it: try another worker
                    return _simple_reply(client, 502, "Bad Gateway", {"error": "the worker refused the connection"})
                break
            got = 0
            try:
                with backend:
                    backend.sendall(head)
                    while True:
                        chunk = backend.recv(65536)
                        if not chunk:
                            break
                        got += len(chunk)
                        client.sendall(chunk)
            except OSError:
                pass
            state.finished(index, failed_in_flight=(got == 0))
            if got == 0:
                with contextlib.suppress(OSError):
                    _simple_reply(client, 502, "Bad Gateway", {"error": "the worker died with the request in flight"})

    return Handler


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        pass


def balancer(ready, ports, algorithm, sticky, retry_after_s, timeout):
    """Process entry point: the load balancer on 127.0.0.1 (ephemeral port, reported through ready)."""
    state = _BalancerState(ports, algorithm, sticky, retry_after_s)
    server = _ThreadingTCPServer(("127.0.0.1", 0), _balancer_handler(state, timeout))
    ready(server.server_address[1])
    server.serve_forever(poll_interval=0.05)


# ----------------------------------------------------------------------------------------------------- the cluster
class Cluster:
    """N identical workers behind one load balancer, each in its own process on 127.0.0.1::

        with Cluster(3, "least_connections", service_ms=20) as cluster:
            result = closed_loop(cluster.url, users=6)
            cluster.kill_worker(0)

    n_workers: 1..16; algorithm: "round_robin" or "least_connections"; service_ms: work per request (ms, >= 0);
    kind: "sleep" (waits, no CPU) or "cpu" (burns CPU); sticky: route a ``user=`` to the same worker;
    store: session state "local" (each worker's memory) or "sqlite" (one shared file); retry_after_s: how long a
    worker that failed stays out of rotation before the balancer tries it again (s).
    Every process and port is released on exit, whatever happens inside the ``with`` block.
    """

    def __init__(self, n_workers=2, algorithm="round_robin", service_ms=20.0, kind="sleep", sticky=False,
                 store="local", retry_after_s=1.0, timeout=10.0):
        self.n_workers = v.integer("n_workers", n_workers, low=1, high=16)
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if store not in STORES:
            raise ValueError(f"store must be one of {STORES}, got {store!r}")
        self.algorithm, self.kind, self.store, self.sticky = algorithm, kind, store, bool(sticky)
        self.service_ms = v.non_negative("service_ms", service_ms)
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
            self.store_path = os.path.join(self._stack.enter_context(temporary_directory("scalelab-cluster-")),
                                           "sessions.db")
            _CartStore("sqlite", self.store_path)  # create the table once, before the workers race to do it
            with concurrent.futures.ThreadPoolExecutor(self.n_workers) as pool:
                futures = [pool.submit(processes.start, worker, worker_id=i, service_ms=self.service_ms,
                                       kind=self.kind, store=self.store, store_path=self.store_path,
                                       secret=self.secret)
                           for i in range(self.n_workers)]
                for future in futures:  # record every started process before raising any failure
                    with contextlib.suppress(Exception):
                        process, port = future.result()
                        self.workers.append(process)
                        self.worker_ports.append(port)
                for future in futures:
                    future.result()
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
        v.integer("index", index, low=0, high=self.n_workers - 1)
        processes.stop(self.workers[index])

    def restart_worker(self, index):
        """Start a fresh worker in place of worker ``index`` (as an orchestrator would) and hand it to the balancer.

        The new worker starts with empty local state; returns its port."""
        v.integer("index", index, low=0, high=self.n_workers - 1)
        processes.stop(self.workers[index])
        process, port = processes.start(worker, worker_id=index, service_ms=self.service_ms, kind=self.kind,
                                        store=self.store, store_path=self.store_path, secret=self.secret)
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
            query["n_active"] = v.integer("n_active", n_active, low=1, high=self.n_workers)
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
@contextlib.contextmanager
def _using(cluster, **kwargs):
    """Yield ``cluster`` if given (the caller owns it), else a new Cluster(**kwargs) stopped on exit."""
    if cluster is not None:
        yield cluster
    else:
        with Cluster(**kwargs) as made:
            yield made


def scaling_sweep(ns=(1, 2, 3, 4), kind="sleep", service_ms=20.0, users_per_worker=2, seconds=1.0,
                  algorithm="least_connections", repeats=1, cluster=None):
    """Throughput and latency of a closed-loop load (users_per_worker * N users, no think time) for each N.

    repeats: runs per N; the one with the highest throughput (the least disturbed by other work on the machine)
    is kept.
    Uses ``cluster`` if given (it needs at least max(ns) workers), else starts one with max(ns) workers; the
    balancer is told to use only the first N workers for each point. kind: "sleep" or "cpu" work per request.
    One row per N: n_workers, kind, service_ms, users, requests, ok, error_rate, throughput_rps (ok replies/s),
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
    v.positive("service_ms", service_ms)
    per_user = max(5, int(round(seconds * 1000 / (service_ms * upw))))
    rows = []
    with _using(cluster, n_workers=max(ns), algorithm=algorithm, service_ms=service_ms, kind=kind) as used:
        if used.n_workers < max(ns):
            raise ValueError(f"cluster has {used.n_workers} workers, the sweep needs {max(ns)}")
        url = f"{used.url}?kind={kind}&ms={service_ms:g}"
        for n in ns:
            used.configure(n_active=n, algorithm=algorithm)
            closed_loop(url, users=n, requests_per_user=2)  # warm-up: connections, caches
            runs = [closed_loop(url, users=upw * n, requests_per_user=per_user).summary() for _ in range(repeats)]
            summary = max(runs, key=lambda run: run["throughput_rps"])
            rows.append({"n_workers": n, "kind": kind, "service_ms": service_ms, **summary})
        used.configure(n_active=used.n_workers)
    frame = pd.DataFrame(rows)
    keep = ["n_workers", "kind", "service_ms", "users", "requests", "ok", "error_rate", "throughput_rps",
            "mean_ms", "p50_ms", "p95_ms", "p99_ms"]
    frame = frame[[c for c in keep if c in frame.columns]].copy()
    frame["speedup"] = frame["throughput_rps"] / frame["throughput_rps"].iloc[0]
    return frame


def failover_run(n_workers=3, rate=80.0, seconds=3.0, kill_at_s=1.0, kill_index=0, service_ms=20.0,
                 algorithm="least_connections", retry_after_s=0.5, health_checks=True, cluster=None):
    """Open-loop load at ``rate`` req/s for ``seconds`` over n_workers; worker ``kill_index`` dies ``kill_at_s`` in.

    Uses ``cluster`` if given (its first n_workers workers; one of them is killed), else starts its own.
    health_checks=False turns the balancer naive: it keeps sending 1/N of the requests to the dead worker.
    Returns the per-request DataFrame of ``open_loop`` (scheduled, start, ttfb, end, status, latency_s, ...)
    plus ``ok`` (status 200); ``frame.attrs`` holds ``kill_at_s``, ``kill_index`` and the balancer's counters.
    """
    from .load import closed_loop, open_loop

    n = v.integer("n_workers", n_workers, low=2, high=16)
    v.positive("rate", rate)
    seconds = v.positive("seconds", seconds)
    kill_at = v.number("kill_at_s", kill_at_s, 0, seconds)
    v.integer("kill_index", kill_index, low=0, high=n - 1)
    with _using(cluster, n_workers=n, algorithm=algorithm, service_ms=service_ms,
                retry_after_s=retry_after_s) as used:
        used.configure(n_active=n, algorithm=algorithm, health_checks=health_checks)
        url = f"{used.url}?kind=sleep&ms={service_ms:g}"
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
    frame.attrs.update({"kill_at_s": kill_at, "kill_index": kill_index, "n_workers": n, "rate": rate,
                        "health_checks": bool(health_checks), "balancer": stats})
    return frame


def timeline(frame, bin_s=0.25):
    """Bin a per-request frame by scheduled time: per bin, ok replies/s, failed requests and P95 latency (ms)."""
    import numpy as np
    import pandas as pd

    v.positive("bin_s", bin_s)
    if "status" not in frame or "scheduled" not in frame:
        raise ValueError("frame must have the columns 'scheduled' and 'status' (from open_loop or failover_run)")
    bins = np.floor(frame["scheduled"] / bin_s).astype(int)
    latency_ms = (frame["end"] - frame["scheduled"]) * 1000
    out = pd.DataFrame({"bin": bins, "ok": frame["status"] == 200, "failed": frame["status"] != 200,
                        "latency_ms": latency_ms.where(frame["status"] == 200)})
    grouped = out.groupby("bin")
    result = pd.DataFrame({"t_s": grouped.size().index * bin_s,
                           "ok_rps": grouped["ok"].sum().to_numpy() / bin_s,
                           "failed": grouped["failed"].sum().to_numpy(),
                           "p95_ms": grouped["latency_ms"].quantile(0.95).to_numpy()})
    return result.reset_index(drop=True)


def availability_of(frame):
    """Errors, total and availability (ok / total) of a per-request frame: a dict of plain numbers."""
    total = len(frame)
    errors = int((frame["status"] != 200).sum())
    return {"requests": total, "errors": errors, "availability": (total - errors) / total if total else float("nan")}


def session_run(sticky=True, stores=STORES, users=4, steps=6, kill_after_step=3, tag="", cluster=None):
    """Each user adds one item per step to a cart in each of ``stores``, through the balancer; right after step
    ``kill_after_step`` the worker that served user 0 last is killed (0 = never). Uses ``cluster`` if given
    (else a 3-worker one). Each request is retried once if it fails (a client's usual retry).

    One row per request: user, store, step, status, worker, items (what the cart holds), expected (= step) and
    lost (expected - items). ``frame.attrs`` holds killed_worker and sticky.
    """
    import pandas as pd

    for store in stores:
        if store not in STORES:
            raise ValueError(f"stores must hold only {STORES}, got {store!r}")
    u = v.integer("users", users, low=1, high=50)
    steps = v.integer("steps", steps, low=1, high=200)
    kill_after = v.integer("kill_after_step", kill_after_step, low=0, high=steps)
    rows, killed = [], None
    with _using(cluster, n_workers=3, algorithm="round_robin", service_ms=1.0) as used:
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
    frame.attrs.update({"sticky": sticky, "killed_worker": killed, "kill_after_step": kill_after})
    return frame
