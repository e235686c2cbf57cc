"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import pytest

from scalelab.bench import mystery, processes
from tests.leftovers import nothing_left

ERRORS = [RuntimeError, KeyboardInterrupt]


# ------------------------------------------------------------------------------------------------------- mystery
STATS = {  # two workers over 10 s: the raw counters MysterySystem.raw_stats returns, written by hand
    "apps": [{"elapsed_s": 10.0, "served": 300, "errors": 2, "process_cpu_s": 3.0,
              "cpu_phase": {"busy_s": 6.0, "area_s": 8.0}, "pool_size": 4, "pool_in_use": 1.0,
              "pool_waiting": 0.5, "pool_timeouts": 1, "log_held": {"busy_s": 2.0}, "log_waiting": {"area_s": 1.0}},
             {"elapsed_s": 9.0, "served": 200, "errors": 0, "process_cpu_s": 2.0,
              "cpu_phase": {"busy_s": 4.0, "area_s": 4.0}, "pool_size": 4, "pool_in_use": 2.0,
              "pool_waiting": 0.0, "pool_timeouts": 0, "log_held": {"busy_s": 3.0}, "log_waiting": {"area_s": 2.0}}],
    "database": {"busy_s": 5.0, "utilization": 0.5, "mean_active": 0.8, "errors": 3},
    "link": {"elapsed_s": 10.0, "down": {"busy_s": 1.0, "waiting_area_s": 1.5}},
}


def test_readings_and_demands_from_raw_counters_by_hand():
    readings = mystery.readings_from_stats(STATS).set_index("component")
    assert readings.loc["app", "utilization"] == pytest.approx(10 / 10 / 2)       # 10 busy s / 10 s / 2 workers
    assert readings.loc["app", "saturation"] == pytest.approx(2 / 10)            # (8 - 6) + (4 - 4) over 10 s
    assert readings.loc["pool", "busy_s"] == pytest.approx(1 * 10 + 2 * 9)       # in use x elapsed, summed
    assert readings.loc["pool", "utilization"] == pytest.approx(28 / 10 / 8)
    assert readings.loc["pool", "saturation"] == pytest.approx(0.5) and readings.loc["pool", "errors"] == 1
    assert readings.loc["database", "saturation"] == pytest.approx(0.3) and readings.loc["database", "errors"] == 3
    assert readings.loc["network", "utilization"] == pytest.approx(0.1)
    assert readings.loc["network", "saturation"] == pytest.approx(0.05)          # 1.5 / 10 - 1 / 10
    assert readings.loc["disk_log", "utilization"] == pytest.approx(0.5)         # 5 busy s / 10 s
    assert readings.loc["disk_log", "saturation"] == pytest.approx(0.3)
    assert (readings["completions"] == 500).all()
    d = mystery.demands(readings.reset_index())
    assert d["app"] == pytest.approx(10 / 500 / 2) and d["pool"] == pytest.approx(28 / 500 / 8)
    assert d["database"] == pytest.approx(5 / 500) and d["disk_log"] == pytest.approx(5 / 500)
    with pytest.raises(ValueError, match="stats"):
        mystery.readings_from_stats({**STATS, "apps": []})


def test_the_seed_chooses_the_class():
    assert mystery.MysterySystem(rng=4).answer() == "disk_log"
    assert mystery.MysterySystem(rng=11).answer() == "app_cpu"
    assert {mystery.MysterySystem(rng=s).answer() for s in range(40)} == set(mystery.CLASSES)
    with pytest.raises(ValueError, match="servers"):
        mystery.MysterySystem(servers=5)


@pytest.mark.parametrize("error", [None] + ERRORS)
def test_mystery_system_runs_and_leaves_nothing(started, scratch, error):
    try:
        with mystery.MysterySystem(rng=4) as system:
            assert len(started) == 7                     # database, link, four app workers, balancer
            if error:                                    # fails as soon as it is up: the cleanup is what is tested
                raise error()
            summary, readings = system.load(users=2, requests_per_user=3)
            assert summary["ok"] == 6 and summary["error_rate"] == 0
            assert list(readings["component"]) == list(mystery.COMPONENTS)
            assert (readings["completions"] == 6).all() and (readings["errors"] == 0).all()
            assert ((readings["utilization"] >= 0) & (readings["utilization"] <= 1 + 1e-9)).all()
            settings = system.configure(log_batch=20, servers=3)
            assert settings["log_batch"] == 20 and settings["servers"] == 3 and len(system.pids()["app"]) == 3
            with pytest.raises(ValueError, match="pool_size"):
                system.configure(pool_size=0)
    except (RuntimeError, KeyboardInterrupt) as caught:
        assert error is not None and isinstance(caught, error)
    nothing_left(started, scratch)


def test_mystery_system_cleans_up_when_a_part_fails_to_start(monkeypatch, started, scratch):
    recording = processes.start

    def fail_on_the_third_worker(target, **kwargs):
        if kwargs.get("worker_id") == 2:
            raise RuntimeError("worker 2 did not start")
        return recording(target, **kwargs)

    monkeypatch.setattr(processes, "start", fail_on_the_third_worker)
    with pytest.raises(RuntimeError, match="worker 2"):
        mystery.MysterySystem(rng=1).start()
    assert len(started) == 4                             # database, link and two workers had started
    nothing_left(started, scratch)
