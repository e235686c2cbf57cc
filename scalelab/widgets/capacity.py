"""Views of lesson 08 (baselines and capacity planning): a capacity planner (target load, P95 target, headroom,
per-server capacity and price -> servers, monthly cost and the M/M/c P95 check), and the measured-vs-model picture
of one server's P95.

The planner is a pure ``plan_compute`` (tested without a browser), a ``plan_setup`` that builds the figure once and a
``plan_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``); the model math is in
``scalelab.models.capacity``.
"""
import numpy as np

from .. import _validate as v
from ..models import capacity, queueing
from . import base
from ._axes import nice_ceiling

CURVE_POINTS = 120  # server counts at which the planner draws the model P95
NOISE_SHARE = 0.05  # a P95 that falls by less than this share between two steps counts as level


def plan_compute(target_rps=10_000, p95_target_ms=100.0, headroom=0.3, per_server_rps=150.0, price_per_month=27.78,
                 service_time_ms=10.0, servers=2, utilization=1.0):
    """The capacity plan for a target load, and the model P95 against the number of servers.

    target_rps (>= 0), per_server_rps (> 0): requests/s, one server's capacity at the P95 target; p95_target_ms,
    service_time_ms: ms (> 0); headroom >= 0 (0.3 = 30 % above the target: spare servers for a failure, growth or
    spikes); price_per_month: dollars per server and month (>= 0); servers: slots per server (1..64); utilization in
    (0, 1]: the share of per_server_rps planned for (1.0: per_server_rps is already the capacity at the target).

    Servers come from the capacity rule (N * per_server_rps * utilization >= target * (1 + headroom)); the P95 check
    treats each server as an M/M/c queue (``servers`` slots, mean ``service_time_ms``) at its share of the peak load
    target * (1 + headroom) / N. Returns servers, peak_rps_per_server, utilization_at_target, model_p95_ms (inf
    when a server's share exceeds what its workers can serve), meets_p95, monthly_cost_usd, and the curve:
    counts (server counts from 1 to about twice the plan) and p95_curve_ms (inf where unstable).
    """
    target = v.non_negative("target_rps", target_rps)
    goal_ms = v.positive("p95_target_ms", p95_target_ms)
    extra = v.non_negative("headroom", headroom)
    per_server = v.positive("per_server_rps", per_server_rps)
    price = v.non_negative("price_per_month", price_per_month)
    s_ms = v.positive("service_time_ms", service_time_ms)
    c = v.integer("servers", servers, low=1, high=64)
    servers = capacity.servers_needed(target, per_server, utilization, extra)
    peak = target * (1 + extra)
    top = nice_ceiling(2 * servers)
    counts = np.unique(np.round(np.linspace(1, top, CURVE_POINTS)).astype(int))
    if servers not in counts:
        counts = np.sort(np.append(counts, servers))
    capacity_per_server = c / (s_ms / 1000)  # requests/s the workers can serve at most
    p95_curve_ms = s_ms * queueing.response_time_percentile_curve(peak / counts / capacity_per_server, c)
    p95_ms = float(p95_curve_ms[np.searchsorted(counts, servers)])
    return {"servers": servers, "peak_rps_per_server": peak / servers,
            "utilization_at_target": capacity.planned_utilization(target, per_server, servers),
            "model_p95_ms": p95_ms, "meets_p95": p95_ms <= goal_ms, "p95_target_ms": goal_ms,
            "monthly_cost_usd": capacity.monthly_cost(servers, price), "counts": counts,
            "p95_curve_ms": p95_curve_ms, "count_top": top}


def _p95_top_ms(p95_target_ms):
    """The y-axis top: a nice number at least 2.5 x the P95 target."""
    return nice_ceiling(2.5 * p95_target_ms)


