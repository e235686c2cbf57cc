"""The benchmark harness and the loopback service: rows per run, and nothing left running afterwards."""
import os
import pathlib

import pytest

from scalelab.bench import run_benchmark, temporary_directory


def test_run_benchmark_gives_one_row_per_timed_run():
    calls = []

    def job(size):
        calls.append(size)
        return {"total": sum(range(size))}

    frame = run_benchmark(job, {"size": [10, 100]}, repeats=3, warmup=1)
    assert len(frame) == 6 and len(calls) == 8
    assert set(frame.columns) >= {"size", "repeat", "wall_s", "cpu_s", "total"}
    assert (frame["wall_s"] > 0).all()
    with pytest.raises(ValueError, match="repeats"):
        run_benchmark(job, {"size": [1]}, repeats=0)


def test_temporary_directory_is_removed_even_on_error():
    with pytest.raises(RuntimeError), temporary_directory() as path:
        pathlib.Path(path, "f.txt").write_text("x")
        raise RuntimeError("boom")
    assert not os.path.exists(path)
