"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import sqlite3
import threading
import time

import numpy as np
import pandas as pd
import pytest

from scalelab.bench import database
from tests.leftovers import nothing_left

ERRORS = [RuntimeError, KeyboardInterrupt]


# ------------------------------------------------------------------------------------------------------ database
def test_make_blog_gives_each_author_the_same_number_of_posts(tmp_path):
    path = database.make_blog(str(tmp_path / "b.sqlite"), authors=30, posts_per_author=4, index=False)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM authors").fetchone()[0] == 30
        counts = {n for (n,) in db.execute("SELECT COUNT(*) FROM posts GROUP BY author_id")}
        assert counts == {4}
        plan = " ".join(r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + database.POSTS_OF_SQL, (1,)))
        assert "SCAN" in plan
    with pytest.raises(ValueError, match="authors"):
        database.make_blog(str(tmp_path / "c.sqlite"), authors=0)


@pytest.mark.parametrize("error", [None] + ERRORS)
def test_database_server_answers_and_is_stopped(tmp_path, started, error):
    path = database.make_blog(str(tmp_path / "b.sqlite"), authors=20, posts_per_author=3)
    with sqlite3.connect(path) as db:
        expected = db.execute(database.POSTS_OF_SQL, (5,)).fetchall()
    try:
        with database.DatabaseServer(path) as server:
            client = database.DatabaseClient(server.port)
            assert [tuple(r) for r in client.query(database.POSTS_OF_SQL, (5,))] == expected
            assert len(client.query(database.JOIN_SQL, (4,))) == 12
            with pytest.raises(RuntimeError, match="SELECT"):
                client.query("DELETE FROM posts")
            with pytest.raises(RuntimeError, match="query failed"):
                client.query("SELECT * FROM no_such_table")
            server.configure(index=False)
            plan = " ".join(r[-1] for r in client.query("EXPLAIN QUERY PLAN " + database.POSTS_OF_SQL, (1,)))
            assert "SCAN" in plan
            server.configure(index=True)
            plan = " ".join(r[-1] for r in client.query("EXPLAIN QUERY PLAN " + database.POSTS_OF_SQL, (1,)))
            assert "SEARCH" in plan and "INDEX" in plan
            stats = server.stats()
            assert stats["served"] == 5 and stats["errors"] == 1 and 0 <= stats["utilization"] <= 1
            gz = database.DatabaseClient(server.port, compress=True)
            assert [tuple(r) for r in gz.query(database.POSTS_OF_SQL, (5,))] == expected
            gz.close()
            client.close()
            if error:
                raise error()
    except (RuntimeError, KeyboardInterrupt) as caught:
        assert error is not None and isinstance(caught, error)
    nothing_left(started)


def test_database_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="path"):
        database.DatabaseServer(str(tmp_path / "missing.sqlite"))
    path = database.make_blog(str(tmp_path / "b.sqlite"), authors=2, posts_per_author=1)
    with pytest.raises(ValueError, match="io_ms"):
        database.DatabaseServer(path, io_ms=-1)
    with pytest.raises(ValueError, match="port"):
        database.DatabaseClient(0)
    with pytest.raises(ValueError, match="size"):
        database.ConnectionPool(1234, 0)


def test_connection_pool_waits_then_times_out(tmp_path, started):
    path = database.make_blog(str(tmp_path / "b.sqlite"), authors=5, posts_per_author=1)
    with database.DatabaseServer(path) as server, database.ConnectionPool(server.port, 1, timeout=0.2) as pool:
        with pool.connection() as db:
            assert db.query("SELECT 1") == [[1]]
            with pytest.raises(database.PoolTimeout, match="pool of 1"), pool.connection():
                pass
        assert pool.timeouts == 1 and len(pool.waits_s) == 1 and len(pool.holds_s) == 1
        assert pool.waits_s[0] < pool.holds_s[0]                 # the first request found the connection free
        with pool.connection():
            pass                                                 # given back: free again
    nothing_left(started)


def test_n_plus_one_counts_queries_and_rows(started, scratch):
    frame = database.n_plus_one(authors=(5, 20), posts_per_author=2, repeats=3)
    assert len(frame) == 2 * 2 * 2 * 3
    first = frame.groupby(["where", "authors", "approach"])[["queries", "rows"]].first()
    for where in ("in-process", "loopback"):
        assert first.loc[(where, 20, "N+1")].tolist() == [21, 40]        # 1 + one query per author; 2 posts each
        assert first.loc[(where, 20, "join")].tolist() == [1, 40]
        assert first.loc[(where, 5, "N+1")].tolist() == [6, 10]
    wall = frame.groupby(["where", "authors", "approach"])["wall_s"].median()
    assert wall[("loopback", 20, "N+1")] > 2 * wall[("loopback", 20, "join")]   # 21 round trips against 1
    nothing_left(started, scratch)


