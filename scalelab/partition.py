"""Shard routers: which shard (database) holds a key.

Every router here is pure and deterministic: the same key goes to the same shard on every run and every machine,
because keys are hashed with BLAKE2b of their text form (``stable_hash``), never with Python's salted ``hash()``.

- ``modulo_shard``        hash(key) % n: simple, even, but nearly every key moves when n changes;
- ``RangeRouter``         sorted key ranges (bisect): range scans stay on one shard, but hot ranges make hotspots;
- ``DirectoryRouter``     a lookup table key -> shard: any placement, any move, at the cost of a lookup service;
- ``GeoRouter``           region -> shard (data stays in its region, e.g. for GDPR), with a default;
- ``jump_hash``           Lamping & Veach's jump consistent hash: even, no memory, ~1/(n+1) of keys move;
- ``ConsistentHashRing``  nodes on a hash ring with virtual nodes: any node names, ~1/(n+1) of keys move;
- ``rendezvous_node``     highest-random-weight hashing: each key picks the node with the top score.

``moved_fraction`` measures how many keys change shard when going from n to n + 1 shards under each scheme.
"""
import bisect
import functools
import hashlib

import numpy as np

from . import _validate as v
from ._random import rng as _rng

MASK64 = (1 << 64) - 1
SCHEMES = ("modulo", "jump", "ring", "rendezvous")


# --- stable hashing ------------------------------------------------------------------------------------------------

def _key_bytes(key):
    if isinstance(key, bytes):
        return key
    if isinstance(key, (str, int, np.integer)) and not isinstance(key, bool):
        return str(key).encode("utf-8")
    raise ValueError(f"key must be a str, an int or bytes, got {type(key).__name__}")


def stable_hash(key):
    """A 64-bit unsigned hash of ``key`` (str, int or bytes) that is the same on every run and machine.

    BLAKE2b (8-byte digest, big-endian) of the key's UTF-8 text form: ``stable_hash(12345) == stable_hash("12345")``.
    """
    return int.from_bytes(hashlib.blake2b(_key_bytes(key), digest_size=8).digest(), "big")


def stable_hashes(keys):
    """``stable_hash`` of each key, as a numpy uint64 array."""
    return np.fromiter((stable_hash(k) for k in keys), dtype=np.uint64)


def mix64(x):
    """SplitMix64's finaliser: scrambles a 64-bit integer (a Python int or a numpy uint64 array) into another."""
    if isinstance(x, np.ndarray):
        z = x.astype(np.uint64, copy=True)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
        return z
    z = int(x) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


# --- modulo, range, directory, geography ---------------------------------------------------------------------------

def modulo_shard(key, n):
    """Shard index in [0, n) for ``key``: ``stable_hash(key) % n``."""
    n = v.integer("n", n, low=1)
    return stable_hash(key) % n


class RangeRouter:
    """Range partitioning: ``boundaries`` are the sorted first keys of shards 1, 2, ...; shard 0 takes the rest.

    ``RangeRouter([1_000_001, 2_000_001])``: ids up to 1,000,000 -> shard 0, up to 2,000,000 -> shard 1, above -> 2.
    """

    def __init__(self, boundaries):
        bounds = list(boundaries)
        for b in bounds:
            v.number("boundaries", b)
        if any(b >= c for b, c in zip(bounds, bounds[1:])):
            raise ValueError(f"boundaries must be strictly increasing, got {bounds!r}")
        self.boundaries = bounds

    @property
    def n_shards(self):
        """Number of shards: one more than the number of boundaries."""
        return len(self.boundaries) + 1

    def shard_for(self, key):
        """Shard index in [0, n_shards) holding ``key`` (a number)."""
        v.number("key", key)
        return bisect.bisect_right(self.boundaries, key)

    def shards_for_range(self, low, high):
        """Every shard a range query low <= key <= high must visit (a list of indices)."""
        if v.number("high", high) < v.number("low", low):
            raise ValueError(f"high must be >= low ({low!r}), got {high!r}")
        return list(range(self.shard_for(low), self.shard_for(high) + 1))


