"""The same shop data in 1 vs n real SQLite files: routed point lookups, scatter-gather queries, a cross-shard join.

Users and their orders are sharded by ``modulo_shard(user_id, n)`` (so a user's orders sit with the user); products
are sharded by ``modulo_shard("product:<id>", n)``, so joining orders to products crosses shards.

    with temporary_directory() as folder, ShardSet(folder, 4, make_dataset()) as shards:
        shards.point_lookup(17)                    # one query on one shard
        shards.revenue_between(10, 40)             # one query on every shard, results merged
        shards.revenue_by_category(10, 40)         # orders from all shards joined with products from all shards
"""
import os
import sqlite3
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from .. import _validate as v
from .._random import rng as _rng
from ..partition import modulo_shard
from .harness import temporary_directory

REGIONS = ("us", "eu", "asia")
CATEGORIES = ("books", "games", "garden", "kitchen", "music", "toys")
QUERIES = ("point lookup (routed)", "scatter-gather (sequential)", "scatter-gather (threads)", "cross-shard join")


def make_dataset(n_users=2000, orders_per_user=10, n_products=300, days=365, rng=None):
    """Rows of a small shop: users (id, name, region), products (id, category, price), orders (id, user_id,
    product_id, day, amount). Returns a dict of lists of tuples; randomness only via ``scalelab.rng(rng)``."""
    n_users = v.integer("n_users", n_users, low=1)
    orders_per_user = v.integer("orders_per_user", orders_per_user, low=1)
    n_products = v.integer("n_products", n_products, low=1)
    days = v.integer("days", days, low=1)
    gen = _rng(rng)
    users = [(u, f"user{u}", REGIONS[int(r)]) for u, r in enumerate(gen.integers(0, len(REGIONS), n_users))]
    prices = gen.uniform(1, 100, n_products).round(2)
    cats = gen.integers(0, len(CATEGORIES), n_products)
    products = [(p, CATEGORIES[int(c)], float(x)) for p, (c, x) in enumerate(zip(cats, prices))]
    n_orders = n_users * orders_per_user
    order_users = gen.integers(0, n_users, n_orders)
    order_products = gen.integers(0, n_products, n_orders)
    order_days = gen.integers(0, days, n_orders)
    orders = [(i, int(u), int(p), int(d), float(prices[p])) for i, (u, p, d)
              in enumerate(zip(order_users, order_products, order_days))]
    return {"users": users, "products": products, "orders": orders}


SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, region TEXT);
CREATE TABLE products (id INTEGER PRIMARY KEY, category TEXT, price REAL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, product_id INTEGER, day INTEGER, amount REAL);
CREATE INDEX orders_by_user ON orders (user_id);
"""


class ShardUnavailable(RuntimeError):
    """A query needed a shard that is marked down."""


class ShardSet:
    """n SQLite files in ``folder`` holding ``dataset`` split by user (users, orders) and by product (products).

    A context manager: closes its connections and thread pool on exit. ``shard_of_user`` is the router.
    """

    def __init__(self, folder, n_shards, dataset):
        self.n_shards = v.integer("n_shards", n_shards, low=1, high=64)
        if not os.path.isdir(folder):
            raise ValueError(f"folder must be an existing directory, got {folder!r}")
        self.paths = [os.path.join(folder, f"shard{i}of{n_shards}.sqlite") for i in range(n_shards)]
        self.conns = []
        self.pool = None
        self.down = set()
        try:
            self._build(dataset)
            self.pool = ThreadPoolExecutor(max_workers=self.n_shards, thread_name_prefix="shard")
        except BaseException:
            self.close()
            raise

    def _build(self, dataset):
        parts = {name: [[] for _ in range(self.n_shards)] for name in ("users", "products", "orders")}
        for row in dataset["users"]:
            parts["users"][self.shard_of_user(row[0])].append(row)
        for row in dataset["orders"]:
            parts["orders"][self.shard_of_user(row[1])].append(row)
        for row in dataset["products"]:
            parts["products"][self.shard_of_product(row[0])].append(row)
        for i, path in enumerate(self.paths):
            for stale in (path, path + "-wal", path + "-shm"):
                if os.path.exists(stale):
                    os.remove(stale)
            conn = sqlite3.connect(path, check_same_thread=False)
            self.conns.append(conn)
            conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;" + SCHEMA)
            with conn:
                conn.executemany("INSERT INTO users VALUES (?, ?, ?)", parts["users"][i])
                conn.executemany("INSERT INTO products VALUES (?, ?, ?)", parts["products"][i])
                conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", parts["orders"][i])

    def shard_of_user(self, user_id):
        """The shard holding a user and the user's orders."""
        return modulo_shard(user_id, self.n_shards)

    def shard_of_product(self, product_id):
        """The shard holding a product."""
        return modulo_shard(f"product:{product_id}", self.n_shards)

    def close(self):
        """Close the thread pool and every connection (safe to call twice)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
        for conn in self.conns:
            conn.close()
        self.conns = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def file_sizes(self):
        """Bytes on disk of each shard file (a list), after a checkpoint of the write-ahead log."""
        for conn in self.conns:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return [os.path.getsize(path) for path in self.paths]

    def _conn(self, shard):
        if shard in self.down:
            raise ShardUnavailable(f"shard {shard} is down")
        return self.conns[shard]

    # --- queries ---------------------------------------------------------------------------------------------------
    def point_lookup(self, user_id):
        """A user's region, order count and total spend: two indexed queries on the one shard that holds them."""
        conn = self._conn(self.shard_of_user(user_id))
        region = conn.execute("SELECT region FROM users WHERE id = ?", (user_id,)).fetchone()
        count, total = conn.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM orders WHERE user_id = ?",
                                    (user_id,)).fetchone()
        return (region[0] if region else None, count, round(total, 2))

    def scatter(self, sql, params=(), parallel=False):
        """Run ``sql`` on every shard (in the thread pool if ``parallel``); return the list of each shard's rows."""
        conns = [self._conn(i) for i in range(self.n_shards)]

        def run(conn):
            return conn.execute(sql, params).fetchall()
        if parallel and self.n_shards > 1:
            return list(self.pool.map(run, conns))
        return [run(conn) for conn in conns]

    def revenue_between(self, first_day, last_day, parallel=False):
        """(orders, revenue) over days first_day..last_day: a full scan on every shard, partial sums merged."""
        parts = self.scatter("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM orders WHERE day BETWEEN ? AND ?",
                             (first_day, last_day), parallel)
        return (sum(p[0][0] for p in parts), round(sum(p[0][1] for p in parts), 2))

    def revenue_by_category(self, first_day, last_day):
        """{category: revenue} over a day range. One shard: a SQL JOIN. n shards: gather orders from every shard,
        fetch their products from every shard, join in Python (the application does the database's work)."""
        if self.n_shards == 1:
            rows = self.conns[0].execute(
                "SELECT p.category, SUM(o.amount) FROM orders o JOIN products p ON p.id = o.product_id "
                "WHERE o.day BETWEEN ? AND ? GROUP BY p.category", (first_day, last_day)).fetchall()
            return {c: round(s, 2) for c, s in sorted(rows)}
        orders = [r for part in self.scatter("SELECT product_id, amount FROM orders WHERE day BETWEEN ? AND ?",
                                             (first_day, last_day)) for r in part]
        wanted = [[] for _ in range(self.n_shards)]
        for pid in {pid for pid, _ in orders}:
            wanted[self.shard_of_product(pid)].append(pid)
        category = {}
        for shard, ids in enumerate(wanted):
            conn = self._conn(shard)
            if ids:
                marks = ",".join("?" * len(ids))
                category.update(conn.execute(f"SELECT id, category FROM products WHERE id IN ({marks})", ids))
        totals = {}
        for pid, amount in orders:
            totals[category[pid]] = totals.get(category[pid], 0.0) + amount
        return {c: round(s, 2) for c, s in sorted(totals.items())}


