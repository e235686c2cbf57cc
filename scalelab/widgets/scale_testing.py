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
    needed = {"rate_ax": 1.1 * max(float(result["rate_rps"].max()), mu), "queue_ax": 1.1 * max(summary["peak_queue"], 1),
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
