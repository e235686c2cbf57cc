"""Lesson 11's resilience parts, the degraded front end and the cache strategies against hand-computed values."""
import numpy as np
import pytest

from scalelab.sim import cache_strategies as cs


# ------------------------------------------------------------------------------------------ cache strategies
def _ops(rows):
    return {"time_s": np.array([r[0] for r in rows], float), "key": np.array([r[1] for r in rows]),
            "write": np.array([r[2] for r in rows])}


OPS = _ops([(0.0, 0, False), (0.2, 0, False), (0.4, 0, True), (0.6, 0, False), (1.1, 0, False), (1.3, 0, False),
            (2.0, 0, False)])


def test_cache_aside_by_hand():
    out = cs.simulate("cache-aside", OPS, ttl_s=1.0)
    # reads at 0 (miss), 0.2 hit, 0.6 hit but stale (the write at 0.4 went to the db), 1.1 miss (expired),
    # 1.3 hit, 2.0 hit (loaded at 1.1)
    assert out["reads"] == 6 and out["hit_ratio"] == pytest.approx(4 / 6)
    assert out["stale_share"] == pytest.approx(1 / 6)
    assert out["read_ms"] == pytest.approx((4 * 0.5 + 2 * 10.5) / 6)
    assert out["write_ms"] == 15 and out["at_risk_max"] == 0
    assert out["db_ops_per_s"] == pytest.approx(3 / 2.0)   # two loads, one write
    inv = cs.simulate("cache-aside", OPS, ttl_s=1.0, invalidate=True)
    assert inv["stale_share"] == 0 and inv["hit_ratio"] == pytest.approx(3 / 6)


def test_write_through_and_behind_by_hand():
    wt = cs.simulate("write-through", OPS, ttl_s=1.0)
    # 0 miss, 0.2 hit, 0.6 hit (written through at 0.4), 1.1 hit (loaded 0.4), 1.3 hit, 2.0 hit? loaded 0.4 -> miss
    assert wt["hit_ratio"] == pytest.approx(4 / 6) and wt["stale_share"] == 0 and wt["write_ms"] == 15.5
    wb = cs.simulate("write-behind", OPS, ttl_s=1.0, flush_s=0.5)
    # the write at 0.4 waits for the flush at 0.5: 1 write at risk for 0.1 s of 2.0 s
    assert wb["write_ms"] == 0.5 and wb["stale_share"] == 0
    assert wb["at_risk_mean"] == pytest.approx(0.1 / 2.0) and wb["at_risk_max"] == 1


def test_write_behind_coalesces_writes_of_one_key():
    ops = _ops([(0.1, 0, True), (0.2, 0, True), (0.3, 0, True), (1.0, 1, False)])
    wb = cs.simulate("write-behind", ops, flush_s=0.5)
    assert wb["at_risk_max"] == 3 and wb["at_risk_mean"] == pytest.approx((0.4 + 0.3 + 0.2) / 1.0)
    assert wb["db_ops_per_s"] == pytest.approx(2 / 1.0)   # one batched write of key 0, one load of key 1


def test_refresh_ahead_keeps_a_hot_key_loaded():
    ops = _ops([(t, 0, False) for t in np.arange(0, 3.0, 0.3)])
    aside = cs.simulate("cache-aside", ops, ttl_s=1.0)
    ahead = cs.simulate("refresh-ahead", ops, ttl_s=1.0, refresh_share=0.5)
    assert aside["hit_ratio"] == pytest.approx(7 / 10)   # misses at 0, 1.2, 2.4
    assert ahead["hit_ratio"] == pytest.approx(9 / 10)   # only the first read misses


def test_cache_sim_refuses_bad_input():
    with pytest.raises(ValueError, match="strategy"):
        cs.simulate("read-through", OPS)
    with pytest.raises(ValueError, match="ttl_s"):
        cs.simulate("cache-aside", OPS, ttl_s=0)
    with pytest.raises(ValueError, match="write_share"):
        cs.workload(write_share=1.5)
    table = cs.compare(cs.workload(500, rng=np.random.default_rng(3)))
    assert list(table.index) == list(cs.STRATEGIES)
    assert table.loc["write-behind", "at_risk_mean"] > 0 == table.loc["write-through", "at_risk_mean"]
