"""A one-second look at this machine's speed: timer resolution and pure-Python loop rate."""
import os
import time

import pandas as pd


def timer_resolution(samples=10_000):
    """Smallest non-zero step of time.perf_counter() seen over ``samples`` reads (seconds)."""
    smallest = float("inf")
    last = time.perf_counter()
    for _ in range(samples):
        now = time.perf_counter()
        if now > last:
            smallest = min(smallest, now - last)
        last = now
    return smallest


def loop_rate(seconds=0.2):
    """Iterations per second of a simple pure-Python loop, measured for about ``seconds``."""
    count, deadline = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(1000):
            count += 1
    return count / (time.perf_counter() - start)


def calibrate(repeats=5, seconds=0.2):
    """One row per repeat: loop rate (iterations/s); plus cores and timer resolution (s) on every row."""
    resolution = timer_resolution()
    rows = [{"repeat": r, "loop_rate_per_s": loop_rate(seconds), "cores": os.cpu_count(),
             "timer_resolution_s": resolution} for r in range(repeats)]
    return pd.DataFrame(rows)
