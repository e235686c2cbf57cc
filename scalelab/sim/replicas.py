"""A seeded simulator of the replicated key-value store of ``scalelab.bench.replicas``, one operation per step.

Same rules as the real store: a write reads a context from R replicas, one replica coordinates it (the next
counter of its version vector), W replicas store it, and the others get it ``lag`` steps later; a read asks R
replicas and returns the newest version by timestamp; replicas are tried in a random order. "cp" refuses without
R replies (reads and the start of a write) or W acknowledgements (a write then counts as unknown: it may surface
later), and a read writes its answer back to W replicas; "ap" accepts whatever one replica answers. During the
partition window a client reaches only the replicas on its side, and copies across are lost; at the heal the
replicas are merged (anti-entropy). Randomness only through ``rng=``.
"""
import math
from dataclasses import dataclass, field

import numpy as np

from .. import _random
from .. import _validate as v
from ..models import versions as vs

MODES = ("cp", "ap")


@dataclass
class StoreRun:
    """A simulated run: every operation (``history``, dicts as the linearizability checker takes them, plus key,
    side, phase and stale), counts per side and phase (``sides``, a DataFrame), and what each way of resolving the
    replicas' versions keeps after the heal (``reconciliation``)."""

    history: list
    side_rows: list
    reconciliation: dict
    stale_reads: int = 0
    reads_ok: int = 0
    merged: dict = field(default_factory=dict)

    @property
    def sides(self):
        """Per side (0: majority, 1: minority) and phase: reads, reads_ok, writes, writes_ok, stale_reads."""
        import pandas as pd

        return pd.DataFrame(self.side_rows)

    @property
    def stale_share(self):
        """Stale reads / completed reads (NaN without completed reads)."""
        return self.stale_reads / self.reads_ok if self.reads_ok else math.nan


