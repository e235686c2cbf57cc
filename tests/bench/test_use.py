"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import os
import time

import pandas as pd
import pytest

from scalelab.bench import use

ERRORS = [RuntimeError, KeyboardInterrupt]


# --------------------------------------------------------------------------------------------------------- USE
def _spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_use_monitor_sees_this_process_compute():
    """The monitor's reading of this process's CPU follows the process's own account of the CPU time it used
    (on a loaded machine the spinning process gets less than a core, and both see it)."""
    pid = os.getpid()

    def watched(work):
        wall_s, cpu_s = time.perf_counter(), time.process_time()
        with use.UseMonitor(interval_s=0.05, pids=[pid]) as monitor:
            work(0.3)
        share = (time.process_time() - cpu_s) / (time.perf_counter() - wall_s)  # cores this process used
        return monitor.samples[f"proc_{pid}_cpu"].mean(), share

    idle, idle_share = watched(time.sleep)
    busy_reading, busy_share = watched(_spin)
    assert busy_share > idle_share, "spinning used no more CPU than sleeping: nothing to compare"
    assert busy_reading - idle > 0.5 * (busy_share - idle_share)
    with use.UseMonitor(interval_s=0.05, pids=[pid]) as busy:
        _spin(0.1)
    table = busy.table()
    assert table["resource"].iloc[0] == "CPU (all cores)" and {"utilization", "saturation", "errors"} <= set(table)
    assert f"process {pid} CPU (one core = 1)" in set(table["resource"])
    assert ((busy.samples["cpu_util"] >= 0) & (busy.samples["cpu_util"] <= 1 + 1e-9)).all()


@pytest.mark.parametrize("error", ERRORS)
def test_use_monitor_stops_its_thread_after_an_exception(error):
    with pytest.raises(error), use.UseMonitor(interval_s=0.05) as monitor:
        raise error()
    assert not monitor._thread.is_alive()


def test_use_rejects_bad_input():
    with pytest.raises(ValueError, match="interval_s"):
        use.UseMonitor(interval_s=0)
    with pytest.raises(ValueError, match="pids"):
        use.UseMonitor(pids=[0])
    with pytest.raises(ValueError, match="samples"):
        use.use_table(pd.DataFrame())
