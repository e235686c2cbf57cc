"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import numpy as np
import pytest

from scalelab.bench import readreplicas


def test_read_replicas_violate_then_fix_read_your_writes():
    with readreplicas.ReplicatedDatabase(1, delay_ms=40) as db:
        table = readreplicas.strategies_run(db, rounds=8).set_index("strategy")
        lags = db.lags_ms()
        started = [db.primary, *db.replicas]
    assert all(p.poll() is not None for p in started)
    assert table.loc["replica", "violations"] >= 6
    assert table.loc["primary_after_write", "violations"] == 0
    assert table.loc["wait_position", "violations"] == 0
    assert np.median(lags) >= 40
    assert table.loc["wait_position", "read_p50_ms"] >= 30  # it waited for the lag


def test_replicated_database_stops_on_interrupt():
    with pytest.raises(KeyboardInterrupt), readreplicas.ReplicatedDatabase(1, delay_ms=0) as db:
        started = [db.primary, *db.replicas]
        raise KeyboardInterrupt
    assert all(p.poll() is not None for p in started)
