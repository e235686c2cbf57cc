"""The balancer's bookkeeping, in this process (no sockets): which worker a request goes to, and what a failure
teaches it."""
from scalelab.bench import loadbalancer


def test_state_routes_round_robin_and_marks_a_refusing_worker_down():
    state = loadbalancer._BalancerState([1, 2, 3], "round_robin", sticky=False, retry_after_s=60.0)
    first = [state.choose(None, set()) for _ in range(3)]
    assert first == [0, 1, 2]
    for index in first:
        state.finished(index)
    state.finished(state.choose(None, set()), failed_connect=True)  # worker 0 refuses: retried elsewhere
    assert state.snapshot()["up"] == [False, True, True] and state.retries == 1
    assert {state.choose(None, set()) for _ in range(4)} == {1, 2}


def test_sticky_state_sends_a_user_to_the_same_worker_and_naive_state_learns_nothing():
    state = loadbalancer._BalancerState([1, 2, 3], "least_connections", sticky=True, retry_after_s=60.0)
    assert len({state.choose("alice", set()) for _ in range(5)}) == 1
    naive = loadbalancer._BalancerState([1, 2], "round_robin", sticky=False, retry_after_s=60.0)
    naive.health_checks = False
    naive.finished(naive.choose(None, set()), failed_connect=True)
    assert naive.snapshot()["up"] == [True, True] and naive.refused_to_client == 1


def test_configure_rejects_values_out_of_range():
    state = loadbalancer._BalancerState([1, 2], "round_robin", sticky=False, retry_after_s=1.0)
    assert "n_active" in state.configure({"n_active": ["3"]})
    assert "algorithm" in state.configure({"algorithm": ["random"]})
    assert state.configure({"n_active": ["1"]}) is None and state.choose(None, set()) == 0
