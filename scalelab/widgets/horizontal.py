"""Views of lesson 04 (horizontal scaling): capacity of sleep- vs CPU-bound workers, the Universal Scalability Law
over measured points, losing a worker, and round robin vs least connections.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once and
a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``). The formulas live in
``scalelab.models.scaleout`` and ``scalelab.models.laws``; the dispatch of jobs is ``scalelab.sim.routing.dispatch``.
"""
import functools
import math

import numpy as np

from .. import _validate as v
from ..models import laws, metrics, scaleout
from ..sim.routing import dispatch
from . import _axes, base

N_LIMITS = (8, 16, 32, 64)  # x-axis tops for "workers N": the axis changes only when the largest N crosses one
KIND_COLOURS = {"sleep": "tab:blue", "cpu": "tab:red"}
Y_STEPS = (1, 1.5, 2, 3, 4, 5, 6, 8)  # y-axis tops (times a power of ten): a top changes only when a curve leaves it


def _n_top(n_max):
    """The x-axis top for worker counts up to n_max."""
    return next((top for top in N_LIMITS if top >= n_max), n_max)


def _measured(measured_n, measured_x):
    """Measured (N, throughput) points as two float arrays of the same length (empty when not given)."""
    if measured_n is None or measured_x is None:
        return np.array([]), np.array([])
    ns = v.samples("measured_n", measured_n)
    xs = v.samples("measured_x", measured_x)
    if ns.size != xs.size:
        raise ValueError(f"measured_n and measured_x must have the same length, got {ns.size} and {xs.size}")
    if np.any(ns < 1):
        raise ValueError("measured_n must hold worker counts >= 1")
    return ns, xs


# ------------------------------------------------------------------------------------ sleep- vs CPU-bound capacity
def _sweeps(measured):
    """Measured sweeps (frames of ``bench.cluster.scaling_sweep``) as (kind, service_time_ms, n array, throughput
    array)."""
    points = []
    for i, frame in enumerate(measured or ()):
        missing = {"kind", "service_time_ms", "servers", "throughput_rps"} - set(getattr(frame, "columns", ()))
        if missing or len(frame) == 0:
            raise ValueError(f"measured[{i}] must be a non-empty scaling_sweep frame; "
                             f"missing columns {sorted(missing)}")
        points.append((str(frame["kind"].iloc[0]), float(frame["service_time_ms"].iloc[0]),
                       *_measured(frame["servers"], frame["throughput_rps"])))
    return points


def capacity_compute(service_time_ms=20.0, cores=2, overhead_ms=1.0, n_max=8, measured=None):
    """Best-case throughput (req/s) of N single-request workers for N = 1..n_max, for two kinds of work.

    service_time_ms: work per request (ms, > 0); cores: CPU cores shared by everything (>= 1); overhead_ms: CPU per
    request spent outside the work (client, balancer, HTTP parsing; ms, >= 0); measured: optional scaling_sweep
    frames, drawn as points. Sleep-based work waits without CPU: X = min(N / S, cores / overhead); CPU-bound work
    needs S + overhead of CPU: X = min(N / S, cores / (S + overhead)) (``models.scaleout.scale_out_rps``).
    Returns n, sleep_rps, cpu_rps, ideal_rps, knee_n (N where CPU-bound work stops gaining), sleep_cap_rps,
    cpu_cap_rps and measured (kind, service_time_ms, n, throughput_rps per sweep).
    """
    s = v.positive("service_time_ms", service_time_ms) / 1000
    c = v.integer("cores", cores, low=1, high=256)
    o = v.non_negative("overhead_ms", overhead_ms) / 1000
    n_max = v.integer("n_max", n_max, low=1, high=1024)
    n = np.arange(1, n_max + 1)
    return {"n": n, "sleep_rps": scaleout.scale_out_rps(n, s, c, o),
            "cpu_rps": scaleout.scale_out_rps(n, s, c, o, cpu_bound=True), "ideal_rps": n / s,
            "knee_n": scaleout.cpu_knee_workers(s, c, o), "sleep_cap_rps": scaleout.cpu_ceiling_rps(c, o),
            "cpu_cap_rps": scaleout.cpu_ceiling_rps(c, s + o), "measured": _sweeps(measured),
            "service_time_ms": 1000 * s, "cores": c, "overhead_ms": 1000 * o}


