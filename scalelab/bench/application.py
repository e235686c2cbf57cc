"""The application layer: a request handler with a CPU hotspot found by two profilers, and thread exhaustion.

- ``handle_orders``: a small order-pricing handler (parse, validate, price, render). Its ``price`` step looks up
  each item's discount by scanning a list (``slow=True``, the hotspot) or in a dict (``slow=False``).
- ``profile_cprofile``: the deterministic profiler of the standard library (cProfile) read with pstats;
  ``profile_sampling``: pyinstrument, a sampling profiler, read as a call tree (``call_tree``).
- ``serve_blocking``: an HTTP server whose requests each block ``block_ms`` (a call to a slow service) on a pool of
  ``pool_size`` threads (``mode="threads"``) or on one asyncio event loop (``mode="async"``); ``/stats`` reports
  the time-averaged queue of accepted requests waiting for a thread. ``thread_exhaustion`` drives it.
"""
import asyncio
import concurrent.futures as cf
import json
import socket
import threading
import time

from .. import _validate as v
from .http import ServerProcess

MODES = ("threads", "async")


# ------------------------------------------------------------------------------------------------ the hotspot
def make_orders(orders=300, items_per_order=20, catalogue=2000):
    """Deterministic JSON order documents (strings) and the discount catalogue [(sku, percent), ...]."""
    n = v.integer("orders", orders, low=1, high=1_000_000)
    k = v.integer("items_per_order", items_per_order, low=1, high=10_000)
    c = v.integer("catalogue", catalogue, low=1, high=1_000_000)
    docs = [json.dumps({"id": i, "items": [{"sku": f"sku-{(i * 31 + j * 17) % c}", "qty": 1 + (i + j) % 3,
                                             "price": 1.0 + ((i * j) % 50)} for j in range(k)]}) for i in range(n)]
    return docs, [(f"sku-{s}", (s * 7) % 30) for s in range(c)]


def parse(doc):
    """Decode one order document."""
    return json.loads(doc)


def validate(order):
    """Reject orders without items or with a non-positive quantity."""
    if not order["items"] or any(item["qty"] <= 0 for item in order["items"]):
        raise ValueError(f"bad order {order['id']}")
    return order


def discount_scan(sku, catalogue):
    """The discount of one sku found by walking the catalogue list: time grows with the catalogue."""
    for name, percent in catalogue:
        if name == sku:
            return percent
    return 0


def price(order, catalogue, lookup=None):
    """Total of one order after discounts; ``lookup`` a dict sku -> percent (fast) or None (scan the list)."""
    total = 0.0
    for item in order["items"]:
        percent = lookup.get(item["sku"], 0) if lookup is not None else discount_scan(item["sku"], catalogue)
        total += item["qty"] * item["price"] * (1 - percent / 100)
    return round(total, 2)


def render(order_id, total):
    """Encode the reply."""
    return json.dumps({"id": order_id, "total": total})


def handle_orders(docs, catalogue, slow=True):
    """Handle every order: parse, validate, price, render. Returns the list of replies (strings)."""
    lookup = None if slow else dict(catalogue)
    replies = []
    for doc in docs:
        order = validate(parse(doc))
        replies.append(render(order["id"], price(order, catalogue, lookup)))
    return replies


def profile_cprofile(fn, *args, top=8, **kwargs):
    """Run fn under cProfile; return (result, DataFrame of the ``top`` functions by own time): function, calls,
    own_s (tottime), cumulative_s (cumtime), own_share (own_s / total profiled time)."""
    import cProfile
    import pstats

    import pandas as pd

    v.integer("top", top, low=1, high=1000)
    profiler = cProfile.Profile()
    result = profiler.runcall(fn, *args, **kwargs)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = [{"function": f"{name} ({file.rsplit('/', 1)[-1]}:{line})" if line else name, "name": name,
             "calls": nc, "own_s": tt, "cumulative_s": ct, "own_share": tt / total if total else 0.0}
            for (file, line, name), (cc, nc, tt, ct, _callers) in stats.stats.items()]
    table = pd.DataFrame(rows).sort_values("own_s", ascending=False).head(top).reset_index(drop=True)
    return result, table


