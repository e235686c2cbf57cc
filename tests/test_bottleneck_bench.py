"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import gzip
import http.client
import json
import os
import socket
import sqlite3
import threading
import time

import numpy as np
import pandas as pd
import pytest
from leftovers import nothing_left

from scalelab.bench import application, database, mystery, network, processes, storage, use
from scalelab.bench.http import QuietJsonHandler, ThreadedServer

ERRORS = [RuntimeError, KeyboardInterrupt]


# ------------------------------------------------------------------------------------------------- shared handler
def test_the_shared_handler_sends_without_nagle_delay():
    """Replies are two writes (headers, body): without TCP_NODELAY a kept-alive reply waits for a delayed ACK."""
    class Probe(QuietJsonHandler):
        def do_GET(self):
            self.reply(200, {"nodelay": self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)})

    server = ThreadedServer(("127.0.0.1", 0), Probe)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        for _ in range(2):                                    # the second reply on the same connection too
            conn.request("GET", "/")
            assert json.loads(conn.getresponse().read())["nodelay"] != 0
        conn.close()
    finally:
        server.shutdown()
        server.server_close()


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


# --------------------------------------------------------------------------------------------------- application
def test_the_fast_handler_gives_the_same_replies():
    docs, catalogue = application.make_orders(orders=30, items_per_order=6, catalogue=300)
    assert docs == application.make_orders(orders=30, items_per_order=6, catalogue=300)[0]   # deterministic
    slow = application.handle_orders(docs, catalogue, slow=True)
    assert slow == application.handle_orders(docs, catalogue, slow=False) and len(slow) == 30
    assert application.discount_scan("sku-10", catalogue) == 10 and application.discount_scan("nope", catalogue) == 0
    with pytest.raises(ValueError, match="bad order"):
        application.validate({"id": 1, "items": []})
    with pytest.raises(ValueError, match="orders"):
        application.make_orders(orders=0)


def test_both_profilers_find_the_hotspot():
    docs, catalogue = application.make_orders(orders=60, items_per_order=10, catalogue=1000)
    replies, table = application.profile_cprofile(application.handle_orders, docs, catalogue, slow=True, top=5)
    assert len(replies) == 60 and len(table) == 5
    assert table.iloc[0]["name"] == "discount_scan" and table.iloc[0]["calls"] == 600
    assert table.iloc[0]["own_share"] > 0.5 and table["own_share"].sum() <= 1 + 1e-9
    _, session = application.profile_sampling(application.handle_orders, docs, catalogue, slow=True)
    tree = application.call_tree(session, root="handle_orders")
    assert tree.iloc[0]["name"] == "handle_orders" and tree.iloc[0]["depth"] == 0
    assert tree.iloc[0]["width"] == pytest.approx(1.0)
    assert application.share_of(tree, "discount_scan") > 0.5
    assert application.share_of(tree, "not_called") == 0.0
    assert (tree["width"] >= 0.01).all() and (tree["start"] + tree["width"] <= 1 + 1e-9).all()
    with pytest.raises(ValueError, match="top"):
        application.profile_cprofile(len, [], top=0)
    with pytest.raises(ValueError, match="interval_s"):
        application.profile_sampling(len, [], interval_s=0)
    with pytest.raises(ValueError, match="min_share"):
        application.call_tree(session, min_share=2)


def test_thread_exhaustion_one_thread_against_async(started):
    # 4 users, each request blocking 50 ms: one thread serves at most 20/s, the event loop about 80/s
    frame = application.thread_exhaustion(setups=(("threads", 1), ("async", 1)), concurrency=(4,), block_ms=50,
                                          requests_per_user=3)
    threads, loop = frame.iloc[0], frame.iloc[1]
    assert threads["setup"] == "threads (1)" and loop["setup"] == "async"
    assert threads["throughput_rps"] <= 1.1 * 20                       # at most 1 thread / 50 ms
    assert loop["throughput_rps"] > 2 * threads["throughput_rps"]
    assert threads["server_wait_ms"] > 20 and loop["server_wait_ms"] == 0
    nothing_left(started)


