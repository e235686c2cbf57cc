"""The database layer on loopback: a SQLite database server in its own process, a real connection pool in front
of it, and the benchmarks of lesson 09's database section.

- ``serve_database``: HTTP/1.1 (keep-alive) on 127.0.0.1; ``GET /query?sql=...&args=[...]`` runs one read-only
  statement on the SQLite file and answers its rows as JSON; ``io_ms`` adds that many ms of waiting per query (a
  disk that is slower than this machine's page cache); ``/config?io_ms=&index=0|1`` changes them; ``/stats``.
- ``DatabaseClient``: one persistent connection (one TCP connection, reused for every query).
- ``ConnectionPool``: k clients; ``with pool.connection() as db:`` waits for a free one and records the wait.

Benchmarks: ``n_plus_one`` (N + 1 queries vs one join, in-process and over loopback), ``pool_sweep`` (open-loop
requests on pools of growing size: the wait for a connection), ``pool_concurrency`` (rising closed-loop
concurrency on one pool), ``cold_cache_lookups`` (lookups whose pages must come from the disk: I/O wait).
"""
import collections
import contextlib
import gzip
import http.client
import json
import os
import sqlite3
import threading
import time
from urllib.parse import parse_qs, quote, urlparse

from .. import _validate as v
from . import processes
from .http import QuietJsonHandler, ServerProcess

SCHEMA = """
CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT NOT NULL, views INTEGER NOT NULL);
"""
INDEX_SQL = "CREATE INDEX IF NOT EXISTS posts_author ON posts (author_id)"
AUTHORS_SQL = "SELECT id, name FROM authors ORDER BY id LIMIT ?"
POSTS_OF_SQL = "SELECT title, views FROM posts WHERE author_id = ?"
JOIN_SQL = ("SELECT a.id, a.name, p.title, p.views FROM authors a JOIN posts p ON p.author_id = a.id "
            "WHERE a.id <= ? ORDER BY a.id")


def make_blog(path, authors=200, posts_per_author=5, index=True):
    """Create a SQLite file of ``authors`` authors with ``posts_per_author`` posts each (deterministic content);
    index=True adds the index on posts.author_id. Returns the path."""
    a = v.integer("authors", authors, low=1, high=1_000_000)
    k = v.integer("posts_per_author", posts_per_author, low=0, high=10_000)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO authors VALUES (?, ?)", ((i, f"author {i}") for i in range(1, a + 1)))
        db.executemany("INSERT INTO posts (author_id, title, views) VALUES (?, ?, ?)",
                       ((1 + (j * 7919) % a, f"post {j}", (j * 31) % 1000) for j in range(a * k)))
        if index:
            db.execute(INDEX_SQL)
        db.commit()
    return path


