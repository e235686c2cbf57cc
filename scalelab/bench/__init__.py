"""Real benchmarks on this machine: the only part of scalelab that reads the clock.

Every benchmark returns a pandas DataFrame (one row per run) and cleans up its processes, ports and temporary
files on success, on error and on Ctrl-C (KeyboardInterrupt).

Names are imported on first use, so a server process that imports one module of this package does not pay
for pandas.
"""
import importlib

_NAMES = {
    "run_benchmark": "harness", "temporary_directory": "harness", "time_call": "harness",
    "LoopbackService": "service", "open_loop": "load", "closed_loop": "load", "rate_sweep": "load",
    "LoadResult": "load",
}
__all__ = sorted(_NAMES)


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        raise AttributeError(f"module 'scalelab.bench' has no attribute {name!r}") from None