@pytest.mark.parametrize("error", ERRORS)
def test_blocking_service_is_stopped_after_an_exception(started, error):
    with pytest.raises(error), application.BlockingService(mode="threads", pool_size=2, block_ms=1) as service:
        assert service.stats(reset=True)["pool_size"] == 2
        raise error()
    nothing_left(started)


@pytest.mark.parametrize("kwargs, word", [
    ({"mode": "fibers"}, "mode"), ({"pool_size": 0}, "pool_size"), ({"block_ms": -1}, "block_ms"),
])
def test_blocking_service_rejects_bad_settings(kwargs, word):
    with pytest.raises(ValueError, match=word):
        application.BlockingService(**kwargs)


# ------------------------------------------------------------------------------------------------------- network
def test_payload_is_exact_deterministic_and_compressible():
    data = network.payload(10_000)
    assert len(data) == 10_000 and data == network.payload(10_000) and network.payload(0) == b""
    assert len(gzip.compress(data, 6)) < len(data) / 3
    with pytest.raises(ValueError, match="n_bytes"):
        network.payload(-1)


def test_the_link_adds_its_delay_and_limits_its_bandwidth(started):
    with network.PayloadServer() as server, network.Link(server.port, delay_ms=10) as link:
        seconds, body, headers = network.fetch(link.port, "/bytes?n=1000&gzip=6")
        assert gzip.decompress(body) == network.payload(1000) and headers["Content-Encoding"] == "gzip"
        assert seconds >= 0.040                             # a new connection: handshake + request/reply, 4 x 10 ms
        kept = http.client.HTTPConnection("127.0.0.1", link.port, timeout=10)
        network.fetch(link.port, "/bytes?n=10", kept)
        seconds, body, _ = network.fetch(link.port, "/bytes?n=1000", kept)
        kept.close()
        assert body == network.payload(1000) and seconds >= 0.020    # one round trip, 2 x 10 ms
        link.set(delay_ms=0, bandwidth=100_000)             # for the next connections: 100 kB/s
        seconds, body, _ = network.fetch(link.port, "/bytes?n=10000")
        assert len(body) == 10_000 and seconds >= 0.1       # 10 kB cannot cross a 100 kB/s wire faster
        time.sleep(0.12)                                    # the link writes its counters every 50 ms
        stats = link.stats()
        assert stats["down"]["bytes"] > 11_000 and stats["down"]["busy_s"] >= 0.1
    nothing_left(started)


@pytest.mark.parametrize("error", ERRORS)
def test_linked_payload_is_stopped_after_an_exception(started, scratch, error):
    with pytest.raises(error), network.linked_payload(delay_ms=1) as link:
        assert network.fetch(link.port, "/health")[1]
        raise error()
    nothing_left(started, scratch)


def test_latency_sweep_new_connections_pay_the_handshake(started, scratch):
    frame = network.latency_sweep(delays_ms=(0, 15), requests=3)
    assert len(frame) == 4
    at = frame[frame["delay_ms"] == 15].set_index("connection")["median_ms"]
    assert at["kept alive"] >= 30 and at["new per request"] >= 60          # 2 and 4 one-way delays
    assert at["new per request"] > at["kept alive"]
    nothing_left(started, scratch)


def test_bandwidth_sweep_goodput_stays_below_the_bandwidth(started, scratch):
    frame = network.bandwidth_sweep(sizes_bytes=(1000, 100_000), bandwidth=2_000_000, delay_ms=1, repeats=1)
    assert frame["bytes_received"].tolist() == [1000, 100_000]
    assert (frame["goodput_bytes_per_s"] <= 2_000_000).all()
    assert frame["goodput_bytes_per_s"].iloc[1] > 3 * frame["goodput_bytes_per_s"].iloc[0]   # small: round trips
    nothing_left(started, scratch)


