"""Lesson 02 widgets: the pure computes against textbook values, bad input, and the Explorers driven headlessly."""
import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalelab.widgets import queues  # noqa: E402


def test_knee_compute_matches_mm1_by_hand():
    result = queues.knee_compute(service_time_ms=10.0, servers=1)
    marks = result["marks"].set_index("utilization")
    # M/M/1: W = S / (1 - rho): 20 ms at 50 %, 50 ms at 80 %, 200 ms at 95 %
    assert marks.loc[0.5, "time_in_system_ms"] == pytest.approx(20.0)
    assert marks.loc[0.8, "time_in_system_ms"] == pytest.approx(50.0)
    assert marks.loc[0.95, "W_over_S"] == pytest.approx(20.0)
    assert marks.loc[0.8, "mean_wait_ms"] == pytest.approx(40.0)
    curve = result["curve"]
    assert curve["time_in_system_ms"].is_monotonic_increasing
    assert curve["time_in_system_ms"].iloc[0] == pytest.approx(10.0)


def test_more_servers_move_the_knee_right():
    one = queues.knee_compute(10.0, 1)["marks"].set_index("utilization")
    ten = queues.knee_compute(10.0, 10)["marks"].set_index("utilization")
    assert ten.loc[0.8, "time_in_system_ms"] < one.loc[0.8, "time_in_system_ms"]
    # M/M/2 by hand: P(wait) = 2 rho^2 / (1 + rho) = 1.28 / 1.8 = 0.7111; Wq = P(wait) * S / (c (1 - rho))
    two = queues.knee_compute(10.0, 2)["marks"].set_index("utilization")
    assert two.loc[0.8, "p_wait"] == pytest.approx(0.711111, rel=1e-5)
    assert two.loc[0.8, "mean_wait_ms"] == pytest.approx(0.711111 * 10 / (2 * 0.2), rel=1e-5)


def test_servers_compute_textbook_example():
    # 90 req/s, 50 ms each: a = 4.5 Erlangs; Wq with 5 servers = C(5, 4.5) / (5 mu - lambda)
    result = queues.servers_compute(arrival_rate=90, service_time_ms=50, target_wait_ms=10)
    table = result["table"].set_index("servers")
    assert table.index[0] == 5
    assert table.loc[5, "p_wait"] == pytest.approx(0.76249, rel=1e-4)
    assert table.loc[5, "mean_wait_ms"] == pytest.approx(1000 * 0.76249 / (100 - 90), rel=1e-4)
    needed = result["servers_needed"]
    assert table.loc[needed, "mean_wait_ms"] <= 10 < table.loc[needed - 1, "mean_wait_ms"]
    assert needed == 7
    assert result["offered_load"] == pytest.approx(4.5)


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="service_time_ms"):
        queues.knee_compute(service_time_ms=0)
    with pytest.raises(ValueError, match="servers"):
        queues.knee_compute(servers=0)
    with pytest.raises(ValueError, match="target_wait_ms"):
        queues.servers_compute(target_wait_ms=0)
    with pytest.raises(ValueError, match="arrival_rate"):
        queues.servers_compute(arrival_rate=-1)
    with pytest.raises(ValueError, match="measured"):
        queues.plot_latency_vs_model(pd.DataFrame({"x": [1]}), 0.01)


def test_knee_explorer_reacts_to_sliders():
    explorer = queues.knee_explorer()
    before, renders = explorer.result["marks"]["time_in_system_ms"].tolist(), explorer.renders
    explorer.controls["service_time_ms"].value = 20
    assert explorer.renders > renders
    assert explorer.result["marks"]["time_in_system_ms"].tolist() != before
    renders = explorer.renders
    explorer.controls["servers"].value = 4
    assert explorer.renders > renders and explorer.result["servers"] == 4


def test_servers_explorer_reacts_to_sliders():
    explorer = queues.servers_explorer()
    before, renders = explorer.result["servers_needed"], explorer.renders
    explorer.controls["arrival_rate"].value = 400
    assert explorer.renders > renders
    assert explorer.result["servers_needed"] > before
    renders = explorer.renders
    explorer.controls["target_wait_ms"].value = 1
    assert explorer.renders > renders


def test_plot_latency_vs_model_draws_both_series():
    frame = pd.DataFrame({"utilization": [0.2, 0.5, 0.8], "mean_ms": [14.0, 24.0, 55.0]})
    fig = queues.plot_latency_vs_model(frame, 0.010, overhead_s=0.002)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any("M/M/1" in label for label in labels) and any("measured" in label for label in labels)
    assert "ms" in fig.axes[0].get_ylabel() and "%" in fig.axes[0].get_xlabel()
    frame["low_ms"], frame["high_ms"] = frame["mean_ms"] - 2, frame["mean_ms"] + 3
    fig = queues.plot_latency_vs_model(frame, 0.010)
    assert fig.axes[0].get_ylim()[1] >= 58
