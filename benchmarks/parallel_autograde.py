"""Serial vs parallel autograding of one class, measured in one run.

    python benchmarks/parallel_autograde.py                # 40 submissions of lab00, jobs 1 vs all cores
    python benchmarks/parallel_autograde.py --students 20 --lab lab01_measuring

Builds a temporary course, submits the lab's solution notebook as N students, grades the class with
``scalelab.classroom.autograde`` at jobs=1 and at jobs=cores, checks that every grade is identical, and prints a
table of wall times (s), submissions per second and the speed-up. Removes the temporary course afterwards.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import pandas as pd

from scalelab import classroom

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


def measure(lab, students, jobs):
    """Grade the same class afresh with ``jobs`` processes; return (wall seconds, grades table)."""
    with tempfile.TemporaryDirectory(prefix="scalelab-class-") as tmp:
        course = make_course(tmp, lab, students)
        start = time.perf_counter()
        table = classroom.autograde(lab, course_root=course, jobs=jobs)
        return time.perf_counter() - start, table[["student", "score", "status"]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="lab00_start_here")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel processes (default: cores)")
    args = parser.parse_args(argv)
    rows, tables = [], {}
    for jobs in (1, args.jobs):
        wall, tables[jobs] = measure(args.lab, args.students, jobs)
        rows.append({"jobs": jobs, "submissions": args.students, "wall_s": round(wall, 1),
                     "submissions_per_s": round(args.students / wall, 2)})
    result = pd.DataFrame(rows)
    result["speedup"] = (result["wall_s"].iloc[0] / result["wall_s"]).round(2)
    identical = tables[1].equals(tables[args.jobs])
    print(f"Autograding {args.students} submissions of {args.lab} on {os.cpu_count()} cores "
          f"(load average before: {os.getloadavg()[0]:.1f})")
    print(result.to_string(index=False))
    print(f"grades identical in both runs: {identical}; "
          f"all full marks: {bool((tables[1]['status'] == 'graded').all())}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
