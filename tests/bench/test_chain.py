"""Service chains and fan-out on loopback: the right rows, relations between them, and nothing left running."""

import numpy as np
import pytest

from scalelab.bench import chain, processes
from scalelab.models import metrics
from tests.leftovers import port_refuses


def _all_stopped(procs, ports):
    return all(p.poll() is not None for p in procs) and all(port_refuses(port) for port in ports)


def test_pool_serves_chains_and_fan_out_then_stops():
    with chain.ServicePool(services=3, rng=np.random.default_rng(1)) as pool:
        procs, ports = list(pool.processes), list(pool.ports)
        assert len(set(ports)) == 3
        costs = chain.call_costs(pool, calls=20, local_calls=1000)
        frame = chain.chain_latency(pool, ks=(1, 3), calls=5, service_time_ms=2.0)
        spread = chain.fan_out(pool, ks=(1, 3), requests=10, service_time_ms=1.0, distribution="bimodal", p_slow=1.0,
                               slow_ms=3.0)
        exp = chain.fan_out(pool, ks=(2,), requests=5, distribution="exponential", service_time_ms=0.5)
        broken = chain.chain_latency(pool, ks=(1, 2), calls=3, p_fail=1.0)
    assert _all_stopped(procs, ports)
    assert list(costs["kind"]) == ["in-process function call", "loopback HTTP call"]
    assert costs["calls"].tolist() == [1000, 20]
    # a network call is slower than a function call: a relation between two measurements, not an absolute time
    assert costs["p50_us"].iloc[1] > costs["p50_us"].iloc[0]
    assert len(frame) == 10 and frame["ok"].all() and (frame["hops"] == frame["k"]).all()
    assert not broken["ok"].any() and broken["service_time_ms"].isna().all()
    assert (frame["service_time_ms"] == 2.0 * frame["k"]).all()
    assert (frame["latency_ms"] >= frame["service_time_ms"]).all()  # each service slept its work before answering
    table = metrics.latency_table(frame)
    assert list(table["k"]) == [1, 3] and (table["p99"] >= table["p50"]).all()
    assert (spread["slow_calls"] == spread["k"]).all()  # p_slow = 1: every call is slow
    assert (spread["latency_ms"] >= spread["slowest_ms"] - 1e-6).all()
    assert (spread["slowest_ms"] >= spread["fastest_ms"]).all()
    assert len(exp) == 5 and (exp["slow_calls"] == 0).all()


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_pool_is_stopped_after_an_exception(error):
    with pytest.raises(error), chain.ServicePool(services=2) as pool:
        procs, ports = list(pool.processes), list(pool.ports)
        pool.call(2)
        raise error()
    assert _all_stopped(procs, ports)
    assert not [p for p in procs if p in processes._LIVE]


def test_bad_input_and_unstarted_pool():
    pool = chain.ServicePool(services=2)
    with pytest.raises(RuntimeError, match="not started"):
        pool.call(1)
    with pytest.raises(ValueError, match="services"):
        chain.ServicePool(services=0)
    with pytest.raises(ValueError, match="distribution"):
        chain.chain_latency(pool, distribution="uniform")
    with pytest.raises(ValueError, match="p_slow"):
        chain.fan_out(pool, p_slow=2)
    with pytest.raises(ValueError, match="ks"):
        chain.chain_latency(pool, ks=(1, 3))  # longer than the pool


def test_a_failed_start_stops_the_services_that_did_start(monkeypatch):
    started = []
    real_start = processes.start

    pool = chain.ServicePool(services=3, rng=np.random.default_rng(100))

    def start_all_but_one(target, seed, **kwargs):
        if seed == pool.seeds[1]:
            raise RuntimeError("this one cannot start")
        process, port = real_start(target, seed=seed, **kwargs)
        started.append((process, port))
        return process, port

    monkeypatch.setattr(chain.processes, "start", start_all_but_one)
    with pytest.raises(RuntimeError, match="only 2 of 3"):
        pool.start()
    assert len(started) == 2
    assert _all_stopped([p for p, _ in started], [port for _, port in started])
