"""Explorers for lesson 04 (horizontal scaling): capacity of sleep- vs CPU-bound workers, the Universal
Scalability Law over measured points, losing a worker, and round robin vs least connections.

Each has a pure ``*_compute`` function (plain numbers and arrays in, a dict out) and an ``*_explorer`` that
wires sliders to it.
"""
import math

import numpy as np

from .. import _validate as v
from ..bench.cluster import dispatch
from ..models import laws
from . import base


def _measured(measured_n, measured_x):
    if measured_n is None or measured_x is None:
        return np.array([]), np.array([])
    ns = v.samples("measured_n", measured_n)
    xs = v.samples("measured_x", measured_x)
    if ns.size != xs.size:
        raise ValueError(f"measured_n and measured_x must have the same length, got {ns.size} and {xs.size}")
    return ns, xs


# ------------------------------------------------------------------------------------ sleep- vs CPU-bound capacity
def capacity_compute(service_ms=20.0, cores=2, overhead_ms=1.0, n_max=8):
    """Best-case throughput (req/s) of N single-request workers for N = 1..n_max, for two kinds of work.

    service_ms: work per request (ms); cores: CPU cores shared by everything; overhead_ms: CPU per request spent
    outside the work (client, balancer, HTTP parsing; ms). Sleep-based work waits without CPU, so
    X = min(N / S, cores / overhead); CPU-bound work needs S + overhead of CPU, so X = min(N / S, cores / (S + o)).
    Returns n, sleep_rps, cpu_rps, knee_n (N where CPU-bound work stops gaining).
    """
    s = v.positive("service_ms", service_ms) / 1000
    c = v.integer("cores", cores, low=1, high=256)
    o = v.non_negative("overhead_ms", overhead_ms) / 1000
    n_max = v.integer("n_max", n_max, low=1, high=1024)
    n = np.arange(1, n_max + 1, dtype=float)
    ideal = n / s
    sleep_cap = c / o if o > 0 else math.inf
    cpu_cap = c / (s + o)
    return {"n": n, "sleep_rps": np.minimum(ideal, sleep_cap), "cpu_rps": np.minimum(ideal, cpu_cap),
            "ideal_rps": ideal, "knee_n": cpu_cap * s, "sleep_cap_rps": sleep_cap, "cpu_cap_rps": cpu_cap}


def capacity_explorer(measured=None, cores=2):
    """Sliders over capacity_compute; ``measured``: optional frames from scaling_sweep (sleep and/or cpu)."""
    frames = [] if measured is None else list(measured)

    def draw(result, params):
        fig, ax = base.figure()
        ax.plot(result["n"], result["sleep_rps"], "-", color="tab:blue", label="model: sleep-based work")
        ax.plot(result["n"], result["cpu_rps"], "-", color="tab:red", label="model: CPU-bound work")
        for frame in frames:
            kind = frame["kind"].iloc[0]
            ax.plot(frame["n_workers"], frame["throughput_rps"], "o", color="tab:blue" if kind == "sleep" else "tab:red",
                    label=f"measured: {kind} ({frame['service_ms'].iloc[0]:g} ms)")
        ax.axvline(result["knee_n"], color="grey", ls=":", label=f"CPU knee N = {result['knee_n']:.1f}")
        ax.set(xlabel="workers N", ylabel="throughput (requests/s)", title="Scale out: who is waiting for what?")
        ax.legend(fontsize=8)
        return fig

    controls = {"service_ms": base.slider(20.0, 1.0, 100.0, 1.0, "work per request S (ms)"),
                "cores": base.slider(cores, 1, 16, 1, "CPU cores", integer=True),
                "overhead_ms": base.slider(1.0, 0.0, 10.0, 0.1, "CPU overhead per request (ms)"),
                "n_max": base.slider(8, 2, 32, 1, "largest N", integer=True)}
    return base.Explorer(capacity_compute, draw, controls, css_class="lesson04-capacity")


