"""The cost model: the seed's cost table, dollars per unit of performance, marginal cost, scale-out cost."""
import math

import numpy as np
import pytest

from scalelab.models import cost

COSTS = [1000, 2500, 8000, 25000]


PERF_MIN = [1, 2, 3, 5]


PERF_MAX = [1, 2, 4, 6]


def test_cost_per_performance_by_hand():
    # 1000/1, 2500/2, 8000/4, 25000/6
    assert np.allclose(cost.cost_per_performance(COSTS, PERF_MAX), [1000, 1250, 2000, 25000 / 6])
    assert np.allclose(cost.cost_per_performance(COSTS, PERF_MIN), [1000, 1250, 8000 / 3, 5000])
    assert cost.cheapest_per_performance(COSTS, PERF_MAX) == 0
    assert cost.cheapest_per_performance([10, 12], [1, 2]) == 1


def test_marginal_cost_rises_with_each_step():
    # (2500-1000)/1, (8000-2500)/2, (25000-8000)/2
    steps = cost.marginal_cost(COSTS, PERF_MAX)
    assert np.allclose(steps, [1500, 2750, 8500])
    assert np.all(np.diff(steps) > 0)
    assert math.isinf(cost.marginal_cost([1, 2], [3, 3])[0])


def test_scale_out_cost_counts_whole_boxes():
    assert cost.scale_out_cost(6, 1000) == 6000
    assert cost.scale_out_cost(5.5, 1000) == 6000
    assert cost.scale_out_cost(6, 1000, efficiency=0.75) == 8000
    assert cost.scale_out_cost(4, 2500, box_performance=2) == 5000


def test_upgrade_availability_by_hand():
    assert cost.upgrade_availability(0, 5) == 1
    assert cost.upgrade_availability(2, 4) == pytest.approx(1 - 8 / 8760)


@pytest.mark.parametrize("call, name", [
    (lambda: cost.cost_per_performance([1, 2], [1]), "same length"),
    (lambda: cost.cost_per_performance([1], [0]), "performance"),
    (lambda: cost.cost_per_performance([-1], [1]), "cost"),
    (lambda: cost.marginal_cost([1], [1]), "at least 2"),
    (lambda: cost.marginal_cost([1, 2], [2, 1]), "must not fall"),
    (lambda: cost.scale_out_cost(0, 1), "performance"),
    (lambda: cost.scale_out_cost(1, 1, efficiency=0), "efficiency"),
    (lambda: cost.scale_out_cost(1, 1, box_performance=-1), "box_performance"),
    (lambda: cost.upgrade_availability(-1, 1), "upgrades_per_year"),
    (lambda: cost.upgrade_availability(1000, 10), "8760"),
])
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()
