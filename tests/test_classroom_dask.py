"""The Dask path for real: a `dask scheduler` and two `dask worker` processes on 127.0.0.1 grade a class; the
grades equal the local run's, and every process is stopped afterwards."""
import subprocess
import sys

import psutil

import submissions
from scalelab import classroom
from scalelab.dask_loopback import loopback_cluster

KINDS = ("good", "blank", "partial", "monkeypatch")


def _class(folder):
    course = submissions.copy_course(folder)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", submissions.LAB, "--force",
                    "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
    for kind in KINDS:
        submissions.write_submission(course, kind, kind)
    return course


def _dask_commands(processes):
    return [p for p in processes if any(arg in ("scheduler", "worker") for arg in p.cmdline()[2:3])]


def test_grades_through_a_loopback_cluster_equal_the_local_run(tmp_path):
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    local = classroom.autograde(submissions.LAB, course_root=_class(tmp_path / "local"), jobs=1)
    with loopback_cluster(workers=2) as address:
        assert address.startswith("tcp://127.0.0.1:")
        started = [p for p in me.children(recursive=True) if p.pid not in before]
        assert len(_dask_commands(started)) == 3, "a dask scheduler and two dask workers run as processes"
        remote = classroom.autograde(submissions.LAB, course_root=_class(tmp_path / "dask"), scheduler=address)
    columns = ["student", "score", "max_score", "status"]
    assert remote[columns].equals(local[columns])
    assert dict(zip(remote["student"], remote["score"])) == {k: submissions.KINDS[k][1] for k in KINDS}
    left = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], f"processes outlived the cluster: {[p.cmdline() for p in left]}"