# ------------------------------------------------------------------------------------------------- the USL explorer
def usl_compute(sigma=0.05, kappa=0.001, lam=50.0, n_max=16, measured_n=None, measured_x=None):
    """The USL curve X(N) = lam N / (1 + sigma (N-1) + kappa N (N-1)) for N = 1..n_max, against measured points.

    lam: throughput of one worker (req/s); sigma, kappa >= 0. When at least 3 distinct measured N are given, also
    the least-squares fit. Returns n, model_rps, linear_rps, peak_n, peak_rps, rms_rel_error (of the slider curve
    at the measured points, as a fraction) and fit (a laws.USLFit or None) with fit_rps.
    """
    v.non_negative("sigma", sigma)
    v.non_negative("kappa", kappa)
    v.positive("lam", lam)
    n_max = v.integer("n_max", n_max, low=2, high=4096)
    ns, xs = _measured(measured_n, measured_x)
    n = np.linspace(1, n_max, 200)
    model = laws.usl_throughput(n, lam, sigma, kappa)
    peak = laws.usl_peak(sigma, kappa)
    peak_rps = laws.usl_throughput(max(peak, 1.0), lam, sigma, kappa) if math.isfinite(peak) else (
        lam / sigma if sigma > 0 else math.inf)
    rms = float(np.sqrt(np.mean(((laws.usl_throughput(ns, lam, sigma, kappa) - xs) / xs) ** 2))) if ns.size else math.nan
    fit = laws.usl_fit(ns, xs) if np.unique(ns).size >= 3 else None
    return {"n": n, "model_rps": model, "linear_rps": lam * n, "peak_n": peak, "peak_rps": peak_rps,
            "rms_rel_error": rms, "fit": fit, "fit_rps": fit.predict(n) if fit else None,
            "measured_n": ns, "measured_x": xs}


def usl_explorer(measured_n=None, measured_x=None, lam=None):
    """σ and κ sliders over the learner's measured (N, throughput) points and their least-squares USL fit."""
    ns, xs = _measured(measured_n, measured_x)
    if lam is None:
        lam = float(xs[np.argmin(ns)] / ns.min()) if ns.size else 50.0

    def draw(result, params):
        fig, ax = base.figure()
        ax.plot(result["n"], result["linear_rps"], ":", color="grey", label="linear (no contention, no coherency)")
        ax.plot(result["n"], result["model_rps"], "-", color="tab:purple",
                label=f"your sliders: σ={params['sigma']:.3f}, κ={params['kappa']:.4f}")
        fit = result["fit"]
        if fit is not None:
            ax.plot(result["n"], result["fit_rps"], "--", color="tab:green",
                    label=f"least-squares fit: σ={fit.sigma:.3f}, κ={fit.kappa:.4f}, R²={fit.r_squared:.2f}")
        if result["measured_n"].size:
            ax.plot(result["measured_n"], result["measured_x"], "o", color="black", label="measured")
        if math.isfinite(result["peak_n"]) and result["peak_n"] <= params["n_max"]:
            ax.axvline(result["peak_n"], color="tab:purple", ls=":", label=f"peak N* = {result['peak_n']:.1f}")
        top = max(float(np.max(result["model_rps"])), float(np.max(result["measured_x"], initial=0))) * 1.3
        ax.set(xlabel="workers N", ylabel="throughput (requests/s)", ylim=(0, top),
               title=f"USL · rms error at your points: {result['rms_rel_error']:.1%}")
        ax.legend(fontsize=8)
        return fig

    controls = {"sigma": base.slider(0.05, 0.0, 0.5, 0.005, "contention σ", readout_format=".3f"),
                "kappa": base.slider(0.001, 0.0, 0.05, 0.0005, "coherency κ", readout_format=".4f"),
                "lam": base.slider(round(lam, 1), 1.0, max(200.0, 2 * lam), 0.5, "one worker λ (req/s)"),
                "n_max": base.slider(16, 4, 64, 1, "largest N", integer=True)}
    return base.Explorer(usl_compute, draw, controls, css_class="lesson04-usl",
                         fixed={"measured_n": ns if ns.size else None, "measured_x": xs if xs.size else None})


# ---------------------------------------------------------------------------------------------- losing a worker
def failover_compute(rate=80.0, n_workers=3, service_ms=20.0, response_ms=30.0):
    """What losing one of N workers costs, from Little's law and utilisation.

    rate: offered load (req/s); service_ms: work per request (ms); response_ms: time a request spends in a worker
    (ms). Returns in_flight_lost (requests in the dead worker = rate / N * response time), util_before and
    util_after (per worker, rate * S / N and / (N - 1)), overloaded_after (util_after >= 1) and
    sessions_lost_fraction (with sticky local sessions: 1 / N of the users).
    """
    rate = v.positive("rate", rate)
    n = v.integer("n_workers", n_workers, low=2, high=1024)
    s = v.positive("service_ms", service_ms) / 1000
    r = v.positive("response_ms", response_ms) / 1000
    util_before, util_after = rate * s / n, rate * s / (n - 1)
    return {"in_flight_lost": rate / n * r, "util_before": util_before, "util_after": util_after,
            "overloaded_after": util_after >= 1, "sessions_lost_fraction": 1 / n,
            "n": np.arange(2, max(n, 8) + 1)}


