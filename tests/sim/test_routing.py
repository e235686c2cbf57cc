"""The routing rules of a load balancer and the dispatch model of jobs over FIFO servers: by hand, no clock."""
import pytest

from scalelab.sim import routing


def test_round_robin_skips_workers_that_are_down():
    up = [True, False, True]
    assert routing.pick_round_robin(0, up) == 0
    assert routing.pick_round_robin(1, up) == 2
    assert routing.pick_round_robin(5, up) == 2  # 5 mod 3 = 2
    assert routing.pick_round_robin(3, [False, False, False]) is None


def test_least_connections_picks_fewest_and_breaks_ties_from_turn():
    assert routing.pick_least_connections([3, 1, 2], [True, True, True]) == 1
    assert routing.pick_least_connections([3, 1, 2], [True, False, True]) == 2
    assert routing.pick_least_connections([0, 0, 0], [True, True, True], turn=2) == 2
    assert routing.pick_least_connections([1, 1], [False, False]) is None


def test_sticky_index_is_crc32_modulo_n():
    assert routing.sticky_index("u0", 7) == 893956064 % 7  # zlib.crc32(b"u0") = 893956064
    assert routing.sticky_index("bob", 5) == 4123767104 % 5
    assert routing.sticky_index("anything", 1) == 0


@pytest.mark.parametrize("call", [
    lambda: routing.pick_round_robin(-1, [True]),
    lambda: routing.pick_least_connections([1], [True, True]),
    lambda: routing.pick_least_connections([-1], [True]),
    lambda: routing.sticky_index("a", 0),
    lambda: routing.dispatch([1, 2], 0, "round_robin"),
    lambda: routing.dispatch([1, 2], 2, "random"),
    lambda: routing.dispatch([-1, 2], 2, "round_robin"),
    lambda: routing.dispatch([], 2, "round_robin"),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_dispatch_round_robin_by_hand():
    # jobs of 6, 1, 1, 1, 6 s arrive at 0, 1, 2, 3, 4 s on 2 servers: 0->s0, 1->s1, 2->s0 (waits to 6), 3->s1, 4->s0
    table = routing.dispatch([6, 1, 1, 1, 6], 2, "round_robin")
    assert table["server"].tolist() == [0, 1, 0, 1, 0]
    assert table["finish_s"].tolist() == [6, 2, 7, 4, 13]
    assert table["response_s"].tolist() == [6, 1, 5, 1, 9]


def test_dispatch_least_connections_by_hand():
    # at t=2 s0 still holds the 6 s job, s1 is empty -> s1; at t=4 both hold nothing new: s0 busy (1), s1 free -> s1
    table = routing.dispatch([6, 1, 1, 1, 6, 1], 2, "least_connections")
    assert table["server"].tolist() == [0, 1, 1, 1, 1, 0]
    assert table["response_s"].tolist() == [6, 1, 1, 1, 6, 2]


def test_dispatch_least_connections_beats_round_robin_on_uneven_work():
    sizes = [6, 1, 1, 1] * 6
    rr = routing.dispatch(sizes, 2, "round_robin")["response_s"]
    lc = routing.dispatch(sizes, 2, "least_connections")["response_s"]
    assert rr.mean() == pytest.approx(7.0) and rr.max() == pytest.approx(21.0)
    assert lc.mean() == pytest.approx(4.125) and lc.max() == pytest.approx(8.0)
