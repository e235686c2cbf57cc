"""Checks that lab tests call. Each failure raises AssertionError with a message that teaches:
what was expected, what came out, and which idea to revisit.

Every check returns None on success: nbgrader would take a number shown by a test cell's last line as its score.
"""
import math
import numbers


def _message(what, expected, got, idea):
    lines = [f"{what}: expected {expected}, got {got!r}."]
    if idea:
        lines.append(f"Revisit: {idea}")
    return "\n".join(lines)


def _number(got, what, idea):
    if isinstance(got, bool) or not isinstance(got, numbers.Real) or math.isnan(got):
        raise AssertionError(_message(what, "a number", got, idea or "return a number, not None or text"))
    return float(got)


def number(got, what="your answer", idea=""):
    """Fail unless ``got`` is a real number (not None, not text, not NaN)."""
    _number(got, what, idea)


def close(got, expected, what="your answer", rel=0.02, abs_tol=1e-9, idea=""):
    """Fail unless ``got`` is within ``rel`` (relative) or ``abs_tol`` (absolute) of ``expected``."""
    value = _number(got, what, idea)
    if not math.isclose(value, expected, rel_tol=rel, abs_tol=abs_tol):
        tolerance = f"{expected:.6g} (within {rel:.0%})" if rel else f"{expected:.6g} (within {abs_tol:g})"
        raise AssertionError(_message(what, tolerance, got, idea))


def between(got, low, high, what="your answer", idea=""):
    """Fail unless low <= got <= high."""
    value = _number(got, what, idea)
    if not low <= value <= high:
        raise AssertionError(_message(what, f"a value between {low:.6g} and {high:.6g}", got, idea))


def that(condition, message, idea=""):
    """Fail with ``message`` (and the idea to revisit) unless ``condition`` is true."""
    if not condition:
        raise AssertionError(message + (f"\nRevisit: {idea}" if idea else ""))


def equal(got, expected, what="your answer", idea=""):
    """Fail unless got == expected (for labels, choices, integers)."""
    if got != expected:
        raise AssertionError(_message(what, repr(expected), got, idea))


def columns(frame, required, what="your table", idea=""):
    """Fail unless ``frame`` is a pandas DataFrame holding every column in ``required``."""
    names = getattr(frame, "columns", None)
    if names is None:
        raise AssertionError(_message(what, "a pandas DataFrame", type(frame).__name__, idea))
    missing = [c for c in required if c not in names]
    if missing:
        raise AssertionError(_message(what, f"columns {list(required)}", f"missing {missing}", idea))
