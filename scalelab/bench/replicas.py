"""A replicated key-value store: N replica processes on 127.0.0.1, quorum reads and writes, and partitions.

- Each **replica** is an HTTP server in its own process holding, per key, its *siblings*: versions no other version
  it holds descends from (version vectors, ``scalelab.models.versions``). ``POST /get``, ``/put`` and
  ``/coordinate`` (the replica that coordinates a write gives it the next counter of its version vector) take and
  answer JSON; ``/partition`` sets the groups of replicas that can talk; ``/dump`` and ``/reset`` are for the
  experimenter. Every message says which replica's side it comes from (``from``); while a partition separates the
  two, the replica closes the connection without an answer, as if the message were lost.
- A **client** (``StoreClient``) coordinates its own operations, as Dynamo's client libraries do. A write reads a
  context from R replicas, has one replica coordinate it, stores it on W replicas in all, and sends it to the rest
  later (after ``lag_s``: the replication stream); a read asks R replicas and returns the newest version by
  timestamp (last-writer-wins). Replicas are tried in a random order (``rng``), so R and W random replicas answer.
- **Modes**: "cp" needs R replies to read and to start a write and W acknowledgements to finish one, and makes a
  read write its answer back to W replicas before returning (so reads never go back in time: ABD's rule); it
  refuses otherwise. "ap" accepts whatever at least one replica answers (a sloppy quorum) and diverges in a
  partition; ``ReplicaSet.anti_entropy()`` merges the replicas after it heals.
- Every operation is recorded (client, op, key, value, ok, start, end in seconds) for the linearizability checker.

The benchmarks return DataFrames (and the recorded history); ``ReplicaSet`` stops its processes on success, error
and Ctrl-C.
"""
import concurrent.futures
import heapq
import http.client
import json
import math
import threading
import time
from dataclasses import dataclass, field

from .. import _validate as v
from ..models import versions as vs
from . import processes
from .http import QuietJsonHandler

HOST = "127.0.0.1"
MODES = ("cp", "ap")


def replica_name(i):
    """The name of replica i in version vectors: "r0", "r1", ..."""
    return f"r{i}"


# ----------------------------------------------------------------------------------------------------- the replica
def _make_handler(name, index, lock, data, net, counters):
    class Handler(QuietJsonHandler):
        def do_GET(self):
            if self.path == "/health":
                return self.reply(200, {"ok": True})
            if self.path == "/dump":
                with lock:
                    return self.reply(200, {"replica": name, "data": data})
            if self.path == "/stats":
                with lock:
                    return self.reply(200, dict(counters))
            return self.reply(404, {"error": "no such path"})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path == "/partition":
                with lock:
                    net["groups"] = body.get("groups")
                return self.reply(200, {"ok": True})
            if self.path == "/reset":
                with lock:
                    data.clear()
                    counters.update(handled=0, dropped=0)
                return self.reply(200, {"ok": True})
            if not _reachable(net.get("groups"), body.get("from"), index):
                with lock:
                    counters["dropped"] += 1
                self.close_connection = True  # the message is lost: no answer at all
                return None
            with lock:
                counters["handled"] += 1
                siblings = data.get(body.get("key"), [])
                if self.path == "/get":
                    return self.reply(200, {"replica": name, "versions": siblings})
                if self.path == "/coordinate":
                    clock = vs.next_clock(body["context"], name, [s["vv"] for s in siblings])
                    version = {"value": body["value"], "ts": body["ts"], "vv": clock}
                    data[body["key"]], _ = vs._add_version(siblings, version)
                    return self.reply(200, {"replica": name, "version": version})
                if self.path == "/put":
                    for version in body["versions"]:
                        siblings, _ = vs._add_version(siblings, version)
                    data[body["key"]] = siblings
                    return self.reply(200, {"replica": name, "stored": True})
            return self.reply(404, {"error": "no such path"})

    return Handler


def _reachable(groups, sender, index):
    """True when a message from replica ``sender``'s side reaches replica ``index`` (no partition: always)."""
    if not groups or sender is None:
        return True
    return any(sender in g and index in g for g in groups)


def serve_replica(ready, index):
    """Process entry point: replica ``index`` on 127.0.0.1, an ephemeral port (reported through ready)."""
    lock, data, net, counters = threading.Lock(), {}, {"groups": None}, {"handled": 0, "dropped": 0}
    processes.serve_on_loopback(ready, _make_handler(replica_name(index), index, lock, data, net, counters))


