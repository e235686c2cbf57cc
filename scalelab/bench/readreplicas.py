"""A primary and read replicas on loopback, with replication lag, and read-your-writes counted.

- The **primary** (its own process) takes writes, numbers them in a change log (position 1, 2, ...) and serves
  ``GET /log?after=P`` to the replicas; it also answers reads.
- Each **replica** (its own process) pulls the log every ``poll_ms`` and applies an entry only ``delay_ms`` after
  the primary wrote it (a replica across a slow link, or busy replaying). It answers ``GET /read?key=K`` with what
  it has applied and its position; ``&min_pos=P`` makes it wait (up to a second) until it has applied P.
- ``read_your_writes_run`` plays a user who writes and reads back at once, with one of three read rules:
  "replica" (every read to a replica), "primary_after_write" (a read right after one's own write goes to the
  primary) or "wait_position" (the replica waits until it has the write's position). A read that does not return
  the value just written is a read-your-writes violation.

Everything stops on success, error and Ctrl-C (``ReplicatedDatabase`` is a context manager).
"""
import contextlib
import http.client
import json
import threading
import time
from urllib.parse import parse_qs, urlparse

from .. import _validate as v
from . import processes
from .http import QuietJsonHandler

# numpy and pandas are imported inside the functions that need them, so the server processes (which import this
# module) start without them.
HOST = "127.0.0.1"
STRATEGIES = ("replica", "primary_after_write", "wait_position")


def _get(connection, path):
    connection.request("GET", path)
    return json.loads(connection.getresponse().read())


def serve_primary(ready):
    """Process entry point: the primary (writes, change log, reads)."""
    lock, data, log = threading.Lock(), {}, []

    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
            if url.path == "/write":
                with lock:
                    data[q["key"][0]] = q["value"][0]
                    log.append({"pos": len(log) + 1, "key": q["key"][0], "value": q["value"][0],
                                "t": time.monotonic()})
                    return self.reply(200, {"pos": len(log)})
            if url.path == "/read":
                with lock:
                    return self.reply(200, {"value": data.get(q["key"][0]), "pos": len(log)})
            if url.path == "/log":
                after = int(q.get("after", ["0"])[0])
                with lock:
                    return self.reply(200, {"entries": log[after:]})
            return self.reply(404, {"error": "no such path"})

    processes.serve_on_loopback(ready, Handler)


def serve_replica(ready, primary_port, delay_ms=50.0, poll_ms=5.0):
    """Process entry point: a replica applying the primary's log ``delay_ms`` after each write."""
    lock, data, state, lags = threading.Condition(), {}, {"pos": 0}, []
    delay_s, poll_s = delay_ms / 1000, poll_ms / 1000

    def follow():
        connection = http.client.HTTPConnection(HOST, primary_port, timeout=5)
        pending = []
        while True:
            with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
                after = state["pos"] + len(pending)
                pending += _get(connection, f"/log?after={after}")["entries"]
            now = time.monotonic()
            with lock:
                while pending and pending[0]["t"] + delay_s <= now:
                    entry = pending.pop(0)
                    data[entry["key"]] = entry["value"]
                    state["pos"] = entry["pos"]
                    lags.append(now - entry["t"])
                lock.notify_all()
            time.sleep(poll_s)

    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
            if url.path == "/read":
                need = int(q.get("min_pos", ["0"])[0])
                with lock:
                    lock.wait_for(lambda: state["pos"] >= need, timeout=1.0)
                    return self.reply(200, {"value": data.get(q["key"][0]), "pos": state["pos"]})
            if url.path == "/lags":
                with lock:
                    return self.reply(200, {"lags_s": list(lags), "pos": state["pos"]})
            return self.reply(404, {"error": "no such path"})

    threading.Thread(target=follow, daemon=True).start()
    processes.serve_on_loopback(ready, Handler)


