"""Real benchmarks on this machine: the only part of scalelab that reads the clock.

Every benchmark returns a pandas DataFrame (one row per run) and cleans up its processes, ports and temporary
files on success, on error and on Ctrl-C (KeyboardInterrupt).
"""
from .harness import run_benchmark, summarize, temporary_directory, time_call
from .load import LoadResult, closed_loop, open_loop, rate_sweep
from .service import LoopbackService

__all__ = ["run_benchmark", "summarize", "temporary_directory", "time_call", "LoopbackService",
           "open_loop", "closed_loop", "rate_sweep", "LoadResult"]