def capacity_setup(fig, params):
    """Throughput against N: the two model curves and the CPU knee move; measured sweeps are static points."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "sleep": ax.plot([], [], "-", color=KIND_COLOURS["sleep"], label="model: sleep-based work", **moving)[0],
               "cpu": ax.plot([], [], "-", color=KIND_COLOURS["cpu"], label="model: CPU-bound work", **moving)[0],
               "knee": ax.axvline(1, color="grey", ls=":", label="CPU-bound knee", **moving)}
    top = 0.0
    for kind, service_time_ms, n, x in _sweeps(params.get("measured")):
        ax.plot(n, x, "o", color=KIND_COLOURS.get(kind, "black"), label=f"measured: {kind} ({service_time_ms:g} ms)")
        top = max(top, float(x.max()))
    artists["measured_top"] = top
    ax.set_xlabel("workers N")
    ax.set_ylabel("throughput (requests/s)")
    ax.set_title("Scale out: who is waiting for what?")
    ax.legend(fontsize=8, loc="upper left")
    return artists


def capacity_draw(artists, result, params=None):
    """Move both model curves and the knee; the caption gives the two ceilings."""
    n = result["n"]
    artists["sleep"].set_data(n, result["sleep_rps"])
    artists["cpu"].set_data(n, result["cpu_rps"])
    artists["knee"].set_xdata([result["knee_n"]] * 2)
    ax = artists["ax"]
    ax.set_xlim(0.5, _n_top(int(n[-1])) + 0.5)
    ax.set_ylim(0, _axes.nice_ceiling(1.1 * max(float(result["sleep_rps"].max()), artists["measured_top"]), Y_STEPS))
    sleep_cap = result["sleep_cap_rps"]
    sleep = (f"up to {sleep_cap:,.0f} req/s (cores / overhead)" if math.isfinite(sleep_cap)
             else "no ceiling (no CPU per request)")
    return (f"S = {result['service_time_ms']:g} ms, {result['cores']} cores, {result['overhead_ms']:g} ms of CPU per "
            f"request around the work. Sleep-based work: {sleep}. CPU-bound work: up to "
            f"{result['cpu_cap_rps']:,.1f} req/s (cores / (S + overhead)), reached at N ≈ {result['knee_n']:.1f}.")


def capacity_explorer(measured=None, cores=2):
    """Sliders over capacity_compute; ``measured``: optional frames from scaling_sweep (sleep and/or cpu)."""
    controls = {"service_time_ms": base.slider(20.0, 1.0, 100.0, 1.0, "work per request S (ms)"),
                "cores": base.slider(cores, 1, 16, 1, "CPU cores", integer=True),
                "overhead_ms": base.slider(1.0, 0.0, 10.0, 0.1, "CPU overhead per request (ms)"),
                "n_max": base.slider(8, 2, 32, 1, "largest N", integer=True)}
    return base.Explorer(capacity_compute, capacity_draw, controls, setup=capacity_setup,
                         css_class="lesson04-capacity", fixed={"measured": list(measured or [])})


# ------------------------------------------------------------------------------------------------- the USL explorer
USL_POINTS = 200  # points of each curve


@functools.lru_cache(maxsize=32)
def _usl_fit(ns, xs):
    """laws.usl_fit of measured points given as tuples (cached: the points of an explorer never change)."""
    return laws.usl_fit(np.array(ns), np.array(xs))


def usl_compute(sigma=0.05, kappa=0.001, lam=50.0, n_max=16, measured_n=None, measured_x=None):
    """The USL curve X(N) = lam N / (1 + sigma (N-1) + kappa N (N-1)) for N = 1..n_max, against measured points.

    lam: throughput of one worker (req/s, > 0); sigma, kappa >= 0; n_max: 2..4096. When at least 3 distinct
    measured N are given, also the least-squares fit. Returns n, model_rps, linear_rps, peak_n, peak_rps,
    rms_rel_error (of the slider curve at the measured points, as a fraction; nan without points), fit (a
    laws.USLFit or None) with fit_rps, measured_n and measured_x.
    """
    sigma = v.non_negative("sigma", sigma)
    kappa = v.non_negative("kappa", kappa)
    lam = v.positive("lam", lam)
    n_max = v.integer("n_max", n_max, low=2, high=4096)
    ns, xs = _measured(measured_n, measured_x)
    n = np.linspace(1, n_max, USL_POINTS)
    rms = math.nan
    if ns.size:
        rms = float(np.sqrt(np.mean(((laws.usl_throughput(ns, lam, sigma, kappa) - xs) / xs) ** 2)))
    fit = _usl_fit(tuple(ns.tolist()), tuple(xs.tolist())) if np.unique(ns).size >= 3 else None
    return {"n": n, "model_rps": laws.usl_throughput(n, lam, sigma, kappa), "linear_rps": lam * n,
            "peak_n": laws.usl_peak(sigma, kappa), "peak_rps": laws.usl_peak_throughput(lam, sigma, kappa),
            "rms_rel_error": rms, "fit": fit, "fit_rps": fit.predict(n) if fit else None,
            "measured_n": ns, "measured_x": xs, "sigma": sigma, "kappa": kappa, "lam": lam}


def usl_setup(fig, params):
    """Throughput against N: the linear line, the slider curve and its peak move; the measured points and their
    least-squares fit (over the widest N range) are static."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "linear": ax.plot([], [], ":", color="grey", label="linear (no contention, no coherency)", **moving)[0],
               "model": ax.plot([], [], "-", color="tab:purple", label="your sliders σ, κ, λ", **moving)[0],
               "peak": ax.axvline(1, color="tab:purple", ls=":", label="peak N* of your sliders", **moving)}
    ns, xs = _measured(params.get("measured_n"), params.get("measured_x"))
    if np.unique(ns).size >= 3:
        fit = _usl_fit(tuple(ns.tolist()), tuple(xs.tolist()))
        wide = np.linspace(1, N_LIMITS[-1], USL_POINTS)
        ax.plot(wide, fit.predict(wide), "--", color="tab:green",
                label=f"least-squares fit: σ={fit.sigma:.3f}, κ={fit.kappa:.4f}, R²={fit.r_squared:.2f}")
    if ns.size:
        ax.plot(ns, xs, "o", color="black", label="measured")
    artists["measured_top"] = float(xs.max()) if xs.size else 0.0
    ax.set_xlabel("workers N")
    ax.set_ylabel("throughput (requests/s)")
    ax.set_title("Universal Scalability Law")
    ax.legend(fontsize=8, loc="upper left")
    return artists


