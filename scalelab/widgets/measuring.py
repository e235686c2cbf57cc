"""Lesson 01 (measuring scalability): pure compute functions, their drawings, and the Explorers built on them.

Compute functions take and return plain numbers, arrays or dicts and are unit-tested without a browser:

- ``skewed_latency``    percentiles vs the mean of a log-normal latency distribution (median in ms, spread sigma);
- ``fit_lognormal``     the median and sigma that describe a measured latency sample;
- ``apdex_bands``       satisfied / tolerating / frustrated counts and the Apdex score at a threshold T (ms);
- ``downtime_budget``   the downtime per year, month, week and day that a number of nines allows;
- ``littles_law_check`` L measured by the client and by the server against throughput x mean latency;
- ``mean_think_time``, ``response_time_law``  the interactive response-time law N = X (R + Z) for closed loops;
- ``intended_latency``  latency of a sequential run measured from when each request *should* have been sent.
"""
import math
from statistics import NormalDist

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import _validate as v
from ..models import availability, metrics
from . import base

PERIODS = ("year", "month", "week", "day")
BAND_COLOURS = {"satisfied": "#2a9d8f", "tolerating": "#e9c46a", "frustrated": "#e76f51"}


# --------------------------------------------------------------------------------------------------------------
# 1. Percentiles vs the mean on skewed latencies
# --------------------------------------------------------------------------------------------------------------
def lognormal_percentile(median_ms, sigma, q):
    """The q-th percentile (q in (0, 100)) of a log-normal latency with the given median (ms) and sigma (of ln)."""
    m = v.positive("median_ms", median_ms)
    s = v.non_negative("sigma", sigma)
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    return m * math.exp(s * NormalDist().inv_cdf(q / 100))


def skewed_latency(median_ms, sigma, qs=(50, 95, 99), points=400):
    """Mean and percentiles (ms) of a log-normal latency distribution, plus its density for plotting.

    median_ms: the median latency (ms, > 0); sigma: spread of ln(latency) (>= 0; 0 = every request equal).
    Returns a dict: mean_ms, p{q}_ms for each q, share_above_mean (fraction of requests slower than the mean),
    p99_over_mean, and x_ms / density (per ms) arrays up to about the 99.9th percentile.
    """
    m = v.positive("median_ms", median_ms)
    s = v.non_negative("sigma", sigma)
    v.integer("points", points, low=10)
    mean = m * math.exp(s * s / 2)
    out = {"median_ms": m, "sigma": s, "mean_ms": mean}
    for q in qs:
        out[f"p{q}_ms"] = lognormal_percentile(m, s, q)
    # P(X > mean) = P(Z > sigma / 2)
    out["share_above_mean"] = 1 - NormalDist().cdf(s / 2) if s > 0 else 0.0
    out["p99_over_mean"] = lognormal_percentile(m, s, 99) / mean
    top = lognormal_percentile(m, s, 99.9) if s > 0 else 2 * m
    x = np.linspace(top / points, top, points)
    if s > 0:
        density = np.exp(-((np.log(x / m)) ** 2) / (2 * s * s)) / (x * s * math.sqrt(2 * math.pi))
    else:
        density = np.zeros_like(x)
    out["x_ms"], out["density"] = x, density
    return out


def fit_lognormal(latencies_ms):
    """(median_ms, sigma) of the log-normal that matches a latency sample: exp(mean(ln x)) and std(ln x).

    latencies_ms: positive latencies in ms (at least 2).
    """
    arr = v.samples("latencies_ms", latencies_ms)
    if arr.size < 2 or np.any(arr <= 0):
        raise ValueError("latencies_ms must hold at least 2 values, all > 0")
    logs = np.log(arr)
    return float(np.exp(logs.mean())), float(logs.std(ddof=1))