class DirectoryRouter:
    """A lookup service: an explicit table key -> shard. Unknown keys are placed by ``modulo_shard`` on first lookup.

    ``assign`` pins a key, ``move`` relocates it (returns the old shard), ``counts`` gives keys per shard.
    """

    def __init__(self, n_shards):
        self.n_shards = v.integer("n_shards", n_shards, low=1)
        self.table = {}

    def _check_shard(self, shard):
        return v.integer("shard", shard, low=0, high=self.n_shards - 1)

    def assign(self, key, shard):
        """Record that ``key`` lives on ``shard`` (in [0, n_shards))."""
        _key_bytes(key)
        self.table[key] = self._check_shard(shard)

    def lookup(self, key):
        """The shard of ``key``; an unknown key is placed with ``modulo_shard(key, n_shards)`` and remembered."""
        if key not in self.table:
            self.table[key] = modulo_shard(key, self.n_shards)
        return self.table[key]

    def move(self, key, shard):
        """Move ``key`` to ``shard``; return the shard it was on."""
        old = self.lookup(key)
        self.table[key] = self._check_shard(shard)
        return old

    def counts(self):
        """Number of keys recorded on each shard (a list of length n_shards)."""
        out = [0] * self.n_shards
        for shard in self.table.values():
            out[shard] += 1
        return out


class GeoRouter:
    """Geographic partitioning: region -> shard (or database name), with a ``default`` for unlisted regions."""

    def __init__(self, regions, default=None):
        if not isinstance(regions, dict) or not regions:
            raise ValueError(f"regions must be a non-empty dict region -> shard, got {regions!r}")
        self.regions = {str(r).lower(): s for r, s in regions.items()}
        self.default = default

    def shard_for(self, region):
        """The shard serving ``region`` (case-insensitive); the default if unlisted; ValueError if no default."""
        if not isinstance(region, str) or not region:
            raise ValueError(f"region must be a non-empty string, got {region!r}")
        shard = self.regions.get(region.lower(), self.default)
        if shard is None:
            raise ValueError(f"region must be one of {sorted(self.regions)} (no default set), got {region!r}")
        return shard


# --- consistent schemes --------------------------------------------------------------------------------------------

def _check_key64(key):
    if not isinstance(key, (int, np.integer)) or isinstance(key, bool) or not 0 <= key <= MASK64:
        raise ValueError(f"key must be an integer in [0, 2**64 - 1], got {key!r}")
    return int(key)


def jump_hash(key, buckets):
    """Jump consistent hash (Lamping & Veach, 2014): bucket in [0, buckets) for a 64-bit unsigned integer key.

    Going from n to n + 1 buckets moves only the keys that land in the new bucket, ~1/(n+1) of them.
    """
    key = _check_key64(key)
    buckets = v.integer("buckets", buckets, low=1, high=2**31 - 1)
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & MASK64
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def jump_hash_many(keys, buckets):
    """``jump_hash`` of every key of a uint64 array at once (numpy), as an int64 array."""
    buckets = v.integer("buckets", buckets, low=1, high=2**31 - 1)
    key = np.asarray(keys, dtype=np.uint64).copy()
    b = np.full(key.shape, -1, dtype=np.int64)
    j = np.zeros(key.shape, dtype=np.int64)
    active = j < buckets
    with np.errstate(over="ignore"):
        while active.any():
            b[active] = j[active]
            key[active] = key[active] * np.uint64(2862933555777941757) + np.uint64(1)
            r = float(1 << 31) / ((key[active] >> np.uint64(33)).astype(np.float64) + 1.0)
            j[active] = ((b[active] + 1) * r).astype(np.int64)
            active = j < buckets
    return b


@functools.lru_cache(maxsize=4096)
def _vnode_points(node, vnodes):
    """Ring positions of a node's virtual nodes: stable_hash("<node>#<i>") for i < vnodes (cached: pure)."""
    return tuple(stable_hash(f"{node}#{i}") for i in range(vnodes))


@functools.lru_cache(maxsize=1024)
def _vnode_block(node, block):
    """stable_hash("<node>#<i>") for i < block, as a read-only uint64 array (cached: pure)."""
    points = stable_hashes(f"{node}#{i}" for i in range(block))
    points.flags.writeable = False
    return points


def ring_layout(nodes, vnodes=100):
    """The ring of ``ConsistentHashRing(nodes, vnodes)`` as arrays: (points, owners), the sorted uint64 positions of
    all virtual nodes and the index into ``nodes`` of each one's owner.

    Vectorised for views that rebuild rings often: a node's first ``vnodes`` points are cut from a cached block of
    64, 128, 256, ... points, so a new vnodes costs no hashing once its block is known. (Two equal 64-bit positions,
    never seen in practice, go to the earlier node.)
    """
    vnodes = v.integer("vnodes", vnodes, low=1)
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes must hold at least one node name")
    for node in nodes:
        _key_bytes(node)
    if len(set(nodes)) != len(nodes):
        raise ValueError(f"nodes must be distinct, got {nodes!r}")
    block = 1 << max(6, (vnodes - 1).bit_length())
    points = np.concatenate([_vnode_block(node, block)[:vnodes] for node in nodes])
    owners = np.repeat(np.arange(len(nodes), dtype=np.int64), vnodes)
    order = np.argsort(points, kind="stable")
    return points[order], owners[order]