# ---------------------------------------------------------------------------------------------------- the server
class _Busy:
    """Time-integrated count of queries in progress (busy time of the database), served and failed queries."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.since = self.last = time.perf_counter()
        self.active = self.served = self.errors = 0
        self.area = self.busy_s = 0.0

    def _advance(self):
        now = time.perf_counter()
        self.area += self.active * (now - self.last)
        self.busy_s += (self.active > 0) * (now - self.last)
        self.last = now

    def change(self, delta, served=0, errors=0):
        with self.lock:
            self._advance()
            self.active += delta
            self.served += served
            self.errors += errors

    def snapshot(self):
        with self.lock:
            self._advance()
            elapsed = max(self.last - self.since, 1e-9)
            return {"elapsed_s": elapsed, "served": self.served, "errors": self.errors, "busy_s": self.busy_s,
                    "utilization": self.busy_s / elapsed, "mean_active": self.area / elapsed,
                    "active_now": self.active}


def _database_handler(path, config, busy):
    local = threading.local()

    def connection():
        """This thread's read-only connection, opened again after /config changed the schema (an open connection
        would keep answering EXPLAIN from the schema it read first)."""
        if getattr(local, "db", None) is None or local.generation != config["generation"]:
            if getattr(local, "db", None) is not None:
                local.db.close()
            local.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            local.generation = config["generation"]
        return local.db

    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/health":
                return self.reply(200, {"ok": True})
            if url.path == "/stats":
                if query.get("reset"):
                    busy.reset()
                return self.reply(200, {**busy.snapshot(), **config})
            if url.path == "/config":
                if "io_ms" in query:
                    config["io_ms"] = max(0.0, float(query["io_ms"][0]))
                if "index" in query:
                    with contextlib.closing(sqlite3.connect(path)) as db:
                        db.execute(INDEX_SQL if query["index"][0] == "1" else "DROP INDEX IF EXISTS posts_author")
                        db.commit()
                    config["index"] = query["index"][0] == "1"
                    config["generation"] += 1
                return self.reply(200, dict(config))
            if url.path != "/query":
                return self.reply(404, {"error": "no such path"})
            sql = query.get("sql", [""])[0]
            if not sql.lstrip().lower().startswith(("select", "explain")):
                return self.reply(400, {"error": "only SELECT and EXPLAIN statements are served"})
            args = json.loads(query.get("args", ["[]"])[0])
            busy.change(+1)
            failed = False
            try:
                rows = connection().execute(sql, args).fetchall()
            except sqlite3.Error as error:
                failed, rows = True, str(error)
            finally:
                busy.change(-1, served=1, errors=int(failed))
            if config["io_ms"] > 0:
                time.sleep(config["io_ms"] / 1000)   # pages that had to come from a slow disk: waiting, not busy
            if failed:
                return self.reply(400, {"error": rows})
            if query.get("gzip", ["0"])[0] != "0":
                return self._send_gzip(json.dumps({"rows": rows}).encode())
            self.reply(200, {"rows": rows})

        def _send_gzip(self, data):
            body = gzip.compress(data, 6)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve_database(ready, path, io_ms=0.0):
    """Process entry point: the database server on 127.0.0.1 (ephemeral port, reported through ready)."""
    config = {"io_ms": float(io_ms), "index": None, "generation": 0}
    processes.serve_on_loopback(ready, _database_handler(path, config, _Busy()))


class DatabaseServer(ServerProcess):
    """A SQLite file served over loopback HTTP by its own process; ``io_ms``: ms of disk wait added per query."""

    target = staticmethod(serve_database)
    path = "/query"

    def __init__(self, path, io_ms=0.0):
        if not os.path.isfile(path):
            raise ValueError(f"path must be an existing SQLite file, got {path!r}")
        super().__init__(path=str(path), io_ms=v.non_negative("io_ms", io_ms))

    def stats(self, reset=False):
        """served, errors, busy_s, utilization (busy fraction), mean_active (queries in progress, time-average)."""
        return self.get("/stats" + ("?reset=1" if reset else ""))

    def configure(self, io_ms=None, index=None):
        """Change the disk wait per query (ms) or create (True) / drop (False) the index on posts.author_id."""
        parts = []
        if io_ms is not None:
            parts.append(f"io_ms={v.non_negative('io_ms', io_ms)}")
        if index is not None:
            parts.append(f"index={int(bool(index))}")
        return self.get("/config?" + "&".join(parts))


class DatabaseClient:
    """One persistent (keep-alive) HTTP connection to a DatabaseServer: ``query(sql, args)`` returns the rows."""

    def __init__(self, port, timeout=10.0, compress=False):
        self.port = v.integer("port", port, low=1, high=65535)
        self.timeout = v.positive("timeout", timeout)
        self.compress = bool(compress)
        self.connection = None
        self.queries = self.bytes_received = 0

    def query(self, sql, args=()):
        """Run one SELECT on the server; return its rows (lists). Reconnects once if the connection dropped."""
        path = f"/query?sql={quote(sql)}&args={quote(json.dumps(list(args)))}" + ("&gzip=1" if self.compress else "")
        for attempt in (0, 1):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.connection.request("GET", path)
                reply = self.connection.getresponse()
                raw = reply.read()
                self.bytes_received += len(raw)
                if reply.getheader("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                body = json.loads(raw)
                break
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
        self.queries += 1
        if reply.status != 200:
            raise RuntimeError(f"query failed: {body.get('error')}")
        return body["rows"]

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class PoolTimeout(RuntimeError):
    """No connection became free within the pool's timeout."""


