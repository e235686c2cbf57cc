"""The SQLite sharding benchmark: same answers in 1 and n files, correct routing, clean-up, a tidy DataFrame."""
import os
import sqlite3

import pytest

from scalelab.bench import shards as sb
from scalelab.bench import temporary_directory
from scalelab.partition import modulo_shard


@pytest.fixture(scope="module")
def data():
    return sb.make_dataset(n_users=300, orders_per_user=5, n_products=40, rng=3)


def expected_lookup(data, user_id):
    region = next(r for u, _, r in data["users"] if u == user_id)
    mine = [o for o in data["orders"] if o[1] == user_id]
    return region, len(mine), round(sum(o[4] for o in mine), 2)


def test_dataset_shape_and_validation(data):
    assert len(data["users"]) == 300 and len(data["orders"]) == 1500 and len(data["products"]) == 40
    with pytest.raises(ValueError, match="n_users must be an integer >= 1"):
        sb.make_dataset(n_users=0)


def test_rows_land_on_the_routed_shard(data):
    with temporary_directory() as folder, sb.ShardSet(folder, 4, data) as shards:
        for i, conn in enumerate(shards.conns):
            ids = [u for (u,) in conn.execute("SELECT id FROM users")]
            assert ids and all(modulo_shard(u, 4) == i for u in ids)
            owners = {u for (u,) in conn.execute("SELECT DISTINCT user_id FROM orders")}
            assert owners <= set(ids)  # a user's orders sit with the user
        total = sum(c.execute("SELECT COUNT(*) FROM orders").fetchone()[0] for c in shards.conns)
        assert total == 1500


@pytest.mark.parametrize("n", [1, 4])
def test_queries_give_the_same_answers_in_every_layout(data, n):
    orders = [o for o in data["orders"] if 10 <= o[3] <= 60]
    category = {pid: c for pid, c, _ in data["products"]}
    by_cat = {}
    for o in orders:
        by_cat[category[o[2]]] = by_cat.get(category[o[2]], 0.0) + o[4]
    with temporary_directory() as folder, sb.ShardSet(folder, n, data) as shards:
        for user in (0, 17, 299):
            assert shards.point_lookup(user) == expected_lookup(data, user)
        count, revenue = shards.revenue_between(10, 60)
        assert count == len(orders) and revenue == pytest.approx(sum(o[4] for o in orders), abs=0.02)
        assert shards.revenue_between(10, 60, parallel=True) == (count, revenue)
        joined = shards.revenue_by_category(10, 60)
        assert joined.keys() == by_cat.keys()
        assert all(joined[c] == pytest.approx(by_cat[c], abs=0.02) for c in by_cat)


def test_shardset_cleans_up_after_success_and_after_an_error(data):
    with temporary_directory() as folder:
        with sb.ShardSet(folder, 2, data) as shards:
            conns = list(shards.conns)
        assert shards.conns == [] and shards.pool is None
        with pytest.raises(sqlite3.ProgrammingError):
            conns[0].execute("SELECT 1")
        with pytest.raises(RuntimeError), sb.ShardSet(folder, 2, data) as shards:  # rebuilt over the old files
            conns = list(shards.conns)
            raise RuntimeError("boom")
        with pytest.raises(sqlite3.ProgrammingError):
            conns[0].execute("SELECT 1")
        kept = folder
    assert not os.path.exists(kept)  # the temporary directory and its SQLite files are gone


def test_shardset_validation(data):
    with pytest.raises(ValueError, match="n_shards must be an integer >= 1 and <= 64"):
        sb.ShardSet("/tmp", 0, data)
    with pytest.raises(ValueError, match="folder must be an existing directory"):
        sb.ShardSet("/nonexistent/folder", 2, data)
    broken = {**data, "users": data["users"] + data["users"][:1]}  # a duplicate primary key fails mid-build
    with temporary_directory() as folder, pytest.raises(sqlite3.IntegrityError):
        sb.ShardSet(folder, 2, broken)


def test_compare_layouts_frame_and_relations():
    frame = sb.compare_layouts(shard_counts=(1, 4), n_users=300, orders_per_user=20, lookups=100, scans=6,
                               repeats=2, rng=5)
    assert set(frame.columns) >= {"shards", "query", "repeat", "queries", "shards_touched", "per_query_s", "answer"}
    assert len(frame) == 2 * len(sb.QUERIES) * 2
    assert (frame.per_query_s > 0).all()
    answers = frame.groupby("query")["answer"].nunique()
    assert (answers == 1).all()  # sharding moves data, not answers
    four = frame[frame.shards == 4].groupby("query")["shards_touched"].first()
    assert four["point lookup (routed)"] == 1 and four["scatter-gather (sequential)"] == 4
    # a relation, not an absolute time: one indexed lookup on one shard beats a scan of all four
    med = frame[frame.shards == 4].groupby("query")["per_query_s"].median()
    assert med["point lookup (routed)"] < med["scatter-gather (sequential)"]
    with pytest.raises(ValueError, match="lookups must be an integer >= 1"):
        sb.compare_layouts(lookups=0)


def test_outage_hits_only_the_routed_share_and_every_scatter_gather(data):
    with temporary_directory() as folder, sb.ShardSet(folder, 4, data) as shards:
        users = range(300)
        on_down = sum(modulo_shard(u, 4) == 2 for u in users)
        frame = sb.outage_effect(shards, 2, list(users))
        lookups = frame.set_index("query").loc["point lookup (routed)"]
        assert lookups.served == 300 - on_down  # exactly the users on the failed shard are lost
        assert frame.set_index("query").loc["scatter-gather", "served"] == 0
        assert shards.down == set() and shards.point_lookup(0) == expected_lookup(data, 0)
        sizes = shards.file_sizes()
        assert len(sizes) == 4 and all(size > 0 for size in sizes)
        with pytest.raises(ValueError, match="down must be an integer >= 0 and <= 3"):
            sb.outage_effect(shards, 4, [1])


def test_transfer_demo_loses_money_only_across_shards():
    with temporary_directory() as folder:
        frame = sb.transfer_demo(folder, amount=100).set_index("layout")
        assert frame.loc["one database", "lost"] == 0
        assert frame.loc["two shards", "lost"] == 100
        assert (frame.total_before == 2000).all()
        with pytest.raises(ValueError, match="amount must be in"):
            sb.transfer_demo(folder, amount=0)


def test_crash_transfers_count_half_done_transfers_from_the_files():
    import numpy as np

    with temporary_directory() as folder:
        frame = sb.crash_transfers(folder, crash_probabilities=(0.0, 0.5, 1.0), transfers=300, amount=10,
                                   rng=np.random.default_rng(4)).set_index("crash_probability")
        with pytest.raises(ValueError, match="crash_probabilities"):
            sb.crash_transfers(folder, crash_probabilities=(1.2,))
        with pytest.raises(ValueError, match="transfers"):
            sb.crash_transfers(folder, transfers=0)
    assert frame.loc[0.0, "completed"] == 300 and frame.loc[0.0, "half_done"] == 0
    assert frame.loc[1.0, "aborted"] == 300 and frame.loc[1.0, "half_done"] == 0
    half = frame.loc[0.5]
    assert half["completed"] + half["aborted"] + half["half_done"] == 300
    assert half["money_lost"] == pytest.approx(10 * half["half_done"])  # each half-done transfer lost its amount
    assert 0.15 < half["half_done_fraction"] < 0.35  # p (1 - p) = 0.25, 300 draws: sd 0.025
