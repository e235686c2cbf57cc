"""Speed of the course itself: headless run time of each notebook and update time of each widget.

    python -m scalelab.perf                 # every lesson and lab solution, every explorer
    python -m scalelab.perf --widgets-only

Prints two tables (pandas). Goals: a notebook runs headless in at most 60 s on 2 cores; a widget update
(compute + redraw) takes at most 50 ms median. These are measurements, not tests: the machine is shared.
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
    """Every public function in scalelab.widgets.* that takes no required argument and returns an Explorer."""
    import scalelab.widgets as package
    from scalelab.widgets.base import Explorer

    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"scalelab.widgets.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = inspect.signature(fn).parameters.values()
            if any(p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params):
                continue
            if inspect.signature(fn).return_annotation not in (Explorer, "Explorer", inspect.Signature.empty):
                continue
            yield f"{info.name}.{name}", fn


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


def widget_times(updates=10):
    """For each explorer: median and max time (ms) of ``updates`` slider moves (compute + redraw)."""
    import matplotlib

    matplotlib.use("Agg")
    from scalelab.widgets.base import Explorer

    rows = []
    for name, factory in _explorer_factories():
        explorer = factory()
        if not isinstance(explorer, Explorer):
            continue
        control = next(iter(explorer.controls.values()))
        times = []
        for _ in range(updates):
            _nudge(control)
            times.append(explorer.last_update_s * 1000)
        rows.append({"widget": name, "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                     "goal_ms": WIDGET_GOAL_MS, "ok": statistics.median(times) <= WIDGET_GOAL_MS})
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widgets-only", action="store_true", help="skip the notebooks")
    parser.add_argument("--notebooks-only", action="store_true", help="skip the widgets")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    if not args.notebooks_only:
        print("Widget update time (compute + redraw), median of 10 moves:")
        print(widget_times().to_string(index=False))
    if not args.widgets_only:
        paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "solutions").glob("lab*/*.ipynb"))
        print("\nHeadless execution time of each notebook:")
        print(notebook_times(paths).to_string(index=False))


if __name__ == "__main__":
    main()