class ConnectionPool:
    """``size`` persistent connections to a DatabaseServer, lent one request at a time, first come first served.

    ``with pool.connection() as db: db.query(...)`` waits (at most ``timeout`` s) for a free connection. A connection
    given back goes straight to the request that has waited longest (a hand-off queue, as HikariCP does): without
    it, the thread that gives a connection back takes it again at once and the others starve. The pool records each
    wait (``waits_s``), each hold (``holds_s``) and the time-averages of connections in use (``mean_in_use()``) and
    of requests waiting (``mean_waiting()``), the figures a connection monitor shows."""

    def __init__(self, port, size, timeout=5.0, compress=False):
        self.size = v.integer("size", size, low=1, high=512)
        self.timeout = v.positive("timeout", timeout)
        self.clients = [DatabaseClient(port, compress=compress) for _ in range(self.size)]
        self.idle = list(self.clients)          # free connections, the most recently used last
        self.queue = collections.deque()        # waiting requests, each [event, the connection handed to it]
        self.lock = threading.Lock()
        self.in_use = self.waiting = 0          # connections lent out and requests waiting, right now
        self.reset()

    def reset(self):
        """Zero the counters (waits, holds, in-use and waiting time-averages, timeouts); connections lent out and
        requests waiting at that moment stay counted as such."""
        with self.lock:
            self.waits_s, self.holds_s, self.timeouts = [], [], 0
            self.area = self.wait_area = 0.0
            self.since = self.last = time.perf_counter()

    def _advance(self, delta, waiting=0):
        now = time.perf_counter()
        self.area += self.in_use * (now - self.last)
        self.wait_area += self.waiting * (now - self.last)
        self.last, self.in_use, self.waiting = now, self.in_use + delta, self.waiting + waiting

    def _acquire(self):
        start = time.perf_counter()
        with self.lock:
            if self.idle and not self.queue:
                self.waits_s.append(0.0)
                self._advance(+1)
                return self.idle.pop()
            ticket = [threading.Event(), None]
            self.queue.append(ticket)
            self._advance(0, waiting=+1)
        ticket[0].wait(self.timeout)
        with self.lock:
            if ticket[1] is None:                   # nothing was handed over in time
                self.queue.remove(ticket)
                self.timeouts += 1
                self._advance(0, waiting=-1)
                raise PoolTimeout(f"no free connection within {self.timeout} s (pool of {self.size})")
            self.waits_s.append(time.perf_counter() - start)
            return ticket[1]

    def _release(self, client):
        with self.lock:
            if self.queue:                          # hand it to the longest waiter: still in use, one fewer waiting
                ticket = self.queue.popleft()
                ticket[1] = client
                self._advance(0, waiting=-1)
                ticket[0].set()
            else:
                self._advance(-1)
                self.idle.append(client)

    @contextlib.contextmanager
    def connection(self):
        client = self._acquire()
        got = time.perf_counter()
        try:
            yield client
        finally:
            with self.lock:
                self.holds_s.append(time.perf_counter() - got)
            self._release(client)

    def mean_in_use(self):
        """Time-average number of connections lent out since the last reset."""
        with self.lock:
            self._advance(0)
            return self.area / max(self.last - self.since, 1e-9)

    def mean_waiting(self):
        """Time-average number of requests waiting for a connection since the last reset (the pool's queue)."""
        with self.lock:
            self._advance(0)
            return self.wait_area / max(self.last - self.since, 1e-9)

    def close(self):
        for client in self.clients:
            client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# ---------------------------------------------------------------------------------------------------- benchmarks
def _page_in_process(db, authors, approach):
    if approach == "join":
        return len(db.execute(JOIN_SQL, (authors,)).fetchall()), 1
    first = db.execute(AUTHORS_SQL, (authors,)).fetchall()
    rows = sum(len(db.execute(POSTS_OF_SQL, (author_id,)).fetchall()) for author_id, _ in first)
    return rows, 1 + len(first)


