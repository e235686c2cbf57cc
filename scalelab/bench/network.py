"""The network layer on loopback: an emulated link (delay and bandwidth) in front of a payload server.

Loopback is faster than any real network (tens of microseconds, gigabytes per second) and loses nothing, so the
network's effects are put back by a **link** process: a TCP relay on 127.0.0.1 that holds every chunk for
``delay_ms`` (one way) and lets bytes through at most at ``bandwidth`` bytes/s, in both directions. Opening a
connection through it costs one extra round trip, as a TCP handshake does. Its settings live in a small JSON file
that it reads for each new connection, so a benchmark changes them without restarting it.

- ``serve_payload``: ``GET /bytes?n=N&gzip=L`` answers N bytes of JSON-like text, gzip-compressed at level L
  (0 = none) with ``Content-Encoding: gzip``; HTTP/1.1 keep-alive.
- ``Link``: start the relay in front of a port; ``set(delay_ms=, bandwidth=)``.
- ``fetch``: time one GET on a new connection or on a kept-alive one.

Benchmarks: ``latency_sweep`` (delay vs request time, new vs kept-alive connections), ``bandwidth_sweep``
(payload size vs time and goodput), ``compression_levels`` (gzip level vs bytes vs CPU time, in this process),
``compression_over_link`` (fetch with and without gzip at given bandwidths), ``keep_alive`` (new connection per
request vs one reused, on plain loopback). Packet loss is not measured here: see ``scalelab.sim.network``.
"""
import contextlib
import gzip
import http.client
import json
import os
import queue
import socket
import threading
import time
from urllib.parse import parse_qs, urlparse

from .. import _validate as v
from . import processes
from .http import QuietJsonHandler, ServerProcess


def payload(n_bytes):
    """Deterministic, JSON-like, compressible text of exactly ``n_bytes`` bytes (records of a product catalogue)."""
    n = v.integer("n_bytes", n_bytes, low=0, high=1 << 30)
    record = '{"sku": "sku-%05d", "name": "product %d", "price": %d.%02d, "stock": %d, "tags": ["a%d", "b%d"]},\n'
    parts, size, i = [], 0, 0
    while size < n:
        line = record % (i, i, 1 + i % 97, i % 100, (i * 37) % 500, i % 13, i % 7)
        parts.append(line)
        size += len(line)
        i += 1
    return "".join(parts).encode()[:n]


# --------------------------------------------------------------------------------------------- payload server
def serve_payload(ready):
    """Process entry point: GET /bytes?n=N&gzip=L on 127.0.0.1 (ephemeral port, reported through ready)."""
    cache = {}

    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/health":
                return self.reply(200, {"ok": True})
            if url.path != "/bytes":
                return self.reply(404, {"error": "no such path"})
            query = parse_qs(url.query)
            n, level = int(query.get("n", ["1000"])[0]), int(query.get("gzip", ["0"])[0])
            key = (n, level)
            if key not in cache:
                data = payload(n)
                cache[key] = gzip.compress(data, level) if level > 0 else data
            body = cache[key]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if level > 0:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(body)

    processes.serve_on_loopback(ready, Handler)


class PayloadServer(ServerProcess):
    """The payload server in its own process."""

    target = staticmethod(serve_payload)
    path = "/bytes"


