"""Capacity planning models (scalelab.models.capacity), the course's tier and phase tables, and lesson 08's widget."""
import heapq
import math

import numpy as np
import pytest

from scalelab import datasets
from scalelab.models import availability, capacity, queueing

TIERS = datasets.load_scale_tiers()


# --- tables ---------------------------------------------------------------------------------------------------

def test_scale_tiers_hold_the_four_baselines():
    tiers = datasets.load_scale_tiers()
    assert list(tiers["tier"]) == ["small", "medium", "large", "enterprise"]
    assert list(tiers["p95_ms"]) == [50, 100, 150, 200]
    assert list(tiers["availability"]) == [0.995, 0.999, 0.9995, 0.9999]
    assert list(tiers["min_rps"]) == [100, 1_000, 10_000, 100_000]
    assert list(tiers["max_rps"][:3]) == [100, 10_000, 100_000] and math.isinf(tiers["max_rps"].iloc[3])
    assert math.isinf(tiers["max_users"].iloc[3])
    assert (tiers["min_rps"] <= tiers["max_rps"]).all()


def test_scaling_phases_and_path():
    phases = datasets.load_scaling_phases()
    assert list(phases["name"]) == ["foundation", "growth", "scale", "optimization"]
    assert list(phases["min_users"]) == [0, 10_000, 100_000, 1_000_000]
    assert math.isinf(phases["max_users"].iloc[-1])
    path = datasets.load_scaling_path()
    assert tuple(path["name"]) == capacity.SCALING_PATH
    assert set(path["phase"]) <= set(phases["name"])
    assert all(step in capacity.SCALING_PATH for step, _ in capacity.SYMPTOM_RULES.values())


def test_loader_rejects_a_table_without_its_columns(tmp_path):
    bad = tmp_path / "tiers.csv"
    bad.write_text("tier,p95_ms\nsmall,50\n")
    with pytest.raises(ValueError, match="columns"):
        datasets.load_scale_tiers(bad)


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
    assert queueing.waiting_time_tail(0, lam, mu, c) == pytest.approx(erlang)
    assert queueing.waiting_time_tail(0.01, lam, mu, c) == pytest.approx(erlang * math.exp(-50 * 0.01))


def test_mm1_response_percentile_matches_the_textbook():
    # M/M/1: T ~ Exp(mu - lambda), so P95 = ln(20) / (mu - lambda).
    assert queueing.response_time_percentile(50, 100, 1) == pytest.approx(math.log(20) / 50, rel=1e-9)
    assert queueing.response_time_percentile(50, 100, 1, q=50) == pytest.approx(math.log(2) / 50, rel=1e-9)
    assert queueing.response_time_tail(0.02, 50, 100, 1) == pytest.approx(math.exp(-1))


def test_idle_server_percentile_is_the_service_time_percentile():
    for c in (1, 2, 8):
        assert queueing.response_time_percentile(0, 100, c) == pytest.approx(math.log(20) / 100, rel=1e-9)


def test_tail_handles_theta_equal_to_mu():
    # c = 2, mu = 1, lambda = 1: theta = 2 - 1 = 1 = mu. Erlang C = 1/3; P(T > t) = (2/3) e^-t + (1/3)(1 + t) e^-t.
    t = 1.5
    expected = (2 / 3) * math.exp(-t) + (1 / 3) * (1 + t) * math.exp(-t)
    assert queueing.response_time_tail(t, 1.0, 1.0, 2) == pytest.approx(expected, rel=1e-9)
    assert queueing.response_time_tail(t, 1.0 + 1e-7, 1.0, 2) == pytest.approx(expected, rel=1e-5)


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
    assert queueing.response_time_percentile(lam, mu, c) == pytest.approx(_simulated_mmc_p95(lam, mu, c), rel=0.06)


