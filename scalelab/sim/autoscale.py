"""A target-tracking autoscaler, minute by minute, on a traffic trace; and the orchestration ideas on the same model.

The fleet: replicas of one service, each an M/M/c queue (``servers`` servers of ``service_time_ms`` mean service), so
a replica carries ``servers / service_time_ms`` requests per ms. Every minute the autoscaler reads the last minute's
load and sets the fleet to ``ceil(load / (target_utilisation * replica capacity))`` replicas, as AWS target
tracking and Kubernetes' HPA do, within these rules:

- ``min_replicas`` / ``max_replicas``: bounds of the fleet;
- ``max_step``: at most this many replicas added or removed in one move;
- ``cooldown_min``: no move until this many minutes after the previous one;
- ``warmup_min``: a new replica serves only after this long (boot, JIT, caches), but is paid from launch.

A minute meets the SLO when the P95 of the ready replicas (M/M/c, ``scalelab.models.queueing``) at that minute's
load is at most ``slo_p95_ms``; with more load than they can serve it is a violation. Cost: every replica-minute
paid at ``price_per_hour`` / 60.

``traffic_trace`` makes the diurnal + spike trace that ``scalelab.datasets.load_traffic_trace()`` reads
(written by ``tools/make_traffic_trace.py``).
"""
import functools
import math

import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v
from ..models import queueing


def traffic_trace(days=2, trough_rps=300.0, peak_rps=1500.0, spike_day=1, spike_hour=20.0, spike_factor=2.5,
                  spike_min=30, noise=0.05, rng=None):
    """Requests/s per minute: a daily cycle (trough at 04:00, peak at 16:00), multiplicative lognormal noise
    (``noise`` = its sigma), and one spike: ``spike_factor`` times the traffic for ``spike_min`` minutes from
    ``spike_hour`` on day ``spike_day`` (0-based; it rises within 2 minutes, a flash crowd). DataFrame: minute,
    hour, rps."""
    d = v.integer("days", days, low=1, high=14)
    low = v.positive("trough_rps", trough_rps)
    high = v.number("peak_rps", peak_rps, low)
    factor = v.number("spike_factor", spike_factor, 1)
    length = v.integer("spike_min", spike_min, low=0)
    sigma = v.non_negative("noise", noise)
    minutes = np.arange(d * 1440)
    hour = (minutes / 60) % 24
    rps = low + (high - low) * (1 - np.cos(2 * np.pi * (hour - 4) / 24)) / 2
    start = (v.integer("spike_day", spike_day, low=0, high=d - 1) * 1440
             + int(v.number("spike_hour", spike_hour, 0, 24) * 60))
    ramp = np.clip((minutes - start + 1) / 2, 0, 1) * (minutes < start + length)
    rps = rps * (1 + (factor - 1) * ramp)
    rps = rps * _random.rng(rng).lognormal(-sigma * sigma / 2, sigma, len(minutes))
    return pd.DataFrame({"minute": minutes, "hour": np.round(minutes / 60, 4), "rps": np.round(rps, 2)})


def replica_capacity_rps(servers=4, service_time_ms=40.0):
    """Requests/s one replica serves flat out: servers / service time."""
    return v.integer("servers", servers, low=1) / (v.positive("service_time_ms", service_time_ms) / 1000)


def p95_ms(load_rps, ready, servers=4, service_time_ms=40.0):
    """P95 (ms) of ``ready`` M/M/c replicas sharing ``load_rps`` evenly; inf when they cannot keep up."""
    load = np.atleast_1d(np.asarray(load_rps, dtype=float))
    ready = np.atleast_1d(np.asarray(ready, dtype=float))
    cap = replica_capacity_rps(servers, service_time_ms)
    rho = np.where(ready > 0, load / np.maximum(ready, 1) / cap, np.inf)
    out = np.full(rho.shape, math.inf)
    ok = rho < 1
    if ok.any():
        out[ok] = service_time_ms * queueing.response_time_percentile_curve(rho[ok], servers)
    return out


def autoscale(trace_rps, target_utilisation=0.6, cooldown_min=5, warmup_min=3, min_replicas=2, max_replicas=40,
              max_step=10, servers=4, service_time_ms=40.0, slo_p95_ms=200.0, price_per_hour=0.10, start_replicas=None,
              with_p95=True):
    """Simulate the autoscaler on ``trace_rps`` (requests/s per minute). One row per minute: minute, rps,
    replicas (paid), ready, utilisation (of the ready replicas), p95_ms, slo_ok, cost_usd (that minute's).
    with_p95=False skips the p95_ms column and decides slo_ok by the utilisation at which the P95 reaches the SLO
    (``max_utilisation``), the same verdict for less work (an explorer's update)."""
    rps = v.samples("trace_rps", trace_rps)
    target = v.number("target_utilisation", target_utilisation, 0.05, 1.0)
    cooldown = v.integer("cooldown_min", cooldown_min, low=0)
    warmup = v.integer("warmup_min", warmup_min, low=0)
    low = v.integer("min_replicas", min_replicas, low=1)
    high = v.integer("max_replicas", max_replicas, low=low)
    step = v.integer("max_step", max_step, low=1)
    v.positive("slo_p95_ms", slo_p95_ms)
    price = v.non_negative("price_per_hour", price_per_hour)
    cap = replica_capacity_rps(servers, service_time_ms)
    start = low if start_replicas is None else v.integer("start_replicas", start_replicas, low=low, high=high)
    wanted = np.clip(np.ceil(rps / (target * cap)), low, high).astype(int).tolist()  # from each minute's load
    ready_n, waiting, pending = start, 0, {}     # serving; warming up; minute -> how many start serving then
    last_move = -10 ** 9
    paid, ready = np.empty(len(rps), dtype=int), np.empty(len(rps), dtype=int)
    for t in range(len(rps)):
        if t > 0:
            desired, current = wanted[t - 1], ready_n + waiting
            if desired != current and t - last_move >= cooldown:
                if desired > current:
                    added = min(step, desired - current)
                    pending[t + warmup] = pending.get(t + warmup, 0) + added
                    waiting += added
                else:                            # retire the newest first (still warming, if any)
                    drop = min(step, current - desired)
                    for minute in sorted(pending, reverse=True):
                        taken = min(drop, pending[minute])
                        pending[minute] -= taken
                        waiting -= taken
                        drop -= taken
                    ready_n -= drop
                    pending = {m: k for m, k in pending.items() if k}
                last_move = t
        arriving = pending.pop(t, 0)
        ready_n, waiting = ready_n + arriving, waiting - arriving
        paid[t], ready[t] = ready_n + waiting, ready_n
    utilisation = np.where(ready > 0, rps / np.maximum(ready, 1) / cap, np.inf)
    frame = pd.DataFrame({"minute": np.arange(len(rps)), "rps": rps, "replicas": paid, "ready": ready,
                          "utilisation": utilisation})
    if with_p95:
        p95 = p95_ms(rps, ready, servers, service_time_ms)
        frame["p95_ms"], frame["slo_ok"] = p95, p95 <= slo_p95_ms
    else:
        frame["slo_ok"] = utilisation <= max_utilisation(slo_p95_ms, servers, service_time_ms)
    frame["cost_usd"] = paid * price / 60
    return frame


