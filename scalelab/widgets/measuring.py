"""Views of lesson 01 (measuring scalability): percentiles against the mean of a skewed latency, Apdex as its
threshold moves, and the downtime a number of nines allows.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once and
a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``); the model math is in
``scalelab.models.metrics`` and ``scalelab.models.availability``. Also here: the lesson's checks on measured numbers
(``littles_law_check``, ``mean_think_time``), its downtime table and its static pictures (``plot_rate_sweep``,
``plot_latency_cdf``).
"""
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from .. import _validate as v
from ..models import availability, metrics, operational
from . import base
from ._axes import sticky_ceiling

PERIODS = ("year", "month", "week", "day")
BAND_COLOURS = {"satisfied": "#2a9d8f", "tolerating": "#e9c46a", "frustrated": "#e76f51"}
MARKS = (("P50", "#2a9d8f", "-"), ("mean", "#000000", "--"), ("P95", "#e9c46a", "-"), ("P99", "#e76f51", "-"))


# --------------------------------------------------------------------------------------------------------------
# 1. Percentiles vs the mean on skewed latencies
# --------------------------------------------------------------------------------------------------------------
def percentile_compute(median_ms=20.0, sigma=0.6, measured_ms=None, points=400):
    """Mean and percentiles (ms) of a log-normal latency, its density for plotting, and a measured sample's figures.

    median_ms: the median latency (ms, > 0); sigma: spread of ln(latency) in [0, 10] (0 = every request equal);
    measured_ms: optional latencies (ms) of a real run, summarised beside the model; points: density points.
    Returns a dict: mean_ms, p50_ms, p95_ms, p99_ms, share_above_mean (fraction of requests slower than the mean),
    p99_over_mean, x_ms / density (per ms) arrays up to the 99.9th percentile (zeros when sigma = 0), and
    ``measured`` ({"mean_ms", "p50_ms", "p95_ms", "p99_ms"} or None).
    """
    m = v.positive("median_ms", median_ms)
    s = v.number("sigma", sigma, 0, 10)
    n = v.integer("points", points, low=10, high=100_000)
    mean = metrics.lognormal_mean(m, s)
    out = {"median_ms": m, "sigma": s, "mean_ms": mean}
    for q in (50, 95, 99):
        out[f"p{q}_ms"] = metrics.lognormal_percentile(m, s, q)
    out["share_above_mean"] = 1 - metrics.lognormal_share_below(mean, m, s)
    out["p99_over_mean"] = out["p99_ms"] / mean
    top = metrics.lognormal_percentile(m, s, 99.9) if s > 0 else 2 * m
    x = np.linspace(top / n, top, n)
    out["x_ms"], out["density"] = x, (metrics.lognormal_density(x, m, s) if s > 0 else np.zeros_like(x))
    out["measured"] = None
    if measured_ms is not None:
        sample = v.samples("measured_ms", measured_ms)
        p = metrics.percentiles(sample)
        out["measured"] = {"mean_ms": float(sample.mean()), "p50_ms": p[50], "p95_ms": p[95], "p99_ms": p[99]}
    return out


def _percentile_limits(result, hist_top_ms, hist_peak, current=(None, None)):
    """Axis tops that x shows the model's P99 and the histogram, y the highest density; each stays put while what
    it shows fills at least a third of it (``current``: the tops now), so a drag redraws the axes only now and then."""
    x_top = sticky_ceiling(current[0], 1.3 * max(result["p99_ms"], hist_top_ms), steps=(1, 1.5, 2, 3, 5, 7.5))
    y_top = sticky_ceiling(current[1], 1.1 * max(float(result["density"].max()), hist_peak, 1e-6),
                           steps=(1, 1.5, 2, 3, 4, 5, 7.5))
    return x_top, y_top