def draw_skewed_latency(result, params):
    """Density of the model (ms) with its mean and percentiles; the measured sample as a histogram if given."""
    fig, ax = base.figure()
    measured = params.get("measured_ms")
    if measured is not None and len(measured):
        top = result["x_ms"].max()
        ax.hist(np.clip(measured, 0, top), bins=40, range=(0, top), density=True, color="#bbbbbb",
                label="measured (your service)")
    ax.plot(result["x_ms"], result["density"], color="#264653", label="log-normal model")
    marks = [("P50", result["p50_ms"], "#2a9d8f", "-"), ("mean", result["mean_ms"], "#000000", "--"),
             ("P95", result["p95_ms"], "#e9c46a", "-"), ("P99", result["p99_ms"], "#e76f51", "-")]
    for name, x, colour, style in marks:
        ax.axvline(x, color=colour, linestyle=style, label=f"{name} = {x:.1f} ms")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("share of requests per ms")
    ax.set_title(f"{result['share_above_mean']:.0%} of requests are slower than the mean; "
                 f"P99 = {result['p99_over_mean']:.1f} x mean", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def percentile_explorer(median_ms=20.0, sigma=0.6, measured_ms=None):
    """Explorer: move the median and the spread of a log-normal latency; watch the mean drift away from P50."""
    controls = {"median_ms": base.slider(float(median_ms), 1.0, 200.0, 1.0, "median (ms)"),
                "sigma": base.slider(float(sigma), 0.0, 1.5, 0.05, "spread σ")}
    fixed = {"measured_ms": None if measured_ms is None else np.asarray(measured_ms, dtype=float)}
    return base.Explorer(_skewed_latency_view, draw_skewed_latency, controls, css_class="lesson01-percentiles",
                         fixed=fixed)


def _skewed_latency_view(median_ms, sigma, measured_ms=None):
    """skewed_latency for the Explorer: the measured sample is only drawn, not used by the model."""
    return skewed_latency(median_ms, sigma)


# --------------------------------------------------------------------------------------------------------------
# 2. Apdex as the threshold T moves
# --------------------------------------------------------------------------------------------------------------
def apdex_bands(latencies_ms, t_ms):
    """Counts of satisfied (<= T), tolerating (<= 4 T) and frustrated (> 4 T) requests and the Apdex score.

    latencies_ms: latencies in ms; t_ms: the threshold T in ms (> 0).
    """
    arr = v.samples("latencies_ms", latencies_ms)
    t = v.positive("t_ms", t_ms)
    satisfied = int(np.count_nonzero(arr <= t))
    tolerating = int(np.count_nonzero((arr > t) & (arr <= 4 * t)))
    return {"t_ms": t, "satisfied": satisfied, "tolerating": tolerating,
            "frustrated": int(arr.size - satisfied - tolerating), "total": int(arr.size),
            "score": metrics.apdex(arr, t)}


def apdex_curve(latencies_ms, t_values_ms):
    """Apdex score for each threshold in t_values_ms (ms): an array the length of t_values_ms."""
    arr = v.samples("latencies_ms", latencies_ms)
    ts = v.samples("t_values_ms", t_values_ms)
    return np.array([metrics.apdex(arr, t) for t in ts])


def draw_apdex(result, params):
    """Left: the sample's latencies coloured by band. Right: Apdex against T with the current T marked."""
    lat = np.asarray(params["latencies_ms"], dtype=float)
    t = result["t_ms"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.2), dpi=90, layout="constrained")
    top = max(float(np.percentile(lat, 99.5)), 5 * t)
    bins = np.linspace(0, top, 50)
    for name, mask in (("satisfied", lat <= t), ("tolerating", (lat > t) & (lat <= 4 * t)),
                       ("frustrated", lat > 4 * t)):
        left.hist(np.clip(lat[mask], 0, top), bins=bins, color=BAND_COLOURS[name],
                  label=f"{name}: {result[name]}")
    left.axvline(t, color="black", lw=1)
    left.axvline(4 * t, color="black", lw=1, ls="--")
    left.set_xlabel("latency (ms)")
    left.set_ylabel("requests")
    left.legend(fontsize=8)
    ts = np.linspace(max(top / 200, 0.1), top, 120)
    right.plot(ts, apdex_curve(lat, ts), color="#264653")
    right.plot([t], [result["score"]], "o", color="#e76f51")
    right.axhline(0.94, color="grey", lw=0.8, ls=":")
    right.text(ts[-1], 0.94, "excellent ≥ 0.94", ha="right", va="bottom", fontsize=8, color="grey")
    right.set_xlabel("threshold T (ms)")
    right.set_ylabel("Apdex (0–1)")
    right.set_ylim(0, 1.05)
    right.set_title(f"T = {t:.0f} ms → Apdex {result['score']:.2f}", fontsize=10)
    return fig


