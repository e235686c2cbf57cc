"""Views of lesson 09 (finding the bottleneck): a multi-tier service's demands with its bounds and MVA curve, and
the link speed at which compression pays; plus the lesson's measured-vs-model pictures.

Each explorer is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once
and a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``).
"""
import math

import numpy as np

from .. import _validate as v
from ..models import bottlenecks as bm
from ..models import operational
from . import base

TIERS = ("web", "app", "db", "disk")
MAX_USERS = 60
THROUGHPUT_TOPS = (25, 50, 100, 200, 500, 1000, 2000)   # the throughput axis changes only between these
RESPONSE_TOPS_MS = (50, 100, 200, 500, 1000, 2000, 5000)
COLOURS = {"web": "tab:blue", "app": "tab:orange", "db": "tab:green", "disk": "tab:red"}


def _top(value, tops):
    return next((t for t in tops if t >= value), tops[-1])


def tiers_compute(web_ms=2.0, app_ms=8.0, db_ms=12.0, disk_ms=4.0, think_ms=0.0, users=MAX_USERS):
    """Exact MVA and the asymptotic bounds of a four-tier service for 1..users users.

    *_ms: service demand of each tier (ms per request, >= 0, at least one > 0); think_ms: think time Z (ms).
    Returns a dict of arrays over users (throughput_rps, throughput_upper_rps, response_ms, response_lower_ms),
    the per-tier utilisations at the last N, the bottleneck, its max throughput and N*."""
    demands = {name: v.non_negative(f"{name}_ms", value) / 1000
               for name, value in zip(TIERS, (web_ms, app_ms, db_ms, disk_ms))}
    if max(demands.values()) <= 0:
        raise ValueError("at least one of web_ms, app_ms, db_ms, disk_ms must be > 0 ms")
    z = v.non_negative("think_ms", think_ms) / 1000
    n = v.integer("users", users, low=1, high=10_000)
    curve = operational.mva_curve(demands, n, z)
    last = operational.bounds(demands, n, z)
    x_last = curve["throughput"][-1]
    return {"users": curve["users"], "throughput_rps": curve["throughput"],
            "throughput_upper_rps": curve["throughput_upper"], "response_ms": 1000 * curve["response_time"],
            "response_lower_ms": 1000 * curve["response_lower"], "bottleneck": last.bottleneck,
            "max_throughput_rps": 1 / last.demand_max, "users_star": last.users_star,
            "utilizations": {k: x_last * d for k, d in demands.items()},
            "demands_ms": {k: 1000 * d for k, d in demands.items()}}


def tiers_setup(fig, params):
    """Two axes over 1..60 users: throughput (MVA, bound) and response time (MVA, bound); moving lines and N*."""
    ax_x, ax_r = fig.subplots(1, 2)
    moving = dict(animated=True)
    artists = {"ax_x": ax_x, "ax_r": ax_r,
               "x": ax_x.plot([], [], color="black", label="MVA throughput", **moving)[0],
               "x_up": ax_x.plot([], [], "--", color="tab:purple", label="upper bound", **moving)[0],
               "r": ax_r.plot([], [], color="black", label="MVA response time", **moving)[0],
               "r_low": ax_r.plot([], [], "--", color="tab:purple", label="lower bound", **moving)[0],
               "star_x": ax_x.axvline(1, color="grey", lw=0.8, ls=":", **moving),
               "star_r": ax_r.axvline(1, color="grey", lw=0.8, ls=":", **moving)}
    for ax in (ax_x, ax_r):
        ax.set_xlim(0, MAX_USERS)
        ax.set_xlabel("users N")
    ax_x.set_ylabel("throughput X (req/s)")
    ax_r.set_ylabel("response time R (ms)")
    ax_x.legend(fontsize=7, loc="lower right")
    ax_r.legend(fontsize=7, loc="upper left")
    return artists


