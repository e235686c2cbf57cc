"""Views of lesson 07 (testing for scale): a ramp or a spike of offered load against a service of fixed capacity
with a bounded waiting queue in front (a fluid model: queue length, latency and shed load over time), and the
measured spike test against that model.

The view is a pure ``load_profile_compute`` (tested without a browser), a ``load_profile_setup`` that builds the
figure once and a ``load_profile_draw`` that moves its artists, wired by ``Explorer`` (see
``scalelab.widgets.base``); the model math is in ``scalelab.models.loadtest``.
"""
import ipywidgets as widgets
import numpy as np

from .. import _validate as v
from ..models import loadtest
from . import base
from ._axes import sticky_ceiling

PROFILES = ("spike", "ramp", "steady")


def load_profile_compute(profile="spike", capacity_rps=100.0, base_rps=40.0, spike_rps=200.0, spike_s=0.5,
                         queue_size=200, spike_start_s=0.8, duration_s=3.0, dt=0.005):
    """Queue length, latency (s) and shed load over time for a profile of offered load (req/s).

    profile "spike": base_rps, then spike_rps for spike_s seconds from spike_start_s, then base_rps again;
    "ramp": base_rps rising linearly to spike_rps over duration_s; "steady": spike_rps throughout (a load test
    holding its peak rate).
    capacity_rps: requests/s the service completes at most (> 0); queue_size: requests that may wait (0: none);
    rates >= 0 in req/s, times >= 0 in s, dt the model's time step (s).
    Returns the fluid model's arrays (t_s, rate_rps, served_rps, dropped_rps, queue, latency_s) plus a summary:
    peak queue, peak latency (s), requests shed and offered, recovery_s (time after the spike until the queue is
    empty again; NaN if it never empties or for another profile, 0 if no queue formed) and, for a ramp, the rate
    (req/s) at which requests start to wait.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    mu = v.positive("capacity_rps", capacity_rps)
    size = v.integer("queue_size", queue_size, low=0, high=1_000_000)
    held = spike_rps if profile == "steady" else base_rps
    t, rate = loadtest.rate_profile(profile, duration_s, held, spike_rps, spike_start_s, spike_s, dt)
    result = loadtest.fluid_queue(t, rate, mu, size)
    queue = result["queue"]
    step = t[1] - t[0]
    if queue.max() <= 1e-9:
        recovery = 0.0
    elif profile == "spike":
        recovery = loadtest.recovery_time(t, queue, spike_start_s + spike_s, 1e-9)
    else:
        recovery = float("nan")
    over = rate > mu
    summary = {"peak_queue": float(queue.max()), "peak_latency_s": float(result["latency_s"].max()),
               "shed_requests": float(result["dropped_rps"].sum() * step),
               "offered_requests": float(rate.sum() * step), "recovery_s": recovery,
               "saturates_at_rps": float(rate[over][0]) if profile == "ramp" and over.any() else float("nan")}
    return {**result, "summary": summary, "capacity_rps": mu, "queue_size": size, "profile": profile}


def load_profile_setup(fig, params):
    """Three panels on one fixed time axis: offered, served and shed rate; queue length; latency. Lines move."""
    top, middle, bottom = fig.subplots(3, 1, sharex=True)
    moving = dict(animated=True)
    artists = {"rate_ax": top, "queue_ax": middle, "latency_ax": bottom,
               "offered": top.plot([], [], label="offered", **moving)[0],
               "served": top.plot([], [], label="served", **moving)[0],
               "shed": top.plot([], [], label="shed (queue full)", color="tab:red", **moving)[0],
               "capacity": top.axhline(0, color="grey", ls="--", lw=0.8, label="capacity", **moving),
               "queue": middle.plot([], [], color="tab:purple", label="waiting", **moving)[0],
               "room": middle.axhline(0, color="grey", ls="--", lw=0.8, label="queue size (full)", **moving),
               "latency": bottom.plot([], [], color="tab:orange", **moving)[0]}
    top.set_ylabel("rate (req/s)")
    top.legend(fontsize=7, loc="upper right")
    middle.set_ylabel("waiting\n(requests)")
    middle.legend(fontsize=7, loc="upper right")
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel("time (s)")
    bottom.set_xlim(0, params.get("duration_s", 3.0))
    return artists


def load_profile_draw(artists, result, params=None):
    """Move the lines; each panel's y-axis top is a nice number above its highest value that stays put while the
    value fills at least a third of it (so most moves keep the axes). The caption gives the summary."""
    t = result["t_s"]
    artists["offered"].set_data(t, result["rate_rps"])
    artists["served"].set_data(t, result["served_rps"])
    artists["shed"].set_data(t, result["dropped_rps"])
    mu, size = result["capacity_rps"], result["queue_size"]
    artists["capacity"].set_ydata([mu, mu])
    artists["queue"].set_data(t, result["queue"])
    artists["latency"].set_data(t, 1000 * result["latency_s"])
    summary = result["summary"]
    artists["room"].set_ydata([size, size])
    needed = {"rate_ax": 1.1 * max(float(result["rate_rps"].max()), mu),
              "queue_ax": 1.1 * max(summary["peak_queue"], 1),
              "latency_ax": 1.1 * 1000 * summary["peak_latency_s"]}
    for name, top in needed.items():
        current = artists[name].get_ylim()[1] if artists.get("drawn") else None
        artists[name].set_ylim(0, sticky_ceiling(current, top, steps=(1, 2, 2.5, 5)))
    artists["drawn"] = True
    s = result["summary"]
    recovery = ("no queue formed" if s["recovery_s"] == 0 else
                f"recovery {s['recovery_s']:.2f} s" if np.isfinite(s["recovery_s"]) else "no recovery in view")
    return (f"{result['profile']}: peak queue {s['peak_queue']:.0f} of {size}, peak latency "
            f"{1000 * s['peak_latency_s']:.0f} ms, shed {s['shed_requests']:.0f} of {s['offered_requests']:.0f} "
            f"requests, {recovery}")


def load_profile_explorer(profile="spike", capacity_rps=100.0, spike_rps=200.0, spike_s=0.5, queue_size=200):
    """Sliders for capacity, peak rate, spike duration and queue size; a dropdown for the profile (last: the
    spike duration matters to the spike only)."""
    controls = {"capacity_rps": base.slider(float(capacity_rps), 20, 300, 10, "capacity (req/s)"),
                "spike_rps": base.slider(float(spike_rps), 20, 600, 10, "peak rate: spike, ramp top, steady (req/s)"),
                "spike_s": base.slider(float(spike_s), 0.1, 2.0, 0.1, "spike duration (s)"),
                "queue_size": base.slider(int(queue_size), 0, 500, 5, "queue size (requests)", integer=True),
                "profile": widgets.Dropdown(options=PROFILES, value=profile, description="profile")}
    return base.Explorer(load_profile_compute, load_profile_draw, controls, setup=load_profile_setup,
                         css_class="lesson07-profile", size_in=(7.0, 4.5))


def plot_spike_vs_model(measured, capacity_rps, base_rps, spike_rps, spike_start_s, spike_s, duration_s):
    """Measured latency (ms) of a spike test beside the fluid model's, one panel per queue size; returns a Figure.

    measured: scenarios.spike_test rows (queue_size, scheduled s, latency_s, status); rates in req/s, times in s.
    """
    if not {"queue_size", "scheduled", "latency_s", "status"} <= set(getattr(measured, "columns", [])):
        raise ValueError("measured must be a DataFrame with columns 'queue_size', 'scheduled', 'latency_s', 'status'")
    sizes = sorted(int(x) for x in measured["queue_size"].unique())
    if not sizes:
        raise ValueError("measured must hold at least one request")
    fig, _ = base.figure(4.5 * len(sizes), 3.2)
    fig.clf()
    axes = np.atleast_1d(fig.subplots(1, len(sizes), sharey=True))
    for ax, size in zip(axes, sizes):
        rows = measured[measured["queue_size"] == size]
        model = load_profile_compute("spike", capacity_rps, base_rps, spike_rps, spike_s, size, spike_start_s,
                                     duration_s)
        ok = rows["status"] == 200
        ax.scatter(rows.loc[ok, "scheduled"], 1000 * rows.loc[ok, "latency_s"], s=6, alpha=0.6,
                   label="measured (served)")
        if (~ok).any():
            ax.scatter(rows.loc[~ok, "scheduled"], np.zeros(int((~ok).sum())), marker="x", color="tab:red", s=14,
                       label="measured: turned away")
        ax.plot(model["t_s"], 1000 * model["latency_s"], color="black", label="fluid model")
        ax.axvspan(spike_start_s, spike_start_s + spike_s, color="tab:orange", alpha=0.12, label="spike")
        ax.set_xlabel("scheduled send time (s)")
        ax.set_title(f"queue size {size}", fontsize=10)
    axes[0].set_ylabel("latency (ms)")
    axes[0].legend(fontsize=7, loc="upper right")
    return fig


def plot_omission(measured, model):
    """P95 of the three testers, measured beside the arithmetic model, as bars; returns a Figure.

    measured, model: DataFrames with a ``p95_ms`` column, one row per tester (closed naive, closed corrected,
    open or backfilled), as from scenarios.coordinated_omission and the lesson's model table.
    """
    for name, frame in (("measured", measured), ("model", model)):
        if "p95_ms" not in getattr(frame, "columns", []) or len(frame) != 3:
            raise ValueError(f"{name} must be a DataFrame with a 'p95_ms' column and three rows")
    fig, ax = base.figure(7.0, 3.2)
    ax.bar(np.arange(3) - 0.2, measured["p95_ms"], width=0.4, label="measured")
    ax.bar(np.arange(3) + 0.2, model["p95_ms"], width=0.4, label="arithmetic model")
    ax.set_xticks(range(3), ["closed, naive", "closed, corrected", "open / backfilled"])
    ax.set_ylabel("P95 latency (ms)")
    ax.legend()
    return fig


def plot_stress_ramp(ramp, service_time_s, servers, slo_p95_ms, breaking_rps=None):
    """Measured P95 of a stress ramp against the M/M/c model P95 (``queueing.response_time_percentile_curve``),
    with the SLO and the measured breaking point; returns a Figure. service_time_s > 0 (s), servers >= 1, slo in ms."""
    from ..models import queueing

    s = v.positive("service_time_s", service_time_s)
    c = v.integer("servers", servers, low=1)
    slo = v.positive("slo_p95_ms", slo_p95_ms)
    if not {"offered_rps", "p95_ms"} <= set(getattr(ramp, "columns", [])):
        raise ValueError("ramp must be a DataFrame with columns 'offered_rps' and 'p95_ms'")
    fig, ax = base.figure(7.0, 3.2)
    grid = np.linspace(0.05, 0.97, 200) * c / s
    ax.plot(grid, 1000 * s * queueing.response_time_percentile_curve(grid * s / c, c), color="black",
            label="M/M/c model P95" if c > 1 else "M/M/1 model P95")
    ax.plot(ramp["offered_rps"], ramp["p95_ms"], "o-", label="measured P95")
    ax.axhline(slo, color="tab:red", ls="--", label="SLO")
    if breaking_rps is not None and np.isfinite(breaking_rps):
        ax.axvline(breaking_rps, color="tab:red", alpha=0.4, label="breaking point (measured)")
    ax.set_ylim(0, 4 * slo)
    ax.set_xlabel("offered rate (requests/s)")
    ax.set_ylabel("P95 latency (ms)")
    ax.legend(fontsize=8)
    return fig


def plot_volume(volume):
    """Median lookup time against table rows, with and without an index (log-log), beside the models time ∝ rows
    (through the largest scan) and time ∝ log(rows) (through the smallest indexed lookup); returns a Figure.

    volume: scenarios.volume_test rows (rows, indexed, median_ms)."""
    if not {"rows", "indexed", "median_ms"} <= set(getattr(volume, "columns", [])):
        raise ValueError("volume must be a DataFrame with columns 'rows', 'indexed' and 'median_ms'")
    scan, index = volume[~volume["indexed"]], volume[volume["indexed"]]
    if scan.empty or index.empty:
        raise ValueError("volume must hold rows with and without an index")
    rows = np.logspace(np.log10(volume["rows"].min()), np.log10(volume["rows"].max()), 50)
    per_row_ms = scan["median_ms"].iloc[-1] / scan["rows"].iloc[-1]
    fig, ax = base.figure(7.0, 3.2)
    ax.loglog(scan["rows"], scan["median_ms"], "o", label="measured: no index (SCAN)")
    ax.loglog(index["rows"], index["median_ms"], "s", label="measured: index (SEARCH)")
    ax.loglog(rows, per_row_ms * rows, "k-", lw=1, label="model: time ∝ rows")
    ax.loglog(rows, index["median_ms"].iloc[0] * np.log2(rows) / np.log2(index["rows"].iloc[0]), "k--", lw=1,
              label="model: time ∝ log(rows)")
    ax.set_xlabel("rows in the table")
    ax.set_ylabel("median lookup (ms)")
    ax.legend(fontsize=8)
    return fig


def plot_soak(soak, leak_bytes, rate_rps):
    """Traced memory (MB) of each soak run with its fitted line, and the model leak_bytes × rate_rps from the
    leaking run's first sample; returns a Figure. soak: scenarios.soak_test rows (leak_bytes, t_s, traced_bytes)."""
    leak = v.non_negative("leak_bytes", leak_bytes)
    rate = v.positive("rate_rps", rate_rps)
    if not {"leak_bytes", "t_s", "traced_bytes"} <= set(getattr(soak, "columns", [])):
        raise ValueError("soak must be a DataFrame with columns 'leak_bytes', 't_s' and 'traced_bytes'")
    fig, ax = base.figure(7.0, 3.2)
    for size, g in soak.groupby("leak_bytes"):
        fit = loadtest.leak_trend(g["t_s"], g["traced_bytes"])
        ax.plot(g["t_s"], g["traced_bytes"] / 1e6, "o", label=f"measured, {size} B/request")
        ax.plot(g["t_s"], (fit["intercept_bytes"] + fit["slope_bytes_per_s"] * g["t_s"]) / 1e6, "k-", lw=0.8)
    leaking = soak[soak["leak_bytes"] == leak]
    if not leaking.empty:
        t = np.linspace(0, soak["t_s"].max(), 10)
        ax.plot(t, (leaking["traced_bytes"].iloc[0] + leak * rate * t) / 1e6, "k--",
                label=f"model: {leak / 1000:g} kB × {rate:g} requests/s")
    ax.set_xlabel("time since the soak began (s)")
    ax.set_ylabel("traced memory (MB)")
    ax.legend(fontsize=8)
    return fig