def apdex_explorer(latencies_ms, t_ms=50.0):
    """Explorer: slide the Apdex threshold T (ms) over a latency sample (ms)."""
    lat = np.asarray(v.samples("latencies_ms", latencies_ms))
    high = float(max(5.0, np.ceil(np.percentile(lat, 99))))
    controls = {"t_ms": base.slider(float(min(t_ms, high)), 1.0, high, 1.0, "T (ms)")}
    return base.Explorer(apdex_bands, draw_apdex, controls, css_class="lesson01-apdex",
                         fixed={"latencies_ms": lat})


# --------------------------------------------------------------------------------------------------------------
# 3. Nines -> downtime
# --------------------------------------------------------------------------------------------------------------
def availability_from_nines(nines):
    """Availability in [0, 1) for a number of nines (>= 0): 3 -> 0.999, 3.5 -> 0.99968..."""
    n = v.number("nines", nines, 0, 12)
    return 1 - 10 ** (-n)


def format_duration(seconds):
    """A duration in seconds (>= 0) as text: '8 h 45 min 36 s', '52 min 34 s', '0.9 s'."""
    s = v.non_negative("seconds", seconds)
    if s < 10:
        return f"{s:.2g} s" if s < 1 else f"{s:.1f} s"
    total = int(round(s))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    first = next(i for i, (n, _) in enumerate(parts) if n)
    shown = parts[first:first + 3]
    while not shown[-1][0]:  # drop trailing zeros: "1 h", not "1 h 0 min 0 s"
        shown.pop()
    return " ".join(f"{n} {unit}" for n, unit in shown)


def downtime_budget(nines):
    """Downtime (seconds) allowed per year (365 d), month (year/12), week and day by an availability of `nines` nines."""
    a = availability_from_nines(nines)
    out = {"nines": float(nines), "availability": a, "availability_percent": 100 * a}
    for period in PERIODS:
        seconds = availability.downtime(a, period).total_seconds()
        out[f"{period}_s"] = seconds
        out[f"{period}_text"] = format_duration(seconds)
    return out


def nines_table(levels=(0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999)):
    """A DataFrame: availability (%) and the downtime it allows per year, month and week (as text)."""
    rows = []
    for a in levels:
        a = v.probability("availability", a)
        row = {"availability %": f"{100 * a:g}", "nines": round(availability.nines(a), 2)}
        for period in ("year", "month", "week"):
            row[f"downtime per {period}"] = format_duration(availability.downtime(a, period).total_seconds())
        rows.append(row)
    return pd.DataFrame(rows)


def draw_downtime(result, params):
    """Downtime per year, month, week and day on a log scale (minutes), labelled with readable durations."""
    fig, ax = base.figure(width=7.0, height=2.8)
    minutes = [result[f"{p}_s"] / 60 for p in PERIODS]
    bars = ax.barh(PERIODS, minutes, color="#264653")
    for bar, p in zip(bars, PERIODS):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, "  " + result[f"{p}_text"], va="center",
                fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1e6)  # fixed, so moving the slider moves the bars
    ax.invert_yaxis()
    ax.set_xlabel("allowed downtime (minutes, log scale)")
    ax.set_title(f"{result['nines']:.1f} nines = {result['availability_percent']:.4g} % available", fontsize=10)
    return fig


def nines_explorer(nines=3.0):
    """Explorer: slide the number of nines; read the downtime budget per year, month, week and day."""
    controls = {"nines": base.slider(float(nines), 1.0, 6.0, 0.1, "nines", readout_format=".1f")}
    return base.Explorer(downtime_budget, draw_downtime, controls, css_class="lesson01-nines")


