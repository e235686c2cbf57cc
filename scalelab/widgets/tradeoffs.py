"""Views of lesson 10 (trade-offs): quorums under a partition, batch size against latency and throughput, and the
cost and availability of a deployment; plus the lesson's measured-vs-model pictures.

Each explorer is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure
once with fixed axes and a ``<view>_draw`` that moves its artists (see ``scalelab.widgets.base``).
"""
import functools
import math

import ipywidgets as widgets
import numpy as np

from .. import _random
from .. import _validate as v
from ..models import batching as bm
from ..models import consistency, quorum, tradeoffs
from ..sim import replicas as sim
from . import base

MODES = ("cp", "ap")  # both are simulated side by side

# ------------------------------------------------------------------------------------- quorums and a partition
QUORUM_BARS = ("majority reads", "majority writes", "minority reads", "minority writes")


@functools.lru_cache(maxsize=512)
def quorum_compute(n=5, r=3, w=3, minority=2, operations=80, rng=0):
    """Quorum arithmetic and two simulated runs of the store (CP and AP) for n replicas, R, W and a partition.

    r, w above n are taken as n and minority (replicas cut off) above n // 2 as n // 2: the sliders move
    independently. Returns a dict: n, r, w, minority (as used), overlap, shared (min overlap), read_failures,
    write_failures, model_stale (C(n − w, r) / C(n, r)), sim_stale (share of 2000 simulated quorum races that were
    stale), and per mode ("cp", "ap") a dict: accepted (share of operations accepted during the partition, per bar
    of QUORUM_BARS, NaN when none was tried), lost_lww, conflicts, lost_vv, acknowledged (writes during the
    partition) and linearizable (the checker's verdict on the simulated history, key by key). Seeded by ``rng``
    (an int): the same inputs give the same runs.
    """
    n = v.integer("n", n, low=1, high=15)
    r = min(v.integer("r", r, low=1, high=50), n)
    w = min(v.integer("w", w, low=1, high=50), n)
    m = min(v.integer("minority", minority, low=0, high=50), n // 2)
    result = {"n": n, "r": r, "w": w, "minority": m, "overlap": quorum.overlaps(n, r, w),
              "shared": quorum.min_overlap(n, r, w), "read_failures": quorum.read_failures_tolerated(n, r),
              "write_failures": quorum.write_failures_tolerated(n, w),
              "model_stale": quorum.stale_read_probability(n, r, w),
              "sim_stale": sim.stale_read_share(n, r, w, rounds=2000, rng=_random.rng(rng + 1))}
    for mode in MODES:
        run = sim.simulate_store(n=n, r=r, w=w, mode=mode, minority=m, operations=operations, keys=3, lag=4,
                                 rng=_random.rng(rng))
        during = [op for op in run.history if op["phase"] == "partition"]
        accepted = []
        for side in (0, 1):
            for kind in ("read", "write"):
                tried = [op for op in during if op["side"] == side and op["op"] == kind]
                accepted.append(sum(op["ok"] is True for op in tried) / len(tried) if tried else math.nan)
        keys = sorted({op["key"] for op in run.history})
        result[mode] = {"accepted": tuple(accepted), "acknowledged": run.reconciliation["acknowledged_writes"],
                        **{k: run.reconciliation[k] for k in ("lost_lww", "conflicts", "lost_vv")},
                        "linearizable": all(consistency.is_linearizable([op for op in run.history if op["key"] == k])
                                            for k in keys)}
    return result


def _bars(ax, x, colors, width=0.8):
    """Bars as ONE animated artist (a PolyCollection; ``_set_heights`` moves them): one draw per update, not one
    per bar."""
    from matplotlib.collections import PolyCollection

    bars = PolyCollection([_bar(xi, 0.0, width) for xi in x], facecolors=colors, edgecolors="none", animated=True)
    bars.x, bars.width = list(x), width
    ax.add_collection(bars)
    return bars


def _bar(x, height, width):
    return [(x - width / 2, 0), (x - width / 2, height), (x + width / 2, height), (x + width / 2, 0)]


def _set_heights(bars, heights):
    bars.set_verts([_bar(x, h, bars.width) for x, h in zip(bars.x, heights)])


def quorum_setup(fig, params):
    """Left: share of operations each side accepts during the partition, CP and AP; right: stale reads (simulated
    vs C(n − w, r) / C(n, r)) and, after the heal, AP's writes lost by last-writer-wins vs keys whose conflicts
    version vectors keep."""
    left, right = fig.subplots(1, 2, width_ratios=(1.4, 1))
    x = np.concatenate([np.arange(4), np.arange(5, 9)])
    colors = ["tab:blue", "tab:blue", "tab:orange", "tab:orange"] * 2
    accepted = _bars(left, x, colors)
    left.set_xlim(-0.6, 8.6)
    left.set_xticks(x, ["maj.\nR", "maj.\nW", "min.\nR", "min.\nW"] * 2, fontsize=7)
    left.text(1.5, 108, "CP (refuses)", ha="center", fontsize=8)
    left.text(6.5, 108, "AP (accepts)", ha="center", fontsize=8)
    left.set_ylim(0, 118)
    left.set_ylabel("accepted during the partition (%)")
    labels = ["stale\nreads", "AP writes\nlost (LWW)", "AP keys with\nconflicts (VV)"]
    xr = np.arange(3)
    bars = _bars(right, xr, ["tab:purple", "tab:red", "tab:green"])
    right.set_xlim(-0.6, 2.6)
    model = right.plot([-0.4, 0.4], [0, 0], color="black", lw=2, label="model C(N−W,R)/C(N,R)", animated=True)[0]
    right.set_xticks(xr, labels, fontsize=7)
    right.set_ylim(0, 118)
    right.set_ylabel("share (%)")
    right.legend(fontsize=7, loc="upper right")
    return {"accepted": accepted, "bars": bars, "model": model}


def quorum_draw(artists, result, params=None):
    """Bars to this result; the caption gives the arithmetic and the checker's verdicts."""
    shares = result["cp"]["accepted"] + result["ap"]["accepted"]
    _set_heights(artists["accepted"], [0 if math.isnan(share) else 100 * share for share in shares])
    ap = result["ap"]
    _set_heights(artists["bars"], (100 * result["sim_stale"], 100 * ap["lost_lww"] / max(ap["acknowledged"], 1),
                                   100 * ap["conflicts"] / 3))
    artists["model"].set_ydata([100 * result["model_stale"]] * 2)
    n, r, w, m = result["n"], result["r"], result["w"], result["minority"]
    relation = f"R + W = {r + w} {'>' if result['overlap'] else '<='} N = {n}"
    cut = f"Partition {n - m} | {m}" if m else "No partition"
    verdict = {mode: "yes" if result[mode]["linearizable"] else "NO" for mode in MODES}
    return (f"{relation}: any read and write quorum share >= {result['shared']} replica(s); reads survive "
            f"{result['read_failures']} failure(s), writes {result['write_failures']}. Stale reads: simulated "
            f"{result['sim_stale']:.1%}, model {result['model_stale']:.1%}.\n{cut}. AP: {ap['acknowledged']} writes "
            f"acknowledged during it, {ap['lost_lww']} lost by LWW, {ap['conflicts']} of 3 keys with conflicts "
            f"version vectors keep ({ap['lost_vv']} lost). Linearizable: CP {verdict['cp']}, AP {verdict['ap']}.")


def quorum_explorer(n=5, r=3, w=3, minority=2):
    """Sliders for N, R, W and the replicas cut off, over the seeded simulator of the store in CP and AP mode."""
    controls = {"n": base.slider(n, 3, 9, 1, "replicas N", integer=True),
                "r": base.slider(r, 1, 9, 1, "read quorum R", integer=True),
                "w": base.slider(w, 1, 9, 1, "write quorum W", integer=True),
                "minority": base.slider(minority, 0, 4, 1, "replicas cut off", integer=True)}
    return base.Explorer(quorum_compute, quorum_draw, controls, setup=quorum_setup, css_class="lesson10-quorum")


# -------------------------------------------------------------------------------------------------- batch size
BATCH_GRID = np.unique(np.round(np.logspace(0, 10, 240, base=2)).astype(int))  # 1 .. 1024
LATENCY_LIMITS_MS = (0.1, 2000)
CAPACITY_LIMITS = (50, 2e6)


def batch_compute(rate=2000.0, overhead_ms=1.4, per_item_us=4.0, target_ms=15.0):
    """The batching model over batch sizes 1..1024: latency (ms, inf where the writer cannot keep up), throughput
    capacity (items/s), and the smallest stable and the largest on-target batch sizes (None if there is none).

    rate: items/s arriving (> 0); overhead_ms: fixed cost of one commit (ms, >= 0); per_item_us: cost per item
    (µs, >= 0); target_ms: the latency target (ms, > 0).
    """
    lam = v.positive("rate", rate)
    c0 = v.non_negative("overhead_ms", overhead_ms) / 1000
    c1 = v.non_negative("per_item_us", per_item_us) / 1e6
    target = v.positive("target_ms", target_ms) / 1000
    if c0 == 0 and c1 == 0:
        raise ValueError("overhead_ms and per_item_us cannot both be 0")
    latency_ms = 1000 * bm.batch_latency_s(BATCH_GRID, lam, c0, c1)
    capacity = bm.throughput_capacity(BATCH_GRID, c0, c1)
    stable = bm.smallest_stable_batch(lam, c0, c1)
    best = bm.largest_batch_for_latency(lam, target, c0, c1)
    return {"b": BATCH_GRID, "latency_ms": latency_ms, "capacity": capacity, "stable": stable, "best": best,
            "rate": lam, "target_ms": 1000 * target,
            "best_latency_ms": None if best is None else 1000 * bm.batch_latency_s(best, lam, c0, c1)}


def batch_setup(fig, params, measured=None):
    """Left: per-item latency vs batch size (log-log) with the target; right: throughput capacity with the arrival
    rate. Measured points, when given, are static."""
    left, right = fig.subplots(1, 2)
    moving = dict(animated=True)
    artists = {"latency": left.plot([], [], label="model: fill wait + commit", **moving)[0],
               "target": left.axhline(1, color="black", ls="--", lw=1, label="latency target", **moving),
               "best": left.plot([], [], "o", color="tab:green", ms=7, label="largest batch on target", **moving)[0],
               "capacity": right.plot([], [], label="model capacity b / S(b)", **moving)[0],
               "rate": right.axhline(1, color="black", ls="--", lw=1, label="arrival rate", **moving),
               "stable": right.plot([], [], "o", color="tab:red", ms=7, label="smallest batch that keeps up",
                                    **moving)[0]}
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlim(0.8, 1300)
        ax.set_xlabel("batch size b (items per commit)")
    left.set_ylim(*LATENCY_LIMITS_MS)
    right.set_ylim(*CAPACITY_LIMITS)
    left.set_ylabel("mean latency per item (ms)")
    right.set_ylabel("throughput (items/s)")
    if measured is not None:
        if "mean_ms" in measured:
            left.plot(measured["batch_size"], measured["mean_ms"], "s", color="tab:purple", label="measured")
        if "items_per_s" in measured:
            right.plot(measured["batch_size"], measured["items_per_s"], "s", color="tab:purple", label="measured")
    left.legend(fontsize=7, loc="upper left")
    right.legend(fontsize=7, loc="lower right")
    return artists


def batch_draw(artists, result, params=None):
    """Curves, lines and markers to this result; the caption names the two batch sizes."""
    b = result["b"]
    shown = np.where(np.isfinite(result["latency_ms"]), result["latency_ms"], np.nan)
    artists["latency"].set_data(b, shown)
    artists["capacity"].set_data(b, result["capacity"])
    artists["target"].set_ydata([result["target_ms"]] * 2)
    artists["rate"].set_ydata([result["rate"]] * 2)
    best, stable = result["best"], result["stable"]
    artists["best"].set_data([best] if best else [], [result["best_latency_ms"]] if best else [])
    artists["stable"].set_data([stable] if stable else [], [result["rate"]] if stable else [])
    if stable is None:
        return f"At {result['rate']:.0f} items/s no batch size keeps up: the per-item cost alone is too high."
    on_target = (f"the largest batch within {result['target_ms']:g} ms is b = {best} "
                 f"({result['best_latency_ms']:.1f} ms)" if best else
                 f"no batch size meets {result['target_ms']:g} ms")
    return (f"At {result['rate']:.0f} items/s the writer keeps up from b = {stable} on; {on_target}. "
            f"Between them: fewer commits per item (throughput) against a longer wait to fill the batch (latency).")


def batch_explorer(rate=2000.0, overhead_ms=1.4, per_item_us=4.0, target_ms=15.0, measured=None):
    """Sliders for arrival rate, commit overhead, per-item cost and the latency target over the batching model.
    measured: optional DataFrame (batch_size with mean_ms and/or items_per_s) drawn as fixed points."""
    controls = {"rate": base.slider(rate, 100, 20_000, 100, "arrival rate (items/s)"),
                "overhead_ms": base.slider(overhead_ms, 0.1, 20, 0.1, "commit overhead c0 (ms)"),
                "per_item_us": base.slider(per_item_us, 0.5, 100, 0.5, "per-item cost c1 (µs)"),
                "target_ms": base.slider(target_ms, 1, 200, 1, "latency target (ms)")}
    return base.Explorer(batch_compute, batch_draw, controls, setup=functools.partial(batch_setup, measured=measured),
                         css_class="lesson10-batch")


# ---------------------------------------------------------------------------------------- cost and availability
COST_LIMITS_USD = (0.01, 1000)
NINES_LIMITS = (0, 12)


PROCESSING = {"real-time": (True, 0.0), "hourly batch": (False, 1.0), "nightly batch": (False, 24.0)}


def cost_compute(tier=0, copies=1, regions=1, processing="real-time", consistency="eventual", mean_rps=500.0,
                 peak_to_mean=3.0, tiers=None):
    """Size and price one deployment (``scalelab.models.tradeoffs.deployment``) on a tier of the cost table.

    tier: row of the cost table (0 = the commodity 4-CPU box); processing: one of PROCESSING (real-time, or a
    batch run every hour or every night); consistency: "eventual", "majority" or "all" regions per write;
    tiers: (name, cost_usd, performance) rows, default the course's cost table
    (``scalelab.datasets.load_server_costs()``). Returns a dict with
    the Deployment, the tier's name and the nines shown (capped at the axis top).
    """
    rows = tiers if tiers is not None else _cost_tiers()
    t = v.integer("tier", tier, low=0, high=len(rows) - 1)
    if processing not in PROCESSING:
        raise ValueError(f"processing must be one of {list(PROCESSING)}, got {processing!r}")
    realtime, window_h = PROCESSING[processing]
    name, cost, performance = rows[t]
    d = tradeoffs.deployment(mean_rps, cost, performance, peak_to_mean=peak_to_mean, copies=copies,
                             regions=regions, realtime=realtime, consistency=consistency, batch_window_h=window_h)
    return {"tier": name, "deployment": d, "nines": min(d.nines, NINES_LIMITS[1])}


@functools.lru_cache(maxsize=1)
def _cost_tiers():
    """(tier, cost_usd, performance_mid) of each row of the course's cost table."""
    from .. import datasets

    table = datasets.load_server_costs()
    return tuple((row.tier, float(row.cost_usd), float(row.performance_mid)) for row in table.itertuples())


SEED_PATHS = {"high-performance path": dict(tier=3, copies=2, regions=3, processing="real-time",
                                            consistency="majority"),
              "cost-optimised path": dict(tier=0, copies=1, regions=1, processing="nightly batch",
                                          consistency="eventual")}


def cost_setup(fig, params):
    """Dollars per million served requests (log) against nines of availability; the seed's two paths fixed."""
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_xlim(*COST_LIMITS_USD)
    ax.set_ylim(*NINES_LIMITS)
    ax.set_xlabel("cost per million served requests ($, log scale)")
    ax.set_ylabel("availability of writes (nines)")
    for (label, config), color in zip(SEED_PATHS.items(), ("tab:red", "tab:green")):
        result = cost_compute(**config, mean_rps=params["mean_rps"], peak_to_mean=params["peak_to_mean"])
        ax.plot([result["deployment"].cost_per_million_usd], [result["nines"]], "D", color=color, ms=8, label=label)
    you = ax.plot([], [], "o", color="tab:blue", ms=10, label="your deployment", animated=True)[0]
    ax.legend(fontsize=8, loc="lower right")
    return {"you": you}


def cost_draw(artists, result, params=None):
    """Move the chosen deployment; the caption prices it."""
    d = result["deployment"]
    artists["you"].set_data([d.cost_per_million_usd], [result["nines"]])
    waits = f"writes wait {d.write_wait_ms:.0f} ms more for other regions; " if d.write_wait_ms else ""
    result_wait = "results at once" if d.result_wait_h == 0 else f"results after {d.result_wait_h:g} h on average"
    return (f"{d.servers} × {result['tier']} ({d.servers_per_copy} per copy): ${d.monthly_cost_usd:,.0f}/month, "
            f"${d.cost_per_million_usd:.2f} per million served requests, availability {d.availability:.6%} "
            f"({d.nines:.1f} nines); {waits}{result_wait}.")


def cost_explorer(tier=0, copies=1, regions=2, processing="real-time", consistency="eventual", mean_rps=500.0,
                  peak_to_mean=3.0):
    """Tier, copies, regions, processing and consistency of one deployment, against the seed's two paths."""
    names = [row[0] for row in _cost_tiers()]
    controls = {"tier": widgets.Dropdown(options=[(name, i) for i, name in enumerate(names)], value=tier,
                                         description="servers"),
                "copies": base.slider(copies, 1, 4, 1, "copies per region", integer=True),
                "regions": base.slider(regions, 1, 4, 1, "regions", integer=True),
                "processing": widgets.Dropdown(options=list(PROCESSING), value=processing, description="processing"),
                "consistency": widgets.Dropdown(options=list(tradeoffs.CONSISTENCY), value=consistency,
                                                description="writes need")}
    return base.Explorer(cost_compute, cost_draw, controls, setup=cost_setup, css_class="lesson10-cost",
                         fixed={"mean_rps": mean_rps, "peak_to_mean": peak_to_mean})


# ----------------------------------------------------------------------------------- measured-vs-model pictures
def plot_stale_reads(measured):
    """Measured share of stale reads per (R, W) against C(N − W, R) / C(N, R), on the same axes.

    measured: DataFrame with n, r, w, stale_share, model and rounds (as ``bench.replicas.stale_reads`` returns);
    the error bars are 95 % binomial intervals of the measured share."""
    needed = {"n", "r", "w", "stale_share", "model", "rounds"}
    if not needed <= set(getattr(measured, "columns", [])):
        raise ValueError(f"measured must be a DataFrame with the columns {sorted(needed)}")
    fig, ax = base.figure()
    x = np.arange(len(measured))
    p = measured["stale_share"].to_numpy()
    spread = 1.96 * np.sqrt(np.maximum(p * (1 - p), 1e-12) / measured["rounds"].to_numpy())
    ax.bar(x, 100 * measured["model"], width=0.6, color="lightgrey", label="model C(N−W, R) / C(N, R)")
    ax.errorbar(x, 100 * p, yerr=100 * spread, fmt="o", color="tab:red", capsize=3, label="measured (95 % interval)")
    ax.set_xticks(x, [f"R={r}, W={w}\n{'R+W>N' if r + w > n else 'R+W≤N'}" for n, r, w in
                      zip(measured["n"], measured["r"], measured["w"])])
    ax.set_ylabel("reads that missed the last write (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"Stale reads on {int(measured['n'].iloc[0])} replica processes", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def plot_history(history, result=None, title="A recorded history", max_ops=40):
    """The operations of a history as bars on a time line, one row per client (reads blue, writes orange, refused
    grey); with a checker ``result`` that failed, the operation it could not place is outlined in red and the
    ones it had placed are hatched. Shows the ``max_ops`` operations around that one."""
    ops = [dict(o, index=i) for i, o in enumerate(history)]
    if not ops:
        raise ValueError("history must hold at least one operation")
    focus = result.stuck_at if (result is not None and not result.ok and result.stuck_at is not None) else None
    if focus is not None:
        centre = next(k for k, o in enumerate(ops) if o["index"] == focus)
        ops = ops[max(0, centre - max_ops + 5):centre + 5]
    else:
        ops = ops[:max_ops]
    clients = sorted({str(o["client"]) for o in ops})
    fig, ax = base.figure(height=0.5 + 0.45 * len(clients) + 1.2)
    finite_ends = [o["end"] for o in ops if o["end"] != math.inf]
    right = max(finite_ends + [o["start"] for o in ops])
    placed = set(result.longest) if (result is not None and not result.ok) else set()
    for o in ops:
        y = clients.index(str(o["client"]))
        end = o["end"] if o["end"] != math.inf else right
        color = "lightgrey" if o["ok"] is False else ("tab:blue" if o["op"] == "read" else "tab:orange")
        edge = "red" if o["index"] == focus else "black"
        ax.barh(y, 1000 * (end - o["start"]), left=1000 * o["start"], height=0.6, color=color, edgecolor=edge,
                linewidth=2.5 if o["index"] == focus else 0.5, hatch="//" if o["index"] in placed else None)
        value = o["value"] if o["op"] != "cas" else f"{o['value'][0]}→{o['value'][1]}"
        ax.text(1000 * (o["start"] + end) / 2, y, f"{o['op'][0].upper()} {value}", ha="center", va="center",
                fontsize=6, clip_on=True)
    ax.set_yticks(range(len(clients)), clients)
    ax.set_xlabel("time (ms)")
    ax.set_title(title, fontsize=10)
    return fig


def plot_batches(commits, latencies, overhead_s, per_item_s):
    """Measured throughput (commit_costs) and per-item latency (batched_inserts) against the batching model
    fitted to the commits (overhead_s, per_item_s), on the same axes."""
    for name, frame, columns in (("commits", commits, {"batch_size", "items_per_s"}),
                                 ("latencies", latencies, {"batch_size", "mean_ms", "rate"})):
        if not columns <= set(getattr(frame, "columns", [])):
            raise ValueError(f"{name} must be a DataFrame with the columns {sorted(columns)}")
    fig, (left, right) = _two_panels()
    b = BATCH_GRID
    rate = float(latencies["rate"].iloc[0])
    right.plot(b, bm.throughput_capacity(b, overhead_s, per_item_s), label="model b / (c0 + c1·b)")
    right.plot(commits["batch_size"], commits["items_per_s"], "s", color="tab:purple", label="measured")
    right.axhline(rate, color="black", ls="--", lw=1, label=f"arrival rate {rate:.0f}/s")
    latency = 1000 * np.asarray(bm.batch_latency_s(b, rate, overhead_s, per_item_s))
    left.plot(b, np.where(np.isfinite(latency), latency, np.nan), label="model: fill wait + commit")
    left.plot(latencies["batch_size"], latencies["mean_ms"], "s", color="tab:purple", label="measured mean")
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size b (items per commit)")
        ax.legend(fontsize=7)
    left.set_ylabel("latency per item (ms)")
    right.set_ylabel("throughput (items/s)")
    return fig


def _two_panels():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3), dpi=90, layout="constrained")
    return fig, axes