def ring_shares(nodes, vnodes=100):
    """Fraction of the ring (hence of uniformly hashed keys) each of ``nodes`` owns, as an array in the order of
    ``nodes`` (sums to 1): ``ConsistentHashRing(nodes, vnodes).ownership()``, vectorised."""
    nodes = list(nodes)
    points, owners = ring_layout(nodes, vnodes)
    arcs = np.empty(points.size, dtype=np.float64)
    arcs[1:] = (points[1:] - points[:-1]).astype(np.float64)
    arcs[0] = float(int(points[0]) + (MASK64 + 1) - int(points[-1]))  # the arc that wraps past zero
    return np.bincount(owners, weights=arcs, minlength=len(nodes)) / float(MASK64 + 1)


class ConsistentHashRing:
    """Nodes placed at ``vnodes`` points each on a 64-bit hash ring; a key belongs to the next point clockwise.

    More virtual nodes -> each node owns many small arcs -> a more even share. ``add``/``remove`` move only the keys
    on the arcs that change owner.
    """

    def __init__(self, nodes, vnodes=100):
        self.vnodes = v.integer("vnodes", vnodes, low=1)
        self._points, self._owners = [], []
        self.nodes = []
        pairs = []
        for node in nodes:
            _key_bytes(node)
            if node in self.nodes:
                raise ValueError(f"nodes must be distinct, got {node!r} twice")
            self.nodes.append(node)
            pairs += [(point, node) for point in _vnode_points(node, self.vnodes)]
        if not self.nodes:
            raise ValueError("nodes must hold at least one node name")
        self._rebuild(pairs)

    def _rebuild(self, pairs):
        pairs.sort()
        self._points = [p for p, _ in pairs]
        self._owners = [o for _, o in pairs]

    def add(self, node):
        """Add ``node`` (a str or int name) with its ``vnodes`` points on the ring."""
        _key_bytes(node)
        if node in self.nodes:
            raise ValueError(f"node must not already be on the ring, got {node!r}")
        self.nodes.append(node)
        pairs = list(zip(self._points, self._owners))
        pairs += [(point, node) for point in _vnode_points(node, self.vnodes)]
        self._rebuild(pairs)

    def remove(self, node):
        """Remove ``node`` and its points; its keys fall to the next points clockwise."""
        if node not in self.nodes:
            raise ValueError(f"node must be one of {self.nodes!r}, got {node!r}")
        if len(self.nodes) == 1:
            raise ValueError("node cannot be removed: the ring must keep at least one node")
        self.nodes.remove(node)
        self._rebuild([(p, o) for p, o in zip(self._points, self._owners) if o != node])

    def node_for(self, key):
        """The node owning ``key``: the first ring point at or after stable_hash(key), wrapping around."""
        i = bisect.bisect_left(self._points, stable_hash(key))
        return self._owners[i % len(self._points)]

    def nodes_for_hashes(self, hashes):
        """Owners of many precomputed 64-bit hashes (numpy uint64 array) at once, as a list."""
        points = np.array(self._points, dtype=np.uint64)
        idx = np.searchsorted(points, np.asarray(hashes, dtype=np.uint64), side="left") % len(points)
        return [self._owners[i] for i in idx]

    def ownership(self):
        """Fraction of the ring (hence of uniformly hashed keys) each node owns: {node: share}, shares sum to 1."""
        points = np.array(self._points, dtype=np.uint64)
        arcs = np.empty(points.size, dtype=np.float64)
        arcs[1:] = (points[1:] - points[:-1]).astype(np.float64)
        arcs[0] = float(self._points[0] + (MASK64 + 1) - self._points[-1])  # the arc that wraps past zero
        index = {node: i for i, node in enumerate(self.nodes)}
        owners = np.array([index[o] for o in self._owners], dtype=np.int64)
        shares = np.bincount(owners, weights=arcs, minlength=len(self.nodes)) / float(MASK64 + 1)
        return {node: float(shares[i]) for node, i in index.items()}


def rendezvous_node(key, nodes):
    """Highest-random-weight hashing: the node with the largest mix64(stable_hash(key) ^ stable_hash(node))."""
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes must hold at least one node name")
    h = stable_hash(key)
    return max(nodes, key=lambda node: (mix64(h ^ stable_hash(node)), str(node)))