def _page_remote(client, authors, approach):
    if approach == "join":
        return len(client.query(JOIN_SQL, (authors,))), 1
    first = client.query(AUTHORS_SQL, (authors,))
    rows = sum(len(client.query(POSTS_OF_SQL, (author_id,))) for author_id, _ in first)
    return rows, 1 + len(first)


def n_plus_one(authors=(10, 50, 100), posts_per_author=5, repeats=5, where=("in-process", "loopback"), io_ms=0.0):
    """A page that lists ``authors`` authors with their posts, built with N + 1 queries (one for the authors, one
    per author for the posts) or with one join, on an indexed SQLite file: in this process ("in-process") and
    through the database server over one keep-alive loopback connection ("loopback", each query a round trip).

    One row per (where, authors, approach, repeat): queries, rows (posts on the page), wall_s, ms_per_query.
    The server process and the temporary file are removed on exit, whatever happens."""
    import pandas as pd

    from .harness import temporary_directory

    sizes = [v.integer("authors", a, low=1, high=10_000) for a in authors]
    v.integer("repeats", repeats, low=1, high=1000)
    for w in where:
        if w not in ("in-process", "loopback"):
            raise ValueError(f"where must hold only 'in-process' and 'loopback', got {w!r}")
    rows = []
    with temporary_directory("scalelab-nplus1-") as folder:
        path = make_blog(os.path.join(folder, "blog.sqlite"), authors=max(sizes), posts_per_author=posts_per_author)
        with contextlib.ExitStack() as stack:
            runners = {}
            if "in-process" in where:
                db = stack.enter_context(contextlib.closing(sqlite3.connect(path)))
                runners["in-process"] = lambda a, how: _page_in_process(db, a, how)
            if "loopback" in where:
                server = stack.enter_context(DatabaseServer(path, io_ms=io_ms))
                client = DatabaseClient(server.port)
                stack.callback(client.close)
                runners["loopback"] = lambda a, how: _page_remote(client, a, how)
            for w in where:
                for a in sizes:
                    for how in ("N+1", "join"):
                        runners[w](a, how)  # warm-up
                        for r in range(repeats):
                            t0 = time.perf_counter()
                            got, queries = runners[w](a, how)
                            wall = time.perf_counter() - t0
                            rows.append({"where": w, "authors": a, "approach": how, "repeat": r, "queries": queries,
                                         "rows": got, "wall_s": wall, "ms_per_query": 1000 * wall / queries})
    return pd.DataFrame(rows)


def _pool_run(pool, rate, requests, hold_sql, hold_args, rng, handler_threads=64):
    """Open-loop requests at ``rate``/s, each taking a pool connection for one query; per-request rows."""
    import concurrent.futures as cf

    import numpy as np

    gaps = rng.exponential(1 / rate, requests)
    scheduled = np.cumsum(gaps) - gaps[0]
    records = [None] * requests

    def one(i, t0):
        arrived = time.perf_counter()
        try:
            with pool.connection() as db:
                got = time.perf_counter()
                db.query(hold_sql, hold_args)
                done = time.perf_counter()
            records[i] = (scheduled[i], arrived - t0, got - arrived, done - got, done - t0, True)
        except PoolTimeout:
            now = time.perf_counter()
            records[i] = (scheduled[i], arrived - t0, now - arrived, 0.0, now - t0, False)

    with cf.ThreadPoolExecutor(handler_threads) as executor:
        t0 = time.perf_counter()
        futures = []
        for i, when in enumerate(scheduled):
            delay = when - (time.perf_counter() - t0)
            if delay > 0:
                time.sleep(delay)
            futures.append(executor.submit(one, i, t0))
        for future in futures:
            future.result()
    return records