def profile_sampling(fn, *args, interval_s=0.0005, **kwargs):
    """Run fn under pyinstrument (a sampling profiler: it looks at the stack every ``interval_s`` s); return
    (result, the pyinstrument Session)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=v.positive("interval_s", interval_s))
    profiler.start()
    try:
        result = fn(*args, **kwargs)
    finally:
        session = profiler.stop()
    return result, session


def _merged(frames):
    """Children of a call tree merged by function name: [(name, time_s, [grandchildren frames])], slowest first."""
    groups = {}
    for frame in frames:
        name = frame.function or "?"
        time_s, children = groups.get(name, (0.0, []))
        groups[name] = (time_s + frame.time, children + list(frame.children))
    return sorted(((name, t, kids) for name, (t, kids) in groups.items()), key=lambda g: -g[1])


def call_tree(session, root=None, min_share=0.01):
    """A sampled profile as rows of a call tree (for a flame / icicle picture): depth, start and width as shares
    of the root's time, name, time_s. Calls of the same function under the same parent are merged; frames under
    ``min_share`` of the total are left out. root: name of the function to start from (the first frame of that
    name, searched breadth first), else the session's root."""
    import pandas as pd

    share = v.number("min_share", min_share, 0, 1)
    top = session.root_frame()
    columns = ["depth", "start", "width", "name", "time_s"]
    if top is None:
        return pd.DataFrame(columns=columns)
    level = [top]
    while root is not None and level and not any(f.function == root for f in level):
        level = [child for frame in level for child in frame.children]
    start_frames = [f for f in level if root is None or f.function == root] or [top]
    total = sum(f.time for f in start_frames) or 1e-12
    rows = []

    def walk(groups, depth, start):
        offset = start
        for name, time_s, kids in groups:
            width = time_s / total
            if width >= share and not name.startswith("["):   # [self] and the like: time of no call
                rows.append({"depth": depth, "start": offset, "width": width, "name": name, "time_s": time_s})
                walk(_merged(kids), depth + 1, offset)
            offset += width

    walk(_merged(start_frames), 0, 0.0)
    return pd.DataFrame(rows, columns=columns)


def share_of(tree, name):
    """Share of the root's time spent in the frames called ``name`` (outermost calls only)."""
    frames = tree[tree["name"] == name]
    if frames.empty:
        return 0.0
    outer = frames[frames["depth"] == frames["depth"].min()]
    return float(outer["width"].sum())


