"""SQLite batch inserts: the shapes of the measurements, the bound every latency must respect, and cleanup."""
import os

import pytest

from scalelab.bench import batching, harness


def test_commit_costs_share_the_fixed_cost():
    frame = batching.commit_costs(batch_sizes=(1, 64), duration_s=0.2)
    assert list(frame["batch_size"]) == [1, 64] and (frame["commits"] >= 5).all()
    one, many = frame.iloc[0], frame.iloc[1]
    # 64 items in one durable commit vs 64 commits: the wait for the disk is shared (a wide margin anywhere)
    assert many["items_per_s"] > 5 * one["items_per_s"]
    assert many["items_per_s"] == pytest.approx(64 / (many["commit_ms"] / 1000))


def test_batched_inserts_latency_is_at_least_the_wait_to_fill_the_batch():
    rate = 400.0
    frame = batching.batched_inserts(rate, batch_sizes=(1, 8, 32), items=96, max_s=2.0)
    assert list(frame["batch_size"]) == [1, 8, 32]
    for row in frame.itertuples():
        assert row.committed <= row.items <= 96
        assert row.p99_ms >= row.p95_ms >= row.p50_ms
        # an item cannot be committed before the last item of its batch arrives: mean >= (b - 1) / (2 rate)
        assert row.mean_ms >= 1000 * (row.batch_size - 1) / (2 * rate)
    big = frame.iloc[-1]
    assert big["committed"] == 96


def test_bad_input():
    with pytest.raises(ValueError, match="rate"):
        batching.batched_inserts(0)
    with pytest.raises(ValueError, match="batch_sizes"):
        batching.commit_costs(batch_sizes=(0,))
    with pytest.raises(ValueError, match="batch_sizes"):
        batching.batched_inserts(100, batch_sizes=())


def test_the_database_is_removed_after_an_error(monkeypatch):
    folders, calls = [], {"n": 0}
    real_directory, real_commit = harness.temporary_directory, batching._commit

    def recording_directory(*args, **kwargs):
        manager = real_directory(*args, **kwargs)

        class Wrapper:
            def __enter__(self):
                folders.append(manager.__enter__())
                return folders[-1]

            def __exit__(self, *exc):
                return manager.__exit__(*exc)
        return Wrapper()

    def failing_commit(connection, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_commit(connection, rows)

    monkeypatch.setattr(batching, "temporary_directory", recording_directory)
    monkeypatch.setattr(batching, "_commit", failing_commit)
    with pytest.raises(RuntimeError, match="disk full"):
        batching.batched_inserts(1000, batch_sizes=(2,), items=20)
    assert folders and not os.path.exists(folders[0])