def failover_explorer():
    """Sliders over failover_compute: how busy the survivors get, how many requests die with the worker."""

    def draw(result, params):
        fig, ax = base.figure()
        ns = result["n"]
        after = params["rate"] * params["service_ms"] / 1000 / (ns - 1)
        ax.plot(ns, np.minimum(after, 1.5) * 100, "o-", color="tab:red", label="utilisation of survivors after one dies")
        ax.plot(ns, params["rate"] * params["service_ms"] / 1000 / ns * 100, "o-", color="tab:blue",
                label="utilisation before")
        ax.axhline(100, color="black", lw=0.8)
        ax.axhline(75, color="grey", ls=":", label="comfortable ≈ 75 %")
        ax.axvline(params["n_workers"], color="grey", ls="--")
        ax.set(xlabel="workers N", ylabel="utilisation per worker (%)",
               title=f"N={params['n_workers']}: ≈{result['in_flight_lost']:.1f} requests die in flight, "
                     f"{result['sessions_lost_fraction']:.0%} of sticky sessions lost")
        ax.legend(fontsize=8)
        return fig

    controls = {"rate": base.slider(80.0, 10.0, 400.0, 5.0, "offered load (req/s)"),
                "n_workers": base.slider(3, 2, 8, 1, "workers N", integer=True),
                "service_ms": base.slider(20.0, 1.0, 100.0, 1.0, "work per request (ms)"),
                "response_ms": base.slider(30.0, 1.0, 500.0, 1.0, "time in a worker (ms)")}
    return base.Explorer(failover_compute, draw, controls, css_class="lesson04-failover")


# ------------------------------------------------------------------------------- round robin vs least connections
def uneven_workload(jobs=24, big_every=4, big_s=6.0, small_s=1.0):
    """Job sizes (s): every ``big_every``-th job (the first one included) is big, the others small."""
    jobs = v.integer("jobs", jobs, low=1, high=10_000)
    every = v.integer("big_every", big_every, low=1)
    big, small = v.non_negative("big_s", big_s), v.non_negative("small_s", small_s)
    return np.array([big if i % every == 0 else small for i in range(jobs)])


def dispatch_compute(n_servers=2, big_every=4, big_s=6.0, small_s=1.0, jobs=24):
    """Round robin vs least connections on an uneven workload (one job per second, FIFO servers).

    Returns per algorithm the dispatch table and its mean and worst response time (s).
    """
    sizes = uneven_workload(jobs, big_every, big_s, small_s)
    out = {"sizes": sizes}
    for algorithm in ("round_robin", "least_connections"):
        table = dispatch(sizes, n_servers, algorithm)
        out[algorithm] = {"table": table, "mean_s": float(table["response_s"].mean()),
                          "worst_s": float(table["response_s"].max())}
    return out


def dispatch_explorer():
    """Sliders over dispatch_compute: response time of each job under both algorithms."""

    def draw(result, params):
        fig, ax = base.figure()
        for algorithm, colour in (("round_robin", "tab:orange"), ("least_connections", "tab:green")):
            table = result[algorithm]["table"]
            ax.plot(table["job"], table["response_s"], "o-", color=colour, ms=3,
                    label=f"{algorithm.replace('_', ' ')}: mean {result[algorithm]['mean_s']:.1f} s, "
                          f"worst {result[algorithm]['worst_s']:.1f} s")
        ax.set(xlabel="job (one arrives per second)", ylabel="response time (s)",
               title="Same jobs, same servers, different dispatch")
        ax.legend(fontsize=8)
        return fig

    controls = {"n_servers": base.slider(2, 1, 6, 1, "servers", integer=True),
                "big_every": base.slider(4, 1, 8, 1, "a big job every", integer=True),
                "big_s": base.slider(6.0, 1.0, 20.0, 0.5, "big job (s)"),
                "small_s": base.slider(1.0, 0.1, 5.0, 0.1, "small job (s)")}
    return base.Explorer(dispatch_compute, draw, controls, css_class="lesson04-dispatch")
