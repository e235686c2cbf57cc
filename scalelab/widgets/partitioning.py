"""Views of lesson 06 (data partitioning): hotspots under skewed keys, keys moved when adding a shard, load spread
versus virtual nodes, and a scatter-gather cost model drawn over the learner's SQLite measurements.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once and
a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``). Routers and hashes
live in ``scalelab.partition``, the scatter-gather cost model in ``scalelab.models.sharding``. Hashing thousands of
keys is the expensive part: it is cached, since every hash is pure.
"""
import functools

import numpy as np
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator

from .. import _random
from .. import _validate as v
from .. import partition as p
from ..models import sharding
from . import _axes, base

SCHEME_LABELS = {"modulo": "modulo (hash % n)", "jump": "jump hash", "ring": "consistent-hash ring",
                 "rendezvous": "rendezvous (HRW)"}
SHARD_LIMITS = (8, 16, 32)  # x-axis widths for "shard" bars: the axis changes only when the count crosses one
BAR_STEPS = (1, 2, 3, 5)    # y-axis tops of the bar views (times a power of ten): coarse, so that they rarely change
Y_STEPS = (1, 1.5, 2, 3, 4, 5, 6, 8)  # y-axis tops of the line views


def _shard_top(shards):
    """How many shard positions the x-axis shows for ``shards`` shards."""
    return next((top for top in SHARD_LIMITS if top >= shards), shards)


def _bars_path(x, heights, width):
    """Bars centred at x with these heights, as one matplotlib Path: one artist draws all of them at once."""
    x, heights = np.asarray(x, dtype=float), np.asarray(heights, dtype=float)
    corners = np.zeros((x.size, 5, 2))
    corners[:, [0, 1, 4], 0], corners[:, [2, 3], 0] = (x - width / 2)[:, None], (x + width / 2)[:, None]
    corners[:, [1, 2], 1] = heights[:, None]
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], x.size)
    return Path(corners.reshape(-1, 2), codes)


def _legend_above(ax, columns):
    """The legend in one row above the axes, where no bar can cover it."""
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=columns, borderaxespad=0, frameon=False)


def _bars(ax, colour, label):
    """An empty set of bars (one PathPatch) on ax, animated."""
    return ax.add_patch(PathPatch(_bars_path([], [], 1.0), facecolor=colour, lw=0, label=label, animated=True))


# --- 1. hotspots: uniform vs Zipf keys -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _key_hashes(universe):
    """stable_hash of the keys 0..universe-1 (cached: pure)."""
    return p.stable_hashes(range(universe))


@functools.lru_cache(maxsize=64)
def _requests(n_requests, exponent, universe, seed):
    """Keys of n_requests requests, Zipf(exponent) over universe keys, drawn with the generator ``scalelab.rng(seed)``
    (cached: the same seed gives the same sample). Both samples of a view share the seed, hence the same uniform
    draws (common random numbers): what differs between them is the skew alone."""
    keys = p.zipf_keys(n_requests, exponent, universe, rng=_random.rng(seed))
    keys.flags.writeable = False
    return keys


def skew_compute(zipf_exponent=1.0, shards=8, n_requests=20000, universe=2000, rng=None):
    """Requests per shard when keys are uniform vs Zipf(zipf_exponent), placed by modulo hashing.

    zipf_exponent: 0..5 (0 = uniform); shards: 1..256; n_requests: 1..10^7 requests drawn from universe
    (1..10^6) keys; rng: a seed, or a numpy Generator that one seed is drawn from (the package's seeded generator
    when None); the uniform and the Zipf sample use that seed alike. Returns a dict:
    ``uniform`` and ``zipf`` (int arrays, requests per shard), ``uniform_imbalance`` and ``zipf_imbalance``
    (max/mean load), ``hottest_key_share`` (fraction of all requests for the top key).
    """
    exponent = v.number("zipf_exponent", zipf_exponent, 0, 5)
    shards = v.integer("shards", shards, low=1, high=256)
    n = v.integer("n_requests", n_requests, low=1, high=10_000_000)
    universe = v.integer("universe", universe, low=1, high=1_000_000)
    seed = int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else int(
        _random.rng(rng).integers(2**32))
    homes = _key_hashes(universe) % np.uint64(shards)
    out = {"shards": shards, "n_requests": n, "zipf_exponent": exponent}
    for name, s in (("uniform", 0.0), ("zipf", exponent)):
        keys = _requests(n, s, universe, seed)
        loads = p.shard_loads(homes[keys], shards)
        out[name], out[f"{name}_imbalance"] = loads, p.imbalance(loads)
        if name == "zipf":
            out["hottest_key_share"] = float(np.bincount(keys).max() / n)
    return out


