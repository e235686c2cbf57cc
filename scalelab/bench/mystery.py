"""A mystery system to diagnose: real processes on 127.0.0.1, one of whose parts is the bottleneck.

    client -> balancer -> app workers -> (network hop: an emulated link) -> SQLite database server
                              |
                              +-> disk log (one file shared by the workers, fsync'd under a file lock)

Each request: the app worker computes (CPU), takes a connection from its pool, queries the database through the
link, and appends a record to the log. Which part limits the system is chosen by the ``rng`` the learner sets
(one of ``CLASSES``). Every part reports its readings: busy time, queue, errors (``MysterySystem.readings``), and
every part has a knob that removes its bottleneck (``MysterySystem.configure``):

| class      | what is slow                                   | knob                                 |
|------------|------------------------------------------------|--------------------------------------|
| app_cpu    | a CPU hotspot in the handler                   | ``cache=True`` (memoise the hotspot) |
| db_index   | a query scanning a large table                 | ``index=True``                       |
| pool       | a pool of one connection per worker, slow I/O  | ``pool_size=16``                     |
| disk_log   | fsync after every record on a slow volume      | ``log_batch=20`` (group commit)      |
| network    | replies squeezed through a narrow link         | ``compress=True`` (gzip replies)     |

``servers=4`` (two more app workers behind the balancer) is a knob too. On two cores it cannot help a CPU-bound
app, and it helps the pool only because each worker brings its own connections: adding capacity where the
bottleneck is not is a classic wrong fix, and the readings tell which case you are in.
"""
import contextlib
import fcntl
import json
import os
import threading
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

from .. import _random
from .. import _validate as v
from . import loadbalancer, processes
from .http import QuietJsonHandler

CLASSES = ("app_cpu", "db_index", "pool", "disk_log", "network")
COMPONENTS = ("app", "pool", "database", "network", "disk_log")
MAX_SERVERS = 4
AUTHORS, POSTS_PER_AUTHOR = 1000, 100   # 100 000 posts: a scan costs milliseconds, an index lookup microseconds

# Settings of a healthy system; each class makes one of them bad (the knob in the table above undoes it).
HEALTHY = {"cpu_ms": 0.6, "pool_size": 8, "io_ms": 1.0, "index": True, "bandwidth": 20e6, "delay_ms": 0.5,
           "disk_ms": 0.3, "log_batch": 1, "compress": False, "cache": False}
SICK = {"app_cpu": {"cpu_ms": 12.0}, "db_index": {"index": False}, "pool": {"pool_size": 1, "io_ms": 12.0},
        "disk_log": {"disk_ms": 9.0}, "network": {"bandwidth": 120_000}}