def plan_setup(fig, params):
    """Axes for P95 against servers; the model curve, the P95 target line and the planned count move."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "curve": ax.plot([], [], "-", color="tab:blue", label="M/M/c model P95 at peak load", **moving)[0],
               "target": ax.axhline(1, color="tab:red", ls="--", label="P95 target", **moving),
               "planned": ax.axvline(1, color="tab:green", ls=":", label="planned servers", **moving),
               "point": ax.plot([], [], "o", color="tab:green", **moving)[0]}
    ax.set_xlabel("servers behind the load balancer")
    ax.set_ylabel("P95 response time (ms)")
    ax.legend(fontsize=8, loc="upper right")
    return artists


def plan_draw(artists, result, params=None):
    """Move the curve, the target and the planned count (limits step with the plan); the caption gives the plan."""
    curve = np.where(np.isfinite(result["p95_curve_ms"]), result["p95_curve_ms"], np.nan)
    artists["curve"].set_data(result["counts"], curve)
    goal, servers = result["p95_target_ms"], result["servers"]
    artists["target"].set_ydata([goal, goal])
    artists["planned"].set_xdata([servers, servers])
    y_top = _p95_top_ms(goal)
    p95 = result["model_p95_ms"]
    artists["point"].set_data([servers], [min(p95, y_top) if np.isfinite(p95) else y_top])
    artists["ax"].set_xlim(0, result["count_top"])
    artists["ax"].set_ylim(0, y_top)
    verdict = "meets" if result["meets_p95"] else "MISSES"
    p95_text = f"{p95:.1f} ms" if np.isfinite(p95) else "unbounded (each server gets more than it can serve)"
    return (f"{servers:,} servers at {result['utilization_at_target']:.0%} of their capacity, "
            f"${result['monthly_cost_usd']:,.0f}/month; model P95 at peak "
            f"({result['peak_rps_per_server']:.1f} req/s per server) {p95_text}: {verdict} the {goal:g} ms target")


def plan_explorer(target_rps=10_000, p95_target_ms=100, headroom=0.3, per_server_rps=150, price_per_month=27.78,
                  service_time_ms=10.0, servers=2):
    """The capacity planner: sliders for the load, the targets, the server's capacity and price."""
    controls = {
        "target_rps": base.slider(int(target_rps), 100, 200_000, 100, "target load (req/s)", integer=True),
        "p95_target_ms": base.slider(float(p95_target_ms), 10, 300, 5, "P95 target (ms)"),
        "headroom": base.slider(float(headroom), 0.0, 1.0, 0.05, "headroom (fraction)"),
        "per_server_rps": base.slider(float(per_server_rps), 10, 2000, 10, "per-server capacity (req/s)"),
        "price_per_month": base.slider(float(price_per_month), 5, 2000, 1, "price per server ($/month)"),
        "service_time_ms": base.slider(float(service_time_ms), 1, 50, 0.5, "mean service time (ms)"),
        "servers": base.slider(int(servers), 1, 16, 1, "workers per server", integer=True),
    }
    return base.Explorer(plan_compute, plan_draw, controls, setup=plan_setup, css_class="lesson08-capacity")


KNEE_POINTS = 160  # offered rates at which the knee explorer draws the model


def _sweep_points(sweep):
    """(rates, p95_ms, error_rates) of a rate_sweep DataFrame, sorted by rate; ValueError if columns are missing."""
    if not {"offered_rps", "p95_ms", "error_rate"} <= set(getattr(sweep, "columns", [])) or len(sweep) < 1:
        raise ValueError("sweep must be a rate_sweep DataFrame with columns 'offered_rps', 'p95_ms', 'error_rate'")
    ordered = sweep.sort_values("offered_rps")
    return tuple(ordered[c].to_numpy(dtype=float) for c in ("offered_rps", "p95_ms", "error_rate"))


def _rate_for_p95_fast(service_time_ms, servers, p95_ms, points=400):
    """``capacity.max_rate_for_p95`` to within (1/points)^2 of the workers' rate, from two vectorised grids of the
    M/M/c P95 curve (about 1 ms instead of 30 ms for the bisection): the highest rate whose P95 <= p95_ms."""
    if p95_ms <= 0:
        return 0.0
    limit = p95_ms / service_time_ms  # the target in service times
    low, high = 0.0, 1.0
    for _ in range(2):
        rho = np.linspace(low, high, points + 1)[:-1] if high == 1.0 else np.linspace(low, high, points + 1)
        ok = queueing.response_time_percentile_curve(rho, servers) <= limit
        if not ok[0]:
            return 0.0
        last = int(np.flatnonzero(ok)[-1])
        low, high = rho[last], rho[last + 1] if last + 1 < rho.size else high
    return float(low * servers / (service_time_ms / 1000))


