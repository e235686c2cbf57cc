"""Capacity planning models (scalelab.models.capacity), the course's tier and phase tables, and lesson 08's widget."""
import heapq
import math

import numpy as np
import pytest

from scalelab.models import availability, capacity, queueing


# --- tables ---------------------------------------------------------------------------------------------------

def test_scale_tiers_hold_the_four_baselines():
    tiers = capacity.load_scale_tiers()
    assert list(tiers["tier"]) == ["small", "medium", "large", "enterprise"]
    assert list(tiers["p95_ms"]) == [50, 100, 150, 200]
    assert list(tiers["availability"]) == [0.995, 0.999, 0.9995, 0.9999]
    assert list(tiers["min_rps"]) == [100, 1_000, 10_000, 100_000]
    assert list(tiers["max_rps"][:3]) == [100, 10_000, 100_000] and math.isinf(tiers["max_rps"].iloc[3])
    assert math.isinf(tiers["max_users"].iloc[3])
    assert (tiers["min_rps"] <= tiers["max_rps"]).all()


def test_scaling_phases_and_path():
    phases = capacity.load_scaling_phases()
    assert list(phases["name"]) == ["foundation", "growth", "scale", "optimization"]
    assert list(phases["min_users"]) == [0, 10_000, 100_000, 1_000_000]
    assert math.isinf(phases["max_users"].iloc[-1])
    path = capacity.load_scaling_path()
    assert tuple(path["name"]) == capacity.SCALING_PATH
    assert set(path["phase"]) <= set(phases["name"])
    assert all(step in capacity.SCALING_PATH for step, _ in capacity.SYMPTOM_RULES.values())


def test_loader_rejects_a_table_without_its_columns(tmp_path):
    bad = tmp_path / "tiers.csv"
    bad.write_text("tier,p95_ms\nsmall,50\n")
    with pytest.raises(ValueError, match="columns"):
        capacity.load_scale_tiers(bad)


# --- servers --------------------------------------------------------------------------------------------------

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


# --- P95 with M/M/c --------------------------------------------------------------------------------------------

def test_waiting_time_tail_is_erlang_c_times_an_exponential():
    lam, mu, c = 150.0, 100.0, 2
    erlang = queueing.erlang_c(lam, mu, c)
    assert capacity.waiting_time_tail(0, lam, mu, c) == pytest.approx(erlang)
    assert capacity.waiting_time_tail(0.01, lam, mu, c) == pytest.approx(erlang * math.exp(-50 * 0.01))


def test_mm1_response_percentile_matches_the_textbook():
    # M/M/1: T ~ Exp(mu - lambda), so P95 = ln(20) / (mu - lambda).
    assert capacity.response_time_percentile(50, 100, 1) == pytest.approx(math.log(20) / 50, rel=1e-9)
    assert capacity.response_time_percentile(50, 100, 1, q=50) == pytest.approx(math.log(2) / 50, rel=1e-9)
    assert capacity.response_time_tail(0.02, 50, 100, 1) == pytest.approx(math.exp(-1))


def test_idle_server_percentile_is_the_service_time_percentile():
    for c in (1, 2, 8):
        assert capacity.response_time_percentile(0, 100, c) == pytest.approx(math.log(20) / 100, rel=1e-9)


def test_tail_handles_theta_equal_to_mu():
    # c = 2, mu = 1, lambda = 1: theta = 2 - 1 = 1 = mu. Erlang C = 1/3; P(T > t) = (2/3) e^-t + (1/3)(1 + t) e^-t.
    t = 1.5
    expected = (2 / 3) * math.exp(-t) + (1 / 3) * (1 + t) * math.exp(-t)
    assert capacity.response_time_tail(t, 1.0, 1.0, 2) == pytest.approx(expected, rel=1e-9)
    assert capacity.response_time_tail(t, 1.0 + 1e-7, 1.0, 2) == pytest.approx(expected, rel=1e-5)


