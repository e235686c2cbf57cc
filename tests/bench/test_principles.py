"""Lesson 11's tokens, fluid model, benchmarks (small runs, nothing left behind after success, an exception or
Ctrl-C) and view computations, against hand-computed values."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scalelab import resilience, tokens  # noqa: E402
from scalelab.bench import chain, cluster, principles  # noqa: E402
from scalelab.sim import cache_strategies  # noqa: E402
from tests.leftovers import nothing_left  # noqa: E402

ERRORS = [RuntimeError, KeyboardInterrupt]


# ---------------------------------------------------------------------------------------------- benchmarks
def test_restart_keeps_carts_in_sqlite_and_tokens_only_and_refuses_forged_tokens(started, scratch):
    with cluster.Cluster(2, service_time_ms=0.0) as shop:
        run = principles.restart_run(shop, users=2, steps=3, restart_after_step=1)
        status, body = shop.get("/cart_token?user=a")
        forged = tokens.sign({"user": "a", "items": 99}, "guess")
        bad, _ = shop.get(f"/cart_token?user=a&token={forged}")
        stolen, _ = shop.get(f"/cart_token?user=b&token={body['token']}")
    frame = run.table
    assert run.restart_after_step == 1 and run.restart_s > 0
    last = frame[frame["step"] == 3].groupby("store")["items"].max()
    assert last.to_dict() == {"local": 2, "sqlite": 3, "token": 3}   # memory lost the step-1 item
    assert (frame["status"] == 200).all()
    assert (status, body["items"], bad, stolen) == (200, 1, 403, 403)
    nothing_left(started, scratch)
    with pytest.raises(ValueError, match="stores"):
        principles.restart_run(None, stores=("redis",))


def test_io_concurrency_small_run(started):
    frame = principles.io_concurrency(requests=20, delay_ms=10.0, concurrencies=(5, 20))
    assert set(frame["mode"]) == {"threads", "asyncio"} and len(frame) == 4
    assert frame.set_index(["mode", "concurrency"])["waiting_model_s"].to_dict()[("threads", 5)] == pytest.approx(0.04)
    assert (frame["wall_s"] >= frame["waiting_model_s"]).all()   # no call returns before its delay
    nothing_left(started)
    with pytest.raises(ValueError, match="concurrency"):
        principles.io_concurrency(concurrencies=(0,))


@pytest.mark.parametrize("error", ERRORS)
def test_io_concurrency_cleans_up(monkeypatch, started, error):
    calls = {"n": 0}
    real = principles._thread_call

    def flaky(port):
        calls["n"] += 1
        if calls["n"] > 3:
            raise error()
        return real(port)

    monkeypatch.setattr(principles, "_thread_call", flaky)
    with pytest.raises(error):
        principles.io_concurrency(requests=10, concurrencies=(2,))
    nothing_left(started)


def test_burst_run_builds_and_drains_a_queue(started):
    run = principles.burst_run(phases=((0.3, 150.0),), servers=1, service_time_ms=10.0, max_s=3.0)
    frame = run.table
    assert frame["depth"].max() > 0 and frame["depth"].iloc[-1] == 0
    assert frame["enqueued"].iloc[-1] == 45
    assert 0 < run.service_rps <= 1000 / 10.0 + 1e-9   # a job takes at least its 10 ms
    nothing_left(started)


@pytest.mark.parametrize("error", ERRORS)
def test_burst_run_cleans_up(monkeypatch, started, error):
    calls = {"n": 0}
    real = principles._get

    def flaky(port, path, timeout=5.0):
        calls["n"] += 1
        if calls["n"] > 3:
            raise error()
        return real(port, path, timeout)

    monkeypatch.setattr(principles, "_get", flaky)
    with pytest.raises(error):
        principles.burst_run(phases=((0.2, 50.0),), servers=2, service_time_ms=5.0)
    nothing_left(started)


def test_degradation_breaker_and_health_on_the_chain(started):
    with chain.ServicePool(services=2) as pool:
        plain_run = principles.degradation_run(pool, rate_rps=40, duration_s=0.3, handlers=2,
                                               rng=np.random.default_rng(1))
        breaker = resilience.CircuitBreaker(2, reset_timeout_s=5.0)
        hurt_run = principles.degradation_run(pool, rate_rps=40, duration_s=0.6, handlers=2, timeout_s=0.1,
                                          outage=(0.0, 0.6), breaker=breaker, rng=np.random.default_rng(2))
        health = principles.probe_health(pool, index=1, interval_s=0.02, rise=2, fall=3, probes=3)
        after = pool.call(2)[1]["status"]
    plain, hurt = plain_run.table, hurt_run.table
    assert (plain["outcome"] == "ok").all() and hurt_run.breaker_opened == 1 and hurt_run.outage == (0.0, 0.6)
    assert breaker.opened == 1 and (hurt["outcome"] == "fallback").sum() >= len(hurt) - 2
    assert health["healthy"].tolist() == [True, True, False, False, True, True]
    assert after == 200   # the fault is cleared
    summary = principles.degradation_summary(hurt_run, 0.5)
    assert summary["fallback_share"] > 0.5 and summary["ok_share"] == 0
    nothing_left(started)
    with pytest.raises(ValueError, match="pool"):
        principles.degradation_run(chain.ServicePool(2))


def test_cached_query_matches_the_simulator(scratch):
    ops = cache_strategies.workload(80, rate_rps=50, keys=10, write_share=0.1, rng=np.random.default_rng(4))
    run = principles.cached_query(ops, rows=2000, customers=10, ttl_s=0.5, uncached_reads=3,
                                  rng=np.random.default_rng(5))
    frame = run.table
    sim = cache_strategies.simulate("cache-aside", ops, ttl_s=0.5)
    reads = frame[~frame["write"]]
    assert reads["hit"].mean() == pytest.approx(sim["hit_ratio"])
    assert reads["stale"].mean() == pytest.approx(sim["stale_share"])
    assert run.query_ms > 0
    assert list(scratch.iterdir()) == []
    with pytest.raises(ValueError, match="rows"):
        principles.cached_query(ops, rows=0)


def test_degradation_run_clears_the_outage_when_interrupted(monkeypatch, started):
    from scalelab.bench import principles as module

    real = module._Front.admit
    calls = {"n": 0}

    def flaky(self, now_s):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt()
        return real(self, now_s)

    monkeypatch.setattr(module._Front, "admit", flaky)
    with chain.ServicePool(services=2) as pool:
        with pytest.raises(KeyboardInterrupt):
            principles.degradation_run(pool, rate_rps=50, duration_s=0.5, outage=(0.0, 0.4),
                                       rng=np.random.default_rng(3))
        assert pool.call(2, timeout=1.0)[1]["status"] == 200   # no fault left behind
    nothing_left(started)