# ------------------------------------------------------------------------------------------------------ the link
def _read_settings(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {"delay_ms": 0.0, "bandwidth": 0.0}


class _Wire:
    """One direction of the link, shared by every connection through it: bytes leave one after another at most at
    ``bandwidth`` bytes/s. Keeps its busy time and the time-average of chunks waiting for it (its queue)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.free_at, self.busy_s, self.waiting, self.area, self.last = 0.0, 0.0, 0, 0.0, time.perf_counter()
        self.bytes = 0

    def _advance(self, now):
        self.area += self.waiting * (now - self.last)
        self.last = now

    def reserve(self, due, size, bandwidth):
        """When a chunk of ``size`` bytes, due at ``due``, has crossed the wire: it starts once the wire is free and
        takes size / bandwidth to pass (store and forward: it is delivered when its last byte is through)."""
        with self.lock:
            start = max(due, self.free_at)
            if bandwidth > 0:
                self.free_at = start + size / bandwidth
                self.busy_s += size / bandwidth
            self.bytes += size
            self._advance(time.perf_counter())
            self.waiting += 1
            return self.free_at if bandwidth > 0 else start

    def sent(self):
        with self.lock:
            self._advance(time.perf_counter())
            self.waiting -= 1

    def snapshot(self):
        with self.lock:
            self._advance(time.perf_counter())
            return {"busy_s": self.busy_s, "waiting_area_s": self.area, "bytes": self.bytes}


def _pump(source, target, delay_s, bandwidth, wire):
    """Relay bytes from source to target: each chunk leaves ``delay_s`` after it arrived, and the shared ``wire``
    passes at most ``bandwidth`` bytes/s (0 = unlimited). A reader thread stamps chunks; this one sends them."""
    chunks = queue.Queue()

    def reader():
        try:
            while True:
                data = source.recv(16384)
                chunks.put((time.perf_counter() + delay_s, data))
                if not data:
                    return
        except OSError:
            chunks.put((time.perf_counter(), b""))

    threading.Thread(target=reader, daemon=True).start()
    try:
        while True:
            due, data = chunks.get()
            if not data:
                break
            through = wire.reserve(due, len(data), bandwidth)
            try:
                wait = through - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                target.sendall(data)
            finally:
                wire.sent()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


def serve_link(ready, target_port, settings_path):
    """Process entry point: the emulated link, relaying 127.0.0.1:<its port> to 127.0.0.1:target_port. Every
    0.05 s it writes its counters (busy time and queue of each direction) to settings_path + ".stats"."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    wires = {"up": _Wire(), "down": _Wire()}
    started = time.perf_counter()

    def report():
        while True:
            stats = {"elapsed_s": time.perf_counter() - started, **{k: w.snapshot() for k, w in wires.items()}}
            tmp = settings_path + ".stats.tmp"
            with open(tmp, "w") as handle:
                json.dump(stats, handle)
            os.replace(tmp, settings_path + ".stats")
            time.sleep(0.05)

    threading.Thread(target=report, daemon=True).start()
    ready(listener.getsockname()[1])

    def connection(client):
        settings = _read_settings(settings_path)
        delay_s, bandwidth = settings["delay_ms"] / 1000, settings["bandwidth"]
        try:
            time.sleep(2 * delay_s)                       # the handshake: one round trip before any data
            server = socket.create_connection(("127.0.0.1", target_port))
        except OSError:
            client.close()
            return
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        back = threading.Thread(target=_pump, args=(server, client, delay_s, bandwidth, wires["down"]), daemon=True)
        back.start()
        _pump(client, server, delay_s, bandwidth, wires["up"])
        back.join()
        client.close()
        server.close()

    while True:
        client, _ = listener.accept()
        threading.Thread(target=connection, args=(client,), daemon=True).start()


class Link:
    """An emulated network link (delay one way in ms, bandwidth in bytes/s, 0 = unlimited) in front of
    127.0.0.1:target_port, in its own process. Use as a context manager; ``port`` is where clients connect."""

    def __init__(self, target_port, delay_ms=0.0, bandwidth=0.0):
        self.target_port = v.integer("target_port", target_port, low=1, high=65535)
        self.process, self.port, self._folder = None, None, None
        self._settings = None
        self.delay_ms, self.bandwidth = v.non_negative("delay_ms", delay_ms), v.non_negative("bandwidth", bandwidth)

    def set(self, delay_ms=None, bandwidth=None):
        """Change the delay (ms, one way) and bandwidth (bytes/s, 0 = unlimited) for the next connections."""
        if delay_ms is not None:
            self.delay_ms = v.non_negative("delay_ms", delay_ms)
        if bandwidth is not None:
            self.bandwidth = v.non_negative("bandwidth", bandwidth)
        if self._settings:
            tmp = self._settings + ".tmp"
            with open(tmp, "w") as handle:
                json.dump({"delay_ms": self.delay_ms, "bandwidth": self.bandwidth}, handle)
            os.replace(tmp, self._settings)
        return self

    def start(self):
        from .harness import temporary_directory

        if self.process is None:
            self._folder = temporary_directory("scalelab-link-")
            folder = self._folder.__enter__()
            self._settings = os.path.join(folder, "link.json")
            self.set()
            try:
                self.process, self.port = processes.start(serve_link, target_port=self.target_port,
                                                          settings_path=self._settings)
            except BaseException:
                self.stop()
                raise
        return self

    def stats(self):
        """The link's counters since it started: elapsed_s and, per direction ("up": to the server, "down": back),
        busy_s (seconds the wire was sending), waiting_area_s (integral of chunks queued or in flight) and bytes."""
        for _ in range(50):
            try:
                with open(self._settings + ".stats") as handle:
                    return json.load(handle)
            except (OSError, ValueError, TypeError):
                time.sleep(0.02)
        raise RuntimeError("the link wrote no counters: is it running?")

    def stop(self):
        processes.stop(self.process)
        self.process = None
        if self._folder is not None:
            folder, self._folder = self._folder, None
            folder.__exit__(None, None, None)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def fetch(port, path, connection=None, timeout=10.0):
    """GET ``path`` from 127.0.0.1:port; on ``connection`` (an http.client.HTTPConnection, kept alive) or on a new
    one (closed afterwards). Returns (seconds, body bytes as received, headers dict)."""
    own = connection is None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout) if own else connection
    t0 = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Connection": "close"} if own else {})
        reply = conn.getresponse()
        body = reply.read()
        elapsed = time.perf_counter() - t0
        return elapsed, body, dict(reply.getheaders())
    finally:
        if own:
            conn.close()


