"""scalelab: the code behind the Scalability Fundamentals course.

Layers, each using only those above it:

- ``scalelab.models``  pure math (queueing, laws, availability, metrics, ...), no I/O, no clock;
- ``scalelab.datasets`` the course's tables (CSV files inside the package), the only module that reads them;
- ``scalelab.sim``     seeded simulators built on numpy;
- ``scalelab.partition`` shard routers;
- ``scalelab.bench``   the only code that touches the clock: harness, loopback services, load generator;
- ``scalelab.widgets`` thin ipywidgets views over models and simulators;
- ``scalelab.grading`` checks that lab tests call, with messages that teach;
- ``scalelab.predictions`` guesses written before a measurement and read back after it (``sl.predict``,
  ``sl.reveal``, ``sl.calibration``) and measurements kept for a later lesson (``sl.remember``,
  ``sl.recall``)..

``bench`` and ``widgets`` are imported on first use, so ``import scalelab`` stays fast.
"""
import importlib

from . import datasets, grading, models
from ._random import rng, seed
from .predictions import calibration, calibration_summary, predict, recall, remember, reveal

__version__ = "0.1.0"
__all__ = ["seed", "rng", "predict", "reveal", "calibration", "calibration_summary", "remember", "recall",
           "models", "datasets", "grading", "sim", "partition", "bench", "widgets", "check_environment"]

_LAZY = {"sim", "partition", "bench", "widgets"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'scalelab' has no attribute {name!r}")


def check_environment(min_python=(3, 11)):
    """Return a dict describing this machine (Python, cores, package versions); raise if Python is too old."""
    import os
    import platform
    import sys
    from importlib import metadata

    if sys.version_info[:2] < tuple(min_python):
        raise RuntimeError(
            f"This course needs Python {min_python[0]}.{min_python[1]} or newer; you have {platform.python_version()}."
        )
    info = {"python": platform.python_version(), "cores": os.cpu_count(), "platform": platform.platform(),
            "scalelab": __version__}
    for name in ("numpy", "pandas", "scipy", "matplotlib", "ipywidgets", "nbgrader"):
        try:
            info[name] = metadata.version(name)  # read from the installed metadata: no slow import
        except metadata.PackageNotFoundError:
            info[name] = "missing"
    return info
