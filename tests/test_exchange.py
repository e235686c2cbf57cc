"""The classroom path end to end with nbgrader's own commands and exchange: generate, release, fetch as four
students, submit (correct, blank, partly right, late), collect, autograde, feedback, export grades."""
import csv
import datetime as dt
import os
import subprocess
import sys
import time

import nbformat
import pytest

from scalelab import classroom
from tests import submissions

LAB = submissions.LAB
COURSE_ID = "scalability-fundamentals"


# nbgrader names a submission after the operating-system user. The students here share one OS account, so each
# student's commands run nbgrader with that user name replaced and with a home folder of their own (nbgrader keeps
# each student's submission cache there); everything else is nbgrader's own code path.
AS_STUDENT = ("import os, sys, nbgrader.utils as u; u.get_osusername = lambda: os.environ['STUDENT_ID']; "
              "from nbgrader.apps.nbgraderapp import main; sys.argv[0] = 'nbgrader'; main()")


def nbgrader(*args, cwd, user=None, exchange):
    env = classroom._environment()
    command = [sys.executable, "-m", "nbgrader"]
    if user:
        env.update(STUDENT_ID=user, HOME=str(cwd))
        command = [sys.executable, "-c", AS_STUDENT]
    done = subprocess.run([*command, *args, f"--Exchange.root={exchange}", "--log-level=ERROR"], cwd=cwd, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def answer(path, kind):
    """Fill the fetched lab the way this student would."""
    nb = nbformat.read(path, as_version=4)
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    if kind in ("correct", "late", "partial"):
        answers[0].source = "def requests_per_second(completed, seconds):\n    return completed / seconds"
    if kind in ("correct", "late"):
        answers[1].source = "failed, total = 3, 1200\nerror_percent = 100 * failed / total"
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def classroom_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("exchange")
    exchange = base / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    course = submissions.copy_course(base / "course")
    run = lambda *a, **k: nbgrader(*a, exchange=exchange, **k)  # noqa: E731
    run("generate_assignment", LAB, "--force", cwd=course)
    run("release_assignment", LAB, "--force", cwd=course)
    students = {"alice": "correct", "bob": "blank", "carol": "partial", "dave": "late"}
    for student, kind in students.items():
        home = base / student
        home.mkdir()
        run("fetch_assignment", LAB, f"--course={COURSE_ID}", cwd=home, user=student)
        answer(home / LAB / f"{LAB}.ipynb", kind)
        if kind == "late":
            due = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            run("db", "assignment", "add", LAB, f"--duedate={due}", cwd=course)
            time.sleep(1.5)
        run("submit", LAB, f"--course={COURSE_ID}", cwd=home, user=student)
    run("collect", LAB, cwd=course)
    run("autograde", LAB, "--force", cwd=course)
    run("generate_feedback", LAB, "--force", cwd=course)
    run("release_feedback", LAB, cwd=course)
    for student in students:
        run("fetch_feedback", LAB, f"--course={COURSE_ID}", cwd=base / student, user=student)
    run("export", f"--to={base / 'grades.csv'}", cwd=course)
    with open(base / "grades.csv") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return base, course, grades


def test_every_student_is_collected_and_graded(classroom_run):
    _, course, grades = classroom_run
    assert sorted(grades) == ["alice", "bob", "carol", "dave"]
    assert all((course / "autograded" / s / LAB / f"{LAB}.ipynb").exists() for s in grades)


def test_scores_in_the_exported_csv(classroom_run):
    _, _, grades = classroom_run
    score = {s: float(row["score"]) for s, row in grades.items()}
    assert score["alice"] == 2.0 and score["bob"] == 0.0 and score["carol"] == 1.0
    assert float(grades["dave"]["raw_score"]) == 2.0
    assert float(grades["dave"]["late_submission_penalty"]) == pytest.approx(0.2)  # 10 % for one started day
    assert score["dave"] == pytest.approx(1.8)
    assert all(float(row["max_score"]) == 2.0 for row in grades.values())


def test_feedback_reaches_students_without_hidden_tests(classroom_run):
    base, _, _ = classroom_run
    for student in ("alice", "bob", "carol", "dave"):
        pages = list((base / student / LAB / "feedback").rglob("*.html"))
        assert len(pages) == 1, f"{student} fetched {len(pages)} feedback pages, want exactly their own"
        html = pages[0].read_text()
        assert "requests_per_second" in html  # the visible test is there
        assert "45, 1.5" not in html and "HIDDEN TESTS" not in html, f"hidden tests leak into {student}'s feedback"
    bob = next((base / "bob" / LAB / "feedback").rglob("*.html")).read_text()
    assert "NotImplementedError" in bob
