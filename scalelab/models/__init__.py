"""Pure models: plain numbers in, plain numbers out. No I/O, no clock, no randomness."""
from . import (availability, capacity, cost, laws, loadtest, metrics, microservices, operational, queueing, scaleout,
               sharding)

__all__ = ["availability", "capacity", "cost", "laws", "loadtest", "metrics", "microservices", "operational", "queueing",
           "scaleout", "sharding"]
