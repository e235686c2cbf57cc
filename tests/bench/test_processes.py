"""The benchmark harness and the loopback service: rows per run, and nothing left running afterwards."""

import pytest

from scalelab.bench import cluster as cl
from scalelab.bench import processes
from tests.leftovers import all_gone


def test_a_server_that_fails_to_start_is_reported_and_reaped():
    from scalelab.bench.service import serve

    with pytest.raises(RuntimeError, match="(?s)did not start.*TypeError"):
        processes.start(serve, service_time=0.001)  # the other settings are missing: the child fails
    assert not processes._LIVE


# ------------------------------------------------------------------------------------------- the real cluster


def test_cluster_cleans_up_when_the_balancer_fails_to_start(monkeypatch):
    started = []
    real_start = processes.start

    def failing_start(target, **kwargs):
        if target is cl.balancer:
            raise RuntimeError("balancer could not start")
        process, port = real_start(target, **kwargs)
        started.append((process, port))
        return process, port

    monkeypatch.setattr(cl.processes, "start", failing_start)
    cluster = cl.Cluster(2, service_time_ms=1.0)
    with pytest.raises(RuntimeError):
        cluster.start()
    assert len(started) == 2
    all_gone([p for p, _ in started], [port for _, port in started])
