"""Quorum arithmetic for N replicas that answer reads from R of them and acknowledge writes after W of them.

- Overlap: every read quorum meets every write quorum when R + W > N (they share at least R + W − N replicas),
  so a read sees the latest acknowledged write; with R + W <= N a read can miss it.
- Failures: reads still work with up to N − R replicas down, writes with up to N − W.
- Two writes: their quorums overlap when 2W > N, so two sides of a partition cannot both accept writes.
- Staleness: right after a write reached exactly W replicas, a read from R replicas chosen at random misses all of
  them with probability C(N − W, R) / C(N, R) (the starting point of probabilistically bounded staleness,
  Bailis et al., 2012).
- Partition: a client can use only the replicas on its side; a side of g replicas serves reads when g >= R and
  writes when g >= W (a strict, CP store); a sloppy, AP store accepts on any side with at least one replica.

Pure: no I/O, no clock, no randomness.
"""
import math
from dataclasses import dataclass

from .. import _validate as v


def _nrw(n, r, w):
    n = v.integer("n", n, low=1, high=1000)
    r = v.integer("r", r, low=1, high=n)
    w = v.integer("w", w, low=1, high=n)
    return n, r, w


def overlaps(n, r, w):
    """True when every read quorum of r replicas meets every write quorum of w among n (r + w > n)."""
    n, r, w = _nrw(n, r, w)
    return r + w > n


def min_overlap(n, r, w):
    """The fewest replicas any read quorum and write quorum share: max(0, r + w − n)."""
    n, r, w = _nrw(n, r, w)
    return max(0, r + w - n)


def read_failures_tolerated(n, r):
    """Replicas that may be down while reads still find r of the n: n − r."""
    n = v.integer("n", n, low=1, high=1000)
    return n - v.integer("r", r, low=1, high=n)


def write_failures_tolerated(n, w):
    """Replicas that may be down while writes still reach w of the n: n − w."""
    n = v.integer("n", n, low=1, high=1000)
    return n - v.integer("w", w, low=1, high=n)


def stale_read_probability(n, r, w):
    """Chance that a read of r replicas chosen at random misses every one of the w replicas a write has reached:
    C(n − w, r) / C(n, r); 0 when r + w > n."""
    n, r, w = _nrw(n, r, w)
    return math.comb(n - w, r) / math.comb(n, r)


@dataclass(frozen=True)
class SideService:
    """What one side of a partition can do: replicas on it, and whether it serves reads and writes."""

    replicas: int
    reads: bool
    writes: bool


def partition_service(n, r, w, side, mode="cp"):
    """What a side of ``side`` replicas (0..n) of a partitioned n-replica store still serves.

    mode "cp": reads need r replicas on the side, writes w (the store refuses rather than diverge); "ap": any side
    with at least one replica accepts both (a sloppy quorum: it diverges and must reconcile after the partition).
    """
    n, r, w = _nrw(n, r, w)
    g = v.integer("side", side, low=0, high=n)
    if mode not in ("cp", "ap"):
        raise ValueError(f"mode must be 'cp' or 'ap', got {mode!r}")
    if mode == "ap":
        return SideService(g, g >= 1, g >= 1)
    return SideService(g, g >= r, g >= w)
