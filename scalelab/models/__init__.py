"""Pure models: plain numbers in, plain numbers out. No I/O, no clock, no randomness."""
from . import availability, laws, metrics, queueing

__all__ = ["availability", "laws", "metrics", "queueing"]
