"""Models and widgets of functional scaling: chain availability, fan-out tails, per-service scaling, team sizes."""
import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab.models import microservices as ms  # noqa: E402
from scalelab.widgets import functional  # noqa: E402


def test_chain_availability_multiplies_along_the_chain():
    assert ms.chain_availability(1, 0.999) == pytest.approx(0.999)
    assert ms.chain_availability(5, 0.999) == pytest.approx(0.995009990005, rel=1e-12)
    assert ms.chain_availability(10, 0.99) == pytest.approx(0.904382075, rel=1e-9)


def test_replicas_make_each_link_stronger():
    assert ms.chain_availability(5, 0.999, replicas=2) == pytest.approx((1 - 1e-6) ** 5, rel=1e-12)
    assert ms.chain_availability(3, 0.99, replicas=3) == pytest.approx(0.999997000003, rel=1e-12)
    assert ms.chain_availability(4, 1.0, replicas=2) == 1.0
    assert ms.chain_availability(4, 0.0, replicas=3) == 0.0


def test_chain_latency_adds_a_hop_and_the_work_per_service():
    assert ms.chain_latency_ms(4, 1.5, 0.5) == pytest.approx(8.0)
    assert ms.chain_latency_ms(1, 0.0) == 0.0


def test_fanout_slow_chance_is_one_minus_all_fast():
    assert ms.fanout_slow_chance(1, 0.01) == pytest.approx(0.01)
    assert ms.fanout_slow_chance(100, 0.01) == pytest.approx(0.6339676587, rel=1e-9)  # "the tail at scale"
    assert ms.fanout_slow_chance(10, 0.0) == 0.0
    assert ms.fanout_slow_chance(3, 1.0) == 1.0


def test_percentiles_of_the_slowest_call():
    assert ms.per_call_percentile_of_max(99, 1) == pytest.approx(99)
    assert ms.per_call_percentile_of_max(99, 4) == pytest.approx(99.74906, rel=1e-6)
    assert ms.per_call_percentile_of_max(50, 2) == pytest.approx(70.710678, rel=1e-6)
    assert ms.fanout_percentile_exponential(1.0, 50, 1) == pytest.approx(math.log(2))
    assert ms.fanout_percentile_exponential(2.0, 99, 1) == pytest.approx(2 * math.log(100))
    assert ms.fanout_percentile_exponential(1.0, 99, 4) > ms.fanout_percentile_exponential(1.0, 99, 1)
    assert ms.expected_max_exponential(2.0, 3) == pytest.approx(2 * (1 + 1 / 2 + 1 / 3))
    assert ms.fanout_percentile_bimodal(2, 30, 0.005, 1) == 2
    assert ms.fanout_percentile_bimodal(2, 30, 0.005, 4) == 30  # 1.99 % of requests meet a slow call
    assert ms.fanout_percentile_bimodal(2, 30, 0.005, 4, q=50) == 2


def test_independent_scaling_vs_the_monolith():
    plan = ms.independent_scaling([1000, 100, 50], [100, 100, 100], [100, 200, 100])
    assert plan.service_instances == (10, 1, 1)
    assert plan.microservices_instances == 12 and plan.microservices_cost == 1300.0
    assert plan.monolith_instances == 10 and plan.monolith_cost == 4000.0
    assert plan.saving == 2700.0
    redundant = ms.independent_scaling([1000, 100, 50], [100, 100, 100], [100, 200, 100], min_instances=2)
    assert redundant.service_instances == (10, 2, 2) and redundant.microservices_cost == 1600.0
    assert ms.independent_scaling([300], [100], [50]).service_instances == (3,)  # exactly full: no extra instance
    even = ms.independent_scaling([100, 100], [100, 100], [100, 100], min_instances=2, monolith_instance_cost=150)
    assert even.monolith_cost == 300.0 and even.microservices_cost == 400.0 and even.saving < 0


def test_teams_and_communication_paths():
    assert ms.communication_paths(40) == 780
    assert ms.communication_paths(40, teams=5) == 5 * 28 + 10
    assert ms.communication_paths(10, teams=3) == 6 + 3 + 3 + 3
    assert ms.communication_paths(1) == 0
    assert ms.two_pizza_teams(40) == 5 and ms.two_pizza_teams(8) == 1 and ms.two_pizza_teams(9) == 2
    assert ms.two_pizza_teams(20, max_team_size=10) == 2


@pytest.mark.parametrize("call, argument", [
    (lambda: ms.chain_availability(0, 0.9), "services"),
    (lambda: ms.chain_availability(3, 1.5), "availability"),
    (lambda: ms.chain_availability(3, 0.9, replicas=0), "replicas"),
    (lambda: ms.chain_latency_ms(2, -1), "per_hop_ms"),
    (lambda: ms.fanout_slow_chance(2, -0.1), "p_slow"),
    (lambda: ms.per_call_percentile_of_max(100, 2), "q"),
    (lambda: ms.fanout_percentile_exponential(-1, 99, 2), "mean_ms"),
    (lambda: ms.fanout_percentile_bimodal(2, 30, 0.1, 2, q=0), "q"),
    (lambda: ms.expected_max_exponential(1, 0), "services"),
    (lambda: ms.independent_scaling([1, 2], [1], [1, 1]), "one value per service"),
    (lambda: ms.independent_scaling([], [], []), "one value per service"),
    (lambda: ms.independent_scaling([1], [0], [1]), "capacity_rps"),
    (lambda: ms.independent_scaling([-1], [1], [1]), "loads_rps"),
    (lambda: ms.independent_scaling([1], [1], [1], min_instances=0), "min_instances"),
    (lambda: ms.communication_paths(5, teams=6), "teams"),
    (lambda: ms.two_pizza_teams(0), "developers"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


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
    fig = view.plot_fanout(fan, 0.005, 25.0, work_ms=1.0)   # a slow call takes 25 ms instead of its 1 ms of work
    model_p99 = fig.axes[1].lines[2].get_ydata()
    assert model_p99[0] == 2.0 and model_p99[-1] == pytest.approx(2.0 - 1.0 + 25.0)   # fast at k = 1, slow at k = 4
    plt.close(fig)
    with pytest.raises(ValueError, match="work_ms"):
        view.plot_fanout(fan, 0.005, 25.0, work_ms=30.0)
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
    out = functional.boundary_compute(services=4, work_ms=1.0, hop_ms=1.0, hops_per_call=1)
    assert out["monolith_at_k"] == pytest.approx(4.0) and out["split_at_k"] == pytest.approx(8.0)
    assert out["boundary_share"] == pytest.approx(0.5)
    mesh = functional.boundary_compute(services=1, work_ms=0.0, hop_ms=0.8, hops_per_call=3)
    assert mesh["split_at_k"] == pytest.approx(2.4) and mesh["boundary_share"] == 1.0
    assert functional.boundary_compute(work_ms=0.0, hop_ms=0.0)["boundary_share"] == 0.0


@pytest.mark.parametrize("bad", [dict(services=0), dict(services=11), dict(work_ms=-1), dict(hop_ms=-0.1),
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
