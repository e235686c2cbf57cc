"""The same shop run as a monolith and as services, on 127.0.0.1: what each costs to start, how many network calls
a request makes, and what one failure takes down.

Both are built from lesson 05's service processes (``scalelab.bench.chain.ServicePool``): the monolith is one
process doing all of a request's work itself; the services are a gateway plus one process per service, a request
passing from the gateway through each service it needs. The failure is a crash: the process of one service (in the
monolith, the one process every module lives in) is stopped, and every request type is tried again.
"""
import time

from .. import _validate as v
from ..models import tradeoffs
from . import chain, processes

SHOP = {"browse": ["catalogue"], "add to cart": ["catalogue", "cart"], "checkout": ["cart", "payments"],
        "home page": ["catalogue", "recommendations"]}


def _timed_pool(size):
    start = time.perf_counter()
    pool = chain.ServicePool(services=size).start()
    return pool, time.perf_counter() - start


def _try(pool, port, route, service_time_ms, timeout=2.0):
    """One request: (ok, network calls made (the processes it passed through), seconds)."""
    start = time.perf_counter()
    try:
        status, reply = chain.http_get(port, pool.path(route, service_time_ms=service_time_ms), timeout)
    except OSError:
        return False, 0, time.perf_counter() - start
    return status == 200, (reply.get("hops", 0) if status == 200 else 0), time.perf_counter() - start


def compare(requests=None, calls=20, service_time_ms=0.5, crash="recommendations"):
    """Run every request type ``calls`` times on both architectures, then crash ``crash`` and try again.

    requests: {request type: [services it needs]} (default SHOP); service_time_ms: work each service (or module) does.
    Returns (per-request DataFrame: architecture, request, network_calls (measured hops), p50_ms, ok_share,
    ok_share_after_crash; per-architecture DataFrame: architecture, deployables, startup_s (wall time to start its
    processes), model_deployables). Every process is stopped on success, error and Ctrl-C.
    """
    import numpy as np
    import pandas as pd

    needs = tradeoffs._requests(SHOP if requests is None else requests)
    n = v.integer("calls", calls, low=1, high=10_000)
    work = v.non_negative("service_time_ms", service_time_ms)
    services = sorted({s for s in (x for names in needs.values() for x in names)})
    if crash not in services:
        raise ValueError(f"crash must be one of the services {services}, got {crash!r}")
    rows, setups, pools = [], [], []
    try:
        mono, mono_s = _timed_pool(1)
        pools.append(mono)
        split, split_s = _timed_pool(len(services) + 1)
        pools.append(split)
        port_of = {name: split.ports[i + 1] for i, name in enumerate(services)}
        for arch, pool, seconds in (("monolith", mono, mono_s), ("services", split, split_s)):
            model = tradeoffs.footprint(needs, "monolith" if arch == "monolith" else "services")
            setups.append({"architecture": arch, "deployables": len(pool.processes), "startup_s": seconds,
                           "model_deployables": model.deployables})

        def route_of(arch, request):
            if arch == "monolith":  # one process does every module's work: k modules' worth of work, no hops
                return mono.ports[0], (), work * len(needs[request])
            return split.ports[0], tuple(port_of[s] for s in needs[request]), work

        results = {}
        for phase in ("before", "after"):
            if phase == "after":
                processes.stop(mono.processes[0])
                processes.stop(split.processes[services.index(crash) + 1])
            for _ in range(n):
                for arch in ("monolith", "services"):
                    for request in needs:
                        port, route, w = route_of(arch, request)
                        results.setdefault((arch, request, phase), []).append(_try(split, port, route, w))
        for arch in ("monolith", "services"):
            for request in needs:
                before, after = results[(arch, request, "before")], results[(arch, request, "after")]
                rows.append({"architecture": arch, "request": request,
                             "network_calls": max((h for ok, h, _ in before if ok), default=0),
                             "p50_ms": 1000 * float(np.median([s for ok, _, s in before if ok] or [np.nan])),
                             "ok_share": float(np.mean([ok for ok, _, _ in before])),
                             "ok_share_after_crash": float(np.mean([ok for ok, _, _ in after]))})
    finally:
        for pool in pools:
            pool.stop()
    return pd.DataFrame(rows), pd.DataFrame(setups)