def plot_partition(runs, n, r, w, groups):
    """Share of reads and writes each side accepted during the partition, measured (bars) against what the quorum
    arithmetic says a side of that size serves (markers), for each mode. runs: {mode: PartitionRun}."""
    fig, ax = base.figure()
    labels, measured, model = [], [], []
    for mode, run in runs.items():
        during = run.sides[run.sides["phase"] == "partition"]
        for row in during.itertuples():
            serves = quorum.partition_service(n, r, w, int(row.replicas), mode=mode)
            for kind in ("reads", "writes"):
                tried = getattr(row, kind)
                labels.append(f"{mode.upper()}\n{row.replicas} repl.\n{kind}")
                measured.append(100 * getattr(row, kind + "_ok") / tried if tried else np.nan)
                model.append(100.0 * getattr(serves, kind))
    x = np.arange(len(labels))
    ax.bar(x, measured, color="tab:blue", width=0.6, label="measured: accepted during the partition")
    ax.plot(x, model, "_", color="black", ms=22, mew=2.5, label="quorum arithmetic: side can serve")
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylim(0, 130)
    ax.set_ylabel("operations accepted (%)")
    ax.set_title(f"N = {n}, R = {r}, W = {w}, partition {' | '.join(str(len(g)) for g in groups)}", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", ncols=2)
    return fig


def plot_architectures(measured, requests):
    """Network calls per request and the request types that survive a crash, measured on the monolith and the
    services (bars) against ``scalelab.models.tradeoffs.footprint`` (markers). measured: the per-request table of
    ``bench.architecture.compare``; requests: {request type: [services it needs]}."""
    needed = {"architecture", "request", "network_calls", "ok_share_after_crash"}
    if not needed <= set(getattr(measured, "columns", [])):
        raise ValueError(f"measured must be a DataFrame with the columns {sorted(needed)}")
    fig, (left, right) = _two_panels()
    names = list(requests)
    x = np.arange(len(names))
    for offset, arch, color in ((-0.2, "monolith", "tab:orange"), (0.2, "services", "tab:blue")):
        rows = measured[measured["architecture"] == arch].set_index("request").reindex(names)
        model = tradeoffs.footprint(requests, arch)
        left.bar(x + offset, rows["network_calls"], width=0.38, color=color, label=f"{arch}: measured")
        left.plot(x + offset, [model.calls_per_request[q] for q in names], "_", color="black", ms=14, mew=2)
        right.bar(x + offset, 100 * rows["ok_share_after_crash"], width=0.38, color=color, label=arch)
    left.plot([], [], "_", color="black", ms=14, mew=2, label="model")
    for ax in (left, right):
        ax.set_xticks(x, names, fontsize=8)
    left.set_ylabel("network calls per request")
    right.set_ylabel("requests served after the crash (%)")
    right.set_ylim(0, 110)
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    return fig
