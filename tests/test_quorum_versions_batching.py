"""Quorum arithmetic, version vectors and the batching model against hand-computed values."""
import math

import numpy as np
import pytest

from scalelab.models import batching as bm
from scalelab.models import quorum as q
from scalelab.models import versions as vs


# ------------------------------------------------------------------------------------------------------ quorums
@pytest.mark.parametrize("n, r, w, overlap, shared", [(3, 2, 2, True, 1), (3, 1, 1, False, 0), (5, 3, 3, True, 1),
                                                      (5, 1, 5, True, 1), (5, 2, 3, False, 0), (7, 4, 6, True, 3)])
def test_overlap(n, r, w, overlap, shared):
    assert q.overlaps(n, r, w) is overlap
    assert q.min_overlap(n, r, w) == shared


def test_failures_tolerated():
    assert (q.read_failures_tolerated(5, 2), q.write_failures_tolerated(5, 4)) == (3, 1)
    assert q.writes_overlap(5, 3) and not q.writes_overlap(4, 2)


@pytest.mark.parametrize("n, r, w, expected", [(3, 1, 1, 2 / 3), (5, 1, 1, 4 / 5), (5, 2, 2, 3 / 10),
                                               (5, 2, 3, 1 / 10), (5, 3, 3, 0.0), (4, 2, 2, 1 / 6)])
def test_stale_read_probability(n, r, w, expected):
    # C(n - w, r) / C(n, r): e.g. n=5, r=2, w=2: C(3,2)/C(5,2) = 3/10
    assert q.stale_read_probability(n, r, w) == pytest.approx(expected)


def test_quorum_availability():
    # 2 of 3 up, each 0.9: 3 * 0.81 * 0.1 + 0.729 = 0.972
    assert q.quorum_availability(3, 2, 0.9) == pytest.approx(0.972)
    assert q.quorum_availability(5, 1, 0.5) == pytest.approx(1 - 0.5 ** 5)


def test_partition_service():
    assert q.partition_service(5, 3, 3, 2) == q.SideService(2, False, False)
    assert q.partition_service(5, 3, 3, 3) == q.SideService(3, True, True)
    assert q.partition_service(5, 1, 4, 3) == q.SideService(3, True, False)
    assert q.partition_service(5, 3, 3, 2, mode="ap") == q.SideService(2, True, True)
    assert q.partition_service(5, 3, 3, 0, mode="ap") == q.SideService(0, False, False)


@pytest.mark.parametrize("call, name", [(lambda: q.overlaps(3, 4, 1), "r"), (lambda: q.overlaps(0, 1, 1), "n"),
                                        (lambda: q.stale_read_probability(3, 1, 0), "w"),
                                        (lambda: q.quorum_availability(3, 2, 1.5), "replica_availability"),
                                        (lambda: q.partition_service(5, 3, 3, 6), "side"),
                                        (lambda: q.partition_service(5, 3, 3, 2, mode="ca"), "mode")])
def test_quorum_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------------------------------------- version vectors
def version(value, vv, t=0, writer="a"):
    return {"value": value, "ts": [t, writer], "vv": vv}


def test_compare_clocks():
    assert vs.compare({"r0": 1}, {"r0": 1}) == "equal"
    assert vs.compare({"r0": 1}, {"r0": 2}) == "before"
    assert vs.compare({"r0": 2, "r1": 1}, {"r0": 2}) == "after"
    assert vs.compare({"r0": 1}, {"r1": 1}) == "concurrent"
    assert vs.merge_clocks({"r0": 2}, {"r0": 1, "r1": 3}) == {"r0": 2, "r1": 3}


def test_next_clock_is_above_anything_the_replica_issued():
    assert vs.next_clock({}, "r0") == {"r0": 1}
    assert vs.next_clock({"r1": 2}, "r0", held=[{"r0": 4}]) == {"r1": 2, "r0": 5}