@pytest.mark.parametrize("error", ERRORS)
def test_n_plus_one_cleans_up_when_interrupted(monkeypatch, started, scratch, error):
    def broken(*args):
        raise error()

    monkeypatch.setattr(database, "_page_remote", broken)
    with pytest.raises(error):
        database.n_plus_one(authors=(5,), repeats=1)
    nothing_left(started, scratch)


@pytest.mark.parametrize("kwargs, word", [
    ({"authors": (0,)}, "authors"), ({"repeats": 0}, "repeats"), ({"where": ("cloud",)}, "where"),
])
def test_n_plus_one_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        database.n_plus_one(**kwargs)


def test_pool_sweep_shows_an_exhausted_pool(started, scratch):
    # 100/s holding ~11 ms each: 1.1 connections in use on average, so a pool of 1 is exhausted, one of 4 is not
    sweep = database.pool_sweep(pool_sizes=(1, 4), rate=100, seconds=0.3, io_ms=10, rng=np.random.default_rng(1))
    assert list(sweep["pool_size"]) == [1, 4]
    assert (sweep["requests"] == 30).all() and (sweep["ok"] == 30).all() and (sweep["timeouts"] == 0).all()
    assert (sweep["hold_ms"] >= 10).all()                             # the query waits io_ms on the server
    one, four = sweep.iloc[0], sweep.iloc[1]
    assert one["wait_mean_ms"] > 5 * four["wait_mean_ms"]
    assert one["mean_in_use"] <= 1 + 1e-9 and four["mean_in_use"] <= 4 + 1e-9
    nothing_left(started, scratch)


def test_pool_concurrency_queues_beyond_the_pool(started, scratch):
    rising = database.pool_concurrency(concurrency=(1, 4), pool_size=2, io_ms=10, seconds=0.2)
    one, four = rising.iloc[0], rising.iloc[1]
    assert one["mean_in_use"] <= 1 + 1e-9 and four["mean_in_use"] <= 2 + 1e-9
    # Little's law on the loop, from per-request times: the users in the loop are the users started
    assert one["users_little"] == pytest.approx(1, rel=0.15) and four["users_little"] == pytest.approx(4, rel=0.15)
    assert four["wait_mean_ms"] == pytest.approx(4 * four["hold_ms"] / 2 - four["hold_ms"], rel=0.3)  # c h / k - h
    assert one["wait_mean_ms"] < 0.1 * one["hold_ms"]
    with pytest.raises(ValueError, match="pool_size"):
        database.pool_concurrency(pool_size=0)
    with pytest.raises(ValueError, match="seconds"):
        database.pool_concurrency(seconds=0)
    nothing_left(started, scratch)


def test_connection_pool_hands_connections_over_in_arrival_order(tmp_path, started):
    """A connection given back goes to the longest waiter, even when the thread that gave it back asks again at once
    (a plain queue lets that thread take it again and starves the others)."""
    path = database.make_blog(str(tmp_path / "b.sqlite"), authors=2, posts_per_author=1)
    served = []
    with database.DatabaseServer(path) as server, database.ConnectionPool(server.port, 1, timeout=5) as pool:
        def request(name):
            with pool.connection():
                served.append(name)

        threads = []
        with pool.connection():
            for k, name in enumerate(("first", "second", "third")):
                threads.append(threading.Thread(target=request, args=(name,)))
                threads[-1].start()
                while pool.waiting < k + 1:                            # it waits before the next one starts
                    time.sleep(0.001)
        request("holder again")                                        # gives it back and asks again at once
        for thread in threads:
            thread.join(5)
        assert served == ["first", "second", "third", "holder again"]
        assert pool.in_use == 0 and pool.waiting == 0 and len(pool.waits_s) == 5
    nothing_left(started)


def test_cold_cache_lookups_small_run(scratch):
    frame = database.cold_cache_lookups(rows=5000, lookups=100, repeats=1, rng=np.random.default_rng(2))
    assert list(frame["cache"]) == ["warm", "cold"] and (frame["lookups"] == 100).all()
    assert (frame["file_bytes"] > 5000 * 96).all()                 # 96 bytes of padding per row at least
    assert ((frame["off_cpu_share"] >= 0) & (frame["off_cpu_share"] <= 1)).all()
    assert list(scratch.iterdir()) == []
    with pytest.raises(ValueError, match="rows"):
        database.cold_cache_lookups(rows=10)


def test_index_speedup_from_a_volume_table():
    volume = pd.DataFrame({"rows": [1000, 1000, 10000, 10000], "indexed": [False, True, False, True],
                           "median_ms": [0.5, 0.01, 5.0, 0.02], "plan": ["SCAN t", "SEARCH t", "SCAN t", "SEARCH t"]})
    out = database.index_speedup(volume)
    assert out["speedup"].tolist() == pytest.approx([50, 250])
    assert out["plan_with_index"].tolist() == ["SEARCH t", "SEARCH t"]
    with pytest.raises(ValueError, match="volume"):
        database.index_speedup(volume.drop(columns="plan"))
