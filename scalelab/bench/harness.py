"""The benchmark harness: warm-up, repeats, wall and CPU time, one DataFrame row per run, a progress bar."""
import contextlib
import itertools
import shutil
import tempfile
import time

import pandas as pd

from .. import _validate as v


def time_call(fn, *args, **kwargs):
    """Run fn once; return (result, wall seconds, CPU seconds of this process)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - wall0, time.process_time() - cpu0


def _grid(params):
    """A dict of lists -> list of dicts (their product); a list of dicts is returned as is."""
    if params is None:
        return [{}]
    if isinstance(params, dict):
        keys = list(params)
        values = [val if isinstance(val, (list, tuple, range)) else [val] for val in params.values()]
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    return [dict(p) for p in params]


def _progress(total, label):
    """A progress bar that appears only when the runs take longer than ~2 s (tqdm's delay)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=label, delay=2, leave=False)


def run_benchmark(fn, params=None, repeats=3, warmup=1, label="benchmark"):
    """Call ``fn(**p)`` for every parameter set p: ``warmup`` untimed calls, then ``repeats`` timed ones.

    params: a dict of lists (their product is run) or a list of dicts. fn may return a dict of figures, which
    become columns. Returns a DataFrame with one row per timed run: the parameters, ``repeat``, ``wall_s`` and
    ``cpu_s`` (seconds, CPU of this process only) and fn's figures.
    """
    v.integer("repeats", repeats, low=1)
    v.integer("warmup", warmup, low=0)
    grid = _grid(params)
    rows = []
    with _progress(len(grid) * (repeats + warmup), label) as bar:
        for p in grid:
            for _ in range(warmup):
                fn(**p)
                bar.update()
            for r in range(repeats):
                result, wall, cpu = time_call(fn, **p)
                row = {**p, "repeat": r, "wall_s": wall, "cpu_s": cpu}
                if isinstance(result, dict):
                    row.update(result)
                rows.append(row)
                bar.update()
    return pd.DataFrame(rows)


@contextlib.contextmanager
def temporary_directory(prefix="scalelab-"):
    """A temporary directory removed on exit, whatever happens inside (error, Ctrl-C)."""
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
