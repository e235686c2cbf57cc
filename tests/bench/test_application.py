"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import pytest

from scalelab.bench import application
from tests.leftovers import nothing_left

ERRORS = [RuntimeError, KeyboardInterrupt]


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
