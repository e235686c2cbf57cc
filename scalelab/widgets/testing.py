"""Views of lesson 07 (testing for scale): a ramp or a spike of offered load against a service of fixed capacity
with a bounded waiting queue in front (a fluid model: queue length, latency and shed load over time).

Each view is a pure compute function (tested without a browser) plus a draw function, wired by ``Explorer``.
"""
import ipywidgets as widgets
import numpy as np

from .. import _validate as v
from ..models import loadtest
from . import base

PROFILES = ("spike", "ramp", "steady")


def load_profile(profile="spike", capacity_rps=100.0, base_rps=40.0, spike_rps=200.0, spike_s=0.5,
                 queue_size=200, spike_start_s=0.8, duration_s=3.0, dt=0.005):
    """Queue length, latency (s) and shed load over time for a profile of offered load (req/s).

    profile "spike": base_rps, then spike_rps for spike_s seconds from spike_start_s, then base_rps again;
    "ramp": base_rps rising linearly to spike_rps over duration_s; "steady": base_rps throughout.
    capacity_rps: requests/s the service completes at most; queue_size: requests that may wait (0: none).
    Returns the fluid model's arrays plus a summary: peak queue, peak latency (s), requests shed,
    recovery_s (time after the spike until the queue is empty again; NaN if it never empties, 0 if no queue formed)
    and, for a ramp, the rate (req/s) at which requests start to wait.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    mu = v.positive("capacity_rps", capacity_rps)
    size = v.integer("queue_size", queue_size, low=0, high=1_000_000)
    t, rate = loadtest.rate_profile(profile, duration_s, base_rps, spike_rps, spike_start_s, spike_s, dt)
    result = loadtest.fluid_queue(t, rate, mu, size)
    queue = result["queue"]
    step = t[1] - t[0]
    end_of_spike = spike_start_s + spike_s if profile == "spike" else 0.0
    after = (t >= end_of_spike) & (queue <= 1e-9)
    if queue.max() <= 1e-9:
        recovery = 0.0
    elif after.any() and profile == "spike":
        recovery = float(t[after][0] - end_of_spike)
    else:
        recovery = float("nan")
    over = rate > mu
    summary = {"peak_queue": float(queue.max()), "peak_latency_s": float(result["latency_s"].max()),
               "shed_requests": float(result["dropped_rps"].sum() * step),
               "offered_requests": float(rate.sum() * step), "recovery_s": recovery,
               "saturates_at_rps": float(rate[over][0]) if profile == "ramp" and over.any() else float("nan")}
    return {**result, "summary": summary, "capacity_rps": mu, "queue_size": size, "profile": profile}


def draw_load_profile(result, params=None):
    """Three panels on one time axis: offered and served rate, queue length, latency."""
    fig, axes = base.figure(7.0, 5.6)
    fig.clf()
    top, middle, bottom = fig.subplots(3, 1, sharex=True)
    t = result["t_s"]
    top.plot(t, result["rate_rps"], label="offered")
    top.plot(t, result["served_rps"], label="served")
    top.plot(t, result["dropped_rps"], label="shed (queue full)", color="tab:red")
    top.axhline(result["capacity_rps"], color="grey", ls="--", lw=0.8, label="capacity")
    top.set_ylabel("rate (req/s)")
    top.legend(fontsize=7, loc="upper right")
    middle.plot(t, result["queue"], color="tab:purple")
    middle.set_ylabel("waiting (requests)")
    bottom.plot(t, 1000 * result["latency_s"], color="tab:orange")
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel("time (s)")
    s = result["summary"]
    top.set_title(f"{result['profile']}: peak queue {s['peak_queue']:.0f}, peak latency "
                  f"{1000 * s['peak_latency_s']:.0f} ms, shed {s['shed_requests']:.0f} of "
                  f"{s['offered_requests']:.0f}, recovery {s['recovery_s']:.2f} s", fontsize=9)
    return fig


def load_profile_explorer(profile="spike", capacity_rps=100.0, spike_rps=200.0, spike_s=0.5, queue_size=200):
    """Dropdown for the profile; sliders for capacity, spike height, spike duration and queue size."""
    controls = {"profile": widgets.Dropdown(options=PROFILES, value=profile, description="profile"),
                "capacity_rps": base.slider(capacity_rps, 20, 300, 10, "capacity (req/s)"),
                "spike_rps": base.slider(spike_rps, 20, 600, 10, "spike / ramp top (req/s)"),
                "spike_s": base.slider(spike_s, 0.1, 2.0, 0.1, "spike duration (s)"),
                "queue_size": base.slider(queue_size, 0, 500, 5, "queue size (requests)", integer=True)}
    return base.Explorer(load_profile, draw_load_profile, controls, css_class="lesson07-profile")


def spike_overlay(ax, measured, capacity_rps, queue_size, base_rps, spike_rps, spike_start_s, spike_s, duration_s):
    """Draw the fluid model's latency (ms) over time on ``ax`` next to a measured spike (scheduled s, latency s)."""
    model = load_profile("spike", capacity_rps, base_rps, spike_rps, spike_s, queue_size, spike_start_s, duration_s)
    ok = measured["status"] == 200
    ax.scatter(measured.loc[ok, "scheduled"], 1000 * measured.loc[ok, "latency_s"], s=6, alpha=0.6,
               label="measured (served)")
    shed = ~ok
    if shed.any():
        ax.scatter(measured.loc[shed, "scheduled"], np.zeros(int(shed.sum())), marker="x", color="tab:red", s=14,
                   label="measured: turned away")
    ax.plot(model["t_s"], 1000 * model["latency_s"], color="black", label="fluid model")
    ax.axvspan(spike_start_s, spike_start_s + spike_s, color="tab:orange", alpha=0.12, label="spike")
    ax.set_xlabel("scheduled send time (s)")
    ax.set_ylabel("latency (ms)")
    return model
