"""Performance vs cost and monolith vs services in numbers (hand-computed), and the architecture benchmark."""
import pytest

from scalelab.models import tradeoffs as t


def test_cost_optimised_path_by_hand():
    # 500 req/s on $1,000 baseline boxes (100 req/s each) at 70 %, processed in batches at the mean rate:
    # ceil(500 / 70) = 8 servers, 8 * 1000 / 36 = $222.2 a month; availability 0.9995 * 0.995
    d = t.deployment(500, 1000, 1.0, realtime=False)
    assert (d.servers_per_copy, d.servers) == (8, 8)
    assert d.monthly_cost_usd == pytest.approx(8000 / 36)
    assert d.availability == pytest.approx(0.9995 * 0.995)
    served_millions = 500 * 3600 * 730 * d.availability / 1e6
    assert d.cost_per_million_usd == pytest.approx(8000 / 36 / served_millions)
    assert d.result_wait_h == 12 and d.write_wait_ms == 0
    # bulk work 4x faster per server: ceil(500 / 280) = 2 servers; a real-time path ignores the speed-up
    assert t.deployment(500, 1000, 1.0, realtime=False, batch_speedup=4).servers == 2
    assert t.deployment(500, 1000, 1.0, batch_speedup=4).servers == t.deployment(500, 1000, 1.0).servers


def test_high_performance_path_by_hand():
    # premium 5.5x boxes ($25,000), peak 3 x 500 = 1500 req/s: ceil(1500 / (550 * 0.7)) = 4 per copy,
    # 2 copies in each of 3 regions = 24 servers
    d = t.deployment(500, 25_000, 5.5, copies=2, regions=3, realtime=True, consistency="majority")
    assert (d.servers_per_copy, d.servers) == (4, 24)
    a = 0.9995 * (1 - 0.005 ** 2)
    assert d.availability == pytest.approx(a ** 3 + 3 * a ** 2 * (1 - a))  # 2 of 3 regions up
    assert d.write_wait_ms == 80 and d.result_wait_h == 0
    eventual = t.deployment(500, 25_000, 5.5, copies=2, regions=3)
    assert eventual.availability == pytest.approx(1 - (1 - a) ** 3) and eventual.write_wait_ms == 0
    assert t.deployment(500, 25_000, 5.5, copies=2, regions=3, consistency="all").availability == pytest.approx(a ** 3)


def test_more_copies_cost_more_and_fail_less():
    one, two = t.deployment(300, 1000, 1.0), t.deployment(300, 1000, 1.0, copies=2)
    assert two.monthly_cost_usd == pytest.approx(2 * one.monthly_cost_usd)
    assert two.availability > one.availability


def test_footprint_of_a_monolith_and_of_services():
    shop = {"browse": ["catalogue"], "checkout": ["cart", "payments"], "home": ["catalogue", "recommendations"]}
    mono = t.footprint(shop, "monolith", availability=0.99)
    assert mono.deployables == 1 and set(mono.calls_per_request.values()) == {1}
    assert mono.availability["browse"] == pytest.approx(0.99 ** 4)  # four modules, any crash takes all down
    assert mono.blast_radius == {"cart": 1.0, "catalogue": 1.0, "payments": 1.0, "recommendations": 1.0}
    split = t.footprint(shop, "services", availability=0.99)
    assert split.deployables == 5
    assert split.calls_per_request == {"browse": 2, "checkout": 3, "home": 3}
    assert split.availability["browse"] == pytest.approx(0.99 ** 2)
    assert split.blast_radius["recommendations"] == pytest.approx(1 / 3)
    assert split.blast_radius["catalogue"] == pytest.approx(2 / 3) and split.blast_radius["gateway"] == 1.0
    assert t.footprint(shop, "services", gateway=False).calls_per_request["browse"] == 1


@pytest.mark.parametrize("call, name", [
    (lambda: t.deployment(0, 1000, 1.0), "mean_rps"),
    (lambda: t.deployment(10, 1000, 1.0, peak_to_mean=0.5), "peak_to_mean"),
    (lambda: t.deployment(10, 1000, 1.0, copies=0), "copies"),
    (lambda: t.deployment(10, 1000, 1.0, utilization=1.5), "utilization"),
    (lambda: t.deployment(10, 1000, 1.0, consistency="strong"), "consistency"),
    (lambda: t.deployment(10, 1000, 1.0, batch_speedup=0.5), "batch_speedup"),
    (lambda: t.footprint({}, "monolith"), "requests"),
    (lambda: t.footprint({"a": "cart"}, "monolith"), "requests"),
    (lambda: t.footprint({"a": ["x"]}, "mesh"), "architecture"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