# --------------------------------------------------------------------------------------------- thread exhaustion
class _Queue:
    """Time-averaged number of requests accepted but not yet started (waiting for a thread), and in service."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.since = self.last = time.perf_counter()
        self.waiting = self.running = self.served = 0
        self.area_waiting = self.area_running = 0.0
        self.waits = []

    def _advance(self):
        now = time.perf_counter()
        self.area_waiting += self.waiting * (now - self.last)
        self.area_running += self.running * (now - self.last)
        self.last = now

    def change(self, waiting=0, running=0, served=0, wait_s=None):
        with self.lock:
            self._advance()
            self.waiting += waiting
            self.running += running
            self.served += served
            if wait_s is not None:
                self.waits.append(wait_s)

    def snapshot(self):
        with self.lock:
            self._advance()
            elapsed = max(self.last - self.since, 1e-9)
            waits = self.waits or [0.0]
            return {"elapsed_s": elapsed, "served": self.served, "mean_waiting": self.area_waiting / elapsed,
                    "mean_running": self.area_running / elapsed, "mean_wait_ms": 1000 * sum(waits) / len(waits)}


def _head(sock):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _answer(payload):
    body = json.dumps(payload).encode()
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


def serve_blocking(ready, mode, pool_size, block_ms):
    """Process entry point: each /work request blocks ``block_ms`` ms; ``mode`` "threads" runs requests on a pool
    of ``pool_size`` threads (the rest wait in its queue), "async" awaits every block on one event loop."""
    counters = _Queue()
    block_s = block_ms / 1000

    def stats_reply(head):
        if b"reset=1" in head.split(b"\r\n", 1)[0]:
            counters.reset()
        return _answer({**counters.snapshot(), "mode": mode, "pool_size": pool_size})

    if mode == "async":
        async def handle(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            if head.startswith(b"GET /stats"):
                writer.write(stats_reply(head))
            else:
                counters.change(running=+1, wait_s=0.0)
                await asyncio.sleep(block_s)
                counters.change(running=-1, served=1)
                writer.write(_answer({"ok": True}))
            await writer.drain()
            writer.close()

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
            ready(server.sockets[0].getsockname()[1])
            async with server:
                await server.serve_forever()

        asyncio.run(main())
        return

    pool = cf.ThreadPoolExecutor(pool_size)

    def work(conn, accepted):
        counters.change(waiting=-1, running=+1, wait_s=time.perf_counter() - accepted)
        try:
            time.sleep(block_s)   # the blocking call: a slow service, a lock, a disk
            conn.sendall(_answer({"ok": True}))
        except OSError:
            pass
        finally:
            conn.close()
            counters.change(running=-1, served=1)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    ready(listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        head = _head(conn)
        if head.startswith(b"GET /stats"):
            conn.sendall(stats_reply(head))
            conn.close()
            continue
        counters.change(waiting=+1)
        pool.submit(work, conn, time.perf_counter())


class BlockingService(ServerProcess):
    """Requests that each block ``block_ms`` on a pool of ``pool_size`` threads, or on asyncio (mode="async")."""

    target = staticmethod(serve_blocking)

    def __init__(self, mode="threads", pool_size=4, block_ms=20.0):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        super().__init__(mode=mode, pool_size=v.integer("pool_size", pool_size, low=1, high=1024),
                         block_ms=v.non_negative("block_ms", block_ms))

    def stats(self, reset=False):
        """served, mean_waiting (requests queued for a thread, time-average), mean_running, mean_wait_ms."""
        return self.get("/stats" + ("?reset=1" if reset else ""))


def thread_exhaustion(setups=(("threads", 4), ("threads", 32), ("async", 1)), concurrency=(2, 4, 8, 16, 32),
                      block_ms=20.0, requests_per_user=6):
    """Closed-loop users (no think time) against each server setup (mode, pool_size), each request blocking
    ``block_ms``. One row per (setup, users): throughput_rps, mean_ms, p95_ms (client side), server_wait_ms (time a
    request waited for a thread), server_mean_waiting (the server's queue, time-average)."""
    import pandas as pd

    from .load import closed_loop

    levels = [v.integer("concurrency", c, low=1, high=512) for c in concurrency]
    per_user = v.integer("requests_per_user", requests_per_user, low=1, high=10_000)
    rows = []
    for mode, size in setups:
        with BlockingService(mode=mode, pool_size=size, block_ms=block_ms) as service:
            closed_loop(service.url, users=2, requests_per_user=2)       # warm-up
            for c in levels:
                service.stats(reset=True)
                summary = closed_loop(service.url, users=c, requests_per_user=per_user).summary()
                server = service.stats()
                rows.append({"setup": f"{mode} ({size})" if mode == "threads" else "async", "mode": mode,
                             "pool_size": size, "users": c, "block_ms": block_ms,
                             "throughput_rps": summary["throughput_rps"], "mean_ms": summary.get("mean_ms"),
                             "p95_ms": summary.get("p95_ms"), "server_wait_ms": server["mean_wait_ms"],
                             "server_mean_waiting": server["mean_waiting"]})
    return pd.DataFrame(rows)
