"""Capacity planning models (scalelab.models.capacity), the course's tier and phase tables, and lesson 08's widget."""
import math

import pytest

from scalelab import datasets
from scalelab.models import availability, capacity, queueing

TIERS = datasets.load_scale_tiers()


def test_scaling_phases_and_path():
    phases = datasets.load_scaling_phases()
    assert list(phases["name"]) == ["foundation", "growth", "scale", "optimization"]
    assert list(phases["min_users"]) == [0, 10_000, 100_000, 1_000_000]
    assert math.isinf(phases["max_users"].iloc[-1])
    path = datasets.load_scaling_path()
    assert tuple(path["name"]) == capacity.SCALING_PATH
    assert set(path["phase"]) <= set(phases["name"])
    assert all(step in capacity.SCALING_PATH for step, _ in capacity.SYMPTOM_RULES.values())


@pytest.mark.parametrize("target, per_server, util, headroom, expected", [
    (100, 400, 0.7, 0.0, 1),          # 100 / 280 -> 1
    (10_000, 400, 0.7, 0.0, 36),      # 35.7 -> 36
    (100_000, 400, 0.7, 0.0, 358),    # 357.1 -> 358
    (700, 100, 0.7, 0.0, 10),         # exactly 10: no extra server from rounding noise
    (1_000, 100, 0.7, 0.3, 19),       # 1300 / 70 = 18.6 -> 19
    (1_000, 100, 1.0, 0.0, 10),
    (0, 100, 0.7, 0.0, 1),            # at least one server
])
def test_servers_needed(target, per_server, util, headroom, expected):
    assert capacity.servers_needed(target, per_server, util, headroom) == expected


def test_servers_needed_rejects_bad_input():
    with pytest.raises(ValueError, match="per_server_rps"):
        capacity.servers_needed(100, 0)
    with pytest.raises(ValueError, match="utilization"):
        capacity.servers_needed(100, 10, utilization=0)
    with pytest.raises(ValueError, match="utilization"):
        capacity.servers_needed(100, 10, utilization=1.2)
    with pytest.raises(ValueError, match="headroom"):
        capacity.servers_needed(100, 10, headroom=-0.1)
    with pytest.raises(ValueError, match="target_rps"):
        capacity.servers_needed(-1, 10)


def test_planned_utilization():
    assert capacity.planned_utilization(10_000, 400, 36) == pytest.approx(10_000 / 14_400)
    with pytest.raises(ValueError, match="servers"):
        capacity.planned_utilization(100, 10, 0)


def test_capacity_from_sweep_stops_at_the_first_failure():
    rates = [20, 60, 100, 140, 180]
    p95 = [12, 20, 35, 70, 40]          # 140 fails; 180 "passing" by luck does not count
    errors = [0, 0, 0, 0, 0]
    assert capacity.capacity_from_sweep(rates, p95, errors, 50) == 100
    assert capacity.capacity_from_sweep(rates[::-1], p95[::-1], errors, 50) == 100   # order does not matter
    assert capacity.capacity_from_sweep(rates, p95, [0, 0, 0.01, 0, 0], 50) == 60   # 1 % errors fail
    assert capacity.capacity_from_sweep(rates, [60, 70, 80, 90, 99], errors, 50) == 0.0
    assert capacity.capacity_from_sweep([10, 20], [5, float("nan")], [0, 1], 50) == 10


def test_capacity_from_sweep_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        capacity.capacity_from_sweep([1, 2], [1], [0, 0], 50)
    with pytest.raises(ValueError, match="p95_target_ms"):
        capacity.capacity_from_sweep([1], [1], [0], 0)


def test_max_rate_for_p95_inverts_the_percentile():
    # M/M/1, 10 ms: P95 <= 50 ms needs mu - lambda >= ln 20 / 0.05 = 59.9 -> lambda <= 40.1 req/s.
    assert capacity.max_rate_for_p95(0.01, 1, 0.05) == pytest.approx(100 - math.log(20) / 0.05, rel=1e-6)
    rate = capacity.max_rate_for_p95(0.01, 2, 0.05)
    assert queueing.response_time_percentile(rate, 100, 2) == pytest.approx(0.05, rel=1e-6)
    assert capacity.meets_p95(rate * 0.99, 0.01, 2, 0.05) and not capacity.meets_p95(rate * 1.01, 0.01, 2, 0.05)
    assert capacity.max_rate_for_p95(0.1, 1, 0.05) == 0.0   # an idle server already misses


def test_costs():
    assert capacity.monthly_cost(36, 27.78) == pytest.approx(1000.08)
    assert capacity.monthly_cost(0, 100) == 0
    assert capacity.hourly_to_monthly(0.2) == pytest.approx(146.0)
    assert capacity.amortized_monthly(1000, 36) == pytest.approx(27.777, rel=1e-3)
    assert capacity.amortized_monthly(1200, 12, running_per_month=50) == pytest.approx(150)
    with pytest.raises(ValueError, match="servers"):
        capacity.monthly_cost(1.5, 10)
    with pytest.raises(ValueError, match="price_per_hour"):
        capacity.hourly_to_monthly(-1)
    with pytest.raises(ValueError, match="months"):
        capacity.amortized_monthly(1000, 0)


@pytest.mark.parametrize("a, minutes", [(0.995, 219.0), (0.999, 43.8), (0.9995, 21.9), (0.9999, 4.38), (1.0, 0.0)])
def test_downtime_minutes_per_month(a, minutes):
    assert capacity.downtime_minutes_per_month(a) == pytest.approx(minutes)