def usl_draw(artists, result, params=None):
    """Move the linear line, the slider curve and its peak; the caption gives the peak and the error at your points."""
    n = result["n"]
    artists["linear"].set_data(n, result["linear_rps"])
    artists["model"].set_data(n, result["model_rps"])
    peak = result["peak_n"]
    artists["peak"].set_visible(math.isfinite(peak) and peak <= n[-1])
    if math.isfinite(peak):
        artists["peak"].set_xdata([peak, peak])
    ax = artists["ax"]
    ax.set_xlim(1, _n_top(int(round(n[-1]))))
    ax.set_ylim(0, _axes.nice_ceiling(1.15 * max(float(result["model_rps"].max()), artists["measured_top"]), Y_STEPS))
    text = f"Your sliders σ = {result['sigma']:.3f}, κ = {result['kappa']:.4f}, λ = {result['lam']:g} req/s: "
    if math.isfinite(peak):
        text += f"peak N* = {peak:.1f} workers at {result['peak_rps']:,.0f} req/s."
    elif math.isfinite(result["peak_rps"]):
        text += f"no peak (κ = 0): throughput approaches λ/σ = {result['peak_rps']:,.0f} req/s."
    else:
        text += "no peak and no ceiling (σ = κ = 0): linear scaling."
    if result["measured_n"].size:
        text += f" Rms error at your {result['measured_n'].size} points: {result['rms_rel_error']:.1%}."
    fit = result["fit"]
    if fit is not None:
        text += f" Least-squares fit: λ = {fit.lam:.1f} req/s, N* = {fit.peak_n:.1f}."
    return text


