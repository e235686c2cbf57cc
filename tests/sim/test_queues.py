"""The queue simulators: Lindley's recursion by hand, agreement with M/M/1, M/M/c (Erlang C) and with Ciw, bad input."""
import numpy as np
import pytest

import scalelab as sl
from scalelab.models import queueing
from scalelab.sim import queues


def _loop_lindley(gaps, work):
    waits = [0.0]
    for k in range(1, len(gaps)):
        waits.append(max(0.0, waits[-1] + work[k - 1] - gaps[k]))
    return np.array(waits)


def _loop_multi_server(gaps, work, servers):
    """The c-server FIFO queue by the textbook definition: serve each customer on the server free the soonest."""
    free = np.zeros(servers)
    arrivals = np.cumsum(gaps)
    waits = []
    for arrive, need in zip(arrivals, work):
        k = int(np.argmin(free))
        start = max(arrive, free[k])
        waits.append(start - arrive)
        free[k] = start + need
    return np.array(waits)


def test_lindley_matches_hand_computed_waits():
    gaps = [0, 2, 1, 4, 1, 1]
    work = [3, 2, 2, 1, 3, 1]
    np.testing.assert_allclose(queues.lindley_waits(gaps, work), [0, 1, 2, 0, 0, 2])
    np.testing.assert_allclose(queues.fifo_waits(gaps, work, servers=1), [0, 1, 2, 0, 0, 2])


def test_two_servers_hand_computed():
    # arrivals at 0, 1, 2, 3; both servers busy until 4 and 5 when the third arrives
    waits = queues.fifo_waits([0, 1, 1, 1], [4, 4, 1, 1], servers=2)
    np.testing.assert_allclose(waits, [0, 0, 2, 2])


def test_vectorised_lindley_equals_the_loop_on_long_random_input():
    rng = np.random.default_rng(7)
    gaps, work = rng.exponential(1 / 0.95, 20_000), rng.exponential(1.0, 20_000)
    np.testing.assert_allclose(queues.lindley_waits(gaps, work), _loop_lindley(gaps, work), atol=1e-8)
    np.testing.assert_allclose(queues._multi_server_waits(gaps, work, 1), _loop_lindley(gaps, work), atol=1e-8)


@pytest.mark.parametrize("servers", [2, 3, 7])
def test_heap_multi_server_equals_the_definition(servers):
    rng = np.random.default_rng(servers)
    gaps, work = rng.exponential(1 / (0.9 * servers), 3000), rng.exponential(1.0, 3000)
    np.testing.assert_allclose(queues.fifo_waits(gaps, work, servers), _loop_multi_server(gaps, work, servers),
                               atol=1e-9)


def test_trace_is_seeded_and_consistent():
    a = queues.simulate_mmc(3.0, 1.0, 4, customers=5000, rng=11)
    b = queues.simulate_mmc(3.0, 1.0, 4, customers=5000, rng=11)
    np.testing.assert_array_equal(a.waits, b.waits)
    assert len(a) == 5000 and (a.waits >= 0).all()
    np.testing.assert_allclose(a.time_in_system, a.waits + a.service_times)
    assert (np.diff(a.arrival_times) >= 0).all()
    sl.seed(3)
    first = queues.simulate_mm1(0.5, 1.0, customers=100).waits
    sl.seed(3)
    np.testing.assert_array_equal(first, queues.simulate_mm1(0.5, 1.0, customers=100).waits)
    frame = a.to_frame()
    assert list(frame.columns) == ["arrival", "service", "wait", "time_in_system", "departure"]


def test_explicit_arrays_override_the_random_draws():
    trace = queues.simulate_queue(servers=1, interarrival_times=[0, 2, 1, 4, 1, 1], service_times=[3, 2, 2, 1, 3, 1])
    np.testing.assert_allclose(trace.waits, [0, 1, 2, 0, 0, 2])
    np.testing.assert_allclose(trace.arrival_times, [0, 2, 3, 7, 8, 9])
    # deterministic service with random arrivals (an M/D/1 queue): only the arrival rate is needed
    md1 = queues.simulate_queue(arrival_rate=0.5, servers=1, service_times=np.ones(20_000), rng=5)
    # Pollaczek-Khinchine: Wq = rho * S / (2 (1 - rho)) = 0.5 for rho = 0.5, S = 1
    mean, low, high = queues.batch_means(md1.waits, batches=20, warmup=1000)
    assert low < 0.5 < high or abs(mean - 0.5) < 0.05


@pytest.mark.parametrize("lam, mu, c", [(0.5, 1.0, 1), (0.8, 1.0, 1), (1.6, 1.0, 2), (9.0, 1.0, 10)])
def test_mean_wait_interval_covers_the_formula(lam, mu, c):
    """Independent replications: the analytic Wq (Erlang C) lies inside the simulation's 95 % interval."""
    expected = queueing.mmc(lam, mu, c).mean_wait
    mean, low, high = queues.replicate_mean_wait(lam, mu, c, customers=20_000, replications=12, warmup=2000, rng=2026)
    assert low < expected < high, f"Wq={expected:.4f} outside [{low:.4f}, {high:.4f}]"
    assert abs(mean - expected) / expected < 0.1


