"""Write scalelab/data/traffic_trace.csv (``scalelab.datasets.load_traffic_trace()``): two days of requests/s per
minute for lesson 12's autoscaler.

A daily cycle from 300 req/s at 04:00 to 1,500 req/s at 16:00, 5 % multiplicative noise, and one flash crowd
(2.5 times the traffic for 30 minutes from 20:00 on the second day). Seeded, so every run writes the same file:

    python tools/make_traffic_trace.py
"""
import pathlib

import numpy as np

from scalelab.sim import autoscale

SEED = 12


def make_trace():
    """The course's trace as a DataFrame (minute, hour, rps)."""
    return autoscale.traffic_trace(days=2, trough_rps=300, peak_rps=1500, spike_day=1, spike_hour=20,
                                   spike_factor=2.5, spike_min=30, noise=0.05, rng=np.random.default_rng(SEED))


def main():
    trace = make_trace()
    path = pathlib.Path(__file__).resolve().parents[1] / "scalelab" / "data" / "traffic_trace.csv"
    trace.to_csv(path, index=False)
    print(f"wrote {len(trace)} minutes to {path}")


if __name__ == "__main__":
    main()
