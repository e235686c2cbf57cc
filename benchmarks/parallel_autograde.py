"""What safe, parallel grading costs: plain nbgrader vs the sandboxed classroom command, measured in one run.

    python benchmarks/parallel_autograde.py                   # 40 submissions of lab00
    python benchmarks/parallel_autograde.py --students 20 --lab lab01_measuring

Builds a temporary course, submits the lab's solution notebook as N students and grades the class five ways:
plain ``nbgrader autograde`` (serial, unsandboxed: the reference), the classroom command in one process without
and with the bubblewrap sandbox, the sandboxed command on a local Dask cluster (one worker per core), and the same
through a real two-worker Dask cluster on loopback (``dask scheduler`` + ``dask worker`` processes). It checks
that every run gives every student full marks and prints wall times, seconds per submission, the sandbox's
overhead per submission over unsandboxed grading, and the parallel speed-up over serial sandboxed grading.
Removes the temporary courses and stops every process afterwards.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pandas as pd

from scalelab import classroom
from scalelab.bench import temporary_directory
from scalelab.dask_loopback import loopback_cluster

ROOT = pathlib.Path(__file__).resolve().parents[1]


def make_course(base, lab, students):
    """A course with solutions/<lab>, the released lab, and ``students`` copies of the solution submitted."""
    course = pathlib.Path(base)
    shutil.copytree(ROOT / "solutions" / lab, course / "solutions" / lab)
    config = (ROOT / "nbgrader_config.py").read_text().replace(
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))", f"c.CourseDirectory.root = {str(course)!r}")
    (course / "nbgrader_config.py").write_text(config)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force", "--log-level=ERROR"],
                   cwd=course, check=True, env=classroom._environment())
    for k in range(students):
        target = course / "submitted" / f"student{k:03d}" / lab
        target.mkdir(parents=True)
        for notebook in (ROOT / "solutions" / lab).glob("*.ipynb"):
            shutil.copy(notebook, target / notebook.name)
    return course


def plain_nbgrader(course, lab):
    """Serial ``nbgrader autograde``; return every student's score from the gradebook."""
    from nbgrader.api import Gradebook

    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", lab, "--force", "--log-level=ERROR"], cwd=course,
                   check=True, env=classroom._environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return [s.score for s in gb.assignment_submissions(lab)], gb.find_assignment(lab).max_score


def measure(lab, students, way, address=None):
    """Grade a fresh class one ``way``; return (wall seconds, all full marks?)."""
    with temporary_directory(prefix="scalelab-class-") as tmp:
        course = make_course(tmp, lab, students)
        start = time.perf_counter()
        if way == "nbgrader":
            scores, max_score = plain_nbgrader(course, lab)
            wall = time.perf_counter() - start
            return wall, len(scores) == students and all(s == max_score for s in scores)
        options = {"unsandboxed": dict(jobs=1, sandbox=False), "sandboxed": dict(jobs=1),
                   "local cluster": dict(jobs=os.cpu_count() or 1), "loopback cluster": dict(scheduler=address)}[way]
        table = classroom.autograde(lab, course_root=course, **options)
        wall = time.perf_counter() - start
        return wall, bool((table["score"] == table["max_score"]).all() and len(table) == students)


WAYS = [("nbgrader", "plain nbgrader autograde, serial, unsandboxed"),
        ("unsandboxed", "classroom command, one process, no sandbox"),
        ("sandboxed", "classroom command, one process, bubblewrap"),
        ("local cluster", "classroom command, local Dask cluster, bubblewrap"),
        ("loopback cluster", "classroom command, dask scheduler + 2 dask workers on 127.0.0.1, bubblewrap")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="lab00_start_here")
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = []
    for way, what in WAYS:
        if way == "loopback cluster":
            with loopback_cluster(workers=2) as address:
                wall, full = measure(args.lab, args.students, way, address)
        else:
            wall, full = measure(args.lab, args.students, way)
        rows.append({"way": way, "what": what, "wall_s": round(wall, 1),
                     "s_per_submission": round(wall / args.students, 2), "all_full_marks": full})
        print(f"  {way}: {wall:.1f} s", file=sys.stderr)
    result = pd.DataFrame(rows).set_index("way")
    serial_sandboxed = result.loc["sandboxed", "wall_s"]
    result["speedup_vs_serial_sandboxed"] = (serial_sandboxed / result["wall_s"]).round(2)
    pd.set_option("display.width", 200)
    print(f"Autograding {args.students} submissions of {args.lab} on {os.cpu_count()} cores "
          f"(load average before: {load_before:.1f}, sandbox: {'bubblewrap' if classroom.sandbox.bwrap_path() else 'NONE'})")
    print(result.to_string())
    per = result["s_per_submission"]
    print(f"sandbox overhead per submission: {per['sandboxed'] / per['unsandboxed'] - 1:+.0%} over the unsandboxed "
          f"classroom command, {per['sandboxed'] / per['nbgrader'] - 1:+.0%} over plain nbgrader (goal <= +15 %)")
    print(f"parallel speed-up over serial sandboxed grading: local cluster "
          f"{result.loc['local cluster', 'speedup_vs_serial_sandboxed']:.2f}x, loopback cluster "
          f"{result.loc['loopback cluster', 'speedup_vs_serial_sandboxed']:.2f}x (goal >= 1.8x)")
    return 0 if result["all_full_marks"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