def pool_sweep(pool_sizes=(2, 3, 4, 6, 8), rate=200.0, seconds=1.0, io_ms=15.0, timeout=2.0, rng=None):
    """Requests arriving at ``rate``/s (Poisson), each holding one pooled connection for a query that waits
    ``io_ms`` on the server, on pools of each size (one database server process, one keep-alive connection per
    pool slot). One row per pool size: requests, ok, timeouts, offered load lambda * mean hold (Little's law: the
    connections in use on average), mean_in_use measured by the pool, hold_ms (mean), wait_mean_ms, wait_p95_ms,
    throughput_rps."""
    import numpy as np
    import pandas as pd

    from .. import _random
    from .harness import temporary_directory

    sizes = [v.integer("pool_sizes", k, low=1, high=256) for k in pool_sizes]
    lam = v.positive("rate", rate)
    n = max(1, int(round(lam * v.positive("seconds", seconds))))
    generator = _random.rng(rng)
    rows = []
    with temporary_directory("scalelab-pool-") as folder:
        path = make_blog(os.path.join(folder, "blog.sqlite"), authors=50, posts_per_author=2)
        with DatabaseServer(path, io_ms=v.non_negative("io_ms", io_ms)) as server:
            for k in sizes:
                with ConnectionPool(server.port, k, timeout=timeout) as pool:
                    for client in pool.clients:
                        client.query("SELECT 1")          # open every connection before the clock runs
                    pool.reset()
                    records = _pool_run(pool, lam, n, POSTS_OF_SQL, (1,), generator)
                    in_use = pool.mean_in_use()
                frame = pd.DataFrame(records, columns=["scheduled_s", "arrived_s", "wait_s", "hold_s", "end_s", "ok"])
                ok = frame[frame["ok"]]
                span = float(frame["end_s"].max() - frame["scheduled_s"].min())
                rows.append({"pool_size": k, "rate_rps": lam, "requests": n, "ok": len(ok),
                             "timeouts": int((~frame["ok"]).sum()), "hold_ms": 1000 * ok["hold_s"].mean(),
                             "offered_connections": lam * ok["hold_s"].mean(), "mean_in_use": in_use,
                             "wait_mean_ms": 1000 * frame["wait_s"].mean(),
                             "wait_p95_ms": 1000 * float(np.percentile(frame["wait_s"], 95)),
                             "throughput_rps": len(ok) / span})
    return pd.DataFrame(rows)


def pool_concurrency(concurrency=(1, 2, 4, 8, 16), pool_size=4, io_ms=10.0, seconds=0.3):
    """Rising closed-loop concurrency on one pool: ``c`` threads each run queries back to back for ``seconds``
    (each holding a connection for a query that waits ``io_ms`` on the server), so c requests are in the loop the
    whole time. One row per c: requests, throughput_rps, wait_mean_ms (for a connection), hold_ms (mean),
    mean_in_use, and users_little = throughput x (wait + hold): Little's law on the loop, c when the counts agree."""
    import pandas as pd

    from .harness import temporary_directory

    levels = [v.integer("concurrency", c, low=1, high=256) for c in concurrency]
    k = v.integer("pool_size", pool_size, low=1, high=256)
    duration = v.number("seconds", seconds, 0.01, 60)
    rows = []
    with temporary_directory("scalelab-pool-") as folder:
        path = make_blog(os.path.join(folder, "blog.sqlite"), authors=50, posts_per_author=2)
        with DatabaseServer(path, io_ms=v.non_negative("io_ms", io_ms)) as server, \
                ConnectionPool(server.port, k, timeout=10.0) as pool:
            for client in pool.clients:
                client.query("SELECT 1")
            for c in levels:
                stop = threading.Event()
                failures = []

                def user(stop, failures):
                    try:
                        while not stop.is_set():
                            with pool.connection() as db:
                                db.query(POSTS_OF_SQL, (1,))
                    except BaseException as error:   # noqa: BLE001 - reported in the main thread
                        failures.append(error)

                threads = [threading.Thread(target=user, args=(stop, failures)) for _ in range(c)]
                for thread in threads:
                    thread.start()
                time.sleep(0.02)                                   # every user is in the loop
                pool.reset()
                time.sleep(duration)
                with pool.lock:
                    waits, holds = list(pool.waits_s), list(pool.holds_s)
                in_use = pool.mean_in_use()
                wall = time.perf_counter() - pool.since
                stop.set()
                for thread in threads:
                    thread.join()
                if failures:
                    raise failures[0]
                done = min(len(waits), len(holds))
                wait_s = sum(waits) / max(len(waits), 1)
                hold_s = sum(holds) / max(len(holds), 1)
                rows.append({"concurrency": c, "pool_size": k, "requests": done, "throughput_rps": done / wall,
                             "wait_mean_ms": 1000 * wait_s, "hold_ms": 1000 * hold_s, "mean_in_use": in_use,
                             "users_little": done / wall * (wait_s + hold_s)})
    return pd.DataFrame(rows)


