"""Packet loss, timeouts and retries, simulated (seeded): loopback loses nothing, so loss is drawn, not observed.

Each attempt of a request sends ``packets`` packets; each is lost with probability ``loss``. An attempt with a lost
packet gets no answer: the client waits ``timeout_s`` and tries again, up to ``retries`` more times. An answered
attempt takes ``rtt_s`` plus a little jitter.
"""
import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v


def simulate_retries(requests=10_000, loss=0.01, retries=2, timeout_s=0.2, rtt_s=0.02, packets=4, jitter_s=0.0,
                     rng=None):
    """One row per request: attempts (1 .. retries + 1), ok (answered within the retries), latency_s (until the
    answer, or until the last timeout when every attempt failed). Seeded through ``rng`` / scalelab.seed."""
    n = v.integer("requests", requests, low=1, high=10_000_000)
    p = v.probability("loss", loss)
    r = v.integer("retries", retries, low=0, high=1000)
    timeout = v.positive("timeout_s", timeout_s)
    rtt = v.non_negative("rtt_s", rtt_s)
    k = v.integer("packets", packets, low=1, high=10_000)
    jitter = v.non_negative("jitter_s", jitter_s)
    generator = _random.rng(rng)
    lost = generator.random((n, r + 1, k)) < p             # every packet of every possible attempt
    failed = lost.any(axis=2)                              # an attempt fails if any of its packets is lost
    first_ok = np.where(failed.all(axis=1), r + 1, failed.argmin(axis=1))   # failed attempts before success
    ok = first_ok <= r
    answer = rtt + (generator.exponential(jitter, n) if jitter > 0 else 0.0)
    latency = np.where(ok, first_ok * timeout + answer, (r + 1) * timeout)
    return pd.DataFrame({"attempts": np.minimum(first_ok + 1, r + 1), "ok": ok, "latency_s": latency})
