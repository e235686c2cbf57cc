"""Lesson 09's layer models against hand-computed values, and the seeded retry simulator against the closed form."""
import math

import numpy as np
import pytest

import scalelab as sl
from scalelab.models import bottlenecks as bm
from scalelab.sim import network as simnet


# ------------------------------------------------------------------------------------------- the retry simulator
def test_simulated_retries_match_the_closed_form():
    """q = 1 - (1 - p)^packets; P(success within k tries) = 1 - q^k; E[attempts] = (1 - q^(r+1)) / (1 - q)."""
    p, r, packets, n = 0.1, 2, 2, 200_000
    sim = simnet.simulate_retries(requests=n, loss=p, retries=r, timeout_s=0.2, rtt_s=0.02, packets=packets,
                                  rng=np.random.default_rng(7))
    q = 1 - (1 - p) ** packets                                               # 0.19
    for k in range(1, r + 2):
        within_k = float((sim["ok"] & (sim["attempts"] <= k)).mean())
        expected = 1 - q ** k
        assert within_k == pytest.approx(expected, abs=5 * math.sqrt(expected * (1 - expected) / n) + 1e-12)
    model = bm.retry_outcome(loss=p, retries=r, timeout_s=0.2, rtt_s=0.02, packets=packets)
    assert sim["attempts"].mean() == pytest.approx((1 - q ** (r + 1)) / (1 - q), rel=0.005)
    assert sim["attempts"].mean() == pytest.approx(model["mean_attempts"], rel=0.005)
    ok = sim[sim["ok"]]
    assert ok["latency_s"].mean() == pytest.approx(model["mean_latency_s"], rel=0.01)
    # latencies are exactly j timeouts + one round trip (no jitter); failures wait out every timeout
    assert set(np.round(ok["latency_s"], 9)) <= {0.02, 0.22, 0.42}
    assert np.allclose(sim.loc[~sim["ok"], "latency_s"], 3 * 0.2)
    assert (sim.loc[~sim["ok"], "attempts"] == r + 1).all()


def test_simulated_retries_are_seeded_and_deterministic():
    a = simnet.simulate_retries(requests=2000, loss=0.05, rng=np.random.default_rng(3))
    b = simnet.simulate_retries(requests=2000, loss=0.05, rng=np.random.default_rng(3))
    c = simnet.simulate_retries(requests=2000, loss=0.05, rng=np.random.default_rng(4))
    assert a.equals(b) and not a.equals(c)
    sl.seed(11)
    first = simnet.simulate_retries(requests=2000, loss=0.05, jitter_s=0.001)
    sl.seed(11)
    again = simnet.simulate_retries(requests=2000, loss=0.05, jitter_s=0.001)
    assert first.equals(again)
    assert list(first.columns) == ["attempts", "ok", "latency_s"] and len(first) == 2000


def test_simulated_retries_edge_cases():
    lossless = simnet.simulate_retries(requests=100, loss=0.0, retries=3, rtt_s=0.03, rng=1)
    assert lossless["ok"].all() and (lossless["attempts"] == 1).all() and np.allclose(lossless["latency_s"], 0.03)
    lost = simnet.simulate_retries(requests=100, loss=1.0, retries=1, timeout_s=0.5, rng=1)
    assert not lost["ok"].any() and (lost["attempts"] == 2).all() and np.allclose(lost["latency_s"], 1.0)
    jitter = simnet.simulate_retries(requests=50_000, loss=0.0, rtt_s=0.02, jitter_s=0.005, rng=2)
    assert jitter["latency_s"].mean() == pytest.approx(0.025, rel=0.02)   # rtt + mean of the exponential jitter
    assert (jitter["latency_s"] >= 0.02).all()


@pytest.mark.parametrize("kwargs, word", [
    ({"requests": 0}, "requests"), ({"loss": -0.1}, "loss"), ({"retries": -1}, "retries"),
    ({"timeout_s": 0}, "timeout_s"), ({"rtt_s": -1}, "rtt_s"), ({"packets": 0}, "packets"),
    ({"jitter_s": -1}, "jitter_s"),
])
def test_simulator_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        simnet.simulate_retries(**kwargs)
