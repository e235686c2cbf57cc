"""The seeded store simulator against the quorum arithmetic, the partition rules and the linearizability checker."""
import math

import numpy as np
import pytest

from scalelab.models import consistency, quorum
from scalelab.sim import replicas as sr


def _per_key_linearizable(history):
    keys = {op["key"] for op in history}
    return all(consistency.is_linearizable([op for op in history if op["key"] == k]) for k in keys)


def test_same_seed_same_run():
    a = sr.simulate_store(mode="ap", rng=np.random.default_rng(3))
    b = sr.simulate_store(mode="ap", rng=np.random.default_rng(3))
    assert a.history == b.history and a.reconciliation == b.reconciliation


@pytest.mark.parametrize("r, w", [(1, 1), (2, 2), (2, 3), (1, 3), (3, 3), (1, 5)])
def test_stale_reads_follow_the_quorum_arithmetic(r, w):
    run = sr.simulate_store(n=5, r=r, w=w, mode="ap", minority=0, operations=3000, keys=200, lag=10_000,
                            rng=np.random.default_rng(r * 10 + w))
    p = quorum.stale_read_probability(5, r, w)
    # reads of a key written before: each misses the last write's w replicas with probability p
    written, reads = set(), 0
    for op in run.history:  # completed reads of a key with an acknowledged write before them
        if op["op"] == "read" and op["ok"] and op["key"] in written:
            reads += 1
        if op["op"] == "write" and op["ok"] is True:
            written.add(op["key"])
    tolerance = 4 * math.sqrt(p * (1 - p) / reads) + 1e-12
    share = run.stale_reads / reads
    assert abs(share - p) <= tolerance, (share, p)
    if r + w > 5:
        assert run.stale_reads == 0


@pytest.mark.parametrize("n, r, w", [(5, 1, 1), (5, 2, 3), (7, 2, 2), (4, 2, 3)])
def test_vectorised_quorum_race_matches_the_formula(n, r, w):
    p = quorum.stale_read_probability(n, r, w)
    share = sr.stale_read_share(n, r, w, rounds=40_000, rng=np.random.default_rng(n + r + w))
    assert abs(share - p) <= 4 * math.sqrt(p * (1 - p) / 40_000) + 1e-12


def test_cp_refuses_on_the_minority_and_loses_nothing():
    run = sr.simulate_store(n=5, r=3, w=3, mode="cp", minority=2, rng=np.random.default_rng(1))
    during = run.sides[run.sides["phase"] == "partition"].set_index("side")
    for side, replicas in ((0, 3), (1, 2)):
        serves = quorum.partition_service(5, 3, 3, replicas, mode="cp")
        row = during.loc[side]
        assert (bool(row["reads_ok"] == row["reads"]) is serves.reads
                and bool(row["reads_ok"] == 0) is (not serves.reads))
        assert bool(row["writes_ok"] == row["writes"]) is serves.writes
    assert run.reconciliation["conflicts"] == 0 and run.reconciliation["lost_lww"] == 0
    assert _per_key_linearizable(run.history)


def test_ap_accepts_diverges_and_lww_loses_what_version_vectors_keep():
    run = sr.simulate_store(n=5, r=3, w=3, mode="ap", minority=2, rng=np.random.default_rng(1))
    during = run.sides[run.sides["phase"] == "partition"]
    assert (during["reads_ok"] == during["reads"]).all() and (during["writes_ok"] == during["writes"]).all()
    rec = run.reconciliation
    assert rec["conflicts"] > 0 and rec["lost_lww"] > 0 and rec["lost_vv"] == 0
    assert during["stale_reads"].sum() > 0
    assert not _per_key_linearizable(run.history)


def test_cp_with_minority_quorums_is_not_safe():
    # W = 2 of 5 lets the 2-replica side write too: the arithmetic (2W <= N) says two sides can both write
    run = sr.simulate_store(n=5, r=2, w=2, mode="cp", minority=2, rng=np.random.default_rng(2))
    assert run.reconciliation["conflicts"] > 0


def test_no_partition_sequential_strong_quorums_are_linearizable():
    run = sr.simulate_store(n=3, r=2, w=2, mode="cp", minority=0, operations=300, rng=np.random.default_rng(4))
    assert run.stale_reads == 0 and _per_key_linearizable(run.history)


@pytest.mark.parametrize("kwargs, name", [({"r": 6}, "r"), ({"mode": "ca"}, "mode"), ({"minority": 3}, "minority"),
                                          ({"partition": (0.8, 0.2)}, "partition"), ({"lag": -1}, "lag")])
def test_simulator_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        sr.simulate_store(**kwargs)
