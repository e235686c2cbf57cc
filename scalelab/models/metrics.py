"""Metrics of a load test: percentiles, Apdex, error rate, throughput, the ratios the course uses, and the
log-normal distribution that describes skewed latencies (percentiles, mean, share below a value, density, fit)."""
import math
from statistics import NormalDist

import numpy as np

from .. import _validate as v


def percentiles(samples, qs=(50, 95, 99)):
    """Percentiles of latency samples (any time unit, returned in the same unit) as a dict {q: value}.

    Uses numpy's default linear interpolation. qs are percentiles in [0, 100].
    """
    arr = v.samples("samples", samples)
    qs = tuple(qs)
    if not qs:
        raise ValueError("qs must name at least one percentile")
    for q in qs:
        v.number("q", q, 0, 100)
    values = np.percentile(arr, qs)
    return {q: float(x) for q, x in zip(qs, values)}


def request_summary(latency_ms, ok=None, span_s=None, qs=(50, 95, 99)):
    """The figures of a table of requests, as a dict: requests, ok, error_rate, throughput_rps (ok requests per
    second of ``span_s``; NaN without a span), mean_ms and ``p<q>_ms`` for each q in ``qs`` over the ok requests
    (NaN when none is ok).

    latency_ms: one latency per request (ms); ok: booleans, one per request (all ok when None); span_s: the run's
    length in seconds (> 0) or None. The one place the course turns a request table into these numbers.
    """
    lat = np.asarray(latency_ms, dtype=float).ravel()
    good = np.ones(lat.shape, dtype=bool) if ok is None else np.asarray(ok, dtype=bool).ravel()
    if good.shape != lat.shape:
        raise ValueError(f"ok must hold one flag per request ({lat.size}), got {good.size}")
    n, n_ok = int(lat.size), int(good.sum())
    if span_s is not None and not (np.isfinite(span_s) and span_s > 0):
        raise ValueError(f"span_s must be a number of seconds > 0 or None, got {span_s!r}")
    row = {"requests": n, "ok": n_ok, "error_rate": error_rate(n - n_ok, max(n, 1)),
           "throughput_rps": n_ok / span_s if span_s is not None else np.nan}
    kept = lat[good]
    if n_ok:
        row["mean_ms"] = float(kept.mean())
        row.update({f"p{q:g}_ms": x for q, x in percentiles(kept, qs).items()})
    else:
        row.update({"mean_ms": np.nan, **{f"p{q:g}_ms": np.nan for q in qs}})
    return row


def timeline(frame, bin_s=0.25):
    """Bin a per-request frame (columns scheduled and end in s, status: an HTTP code; a table of ``open_loop`` or
    ``failover_run``) by scheduled time: per bin of ``bin_s`` seconds (> 0), t_s, ok replies/s, failed requests and the
    P95 latency (ms) of the ok ones. A DataFrame."""
    import pandas as pd

    v.positive("bin_s", bin_s)
    if "status" not in frame or "scheduled" not in frame:
        raise ValueError("frame must have the columns 'scheduled' and 'status' (a table of open_loop or failover_run)")
    bins = np.floor(frame["scheduled"] / bin_s).astype(int)
    latency_ms = (frame["end"] - frame["scheduled"]) * 1000
    out = pd.DataFrame({"bin": bins, "ok": frame["status"] == 200, "failed": frame["status"] != 200,
                        "latency_ms": latency_ms.where(frame["status"] == 200)})
    grouped = out.groupby("bin")
    result = pd.DataFrame({"t_s": grouped.size().index * bin_s,
                           "ok_rps": grouped["ok"].sum().to_numpy() / bin_s,
                           "failed": grouped["failed"].sum().to_numpy(),
                           "p95_ms": grouped["latency_ms"].quantile(0.95).to_numpy()})
    return result.reset_index(drop=True)


def availability_of(frame):
    """Requests, errors (status other than 200) and availability (ok / total, NaN when empty) of a per-request frame:
    a dict of plain numbers."""
    total = len(frame)
    errors = int((frame["status"] != 200).sum())
    return {"requests": total, "errors": errors, "availability": (total - errors) / total if total else float("nan")}


def latency_table(frame, by="k", value="latency_ms"):
    """Per group of the column ``by`` of a table of requests: count, mean, p50, p95 and p99 of the column ``value``
    (same unit as the column; numpy's linear percentiles). A DataFrame, one row per group."""
    for name in (by, value):
        if name not in frame.columns:
            raise ValueError(f"{name!r} must be one of the columns {list(frame.columns)}")
    import pandas as pd

    rows = []
    for key, group in frame.groupby(by):
        q = percentiles(group[value].to_numpy(), (50, 95, 99))
        rows.append({by: key, "count": len(group), "mean": float(group[value].mean()),
                     "p50": q[50], "p95": q[95], "p99": q[99]})
    return pd.DataFrame(rows)


