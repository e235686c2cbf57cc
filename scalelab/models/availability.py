"""Availability of components in series and in parallel, and the downtime a given availability allows."""
import datetime as dt
import math

from .. import _validate as v

_HOURS = {"year": 365 * 24, "month": 365 * 24 / 12, "week": 7 * 24, "day": 24}


def _availabilities(values):
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = tuple(values[0])
    if not values:
        raise ValueError("give at least one availability")
    return [v.probability(f"availability #{i + 1}", a) for i, a in enumerate(values)]


def series(*availabilities):
    """Availability of components that must all be up (a call chain): the product of theirs. Values in [0, 1]."""
    return math.prod(_availabilities(availabilities))


def parallel(*availabilities):
    """Availability of redundant copies where one up is enough: 1 - prod(1 - a). Values in [0, 1]."""
    return 1 - math.prod(1 - a for a in _availabilities(availabilities))


def downtime(availability, period="year"):
    """Downtime allowed by an availability in [0, 1] over a period: "year" (365 days), "month" (year/12), "week",
    "day"."""
    a = v.probability("availability", availability)
    if period not in _HOURS:
        raise ValueError(f"period must be one of {sorted(_HOURS)}, got {period!r}")
    return dt.timedelta(hours=(1 - a) * _HOURS[period])


def nines(availability):
    """Number of nines of an availability: 0.999 -> 3.0 (math.inf for 1.0)."""
    a = v.probability("availability", availability)
    return math.inf if a == 1 else -math.log10(1 - a)


def from_nines(nines):
    """Availability in [0, 1) for a number of nines in [0, 12]: 1 - 10^-nines (3 -> 0.999, 3.5 -> 0.99968...).
    The inverse of ``nines``."""
    n = v.number("nines", nines, 0, 12)
    return 1 - 10 ** (-n)
