"""Widgets of lesson 03 (vertical scaling): Amdahl's law over measured speed-ups, and cost per unit of performance."""
import matplotlib.pyplot as plt
import numpy as np

from ..models import cost as cost_model
from ..models import laws
from .base import Explorer, figure, slider


def amdahl_compute(parallel_fraction, max_workers, measured_n=(), measured_speedup=()):
    """Amdahl's curve for 1..max_workers workers, its ceiling 1 / (1 - p), and how far the measured points lie from it.

    Returns a dict: n (array), speedup (array), ceiling (float, inf when p = 1), rms_error (root-mean-square distance
    of the measured speed-ups from the curve, nan without points), at_max (speed-up at max_workers).
    """
    n = np.arange(1, int(max_workers) + 1)
    curve = np.array([laws.amdahl_speedup(parallel_fraction, k) for k in n])
    measured_n = np.asarray(measured_n, dtype=float)
    measured_speedup = np.asarray(measured_speedup, dtype=float)
    if measured_n.size:
        predicted = np.array([laws.amdahl_speedup(parallel_fraction, k) for k in measured_n])
        rms = float(np.sqrt(np.mean((predicted - measured_speedup) ** 2)))
    else:
        rms = float("nan")
    return {"n": n, "speedup": curve, "ceiling": laws.amdahl_speedup(parallel_fraction, float("inf")),
            "rms_error": rms, "at_max": float(curve[-1]), "measured_n": measured_n,
            "measured_speedup": measured_speedup}


def amdahl_draw(result, params):
    """Speed-up vs workers: the model curve, the ideal line, the ceiling and the measured points."""
    fig, ax = figure()
    n = result["n"]
    ax.plot(n, n, ":", color="grey", label="ideal (speed-up = workers)")
    ax.plot(n, result["speedup"], "-", label=f"Amdahl, p = {params['parallel_fraction']:.2f}")
    if np.isfinite(result["ceiling"]) and result["ceiling"] <= n[-1] * 1.5:
        ax.axhline(result["ceiling"], color="red", lw=0.8, ls="--", label=f"ceiling {result['ceiling']:.1f}x")
    if result["measured_n"].size:
        ax.plot(result["measured_n"], result["measured_speedup"], "o", color="black",
                label=f"your measurement (rms error {result['rms_error']:.2f})")
    ax.set_xlabel("workers (processes or cores)")
    ax.set_ylabel("speed-up over 1 worker (x)")
    ax.set_title(f"Amdahl's law: {result['at_max']:.1f}x at {n[-1]} workers")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def amdahl_explorer(measured_n=(), measured_speedup=(), parallel_fraction=0.9, max_workers=32):
    """Explorer: a parallel-fraction slider and a worker-count slider over the learner's measured speed-ups."""
    controls = {
        "parallel_fraction": slider(parallel_fraction, 0.0, 1.0, 0.01, "parallel fraction p", readout_format=".2f"),
        "max_workers": slider(max_workers, 2, 128, 1, "workers shown", integer=True),
    }
    fixed = {"measured_n": tuple(measured_n), "measured_speedup": tuple(measured_speedup)}
    return Explorer(amdahl_compute, amdahl_draw, controls, css_class="lesson03-amdahl", fixed=fixed)


def cost_compute(tier, performance_point, cost, performance_min, performance_max, labels=()):
    """Cost per unit of performance of each tier, for a performance between each tier's min (point 0) and max (1).

    Returns a dict: performance, cost_per_performance (arrays), marginal (dollars per unit gained on each step),
    chosen (the tier's index), chosen_cost_per_performance, cheapest (index of the lowest $/unit), labels.
    """
    costs = np.asarray(cost, dtype=float)
    low, high = np.asarray(performance_min, dtype=float), np.asarray(performance_max, dtype=float)
    performance = low + performance_point * (high - low)
    per_unit = cost_model.cost_per_performance(costs, performance)
    chosen = int(tier)
    return {"performance": performance, "cost": costs, "cost_per_performance": per_unit,
            "marginal": cost_model.marginal_cost(costs, performance), "chosen": chosen,
            "chosen_cost_per_performance": float(per_unit[chosen]),
            "cheapest": cost_model.cheapest_per_performance(costs, performance),
            "labels": list(labels) or [f"tier {i}" for i in range(costs.size)]}


def cost_draw(result, params):
    """Two panels: dollars per unit of performance per tier (chosen tier highlighted); cost vs performance."""
    fig = plt.figure(figsize=(9.0, 3.4), dpi=90, layout="constrained")
    left, right = fig.subplots(1, 2)
    colors = ["tab:orange" if i == result["chosen"] else "tab:blue" for i in range(len(result["labels"]))]
    left.bar(range(len(result["labels"])), result["cost_per_performance"], color=colors)
    left.set_xticks(range(len(result["labels"])), result["labels"], rotation=20, fontsize=7)
    left.set_ylabel("dollars per unit of performance ($)")
    left.set_title(f"{result['labels'][result['chosen']]}: ${result['chosen_cost_per_performance']:,.0f} per unit",
                   fontsize=9)
    right.plot(result["performance"], result["cost"], "o-", label="one bigger box")
    base_cost = result["cost"][0] / result["performance"][0]
    right.plot(result["performance"], base_cost * result["performance"], "--", color="grey",
               label="linear price (baseline $/unit)")
    right.plot(result["performance"][result["chosen"]], result["cost"][result["chosen"]], "o", color="tab:orange",
               markersize=10)
    right.set_xlabel("performance (x baseline)")
    right.set_ylabel("cost ($)")
    right.legend(fontsize=8)
    return fig


def cost_explorer(table=None, tier=0, performance_point=0.5):
    """Explorer over the cost table (default: data/server_costs.csv): a tier slider and a slider placing each tier's
    performance between its min (0) and max (1)."""
    table = cost_model.load_server_costs() if table is None else table
    controls = {
        "tier": slider(tier, 0, len(table) - 1, 1, "tier", integer=True),
        "performance_point": slider(performance_point, 0.0, 1.0, 0.5, "performance: min (0) to max (1)"),
    }
    fixed = {"cost": tuple(table["cost_usd"]), "performance_min": tuple(table["performance_min"]),
             "performance_max": tuple(table["performance_max"]), "labels": tuple(table["tier"])}
    return Explorer(cost_compute, cost_draw, controls, css_class="lesson03-cost", fixed=fixed)
