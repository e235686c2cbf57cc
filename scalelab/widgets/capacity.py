"""Lesson 08's widgets: a capacity planner (target load, P95 target, headroom, per-server capacity and price ->
servers, monthly cost and the M/M/c P95 check), and the measured-vs-model plot of one server's P95."""
import math

import numpy as np

from ..models import capacity
from . import base

CSS = "lesson08-capacity"


def plan(target_rps, p95_target_ms, headroom, per_server_rps, price_per_month, service_time_ms=10.0, workers=2,
         utilization=0.7):
    """Pure compute of the planner. Rates in requests/s, times in ms, money in dollars per month.

    Servers come from the capacity rule (N * per_server_rps * utilization >= target * (1 + headroom)); the P95 check
    treats each server as an M/M/c queue (``workers`` slots, mean ``service_time_ms``) at its share of the peak load
    target * (1 + headroom) / N.
    """
    servers = capacity.servers_needed(target_rps, per_server_rps, utilization, headroom)
    peak_per_server = target_rps * (1 + headroom) / servers
    mu = 1000.0 / service_time_ms
    p95_s = capacity.response_time_percentile(peak_per_server, mu, int(workers))
    counts = np.arange(max(1, servers // 2), max(servers * 2, servers + 4) + 1)
    curve = np.array([capacity.response_time_percentile(target_rps * (1 + headroom) / n, mu, int(workers)) * 1000
                      for n in counts])
    return {"servers": servers,
            "peak_rps_per_server": peak_per_server,
            "utilization_at_target": capacity.planned_utilization(target_rps, per_server_rps, servers),
            "model_p95_ms": p95_s * 1000,
            "meets_p95": p95_s * 1000 <= p95_target_ms,
            "monthly_cost_usd": capacity.monthly_cost(servers, price_per_month),
            "counts": counts, "p95_curve_ms": curve}


def draw_plan(result, params):
    """Model P95 (ms) against the number of servers, the P95 target and the planned count; cost in the title."""
    fig, ax = base.figure()
    curve = np.where(np.isfinite(result["p95_curve_ms"]), result["p95_curve_ms"], np.nan)
    ax.plot(result["counts"], curve, "o-", ms=3, label="M/M/c model P95 at peak load")
    ax.axhline(params["p95_target_ms"], color="tab:red", ls="--", label="P95 target")
    ax.axvline(result["servers"], color="tab:green", ls=":", label=f"planned: {result['servers']} servers")
    ax.set_xlabel("servers behind the load balancer")
    ax.set_ylabel("P95 response time (ms)")
    finite = curve[np.isfinite(curve)]
    if finite.size:
        ax.set_ylim(0, max(params["p95_target_ms"] * 2, min(finite.max(), params["p95_target_ms"] * 6)))
    verdict = "meets" if result["meets_p95"] else "MISSES"
    ax.set_title(f"{result['servers']} servers, ${result['monthly_cost_usd']:,.0f}/month, "
                 f"model P95 {result['model_p95_ms']:.1f} ms {verdict} the target", fontsize=9)
    ax.legend(fontsize=8)
    return fig


def planner(target_rps=10_000, p95_target_ms=100, headroom=0.3, per_server_rps=150, price_per_month=27.78,
            service_time_ms=10.0, workers=2):
    """The capacity planner Explorer."""
    controls = {
        "target_rps": base.slider(target_rps, 100, 200_000, 100, "target load (req/s)", integer=True),
        "p95_target_ms": base.slider(p95_target_ms, 10, 300, 5, "P95 target (ms)"),
        "headroom": base.slider(headroom, 0.0, 1.0, 0.05, "headroom (fraction)"),
        "per_server_rps": base.slider(per_server_rps, 10, 2000, 10, "per-server capacity (req/s)"),
        "price_per_month": base.slider(price_per_month, 5, 2000, 1, "price per server ($/month)"),
        "service_time_ms": base.slider(service_time_ms, 1, 50, 0.5, "mean service time (ms)"),
        "workers": base.slider(workers, 1, 16, 1, "workers per server", integer=True),
    }
    return base.Explorer(plan, draw_plan, controls, css_class=CSS)


def model_curve(rates, service_time, workers, q=95):
    """The M/M/c q-th percentile response time (ms) at each arrival rate (requests/s); NaN where unstable."""
    out = []
    for rate in np.asarray(rates, dtype=float):
        value = capacity.response_time_percentile(float(rate), 1 / service_time, int(workers), q)
        out.append(value * 1000 if math.isfinite(value) else np.nan)
    return np.array(out)


def plot_sweep(sweep, service_time, workers, p95_target_ms, capacity_rps=None):
    """Measured P95 (and P50) against offered rate from a rate_sweep DataFrame, with the M/M/c model on the same axes."""
    fig, ax = base.figure(7.0, 3.6)
    rates = sweep["offered_rps"].to_numpy(dtype=float)
    grid = np.linspace(0, workers / service_time * 0.98, 200)
    ax.plot(grid, model_curve(grid, service_time, workers), color="tab:blue", label="M/M/c model P95")
    ax.plot(grid, model_curve(grid, service_time, workers, 50), color="tab:blue", ls=":", label="M/M/c model P50")
    ax.plot(rates, sweep["p95_ms"], "o-", color="tab:orange", label="measured P95")
    ax.plot(rates, sweep["p50_ms"], "s:", color="tab:orange", ms=4, label="measured P50")
    ax.axhline(p95_target_ms, color="tab:red", ls="--", label=f"P95 target {p95_target_ms:g} ms")
    if capacity_rps:
        ax.axvline(capacity_rps, color="tab:green", ls=":", label=f"measured capacity {capacity_rps:g} req/s")
    ax.set_xlabel("offered load (requests/s)")
    ax.set_ylabel("response time (ms)")
    top = np.nanmax(sweep["p95_ms"].to_numpy(dtype=float)) if len(sweep) else p95_target_ms
    ax.set_ylim(0, max(p95_target_ms * 1.5, min(top * 1.1, p95_target_ms * 5)))
    ax.legend(fontsize=8)
    return fig
