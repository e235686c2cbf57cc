"""The linearizability checker on histories whose verdict is argued by hand, on generated histories of a real
sequential execution (linearizable by construction) and on the same with one read corrupted (not linearizable)."""
import math
import time

import numpy as np
import pytest

from scalelab.models import consistency as c
from scalelab.sim import histories

INF = math.inf


SEEDS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_histories_are_linearizable_and_one_corrupted_read_breaks_them(seed):
    history = histories.register_history(300, clients=5, p_unknown=0.03, rng=np.random.default_rng(seed))
    assert len(history) == 300 and c.is_linearizable(history)
    for how in histories.CORRUPTIONS:
        bad = histories.corrupt(history, how, rng=np.random.default_rng(seed))
        changed = [i for i, (a, b) in enumerate(zip(history, bad)) if a != b]
        assert len(changed) == 1 and bad[changed[0]]["op"] == "read"
        assert not c.is_linearizable(bad), how


def test_generated_histories_overlap():
    history = histories.register_history(200, clients=4, rng=np.random.default_rng(0))
    finite = sorted((o for o in history if o["end"] < INF), key=lambda o: o["start"])
    overlapping = sum(b["start"] < a["end"] for a, b in zip(finite, finite[1:]))
    assert overlapping > 50


def test_history_generator_checks_its_arguments():
    with pytest.raises(ValueError, match="p_read"):
        histories.register_history(10, p_read=0.8, p_cas=0.5)
    with pytest.raises(ValueError, match="how"):
        histories.corrupt([], how="typo")


def test_checker_time_on_a_few_hundred_operations_report():
    """A report, not a limit: how long the checker takes on 300-operation histories (good and corrupted)."""
    rows = []
    for seed in SEEDS:
        history = histories.register_history(300, clients=5, p_unknown=0.03, rng=np.random.default_rng(seed))
        for label, h in (("good", history), ("corrupted", histories.corrupt(history, "stale", rng=seed))):
            start = time.perf_counter()
            result = c.check(h)
            rows.append((label, time.perf_counter() - start, result.explored))
    for label in ("good", "corrupted"):
        times = [t for lab, t, _ in rows if lab == label]
        explored = [e for lab, _, e in rows if lab == label]
        print(f"\n300 operations, 5 clients, {label}: median {1000 * np.median(times):.1f} ms, "
              f"max {1000 * max(times):.1f} ms, median {int(np.median(explored))} configurations")
    assert len(rows) == 2 * len(SEEDS)