def skew_setup(fig, params):
    """Requests per shard, side by side for uniform and Zipf keys, with the mean load: all of them move."""
    ax = fig.add_subplot()
    artists = {"ax": ax, "uniform": _bars(ax, "tab:blue", "uniform keys"),
               "zipf": _bars(ax, "tab:orange", "Zipf keys (exponent s)"),
               "mean": ax.axhline(0, color="k", lw=1, ls="--", label="mean load", animated=True)}
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlabel("shard")
    ax.set_ylabel("requests per shard")
    _legend_above(ax, 3)
    return artists


def skew_draw(artists, result, params=None):
    """Set the bars of both samples and the mean line; the caption gives the imbalance."""
    shards = result["shards"]
    x = np.arange(shards)
    artists["uniform"].set_path(_bars_path(x - 0.2, result["uniform"], 0.4))
    artists["zipf"].set_path(_bars_path(x + 0.2, result["zipf"], 0.4))
    artists["mean"].set_ydata([result["n_requests"] / shards] * 2)
    ax = artists["ax"]
    ax.set_xlim(-0.6, _shard_top(shards) - 0.4)
    ax.set_ylim(0, _axes.nice_ceiling(1.1 * max(result["zipf"].max(), result["uniform"].max()), BAR_STEPS))
    return (f"{shards} shards, Zipf exponent s = {result['zipf_exponent']:.1f}: the busiest shard carries "
            f"{result['zipf_imbalance']:.2f}× the mean load (uniform keys: {result['uniform_imbalance']:.2f}×); "
            f"the hottest key alone gets {result['hottest_key_share']:.1%} of all requests.")


def skew_explorer(rng=None):
    """Sliders: Zipf exponent and number of shards. One seed is drawn from ``rng`` (the package's seeded generator
    when None), so a slider position always shows the same sample of requests."""
    seed = int(_random.rng(rng).integers(2**32))
    return base.Explorer(skew_compute, skew_draw, {
        "zipf_exponent": base.slider(1.0, 0.0, 2.0, 0.1, "Zipf exponent s"),
        "shards": base.slider(8, 2, SHARD_LIMITS[-1], 1, "shards", integer=True),
    }, setup=skew_setup, css_class="lesson06-skew", fixed={"rng": seed})


# --- 2. rebalancing: keys moved from n to n + 1 shards -------------------------------------------------------------

MOVED_N_LIMITS = (6, 12, 24, 64)  # x-axis tops for n


@functools.lru_cache(maxsize=8)
def _user_hashes(n_keys):
    """stable_hash of "user:0" .. "user:<n_keys - 1>", sorted (cached: pure). A moved fraction does not depend on
    the order of the keys, and sorted hashes make the ring's lookups (searchsorted) about twice as fast."""
    return np.sort(p.stable_hashes(f"user:{i}" for i in range(n_keys)))


@functools.lru_cache(maxsize=256)
def _assignment(scheme, n, vnodes, n_keys):
    """Shard of each of the n_keys user keys on n shards under scheme (cached: pure; vnodes only for the ring)."""
    shards = p.assign_shards(_user_hashes(n_keys), n, scheme, vnodes)
    shards.flags.writeable = False
    return shards


@functools.lru_cache(maxsize=2048)
def _moved(scheme, n, vnodes, n_keys):
    """Fraction of the user keys that change shard from n to n + 1 shards (cached: pure)."""
    return float(np.mean(_assignment(scheme, n, vnodes, n_keys) != _assignment(scheme, n + 1, vnodes, n_keys)))


