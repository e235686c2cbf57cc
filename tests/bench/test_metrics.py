"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import numpy as np
import pytest

from scalelab.bench import metrics
from scalelab.models import monitoring


def test_bucket_counts_match_prometheus_client():
    from prometheus_client import CollectorRegistry, Histogram

    x = np.random.default_rng(5).lognormal(-3, 0.8, 500)
    registry = CollectorRegistry()
    h = Histogram("t", "t", buckets=metrics.LAYOUTS["default"], registry=registry)
    for value in x:
        h.observe(value)
    counts = [s.value for s in registry.collect().__next__().samples if s.name == "t_bucket"]
    assert list(monitoring.bucket_counts(x, metrics.LAYOUTS["default"])) == counts


def test_bucket_error_bounded_by_bucket_width():
    x = np.random.default_rng(6).lognormal(-3.5, 0.6, 5000)
    for layout in metrics.LAYOUTS.values():
        estimate, exact, error = monitoring.quantile_error(x, layout, 0.95)
        i = np.searchsorted(layout, exact)
        width = layout[i] - (layout[i - 1] if i else 0)
        assert abs(error) <= width and error == pytest.approx(estimate - exact)


def test_metrics_service_counts_and_stops():
    with metrics.MetricsService(median_ms=5, sigma=0.3) as service:
        frame = metrics.incident_run(service, rate=80, seconds=0.8, incident_from_s=0.0, incident_error_rate=1.0,
                                     scrape_s=0.2)
        families = service.scrape()
        ok, errors = metrics.counters(families)
        bounds, counts = metrics.buckets(families, "fine")
        process = service.process
    assert ok + errors == 64 and errors >= 60
    assert counts[-1] == 64 and len(bounds) == len(metrics.LAYOUTS["fine"])
    assert frame["requests"].is_monotonic_increasing
    assert process.poll() is not None


def test_metrics_service_stops_on_interrupt():
    with pytest.raises(KeyboardInterrupt), metrics.MetricsService() as service:
        process = service.process
        raise KeyboardInterrupt
    assert process.poll() is not None
