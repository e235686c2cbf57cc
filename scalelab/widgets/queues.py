"""Views of lesson 02 (queues and utilisation): the utilisation-latency knee and servers needed for a wait target.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once and
a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``).
"""
import math

import numpy as np
import pandas as pd

from .. import _validate as v
from ..models import queueing
from . import base

COMFORT_BAND = (0.70, 0.80)  # the utilisation band the course calls comfortable
MARKS = (0.5, 0.7, 0.8, 0.9, 0.95)  # utilisations annotated on the knee
TIME_RANGES_MS = (10, 20, 50, 100, 200, 500, 1000, 2000)  # the knee's y-axis tops: it changes only between these


def knee_compute(service_time_ms=10.0, servers=1, points=200, max_utilization=0.98):
    """Mean wait and time in system (ms) of an M/M/c queue against utilisation rho = lambda / (c * mu).

    service_time_ms: mean service time S (ms, > 0); servers: c >= 1. Returns {"curve", "marks"} DataFrames;
    "marks" holds the rows at 50, 70, 80, 90 and 95 % utilisation with W as a multiple of S.
    """
    s = v.positive("service_time_ms", service_time_ms)
    c = v.integer("servers", servers, low=1, high=1000)
    n = v.integer("points", points, low=2, high=10_000)
    top = v.number("max_utilization", max_utilization, 0, 1, low_open=True, high_open=True)
    curve = _curve_ms(np.linspace(0, top, n), c, s)
    marks = _curve_ms(np.array(MARKS), c, s)
    marks["W_over_S"] = marks["time_in_system_ms"] / s
    return {"curve": curve, "marks": marks, "service_time_ms": s, "servers": c}


def _curve_ms(rho, servers, service_time_ms):
    """The M/M/c curve at utilisations rho as a DataFrame of times in ms."""
    curve = queueing.mmc_curve(rho, servers)
    return pd.DataFrame({"utilization": rho, "mean_wait_ms": service_time_ms * curve["wait_over_s"],
                         "time_in_system_ms": service_time_ms * curve["time_in_system_over_s"],
                         "p_wait": curve["p_wait"]})


def _time_range_ms(service_time_ms):
    """The smallest y-axis top that shows the knee up to 12 x S."""
    return next((top for top in TIME_RANGES_MS if top >= 12 * service_time_ms), 12 * service_time_ms)


