"""The benchmark harness and the loopback service: rows per run, and nothing left running afterwards."""

import pytest

import scalelab as sl
from scalelab.bench import LoopbackService, open_loop, processes, rate_sweep
from tests.leftovers import port_refuses


def _process_gone(process):
    return process.poll() is not None


def test_service_is_stopped_after_success():
    with LoopbackService(service_time_s=0.001) as svc:
        process, port = svc.process, svc.port
        result = open_loop(svc.url, rate=200, requests=40)
        assert svc.stats()["served"] == 40
    assert _process_gone(process) and port_refuses(port)
    summary = result.summary()
    assert summary["ok"] == 40 and summary["error_rate"] == 0
    assert summary["p99_ms"] >= summary["p95_ms"] >= summary["p50_ms"] > 0


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_service_is_stopped_after_an_exception(error):
    with pytest.raises(error), LoopbackService(service_time_s=0.001) as svc:
        process, port = svc.process, svc.port
        raise error()
    assert _process_gone(process) and port_refuses(port)
    assert not processes._LIVE


def test_service_counts_injected_errors_and_measures_ttfb():
    sl.seed(3)
    with LoopbackService(service_time_s=0.001, error_rate=1.0) as svc:
        failed = open_loop(svc.url, rate=100, requests=20).summary()
    assert failed["ok"] == 0 and failed["error_rate"] == 1.0
    with LoopbackService(service_time_s=0.001, body_delay_s=0.02, distribution="constant") as svc:
        frame = open_loop(svc.url, rate=50, requests=10).requests
    assert (frame["response_s"] >= frame["ttfb_s"] + 0.015).all()


def test_open_loop_latency_counts_time_waiting_to_be_sent():
    """Overloaded: latency from the scheduled time exceeds latency from the actual send (coordinated omission)."""
    with LoopbackService(service_time_s=0.02, servers=1, distribution="constant") as svc:
        frame = open_loop(svc.url, rate=100, requests=40, arrivals="uniform").requests
        stats = svc.stats()
    assert (frame["latency_s"] >= frame["response_s"] - 1e-9).all()
    # 40 requests of 20 ms each arrive over 0.4 s, so the last one finishes after 0.8 s: someone waited > 0.4 s.
    # (Waiting requests take the worker in no fixed order, so the last one sent need not be the one that waited.)
    assert frame["latency_s"].max() > 0.2
    assert stats["max_in_system"] > 1 and 0 < stats["utilization"] <= 1.0001


def test_rate_sweep_warms_up_without_measuring_the_warm_up():
    """The warm-up requests reach the server but no row of the sweep counts them."""
    with LoopbackService(service_time_s=0.001, servers=2) as svc:
        sweep = rate_sweep(svc.url, [50], seconds=0.2, warmup_requests=15, warmup_rps=200)
        served = svc.stats()["served"]
    assert list(sweep["requests"]) == [10]
    assert served == 25  # 15 warm-up + 10 measured


@pytest.mark.parametrize("kwargs, name", [
    ({"service_time_s": -1}, "service_time_s"), ({"servers": 0}, "servers"), ({"body_delay_s": -0.1}, "body_delay_s"),
    ({"distribution": "pareto"}, "distribution"), ({"error_rate": 2}, "error_rate"),
])
def test_service_rejects_bad_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LoopbackService(**kwargs)


def test_service_draws_its_child_seed_from_rng():
    import scalelab

    assert LoopbackService(rng=5).config["seed"] == LoopbackService(rng=5).config["seed"]
    scalelab.seed(1)
    first = LoopbackService().config["seed"]
    scalelab.seed(1)
    assert LoopbackService().config["seed"] == first
    assert LoopbackService(rng=6).config["seed"] != LoopbackService(rng=5).config["seed"]


def test_open_loop_samples_the_requests_in_flight_independently_of_their_times():
    with LoopbackService(service_time_s=0.005, servers=1) as svc:
        result = open_loop(svc.url, rate=100, requests=60)
    summary = result.summary()
    samples = result.info["in_flight_samples"]
    span_s = result.requests["end"].max() - result.requests["scheduled"].min()
    assert abs(len(samples) - span_s / result.info["sample_every_s"]) <= 2   # one reading per tick of the clock
    assert samples.min() >= 0 and samples.max() <= 60
    assert summary["sampled_in_flight"] == pytest.approx(samples.mean())
    little = summary["throughput_rps"] * summary["mean_ms"] / 1000
    assert summary["sampled_in_flight"] == pytest.approx(little, rel=0.25)   # Little's law, two independent figures
