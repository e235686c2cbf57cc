"""Shard routers of scalelab.partition, the scatter-gather model, and the lesson 06 views: the pure computes
against hand-computed values, bad input, each draw on its own figure, and the explorers driven headlessly."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalelab import partition as p  # noqa: E402
from scalelab.models import sharding  # noqa: E402
from scalelab.widgets import partitioning as w  # noqa: E402


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


def test_plot_half_done_draws_the_model_and_the_measurement():
    import matplotlib.pyplot as plt
    import pandas as pd

    from scalelab.widgets import partitioning as w

    crashes = pd.DataFrame({"crash_probability": [0.2, 0.5], "transfers": [100, 100],
                            "half_done_fraction": [0.15, 0.27]})
    fig = w.plot_half_done(crashes)
    model = fig.axes[0].lines[0]
    assert model.get_ydata()[50] == pytest.approx(25.0)  # p = 0.5: p (1 - p) = 25 %
    plt.close(fig)
    with pytest.raises(ValueError, match="crashes"):
        w.plot_half_done(pd.DataFrame({"p": [0.1]}))
