"""Widgets of lesson 06 (data partitioning): hotspots under skewed keys, keys moved when adding a shard, load spread
versus virtual nodes, and a scatter-gather cost model drawn over the learner's SQLite measurements.

Each view is a pure ``compute`` (tested without a browser) plus a ``draw``, wired by ``base.Explorer``.
"""
import functools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import _validate as v
from .. import partition as p
from . import base

SCHEME_LABELS = {"modulo": "modulo (hash % n)", "jump": "jump hash", "ring": "consistent-hash ring",
                 "rendezvous": "rendezvous (HRW)"}


# --- 1. hotspots: uniform vs Zipf keys -----------------------------------------------------------------------------

def skew_loads(zipf_exponent=1.0, shards=8, n_requests=20000, universe=2000, seed=7):
    """Requests per shard when keys are uniform vs Zipf(zipf_exponent), placed by modulo hashing.

    Returns a dict: ``uniform`` and ``zipf`` (int arrays, requests per shard), ``uniform_imbalance`` and
    ``zipf_imbalance`` (max/mean load), ``hottest_key_share`` (fraction of all requests for the top key).
    """
    shards = v.integer("shards", shards, low=1, high=256)
    hashes = p.stable_hashes(range(v.integer("universe", universe, low=1)))
    gen = np.random.default_rng(v.integer("seed", seed, low=0))
    out = {}
    for name, exponent in (("uniform", 0.0), ("zipf", zipf_exponent)):
        keys = p.zipf_keys(n_requests, exponent, universe, rng=gen)
        loads = p.shard_loads(hashes[keys] % np.uint64(shards), shards)
        out[name], out[f"{name}_imbalance"] = loads, p.imbalance(loads)
        if name == "zipf":
            out["hottest_key_share"] = float(np.bincount(keys).max() / n_requests)
    return out


def draw_skew(result, params):
    """Requests per shard, side by side for uniform and Zipf keys, with the mean load as a line."""
    fig, ax = base.figure()
    n = len(result["uniform"])
    x = np.arange(n)
    ax.bar(x - 0.2, result["uniform"], 0.4, label=f"uniform keys (max/mean {result['uniform_imbalance']:.2f})")
    ax.bar(x + 0.2, result["zipf"], 0.4,
           label=f"Zipf s={params['zipf_exponent']:.1f} (max/mean {result['zipf_imbalance']:.2f})")
    ax.axhline(result["uniform"].mean(), color="k", lw=1, ls="--", label="mean load")
    ax.set(xlabel="shard", ylabel="requests per shard", xticks=x,
           title=f"hottest key alone: {result['hottest_key_share']:.1%} of all requests")
    ax.legend(fontsize=8)
    return fig


def skew_explorer():
    """Sliders: Zipf exponent and number of shards."""
    return base.Explorer(skew_loads, draw_skew, {
        "zipf_exponent": base.slider(1.0, 0.0, 2.0, 0.1, "Zipf exponent s"),
        "shards": base.slider(8, 2, 32, 1, "shards", integer=True),
    }, css_class="lesson06-skew")


# --- 2. rebalancing: keys moved from n to n + 1 shards -------------------------------------------------------------

def moved_fractions(max_shards=12, vnodes=100, n_keys=3000):
    """Fraction of keys moved going from n to n + 1 shards, n = 1..max_shards, for each scheme, with the theory.

    Returns a DataFrame: n, scheme, moved (measured on n_keys keys, 0..1), theory (n/(n+1) or 1/(n+1)).
    """
    max_shards = v.integer("max_shards", max_shards, low=1, high=64)
    hashes = p.stable_hashes(f"user:{i}" for i in range(v.integer("n_keys", n_keys, low=1)))
    rows = []
    for scheme in p.SCHEMES:
        before = p.assign_shards(hashes, 1, scheme, vnodes)
        for n in range(1, max_shards + 1):
            after = p.assign_shards(hashes, n + 1, scheme, vnodes)
            rows.append({"n": n, "scheme": scheme, "moved": float(np.mean(before != after)),
                         "theory": p.theoretical_moved_fraction(n, scheme)})
            before = after
    return pd.DataFrame(rows)


def draw_moved(result, params):
    """Moved fraction vs n for each scheme; dashed lines: n/(n+1) and 1/(n+1)."""
    fig, ax = base.figure()
    for scheme, group in result.groupby("scheme", sort=False):
        ax.plot(group["n"], group["moved"], marker="o", ms=3, label=SCHEME_LABELS[scheme])
    ns = np.arange(1, result["n"].max() + 1)
    ax.plot(ns, ns / (ns + 1), "k--", lw=1, label="theory n/(n+1)")
    ax.plot(ns, 1 / (ns + 1), "k:", lw=1, label="theory 1/(n+1)")
    ax.set(xlabel="shards before adding one (n)", ylabel="fraction of keys moved", ylim=(0, 1.02),
           title=f"ring with {params['vnodes']} virtual nodes per shard")
    ax.legend(fontsize=8)
    return fig


def moved_explorer():
    """Sliders: largest n shown and the ring's virtual nodes."""
    return base.Explorer(moved_fractions, draw_moved, {
        "max_shards": base.slider(10, 2, 24, 1, "largest n", integer=True),
        "vnodes": base.slider(100, 1, 300, 1, "virtual nodes", integer=True),
    }, css_class="lesson06-moved")


# --- 3. load spread vs virtual nodes -------------------------------------------------------------------------------

VNODE_SWEEP = (1, 2, 5, 10, 20, 50, 100, 200, 400)


@functools.lru_cache(maxsize=256)
def _ring_shares(vnodes, nodes):
    """Each node's share of a ring of ``nodes`` nodes with ``vnodes`` points each (cached: pure)."""
    ring = p.ConsistentHashRing([f"node-{i}" for i in range(nodes)], vnodes=vnodes)
    return np.array(list(ring.ownership().values()))


