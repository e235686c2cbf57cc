"""Models and widgets of functional scaling: chain availability, fan-out tails, per-service scaling, team sizes."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab.widgets import functional  # noqa: E402


def test_chain_availability_compute_by_hand():
    result = functional.chain_availability_compute(services=5, availability=0.999, replicas=2)
    assert result["single_at_k"] == pytest.approx(0.995009990005)
    assert result["redundant_at_k"] == pytest.approx((1 - 1e-6) ** 5)
    assert result["downtime_hours_single"] == pytest.approx((1 - 0.995009990005) * 8760)
    assert result["downtime_hours_redundant"] == pytest.approx((1 - (1 - 1e-6) ** 5) * 8760)
    assert result["k"].tolist() == list(range(1, 21))
    assert result["single"][-1] == pytest.approx(0.999 ** 20)  # 98.02 %
    assert list(result["single"]) == sorted(result["single"], reverse=True)


def test_fanout_tail_compute_by_hand():
    result = functional.fanout_tail_compute(services=100, call_percentile=99.0)
    assert result["chance_at_k"] == pytest.approx(0.6339676587)  # 1 - 0.99^100
    assert result["max_percentile"] == pytest.approx(36.60323413)
    assert result["chance"][0] == pytest.approx(0.01) and result["chance"][3] == pytest.approx(1 - 0.99 ** 4)
    points = functional.fanout_tail_compute(services=4, measured_k=[1, 4], measured_share=[0.01, 0.04])
    assert points["measured_k"].tolist() == [1, 4] and points["measured_share"].tolist() == [0.01, 0.04]


@pytest.mark.parametrize("call, argument", [
    (lambda: functional.chain_availability_compute(services=0), "services"),  # used to return the 20-service value
    (lambda: functional.chain_availability_compute(services=21, max_services=20), "services"),
    (lambda: functional.chain_availability_compute(availability=1.2), "availability"),
    (lambda: functional.chain_availability_compute(replicas=0), "replicas"),
    (lambda: functional.chain_availability_compute(max_services=0), "max_services"),
    (lambda: functional.fanout_tail_compute(services=0), "services"),
    (lambda: functional.fanout_tail_compute(services=101), "services"),
    (lambda: functional.fanout_tail_compute(call_percentile=100), "call_percentile"),
    (lambda: functional.fanout_tail_compute(call_percentile=0), "call_percentile"),
    (lambda: functional.fanout_tail_compute(measured_k=[1, 2], measured_share=[0.1]), "same length"),
    (lambda: functional.fanout_tail_compute(measured_k=[1], measured_share=[1.5]), "measured_share"),
])
def test_widget_computes_reject_bad_input(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2), dpi=90)
    FigureCanvasAgg(fig)
    return fig


def test_chain_availability_draw_keeps_the_weakest_chain_on_the_axes():
    params = {"services": 5, "availability": 0.999, "replicas": 2, "max_services": 20}
    artists = functional.chain_availability_setup(_figure(), params)
    result = functional.chain_availability_compute(**params)
    caption = functional.chain_availability_draw(artists, result, params)
    assert artists["single"].get_ydata()[-1] == pytest.approx(100 * 0.999 ** 20)
    bottom, top = artists["ax"].get_ylim()
    assert bottom <= 100 * 0.999 ** 20 and top >= 100 and bottom == 97.0  # 98.02 % with room: the next floor
    assert "99.501 %" in caption and "43.7 h down a year" in caption and "99.9995 %" in caption


def test_fanout_tail_draw_marks_the_chosen_k():
    params = {"services": 100, "call_percentile": 99.0, "max_services": 100, "measured_k": (1, 16),
              "measured_share": (0.01, 0.15)}
    artists = functional.fanout_tail_setup(_figure(), params)
    caption = functional.fanout_tail_draw(artists, functional.fanout_tail_compute(**params), params)
    assert artists["chosen"].get_ydata()[0] == pytest.approx(63.39676587)
    assert any(line.get_label() == "your measurement" for line in artists["ax"].get_lines())
    assert "63.4 % of requests" in caption and "P36.6" in caption


def test_chain_availability_explorer_reacts():
    explorer = functional.chain_availability_explorer()
    before, renders = explorer.result["single_at_k"], explorer.renders
    explorer.controls["services"].value = 10
    assert explorer.result["single_at_k"] < before and explorer.renders == renders + 1
    explorer.controls["replicas"].value = 3
    assert explorer.result["redundant_at_k"] > explorer.result["single_at_k"]
    assert "3 copies of each" in explorer.text.value


def test_fanout_tail_explorer_reacts():
    explorer = functional.fanout_tail_explorer(measured_k=(1, 2), measured_share=(0.01, 0.02))
    before, renders = explorer.result["chance_at_k"], explorer.renders
    explorer.controls["services"].value = 50
    assert explorer.result["chance_at_k"] > before and explorer.renders == renders + 1
    explorer.controls["call_percentile"].value = 99.9
    assert explorer.result["chance_at_k"] < 0.1


def test_lesson05_pictures_draw_measurement_beside_model():
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from scalelab.widgets import functional as view

    table = pd.DataFrame({"k": [1, 2, 3], "p50": [1.0, 2.1, 3.2], "p99": [2.0, 4.0, 7.0]})
    fig = view.plot_chain(table, 1.0)
    assert list(fig.axes[0].lines[2].get_ydata()) == [1.0, 2.0, 3.0]   # k x 1 ms per hop
    plt.close(fig)
    fig = view.plot_chain_success(pd.Series([0.95, 0.9], index=[1, 2]), 0.95)
    assert np.allclose(fig.axes[0].lines[1].get_ydata(), [95.0, 90.25])
    plt.close(fig)
    fan = pd.DataFrame({"k": [1, 4], "share_slow": [0.0, 0.02], "p50": [2.0, 3.0], "p99": [3.0, 27.0]})
    fig = view.plot_fanout(fan, 0.005, 25.0)
    assert len(fig.axes) == 2 and np.allclose(fig.axes[0].lines[1].get_ydata()[0], 0.5)
    plt.close(fig)
    fig = view.plot_fanout(fan, 0.005, 25.0, service_time_ms=1.0)  # a slow call takes 25 ms instead of its 1 ms of work
    model_p99 = fig.axes[1].lines[2].get_ydata()
    assert model_p99[0] == 2.0 and model_p99[-1] == pytest.approx(2.0 - 1.0 + 25.0)   # fast at k = 1, slow at k = 4
    plt.close(fig)
    with pytest.raises(ValueError, match="service_time_ms"):
        view.plot_fanout(fan, 0.005, 25.0, service_time_ms=30.0)
    fig = view.plot_scaling_costs(["a", "b"], [3, 1], [10, 100], monolith_copies=3)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == [30, 30, 100, 300]
    plt.close(fig)
    fig = view.plot_communication_paths(max_developers=10, max_team_size=8)
    assert fig.axes[0].lines[0].get_ydata()[-1] == 45   # one team of 10: 10 x 9 / 2
    plt.close(fig)
    with pytest.raises(ValueError, match="table"):
        view.plot_chain(pd.DataFrame({"k": [1]}), 1.0)
    with pytest.raises(ValueError, match="names"):
        view.plot_scaling_costs(["a"], [1, 2], [1, 2], 2)


def test_boundary_view_splits_the_time_into_work_and_crossings():
    out = functional.boundary_compute(services=4, service_time_ms=1.0, hop_ms=1.0, hops_per_call=1)
    assert out["monolith_at_k"] == pytest.approx(4.0) and out["split_at_k"] == pytest.approx(8.0)
    assert out["boundary_share"] == pytest.approx(0.5)
    mesh = functional.boundary_compute(services=1, service_time_ms=0.0, hop_ms=0.8, hops_per_call=3)
    assert mesh["split_at_k"] == pytest.approx(2.4) and mesh["boundary_share"] == 1.0
    assert functional.boundary_compute(service_time_ms=0.0, hop_ms=0.0)["boundary_share"] == 0.0


@pytest.mark.parametrize("bad", [dict(services=0), dict(services=11), dict(service_time_ms=-1), dict(hop_ms=-0.1),
                                 dict(hops_per_call=0), dict(measured_k=(1, 2), measured_ms=(1.0,))])
def test_boundary_view_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        functional.boundary_compute(**bad)


def test_boundary_explorer_draws_the_learners_points():
    explorer = functional.boundary_explorer(services=2, hop_ms=0.9, measured_k=[1, 2], measured_ms=[1.1, 2.3])
    assert explorer.result["split_at_k"] == pytest.approx(2 * (1.0 + 0.9))
    explorer.controls["hops_per_call"].value = 3
    assert explorer.result["boundary_share"] == pytest.approx(2.7 / 3.7)
    assert "73 %" in explorer.text.value