def test_batch_means_and_summary_agree_with_mm1():
    trace = queues.simulate_mm1(0.7, 1.0, customers=200_000, rng=99)
    mm1 = queueing.mm1(0.7, 1.0)
    mean, low, high = queues.batch_means(trace.waits, batches=20, warmup=5000)
    assert low < mm1.mean_wait < high
    summary = trace.summary(warmup=5000)
    assert summary["utilization"] == pytest.approx(0.7, rel=0.03)
    assert summary["p_wait"] == pytest.approx(mm1.p_wait, rel=0.03)
    # Little's law: L = lambda * W
    assert summary["mean_in_system"] == pytest.approx(mm1.mean_in_system, rel=0.1)


def test_agrees_with_ciw_on_the_same_mmc():
    ciw = pytest.importorskip("ciw")
    lam, mu, c, n, skip = 4.0, 1.0, 5, 10_000, 1000
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=lam)],
                                 service_distributions=[ciw.dists.Exponential(rate=mu)], number_of_servers=[c])
    ciw_means, our_means = [], []
    for seed in range(3):
        ciw.seed(seed)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_customers(n, method="Finish")
        records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
        ciw_means.append(np.mean([r.waiting_time for r in records][skip:]))
        our_means.append(queues.simulate_mmc(lam, mu, c, customers=n, rng=seed).waits[skip:].mean())
    _, ciw_low, ciw_high = queues.confidence_interval(ciw_means)
    _, our_low, our_high = queues.confidence_interval(our_means)
    assert ciw_low < our_high and our_low < ciw_high, "the two simulators' intervals do not overlap"
    expected = queueing.mmc(lam, mu, c).mean_wait
    assert abs(np.mean(ciw_means) - expected) / expected < 0.15
    assert abs(np.mean(our_means) - expected) / expected < 0.15


def test_same_input_same_waits_as_ciw_trace():
    """Feed Ciw's own arrival and service times to our simulator: the waits must match customer by customer."""
    ciw = pytest.importorskip("ciw")
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=2.7)],
                                 service_distributions=[ciw.dists.Exponential(rate=1.0)], number_of_servers=[3])
    ciw.seed(1)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(2000, method="Finish")
    records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    arrivals = np.array([r.arrival_date for r in records])
    gaps = np.diff(arrivals, prepend=0.0)
    work = np.array([r.service_time for r in records])
    ours = queues.fifo_waits(gaps, work, servers=3)
    np.testing.assert_allclose(ours, [r.waiting_time for r in records], atol=1e-7)


def test_in_system_at_counts_by_hand_and_obeys_littles_law():
    trace = queues.simulate_queue(servers=1, interarrival_times=[0, 2, 1, 4, 1, 1], service_times=[3, 2, 2, 1, 3, 1])
    # arrivals 0, 2, 3, 7, 8, 9; departures 3, 5, 7, 8, 11, 12
    np.testing.assert_array_equal(trace.in_system_at([0.5, 2.5, 3.5, 6.0, 9.5, 20]), [1, 2, 2, 1, 2, 0])
    long = queues.simulate_mm1(0.8, 1.0, customers=100_000, rng=4)
    times = np.random.default_rng(0).uniform(long.arrival_times[5000], long.arrival_times[-1], 20_000)
    # time-average L from snapshots vs Little's law L = lambda * W = rho / (1 - rho) = 4
    assert long.in_system_at(times).mean() == pytest.approx(long.summary(5000)["mean_in_system"], rel=0.1)


def test_confidence_interval_by_hand():
    mean, low, high = queues.confidence_interval([1.0, 2.0, 3.0])
    # t(0.975, 2) = 4.3027, s = 1, n = 3
    assert mean == 2.0
    assert high - mean == pytest.approx(4.302653 / np.sqrt(3), rel=1e-5)
    assert mean - low == pytest.approx(high - mean)


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="same length"):
        queues.lindley_waits([1, 2], [1])
    with pytest.raises(ValueError, match="service_times"):
        queues.lindley_waits([1, 2], [1, -1])
    with pytest.raises(ValueError, match="interarrival_times"):
        queues.fifo_waits([], [], 1)
    with pytest.raises(ValueError, match="servers"):
        queues.fifo_waits([1], [1], 0)
    with pytest.raises(ValueError, match="arrival_rate"):
        queues.simulate_mmc(-1, 1, 2)
    with pytest.raises(ValueError, match="arrival_rate"):
        queues.simulate_queue(service_rate=1.0)
    with pytest.raises(ValueError, match="service_rate"):
        queues.simulate_mm1(1, 0)
    with pytest.raises(ValueError, match="customers"):
        queues.simulate_mm1(0.5, 1, customers=0)
    with pytest.raises(ValueError, match="batches"):
        queues.batch_means([1.0, 2.0, 3.0], batches=1)
    with pytest.raises(ValueError, match="values"):
        queues.confidence_interval([1.0])
    with pytest.raises(ValueError, match="confidence"):
        queues.confidence_interval([1.0, 2.0], confidence=1.5)
    with pytest.raises(ValueError, match="warmup"):
        queues.simulate_mm1(0.5, 1, customers=10, rng=1).summary(warmup=10)
