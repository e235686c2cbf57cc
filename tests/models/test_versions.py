"""Quorum arithmetic, version vectors and the batching model against hand-computed values."""
import pytest

from scalelab.models import versions as vs


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
