"""Input checks shared by every public function: each raises ValueError naming the argument and the allowed range."""
import math

import numpy as np


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def number(name, value, low=-math.inf, high=math.inf, low_open=False, high_open=False):
    """Return ``value`` as a float if it lies in the given range, else raise ValueError."""
    if not _is_number(value) or math.isnan(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value!r}")
    return float(value)


def positive(name, value, allow_inf=False):
    """A number > 0 (optionally math.inf)."""
    return number(name, value, 0, math.inf, low_open=True, high_open=not allow_inf)


def non_negative(name, value):
    """A finite number >= 0."""
    return number(name, value, 0, math.inf, high_open=True)


def probability(name, value):
    """A number in [0, 1]."""
    return number(name, value, 0, 1)


def integer(name, value, low=1, high=None):
    """An int >= low (and <= high if given)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and <= {high}"
        raise ValueError(f"{name} must be an integer >= {low}{upper}, got {value!r}")
    return int(value)


def samples(name, values, allow_negative=False):
    """A non-empty 1-D float array of finite values (>= 0 unless allow_negative)."""
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {type(values).__name__}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    if not allow_negative and np.any(arr < 0):
        raise ValueError(f"{name} must contain only values >= 0, got min {arr.min()!r}")
    return arr
