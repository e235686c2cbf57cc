"""The package works outside this checkout: a wheel built from the repository holds the course's tables, and a
non-editable install in a fresh virtual environment imports scalelab and loads every table.

The fresh environment borrows the installed, pinned dependencies (a .pth line to this interpreter's site-packages,
whose own .pth files, among them the editable install of scalelab, are not run), so nothing is downloaded."""
import json
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile

import pytest

from scalelab import datasets

ROOT = pathlib.Path(__file__).resolve().parents[2]

CHECK = """
import json, pathlib, scalelab
from scalelab import datasets
print(json.dumps({"file": scalelab.__file__,
                  "rows": {name: len(datasets.load_table(name)) for name in datasets.table_names()},
                  "tiers": list(datasets.load_scale_tiers()["tier"]),
                  "grading": scalelab.grading.__name__}))
"""


@pytest.mark.slow
def test_a_wheel_installs_outside_the_checkout_and_loads_the_tables(tmp_path):
    source = tmp_path / "source"   # build from a copy: the checkout gets no build/ folder
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "scalelab", source / "scalelab", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(dist), str(source)], check=True, capture_output=True, timeout=120)
    (wheel,) = dist.glob("scalelab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n for n in names if n.startswith("scalelab/data/")) == \
        sorted(f"scalelab/data/{name}.csv" for name in datasets.table_names())
    assert not any(n.startswith(("tests/", "notebooks/", "solutions/", "labs/")) for n in names)

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = pathlib.Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                       check=True, capture_output=True, text=True).stdout.strip())
    (site / "pinned_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True, timeout=120)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    run = subprocess.run([str(python), "-I", "-c", CHECK], cwd=outside, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert pathlib.Path(found["file"]).is_relative_to(site), found["file"]   # the wheel, not the checkout
    assert found["rows"] == {"scale_tiers": 4, "scaling_phases": 11, "server_costs": 4, "traffic_trace": 2880}
    assert found["tiers"] == ["small", "medium", "large", "enterprise"]
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 1000:.0f} kB, tables {found['rows']}")