def knee_compute(rates, p95_ms, error_rates, service_time_ms=10.0, servers=2, overhead_ms=0.0,
                 p95_target_ms=50.0, rate_top=250.0):
    """The M/M/c P95 against offered load, with a constant overhead, beside a measured sweep (the knee).

    rates, p95_ms, error_rates: the measured sweep (req/s, ms, fractions); service_time_ms > 0 and servers (1..64):
    the model server; overhead_ms >= 0: a fixed time every request pays besides its service (connection, parsing),
    added to the model's response time; p95_target_ms > 0; rate_top > 0: the highest rate drawn (req/s).
    Returns the curve (grid_rps, model_p95_ms, inf where unstable), the model's and the measured capacity at the
    target (req/s), and the model's P95 at each measured rate with the mean absolute gap (ms) to the measurement.
    """
    s_ms = v.positive("service_time_ms", service_time_ms)
    c = v.integer("servers", servers, low=1, high=64)
    extra_ms = v.non_negative("overhead_ms", overhead_ms)
    goal_ms = v.positive("p95_target_ms", p95_target_ms)
    top = v.positive("rate_top", rate_top)
    r = v.samples("rates", rates)
    measured = np.asarray(p95_ms, dtype=float).ravel()
    errors = v.samples("error_rates", error_rates)
    if not r.size == measured.size == errors.size:
        raise ValueError("rates, p95_ms and error_rates must have the same length")
    grid = np.linspace(0.0, top, KNEE_POINTS)
    max_rps = c / (s_ms / 1000)
    model_ms = s_ms * queueing.response_time_percentile_curve(grid / max_rps, c) + extra_ms
    at_measured = s_ms * queueing.response_time_percentile_curve(r / max_rps, c) + extra_ms
    model_capacity = _rate_for_p95_fast(s_ms, c, goal_ms - extra_ms)
    finite = np.isfinite(at_measured) & np.isfinite(measured)
    gap_ms = float(np.mean(np.abs(at_measured[finite] - measured[finite]))) if finite.any() else float("inf")
    return {"grid_rps": grid, "model_p95_ms": model_ms, "model_at_measured_ms": at_measured,
            "model_capacity_rps": model_capacity, "max_rps": max_rps, "mean_gap_ms": gap_ms,
            "measured_capacity_rps": capacity.capacity_from_sweep(r, measured, errors, goal_ms),
            "p95_target_ms": goal_ms, "overhead_ms": extra_ms}


def knee_setup(fig, params):
    """P95 against offered load: the measured points are static; the model curve, target and capacities move."""
    ax = fig.add_subplot()
    ax.plot(params["rates"], params["p95_ms"], "o", color="tab:orange", label="measured P95")
    moving = dict(animated=True)
    artists = {"ax": ax,
               "curve": ax.plot([], [], "-", color="tab:blue", label="M/M/c model P95 + overhead", **moving)[0],
               "target": ax.axhline(1, color="tab:red", ls="--", label="P95 target", **moving),
               "model_cap": ax.axvline(0, color="tab:blue", ls=":", label="model capacity", **moving),
               "measured_cap": ax.axvline(0, color="tab:orange", ls=":", label="measured capacity", **moving)}
    ax.set_xlim(0, params["rate_top"])
    ax.set_xlabel("offered load (requests/s)")
    ax.set_ylabel("P95 response time (ms)")
    ax.legend(fontsize=7, loc="upper left")
    return artists


def knee_draw(artists, result, params=None):
    """Move the model curve, the target and both capacities; the caption compares model and measurement."""
    curve = np.where(np.isfinite(result["model_p95_ms"]), result["model_p95_ms"], np.nan)
    artists["curve"].set_data(result["grid_rps"], curve)
    goal = result["p95_target_ms"]
    artists["target"].set_ydata([goal, goal])
    artists["model_cap"].set_xdata([result["model_capacity_rps"]] * 2)
    artists["measured_cap"].set_xdata([result["measured_capacity_rps"]] * 2)
    artists["ax"].set_ylim(0, _p95_top_ms(goal))
    return (f"model capacity at P95 <= {goal:g} ms: {result['model_capacity_rps']:.0f} req/s (the workers serve at "
            f"most {result['max_rps']:.0f}); measured: {result['measured_capacity_rps']:g} req/s. Mean gap between "
            f"model and measured P95 at the measured rates: {result['mean_gap_ms']:.1f} ms.")


def knee_explorer(sweep, service_time_ms=10.0, servers=2, p95_target_ms=50.0):
    """Sliders: the model server's service time, servers and fixed overhead, and the P95 target, over a sweep."""
    rates, p95, errors = _sweep_points(sweep)
    controls = {
        "service_time_ms": base.slider(float(service_time_ms), 2.0, 25.0, 0.5, "mean service time (ms)"),
        "servers": base.slider(int(servers), 1, 8, 1, "workers", integer=True),
        "overhead_ms": base.slider(0.0, 0.0, 20.0, 0.5, "fixed overhead (ms)"),
        "p95_target_ms": base.slider(float(p95_target_ms), 10.0, 200.0, 5.0, "P95 target (ms)"),
    }
    top = nice_ceiling(1.25 * max(float(rates.max()), 1.0), (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8))
    return base.Explorer(knee_compute, knee_draw, controls, setup=knee_setup, css_class="lesson08-knee",
                         fixed={"rates": rates, "p95_ms": p95, "error_rates": errors, "rate_top": top})