def test_copies_for_availability():
    assert capacity.copies_for_availability(0.999, 0.99) == 2      # 1 - 0.01^2 = 0.9999
    assert capacity.copies_for_availability(0.99, 0.99) == 1
    assert capacity.copies_for_availability(0.9999, 0.9) == 4
    n = capacity.copies_for_availability(0.99999, 0.95)
    assert availability.parallel(*[0.95] * n) >= 0.99999 > availability.parallel(*[0.95] * (n - 1))
    with pytest.raises(ValueError, match="target"):
        capacity.copies_for_availability(1.0, 0.9)
    with pytest.raises(ValueError, match="single"):
        capacity.copies_for_availability(0.9, 0)


@pytest.mark.parametrize("rps, tier", [(50, "small"), (100, "small"), (500, "medium"), (10_000, "medium"),
                                       (50_000, "large"), (250_000, "enterprise")])
def test_tier_for_rps(rps, tier):
    assert capacity.tier_for_rps(rps, TIERS) == tier


def test_plan_tiers():
    # users / 10 s: 100, 10 000, 100 000 and (open range: the floor of 1 000 000 users) 100 000 req/s
    frame = capacity.plan_tiers(capacity_rps=400, price_per_server_month=100, tiers=TIERS)
    assert list(frame["peak_rps"]) == [100, 10_000, 100_000, 100_000]
    assert list(frame["servers_for_load"]) == [1, 25, 250, 250]
    assert list(frame["one_server_down"]) == [2, 26, 251, 251]
    # three zones, two of which carry the load: ceil(load / 800) per zone
    assert list(frame["one_zone_down"]) == [3, 39, 375, 375]
    assert list(frame["cost_one_zone_down_usd"]) == [300, 3_900, 37_500, 37_500]
    own = capacity.plan_tiers({"small": 100, "medium": 200, "large": 250, "enterprise": 500}, 1, TIERS, think_time_s=5)
    assert list(own["peak_rps"]) == [200, 20_000, 200_000, 200_000]
    assert list(own["servers_for_load"]) == [2, 100, 800, 400]
    assert capacity.planning_rps(5, math.inf) == 5
    with pytest.raises(ValueError, match="max_rps"):
        capacity.planning_rps(10, 5)
    with pytest.raises(ValueError, match="capacity_rps"):
        capacity.plan_tiers({"small": 0, "medium": 1, "large": 1, "enterprise": 1}, 1, TIERS)


def test_users_to_requests_and_failure_headroom():
    assert capacity.peak_rps_from_users(1_000, 10) == 100
    assert capacity.peak_rps_from_users(1_000, 9.5, response_time_s=0.5) == 100
    assert capacity.servers_for_one_server_down(1_000, 100) == 11      # exact multiple: 10 + 1
    assert capacity.servers_for_one_server_down(0, 100) == 2
    assert capacity.servers_for_one_zone_down(1_000, 100, zones=3) == 15   # 5 per zone, 2 zones carry 1 000
    assert capacity.servers_for_one_zone_down(1_000, 100, zones=2) == 20
    assert capacity.servers_for_one_zone_down(10, 100, zones=4) == 4
    with pytest.raises(ValueError, match="think_time_s"):
        capacity.peak_rps_from_users(10, 0)
    with pytest.raises(ValueError, match="zones"):
        capacity.servers_for_one_zone_down(10, 100, zones=1)


@pytest.mark.parametrize("symptoms, done, step", [
    (["single_server_cpu_saturated"], [], "load_balancer"),
    (["repeated_reads_of_same_data"], ["monolith", "load_balancer"], "caching_layer"),
    (["database_read_load_high", "repeated_reads_of_same_data"], ["monolith", "load_balancer"], "caching_layer"),
    (["database_read_load_high"], ["monolith", "load_balancer", "caching_layer"], "read_replicas"),
    (["traffic_swings_daily"], [], "horizontal_scaling"),
    (["teams_block_each_others_deploys"], [], "microservices"),
    (["database_write_load_high"], [], "data_partitioning"),
    (["repeated_reads_of_same_data"], ["monolith", "load_balancer", "caching_layer"], "read_replicas"),
    ("single_point_of_failure", [], "load_balancer"),
    ([], [], None),
])
def test_next_phase(symptoms, done, step):
    assert capacity.next_phase(symptoms, done) == step


def test_next_phase_rejects_unknown_names():
    with pytest.raises(ValueError, match="symptoms"):
        capacity.next_phase(["slow"])
    with pytest.raises(ValueError, match="done"):
        capacity.next_phase(["traffic_swings_daily"], done=["kubernetes"])
    with pytest.raises(ValueError, match="symptom"):
        capacity.why("slow")
    assert "read" in capacity.why("database_read_load_high")


def test_plan_p95_check_by_hand():
    plan = capacity.plan_tiers(capacity_rps=100, price_per_server_month=1, tiers=TIERS)
    check = capacity.plan_p95_check(plan, 0.01, 1, zones=3).set_index("tier")
    small = check.loc["small"]   # 100 req/s: 2 servers with one spare, 3 over 3 zones
    assert small["all_up_rps"] == pytest.approx(50) and small["one_server_down_rps"] == pytest.approx(100)
    assert small["one_zone_down_rps"] == pytest.approx(50)
    assert small["all_up_p95_ms"] == pytest.approx(1000 * math.log(20) / 50)   # M/M/1 at 50 of 100 req/s
    assert math.isinf(small["one_server_down_p95_ms"])                       # 100 of 100 req/s: unstable
    with pytest.raises(ValueError, match="plan"):
        capacity.plan_p95_check(plan.drop(columns="one_zone_down"), 0.01, 1)
