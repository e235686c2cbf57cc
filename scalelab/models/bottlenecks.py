"""Small models behind lesson 09's layers: what a pool needs (Little's law), what a link costs (latency and
bandwidth), when compression pays, what retries buy under packet loss, what removing a hotspot gains, and when a
disk fills up. Pure: numbers in, numbers out; units in each docstring."""
import math

import numpy as np

from .. import _validate as v


# ------------------------------------------------------------------------------------------------------ database
def pool_size_needed(arrival_rate, hold_time, headroom=0.0):
    """Connections a pool needs so it is not exhausted on average: ceil(lambda * h * (1 + headroom)).

    arrival_rate: requests/s (>= 0) that each take one connection; hold_time: seconds each holds it (>= 0);
    headroom: extra fraction (>= 0) for bursts. Little's law: the mean number of connections in use is lambda * h."""
    lam = v.non_negative("arrival_rate", arrival_rate)
    h = v.non_negative("hold_time", hold_time)
    extra = v.non_negative("headroom", headroom)
    return max(1, math.ceil(lam * h * (1 + extra) - 1e-9))


def pool_wait_quantile(arrival_rate, hold_time, pool_size, quantile=0.95):
    """The ``quantile`` (0 < q < 1) of the wait for a connection, in s, when Poisson arrivals (requests/s) each hold
    one of ``pool_size`` connections for an exponential time of mean ``hold_time`` s (M/M/c): a request waits with
    the Erlang C probability C, and P(W > t) = C exp(-(k mu - lambda) t), mu = 1 / hold_time. 0 when C <= 1 - q;
    math.inf when the pool cannot keep up (lambda * hold >= k)."""
    from . import queueing

    lam = v.non_negative("arrival_rate", arrival_rate)
    mu = 1 / v.positive("hold_time", hold_time)
    k = v.integer("pool_size", pool_size, low=1)
    q = v.number("quantile", quantile, 0, 1, low_open=True, high_open=True)
    if lam >= k * mu:
        return math.inf
    if lam == 0:
        return 0.0
    waits = queueing.erlang_c(lam, mu, k)
    return 0.0 if waits <= 1 - q else math.log(waits / (1 - q)) / (k * mu - lam)


def closed_pool(users, pool_size, hold_time):
    """A closed loop of ``users`` (>= 1) back-to-back requests on a pool of k connections, each held ``hold_time``
    s (> 0) with nothing else to wait on: X = min(N, k) / h and mean wait for a connection W = N / X - h
    (Little's law on the loop). Returns {"throughput_rps", "response_s", "wait_s"}."""
    n = v.integer("users", users, low=1)
    k = v.integer("pool_size", pool_size, low=1)
    h = v.positive("hold_time", hold_time)
    x = min(n, k) / h
    return {"throughput_rps": x, "response_s": n / x, "wait_s": n / x - h}


# ------------------------------------------------------------------------------------------------------- network
def transfer_time(size_bytes, bandwidth_bytes_per_s, rtt_s=0.0, round_trips=1):
    """Seconds to fetch ``size_bytes`` over a link: round_trips * rtt + size / bandwidth (bandwidth > 0, may be
    math.inf for an unlimited link)."""
    size = v.non_negative("size_bytes", size_bytes)
    bandwidth = v.positive("bandwidth_bytes_per_s", bandwidth_bytes_per_s, allow_inf=True)
    rtt = v.non_negative("rtt_s", rtt_s)
    trips = v.integer("round_trips", round_trips, low=0)
    return trips * rtt + size / bandwidth


def goodput(size_bytes, bandwidth_bytes_per_s, rtt_s=0.0, round_trips=1):
    """Payload bytes/s one request achieves: size / transfer_time (0 for an empty payload). Small payloads are
    ruled by the round trips, large ones approach the bandwidth. Accepts an array of sizes."""
    sizes = np.asarray(size_bytes, dtype=float)
    if sizes.size == 0 or np.any(~np.isfinite(sizes)) or np.any(sizes < 0):
        raise ValueError(f"size_bytes must hold finite sizes >= 0, got {size_bytes!r}")
    bandwidth = v.positive("bandwidth_bytes_per_s", bandwidth_bytes_per_s, allow_inf=True)
    rtt = v.non_negative("rtt_s", rtt_s)
    trips = v.integer("round_trips", round_trips, low=0)
    time_s = trips * rtt + sizes / bandwidth
    out = np.divide(sizes, time_s, out=np.zeros_like(sizes), where=time_s > 0)
    return float(out) if np.ndim(out) == 0 else out


