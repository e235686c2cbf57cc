"""Lesson 03 benchmarks and widgets: threads vs processes, memory hierarchy, durable writes, the two explorers."""
import glob
import math
import os
import socket
import tempfile

import numpy as np
import pandas as pd
import pytest

from scalelab.bench import vertical as vb
from scalelab.bench.service import LoopbackService
from scalelab.widgets import vertical as vw


def test_cpu_task_and_io_task_compute_what_they_say():
    assert vb.cpu_task(4) == 0 + 1 + 4 + 9
    assert vb.io_task(0.0) == 0.0


def test_default_workers_has_at_least_two_counts():
    counts = vb.default_workers()
    assert counts[0] == 1 and len(counts) >= 2 and counts[-1] <= max(2, os.cpu_count())
    assert vb.default_workers(limit=1) == (1, 2)


def test_cpu_scaling_gives_one_row_per_run_and_speedups():
    frame = vb.cpu_scaling(workers=(1, 2), tasks=2, iterations=1000, repeats=2)
    assert len(frame) == 8
    assert set(frame.columns) >= {"kind", "workers", "repeat", "tasks", "iterations", "wall_s"}
    assert (frame["wall_s"] > 0).all()
    table = vb.speedups(frame)
    assert list(table["kind"]) == ["process", "process", "thread", "thread"]
    assert np.allclose(table[table["workers"] == 1]["speedup"], 1.0)
    assert np.allclose(table["efficiency"], table["speedup"] / table["workers"])


def test_io_scaling_threads_overlap_their_waits():
    frame = vb.io_scaling(workers=(1, 4), tasks=8, wait_s=0.02, repeats=3)
    table = vb.speedups(frame).set_index("workers")
    # 8 waits of 20 ms: 160 ms on one thread, 40 ms on four; a relation, not an absolute time
    assert table.loc[4, "speedup"] > 1.3


def test_speedups_needs_a_one_worker_baseline():
    with pytest.raises(ValueError, match="workers == 1"):
        vb.speedups(pd.DataFrame({"kind": ["thread"], "workers": [2], "wall_s": [1.0]}))
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
    (lambda: vb.cpu_scaling(workers=(0,)), "workers"),
    (lambda: vb.cpu_scaling(workers=()), "workers"),
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


def test_amdahl_compute_by_hand():
    # p = 0.5: S(n) = 1 / (0.5 + 0.5 / n) = 1, 4/3, 1.5, 1.6 for n = 1..4; ceiling 1 / (1 - p) = 2
    result = vw.amdahl_compute(0.5, 4, measured_n=(1, 2), measured_speedup=(1.0, 4 / 3))
    assert np.allclose(result["speedup"], [1, 4 / 3, 1.5, 1.6])
    assert result["ceiling"] == pytest.approx(2.0) and result["at_max"] == pytest.approx(1.6)
    assert result["rms_error"] == pytest.approx(0.0, abs=1e-12)
    # points off the curve by 0.1 and 0.3: rms = sqrt((0.01 + 0.09) / 2)
    off = vw.amdahl_compute(0.5, 4, measured_n=(2, 4), measured_speedup=(4 / 3 + 0.1, 1.6 - 0.3))
    assert off["rms_error"] == pytest.approx(math.sqrt(0.05))
    assert np.isnan(vw.amdahl_compute(0.9, 8)["rms_error"])
    assert math.isinf(vw.amdahl_compute(1.0, 8)["ceiling"]) and vw.amdahl_compute(1.0, 8)["at_max"] == 8


def test_amdahl_explorer_reacts_to_its_sliders():
    explorer = vw.amdahl_explorer(measured_n=(1, 2), measured_speedup=(1.0, 1.8), parallel_fraction=0.5)
    before, renders = explorer.result["at_max"], explorer.renders
    explorer.controls["parallel_fraction"].value = 0.95
    assert explorer.result["at_max"] > before and explorer.renders == renders + 1
    assert explorer.result["rms_error"] < vw.amdahl_compute(0.5, 32, (1, 2), (1.0, 1.8))["rms_error"]
    assert "ceiling 1 / (1 − p) = 20.0x" in explorer.text.value
    explorer.controls["max_workers"].value = 30
    assert explorer.blits >= 1, "32 workers and 30 share the axes: only the curve is redrawn"
    explorer.controls["max_workers"].value = 100
    assert explorer.figure.axes[0].get_xlim()[1] >= 100