def _simulated_mmc_p95(lam, mu, c, n=80_000, seed=7):
    generator = np.random.default_rng(seed)
    arrivals = np.cumsum(generator.exponential(1 / lam, n))
    services = generator.exponential(1 / mu, n)
    free = [0.0] * c
    responses = np.empty(n)
    for i in range(n):
        start = max(arrivals[i], heapq.heappop(free))
        end = start + services[i]
        heapq.heappush(free, end)
        responses[i] = end - arrivals[i]
    return float(np.percentile(responses[n // 10:], 95))


def test_mmc_percentile_agrees_with_a_simulation():
    lam, mu, c = 170.0, 100.0, 2
    assert capacity.response_time_percentile(lam, mu, c) == pytest.approx(_simulated_mmc_p95(lam, mu, c), rel=0.06)


def test_percentile_grows_with_load_and_is_infinite_when_unstable():
    values = [capacity.response_time_percentile(lam, 100, 2) for lam in (0, 50, 100, 150, 190)]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert math.isinf(capacity.response_time_percentile(200, 100, 2))
    with pytest.raises(ValueError, match="q"):
        capacity.response_time_percentile(10, 100, 2, q=100)
    with pytest.raises(ValueError, match="servers"):
        capacity.response_time_percentile(10, 100, 0)


def test_max_rate_for_p95_inverts_the_percentile():
    # M/M/1, 10 ms: P95 <= 50 ms needs mu - lambda >= ln 20 / 0.05 = 59.9 -> lambda <= 40.1 req/s.
    assert capacity.max_rate_for_p95(0.01, 1, 0.05) == pytest.approx(100 - math.log(20) / 0.05, rel=1e-6)
    rate = capacity.max_rate_for_p95(0.01, 2, 0.05)
    assert capacity.response_time_percentile(rate, 100, 2) == pytest.approx(0.05, rel=1e-6)
    assert capacity.meets_p95(rate * 0.99, 0.01, 2, 0.05) and not capacity.meets_p95(rate * 1.01, 0.01, 2, 0.05)
    assert capacity.max_rate_for_p95(0.1, 1, 0.05) == 0.0   # an idle server already misses


# --- money and availability ----------------------------------------------------------------------------------------

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


# --- tiers ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rps, tier", [(50, "small"), (100, "small"), (500, "medium"), (10_000, "medium"),
                                       (50_000, "large"), (250_000, "enterprise")])
def test_tier_for_rps(rps, tier):
    assert capacity.tier_for_rps(rps) == tier


def test_plan_tiers():
    frame = capacity.plan_tiers(per_server_rps=400, price_per_server_month=100)
    assert list(frame["planned_rps"]) == [100, 10_000, 100_000, 100_000]
    assert list(frame["servers"]) == [1, 36, 358, 358]
    assert list(frame["monthly_cost_usd"]) == [100, 3_600, 35_800, 35_800]
    assert (frame["utilization_at_target"] <= 0.7 + 1e-12).all()
    assert capacity.planning_rps(5, math.inf) == 5
    with pytest.raises(ValueError, match="max_rps"):
        capacity.planning_rps(10, 5)


# --- next phase -------------------------------------------------------------------------------------------------

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


# --- widget -------------------------------------------------------------------------------------------------------

def test_plan_compute_is_consistent():
    from scalelab.widgets import capacity as view

    result = view.plan(target_rps=10_000, p95_target_ms=100, headroom=0.3, per_server_rps=150, price_per_month=30)
    assert result["servers"] == capacity.servers_needed(10_000, 150, 0.7, 0.3)
    assert result["monthly_cost_usd"] == pytest.approx(result["servers"] * 30)
    assert result["meets_p95"] == (result["model_p95_ms"] <= 100)
    overloaded = view.plan(target_rps=10_000, p95_target_ms=100, headroom=0.0, per_server_rps=2000,
                           price_per_month=30, service_time_ms=10, workers=1)
    assert math.isinf(overloaded["model_p95_ms"]) and not overloaded["meets_p95"]


def test_planner_widget_redraws_headlessly():
    from scalelab.widgets import capacity as view

    explorer = view.planner()
    before, renders = explorer.result["servers"], explorer.renders
    explorer.controls["target_rps"].value = 50_000
    assert explorer.result["servers"] > before
    assert explorer.renders > renders
    cost = explorer.result["monthly_cost_usd"]
    explorer.controls["price_per_month"].value = 100
    assert explorer.result["monthly_cost_usd"] > cost


def test_plot_sweep_draws_model_and_measurement():
    import matplotlib.pyplot as plt
    import pandas as pd

    from scalelab.widgets import capacity as view

    sweep = pd.DataFrame({"offered_rps": [20, 60, 100], "p50_ms": [8, 10, 14], "p95_ms": [30, 38, 52]})
    fig = view.plot_sweep(sweep, 0.01, 2, 50, capacity_rps=60)
    ax = fig.axes[0]
    assert "ms" in ax.get_ylabel() and "requests/s" in ax.get_xlabel()
    assert len(ax.lines) >= 5
    plt.close(fig)
    assert np.isnan(view.model_curve([250], 0.01, 2)[0])
