"""A class graded through a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1 give the
same grades as a local run, and everything is stopped afterwards."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from scalelab import classroom
from tests import submissions

KINDS = ["good", "blank", "partial", "syntax_error", "deleted_test_cell", "monkeypatch", "kernel_death"]


def dask_command(*args):
    return [os.path.join(os.path.dirname(sys.executable), "dask"), *args]


class Cluster:
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1, each in its own process group."""

    def __init__(self, folder):
        self.folder, self.processes = folder, []
        scheduler_file = folder / "scheduler.json"
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--dashboard-address", "127.0.0.1:0",
                    "--scheduler-file", str(scheduler_file))
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(scheduler_file.read_text())["address"]
        for i in (1, 2):
            self._start(f"worker{i}", "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                        "--no-dashboard", "--dashboard-address", "127.0.0.1:0", "--memory-limit", "0",
                        "--name", f"worker{i}")
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            self.worker_pids = sorted(client.run(os.getpid).values())

    def _start(self, name, *args):
        with open(self.folder / f"{name}.log", "wb") as log:
            self.processes.append(subprocess.Popen(dask_command(*args), stdout=log, stderr=subprocess.STDOUT,
                                                   stdin=subprocess.DEVNULL, start_new_session=True))

    def family(self):
        out = []
        for proc in self.processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                parent = psutil.Process(proc.pid)
                out += [parent, *parent.children(recursive=True)]
        return out

    def stop(self):
        """SIGTERM to each group; returns the processes still alive 20 s later (then killed)."""
        family = self.family()
        for proc in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(family, timeout=20)
        for proc in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()
        for proc in self.processes:
            proc.wait(timeout=10)
        return alive


@pytest.fixture
def cluster(tmp_path):
    folder = tmp_path / "dask"
    folder.mkdir()
    cluster = Cluster(folder)
    try:
        yield cluster
    finally:
        cluster.stop()


def grade_class(tmp_path, name, **how):
    course = submissions.copy_course(tmp_path / name)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", submissions.LAB, "--force",
                    "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
    for kind in KINDS:
        submissions.write_submission(course, kind, kind)
    return classroom.autograde(submissions.LAB, course_root=course, timeout=10, **how)


def test_a_real_cluster_grades_like_the_local_run_and_stops(tmp_path, cluster):
    assert len(cluster.worker_pids) == 2 and os.getpid() not in cluster.worker_pids
    remote = grade_class(tmp_path, "remote", scheduler=cluster.address)
    local = grade_class(tmp_path, "local", jobs=1)
    columns = ["student", "score", "status"]
    assert remote[columns].equals(local[columns])
    assert list(remote.set_index("student").loc[KINDS, "score"]) == [submissions.KINDS[k][1] for k in KINDS]
    family = cluster.family()
    assert not [p for p in family if "ipykernel" in " ".join(p.cmdline())], "kernels left after grading"
    assert cluster.stop() == [], "Dask processes that ignored SIGTERM"
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_a_bad_scheduler_address_is_refused(tmp_path):
    with pytest.raises(ValueError, match="scheduler"):
        classroom.autograde(submissions.LAB, course_root=tmp_path, scheduler="127.0.0.1:8786")
