"""Views of lesson 11 (design principles): a queue absorbing a burst (fluid model over the measured depth), a front
end with and without a circuit breaker and a rate limiter (replayed on a trace), and four cache strategies side by
side; plus the lesson's measured-vs-model pictures.

Each explorer is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure
once with fixed axes and a ``<view>_draw`` that moves its artists (see ``scalelab.widgets.base``).
"""
import functools

import numpy as np

from .. import _validate as v
from .. import resilience as rs
from ..models import fluid
from ..sim import cache_strategies as cs
from ..sim import degradation as dg
from . import base

# ---------------------------------------------------------------------------------------- a burst into a queue
BURST_T_S = np.linspace(0, 6, 241)
BURST_DEPTH_LIMIT = 400


def burst_compute(burst_rps=150.0, burst_s=1.0, after_rps=30.0, servers=2, per_worker_rps=50.0):
    """The fluid model of a burst (``burst_rps`` for ``burst_s``, then ``after_rps`` for 2 s) drained by
    ``servers`` × ``per_worker_rps``: depth over BURST_T_S, the peak, when it is reached and when the queue is empty."""
    phases = [(v.positive("burst_s", burst_s), v.non_negative("burst_rps", burst_rps)),
              (2.0, v.non_negative("after_rps", after_rps))]
    mu = v.integer("servers", servers, low=1, high=64) * v.positive("per_worker_rps", per_worker_rps)
    peak, at = fluid.peak(phases, mu)
    return {"t_s": BURST_T_S, "depth": fluid.depth(BURST_T_S, phases, mu), "peak": peak, "peak_at_s": at,
            "empty_at_s": fluid.drain_time(phases, mu), "service_rps": mu}


def burst_setup(fig, params, measured=None):
    """Queue depth against time; the measured depth (if given) as fixed grey points."""
    ax = fig.subplots()
    if measured is not None:
        ax.plot(measured["t_s"], measured["depth"], ".", color="grey", ms=3, label="measured depth")
    line = ax.plot([], [], color="tab:blue", lw=2, label="fluid model", animated=True)[0]
    mark = ax.plot([], [], "o", color="tab:red", label="model peak", animated=True)[0]
    ax.set_xlim(0, BURST_T_S[-1])
    ax.set_ylim(0, BURST_DEPTH_LIMIT)
    ax.set_xlabel("time since the burst began (s)")
    ax.set_ylabel("jobs waiting in the queue")
    ax.legend(fontsize=8, loc="upper right")
    return {"line": line, "mark": mark}


def burst_draw(artists, result, params=None):
    """The model curve and its peak; the caption gives peak, drain time and the service rate."""
    artists["line"].set_data(result["t_s"], np.minimum(result["depth"], BURST_DEPTH_LIMIT * 1.1))
    artists["mark"].set_data([result["peak_at_s"]], [min(result["peak"], BURST_DEPTH_LIMIT * 1.1)])
    empty = result["empty_at_s"]
    when = "never empties" if not np.isfinite(empty) else f"is empty again at t = {empty:.2f} s"
    return (f"Workers finish {result['service_rps']:.0f} jobs/s. The backlog peaks at {result['peak']:.0f} jobs at "
            f"t = {result['peak_at_s']:.2f} s and {when}; a job arriving at the peak waits about "
            f"{1000 * result['peak'] / result['service_rps']:.0f} ms.")


def burst_explorer(measured, burst_rps=150.0, burst_s=1.0, after_rps=30.0, servers=2, per_worker_rps=50.0):
    """Sliders over the burst and the workers; ``measured``: a DataFrame with t_s and depth (``burst_run``)."""
    if not {"t_s", "depth"} <= set(getattr(measured, "columns", [])):
        raise ValueError("measured must be a DataFrame with the columns t_s and depth")
    controls = {"burst_rps": base.slider(burst_rps, 0, 400, 10, "burst rate (jobs/s)"),
                "burst_s": base.slider(burst_s, 0.2, 3, 0.1, "burst length (s)"),
                "after_rps": base.slider(after_rps, 0, 200, 10, "rate after it (jobs/s)"),
                "servers": base.slider(servers, 1, 8, 1, "workers", integer=True),
                "per_worker_rps": base.slider(per_worker_rps, 10, 200, 5, "jobs/s per worker")}
    return base.Explorer(burst_compute, burst_draw, controls,
                         setup=functools.partial(burst_setup, measured=measured), css_class="lesson11-burst")


# ------------------------------------------------------------------------------ breaker and limiter on a trace
DEGRADE_DURATION_S = 3.0
DEGRADE_BIN_S = 0.2
DEGRADE_RPS_LIMIT = 450


