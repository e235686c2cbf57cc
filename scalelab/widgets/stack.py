"""Views of lesson 12 (the technology stack): the load-balancing algorithms side by side, the autoscaler on the
course's traffic trace, and a percentile estimated from histogram buckets.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` building the figure once with
fixed limits, and a ``<view>_draw`` moving the artists marked ``animated=True`` (see ``scalelab.widgets.base``).
"""
import functools

import numpy as np

from .. import _validate as v
from .. import datasets
from ..models import monitoring
from ..sim import autoscale, balancers
from . import base

LB_JOBS = 800
LB_TOP_MS = 10_000.0  # the P99 axis: log scale, 1 ms to 10 s (longer tails are drawn at the top)
SHORT = {"round_robin": "RR", "weighted_round_robin": "WRR", "random": "random", "least_connections": "LC",
         "power_of_two": "P2C", "consistent_hash": "hash"}


# ------------------------------------------------------------------------------------------------- balancers
def balancer_compute(load=0.7, slow_speed=0.4, size_cv=1.0, key_skew=1.0, servers=4):
    """Every algorithm on the same seeded jobs: ``servers`` servers, the last one at ``slow_speed`` (0.1..1),
    ``load`` of the total capacity (0.1..0.95), job sizes with coefficient of variation ``size_cv`` (0..3) and
    Zipf(``key_skew``) keys (0..2). Returns the ``balancers.compare`` table as plain arrays."""
    rho = v.number("load", load, 0.1, 0.95)
    slow = v.number("slow_speed", slow_speed, 0.1, 1.0)
    cv = v.number("size_cv", size_cv, 0, 3)
    skew = v.number("key_skew", key_skew, 0, 2)
    n = v.integer("servers", servers, low=2, high=10)
    return _balancer_table(rho, slow, cv, skew, n)


@functools.lru_cache(maxsize=256)
def _balancer_table(rho, slow, cv, skew, n):
    speeds = [1.0] * (n - 1) + [slow]
    jobs = balancers.make_jobs(LB_JOBS, rho, speeds, size_cv=cv, keys=500, key_skew=skew, rng=1)
    table = balancers.compare(jobs, speeds, rng=2)
    return {"algorithms": list(table["algorithm"]), "p99_ms": table["p99_ms"].to_numpy(),
            "p50_ms": table["p50_ms"].to_numpy(), "imbalance": table["imbalance"].to_numpy(),
            "slowest_share": table["slowest_share"].to_numpy(), "fair_share": slow / sum(speeds)}


def balancer_setup(fig, params):
    """Two panels: P99 per algorithm (log axis) and imbalance per algorithm."""
    left, right = fig.subplots(1, 2)
    x = np.arange(len(balancers.ALGORITHMS))
    labels = [SHORT[a] for a in balancers.ALGORITHMS]
    bars = left.bar(x, np.ones(len(x)), color="tab:blue", animated=True)
    p50 = left.plot(x, np.ones(len(x)), "_", color="k", ms=14, mew=2, animated=True, label="P50")[0]
    left.set_yscale("log")
    left.set_ylim(1, LB_TOP_MS)
    left.set_xticks(x, labels)
    left.set_ylabel("P99 response time (ms)")
    left.legend(fontsize=8, loc="upper right")
    imb = right.bar(x, np.ones(len(x)), color="tab:orange", animated=True)
    right.axhline(1, color="grey", ls=":")
    right.set_ylim(0, 3)
    right.set_xticks(x, labels)
    right.set_ylabel("imbalance (busiest / average utilisation)")
    return {"bars": bars, "p50": p50, "imbalance": imb}


def balancer_draw(artists, result, params=None):
    """Bar heights (clipped to the axes) and a caption naming the best and worst tails."""
    p99 = np.clip(result["p99_ms"], 1, LB_TOP_MS)
    for bar, h in zip(artists["bars"], p99):
        bar.set_height(h)
    artists["p50"].set_ydata(np.clip(result["p50_ms"], 1, LB_TOP_MS))
    for bar, h in zip(artists["imbalance"], np.clip(result["imbalance"], 0, 3)):
        bar.set_height(h)
    order = np.argsort(result["p99_ms"])
    best, worst = result["algorithms"][order[0]], result["algorithms"][order[-1]]
    return (f"best tail: {best} (P99 {result['p99_ms'][order[0]]:,.0f} ms); worst: {worst} "
            f"(P99 {result['p99_ms'][order[-1]]:,.0f} ms). The slow server's fair share of the jobs is "
            f"{result['fair_share']:.0%}; round robin gives it {result['slowest_share'][0]:.0%}.")