# --------------------------------------------------------------------------------------------------------------
# Little's law and the interactive response-time law on measured numbers
# --------------------------------------------------------------------------------------------------------------
def littles_law_check(summary, server_stats=None):
    """Compare L from the client (mean_in_flight) with throughput x mean latency, and with the server's own L.

    summary: a dict from LoadResult.summary() (throughput_rps, mean_ms, mean_in_flight);
    server_stats: optional dict from LoopbackService.stats() (mean_in_system).
    Returns L_client, X_times_W (requests), their relative gap, and L_server with the time per request spent
    outside the server's count: (L_client - L_server) / X in ms.
    """
    x = v.non_negative("throughput_rps", summary["throughput_rps"])
    w = v.non_negative("mean_ms", summary["mean_ms"]) / 1000
    l_client = v.non_negative("mean_in_flight", summary["mean_in_flight"])
    out = {"L_client": l_client, "X_times_W": x * w,
           "relative_gap": abs(l_client - x * w) / l_client if l_client > 0 else 0.0}
    if server_stats is not None:
        l_server = v.non_negative("mean_in_system", server_stats["mean_in_system"])
        out["L_server"] = l_server
        out["outside_server_ms"] = 1000 * (l_client - l_server) / x if x > 0 else math.nan
    return out


def mean_think_time(frame, users):
    """Mean think time Z (s) of a closed-loop run: gaps between a user's reply and that user's next request.

    frame: LoadResult.requests of closed_loop (records grouped user by user, each user's in order); users >= 1.
    """
    u = v.integer("users", users, low=1)
    if len(frame) % u or len(frame) // u < 2:
        raise ValueError(f"frame must hold the same number (>= 2) of requests for each of the {u} users")
    starts = frame["start"].to_numpy().reshape(u, -1)
    ends = frame["end"].to_numpy().reshape(u, -1)
    return float((starts[:, 1:] - ends[:, :-1]).mean())


def response_time_law(users, throughput, think_time):
    """Interactive response-time law: R = N / X - Z (s). users N >= 1, throughput X (req/s) > 0, think time Z (s)."""
    n = v.number("users", users, 1)
    x = v.positive("throughput", throughput)
    z = v.non_negative("think_time", think_time)
    return n / x - z


def intended_latency(end_s, rate):
    """Latency (s) of a sequential run as if request i had been due at i / rate: end_i - i / rate.

    This is what a user arriving on schedule would wait; a tool that waits for each reply before sending the next
    (coordinated omission) reports only end_i - start_i. end_s: completion times (s, from the test's start, in
    send order); rate: the intended request rate (req/s).
    """
    ends = v.samples("end_s", end_s)
    r = v.positive("rate", rate)
    return ends - np.arange(ends.size) / r


# --------------------------------------------------------------------------------------------------------------
# Plots of measurements
# --------------------------------------------------------------------------------------------------------------
def plot_rate_sweep(frame):
    """Measured P50/P95/P99 and TTFB (ms) against offered rate (req/s); utilisation on a second axis if present."""
    fig, ax = base.figure(width=8.0, height=3.6)
    rate = frame["offered_rps"]
    for col, colour, label in (("p50_ms", "#2a9d8f", "P50"), ("p95_ms", "#e9c46a", "P95"),
                               ("p99_ms", "#e76f51", "P99"), ("mean_ms", "#000000", "mean")):
        ax.plot(rate, frame[col], "o-" if col != "mean_ms" else "o--", color=colour, label=f"{label} latency")
    ax.plot(rate, frame["ttfb_p50_ms"], "s:", color="#264653", label="TTFB P50")
    ax.set_xlabel("offered rate (requests/s)")
    ax.set_ylabel("latency (ms)")
    ax.legend(fontsize=8, loc="upper left")
    if "utilization" in frame:
        twin = ax.twinx()
        twin.bar(rate, frame["utilization"], width=(rate.max() - rate.min()) / max(len(rate), 1) / 3,
                 alpha=0.15, color="grey")
        twin.set_ylabel("server utilisation (0–1, grey bars)")
        twin.set_ylim(0, 1.6)
    plt.close(fig)  # shown once, by the notebook, as the cell's result
    return fig


def plot_latency_cdf(samples_ms, xlabel="latency (ms)"):
    """Empirical CDFs of named latency samples (ms) on a log x axis: {label: array of ms}."""
    fig, ax = base.figure(width=7.5, height=3.2)
    for label, values in samples_ms.items():
        arr = np.sort(np.asarray(values, dtype=float))
        ax.plot(arr, np.arange(1, arr.size + 1) / arr.size, label=label)
    ax.set_xscale("log")
    ax.axhline(0.99, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(xlabel + ", log scale")
    ax.set_ylabel("share of requests ≤ x")
    ax.legend(fontsize=8)
    plt.close(fig)  # shown once, by the notebook, as the cell's result
    return fig
