"""A request's path through layers of caches to the database (CDN -> application cache -> database): the share
of requests each layer answers, the mean latency, and the load left for the database.

Layer i answers a request that reached it with probability hit_i (the last layer, the database, always
answers); a request that misses pays that layer's lookup and goes on. So with P_i the share reaching layer i
(P_0 = 1, P_{i+1} = P_i (1 - hit_i)):

    mean latency = sum_i P_i * latency_i,    database rate = rate * prod_i (1 - hit_i).
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _validate as v


@dataclass(frozen=True)
class LayeredPath:
    """A layered path: ``table`` (one row per layer), mean_ms (mean latency over all requests, ms) and db_rps
    (requests/s left for the database)."""

    table: pd.DataFrame
    mean_ms: float
    db_rps: float


def layered_path(hit_ratios, latencies_ms, rate_rps=1000.0, names=None):
    """A ``LayeredPath``: its table has one row per layer: name, reach (share of requests that get there),
    answered (share it answers), latency_ms, rps (requests/s it sees); with mean_ms (mean latency over all requests)
    and db_rps. ``hit_ratios`` has one entry per cache layer; ``latencies_ms`` one more (the database last)."""
    hits = np.asarray([v.probability("hit_ratios", h) for h in hit_ratios], dtype=float)
    lat = v.samples("latencies_ms", latencies_ms)
    if len(lat) != len(hits) + 1:
        raise ValueError(f"latencies_ms needs one entry per cache layer plus the database: {len(hits) + 1}, "
                         f"got {len(lat)}")
    rate = v.non_negative("rate_rps", rate_rps)
    names = list(names) if names is not None else [f"cache {i + 1}" for i in range(len(hits))] + ["database"]
    if len(names) != len(lat):
        raise ValueError(f"names needs {len(lat)} entries, got {len(names)}")
    reach = np.concatenate([[1.0], np.cumprod(1 - hits)])
    answered = reach * np.append(hits, 1.0)
    frame = pd.DataFrame({"layer": names, "reach": reach, "answered": answered, "latency_ms": lat,
                          "rps": rate * reach})
    return LayeredPath(table=frame, mean_ms=float((reach * lat).sum()), db_rps=float(rate * reach[-1]))