def _post(port, path, payload, timeout):
    """POST JSON to 127.0.0.1:port; the decoded answer, or None if the message was lost (no answer, refused)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        data = json.dumps(payload).encode()
        connection.request("POST", path, body=data, headers={"Content-Type": "application/json",
                                                            "Connection": "close"})
        reply = connection.getresponse()
        return json.loads(reply.read()) if reply.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()


# ------------------------------------------------------------------------------------------------ the replica set
class ReplicaSet:
    """``n`` replica processes on 127.0.0.1. Use it as a context manager::

        with ReplicaSet(5) as store:
            client = store.client("a", r=3, w=3)
            client.write("x", 1)

    timeout_s: how long a client waits for one replica's answer. The set also runs the replication stream (the
    delayed copies of each write to the replicas outside its write quorum) and records every client's operations.
    """

    def __init__(self, n=5, timeout_s=1.0):
        self.n = v.integer("n", n, low=1, high=15)
        self.timeout_s = v.positive("timeout_s", timeout_s)
        self.processes, self.ports = [], []
        self.pool = None
        self.history, self.acknowledged = [], []
        self.lock = threading.Lock()
        self.groups = None
        self.t0 = time.perf_counter()
        self._stream = _Stream(self)

    # lifecycle
    def start(self):
        """Start every replica (in parallel) and the message pool; stop what started if one fails or on Ctrl-C."""
        if self.processes:
            return self
        starter = concurrent.futures.ThreadPoolExecutor(self.n)
        futures = [starter.submit(processes.start, serve_replica, index=i) for i in range(self.n)]
        try:
            concurrent.futures.wait(futures)
        finally:
            starter.shutdown(wait=True)
            started = [f.result() for f in futures if f.exception() is None]
            self.processes = [p for p, _ in started]
            self.ports = [port for _, port in started]
        if len(self.processes) < self.n:
            count = len(self.processes)
            self.stop()
            raise RuntimeError(f"only {count} of {self.n} replicas started")
        self.pool = concurrent.futures.ThreadPoolExecutor(max(8, 3 * self.n))
        self._stream.start()
        return self

    def stop(self):
        """Stop the replication stream, the message pool and every replica process. Safe to call twice."""
        self._stream.stop()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        for process in self.processes:
            processes.stop(process)
        self.processes, self.ports = [], []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def _need_started(self):
        if not self.processes:
            raise RuntimeError("the replicas are not started: use the ReplicaSet in a `with` block or call start()")

    # the experimenter's controls
    def send(self, replica, path, payload):
        """One message to replica ``replica`` (0..n-1); its answer, or None if lost."""
        self._need_started()
        return _post(self.ports[replica], path, payload, self.timeout_s)

    def partition(self, groups):
        """Cut the network into ``groups`` (lists of replica indices covering 0..n-1); None heals it."""
        self._need_started()
        if groups is not None:
            flat = sorted(i for g in groups for i in g)
            if flat != list(range(self.n)):
                raise ValueError(f"groups must split the replicas 0..{self.n - 1} into disjoint lists, got {groups!r}")
            groups = [sorted(int(i) for i in g) for g in groups]
        for i in range(self.n):
            _post(self.ports[i], "/partition", {"groups": groups}, self.timeout_s)
        self.groups = groups

    def heal(self):
        """Remove the partition (every replica can talk to every other again)."""
        self.partition(None)

    def reset(self):
        """Forget every key on every replica, the pending replication messages and the recorded history."""
        self._need_started()
        self._stream.drain()
        self._stream.clear()
        for i in range(self.n):
            _post(self.ports[i], "/reset", {}, self.timeout_s)
        with self.lock:
            self.history, self.acknowledged = [], []
        self.t0 = time.perf_counter()

    def dump(self):
        """{replica index: {key: siblings}} of every replica (the experimenter's view, ignores partitions)."""
        self._need_started()
        answers = {}
        for i in range(self.n):
            connection = http.client.HTTPConnection(HOST, self.ports[i], timeout=self.timeout_s)
            try:
                connection.request("GET", "/dump")
                answers[i] = json.loads(connection.getresponse().read())["data"]
            finally:
                connection.close()
        return answers

    def anti_entropy(self):
        """After a partition heals: merge every replica's versions of every key and give each replica the merged
        siblings. Returns {key: siblings}: a key with more than one sibling holds concurrent writes (a conflict
        the version vectors detected)."""
        self._stream.drain()
        merged = {}
        for data in self.dump().values():
            for key, siblings in data.items():
                merged.setdefault(key, []).extend(siblings)
        merged = {key: vs.reconcile(versions) for key, versions in merged.items()}
        for key, siblings in merged.items():
            for i in range(self.n):
                _post(self.ports[i], "/put", {"key": key, "versions": siblings, "from": None}, self.timeout_s)
        return merged

    def client(self, name, r, w, mode="cp", home=0, lag_s=0.05, rng=None):
        """A client named ``name`` on replica ``home``'s side of any partition; see ``StoreClient``."""
        self._need_started()
        return StoreClient(self, name, r, w, mode, home, lag_s, rng)

    def record(self, entry, version=None):
        """Keep one operation of the history (and the version of an acknowledged write)."""
        with self.lock:
            self.history.append(entry)
            if version is not None:
                self.acknowledged.append(dict(version, key=entry["key"], client=entry["client"], start=entry["start"]))

    def now(self):
        """Seconds since the set started (or was reset): the history's clock."""
        return time.perf_counter() - self.t0


class _Stream:
    """The replication stream: copies of writes delivered to the other replicas after a delay, from one thread."""

    def __init__(self, store):
        self.store, self.queue, self.cond = store, [], threading.Condition()
        self.thread, self.running, self.busy, self.count = None, False, 0, 0

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def push(self, due, replica, payload):
        with self.cond:
            self.count += 1
            heapq.heappush(self.queue, (due, self.count, replica, payload))
            self.cond.notify()

    def clear(self):
        with self.cond:
            self.queue.clear()

    def drain(self, timeout_s=5.0):
        """Wait until every queued copy has been sent (or lost)."""
        end = time.perf_counter() + timeout_s
        with self.cond:
            while (self.queue or self.busy) and time.perf_counter() < end:
                self.cond.wait(0.01)

    def stop(self):
        with self.cond:
            self.running = False
            self.queue.clear()
            self.cond.notify_all()
        if self.thread is not None:
            self.thread.join(5)
            self.thread = None

    def _run(self):
        while True:
            with self.cond:
                while self.running and (not self.queue or self.queue[0][0] > time.perf_counter()):
                    wait = self.queue[0][0] - time.perf_counter() if self.queue else 0.1
                    self.cond.wait(max(wait, 0.0005))
                if not self.running:
                    return
                _, _, replica, payload = heapq.heappop(self.queue)
                self.busy += 1
            try:
                if self.store.ports:
                    _post(self.store.ports[replica], "/put", payload, self.store.timeout_s)
            finally:
                with self.cond:
                    self.busy -= 1
                    self.cond.notify_all()


# --------------------------------------------------------------------------------------------------- the client
class StoreClient:
    """Coordinates reads and writes of one client against a ``ReplicaSet`` and records each in its history.

    r, w: read and write quorum sizes (1..n); mode: "cp" (refuse without a quorum; reads write back) or "ap"
    (accept whatever one replica answers); home: the replica whose side of a partition the client is on;
    lag_s: delay of the replication stream (s); rng: numpy Generator (or seed) choosing the replicas' order.
    """

    def __init__(self, store, name, r, w, mode="cp", home=0, lag_s=0.05, rng=None):
        from .. import _random

        self.store, self.name = store, str(name)
        self.r = v.integer("r", r, low=1, high=store.n)
        self.w = v.integer("w", w, low=1, high=store.n)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self.home = v.integer("home", home, low=0, high=store.n - 1)
        self.lag_s = v.non_negative("lag_s", lag_s)
        self.rng = _random.rng(rng)
        self.skew_ns = 0

    def _order(self):
        return [int(i) for i in self.rng.permutation(self.store.n)]

    def _ask(self, replicas, path, payload, needed):
        """Send to replicas in order, ``needed`` at a time in parallel, until ``needed`` answered or all were
        tried; returns [(replica, answer)] of those that answered."""
        answers, order = [], list(replicas)
        while order and len(answers) < needed:
            batch, order = order[:needed - len(answers)], order[needed - len(answers):]
            futures = {i: self.store.pool.submit(_post, self.store.ports[i], path, payload, self.store.timeout_s)
                       for i in batch}
            answers += [(i, f.result()) for i, f in futures.items() if f.result() is not None]
        return answers

    def _read_versions(self, key, order, needed):
        answers = self._ask(order, "/get", {"key": key, "from": self.home}, needed)
        versions = [s for _, a in answers for s in a["versions"]]
        return answers, vs.reconcile(versions)

    def read(self, key):
        """Read ``key``: (value, ok). ok False when refused (cp without R replies, ap without any); the value is the
        newest by timestamp among the siblings the replies hold (None if none)."""
        start = self.store.now()
        order = self._order()
        answers, siblings = self._read_versions(key, order, self.r)
        enough = len(answers) >= (self.r if self.mode == "cp" else 1)
        winner = vs.lww(siblings)
        if enough and self.mode == "cp" and winner is not None:
            enough = self._write_back(key, winner, answers, order)
        value = winner["value"] if (winner is not None and enough) else None
        self.store.record({"client": self.name, "op": "read", "key": key, "value": value, "ok": bool(enough),
                           "start": start, "end": self.store.now(), "siblings": len(siblings)})
        return value, bool(enough)

    def _write_back(self, key, winner, answers, order):
        """ABD's rule: before a read returns, W replicas must hold its answer. True when they do."""
        current = [i for i, a in answers if any(vs.descends(s["vv"], winner["vv"]) for s in a["versions"])]
        others = [i for i in order if i not in current]
        acks = self._ask(others, "/put", {"key": key, "versions": [winner], "from": self.home},
                         max(0, self.w - len(current)))
        return len(current) + len(acks) >= self.w

    def write(self, key, value):
        """Write ``value`` to ``key``; returns ok: True (acknowledged), False (refused before any replica stored
        it) or None (stored on some replicas but fewer than W: it may surface later)."""
        start = self.store.now()
        order = self._order()
        answers, siblings = self._read_versions(key, order, self.r)
        ok, version = False, None
        if len(answers) >= (self.r if self.mode == "cp" else 0):
            context = vs.merge_clocks(*[s["vv"] for s in siblings])
            top = max([s["ts"][0] for s in siblings], default=0)
            ts = [max(time.time_ns() + self.skew_ns, top + 1), self.name]
            payload = {"key": key, "value": value, "ts": ts, "context": context, "from": self.home}
            coordinated = self._ask(order, "/coordinate", payload, 1)
            if coordinated:
                first, answer = coordinated[0]
                version = answer["version"]
                rest = [i for i in order if i != first]
                acks = self._ask(rest, "/put", {"key": key, "versions": [version], "from": self.home}, self.w - 1)
                stored = {first} | {i for i, _ in acks}
                ok = True if (len(stored) >= self.w or self.mode == "ap") else None
                due = time.perf_counter() + self.lag_s
                for i in order:
                    if i not in stored:
                        self.store._stream.push(due, i, {"key": key, "versions": [version], "from": self.home})
        entry = {"client": self.name, "op": "write", "key": key, "value": value, "ok": ok, "start": start,
                 "end": self.store.now() if ok is not None else math.inf}
        self.store.record(entry, version if ok else None)
        return ok


# ------------------------------------------------------------------------------------------------- experiments
def stale_reads(store, quorums=((1, 1), (2, 2), (2, 3), (3, 3)), rounds=60, lag_s=0.2, rng=None):
    """Write a fresh key, then read it at once from another client, ``rounds`` times per (r, w) in ``quorums``.

    No partition; the replication stream waits lag_s before copying a write beyond its W replicas, so a read that
    misses all W of them returns nothing new. Returns one row per (r, w): n, r, w, r_plus_w_gt_n, rounds,
    stale_reads (reads that missed the write just acknowledged), stale_share, and model, the chance
    C(n − w, r) / C(n, r) (``scalelab.models.quorum``).
    """
    import pandas as pd

    from .. import _random
    from ..models import quorum

    g = _random.rng(rng)
    count = v.integer("rounds", rounds, low=1, high=10_000)
    rows = []
    for r, w in quorums:
        store.reset()
        writer = store.client("writer", r, w, mode="ap", lag_s=lag_s, rng=g)
        reader = store.client("reader", r, w, mode="ap", lag_s=lag_s, rng=g)
        stale = 0
        for k in range(count):
            key = f"k{k}"
            writer.write(key, k)
            value, _ = reader.read(key)
            stale += value != k
        rows.append({"n": store.n, "r": r, "w": w, "r_plus_w_gt_n": r + w > store.n, "rounds": count,
                     "stale_reads": stale, "stale_share": stale / count,
                     "model": quorum.stale_read_probability(store.n, r, w)})
    return pd.DataFrame(rows)


@dataclass
class PartitionRun:
    """What happened to a store across a partition: per side and phase, operations tried and accepted (``sides``);
    after healing, what each way of resolving the replicas' versions keeps (``reconciliation``); and every operation
    recorded (``history``, for the linearizability checker)."""

    sides: object
    reconciliation: dict
    history: list = field(default_factory=list)
    merged: dict = field(default_factory=dict)


def partition_run(store, mode="cp", r=3, w=3, groups=((0, 1, 2), (3, 4)), keys=4, operations=40, p_read=0.5,
                  lag_s=0.01, rng=None):
    """Run a store through a partition and a heal.

    One client per side of ``groups`` (its home: the side's first replica). Phase "before": every key is written
    once, then each client does ``operations`` random reads and writes (p_read reads) on ``keys`` keys; phase
    "partition": the network is cut into ``groups`` and each client does as many again; then the partition heals
    and ``anti_entropy`` merges the replicas. Clients run one after another, alternating operations (so the
    history is sequential in real time).

    Returns a PartitionRun: ``sides`` a DataFrame with a row per side and phase (side, replicas, phase, reads,
    reads_ok, writes, writes_ok); ``reconciliation`` with keys, acknowledged_writes (during the partition),
    conflicts (keys left with concurrent siblings, which version vectors detect), lost_lww (acknowledged writes
    that no surviving version descends from when last-writer-wins keeps one version per key) and lost_vv (the same
    when every sibling is kept).
    """
    import pandas as pd

    from .. import _random

    g = _random.rng(rng)
    k = v.integer("keys", keys, low=1, high=1000)
    count = v.integer("operations", operations, low=1, high=10_000)
    pr = v.probability("p_read", p_read)
    store.reset()
    clients = [store.client(f"side{s}", r, w, mode=mode, home=int(group[0]), lag_s=lag_s, rng=g)
               for s, group in enumerate(groups)]
    for key in range(k):
        clients[0].write(f"k{key}", f"initial-{key}")
    store._stream.drain()
    tallies = []
    written = 0
    for phase in ("before", "partition"):
        if phase == "partition":
            store.partition([list(group) for group in groups])
            partition_start = store.now()
        first = len(store.history)
        for step in range(count * len(clients)):
            client = clients[step % len(clients)]
            key = f"k{int(g.integers(k))}"
            if g.uniform() < pr:
                client.read(key)
            else:
                written += 1
                client.write(key, f"{client.name}-{written}")
        store._stream.drain()
        done = store.history[first:]
        for s, client in enumerate(clients):
            mine = [op for op in done if op["client"] == client.name]
            tallies.append({"side": client.name, "replicas": len(groups[s]), "phase": phase,
                            "reads": sum(op["op"] == "read" for op in mine),
                            "reads_ok": sum(op["op"] == "read" and op["ok"] is True for op in mine),
                            "writes": sum(op["op"] == "write" for op in mine),
                            "writes_ok": sum(op["op"] == "write" and op["ok"] is True for op in mine)})
    store.heal()
    merged = store.anti_entropy()
    acked = [a for a in store.acknowledged if a["start"] >= partition_start]
    survivors_lww = {key: [vs.lww(siblings)] for key, siblings in merged.items()}
    reconciliation = {
        "keys": k, "acknowledged_writes": len(acked),
        "conflicts": sum(len(s) > 1 for s in merged.values()),
        "lost_lww": sum(vs.lost_writes([a], survivors_lww[a["key"]]) for a in acked),
        "lost_vv": sum(vs.lost_writes([a], merged[a["key"]]) for a in acked)}
    return PartitionRun(pd.DataFrame(tallies), reconciliation, list(store.history), merged)



def _partitioned_clients(store, mode, r, w, groups, lag_s, g):
    return [store.client(f"side{s}", r, w, mode=mode, home=int(group[0]), lag_s=lag_s, rng=g)
            for s, group in enumerate(groups)]


def withdrawals_run(store, mode="ap", r=3, w=3, groups=((0, 1, 2), (3, 4)), accounts=3, balance=100,
                    withdrawals=10, lag_s=0.01, rng=None):
    """Cash withdrawals from bank accounts on the store across a partition: does the money add up afterwards?

    Every account starts with ``balance``; then the network is cut into ``groups`` and one client per side (a cash
    machine) takes ``withdrawals`` requests in turn: read the balance, and if it covers the amount (20..60, an
    account at random), write balance − amount and pay the cash out. Each side checks the balance it can see.
    After the heal, ``anti_entropy`` merges the replicas and last-writer-wins picks each balance. The invariant:
    final balances + cash paid out = money at the start, and no account pays out more than it held.

    Returns (accounts DataFrame: account, initial, final, paid_out, siblings; summary dict: mode, total_before,
    total_after, cash_paid, money_created (total_after + cash_paid − total_before: 0 when the invariant holds),
    paid per side, overdrawn (accounts that paid out more than they held)).
    """
    import pandas as pd

    from .. import _random

    g = _random.rng(rng)
    a = v.integer("accounts", accounts, low=1, high=100)
    start_balance = v.integer("balance", balance, low=1)
    count = v.integer("withdrawals", withdrawals, low=1, high=10_000)
    store.reset()
    clients = _partitioned_clients(store, mode, r, w, groups, lag_s, g)
    names = [f"account{i}" for i in range(a)]
    for name in names:
        clients[0].write(name, start_balance)
    store._stream.drain()
    store.partition([list(group) for group in groups])
    paid_by_side = {c.name: 0 for c in clients}
    paid_from = {name: 0 for name in names}
    for step in range(count * len(clients)):
        client = clients[step % len(clients)]
        account, amount = names[int(g.integers(a))], int(g.integers(20, 61))
        have, ok = client.read(account)
        if ok and have is not None and have >= amount and client.write(account, have - amount) is True:
            paid_by_side[client.name] += amount
            paid_from[account] += amount
    store.heal()
    merged = store.anti_entropy()
    frame = pd.DataFrame([{"account": name, "initial": start_balance, "final": vs.lww(merged[name])["value"],
                           "paid_out": paid_from[name], "siblings": len(merged[name])} for name in names])
    cash = sum(paid_by_side.values())
    summary = {"mode": mode, "total_before": a * start_balance, "total_after": int(frame["final"].sum()),
               "cash_paid": cash, "paid_by_side": paid_by_side,
               "overdrawn": int((frame["paid_out"] > frame["initial"]).sum())}
    summary["money_created"] = summary["total_after"] + cash - summary["total_before"]
    return frame, summary


def likes_run(store, groups=((0, 1, 2), (3, 4)), likes=10, r=3, w=3, lag_s=0.01, rng=None):
    """Likes of a post on an AP store across a partition: a set of user names that each side adds to.

    One client per side adds ``likes`` likes in turn (read the set, add a user, write it back). After the heal the
    replicas are merged; last-writer-wins keeps one side's set, while taking the union of the siblings the version
    vectors kept loses nothing. Returns a dict: likes (acknowledged), seen_by_side (the largest set each side read
    during the partition), kept_lww, kept_union, conflicts (siblings after the merge).
    """
    from .. import _random

    g = _random.rng(rng)
    count = v.integer("likes", likes, low=1, high=10_000)
    store.reset()
    clients = _partitioned_clients(store, "ap", r, w, groups, lag_s, g)
    clients[0].write("likes", [])
    store._stream.drain()
    store.partition([list(group) for group in groups])
    acknowledged, seen = set(), {c.name: 0 for c in clients}
    for step in range(count * len(clients)):
        client = clients[step % len(clients)]
        current, ok = client.read("likes")
        current = list(current or [])
        seen[client.name] = max(seen[client.name], len(current))
        user = f"{client.name}-user{step}"
        if ok and client.write("likes", sorted(set(current) | {user})) is True:
            acknowledged.add(user)
    store.heal()
    siblings = store.anti_entropy()["likes"]
    union = set().union(*[set(s["value"]) for s in siblings])
    return {"likes": len(acknowledged), "seen_by_side": seen, "kept_lww": len(vs.lww(siblings)["value"]),
            "kept_union": len(acknowledged & union), "conflicts": len(siblings)}
