"""Lesson 01's views: each compute against hand-computed values and bad input, the explorers driven headlessly, the
checks on measured numbers and the static pictures."""
import matplotlib
import pytest

matplotlib.use("Agg")


def test_stepped_axis_limits():
    from scalelab.widgets._axes import nice_ceiling, sticky_ceiling

    assert [nice_ceiling(x) for x in (0.003, 1, 1.01, 2.1, 5.01, 47, 1001)] == [0.005, 1, 2, 5, 10, 50, 2000]
    assert nice_ceiling(220, steps=(1, 2, 2.5, 5)) == 250
    with pytest.raises(ValueError, match="^x must"):
        nice_ceiling(0)
    # a top stays while what it shows fills at least a third of it, else it moves to the nice ceiling
    assert sticky_ceiling(100, 40) == 100 and sticky_ceiling(100, 34) == 100
    assert sticky_ceiling(100, 30) == 50 and sticky_ceiling(100, 120) == 200 and sticky_ceiling(None, 40) == 50