def test_compression_levels_and_over_a_link(started, scratch):
    levels = network.compression_levels(size_bytes=50_000, levels=(0, 1, 6), repeats=2).set_index("level")
    assert levels.loc[0, "bytes"] == 50_000 and levels.loc[0, "ratio"] == 1
    assert np.isnan(levels.loc[0, "break_even_bandwidth"])
    assert levels.loc[6, "bytes"] < levels.loc[1, "bytes"] < 50_000
    assert levels.loc[6, "break_even_bandwidth"] == pytest.approx(
        (50_000 - levels.loc[6, "bytes"]) / ((levels.loc[6, "compress_ms"] + levels.loc[6, "decompress_ms"]) / 1000))
    over = network.compression_over_link(bandwidths=(500_000,), size_bytes=50_000, level=6, repeats=1)
    by = over.set_index("gzip_level")
    assert by.loc[0, "wire_bytes"] == 50_000 and by.loc[6, "wire_bytes"] == levels.loc[6, "bytes"]
    assert by.loc[0, "seconds"] >= 0.1 > by.loc[6, "seconds"]   # 50 kB at 500 kB/s; gzip sends ~7 kB
    with pytest.raises(ValueError, match="levels"):
        network.compression_levels(levels=(10,))
    with pytest.raises(ValueError, match="bandwidths"):
        network.compression_over_link(bandwidths=(0,))
    nothing_left(started, scratch)


def test_keep_alive_through_a_link(started, scratch):
    frame = network.keep_alive(requests=4, delay_ms=15)
    assert len(frame) == 8
    medians = frame.groupby("connection")["ms"].median()
    assert medians["new per request"] >= 60 and medians["new per request"] > medians["kept alive"] >= 30
    nothing_left(started, scratch)


@pytest.mark.parametrize("call, word", [
    (lambda: network.Link(0), "target_port"), (lambda: network.Link(80, delay_ms=-1), "delay_ms"),
    (lambda: network.Link(80, bandwidth=-1), "bandwidth"), (lambda: network.latency_sweep(requests=0), "requests"),
    (lambda: network.bandwidth_sweep(bandwidth=0), "bandwidth"), (lambda: network.keep_alive(delay_ms=-1), "delay_ms"),
])
def test_network_rejects_bad_input(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ------------------------------------------------------------------------------------------------------- storage
def test_access_patterns_small_run(scratch):
    frame = storage.access_patterns(file_bytes=1 << 20, block_bytes=4096, blocks=50, repeats=2,
                                    rng=np.random.default_rng(3))
    assert len(frame) == 2 * 2 * 3                                 # repeats x patterns x (warm, cold, write)
    assert set(frame["op"]) == {"read", "write + fsync"}
    assert frame["mb_per_s"].tolist() == pytest.approx((50 * 4096 / frame["seconds"] / 1e6).tolist())
    assert list(scratch.iterdir()) == []
    with pytest.raises(ValueError, match="blocks"):
        storage.access_patterns(file_bytes=1 << 16, block_bytes=4096, blocks=17)   # only 16 blocks in the file


def test_fsync_batches_counts_fsyncs(scratch):
    frame = storage.fsync_batches(batches=(1, 7, 100), writes=20, record_bytes=64, repeats=1)
    assert frame["fsyncs"].tolist() == [20, 3, 1]                  # ceil(20 / batch)
    assert frame["records_per_s"].tolist() == pytest.approx((20 / frame["seconds"]).tolist())
    assert list(scratch.iterdir()) == []
    with pytest.raises(ValueError, match="batches"):
        storage.fsync_batches(batches=(0,))


def test_growth_sample_grows_by_about_a_row_a_row(scratch):
    frame = storage.growth_sample(steps=3, rows_per_step=1000, row_bytes=200)
    assert frame["rows"].tolist() == [1000, 2000, 3000]
    slope = np.polyfit(frame["rows"], frame["file_bytes"], 1)[0]
    assert 200 < slope < 400                                       # the padding plus SQLite's per-row overhead
    assert list(scratch.iterdir()) == []
    with pytest.raises(ValueError, match="steps"):
        storage.growth_sample(steps=1)


@pytest.mark.parametrize("error", ERRORS)
def test_storage_removes_its_files_when_interrupted(monkeypatch, scratch, error):
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) > 2:
            raise error()

    monkeypatch.setattr(storage.os, "fsync", failing_fsync)
    with pytest.raises(error):
        storage.fsync_batches(batches=(1,), writes=10, repeats=1)
    assert list(scratch.iterdir()) == []
    calls.clear()
    with pytest.raises(error):
        storage.access_patterns(file_bytes=1 << 18, blocks=8, repeats=2)
    assert list(scratch.iterdir()) == []