def outage_effect(shards, down, user_ids, window=(0, 29)):
    """Mark shard ``down`` as failed and try a point lookup per user and one scatter-gather query.

    Returns a DataFrame: query, attempted, served, served_fraction. The shard is marked up again afterwards.
    """
    down = v.integer("down", down, low=0, high=shards.n_shards - 1)
    shards.down = {down}
    try:
        served = 0
        for user in user_ids:
            try:
                shards.point_lookup(int(user))
                served += 1
            except ShardUnavailable:
                pass
        try:
            shards.revenue_between(*window)
            scatter = 1
        except ShardUnavailable:
            scatter = 0
    finally:
        shards.down = set()
    n = len(user_ids)
    return pd.DataFrame([{"query": "point lookup (routed)", "attempted": n, "served": served,
                          "served_fraction": served / n},
                         {"query": "scatter-gather", "attempted": 1, "served": scatter, "served_fraction": scatter}])


def transfer_demo(folder, amount=100):
    """Move ``amount`` between two accounts and crash half-way, once inside one database and once across two shards.

    One database: debit and credit share one transaction, the crash rolls both back. Two shards: each file commits on
    its own, the debit is committed before the crash, the credit never happens. Returns a DataFrame: layout,
    total_before, total_after, lost (money units).
    """
    if not os.path.isdir(folder):
        raise ValueError(f"folder must be an existing directory, got {folder!r}")
    amount = v.positive("amount", amount)
    rows = []
    for layout, files in (("one database", ["bank.sqlite", "bank.sqlite"]),
                          ("two shards", ["bank_a.sqlite", "bank_b.sqlite"])):
        paths = [os.path.join(folder, f) for f in files]
        conns = [sqlite3.connect(paths[0])]
        conns.append(conns[0] if paths[1] == paths[0] else sqlite3.connect(paths[1]))
        try:
            for conn, account in zip(conns, ("alice", "bob")):
                conn.execute("CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, balance REAL)")
                conn.execute("INSERT OR REPLACE INTO accounts VALUES (?, 1000)", (account,))
                conn.commit()

            def total(conns=conns):
                return sum(c.execute("SELECT SUM(balance) FROM accounts WHERE name = ?", (n,)).fetchone()[0]
                           for c, n in zip(conns, ("alice", "bob")))
            before = total()
            try:
                conns[0].execute("UPDATE accounts SET balance = balance - ? WHERE name = 'alice'", (amount,))
                if conns[1] is not conns[0]:
                    conns[0].commit()  # a shard can only commit its own half
                raise ConnectionError("crash between debit and credit")
            except ConnectionError:
                for conn in conns:
                    conn.rollback()
            after = total()
            rows.append({"layout": layout, "total_before": before, "total_after": after, "lost": before - after})
        finally:
            for conn in set(conns):
                conn.close()
    return pd.DataFrame(rows)


