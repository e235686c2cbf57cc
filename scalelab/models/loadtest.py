"""Load-test arithmetic: SLO verdicts, the breaking point of a ramp, leak slopes, coordinated omission, and a fluid
model of a service (with a bounded queue in front) under a time-varying arrival rate.

Pure functions: numbers or arrays in, numbers, dicts or arrays out. No I/O, no clock, no randomness.
"""
import math

import numpy as np

from .. import _validate as v

TEST_TYPES = ("load", "stress", "spike", "volume", "endurance")

STRATEGIES = [
    {"test": "load", "question": "Does the system meet its SLO at the traffic we expect?",
     "approach": "hold the expected request rate steady",
     "typical duration": "30 min to a few hours",
     "watch": "P95 latency, throughput, error rate against the SLO"},
    {"test": "stress", "question": "Where does it break, and how does it fail and recover?",
     "approach": "raise the rate step by step until the SLO or the error budget breaks",
     "typical duration": "until it breaks (often under an hour)",
     "watch": "the rate at the breaking point; saturated resource; failure mode; recovery"},
    {"test": "spike", "question": "Does a sudden burst (flash sale, viral post) hurt, and for how long?",
     "approach": "normal rate, then a short burst several times higher, then normal again",
     "typical duration": "minutes; the burst itself seconds to minutes",
     "watch": "latency and errors over time, time to recover, autoscaling reaction, shed load"},
    {"test": "volume", "question": "Does it stay fast when the data grows by orders of magnitude?",
     "approach": "same queries against 10x, 100x, 1000x more rows or files",
     "typical duration": "as long as loading the data takes (hours to days)",
     "watch": "query latency vs data size, query plans, storage size, batch job time"},
    {"test": "endurance", "question": "Does it degrade slowly under steady use (leaks, growth)?",
     "approach": "a moderate steady load held for a long time (a soak)",
     "typical duration": "24 to 72 hours",
     "watch": "memory trend, open connections, file handles, disk use, latency drift"},
]

TOOLS = [
    {"tool": "JMeter", "load model": "closed (thread groups); open with the arrival-rate / open-model groups",
     "scripting": "GUI-built XML test plans, Groovy", "licence": "open source (Apache)"},
    {"tool": "k6", "load model": "closed (VU executors) or open (arrival-rate executors)",
     "scripting": "JavaScript", "licence": "open source (Grafana)"},
    {"tool": "LoadRunner", "load model": "closed (virtual users)",
     "scripting": "C (VuGen), also JavaScript and Java", "licence": "commercial (OpenText)"},
    {"tool": "Artillery", "load model": "open (arrival-rate phases)",
     "scripting": "YAML scenarios + JavaScript hooks", "licence": "open source core"},
    {"tool": "Gatling", "load model": "open (injectOpen) or closed (injectClosed)",
     "scripting": "Scala / Java / Kotlin DSL", "licence": "open source core"},
    {"tool": "NBomber", "load model": "open (Inject) or closed (KeepConstant)",
     "scripting": "C# / F# (.NET)", "licence": "free for personal use, commercial"},
    {"tool": "BlazeMeter", "load model": "whatever the engine it runs (JMeter, k6, Gatling, Locust ...)",
     "scripting": "the engine's own scripts", "licence": "commercial SaaS"},
    {"tool": "Locust", "load model": "closed (users with wait_time)",
     "scripting": "Python", "licence": "open source (MIT)"},
]


def slo_met(p95_ms, error_rate, slo_p95_ms, max_error_rate=0.01):
    """True where P95 latency <= slo_p95_ms (ms) and the error rate (a fraction in [0, 1]) <= max_error_rate.

    Scalars give a bool, sequences a bool array. A missing P95 (NaN: no successful reply) breaks the SLO.
    """
    p95 = np.asarray(p95_ms, dtype=float)
    errors = np.asarray(error_rate, dtype=float)
    v.positive("slo_p95_ms", slo_p95_ms)
    v.probability("max_error_rate", max_error_rate)
    if p95.shape != errors.shape:
        raise ValueError(f"p95_ms and error_rate must have the same length, got {p95.shape} and {errors.shape}")
    if np.any((errors < 0) | (errors > 1)):
        raise ValueError("error_rate must contain fractions in [0, 1]")
    met = (p95 <= slo_p95_ms) & (errors <= max_error_rate)  # NaN compares False
    return bool(met) if met.ndim == 0 else met


def verdict(p95_ms, error_rate, slo_p95_ms, max_error_rate=0.01):
    """Classify one test result: "pass", "latency SLO broken", "error budget broken" or "both broken"."""
    latency_ok = bool(slo_met(p95_ms, 0.0, slo_p95_ms, 1.0))
    errors_ok = bool(slo_met(0.0, error_rate, slo_p95_ms, max_error_rate))
    if latency_ok and errors_ok:
        return "pass"
    if errors_ok:
        return "latency SLO broken"
    return "error budget broken" if latency_ok else "both broken"