def moved_compute(max_shards=10, vnodes=100, n_keys=3000):
    """Fraction of keys moved going from n to n + 1 shards, n = 1..max_shards, for each scheme, with the theory.

    max_shards: 1..64; vnodes: virtual nodes per shard on the ring, 1..1000; n_keys: user keys hashed, 1..10^6.
    Returns a dict: n (array), moved ({scheme: array, 0..1, measured on n_keys keys}), theory_modulo (n/(n+1)) and
    theory_minimum (1/(n+1), what ring, jump and rendezvous approach).
    """
    max_shards = v.integer("max_shards", max_shards, low=1, high=64)
    vnodes = v.integer("vnodes", vnodes, low=1, high=1000)
    n_keys = v.integer("n_keys", n_keys, low=1, high=1_000_000)
    ns = np.arange(1, max_shards + 1)
    # only the ring has virtual nodes: the other schemes keep one cache entry per n
    moved = {scheme: np.array([_moved(scheme, int(n), vnodes if scheme == "ring" else 1, n_keys) for n in ns])
             for scheme in p.SCHEMES}
    return {"n": ns, "moved": moved, "theory_modulo": ns / (ns + 1), "theory_minimum": 1 / (ns + 1),
            "vnodes": vnodes, "n_keys": n_keys}


def moved_setup(fig, params):
    """Moved fraction against n: one moving line per scheme over the static theory curves."""
    ax = fig.add_subplot()
    artists = {"ax": ax}
    for scheme in p.SCHEMES:
        artists[scheme] = ax.plot([], [], marker="o", ms=3, label=SCHEME_LABELS[scheme], animated=True)[0]
    wide = np.arange(1, MOVED_N_LIMITS[-1] + 1)
    ax.plot(wide, wide / (wide + 1), "k--", lw=1, label="theory n/(n+1)")
    ax.plot(wide, 1 / (wide + 1), "k:", lw=1, label="theory 1/(n+1)")
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlabel("shards before adding one (n)")
    ax.set_ylabel("fraction of keys moved")
    ax.set_title("Adding a shard: which keys move?")
    ax.legend(fontsize=8, loc="center right")
    return artists


def moved_draw(artists, result, params=None):
    """Move the four scheme lines; the caption gives the ring's virtual nodes and the moves at the largest n."""
    ns = result["n"]
    for scheme in p.SCHEMES:
        artists[scheme].set_data(ns, result["moved"][scheme])
    top = next((t for t in MOVED_N_LIMITS if t >= ns[-1]), int(ns[-1]))
    artists["ax"].set_xlim(0.5, top + 0.5)
    last = ", ".join(f"{scheme} {result['moved'][scheme][-1]:.1%}" for scheme in p.SCHEMES)
    return (f"Ring with {result['vnodes']} virtual nodes per shard; {result['n_keys']:,} keys. From {ns[-1]} to "
            f"{ns[-1] + 1} shards: {last} moved (theory: {result['theory_modulo'][-1]:.1%} for modulo, "
            f"{result['theory_minimum'][-1]:.1%} at least).")


def moved_explorer():
    """Sliders: largest n shown and the ring's virtual nodes."""
    return base.Explorer(moved_compute, moved_draw, {
        "max_shards": base.slider(10, 2, 24, 1, "largest n", integer=True),
        "vnodes": base.slider(100, 1, 300, 1, "virtual nodes", integer=True),
    }, setup=moved_setup, css_class="lesson06-moved")


# --- 3. load spread vs virtual nodes -------------------------------------------------------------------------------

VNODE_SWEEP = (1, 2, 5, 10, 20, 50, 100, 200, 400)
SPREAD_MAX_NODES = 16


@functools.lru_cache(maxsize=512)
def _ring_shares(vnodes, nodes):
    """Each node's share of a ring of ``nodes`` nodes with ``vnodes`` points each (cached: pure)."""
    shares = p.ring_shares([f"node-{i}" for i in range(nodes)], vnodes)
    shares.flags.writeable = False
    return shares


def spread_compute(vnodes=10, nodes=8):
    """Share of the key space each node owns on a ring with ``vnodes`` points per node, and max/mean over a sweep.

    vnodes: 1..1000; nodes: 1..64. Returns a dict: ``shares`` (array, sums to 1), ``imbalance`` (max/mean share),
    ``sweep_vnodes`` and ``sweep_imbalance`` (arrays: max/mean share for each of VNODE_SWEEP virtual nodes).
    """
    nodes = v.integer("nodes", nodes, low=1, high=64)
    vnodes = v.integer("vnodes", vnodes, low=1, high=1000)
    shares = _ring_shares(vnodes, nodes)
    sweep = np.array([_ring_shares(k, nodes).max() * nodes for k in VNODE_SWEEP])
    return {"shares": shares, "imbalance": float(shares.max() * nodes), "sweep_vnodes": np.array(VNODE_SWEEP),
            "sweep_imbalance": sweep, "vnodes": vnodes, "nodes": nodes}


