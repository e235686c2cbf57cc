"""Pure routing rules of a load balancer and a dispatch model of jobs over FIFO servers (no clock, no randomness).

The balancer processes of ``scalelab.bench.loadbalancer`` route with these rules; the lesson's dispatch view and its
lab call ``dispatch``.
"""
import zlib

from .. import _validate as v

ALGORITHMS = ("round_robin", "least_connections")

def pick_round_robin(turn, up):
    """Index of the next worker in turn among those up: the first up worker at or after ``turn`` (mod n).

    turn: an integer counter (>= 0); up: a sequence of booleans, one per worker. Returns None if none is up.
    """
    turn = v.integer("turn", turn, low=0)
    n = len(up)
    for step in range(n):
        index = (turn + step) % n
        if up[index]:
            return index
    return None


def pick_least_connections(active, up, turn=0):
    """Index of the up worker with the fewest active connections; ties go to the first at or after ``turn``.

    active: open connections per worker (>= 0); up: booleans per worker. Returns None if none is up.
    """
    if len(active) != len(up):
        raise ValueError(f"active and up must have the same length, got {len(active)} and {len(up)}")
    if any(a < 0 for a in active):
        raise ValueError("active must contain only counts >= 0")
    turn = v.integer("turn", turn, low=0)
    n = len(up)
    best = None
    for step in range(n):
        index = (turn + step) % n
        if up[index] and (best is None or active[index] < active[best]):
            best = index
    return best


def sticky_index(key, servers):
    """The worker (0 .. servers - 1) of ``servers`` workers a session key sticks to: CRC-32 of the key modulo
    ``servers`` (stable everywhere)."""
    n = v.integer("servers", servers, low=1)
    return zlib.crc32(str(key).encode()) % n


def dispatch(sizes, n_servers, algorithm, gap=1.0):
    """Send jobs arriving every ``gap`` seconds to ``n_servers`` FIFO servers; return one row per job.

    sizes: service time of each job (s, >= 0); algorithm: "round_robin" (job i -> server i mod n) or
    "least_connections" (the server with the fewest jobs still in it when the job arrives; ties -> lowest index).
    Columns: job, arrival_s, size_s, server, start_s, finish_s, response_s (finish - arrival).
    """
    import pandas as pd

    sizes = v.samples("sizes", sizes)
    n = v.integer("n_servers", n_servers, low=1)
    v.positive("gap", gap)
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    finishes = [[] for _ in range(n)]  # finish times of the jobs each server has been given
    rows = []
    for job, size in enumerate(sizes):
        arrival = job * gap
        if algorithm == "round_robin":
            server = job % n
        else:
            in_system = [sum(f > arrival for f in finishes[s]) for s in range(n)]
            server = pick_least_connections(in_system, [True] * n)
        start = max([arrival] + finishes[server][-1:])
        finish = start + size
        finishes[server].append(finish)
        rows.append({"job": job, "arrival_s": arrival, "size_s": float(size), "server": server,
                     "start_s": start, "finish_s": finish, "response_s": finish - arrival})
    return pd.DataFrame(rows)
