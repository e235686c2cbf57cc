"""Lesson 11's tokens, fluid model, benchmarks (small runs, nothing left behind after success, an exception or
Ctrl-C) and view computations, against hand-computed values."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from leftovers import nothing_left  # noqa: E402

from scalelab import resilience, tokens  # noqa: E402
from scalelab.bench import chain, cluster, principles  # noqa: E402
from scalelab.models import fluid  # noqa: E402
from scalelab.sim import cache_strategies  # noqa: E402
from scalelab.widgets import principles as views  # noqa: E402

ERRORS = [RuntimeError, KeyboardInterrupt]


# ------------------------------------------------------------------------------------------------------ tokens
def test_a_token_verifies_under_its_key_only():
    token = tokens.sign({"user": "u1", "items": 3}, "k")
    assert tokens.verify(token, "k") == {"user": "u1", "items": 3}
    assert tokens.verify(token, b"k") == {"user": "u1", "items": 3}
    assert tokens.verify(token, "other") is None
    payload, signature = token.split(".")
    other = tokens.sign({"user": "u1", "items": 30}, "k").split(".")[0]
    assert tokens.verify(f"{other}.{signature}", "k") is None       # payload changed, old signature
    assert tokens.verify(f"{payload}.{signature[:-2]}AA", "k") is None
    assert tokens.verify("not a token", "k") is None and tokens.verify(None, "k") is None
    with pytest.raises(ValueError, match="key"):
        tokens.sign({}, "")
    with pytest.raises(ValueError, match="session"):
        tokens.sign([1], "k")


def test_a_token_is_the_hmac_of_its_payload():
    import base64
    import hashlib
    import hmac

    token = tokens.sign({"a": 1}, "secret")
    payload, signature = token.split(".")
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == b'{"a":1}'
    expected = base64.urlsafe_b64encode(hmac.new(b"secret", payload.encode(), hashlib.sha256).digest()).rstrip(b"=")
    assert signature == expected.decode()


# ------------------------------------------------------------------------------------------------ fluid model
def test_fluid_model_by_hand():
    phases = [(1.0, 150.0), (1.0, 30.0)]
    # grows at 50/s to 50 at t = 1, drains at 70/s: empty at 1 + 50/70
    assert fluid.depth([0, 0.5, 1.0, 1.5, 3.0], phases, 100).tolist() == pytest.approx([0, 25, 50, 15, 0])
    assert fluid.peak(phases, 100) == (50.0, 1.0)
    assert fluid.drain_time(phases, 100) == pytest.approx(1 + 50 / 70)
    assert fluid.drain_time([(1.0, 150.0)], 100) == pytest.approx(1.5)       # after the last phase nothing arrives
    assert fluid.drain_time([(1.0, 80.0)], 100) == 0.0
    assert fluid.drain_time([(1.0, 10.0)], 0) == math.inf
    assert fluid.depth([0.5, 2.0], [(0.5, 50), (0.5, 200)], 100).tolist() == [0, 0]   # 50 at t = 1, empty at 1.5
    assert fluid.depth([1.0], [(1.0, 0.0)], 10, initial=30).tolist() == [20]
    with pytest.raises(ValueError, match="service_rps"):
        fluid.depth([0], phases, -1)
    with pytest.raises(ValueError, match="phases"):
        fluid.peak([], 1)


# ---------------------------------------------------------------------------------------------- benchmarks
def test_restart_keeps_carts_in_sqlite_and_tokens_only_and_refuses_forged_tokens(started, scratch):
    with cluster.Cluster(2, service_ms=0.0) as shop:
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
    run = principles.burst_run(phases=((0.3, 150.0),), workers=1, service_ms=10.0, max_s=3.0)
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
        principles.burst_run(phases=((0.2, 50.0),), workers=2, service_ms=5.0)
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


# --------------------------------------------------------------------------------------------------- views
def test_burst_view_by_hand():
    result = views.burst_compute(burst_rps=150, burst_s=1.0, after_rps=30, workers=2, per_worker_rps=50)
    assert (result["peak"], result["peak_at_s"]) == (50.0, 1.0)
    assert result["empty_at_s"] == pytest.approx(1 + 50 / 70)
    with pytest.raises(ValueError, match="workers"):
        views.burst_compute(workers=0)
    with pytest.raises(ValueError, match="measured"):
        views.burst_explorer(measured=None)


def test_degrade_view_protection_pays_in_an_outage():
    result = views.degrade_compute(rate_rps=150, outage_s=1.0, threshold=3, reset_s=0.2)
    assert result["protected_summary"]["goodput_rps"] > result["unprotected_summary"]["goodput_rps"]
    assert len(result["t_s"]) == len(result["protected"]) == 15
    calm = views.degrade_compute(rate_rps=100, outage_s=0.0)
    assert calm["protected_summary"]["goodput_rps"] == calm["unprotected_summary"]["goodput_rps"]
    with pytest.raises(ValueError, match="threshold"):
        views.degrade_compute(threshold=0)


def test_cache_view_and_pictures(started):
    table = views.cache_compute(write_share=0.2)
    assert list(table.index) == list(cache_strategies.STRATEGIES)
    assert table.loc["write-through", "stale_share"] == 0 and table.loc["write-behind", "at_risk_max"] > 0
    with pytest.raises(ValueError, match="write_share"):
        views.cache_compute(write_share=2)
    import pandas as pd

    burst = pd.DataFrame({"t_s": [0, 0.5, 1.0], "depth": [0, 20, 5]})
    assert views.plot_burst(burst, [(1.0, 100.0)], 80.0).axes
    io = pd.DataFrame({"mode": ["threads", "asyncio"], "concurrency": [10, 10], "requests": [20, 20],
                       "throughput_rps": [400, 450], "waiting_model_s": [0.04, 0.04]})
    assert views.plot_io(io).axes
    with pytest.raises(ValueError, match="measured"):
        views.plot_burst(io, [(1.0, 1.0)], 1.0)
    from scalelab.sim import degradation

    frame = pd.DataFrame({"scheduled_s": [0.1, 0.5], "outcome": ["ok", "fallback"], "latency_s": [0.01, 0.001]})
    run = principles.DegradationRun(table=frame, arrival_rps=2.0, duration_s=1.0, handlers=1, timeout_s=0.25,
                                    outage=(0.4, 0.6), breaker=None, limiter=None, breaker_opened=0,
                                    ok_service_s=0.01)
    model = degradation.replay([0.1, 0.5], outages=[(0.4, 0.6)])
    fig = views.plot_degradation({"run": run}, 0.1, models={"run": model})
    assert len(fig.axes[0].lines) == 2


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
