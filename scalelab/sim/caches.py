"""Cache eviction policies replayed on a trace of keys: what share of requests a cache of a given size serves.

On every request the cache is looked up; a hit is counted, a miss fetches the key and stores it, evicting one
entry when full:

- ``lru``: the least recently used entry;
- ``lfu``: the least frequently used (hits + 1 since it was stored), ties to the one that reached that count first;
- ``fifo``: the oldest stored entry, however popular;
- ``ttl``: entries also expire ``ttl`` requests after they were stored (a request at or after that is a miss and
  fetches it again); evicts like ``lru`` when full (as Redis, Memcached and ``cachetools.TTLCache`` do).

Time is counted in requests: request i happens at time i. ``zipf_trace`` makes the usual test trace: a few keys
are asked for most of the time.
"""
import collections
import heapq

import numpy as np

from .. import _random
from .. import _validate as v

POLICIES = ("lru", "lfu", "fifo", "ttl")


def zipf_trace(n_requests, n_keys, skew=1.0, rng=None):
    """``n_requests`` keys drawn from ``n_keys`` keys with Zipf(``skew``) popularity (key 0 the most popular)."""
    n = v.integer("n_requests", n_requests, low=1)
    k = v.integer("n_keys", n_keys, low=1)
    s = v.non_negative("skew", skew)
    weights = 1 / np.arange(1, k + 1) ** s
    return _random.rng(rng).choice(k, size=n, p=weights / weights.sum())


def _check(capacity, policy, ttl):
    if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or capacity < 1:
        raise ValueError(f"capacity must be an integer number of entries >= 1, got {capacity!r}")
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    if policy == "ttl":
        if ttl is None:
            raise ValueError("ttl must be given (requests an entry lives, >= 1) with policy 'ttl'")
        v.integer("ttl", ttl, low=1)
    elif ttl is not None:
        raise ValueError(f"ttl applies only to policy 'ttl', not {policy!r}")
    return int(capacity)


def _lru(trace, capacity):
    cache, hits = collections.OrderedDict(), 0
    for key in trace:
        if key in cache:
            hits += 1
            cache.move_to_end(key)
        else:
            if len(cache) >= capacity:
                cache.popitem(last=False)
            cache[key] = True
    return hits


def _fifo(trace, capacity):
    cache, order, hits = set(), collections.deque(), 0
    for key in trace:
        if key in cache:
            hits += 1
        else:
            if len(cache) >= capacity:
                cache.discard(order.popleft())
            cache.add(key)
            order.append(key)
    return hits


def _lfu(trace, capacity):
    count, stamp, heap, hits = {}, {}, [], 0  # stamp: when the key reached its current count
    for t, key in enumerate(trace):
        if key in count:
            hits += 1
            count[key] += 1
        else:
            if len(count) >= capacity:
                while True:
                    c, s, old = heapq.heappop(heap)
                    if count.get(old) == c and stamp[old] == s:
                        break
                del count[old], stamp[old]
            count[key] = 1
        stamp[key] = t
        heapq.heappush(heap, (count[key], t, key))
    return hits


def _ttl(trace, capacity, ttl):
    cache, stored, hits = collections.OrderedDict(), collections.deque(), 0  # cache: key -> expiry time
    for t, key in enumerate(trace):
        if key in cache and t < cache[key]:
            hits += 1
            cache.move_to_end(key)
            continue
        while stored and stored[0][0] <= t:  # drop what has expired before making room
            expiry, old = stored.popleft()
            if cache.get(old) == expiry:
                del cache[old]
        cache.pop(key, None)
        if len(cache) >= capacity:
            cache.popitem(last=False)
        cache[key] = t + ttl
        stored.append((t + ttl, key))
    return hits


def hit_ratio(trace, capacity, policy, ttl=None):
    """The fraction of the requests in ``trace`` (a sequence of hashable keys) that hit a cache of ``capacity``
    entries (an integer >= 1) run with ``policy`` ("lru", "lfu", "fifo", or "ttl" with ``ttl`` in requests)."""
    capacity = _check(capacity, policy, ttl)
    keys = list(trace.tolist() if isinstance(trace, np.ndarray) else trace)
    if not keys:
        raise ValueError("trace must hold at least one request")
    if policy == "lru":
        hits = _lru(keys, capacity)
    elif policy == "fifo":
        hits = _fifo(keys, capacity)
    elif policy == "lfu":
        hits = _lfu(keys, capacity)
    else:
        hits = _ttl(keys, capacity, ttl)
    return hits / len(keys)


def hit_ratio_curve(trace, capacities, policies=("lru", "lfu", "fifo"), ttl=None):
    """Hit ratio for each capacity and policy: a dict policy -> numpy array (one per capacity); the "ttl" policy
    uses ``ttl``."""
    return {p: np.array([hit_ratio(trace, int(c), p, ttl=ttl if p == "ttl" else None) for c in capacities])
            for p in policies}


def ideal_hit_ratio(trace, capacity):
    """The hit ratio of a cache that always holds the ``capacity`` most requested keys of the trace and was
    warm from the start (an upper bound for any policy on a stationary trace)."""
    capacity = _check(capacity, "lru", None)
    keys, counts = np.unique(np.asarray(trace), return_counts=True)
    top = np.sort(counts)[::-1][:capacity]
    return float(top.sum() / counts.sum())
