"""The package's shared machinery: seeding, input validation, the environment check, grading messages."""
import random

import numpy as np
import pytest

import scalelab as sl


def test_seed_makes_every_generator_repeatable():
    sl.seed(7)
    first = (sl.rng().random(3).tolist(), random.random(), np.random.random())
    sl.seed(7)
    second = (sl.rng().random(3).tolist(), random.random(), np.random.random())
    assert first == second
    sl.seed(8)
    assert sl.rng().random(3).tolist() != first[0]


@pytest.mark.parametrize("bad", [-1, 1.5, "1", None, True])
def test_seed_rejects_non_integers(bad):
    with pytest.raises(ValueError, match="seed"):
        sl.seed(bad)


def test_rng_accepts_a_generator_or_an_int():
    g = np.random.default_rng(3)
    assert sl.rng(g) is g
    assert sl.rng(5).random() == np.random.default_rng(5).random()


def test_child_seed_is_an_integer_from_the_generator():
    import numpy as np

    from scalelab._random import child_seed

    assert child_seed(np.random.default_rng(3)) == child_seed(np.random.default_rng(3))
    assert 0 <= child_seed(7) < 2**31
    assert isinstance(child_seed(), int)