def simulate_store(n=5, r=3, w=3, mode="cp", minority=2, operations=200, keys=4, p_read=0.5, lag=5,
                   partition=(0.3, 0.7), clients=2, rng=None):
    """Simulate ``operations`` operations of ``clients`` clients on an n-replica store.

    minority: replicas on the smaller side of the partition (0: no partition; replicas n − minority .. n − 1);
    partition: the window (fractions of the run) during which it lasts; clients alternate between the sides
    (client 0 on the majority side). lag: steps before a write reaches the replicas outside its write quorum.
    A read is stale when it returns an older value than the last write to that key acknowledged before it.
    """
    n = v.integer("n", n, low=1, high=50)
    r = v.integer("r", r, low=1, high=n)
    w = v.integer("w", w, low=1, high=n)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    m = v.integer("minority", minority, low=0, high=n // 2)
    count = v.integer("operations", operations, low=1, high=100_000)
    k = v.integer("keys", keys, low=1, high=10_000)
    pr = v.probability("p_read", p_read)
    lag = v.integer("lag", lag, low=0)
    c = v.integer("clients", clients, low=1, high=100)
    if len(partition) != 2 or not 0 <= partition[0] <= partition[1] <= 1:
        raise ValueError(f"partition must be (start, end) fractions with 0 <= start <= end <= 1, got {partition!r}")
    g = _random.rng(rng)
    cut, heal = int(partition[0] * count), int(partition[1] * count)
    minority_side = set(range(n - m, n))
    side_of_client = [0 if (i % 2 == 0 or m == 0) else 1 for i in range(c)]
    data = [dict() for _ in range(n)]          # replica -> key -> siblings
    pending = []                                # (due step, replica, key, version, sender side)
    latest = {}                                 # key -> value of the last acknowledged write
    history, acknowledged = [], []
    stale = reads_ok = 0
    merged = {}

    everyone = set(range(n))
    sides = (everyone - minority_side, minority_side)
    # every random draw up front (one numpy call each): who acts, the replicas' order, the key, read or write
    who_all = g.integers(c, size=count).tolist()
    order_all = g.random((count, n)).argsort(axis=1).tolist()
    key_all = g.integers(k, size=count).tolist()
    read_all = (g.uniform(size=count) < pr).tolist()

    def reachable(side, step):
        if m == 0 or not cut <= step < heal:
            return everyone
        return sides[side]

    def store(i, key, version):
        data[i][key], _ = vs._add_version(data[i].get(key, []), version)

    for step in range(count):
        if step == heal and m > 0 and cut < heal:
            merged = _anti_entropy(data, pending, step)
        if pending and pending[0][0] <= step:
            due = [p for p in pending if p[0] <= step]
            pending = [p for p in pending if p[0] > step]
            for _, i, key, version, side in due:
                if i in reachable(side, step):
                    store(i, key, version)
        who = who_all[step]
        side = side_of_client[who]
        up = reachable(side, step)
        order = [i for i in order_all[step] if i in up]
        key = f"k{key_all[step]}"
        phase = ("no partition" if m == 0 else
                 "partition" if cut <= step < heal else ("before" if step < cut else "after"))
        entry = {"client": f"c{who}", "key": key, "side": side, "phase": phase, "start": float(step),
                 "end": step + 0.5, "stale": False}
        asked = order[:r]
        siblings = vs._reconcile([s for i in asked for s in data[i].get(key, [])])
        if read_all[step]:
            ok = len(asked) >= (r if mode == "cp" else 1)
            winner = vs._lww(siblings)
            if ok and mode == "cp" and winner is not None:
                holders = [i for i in order if any(vs._descends(s["vv"], winner["vv"]) for s in data[i].get(key, []))]
                for i in [i for i in order if i not in holders][:max(0, w - len(holders))]:
                    store(i, key, winner)
                    holders.append(i)
                ok = len(holders) >= w
            value = winner["value"] if (ok and winner is not None) else None
            if ok:
                reads_ok += 1
                entry["stale"] = key in latest and value != latest[key]
                stale += entry["stale"]
            entry.update(op="read", value=value, ok=ok)
        else:
            value = f"v{step}"
            ok, version = False, None
            if len(asked) >= (r if mode == "cp" else 0) and order:
                coordinator = order[0]
                clock = vs._next_clock(vs._merge_clocks([s["vv"] for s in siblings]), f"r{coordinator}",
                                       [s["vv"] for s in data[coordinator].get(key, [])])
                top = max([s["ts"][0] for s in siblings], default=-1)
                version = {"value": value, "ts": [max(step, top + 1), f"c{who}"], "vv": clock}
                stored = order[:w]
                for i in stored:
                    store(i, key, version)
                ok = True if (len(stored) >= w or mode == "ap") else None
                for i in range(n):
                    if i not in stored:
                        pending.append((step + lag, i, key, version, side))
            if ok is True:
                latest[key] = value
                acknowledged.append(dict(version, key=key, step=step))
            entry.update(op="write", value=value, ok=ok, end=entry["end"] if ok is not None else math.inf)
        history.append(entry)
    if not (m > 0 and cut < heal < count):  # no heal during the run: merge at its end
        merged = _anti_entropy(data, pending, count)
    return _summarise(history, acknowledged, merged, stale, reads_ok, cut, heal if m > 0 else cut)


def _anti_entropy(data, pending, step):
    """Deliver every copy still pending, merge all replicas' siblings per key and give each replica the result."""
    for _, i, key, version, _ in pending:
        data[i][key], _ = vs._add_version(data[i].get(key, []), version)
    pending.clear()
    keys = {key for replica in data for key in replica}
    merged = {key: vs._reconcile([s for replica in data for s in replica.get(key, [])]) for key in keys}
    for replica in data:
        for key, siblings in merged.items():
            replica[key] = list(siblings)
    return merged


def _summarise(history, acknowledged, merged, stale, reads_ok, cut, heal):
    tallies = {}
    for op in history:
        row = tallies.setdefault((op["side"], op["phase"]), {"side": op["side"], "phase": op["phase"], "reads": 0,
                                                             "reads_ok": 0, "writes": 0, "writes_ok": 0,
                                                             "stale_reads": 0})
        kind = "reads" if op["op"] == "read" else "writes"
        row[kind] += 1
        row[kind + "_ok"] += op["ok"] is True
        row["stale_reads"] += op["stale"]
    during = [a for a in acknowledged if cut <= a["step"] < heal]
    survivors = {key: [vs._lww(s)] for key, s in merged.items()}
    reconciliation = {"acknowledged_writes": len(during),
                      "conflicts": sum(len(s) > 1 for s in merged.values()),
                      "lost_lww": sum(not any(vs._descends(s["vv"], a["vv"]) for s in survivors.get(a["key"], []))
                                      for a in during),
                      "lost_vv": sum(not any(vs._descends(s["vv"], a["vv"]) for s in merged.get(a["key"], []))
                                     for a in during)}
    return StoreRun(history, list(tallies.values()), reconciliation, stale, reads_ok, merged)


def stale_read_share(n, r, w, rounds=1000, rng=None):
    """Share of reads that miss a write just acknowledged by w replicas, each read asking r random replicas of n:
    the quorum race of the store, vectorised (one write and one read per round)."""
    n = v.integer("n", n, low=1, high=1000)
    r = v.integer("r", r, low=1, high=n)
    w = v.integer("w", w, low=1, high=n)
    count = v.integer("rounds", rounds, low=1, high=10_000_000)
    g = _random.rng(rng)
    ranks_w = g.random((count, n)).argsort(axis=1) < w   # the w replicas the write reached
    ranks_r = g.random((count, n)).argsort(axis=1) < r   # the r replicas the read asked
    return float(np.mean(~np.any(ranks_w & ranks_r, axis=1)))
