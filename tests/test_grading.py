"""The package's shared machinery: seeding, input validation, the environment check, grading messages."""
import pytest

import scalelab as sl


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