@functools.lru_cache(maxsize=256)
def degrade_compute(rate_rps=150.0, outage_s=1.0, threshold=5, reset_s=0.3, limit_rps=0.0, handlers=4,
                    service_time_ms=16.0, timeout_ms=250.0, slo_ms=100.0, rng=0):
    """One seeded trace (Poisson ``rate_rps`` for DEGRADE_DURATION_S s, the dependency down for ``outage_s`` from
    t = 1 s) replayed twice: unprotected, and with a breaker (``threshold`` failures, ``reset_s``) plus, if
    ``limit_rps`` > 0, a token bucket of that rate (burst = handlers). Returns per-bin goodput (full answers within
    the SLO, per second) of both, and each run's summary (``sim.degradation.summary``)."""
    rate = v.positive("rate_rps", rate_rps)
    outage = v.non_negative("outage_s", outage_s)
    threshold = v.integer("threshold", threshold, low=1)
    reset = v.positive("reset_s", reset_s)
    limit = v.non_negative("limit_rps", limit_rps)
    k = v.integer("handlers", handlers, low=1)
    slo = v.positive("slo_ms", slo_ms) / 1000
    trace = dg.arrivals(rate, DEGRADE_DURATION_S, rng=rng)
    common = dict(servers=k, service_time_s=v.positive("service_time_ms", service_time_ms) / 1000,
                  timeout_s=v.positive("timeout_ms", timeout_ms) / 1000, outages=[(1.0, 1.0 + outage)])
    runs = {"unprotected": dg.replay(trace, **common),
            "protected": dg.replay(trace, breaker=rs.CircuitBreaker(threshold, reset),
                                   limiter=rs.TokenBucket(limit, k) if limit > 0 else None, **common)}
    edges = np.arange(0, DEGRADE_DURATION_S + DEGRADE_BIN_S / 2, DEGRADE_BIN_S)
    out = {"t_s": edges[:-1] + DEGRADE_BIN_S / 2, "outage": (1.0, 1.0 + outage)}
    for name, run in runs.items():
        good = (run["outcome"] == "ok") & (run["latency_s"] <= slo)
        out[name] = np.histogram(run["arrival_s"][good], edges)[0] / DEGRADE_BIN_S
        out[f"{name}_summary"] = dg.summary(run, DEGRADE_DURATION_S, slo)
    return out


def degrade_setup(fig, params):
    """Goodput over time (per arrival bin) of the unprotected and the protected front end; the outage shaded."""
    ax = fig.subplots()
    shade = ax.axvspan(1.0, 2.0, color="tab:red", alpha=0.12, label="dependency down", animated=True)
    lines = {name: ax.step([], [], where="mid", lw=width, color=color, label=label, animated=True)[0]
             for name, label, width, color in (("unprotected", "no breaker, no limiter", 3.5, "tab:blue"),
                                               ("protected", "breaker (+ limiter)", 1.5, "tab:orange"))}
    ax.set_xlim(0, DEGRADE_DURATION_S)
    ax.set_ylim(0, DEGRADE_RPS_LIMIT)
    ax.set_xlabel("arrival time (s)")
    ax.set_ylabel("goodput (full answers in SLO per s)")
    ax.legend(fontsize=8, loc="upper right")
    return {"shade": shade, **lines}


def degrade_draw(artists, result, params=None):
    """Both goodput curves and the outage; the caption compares the two runs."""
    for name in ("unprotected", "protected"):
        artists[name].set_data(result["t_s"], np.minimum(result[name], DEGRADE_RPS_LIMIT))
    a, b = result["outage"]
    artists["shade"].set_x(a)
    artists["shade"].set_width(b - a)
    plain, guarded = result["unprotected_summary"], result["protected_summary"]
    return (f"Goodput: {plain['goodput_rps']:.0f}/s unprotected, {guarded['goodput_rps']:.0f}/s protected. "
            f"Answered within the SLO (full or fallback): {plain['answered_in_slo_rps']:.0f}/s vs "
            f"{guarded['answered_in_slo_rps']:.0f}/s; P99 {plain['p99_ms']:.0f} ms vs {guarded['p99_ms']:.0f} ms; "
            f"rejected by the limiter {guarded['rejected_share']:.0%}.")


def degrade_explorer(rate_rps=150.0, outage_s=1.0, threshold=5, reset_s=0.3, limit_rps=0.0, handlers=4,
                     service_time_ms=16.0, timeout_ms=250.0, slo_ms=100.0):
    """Sliders for the load, the outage, the breaker and the limiter over a replayed front end (``handlers``
    threads, ``service_time_ms`` per call, ``timeout_ms`` on a dead dependency)."""
    controls = {"rate_rps": base.slider(rate_rps, 20, 400, 10, "arrival rate (req/s)"),
                "outage_s": base.slider(outage_s, 0, 2, 0.1, "outage length (s)"),
                "threshold": base.slider(threshold, 1, 20, 1, "breaker: failures to open", integer=True),
                "reset_s": base.slider(reset_s, 0.05, 2, 0.05, "breaker: open for (s)"),
                "limit_rps": base.slider(limit_rps, 0, 400, 10, "token bucket (req/s, 0 = off)")}
    return base.Explorer(degrade_compute, degrade_draw, controls, setup=degrade_setup, css_class="lesson11-degrade",
                         fixed={"handlers": handlers, "service_time_ms": service_time_ms, "timeout_ms": timeout_ms,
                                "slo_ms": slo_ms})


