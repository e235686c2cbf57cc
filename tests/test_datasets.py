"""The course's tables (scalelab.datasets): shipped inside the package, read by name or from a learner's own file."""
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