def crash_transfers(folder, crash_probabilities=(0.1, 0.3, 0.5, 0.7, 0.9), transfers=200, amount=10, rng=None):
    """Transfers between two accounts on two real SQLite shards, where each shard's commit fails (a crash before it
    commits) with probability p, independently; one fresh pair of files per p.

    The debit (shard A: the balance and a row in ``debits``) commits first, then the credit (shard B: the balance and
    a row in ``credits``). A failed debit rolls back: nothing happened. A failed credit after a committed debit
    leaves the transfer half-done. The counts come from the files afterwards: half_done = debits without a credit,
    money_lost = the total balance before minus after. folder: an existing directory; crash_probabilities in [0, 1];
    transfers: 1..100,000; amount > 0; rng: crash draws. Returns one row per p: crash_probability, transfers,
    completed, aborted, half_done, half_done_fraction, money_lost.
    """
    if not os.path.isdir(folder):
        raise ValueError(f"folder must be an existing directory, got {folder!r}")
    probabilities = [v.probability("crash_probabilities", p) for p in crash_probabilities]
    if not probabilities:
        raise ValueError("crash_probabilities must hold at least one probability in [0, 1]")
    n = v.integer("transfers", transfers, low=1, high=100_000)
    amount = v.positive("amount", amount)
    gen = _rng(rng)
    rows = []
    for k, p in enumerate(probabilities):
        crashes = gen.random((n, 2)) < p  # [debit's commit fails, credit's commit fails]
        a = sqlite3.connect(os.path.join(folder, f"crash_{k}_a.sqlite"))
        b = sqlite3.connect(os.path.join(folder, f"crash_{k}_b.sqlite"))
        try:
            for conn, table, account in ((a, "debits", "alice"), (b, "credits", "bob")):
                conn.execute("PRAGMA synchronous = OFF")
                conn.execute("CREATE TABLE accounts (name TEXT PRIMARY KEY, balance REAL)")
                conn.execute(f"CREATE TABLE {table} (transfer_id INTEGER PRIMARY KEY)")
                conn.execute("INSERT INTO accounts VALUES (?, ?)", (account, 10.0 * amount * n))
                conn.commit()

            def total(a=a, b=b):
                return (a.execute("SELECT balance FROM accounts").fetchone()[0]
                        + b.execute("SELECT balance FROM accounts").fetchone()[0])
            before = total()
            for i in range(n):
                a.execute("UPDATE accounts SET balance = balance - ? WHERE name = 'alice'", (amount,))
                a.execute("INSERT INTO debits VALUES (?)", (i,))
                if crashes[i, 0]:
                    a.rollback()  # crashed before the debit committed: nothing happened
                    continue
                a.commit()
                b.execute("UPDATE accounts SET balance = balance + ? WHERE name = 'bob'", (amount,))
                b.execute("INSERT INTO credits VALUES (?)", (i,))
                if crashes[i, 1]:
                    b.rollback()  # the debit is committed on its own shard; the credit is lost
                else:
                    b.commit()
            debited = {r[0] for r in a.execute("SELECT transfer_id FROM debits")}
            credited = {r[0] for r in b.execute("SELECT transfer_id FROM credits")}
            half_done = len(debited - credited)
            rows.append({"crash_probability": p, "transfers": n, "completed": len(debited & credited),
                         "aborted": n - len(debited), "half_done": half_done, "half_done_fraction": half_done / n,
                         "money_lost": before - total()})
        finally:
            a.close()
            b.close()
    return pd.DataFrame(rows)


def _time_per_query(fn, args_list):
    start = time.perf_counter()
    answers = [fn(*args) for args in args_list]
    return (time.perf_counter() - start) / len(args_list), answers


def compare_layouts(shard_counts=(1, 4), n_users=2000, orders_per_user=10, lookups=300, scans=20, repeats=3,
                    rng=None):
    """Time each query kind on the same data laid out in 1 and in n SQLite files (in a temporary directory).

    Returns a DataFrame, one row per (shards, query, repeat): ``per_query_s`` (seconds per query), ``queries``
    (how many were timed), ``shards_touched`` (shards each query visits) and ``answer`` (a checksum, equal across
    layouts: sharding changes where data lives, not the answers).
    """
    counts = [v.integer("shard_counts", n, low=1, high=64) for n in shard_counts]
    lookups = v.integer("lookups", lookups, low=1)
    scans = v.integer("scans", scans, low=1)
    repeats = v.integer("repeats", repeats, low=1)
    gen = _rng(rng)
    data = make_dataset(n_users, orders_per_user, rng=gen)
    users = [(int(u),) for u in gen.integers(0, n_users, lookups)]
    windows = [(int(d), int(d) + 29) for d in gen.integers(0, 335, scans)]
    rows = []
    with temporary_directory(prefix="scalelab-shards-") as folder:
        for n in counts:
            with ShardSet(folder, n, data) as shards:
                kinds = {
                    "point lookup (routed)": (shards.point_lookup, users, 1),
                    "scatter-gather (sequential)": (shards.revenue_between, windows, n),
                    "scatter-gather (threads)": (lambda a, b: shards.revenue_between(a, b, parallel=True), windows, n),
                    "cross-shard join": (shards.revenue_by_category, windows[: max(1, scans // 2)], n),
                }
                for query, (fn, args, touched) in kinds.items():
                    fn(*args[0])  # warm-up
                    for r in range(repeats):
                        per_query, answers = _time_per_query(fn, args)
                        rows.append({"shards": n, "query": query, "repeat": r, "queries": len(args),
                                     "shards_touched": touched, "per_query_s": per_query,
                                     "answer": zlib.crc32(repr(answers).encode())})
    return pd.DataFrame(rows)