def breaking_point(rates, p95_ms, error_rate, slo_p95_ms, max_error_rate=0.01):
    """The breaking point of a ramp: the lowest offered rate (req/s) at which the SLO is broken.

    rates, p95_ms (ms) and error_rate (fractions) are the rows of a ramp table, in any order.
    Returns math.nan when every step met the SLO (the ramp did not go far enough).
    """
    r = v.samples("rates", rates)
    p95 = np.asarray(p95_ms, dtype=float).ravel()
    errors = np.asarray(error_rate, dtype=float).ravel()
    if not (r.size == p95.size == errors.size):
        raise ValueError(f"rates, p95_ms and error_rate must have the same length, got {r.size}, {p95.size}, "
                         f"{errors.size}")
    broken = ~slo_met(p95, errors, slo_p95_ms, max_error_rate)
    return float(r[broken].min()) if broken.any() else math.nan


def leak_trend(times_s, memory_bytes):
    """Least-squares line through memory samples: slope (bytes/s), intercept (bytes), r_squared, p_value.

    times_s in seconds, memory_bytes in bytes (traced or resident), at least 3 samples with distinct times.
    """
    t = v.samples("times_s", times_s, allow_negative=True)
    m = v.samples("memory_bytes", memory_bytes)
    if t.size != m.size:
        raise ValueError(f"times_s and memory_bytes must have the same length, got {t.size} and {m.size}")
    if t.size < 3:
        raise ValueError(f"times_s must hold at least 3 samples, got {t.size}")
    if np.ptp(t) == 0:
        raise ValueError("times_s must not all be equal")
    from scipy import stats  # imported here: scipy.stats is slow to import

    fit = stats.linregress(t, m)
    r_squared = float(fit.rvalue ** 2) if np.isfinite(fit.rvalue) else 0.0
    return {"slope_bytes_per_s": float(fit.slope), "intercept_bytes": float(fit.intercept),
            "r_squared": r_squared, "p_value": float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0}


def is_leaking(times_s, memory_bytes, min_slope_bytes_per_s=10_000.0, max_p_value=0.01):
    """True when memory grows faster than min_slope_bytes_per_s and the trend is significant (p < max_p_value).

    The default threshold (10 kB/s, about 0.9 GB a day) ignores the few kB/s a fresh process uses while warming up.
    """
    v.non_negative("min_slope_bytes_per_s", min_slope_bytes_per_s)
    v.probability("max_p_value", max_p_value)
    fit = leak_trend(times_s, memory_bytes)
    return fit["slope_bytes_per_s"] > min_slope_bytes_per_s and fit["p_value"] < max_p_value


def paced_single_user(intended_s, service_time_s):
    """A tester with one connection that means to send request i at intended_s[i] but must wait for reply i-1.

    Returns (start_s, end_s) arrays: start = max(intended, previous end), end = start + service (seconds).
    """
    intended = v.samples("intended_s", intended_s)
    service = v.samples("service_time_s", service_time_s)
    if intended.size != service.size:
        raise ValueError(f"intended_s and service_time_s must have the same length, got {intended.size} and "
                         f"{service.size}")
    if np.any(np.diff(intended) < 0):
        raise ValueError("intended_s must be sorted (non-decreasing)")
    start, end = np.empty_like(intended), np.empty_like(intended)
    free_at = -math.inf
    for i, (when, work) in enumerate(zip(intended, service)):
        start[i] = max(when, free_at)
        end[i] = free_at = start[i] + work
    return start, end


def corrected_latencies(intended_s, end_s):
    """Latency as a user sees it, measured from when the request was meant to go: end - intended (seconds)."""
    intended = v.samples("intended_s", intended_s, allow_negative=True)
    end = v.samples("end_s", end_s, allow_negative=True)
    if intended.size != end.size:
        raise ValueError(f"intended_s and end_s must have the same length, got {intended.size} and {end.size}")
    if np.any(end < intended):
        raise ValueError("end_s must not come before intended_s")
    return end - intended


def backfill_latencies(latencies, expected_interval):
    """Coordinated-omission correction of recorded latencies when the intended gap between sends is known.

    A recorded latency L > expected_interval hid the requests that should have been sent while it waited: add
    L - k * expected_interval for k = 1, 2, ... while positive (the correction HdrHistogram applies). Same unit in
    and out; returns the recorded samples followed by the added ones.
    """
    recorded = v.samples("latencies", latencies)
    interval = v.positive("expected_interval", expected_interval)
    added = [L - k * interval for L in recorded for k in range(1, int(math.ceil(L / interval)))
             if L - k * interval > 0]
    return np.concatenate([recorded, np.asarray(added, dtype=float)])


