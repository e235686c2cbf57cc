"""Our M/M/c simulator against Ciw on the same queue: wall time and accuracy against Erlang C.

    python benchmarks/sim_vs_ciw.py                  # lambda = 9, mu = 1, c = 10, 100 000 customers
    python benchmarks/sim_vs_ciw.py --customers 20000 --repeats 3

Each simulator runs ``repeats`` times with different seeds after one untimed warm-up run; the table shows the median
wall time, the mean wait Wq over the repeats (first ``warmup`` customers of each run dropped) and its relative error
against the Erlang C value with a 95 % interval over the repeats, and how many times faster our simulator is.
"""
import argparse
import statistics
import time

import numpy as np
import pandas as pd

from scalelab.models import queueing
from scalelab.sim import queues


def run_ours(lam, mu, c, customers, seed):
    """Waits of one run of scalelab.sim (per customer, in arrival order)."""
    return queues.simulate_mmc(lam, mu, c, customers=customers, rng=seed).waits


def run_ciw(lam, mu, c, customers, seed):
    """Waits of one Ciw run, sorted into arrival order."""
    import ciw

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=lam)],
                                 service_distributions=[ciw.dists.Exponential(rate=mu)], number_of_servers=[c])
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(customers, method="Finish")
    records = sorted(simulation.get_all_records(), key=lambda r: r.arrival_date)
    return np.array([r.waiting_time for r in records])


def measure(name, run, lam, mu, c, customers, repeats, warmup):
    """Median wall time and pooled mean wait of ``repeats`` seeded runs (after one untimed warm-up run)."""
    run(lam, mu, c, min(customers, 2000), 12345)
    walls, means = [], []
    for seed in range(repeats):
        start = time.perf_counter()
        waits = run(lam, mu, c, customers, seed)
        walls.append(time.perf_counter() - start)
        means.append(float(waits[warmup:].mean()))
    expected = queueing.mmc(lam, mu, c).mean_wait
    mean_wait, low, high = queues.confidence_interval(means)
    return {"simulator": name, "customers": customers, "repeats": repeats, "median_wall_s": statistics.median(walls),
            "mean_wait": mean_wait, "erlang_c_wait": expected,
            "rel_error": abs(mean_wait - expected) / expected,
            "ci95_low": low, "ci95_high": high, "ci_covers_erlang_c": bool(low <= expected <= high)}


def compare(lam=9.0, mu=1.0, servers=10, customers=100_000, repeats=5, warmup=5000):
    """One row per simulator plus a ``speedup`` column (Ciw's median wall time / this one's)."""
    rows = [measure("scalelab.sim", run_ours, lam, mu, servers, customers, repeats, warmup),
            measure("ciw", run_ciw, lam, mu, servers, customers, repeats, warmup)]
    frame = pd.DataFrame(rows)
    frame["speedup_vs_ciw"] = frame.loc[frame["simulator"] == "ciw", "median_wall_s"].iloc[0] / frame["median_wall_s"]
    return frame


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrival-rate", type=float, default=9.0)
    parser.add_argument("--service-rate", type=float, default=1.0)
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5000, help="customers dropped from each run's mean")
    args = parser.parse_args()
    frame = compare(args.arrival_rate, args.service_rate, args.servers, args.customers, args.repeats, args.warmup)
    print(f"M/M/{args.servers}: lambda = {args.arrival_rate}, mu = {args.service_rate}, "
          f"rho = {args.arrival_rate / (args.servers * args.service_rate):.2f}")
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
