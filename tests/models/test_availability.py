"""Unit tests of the core models (queueing, laws, availability, metrics) against textbook values and bad input."""
import datetime as dt
import math

import pytest

from scalelab.models import availability


# ---------------------------------------------------------------------------------------------------- availability
def test_series_and_parallel():
    assert availability.series(0.99, 0.99) == pytest.approx(0.9801)
    assert availability.series([0.999, 0.999, 0.999]) == pytest.approx(0.997002999)
    assert availability.parallel(0.99, 0.99) == pytest.approx(0.9999)
    assert availability.parallel(0.9) == pytest.approx(0.9)
    assert availability.series(1.0, 0.5) == pytest.approx(0.5)


def test_downtime_textbook_values():
    assert availability.downtime(0.999) == dt.timedelta(hours=8, minutes=45, seconds=36)
    assert availability.downtime(0.9999, "year").total_seconds() == pytest.approx(52 * 60 + 33.6)
    assert availability.downtime(0.999, "month").total_seconds() == pytest.approx(43 * 60 + 48)
    assert availability.downtime(0.999, "week").total_seconds() == pytest.approx(604.8)
    assert availability.downtime(0.99, "day").total_seconds() == pytest.approx(864)
    assert availability.downtime(1.0) == dt.timedelta(0)


def test_nines():
    assert availability.nines(0.999) == pytest.approx(3)
    assert availability.nines(0.99999) == pytest.approx(5)
    assert availability.nines(0.9995) == pytest.approx(3.30103, rel=1e-5)
    assert availability.nines(1.0) == math.inf
    assert availability.nines(0.0) == pytest.approx(0)


@pytest.mark.parametrize("call", [
    lambda: availability.series(),
    lambda: availability.series(1.1),
    lambda: availability.series(0.9, -0.1),
    lambda: availability.parallel(2),
    lambda: availability.downtime(1.5),
    lambda: availability.downtime(0.99, "fortnight"),
    lambda: availability.nines(-0.5),
    lambda: availability.nines(float("nan")),
])
def test_availability_rejects_bad_input(call):
    with pytest.raises(ValueError):
        call()


# ------------------------------------------------------------------------------------ nines
def test_from_nines_is_the_inverse_of_nines():
    assert availability.from_nines(3) == pytest.approx(0.999)
    assert availability.from_nines(0) == 0
    assert availability.from_nines(3.5) == pytest.approx(1 - 10 ** -3.5)
    for a in (0.9, 0.995, 0.99995):
        assert availability.from_nines(availability.nines(a)) == pytest.approx(a)