def usl_explorer(measured_n=None, measured_x=None, lam=None):
    """σ and κ sliders over the learner's measured (N, throughput) points and their least-squares USL fit."""
    ns, xs = _measured(measured_n, measured_x)
    if lam is None:
        lam = float(xs[np.argmin(ns)] / ns.min()) if ns.size else 50.0
    lam = v.positive("lam", lam)
    controls = {"sigma": base.slider(0.05, 0.0, 0.5, 0.005, "contention σ", readout_format=".3f"),
                "kappa": base.slider(0.001, 0.0, 0.05, 0.0005, "coherency κ", readout_format=".4f"),
                "lam": base.slider(round(lam, 1), 1.0, max(200.0, 2 * lam), 0.5, "one worker λ (req/s)"),
                "n_max": base.slider(16, 4, 64, 1, "largest N", integer=True)}
    return base.Explorer(usl_compute, usl_draw, controls, setup=usl_setup, css_class="lesson04-usl",
                         fixed={"measured_n": ns if ns.size else None, "measured_x": xs if xs.size else None})


# ---------------------------------------------------------------------------------------------- losing a worker
FAILOVER_N_MAX = 8      # worker counts drawn: 2..8
COMFORTABLE = 0.75      # the utilisation drawn as "comfortable"


def failover_compute(rate=80.0, servers=3, service_time_ms=20.0, response_ms=30.0):
    """What losing one of N workers costs, from Little's law and utilisation (``models.scaleout.failover_cost``).

    rate: offered load (req/s, > 0); servers: 2..1024; service_time_ms: work per request (ms, > 0); response_ms:
    time a request spends in a worker (ms, > 0). Returns in_flight_lost (requests in the dead worker = rate / N *
    response time), util_before and util_after (per worker, rate * S / N and / (N - 1)), overloaded_after
    (util_after >= 1), sessions_lost_fraction (with sticky local sessions: 1 / N of the users), and for
    N = 2..max(8, servers) the arrays n, util_before_n and util_after_n.
    """
    rate = v.positive("rate", rate)
    n = v.integer("servers", servers, low=2, high=1024)
    s = v.positive("service_time_ms", service_time_ms) / 1000
    r = v.positive("response_ms", response_ms) / 1000
    cost = scaleout.failover_cost(rate, n, s, r)
    ns = np.arange(2, max(n, FAILOVER_N_MAX) + 1)
    return {"in_flight_lost": cost.in_flight_lost, "util_before": cost.utilization_before,
            "util_after": cost.utilization_after, "overloaded_after": cost.overloaded_after,
            "sessions_lost_fraction": cost.sessions_lost_fraction, "n": ns,
            "util_before_n": scaleout.worker_utilization(rate, ns, s),
            "util_after_n": scaleout.worker_utilization(rate, ns - 1, s),
            "rate": rate, "servers": n, "service_time_ms": 1000 * s, "response_ms": 1000 * r}


