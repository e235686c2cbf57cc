"""Honest grades do not change under the sandboxed classroom command: every lab's solution gets full marks and the
blank lab zero, and on honest lab00 submissions the grades equal plain nbgrader's. One class, one Dask cluster."""
import contextlib
import pathlib
import shutil
import subprocess
import sys

import pytest

import submissions
from scalelab import classroom

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import roundtrip  # noqa: E402
LABS = sorted(p.name for p in (ROOT / "solutions").iterdir() if list(p.glob("*.ipynb")))
HONEST = ("good", "blank", "partial")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = submissions.copy_course(tmp_path_factory.mktemp("honest"))
    for lab in LABS:
        if lab != submissions.LAB:
            shutil.copytree(ROOT / "solutions" / lab, course / "solutions" / lab)
            shutil.copytree(ROOT / "labs" / lab, course / "labs" / lab)
    with contextlib.chdir(course):
        api = roundtrip.api_for(course)  # one process registers every lab in the gradebook
        for lab in LABS:
            assert api.generate_assignment(lab, force=True)["success"], lab
    for lab in LABS:
        for student, folder in (("solution", ROOT / "solutions" / lab), ("blank", ROOT / "labs" / lab)):
            target = course / "submitted" / student / lab
            target.mkdir(parents=True)
            for notebook in folder.glob("*.ipynb"):
                shutil.copy(notebook, target / notebook.name)
    return course


@pytest.fixture(scope="module")
def tables(course):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=0, dashboard_address="127.0.0.1:0",
                      host="127.0.0.1") as cluster:
        return {lab: classroom.autograde(lab, course_root=course, scheduler=cluster.scheduler_address)
                .set_index("student") for lab in LABS}


def _autograded_points(course, lab):
    """Points of the lab's autograded test cells (written answers are graded by hand)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebooks = gb.find_assignment(lab).notebooks
        return sum(c.max_score for n in notebooks for c in n.grade_cells if c.cell_type == "code")


@pytest.mark.parametrize("lab", LABS)
def test_solution_full_marks_blank_zero(course, tables, lab):
    table = tables[lab]
    assert table.attrs["sandboxed"] or classroom.sandbox.bwrap_path() is None
    solution, blank = table.loc["solution"], table.loc["blank"]
    full = _autograded_points(course, lab)
    assert full > 0
    assert solution["score"] == full, f"{lab}: solution {solution['score']} of {full}: {solution['message']}"
    assert blank["score"] == 0, f"{lab}: blank {blank['score']}: {blank['message']}"
    assert (solution["status"], blank["status"]) == ("graded", "graded")


def test_grades_equal_plain_nbgrader_on_honest_submissions(tmp_path):
    """The same honest class of lab00 graded both ways: plain nbgrader autograde and the classroom command."""
    scores = {}
    for way in ("nbgrader", "classroom"):
        course = submissions.copy_course(tmp_path / way)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", submissions.LAB, "--force",
                        "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
        for kind in HONEST:
            submissions.write_submission(course, kind, kind)
        if way == "nbgrader":
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", submissions.LAB, "--force",
                            "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
            from nbgrader.api import Gradebook

            with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
                scores[way] = {s: gb.find_submission(submissions.LAB, s).score for s in HONEST}
        else:
            table = classroom.autograde(submissions.LAB, course_root=course, jobs=1)
            scores[way] = dict(zip(table["student"], table["score"]))
    assert scores["classroom"] == scores["nbgrader"] == {k: submissions.KINDS[k][1] for k in HONEST}