# --------------------------------------------------------------------------------------------------------- USE
def _spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_use_monitor_sees_this_process_compute():
    """The monitor's reading of this process's CPU follows the process's own account of the CPU time it used
    (on a loaded machine the spinning process gets less than a core, and both see it)."""
    pid = os.getpid()

    def watched(work):
        wall_s, cpu_s = time.perf_counter(), time.process_time()
        with use.UseMonitor(interval_s=0.05, pids=[pid]) as monitor:
            work(0.3)
        share = (time.process_time() - cpu_s) / (time.perf_counter() - wall_s)  # cores this process used
        return monitor.samples[f"proc_{pid}_cpu"].mean(), share

    idle, idle_share = watched(time.sleep)
    busy_reading, busy_share = watched(_spin)
    assert busy_share > idle_share, "spinning used no more CPU than sleeping: nothing to compare"
    assert busy_reading - idle > 0.5 * (busy_share - idle_share)
    with use.UseMonitor(interval_s=0.05, pids=[pid]) as busy:
        _spin(0.1)
    table = busy.table()
    assert table["resource"].iloc[0] == "CPU (all cores)" and {"utilization", "saturation", "errors"} <= set(table)
    assert f"process {pid} CPU (one core = 1)" in set(table["resource"])
    assert ((busy.samples["cpu_util"] >= 0) & (busy.samples["cpu_util"] <= 1 + 1e-9)).all()


@pytest.mark.parametrize("error", ERRORS)
def test_use_monitor_stops_its_thread_after_an_exception(error):
    with pytest.raises(error), use.UseMonitor(interval_s=0.05) as monitor:
        raise error()
    assert not monitor._thread.is_alive()


def test_use_rejects_bad_input():
    with pytest.raises(ValueError, match="interval_s"):
        use.UseMonitor(interval_s=0)
    with pytest.raises(ValueError, match="pids"):
        use.UseMonitor(pids=[0])
    with pytest.raises(ValueError, match="samples"):
        use.use_table(pd.DataFrame())


# ------------------------------------------------------------------------------------------------------- mystery
STATS = {  # two workers over 10 s: the raw counters MysterySystem.raw_stats returns, written by hand
    "apps": [{"elapsed_s": 10.0, "served": 300, "errors": 2, "process_cpu_s": 3.0,
              "cpu_phase": {"busy_s": 6.0, "area_s": 8.0}, "pool_size": 4, "pool_in_use": 1.0,
              "pool_waiting": 0.5, "pool_timeouts": 1, "log_held": {"busy_s": 2.0}, "log_waiting": {"area_s": 1.0}},
             {"elapsed_s": 9.0, "served": 200, "errors": 0, "process_cpu_s": 2.0,
              "cpu_phase": {"busy_s": 4.0, "area_s": 4.0}, "pool_size": 4, "pool_in_use": 2.0,
              "pool_waiting": 0.0, "pool_timeouts": 0, "log_held": {"busy_s": 3.0}, "log_waiting": {"area_s": 2.0}}],
    "database": {"busy_s": 5.0, "utilization": 0.5, "mean_active": 0.8, "errors": 3},
    "link": {"elapsed_s": 10.0, "down": {"busy_s": 1.0, "waiting_area_s": 1.5}},
}


