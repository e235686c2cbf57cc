"""The package's shared machinery: seeding, input validation, the environment check, grading messages."""
import math
import random

import numpy as np
import pytest

import scalelab as sl
from scalelab import _validate as v


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


def test_check_environment_reports_versions():
    info = sl.check_environment()
    assert info["cores"] >= 1 and info["numpy"] == np.__version__
    with pytest.raises(RuntimeError, match="Python 99"):
        sl.check_environment(min_python=(99, 0))


def test_lazy_subpackages_load_on_first_use():
    assert sl.bench.LoopbackService is not None
    with pytest.raises(AttributeError):
        _ = sl.no_such_thing


class TestGrading:
    def test_close_passes_quietly_and_returns_none(self):
        assert sl.grading.close(10.1, 10, rel=0.02) is None

    def test_close_failure_teaches(self):
        with pytest.raises(AssertionError) as err:
            sl.grading.close(12, 10, what="throughput (req/s)", idea="Little's law")
        text = str(err.value)
        assert "throughput (req/s)" in text and "expected 10" in text and "12" in text and "Little's law" in text

    @pytest.mark.parametrize("bad", [None, "3", float("nan"), True])
    def test_number_rejects_non_numbers(self, bad):
        with pytest.raises(AssertionError, match="a number"):
            sl.grading.number(bad, what="p95")

    def test_between_equal_that_columns(self):
        sl.grading.between(0.5, 0, 1)
        with pytest.raises(AssertionError, match="between"):
            sl.grading.between(2, 0, 1)
        with pytest.raises(AssertionError, match="'b'"):
            sl.grading.equal("a", "b", what="choice")
        with pytest.raises(AssertionError, match="Revisit: percentiles"):
            sl.grading.that(False, "p99 < p50", idea="percentiles")
        import pandas as pd
        sl.grading.columns(pd.DataFrame({"a": [1]}), ["a"])
        with pytest.raises(AssertionError, match="missing"):
            sl.grading.columns(pd.DataFrame({"a": [1]}), ["a", "b"])
        with pytest.raises(AssertionError, match="DataFrame"):
            sl.grading.columns([1, 2], ["a"])
