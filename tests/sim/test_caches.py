"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import cachetools
import pytest

from scalelab.sim import caches


# ------------------------------------------------------------------------------------------------------- caches
def _cachetools_hit_ratio(trace, capacity, policy, ttl=None):
    now = [0]
    cache = {"lru": lambda: cachetools.LRUCache(capacity), "lfu": lambda: cachetools.LFUCache(capacity),
             "fifo": lambda: cachetools.FIFOCache(capacity),
             "ttl": lambda: cachetools.TTLCache(capacity, ttl, timer=lambda: now[0])}[policy]()
    hits = 0
    for t, key in enumerate(trace):
        now[0] = t
        if key in cache:
            hits += 1
            cache[key]  # noqa: B018  (a read: updates recency and frequency)
        else:
            cache[key] = True
    return hits / len(trace)


@pytest.mark.parametrize("policy", ["lru", "lfu", "fifo", "ttl"])
def test_hit_ratio_equals_cachetools_replaying_the_same_trace(policy):
    for skew, seed in ((0.8, 1), (1.2, 2)):
        trace = caches.zipf_trace(6000, 800, skew, rng=seed).tolist()
        for capacity in (1, 7, 64, 300):
            ttl = 250 if policy == "ttl" else None
            assert caches.hit_ratio(trace, capacity, policy, ttl=ttl) == \
                _cachetools_hit_ratio(trace, capacity, policy, ttl)


def test_hit_ratio_by_hand_and_bad_input():
    trace = ["a", "b", "a", "c", "b", "a"]
    assert caches.hit_ratio(trace, 2, "lru") == pytest.approx(1 / 6)   # only the second a hits
    assert caches.hit_ratio(trace, 2, "fifo") == pytest.approx(2 / 6)  # a, then b after c evicts a
    assert caches.hit_ratio(trace, 3, "lru") == pytest.approx(3 / 6)
    for bad in (0, 1.5, True, -1):
        with pytest.raises(ValueError, match="capacity"):
            caches.hit_ratio(trace, bad, "lru")
    with pytest.raises(ValueError, match="policy"):
        caches.hit_ratio(trace, 2, "random")
    with pytest.raises(ValueError, match="ttl"):
        caches.hit_ratio(trace, 2, "ttl")


def test_ideal_bound():
    trace = caches.zipf_trace(4000, 500, 1.0, rng=3).tolist()
    for capacity in (10, 100):
        assert caches.hit_ratio(trace, capacity, "lfu") <= caches.ideal_hit_ratio(trace, capacity) + 1e-12