def test_percentile_grows_with_load_and_is_infinite_when_unstable():
    values = [queueing.response_time_percentile(lam, 100, 2) for lam in (0, 50, 100, 150, 190)]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert math.isinf(queueing.response_time_percentile(200, 100, 2))
    with pytest.raises(ValueError, match="q"):
        queueing.response_time_percentile(10, 100, 2, q=100)
    with pytest.raises(ValueError, match="servers"):
        queueing.response_time_percentile(10, 100, 0)


def test_percentile_curve_matches_the_textbook_and_the_scalar_model():
    rho = np.array([0.0, 0.5, 0.8, 0.95])
    # M/M/1 in multiples of S: P95 = ln(20) / (1 - rho); P50 = ln(2) / (1 - rho)
    assert queueing.response_time_percentile_curve(rho, 1) == pytest.approx(math.log(20) / (1 - rho), rel=1e-9)
    assert queueing.response_time_percentile_curve(rho, 1, q=50) == pytest.approx(math.log(2) / (1 - rho), rel=1e-9)
    for c in (2, 5, 16):  # the same numbers as the scalar bisection, point by point (mu = 1)
        exact = [queueing.response_time_percentile(r * c, 1.0, c) for r in rho]
        assert queueing.response_time_percentile_curve(rho, c) == pytest.approx(exact, rel=1e-9)
    # theta == mu (c = 2, rho = 0.5) takes the (1 + t) e^-t branch
    assert queueing.response_time_percentile_curve(np.array([0.5]), 2)[0] == pytest.approx(
        queueing.response_time_percentile(1.0, 1.0, 2), rel=1e-9)
    unstable = queueing.response_time_percentile_curve(np.array([0.5, 1.0, 1.7]), 2)
    assert np.isfinite(unstable[0]) and np.isinf(unstable[1:]).all()
    for bad, name in (([-0.1], "utilization"), ([], "utilization"), ([np.nan], "utilization")):
        with pytest.raises(ValueError, match=name):
            queueing.response_time_percentile_curve(np.array(bad), 2)
    with pytest.raises(ValueError, match="servers"):
        queueing.response_time_percentile_curve(rho, 0)
    with pytest.raises(ValueError, match="^q"):
        queueing.response_time_percentile_curve(rho, 1, q=0)


def test_max_rate_for_p95_inverts_the_percentile():
    # M/M/1, 10 ms: P95 <= 50 ms needs mu - lambda >= ln 20 / 0.05 = 59.9 -> lambda <= 40.1 req/s.
    assert capacity.max_rate_for_p95(0.01, 1, 0.05) == pytest.approx(100 - math.log(20) / 0.05, rel=1e-6)
    rate = capacity.max_rate_for_p95(0.01, 2, 0.05)
    assert queueing.response_time_percentile(rate, 100, 2) == pytest.approx(0.05, rel=1e-6)
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

def test_plan_compute_by_hand():
    from scalelab.widgets import capacity as view

    # 10 000 req/s + 30 % = 13 000 at peak; 150 req/s per server at 70 %: 13 000 / 105 = 123.8 -> 124 servers
    result = view.plan_compute(target_rps=10_000, p95_target_ms=100, headroom=0.3, per_server_rps=150,
                               price_per_month=30, utilization=0.7)
    assert result["servers"] == 124
    assert result["peak_rps_per_server"] == pytest.approx(13_000 / 124)
    assert result["utilization_at_target"] == pytest.approx(10_000 / (124 * 150))
    assert result["monthly_cost_usd"] == pytest.approx(124 * 30)
    # each server an M/M/2 with mu = 100/s at 104.8 req/s: the scalar model's P95
    exact_ms = 1000 * queueing.response_time_percentile(13_000 / 124, 100, 2)
    assert result["model_p95_ms"] == pytest.approx(exact_ms, rel=1e-9) and result["meets_p95"] == (exact_ms <= 100)
    curve = dict(zip(result["counts"], result["p95_curve_ms"]))
    assert curve[124] == pytest.approx(exact_ms, rel=1e-9)
    assert math.isinf(curve[60])  # 13 000 / 60 = 217 req/s per server: more than 2 workers x 100/s can serve
    # M/M/1 check: one worker of 10 ms at 50 req/s per server has P95 = ln(20) / 50 s = 59.9 ms
    single = view.plan_compute(target_rps=700, p95_target_ms=50, headroom=0, per_server_rps=100, price_per_month=1,
                               service_time_ms=10, workers=1, utilization=0.5)
    assert single["servers"] == 14 and single["model_p95_ms"] == pytest.approx(1000 * math.log(20) / 50, rel=1e-9)
    assert not single["meets_p95"]


