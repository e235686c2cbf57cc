"""The capstone's simulator: lesson 08's server as a queue, per-tier numbers against the course's queueing models and
an independent queue simulation, loads and costs that add up, availability with and without redundancy, plans that
are validated and saved, and feedback that names the seed's best practices and pitfalls."""
import json
import math

import numpy as np
import pytest

from scalelab import datasets
from scalelab.models import availability, capacity, queueing
from scalelab.sim import growth as g
from scalelab.sim import queues

GOOD = {"foundation": ["monitoring"], "growth": ["load_balancer", "cache", "read_replicas", "cdn"],
        "scale": ["auto_scaling", "service_split", "bigger_server"], "optimization": ["sharding"]}


def test_lesson_08_server_as_a_queue():
    # lesson 08's server: 2 workers, 10 ms of service; its model capacity at P95 <= 50 ms gives back 10 ms
    cap = g.default_capacity_rps()
    assert cap == pytest.approx(capacity.max_rate_for_p95(0.010, 2, 0.050))
    assert g.service_time_s(cap) == pytest.approx(0.010, rel=1e-6)
    s = g.service_time_s(160.0)
    assert queueing.response_time_percentile(160.0, 1 / s, 2) == pytest.approx(0.050, rel=1e-6)
    assert g.service_time_s(320.0) < s      # a faster server serves each request sooner
    with pytest.raises(ValueError, match="capacity_rps"):
        g.service_time_s(0)


def test_phase_targets_come_from_the_scale_tiers():
    tiers = datasets.load_scale_tiers().set_index("tier")
    t = g.phase_targets().set_index("phase")
    assert list(t.index) == list(g.PHASES)
    for phase, tier in g.TIER_OF_PHASE.items():
        assert t.loc[phase, "p95_target_ms"] == tiers.loc[tier, "p95_ms"]
        assert t.loc[phase, "availability_target"] == tiers.loc[tier, "availability"]
    assert list(t["users"]) == [1000, 100_000, 1_000_000, 2_000_000]
    assert list(t["peak_rps"]) == [100, 10_000, 100_000, 200_000]
    assert (np.diff(t["budget_usd"]) > 0).all()


