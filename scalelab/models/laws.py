"""Scaling laws: Amdahl's law and the Universal Scalability Law (USL), with a least-squares USL fit."""
import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as v


def amdahl_speedup(parallel_fraction, n):
    """Speed-up on n workers when a fraction p of the work runs in parallel: 1 / ((1 - p) + p / n).

    parallel_fraction in [0, 1]; n >= 1 (may be math.inf, giving the ceiling 1 / (1 - p)).
    """
    p = v.probability("parallel_fraction", parallel_fraction)
    n = v.number("n", n, 1, math.inf)
    if math.isinf(n):
        return math.inf if p == 1 else 1 / (1 - p)
    return 1 / ((1 - p) + p / n)


def amdahl_fit(n, speedup):
    """Least-squares parallel fraction p in [0, 1] for measured speed-ups at worker counts n."""
    from scipy.optimize import least_squares

    ns = v.samples("n", n)
    s = v.samples("speedup", speedup)
    if ns.size != s.size:
        raise ValueError(f"n and speedup must have the same length, got {ns.size} and {s.size}")
    if np.any(ns < 1):
        raise ValueError("n must contain worker counts >= 1")

    def residuals(params):
        return 1 / ((1 - params[0]) + params[0] / ns) - s

    return float(least_squares(residuals, [0.5], bounds=([0.0], [1.0])).x[0])


def usl_throughput(n, lam, sigma, kappa):
    """Universal Scalability Law: X(N) = lam * N / (1 + sigma (N - 1) + kappa N (N - 1)).

    n: workers (>= 1, scalar or array); lam: throughput of one worker (work per unit time, > 0);
    sigma: contention (serial fraction) >= 0; kappa: coherency (crosstalk) cost >= 0.
    """
    v.positive("lam", lam)
    v.non_negative("sigma", sigma)
    v.non_negative("kappa", kappa)
    arr = np.asarray(n, dtype=float)
    if arr.size == 0 or np.any(~np.isfinite(arr)) or np.any(arr < 1):
        raise ValueError(f"n must be >= 1, got {n!r}")
    x = lam * arr / (1 + sigma * (arr - 1) + kappa * arr * (arr - 1))
    return float(x) if np.ndim(x) == 0 else x


def usl_peak(sigma, kappa):
    """Worker count N* = sqrt((1 - sigma) / kappa) where USL throughput peaks (math.inf when kappa = 0)."""
    v.non_negative("sigma", sigma)
    v.non_negative("kappa", kappa)
    if kappa == 0:
        return math.inf
    return math.sqrt(max(1 - sigma, 0) / kappa)


def usl_peak_throughput(lam, sigma, kappa):
    """The highest USL throughput: X(N*) at the peak N* (N* taken as at least 1) when kappa > 0; with kappa = 0 the
    asymptote lam / sigma, approached and never reached (math.inf when sigma = 0 too). Same unit as lam."""
    peak = usl_peak(sigma, kappa)
    if math.isinf(peak):
        v.positive("lam", lam)
        return lam / sigma if sigma > 0 else math.inf
    return usl_throughput(max(peak, 1.0), lam, sigma, kappa)


@dataclass(frozen=True)
class USLFit:
    """A fitted USL: lam (throughput of one worker), sigma, kappa, the peak N* and the throughput there."""

    lam: float
    sigma: float
    kappa: float
    peak_n: float
    peak_throughput: float
    r_squared: float

    def predict(self, n):
        """Throughput the fit predicts at n workers."""
        return usl_throughput(n, self.lam, self.sigma, self.kappa)


def usl_fit(n, throughput):
    """Fit lam, sigma >= 0 and kappa >= 0 of the USL to measured (n, throughput) points by least squares.

    lam is fitted too (not taken from the first point). Needs at least 3 points with distinct n.
    """
    from scipy.optimize import least_squares

    ns = v.samples("n", n)
    xs = v.samples("throughput", throughput)
    if ns.size != xs.size:
        raise ValueError(f"n and throughput must have the same length, got {ns.size} and {xs.size}")
    if np.any(ns < 1):
        raise ValueError("n must contain worker counts >= 1")
    if np.unique(ns).size < 3:
        raise ValueError(f"usl_fit needs at least 3 distinct n, got {np.unique(ns).size}")
    if np.any(xs <= 0):
        raise ValueError("throughput must contain only values > 0")

    def residuals(params):
        lam, sigma, kappa = params
        return (lam * ns / (1 + sigma * (ns - 1) + kappa * ns * (ns - 1)) - xs) / xs.max()

    lam0 = float(xs[np.argmin(ns)] / ns.min())
    fit = least_squares(residuals, [lam0, 0.05, 0.001], bounds=([1e-12, 0, 0], [np.inf, np.inf, np.inf]))
    lam, sigma, kappa = (float(p) for p in fit.x)
    peak, peak_x = usl_peak(sigma, kappa), usl_peak_throughput(lam, sigma, kappa)
    ss_res = float(np.sum((usl_throughput(ns, lam, sigma, kappa) - xs) ** 2))
    ss_tot = float(np.sum((xs - xs.mean()) ** 2))
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return USLFit(lam, sigma, kappa, peak, peak_x, r2)
