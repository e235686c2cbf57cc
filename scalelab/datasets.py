"""The course's tables: every function here reads a CSV file, and no other module of the package does.

The tables ship inside the package (``scalelab/data/*.csv``) and are read with ``importlib.resources``, so they
load the same from a checkout, an editable install or a wheel. Each loader takes an optional ``path=`` to read a
table of your own with the same columns instead.

- ``load_scale_tiers``: the four performance baselines (users, requests/s, P95 target, availability per tier);
- ``load_scaling_phases`` and ``load_scaling_path``: the four growth phases and the seven steps of the scaling path;
- ``load_server_costs``: four server sizes, their price and performance;
- ``load_traffic_trace``: two days of requests/s per minute with a flash crowd (``tools/make_traffic_trace.py``).

``load_table(name)`` reads any of them as stored, without the conversions the named loaders make.
"""
import math
import pathlib
from importlib import resources

# name -> the columns the file must have
TABLES = {
    "scale_tiers": ["tier", "min_users", "max_users", "min_rps", "max_rps", "p95_ms", "availability", "resources"],
    "scaling_phases": ["kind", "order", "name", "label", "phase", "min_users", "max_users", "adds"],
    "server_costs": ["tier", "cpus", "ram_gb", "cost_usd", "performance_min", "performance_max"],
    "traffic_trace": ["minute", "rps"],
}


def table_names():
    """Names of the tables that ship with the package, for ``load_table``."""
    return list(TABLES)


def load_table(name, path=None):
    """Table ``name`` (one of ``table_names()``) as a DataFrame, as stored; ``path``: read your own CSV file instead.

    Raises ValueError when the file lacks one of the table's columns."""
    import pandas as pd

    if name not in TABLES:
        raise ValueError(f"name must be one of {table_names()}, got {name!r}")
    if path is not None:
        frame = pd.read_csv(pathlib.Path(path))
    else:
        with resources.files(__package__).joinpath("data", f"{name}.csv").open("r", encoding="utf-8") as f:
            frame = pd.read_csv(f)
    columns = TABLES[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} must have the columns {columns}, missing {missing}")
    return frame


def load_scale_tiers(path=None):
    """The four performance baselines as a DataFrame: tier, min/max_users, min/max_rps (requests/s), p95_ms,
    availability (fraction), resources. An open upper end (enterprise) is math.inf."""
    frame = load_table("scale_tiers", path)
    for column in ("max_users", "max_rps"):
        frame[column] = frame[column].fillna(math.inf).astype(float)
    return frame


def _scaling_rows(kind, path):
    frame = load_table("scaling_phases", path)
    return frame[frame["kind"] == kind].drop(columns="kind").sort_values("order").reset_index(drop=True)


def load_scaling_phases(path=None):
    """The four scaling phases (foundation, growth, scale, optimization): order, name, label, min/max_users
    (math.inf when open) and adds (the measures of the phase, separated by "; ")."""
    frame = _scaling_rows("phase", path).drop(columns="phase")
    frame["max_users"] = frame["max_users"].fillna(math.inf).astype(float)
    return frame


def load_scaling_path(path=None):
    """The scaling path monolith -> ... -> data partitioning: order, name, label, phase (where it usually comes)
    and adds (what the step brings)."""
    return _scaling_rows("step", path).drop(columns=["min_users", "max_users"])


def load_server_costs(path=None):
    """The server cost table as a DataFrame: tier, cpus, ram_gb, cost_usd (dollars), performance_min,
    performance_max (times the baseline) and performance_mid (their mean)."""
    frame = load_table("server_costs", path)
    frame["performance_mid"] = (frame["performance_min"] + frame["performance_max"]) / 2
    return frame


def load_traffic_trace(path=None):
    """The course's traffic trace: minute, hour, rps (requests/s in that minute), two days."""
    return load_table("traffic_trace", path)
