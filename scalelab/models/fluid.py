"""The fluid model of a queue (lesson 11): work arrives at a rate that changes in phases and is served at a fixed
rate; the backlog grows at (arrival rate − service rate) while it is positive. It ignores randomness, so it gives the
size of a burst's backlog, not the jitter around it.

Rates in requests per second, times in seconds, depths in requests.
"""
import numpy as np

from .. import _validate as v


def _phases(phases):
    checked = [(v.non_negative("phase duration_s", d), v.non_negative("phase rate_rps", r)) for d, r in phases]
    if not checked:
        raise ValueError("phases must hold at least one (duration_s, rate_rps) pair")
    return checked


def trajectory(phases, service_rps, initial=0.0):
    """The backlog's corners: (times, depths) arrays such that the backlog is linear between them (phase
    boundaries and the moments it empties), ending where the last phase ends or the backlog empties after it."""
    phases = _phases(phases)
    mu = v.non_negative("service_rps", service_rps)
    q, t = v.non_negative("initial", initial), 0.0
    times, depths = [0.0], [q]
    for duration, rate in phases + [(np.inf, 0.0)]:
        slope = rate - mu
        if slope < 0 and q > 0 and q / -slope < duration:
            t_zero = t + q / -slope
            times.append(t_zero)
            depths.append(0.0)
            q = 0.0
        if not np.isfinite(duration):
            break
        q = max(0.0, q + slope * duration) if q > 0 or slope > 0 else 0.0
        t += duration
        times.append(t)
        depths.append(q)
    return np.array(times), np.array(depths)


def depth(t_s, phases, service_rps, initial=0.0):
    """Backlog at each time in ``t_s`` (s): phases is a sequence of (duration_s, rate_rps), one after the other
    from t = 0 (after the last phase nothing arrives); service_rps: requests/s the workers finish while busy."""
    times, depths = trajectory(phases, service_rps, initial)
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    out = np.interp(t, times, depths)
    last_t, last_q, mu = times[-1], depths[-1], float(service_rps)
    after = t > last_t
    if np.any(after):  # only the last phase's leftover is still draining
        out[after] = np.maximum(0.0, last_q - mu * (t[after] - last_t)) if mu > 0 else last_q
    return out


def peak(phases, service_rps, initial=0.0):
    """(largest backlog, time it is reached): the backlog is piecewise linear, so it peaks at a phase boundary."""
    phases = _phases(phases)
    ends = np.concatenate([[0.0], np.cumsum([d for d, _ in phases])])
    depths = depth(ends, phases, service_rps, initial)
    i = int(np.argmax(depths))
    return float(depths[i]), float(ends[i])


def drain_time(phases, service_rps, initial=0.0):
    """Time (s, from t = 0) when the backlog is empty for good; 0 if it never builds, inf if it never empties
    (service_rps = 0 with work left)."""
    phases = _phases(phases)
    mu = v.non_negative("service_rps", service_rps)
    q, start, empty_at = v.non_negative("initial", initial), 0.0, 0.0
    for duration, rate in phases:
        if q > 0 or rate > mu:
            if rate >= mu:
                q += (rate - mu) * duration
            else:
                hits_zero = q / (mu - rate)
                if hits_zero <= duration:
                    empty_at, q = start + hits_zero, 0.0
                else:
                    q -= (mu - rate) * duration
        start += duration
    if q == 0:
        return float(empty_at)
    return start + q / mu if mu > 0 else float("inf")