def test_plan_compute_flags_a_capacity_the_server_does_not_have():
    from scalelab.widgets import capacity as view

    overloaded = view.plan_compute(target_rps=10_000, p95_target_ms=100, headroom=0.0, per_server_rps=2000,
                                   price_per_month=30, service_time_ms=10, workers=1)
    assert math.isinf(overloaded["model_p95_ms"]) and not overloaded["meets_p95"]


@pytest.mark.parametrize("kwargs, name", [
    ({"target_rps": -1}, "target_rps"), ({"p95_target_ms": 0}, "p95_target_ms"), ({"headroom": -0.1}, "headroom"),
    ({"per_server_rps": 0}, "per_server_rps"), ({"price_per_month": -1}, "price_per_month"),
    ({"service_time_ms": 0}, "service_time_ms"), ({"workers": 0}, "workers"), ({"utilization": 1.5}, "utilization"),
])
def test_plan_compute_refuses_bad_input_by_name(kwargs, name):
    from scalelab.widgets import capacity as view

    with pytest.raises(ValueError, match=rf"^{name} must"):
        view.plan_compute(**kwargs)


def test_plan_explorer_redraws_headlessly():
    from scalelab.widgets import capacity as view

    explorer = view.plan_explorer()
    before, renders = explorer.result["servers"], explorer.renders
    explorer.controls["target_rps"].value = 50_000
    assert explorer.result["servers"] > before
    assert explorer.renders > renders
    cost = explorer.result["monthly_cost_usd"]
    explorer.controls["price_per_month"].value = 100
    assert explorer.result["monthly_cost_usd"] > cost
    assert f"${explorer.result['monthly_cost_usd']:,.0f}/month" in explorer.text.value
    assert explorer.figure.axes[0].get_xlim()[1] >= explorer.result["servers"]


def test_plot_sweep_draws_model_and_measurement():
    import matplotlib.pyplot as plt
    import pandas as pd

    from scalelab.widgets import capacity as view

    sweep = pd.DataFrame({"offered_rps": [20, 60, 100], "p50_ms": [8, 10, 14], "p95_ms": [30, 38, 52]})
    fig = view.plot_sweep(sweep, 0.01, 2, 50, capacity_rps=60)
    ax = fig.axes[0]
    assert "ms" in ax.get_ylabel() and "requests/s" in ax.get_xlabel()
    assert len(ax.lines) >= 5
    model = ax.lines[0]  # the model P95 at rate 0 is an idle server's: ln(20) x 10 ms
    assert model.get_ydata()[0] == pytest.approx(10 * math.log(20))
    plt.close(fig)
    with pytest.raises(ValueError, match="sweep"):
        view.plot_sweep(pd.DataFrame({"rate": [1]}), 0.01, 2, 50)


