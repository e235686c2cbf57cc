"""The servers of the loopback mini-cluster, each run in its own process on 127.0.0.1.

- ``worker``: an HTTP server that handles one request at a time (like one single-threaded server process).
  ``GET /work`` does ``service_time_ms`` of work, either sleeping ("sleep": waiting on I/O, no CPU) or spinning
  ("cpu": burning that much CPU time); ``GET /cart?user=U`` adds one item to user U's cart, kept either in the
  worker's own memory ("local") or in a SQLite file every worker shares ("sqlite"); ``GET /health``.
- ``balancer``: an HTTP-aware TCP proxy. It reads a request's head, picks a worker (round robin or least
  connections, optionally sticky by ``user=``, with the rules of ``scalelab.sim.routing``), forwards the request
  and relays the reply. A worker that refuses the connection is marked down and the request is retried on another
  one; a worker that dies with the request in flight gives a 502. ``GET /lb/stats`` returns its counters as JSON.

``scalelab.bench.cluster.Cluster`` starts them and always stops them again.
"""
import contextlib
import json
import socket
import socketserver
import sqlite3
import threading
import time
from urllib.parse import parse_qs, urlparse

from ..sim.routing import ALGORITHMS, pick_least_connections, pick_round_robin, sticky_index
from . import processes
from .http import QuietJsonHandler

KINDS = ("sleep", "cpu")
STORES = ("local", "sqlite")


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


def create_cart_table(path):
    """Create the shared cart table in the SQLite file at ``path`` (if it is not there yet)."""
    _CartStore("sqlite", path)


def _worker_handler(worker_id, service_time_s, kind, stores, default_store, one_at_a_time, secret="", slowdown=1.0):
    class Handler(QuietJsonHandler):
        def _reply(self, status, payload):
            self.reply(status, {"worker": worker_id, **payload}, close=True)

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/health":
                return self._reply(200, {"ok": True})
            if url.path == "/work":
                seconds = (float(query["ms"][0]) / 1000 if "ms" in query else service_time_s) * slowdown
                how = query.get("kind", [kind])[0]
                with one_at_a_time:
                    if how == "cpu":
                        _spin(seconds)
                    else:
                        time.sleep(seconds)
                return self._reply(200, {"service_time_s": seconds, "kind": how})
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


def worker(ready, worker_id, service_time_ms, kind, store, store_path, secret="", slowdown=1.0):
    """Process entry point: one worker on 127.0.0.1 (ephemeral port, reported through ready), until terminated.
    secret: the key that signs session tokens (``/cart_token``); empty turns tokens off.
    slowdown: every /work request takes this many times its service time (an older or busier machine)."""
    stores = {"local": _CartStore("local", ""), "sqlite": _CartStore("sqlite", store_path)}
    handler = _worker_handler(worker_id, service_time_ms / 1000, kind, stores, store, threading.Lock(), secret,
                              slowdown)
    processes.serve_on_loopback(ready, handler)


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
    processes.serve_on_loopback(ready, _balancer_handler(state, timeout), server_class=_ThreadingTCPServer)