def compression_break_even(original_bytes, compressed_bytes, cpu_s):
    """Bandwidth (bytes/s) below which compressing pays: sending original / B takes longer than compressing for
    cpu_s seconds (compress + decompress) and sending compressed / B, i.e. B* = (original - compressed) / cpu_s.
    math.inf when compressing costs no time; 0 when it saves no bytes."""
    original = v.positive("original_bytes", original_bytes)
    compressed = v.non_negative("compressed_bytes", compressed_bytes)
    cpu = v.non_negative("cpu_s", cpu_s)
    saved = original - compressed
    if saved <= 0:
        return 0.0
    return math.inf if cpu == 0 else saved / cpu


def attempt_failure(loss, packets=1):
    """Probability that one attempt fails when each of its ``packets`` (>= 1) is lost independently with
    probability ``loss`` in [0, 1]: 1 - (1 - loss)^packets."""
    p = v.probability("loss", loss)
    k = v.integer("packets", packets, low=1)
    return 1 - (1 - p) ** k


def retry_outcome(loss, retries, timeout_s, rtt_s, packets=1):
    """A request retried up to ``retries`` (>= 0) times after a timeout of ``timeout_s`` s, each attempt of
    ``packets`` packets lost with probability ``loss``, an answered attempt taking ``rtt_s`` s.

    Returns {"success", "mean_attempts", "mean_latency_s" (of the successes), "worst_latency_s"}:
    q = attempt failure; success = 1 - q^(r+1); a success after j failed attempts took j * timeout + rtt."""
    q = attempt_failure(loss, packets)
    r = v.integer("retries", retries, low=0, high=1000)
    timeout = v.positive("timeout_s", timeout_s)
    rtt = v.non_negative("rtt_s", rtt_s)
    j = np.arange(r + 1)
    p_success_after = (q ** j) * (1 - q)                  # fails j times, then succeeds
    success = float(p_success_after.sum())
    attempts = float(np.sum((j + 1) * p_success_after) + (r + 1) * q ** (r + 1))
    latency = float(np.sum((j * timeout + rtt) * p_success_after) / success) if success > 0 else math.nan
    return {"success": success, "mean_attempts": attempts, "mean_latency_s": latency,
            "worst_latency_s": r * timeout + rtt}


# --------------------------------------------------------------------------------------------------- application
def hotspot_speedup(hotspot_share, hotspot_speedup_factor):
    """Whole-request speed-up when a function taking ``hotspot_share`` in [0, 1] of the time becomes
    ``hotspot_speedup_factor`` (>= 1, may be math.inf) times faster: 1 / ((1 - f) + f / s) (Amdahl's law)."""
    f = v.probability("hotspot_share", hotspot_share)
    s = v.number("hotspot_speedup_factor", hotspot_speedup_factor, 1, math.inf)
    return 1 / ((1 - f) + (0 if math.isinf(s) else f / s))


# ------------------------------------------------------------------------------------------------------- storage
def days_until_full(free_bytes, growth_bytes_per_day, reserve_fraction=0.0, total_bytes=None):
    """Days until a volume is full at a constant growth rate: (free - reserve) / growth (math.inf if it does not
    grow). reserve_fraction in [0, 1) of total_bytes is kept free (alerts fire before the disk is really full)."""
    free = v.non_negative("free_bytes", free_bytes)
    growth = v.number("growth_bytes_per_day", growth_bytes_per_day)
    reserve = v.number("reserve_fraction", reserve_fraction, 0, 1, high_open=True)
    if reserve > 0:
        if total_bytes is None:
            raise ValueError("total_bytes must be given (bytes > 0) when reserve_fraction > 0")
        free -= reserve * v.positive("total_bytes", total_bytes)
    if growth <= 0:
        return math.inf
    return max(free, 0.0) / growth


def batched_fsync_rate(batch, fsync_s, write_s=0.0):
    """Records/s a log sustains when it calls fsync once per ``batch`` (>= 1) records: each record costs
    write_s (s, >= 0) and each fsync fsync_s (s, >= 0): batch / (batch * write_s + fsync_s)."""
    b = v.integer("batch", batch, low=1)
    f = v.non_negative("fsync_s", fsync_s)
    w = v.non_negative("write_s", write_s)
    per_batch = b * w + f
    return math.inf if per_batch == 0 else b / per_batch