def _spin(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class _Area:
    """A time-integrated counter: how many are inside, on average, and for how long in total (busy time)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.inside, self.area, self.busy, self.last = 0, 0.0, 0.0, time.perf_counter()

    def _advance(self):
        now = time.perf_counter()
        self.area += self.inside * (now - self.last)
        self.busy += (self.inside > 0) * (now - self.last)
        self.last = now

    def add(self, delta):
        with self.lock:
            self._advance()
            self.inside += delta

    def snapshot(self):
        with self.lock:
            self._advance()
            return {"area_s": self.area, "busy_s": self.busy}


class _Log:
    """The disk log shared by every worker: append a record under an exclusive file lock; every ``batch`` records
    of this worker, fsync (and pay ``disk_ms``: the volume is slower than this machine's disk)."""

    def __init__(self, path):
        self.handle = open(path, "ab", buffering=0)   # noqa: SIM115 - open while the worker lives
        self.lock = threading.Lock()
        self.pending = 0
        self.held, self.waiting = _Area(), _Area()

    def append(self, record, batch, disk_s):
        self.waiting.add(+1)
        with self.lock:
            fcntl.flock(self.handle, fcntl.LOCK_EX)
            self.waiting.add(-1)
            self.held.add(+1)
            try:
                self.handle.write(record)
                self.pending += 1
                if self.pending >= batch:
                    os.fsync(self.handle.fileno())
                    if disk_s > 0:
                        time.sleep(disk_s)
                    self.pending = 0
            finally:
                self.held.add(-1)
                fcntl.flock(self.handle, fcntl.LOCK_UN)


def _app_handler(worker_id, config, state):
    from .database import POSTS_OF_SQL, ConnectionPool, PoolTimeout

    def new_pool():
        return ConnectionPool(config["db_port"], config["pool_size"], timeout=2.0, compress=config["compress"])

    state["pool"] = new_pool()
    counter = [worker_id * 7919]

    class Handler(QuietJsonHandler):
        def _stats(self, reset):
            pool = state["pool"]
            if reset:
                pool.reset()
                for area in (state["cpu"], state["log"].held, state["log"].waiting):
                    area.reset()
                state.update(served=0, errors=0, since=time.perf_counter(), cpu0=time.process_time())
            elapsed = time.perf_counter() - state["since"]
            return {"worker": worker_id, "elapsed_s": elapsed, "served": state["served"], "errors": state["errors"],
                    "process_cpu_s": time.process_time() - state["cpu0"],
                    "cpu_phase": state["cpu"].snapshot(), "pool_size": pool.size,
                    "pool_in_use": pool.mean_in_use(), "pool_waiting": pool.mean_waiting(),
                    "pool_hold_s": sum(pool.holds_s), "pool_timeouts": pool.timeouts,
                    "log_held": state["log"].held.snapshot(), "log_waiting": state["log"].waiting.snapshot(),
                    "db_bytes": sum(c.bytes_received for c in pool.clients),
                    "config": {k: config[k] for k in ("cpu_ms", "cache", "pool_size", "log_batch", "compress")}}

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/health":
                return self.reply(200, {"ok": True}, close=True)
            if url.path == "/stats":
                return self.reply(200, self._stats(bool(query.get("reset"))), close=True)
            if url.path == "/config":
                for key, cast in (("cpu_ms", float), ("pool_size", int), ("log_batch", int), ("disk_ms", float)):
                    if key in query:
                        config[key] = cast(query[key][0])
                for key in ("cache", "compress"):
                    if key in query:
                        config[key] = query[key][0] == "1"
                if "pool_size" in query or "compress" in query:
                    old, state["pool"] = state["pool"], new_pool()
                    old.close()
                return self.reply(200, {"ok": True, **{k: config[k] for k in HEALTHY if k in config}}, close=True)
            if url.path != "/work":
                return self.reply(404, {"error": "no such path"}, close=True)
            with state["lock"]:
                counter[0] += 1
                author = 1 + (counter[0] * 7919) % AUTHORS
            try:
                state["cpu"].add(+1)
                try:
                    _spin((HEALTHY["cpu_ms"] if config["cache"] else config["cpu_ms"]) / 1000)
                finally:
                    state["cpu"].add(-1)
                with state["pool"].connection() as db:
                    rows = db.query(POSTS_OF_SQL, (author,))
                state["log"].append(json.dumps({"author": author, "rows": len(rows)}).encode() + b"\n",
                                    config["log_batch"], config["disk_ms"] / 1000)
            except (PoolTimeout, RuntimeError, OSError) as error:
                with state["lock"]:
                    state["errors"] += 1
                return self.reply(503, {"error": type(error).__name__}, close=True)
            with state["lock"]:
                state["served"] += 1
            self.reply(200, {"worker": worker_id, "rows": len(rows)}, close=True)

    return Handler


def app_worker(ready, worker_id, db_port, log_path, settings):
    """Process entry point: one app worker on 127.0.0.1 (ephemeral port, reported through ready)."""
    import sys

    sys.setswitchinterval(0.0005)   # a computing thread hands the interpreter to waiting I/O threads sooner
    config = {**settings, "db_port": db_port}
    state = {"lock": threading.Lock(), "cpu": _Area(), "log": _Log(log_path), "served": 0, "errors": 0,
             "since": time.perf_counter(), "cpu0": time.process_time()}
    processes.serve_on_loopback(ready, _app_handler(worker_id, config, state))


def _get_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return json.loads(reply.read())


class MysterySystem:
    """The mystery system. ``rng``: the seed (an int) or numpy Generator that chooses which part is the
    bottleneck; ``servers``: app workers in use at the start (the balancer can use up to 4).

        with MysterySystem(rng=7) as system:
            run = system.load(users=8)          # closed-loop load through the balancer
            system.readings()                   # per component: utilisation, saturation, errors
            system.configure(index=True)        # a knob
            system.answer()                     # which class it was (look only after you have named it)

    Everything it started (processes, ports, the database and log files) is removed on exit, whatever happens."""

    def __init__(self, rng=None, servers=2):
        generator = _random.rng(rng)
        self._class = CLASSES[int(generator.integers(len(CLASSES)))]
        self.servers = v.integer("servers", servers, low=1, high=MAX_SERVERS)
        self.settings = {**HEALTHY, **SICK[self._class]}
        self.db, self.link, self.balancer, self.port = None, None, None, None
        self.app_processes, self.app_ports = [], []
        self._stack = None

    # -------------------------------------------------------------------------------------------- lifecycle
    def start(self):
        from .database import DatabaseServer, make_blog
        from .harness import temporary_directory
        from .network import Link

        if self._stack is not None:
            return self
        self._stack = contextlib.ExitStack()
        try:
            folder = self._stack.enter_context(temporary_directory("scalelab-mystery-"))
            self.log_path = os.path.join(folder, "requests.log")
            db_path = make_blog(os.path.join(folder, "blog.sqlite"), authors=AUTHORS,
                                posts_per_author=POSTS_PER_AUTHOR, index=self.settings["index"])
            self.db = self._stack.enter_context(DatabaseServer(db_path, io_ms=self.settings["io_ms"]))
            self.link = self._stack.enter_context(Link(self.db.port, delay_ms=self.settings["delay_ms"],
                                                       bandwidth=self.settings["bandwidth"]))
            self._stack.callback(self._stop_apps)
            app_settings = {k: self.settings[k] for k in ("cpu_ms", "pool_size", "log_batch", "disk_ms", "compress",
                                                          "cache")}
            for i in range(MAX_SERVERS):
                process, port = processes.start(app_worker, worker_id=i, db_port=self.link.port,
                                                log_path=self.log_path, settings=app_settings)
                self.app_processes.append(process)
                self.app_ports.append(port)
            self.balancer, self.port = processes.start(loadbalancer.balancer, ports=self.app_ports,
                                                       algorithm="least_connections", sticky=False,
                                                       retry_after_s=1.0, timeout=10.0)
            self._stack.callback(processes.stop, self.balancer)
            self._set_servers(self.servers)
        except BaseException:
            self.stop()
            raise
        return self

    def _stop_apps(self):
        for process in self.app_processes:
            processes.stop(process)

    def stop(self):
        """Stop every process and remove the files."""
        if self._stack is not None:
            stack, self._stack = self._stack, None
            stack.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def url(self):
        """The /work endpoint, through the balancer."""
        if self.port is None or self._stack is None:
            raise RuntimeError("the system is not started: use it in a `with` block or call start()")
        return f"http://127.0.0.1:{self.port}/work"

    def pids(self):
        """Process ids: {"balancer": pid, "app": [pids of the workers in use], "database": pid, "network": pid}."""
        return {"balancer": self.balancer.pid, "app": [p.pid for p in self.app_processes[:self.servers]],
                "database": self.db.process.pid, "network": self.link.process.pid}

    # ------------------------------------------------------------------------------------------------ knobs
    def _set_servers(self, n):
        _get_json(f"http://127.0.0.1:{self.port}/lb/config?n_active={n}")
        self.servers = n

    def configure(self, servers=None, cache=None, index=None, pool_size=None, log_batch=None, compress=None):
        """Turn the system's knobs: app ``servers`` (workers, 1..4), ``cache`` the hotspot, ``index`` the posts table,
        ``pool_size`` connections per worker (1..64), ``log_batch`` records per fsync (1..1000), ``compress``
        the database's replies. Returns the settings now in force."""
        if servers is not None:
            self._set_servers(v.integer("servers", servers, low=1, high=MAX_SERVERS))
        query = {}
        if cache is not None:
            query["cache"] = int(bool(cache))
        if pool_size is not None:
            query["pool_size"] = v.integer("pool_size", pool_size, low=1, high=64)
        if log_batch is not None:
            query["log_batch"] = v.integer("log_batch", log_batch, low=1, high=1000)
        if compress is not None:
            query["compress"] = int(bool(compress))
        if query:
            path = "/config?" + "&".join(f"{k}={val}" for k, val in query.items())
            for port in self.app_ports:
                _get_json(f"http://127.0.0.1:{port}{path}")
            self.settings.update({k: (bool(val) if k in ("cache", "compress") else val) for k, val in query.items()})
        if index is not None:
            self.db.configure(index=bool(index))
            self.settings["index"] = bool(index)
        return {"servers": self.servers, **{k: self.settings[k] for k in ("cache", "index", "pool_size", "log_batch",
                                                                           "compress")}}

    def answer(self):
        """The class of bottleneck this seed chose (one of CLASSES)."""
        return self._class

    # --------------------------------------------------------------------------------------------- readings
    def reset(self):
        """Zero every component's counters (call right before a measurement)."""
        for port in self.app_ports:
            _get_json(f"http://127.0.0.1:{port}/stats?reset=1")
        self.db.stats(reset=True)
        self._link0 = self.link.stats()
        self._t0 = time.perf_counter()

    def raw_stats(self):
        """Every component's own counters since ``reset``: {"apps": [...], "database": {...}, "link": {...}}."""
        link = self.link.stats()
        base = getattr(self, "_link0", None) or {"elapsed_s": 0, "up": {}, "down": {}}
        delta = {d: {k: link[d][k] - base[d].get(k, 0) for k in link[d]} for d in ("up", "down")}
        delta["elapsed_s"] = link["elapsed_s"] - base["elapsed_s"]
        apps = [_get_json(f"http://127.0.0.1:{port}/stats") for port in self.app_ports[:self.servers]]
        return {"apps": apps, "database": self.db.stats(), "link": delta}

    def readings(self, stats=None):
        """The USE readings of each component since ``reset``: one row per component with utilization (busy share,
        0-1; a pool or a group of workers counts as the share of its units busy), saturation (mean requests
        waiting for it), errors, busy_s (total busy seconds, summed over its units), units and completions."""
        return readings_from_stats(self.raw_stats() if stats is None else stats)

    def load(self, users=8, requests_per_user=15, think_time=0.0):
        """Reset the counters, run a closed-loop load through the balancer and return (summary dict, readings)."""
        from .load import closed_loop

        self.reset()
        result = closed_loop(self.url, users=v.integer("users", users, low=1, high=256),
                             requests_per_user=v.integer("requests_per_user", requests_per_user, low=1, high=10_000),
                             think_time=think_time)
        summary = result.summary()
        return summary, self.readings()

    def warm_up(self, requests=20):
        """A few requests so connections, caches and pages are ready before measuring."""
        from .load import closed_loop

        closed_loop(self.url, users=2, requests_per_user=max(1, requests // 2))


def readings_from_stats(stats):
    """Per-component USE readings from the raw counters of ``MysterySystem.raw_stats`` (see ``readings``)."""
    import pandas as pd

    apps, db, link = stats["apps"], stats["database"], stats["link"]
    if not apps:
        raise ValueError("stats must hold the counters of at least one app worker")
    elapsed = max(a["elapsed_s"] for a in apps)
    served = sum(a["served"] for a in apps)
    workers = len(apps)
    cpu_busy = sum(a["cpu_phase"]["busy_s"] for a in apps)     # a request computing (or waiting for a core)
    cpu_wait = sum(max(a["cpu_phase"]["area_s"] - a["cpu_phase"]["busy_s"], 0.0) for a in apps)
    pool_units = sum(a["pool_size"] for a in apps)
    pool_busy = sum(a["pool_in_use"] * a["elapsed_s"] for a in apps)
    log_busy = sum(a["log_held"]["busy_s"] for a in apps)
    log_wait = sum(a["log_waiting"]["area_s"] for a in apps)
    down = link.get("down", {})
    link_elapsed = max(link.get("elapsed_s", elapsed), 1e-9)
    rows = [
        {"component": "app", "units": workers, "busy_s": cpu_busy, "utilization": cpu_busy / elapsed / workers,
         "saturation": cpu_wait / elapsed, "errors": 0,
         "cpu_s": sum(a["process_cpu_s"] for a in apps)},
        {"component": "pool", "units": pool_units, "busy_s": pool_busy, "utilization": pool_busy / elapsed / pool_units,
         "saturation": sum(a["pool_waiting"] for a in apps), "errors": sum(a["pool_timeouts"] for a in apps)},
        {"component": "database", "units": 1, "busy_s": db["busy_s"], "utilization": db["utilization"],
         "saturation": max(db["mean_active"] - db["utilization"], 0.0), "errors": db["errors"]},
        {"component": "network", "units": 1, "busy_s": down.get("busy_s", 0.0),
         "utilization": min(down.get("busy_s", 0.0) / link_elapsed, 1.0),
         "saturation": max(down.get("waiting_area_s", 0.0) / link_elapsed - down.get("busy_s", 0.0) / link_elapsed,
                           0.0), "errors": 0},
        {"component": "disk_log", "units": 1, "busy_s": log_busy, "utilization": min(log_busy / elapsed, 1.0),
         "saturation": log_wait / elapsed, "errors": 0},
    ]
    frame = pd.DataFrame(rows)
    frame["completions"] = served
    return frame


def demands(readings):
    """Service demand of each component (s per request, per unit: busy_s / completions / units), from readings."""
    from ..models import operational

    served = int(readings["completions"].iloc[0])
    if served <= 0:
        raise ValueError("readings must come from a run that completed requests")
    return operational.demands_from_busy(dict(zip(readings["component"], readings["busy_s"])), served,
                                         servers=dict(zip(readings["component"], readings["units"].astype(int))))
