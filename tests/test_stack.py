"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import math

import cachetools
import numpy as np
import pytest
from scipy import optimize, special

from scalelab import datasets
from scalelab.bench import cluster, metrics, querycache, readreplicas
from scalelab.models import layers, monitoring
from scalelab.sim import autoscale, balancers, caches


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


# ------------------------------------------------------------------------------------------------------- caches
def _cachetools_hit_ratio(trace, capacity, policy, ttl=None):
    now = [0]
    cache = {"lru": lambda: cachetools.LRUCache(capacity), "lfu": lambda: cachetools.LFUCache(capacity),
             "fifo": lambda: cachetools.FIFOCache(capacity),
             "ttl": lambda: cachetools.TTLCache(capacity, ttl, timer=lambda: now[0])}[policy]()
    hits = 0
    for t, key in enumerate(trace):
        now[0] = t
        if key in cache:
            hits += 1
            cache[key]  # noqa: B018  (a read: updates recency and frequency)
        else:
            cache[key] = True
    return hits / len(trace)


@pytest.mark.parametrize("policy", ["lru", "lfu", "fifo", "ttl"])
def test_hit_ratio_equals_cachetools_replaying_the_same_trace(policy):
    for skew, seed in ((0.8, 1), (1.2, 2)):
        trace = caches.zipf_trace(6000, 800, skew, rng=seed).tolist()
        for capacity in (1, 7, 64, 300):
            ttl = 250 if policy == "ttl" else None
            assert caches.hit_ratio(trace, capacity, policy, ttl=ttl) == \
                _cachetools_hit_ratio(trace, capacity, policy, ttl)


def test_hit_ratio_by_hand_and_bad_input():
    trace = ["a", "b", "a", "c", "b", "a"]
    assert caches.hit_ratio(trace, 2, "lru") == pytest.approx(1 / 6)   # only the second a hits
    assert caches.hit_ratio(trace, 2, "fifo") == pytest.approx(2 / 6)  # a, then b after c evicts a
    assert caches.hit_ratio(trace, 3, "lru") == pytest.approx(3 / 6)
    for bad in (0, 1.5, True, -1):
        with pytest.raises(ValueError, match="capacity"):
            caches.hit_ratio(trace, bad, "lru")
    with pytest.raises(ValueError, match="policy"):
        caches.hit_ratio(trace, 2, "random")
    with pytest.raises(ValueError, match="ttl"):
        caches.hit_ratio(trace, 2, "ttl")


def test_smallest_capacity_and_ideal_bound():
    trace = caches.zipf_trace(4000, 500, 1.0, rng=3).tolist()
    size = caches.smallest_capacity(trace, 0.5)
    assert caches.hit_ratio(trace, size, "lru") >= 0.5 > caches.hit_ratio(trace, size - 1, "lru")
    for capacity in (10, 100):
        assert caches.hit_ratio(trace, capacity, "lfu") <= caches.ideal_hit_ratio(trace, capacity) + 1e-12


# ------------------------------------------------------------------------------------------------- autoscaling
def test_trace_file_is_what_the_script_writes():
    import pandas as pd
    from make_traffic_trace import make_trace

    stored, made = datasets.load_traffic_trace(), make_trace()
    pd.testing.assert_frame_equal(stored, made, check_dtype=False)
    spike = stored[(stored["minute"] >= 1440 + 1200) & (stored["minute"] < 1440 + 1230)]["rps"]
    before = stored[(stored["minute"] >= 1440 + 1170) & (stored["minute"] < 1440 + 1200)]["rps"]
    assert spike.iloc[2:].mean() > 2 * before.mean()  # the flash crowd is there


def test_autoscaler_follows_target_and_respects_its_rules():
    rps = np.concatenate([np.full(30, 200.0), np.full(60, 1200.0)])
    run = autoscale.autoscale(rps, target_utilisation=0.5, cooldown_min=0, warmup_min=3, max_step=100,
                              min_replicas=1, max_replicas=50)
    # 1200 req/s at 50 % of 100 req/s per replica: 24 replicas, ordered one minute after the jump, ready 3 later
    assert run["replicas"].iloc[-1] == 24 and run["replicas"].iloc[4] == 4
    assert run.loc[31, "replicas"] == 24 and run.loc[33, "ready"] == 4 and run.loc[34, "ready"] == 24
    slow = autoscale.autoscale(rps, target_utilisation=0.5, cooldown_min=10, max_step=5, min_replicas=1)
    jumps = np.diff(slow["replicas"].to_numpy())
    assert np.abs(jumps).max() <= 5
    moves = np.flatnonzero(jumps)
    assert np.all(np.diff(moves) >= 10)
    assert run["cost_usd"].sum() == pytest.approx(run["replicas"].sum() * 0.10 / 60)


