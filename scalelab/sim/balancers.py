"""Load-balancing algorithms, simulated: which server each job goes to, and what that does to the tail.

Servers are single FIFO queues with a speed each (a speed-2 server finishes a job in half the time); jobs arrive
as a Poisson stream, each with a size (seconds of work on a speed-1 server) and a key (a user or URL, Zipf-popular,
for consistent hashing). The balancer assigns a job the moment it arrives:

- ``round_robin``: server i mod n, blind to speed and queue;
- ``weighted_round_robin``: smooth weighted round robin (Nginx's), weights = speeds;
- ``random``: a uniformly random server;
- ``least_connections``: the server with the fewest jobs in it (queued or running); ties to the lowest index;
- ``power_of_two``: two random servers, the one with fewer jobs (Mitzenmacher's "power of two choices");
- ``consistent_hash``: the key's point on a hash ring of ``vnodes`` virtual nodes per server (stable, so a key
  always lands on the same server: good for caches, blind to load).

``balls_into_bins`` is the classic static version (n balls into n bins, d choices) whose maximum load is known:
about ln n / ln ln n with one random choice and ln ln n / ln d + O(1) with d >= 2.
"""
import functools
import heapq
import math
import zlib

import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v

ALGORITHMS = ("round_robin", "weighted_round_robin", "random", "least_connections", "power_of_two",
              "consistent_hash")
STATEFUL = {"least_connections", "power_of_two"}  # need each server's current connection count


def balls_into_bins(n_balls, n_bins, choices=1, rng=None):
    """Loads of ``n_bins`` bins after throwing ``n_balls`` balls, each into the least loaded of ``choices`` bins
    picked uniformly at random (ties to the first picked). Returns an int array of loads."""
    balls = v.integer("n_balls", n_balls, low=0)
    bins = v.integer("n_bins", n_bins, low=1)
    d = v.integer("choices", choices, low=1, high=bins)
    g = _random.rng(rng)
    if d == 1:
        return np.bincount(g.integers(0, bins, balls), minlength=bins)
    picks = g.integers(0, bins, size=(balls, d))
    loads = np.zeros(bins, dtype=int)
    for row in picks:
        best = row[np.argmin(loads[row])]
        loads[best] += 1
    return loads


def max_load_random(n):
    """The leading term of one-choice maximum load, ln n / ln ln n (n balls into n bins, n >= 3)."""
    n = v.integer("n", n, low=3)
    return math.log(n) / math.log(math.log(n))


def max_load_d_choices(n, d=2):
    """The leading term of d-choice maximum load, ln ln n / ln d (n balls into n bins; n >= 3, d >= 2)."""
    n = v.integer("n", n, low=3)
    d = v.integer("d", d, low=2)
    return math.log(math.log(n)) / math.log(d)


def _crc(text):
    return zlib.crc32(text.encode())


@functools.lru_cache(maxsize=100_000)
def _key_hash(key):
    return _crc(f"key{key}")


def hash_ring(n_servers, vnodes=50):
    """The ring of a consistent hash: sorted points (CRC-32 of "server#i") and the server owning each."""
    return _ring(v.integer("n_servers", n_servers, low=1), v.integer("vnodes", vnodes, low=1))


@functools.lru_cache(maxsize=32)
def _ring(n, k):
    points = [(_crc(f"server{s}#{i}"), s) for s in range(n) for i in range(k)]
    points.sort()
    return np.array([p for p, _ in points], dtype=np.int64), np.array([s for _, s in points])


def ring_lookup(ring, keys):
    """The server of each integer key on a ring from ``hash_ring``: the first point clockwise of CRC-32(key)."""
    points, owners = ring
    unique, where = np.unique(np.asarray(keys, dtype=np.int64), return_inverse=True)
    hashes = np.array([_key_hash(int(k)) for k in unique], dtype=np.int64)
    index = np.searchsorted(points, hashes, side="left") % len(points)
    return owners[index][where]


def smooth_weighted_round_robin(weights, n_jobs):
    """Server of each of ``n_jobs`` jobs under smooth weighted round robin (each server gets its weight's share,
    spread out rather than in bursts): add each weight to a running score, pick the highest, subtract the total."""
    w = v.samples("weights", weights)
    if np.any(w <= 0):
        raise ValueError("weights must all be > 0")
    jobs = v.integer("n_jobs", n_jobs, low=0)
    return np.array(_swrr(tuple(w.tolist()), jobs), dtype=int)


@functools.lru_cache(maxsize=64)
def _swrr(weights, jobs):
    current, total, out = [0.0] * len(weights), sum(weights), []
    for _ in range(jobs):
        current = [c + w for c, w in zip(current, weights)]
        best = current.index(max(current))
        current[best] -= total
        out.append(best)
    return out


def make_jobs(n_jobs, load, speeds, size_cv=1.0, keys=1000, key_skew=1.0, mean_size_ms=10.0, rng=None):
    """A job stream: Poisson arrivals at ``load`` times the servers' total capacity, lognormal sizes with the given
    coefficient of variation (0 = all equal), Zipf(``key_skew``) keys among ``keys``. DataFrame: arrival_s, size_s,
    key."""
    n = v.integer("n_jobs", n_jobs, low=1)
    rho = v.number("load", load, 0, 1.5, low_open=True)
    s = v.samples("speeds", speeds)
    if np.any(s <= 0):
        raise ValueError("speeds must all be > 0")
    cv = v.non_negative("size_cv", size_cv)
    k = v.integer("keys", keys, low=1)
    skew = v.non_negative("key_skew", key_skew)
    mean_s = v.positive("mean_size_ms", mean_size_ms) / 1000
    g = _random.rng(rng)
    rate = rho * s.sum() / mean_s
    arrivals = np.cumsum(g.exponential(1 / rate, n))
    if cv == 0:
        sizes = np.full(n, mean_s)
    else:
        sigma = math.sqrt(math.log(1 + cv * cv))
        sizes = g.lognormal(math.log(mean_s) - sigma * sigma / 2, sigma, n)
    weights = 1 / np.arange(1, k + 1) ** skew
    key = g.choice(k, size=n, p=weights / weights.sum())
    return pd.DataFrame({"arrival_s": arrivals, "size_s": sizes, "key": key})