def test_cost_compute_by_hand():
    result = vw.cost_compute(3, 1.0, [1000, 2500, 8000, 25000], [1, 2, 3, 5], [1, 2, 4, 6])
    assert np.allclose(result["cost_per_performance"], [1000, 1250, 2000, 25000 / 6])
    assert result["chosen_cost_per_performance"] == pytest.approx(25000 / 6)
    assert result["cheapest"] == 0
    # marginal cost of each step: 1500 / 1, 5500 / 2, 17000 / 2
    assert np.allclose(result["marginal"], [1500, 2750, 8500])
    low = vw.cost_compute(3, 0.0, [1000, 2500, 8000, 25000], [1, 2, 3, 5], [1, 2, 4, 6])
    assert low["chosen_cost_per_performance"] == pytest.approx(5000)
    assert low["labels"] == ["tier 0", "tier 1", "tier 2", "tier 3"]


def test_cost_explorer_reacts_to_its_sliders():
    explorer = vw.cost_explorer()
    assert explorer.result["chosen"] == 0
    renders = explorer.renders
    explorer.controls["tier"].value = 3
    assert explorer.result["chosen"] == 3 and explorer.renders == renders + 1
    before = explorer.result["chosen_cost_per_performance"]
    explorer.controls["performance_point"].value = 1.0
    assert explorer.result["chosen_cost_per_performance"] < before and explorer.renders == renders + 2
    assert "32 CPU / 128 GB" in explorer.text.value and explorer.blits == 2


@pytest.mark.parametrize("call, name", [
    (lambda: vw.amdahl_compute(1.5, 8), "parallel_fraction"),
    (lambda: vw.amdahl_compute(0.9, 1), "max_workers"),
    (lambda: vw.amdahl_compute(0.9, 8.5), "max_workers"),
    (lambda: vw.amdahl_compute(0.9, 8, (1, 2), (1.0,)), "measured_n"),
    (lambda: vw.amdahl_compute(0.9, 8, (0, 2), (1.0, 1.5)), "measured_n"),
    (lambda: vw.cost_compute(4, 0.5, [1, 2], [1, 2], [1, 2]), "tier"),
    (lambda: vw.cost_compute(0, 1.5, [1, 2], [1, 2], [1, 2]), "performance_point"),
    (lambda: vw.cost_compute(0, 0.5, [1, 2], [1, 2], [1]), "cost"),
    (lambda: vw.cost_compute(0, 0.5, [1, 2], [2, 2], [1, 2]), "performance_min"),
    (lambda: vw.cost_compute(0, 0.5, [1, 2], [1, 2], [1, 2], labels=("a",)), "labels"),
])
def test_widget_computes_refuse_bad_input_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


class _RecordingService(LoopbackService):
    """A LoopbackService that remembers the process and port of each start."""

    started = []

    def start(self):
        super().start()
        _RecordingService.started.append((self.process, self.port))
        return self


def _port_refuses(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_call_latency_stops_its_server_after_success(monkeypatch):
    monkeypatch.setattr("scalelab.bench.service.LoopbackService", _RecordingService)
    _RecordingService.started.clear()
    frame = vb.call_latency(calls=5, repeats=1)
    assert list(frame["where"]) == ["in-process", "loopback HTTP"]
    assert (frame["us_per_call"] > 0).all()
    (process, port), = _RecordingService.started
    assert process.poll() is not None and _port_refuses(port)


def test_call_latency_stops_its_server_after_an_error(monkeypatch):
    monkeypatch.setattr("scalelab.bench.service.LoopbackService", _RecordingService)
    _RecordingService.started.clear()

    def broken():
        raise RuntimeError("handler crashed")

    monkeypatch.setattr(vb, "_local_handler", broken)
    with pytest.raises(RuntimeError, match="handler crashed"):
        vb.call_latency(calls=2, repeats=1)
    (process, port), = _RecordingService.started
    assert process.poll() is not None and _port_refuses(port)
    with pytest.raises(ValueError, match="calls"):
        vb.call_latency(calls=0)


def test_lesson_pictures_draw_measured_and_model_and_reject_bad_input():
    from scalelab.widgets import vertical as views

    cpu = pd.DataFrame({"kind": ["thread", "thread", "process", "process"], "workers": [1, 2, 1, 2],
                        "speedup": [1.0, 0.97, 1.0, 1.8]})
    fig = views.plot_cpu_speedups(cpu, cores=2)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any("measured" in label for label in labels) and any("model" in label for label in labels)
    per_size = pd.DataFrame({"pattern": ["sequential", "random"] * 2, "size_bytes": [16384, 16384, 1 << 28, 1 << 28],
                             "ns_per_access": [1.0, 3.0, 1.2, 80.0]})
    assert len(views.plot_memory_hierarchy(per_size).axes[0].get_lines()) >= 2
    bars = views.plot_write_durability(pd.Series({"buffered": 1e5, "fsync_each": 1e3}))
    assert len(bars.axes[0].patches) == 2
    with pytest.raises(ValueError, match="cores"):
        views.plot_cpu_speedups(cpu, cores=0)
    with pytest.raises(ValueError, match="per_size"):
        views.plot_memory_hierarchy(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="writes_per_s"):
        views.plot_write_durability(pd.Series({"buffered": 0.0}))