def spread_setup(fig, params):
    """Left: each node's share of keys (bars) and the fair share; right: max/mean share against virtual nodes
    (log scale) with the current setting. Everything that depends on the sliders moves."""
    left, right = fig.subplots(1, 2)
    moving = dict(animated=True)
    artists = {"left": left, "right": right,
               "bars": _bars(left, "tab:blue", "share of one node"),
               "fair": left.axhline(0, color="k", ls="--", lw=1, label="fair share", **moving),
               "sweep": right.plot([], [], marker="o", label="ring with k virtual nodes", **moving)[0],
               "current": right.plot([], [], "r*", ms=12, label="your setting", **moving)[0]}
    left.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    left.set_xlabel("node")
    left.set_ylabel("share of keys (%)")
    _legend_above(left, 2)
    right.set_xscale("log")
    right.set_xlim(0.7, 600)
    # the right axis fits the most uneven sweep of any node count the slider offers, so moving a slider never changes it
    artists["sweep_top"] = max(float(spread_compute(1, n)["sweep_imbalance"].max())
                               for n in range(2, max(SPREAD_MAX_NODES, params.get("nodes", 2)) + 1))
    right.set_xlabel("virtual nodes per node (log scale)")
    right.set_ylabel("max / mean share")
    _legend_above(right, 2)
    return artists


def spread_draw(artists, result, params=None):
    """Set the bars of the nodes in use, the fair share, the sweep and the current point; the caption gives the
    busiest node's share."""
    shares, nodes = result["shares"], result["nodes"]
    artists["bars"].set_path(_bars_path(np.arange(nodes), 100 * shares, 0.8))
    artists["fair"].set_ydata([100 / nodes] * 2)
    artists["sweep"].set_data(result["sweep_vnodes"], result["sweep_imbalance"])
    artists["current"].set_data([result["vnodes"]], [result["imbalance"]])
    artists["left"].set_xlim(-0.6, _shard_top(nodes) - 0.4)
    artists["left"].set_ylim(0, _axes.nice_ceiling(110 * float(shares.max()), BAR_STEPS))
    worst = max(artists["sweep_top"], result["imbalance"])
    artists["right"].set_ylim(0.9, _axes.nice_ceiling(1.1 * worst, Y_STEPS))
    return (f"{nodes} nodes × {result['vnodes']} virtual nodes: the busiest node owns {shares.max():.1%} of the keys, "
            f"{result['imbalance']:.2f}× its fair share of {1 / nodes:.1%}.")


def spread_explorer():
    """Sliders: virtual nodes per node and number of nodes."""
    return base.Explorer(spread_compute, spread_draw, {
        "vnodes": base.slider(10, 1, VNODE_SWEEP[-1], 1, "virtual nodes", integer=True),
        "nodes": base.slider(8, 2, SPREAD_MAX_NODES, 1, "nodes", integer=True),
    }, setup=spread_setup, css_class="lesson06-vnodes", size_in=(8.0, 3.0))


# --- 4. scatter-gather cost model vs measurement -------------------------------------------------------------------

LOOKUP, SEQUENTIAL, THREADS = "point lookup (routed)", "scatter-gather (sequential)", "scatter-gather (threads)"
MEASURED_STYLES = ((SEQUENTIAL, "C0o"), (THREADS, "C1s"), (LOOKUP, "C2^"))


def scatter_medians(measured):
    """Median time per query (s) of a ``bench.shards.compare_layouts`` frame, per (shards, query): a Series.
    It must hold the 1-shard routed lookup and sequential scatter-gather that calibrate the model."""
    if not {"shards", "query", "per_query_s"} <= set(getattr(measured, "columns", ())):
        raise ValueError("measured must be a compare_layouts DataFrame with columns 'shards', 'query', 'per_query_s'")
    medians = measured.groupby(["shards", "query"])["per_query_s"].median()
    for query in (LOOKUP, SEQUENTIAL):
        if (1, query) not in medians.index:
            raise ValueError(f"measured must hold 1-shard rows of {query!r} (they calibrate the model)")
    return medians


