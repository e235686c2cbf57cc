"""The package's shared machinery: seeding, input validation, the environment check, grading messages."""
import math

import pytest

from scalelab import _validate as v


@pytest.mark.parametrize("call, name", [
    (lambda: v.positive("rate", -1), "rate"),
    (lambda: v.positive("rate", 0), "rate"),
    (lambda: v.probability("p", 1.2), "p"),
    (lambda: v.probability("p", float("nan")), "p"),
    (lambda: v.integer("n", 0), "n"),
    (lambda: v.integer("n", 2.0), "n"),
    (lambda: v.samples("samples", []), "samples"),
    (lambda: v.samples("samples", [1, -2]), "samples"),
    (lambda: v.samples("samples", [1, float("inf")]), "samples"),
])
def test_validation_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_validation_states_the_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        v.probability("availability", 2)
    assert v.positive("x", math.inf, allow_inf=True) == math.inf
