"""Batching: more items per commit raise throughput, and each item waits for its batch to fill.

Items arrive at ``rate`` items/s and are written in batches of b. One commit costs a fixed overhead c0 (the
transaction, the wait for the disk) plus c1 per item: S(b) = c0 + c1·b seconds. Then

- throughput capacity: b / S(b) items/s, rising towards 1 / c1 as b grows (the fixed cost is shared);
- the writer keeps up when capacity > rate, i.e. for b > rate·c0 / (1 − rate·c1);
- per-item latency = wait to fill the batch + service: an item waits for the b − 1 − i items after it, on average
  (b − 1) / (2·rate) (regular or Poisson arrivals alike), then S(b): latency(b) = (b − 1) / (2·rate) + c0 + c1·b.
  Below the stable size the backlog grows without bound (math.inf here); just above it, the queue the model
  leaves out adds to the measured latency.

Pure: no I/O, no clock, no randomness. Seconds and items per second throughout.
"""
import math

import numpy as np

from .. import _validate as v


def _costs(overhead_s, per_item_s):
    return v.non_negative("overhead_s", overhead_s), v.non_negative("per_item_s", per_item_s)


def _batch(batch_size):
    b = np.asarray(batch_size, dtype=float)
    if b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 1):
        raise ValueError(f"batch_size must be a number >= 1 (or an array of them), got {batch_size!r}")
    return b


def _out(x, batch_size):
    return float(x) if np.ndim(batch_size) == 0 else x


def commit_time_s(batch_size, overhead_s, per_item_s):
    """Seconds for one commit of batch_size items: overhead_s + per_item_s · batch_size (arrays work too)."""
    c0, c1 = _costs(overhead_s, per_item_s)
    b = _batch(batch_size)
    return _out(c0 + c1 * b, batch_size)


def throughput_capacity(batch_size, overhead_s, per_item_s):
    """Most items/s a writer committing batches of batch_size back to back can store: b / S(b)."""
    c0, c1 = _costs(overhead_s, per_item_s)
    if c0 == 0 and c1 == 0:
        raise ValueError("overhead_s and per_item_s cannot both be 0 (a commit would take no time)")
    b = _batch(batch_size)
    return _out(b / (c0 + c1 * b), batch_size)


def batch_latency_s(batch_size, rate, overhead_s, per_item_s):
    """Mean seconds from an item's arrival to its commit: fill wait + S(b); math.inf where b / S(b) <= rate
    (the writer cannot keep up and the backlog grows)."""
    b = _batch(batch_size)
    lam = v.positive("rate", rate)
    service = np.asarray(commit_time_s(b, overhead_s, per_item_s))
    latency = np.where(b / np.where(service > 0, service, np.inf) > lam, (b - 1) / (2 * lam) + service, np.inf)
    latency = np.where(service == 0, (b - 1) / (2 * lam), latency)
    return _out(latency, batch_size)


def smallest_stable_batch(rate, overhead_s, per_item_s):
    """Smallest whole batch size whose capacity exceeds ``rate``: the least b > rate·c0 / (1 − rate·c1).
    None when no batch size keeps up (rate·c1 >= 1: the per-item cost alone exceeds the time between items)."""
    lam = v.positive("rate", rate)
    c0, c1 = _costs(overhead_s, per_item_s)
    if lam * c1 >= 1:
        return None
    return max(1, math.floor(lam * c0 / (1 - lam * c1)) + 1)


def largest_batch_for_latency(rate, target_s, overhead_s, per_item_s):
    """Largest whole batch size whose model latency is at most target_s, among the stable ones (None if none):
    (b − 1) / (2·rate) + c0 + c1·b <= target  gives  b <= (target − c0 + 1 / (2·rate)) / (1 / (2·rate) + c1)."""
    lam = v.positive("rate", rate)
    target = v.positive("target_s", target_s)
    c0, c1 = _costs(overhead_s, per_item_s)
    low = smallest_stable_batch(lam, c0, c1)
    if low is None:
        return None
    high = math.floor((target - c0 + 1 / (2 * lam)) / (1 / (2 * lam) + c1) + 1e-9)
    return high if high >= low else None


def fit_commit_time(batch_sizes, commit_s):
    """Least-squares line through measured (batch size, seconds per commit): returns (overhead_s, per_item_s),
    each clipped at 0. Needs at least two different batch sizes."""
    b = v.samples("batch_sizes", batch_sizes)
    s = v.samples("commit_s", commit_s)
    if b.size != s.size:
        raise ValueError(f"batch_sizes and commit_s must have the same length, got {b.size} and {s.size}")
    if np.unique(b).size < 2:
        raise ValueError("batch_sizes must hold at least two different sizes to fit a line")
    slope, intercept = np.polyfit(b, s, 1)
    return max(float(intercept), 0.0), max(float(slope), 0.0)