def _fifo_finish(arrivals, service):
    """Finish times of one FIFO server fed ``arrivals`` (sorted) with ``service`` times (vectorised Lindley)."""
    if len(arrivals) == 0:
        return arrivals
    prefix = np.cumsum(service)
    before = prefix - service  # work of the earlier jobs
    return prefix + np.maximum.accumulate(arrivals - before)


def _assign_stateless(algorithm, keys, speeds, g, vnodes):
    n, count = len(speeds), len(keys)
    if algorithm == "round_robin":
        return np.arange(count) % n
    if algorithm == "weighted_round_robin":
        return smooth_weighted_round_robin(speeds, count)
    if algorithm == "random":
        return g.integers(0, n, count)
    return ring_lookup(hash_ring(n, vnodes), keys)


def _assign_stateful(algorithm, arrivals, sizes, speeds, g):
    """Servers and finish times when the choice needs each server's jobs in system at the arrival."""
    n = len(speeds)
    in_system, departures = [0] * n, []      # jobs in each server; heap of (finish time, server)
    last = [0.0] * n
    rate = [float(x) for x in speeds]
    server = np.empty(len(arrivals), dtype=int)
    finish = np.empty(len(arrivals))
    pairs = g.integers(0, n, size=(len(arrivals), 2)).tolist() if algorithm == "power_of_two" else None
    for j, (t, size) in enumerate(zip(arrivals.tolist(), sizes.tolist())):
        while departures and departures[0][0] <= t:
            in_system[heapq.heappop(departures)[1]] -= 1
        if algorithm == "least_connections":
            s = in_system.index(min(in_system))
        else:
            a, b = pairs[j]
            s = a if in_system[a] <= in_system[b] else b
        done = max(t, last[s]) + size / rate[s]
        last[s] = done
        in_system[s] += 1
        heapq.heappush(departures, (done, s))
        server[j], finish[j] = s, done
    return server, finish


def simulate(algorithm, jobs, speeds, vnodes=50, rng=None):
    """Run ``jobs`` (from ``make_jobs``) through ``algorithm`` on servers of the given speeds.

    Returns one row per job: server, finish_s, response_s (finish − arrival)."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    s = v.samples("speeds", speeds)
    if np.any(s <= 0):
        raise ValueError("speeds must all be > 0")
    arrivals = jobs["arrival_s"].to_numpy()
    server, finish = _run(algorithm, arrivals, jobs["size_s"].to_numpy(), jobs["key"].to_numpy(), s,
                          _random.rng(rng), vnodes)
    return pd.DataFrame({"server": server, "finish_s": finish, "response_s": finish - arrivals})


def _run(algorithm, arrivals, sizes, keys, speeds, g, vnodes):
    """(server, finish time) of every job: the arrays behind ``simulate``."""
    if algorithm in STATEFUL:
        return _assign_stateful(algorithm, arrivals, sizes, speeds, g)
    server = _assign_stateless(algorithm, keys, speeds, g, vnodes)
    finish = np.empty(len(arrivals))
    for i in range(len(speeds)):
        mine = server == i
        finish[mine] = _fifo_finish(arrivals[mine], sizes[mine] / speeds[i])
    return server, finish


def imbalance(servers, sizes, speeds):
    """Busiest server's utilisation over the average: max_i (work_i / speed_i) / (total work / total speed).
    1.0 is a perfect balance; a server given twice its share of capacity scores 2."""
    s = v.samples("speeds", speeds)
    work = np.bincount(np.asarray(servers, dtype=int), weights=np.asarray(sizes, dtype=float), minlength=len(s))
    return float(np.max(work / s) / (work.sum() / s.sum()))


def compare(jobs, speeds, algorithms=ALGORITHMS, vnodes=50, rng=None):
    """Every algorithm on the same jobs: one row each with mean, P50, P99 response (ms), imbalance and the
    share of jobs the slowest server received."""
    g = _random.rng(rng)
    s = v.samples("speeds", speeds)
    if np.any(s <= 0):
        raise ValueError("speeds must all be > 0")
    arrivals, sizes, keys = jobs["arrival_s"].to_numpy(), jobs["size_s"].to_numpy(), jobs["key"].to_numpy()
    rows = []
    for algorithm in algorithms:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithms must hold only {ALGORITHMS}, got {algorithm!r}")
        server, finish = _run(algorithm, arrivals, sizes, keys, s, g, vnodes)
        ms = (finish - arrivals) * 1000
        p50, p99 = np.percentile(ms, [50, 99])
        rows.append({"algorithm": algorithm, "mean_ms": ms.mean(), "p50_ms": p50, "p99_ms": p99,
                     "imbalance": imbalance(server, sizes, s),
                     "slowest_share": float(np.mean(server == int(np.argmin(s)))),
                     "needs_state": algorithm in STATEFUL})
    return pd.DataFrame(rows)