@functools.lru_cache(maxsize=64)
def max_utilisation(slo_p95_ms=200.0, servers=4, service_time_ms=40.0):
    """The highest utilisation of an M/M/c replica whose P95 is still at most ``slo_p95_ms`` (bisection on the
    P95, which rises with utilisation; 0 if even an idle replica misses it)."""
    goal = v.positive("slo_p95_ms", slo_p95_ms)
    c = v.integer("servers", servers, low=1)
    s_ms = v.positive("service_time_ms", service_time_ms)

    def p95(u):
        return s_ms * queueing.response_time_percentile_curve(np.array([u]), c)[0]

    if p95(0.0) > goal:
        return 0.0
    low, high = 0.0, 1.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if p95(mid) <= goal else (low, mid)
    return low


def summary(run):
    """Cost and SLO of an ``autoscale`` run: a dict of plain numbers."""
    return {"cost_usd": float(run["cost_usd"].sum()), "replica_hours": float(run["replicas"].sum() / 60),
            "violation_min": int((~run["slo_ok"]).sum()), "slo_share": float(run["slo_ok"].mean()),
            "peak_replicas": int(run["replicas"].max()), "mean_replicas": float(run["replicas"].mean())}


def fixed_fleet(trace_rps, replicas, **kwargs):
    """The same model with a fleet that never moves (min = max = ``replicas``)."""
    n = v.integer("replicas", replicas, low=1)
    return autoscale(trace_rps, min_replicas=n, max_replicas=n, **kwargs)


def rolling_update(replicas, max_surge=1, max_unavailable=0, warmup_min=3, minutes=None):
    """Replace ``replicas`` old replicas by new ones in waves, as a Kubernetes Deployment does: up to
    ``max_surge`` extra new replicas are started at a time and up to ``max_unavailable`` old ones stopped before
    their replacements serve; a new replica passes its readiness check ``warmup_min`` minutes after it starts.
    One row per minute: minute, old, new_ready, starting, ready (old + new_ready), paid (all running)."""
    n = v.integer("replicas", replicas, low=1)
    surge = v.integer("max_surge", max_surge, low=0)
    unavailable = v.integer("max_unavailable", max_unavailable, low=0, high=n)
    if surge + unavailable == 0:
        raise ValueError("max_surge and max_unavailable cannot both be 0: the update could never progress")
    warmup = v.integer("warmup_min", warmup_min, low=0)
    old, starting, new_ready, rows, t = n, [], 0, [], 0
    limit = minutes or (n // max(1, surge + unavailable) + 2) * (warmup + 1) + 5
    while t < limit:
        for _ in range(2):  # twice: a replica started with no warm-up serves within the same minute
            new_ready += sum(1 for s in starting if s + warmup <= t)
            starting = [s for s in starting if s + warmup > t]
            old = min(old, max(0, n - unavailable - new_ready))        # stop old ones while enough stay ready
            room = n + surge - (old + new_ready + len(starting))       # start new ones within the surge
            starting += [t] * max(0, min(room, n - new_ready - len(starting)))
        rows.append({"minute": t, "old": old, "new_ready": new_ready, "starting": len(starting),
                     "ready": old + new_ready, "paid": old + new_ready + len(starting)})
        if minutes is None and new_ready == n and old == 0:
            break
        t += 1
    return pd.DataFrame(rows)


def detection_errors(replicas, check_interval_s=10.0, failures_to_down=3, rps=100.0):
    """Requests that fail when one of ``replicas`` dies and the balancer's health check (every ``check_interval_s``,
    marked down after ``failures_to_down`` failed checks) has not noticed yet: the balancer keeps sending it
    1/replicas of the traffic for about interval × failures seconds. Returns (seconds to detect, failed requests)."""
    n = v.integer("replicas", replicas, low=1)
    interval = v.positive("check_interval_s", check_interval_s)
    k = v.integer("failures_to_down", failures_to_down, low=1)
    rate = v.non_negative("rps", rps)
    detect_s = interval * k
    return detect_s, rate * detect_s / n
