"""Queueing models: Little's law, M/M/1, M/M/c and Erlang C, and the M/M/c response-time distribution (its tail
and percentiles).

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
    p_wait: float               # P(an arriving job waits): Erlang C
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


# --- the response-time distribution of M/M/c -------------------------------------------------------------------

def waiting_time_tail(t, arrival_rate, service_rate, servers):
    """P(wait in queue > t) in an M/M/c FIFO queue: C * exp(-(c*mu - lambda) * t), C the Erlang C probability.

    t >= 0 in seconds; rates in requests/s (lambda < c * mu).
    """
    t = v.non_negative("t", t)
    c_wait = erlang_c(arrival_rate, service_rate, servers)
    return c_wait * math.exp(-(servers * service_rate - arrival_rate) * t)


def response_time_tail(t, arrival_rate, service_rate, servers):
    """P(response time > t) in an M/M/c FIFO queue (exact): response = wait + exponential service.

    The wait is 0 with probability 1 - C, else exponential with rate theta = c*mu - lambda, so
    P(T > t) = (1 - C) e^(-mu t) + C * (theta e^(-mu t) - mu e^(-theta t)) / (theta - mu)   (theta != mu),
    with C * (1 + mu t) e^(-mu t) for the second term when theta == mu. For c = 1 this is e^(-(mu - lambda) t).
    """
    t = v.non_negative("t", t)
    c_wait = erlang_c(arrival_rate, service_rate, servers)
    mu, theta = float(service_rate), servers * float(service_rate) - float(arrival_rate)
    if math.isclose(theta, mu, rel_tol=1e-9):
        both = (1 + mu * t) * math.exp(-mu * t)
    else:
        both = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return (1 - c_wait) * math.exp(-mu * t) + c_wait * both


def response_time_percentile(arrival_rate, service_rate, servers, q=95):
    """The q-th percentile (q in (0, 100)) of the M/M/c response time, in seconds; math.inf if the queue is unstable.

    Solves response_time_tail(t) = 1 - q/100 by bisection (the tail falls monotonically in t).
    """
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    lam = v.non_negative("arrival_rate", arrival_rate)
    mu = v.positive("service_rate", service_rate)
    c = v.integer("servers", servers, low=1)
    if lam >= c * mu:
        return math.inf
    goal = 1 - q / 100
    low, high = 0.0, 1.0 / mu
    while response_time_tail(high, lam, mu, c) > goal:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if response_time_tail(mid, lam, mu, c) > goal:
            low = mid
        else:
            high = mid
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2


def response_time_percentile_curve(utilization, servers, q=95):
    """The q-th percentile of the M/M/c response time as a multiple of the mean service time S, for an array of
    utilisations rho = lambda / (c * mu) >= 0 (math.inf where rho >= 1: the queue is unstable).

    The same numbers as ``response_time_percentile`` point by point (times S), computed for all points at once:
    a curve of a few hundred points costs about a millisecond. servers: c >= 1; q in (0, 100).
    """
    rho = np.asarray(utilization, dtype=float)
    if rho.ndim != 1 or rho.size == 0 or not np.all(np.isfinite(rho) & (rho >= 0)):
        raise ValueError("utilization must be a non-empty 1-D array of finite values >= 0")
    c = v.integer("servers", servers, low=1)
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    out = np.full(rho.shape, math.inf)
    stable = rho < 1
    if not stable.any():
        return out
    r = rho[stable]
    p_wait = mmc_curve(r, c)["p_wait"]
    theta = c * (1 - r)            # c*mu - lambda in units of mu
    same = np.isclose(theta, 1.0, rtol=1e-9)
    gap = np.where(same, 1.0, theta - 1)

    def tail(t):                   # P(T > t), t in multiples of S (mu = 1)
        both = np.where(same, (1 + t) * np.exp(-t), (theta * np.exp(-t) - np.exp(-theta * t)) / gap)
        return (1 - p_wait) * np.exp(-t) + p_wait * both

    goal = 1 - q / 100
    low, high = np.zeros_like(r), np.ones_like(r)
    while np.any(tail(high) > goal):
        high = np.where(tail(high) > goal, 2 * high, high)
    for _ in range(50):            # bisection: the tail falls monotonically in t
        mid = (low + high) / 2
        above = tail(mid) > goal
        low, high = np.where(above, mid, low), np.where(above, high, mid)
    out[stable] = (low + high) / 2
    return out
