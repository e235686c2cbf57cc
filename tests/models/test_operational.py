"""Operational laws and MVA against hand-computed values and a textbook closed form, and bad input."""
import math

import numpy as np
import pytest

from scalelab.models import operational as op

# A two-resource example worked by hand with the recursion of Lazowska et al., "Quantitative System Performance",
# ch. 6 (exact MVA): D_cpu = 0.2 s, D_disk = 0.1 s, no think time.
TWO = {"cpu": 0.2, "disk": 0.1}


def test_utilization_law():
    assert op.utilization(40, 0.015) == pytest.approx(0.6)          # 40 req/s x 15 ms = 60 % busy
    assert op.utilization(0, 0.5) == 0


def test_bottleneck_and_max_throughput():
    demands = {"web": 0.004, "app": 0.012, "db": 0.020, "disk": 0.008}
    assert op.bottleneck(demands) == "db"
    assert op.max_throughput(demands) == pytest.approx(50.0)        # 1 / 20 ms
    assert op.bottleneck({"a": 0.1, "b": 0.1}) == "a"               # ties: the first listed


def test_bounds_by_hand():
    # D = 0.044 s, D_max = 0.020 s, Z = 1 s: N* = 1.044 / 0.02 = 52.2
    demands = {"web": 0.004, "app": 0.012, "db": 0.020, "disk": 0.008}
    low = op.bounds(demands, 10, think_time=1.0)
    assert low.throughput_upper == pytest.approx(10 / 1.044)        # N / (D + Z) below N*
    assert low.response_lower == pytest.approx(0.044)                # D
    high = op.bounds(demands, 100, think_time=1.0)
    assert high.throughput_upper == pytest.approx(50.0)             # 1 / D_max above N*
    assert high.response_lower == pytest.approx(100 * 0.020 - 1.0)  # N D_max - Z = 1.0 s
    assert high.users_star == pytest.approx(52.2)
    assert high.bottleneck == "db"


def _mva_at(demands, n, think_time=0.0):
    """MVA's answer at N = n: the last point of mva_curve(demands, n)."""
    curve = op.mva_curve(demands, n, think_time)
    return (curve["throughput"][-1], curve["response_time"][-1],
            {k: q[-1] for k, q in curve["queue_lengths"].items()})


def test_mva_two_resources_by_hand():
    # n = 1: R = 0.2 + 0.1 = 0.3, X = 1 / 0.3, Q = (2/3, 1/3)
    # n = 2: R_cpu = 0.2 (1 + 2/3) = 1/3, R_disk = 0.1 (1 + 1/3) = 2/15, R = 7/15, X = 30/7, Q = (10/7, 4/7)
    # n = 3: R_cpu = 0.2 (17/7) = 17/35, R_disk = 0.1 (11/7) = 11/70, R = 45/70 = 9/14, X = 14/3,
    #        Q_cpu = 14/3 * 17/35 = 34/15, Q_disk = 14/3 * 11/70 = 11/15
    x, _, q = _mva_at(TWO, 1)
    assert x == pytest.approx(1 / 0.3)
    assert q == pytest.approx({"cpu": 2 / 3, "disk": 1 / 3})
    x, r, _ = _mva_at(TWO, 2)
    assert r == pytest.approx(7 / 15)
    assert x == pytest.approx(30 / 7)
    x, r, q = _mva_at(TWO, 3)
    assert r == pytest.approx(9 / 14)
    assert x == pytest.approx(14 / 3)
    assert q["cpu"] == pytest.approx(34 / 15)
    assert q["disk"] == pytest.approx(11 / 15)
    assert sum(q.values()) == pytest.approx(3)      # every user is somewhere


def test_mva_with_think_time_by_hand():
    # D = {0.5}, Z = 1.5: n = 1: R = 0.5, X = 1/2, Q = 1/4; n = 2: R = 0.5 * 1.25 = 0.625, X = 2 / 2.125 = 16/17
    x, r, q = _mva_at({"cpu": 0.5}, 2, think_time=1.5)
    assert r == pytest.approx(0.625)
    assert x == pytest.approx(16 / 17)
    assert q["cpu"] == pytest.approx(16 / 17 * 0.625)


def _machine_repairman_throughput(n, service, think):
    """Textbook closed form of the finite-source M/M/1//N queue (Kleinrock vol. 1, 3.8): X = (1 - P0) / S."""
    terms = [math.factorial(n) / math.factorial(n - k) * (service / think) ** k for k in range(n + 1)]
    return (1 - 1 / sum(terms)) / service


@pytest.mark.parametrize("n", [1, 3, 8, 20])
def test_mva_of_one_queue_matches_the_machine_repairman_formula(n):
    assert _mva_at({"server": 0.05}, n, think_time=0.4)[0] == pytest.approx(
        _machine_repairman_throughput(n, 0.05, 0.4), rel=1e-9)


def test_mva_lies_within_the_bounds_and_approaches_them():
    demands = {"web": 0.004, "app": 0.012, "db": 0.020, "disk": 0.008}
    curve = op.mva_curve(demands, 200, think_time=1.0)
    assert np.all(curve["throughput"] <= curve["throughput_upper"] + 1e-12)
    assert np.all(curve["response_time"] >= curve["response_lower"] - 1e-12)
    assert curve["throughput"][-1] == pytest.approx(50.0, rel=0.01)      # saturates at 1 / D_max
    # the bottleneck holds most of the queue once saturated
    assert curve["queue_lengths"]["db"][-1] > 0.9 * (200 - 50 * 1.0)


def test_demands_from_busy_time():
    # 2 s of CPU and 6 s of pool connection time over 400 requests; the pool has 4 connections
    d = op.demands_from_busy({"cpu": 2.0, "pool": 6.0}, 400, servers={"pool": 4})
    assert d == pytest.approx({"cpu": 0.005, "pool": 0.00375})


@pytest.mark.parametrize("call, word", [
    (lambda: op.utilization(-1, 0.1), "throughput"),
    (lambda: op.utilization(1, -0.1), "demand"),
    (lambda: op.bottleneck({}), "demands"),
    (lambda: op.bottleneck({"cpu": -1}), "demands['cpu']"),
    (lambda: op.max_throughput({"cpu": 0, "db": 0}), "demands"),
    (lambda: op.bounds(TWO, 0), "users"),
    (lambda: op.bounds(TWO, 2.5), "users"),
    (lambda: op.bounds(TWO, 2, think_time=-1), "think_time"),
    (lambda: op.mva_curve([0.1, 0.2], 3), "demands"),
    (lambda: op.mva_curve({"cpu": float("nan")}, 3), "demands['cpu']"),
    (lambda: op.mva_curve(TWO, 0), "max_users"),
    (lambda: op.demands_from_busy({"cpu": 1}, 0), "completions"),
    (lambda: op.demands_from_busy({"cpu": 1}, 10, servers={"cpu": 0}), "servers['cpu']"),
])
def test_bad_input_names_the_argument(call, word):
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        call()
