"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import pytest

from scalelab.bench import querycache
from scalelab.sim import caches


def test_cache_in_front_of_sqlite_hits_as_the_simulator_says():
    trace = caches.zipf_trace(300, 500, 1.0, rng=7)
    table = querycache.cache_run(trace, capacities=(0, 50), orders=5000)
    assert table.loc[1, "hit_ratio"] == pytest.approx(caches.hit_ratio(trace, 50, "lru"))
    assert table.loc[0, "hits"] == 0


def test_query_cache_removes_its_database(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    querycache.cache_run([1, 2, 1], capacities=(0, 2), orders=100)
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="capacities"):
        querycache.cache_run([1], capacities=(-1,))
