"""Quorum arithmetic, version vectors and the batching model against hand-computed values."""
import pytest

from scalelab.models import quorum as q


# ------------------------------------------------------------------------------------------------------ quorums
@pytest.mark.parametrize("n, r, w, overlap, shared", [(3, 2, 2, True, 1), (3, 1, 1, False, 0), (5, 3, 3, True, 1),
                                                      (5, 1, 5, True, 1), (5, 2, 3, False, 0), (7, 4, 6, True, 3)])
def test_overlap(n, r, w, overlap, shared):
    assert q.overlaps(n, r, w) is overlap
    assert q.min_overlap(n, r, w) == shared


def test_failures_tolerated():
    assert (q.read_failures_tolerated(5, 2), q.write_failures_tolerated(5, 4)) == (3, 1)


@pytest.mark.parametrize("n, r, w, expected", [(3, 1, 1, 2 / 3), (5, 1, 1, 4 / 5), (5, 2, 2, 3 / 10),
                                               (5, 2, 3, 1 / 10), (5, 3, 3, 0.0), (4, 2, 2, 1 / 6)])
def test_stale_read_probability(n, r, w, expected):
    # C(n - w, r) / C(n, r): e.g. n=5, r=2, w=2: C(3,2)/C(5,2) = 3/10
    assert q.stale_read_probability(n, r, w) == pytest.approx(expected)


def test_partition_service():
    assert q.partition_service(5, 3, 3, 2) == q.SideService(2, False, False)
    assert q.partition_service(5, 3, 3, 3) == q.SideService(3, True, True)
    assert q.partition_service(5, 1, 4, 3) == q.SideService(3, True, False)
    assert q.partition_service(5, 3, 3, 2, mode="ap") == q.SideService(2, True, True)
    assert q.partition_service(5, 3, 3, 0, mode="ap") == q.SideService(0, False, False)


@pytest.mark.parametrize("call, name", [(lambda: q.overlaps(3, 4, 1), "r"), (lambda: q.overlaps(0, 1, 1), "n"),
                                        (lambda: q.stale_read_probability(3, 1, 0), "w"),
                                        (lambda: q.partition_service(5, 3, 3, 6), "side"),
                                        (lambda: q.partition_service(5, 3, 3, 2, mode="ca"), "mode")])
def test_quorum_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