class ReplicatedDatabase:
    """A primary and ``replicas`` read replicas, each in its own process on 127.0.0.1; a context manager."""

    def __init__(self, replicas=2, delay_ms=50.0, poll_ms=5.0):
        self.n = v.integer("replicas", replicas, low=1, high=8)
        self.delay_ms = v.non_negative("delay_ms", delay_ms)
        self.poll_ms = v.positive("poll_ms", poll_ms)
        self.primary = self.primary_port = None
        self.replicas, self.replica_ports = [], []

    def start(self):
        try:
            self.primary, self.primary_port = processes.start(serve_primary)
            for _ in range(self.n):
                process, port = processes.start(serve_replica, primary_port=self.primary_port,
                                                delay_ms=self.delay_ms, poll_ms=self.poll_ms)
                self.replicas.append(process)
                self.replica_ports.append(port)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for process in self.replicas:
            processes.stop(process)
        processes.stop(self.primary)
        self.replicas, self.replica_ports, self.primary = [], [], None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def connection(self, port):
        """A kept-alive HTTP connection to one of the servers (a connection pool of one)."""
        return http.client.HTTPConnection(HOST, port, timeout=5)

    def lags_ms(self):
        """Measured lag of every applied entry on every replica: write on the primary to apply (ms)."""
        import numpy as np

        out = []
        for port in self.replica_ports:
            with contextlib.closing(self.connection(port)) as c:
                out += [1000 * x for x in _get(c, "/lags")["lags_s"]]
        return np.array(out)


def read_your_writes_run(db, strategy="replica", rounds=40, gap_ms=2.0, tag=""):
    """A user writes ``user:i = i`` to the primary and reads it back at once, ``rounds`` times, ``gap_ms`` apart,
    reading by ``strategy``. One row per round: round, replica, read_from, pos, seen_pos, value_ok (the read
    returned the value just written), read_ms."""
    import pandas as pd

    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    n = v.integer("rounds", rounds, low=1)
    gap = v.non_negative("gap_ms", gap_ms) / 1000
    primary = db.connection(db.primary_port)
    replicas = [db.connection(p) for p in db.replica_ports]
    rows = []
    try:
        for i in range(n):
            key = f"{tag}user{i % 5}"
            pos = _get(primary, f"/write?key={key}&value={i}")["pos"]
            r = i % len(replicas)
            start = time.perf_counter()
            if strategy == "primary_after_write":
                answer, source = _get(primary, f"/read?key={key}"), "primary"
            elif strategy == "wait_position":
                answer, source = _get(replicas[r], f"/read?key={key}&min_pos={pos}"), "replica"
            else:
                answer, source = _get(replicas[r], f"/read?key={key}"), "replica"
            rows.append({"round": i, "replica": r, "read_from": source, "pos": pos, "seen_pos": answer["pos"],
                         "value_ok": answer["value"] == str(i), "read_ms": 1000 * (time.perf_counter() - start)})
            time.sleep(gap)
    finally:
        for c in [primary, *replicas]:
            c.close()
    frame = pd.DataFrame(rows)
    return frame


def strategies_run(db, rounds=40, gap_ms=2.0):
    """Each read rule on the same database: one row per strategy with rounds, violations (reads that missed the
    user's own write), violation_share, primary_reads (share of reads the primary served), read_p50_ms and
    read_p95_ms."""
    import pandas as pd

    rows = []
    for strategy in STRATEGIES:
        frame = read_your_writes_run(db, strategy, rounds=rounds, gap_ms=gap_ms, tag=strategy)
        rows.append({"strategy": strategy, "rounds": len(frame), "violations": int((~frame["value_ok"]).sum()),
                     "violation_share": float((~frame["value_ok"]).mean()),
                     "primary_reads": float((frame["read_from"] == "primary").mean()),
                     "read_p50_ms": float(frame["read_ms"].median()),
                     "read_p95_ms": float(frame["read_ms"].quantile(0.95))})
    return pd.DataFrame(rows)


def connection_reuse(port, requests=100):
    """Median time (ms) of a read on a new connection each time vs on one kept-alive connection (what a pool
    saves): a dict with new_ms, pooled_ms and ratio."""
    import numpy as np

    n = v.integer("requests", requests, low=1)
    new, pooled = [], []
    for _ in range(n):
        start = time.perf_counter()
        with contextlib.closing(http.client.HTTPConnection(HOST, port, timeout=5)) as c:
            _get(c, "/read?key=x")
        new.append(time.perf_counter() - start)
    with contextlib.closing(http.client.HTTPConnection(HOST, port, timeout=5)) as c:
        for _ in range(n):
            start = time.perf_counter()
            _get(c, "/read?key=x")
            pooled.append(time.perf_counter() - start)
    a, b = 1000 * float(np.median(new)), 1000 * float(np.median(pooled))
    return {"new_ms": a, "pooled_ms": b, "ratio": a / b}