def rendezvous_many(hashes, nodes):
    """``rendezvous_node`` for many precomputed key hashes (numpy uint64): index into ``nodes`` of each winner."""
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes must hold at least one node name")
    h = np.asarray(hashes, dtype=np.uint64)
    scores = np.stack([mix64(h ^ np.uint64(stable_hash(node))) for node in nodes])
    return np.argmax(scores, axis=0)


# --- whole-key-set views: placement, moves, load -------------------------------------------------------------------

def _node_names(n):
    return [f"shard-{i}" for i in range(n)]


def assign_shards(hashes, n, scheme="modulo", vnodes=100):
    """Shard index in [0, n) for each precomputed key hash (uint64 array) under ``scheme`` (one of SCHEMES)."""
    n = v.integer("n", n, low=1)
    h = np.asarray(hashes, dtype=np.uint64)
    if scheme == "modulo":
        return (h % np.uint64(n)).astype(np.int64)
    if scheme == "jump":
        return jump_hash_many(h, n)
    if scheme == "ring":
        points, owners = ring_layout(_node_names(n), vnodes)
        return owners[np.searchsorted(points, h, side="left") % len(points)]
    if scheme == "rendezvous":
        return rendezvous_many(h, _node_names(n)).astype(np.int64)
    raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")


def moved_fraction(keys, n, scheme="modulo", vnodes=100):
    """Fraction (0..1) of ``keys`` whose shard changes when going from n to n + 1 shards under ``scheme``.

    Expected: modulo ~ n/(n+1); jump, ring and rendezvous ~ 1/(n+1) (the minimum: only the new shard's share moves).
    """
    hashes = stable_hashes(keys)
    if hashes.size == 0:
        raise ValueError("keys must not be empty")
    before = assign_shards(hashes, n, scheme, vnodes)
    after = assign_shards(hashes, n + 1, scheme, vnodes)
    return float(np.mean(before != after))


def shard_loads(shards, n):
    """Requests (or keys) per shard: counts of each index in [0, n) in ``shards``, as an int array of length n."""
    n = v.integer("n", n, low=1)
    s = np.asarray(shards, dtype=np.int64).ravel()
    if s.size and (s.min() < 0 or s.max() >= n):
        raise ValueError(f"shards must hold indices in [0, {n - 1}], got values in [{s.min()}, {s.max()}]")
    return np.bincount(s, minlength=n)


def imbalance(loads):
    """Max over mean load (1.0 = perfectly even; 2.0 = the busiest shard does twice the average)."""
    arr = v.samples("loads", loads)
    if arr.mean() == 0:
        raise ValueError("loads must not all be zero")
    return float(arr.max() / arr.mean())


def zipf_keys(n_requests, exponent, universe=1000, rng=None):
    """``n_requests`` keys drawn from 0..universe-1 with P(rank k) proportional to 1 / (k+1)**exponent.

    exponent 0 gives uniform keys; ~1 is typical of real popularity (a few hot users or items).
    """
    n_requests = v.integer("n_requests", n_requests, low=1)
    exponent = v.number("exponent", exponent, 0, 5)
    universe = v.integer("universe", universe, low=1)
    weights = 1.0 / np.arange(1, universe + 1, dtype=float) ** exponent
    return _rng(rng).choice(universe, size=n_requests, p=weights / weights.sum())


def salt_key(key, salt_buckets, request_index):
    """Key salting for a hot key: ``"{key}#{request_index % salt_buckets}"`` spreads it over salt_buckets keys.

    Writes go to one salted key each; a read of the whole key must gather all ``salt_buckets`` pieces.
    """
    salt_buckets = v.integer("salt_buckets", salt_buckets, low=1)
    request_index = v.integer("request_index", request_index, low=0)
    return f"{key}#{request_index % salt_buckets}"


def theoretical_moved_fraction(n, scheme="modulo"):
    """Expected fraction of keys moved from n to n + 1 shards: n/(n+1) for modulo, 1/(n+1) for consistent schemes."""
    n = v.integer("n", n, low=1)
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    return n / (n + 1) if scheme == "modulo" else 1 / (n + 1)


__all__ = ["stable_hash", "stable_hashes", "mix64", "modulo_shard", "RangeRouter", "DirectoryRouter", "GeoRouter",
           "jump_hash", "jump_hash_many", "ConsistentHashRing", "rendezvous_node", "rendezvous_many",
           "assign_shards", "moved_fraction", "shard_loads", "imbalance", "zipf_keys", "salt_key",
           "theoretical_moved_fraction", "SCHEMES"]
