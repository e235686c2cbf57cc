"""Lesson 03 benchmarks and widgets: threads vs processes, memory hierarchy, durable writes, the two explorers."""
import math

import numpy as np
import pandas as pd
import pytest

from scalelab.widgets import vertical as vw


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


def test_lesson_pictures_draw_measured_and_model_and_reject_bad_input():
    from scalelab.widgets import vertical as views

    cpu = pd.DataFrame({"kind": ["thread", "thread", "process", "process"], "servers": [1, 2, 1, 2],
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