def apdex_counts(latencies, t):
    """Requests satisfied (latency <= t), tolerating (<= 4 t) and frustrated (> 4 t), and the total: a dict of ints.

    latencies and t (> 0) in the same time unit. The one place the Apdex bands are defined.
    """
    arr = v.samples("latencies", latencies)
    t = v.positive("t", t)
    satisfied = int(np.count_nonzero(arr <= t))
    tolerating = int(np.count_nonzero((arr > t) & (arr <= 4 * t)))
    return {"satisfied": satisfied, "tolerating": tolerating, "frustrated": int(arr.size) - satisfied - tolerating,
            "total": int(arr.size)}


def apdex(latencies, t):
    """Apdex score in [0, 1]: (satisfied + tolerating / 2) / total.

    A latency <= t is satisfied, <= 4 t tolerating, > 4 t frustrated. latencies and t in the same time unit.
    """
    counts = apdex_counts(latencies, t)
    return float((counts["satisfied"] + counts["tolerating"] / 2) / counts["total"])


def error_rate(errors, total):
    """Fraction of failed requests in [0, 1]: errors / total (total >= 1)."""
    e = v.integer("errors", errors, low=0)
    n = v.integer("total", total, low=1)
    if e > n:
        raise ValueError(f"errors must be <= total ({n}), got {e}")
    return e / n


def throughput(completed, seconds):
    """Completed requests per second: completed / seconds."""
    c = v.integer("completed", completed, low=0)
    s = v.positive("seconds", seconds)
    return c / s


def hit_ratio(hits, misses):
    """Cache hit ratio in [0, 1]: hits / (hits + misses)."""
    h = v.integer("hits", hits, low=0)
    m = v.integer("misses", misses, low=0)
    if h + m == 0:
        raise ValueError("hits + misses must be >= 1")
    return h / (h + m)


def pool_usage(in_use, size):
    """Fraction of a connection pool in use, in [0, 1]: in_use / size."""
    s = v.integer("size", size, low=1)
    u = v.integer("in_use", in_use, low=0, high=s)
    return u / s


# --------------------------------------------------------------------------------------------- log-normal latency
# A log-normal latency has ln(latency) ~ Normal(ln(median), sigma): a floor-hugging body and a long right tail.
# Times are in any unit (ms in the course) and come back in that unit.

def _median_sigma(median, sigma):
    return v.positive("median", median), v.number("sigma", sigma, 0, 10)


def lognormal_percentile(median, sigma, q):
    """The q-th percentile (q in (0, 100)) of a log-normal latency: median * exp(sigma * z_q).

    median > 0 (a time; the result is in its unit); sigma in [0, 10]: the standard deviation of ln(latency).
    """
    m, s = _median_sigma(median, sigma)
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    return m * math.exp(s * NormalDist().inv_cdf(q / 100))


def lognormal_mean(median, sigma):
    """Mean of a log-normal latency: median * exp(sigma^2 / 2), always >= the median (same unit as median)."""
    m, s = _median_sigma(median, sigma)
    return m * math.exp(s * s / 2)


def lognormal_share_below(x, median, sigma):
    """Share of requests of a log-normal latency with latency <= x (x >= 0, the unit of median): Phi(ln(x/m) / sigma).

    With sigma = 0 every request takes the median: 1.0 for x >= median, else 0.0.
    """
    m, s = _median_sigma(median, sigma)
    x = v.non_negative("x", x)
    if x == 0:
        return 0.0
    if s == 0:
        return 1.0 if x >= m else 0.0
    return NormalDist().cdf(math.log(x / m) / s)


def lognormal_density(x, median, sigma):
    """Probability density of a log-normal latency at each x (array of times >= 0), per unit of time.

    median > 0 and sigma in (0, 10] (with sigma = 0 there is no density: every request takes the median).
    """
    m, s = _median_sigma(median, sigma)
    if s == 0:
        raise ValueError("sigma must be > 0 for a density (with sigma = 0 every request takes the median)")
    xs = v.samples("x", x)
    out = np.zeros_like(xs)
    pos = xs > 0
    out[pos] = np.exp(-np.log(xs[pos] / m) ** 2 / (2 * s * s)) / (xs[pos] * s * math.sqrt(2 * math.pi))
    return out


def fit_lognormal(latencies):
    """(median, sigma) of the log-normal that fits a latency sample best (maximum likelihood): exp(mean(ln x)) and
    the standard deviation of ln x, the values scipy.stats.lognorm.fit(latencies, floc=0) returns.

    latencies: at least 2 values, all > 0 (any time unit; the median comes back in it).
    """
    arr = v.samples("latencies", latencies)
    if arr.size < 2 or np.any(arr <= 0):
        raise ValueError(f"latencies must hold at least 2 values, all > 0; got {arr.size} values, min {arr.min()!r}")
    logs = np.log(arr)
    return float(np.exp(logs.mean())), float(logs.std())
