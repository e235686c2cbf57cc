"""The compute functions of lesson 09's explorers against hand-computed values, and bad input."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalelab.widgets import bottlenecks as views  # noqa: E402


def test_tiers_compute_matches_mva_worked_by_hand():
    # web 0.2 s and app 0.1 s (the two-resource MVA of tests/test_operational.py), no think time:
    # N = 1: X = 1/0.3; N = 2: X = 30/7; N = 3: X = 14/3, R = 9/14 s
    out = views.tiers_compute(web_ms=200, app_ms=100, db_ms=0, disk_ms=0, think_ms=0, users=3)
    assert list(out["users"]) == [1, 2, 3]
    assert out["throughput_rps"] == pytest.approx([1 / 0.3, 30 / 7, 14 / 3])
    assert out["response_ms"][-1] == pytest.approx(1000 * 9 / 14)
    assert out["response_ms"][0] == pytest.approx(300)                        # one user: R = D
    assert out["throughput_upper_rps"] == pytest.approx([1 / 0.3, 5, 5])      # min(N / D, 1 / D_max)
    assert out["response_lower_ms"] == pytest.approx([300, 400, 600])         # max(D, N D_max)
    assert out["bottleneck"] == "web" and out["max_throughput_rps"] == pytest.approx(5)
    assert out["users_star"] == pytest.approx(1.5)                            # D / D_max = 0.3 / 0.2
    assert out["utilizations"]["web"] == pytest.approx(14 / 3 * 0.2)         # U = X D at N = 3
    assert out["utilizations"]["db"] == 0
    assert out["demands_ms"] == pytest.approx({"web": 200, "app": 100, "db": 0, "disk": 0})


def test_tiers_compute_with_think_time_and_the_defaults():
    # one resource of 0.5 s, Z = 1.5 s: N = 2 gives R = 0.625 s, X = 16/17 (tests/test_operational.py)
    out = views.tiers_compute(web_ms=500, app_ms=0, db_ms=0, disk_ms=0, think_ms=1500, users=2)
    assert out["response_ms"][-1] == pytest.approx(625)
    assert out["throughput_rps"][-1] == pytest.approx(16 / 17)
    assert out["users_star"] == pytest.approx(4.0)                            # (D + Z) / D_max
    default = views.tiers_compute()                                           # 2, 8, 12, 4 ms: the lesson's service
    assert default["bottleneck"] == "db" and default["max_throughput_rps"] == pytest.approx(1 / 0.012)
    assert default["users_star"] == pytest.approx(26 / 12)
    assert len(default["users"]) == views.MAX_USERS
    assert default["throughput_rps"][-1] == pytest.approx(1 / 0.012, rel=1e-3)   # saturated at 60 users
    assert np.all(np.diff(default["throughput_rps"]) >= 0)


def test_the_bottleneck_moves_when_a_demand_passes_the_largest():
    assert views.tiers_compute(app_ms=12.5)["bottleneck"] == "app"
    assert views.tiers_compute(disk_ms=20)["max_throughput_rps"] == pytest.approx(50)


def test_compression_compute_by_hand():
    out = views.compression_compute(payload_kb=200, ratio=8, cpu_ms=4, rtt_ms=20)
    at = int(np.argmin(np.abs(np.log10(out["bandwidth"]) - 6)))              # 1 MB/s
    assert out["bandwidth"][at] == pytest.approx(1e6)
    assert out["raw_ms"][at] == pytest.approx(20 + 200)                       # RTT + 200 kB / 1 MB/s
    assert out["compressed_ms"][at] == pytest.approx(20 + 4 + 25)             # RTT + CPU + 25 kB / 1 MB/s
    assert out["break_even"] == pytest.approx(175_000 / 0.004)                # 43.75 MB/s
    slower = out["bandwidth"] < out["break_even"]
    assert np.all(out["compressed_ms"][slower] < out["raw_ms"][slower])       # compressing pays below B*
    assert np.all(out["compressed_ms"][~slower] >= out["raw_ms"][~slower])
    assert views.compression_compute(ratio=1)["break_even"] == 0.0            # nothing saved: never pays
    assert views.compression_compute(cpu_ms=0)["break_even"] == math.inf


def test_compression_caption_gives_the_crossover():
    explorer = views.compression_explorer(payload_kb=200, ratio=8, cpu_ms=4, rtt_ms=20)
    assert "43.8 MB/s" in explorer.text.value and "350 Mbit/s" in explorer.text.value
    explorer.controls["cpu_ms"].value = 0
    assert "any bandwidth" in explorer.text.value


@pytest.mark.parametrize("kwargs, word", [
    ({"web_ms": -1}, "web_ms"), ({"disk_ms": float("nan")}, "disk_ms"), ({"think_ms": -1}, "think_ms"),
    ({"users": 0}, "users"), ({"web_ms": 0, "app_ms": 0, "db_ms": 0, "disk_ms": 0}, "web_ms"),
])
def test_tiers_compute_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        views.tiers_compute(**kwargs)


@pytest.mark.parametrize("kwargs, word", [
    ({"payload_kb": 0}, "payload_kb"), ({"ratio": 0.5}, "ratio"), ({"cpu_ms": -1}, "cpu_ms"),
    ({"rtt_ms": -1}, "rtt_ms"),
])
def test_compression_compute_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        views.compression_compute(**kwargs)


def test_pictures_check_their_input():
    with pytest.raises(ValueError, match="tree"):
        views.plot_flame(pd.DataFrame({"name": ["a"]}))
    with pytest.raises(ValueError, match="readings"):
        views.plot_use(pd.DataFrame({"component": ["a"]}))
    with pytest.raises(ValueError, match="rate_rps"):
        views.plot_pool(pd.DataFrame({"hold_ms": [10.0], "pool_size": [2], "wait_mean_ms": [1.0],
                                      "wait_p95_ms": [2.0]}), 0)