def percentile_setup(fig, params):
    """The measured sample as a static histogram; the model density and its P50, mean, P95, P99 lines move."""
    ax = fig.add_subplot()
    measured = params.get("measured_ms")
    hist_top, hist_peak = 0.0, 0.0
    sample = np.asarray(measured if measured is not None else [], dtype=float)
    if sample.size and np.percentile(sample, 99.5) > 0:
        hist_top = float(np.percentile(sample, 99.5))
        bins = np.linspace(0, hist_top, 31)
        weights = np.full(sample.size, 1 / (sample.size * (bins[1] - bins[0])))  # density of the whole sample
        heights, _, _ = ax.hist(sample, bins=bins, weights=weights, color="#bbbbbb", label="measured (your service)")
        hist_peak = float(heights.max())
    moving = dict(animated=True)
    artists = {"ax": ax, "hist_top": hist_top, "hist_peak": hist_peak,
               "density": ax.plot([], [], color="#264653", label="log-normal model", **moving)[0]}
    for name, colour, style in MARKS:
        artists[name] = ax.axvline(0, color=colour, linestyle=style, label=name, **moving)
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("share of requests per ms")
    ax.set_title("A log-normal latency: median, mean and tail", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    return artists


def percentile_draw(artists, result, params=None):
    """Move the density and the four lines; the caption gives the figures, and the measured ones if any."""
    artists["density"].set_data(result["x_ms"], result["density"])
    for name, key in (("P50", "p50_ms"), ("mean", "mean_ms"), ("P95", "p95_ms"), ("P99", "p99_ms")):
        artists[name].set_xdata([result[key]] * 2)
    ax = artists["ax"]
    current = (ax.get_xlim()[1], ax.get_ylim()[1]) if artists.get("drawn") else (None, None)
    x_top, y_top = _percentile_limits(result, artists["hist_top"], artists["hist_peak"], current)
    artists["drawn"] = True
    artists["ax"].set_xlim(0, x_top)
    artists["ax"].set_ylim(0, y_top)
    caption = (f"model (median {result['median_ms']:g} ms, σ = {result['sigma']:.2f}): P50 {result['p50_ms']:.1f} ms, "
               f"mean {result['mean_ms']:.1f} ms, P95 {result['p95_ms']:.1f} ms, P99 {result['p99_ms']:.1f} ms; "
               f"{result['share_above_mean']:.0%} of requests are slower than the mean; "
               f"P99 = {result['p99_over_mean']:.1f} × mean")
    if result["measured"] is not None:
        m = result["measured"]
        caption += (f"\nyour run: P50 {m['p50_ms']:.1f} ms, mean {m['mean_ms']:.1f} ms, P95 {m['p95_ms']:.1f} ms, "
                    f"P99 {m['p99_ms']:.1f} ms")
    return caption


def percentile_explorer(median_ms=20.0, sigma=0.6, measured_ms=None):
    """Explorer: move the median and the spread of a log-normal latency; watch the mean drift away from P50."""
    controls = {"median_ms": base.slider(float(median_ms), 1.0, 200.0, 1.0, "median (ms)"),
                "sigma": base.slider(float(sigma), 0.0, 1.5, 0.05, "spread σ")}
    fixed = {"measured_ms": None if measured_ms is None else v.samples("measured_ms", measured_ms)}
    return base.Explorer(percentile_compute, percentile_draw, controls, setup=percentile_setup,
                         css_class="lesson01-percentiles", fixed=fixed)


# --------------------------------------------------------------------------------------------------------------
# 2. Apdex as the threshold T moves
# --------------------------------------------------------------------------------------------------------------
APDEX_EXCELLENT = 0.94   # the usual "excellent" score
APDEX_BINS = 50          # bars of the latency histogram
APDEX_BANDS = (("satisfied", "satisfied (≤ T)"), ("tolerating", "tolerating (≤ 4T)"),
               ("frustrated", "frustrated (> 4T)"))


def apdex_compute(latencies_ms, t_ms=50.0):
    """Satisfied (<= T), tolerating (<= 4 T) and frustrated (> 4 T) counts and the Apdex score at a threshold T.

    latencies_ms: latencies in ms (>= 0, at least one); t_ms: the threshold T in ms (> 0).
    Returns {"t_ms", "satisfied", "tolerating", "frustrated", "total", "score"}.
    """
    lat = v.samples("latencies_ms", latencies_ms)
    t = v.positive("t_ms", t_ms)
    return {"t_ms": t, **metrics.apdex_counts(lat, t), "score": metrics.apdex(lat, t)}


def _apdex_t_max_ms(latencies_ms):
    """The top of the T slider: the sample's P99 (ms), at least 5 ms."""
    return float(max(5.0, np.ceil(np.percentile(latencies_ms, 99))))


def apdex_setup(fig, params):
    """Left: the sample's latency histogram, its bars coloured by band as T moves. Right: Apdex against T (fixed,
    from the sample) with the current T marked."""
    lat = np.asarray(params["latencies_ms"], dtype=float)
    left, right = fig.subplots(1, 2)
    top = float(np.percentile(lat, 99.5))
    counts, edges = np.histogram(lat, bins=APDEX_BINS, range=(0, top))
    width = edges[1] - edges[0]
    x0, x1 = edges[:-1] + 0.025 * width, edges[1:] - 0.025 * width
    bars = PolyCollection([[(a, 0), (a, h), (b, h), (b, 0)] for a, b, h in zip(x0, x1, counts)],
                          facecolors=BAND_COLOURS["satisfied"], edgecolors="none", animated=True)
    left.add_collection(bars)  # one artist for all bars: recoloured at once
    t_line = left.axvline(0, color="black", lw=1, animated=True)
    four_t_line = left.axvline(0, color="black", lw=1, ls="--", animated=True)
    left.set_xlim(0, top)
    left.set_ylim(0, 1.1 * max(int(counts.max()), 1))
    left.set_xlabel("latency (ms; lines at T and 4T)")
    left.set_ylabel("requests")
    left.legend(handles=[Patch(color=BAND_COLOURS[name], label=label) for name, label in APDEX_BANDS],
                fontsize=8, loc="upper right")
    ts = np.linspace(1.0, _apdex_t_max_ms(lat), 120)
    right.plot(ts, [metrics.apdex(lat, t) for t in ts], color="#264653")
    right.axhline(APDEX_EXCELLENT, color="grey", lw=0.8, ls=":")
    right.text(ts[-1], APDEX_EXCELLENT, f"excellent ≥ {APDEX_EXCELLENT}", ha="right", va="bottom", fontsize=8,
               color="grey")
    marker = right.plot([], [], "o", color="#e76f51", animated=True)[0]
    right.set_xlim(0, ts[-1])
    right.set_ylim(0, 1.05)
    right.set_xlabel("threshold T (ms)")
    right.set_ylabel("Apdex (0–1)")
    return {"bars": bars, "centres": edges[:-1] + width / 2, "t": t_line, "four_t": four_t_line,
            "marker": marker}


def apdex_draw(artists, result, params=None):
    """Colour each bar by the band of its centre, move the T and 4T lines and the score marker; caption: counts."""
    t = result["t_ms"]
    centres = artists["centres"]
    artists["bars"].set_facecolors(np.where(centres <= t, BAND_COLOURS["satisfied"],
                                            np.where(centres <= 4 * t, BAND_COLOURS["tolerating"],
                                                     BAND_COLOURS["frustrated"])))
    artists["t"].set_xdata([t, t])
    artists["four_t"].set_xdata([4 * t, 4 * t])
    artists["marker"].set_data([t], [result["score"]])
    return (f"T = {t:g} ms → Apdex {result['score']:.2f}: {result['satisfied']} satisfied, "
            f"{result['tolerating']} tolerating, {result['frustrated']} frustrated of {result['total']} requests")


def apdex_explorer(latencies_ms, t_ms=50.0):
    """Explorer: slide the Apdex threshold T (ms) over a latency sample (ms)."""
    lat = v.samples("latencies_ms", latencies_ms)
    high = _apdex_t_max_ms(lat)
    controls = {"t_ms": base.slider(float(min(t_ms, high)), 1.0, high, 1.0, "T (ms)")}
    return base.Explorer(apdex_compute, apdex_draw, controls, setup=apdex_setup, css_class="lesson01-apdex",
                         fixed={"latencies_ms": lat}, size_in=(8.0, 3.0))


# --------------------------------------------------------------------------------------------------------------
# 3. Nines -> downtime
# --------------------------------------------------------------------------------------------------------------
DOWNTIME_LIMITS_S = (0.05, 1e7)  # the fixed log-scale range of the bars: 50 ms to 116 days
DURATION_TICKS = ((0.1, "0.1 s"), (1, "1 s"), (60, "1 min"), (3600, "1 h"), (86400, "1 day"), (7 * 86400, "1 week"),
                  (30 * 86400, "30 days"))


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


def nines_compute(nines=3.0):
    """Downtime (seconds, and as text) allowed per year (365 d), month (year/12), week and day by an availability
    of ``nines`` nines (in [0, 12]; fractions allowed: 3.5 nines = 99.968 %)."""
    a = availability.from_nines(nines)
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


def nines_setup(fig, params):
    """Horizontal bars of downtime per period on a fixed log scale of seconds, with ticks at familiar durations."""
    ax = fig.add_subplot()
    bars = ax.barh(PERIODS, np.ones(len(PERIODS)), left=DOWNTIME_LIMITS_S[0], color="#264653", animated=True)
    ax.set_xscale("log")
    ax.set_xlim(*DOWNTIME_LIMITS_S)
    ax.set_xticks([s for s, _ in DURATION_TICKS], [label for _, label in DURATION_TICKS], fontsize=8)
    ax.minorticks_off()
    ax.grid(axis="x", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    ax.invert_yaxis()
    ax.set_xlabel("allowed downtime (log scale)")
    ax.set_title("Downtime budget per period", fontsize=10)
    return {"bars": list(bars)}


def nines_draw(artists, result, params=None):
    """Set each bar's length to its period's downtime; the caption gives the budget as readable durations."""
    for bar, period in zip(artists["bars"], PERIODS):
        bar.set_width(max(result[f"{period}_s"], DOWNTIME_LIMITS_S[0]) - DOWNTIME_LIMITS_S[0])
    budget = ", ".join(f"{period} {result[f'{period}_text']}" for period in PERIODS)
    n = result["nines"]
    decimals = max(0, math.ceil(n - 1e-9) - 2) + (0 if round(n, 6).is_integer() else 1)
    return f"{n:.1f} nines = {result['availability_percent']:.{decimals}f} % available; downtime per {budget}"


def nines_explorer(nines=3.0):
    """Explorer: slide the number of nines; read the downtime budget per year, month, week and day."""
    controls = {"nines": base.slider(float(nines), 1.0, 6.0, 0.1, "nines", readout_format=".1f")}
    return base.Explorer(nines_compute, nines_draw, controls, setup=nines_setup, css_class="lesson01-nines",
                         size_in=(7.0, 2.6))


# --------------------------------------------------------------------------------------------------------------
# Little's law and the interactive response-time law on measured numbers
# --------------------------------------------------------------------------------------------------------------
def littles_law_check(summary, server_stats=None):
    """Compare L counted by the client with throughput x mean latency (Little's law), and with the server's own L.

    summary: a dict from LoadResult.summary() (throughput_rps, mean_ms, and sampled_in_flight: the load generator's
    count of outstanding requests read every few ms, independent of the per-request times; when it is missing or
    NaN, mean_in_flight, which is computed from those times, stands in);
    server_stats: optional dict from LoopbackService.stats() (mean_in_system, utilization).
    Returns L_client, X_times_W (requests), their relative gap, and with server_stats L_server, the time per
    request spent outside the server's count, (L_client - L_server) / X in ms, and the server's mean queue depth
    (requests waiting, not in service): L_server - utilisation x servers (server_stats' servers, else 1).
    """
    x = v.non_negative("throughput_rps", summary["throughput_rps"])
    w = v.non_negative("mean_ms", summary["mean_ms"]) / 1000
    sampled = summary.get("sampled_in_flight", math.nan)
    key = "sampled_in_flight" if sampled is not None and not math.isnan(sampled) else "mean_in_flight"
    l_client = v.non_negative(key, summary[key])
    out = {"L_client": l_client, "X_times_W": x * w,
           "relative_gap": abs(l_client - x * w) / l_client if l_client > 0 else 0.0}
    if server_stats is not None:
        l_server = v.non_negative("mean_in_system", server_stats["mean_in_system"])
        out["L_server"] = l_server
        out["outside_server_ms"] = 1000 * (l_client - l_server) / x if x > 0 else math.nan
        if "utilization" in server_stats:
            busy = v.probability("utilization", server_stats["utilization"]) * server_stats.get("servers", 1)
            out["queue_depth"] = max(0.0, l_server - busy)
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


def closed_loop_model(max_users, service_time_s, delay_s=0.0, think_time_s=0.0):
    """Throughput and response time of N = 1..max_users closed-loop users against one worker (exact MVA).

    service_time_s: the worker's time per request (s, > 0); delay_s: time per request spent outside the worker's
    queue, which many requests can spend at once (connection, parsing, s, >= 0); think_time_s: Z (s, >= 0).
    The delay adds to the think time of the loop. Returns a dict of arrays: users, throughput_rps, response_ms
    (delay included, think time not) and the bound min(1 / S, N / (S + delay + Z)) as upper_rps.
    """
    s = v.positive("service_time_s", service_time_s)
    delay = v.non_negative("delay_s", delay_s)
    z = v.non_negative("think_time_s", think_time_s)
    curve = operational.mva_curve({"worker": s}, v.integer("max_users", max_users, low=1, high=10_000),
                                  think_time=delay + z)
    return {"users": curve["users"], "throughput_rps": curve["throughput"],
            "response_ms": 1000 * (curve["response_time"] + delay), "upper_rps": curve["throughput_upper"]}


def plot_closed_loop(users, throughput_rps, service_time_s, delay_s=0.0, think_time_s=0.0):
    """Measured closed-loop throughput (req/s) at each number of users beside ``closed_loop_model`` and its
    bound, on the same axes; returns a Figure."""
    n = v.samples("users", users)
    x = v.samples("throughput_rps", throughput_rps)
    if n.size != x.size:
        raise ValueError(f"users and throughput_rps must have the same length, got {n.size} and {x.size}")
    model = closed_loop_model(int(max(2 * n.max(), 2)), service_time_s, delay_s, think_time_s)
    fig, ax = base.figure(width=7.0, height=3.2)
    ax.plot(model["users"], model["throughput_rps"], "-", color="#264653", label="model: exact MVA, one worker")
    ax.plot(model["users"], model["upper_rps"], ":", color="grey", label="bound min(1/S, N/(S + delay + Z))")
    ax.plot(n, x, "o", color="#e76f51", label="measured")
    ax.set_xlabel("users N (closed loop)")
    ax.set_ylabel("throughput X (requests/s)")
    ax.set_ylim(0, 1.15 / service_time_s)
    ax.legend(fontsize=8, loc="lower right")
    plt.close(fig)  # shown once, by the notebook, as the cell's result
    return fig


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