def ring_spread(vnodes=10, nodes=8):
    """Share of the key space each node owns on a ring with ``vnodes`` points per node, and max/mean over a sweep.

    Returns a dict: ``shares`` (array, sums to 1), ``imbalance`` (max/mean share), ``sweep`` (DataFrame vnodes,
    imbalance).
    """
    nodes = v.integer("nodes", nodes, low=1, high=64)
    shares = _ring_shares(v.integer("vnodes", vnodes, low=1, high=1000), nodes)
    worst = float(shares.max() * nodes)
    sweep = pd.DataFrame([{"vnodes": k, "imbalance": float(_ring_shares(k, nodes).max() * nodes)}
                          for k in VNODE_SWEEP])
    return {"shares": shares, "imbalance": worst, "sweep": sweep}


def draw_spread(result, params):
    """Left: each node's share of keys; right: max/mean share vs virtual nodes (log scale)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.2), dpi=90, layout="constrained")
    shares = result["shares"]
    left.bar(np.arange(len(shares)), 100 * shares)
    left.axhline(100 / len(shares), color="k", ls="--", lw=1, label="fair share")
    left.set(xlabel="node", ylabel="share of keys (%)", title=f"{params['vnodes']} vnodes: max/mean "
             f"{result['imbalance']:.2f}")
    left.legend(fontsize=8)
    sweep = result["sweep"]
    right.plot(sweep["vnodes"], sweep["imbalance"], marker="o")
    right.plot([params["vnodes"]], [result["imbalance"]], "r*", ms=12, label="current")
    right.set(xscale="log", xlabel="virtual nodes per node", ylabel="max / mean load", ylim=(0.9, None))
    right.legend(fontsize=8)
    return fig


def spread_explorer():
    """Sliders: virtual nodes per node and number of nodes."""
    return base.Explorer(ring_spread, draw_spread, {
        "vnodes": base.slider(10, 1, 400, 1, "virtual nodes", integer=True),
        "nodes": base.slider(8, 2, 16, 1, "nodes", integer=True),
    }, css_class="lesson06-vnodes")


# --- 4. scatter-gather cost model vs measurement -------------------------------------------------------------------

def scatter_gather_seconds(scan_s, overhead_s, shards, cores=2):
    """Model of one scatter-gather query over ``shards`` shards (seconds).

    Each shard query costs a fixed ``overhead_s`` (Python, parsing, merging: not parallel) plus its 1/shards part of
    the full scan ``scan_s``. Sequential: shards * overhead + scan. Threads: shards * overhead + scan / min(shards,
    cores) (SQLite scans run outside the interpreter lock). Returns (sequential_s, threads_s).
    """
    scan_s = v.non_negative("scan_s", scan_s)
    overhead_s = v.non_negative("overhead_s", overhead_s)
    shards = v.integer("shards", shards, low=1)
    cores = v.integer("cores", cores, low=1)
    fixed = shards * overhead_s
    return fixed + scan_s, fixed + scan_s / min(shards, cores)


def calibrate(measured):
    """Scan time and per-query overhead (seconds) from a ``compare_layouts`` frame's 1-shard rows."""
    med = measured.groupby(["shards", "query"])["per_query_s"].median()
    overhead = med[(1, "point lookup (routed)")] / 2          # two tiny indexed queries per lookup
    scan = max(med[(1, "scatter-gather (sequential)")] - overhead, 0.0)
    return scan, overhead


def scatter_model(measured, overhead_scale=1.0, cores=2, max_shards=8):
    """Model curves calibrated on the 1-shard measurement: DataFrame shards, sequential_s, threads_s (seconds)."""
    scan, overhead = calibrate(measured)
    rows = []
    for n in range(1, v.integer("max_shards", max_shards, low=1) + 1):
        seq, par = scatter_gather_seconds(scan, overhead * v.non_negative("overhead_scale", overhead_scale), n, cores)
        rows.append({"shards": n, "sequential_s": seq, "threads_s": par})
    return pd.DataFrame(rows)


def draw_scatter(result, params):
    """Model lines and measured medians (milliseconds per query) on the same axes."""
    fig, ax = base.figure()
    ax.plot(result["shards"], 1e3 * result["sequential_s"], "C0-", label="model: sequential")
    ax.plot(result["shards"], 1e3 * result["threads_s"], "C1-", label="model: threads")
    med = params["measured"].groupby(["shards", "query"])["per_query_s"].median().reset_index()
    for query, style in (("scatter-gather (sequential)", "C0o"), ("scatter-gather (threads)", "C1s"),
                         ("point lookup (routed)", "C2^")):
        pts = med[med["query"] == query]
        ax.plot(pts["shards"], 1e3 * pts["per_query_s"], style, ms=8, label=f"measured: {query}")
    ax.set(xlabel="shards", ylabel="time per query (ms)", ylim=(0, None))
    ax.legend(fontsize=7)
    return fig


def scatter_explorer(measured):
    """Sliders: overhead scale and cores, over the measured frame of ``bench.shards.compare_layouts``."""
    return base.Explorer(scatter_model, draw_scatter, {
        "overhead_scale": base.slider(1.0, 0.0, 5.0, 0.25, "per-shard overhead ×"),
        "cores": base.slider(2, 1, 8, 1, "cores", integer=True),
    }, css_class="lesson06-scatter", fixed={"measured": measured,
                                            "max_shards": int(max(8, measured["shards"].max()))})


__all__ = ["skew_loads", "skew_explorer", "moved_fractions", "moved_explorer", "ring_spread", "spread_explorer",
           "scatter_gather_seconds", "calibrate", "scatter_model", "scatter_explorer"]