def knee_setup(fig, params):
    """Axes with fixed utilisation limits, the comfort band, and the moving curves, service-time line and marks."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "w": ax.plot([], [], label="M/M/c mean time in system W", **moving)[0],
               "wq": ax.plot([], [], ":", label="mean wait in queue Wq", **moving)[0],
               "s": ax.axhline(0, color="grey", lw=0.8, ls="--", label="service time S", **moving),
               "marks": ax.plot([], [], "o", color="tab:blue", ms=4, **moving)[0]}
    ax.axvspan(100 * COMFORT_BAND[0], 100 * COMFORT_BAND[1], color="tab:green", alpha=0.15, label="70-80 % band")
    ax.set_xlim(0, 100)
    ax.set_xlabel("utilisation ρ (%)")
    ax.set_ylabel("time (ms)")
    ax.set_title("The knee of an M/M/c queue")
    ax.legend(fontsize=8, loc="upper left")
    return artists


def knee_draw(artists, result, params=None):
    """Move the curves, the service-time line and the marks to this result; the caption gives W as multiples of S."""
    curve, s = result["curve"], result["service_time_ms"]
    artists["w"].set_data(100 * curve["utilization"], curve["time_in_system_ms"])
    artists["wq"].set_data(100 * curve["utilization"], curve["mean_wait_ms"])
    artists["s"].set_ydata([s, s])
    marks = result["marks"]
    artists["marks"].set_data(100 * marks["utilization"], marks["time_in_system_ms"])
    artists["ax"].set_ylim(0, _time_range_ms(s))
    multiples = ", ".join(f"{100 * m.utilization:.0f} %: {m.W_over_S:.1f}×S" for m in marks.itertuples())
    return f"{result['servers']} server(s), S = {s:g} ms. Time in system W at {multiples}"


def knee_explorer(service_time_ms=10.0, servers=1):
    """Sliders for service time and servers over the utilisation-latency knee."""
    controls = {"service_time_ms": base.slider(service_time_ms, 1, 100, 1, "service time S (ms)"),
                "servers": base.slider(servers, 1, 32, 1, "servers c", integer=True)}
    return base.Explorer(knee_compute, knee_draw, controls, setup=knee_setup, css_class="lesson02-knee")


SERVER_BARS = 16           # bars shown: a window of server counts around the answer
WAIT_LIMITS_MS = (1e-3, 1e5)  # the fixed log-scale range of the bars


def servers_compute(arrival_rate=90.0, service_time_ms=50.0, target_wait_ms=10.0, extra=3):
    """Servers needed so that the M/M/c mean wait Wq is at most target_wait_ms (Erlang C).

    arrival_rate: requests/s (> 0); service_time_ms: mean service time (ms, > 0); target_wait_ms: > 0 ms.
    Returns {"servers_needed", "table"}: the table lists c from the least stable count to needed + extra with
    utilisation, P(wait) (Erlang C) and Wq in ms.
    """
    lam = v.positive("arrival_rate", arrival_rate)
    s = v.positive("service_time_ms", service_time_ms) / 1000
    target = v.positive("target_wait_ms", target_wait_ms) / 1000
    more = v.integer("extra", extra, low=0, high=100)
    mu = 1 / s
    needed = queueing.servers_for_wait(lam, mu, target)
    first = max(1, math.floor(lam / mu) + 1)
    rows = []
    for c in range(first, needed + more + 1):
        result = queueing.mmc(lam, mu, c)
        rows.append({"servers": c, "utilization": result.utilization, "p_wait": result.p_wait,
                     "mean_wait_ms": 1000 * result.mean_wait, "meets_target": result.mean_wait <= target})
    return {"servers_needed": needed, "table": pd.DataFrame(rows), "target_wait_ms": 1000 * target,
            "offered_load": lam * s}


def _server_window(needed):
    """The first server count of the bar window: moves in steps of 8 so the x-axis changes only now and then."""
    return max(1, 8 * ((needed - 1) // 8) - 4)


def servers_setup(fig, params):
    """A log-scale bar chart of a window of server counts; bars, target line and title move."""
    ax = fig.add_subplot()
    bars = ax.bar(range(SERVER_BARS), np.ones(SERVER_BARS), animated=True)
    ax.set_yscale("log")
    ax.set_ylim(*WAIT_LIMITS_MS)
    ax.set_xlabel("servers c")
    ax.set_ylabel("mean wait Wq (ms, log scale)")
    target = ax.axhline(1, color="black", ls="--", lw=1, label="target mean wait", animated=True)
    ax.legend(fontsize=8, loc="upper right")
    return {"ax": ax, "bars": list(bars), "target": target}


def servers_draw(artists, result, params=None):
    """Bars of mean wait per server count (red misses the target, green is the answer), the target as a line;
    the caption states the answer."""
    first = _server_window(result["servers_needed"])
    waits = result["table"].set_index("servers")
    for bar, c in zip(artists["bars"], range(first, first + SERVER_BARS)):
        bar.set_x(c - 0.4)
        bar.set_width(0.8)
        if c in waits.index:
            row = waits.loc[c]
            bar.set_height(min(max(row["mean_wait_ms"], WAIT_LIMITS_MS[0]), WAIT_LIMITS_MS[1]))
            bar.set_color("tab:green" if c == result["servers_needed"] else
                          ("tab:blue" if row["meets_target"] else "tab:red"))
            bar.set_visible(True)
        else:  # unstable (c <= offered load) or beyond the table
            bar.set_visible(False)
    artists["ax"].set_xlim(first - 0.6, first + SERVER_BARS - 0.4)
    artists["target"].set_ydata([result["target_wait_ms"]] * 2)
    needed = waits.loc[result["servers_needed"]]
    return (
        f"offered load {result['offered_load']:.2f} Erlangs -> {result['servers_needed']} servers "
        f"(ρ = {needed['utilization']:.0%}, P(wait) = {needed['p_wait']:.0%}); target {result['target_wait_ms']:g} ms")


def servers_explorer(arrival_rate=90.0, service_time_ms=50.0, target_wait_ms=10.0):
    """Sliders for arrival rate, service time and target wait over the Erlang C server count."""
    controls = {"arrival_rate": base.slider(arrival_rate, 1, 500, 1, "arrival rate λ (req/s)"),
                "service_time_ms": base.slider(service_time_ms, 1, 200, 1, "service time S (ms)"),
                "target_wait_ms": base.slider(target_wait_ms, 0.5, 100, 0.5, "target mean wait (ms)")}
    return base.Explorer(servers_compute, servers_draw, controls, setup=servers_setup, css_class="lesson02-servers")


def plot_latency_vs_model(measured, service_time_s, overhead_s=0.0):
    """Measured mean latency against the M/M/1 curve on the same axes; returns a matplotlib Figure.

    measured: a DataFrame with columns ``utilization`` (0-1) and ``mean_ms`` (optionally ``low_ms`` and ``high_ms``,
    an interval drawn as error bars); service_time_s: the mean service time (s); overhead_s: a fixed per-request
    cost (s) added to the model as a second, dashed curve.
    """
    s = v.positive("service_time_s", service_time_s)
    extra = v.non_negative("overhead_s", overhead_s)
    if not {"utilization", "mean_ms"} <= set(getattr(measured, "columns", [])):
        raise ValueError("measured must be a DataFrame with columns 'utilization' and 'mean_ms'")
    rho = np.linspace(0, 0.95, 200)
    model_ms = np.array([1000 * queueing.mm1(r / s, 1 / s).mean_time_in_system for r in rho])
    fig, ax = base.figure()
    ax.plot(100 * rho, model_ms, label="M/M/1 model W = S/(1-ρ)")
    if extra > 0:
        ax.plot(100 * rho, model_ms + 1000 * extra, "--", label=f"model + fixed overhead {1000 * extra:.1f} ms")
    x, y = 100 * measured["utilization"], measured["mean_ms"]
    if {"low_ms", "high_ms"} <= set(measured.columns):
        spread = [(y - measured["low_ms"]).clip(lower=0), (measured["high_ms"] - y).clip(lower=0)]
        ax.errorbar(x, y, yerr=spread, fmt="o", color="tab:red", capsize=3,
                    label="measured mean latency (95 % interval)")
    else:
        ax.plot(x, y, "o", color="tab:red", label="measured mean latency")
    ax.axvspan(100 * COMFORT_BAND[0], 100 * COMFORT_BAND[1], color="tab:green", alpha=0.12)
    ax.set_xlabel("utilisation of the worker ρ (%)")
    ax.set_ylabel("mean latency (ms)")
    top = measured["high_ms"] if "high_ms" in measured.columns else measured["mean_ms"]
    ax.set_ylim(0, max(12 * 1000 * s, float(np.nanmax(top)) * 1.1))
    ax.legend(fontsize=8, loc="upper left")
    return fig
