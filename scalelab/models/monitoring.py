"""Monitoring math: percentiles from histogram buckets (as PromQL's ``histogram_quantile`` computes them), bucket
layouts, and error-budget burn rates with the multi-window alert rule.

A histogram keeps, for each upper bound ``le``, how many observations were <= it (cumulative), plus a +Inf bucket
holding the total. It cannot know where inside a bucket the observations fell, so a percentile is interpolated
linearly inside the bucket where its rank falls: the error is at most that bucket's width.
"""
import math

import numpy as np

from .. import _validate as v

# Google's SRE workbook: page when an hour burns 2 % of a 30-day budget (rate 14.4) and the last 5 minutes still
# burn that fast; open a ticket when six hours burn 5 % (rate 6) and the last 30 minutes confirm it.
ALERT_RULES = ({"severity": "page", "long_min": 60, "short_min": 5, "burn": 14.4},
               {"severity": "ticket", "long_min": 360, "short_min": 30, "burn": 6.0})


def _bounds(bounds):
    b = v.samples("bounds", bounds, allow_negative=True)
    if np.any(np.diff(b) <= 0):
        raise ValueError("bounds must be strictly increasing (the finite upper bounds `le` of the buckets)")
    return b


def exponential_buckets(start, factor, count):
    """``count`` upper bounds start, start * factor, ... (each bucket ``factor`` times as wide as the last)."""
    v.positive("start", start)
    f = v.number("factor", factor, 1, math.inf, low_open=True, high_open=True)
    return [start * f ** i for i in range(v.integer("count", count, low=1))]


def bucket_counts(samples, bounds):
    """Cumulative counts per upper bound as a histogram records them: len(bounds) + 1 numbers, the last the
    +Inf bucket (every observation). An observation equal to a bound counts in that bucket (le: <=)."""
    b = _bounds(bounds)
    x = v.samples("samples", samples, allow_negative=True)
    return np.append(np.searchsorted(np.sort(x), b, side="right"), len(x))


def histogram_quantile(phi, bounds, cumulative):
    """The phi-quantile (0 <= phi <= 1) from cumulative bucket counts, PromQL's way: find the bucket where rank
    phi * total falls, interpolate linearly between its lower bound (the previous bound, 0 for the first bucket
    when its bound is positive) and its upper bound. A rank in the +Inf bucket returns the highest finite bound;
    no observations return nan."""
    q = v.probability("phi", phi)
    b = _bounds(bounds)
    c = np.asarray(cumulative, dtype=float)
    if c.shape != (len(b) + 1,) or np.any(np.diff(c) < 0) or np.any(c < 0):
        raise ValueError(f"cumulative must hold {len(b) + 1} non-decreasing counts >= 0 (one per bound, then +Inf)")
    total = c[-1]
    if total == 0:
        return math.nan
    rank = q * total
    i = int(np.searchsorted(c, rank, side="left"))
    if i >= len(b):
        return float(b[-1])
    lower = b[i - 1] if i > 0 else min(0.0, b[0])
    below = c[i - 1] if i > 0 else 0.0
    inside = c[i] - below
    if i == 0 and b[0] <= 0:
        return float(b[0])
    return float(lower + (b[i] - lower) * ((rank - below) / inside if inside else 1.0))


def quantile_error(samples, bounds, phi):
    """(estimate from the buckets, exact, error = estimate − exact) for the phi-quantile of ``samples``
    (exact: numpy's linear interpolation)."""
    estimate = histogram_quantile(phi, bounds, bucket_counts(samples, bounds))
    exact = float(np.quantile(v.samples("samples", samples, allow_negative=True), phi))
    return estimate, exact, estimate - exact


def burn_rate(errors, requests, slo):
    """How fast a window spends the error budget: its error ratio over the budget 1 − slo (1 = exactly on budget,
    14.4 = a 30-day budget gone in 50 hours). slo in (0, 1)."""
    target = v.number("slo", slo, 0, 1, low_open=True, high_open=True)
    e, n = v.non_negative("errors", errors), v.non_negative("requests", requests)
    if e > n:
        raise ValueError(f"errors must be <= requests, got {errors} > {requests}")
    return (e / n if n else 0.0) / (1 - target)


def budget_spent(burn, window_min, period_days=30):
    """Share of a ``period_days`` error budget a window of ``window_min`` minutes at ``burn`` spends."""
    return (v.non_negative("burn", burn) * v.positive("window_min", window_min)
            / (v.positive("period_days", period_days) * 1440))


def rolling_burn(errors, requests, slo, window_min):
    """Burn rate over the trailing ``window_min`` minutes at each minute of per-minute error and request counts."""
    e = np.asarray(v.samples("errors", errors), dtype=float)
    n = np.asarray(v.samples("requests", requests), dtype=float)
    if e.shape != n.shape or np.any(e > n):
        raise ValueError("errors and requests must have the same length, errors <= requests minute by minute")
    w = v.integer("window_min", window_min, low=1)
    target = v.number("slo", slo, 0, 1, low_open=True, high_open=True)
    ce, cn = np.concatenate([[0], np.cumsum(e)]), np.concatenate([[0], np.cumsum(n)])
    idx = np.arange(1, len(e) + 1)
    start = np.maximum(idx - w, 0)
    we, wn = ce[idx] - ce[start], cn[idx] - cn[start]
    return np.where(wn > 0, we / np.maximum(wn, 1), 0.0) / (1 - target)


def alert_minutes(errors, requests, slo, rules=ALERT_RULES):
    """Minutes at which each multi-window burn-rate rule fires: {severity: array of booleans per minute}. A rule
    fires when both its long and its short window burn faster than its threshold."""
    out = {}
    for rule in rules:
        long_burn = rolling_burn(errors, requests, slo, rule["long_min"])
        short_burn = rolling_burn(errors, requests, slo, rule["short_min"])
        out[rule["severity"]] = (long_burn > rule["burn"]) & (short_burn > rule["burn"])
    return out