def scatter_compute(medians, overhead_scale=1.0, cores=2, max_shards=8):
    """Scatter-gather model curves calibrated on the 1-shard medians (``scatter_medians``), for 1..max_shards shards.

    overhead_scale: multiplies the calibrated per-shard overhead (>= 0); cores: 1..256; max_shards: 1..1024.
    The model is ``models.sharding.scatter_gather_s``. Returns a dict: shards, sequential_s and threads_s (arrays,
    s), scan_s and overhead_s (the calibration, s).
    """
    scale = v.non_negative("overhead_scale", overhead_scale)
    cores = v.integer("cores", cores, low=1, high=256)
    max_shards = v.integer("max_shards", max_shards, low=1, high=1024)
    scan, overhead = sharding.calibrate_scatter_gather(medians[(1, LOOKUP)], medians[(1, SEQUENTIAL)])
    shards = np.arange(1, max_shards + 1)
    curves = np.array([sharding.scatter_gather_s(scan, overhead * scale, int(n), cores) for n in shards])
    return {"shards": shards, "sequential_s": curves[:, 0], "threads_s": curves[:, 1], "scan_s": scan,
            "overhead_s": overhead, "overhead_scale": scale, "cores": cores}


def _measured_points(medians):
    """{query: (shards array, median seconds array)} for each query the medians hold."""
    queries = set(medians.index.get_level_values("query"))
    return {query: (rows.index.to_numpy(), rows.to_numpy()) for query, _ in MEASURED_STYLES if query in queries
            for rows in [medians.xs(query, level="query")]}


def scatter_setup(fig, params):
    """Time per query against shards: the two model lines move; the measured medians are static points."""
    ax = fig.add_subplot()
    artists = {"ax": ax,
               "sequential": ax.plot([], [], "C0-", label="model: sequential", animated=True)[0],
               "threads": ax.plot([], [], "C1-", label="model: threads", animated=True)[0]}
    measured, top = _measured_points(params["medians"]), 0.0
    for query, style in MEASURED_STYLES:
        if query in measured:
            shards, seconds = measured[query]
            ax.plot(shards, 1e3 * seconds, style, ms=8, label=f"measured: {query}")
            top = max(top, 1e3 * float(seconds.max()))
    artists["measured_top_ms"] = top
    ax.set_xlim(0.5, params["max_shards"] + 0.5)
    ax.set_xlabel("shards")
    ax.set_ylabel("time per query (ms)")
    ax.set_title("Scatter-gather: model calibrated on 1 shard")
    ax.legend(fontsize=7, loc="upper left")
    return artists


def scatter_draw(artists, result, params=None):
    """Move the model lines; the caption gives the calibration and the model at the most shards."""
    shards = result["shards"]
    artists["sequential"].set_data(shards, 1e3 * result["sequential_s"])
    artists["threads"].set_data(shards, 1e3 * result["threads_s"])
    top_ms = max(1e3 * float(result["sequential_s"].max()), artists["measured_top_ms"], 1e-3)
    artists["ax"].set_ylim(0, _axes.nice_ceiling(1.1 * top_ms, Y_STEPS))
    return (f"Calibrated on your 1-shard run: scan {1e3 * result['scan_s']:.2f} ms, overhead "
            f"{1e3 * result['overhead_s']:.3f} ms per shard query (× {result['overhead_scale']:g}). At {shards[-1]} "
            f"shards the model gives {1e3 * result['sequential_s'][-1]:.2f} ms sequential, "
            f"{1e3 * result['threads_s'][-1]:.2f} ms with threads on {result['cores']} core(s).")


def scatter_explorer(measured):
    """Sliders: overhead scale and cores, over the measured frame of ``bench.shards.compare_layouts``."""
    medians = scatter_medians(measured)
    return base.Explorer(scatter_compute, scatter_draw, {
        "overhead_scale": base.slider(1.0, 0.0, 5.0, 0.25, "per-shard overhead ×"),
        "cores": base.slider(2, 1, 8, 1, "cores", integer=True),
    }, setup=scatter_setup, css_class="lesson06-scatter",
        fixed={"medians": medians, "max_shards": int(max(8, measured["shards"].max()))})


# --- 5. static pictures: hash spread, half-done transactions ------------------------------------------------------