def test_siblings_keep_concurrent_versions_and_drop_dominated_ones():
    a, b = version("a", {"r0": 1}, 1), version("b", {"r1": 1}, 2)
    siblings, added = vs.add_version([a], b)
    assert added and [s["value"] for s in siblings] == ["a", "b"]
    c = version("c", {"r0": 1, "r1": 1, "r2": 1}, 3)
    siblings, added = vs.add_version(siblings, c)
    assert added and [s["value"] for s in siblings] == ["c"]
    same, added = vs.add_version(siblings, a)  # an old version arriving late changes nothing
    assert not added and same == siblings


def test_lww_keeps_one_and_loses_the_concurrent_write():
    a, b = version("a", {"r0": 1}, 5, "x"), version("b", {"r1": 1}, 7, "y")
    siblings = vs.reconcile([a, b])
    assert len(siblings) == 2 and vs.lww(siblings)["value"] == "b"
    assert vs.lost_writes([a, b], [vs.lww(siblings)]) == 1
    assert vs.lost_writes([a, b], siblings) == 0
    assert vs.lww([version("p", {}, 5, "a"), version("q", {}, 5, "b")])["value"] == "q"  # ties: the writer's name


def test_versions_bad_input():
    with pytest.raises(ValueError, match="vv"):
        vs.add_version([], {"value": 1, "ts": [0, "a"], "vv": {"r0": -1}})
    with pytest.raises(ValueError, match="ts"):
        vs.lww([{"value": 1, "ts": 3, "vv": {}}])
    with pytest.raises(ValueError, match="version"):
        vs.reconcile([{"value": 1}])


# ----------------------------------------------------------------------------------------------------- batching
def test_commit_time_and_capacity():
    assert bm.commit_time_s(10, 0.001, 0.0001) == pytest.approx(0.002)
    assert bm.throughput_capacity(10, 0.001, 0.0001) == pytest.approx(5000)
    np.testing.assert_allclose(bm.throughput_capacity(np.array([1, 100]), 0.001, 0.0), [1000, 100_000])


def test_fill_wait_and_latency():
    # 1000 items/s, batches of 11: the first item waits 10 ms, the last 0; mean 5 ms
    assert bm.fill_wait_s(11, 1000) == pytest.approx(0.005)
    assert bm.batch_latency_s(11, 1000, 0.001, 0.0001) == pytest.approx(0.005 + 0.0021)
    # b = 1 at 1000/s with a 1.1 ms commit cannot keep up
    assert bm.batch_latency_s(1, 1000, 0.001, 0.0001) == math.inf


def test_smallest_stable_and_largest_within_target():
    # rate 2000/s, c0 = 1 ms, c1 = 0.1 ms: b > 2 / (1 - 0.2) = 2.5 -> 3
    assert bm.smallest_stable_batch(2000, 0.001, 0.0001) == 3
    assert bm.smallest_stable_batch(20_000, 0.001, 0.0001) is None
    # latency(b) = (b - 1)/4000 + 0.001 + 0.0001 b <= 0.01 -> b <= (0.009 + 0.00025) / 0.00035 = 26.4
    assert bm.largest_batch_for_latency(2000, 0.010, 0.001, 0.0001) == 26
    assert bm.batch_latency_s(26, 2000, 0.001, 0.0001) <= 0.010 < bm.batch_latency_s(27, 2000, 0.001, 0.0001)
    # the smallest stable size, 3, takes 2/4000 + 0.001 + 0.0003 = 1.8 ms: a 1.5 ms target cannot be met
    assert bm.largest_batch_for_latency(2000, 0.0015, 0.001, 0.0001) is None


def test_fit_commit_time_recovers_a_line():
    b = np.array([1, 4, 16, 64, 256])
    assert bm.fit_commit_time(b, 0.0012 + 4e-6 * b) == pytest.approx((0.0012, 4e-6))


@pytest.mark.parametrize("call, name", [(lambda: bm.commit_time_s(0, 0.001, 0), "batch_size"),
                                        (lambda: bm.fill_wait_s(2, 0), "rate"),
                                        (lambda: bm.commit_time_s(2, -1, 0), "overhead_s"),
                                        (lambda: bm.throughput_capacity(2, 0, 0), "overhead_s"),
                                        (lambda: bm.largest_batch_for_latency(10, 0, 0.001, 0), "target_s"),
                                        (lambda: bm.fit_commit_time([4, 4], [1, 2]), "batch_sizes")])
def test_batching_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