def test_sweep_summary_states_the_run_and_flags_a_noisy_one():
    import pandas as pd

    from scalelab.widgets import capacity as view

    model_low = 1000 * queueing.response_time_percentile(20, 100, 2)
    rising = pd.DataFrame({"offered_rps": [20, 60, 100], "p95_ms": [model_low + 5, 40, 60]})
    text = view.sweep_summary(rising, 0.01, 2, 50, 60)
    assert "5.0 ms above" in text and "never fell by more than 5%" in text and "noisy" not in text
    model_cap = capacity.max_rate_for_p95(0.01, 2, 0.05)
    assert f"{60 / model_cap:.0%}" in text
    falling = pd.DataFrame({"offered_rps": [100, 20, 60], "p95_ms": [60, model_low - 2, 45]})
    text = view.sweep_summary(falling, 0.01, 2, 50, 20)
    assert "2.0 ms below" in text and "fell from" not in text
    noisy = pd.DataFrame({"offered_rps": [20, 60, 100], "p95_ms": [35, 33, 60]})
    assert "fell from 35.0 ms at 20 req/s to 33.0 ms at 60 req/s" in view.sweep_summary(noisy, 0.01, 2, 50, 60)
    assert "rerun" in view.sweep_summary(noisy, 0.01, 2, 50, 60)
    level = pd.DataFrame({"offered_rps": [20, 60, 100], "p95_ms": [35, 34, 60]})   # a 3 % dip is level
    assert "noisy" not in view.sweep_summary(level, 0.01, 2, 50, 60)
    with pytest.raises(ValueError, match="sweep"):
        view.sweep_summary(noisy.head(1), 0.01, 2, 50, 20)


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


def test_knee_compute_adds_the_overhead_and_matches_max_rate_for_p95():
    from scalelab.widgets import capacity as view

    rates, p95, errors = [20, 100, 150], [35.0, 45.0, 80.0], [0.0, 0.0, 0.0]
    plain = view.knee_compute(rates, p95, errors, service_time_ms=10, workers=2, p95_target_ms=50, rate_top=250)
    assert plain["model_p95_ms"][0] == pytest.approx(10 * math.log(20))  # an idle server: ln 20 x 10 ms
    assert plain["model_capacity_rps"] == pytest.approx(capacity.max_rate_for_p95(0.01, 2, 0.05), rel=1e-4)
    assert plain["measured_capacity_rps"] == 100  # 150 req/s missed 50 ms
    assert np.isinf(plain["model_p95_ms"][-1])  # 250 req/s is beyond what two 10 ms workers serve
    shifted = view.knee_compute(rates, p95, errors, service_time_ms=10, workers=2, overhead_ms=5, p95_target_ms=50)
    assert shifted["model_at_measured_ms"] == pytest.approx(plain["model_at_measured_ms"] + 5)
    assert shifted["model_capacity_rps"] == pytest.approx(capacity.max_rate_for_p95(0.01, 2, 0.045), rel=1e-4)
    gaps = np.abs(plain["model_at_measured_ms"] - np.array(p95))
    assert plain["mean_gap_ms"] == pytest.approx(gaps.mean())
    assert view.knee_compute(rates, p95, errors, overhead_ms=60, p95_target_ms=50)["model_capacity_rps"] == 0.0
    for kwargs, name in (({"workers": 0}, "workers"), ({"overhead_ms": -1}, "overhead_ms"),
                         ({"p95_target_ms": 0}, "p95_target_ms"), ({"service_time_ms": 0}, "service_time_ms")):
        with pytest.raises(ValueError, match=name):
            view.knee_compute(rates, p95, errors, **kwargs)
    with pytest.raises(ValueError, match="same length"):
        view.knee_compute([1, 2], [1.0], [0.0])


def test_knee_explorer_moves_the_model_over_the_measured_points():
    import pandas as pd

    from scalelab.widgets import capacity as view

    sweep = pd.DataFrame({"offered_rps": [20, 100, 150], "p95_ms": [35.0, 45.0, 80.0], "error_rate": [0.0] * 3})
    explorer = view.knee_explorer(sweep)
    before = explorer.result["model_capacity_rps"]
    explorer.controls["overhead_ms"].value = 10.0
    assert explorer.result["model_capacity_rps"] < before
    assert f"{explorer.result['model_capacity_rps']:.0f} req/s" in explorer.text.value
    assert explorer.figure.axes[0].get_xlim()[1] >= 150
    with pytest.raises(ValueError, match="sweep"):
        view.knee_explorer(pd.DataFrame({"rate": [1]}))
