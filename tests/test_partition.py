"""Shard routers of scalelab.partition, the scatter-gather model, and the lesson 06 views: the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import hashlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scalelab import partition as p  # noqa: E402
from scalelab.widgets import partitioning as w  # noqa: E402


def test_stable_hash_is_blake2b_of_text_form():
    expected = int.from_bytes(hashlib.blake2b(b"12345", digest_size=8).digest(), "big")
    assert p.stable_hash(12345) == p.stable_hash("12345") == p.stable_hash(b"12345") == expected


def test_stable_hash_literal_values_do_not_change_between_runs():
    # Literals computed once: Python's salted hash() of a str would differ in every new interpreter.
    assert p.stable_hash("user:1") == 0xD47B7ADDA40C1A12
    assert [p.modulo_shard(k, 4) for k in (0, 1, 2, 3, 12345)] == [1, 2, 0, 1, 1]
    assert [p.modulo_shard(f"user:{k}", 10) for k in range(5)] == [1, 8, 2, 1, 1]


def test_modulo_shard_in_range_and_rejects_bad_n():
    assert all(0 <= p.modulo_shard(k, 7) < 7 for k in range(1000))
    assert p.modulo_shard("anything", 1) == 0
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        p.modulo_shard(5, 0)
    with pytest.raises(ValueError, match="key must be"):
        p.modulo_shard(3.5, 4)


def test_modulo_spreads_uniform_keys_evenly():
    shards = [p.modulo_shard(k, 4) for k in range(40000)]
    assert p.imbalance(p.shard_loads(shards, 4)) < 1.03


def test_range_router_follows_the_seed_example():
    router = p.RangeRouter([1_000_001, 2_000_001])
    assert router.n_shards == 3
    assert [router.shard_for(k) for k in (1, 1_000_000, 1_000_001, 2_000_000, 2_000_001, 9e9)] == [0, 0, 1, 1, 2, 2]
    assert router.shards_for_range(999_999, 1_500_000) == [0, 1]
    assert router.shards_for_range(5, 10) == [0]


def test_range_router_validation():
    with pytest.raises(ValueError, match="strictly increasing"):
        p.RangeRouter([10, 5])
    with pytest.raises(ValueError, match="high must be >= low"):
        p.RangeRouter([10]).shards_for_range(5, 1)
    with pytest.raises(ValueError, match="key must be a number"):
        p.RangeRouter([10]).shard_for("x")


def test_directory_router_assign_lookup_move():
    d = p.DirectoryRouter(4)
    d.assign(12345, 2)
    assert d.lookup(12345) == 2
    assert d.lookup("new-user") == p.modulo_shard("new-user", 4)  # unknown keys placed by hash, then remembered
    assert d.move(12345, 3) == 2 and d.lookup(12345) == 3
    assert sum(d.counts()) == 2 and d.counts()[3] >= 1
    with pytest.raises(ValueError, match=r"shard must be an integer >= 0 and <= 3"):
        d.assign(1, 4)
    with pytest.raises(ValueError, match="n_shards"):
        p.DirectoryRouter(0)


def test_geo_router_with_default():
    g = p.GeoRouter({"US": "us-db", "EU": "eu-db", "Asia": "asia-db"}, default="us-db")
    assert g.shard_for("eu") == "eu-db" and g.shard_for("ASIA") == "asia-db"
    assert g.shard_for("mars") == "us-db"
    strict = p.GeoRouter({"eu": 0})
    with pytest.raises(ValueError, match="region must be one of"):
        strict.shard_for("us")
    with pytest.raises(ValueError, match="regions must be a non-empty dict"):
        p.GeoRouter({})


# (key, buckets, bucket) from ClickHouse's jumpConsistentHash test reference and a second implementation's suite.
JUMP_REFERENCE = [(1, 1, 0), (42, 57, 43), (256, 1024, 520), (3735883980, 1, 0), (3735883980, 666, 361),
                  (16045690984833335023, 255, 237), (2016238256797177309, 11, 3)]


@pytest.mark.parametrize("key,buckets,expected", JUMP_REFERENCE)
def test_jump_hash_reference_values(key, buckets, expected):
    assert p.jump_hash(key, buckets) == expected


def test_jump_hash_many_equals_scalar():
    keys = np.array([k for k, _, _ in JUMP_REFERENCE] + list(range(200)), dtype=np.uint64)
    for buckets in (1, 2, 7, 57, 1000):
        assert p.jump_hash_many(keys, buckets).tolist() == [p.jump_hash(int(k), buckets) for k in keys]


def test_jump_hash_properties_range_uniform_monotone():
    hashes = p.stable_hashes(range(20000))
    for n in (3, 10):
        b = p.jump_hash_many(hashes, n)
        assert b.min() >= 0 and b.max() < n
        assert p.imbalance(p.shard_loads(b, n)) < 1.1
    before, after = p.jump_hash_many(hashes, 10), p.jump_hash_many(hashes, 11)
    moved = before != after
    assert np.all(after[moved] == 10)  # keys only ever move to the new bucket


def test_jump_hash_validation():
    with pytest.raises(ValueError, match=r"key must be an integer in \[0, 2\*\*64 - 1\]"):
        p.jump_hash(-1, 3)
    with pytest.raises(ValueError, match="buckets must be an integer >= 1"):
        p.jump_hash(5, 0)


def test_ring_add_moves_keys_only_to_the_new_node():
    ring = p.ConsistentHashRing(["a", "b", "c"], vnodes=50)
    keys = [f"k{i}" for i in range(3000)]
    before = {k: ring.node_for(k) for k in keys}
    ring.add("d")
    after = {k: ring.node_for(k) for k in keys}
    moved = [k for k in keys if before[k] != after[k]]
    assert all(after[k] == "d" for k in moved)
    assert 0.15 < len(moved) / len(keys) < 0.35
    ring.remove("d")
    assert {k: ring.node_for(k) for k in keys} == before


def test_ring_ownership_sums_to_one_and_evens_out_with_vnodes():
    one = p.ConsistentHashRing(range(8), vnodes=1).ownership()
    many = p.ConsistentHashRing(range(8), vnodes=400).ownership()
    assert sum(one.values()) == pytest.approx(1.0) and sum(many.values()) == pytest.approx(1.0)
    assert max(many.values()) * 8 < max(one.values()) * 8
    assert max(many.values()) * 8 < 1.15


def test_ring_validation():
    with pytest.raises(ValueError, match="vnodes must be an integer >= 1"):
        p.ConsistentHashRing(["a"], vnodes=0)
    with pytest.raises(ValueError, match="nodes must hold at least one"):
        p.ConsistentHashRing([])
    ring = p.ConsistentHashRing(["a"])
    with pytest.raises(ValueError, match="node must not already be on the ring"):
        ring.add("a")
    with pytest.raises(ValueError, match="node must be one of"):
        ring.remove("z")
    with pytest.raises(ValueError, match="at least one node"):
        ring.remove("a")


@pytest.mark.parametrize("vnodes", [1, 7, 64, 65, 200])
def test_ring_layout_and_shares_are_the_ring_vectorised(vnodes):
    nodes = [f"node-{i}" for i in range(6)]
    ring = p.ConsistentHashRing(nodes, vnodes=vnodes)
    points, owners = p.ring_layout(nodes, vnodes)
    assert points.tolist() == ring._points and [nodes[i] for i in owners] == ring._owners
    assert p.ring_shares(nodes, vnodes).tolist() == pytest.approx(list(ring.ownership().values()), abs=1e-15)
    keys = p.stable_hashes(f"k{i}" for i in range(2000))
    shard_nodes = [f"shard-{i}" for i in range(6)]
    by_ring = p.ConsistentHashRing(shard_nodes, vnodes=vnodes).nodes_for_hashes(keys)
    assert [shard_nodes[i] for i in p.assign_shards(keys, 6, "ring", vnodes)] == by_ring


def test_ring_layout_validation():
    assert p.ring_shares(["only"], 3).tolist() == pytest.approx([1.0])
    with pytest.raises(ValueError, match="nodes must be distinct"):
        p.ring_layout(["a", "a"])
    with pytest.raises(ValueError, match="nodes must hold at least one"):
        p.ring_layout([])
    with pytest.raises(ValueError, match="vnodes"):
        p.ring_shares(["a"], 0)


def test_rendezvous_scalar_matches_vectorised_and_moves_little():
    nodes = ["n0", "n1", "n2", "n3"]
    keys = range(2000)
    idx = p.rendezvous_many(p.stable_hashes(keys), nodes)
    assert [nodes[i] for i in idx] == [p.rendezvous_node(k, nodes) for k in keys]
    after = [p.rendezvous_node(k, nodes + ["n4"]) for k in keys]
    moved = [a for k, a in zip(keys, after) if a != nodes[idx[k]]]
    assert set(moved) == {"n4"}
    with pytest.raises(ValueError, match="nodes must hold"):
        p.rendezvous_node(1, [])


def test_moved_fraction_matches_theory():
    keys = range(20000)
    for n in (1, 3, 7):
        assert p.moved_fraction(keys, n, "modulo") == pytest.approx(n / (n + 1), abs=0.02)
        for scheme in ("jump", "ring", "rendezvous"):
            assert p.moved_fraction(keys, n, scheme) == pytest.approx(1 / (n + 1), abs=0.035)
    assert p.theoretical_moved_fraction(4, "modulo") == 0.8 and p.theoretical_moved_fraction(4, "jump") == 0.2
    with pytest.raises(ValueError, match="scheme must be one of"):
        p.moved_fraction(keys, 2, "random")
    with pytest.raises(ValueError, match="keys must not be empty"):
        p.moved_fraction([], 2)


def test_loads_and_imbalance_by_hand():
    assert p.shard_loads([0, 0, 1, 3], 4).tolist() == [2, 1, 0, 1]
    assert p.imbalance([2, 1, 0, 1]) == 2.0
    assert p.imbalance([5, 5, 5]) == 1.0
    with pytest.raises(ValueError, match=r"shards must hold indices in \[0, 1\]"):
        p.shard_loads([0, 2], 2)
    with pytest.raises(ValueError, match="loads must not all be zero"):
        p.imbalance([0, 0])


def test_zipf_keys_uniform_at_zero_and_skewed_at_one():
    flat = p.zipf_keys(50000, 0.0, universe=10, rng=1)
    assert np.bincount(flat).max() / 50000 == pytest.approx(0.1, abs=0.01)
    skewed = p.zipf_keys(50000, 1.0, universe=10, rng=1)
    harmonic = sum(1 / k for k in range(1, 11))  # P(top key) = 1 / H_10 = 0.3414
    assert np.bincount(skewed)[0] / 50000 == pytest.approx(1 / harmonic, abs=0.01)
    with pytest.raises(ValueError, match=r"exponent must be in \[0, 5\]"):
        p.zipf_keys(10, -1)


def test_salt_key_spreads_one_key():
    salted = {p.salt_key("celebrity", 8, i) for i in range(100)}
    assert salted == {f"celebrity#{i}" for i in range(8)}
    with pytest.raises(ValueError, match="salt_buckets"):
        p.salt_key("x", 0, 1)


def test_moved_compute_matches_theory():
    result = w.moved_compute(max_shards=4, vnodes=50, n_keys=3000)
    assert result["n"].tolist() == [1, 2, 3, 4] and set(result["moved"]) == set(p.SCHEMES)
    assert result["theory_modulo"].tolist() == pytest.approx([1 / 2, 2 / 3, 3 / 4, 4 / 5])
    assert result["theory_minimum"].tolist() == pytest.approx([1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert result["moved"]["modulo"][2] == pytest.approx(0.75, abs=0.03)  # 3 -> 4 shards: 3/4 of the keys move
    for scheme in ("jump", "ring", "rendezvous"):
        assert result["moved"][scheme][3] == pytest.approx(0.2, abs=0.05), scheme  # 4 -> 5 shards: about 1/5
    # the same keys through the router itself
    keys = [f"user:{i}" for i in range(3000)]
    assert result["moved"]["ring"][1] == pytest.approx(p.moved_fraction(keys, 2, "ring", 50))
