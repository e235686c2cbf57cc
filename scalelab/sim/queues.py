"""Seeded FIFO queue simulators: one server (Lindley's recursion, vectorised) and c servers (a heap of free times).

Times are in any one unit (say seconds) and rates in jobs per that unit. Customer k arrives ``interarrival_times[k]``
after customer k-1 (the first gap counts from time 0), needs ``service_times[k]`` of work and is served in arrival
order by the first server that becomes free.
"""
import heapq
import math
from dataclasses import dataclass

import numpy as np

from .. import _random
from .. import _validate as v


@dataclass(frozen=True)
class QueueTrace:
    """Per-customer record of one simulated FIFO queue (arrays of equal length, time unit of the inputs)."""

    arrival_times: np.ndarray
    service_times: np.ndarray
    waits: np.ndarray          # time from arrival to the start of service (Wq per customer)
    servers: int

    @property
    def time_in_system(self):
        """Wait plus service, per customer (W per customer)."""
        return self.waits + self.service_times

    @property
    def departure_times(self):
        """When each customer leaves."""
        return self.arrival_times + self.time_in_system

    def __len__(self):
        return len(self.waits)

    def in_system_at(self, times):
        """Number of customers in the system (queued or in service) at each of ``times`` (same time unit)."""
        at = v.samples("times", times)
        arrived = np.searchsorted(self.arrival_times, at, side="right")
        left = np.searchsorted(np.sort(self.departure_times), at, side="right")
        return arrived - left

    def summary(self, warmup=0):
        """Mean wait, mean time in system, throughput, utilisation and L (by Little's law) after ``warmup``
        customers."""
        start = v.integer("warmup", warmup, low=0, high=len(self) - 1)
        arrivals = self.arrival_times[start:]
        span = float(self.departure_times[start:].max() - arrivals[0])
        mean_w = float(self.time_in_system[start:].mean())
        rate = (len(arrivals) - 1) / float(arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else math.nan
        return {"customers": len(arrivals), "servers": self.servers,
                "mean_wait": float(self.waits[start:].mean()), "mean_time_in_system": mean_w,
                "p_wait": float(np.mean(self.waits[start:] > 0)),
                "arrival_rate": rate,
                "utilization": float(self.service_times[start:].sum()) / (self.servers * span)
                if span > 0 else math.nan,
                "mean_in_system": rate * mean_w}

    def to_frame(self):
        """The trace as a pandas DataFrame, one row per customer."""
        import pandas as pd

        return pd.DataFrame({"arrival": self.arrival_times, "service": self.service_times, "wait": self.waits,
                             "time_in_system": self.time_in_system, "departure": self.departure_times})


def _pair(interarrival_times, service_times):
    gaps = v.samples("interarrival_times", interarrival_times)
    work = v.samples("service_times", service_times)
    if gaps.size != work.size:
        raise ValueError(f"interarrival_times and service_times must have the same length, "
                         f"got {gaps.size} and {work.size}")
    return gaps, work


def lindley_waits(interarrival_times, service_times):
    """Waits in a single-server FIFO queue by Lindley's recursion W[k+1] = max(0, W[k] + S[k] - A[k+1]), W[0] = 0.

    Vectorised: with P the running sum of X[k] = S[k-1] - A[k] (P[0] = 0), W[k] = P[k] - min(P[0..k]).
    Arrays of equal length, any one time unit; returns the waits in that unit.
    """
    gaps, work = _pair(interarrival_times, service_times)
    steps = work[:-1] - gaps[1:]
    running = np.concatenate(([0.0], np.cumsum(steps)))
    waits = running - np.minimum.accumulate(running)
    return np.maximum(waits, 0.0)


def _multi_server_waits(gaps, work, servers):
    """The c-server FIFO recursion: each customer takes the server that frees up first (heap of free times)."""
    arrivals = np.cumsum(gaps).tolist()
    free = [0.0] * servers  # a valid heap: all servers free at time 0
    waits = [0.0] * len(arrivals)
    replace = heapq.heapreplace
    for k, (arrive, need) in enumerate(zip(arrivals, work.tolist())):
        earliest = free[0]
        if earliest > arrive:
            waits[k] = earliest - arrive
            replace(free, earliest + need)
        else:
            replace(free, arrive + need)
    return np.asarray(waits)


def fifo_waits(interarrival_times, service_times, servers=1):
    """Waits in a FIFO queue with ``servers`` identical servers, given each customer's gap and service time."""
    c = v.integer("servers", servers, low=1, high=100_000)
    gaps, work = _pair(interarrival_times, service_times)
    if c == 1:
        return lindley_waits(gaps, work)
    return _multi_server_waits(gaps, work, c)


def simulate_queue(arrival_rate=None, service_rate=None, servers=1, customers=10_000, rng=None,
                   interarrival_times=None, service_times=None):
    """Simulate a FIFO queue with ``servers`` servers and return a QueueTrace.

    Poisson arrivals at ``arrival_rate`` and exponential service at ``service_rate`` (jobs per unit time) are drawn
    from ``rng`` (default: the package's seeded generator) unless explicit ``interarrival_times`` / ``service_times``
    arrays are given; ``customers`` is then taken from their length.
    """
    c = v.integer("servers", servers, low=1, high=100_000)
    given = interarrival_times if interarrival_times is not None else service_times
    n = len(np.asarray(given).ravel()) if given is not None else v.integer("customers", customers, low=1,
                                                                               high=50_000_000)
    generator = _random.rng(rng)
    if interarrival_times is None:
        lam = v.positive("arrival_rate", arrival_rate) if arrival_rate is not None else _missing("arrival_rate")
        interarrival_times = generator.exponential(1 / lam, n)
    if service_times is None:
        mu = v.positive("service_rate", service_rate) if service_rate is not None else _missing("service_rate")
        service_times = generator.exponential(1 / mu, n)
    gaps, work = _pair(interarrival_times, service_times)
    waits = fifo_waits(gaps, work, c)
    return QueueTrace(np.cumsum(gaps), work, waits, c)


def _missing(name):
    raise ValueError(f"{name} must be a positive number (jobs per unit time) unless its times are given explicitly")


def simulate_mm1(arrival_rate, service_rate, customers=10_000, rng=None):
    """Simulate an M/M/1 FIFO queue (vectorised Lindley recursion); returns a QueueTrace."""
    return simulate_queue(arrival_rate, service_rate, 1, customers, rng)


def simulate_mmc(arrival_rate, service_rate, servers, customers=10_000, rng=None):
    """Simulate an M/M/c FIFO queue; returns a QueueTrace."""
    return simulate_queue(arrival_rate, service_rate, servers, customers, rng)


def confidence_interval(values, confidence=0.95):
    """Student-t interval for the mean of independent values: (mean, low, high)."""
    data = v.samples("values", values, allow_negative=True)
    level = v.number("confidence", confidence, 0, 1, low_open=True, high_open=True)
    if data.size < 2:
        raise ValueError(f"values must hold at least 2 numbers for an interval, got {data.size}")
    from scipy.special import stdtrit  # Student-t quantile; lighter to import than scipy.stats

    mean = float(data.mean())
    half = float(stdtrit(data.size - 1, 0.5 + level / 2) * data.std(ddof=1) / math.sqrt(data.size))
    return mean, mean - half, mean + half


def batch_means(values, batches=20, warmup=0, confidence=0.95):
    """Interval for a long-run mean from one correlated run: drop ``warmup`` values, cut the rest into ``batches``
    equal batches and treat the batch means as independent. Returns (mean, low, high)."""
    data = v.samples("values", values, allow_negative=True)
    k = v.integer("batches", batches, low=2)
    start = v.integer("warmup", warmup, low=0, high=max(data.size - k, 0))
    usable = data[start:]
    size = usable.size // k
    if size < 1:
        raise ValueError(f"batches must be at most the {usable.size} values left after warm-up, got {k}")
    return confidence_interval(usable[: size * k].reshape(k, size).mean(axis=1), confidence)


def replicate_mean_wait(arrival_rate, service_rate, servers=1, customers=10_000, replications=10, warmup=1000,
                        rng=None, confidence=0.95):
    """Independent replications of an M/M/c queue: interval for the mean wait Wq, as (mean, low, high)."""
    reps = v.integer("replications", replications, low=2)
    n = v.integer("customers", customers, low=2)
    skip = v.integer("warmup", warmup, low=0, high=n - 1)
    generator = _random.rng(rng)
    means = [simulate_queue(arrival_rate, service_rate, servers, n, generator).waits[skip:].mean()
             for _ in range(reps)]
    return confidence_interval(means, confidence)
