"""The benchmark harness and the loopback service: rows per run, and nothing left running afterwards."""
import numpy as np
import pandas as pd
import pytest

from scalelab.bench import LoopbackService, closed_loop, load, open_loop, rate_sweep
from scalelab.bench import scenarios as sc


def test_closed_loop_and_rate_sweep():
    with LoopbackService(service_time_s=0.002, servers=4) as svc:
        closed = closed_loop(svc.url, users=3, requests_per_user=5)
        sweep = rate_sweep(svc.url, [50, 100], seconds=0.3)
    assert len(closed.requests) == 15 and closed.summary()["users"] == 3
    assert isinstance(sweep, pd.DataFrame) and list(sweep["offered_rps"]) == [50, 100]


@pytest.mark.parametrize("kwargs, name", [({"warmup_requests": -1}, "warmup_requests"),
                                          ({"warmup_requests": 2.5}, "warmup_requests"),
                                          ({"warmup_rps": 0}, "warmup_rps")])
def test_rate_sweep_rejects_a_bad_warm_up(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rate_sweep("http://127.0.0.1:9/", [10], seconds=0.1, **kwargs)


def test_load_generator_only_targets_this_machine():
    with pytest.raises(ValueError, match="127.0.0.1"):
        open_loop("http://10.0.0.1:80/work", rate=1, requests=1)
    with pytest.raises(ValueError, match="rate"):
        open_loop("http://127.0.0.1:9/work", rate=0, requests=1)


def test_open_loop_rejects_a_bad_sampling_period():
    with pytest.raises(ValueError, match="sample_every_s"):
        open_loop("http://127.0.0.1:9/", rate=10, requests=1, sample_every_s=0)


def test_queue_full_turns_requests_away_and_a_queue_absorbs_them():
    schedule = np.zeros(12)  # a burst of 12 at once; one worker, 50 ms each
    with sc.QueuedService(service_time_s=0.05, servers=1, queue_size=2, rng=1) as svc:
        small = load.scheduled_loop(svc.url, schedule)
        svc.set_queue_size(50)
        large = load.scheduled_loop(svc.url, schedule)
    assert (small["status"] == 503).sum() >= 6          # at most 1 + 2 fit at a time
    assert (large["status"] == 200).all()
    assert large["latency_s"].max() > small.loc[small["status"] == 200, "latency_s"].max()
