"""The benchmark harness and the loopback service: rows per run, and nothing left running afterwards."""
import os
import pathlib
import socket

import pandas as pd
import pytest

import scalelab as sl
from scalelab.bench import (
    LoopbackService,
    closed_loop,
    open_loop,
    processes,
    rate_sweep,
    run_benchmark,
    temporary_directory,
)


def _port_refuses(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def _process_gone(process):
    return process.poll() is not None


def test_run_benchmark_gives_one_row_per_timed_run():
    calls = []

    def job(size):
        calls.append(size)
        return {"total": sum(range(size))}

    frame = run_benchmark(job, {"size": [10, 100]}, repeats=3, warmup=1)
    assert len(frame) == 6 and len(calls) == 8
    assert set(frame.columns) >= {"size", "repeat", "wall_s", "cpu_s", "total"}
    assert (frame["wall_s"] > 0).all()
    with pytest.raises(ValueError, match="repeats"):
        run_benchmark(job, {"size": [1]}, repeats=0)


def test_temporary_directory_is_removed_even_on_error():
    with pytest.raises(RuntimeError), temporary_directory() as path:
        pathlib.Path(path, "f.txt").write_text("x")
        raise RuntimeError("boom")
    assert not os.path.exists(path)


def test_service_is_stopped_after_success():
    with LoopbackService(service_time=0.001) as svc:
        process, port = svc.process, svc.port
        result = open_loop(svc.url, rate=200, requests=40)
        assert svc.stats()["served"] == 40
    assert _process_gone(process) and _port_refuses(port)
    summary = result.summary()
    assert summary["ok"] == 40 and summary["error_rate"] == 0
    assert summary["p99_ms"] >= summary["p95_ms"] >= summary["p50_ms"] > 0


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_service_is_stopped_after_an_exception(error):
    with pytest.raises(error), LoopbackService(service_time=0.001) as svc:
        process, port = svc.process, svc.port
        raise error()
    assert _process_gone(process) and _port_refuses(port)
    assert not processes._LIVE


def test_service_counts_injected_errors_and_measures_ttfb():
    sl.seed(3)
    with LoopbackService(service_time=0.001, error_rate=1.0) as svc:
        failed = open_loop(svc.url, rate=100, requests=20).summary()
    assert failed["ok"] == 0 and failed["error_rate"] == 1.0
    with LoopbackService(service_time=0.001, body_delay=0.02, distribution="constant") as svc:
        frame = open_loop(svc.url, rate=50, requests=10).requests
    assert (frame["response_s"] >= frame["ttfb_s"] + 0.015).all()


def test_open_loop_latency_counts_time_waiting_to_be_sent():
    """Overloaded: latency from the scheduled time exceeds latency from the actual send (coordinated omission)."""
    with LoopbackService(service_time=0.02, workers=1, distribution="constant") as svc:
        frame = open_loop(svc.url, rate=100, requests=40, arrivals="uniform").requests
        stats = svc.stats()
    assert (frame["latency_s"] >= frame["response_s"] - 1e-9).all()
    # 40 requests of 20 ms each arrive over 0.4 s, so the last one finishes after 0.8 s: someone waited > 0.4 s.
    # (Waiting requests take the worker in no fixed order, so the last one sent need not be the one that waited.)
    assert frame["latency_s"].max() > 0.2
    assert stats["max_in_system"] > 1 and 0 < stats["utilization"] <= 1.0001


def test_closed_loop_and_rate_sweep():
    with LoopbackService(service_time=0.002, workers=4) as svc:
        closed = closed_loop(svc.url, users=3, requests_per_user=5)
        sweep = rate_sweep(svc.url, [50, 100], seconds=0.3)
    assert len(closed.requests) == 15 and closed.summary()["users"] == 3
    assert isinstance(sweep, pd.DataFrame) and list(sweep["offered_rps"]) == [50, 100]


def test_rate_sweep_warms_up_without_measuring_the_warm_up():
    """The warm-up requests reach the server but no row of the sweep counts them."""
    with LoopbackService(service_time=0.001, workers=2) as svc:
        sweep = rate_sweep(svc.url, [50], seconds=0.2, warmup_requests=15, warmup_rps=200)
        served = svc.stats()["served"]
    assert list(sweep["requests"]) == [10]
    assert served == 25  # 15 warm-up + 10 measured


@pytest.mark.parametrize("kwargs, name", [({"warmup_requests": -1}, "warmup_requests"),
                                          ({"warmup_requests": 2.5}, "warmup_requests"),
                                          ({"warmup_rps": 0}, "warmup_rps")])
def test_rate_sweep_rejects_a_bad_warm_up(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rate_sweep("http://127.0.0.1:9/", [10], seconds=0.1, **kwargs)


def test_a_server_that_fails_to_start_is_reported_and_reaped():
    from scalelab.bench.service import serve

    with pytest.raises(RuntimeError, match="(?s)did not start.*TypeError"):
        processes.start(serve, service_time=0.001)  # the other settings are missing: the child fails
    assert not processes._LIVE


@pytest.mark.parametrize("kwargs, name", [
    ({"service_time": -1}, "service_time"), ({"workers": 0}, "workers"),
    ({"distribution": "pareto"}, "distribution"), ({"error_rate": 2}, "error_rate"),
])
def test_service_rejects_bad_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LoopbackService(**kwargs)


def test_load_generator_only_targets_this_machine():
    with pytest.raises(ValueError, match="127.0.0.1"):
        open_loop("http://10.0.0.1:80/work", rate=1, requests=1)
    with pytest.raises(ValueError, match="rate"):
        open_loop("http://127.0.0.1:9/work", rate=0, requests=1)


def test_open_loop_samples_the_requests_in_flight_independently_of_their_times():
    with LoopbackService(service_time=0.005, workers=1) as svc:
        result = open_loop(svc.url, rate=100, requests=60)
    summary = result.summary()
    samples = result.info["in_flight_samples"]
    span_s = result.requests["end"].max() - result.requests["scheduled"].min()
    assert abs(len(samples) - span_s / result.info["sample_every_s"]) <= 2   # one reading per tick of the clock
    assert samples.min() >= 0 and samples.max() <= 60
    assert summary["sampled_in_flight"] == pytest.approx(samples.mean())
    little = summary["throughput_rps"] * summary["mean_ms"] / 1000
    assert summary["sampled_in_flight"] == pytest.approx(little, rel=0.25)   # Little's law, two independent figures


def test_open_loop_rejects_a_bad_sampling_period():
    with pytest.raises(ValueError, match="sample_every_s"):
        open_loop("http://127.0.0.1:9/", rate=10, requests=1, sample_every_s=0)