def hash_spread(key_counts=(100, 1_000, 10_000, 100_000), shards=8):
    """Route the keys "user:0".."user:K-1" with the stable hash % shards, for each K in key_counts (each >= shards,
    at most 1,000,000); shards: 2..1024. Returns a DataFrame, one row per K: keys, shards, mean_keys, busiest_keys,
    excess_percent (busiest over the mean, minus 1, in %) and model_percent (``sharding.busiest_shard_excess``)."""
    import pandas as pd

    n = v.integer("shards", shards, low=2, high=1024)
    counts = [v.integer("key_counts", k, low=n, high=1_000_000) for k in key_counts]
    if not counts:
        raise ValueError("key_counts must hold at least one count >= shards")
    rows = []
    for k in counts:
        loads = p.shard_loads(p.assign_shards(p.stable_hashes([f"user:{i}" for i in range(k)]), n), n)
        rows.append({"keys": k, "shards": n, "mean_keys": k / n, "busiest_keys": int(loads.max()),
                     "excess_percent": 100 * (loads.max() / (k / n) - 1),
                     "model_percent": 100 * sharding.busiest_shard_excess(k, n)})
    return pd.DataFrame(rows)


def plot_hash_spread(spread):
    """The busiest shard's excess over the mean (%) against the number of keys, measured (a ``hash_spread`` frame)
    and the model E[max of n normals] * sqrt(n / K) on the same log-log axes; returns a matplotlib Figure."""
    if not {"keys", "shards", "excess_percent"} <= set(getattr(spread, "columns", ())) or len(spread) < 1:
        raise ValueError("spread must be a hash_spread DataFrame with columns 'keys', 'shards', 'excess_percent'")
    n = int(spread["shards"].iloc[0])
    fig, ax = base.figure(7.0, 3.4)
    grid = np.geomspace(max(n, spread["keys"].min() / 2), spread["keys"].max() * 2, 60)
    ax.plot(grid, [100 * sharding.busiest_shard_excess(int(k), n) for k in grid], "-", color="tab:blue",
            label=f"model: E[max of {n} normals] x sqrt({n} / keys)")
    ax.plot(spread["keys"], spread["excess_percent"].clip(lower=1e-3), "o", color="tab:orange", ms=8,
            label=f"measured: stable hash % {n}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("keys routed")
    ax.set_ylabel("busiest shard above the mean (%)")
    ax.legend(fontsize=8)
    return fig


def plot_half_done(crashes):
    """Share of half-done transfers against the crash probability: measured (a ``bench.shards.crash_transfers``
    frame, with a band of two binomial standard errors) and the model p (1 - p) on the same axes; a Figure."""
    needed = {"crash_probability", "transfers", "half_done_fraction"}
    if not needed <= set(getattr(crashes, "columns", ())) or len(crashes) < 1:
        raise ValueError(f"crashes must be a crash_transfers DataFrame with columns {sorted(needed)}")
    fig, ax = base.figure(7.0, 3.4)
    grid = np.linspace(0, 1, 101)
    ax.plot(grid, 100 * grid * (1 - grid), "-", color="tab:blue", label="model: p (1 - p)")
    p_ = crashes["crash_probability"].to_numpy(dtype=float)
    model = p_ * (1 - p_)
    error = 2 * np.sqrt(model * (1 - model) / crashes["transfers"].to_numpy(dtype=float))
    ax.fill_between(p_, 100 * (model - error), 100 * (model + error), color="tab:blue", alpha=0.15,
                    label="model ± 2 standard errors")
    ax.plot(p_, 100 * crashes["half_done_fraction"], "o", color="tab:orange", ms=8, label="measured: two SQLite shards")
    ax.axhline(0, color="tab:green", ls="--", label="one database: 0")
    ax.set_xlim(0, 1)
    ax.set_ylim(-2, 35)
    ax.set_xlabel("probability p that a shard's commit fails")
    ax.set_ylabel("transfers left half-done (%)")
    ax.legend(fontsize=8, loc="upper right")
    return fig


__all__ = ["skew_compute", "skew_setup", "skew_draw", "skew_explorer", "moved_compute", "moved_setup", "moved_draw",
           "moved_explorer", "spread_compute", "spread_setup", "spread_draw", "spread_explorer", "scatter_medians",
           "scatter_compute", "scatter_setup", "scatter_draw", "scatter_explorer", "hash_spread",
           "plot_hash_spread", "plot_half_done"]
