"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import math

import numpy as np
import pytest
from scipy import optimize, special

from scalelab.sim import balancers


# ------------------------------------------------------------------------------------------------ load balancing
def _gamma_inverse(n):
    return optimize.brentq(lambda x: special.gammaln(x) - math.log(n), 1.5, 50)


def test_one_choice_max_load_matches_gonnet():
    n = 20_000  # Gonnet: the expected maximum of n balls in n bins is Γ⁻¹(n) − 3/2 + o(1)
    g = np.random.default_rng(1)
    mean_max = np.mean([balancers.balls_into_bins(n, n, 1, rng=g).max() for _ in range(20)])
    assert abs(mean_max - (_gamma_inverse(n) - 1.5)) < 1.0
    assert mean_max > balancers.max_load_random(n)  # the leading term ln n / ln ln n understates it at this n


def test_two_choices_max_load_is_ln_ln_n_over_ln_2_plus_constant():
    g = np.random.default_rng(2)
    for n in (1_000, 20_000):
        two = balancers.balls_into_bins(n, n, 2, rng=g).max()
        assert balancers.max_load_d_choices(n, 2) - 1 <= two <= balancers.max_load_d_choices(n, 2) + 2
        assert balancers.balls_into_bins(n, n, 1, rng=g).max() >= two + 2


def test_balls_are_conserved_and_bad_input_named():
    assert balancers.balls_into_bins(500, 7, 3, rng=1).sum() == 500
    with pytest.raises(ValueError, match="choices"):
        balancers.balls_into_bins(10, 3, 4)
    with pytest.raises(ValueError, match="algorithm"):
        balancers.simulate("fastest", balancers.make_jobs(5, 0.5, [1, 1], rng=1), [1, 1])


def test_smooth_weighted_round_robin_sequence():
    assert balancers.smooth_weighted_round_robin([5, 1, 1], 7).tolist() == [0, 0, 1, 0, 2, 0, 0]  # Nginx's example


def test_fifo_server_matches_a_plain_loop():
    g = np.random.default_rng(3)
    arrivals, service = np.cumsum(g.exponential(1, 200)), g.exponential(0.9, 200)
    finish, last = [], 0.0
    for a, s in zip(arrivals, service):
        last = max(a, last) + s
        finish.append(last)
    assert np.allclose(balancers._fifo_finish(arrivals, service), finish)


def test_algorithms_on_uneven_servers():
    speeds = [1, 1, 1, 0.4]
    jobs = balancers.make_jobs(4000, 0.7, speeds, size_cv=1.5, rng=4)
    table = balancers.compare(jobs, speeds, rng=5).set_index("algorithm")
    assert table.loc["round_robin", "slowest_share"] == pytest.approx(0.25, abs=1e-3)
    assert table.loc["weighted_round_robin", "slowest_share"] == pytest.approx(0.4 / 3.4, abs=1e-3)
    # round robin sends the slow server 0.25 * 0.7 * 3.4 / 0.4 = 1.49 of its capacity: its queue grows without end
    assert table.loc["round_robin", "imbalance"] > 1.3
    assert table.loc["least_connections", "p99_ms"] < table.loc["round_robin", "p99_ms"] / 5
    assert table.loc["power_of_two", "p99_ms"] < table.loc["random", "p99_ms"]


def test_consistent_hash_is_stable_and_moves_few_keys():
    keys = np.arange(5000)
    before = balancers.ring_lookup(balancers.hash_ring(4, 100), keys)
    after = balancers.ring_lookup(balancers.hash_ring(5, 100), keys)
    assert np.array_equal(before, balancers.ring_lookup(balancers.hash_ring(4, 100), keys))
    moved = np.mean(before != after)
    assert 0.1 < moved < 0.3  # about 1/5 of the keys move to the new server, none between old ones
    assert np.all(after[before != after] == 4)
