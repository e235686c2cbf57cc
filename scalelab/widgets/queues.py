"""Views of lesson 02 (queues and utilisation): the utilisation-latency knee and servers needed for a wait target.

Each view is a pure compute function (tested without a browser) plus a draw function, wired by ``Explorer``.
"""
import math

import numpy as np
import pandas as pd

from .. import _validate as v
from ..models import queueing
from . import base

COMFORT_BAND = (0.70, 0.80)  # the utilisation band the course calls comfortable


def knee_curve(service_time_ms=10.0, servers=1, points=200, max_utilization=0.98):
    """Mean wait and time in system (ms) of an M/M/c queue against utilisation rho = lambda / (c * mu).

    service_time_ms: mean service time S (ms, > 0); servers: c >= 1. Returns {"curve", "marks"} DataFrames;
    "marks" holds the rows at 50, 70, 80, 90 and 95 % utilisation with W as a multiple of S.
    """
    s = v.positive("service_time_ms", service_time_ms)
    c = v.integer("servers", servers, low=1, high=1000)
    n = v.integer("points", points, low=2, high=10_000)
    top = v.number("max_utilization", max_utilization, 0, 1, low_open=True, high_open=True)
    mu = 1 / s  # jobs per ms

    def row(rho):
        result = queueing.mmc(rho * c * mu, mu, c)
        return {"utilization": rho, "mean_wait_ms": result.mean_wait, "time_in_system_ms": result.mean_time_in_system,
                "p_wait": result.probability_of_wait}

    curve = pd.DataFrame([row(rho) for rho in np.linspace(0, top, n)])
    marks = pd.DataFrame([row(rho) for rho in (0.5, 0.7, 0.8, 0.9, 0.95)])
    marks["W_over_S"] = marks["time_in_system_ms"] / s
    return {"curve": curve, "marks": marks, "service_time_ms": s, "servers": c}


def draw_knee(result, params=None):
    """Plot time in system against utilisation, with the 70-80 % band shaded."""
    fig, ax = base.figure()
    curve, s = result["curve"], result["service_time_ms"]
    ax.plot(100 * curve["utilization"], curve["time_in_system_ms"], label="M/M/c mean time in system W")
    ax.plot(100 * curve["utilization"], curve["mean_wait_ms"], ":", label="mean wait in queue Wq")
    ax.axvspan(100 * COMFORT_BAND[0], 100 * COMFORT_BAND[1], color="tab:green", alpha=0.15, label="70-80 % band")
    ax.axhline(s, color="grey", lw=0.8, ls="--", label=f"service time S = {s:g} ms")
    for _, mark in result["marks"].iterrows():
        ax.annotate(f"{mark['W_over_S']:.1f}×S", (100 * mark["utilization"], mark["time_in_system_ms"]),
                    textcoords="offset points", xytext=(-30, 6), fontsize=8)
    ax.set_ylim(0, 12 * s)
    ax.set_xlim(0, 100)
    ax.set_xlabel("utilisation ρ (%)")
    ax.set_ylabel("time (ms)")
    ax.set_title(f"The knee: {result['servers']} server(s), S = {s:g} ms")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def knee_explorer(service_time_ms=10.0, servers=1):
    """Sliders for service time and servers over the utilisation-latency knee."""
    controls = {"service_time_ms": base.slider(service_time_ms, 1, 100, 1, "service time S (ms)"),
                "servers": base.slider(servers, 1, 32, 1, "servers c", integer=True)}
    return base.Explorer(knee_curve, draw_knee, controls, css_class="lesson02-knee")


def servers_table(arrival_rate=90.0, service_time_ms=50.0, target_wait_ms=10.0, extra=3):
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
        rows.append({"servers": c, "utilization": result.utilization, "p_wait": result.probability_of_wait,
                     "mean_wait_ms": 1000 * result.mean_wait, "meets_target": result.mean_wait <= target})
    return {"servers_needed": needed, "table": pd.DataFrame(rows), "target_wait_ms": 1000 * target,
            "offered_load": lam * s}


def draw_servers(result, params=None):
    """Bars of mean wait per server count, the target as a line, the answer highlighted."""
    fig, ax = base.figure()
    table = result["table"]
    colors = ["tab:green" if c == result["servers_needed"] else ("tab:blue" if ok else "tab:red")
              for c, ok in zip(table["servers"], table["meets_target"])]
    ax.bar(table["servers"], table["mean_wait_ms"], color=colors)
    ax.axhline(result["target_wait_ms"], color="black", ls="--", lw=1, label=f"target {result['target_wait_ms']:g} ms")
    ax.set_yscale("log")
    ax.set_xlabel("servers c")
    ax.set_ylabel("mean wait Wq (ms, log scale)")
    needed = table[table["servers"] == result["servers_needed"]].iloc[0]
    ax.set_title(f"offered load {result['offered_load']:.2f} Erlangs -> {result['servers_needed']} servers "
                 f"(ρ = {needed['utilization']:.0%}, P(wait) = {needed['p_wait']:.0%})")
    ax.legend(fontsize=8)
    return fig


def servers_explorer(arrival_rate=90.0, service_time_ms=50.0, target_wait_ms=10.0):
    """Sliders for arrival rate, service time and target wait over the Erlang C server count."""
    controls = {"arrival_rate": base.slider(arrival_rate, 1, 500, 1, "arrival rate λ (req/s)"),
                "service_time_ms": base.slider(service_time_ms, 1, 200, 1, "service time S (ms)"),
                "target_wait_ms": base.slider(target_wait_ms, 0.5, 100, 0.5, "target mean wait (ms)")}
    return base.Explorer(servers_table, draw_servers, controls, css_class="lesson02-servers")


def latency_vs_model(measured, service_time_s, overhead_s=0.0):
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
    model_ms = 1000 * s / (1 - rho)
    fig, ax = base.figure()
    ax.plot(100 * rho, model_ms, label="M/M/1 model W = S/(1-ρ)")
    if extra > 0:
        ax.plot(100 * rho, model_ms + 1000 * extra, "--", label=f"model + fixed overhead {1000 * extra:.1f} ms")
    x, y = 100 * measured["utilization"], measured["mean_ms"]
    if {"low_ms", "high_ms"} <= set(measured.columns):
        spread = [(y - measured["low_ms"]).clip(lower=0), (measured["high_ms"] - y).clip(lower=0)]
        ax.errorbar(x, y, yerr=spread, fmt="o", color="tab:red", capsize=3, label="measured mean latency (95 % interval)")
    else:
        ax.plot(x, y, "o", color="tab:red", label="measured mean latency")
    ax.axvspan(100 * COMFORT_BAND[0], 100 * COMFORT_BAND[1], color="tab:green", alpha=0.12)
    ax.set_xlabel("utilisation of the worker ρ (%)")
    ax.set_ylabel("mean latency (ms)")
    top = measured["high_ms"] if "high_ms" in measured.columns else measured["mean_ms"]
    ax.set_ylim(0, max(12 * 1000 * s, float(np.nanmax(top)) * 1.1))
    ax.legend(fontsize=8, loc="upper left")
    return fig