def test_readings_and_demands_from_raw_counters_by_hand():
    readings = mystery.readings_from_stats(STATS).set_index("component")
    assert readings.loc["app", "utilization"] == pytest.approx(10 / 10 / 2)       # 10 busy s / 10 s / 2 workers
    assert readings.loc["app", "saturation"] == pytest.approx(2 / 10)            # (8 - 6) + (4 - 4) over 10 s
    assert readings.loc["pool", "busy_s"] == pytest.approx(1 * 10 + 2 * 9)       # in use x elapsed, summed
    assert readings.loc["pool", "utilization"] == pytest.approx(28 / 10 / 8)
    assert readings.loc["pool", "saturation"] == pytest.approx(0.5) and readings.loc["pool", "errors"] == 1
    assert readings.loc["database", "saturation"] == pytest.approx(0.3) and readings.loc["database", "errors"] == 3
    assert readings.loc["network", "utilization"] == pytest.approx(0.1)
    assert readings.loc["network", "saturation"] == pytest.approx(0.05)          # 1.5 / 10 - 1 / 10
    assert readings.loc["disk_log", "utilization"] == pytest.approx(0.5)         # 5 busy s / 10 s
    assert readings.loc["disk_log", "saturation"] == pytest.approx(0.3)
    assert (readings["completions"] == 500).all()
    d = mystery.demands(readings.reset_index())
    assert d["app"] == pytest.approx(10 / 500 / 2) and d["pool"] == pytest.approx(28 / 500 / 8)
    assert d["database"] == pytest.approx(5 / 500) and d["disk_log"] == pytest.approx(5 / 500)
    with pytest.raises(ValueError, match="stats"):
        mystery.readings_from_stats({**STATS, "apps": []})


def test_the_seed_chooses_the_class():
    assert mystery.MysterySystem(rng=4).answer() == "disk_log"
    assert mystery.MysterySystem(rng=11).answer() == "app_cpu"
    assert {mystery.MysterySystem(rng=s).answer() for s in range(40)} == set(mystery.CLASSES)
    with pytest.raises(ValueError, match="workers"):
        mystery.MysterySystem(workers=5)


@pytest.mark.parametrize("error", [None] + ERRORS)
def test_mystery_system_runs_and_leaves_nothing(started, scratch, error):
    try:
        with mystery.MysterySystem(rng=4) as system:
            assert len(started) == 7                     # database, link, four app workers, balancer
            if error:                                    # fails as soon as it is up: the cleanup is what is tested
                raise error()
            summary, readings = system.load(users=2, requests_per_user=3)
            assert summary["ok"] == 6 and summary["error_rate"] == 0
            assert list(readings["component"]) == list(mystery.COMPONENTS)
            assert (readings["completions"] == 6).all() and (readings["errors"] == 0).all()
            assert ((readings["utilization"] >= 0) & (readings["utilization"] <= 1 + 1e-9)).all()
            settings = system.configure(log_batch=20, workers=3)
            assert settings["log_batch"] == 20 and settings["workers"] == 3 and len(system.pids()["app"]) == 3
            with pytest.raises(ValueError, match="pool_size"):
                system.configure(pool_size=0)
    except (RuntimeError, KeyboardInterrupt) as caught:
        assert error is not None and isinstance(caught, error)
    nothing_left(started, scratch)


def test_mystery_system_cleans_up_when_a_part_fails_to_start(monkeypatch, started, scratch):
    recording = processes.start

    def fail_on_the_third_worker(target, **kwargs):
        if kwargs.get("worker_id") == 2:
            raise RuntimeError("worker 2 did not start")
        return recording(target, **kwargs)

    monkeypatch.setattr(processes, "start", fail_on_the_third_worker)
    with pytest.raises(RuntimeError, match="worker 2"):
        mystery.MysterySystem(rng=1).start()
    assert len(started) == 4                             # database, link and two workers had started
    nothing_left(started, scratch)
