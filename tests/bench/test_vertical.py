"""Lesson 03 benchmarks and widgets: threads vs processes, memory hierarchy, durable writes, the two explorers."""
import glob
import os
import tempfile

import numpy as np
import pandas as pd
import pytest

from scalelab.bench import vertical as vb
from scalelab.bench.service import LoopbackService
from tests.leftovers import port_refuses


def test_cpu_task_and_io_task_compute_what_they_say():
    assert vb.cpu_task(4) == 0 + 1 + 4 + 9
    assert vb.io_task(0.0) == 0.0


def test_default_workers_has_at_least_two_counts():
    counts = vb.default_workers()
    assert counts[0] == 1 and len(counts) >= 2 and counts[-1] <= max(2, os.cpu_count())
    assert vb.default_workers(limit=1) == (1, 2)


def test_cpu_scaling_gives_one_row_per_run_and_speedups():
    frame = vb.cpu_scaling(servers=(1, 2), tasks=2, iterations=1000, repeats=2)
    assert len(frame) == 8
    assert set(frame.columns) >= {"kind", "servers", "repeat", "tasks", "iterations", "wall_s"}
    assert (frame["wall_s"] > 0).all()
    table = vb.speedups(frame)
    assert list(table["kind"]) == ["process", "process", "thread", "thread"]
    assert np.allclose(table[table["servers"] == 1]["speedup"], 1.0)
    assert np.allclose(table["efficiency"], table["speedup"] / table["servers"])


def test_io_scaling_threads_overlap_their_waits():
    frame = vb.io_scaling(servers=(1, 4), tasks=8, wait_s=0.02, repeats=3)
    table = vb.speedups(frame).set_index("servers")
    # 8 waits of 20 ms: 160 ms on one thread, 40 ms on four; a relation, not an absolute time
    assert table.loc[4, "speedup"] > 1.3


def test_speedups_needs_a_one_worker_baseline():
    with pytest.raises(ValueError, match="servers == 1"):
        vb.speedups(pd.DataFrame({"kind": ["thread"], "servers": [2], "wall_s": [1.0]}))
    with pytest.raises(ValueError, match="columns"):
        vb.speedups(pd.DataFrame({"kind": ["thread"]}))


def test_memory_hierarchy_rows_and_units():
    frame = vb.memory_hierarchy(sizes_bytes=(16 * 1024, 1 << 20), accesses=1000, repeats=2, min_bytes=1 << 20,
                                rng=np.random.default_rng(1))
    assert len(frame) == 8
    assert set(frame["pattern"]) == {"sequential", "random"}
    assert (frame["bytes_per_s"] > 0).all() and (frame["ns_per_access"] > 0).all()


def test_write_durability_writes_real_files_and_removes_them():
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "scalelab-vertical-*")))
    frame = vb.write_durability(modes=vb.WRITE_MODES, writes=5, record_bytes=64, repeats=1)
    assert list(frame["mode"]) == list(vb.WRITE_MODES)
    assert (frame["writes_per_s"] > 0).all()
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "scalelab-vertical-*"))) == before


def test_write_durability_cleans_up_after_an_error(monkeypatch):
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "scalelab-vertical-*")))

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(vb, "_write_file", broken)
    with pytest.raises(OSError):
        vb.write_durability(writes=1)
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "scalelab-vertical-*"))) == before


@pytest.mark.parametrize("call, name", [
    (lambda: vb.cpu_scaling(kinds=("fiber",)), "kinds"),
    (lambda: vb.cpu_scaling(servers=(0,)), "servers"),
    (lambda: vb.cpu_scaling(servers=()), "servers"),
    (lambda: vb.cpu_scaling(iterations=0), "iterations"),
    (lambda: vb.io_scaling(wait_s=-1), "wait_s"),
    (lambda: vb.io_scaling(tasks=0), "tasks"),
    (lambda: vb.memory_hierarchy(sizes_bytes=(8,)), "sizes_bytes"),
    (lambda: vb.memory_hierarchy(accesses=0), "accesses"),
    (lambda: vb.write_durability(modes=("sometimes",)), "modes"),
    (lambda: vb.write_durability(writes=0), "writes"),
])
def test_bad_benchmark_input_is_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


class _RecordingService(LoopbackService):
    """A LoopbackService that remembers the process and port of each start."""

    started = []

    def start(self):
        super().start()
        _RecordingService.started.append((self.process, self.port))
        return self


def test_call_latency_stops_its_server_after_success(monkeypatch):
    monkeypatch.setattr("scalelab.bench.service.LoopbackService", _RecordingService)
    _RecordingService.started.clear()
    frame = vb.call_latency(calls=5, repeats=1)
    assert list(frame["where"]) == ["in-process", "loopback HTTP"]
    assert (frame["us_per_call"] > 0).all()
    (process, port), = _RecordingService.started
    assert process.poll() is not None and port_refuses(port)


def test_call_latency_stops_its_server_after_an_error(monkeypatch):
    monkeypatch.setattr("scalelab.bench.service.LoopbackService", _RecordingService)
    _RecordingService.started.clear()

    def broken():
        raise RuntimeError("handler crashed")

    monkeypatch.setattr(vb, "_local_handler", broken)
    with pytest.raises(RuntimeError, match="handler crashed"):
        vb.call_latency(calls=2, repeats=1)
    (process, port), = _RecordingService.started
    assert process.poll() is not None and port_refuses(port)
    with pytest.raises(ValueError, match="calls"):
        vb.call_latency(calls=0)
