"""Views of lesson 03 (vertical scaling): Amdahl's law over measured speed-ups, and cost per unit of performance.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once and
a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``); the model math is in
``scalelab.models.laws`` and ``scalelab.models.cost``.
"""
import math

import numpy as np

from .. import _validate as v
from .. import datasets
from ..models import cost as cost_model
from ..models import laws
from . import base
from ._axes import nice_ceiling

WORKER_TOPS = (4, 8, 16, 32, 64, 128)  # the x-axis tops of the Amdahl view: it changes only between these


def amdahl_compute(parallel_fraction=0.9, max_workers=32, measured_n=(), measured_speedup=()):
    """Amdahl's curve for 1..max_workers workers, its ceiling 1 / (1 - p), and how far measured points lie from it.

    parallel_fraction p in [0, 1]; max_workers: 2..1024; measured_n (worker counts >= 1) and measured_speedup
    (> 0, same length): the learner's points, possibly empty. Returns a dict: n (array), speedup (array),
    ceiling (float, inf when p = 1), rms_error (root-mean-square distance of the measured speed-ups from the curve,
    nan without points), at_max (speed-up at max_workers), measured_n, measured_speedup (arrays).
    """
    p = v.probability("parallel_fraction", parallel_fraction)
    top = v.integer("max_workers", max_workers, low=2, high=1024)
    points_n = np.asarray(measured_n, dtype=float).ravel()
    points_s = np.asarray(measured_speedup, dtype=float).ravel()
    if points_n.size != points_s.size:
        raise ValueError(f"measured_n and measured_speedup must have the same length, got {points_n.size} and "
                         f"{points_s.size}")
    if points_n.size:
        v.samples("measured_n", points_n)
        v.samples("measured_speedup", points_s)
        if np.any(points_n < 1) or np.any(points_s <= 0):
            raise ValueError("measured_n must hold worker counts >= 1 and measured_speedup values > 0")
    n = np.arange(1, top + 1)
    curve = np.array([laws.amdahl_speedup(p, k) for k in n])
    if points_n.size:
        predicted = np.array([laws.amdahl_speedup(p, k) for k in points_n])
        rms = float(np.sqrt(np.mean((predicted - points_s) ** 2)))
    else:
        rms = math.nan
    return {"n": n, "speedup": curve, "ceiling": laws.amdahl_speedup(p, math.inf), "rms_error": rms,
            "at_max": float(curve[-1]), "measured_n": points_n, "measured_speedup": points_s,
            "parallel_fraction": p}


def _worker_top(max_workers):
    """The smallest x-axis top from WORKER_TOPS that shows max_workers (a nice number beyond them)."""
    return next((t for t in WORKER_TOPS if t >= max_workers), nice_ceiling(max_workers))


