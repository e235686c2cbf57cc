"""Operational laws and exact mean value analysis (MVA) of a closed queueing network.

A system is described by its **service demands**: ``demands`` maps a resource name (``"cpu"``, ``"db"``, ...) to
D_i, the seconds of that resource one request needs in total (visits x service time per visit). From them:

- utilisation law: U_i = X * D_i (X the throughput, requests/s);
- the bottleneck is the resource with the largest demand D_max, and X can never exceed 1 / D_max;
- asymptotic bounds for N users thinking Z s between requests: X(N) <= min(1 / D_max, N / (D + Z)) and
  R(N) >= max(D, N * D_max - Z), with D the sum of the demands;
- MVA (Reiser and Lavenberg) gives the exact mean throughput, response time and queue lengths of the product-form
  network with one single-server FIFO queue per resource and a delay (think time) Z, for N = 1, 2, ... users.

Pure: numbers and dicts in, numbers and dataclasses out; no I/O, no clock, no randomness.
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as v


def _demands(demands):
    """A validated copy {name: seconds >= 0} with at least one resource and a positive total."""
    if not isinstance(demands, dict) or not demands:
        raise ValueError(f"demands must be a non-empty dict of resource name -> seconds per request, got {demands!r}")
    out = {}
    for name, value in demands.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"demands must be keyed by resource names (non-empty strings), got {name!r}")
        out[name] = v.number(f"demands[{name!r}]", value, 0, math.inf, high_open=True)
    if max(out.values()) <= 0:
        raise ValueError("demands must hold at least one resource with a demand > 0 seconds")
    return out


def utilization(throughput, demand):
    """Utilisation law U = X * D: the busy fraction of a resource at throughput X (requests/s, >= 0) when each
    request needs D seconds of it (>= 0). Above 1 the resource cannot keep up (the input is not a steady state)."""
    x = v.non_negative("throughput", throughput)
    d = v.non_negative("demand", demand)
    return x * d


def bottleneck(demands):
    """Name of the resource with the largest service demand (seconds per request); ties go to the first listed."""
    d = _demands(demands)
    return max(d, key=d.get)


def max_throughput(demands):
    """The most requests/s the system can complete: 1 / D_max (D_max the bottleneck's seconds per request)."""
    return 1.0 / max(_demands(demands).values())


@dataclass(frozen=True)
class Bounds:
    """Asymptotic bounds at ``users`` users: throughput_upper (requests/s) and response_lower (s).

    demand_total D and demand_max D_max are in s; users_star = (D + Z) / D_max is the number of users where the two
    throughput bounds cross: below it the users are too few to keep the bottleneck busy, above it they queue."""

    users: int
    think_time: float
    throughput_upper: float
    response_lower: float
    demand_total: float
    demand_max: float
    users_star: float
    bottleneck: str


def bounds(demands, users, think_time=0.0):
    """Asymptotic bounds of a closed system of ``users`` (>= 1) users with think time Z (s, >= 0):
    throughput_upper = min(1 / D_max, N / (D + Z)), response_lower = max(D, N * D_max - Z)."""
    d = _demands(demands)
    n = v.integer("users", users, low=1, high=1_000_000)
    z = v.non_negative("think_time", think_time)
    total, top = sum(d.values()), max(d.values())
    return Bounds(users=n, think_time=z, throughput_upper=min(1 / top, n / (total + z)),
                  response_lower=max(total, n * top - z), demand_total=total, demand_max=top,
                  users_star=(total + z) / top, bottleneck=max(d, key=d.get))


def _mva_arrays(values, users, think_time):
    """Run the MVA recursion; return arrays over n = 1..users: X[n], R[n], and Q[n, i], Rk[n, i]."""
    x_all, r_all = np.empty(users), np.empty(users)
    q_all, res_all = np.empty((users, values.size)), np.empty((users, values.size))
    queue = np.zeros(values.size)
    for n in range(1, users + 1):
        residence = values * (1 + queue)          # arrival theorem: an arrival sees the queue of n - 1 users
        response = residence.sum()
        x = n / (response + think_time)           # Little's law on the whole loop
        queue = x * residence                     # Little's law at each resource
        x_all[n - 1], r_all[n - 1], q_all[n - 1], res_all[n - 1] = x, response, queue, residence
    return x_all, r_all, q_all, res_all


def mva_curve(demands, max_users, think_time=0.0):
    """MVA for every N = 1..max_users at once: a dict of numpy arrays ``users``, ``throughput`` (requests/s),
    ``response_time`` (s) and ``queue_lengths`` {resource: array}; plus the bounds ``throughput_upper`` and
    ``response_lower`` at each N (the same formulas as ``bounds``)."""
    d = _demands(demands)
    n = v.integer("max_users", max_users, low=1, high=100_000)
    z = v.non_negative("think_time", think_time)
    names, values = list(d), np.array(list(d.values()))
    x, r, q, _ = _mva_arrays(values, n, z)
    users = np.arange(1, n + 1)
    total, top = values.sum(), values.max()
    return {"users": users, "throughput": x, "response_time": r,
            "queue_lengths": {k: q[:, i] for i, k in enumerate(names)},
            "throughput_upper": np.minimum(1 / top, users / (total + z)),
            "response_lower": np.maximum(total, users * top - z)}


def demands_from_busy(busy_s, completions, servers=None):
    """Service demand law D_i = B_i / C: seconds of busy time of each resource (dict, >= 0) over the ``completions``
    (> 0 requests) measured in the same interval. ``servers`` {resource: k}: a resource of k identical units (a
    pool of k connections, k threads) is counted as one queue k times as fast, D_i / k. That keeps its throughput
    limit right (k / D_i, reached when every unit is busy) but understates the time a request spends there while
    units are free: it still holds one unit for D_i, not D_i / k."""
    c = v.positive("completions", completions)
    if not isinstance(busy_s, dict) or not busy_s:
        raise ValueError(f"busy_s must be a non-empty dict of resource name -> busy seconds, got {busy_s!r}")
    servers = servers or {}
    out = {}
    for name, busy in busy_s.items():
        b = v.non_negative(f"busy_s[{name!r}]", busy)
        k = v.integer(f"servers[{name!r}]", servers.get(name, 1), low=1)
        out[name] = b / c / k
    return out
