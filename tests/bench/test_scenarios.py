"""The lesson 07 scenarios (scalelab.bench.scenarios): services clean up, and each test type shows its effect.

Timing is only compared by relations that hold by a wide margin (never absolute times)."""
import glob
import os
import socket
import tempfile
import urllib.request

import pytest

from scalelab.bench import load
from scalelab.bench import scenarios as sc


def refuses(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("make", [lambda: sc.QueuedService(service_time_s=0.01, queue_size=3),
                                  lambda: sc.LeakyService(leak_bytes=100)])
def test_services_stop_after_success(make):
    with make() as svc:
        with urllib.request.urlopen(svc.url, timeout=5) as reply:
            assert reply.status == 200
        process, port = svc.process, svc.port
        assert svc.stats()["served"] == 1
    assert process.poll() is not None
    assert refuses(port)


@pytest.mark.parametrize("make", [lambda: sc.QueuedService(service_time_s=0.01, queue_size=3),
                                  lambda: sc.LeakyService(leak_bytes=100)])
def test_services_stop_after_an_exception(make):
    with pytest.raises(RuntimeError, match="boom"), make() as svc:
        process, port = svc.process, svc.port
        raise RuntimeError("boom")
    assert process.poll() is not None
    assert refuses(port)
    with pytest.raises(RuntimeError):
        _ = svc.url


def test_services_validate_input():
    with pytest.raises(ValueError, match="queue_size"):
        sc.QueuedService(queue_size=-1)
    with pytest.raises(ValueError, match="service_time"):
        sc.QueuedService(service_time_s=0)
    with pytest.raises(ValueError, match="leak_bytes"):
        sc.LeakyService(leak_bytes=-5)
    with pytest.raises(ValueError, match="url"):
        load.scheduled_loop("http://example.com/work", [0.0])
    with pytest.raises(ValueError, match="scheduled_s"):
        load.scheduled_loop("http://127.0.0.1:1/work", [0.2, 0.1])


def test_spike_test_phases_and_shedding():
    frame = sc.spike_test(queue_sizes=(2, 100), base_rps=20, spike_rps=300, before_s=0.3, spike_s=0.3,
                          after_s=0.4, rng=3)
    assert set(frame["phase"]) == {"before", "spike", "after"}
    assert set(frame["queue_size"]) == {2, 100}
    small = frame[frame["queue_size"] == 2]
    large = frame[frame["queue_size"] == 100]
    assert (small["status"] == 503).sum() > (large["status"] == 503).sum()


def test_coordinated_omission_corrected_never_below_naive():
    table = sc.coordinated_omission(rate=40, seconds=1.0, stall_at_s=0.3, stall_s=0.3)
    naive, corrected, opened = table.itertuples(index=False)
    assert corrected.p95_ms >= naive.p95_ms
    assert corrected.share_over_100ms > naive.share_over_100ms   # the stall hid several intended sends
    assert opened.share_over_100ms > naive.share_over_100ms


def test_stress_test_marks_slo():
    with sc.LoopbackService(service_time_s=0.002, servers=1, rng=1) as svc:
        table = sc.stress_test(svc.url, [20, 40], seconds=0.5, slo_p95_ms=5000)
        row = sc.load_test(svc.url, 20, seconds=0.5, slo_p95_ms=5000)
    assert table["slo_met"].all()
    assert row.loc[0, "verdict"] == "pass"


def test_volume_test_plans_and_index_speedup():
    table = sc.volume_test(sizes=(500, 20_000), queries=20, rng=1)
    assert list(table["rows"]) == [500, 500, 20_000, 20_000]
    assert all("SCAN" in p for p in table.loc[~table["indexed"], "plan"])
    assert all("INDEX" in p for p in table.loc[table["indexed"], "plan"])
    big = table[table["rows"] == 20_000].set_index("indexed")
    assert big.loc[True, "median_ms"] < big.loc[False, "median_ms"]
    assert table["file_bytes"].iloc[-1] > table["file_bytes"].iloc[0]


def test_volume_test_removes_its_files_after_an_error(monkeypatch):
    pattern = os.path.join(tempfile.gettempdir(), "scalelab-volume-*")
    before = set(glob.glob(pattern))

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(sc, "_fill", broken)
    with pytest.raises(OSError):
        sc.volume_test(sizes=(100,))
    assert set(glob.glob(pattern)) == before
    with pytest.raises(ValueError, match="sizes"):
        sc.volume_test(sizes=(1000, 100))


def test_soak_test_finds_the_leak():
    from scalelab.models import loadtest
    table = sc.soak_test(leak_sizes=(0, 50_000), rate=100, seconds=0.8, samples=4)
    clean = table[table["leak_bytes"] == 0]
    leaky = table[table["leak_bytes"] == 50_000]
    slope_clean = loadtest.leak_trend(clean["t_s"], clean["traced_bytes"])["slope_bytes_per_s"]
    slope_leaky = loadtest.leak_trend(leaky["t_s"], leaky["traced_bytes"])["slope_bytes_per_s"]
    assert slope_leaky > 10 * max(slope_clean, 1.0)
    # bytes kept per request served ~ leak size
    per_request = (leaky["traced_bytes"].iloc[-1] - leaky["traced_bytes"].iloc[0]) / (
        leaky["served"].iloc[-1] - leaky["served"].iloc[0])
    assert 0.8 * 50_000 < per_request < 1.5 * 50_000
