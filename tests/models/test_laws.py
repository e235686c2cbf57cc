"""Lesson 04 models and views: scale-out capacity and failover (models.scaleout), the USL peak, the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scalelab.models import laws  # noqa: E402


def test_usl_peak_throughput():
    n = math.sqrt(0.95 / 0.001)  # N* = 30.82
    assert (laws.usl_peak_throughput(100, 0.05, 0.001)
            == pytest.approx(100 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1))))
    assert laws.usl_peak_throughput(100, 0.25, 0.0) == pytest.approx(400.0)  # kappa = 0: the ceiling lam / sigma
    assert laws.usl_peak_throughput(100, 0.0, 0.0) == math.inf
    assert laws.usl_peak_throughput(100, 1.5, 0.01) == pytest.approx(100.0)  # N* < 1: one worker is best
    with pytest.raises(ValueError, match="lam"):
        laws.usl_peak_throughput(0, 0.1, 0.0)


# ---------------------------------------------------------------------------------------------------- laws
def test_amdahl_textbook_values():
    assert laws.amdahl_speedup(0.95, math.inf) == pytest.approx(20)
    assert laws.amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    assert laws.amdahl_speedup(0.9, 10) == pytest.approx(1 / (0.1 + 0.09))
    assert laws.amdahl_speedup(0.0, 64) == pytest.approx(1)
    assert laws.amdahl_speedup(1.0, 8) == pytest.approx(8)
    assert laws.amdahl_speedup(1.0, math.inf) == math.inf
    assert laws.amdahl_speedup(0.7, 1) == pytest.approx(1)


def test_amdahl_fit_recovers_p():
    n = np.array([1, 2, 4, 8, 16])
    s = np.array([laws.amdahl_speedup(0.9, k) for k in n])
    assert laws.amdahl_fit(n, s) == pytest.approx(0.9, abs=1e-4)


def test_usl_values_and_special_cases():
    # sigma = kappa = 0: linear scaling
    assert laws.usl_throughput(8, 100, 0, 0) == pytest.approx(800)
    # sigma only: Amdahl-like, X(N) = lam N / (1 + sigma (N - 1))
    assert laws.usl_throughput(5, 10, 0.25, 0) == pytest.approx(50 / 2)
    assert laws.usl_throughput(4, 1, 0.1, 0.01) == pytest.approx(4 / (1 + 0.3 + 0.12))
    arr = laws.usl_throughput([1, 2], 10, 0.1, 0.0)
    assert isinstance(arr, np.ndarray) and arr[0] == pytest.approx(10)


def test_usl_peak():
    assert laws.usl_peak(0.0, 0.01) == pytest.approx(10)
    assert laws.usl_peak(0.19, 0.0009) == pytest.approx(30)
    assert laws.usl_peak(0.1, 0) == math.inf


def test_usl_fit_recovers_known_parameters():
    n = np.array([1, 2, 4, 8, 16, 32, 64])
    x = laws.usl_throughput(n, 1000, 0.05, 0.002)
    fit = laws.usl_fit(n, x)
    assert fit.lam == pytest.approx(1000, rel=1e-3)
    assert fit.sigma == pytest.approx(0.05, rel=1e-2)
    assert fit.kappa == pytest.approx(0.002, rel=1e-2)
    assert fit.peak_n == pytest.approx(math.sqrt(0.95 / 0.002), rel=1e-2)
    assert fit.r_squared == pytest.approx(1, abs=1e-6)
    assert fit.predict(10) == pytest.approx(laws.usl_throughput(10, 1000, 0.05, 0.002), rel=1e-3)


@pytest.mark.parametrize("call", [
    lambda: laws.amdahl_speedup(1.2, 4),
    lambda: laws.amdahl_speedup(-0.1, 4),
    lambda: laws.amdahl_speedup(0.5, 0.5),    # n < 1
    lambda: laws.amdahl_speedup(0.5, 0),
    lambda: laws.amdahl_fit([1, 2], [1.0]),
    lambda: laws.amdahl_fit([0.5, 2], [1.0, 1.5]),
    lambda: laws.usl_throughput(0, 10, 0.1, 0.1),
    lambda: laws.usl_throughput(2, -10, 0.1, 0.1),
    lambda: laws.usl_throughput(2, 10, -0.1, 0.1),
    lambda: laws.usl_throughput(2, 10, 0.1, -0.1),
    lambda: laws.usl_throughput([], 10, 0.1, 0.1),
    lambda: laws.usl_peak(-0.1, 0.1),
    lambda: laws.usl_fit([1, 2], [1, 2]),              # too few points
    lambda: laws.usl_fit([1, 1, 2, 2], [1, 1, 2, 2]),  # only 2 distinct n
    lambda: laws.usl_fit([1, 2, 3], [1, 2]),
    lambda: laws.usl_fit([1, 2, 3], [1, 0, 2]),
    lambda: laws.usl_fit([], []),
])
def test_laws_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()