def test_traffic_trace_is_diurnal_seeded_and_bounded():
    a = g.traffic_trace(1000, rng=np.random.default_rng(1))
    b = g.traffic_trace(1000, rng=np.random.default_rng(1))
    c = g.traffic_trace(1000, rng=np.random.default_rng(2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.argmax() == 16 and a.argmin() == 4
    assert 0.9 * 0.97 * 1000 <= a.max() <= 1.1 * 1.03 * 1000
    assert a.min() == pytest.approx(0.25 * a.max(), rel=0.08)
    with pytest.raises(ValueError, match="peak_rps"):
        g.traffic_trace(0)


def test_sojourn_samples_follow_the_mmc_model():
    lam, mu, c = 150.0, 100.0, 2
    times = g.sojourn_samples(lam, mu, c, 200_000, rng=np.random.default_rng(3))
    assert times.mean() == pytest.approx(queueing.mmc(lam, mu, c).mean_time_in_system, rel=0.02)
    assert np.percentile(times, 95) == pytest.approx(queueing.response_time_percentile(lam, mu, c), rel=0.03)
    assert np.isinf(g.sojourn_samples(250.0, mu, c, 10)).all()


@pytest.fixture(scope="module")
def scale():
    return g.simulate_phase(GOOD, "scale", rng=np.random.default_rng(5))


@pytest.mark.parametrize("name", ["app", "cache", "db_primary", "db_replica"])
def test_each_tier_is_its_mmc_queue(scale, name):
    t = scale.tier(name)
    assert t.utilization == pytest.approx(t.rps_per_machine / (t.servers * t.service_rate))
    assert t.p95_ms == pytest.approx(1000 * queueing.response_time_percentile(t.rps_per_machine, t.service_rate,
                                                                              t.servers), rel=1e-9)
    # an independent check: the course's FIFO c-server simulator at the same load
    gen = np.random.default_rng(7)
    n = 40_000
    trace = queues.simulate_mmc(t.rps_per_machine, t.service_rate, t.servers, n, rng=gen)
    assert np.percentile(trace.time_in_system[n // 10:], 95) * 1000 == pytest.approx(t.p95_ms, rel=0.12)


def test_loads_add_up(scale):
    a = g.DEFAULT
    peak = scale.peak_rps
    app = scale.tier("app")
    assert app.rps_per_machine * app.machines == pytest.approx(peak * (1 - a.static_share * a.cdn_hit_ratio))
    reads = peak * (1 - a.static_share) * a.read_share
    writes = peak * (1 - a.static_share) * (1 - a.read_share)
    biggest = max(a.domains)                        # after the split, the busiest domain's database
    assert scale.tier("db_primary").rps_per_machine == pytest.approx(writes * biggest)
    rep = scale.tier("db_replica")
    per_group = rep.machines // len(a.domains)
    assert rep.rps_per_machine * per_group == pytest.approx(reads * (1 - a.cache_hit_ratio) * biggest)
    cache = scale.tier("cache")
    assert cache.rps_per_machine * cache.machines == pytest.approx(reads)


def test_cost_is_the_sum_of_the_tiers_plus_monitoring(scale):
    assert scale.cost_usd == pytest.approx(sum(t.cost_usd for t in scale.tiers) + g.DEFAULT.server_usd_month)


def test_app_servers_follow_lesson_08_method_with_one_spare_and_no_utilisation_discount():
    """Behind a balancer: ceil(load / capacity) carry the load at the P95 target, one more survives one server down;
    each server then carries at most its measured capacity, not 70 % of it."""
    plan = {"foundation": ["monitoring"], "growth": ["load_balancer"], "scale": [], "optimization": []}
    cap = 150.0
    r = g.simulate_phase(plan, "growth", cap, rng=0)
    planned = g.phase_targets().set_index("phase").loc["growth", "peak_rps"] * (1 + g.DEFAULT.headroom)
    carry = math.ceil(planned / cap)
    assert r.tier("app").machines == carry + 1
    assert planned / (r.tier("app").machines - 1) <= cap            # one server down: still within capacity
    assert planned / (r.tier("app").machines - 2) > cap              # one server fewer would not be
    assert g.app_servers_for(0, cap) == 2 and g.app_servers_for(150, 150, minimum=1) == 2


def test_auto_scaling_costs_less_than_a_fleet_sized_for_the_peak():
    fixed = {**GOOD, "scale": ["service_split", "bigger_server"], "optimization": ["sharding", "auto_scaling"]}
    trace = g.traffic_trace(100_000, rng=np.random.default_rng(2))
    with_auto = g.simulate_phase(GOOD, "scale", trace=trace, rng=1)
    without = g.simulate_phase(fixed, "scale", trace=trace, rng=1)
    assert with_auto.tier("app").cost_usd < 0.8 * without.tier("app").cost_usd
    assert with_auto.extra["app_servers_mean"] < without.tier("app").machines


def test_availability_single_machines_in_series_and_redundant_copies_in_parallel():
    a = g.DEFAULT
    up = a.machine_mtbf_h / (a.machine_mtbf_h + a.repair_h_monitored)
    one = g.simulate_phase({"foundation": ["monitoring"]}, "foundation", rng=1)
    assert one.availability == pytest.approx(up * up)          # one app server and one database, in series
    assert one.tier("app").spof and one.tier("db_primary").spof
    down = g.simulate_phase({"foundation": []}, "foundation", rng=1)
    bare = a.machine_mtbf_h / (a.machine_mtbf_h + a.repair_h_unmonitored)
    assert down.availability == pytest.approx(bare * bare) and not down.meets["availability"]
    redundant = g.simulate_phase(GOOD, "growth", rng=1)
    assert not any(t.spof for t in redundant.tiers)
    pair = availability.parallel(up, up)
    assert redundant.tier("db_primary").availability == pytest.approx(pair)
    assert redundant.availability > 0.9999


def test_a_plan_is_plain_data_that_is_validated_and_replayed():
    assert g.validate_plan(json.loads(json.dumps(GOOD))) == g.validate_plan(GOOD)
    pairs = list(GOOD.items())
    assert g.validate_plan(pairs) == g.validate_plan(GOOD)
    first = g.score_plan(json.loads(json.dumps(GOOD)), rng=np.random.default_rng(4))
    again = g.score_plan(GOOD, rng=np.random.default_rng(4))
    assert first.equals(again)
    other = g.score_plan(GOOD, rng=np.random.default_rng(9))
    assert not np.allclose(first["peak_rps"], other["peak_rps"])
    assert g.in_place(GOOD, "scale") == GOOD["foundation"] + GOOD["growth"] + GOOD["scale"]


@pytest.mark.parametrize("plan, words", [
    ({"launch": ["cache"]}, "unknown phase 'launch'"),
    ({"growth": ["kubernetes"]}, r"plan\['growth'\] has an unknown intervention 'kubernetes'"),
    ({"growth": "cache"}, r"plan\['growth'\] must be a list"),
    ({"foundation": ["cache"], "scale": ["cache"]}, r"plan\['scale'\] adds 'cache' again"),
    ({"foundation": ["bigger_server"] * 4}, "bigger_server more than 3 times"),
    ("cache", "plan must be a dict"),
])
def test_a_bad_plan_is_refused_naming_the_phase_or_intervention(plan, words):
    with pytest.raises(ValueError, match=words):
        g.validate_plan(plan)


def test_without_a_balancer_the_app_stays_one_server_and_overloads():
    r = g.simulate_phase({"foundation": ["monitoring"]}, "growth", rng=1)
    assert r.tier("app").machines == 1 and r.tier("app").utilization > 1
    assert math.isinf(r.p95_ms) and not r.meets["p95"] and r.bottleneck == "app"


def test_bigger_server_speeds_the_machines_that_cannot_scale_out():
    small = g.simulate_phase({"foundation": ["monitoring"]}, "foundation", rng=1)
    big = g.simulate_phase({"foundation": ["monitoring", "bigger_server"]}, "foundation", rng=1)
    assert big.tier("app").utilization == pytest.approx(small.tier("app").utilization / 2)   # 2x the baseline
    assert big.tier("app").cost_usd == pytest.approx(2.5 * small.tier("app").cost_usd)       # at 2.5x the price


def _rules(frame, phase=None):
    rows = frame if phase is None else frame[frame["phase"] == phase]
    return dict(zip(rows["rule"], rows["message"]))


def test_sharding_at_1k_users_is_over_engineering():
    fb = g.feedback({"foundation": ["monitoring", "sharding"], "growth": ["load_balancer"]}, rng=1)
    found = _rules(fb, "foundation")
    assert "Over-engineering" in found["over_engineering"] and "1,000 users" in found["over_engineering"]
    assert fb.set_index("rule").loc["over_engineering", "kind"] == "pitfall"


def test_a_plan_without_redundancy_is_told_its_single_point_of_failure_and_what_it_cost():
    plan = {"foundation": ["monitoring"], "growth": ["load_balancer", "cache", "cdn"]}
    fb = g.feedback(plan, rng=1)
    spof = fb[(fb["rule"] == "single_point_of_failure") & (fb["phase"] == "scale")]["message"].tolist()
    assert len(spof) == 1 and "database primary" in spof[0]
    r = g.simulate_phase(plan, "scale", rng=1)
    fixed = g.simulate_phase({**plan, "growth": plan["growth"] + ["read_replicas"]}, "scale", rng=1)
    assert g._pct(r.availability) in spof[0] and g._pct(fixed.availability) in spof[0]
    assert fixed.availability > r.availability


def test_feedback_names_no_monitoring_premature_optimisation_and_quick_wins():
    fb = g.feedback({"foundation": ["monitoring", "cache"]}, rng=1)
    assert "Premature optimisation" in _rules(fb, "foundation")["premature_optimisation"]
    fb = g.feedback({"foundation": [], "growth": ["load_balancer", "read_replicas", "service_split"]}, rng=1)
    assert "Ignoring monitoring" in _rules(fb, "foundation")["no_monitoring"]
    assert "Quick wins first" in _rules(fb, "growth")["quick_wins"]
    measured = g.feedback(GOOD, measured=False, rng=1)
    assert measured.set_index("rule").loc["measure_first", "kind"] == "pitfall"


def test_a_good_plan_gets_best_practices_and_no_overreach():
    fb = g.feedback(GOOD, rng=1)
    rules = set(fb["rule"])
    assert {"measure_first", "monitor", "find_bottleneck", "architectural_change", "iterate"} <= rules
    assert not rules & {"over_engineering", "premature_optimisation", "no_monitoring", "quick_wins"}


def test_the_reference_plan_respects_the_path_and_passes_on_other_days():
    plan = g.reference_plan(rng=1)
    for phase, steps in plan.items():
        assert all(g.PHASES.index(g.USUAL_PHASE[s]) <= g.PHASES.index(phase) for s in steps)
    for seed in (11, 12):
        assert g.score_plan(plan, rng=np.random.default_rng(seed))["passed"].all()


def test_a_busy_day_is_the_diurnal_curve_ten_percent_above_the_nominal_peak():
    day = g.busy_day("growth")
    assert day.max() == pytest.approx(11_000) and day.min() == pytest.approx(0.25 * 11_000)
    assert np.allclose(day / day.max(), g.diurnal_shape(24))
    with pytest.raises(ValueError, match="phase"):
        g.busy_day("launch")


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="phase must be one of"):
        g.simulate_phase(GOOD, "launch")
    with pytest.raises(ValueError, match="traces must be a dict"):
        g.score_plan(GOOD, traces={"launch": [1.0, 2.0]})
    with pytest.raises(ValueError, match="samples"):
        g.simulate_phase(GOOD, "growth", samples=10)
    with pytest.raises(ValueError, match="max_new"):
        g.reference_plan(max_new=9)