def balancer_explorer(load=0.7, slow_speed=0.4, size_cv=1.0, key_skew=1.0):
    """Load, the slow server's speed, job-size spread and key skew against each algorithm's tail."""
    controls = {"load": base.slider(float(load), 0.1, 0.95, 0.05, "load (share of capacity)"),
                "slow_speed": base.slider(float(slow_speed), 0.1, 1.0, 0.1, "slow server's speed"),
                "size_cv": base.slider(float(size_cv), 0.0, 3.0, 0.5, "job-size spread (CV)"),
                "key_skew": base.slider(float(key_skew), 0.0, 2.0, 0.25, "key skew (Zipf s)")}
    return base.Explorer(balancer_compute, balancer_draw, controls, setup=balancer_setup, css_class="lesson12-lb",
                         size_in=(7.4, 3.0))


# ----------------------------------------------------------------------------------------------- autoscaling
@functools.lru_cache(maxsize=1)
def _trace_rps():
    return datasets.load_traffic_trace()["rps"].to_numpy()


def autoscale_compute(target_utilisation=0.6, cooldown_min=5, warmup_min=3, min_replicas=2, max_replicas=40,
                      max_step=10):
    """The autoscaler on the course's trace (``scalelab.datasets.load_traffic_trace()``): per-minute replicas and
    load, and the summary (cost, SLO violations). Arguments as in ``scalelab.sim.autoscale.autoscale``."""
    run = autoscale.autoscale(_trace_rps(), target_utilisation=target_utilisation, cooldown_min=cooldown_min,
                              warmup_min=warmup_min, min_replicas=min_replicas, max_replicas=max_replicas,
                              max_step=max_step, with_p95=False)
    cap = autoscale.replica_capacity_rps()
    return {"hours": run["minute"].to_numpy() / 60, "needed": run["rps"].to_numpy() / cap,
            "ready": run["ready"].to_numpy(), "violations": ~run["slo_ok"].to_numpy(), **autoscale.summary(run)}


def autoscale_setup(fig, params):
    """Replicas ready against replicas' worth of load over the two days; SLO-violating minutes marked."""
    ax = fig.add_subplot()
    need = ax.plot([], [], color="grey", lw=0.8, label="load (replicas' worth at 100 %)", animated=True)[0]
    ready = ax.plot([], [], color="tab:blue", lw=1.2, label="replicas ready", animated=True)[0]
    bad = ax.plot([], [], "|", color="tab:red", ms=6, label="minute over the P95 SLO", animated=True)[0]
    ax.set_xlim(0, 48)
    ax.set_ylim(0, 60)
    ax.set_xticks(range(0, 49, 6))
    ax.set_xlabel("time (hours)")
    ax.set_ylabel("replicas")
    ax.legend(fontsize=8, loc="upper left")
    return {"need": need, "ready": ready, "bad": bad}


def autoscale_draw(artists, result, params=None):
    """Move the lines; the caption gives the cost and the SLO."""
    artists["need"].set_data(result["hours"], result["needed"])
    artists["ready"].set_data(result["hours"], result["ready"])
    h = result["hours"][result["violations"]]
    artists["bad"].set_data(h, np.full(len(h), 58.0))
    return (f"cost ${result['cost_usd']:,.2f} for two days ({result['replica_hours']:,.0f} replica-hours, peak "
            f"{result['peak_replicas']}); {result['violation_min']} of {len(result['hours'])} minutes over the P95 "
            f"SLO ({result['slo_share']:.2%} within)")


