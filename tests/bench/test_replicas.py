"""The replicated store on real replica processes: quorums, partitions, reconciliation, and cleanup."""
import socket

import numpy as np
import pytest

from scalelab.bench import replicas
from scalelab.models import consistency


@pytest.fixture(scope="module")
def store():
    with replicas.ReplicaSet(5) as running:
        yield running


def _per_key(history):
    keys = sorted({op["key"] for op in history})
    return {k: consistency.is_linearizable([op for op in history if op["key"] == k]) for k in keys}


def test_a_write_is_read_back(store):
    store.reset()
    client = store.client("a", r=3, w=3, rng=np.random.default_rng(0))
    assert client.write("x", 41) is True
    assert client.read("x") == (41, True)
    assert [op["op"] for op in store.history] == ["write", "read"]


def test_stale_reads_only_without_overlap(store):
    frame = replicas.stale_reads(store, quorums=((1, 1), (3, 3)), rounds=20, rng=np.random.default_rng(1))
    weak, strong = frame.iloc[0], frame.iloc[1]
    assert strong["stale_reads"] == 0 and strong["r_plus_w_gt_n"]
    # each round is stale with probability 0.8: 20 rounds without one has probability 0.2 ** 20
    assert weak["stale_reads"] > 0 and weak["model"] == pytest.approx(0.8)


def test_cp_refuses_in_the_minority_and_stays_linearizable(store):
    run = replicas.partition_run(store, mode="cp", operations=15, rng=np.random.default_rng(2))
    during = run.sides[run.sides["phase"] == "partition"].set_index("side")
    assert during.loc["side1", "reads_ok"] == 0 and during.loc["side1", "writes_ok"] == 0
    assert during.loc["side0", "writes_ok"] == during.loc["side0", "writes"]
    assert run.reconciliation["conflicts"] == 0 and run.reconciliation["lost_lww"] == 0
    assert all(_per_key(run.history).values())


def test_ap_diverges_and_lww_loses_what_version_vectors_keep(store):
    run = replicas.partition_run(store, mode="ap", operations=15, rng=np.random.default_rng(2))
    during = run.sides[run.sides["phase"] == "partition"].set_index("side")
    assert during.loc["side1", "writes_ok"] == during.loc["side1", "writes"] > 0
    rec = run.reconciliation
    assert rec["conflicts"] > 0 and rec["lost_lww"] > 0 and rec["lost_vv"] == 0
    assert not all(_per_key(run.history).values())


def test_partitioned_messages_are_lost_not_refused(store):
    store.reset()
    store.partition([[0, 1, 2], [3, 4]])
    try:
        assert store.send(3, "/get", {"key": "x", "from": 0}) is None
        assert store.send(3, "/get", {"key": "x", "from": 4}) == {"replica": "r3", "versions": []}
    finally:
        store.heal()
    assert store.send(3, "/get", {"key": "x", "from": 0}) is not None


def test_withdrawals_keep_the_invariant_only_when_the_minority_refuses(store):
    _, cp = replicas.withdrawals_run(store, mode="cp", withdrawals=6, rng=np.random.default_rng(3))
    _, ap = replicas.withdrawals_run(store, mode="ap", withdrawals=6, rng=np.random.default_rng(3))
    assert cp["money_created"] == 0 and cp["paid_by_side"]["side1"] == 0
    assert ap["money_created"] > 0 and ap["paid_by_side"]["side1"] > 0


def test_likes_merge_by_union(store):
    result = replicas.likes_run(store, likes=5, rng=np.random.default_rng(4))
    assert result["likes"] == 10 and result["kept_union"] == 10 and result["kept_lww"] == 5
    assert result["conflicts"] == 2


def test_bad_input(store):
    with pytest.raises(ValueError, match="n"):
        replicas.ReplicaSet(0)
    with pytest.raises(ValueError, match="r"):
        store.client("a", r=6, w=1)
    with pytest.raises(ValueError, match="mode"):
        store.client("a", r=1, w=1, mode="ca")
    with pytest.raises(ValueError, match="groups"):
        store.partition([[0, 1], [3, 4]])


def _port_closed(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_processes_and_ports_are_freed_on_error_and_ctrl_c(error):
    holder = {}
    with pytest.raises(error), replicas.ReplicaSet(3) as running:
        holder["processes"], holder["ports"] = list(running.processes), list(running.ports)
        raise error("boom")
    assert all(p.poll() is not None for p in holder["processes"])
    assert all(_port_closed(port) for port in holder["ports"])


def test_unstarted_store_says_so():
    with pytest.raises(RuntimeError, match="not started"):
        replicas.ReplicaSet(3).client("a", r=1, w=1)
