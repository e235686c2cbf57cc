"""Stepped axis limits for views whose values range over orders of magnitude: a limit moves only when a value
leaves the axes, and then to the next "nice" number, so most updates keep the axes and blit."""
import math
import numbers


def nice_ceiling(x, steps=(1, 2, 5)):
    """The smallest number m * 10^k >= x with m in ``steps`` (1, 2, 5: ... 0.5, 1, 2, 5, 10, 20 ...); x > 0."""
    if not (isinstance(x, numbers.Real) and math.isfinite(x) and x > 0):
        raise ValueError(f"x must be a finite number > 0, got {x!r}")
    exponent = math.floor(math.log10(x))
    for k in (exponent - 1, exponent, exponent + 1):
        for m in steps:
            if m * 10.0 ** k >= x * (1 - 1e-12):
                return m * 10.0 ** k
    return 10.0 ** (exponent + 2)
