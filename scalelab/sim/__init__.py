"""Seeded simulators built on numpy. Randomness only through ``scalelab.rng(rng)``, seeded by ``scalelab.seed(n)``."""
from . import autoscale, balancers, caches, histories, network, queues, replicas, routing
from .network import simulate_retries
from .queues import (
    QueueTrace,
    batch_means,
    confidence_interval,
    fifo_waits,
    lindley_waits,
    replicate_mean_wait,
    simulate_mm1,
    simulate_mmc,
    simulate_queue,
)

__all__ = ["autoscale", "balancers", "caches", "histories", "network", "queues", "replicas", "routing",
           "simulate_retries",
           "QueueTrace", "lindley_waits",
           "fifo_waits", "simulate_queue", "simulate_mm1", "simulate_mmc", "confidence_interval", "batch_means",
           "replicate_mean_wait"]