# ------------------------------------------------------------------------------------------ cache strategies
@functools.lru_cache(maxsize=256)
def cache_compute(write_share=0.1, ttl_s=1.0, flush_s=0.5, zipf_s=1.0, operations=800, rng=0):
    """The four strategies on one seeded workload (200 ops/s over 100 keys): ``cs.compare``'s table."""
    ops = cs.workload(v.integer("operations", operations, low=10), rate_rps=200.0, keys=100,
                      write_share=v.probability("write_share", write_share), zipf_s=v.non_negative("zipf_s", zipf_s),
                      rng=rng)
    return cs.compare(ops, ttl_s=v.positive("ttl_s", ttl_s), flush_s=v.positive("flush_s", flush_s))


def cache_draw(result, params=None):
    """A table: hit ratio, latencies, stale reads, database load and writes at risk per strategy."""
    table = result[["hit_ratio", "read_ms", "write_ms", "stale_share", "db_ops_per_s", "at_risk_mean",
                    "at_risk_max"]].copy()
    table.columns = ["hit ratio", "read (ms)", "write (ms)", "stale reads", "db ops/s", "at risk (mean)",
                     "at risk (max)"]
    return table.round(3)


def cache_explorer(write_share=0.1, ttl_s=1.0, flush_s=0.5, zipf_s=1.0):
    """Sliders for the workload's write share and skew, the TTL and write-behind's flush interval."""
    controls = {"write_share": base.slider(write_share, 0, 0.9, 0.05, "share of writes"),
                "ttl_s": base.slider(ttl_s, 0.1, 5, 0.1, "TTL (s)"),
                "flush_s": base.slider(flush_s, 0.1, 5, 0.1, "write-behind flush every (s)"),
                "zipf_s": base.slider(zipf_s, 0, 2, 0.1, "key skew (Zipf s)")}
    return base.Explorer(cache_compute, cache_draw, controls, css_class="lesson11-cache")


# ----------------------------------------------------------------------------------- measured-vs-model pictures
def plot_burst(measured, phases, service_rps):
    """Measured queue depth over time against the fluid model with the measured service rate, same axes."""
    if not {"t_s", "depth"} <= set(getattr(measured, "columns", [])):
        raise ValueError("measured must be a DataFrame with the columns t_s and depth")
    fig, ax = base.figure()
    t = np.linspace(0, max(float(measured["t_s"].max()), 0.1), 300)
    ax.plot(measured["t_s"], measured["depth"], ".", color="grey", ms=4, label="measured depth")
    ax.plot(t, fluid.depth(t, phases, service_rps), color="tab:blue", lw=2,
            label=f"fluid model, {service_rps:.0f} jobs/s served")
    ax.set_xlabel("time since the burst began (s)")
    ax.set_ylabel("jobs waiting in the queue")
    ax.legend(fontsize=8)
    return fig


def plot_io(measured):
    """Throughput of threads and asyncio against concurrency (log axes), with the pure-waiting model."""
    if not {"mode", "concurrency", "throughput_rps", "waiting_model_s", "requests"} <= set(measured.columns):
        raise ValueError("measured must be an io_concurrency DataFrame")
    fig, ax = base.figure()
    for mode, group in measured.groupby("mode"):
        ax.plot(group["concurrency"], group["throughput_rps"], "o-", label=f"measured: {mode}")
    model = measured.drop_duplicates("concurrency")
    ax.plot(model["concurrency"], model["requests"] / model["waiting_model_s"], "k--", label="only waiting: c / delay")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("requests in flight at once (c)")
    ax.set_ylabel("throughput (requests/s)")
    ax.legend(fontsize=8)
    return fig


def plot_degradation(runs, slo_s, bin_s=0.2, models=None):
    """Goodput over time of each measured run ({label: ``DegradationRun``}), the outage shaded if any; with
    ``models`` ({label: ``sim.degradation.replay`` result}) the model of each run dashed in the same colour."""
    fig, ax = base.figure()
    for label, run in runs.items():
        frame = run.table
        good = frame[(frame["outcome"] == "ok") & (frame["latency_s"] <= slo_s)]
        edges = np.arange(0, run.duration_s + bin_s / 2, bin_s)
        line = ax.step(edges[:-1] + bin_s / 2, np.histogram(good["scheduled_s"], edges)[0] / bin_s, where="mid",
                       lw=2, label=f"{label}: measured")[0]
        if models and label in models:
            model = models[label]
            hits = model["arrival_s"][(model["outcome"] == "ok") & (model["latency_s"] <= slo_s)]
            ax.step(edges[:-1] + bin_s / 2, np.histogram(hits, edges)[0] / bin_s, where="mid", lw=1.5, ls="--",
                    color=line.get_color(), label=f"{label}: model")
        if run.outage:
            a, b = run.outage
            ax.axvspan(a, b, color="tab:red", alpha=0.08)
    ax.set_xlabel("arrival time (s)")
    ax.set_ylabel(f"goodput (full answers within {1000 * slo_s:.0f} ms per s)")
    ax.legend(fontsize=8)
    return fig
