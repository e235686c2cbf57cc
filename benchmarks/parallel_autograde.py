"""What the sandbox and Dask cost and buy when grading one class, measured in one run.

    python benchmarks/parallel_autograde.py                       # 40 submissions of lab00
    python benchmarks/parallel_autograde.py --students 20 --lab lab01_measuring

Builds a fresh temporary course per configuration, submits the lab's solution as N students and grades it:
1. plain ``nbgrader autograde`` (serial, unsandboxed: the baseline instructors know);
2. the classroom command on one local Dask worker, without the sandbox;
3. the same with the bubblewrap sandbox (2 vs 3: the sandbox's cost per submission);
4. the sandboxed classroom command on a local cluster of one worker per core;
5. the same sent to a two-worker loopback cluster (``dask scheduler`` + 2 ``dask worker`` on 127.0.0.1).
Prints wall times, seconds per submission, the speed-ups over runs 1 and 3, the coordinator's serial phases
(autograde-logs/<lab>/timings.json) and whether every run gave every student full marks. A benchmark, not a test:
numbers depend on the machine and its load, which is printed with them.
"""
import argparse
import contextlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pandas as pd

from scalelab import classroom, sandbox

ROOT = pathlib.Path(__file__).resolve().parents[1]


def make_course(base, lab, students):
    """A course with solutions/<lab>, the released lab, and ``students`` copies of the solution submitted."""
    course = pathlib.Path(base)
    shutil.copytree(ROOT / "solutions" / lab, course / "solutions" / lab)
    config = (ROOT / "nbgrader_config.py").read_text().replace(
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))",
        f"c.CourseDirectory.root = {str(course)!r}")
    (course / "nbgrader_config.py").write_text(config)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force", "--log-level=ERROR"],
                   cwd=course, check=True, env=classroom._environment())
    for k in range(students):
        target = course / "submitted" / f"student{k:03d}" / lab
        target.mkdir(parents=True)
        for notebook in (ROOT / "solutions" / lab).glob("*.ipynb"):
            shutil.copy(notebook, target / notebook.name)
    return course


def plain_scores(course, lab):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return [(s.student.id, s.score) for s in gb.assignment_submissions(lab)], gb.find_assignment(lab).max_score


@contextlib.contextmanager
def loopback_cluster(folder, workers=2):
    """A ``dask scheduler`` and ``workers`` ``dask worker`` processes on 127.0.0.1; yields the address."""
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    scheduler_file = pathlib.Path(folder) / "scheduler.json"
    processes = []
    try:
        processes.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                           "--dashboard-address", "127.0.0.1:0",
                                           "--scheduler-file", str(scheduler_file)], start_new_session=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        while not scheduler_file.exists():
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            processes.append(subprocess.Popen([dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                               "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                                               "--memory-limit", "0", "--name", f"w{i}"],
                                              start_new_session=True, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


def run(name, lab, students, how):
    """Grade a fresh class one way; returns a result row."""
    with tempfile.TemporaryDirectory(prefix="scalelab-class-") as tmp:
        course = make_course(tmp, lab, students)
        phases = {}
        if how == "plain":
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", lab, "--force", "--log-level=ERROR"],
                           cwd=course, check=True, env=classroom._environment())
            wall = time.perf_counter() - start
            scores, max_score = plain_scores(course, lab)
            full = all(score == max_score for _, score in scores) and len(scores) == students
        else:
            with contextlib.ExitStack() as stack:
                kwargs = dict(how)
                if kwargs.pop("loopback", False):
                    kwargs["scheduler"] = stack.enter_context(loopback_cluster(tmp))
                start = time.perf_counter()
                table = classroom.autograde(lab, course_root=course, **kwargs)
                wall = time.perf_counter() - start
            full = bool((table["score"] == table["max_score"]).all()) and len(table) == students
            phases = json.loads((course / "autograde-logs" / lab / "timings.json").read_text())
    return {"run": name, "wall_s": round(wall, 1), "s_per_submission": round(wall / students, 2),
            "cluster_start_s": phases.get("cluster_start_s"), "sanitise_s": phases.get("sanitise_s"),
            "record_s": phases.get("record_s"), "all_full_marks": full}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="lab00_start_here")
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    runs = [("1 plain nbgrader, serial", "plain"),
            ("2 classroom, 1 worker, not sandboxed", {"jobs": 1, "sandboxed": False}),
            ("3 classroom, 1 worker, sandboxed", {"jobs": 1, "sandboxed": True}),
            (f"4 classroom, local cluster of {cores}, sandboxed", {"jobs": cores, "sandboxed": True}),
            ("5 classroom, 2-worker loopback cluster, sandboxed", {"loopback": True, "sandboxed": True})]
    if not sandbox.available():
        print("bubblewrap is not installed: runs 3-5 are skipped")
        runs = runs[:2]
    load = os.getloadavg()[0]
    rows = [run(name, args.lab, args.students, how) for name, how in runs]
    table = pd.DataFrame(rows)
    table["speedup_vs_1"] = (table.loc[0, "wall_s"] / table["wall_s"]).round(2)
    if len(rows) > 2:
        base = table.loc[2, "wall_s"]
        table["speedup_vs_3"] = (base / table["wall_s"]).round(2)
        cost = rows[2]["wall_s"] / rows[1]["wall_s"] - 1
    print(f"Grading {args.students} submissions of {args.lab} on {cores} cores (load average before: {load:.1f})")
    pd.set_option("display.width", 200)
    print(table.to_string(index=False))
    if len(rows) > 2:
        print(f"sandbox cost per submission (3 vs 2): {cost:+.0%}")
    return 0 if table["all_full_marks"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