def rate_profile(kind, duration_s, base_rps, peak_rps, spike_start_s=1.0, spike_s=1.0, dt=0.01):
    """Offered rate over time (req/s) on a grid of step dt (s). Returns (t_s, rate_rps).

    kind "ramp": linear from base_rps to peak_rps over duration_s; "spike": base_rps, peak_rps during
    [spike_start_s, spike_start_s + spike_s), then base_rps again; "steady": base_rps throughout.
    """
    if kind not in ("ramp", "spike", "steady"):
        raise ValueError(f"kind must be one of ('ramp', 'spike', 'steady'), got {kind!r}")
    duration = v.positive("duration_s", duration_s)
    base = v.non_negative("base_rps", base_rps)
    peak = v.non_negative("peak_rps", peak_rps)
    start = v.non_negative("spike_start_s", spike_start_s)
    length = v.non_negative("spike_s", spike_s)
    step = v.number("dt", dt, 0, duration, low_open=True)
    t = np.arange(0.0, duration, step)
    if kind == "ramp":
        rate = base + (peak - base) * t / duration
    elif kind == "spike":
        rate = np.where((t >= start) & (t < start + length), peak, base)
    else:
        rate = np.full_like(t, base)
    return t, rate


def fluid_queue(t_s, rate_rps, capacity_rps, queue_size, service_time_s=None):
    """A fluid model of a service with a bounded waiting queue in front, under an offered rate over time.

    Work arrives at rate_rps[i] and leaves at up to capacity_rps; what cannot be served waits, up to queue_size
    requests; beyond that it is dropped. t_s must be evenly spaced (s). service_time_s defaults to 1 / capacity_rps.
    Returns a dict of arrays: queue (requests waiting), latency_s (wait + service), served_rps, dropped_rps.
    """
    t = v.samples("t_s", t_s, allow_negative=True)
    rate = v.samples("rate_rps", rate_rps)
    if t.size != rate.size:
        raise ValueError(f"t_s and rate_rps must have the same length, got {t.size} and {rate.size}")
    if t.size < 2:
        raise ValueError("t_s must hold at least 2 points")
    dt = float(t[1] - t[0])
    if dt <= 0 or not np.allclose(np.diff(t), dt):
        raise ValueError("t_s must be evenly spaced and increasing")
    mu = v.positive("capacity_rps", capacity_rps)
    size = v.non_negative("queue_size", queue_size)
    service = 1 / mu if service_time_s is None else v.positive("service_time_s", service_time_s)
    queue = np.zeros_like(rate)
    served = np.zeros_like(rate)
    dropped = np.zeros_like(rate)
    q = 0.0
    for i, lam in enumerate(rate):
        backlog = q + lam * dt
        out = min(backlog, mu * dt)
        q = backlog - out
        overflow = max(q - size, 0.0)
        q -= overflow
        queue[i], served[i], dropped[i] = q, out / dt, overflow / dt
    return {"t_s": t, "rate_rps": rate, "queue": queue, "latency_s": queue / mu + service,
            "served_rps": served, "dropped_rps": dropped}


def recovery_time(t_s, values, after_s, normal):
    """How long after ``after_s`` (s) a series over time comes back to normal: the first t_s >= after_s whose value
    is <= normal, minus after_s (seconds). 0.0 if it is normal at once; math.nan if it never comes back.

    t_s: increasing times (s); values: the same length (a queue length, a latency ...), compared with ``normal``
    in their own unit. Used for a spike's recovery: the queue back to empty, or latency back to its level before.
    """
    t = v.samples("t_s", t_s, allow_negative=True)
    vals = v.samples("values", values, allow_negative=True)
    if t.size != vals.size:
        raise ValueError(f"t_s and values must have the same length, got {t.size} and {vals.size}")
    if np.any(np.diff(t) < 0):
        raise ValueError("t_s must be sorted (non-decreasing)")
    start = v.number("after_s", after_s)
    level = v.number("normal", normal)
    back = (t >= start) & (vals <= level)
    return float(t[back][0] - start) if back.any() else math.nan


def mm1_percentile_spread_ms(samples, arrival_rps, service_rate_rps, q=95, coverage=0.9):
    """Where the q-th percentile of ``samples`` M/M/1 response times lands, run after run: (low_ms, median_ms,
    high_ms), the central ``coverage`` interval and the median of the sampled percentile.

    The M/M/1 response time is exponential with rate mu - lambda. numpy's percentile of n samples sits at the
    0-based position h = q/100 * (n - 1), between two order statistics; the model gives it the fractional rank
    k = h + 1, whose probability level follows Beta(k, n + 1 - k) (exact at whole ranks, within about a
    millisecond of simulated numpy percentiles between them), and maps the level's quantiles through the
    exponential's inverse CDF -ln(1 - u) / (mu - lambda). samples: 2..1,000,000;
    0 <= arrival_rps < service_rate_rps; q in (0, 100); coverage in (0, 1).
    """
    from scipy.special import betaincinv

    n = v.integer("samples", samples, low=2, high=1_000_000)
    mu = v.positive("service_rate_rps", service_rate_rps)
    lam = v.number("arrival_rps", arrival_rps, 0, mu, high_open=True)
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    cover = v.number("coverage", coverage, 0, 1, low_open=True, high_open=True)
    k = q / 100 * (n - 1) + 1
    levels = betaincinv(k, n + 1 - k, np.array([(1 - cover) / 2, 0.5, (1 + cover) / 2]))
    low, median, high = 1000 * -np.log1p(-levels) / (mu - lam)
    return float(low), float(median), float(high)
