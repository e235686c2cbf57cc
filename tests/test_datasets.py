"""The course's tables (scalelab.datasets): shipped inside the package, read by name or from a learner's own file."""
import math
import pathlib

import pytest

import scalelab
from scalelab import datasets


def test_every_table_ships_inside_the_package_and_loads_by_name():
    folder = pathlib.Path(scalelab.__file__).parent / "data"
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(datasets.table_names())
    sizes = {name: len(datasets.load_table(name)) for name in datasets.table_names()}
    assert sizes == {"scale_tiers": 4, "scaling_phases": 11, "server_costs": 4, "traffic_trace": 2 * 1440}


def test_named_loaders_convert_what_load_table_keeps_as_stored():
    assert datasets.load_table("scale_tiers")["max_rps"].isna().sum() == 1
    assert datasets.load_scale_tiers()["max_rps"].isna().sum() == 0
    assert "performance_mid" not in datasets.load_table("server_costs")
    assert list(datasets.load_server_costs()["performance_mid"]) == [1, 2, 3.5, 5.5]
    assert len(datasets.load_scaling_phases()) + len(datasets.load_scaling_path()) == 11
    trace = datasets.load_traffic_trace()
    assert list(trace["minute"]) == list(range(2 * 1440)) and (trace["rps"] > 0).all()


def test_a_learners_own_file_is_read_through_path(tmp_path):
    own = tmp_path / "my_costs.csv"
    own.write_text("tier,cpus,ram_gb,cost_usd,performance_min,performance_max\nbig,64,256,40000,8,10\n")
    table = datasets.load_server_costs(path=own)
    assert list(table["tier"]) == ["big"] and list(table["performance_mid"]) == [9]
    trace = tmp_path / "trace.csv"
    trace.write_text("minute,rps\n0,10\n1,20\n")
    assert list(datasets.load_traffic_trace(str(trace))["rps"]) == [10, 20]


def test_unknown_names_and_missing_columns_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"name must be one of \['scale_tiers'"):
        datasets.load_table("tiers")
    bad = tmp_path / "trace.csv"
    bad.write_text("hour,load\n0,1\n")
    with pytest.raises(ValueError, match=r"traffic_trace must have the columns .*missing \['minute', 'rps'\]"):
        datasets.load_traffic_trace(bad)


def test_scale_tiers_hold_the_four_baselines():
    tiers = datasets.load_scale_tiers()
    assert list(tiers["tier"]) == ["small", "medium", "large", "enterprise"]
    assert list(tiers["p95_ms"]) == [50, 100, 150, 200]
    assert list(tiers["availability"]) == [0.995, 0.999, 0.9995, 0.9999]
    assert list(tiers["min_rps"]) == [100, 1_000, 10_000, 100_000]
    assert list(tiers["max_rps"][:3]) == [100, 10_000, 100_000] and math.isinf(tiers["max_rps"].iloc[3])
    assert math.isinf(tiers["max_users"].iloc[3])
    assert (tiers["min_rps"] <= tiers["max_rps"]).all()


def test_loader_rejects_a_table_without_its_columns(tmp_path):
    bad = tmp_path / "tiers.csv"
    bad.write_text("tier,p95_ms\nsmall,50\n")
    with pytest.raises(ValueError, match="columns"):
        datasets.load_scale_tiers(bad)


COSTS = [1000, 2500, 8000, 25000]


PERF_MIN = [1, 2, 3, 5]


PERF_MAX = [1, 2, 4, 6]


def test_the_table_holds_the_seed_figures():
    table = datasets.load_server_costs()
    assert list(table["cpus"]) == [4, 8, 16, 32]
    assert list(table["ram_gb"]) == [16, 32, 64, 128]
    assert list(table["cost_usd"]) == COSTS
    assert list(table["performance_min"]) == PERF_MIN and list(table["performance_max"]) == PERF_MAX
    assert list(table["performance_mid"]) == [1, 2, 3.5, 5.5]


def test_the_loader_rejects_a_table_without_its_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("tier,cost_usd\na,1\n")
    with pytest.raises(ValueError, match="performance_min"):
        datasets.load_server_costs(path)


# ------------------------------------------------------------------------------------------------- autoscaling
def test_trace_file_is_what_the_script_writes():
    import pandas as pd
    from make_traffic_trace import make_trace

    stored, made = datasets.load_traffic_trace(), make_trace()
    pd.testing.assert_frame_equal(stored, made, check_dtype=False)
    spike = stored[(stored["minute"] >= 1440 + 1200) & (stored["minute"] < 1440 + 1230)]["rps"]
    before = stored[(stored["minute"] >= 1440 + 1170) & (stored["minute"] < 1440 + 1200)]["rps"]
    assert spike.iloc[2:].mean() > 2 * before.mean()  # the flash crowd is there
