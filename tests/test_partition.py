"""Shard routers of scalelab.partition, the scatter-gather model, and the lesson 06 views: the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import hashlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalelab import partition as p  # noqa: E402
from scalelab.models import sharding  # noqa: E402
from scalelab.widgets import partitioning as w  # noqa: E402

# --- stable hashing and modulo -------------------------------------------------------------------------------------

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


# --- range, directory, geography -----------------------------------------------------------------------------------

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


# --- jump hash: published reference values -------------------------------------------------------------------------

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


# --- ring and rendezvous -------------------------------------------------------------------------------------------

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


# --- moved keys, loads, skew ---------------------------------------------------------------------------------------

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


# --- the scatter-gather model ------------------------------------------------------------------------------------

def test_scatter_gather_model_by_hand():
    # 4 shards, scan 8 ms, overhead 1 ms: sequential 4 + 8 = 12 ms; 2 cores: 4 + 8 / 2 = 8 ms; 1 core: 12 ms
    assert sharding.scatter_gather_s(0.008, 0.001, 4, cores=2) == pytest.approx((0.012, 0.008))
    assert sharding.scatter_gather_s(0.008, 0.001, 4, cores=1) == pytest.approx((0.012, 0.012))
    assert sharding.scatter_gather_s(0.008, 0.0, 1, cores=8) == pytest.approx((0.008, 0.008))
    # a lookup of two indexed queries took 0.2 ms, the 1-shard scan query 5 ms: overhead 0.1 ms, scan 4.9 ms
    assert sharding.calibrate_scatter_gather(0.0002, 0.005) == pytest.approx((0.0049, 0.0001))
    assert sharding.calibrate_scatter_gather(0.004, 0.001) == pytest.approx((0.0, 0.002))  # never a negative scan


@pytest.mark.parametrize("call, argument", [
    (lambda: sharding.scatter_gather_s(0.008, 0.001, 0), "shards"),
    (lambda: sharding.scatter_gather_s(-1, 0.001, 2), "scan_s"),
    (lambda: sharding.scatter_gather_s(0.008, -1, 2), "overhead_s"),
    (lambda: sharding.scatter_gather_s(0.008, 0.001, 2, cores=0), "cores"),
    (lambda: sharding.calibrate_scatter_gather(-1, 0.005), "lookup_s"),
    (lambda: sharding.calibrate_scatter_gather(0.001, 0.005, queries_per_lookup=0), "queries_per_lookup"),
])
def test_scatter_gather_model_rejects_bad_input(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# --- view computes, draws and headless Explorers -------------------------------------------------------------------

def _figure(width=7.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, 3.2), dpi=90)
    FigureCanvasAgg(fig)
    return fig


def _measured():
    return pd.DataFrame({"shards": [1, 1, 2, 2, 4, 4, 1, 4],
                         "query": ["scatter-gather (sequential)", "point lookup (routed)"] * 3
                         + ["scatter-gather (sequential)", "scatter-gather (threads)"],
                         "per_query_s": [0.004, 0.0001, 0.0045, 0.0001, 0.0052, 0.0001, 0.006, 0.003]})


def test_skew_compute_hotspot_grows_with_exponent():
    flat = w.skew_compute(zipf_exponent=0.0, shards=8, rng=3)
    hot = w.skew_compute(zipf_exponent=1.5, shards=8, rng=3)
    assert flat["zipf_imbalance"] < 1.2 and hot["zipf_imbalance"] > 2.0
    # uniform keys: each shard expects 10 requests per key it holds (20,000 requests over 2,000 keys), give or take
    # sampling noise (sd about 50 requests)
    keys_per_shard = np.bincount(p.stable_hashes(range(2000)) % np.uint64(8), minlength=8)
    assert flat["uniform"].tolist() == pytest.approx((10 * keys_per_shard).tolist(), abs=250)
    assert hot["zipf"].sum() == hot["uniform"].sum() == 20000
    # both samples share the seed: with exponent 0 the "Zipf" sample is the uniform one
    assert flat["zipf"].tolist() == flat["uniform"].tolist()
    # Zipf s = 1 over 2,000 keys: the top key gets 1 / H_2000 = 1 / 8.178 = 12.2 % of the requests
    one = w.skew_compute(zipf_exponent=1.0, shards=8, rng=3)
    assert one["hottest_key_share"] == pytest.approx(1 / sum(1 / k for k in range(1, 2001)), abs=0.01)


def test_skew_compute_randomness_comes_through_rng_only():
    same = [w.skew_compute(1.0, 8, rng=5)["zipf"].tolist() for _ in range(2)]
    assert same[0] == same[1]
    assert w.skew_compute(1.0, 8, rng=5)["zipf"].tolist() != w.skew_compute(1.0, 8, rng=6)["zipf"].tolist()
    generator = np.random.default_rng(5)
    assert w.skew_compute(1.0, 8, rng=generator)["zipf"].sum() == 20000


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


def test_spread_compute_is_the_ring_ownership():
    spread = w.spread_compute(vnodes=200, nodes=4)
    ring = p.ConsistentHashRing([f"node-{i}" for i in range(4)], vnodes=200)
    assert spread["shares"].tolist() == pytest.approx(list(ring.ownership().values()))
    assert spread["shares"].sum() == pytest.approx(1.0)
    assert spread["imbalance"] == pytest.approx(4 * max(ring.ownership().values()))
    assert spread["sweep_vnodes"].tolist() == list(w.VNODE_SWEEP)
    assert spread["sweep_imbalance"][-1] < spread["sweep_imbalance"][0]  # 400 points per node beat 1


def test_scatter_compute_by_hand():
    medians = w.scatter_medians(_measured())
    result = w.scatter_compute(medians, overhead_scale=1.0, cores=2, max_shards=4)
    # calibration: lookup 0.1 ms = two queries -> overhead 0.05 ms; 1-shard scan query: median of 4 and 6 ms = 5 ms
    assert result["overhead_s"] == pytest.approx(0.00005) and result["scan_s"] == pytest.approx(0.00495)
    # 4 shards: sequential 4 x 0.05 + 4.95 = 5.15 ms; threads on 2 cores: 0.2 + 4.95 / 2 = 2.675 ms
    assert result["sequential_s"][-1] == pytest.approx(0.00515) and result["threads_s"][-1] == pytest.approx(0.002675)
    doubled = w.scatter_compute(medians, overhead_scale=2.0, cores=2, max_shards=4)
    assert doubled["sequential_s"][-1] == pytest.approx(0.00535)


@pytest.mark.parametrize("call, argument", [
    (lambda: w.skew_compute(zipf_exponent=-1), "zipf_exponent"),
    (lambda: w.skew_compute(shards=0), "shards"),
    (lambda: w.skew_compute(n_requests=0), "n_requests"),
    (lambda: w.skew_compute(universe=0), "universe"),
    (lambda: w.moved_compute(max_shards=0), "max_shards"),
    (lambda: w.moved_compute(vnodes=0), "vnodes"),
    (lambda: w.moved_compute(n_keys=0), "n_keys"),
    (lambda: w.spread_compute(vnodes=0), "vnodes"),
    (lambda: w.spread_compute(nodes=0), "nodes"),
    (lambda: w.scatter_medians(pd.DataFrame({"x": [1]})), "measured"),
    (lambda: w.scatter_medians(_measured()[lambda f: f["shards"] > 1]), "1-shard"),
    (lambda: w.scatter_compute(w.scatter_medians(_measured()), overhead_scale=-1), "overhead_scale"),
    (lambda: w.scatter_compute(w.scatter_medians(_measured()), cores=0), "cores"),
    (lambda: w.scatter_compute(w.scatter_medians(_measured()), max_shards=0), "max_shards"),
])
def test_view_computes_reject_bad_input(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_skew_draw_shows_the_shards_in_use():
    artists = w.skew_setup(_figure(), {})
    result = w.skew_compute(zipf_exponent=1.0, shards=8, rng=3)
    caption = w.skew_draw(artists, result)
    heights = artists["zipf"].get_path().vertices[1::5, 1]  # the top-left corner of each bar
    assert heights.tolist() == result["zipf"].tolist()
    assert artists["mean"].get_ydata()[0] == 2500 and artists["ax"].get_xlim() == (-0.6, 7.6)
    assert f"{result['zipf_imbalance']:.2f}× the mean load" in caption
    w.skew_draw(artists, w.skew_compute(zipf_exponent=1.0, shards=9, rng=3))
    assert artists["ax"].get_xlim() == (-0.6, 15.6)  # past 8 shards the axis widens to 16


def test_moved_and_spread_and_scatter_draws():
    artists = w.moved_setup(_figure(), {})
    result = w.moved_compute(max_shards=4, vnodes=50)
    caption = w.moved_draw(artists, result)
    assert artists["modulo"].get_ydata().tolist() == result["moved"]["modulo"].tolist()
    assert "From 4 to 5 shards" in caption and "50 virtual nodes" in caption
    artists = w.spread_setup(_figure(8.0), {})
    result = w.spread_compute(vnodes=10, nodes=4)
    caption = w.spread_draw(artists, result)
    assert artists["fair"].get_ydata()[0] == 25.0 and artists["current"].get_xdata()[0] == 10
    assert f"{result['imbalance']:.2f}× its fair share of 25.0%" in caption
    params = {"medians": w.scatter_medians(_measured()), "max_shards": 4}
    artists = w.scatter_setup(_figure(), params)
    caption = w.scatter_draw(artists, w.scatter_compute(**params), params)
    labels = [line.get_label() for line in artists["ax"].get_lines()]
    assert "measured: scatter-gather (threads)" in labels and "measured: point lookup (routed)" in labels
    assert "5.15 ms sequential" in caption and artists["ax"].get_ylim()[1] >= 6.0  # the 6 ms point fits


@pytest.mark.parametrize("make,name,value", [(w.skew_explorer, "zipf_exponent", 1.8),
                                             (w.skew_explorer, "shards", 12),
                                             (w.moved_explorer, "vnodes", 20),
                                             (w.spread_explorer, "vnodes", 200),
                                             (lambda: w.scatter_explorer(_measured()), "cores", 1)])
def test_explorers_headless(make, name, value):
    explorer = make()
    before, renders, caption = explorer.result, explorer.renders, explorer.text.value
    explorer.controls[name].value = value
    assert explorer.renders == renders + 1 and explorer.text.value != caption
    assert explorer.result is not before


def test_skew_explorer_draws_its_seed_from_the_package_generator():
    import scalelab as sl

    sl.seed(11)
    first = w.skew_explorer().result["zipf"].tolist()
    sl.seed(11)
    assert w.skew_explorer().result["zipf"].tolist() == first


def test_expected_max_of_normals_and_the_busiest_shard_model():
    assert sharding.expected_max_standard_normal(1) == pytest.approx(0.0, abs=1e-9)
    assert sharding.expected_max_standard_normal(2) == pytest.approx(1 / np.sqrt(np.pi), rel=1e-6)
    assert sharding.expected_max_standard_normal(3) == pytest.approx(1.5 / np.sqrt(np.pi), rel=1e-6)
    assert sharding.busiest_shard_excess(10_000, 8) == pytest.approx(
        sharding.expected_max_standard_normal(8) * np.sqrt(8 / 10_000))
    # the model against a simulation of uniform hashing: 2,000 sets of 8,000 keys over 8 shards
    loads = np.random.default_rng(3).multinomial(8_000, [1 / 8] * 8, size=2_000)
    simulated = (loads.max(axis=1) / 1_000 - 1).mean()
    assert simulated == pytest.approx(sharding.busiest_shard_excess(8_000, 8), rel=0.05)
    with pytest.raises(ValueError, match="keys"):
        sharding.busiest_shard_excess(0, 8)


def test_half_done_fraction_is_p_times_one_minus_p():
    assert sharding.half_done_fraction(0.2) == pytest.approx(0.16)
    assert sharding.half_done_fraction(0.5) == pytest.approx(0.25)
    assert sharding.half_done_fraction(0.0) == 0 and sharding.half_done_fraction(1.0) == 0
    with pytest.raises(ValueError, match="crash_probability"):
        sharding.half_done_fraction(1.5)


def test_hash_spread_counts_the_busiest_shard_and_plots_it():
    import matplotlib.pyplot as plt

    spread = w.hash_spread((800, 8_000), shards=8)
    keys = [f"user:{i}" for i in range(800)]
    loads = np.bincount([p.modulo_shard(k, 8) for k in keys], minlength=8)
    assert spread["busiest_keys"].iloc[0] == loads.max()
    assert spread["excess_percent"].iloc[0] == pytest.approx(100 * (loads.max() / 100 - 1))
    assert spread["model_percent"].iloc[1] == pytest.approx(100 * sharding.busiest_shard_excess(8_000, 8))
    fig = w.plot_hash_spread(spread)
    assert "%" in fig.axes[0].get_ylabel() and len(fig.axes[0].lines) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="key_counts"):
        w.hash_spread((4,), shards=8)
    with pytest.raises(ValueError, match="spread"):
        w.plot_hash_spread(pd.DataFrame({"keys": [1]}))
