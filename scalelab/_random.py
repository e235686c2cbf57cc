"""The one place where the course's random generators are seeded."""
import random

import numpy as np

_generator = np.random.default_rng(0)


def seed(n):
    """Seed every random generator the package uses (numpy's and Python's ``random``); return ``n``."""
    global _generator
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"seed n must be a non-negative integer, got {n!r}")
    _generator = np.random.default_rng(int(n))
    random.seed(int(n))
    np.random.seed(int(n) % 2**32)
    return int(n)


def rng(generator=None):
    """Return ``generator`` if given, else the package's seeded ``numpy.random.Generator``."""
    if generator is None:
        return _generator
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    return generator


def child_seed(generator=None):
    """One integer in [0, 2**31) drawn from ``rng(generator)``: the seed a server in a child process builds its own
    ``random.Random`` from, so that ``scalelab.seed(n)`` fixes the child's draws too."""
    return int(rng(generator).integers(2**31))