def tiers_draw(artists, result, params=None):
    """Move the curves and the N* lines; the caption names the bottleneck and each tier's utilisation."""
    users = result["users"]
    artists["x"].set_data(users, result["throughput_rps"])
    artists["x_up"].set_data(users, result["throughput_upper_rps"])
    artists["r"].set_data(users, result["response_ms"])
    artists["r_low"].set_data(users, result["response_lower_ms"])
    star = min(result["users_star"], MAX_USERS)
    artists["star_x"].set_xdata([star, star])
    artists["star_r"].set_xdata([star, star])
    artists["star_x"].set_color(COLOURS[result["bottleneck"]])
    artists["star_r"].set_color(COLOURS[result["bottleneck"]])
    artists["ax_x"].set_ylim(0, _top(1.1 * result["max_throughput_rps"], THROUGHPUT_TOPS))
    artists["ax_r"].set_ylim(0, _top(1.1 * float(result["response_ms"][-1]), RESPONSE_TOPS_MS))
    used = ", ".join(f"{k} {u:.0%}" for k, u in result["utilizations"].items())
    return (f"bottleneck: {result['bottleneck']} ({result['demands_ms'][result['bottleneck']]:g} ms per request) -> "
            f"at most {result['max_throughput_rps']:.0f} req/s; N* = {result['users_star']:.1f} users. "
            f"Utilisation at {int(users[-1])} users: {used}")


def tiers_explorer(web_ms=2.0, app_ms=8.0, db_ms=12.0, disk_ms=4.0, think_ms=0.0):
    """Sliders for the four tiers' demands and the think time over the bounds and the MVA curves."""
    controls = {f"{name}_ms": base.slider(value, 0.5, 40, 0.5, f"{name} demand (ms)")
                for name, value in zip(TIERS, (web_ms, app_ms, db_ms, disk_ms))}
    controls["think_ms"] = base.slider(think_ms, 0, 500, 10, "think time Z (ms)")
    return base.Explorer(tiers_compute, tiers_draw, controls, setup=tiers_setup, css_class="lesson09-tiers",
                         size_in=(8.0, 3.2))


BANDWIDTHS = np.logspace(4, 10, 241)   # 10 kB/s .. 10 GB/s


def compression_compute(payload_kb=200.0, ratio=7.0, cpu_ms=3.8, rtt_ms=20.0):
    """Time to deliver a payload raw or gzip-compressed over links of 10 kB/s .. 10 GB/s.

    payload_kb: size (kB, > 0); ratio: original / compressed (>= 1); cpu_ms: compress + decompress CPU time (ms);
    rtt_ms: one round trip (ms). Returns the curves (ms), the break-even bandwidth (bytes/s) and the saving there."""
    size = v.positive("payload_kb", payload_kb) * 1000
    r = v.number("ratio", ratio, 1, 1000)
    cpu = v.non_negative("cpu_ms", cpu_ms) / 1000
    rtt = v.non_negative("rtt_ms", rtt_ms) / 1000
    raw = rtt + size / BANDWIDTHS
    packed = rtt + cpu + size / r / BANDWIDTHS
    return {"bandwidth": BANDWIDTHS, "raw_ms": 1000 * raw, "compressed_ms": 1000 * packed,
            "break_even": bm.compression_break_even(size, size / r, cpu), "payload_bytes": size, "ratio": r}


def compression_setup(fig, params):
    """Log-log axes of delivery time against bandwidth; two moving curves and the break-even line."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax, "raw": ax.plot([], [], label="send it raw", **moving)[0],
               "packed": ax.plot([], [], label="gzip, send, gunzip", **moving)[0],
               "even": ax.axvline(1e6, color="grey", ls=":", label="break-even bandwidth", **moving)}
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(BANDWIDTHS[0], BANDWIDTHS[-1])
    ax.set_ylim(0.1, 1e6)
    ax.set_xlabel("link bandwidth (bytes/s)")
    ax.set_ylabel("time to deliver (ms)")
    ax.legend(fontsize=8, loc="upper right")
    return artists


def compression_draw(artists, result, params=None):
    """Move both curves and the break-even line; the caption gives the crossover in MB/s and Mbit/s."""
    artists["raw"].set_data(result["bandwidth"], result["raw_ms"])
    artists["packed"].set_data(result["bandwidth"], result["compressed_ms"])
    even = result["break_even"]
    shown = min(max(even, BANDWIDTHS[0]), BANDWIDTHS[-1]) if math.isfinite(even) else BANDWIDTHS[-1]
    artists["even"].set_xdata([shown, shown])
    if not math.isfinite(even):
        return "compressing costs no CPU time here: it pays at any bandwidth"
    return (f"compressing pays below {even / 1e6:.3g} MB/s ({8 * even / 1e6:.3g} Mbit/s): a {result['ratio']:g}x "
            f"smaller payload of {result['payload_bytes'] / 1e3:g} kB")


def compression_explorer(payload_kb=200.0, ratio=7.0, cpu_ms=3.8, rtt_ms=20.0):
    """Sliders for the payload, gzip's ratio and CPU cost, and the round trip, over raw vs compressed delivery."""
    controls = {"payload_kb": base.slider(payload_kb, 1, 2000, 1, "payload (kB)"),
                "ratio": base.slider(ratio, 1, 20, 0.5, "compression ratio"),
                "cpu_ms": base.slider(cpu_ms, 0, 50, 0.2, "gzip + gunzip CPU (ms)"),
                "rtt_ms": base.slider(rtt_ms, 0, 200, 1, "round trip (ms)")}
    return base.Explorer(compression_compute, compression_draw, controls, setup=compression_setup,
                         css_class="lesson09-compression")


