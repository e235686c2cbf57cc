"""The economics of scaling up: cost per unit of performance, the marginal cost of the next step, and what the same
performance costs on several small boxes instead of one big one.

Performance is in units of the baseline server (baseline = 1.0); cost in dollars. The course's cost table is
``scalelab.datasets.load_server_costs()``; nothing here reads a file.
"""
import math

import numpy as np

from .. import _validate as v


def _costs_and_performance(cost, performance):
    costs = v.samples("cost", cost)
    perf = v.samples("performance", performance)
    if costs.size != perf.size:
        raise ValueError(f"cost and performance must have the same length, got {costs.size} and {perf.size}")
    if np.any(perf <= 0):
        raise ValueError("performance must contain only values > 0")
    return costs, perf


def cost_per_performance(cost, performance):
    """Dollars per unit of performance for each tier: cost / performance (arrays of equal length, performance > 0)."""
    costs, perf = _costs_and_performance(cost, performance)
    return costs / perf


def marginal_cost(cost, performance):
    """Dollars per unit of performance GAINED by each step up: (cost[i+1] - cost[i]) / (perf[i+1] - perf[i]).

    Tiers in order of rising performance; returns one value per step (length - 1); math.inf if a step gains nothing.
    """
    costs, perf = _costs_and_performance(cost, performance)
    if costs.size < 2:
        raise ValueError("marginal_cost needs at least 2 tiers")
    gained = np.diff(perf)
    if np.any(gained < 0):
        raise ValueError("performance must not fall from one tier to the next")
    extra = np.diff(costs)
    with np.errstate(divide="ignore"):
        return np.where(gained > 0, extra / np.where(gained > 0, gained, 1), math.inf)


def cheapest_per_performance(cost, performance):
    """Index (0-based) of the tier with the lowest dollars per unit of performance (the first one on ties)."""
    return int(np.argmin(cost_per_performance(cost, performance)))


def scale_out_cost(performance, box_cost, box_performance=1.0, efficiency=1.0):
    """Dollars for enough identical boxes to reach ``performance`` (> 0) when each adds ``box_performance`` (> 0)
    times ``efficiency`` in (0, 1] (the share of a box's power that survives coordination). Whole boxes only."""
    target = v.positive("performance", performance)
    price = v.non_negative("box_cost", box_cost)
    each = v.positive("box_performance", box_performance)
    share = v.number("efficiency", efficiency, 0, 1, low_open=True)
    return math.ceil(target / (each * share) - 1e-9) * price


def upgrade_availability(upgrades_per_year, hours_per_upgrade):
    """Availability left after planned upgrade downtime: 1 - upgrades * hours / 8760 (hours in a 365-day year).

    upgrades_per_year >= 0; hours_per_upgrade >= 0; their product at most 8760.
    """
    count = v.non_negative("upgrades_per_year", upgrades_per_year)
    hours = v.non_negative("hours_per_upgrade", hours_per_upgrade)
    if count * hours > 8760:
        raise ValueError(f"upgrades_per_year * hours_per_upgrade must be <= 8760 hours, got {count * hours!r}")
    return 1 - count * hours / 8760
