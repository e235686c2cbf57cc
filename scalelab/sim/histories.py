"""Seeded histories of a compare-and-set register, to test a linearizability checker.

``register_history`` runs a real sequential execution: each client issues one operation after another, each
operation takes effect at one random instant inside its interval, and the register applies them in the order of
those instants. Intervals of different clients overlap at random, so the history is concurrent, and linearizable by
construction. ``corrupt`` changes one read so that it no longer is. Randomness only through ``rng=``.
"""
import math

from .. import _random
from .. import _validate as v

CORRUPTIONS = ("unwritten", "stale")


def register_history(operations=200, clients=4, p_read=0.5, p_cas=0.2, p_unknown=0.0, mean_think_s=0.002,
                     mean_duration_s=0.004, initial=None, rng=None):
    """A linearizable history of ``operations`` operations by ``clients`` sequential clients (dicts as
    ``scalelab.models.consistency`` takes them; times in seconds from 0).

    p_read, p_cas: shares of reads and of cas (the rest are writes; each write and each successful cas writes a new
    value 1, 2, 3, ... never written before); a cas expects the current value half the time. p_unknown: chance
    that an operation's reply is lost (ok None; a lost write or cas took effect or not, at random; a lost read reads
    nothing, value None); a lost reply ends at math.inf half the time (the client never heard back), else at a
    timeout. mean_think_s, mean_duration_s: mean gap between a client's operations and mean duration (exponential).
    """
    n = v.integer("operations", operations, low=0, high=100_000)
    c = v.integer("clients", clients, low=1, high=1000)
    pr, pc = v.probability("p_read", p_read), v.probability("p_cas", p_cas)
    if pr + pc > 1:
        raise ValueError(f"p_read + p_cas must be <= 1, got {pr + pc!r}")
    pu = v.probability("p_unknown", p_unknown)
    think, duration = v.positive("mean_think_s", mean_think_s), v.positive("mean_duration_s", mean_duration_s)
    g = _random.rng(rng)
    clock = g.exponential(think, c)
    planned = []  # (instant of effect, start, end, client)
    for k in range(n):
        who = k % c
        start = float(clock[who])
        end = start + float(g.exponential(duration)) + 1e-6
        planned.append((start + float(g.uniform(0, 1)) * (end - start), start, end, who))
        clock[who] = end + g.exponential(think)
    state, fresh, history = initial, 0, []
    for _point, start, end, who in sorted(planned):
        draw = g.uniform()
        lost = g.uniform() < pu
        if draw < pr:
            op = {"op": "read", "value": None if lost else state, "ok": None if lost else True}
        elif draw < pr + pc:
            fresh += 1
            expected = state if g.uniform() < 0.5 else (fresh + 1000 if state is None else -fresh)
            effect = not lost or g.uniform() < 0.5
            ok = state == expected
            if effect and ok:
                state = fresh
            op = {"op": "cas", "value": (expected, fresh), "ok": None if lost else ok}
        else:
            fresh += 1
            if not lost or g.uniform() < 0.5:
                state = fresh
            op = {"op": "write", "value": fresh, "ok": None if lost else True}
        if lost and g.uniform() < 0.5:
            end = math.inf
        history.append({"client": f"c{who}", **op, "start": start, "end": end})
    history.sort(key=lambda o: (o["start"], o["client"]))
    return history


def corrupt(history, how="unwritten", rng=None):
    """A copy of ``history`` with one completed read changed so that the history is not linearizable.

    how: "unwritten" (the read returns a value nobody wrote) or "stale" (the read returns the value of a write that
    was overwritten, in real time, by a later write that ended before the read started; needs values written once,
    as ``register_history`` makes). Raises ValueError if the history has no read that can be corrupted so.
    """
    if how not in CORRUPTIONS:
        raise ValueError(f"how must be one of {CORRUPTIONS}, got {how!r}")
    g = _random.rng(rng)
    ops = [dict(op) for op in history]
    reads = [i for i, op in enumerate(ops) if op["op"] == "read" and op["ok"] is True]
    if how == "unwritten":
        if not reads:
            raise ValueError("history has no completed read to corrupt")
        i = reads[int(g.integers(len(reads)))]
        ops[i]["value"] = "never written"
        return ops
    effective = [op for op in ops if op["ok"] is True and op["op"] in ("write", "cas")]
    candidates = []
    for i in reads:
        done = [w for w in effective if w["end"] < ops[i]["start"]]
        for new in done:
            older = [w for w in done if w["end"] < new["start"]]
            if older:
                candidates.append((i, older[-1]))
                break
    if not candidates:
        raise ValueError("history has no read that follows two writes in real time")
    i, old = candidates[int(g.integers(len(candidates)))]
    ops[i]["value"] = old["value"] if old["op"] == "write" else old["value"][1]
    return ops