@contextlib.contextmanager
def linked_payload(delay_ms=0.0, bandwidth=0.0):
    """A payload server behind a Link; yields the Link (connect to link.port). Both stop on exit."""
    with PayloadServer() as server, Link(server.port, delay_ms, bandwidth) as link:
        yield link


# ---------------------------------------------------------------------------------------------------- benchmarks
def latency_sweep(delays_ms=(0, 5, 10, 20), requests=10, size_bytes=200):
    """Request time through the link for each one-way delay: on a new connection per request and on one kept-alive
    connection. One row per (delay_ms, connection): median_ms over ``requests`` GETs of ``size_bytes``."""
    import numpy as np
    import pandas as pd

    delays = [v.non_negative("delays_ms", d) for d in delays_ms]
    k = v.integer("requests", requests, low=1, high=10_000)
    rows = []
    with linked_payload() as link:
        path = f"/bytes?n={v.integer('size_bytes', size_bytes, low=0)}"
        for d in delays:
            link.set(delay_ms=d, bandwidth=0)
            new = [fetch(link.port, path)[0] for _ in range(k)]
            kept = http.client.HTTPConnection("127.0.0.1", link.port, timeout=10)
            try:
                fetch(link.port, path, kept)                      # opens the connection (the handshake)
                reused = [fetch(link.port, path, kept)[0] for _ in range(k)]
            finally:
                kept.close()
            rows.append({"delay_ms": d, "connection": "new per request", "median_ms": 1000 * np.median(new)})
            rows.append({"delay_ms": d, "connection": "kept alive", "median_ms": 1000 * np.median(reused)})
    return pd.DataFrame(rows)


def bandwidth_sweep(sizes_bytes=(1_000, 10_000, 100_000, 400_000), bandwidth=4_000_000, delay_ms=2.0, repeats=3):
    """Payload size vs time through a link of ``bandwidth`` bytes/s and ``delay_ms`` one way, on a kept-alive
    connection. One row per (size, repeat): seconds, goodput_bytes_per_s (size / seconds)."""
    import pandas as pd

    sizes = [v.integer("sizes_bytes", s, low=1, high=1 << 28) for s in sizes_bytes]
    bw = v.positive("bandwidth", bandwidth)
    r = v.integer("repeats", repeats, low=1, high=100)
    rows = []
    with linked_payload(delay_ms=v.non_negative("delay_ms", delay_ms), bandwidth=bw) as link:
        conn = http.client.HTTPConnection("127.0.0.1", link.port, timeout=30)
        try:
            fetch(link.port, "/bytes?n=10", conn)
            for size in sizes:
                fetch(link.port, f"/bytes?n={size}", conn)        # the server builds and caches the payload
                for i in range(r):
                    seconds, body, _ = fetch(link.port, f"/bytes?n={size}", conn)
                    rows.append({"size_bytes": size, "repeat": i, "bytes_received": len(body), "seconds": seconds,
                                 "goodput_bytes_per_s": size / seconds, "bandwidth": bw, "delay_ms": delay_ms})
        finally:
            conn.close()
    return pd.DataFrame(rows)