def failover_setup(fig, params):
    """Utilisation per worker against N, before and after one dies; both curves and the chosen N move."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "after": ax.plot([], [], "o-", color="tab:red", label="utilisation of survivors after one dies",
                                **moving)[0],
               "before": ax.plot([], [], "o-", color="tab:blue", label="utilisation before", **moving)[0],
               "chosen": ax.axvline(2, color="grey", ls="--", label="your N", **moving)}
    ax.axhline(100, color="black", lw=0.8)
    ax.axhline(100 * COMFORTABLE, color="grey", ls=":", label=f"comfortable ≈ {100 * COMFORTABLE:.0f} %")
    ax.set_xlabel("workers N")
    ax.set_ylabel("utilisation per worker (%)")
    ax.set_title("Losing one of N workers")
    ax.legend(fontsize=8, loc="upper right")
    return artists


def failover_draw(artists, result, params=None):
    """Move both curves and the chosen N; the caption gives what dies and how busy the survivors get."""
    ns = result["n"]
    artists["after"].set_data(ns, 100 * result["util_after_n"])
    artists["before"].set_data(ns, 100 * result["util_before_n"])
    artists["chosen"].set_xdata([result["servers"]] * 2)
    ax = artists["ax"]
    ax.set_xlim(1.5, ns[-1] + 0.5)
    ax.set_ylim(0, max(150.0, _axes.nice_ceiling(110 * float(result["util_after_n"].max()), Y_STEPS)))
    state = ("overloaded: their queues grow without end" if result["overloaded_after"] else "the survivors keep up")
    return (f"N = {result['servers']} at {result['rate']:g} req/s, {result['service_time_ms']:g} ms of work each: "
            f"every worker {result['util_before']:.0%} busy before, {result['util_after']:.0%} after one dies "
            f"({state}). About {result['in_flight_lost']:.1f} requests die in flight (Little's law: {result['rate']:g}/"
            f"{result['servers']} req/s × {result['response_ms']:g} ms); sticky local sessions lose "
            f"{result['sessions_lost_fraction']:.0%} of the users.")


def failover_explorer():
    """Sliders over failover_compute: how busy the survivors get, how many requests die with the worker."""
    controls = {"rate": base.slider(80.0, 10.0, 400.0, 5.0, "offered load (req/s)"),
                "servers": base.slider(3, 2, FAILOVER_N_MAX, 1, "workers N", integer=True),
                "service_time_ms": base.slider(20.0, 1.0, 100.0, 1.0, "work per request (ms)"),
                "response_ms": base.slider(30.0, 1.0, 500.0, 1.0, "time in a worker (ms)")}
    return base.Explorer(failover_compute, failover_draw, controls, setup=failover_setup,
                         css_class="lesson04-failover")


# ------------------------------------------------------------------------------- round robin vs least connections
ALGORITHMS = (("round_robin", "tab:orange"), ("least_connections", "tab:green"))


def uneven_workload(jobs=24, big_every=4, big_s=6.0, small_s=1.0):
    """Job sizes (s): every ``big_every``-th job (the first one included) is big, the others small.

    jobs: 1..10000; big_every: >= 1; big_s, small_s: sizes in seconds (>= 0).
    """
    jobs = v.integer("jobs", jobs, low=1, high=10_000)
    every = v.integer("big_every", big_every, low=1)
    big, small = v.non_negative("big_s", big_s), v.non_negative("small_s", small_s)
    return np.where(np.arange(jobs) % every == 0, big, small)


def dispatch_compute(n_servers=2, big_every=4, big_s=6.0, small_s=1.0, jobs=24):
    """Round robin vs least connections on an uneven workload (one job per second, FIFO servers).

    n_servers: 1..64. Returns sizes, the offered utilisation rho = work arriving per second / servers (above 1 the
    servers cannot keep up and queues grow whatever the dispatch) and, per algorithm, the dispatch table
    (``sim.routing.dispatch``) and its mean and worst response time (s).
    """
    n = v.integer("n_servers", n_servers, low=1, high=64)
    sizes = uneven_workload(jobs, big_every, big_s, small_s)
    pattern = uneven_workload(big_every, big_every, big_s, small_s)  # one period of the repeating workload
    out = {"sizes": sizes, "n_servers": n, "utilization": float(pattern.mean()) / n}
    for algorithm, _ in ALGORITHMS:
        table = dispatch(sizes, n, algorithm)
        out[algorithm] = {"table": table, "mean_s": float(table["response_s"].mean()),
                          "worst_s": float(table["response_s"].max())}
    return out


def dispatch_setup(fig, params):
    """Response time of each job under both algorithms; both lines move."""
    ax = fig.add_subplot()
    artists = {"ax": ax}
    for algorithm, colour in ALGORITHMS:
        artists[algorithm] = ax.plot([], [], "o-", color=colour, ms=3, label=algorithm.replace("_", " "),
                                     animated=True)[0]
    ax.set_xlabel("job (one arrives per second)")
    ax.set_ylabel("response time (s)")
    ax.set_title("Same jobs, same servers, different dispatch")
    ax.legend(fontsize=8, loc="upper left")
    return artists


def dispatch_draw(artists, result, params=None):
    """Move both lines; the caption gives each algorithm's mean and worst response time."""
    top = 0.0
    for algorithm, _ in ALGORITHMS:
        table = result[algorithm]["table"]
        artists[algorithm].set_data(table["job"].to_numpy(), table["response_s"].to_numpy())
        top = max(top, result[algorithm]["worst_s"])
    ax = artists["ax"]
    ax.set_xlim(-0.5, len(result["sizes"]) - 0.5)
    ax.set_ylim(0, _axes.nice_ceiling(1.1 * max(top, 0.1), Y_STEPS))
    rr, lc = result["round_robin"], result["least_connections"]
    rho = result["utilization"]
    load = "below capacity" if rho < 1 else ("at capacity" if rho == 1 else "ABOVE capacity: queues grow")
    return (f"{result['n_servers']} server(s), offered utilisation ρ = {rho:.2f} ({load}). Round robin: mean "
            f"{rr['mean_s']:.1f} s, worst {rr['worst_s']:.1f} s; least connections: mean {lc['mean_s']:.1f} s, "
            f"worst {lc['worst_s']:.1f} s.")