def test_p95_model_is_mmc_and_overload_violates():
    from scalelab.models import queueing

    got = autoscale.p95_ms([150.0], [2], workers=4, service_ms=40.0)[0]
    assert got == pytest.approx(1000 * queueing.response_time_percentile(75.0, 25.0, 4, 95), rel=1e-6)
    assert math.isinf(autoscale.p95_ms([250.0], [2])[0])


def test_rolling_update_keeps_capacity_within_its_limits():
    for surge, unavailable in ((1, 0), (0, 1), (2, 1)):
        run = autoscale.rolling_update(6, surge, unavailable, warmup_min=2)
        assert run["ready"].min() >= 6 - unavailable and run["paid"].max() <= 6 + surge
        assert run["new_ready"].iloc[-1] == 6 and run["old"].iloc[-1] == 0
    with pytest.raises(ValueError, match="max_surge"):
        autoscale.rolling_update(3, 0, 0)


# ----------------------------------------------------------------------------------------------------- models
def test_histogram_quantile_like_promql():
    bounds, cumulative = [0.1, 0.2, 0.5, 1.0], [1, 3, 4, 5, 6]
    assert monitoring.histogram_quantile(0.5, bounds, cumulative) == pytest.approx(0.2)  # rank 3: top of (0.1, 0.2]
    assert monitoring.histogram_quantile(0.25, bounds, cumulative) == pytest.approx(0.125)    # rank 1.5 in (0.1, 0.2]
    assert monitoring.histogram_quantile(0.1, bounds, cumulative) == pytest.approx(0.06)      # first bucket from 0
    assert monitoring.histogram_quantile(0.99, bounds, cumulative) == pytest.approx(1.0)      # +Inf: highest bound
    assert math.isnan(monitoring.histogram_quantile(0.5, bounds, [0, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="cumulative"):
        monitoring.histogram_quantile(0.5, bounds, [1, 2, 3])


def test_bucket_counts_match_prometheus_client():
    from prometheus_client import CollectorRegistry, Histogram

    x = np.random.default_rng(5).lognormal(-3, 0.8, 500)
    registry = CollectorRegistry()
    h = Histogram("t", "t", buckets=metrics.LAYOUTS["default"], registry=registry)
    for value in x:
        h.observe(value)
    counts = [s.value for s in registry.collect().__next__().samples if s.name == "t_bucket"]
    assert list(monitoring.bucket_counts(x, metrics.LAYOUTS["default"])) == counts


def test_bucket_error_bounded_by_bucket_width():
    x = np.random.default_rng(6).lognormal(-3.5, 0.6, 5000)
    for layout in metrics.LAYOUTS.values():
        estimate, exact, error = monitoring.quantile_error(x, layout, 0.95)
        i = np.searchsorted(layout, exact)
        width = layout[i] - (layout[i - 1] if i else 0)
        assert abs(error) <= width and error == pytest.approx(estimate - exact)


def test_burn_rate_and_alert():
    assert monitoring.burn_rate(144, 10_000, 0.999) == pytest.approx(14.4)
    assert monitoring.budget_spent(14.4, 60) == pytest.approx(0.02)
    requests = np.full(600, 1000.0)
    errors = np.zeros(600)
    errors[300:] = 20.0  # 2 % errors against a 99.9 % SLO: burn 20
    fired = monitoring.alert_minutes(errors, requests, 0.999)
    first = int(np.argmax(fired["page"]))
    # the hour's window passes 14.4 once 14.4/20 of it has the incident: 43.2 minutes in
    assert fired["page"][:300].sum() == 0 and 300 + 43 <= first <= 300 + 44
    assert not fired["ticket"].any() or int(np.argmax(fired["ticket"])) > first


def test_layered_path_by_hand():
    path = layers.layered_path([0.8, 0.5], [20, 2, 30], rate_rps=1000, names=["CDN", "app", "db"])
    frame = path.table
    assert path.db_rps == pytest.approx(100)
    assert path.mean_ms == pytest.approx(20 + 0.2 * 2 + 0.1 * 30)
    assert frame["answered"].sum() == pytest.approx(1)
    with pytest.raises(ValueError, match="latencies_ms"):
        layers.layered_path([0.5], [1, 2, 3])


# -------------------------------------------------------------------------------------------------- benchmarks
def test_round_robin_overloads_the_slow_worker_measured():
    table = cluster.algorithm_run(rate=100, seconds=0.6, n_workers=3, service_ms=10, slowdown=5).set_index("algorithm")
    assert table.loc["round_robin", "slow_share"] == pytest.approx(1 / 3, abs=0.02)
    assert table.loc["least_connections", "slow_share"] < 0.25
    assert table["ok"].eq(table["requests"]).all()


def test_cache_in_front_of_sqlite_hits_as_the_simulator_says():
    trace = caches.zipf_trace(300, 500, 1.0, rng=7)
    table = querycache.cache_run(trace, capacities=(0, 50), orders=5000)
    assert table.loc[1, "hit_ratio"] == pytest.approx(caches.hit_ratio(trace, 50, "lru"))
    assert table.loc[0, "hits"] == 0


def test_read_replicas_violate_then_fix_read_your_writes():
    with readreplicas.ReplicatedDatabase(1, delay_ms=40) as db:
        table = readreplicas.strategies_run(db, rounds=8).set_index("strategy")
        lags = db.lags_ms()
        started = [db.primary, *db.replicas]
    assert all(p.poll() is not None for p in started)
    assert table.loc["replica", "violations"] >= 6
    assert table.loc["primary_after_write", "violations"] == 0
    assert table.loc["wait_position", "violations"] == 0
    assert np.median(lags) >= 40
    assert table.loc["wait_position", "read_p50_ms"] >= 30  # it waited for the lag


def test_metrics_service_counts_and_stops():
    with metrics.MetricsService(median_ms=5, sigma=0.3) as service:
        frame = metrics.incident_run(service, rate=80, seconds=0.8, incident_from_s=0.0, incident_error_rate=1.0,
                                     scrape_s=0.2)
        families = service.scrape()
        ok, errors = metrics.counters(families)
        bounds, counts = metrics.buckets(families, "fine")
        process = service.process
    assert ok + errors == 64 and errors >= 60
    assert counts[-1] == 64 and len(bounds) == len(metrics.LAYOUTS["fine"])
    assert frame["requests"].is_monotonic_increasing
    assert process.poll() is not None


# ------------------------------------------------------------------------------------------ views and clean-up
def test_view_computations_validate_and_agree_with_the_simulators():
    from scalelab.widgets import stack

    lb = stack.balancer_compute(load=0.7, slow_speed=0.4, size_cv=1.0, key_skew=1.0)
    assert lb["algorithms"] == list(balancers.ALGORITHMS) and lb["fair_share"] == pytest.approx(0.4 / 3.4)
    with pytest.raises(ValueError, match="load"):
        stack.balancer_compute(load=0.99)
    run = stack.autoscale_compute(target_utilisation=0.6)
    direct = autoscale.summary(autoscale.autoscale(datasets.load_traffic_trace()["rps"], target_utilisation=0.6))
    assert run["cost_usd"] == pytest.approx(direct["cost_usd"]) and run["violation_min"] == direct["violation_min"]
    x = np.random.default_rng(1).lognormal(np.log(20), 0.6, 500)
    b = stack.buckets_compute(x, first_ms=5, factor=2, count=8, q=95)
    assert b["per_bucket"].sum() + b["above"] == 500
    assert b["estimate_ms"] == pytest.approx(1000 * monitoring.histogram_quantile(
        0.95, list(b["bounds"] / 1000), monitoring.bucket_counts(x / 1000, list(b["bounds"] / 1000))))
    with pytest.raises(ValueError, match="count"):
        stack.buckets_compute(x, count=1)


def test_cluster_slowdowns_are_validated():
    with pytest.raises(ValueError, match="slowdowns"):
        cluster.Cluster(n_workers=3, slowdowns=[1, 2])
    assert cluster.Cluster(n_workers=2).slowdowns == [1.0, 1.0]


def test_replicated_database_stops_on_interrupt():
    with pytest.raises(KeyboardInterrupt), readreplicas.ReplicatedDatabase(1, delay_ms=0) as db:
        started = [db.primary, *db.replicas]
        raise KeyboardInterrupt
    assert all(p.poll() is not None for p in started)


def test_metrics_service_stops_on_interrupt():
    with pytest.raises(KeyboardInterrupt), metrics.MetricsService() as service:
        process = service.process
        raise KeyboardInterrupt
    assert process.poll() is not None


def test_query_cache_removes_its_database(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    querycache.cache_run([1, 2, 1], capacities=(0, 2), orders=100)
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="capacities"):
        querycache.cache_run([1], capacities=(-1,))


def test_threshold_verdict_equals_the_p95_verdict():
    trace = datasets.load_traffic_trace()["rps"]
    u = autoscale.max_utilisation(200.0, 4, 40.0)
    assert autoscale.p95_ms([u * 100], [1])[0] == pytest.approx(200.0, rel=1e-6)
    for kw in (dict(target_utilisation=0.6), dict(target_utilisation=0.8, cooldown_min=0),
               dict(target_utilisation=0.9, max_replicas=30)):
        exact = autoscale.autoscale(trace, **kw)
        quick = autoscale.autoscale(trace, with_p95=False, **kw)
        assert (exact["slo_ok"] == quick["slo_ok"]).all() and "p95_ms" not in quick
