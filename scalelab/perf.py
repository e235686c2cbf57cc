"""Speed of the course itself: headless run time of each notebook and update time of each widget.

    python -m scalelab.perf                 # every lesson and lab solution, every explorer
    python -m scalelab.perf --widgets-only

Prints two tables (pandas). Goals: a notebook runs headless in at most 60 s on 2 cores; an explorer update
(compute + redraw + PNG) takes at most 50 ms median, and at most one 60 Hz frame (16.7 ms) for at least three
quarters of the explorers. These are measurements, not tests: the machine may be shared.
"""
import argparse
import importlib
import inspect
import pathlib
import pkgutil
import statistics
import time

import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_GOAL_S = 60.0
WIDGET_GOAL_MS = 50.0
FRAME_MS = 1000 / 60


def _sample_latencies_ms():
    import numpy as np

    from . import _random

    return {"latencies_ms": _random.rng(1).lognormal(np.log(20), 0.6, 2000)}


def _sample_scatter():
    import pandas as pd

    return {"measured": pd.DataFrame({"shards": [1, 2, 4, 8] * 2,
                                      "query": ["scatter-gather (sequential)"] * 4 + ["point lookup (routed)"] * 4,
                                      "per_query_s": [0.004, 0.0045, 0.0052, 0.007, 1e-4, 1e-4, 1e-4, 1e-4]})}


def _sample_capacity():
    return {"capacity_rps": 140.0}


def _sample_sweep():
    import pandas as pd

    return {"sweep": pd.DataFrame({"offered_rps": [20, 60, 100, 130, 160, 180, 190],
                                   "p95_ms": [32.0, 35.0, 41.0, 52.0, 70.0, 110.0, 160.0],
                                   "error_rate": [0.0] * 7})}


def _sample_burst():
    import pandas as pd

    from scalelab.models import fluid

    t = [i * 0.05 for i in range(60)]
    return {"measured": pd.DataFrame({"t_s": t, "depth": fluid.depth(t, [(1.0, 150.0), (1.0, 30.0)], 90.0)})}


# Explorers that need data from a measurement: sample inputs of the same shape for timing them.
SAMPLE_INPUTS = {"measuring.apdex_explorer": _sample_latencies_ms, "partitioning.scatter_explorer": _sample_scatter,
                 "capstone.tiers_explorer": _sample_capacity, "capstone.plan_explorer": _sample_capacity,
                 "principles.burst_explorer": _sample_burst, "capacity.knee_explorer": _sample_sweep,
                 "stack.buckets_explorer": _sample_latencies_ms}



def notebook_times(paths, timeout=300):
    """Execute each notebook headless (nbclient) once; one row per notebook with its wall time (s).
    Each finished notebook is also printed at once, so a long run shows its progress."""
    import nbformat
    from nbclient import NotebookClient

    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        error = ""
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except Exception as exc:  # report, do not stop the table
            error = type(exc).__name__
        wall = time.perf_counter() - start
        rows.append({"notebook": str(path.relative_to(ROOT)), "wall_s": round(wall, 1),
                     "goal_s": NOTEBOOK_GOAL_S, "ok": not error and wall <= NOTEBOOK_GOAL_S, "error": error})
        print(f"  {rows[-1]['notebook']}: {rows[-1]['wall_s']} s {error}", flush=True)
    return pd.DataFrame(rows)


def _explorer_factories():
    """(name, factory, kwargs) for every public ``*_explorer`` function in scalelab.widgets.*: those with a required
    argument get the sample inputs in SAMPLE_INPUTS (and are skipped if there are none)."""
    import scalelab.widgets as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"scalelab.widgets.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.endswith("_explorer") or fn.__module__ != module.__name__:
                continue
            key = f"{info.name}.{name}"
            params = inspect.signature(fn).parameters.values()
            required = any(p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                           for p in params)
            if required and key not in SAMPLE_INPUTS:
                continue
            yield key, fn, (SAMPLE_INPUTS[key]() if required else {})


def _nudge(control):
    """Move a control one step (wrapping at its maximum) so the explorer recomputes."""
    if hasattr(control, "options") and control.options:
        options = list(control.options)
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        control.value = values[(values.index(control.value) + 1) % len(values)]
    elif hasattr(control, "step") and control.step:
        up = control.value + control.step
        control.value = up if up <= control.max else control.min
    else:
        control.value = not control.value


def widget_times(updates=20):
    """For each explorer: median and max time (ms) of ``updates`` control moves (compute + redraw + PNG), moving
    each of its controls in turn, and how many of the updates were blits (only the moving artists redrawn)."""
    import matplotlib

    matplotlib.use("Agg")
    from scalelab.widgets.base import Explorer

    rows = []
    for name, factory, kwargs in _explorer_factories():
        explorer = factory(**kwargs)
        if not isinstance(explorer, Explorer):
            continue
        controls = list(explorer.controls.values())
        times, blits = [], explorer.blits
        for i in range(updates):
            _nudge(controls[i % len(controls)])
            times.append(explorer.last_update_s * 1000)
        median = statistics.median(times)
        rows.append({"explorer": name, "median_ms": round(median, 1), "max_ms": round(max(times), 1),
                     "blits": f"{explorer.blits - blits}/{updates}", "within_frame": median <= FRAME_MS,
                     "ok": median <= WIDGET_GOAL_MS})
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widgets-only", action="store_true", help="skip the notebooks")
    parser.add_argument("--notebooks-only", action="store_true", help="skip the widgets")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    if not args.notebooks_only:
        print("Explorer update time (compute + redraw + PNG), 20 moves over all of each explorer's controls:")
        table = widget_times()
        print(table.to_string(index=False))
        print(f"{int(table['ok'].sum())} of {len(table)} within {WIDGET_GOAL_MS:g} ms; "
              f"{int(table['within_frame'].sum())} of {len(table)} within one frame ({FRAME_MS:.1f} ms)")
    if not args.widgets_only:
        paths = (sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                 + sorted((ROOT / "solutions").glob("lab*/*.ipynb")))
        print("\nHeadless execution time of each notebook:")
        print(notebook_times(paths).to_string(index=False))


if __name__ == "__main__":
    main()
