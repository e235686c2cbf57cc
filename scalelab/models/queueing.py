"""Queueing models: Little's law, M/M/1, M/M/c and Erlang C.

Rates are in jobs per unit of time (for example requests per second); times come out in that same unit.
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as v


@dataclass(frozen=True)
class QueueResult:
    """Steady-state figures of a queue. Times are in the unit of the rates (1/rate)."""

    arrival_rate: float
    service_rate: float
    servers: int
    utilization: float          # rho = lambda / (c * mu), in [0, 1)
    probability_of_wait: float  # P(an arriving job waits)
    mean_in_system: float       # L, jobs queued + in service
    mean_in_queue: float        # Lq, jobs waiting
    mean_time_in_system: float  # W = Wq + 1/mu
    mean_wait: float            # Wq, time spent waiting before service


def _stable_utilization(arrival_rate, service_rate, servers):
    lam = v.non_negative("arrival_rate", arrival_rate)
    mu = v.positive("service_rate", service_rate)
    c = v.integer("servers", servers, low=1)
    rho = lam / (c * mu)
    if rho >= 1:
        raise ValueError(
            f"utilization = arrival_rate / (servers * service_rate) must be in [0, 1) for a stable queue, "
            f"got {rho:.3g}: the queue would grow without bound"
        )
    return lam, mu, c, rho


def erlang_c(arrival_rate, service_rate, servers):
    """Probability that an arriving job has to wait in an M/M/c queue (Erlang C formula).

    arrival_rate, service_rate: jobs per unit time; servers: c >= 1. Needs arrival_rate < servers * service_rate.
    """
    lam, mu, c, rho = _stable_utilization(arrival_rate, service_rate, servers)
    if lam == 0:
        return 0.0
    a = lam / mu  # offered load in Erlangs
    # Erlang B by its stable recursion, then convert to Erlang C.
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1 - rho * (1 - b))


def mmc(arrival_rate, service_rate, servers):
    """Steady state of an M/M/c queue (Poisson arrivals, exponential service, c servers, FIFO, infinite room)."""
    lam, mu, c, rho = _stable_utilization(arrival_rate, service_rate, servers)
    p_wait = erlang_c(lam, mu, c)
    wq = p_wait / (c * mu - lam)
    w = wq + 1 / mu
    return QueueResult(lam, mu, c, rho, p_wait, lam * w, lam * wq, w, wq)


def mm1(arrival_rate, service_rate):
    """Steady state of an M/M/1 queue: W = 1/(mu - lambda), L = rho/(1 - rho)."""
    return mmc(arrival_rate, service_rate, 1)


def servers_for_wait(arrival_rate, service_rate, max_mean_wait):
    """Smallest number of servers c whose M/M/c mean wait Wq is <= max_mean_wait (time unit of the rates)."""
    lam = v.non_negative("arrival_rate", arrival_rate)
    mu = v.positive("service_rate", service_rate)
    target = v.non_negative("max_mean_wait", max_mean_wait)
    if lam > 0 and target == 0:
        raise ValueError("max_mean_wait must be > 0 when arrival_rate > 0: with arrivals some job always waits")
    c = max(1, math.floor(lam / mu) + 1)
    while mmc(lam, mu, c).mean_wait > target:
        c += 1
    return c


def littles_law(arrival_rate=None, time_in_system=None, in_system=None):
    """Little's law L = lambda * W: give exactly two of the three, get the third back.

    arrival_rate (lambda) in jobs per unit time, time_in_system (W) in that unit, in_system (L) in jobs.
    """
    given = {k: val for k, val in
             {"arrival_rate": arrival_rate, "time_in_system": time_in_system, "in_system": in_system}.items()
             if val is not None}
    if len(given) != 2:
        raise ValueError(f"littles_law needs exactly two of arrival_rate, time_in_system, in_system; "
                         f"got {sorted(given)}")
    for name, val in given.items():
        v.non_negative(name, val)
    if in_system is None:
        return float(arrival_rate) * float(time_in_system)
    if arrival_rate is None:
        v.positive("time_in_system", time_in_system)
        return float(in_system) / float(time_in_system)
    v.positive("arrival_rate", arrival_rate)
    return float(in_system) / float(arrival_rate)


def response_time_law(users, throughput, think_time):
    """Interactive response-time law N = X (R + Z), solved for the response time: R = N / X - Z.

    Little's law applied to a closed loop of users N (>= 1) who each wait R for a reply, then think Z (s, >= 0);
    throughput X in requests/s (> 0). Returns R in seconds; N / X must be at least Z.
    """
    n = v.number("users", users, 1)
    x = v.positive("throughput", throughput)
    z = v.non_negative("think_time", think_time)
    if n / x < z:
        raise ValueError(f"throughput must be <= users / think_time = {n / z:.6g} req/s (else R < 0), got {x!r}")
    return n / x - z


def mmc_curve(utilization, servers):
    """M/M/c against utilisation, vectorised: P(wait) (Erlang C) and the mean wait and time in system as multiples
    of the mean service time S (Wq/S and W/S, dimensionless), for an array of utilisations rho in [0, 1).

    utilization: array of rho = lambda / (c * mu), each in [0, 1); servers: c >= 1. Returns a dict of arrays
    {"utilization", "p_wait", "wait_over_s", "time_in_system_over_s"}; the same numbers as ``mmc`` point by point.
    """
    rho = np.asarray(utilization, dtype=float)
    if rho.ndim != 1 or rho.size == 0 or not np.all((rho >= 0) & (rho < 1)):
        raise ValueError("utilization must be a non-empty 1-D array of values in [0, 1)")
    c = v.integer("servers", servers, low=1)
    a = rho * c  # offered load in Erlangs
    b = np.ones_like(a)
    for k in range(1, c + 1):  # Erlang B by its stable recursion, then Erlang C
        b = a * b / (k + a * b)
    p_wait = b / (1 - rho * (1 - b))
    wait = p_wait / (c * (1 - rho))
    return {"utilization": rho, "p_wait": p_wait, "wait_over_s": wait, "time_in_system_over_s": wait + 1}
