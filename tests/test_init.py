"""The package's shared machinery: seeding, input validation, the environment check, grading messages."""
import numpy as np
import pytest

import scalelab as sl


def test_check_environment_reports_versions():
    info = sl.check_environment()
    assert info["cores"] >= 1 and info["numpy"] == np.__version__
    with pytest.raises(RuntimeError, match="Python 99"):
        sl.check_environment(min_python=(99, 0))


def test_lazy_subpackages_load_on_first_use():
    assert sl.bench.LoopbackService is not None
    with pytest.raises(AttributeError):
        _ = sl.no_such_thing
