"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import numpy as np
import pytest

from scalelab.bench import storage

ERRORS = [RuntimeError, KeyboardInterrupt]


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
