"""The loopback mini-cluster: the real cluster (routing, failover, sessions, clean-up) and the tables its benchmarks
return. No test asserts an absolute time. The routing rules it uses are tested in test_routing.py."""

import numpy as np
import pytest

from scalelab.bench import cluster
from scalelab.bench import cluster as cl
from scalelab.models import metrics
from tests.leftovers import all_gone, port_refuses


def test_benchmarks_reject_bad_arguments():
    for call in (lambda: cl.scaling_sweep(ns=()), lambda: cl.scaling_sweep(kind="gpu"),
                 lambda: cl.scaling_sweep(repeats=0), lambda: cl.failover_run(servers=1),
                 lambda: cl.failover_run(kill_at_s=5.0, seconds=1.0), lambda: cl.session_run(stores=("redis",)),
                 lambda: cl.session_run(kill_after_step=9, steps=3)):
        with pytest.raises(ValueError):
            call()


def test_cluster_rejects_bad_arguments():
    for kwargs in ({"servers": 0}, {"algorithm": "random"}, {"kind": "gpu"}, {"store": "redis"},
                   {"service_time_ms": -1}):
        with pytest.raises(ValueError):
            cl.Cluster(**kwargs)


# ------------------------------------------------------------------------------------------- the real cluster


def test_cluster_routes_round_robin_survives_a_dead_worker_and_cleans_up():
    with cl.Cluster(3, "round_robin", service_time_ms=1.0) as cluster:
        ports = [cluster.port, *cluster.worker_ports]
        procs = cluster.all_processes()
        workers = [cluster.get("/work")[1]["worker"] for _ in range(6)]
        assert workers == [0, 1, 2, 0, 1, 2]
        cluster.kill_worker(1)
        assert not cluster.worker_alive(1)
        replies = [cluster.get("/work") for _ in range(6)]
        assert [status for status, _ in replies] == [200] * 6, "the balancer should route around the dead worker"
        assert {body["worker"] for _, body in replies} == {0, 2}
        stats = cluster.stats()
        assert stats["connect_errors"][1] >= 1 and stats["retries"] >= 1
        assert stats["up"][1] is False
        cluster.configure(health_checks=False)  # a naive balancer keeps sending 1/3 of the requests to the dead worker
        statuses = sorted(cluster.get("/work")[0] for _ in range(6))
        assert statuses == [200, 200, 200, 200, 502, 502]
        assert cluster.stats()["refused_to_client"] == 2
    all_gone(procs, ports)


def test_least_connections_sends_work_to_the_idle_worker():
    import threading

    with cl.Cluster(2, "least_connections", service_time_ms=1.0) as cluster:
        slow = threading.Thread(target=cluster.get, args=("/work?ms=3000",))
        slow.start()
        try:
            import time
            deadline = time.monotonic() + 5
            while cluster.stats()["active"] == [0, 0] and time.monotonic() < deadline:
                time.sleep(0.02)
            busy = cluster.stats()["active"].index(1)
            # Only replies that came back while the slow request still held its worker count (a loaded machine
            # may take seconds for four requests).
            replies = []
            for _ in range(4):
                worker = cluster.get("/work")[1]["worker"]
                if slow.is_alive():
                    replies.append(worker)
            assert replies, "the slow request ended before any reply came back"
            assert replies == [1 - busy] * len(replies)
        finally:
            slow.join()


def test_cluster_cleans_up_after_an_exception_and_ctrl_c():
    for error in (RuntimeError, KeyboardInterrupt):
        with pytest.raises(error), cl.Cluster(2, service_time_ms=1.0) as cluster:
            ports = [cluster.port, *cluster.worker_ports]
            procs = cluster.all_processes()
            raise error("stop here")
        all_gone(procs, ports)


