"""Models and widgets of functional scaling: chain availability, fan-out tails, per-service scaling, team sizes."""
import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab.models import microservices as ms  # noqa: E402


def test_chain_availability_multiplies_along_the_chain():
    assert ms.chain_availability(1, 0.999) == pytest.approx(0.999)
    assert ms.chain_availability(5, 0.999) == pytest.approx(0.995009990005, rel=1e-12)
    assert ms.chain_availability(10, 0.99) == pytest.approx(0.904382075, rel=1e-9)


def test_replicas_make_each_link_stronger():
    assert ms.chain_availability(5, 0.999, replicas=2) == pytest.approx((1 - 1e-6) ** 5, rel=1e-12)
    assert ms.chain_availability(3, 0.99, replicas=3) == pytest.approx(0.999997000003, rel=1e-12)
    assert ms.chain_availability(4, 1.0, replicas=2) == 1.0
    assert ms.chain_availability(4, 0.0, replicas=3) == 0.0


def test_chain_latency_adds_a_hop_and_the_work_per_service():
    assert ms.chain_latency_ms(4, 1.5, 0.5) == pytest.approx(8.0)
    assert ms.chain_latency_ms(1, 0.0) == 0.0


def test_fanout_slow_chance_is_one_minus_all_fast():
    assert ms.fanout_slow_chance(1, 0.01) == pytest.approx(0.01)
    assert ms.fanout_slow_chance(100, 0.01) == pytest.approx(0.6339676587, rel=1e-9)  # "the tail at scale"
    assert ms.fanout_slow_chance(10, 0.0) == 0.0
    assert ms.fanout_slow_chance(3, 1.0) == 1.0


def test_percentiles_of_the_slowest_call():
    assert ms.per_call_percentile_of_max(99, 1) == pytest.approx(99)
    assert ms.per_call_percentile_of_max(99, 4) == pytest.approx(99.74906, rel=1e-6)
    assert ms.per_call_percentile_of_max(50, 2) == pytest.approx(70.710678, rel=1e-6)
    assert ms.fanout_percentile_exponential(1.0, 50, 1) == pytest.approx(math.log(2))
    assert ms.fanout_percentile_exponential(2.0, 99, 1) == pytest.approx(2 * math.log(100))
    assert ms.fanout_percentile_exponential(1.0, 99, 4) > ms.fanout_percentile_exponential(1.0, 99, 1)
    assert ms.fanout_percentile_bimodal(2, 30, 0.005, 1) == 2
    assert ms.fanout_percentile_bimodal(2, 30, 0.005, 4) == 30  # 1.99 % of requests meet a slow call
    assert ms.fanout_percentile_bimodal(2, 30, 0.005, 4, q=50) == 2


def test_independent_scaling_vs_the_monolith():
    plan = ms.independent_scaling([1000, 100, 50], [100, 100, 100], [100, 200, 100])
    assert plan.service_instances == (10, 1, 1)
    assert plan.microservices_instances == 12 and plan.microservices_cost == 1300.0
    assert plan.monolith_instances == 10 and plan.monolith_cost == 4000.0
    assert plan.saving == 2700.0
    redundant = ms.independent_scaling([1000, 100, 50], [100, 100, 100], [100, 200, 100], min_instances=2)
    assert redundant.service_instances == (10, 2, 2) and redundant.microservices_cost == 1600.0
    assert ms.independent_scaling([300], [100], [50]).service_instances == (3,)  # exactly full: no extra instance
    even = ms.independent_scaling([100, 100], [100, 100], [100, 100], min_instances=2, monolith_instance_cost=150)
    assert even.monolith_cost == 300.0 and even.microservices_cost == 400.0 and even.saving < 0


def test_teams_and_communication_paths():
    assert ms.communication_paths(40) == 780
    assert ms.communication_paths(40, teams=5) == 5 * 28 + 10
    assert ms.communication_paths(10, teams=3) == 6 + 3 + 3 + 3
    assert ms.communication_paths(1) == 0
    assert ms.two_pizza_teams(40) == 5 and ms.two_pizza_teams(8) == 1 and ms.two_pizza_teams(9) == 2
    assert ms.two_pizza_teams(20, max_team_size=10) == 2


@pytest.mark.parametrize("call, argument", [
    (lambda: ms.chain_availability(0, 0.9), "services"),
    (lambda: ms.chain_availability(3, 1.5), "availability"),
    (lambda: ms.chain_availability(3, 0.9, replicas=0), "replicas"),
    (lambda: ms.chain_latency_ms(2, -1), "per_hop_ms"),
    (lambda: ms.fanout_slow_chance(2, -0.1), "p_slow"),
    (lambda: ms.per_call_percentile_of_max(100, 2), "q"),
    (lambda: ms.fanout_percentile_exponential(-1, 99, 2), "mean_ms"),
    (lambda: ms.fanout_percentile_bimodal(2, 30, 0.1, 2, q=0), "q"),
    (lambda: ms.independent_scaling([1, 2], [1], [1, 1]), "one value per service"),
    (lambda: ms.independent_scaling([], [], []), "one value per service"),
    (lambda: ms.independent_scaling([1], [0], [1]), "capacity_rps"),
    (lambda: ms.independent_scaling([-1], [1], [1]), "loads_rps"),
    (lambda: ms.independent_scaling([1], [1], [1], min_instances=0), "min_instances"),
    (lambda: ms.communication_paths(5, teams=6), "teams"),
    (lambda: ms.two_pizza_teams(0), "developers"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