def dispatch_explorer():
    """Sliders over dispatch_compute: response time of each job under both algorithms."""
    controls = {"n_servers": base.slider(2, 1, 6, 1, "servers", integer=True),
                "big_every": base.slider(4, 1, 8, 1, "a big job every", integer=True),
                "big_s": base.slider(6.0, 1.0, 20.0, 0.5, "big job (s)"),
                "small_s": base.slider(1.0, 0.1, 5.0, 0.1, "small job (s)")}
    return base.Explorer(dispatch_compute, dispatch_draw, controls, setup=dispatch_setup,
                         css_class="lesson04-dispatch")


# ------------------------------------------------------------------------------- static lesson pictures
def plot_scaling_sweeps(sweeps, rps_per_worker):
    """Measured throughput and P95 against workers N for each sweep, with the ideal line N x rps_per_worker.

    sweeps: DataFrames from ``scalelab.bench.cluster.scaling_sweep`` (columns kind, servers, throughput_rps,
    p95_ms); rps_per_worker: the model's throughput of one worker (req/s, > 0). Returns a matplotlib Figure.
    """
    rate = v.positive("rps_per_worker", rps_per_worker)
    frames = list(sweeps or ())
    if not frames:
        raise ValueError("sweeps must hold at least one scaling_sweep frame")
    fig, (left, right) = base.plt.subplots(1, 2, figsize=(10, 3.4), dpi=90, layout="constrained")
    top = 1
    for frame in frames:
        for column in ("kind", "servers", "throughput_rps", "p95_ms"):
            if column not in frame:
                raise ValueError(f"each sweep must have the column {column!r}")
        kind = str(frame["kind"].iloc[0])
        colour = KIND_COLOURS.get(kind, "tab:grey")
        left.plot(frame["servers"], frame["throughput_rps"], "o-", color=colour, label=f"{kind} (measured)")
        right.plot(frame["servers"], frame["p95_ms"], "o-", color=colour, label=f"{kind} (measured)")
        top = max(top, int(frame["servers"].max()))
    left.plot([1, top], [rate, rate * top], ":", color="grey", label=f"model: {rate:g} req/s per worker")
    left.set(xlabel="workers N", ylabel="throughput (requests/s)", title="Throughput vs N")
    right.set(xlabel="workers N", ylabel="P95 latency (ms)", title="P95 latency vs N")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    return fig


def plot_failover(runs, bin_s=0.25):
    """Ok and failed requests per second and P95 over time for each failover run, the kill marked by a dashed line.

    runs: {title: ``FailoverRun`` from ``scalelab.bench.cluster.failover_run``}; bin_s > 0.
    Returns a matplotlib Figure.
    """
    width = v.positive("bin_s", bin_s)
    if not runs:
        raise ValueError("runs must hold at least one failover run")
    fig, axes = base.plt.subplots(2, len(runs), figsize=(5 * len(runs), 4.4), dpi=90, sharex=True, sharey="row",
                                  layout="constrained", squeeze=False)
    for column, (name, run) in enumerate(runs.items()):
        line = metrics.timeline(run.table, bin_s=width)
        top, bottom = axes[0, column], axes[1, column]
        top.bar(line["t_s"], line["ok_rps"], width=0.9 * width, align="edge", color="tab:green", label="ok replies/s")
        top.bar(line["t_s"], line["failed"] / width, width=0.9 * width, align="edge", bottom=line["ok_rps"],
                color="tab:red", label="failed requests/s")
        bottom.plot(line["t_s"] + width / 2, line["p95_ms"], "o-", color="tab:purple")
        for ax in (top, bottom):
            ax.axvline(run.kill_at_s, color="black", ls="--")
        top.set(title=f"{name}: worker killed at the dashed line", ylabel="requests/s")
        bottom.set_ylim(bottom=0)
        bottom.set(xlabel="time since start (s)", ylabel="P95 of ok replies (ms)")
    axes[0, 0].legend(fontsize=8)
    return fig