def test_sticky_sessions_local_state_is_lost_but_shared_state_survives():
    run = cl.session_run(sticky=True, users=3, steps=4, kill_after_step=2)
    frame, killed = run.table, run.killed_worker
    assert run.sticky and run.kill_after_step == 2
    assert killed in (0, 1, 2)
    before = frame[frame["step"] <= 2]
    assert (before["lost"] == 0).all(), "sticky sessions keep every item while no worker dies"
    after = frame[(frame["step"] > 2) & (frame["user"] == "u0")]
    assert (after["status"] == 200).all()
    assert (after.loc[after["store"] == "local", "lost"] > 0).all(), "u0's local cart died with its worker"
    assert (after.loc[after["store"] == "sqlite", "lost"] == 0).all(), "the shared store keeps u0's cart"


def test_non_sticky_local_sessions_split_a_users_cart():
    run = cl.session_run(sticky=False, stores=("local",), users=4, steps=3, kill_after_step=0)
    assert run.killed_worker is None
    frame = run.table
    assert (frame["status"] == 200).all()
    assert frame["worker"].nunique() == 3
    assert (frame.loc[frame["step"] == 3, "lost"] > 0).any()


def test_scaling_and_failover_relations_on_one_cluster():
    with cl.Cluster(3, "least_connections", service_time_ms=20.0) as cluster:
        sweep = cl.scaling_sweep(ns=(1, 2), kind="sleep", service_time_ms=20.0, seconds=0.3, repeats=2, cluster=cluster)
        assert sweep["servers"].tolist() == [1, 2]
        assert (sweep["error_rate"] == 0).all()
        assert sweep["throughput_rps"].iloc[1] > 1.3 * sweep["throughput_rps"].iloc[0], \
            "two sleep-based workers should serve clearly more than one"
        assert (sweep["p95_ms"] >= sweep["p50_ms"]).all()
        result = cl.failover_run(servers=3, rate=40.0, seconds=1.5, kill_at_s=0.5, cluster=cluster)
    run = result.table
    assert (result.kill_at_s, result.kill_index, result.servers, result.health_checks) == (0.5, 0, 3, True)
    assert not run.empty and {"scheduled", "status", "ok"} <= set(run.columns)
    summary = metrics.availability_of(run)
    assert summary["requests"] == len(run)
    assert summary["availability"] > 0.8, "the balancer should route around the dead worker"
    late = run[run["scheduled"] > 1.0]
    assert (late["status"] == 200).all(), "after the kill, new requests should all succeed"
    assert result.balancer["routed"][0] >= 1
    assert np.isclose(summary["availability"], run["ok"].mean())


def test_restarted_worker_rejoins_with_empty_local_state():
    with cl.Cluster(2, "round_robin", service_time_ms=1.0, retry_after_s=30.0) as cluster:
        old_port = cluster.worker_ports[0]
        assert [cluster.get("/cart?user=x&store=local")[1]["items"] for _ in range(4)] == [1, 1, 2, 2]
        cluster.kill_worker(0)
        assert {cluster.get("/work")[1]["worker"] for _ in range(3)} == {1}
        new_port = cluster.restart_worker(0)
        assert new_port != old_port and cluster.worker_alive(0)
        assert port_refuses(old_port)
        replies = [cluster.get("/cart?user=x&store=local")[1] for _ in range(4)]
        assert sorted((r["worker"], r["items"]) for r in replies) == [(0, 1), (0, 2), (1, 3), (1, 4)]
        with pytest.raises(ValueError):
            cluster.configure(n_active=3)
        procs, ports = cluster.all_processes(), [cluster.port, *cluster.worker_ports]
    all_gone(procs, ports)


# -------------------------------------------------------------------------------------------------- benchmarks
def test_round_robin_overloads_the_slow_worker_measured():
    table = cluster.algorithm_run(rate=100, seconds=0.6, servers=3, service_time_ms=10,
                                  slowdown=5).set_index("algorithm")
    assert table.loc["round_robin", "slow_share"] == pytest.approx(1 / 3, abs=0.02)
    assert table.loc["least_connections", "slow_share"] < 0.25
    assert table["ok"].eq(table["requests"]).all()


def test_cluster_slowdowns_are_validated():
    with pytest.raises(ValueError, match="slowdowns"):
        cluster.Cluster(servers=3, slowdowns=[1, 2])
    assert cluster.Cluster(servers=2).slowdowns == [1.0, 1.0]