def amdahl_setup(fig, params):
    """Ideal line and the measured points (static); the Amdahl curve and its ceiling move."""
    ax = fig.add_subplot()
    ax.plot([0, 1024], [0, 1024], ":", color="grey", label="ideal (speed-up = workers)")
    moving = dict(animated=True)
    artists = {"ax": ax,
               "curve": ax.plot([], [], "-", color="tab:blue", label="Amdahl's law", **moving)[0],
               "ceiling": ax.axhline(1, color="tab:red", lw=0.8, ls="--", label="ceiling 1 / (1 − p)", **moving)}
    measured_n = np.asarray(params.get("measured_n", ()), dtype=float)
    if measured_n.size:
        ax.plot(measured_n, np.asarray(params["measured_speedup"], dtype=float), "o", color="black",
                label="your measurement")
    ax.set_xlabel("workers (processes or cores)")
    ax.set_ylabel("speed-up over 1 worker (x)")
    ax.set_title("Amdahl's law", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return artists


def amdahl_draw(artists, result, params=None):
    """Move the curve and the ceiling (hidden when it lies far above the axes); the caption gives the figures."""
    n = result["n"]
    top = _worker_top(int(max(n[-1], result["measured_n"].max(initial=0))))
    artists["curve"].set_data(n, result["speedup"])
    ceiling = result["ceiling"]
    artists["ceiling"].set_visible(bool(math.isfinite(ceiling) and ceiling <= top))
    artists["ceiling"].set_ydata([ceiling if math.isfinite(ceiling) else 0] * 2)
    artists["ax"].set_xlim(0, top)
    artists["ax"].set_ylim(0, top)
    ceiling_text = "no ceiling (p = 1)" if math.isinf(ceiling) else f"ceiling 1 / (1 − p) = {ceiling:.1f}x"
    caption = (f"p = {result['parallel_fraction']:.2f}: speed-up {result['at_max']:.1f}x on {n[-1]} workers; "
               f"{ceiling_text}")
    if result["measured_n"].size:
        caption += f"; your points lie {result['rms_error']:.2f} (rms) from the curve"
    return caption


def amdahl_explorer(measured_n=(), measured_speedup=(), parallel_fraction=0.9, max_workers=32):
    """Explorer: a parallel-fraction slider and a worker-count slider over the learner's measured speed-ups."""
    controls = {
        "parallel_fraction": base.slider(float(parallel_fraction), 0.0, 1.0, 0.01, "parallel fraction p",
                                         readout_format=".2f"),
        "max_workers": base.slider(int(max_workers), 2, 128, 1, "workers shown", integer=True),
    }
    fixed = {"measured_n": tuple(float(x) for x in measured_n),
             "measured_speedup": tuple(float(x) for x in measured_speedup)}
    return base.Explorer(amdahl_compute, amdahl_draw, controls, setup=amdahl_setup, css_class="lesson03-amdahl",
                         fixed=fixed)


def cost_compute(tier, performance_point, cost, performance_min, performance_max, labels=()):
    """Cost per unit of performance of each tier, for a performance between each tier's min (point 0) and max (1).

    tier: index of the chosen tier (0..tiers - 1); performance_point in [0, 1]; cost (dollars), performance_min and
    performance_max (times the baseline, min <= max, > 0): one value per tier, in order of rising performance;
    labels: the tiers' names (default "tier 0", ...). Returns a dict: performance, cost, cost_per_performance
    (arrays), marginal (dollars per unit gained on each step), chosen (the tier's index),
    chosen_cost_per_performance, cheapest (index of the lowest $/unit), labels.
    """
    costs = v.samples("cost", cost)
    low, high = v.samples("performance_min", performance_min), v.samples("performance_max", performance_max)
    if not costs.size == low.size == high.size:
        raise ValueError(f"cost, performance_min and performance_max must have the same length, got {costs.size}, "
                         f"{low.size} and {high.size}")
    if np.any(low <= 0) or np.any(high < low):
        raise ValueError("performance_min must be > 0 and performance_max >= performance_min for every tier")
    chosen = v.integer("tier", tier, low=0, high=costs.size - 1)
    point = v.probability("performance_point", performance_point)
    names = [str(x) for x in labels] or [f"tier {i}" for i in range(costs.size)]
    if len(names) != costs.size:
        raise ValueError(f"labels must name each of the {costs.size} tiers, got {len(names)}")
    performance = low + point * (high - low)
    per_unit = cost_model.cost_per_performance(costs, performance)
    return {"performance": performance, "cost": costs, "cost_per_performance": per_unit,
            "marginal": cost_model.marginal_cost(costs, performance), "chosen": chosen,
            "chosen_cost_per_performance": float(per_unit[chosen]),
            "cheapest": cost_model.cheapest_per_performance(costs, performance), "labels": names}


def cost_setup(fig, params):
    """Two panels with limits that fit every performance point: dollars per unit of performance per tier (bars
    move), and cost against performance (the tiers' points, the linear-price line and the chosen tier move)."""
    costs = np.asarray(params["cost"], dtype=float)
    low = np.asarray(params["performance_min"], dtype=float)
    high = np.asarray(params["performance_max"], dtype=float)
    labels = [str(x) for x in params.get("labels", ())] or [f"tier {i}" for i in range(costs.size)]
    left, right = fig.subplots(1, 2)
    moving = dict(animated=True)
    bars = left.bar(range(costs.size), costs / low, color="tab:blue", **moving)
    left.set_xticks(range(costs.size), labels, rotation=20, fontsize=7)
    left.set_xlim(-0.6, costs.size - 0.4)
    left.set_ylim(0, 1.1 * float(np.max(costs / low)))
    left.set_ylabel("dollars per unit of performance ($)")
    left.set_title("cost per unit (orange: chosen tier)", fontsize=9)
    line = right.plot([], [], "o-", color="tab:blue", label="one bigger box", **moving)[0]
    linear = right.plot([], [], "--", color="grey", label="linear price (baseline $/unit)", **moving)[0]
    chosen = right.plot([], [], "o", color="tab:orange", markersize=10, **moving)[0]
    top_linear = float(np.max(costs[0] / low[0] * high))  # the steepest linear-price line, at the largest tier
    right.set_xlim(0, 1.05 * float(high.max()))
    right.set_ylim(0, 1.05 * max(float(costs.max()), top_linear))
    right.set_xlabel("performance (x baseline)")
    right.set_ylabel("cost ($)")
    right.legend(fontsize=8, loc="upper left")
    return {"bars": list(bars), "line": line, "linear": linear, "chosen": chosen}


def cost_draw(artists, result, params=None):
    """Bar heights and colours, the cost curve, the linear price and the chosen tier; caption: its $/unit."""
    for i, (bar, height) in enumerate(zip(artists["bars"], result["cost_per_performance"])):
        bar.set_height(height)
        bar.set_color("tab:orange" if i == result["chosen"] else "tab:blue")
    perf, costs, i = result["performance"], result["cost"], result["chosen"]
    artists["line"].set_data(perf, costs)
    base_per_unit = costs[0] / perf[0]
    artists["linear"].set_data([0, perf[-1]], [0, base_per_unit * perf[-1]])
    artists["chosen"].set_data([perf[i]], [costs[i]])
    cheapest = result["labels"][result["cheapest"]]
    step = (f"; the step up from it costs ${result['marginal'][i]:,.0f} per extra unit"
            if i < len(result["marginal"]) else "")
    return (f"{result['labels'][i]}: ${costs[i]:,.0f} for {perf[i]:.2g}x the baseline = "
            f"${result['chosen_cost_per_performance']:,.0f} per unit{step}; cheapest per unit: {cheapest}")


def cost_explorer(table=None, tier=0, performance_point=0.5):
    """Explorer over the cost table (default: ``scalelab.datasets.load_server_costs()``): a tier slider and a
    slider placing each tier's performance between its min (0) and max (1)."""
    table = datasets.load_server_costs() if table is None else table
    controls = {
        "tier": base.slider(int(tier), 0, len(table) - 1, 1, "tier", integer=True),
        "performance_point": base.slider(float(performance_point), 0.0, 1.0, 0.5, "performance: min (0) to max (1)"),
    }
    fixed = {"cost": tuple(table["cost_usd"]), "performance_min": tuple(table["performance_min"]),
             "performance_max": tuple(table["performance_max"]), "labels": tuple(table["tier"])}
    return base.Explorer(cost_compute, cost_draw, controls, setup=cost_setup, css_class="lesson03-cost", fixed=fixed,
                         size_in=(8.0, 3.1))


def plot_cpu_speedups(speedups, cores):
    """Measured speed-ups of threads and processes against the ideal line and the machine's core count.

    speedups: a DataFrame with columns kind ("thread" / "process"), servers and speedup (as from
    ``scalelab.bench.vertical.speedups``); cores: this machine's core count (>= 1). Returns a matplotlib Figure.
    """
    c = v.integer("cores", cores, low=1)
    if not {"kind", "servers", "speedup"} <= set(getattr(speedups, "columns", [])):
        raise ValueError("speedups must be a DataFrame with columns 'kind', 'servers' and 'speedup'")
    fig, ax = base.figure(6.5, 3.4)
    top = int(speedups["servers"].max())
    for kind, marker, label in (("thread", "s-", "threads"), ("process", "o-", "processes")):
        rows = speedups[speedups["kind"] == kind]
        ax.plot(rows["servers"], rows["speedup"], marker, label=f"{label} (measured)")
    n = np.arange(1, top + 1)
    ax.plot(n, np.minimum(n, c), ":", color="grey", label=f"model: min(workers, {c} cores)")
    ax.axvline(c, color="red", lw=0.8, ls="--", label=f"cores on this machine ({c})")
    ax.set_xlabel("workers")
    ax.set_ylabel("speed-up over 1 worker (x)")
    ax.set_title("CPU-bound pure Python: threads vs processes")
    ax.legend(fontsize=8)
    return fig


CACHE_MARKS_KB = (("~L1", 32), ("~L2", 1024), ("~L3", 32 * 1024))  # typical sizes, drawn as dotted lines


def plot_memory_hierarchy(per_size):
    """Time per element read (ns) against working-set size (KB), sequential and random, with typical cache sizes.

    per_size: a DataFrame with columns pattern ("sequential" / "random"), size_bytes and ns_per_access.
    Returns a matplotlib Figure.
    """
    if not {"pattern", "size_bytes", "ns_per_access"} <= set(getattr(per_size, "columns", [])):
        raise ValueError("per_size must be a DataFrame with columns 'pattern', 'size_bytes' and 'ns_per_access'")
    fig, ax = base.figure(6.5, 3.4)
    for pattern, marker in (("sequential", "o-"), ("random", "s-")):
        rows = per_size[per_size["pattern"] == pattern]
        ax.plot(rows["size_bytes"] / 1024, rows["ns_per_access"], marker, label=f"{pattern} (measured)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    top = ax.get_ylim()[1]
    for label, kb in CACHE_MARKS_KB:
        ax.axvline(kb, color="grey", lw=0.6, ls=":")
        ax.text(kb, top * 0.8, label, fontsize=8)
    ax.set_xlabel("working set (KB, log scale)")
    ax.set_ylabel("time per element read (ns, log scale)")
    ax.set_title("The memory hierarchy of this machine")
    ax.legend(fontsize=8)
    return fig


def plot_write_durability(writes_per_s):
    """Median writes per second for each durability mode as bars on a log axis.

    writes_per_s: a pandas Series indexed by mode ("buffered", "fsync_end", "fsync_each"), values > 0.
    Returns a matplotlib Figure.
    """
    values = v.samples("writes_per_s", list(writes_per_s.values))
    if np.any(values <= 0):
        raise ValueError("writes_per_s must be > 0 for every mode")
    fig, ax = base.figure(6.0, 3.0)
    colours = {"buffered": "tab:green", "fsync_end": "tab:olive", "fsync_each": "tab:red"}
    ax.bar(list(writes_per_s.index), values, color=[colours.get(m, "tab:blue") for m in writes_per_s.index])
    ax.set_yscale("log")
    ax.set_ylabel("writes per second (log scale)")
    ax.set_title(f"{len(values)} write modes, median of the repeats")
    return fig