def _evict(path):
    """Ask the kernel to drop a file's pages from the page cache (Linux posix_fadvise; else a no-op)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return True


def cold_cache_lookups(rows=200_000, lookups=2000, repeats=3, rng=None):
    """High I/O wait made visible: the same ``lookups`` primary-key lookups at random rows of a SQLite file whose
    pages are in the page cache ("warm") or were just evicted from it ("cold", posix_fadvise DONTNEED: each
    lookup then reads its pages from the disk).

    One row per (cache, repeat): wall_s, cpu_s (this process), off_cpu_share = 1 - cpu / wall (time spent not
    running, here waiting for the disk), iowait_s (the machine's I/O-wait CPU time in that interval, from psutil;
    0 where the OS does not report it) and file_bytes. A fresh connection each time, so SQLite's own page cache
    starts empty."""
    import pandas as pd
    import psutil

    from .. import _random
    from .harness import temporary_directory

    n = v.integer("rows", rows, low=1000, high=5_000_000)
    k = v.integer("lookups", lookups, low=1, high=1_000_000)
    v.integer("repeats", repeats, low=1, high=100)
    ids = [int(i) for i in _random.rng(rng).integers(1, n + 1, k)]
    out = []
    with temporary_directory("scalelab-iowait-") as folder:
        path = os.path.join(folder, "lookups.sqlite")
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)")
            db.executemany("INSERT INTO t (pad) VALUES (?)", ((f"{i:08d}" * 12,) for i in range(n)))
            db.commit()
        size = os.path.getsize(path)
        for r in range(repeats):
            for cache in ("warm", "cold"):
                if cache == "cold":
                    _evict(path)
                else:
                    with open(path, "rb") as handle:      # read it once: every page is in memory
                        while handle.read(1 << 20):
                            pass
                io0 = getattr(psutil.cpu_times(), "iowait", 0.0)
                w0, c0 = time.perf_counter(), time.process_time()
                with contextlib.closing(sqlite3.connect(path)) as db:
                    for i in ids:
                        db.execute("SELECT pad FROM t WHERE id = ?", (i,)).fetchone()
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                out.append({"cache": cache, "repeat": r, "lookups": k, "wall_s": wall, "cpu_s": cpu,
                            "us_per_lookup": 1e6 * wall / k, "off_cpu_share": max(0.0, 1 - cpu / wall),
                            "iowait_s": getattr(psutil.cpu_times(), "iowait", 0.0) - io0, "file_bytes": size})
    return pd.DataFrame(out)


def index_speedup(volume):
    """From ``scenarios.volume_test``'s rows: per table size, the median lookup without and with the index, the
    speed-up (scan / index) and both query plans."""
    for column in ("rows", "indexed", "median_ms", "plan"):
        if column not in volume.columns:
            raise ValueError(f"volume must have the columns of scenarios.volume_test; missing {column!r}")
    scan = volume[~volume["indexed"]].set_index("rows")
    index = volume[volume["indexed"]].set_index("rows")
    out = scan[["median_ms"]].rename(columns={"median_ms": "scan_ms"})
    out["index_ms"] = index["median_ms"]
    out["speedup"] = out["scan_ms"] / out["index_ms"]
    out["plan_without_index"], out["plan_with_index"] = scan["plan"], index["plan"]
    return out.reset_index()
