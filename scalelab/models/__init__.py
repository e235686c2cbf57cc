"""Pure models: plain numbers in, plain numbers out. No I/O, no clock, no randomness."""
from . import (
    availability,
    batching,
    capacity,
    consistency,
    cost,
    fluid,
    laws,
    layers,
    loadtest,
    metrics,
    microservices,
    monitoring,
    operational,
    queueing,
    quorum,
    scaleout,
    sharding,
    versions,
)

__all__ = ["availability", "batching", "capacity", "consistency", "cost", "fluid", "laws", "layers", "loadtest",
           "metrics", "microservices", "monitoring", "operational", "queueing", "quorum", "scaleout", "sharding",
           "versions"]