# ------------------------------------------------------------------------------------------- static pictures
def plot_flame(tree, title="sampled call tree (pyinstrument)"):
    """An icicle picture of ``application.call_tree`` rows: one bar per frame, width = share of the time."""
    for column in ("depth", "start", "width", "name"):
        if column not in getattr(tree, "columns", []):
            raise ValueError("tree must be a DataFrame from scalelab.bench.application.call_tree")
    fig, ax = base.figure(height=2.6)
    cmap = ["#f4a259", "#e76f51", "#f6bd60", "#f28482", "#84a59d", "#bc6c25"]
    for row in tree.itertuples():
        ax.barh(-row.depth, row.width, left=row.start, height=0.9, color=cmap[row.depth % len(cmap)],
                edgecolor="white")
        if row.width > 0.06:
            ax.text(row.start + 0.005, -row.depth, f"{row.name} {row.width:.0%}", va="center", fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the profiled time")
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    return fig


def plot_pool(sweep, rate_rps):
    """Measured wait for a connection (mean and P95) against pool size, with Little's law's minimum pool
    (lambda * hold) and the M/M/c (Erlang C) mean wait on the same axes."""
    from ..models import queueing

    rate = v.positive("rate_rps", rate_rps)
    hold_s = float(sweep["hold_ms"].mean()) / 1000
    fig, ax = base.figure()
    ks = np.arange(1, int(sweep["pool_size"].max()) + 1)
    model = [1000 * queueing.mmc(rate, 1 / hold_s, int(k)).mean_wait if k > rate * hold_s else np.nan for k in ks]
    ax.plot(ks, model, "k-", label="M/M/c model: mean wait (Erlang C)")
    ax.plot(sweep["pool_size"], sweep["wait_mean_ms"], "o", color="tab:red", label="measured mean wait")
    ax.plot(sweep["pool_size"], sweep["wait_p95_ms"], "v", color="tab:orange", label="measured P95 wait")
    ax.axvline(rate * hold_s, color="tab:blue", ls="--", label="Little: λ·hold connections in use")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xlabel("pool size k (connections)")
    ax.set_ylabel("wait for a connection (ms)")
    ax.legend(fontsize=7)
    return fig


def plot_curve_vs_measured(x_model, y_model, x_measured, y_measured, xlabel, ylabel, model_label="model",
                           measured_label="measured", bound=None, logx=False, logy=False):
    """One model curve (and optionally a bound: (x, y, label)) with measured points on the same axes."""
    fig, ax = base.figure()
    ax.plot(x_model, y_model, "k-", label=model_label)
    if bound is not None:
        ax.plot(bound[0], bound[1], "--", color="tab:purple", label=bound[2])
    ax.plot(x_measured, y_measured, "o", color="tab:red", label=measured_label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return fig


def plot_use(readings, title=""):
    """Bars of utilisation and saturation per component (mystery-system readings)."""
    for column in ("component", "utilization", "saturation"):
        if column not in getattr(readings, "columns", []):
            raise ValueError("readings must be a DataFrame from MysterySystem.readings")
    fig, _ = base.figure(width=8.0)
    fig.clear()
    ax_u, ax_s = fig.subplots(1, 2)
    names = list(readings["component"])
    ax_u.barh(names, readings["utilization"], color="tab:blue")
    ax_u.set_xlim(0, 1.05)
    ax_u.set_xlabel("utilisation (busy share)")
    ax_s.barh(names, readings["saturation"], color="tab:red")
    ax_s.set_xlabel("saturation (mean waiting)")
    ax_s.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=9)
    return fig