def compression_levels(size_bytes=200_000, levels=(0, 1, 3, 6, 9), repeats=5):
    """gzip on a JSON-like payload at each level, in this process: compressed bytes, ratio, compress_ms and
    decompress_ms (CPU time of this thread, median of ``repeats``), and break_even_bandwidth: the link speed
    (bytes/s) below which compressing pays (saved bytes / CPU seconds; see models.bottlenecks)."""
    import numpy as np
    import pandas as pd

    from ..models import bottlenecks

    data = payload(v.integer("size_bytes", size_bytes, low=1, high=1 << 28))
    r = v.integer("repeats", repeats, low=1, high=1000)
    rows = []
    for level in levels:
        level = v.integer("levels", level, low=0, high=9)
        packed, cpu_c, cpu_d = data, [], []
        for _ in range(r):
            t0 = time.thread_time()
            packed = gzip.compress(data, level) if level else data
            t1 = time.thread_time()
            if level:
                gzip.decompress(packed)
            cpu_c.append(t1 - t0)
            cpu_d.append(time.thread_time() - t1)
        c_s, d_s = float(np.median(cpu_c)), float(np.median(cpu_d))
        rows.append({"level": level, "original_bytes": len(data), "bytes": len(packed),
                     "ratio": len(data) / len(packed), "compress_ms": 1000 * c_s, "decompress_ms": 1000 * d_s,
                     "break_even_bandwidth": bottlenecks.compression_break_even(len(data), len(packed), c_s + d_s)
                     if level else np.nan})
    return pd.DataFrame(rows)


def compression_over_link(bandwidths=(1_000_000, 50_000_000), size_bytes=200_000, level=6, repeats=3):
    """Fetch the payload through a link of each bandwidth (bytes/s) with and without gzip (the client
    decompresses): one row per (bandwidth, gzip level, repeat): seconds (fetch + decompress), bytes on the wire.
    The server compresses each payload once and caches it, so its compression time is not in ``seconds``: add
    the ``compress_ms`` of ``compression_levels`` for a server that compresses every reply."""
    import pandas as pd

    size = v.integer("size_bytes", size_bytes, low=1, high=1 << 28)
    lvl = v.integer("level", level, low=1, high=9)
    r = v.integer("repeats", repeats, low=1, high=100)
    rows = []
    with linked_payload() as link:
        for bw in bandwidths:
            link.set(delay_ms=0, bandwidth=v.positive("bandwidths", bw))
            conn = http.client.HTTPConnection("127.0.0.1", link.port, timeout=60)
            try:
                for g in (0, lvl):
                    path = f"/bytes?n={size}&gzip={g}"
                    fetch(link.port, path, conn)
                    for i in range(r):
                        t0 = time.perf_counter()
                        _, body, headers = fetch(link.port, path, conn)
                        if headers.get("Content-Encoding") == "gzip":
                            gzip.decompress(body)
                        rows.append({"bandwidth": bw, "gzip_level": g, "repeat": i, "wire_bytes": len(body),
                                     "seconds": time.perf_counter() - t0})
            finally:
                conn.close()
    return pd.DataFrame(rows)


def keep_alive(requests=200, size_bytes=200, delay_ms=0.0):
    """Plain loopback (delay_ms = 0, no link) or through a link: ``requests`` GETs on a new connection each vs on
    one kept-alive connection. One row per (connection, request): ms."""
    import pandas as pd

    k = v.integer("requests", requests, low=1, high=100_000)
    d = v.non_negative("delay_ms", delay_ms)
    path = f"/bytes?n={v.integer('size_bytes', size_bytes, low=0)}"
    rows = []
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(PayloadServer())
        port = server.port
        if d > 0:
            port = stack.enter_context(Link(server.port, delay_ms=d)).port
        fetch(port, path)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        stack.callback(conn.close)
        fetch(port, path, conn)
        for i in range(k):
            rows.append({"connection": "new per request", "request": i, "ms": 1000 * fetch(port, path)[0]})
            rows.append({"connection": "kept alive", "request": i, "ms": 1000 * fetch(port, path, conn)[0]})
    return pd.DataFrame(rows)