def plot_p95_spread(runs, arrival_rps, service_rate_rps, coverage=0.9):
    """The P95 of each repeated run (a rate_sweep-style frame with columns 'requests' and 'p95_ms', one row per run)
    against the order-statistic model of a sampled M/M/1 P95 (``loadtest.mm1_percentile_spread_ms`` at the runs'
    median request count): its median and central ``coverage`` band on the same axes; returns a Figure."""
    if not {"requests", "p95_ms"} <= set(getattr(runs, "columns", [])) or len(runs) < 1:
        raise ValueError("runs must be a DataFrame with columns 'requests' and 'p95_ms', one row per run")
    n = int(runs["requests"].median())
    low, median, high = loadtest.mm1_percentile_spread_ms(n, arrival_rps, service_rate_rps, coverage=coverage)
    fig, ax = base.figure(7.0, 3.2)
    x = np.arange(1, len(runs) + 1)
    ax.axhspan(low, high, color="tab:blue", alpha=0.15,
               label=f"model: {coverage:.0%} of runs of {n} requests land here")
    ax.axhline(median, color="tab:blue", label="model: median P95 of such a run")
    ax.plot(x, runs["p95_ms"], "o", color="tab:orange", ms=8, label="measured P95 of each run")
    ax.set_xticks(x)
    ax.set_xlim(0.5, len(runs) + 0.5)
    ax.set_ylim(0, 1.3 * max(high, float(np.nanmax(runs["p95_ms"]))))
    ax.set_xlabel("run")
    ax.set_ylabel("P95 latency (ms)")
    ax.legend(fontsize=8, loc="lower right")
    return fig