def autoscale_explorer(target_utilisation=0.6, cooldown_min=5, warmup_min=3, min_replicas=2, max_replicas=40):
    """Target utilisation, cooldown, warm-up and fleet bounds against cost and SLO violations."""
    controls = {"target_utilisation": base.slider(float(target_utilisation), 0.2, 0.95, 0.05, "target utilisation"),
                "cooldown_min": base.slider(int(cooldown_min), 0, 30, 1, "cooldown (min)", integer=True),
                "warmup_min": base.slider(int(warmup_min), 0, 15, 1, "warm-up (min)", integer=True),
                "min_replicas": base.slider(int(min_replicas), 1, 30, 1, "min replicas", integer=True),
                "max_replicas": base.slider(int(max_replicas), 30, 60, 2, "max replicas", integer=True)}
    return base.Explorer(autoscale_compute, autoscale_draw, controls, setup=autoscale_setup,
                         css_class="lesson12-autoscale", size_in=(7.4, 3.0))


# -------------------------------------------------------------------------------------------------- percentiles
def buckets_compute(latencies_ms, first_ms=5.0, factor=2.0, count=8, q=95):
    """Exponential buckets (``count`` bounds from ``first_ms``, each ``factor`` times the last) over the latencies:
    the estimated and exact q-th percentile (ms), the bucket bounds and the histogram counts per bucket."""
    x = v.samples("latencies_ms", latencies_ms)
    bounds = monitoring.exponential_buckets(v.positive("first_ms", first_ms), factor,
                                            v.integer("count", count, low=2, high=30))
    phi = v.number("q", q, 50, 99.9) / 100
    estimate, exact, error = monitoring.quantile_error(x, bounds, phi)
    cumulative = monitoring.bucket_counts(x, bounds)
    return {"bounds": np.array(bounds), "per_bucket": np.diff(np.concatenate([[0], cumulative[:-1]])),
            "above": int(cumulative[-1] - cumulative[-2]), "estimate_ms": estimate, "exact_ms": exact,
            "error_ms": error, "q": q}


def buckets_setup(fig, params):
    """Bucket bars on a log time axis (1 ms to 10 s), with the estimated and exact percentile as lines."""
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_xlim(1, 10_000)
    ax.set_ylim(0, 1)
    ax.set_xlabel("latency (ms), bucket upper bounds")
    ax.set_ylabel("share of requests in the bucket")
    steps = ax.stairs(np.zeros(1), [1, 2], fill=True, color="tab:blue", alpha=0.4, animated=True)
    est = ax.axvline(10, color="tab:red", ls="--", label="estimated from buckets", animated=True)
    exact = ax.axvline(10, color="k", ls=":", label="exact", animated=True)
    ax.legend(fontsize=8, loc="upper right")
    return {"steps": steps, "estimate": est, "exact": exact}


def buckets_draw(artists, result, params=None):
    """Stairs of the bucket shares, the two percentile lines, and a caption with the error."""
    edges = np.concatenate([[1.0], result["bounds"]])
    total = result["per_bucket"].sum() + result["above"]
    artists["steps"].set_data(result["per_bucket"] / max(total, 1), np.maximum(edges, 1.0))
    artists["estimate"].set_xdata([result["estimate_ms"]] * 2)
    artists["exact"].set_xdata([result["exact_ms"]] * 2)
    return (f"P{result['q']:g}: {result['estimate_ms']:.1f} ms from the buckets, {result['exact_ms']:.1f} ms exact "
            f"(error {result['error_ms']:+.1f} ms, {result['error_ms'] / result['exact_ms']:+.0%}); "
            f"{result['above']} requests above the last bound {result['bounds'][-1]:,.0f} ms")


def buckets_explorer(latencies_ms, first_ms=5.0, factor=2.0, count=8, q=95):
    """Bucket layout (first bound, growth factor, count) against the error of a percentile read from it."""
    controls = {"first_ms": base.slider(float(first_ms), 1.0, 50.0, 1.0, "first bound (ms)"),
                "factor": base.slider(float(factor), 1.1, 4.0, 0.1, "growth factor"),
                "count": base.slider(int(count), 2, 20, 1, "buckets", integer=True),
                "q": base.slider(float(q), 50.0, 99.9, 0.5, "percentile")}
    return base.Explorer(functools.partial(buckets_compute, latencies_ms), buckets_draw, controls,
                         setup=buckets_setup, css_class="lesson12-buckets", size_in=(7.0, 3.0))