def plot_sweep(sweep, service_time_s, servers, p95_target_ms, capacity_rps=None):
    """Measured P95 (and P50) against offered rate from a rate_sweep DataFrame, with the M/M/c model on the same
    axes; returns a matplotlib Figure. service_time_s > 0 (s), servers >= 1, p95_target_ms in ms, capacity_rps in
    req/s."""
    s = v.positive("service_time_s", service_time_s)
    c = v.integer("servers", servers, low=1)
    target = v.positive("p95_target_ms", p95_target_ms)
    if not {"offered_rps", "p50_ms", "p95_ms"} <= set(getattr(sweep, "columns", [])):
        raise ValueError("sweep must be a DataFrame with columns 'offered_rps', 'p50_ms' and 'p95_ms'")
    fig, ax = base.figure(7.0, 3.6)
    rates = sweep["offered_rps"].to_numpy(dtype=float)
    grid = np.linspace(0, c / s * 0.98, 200)
    for q, style, label in ((95, "-", "M/M/c model P95"), (50, ":", "M/M/c model P50")):
        model_ms = 1000 * s * queueing.response_time_percentile_curve(grid * s / c, c, q)
        ax.plot(grid, model_ms, color="tab:blue", ls=style, label=label)
    ax.plot(rates, sweep["p95_ms"], "o-", color="tab:orange", label="measured P95")
    ax.plot(rates, sweep["p50_ms"], "s:", color="tab:orange", ms=4, label="measured P50")
    ax.axhline(target, color="tab:red", ls="--", label=f"P95 target {target:g} ms")
    if capacity_rps:
        ax.axvline(capacity_rps, color="tab:green", ls=":", label=f"measured capacity {capacity_rps:g} req/s")
    ax.set_xlabel("offered load (requests/s)")
    ax.set_ylabel("response time (ms)")
    measured = sweep["p95_ms"].to_numpy(dtype=float)
    top = np.nanmax(measured) if np.isfinite(measured).any() else target
    ax.set_ylim(0, max(target * 1.5, min(top * 1.1, target * 5)))
    ax.legend(fontsize=8)
    return fig


def sweep_summary(sweep, service_time_s, servers, p95_target_ms, capacity_rps):
    """Sentences comparing a measured rate sweep with the M/M/c model, from the sweep's own numbers: the P95 gap at
    the lowest rate, measured against model capacity, and whether P95 fell from one step to the next by more than
    NOISE_SHARE (which says the run was noisy; a smaller dip reads as level). service_time_s > 0 (s), servers >= 1,
    p95_target_ms in ms, capacity_rps: the measured capacity (req/s)."""
    s = v.positive("service_time_s", service_time_s)
    c = v.integer("servers", servers, low=1)
    target = v.positive("p95_target_ms", p95_target_ms)
    measured = v.non_negative("capacity_rps", capacity_rps)
    if not {"offered_rps", "p95_ms"} <= set(getattr(sweep, "columns", [])) or len(sweep) < 2:
        raise ValueError("sweep must be a DataFrame with columns 'offered_rps' and 'p95_ms' and at least two rows")
    ordered = sweep.sort_values("offered_rps")
    rates = ordered["offered_rps"].to_numpy(dtype=float)
    p95 = ordered["p95_ms"].to_numpy(dtype=float)
    model_low_ms = 1000 * queueing.response_time_percentile(rates[0], 1 / s, c)
    model_capacity = capacity.max_rate_for_p95(s, c, target / 1000)
    gap = p95[0] - model_low_ms
    side = "above" if gap > 0 else "below"
    lines = [f"At {rates[0]:g} req/s the measured P95 is {p95[0]:.1f} ms, {abs(gap):.1f} ms {side} the model's "
             f"{model_low_ms:.1f} ms.",
             f"Measured capacity at P95 <= {target:g} ms: {measured:g} req/s; the model's: {model_capacity:.0f} req/s "
             f"({measured / model_capacity:.0%} of it)." if model_capacity > 0 else
             f"Measured capacity at P95 <= {target:g} ms: {measured:g} req/s; the model meets the target at no rate."]
    falls = [(rates[i], p95[i], rates[i + 1], p95[i + 1]) for i in range(len(rates) - 1)
             if p95[i + 1] < (1 - NOISE_SHARE) * p95[i]]
    if falls:
        r0, a, r1, b = falls[0]
        lines.append(f"This run's P95 fell from {a:.1f} ms at {r0:g} req/s to {b:.1f} ms at {r1:g} req/s: a P95 of "
                     f"one second of traffic is a noisy sample of the tail. This run was noisy: rerun the sweep.")
    else:
        lines.append(f"P95 never fell by more than {NOISE_SHARE:.0%} from one step to the next: from {p95[0]:.1f} ms "
                     f"to {p95[-1]:.1f} ms.")
    return "\n".join(lines)
