"""Scale-out in numbers: the best-case throughput of N single-request workers that share a machine's cores, and
what losing one of N workers costs (Little's law and utilisation).

Pure functions: numbers (or arrays of worker counts) in, numbers, arrays or a dataclass out; no I/O, no clock,
no randomness. Times in seconds, rates in requests per second.
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from . import queueing


def _server_counts(name, servers, low=1):
    """An int >= low, or an array of them (returned as a float array)."""
    if np.ndim(servers) == 0:
        return v.integer(name, servers, low=low)
    counts = v.samples(name, servers)
    if np.any(counts < low) or np.any(counts != np.round(counts)):
        raise ValueError(f"{name} must hold integers >= {low}, got {servers!r}")
    return counts


def cpu_ceiling_rps(cores, cpu_per_request_s):
    """Most requests/s that ``cores`` cores can serve when each request needs cpu_per_request_s (s, >= 0) of CPU:
    cores / cpu_per_request_s (math.inf when a request needs no CPU)."""
    c = v.integer("cores", cores, low=1)
    cpu = v.non_negative("cpu_per_request_s", cpu_per_request_s)
    return c / cpu if cpu > 0 else math.inf


def scale_out_rps(servers, service_time_s, cores, overhead_s=0.0, cpu_bound=False):
    """Best-case throughput (req/s) of ``servers`` workers that each serve one request at a time.

    A request spends service_time_s (s, > 0) in its worker and needs overhead_s (s, >= 0) of CPU outside it (load
    generator, balancer, HTTP parsing). Sleep-based work waits without a core: X = min(N / S, cores / overhead).
    CPU-bound work (cpu_bound=True) holds a core for its S as well: X = min(N / S, cores / (S + overhead)).
    servers: an int >= 1 or an array of them; returns a float or an array of floats.
    """
    n = _server_counts("servers", servers)
    s = v.positive("service_time_s", service_time_s)
    o = v.non_negative("overhead_s", overhead_s)
    ceiling = cpu_ceiling_rps(cores, s + o if cpu_bound else o)
    x = np.minimum(np.asarray(n, dtype=float) / s, ceiling)
    return float(x) if np.ndim(x) == 0 else x


def cpu_knee_workers(service_time_s, cores, overhead_s=0.0):
    """Workers at which CPU-bound throughput stops growing: N / S = cores / (S + overhead), so
    N = cores * S / (S + overhead) (service_time_s > 0 and overhead_s >= 0 in seconds)."""
    s = v.positive("service_time_s", service_time_s)
    return cpu_ceiling_rps(cores, s + v.non_negative("overhead_s", overhead_s)) * s


def worker_utilization(rate_rps, servers, service_time_s):
    """Utilisation of each of ``servers`` workers sharing rate_rps evenly: rate * S / N (may exceed 1: overloaded).
    servers: an int >= 1 or an array of them."""
    rate = v.non_negative("rate_rps", rate_rps)
    n = _server_counts("servers", servers)
    u = rate * v.positive("service_time_s", service_time_s) / np.asarray(n, dtype=float)
    return float(u) if np.ndim(u) == 0 else u


@dataclass(frozen=True)
class FailoverCost:
    """What losing one of N workers costs: requests that die with it, and how busy the survivors become."""

    in_flight_lost: float          # requests inside the dead worker when it dies (Little's law)
    utilization_before: float      # of each worker, rate * S / N
    utilization_after: float       # of each survivor, rate * S / (N - 1)
    overloaded_after: bool         # utilization_after >= 1: the survivors' queues grow without end
    sessions_lost_fraction: float  # with sticky local sessions: the users of the dead worker, 1 / N


def failover_cost(rate_rps, servers, service_time_s, response_s):
    """The cost of losing one of ``servers`` (>= 2) workers that share rate_rps (> 0) evenly.

    service_time_s: work per request (s, > 0); response_s: time a request spends in a worker (s, > 0). In flight on the
    dead worker: L = (rate / N) * response_s (Little's law); survivors go from rate * S / N to rate * S / (N - 1).
    """
    rate = v.positive("rate_rps", rate_rps)
    n = v.integer("servers", servers, low=2)
    s = v.positive("service_time_s", service_time_s)
    r = v.positive("response_s", response_s)
    after = worker_utilization(rate, n - 1, s)
    return FailoverCost(in_flight_lost=queueing.littles_law(arrival_rate=rate / n, time_in_system=r),
                        utilization_before=worker_utilization(rate, n, s), utilization_after=after,
                        overloaded_after=after >= 1, sessions_lost_fraction=1 / n)
