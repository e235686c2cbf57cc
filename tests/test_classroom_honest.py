"""Honest grades do not change: through the sandboxed classroom command every lab's solution gets full marks and the
blank lab zero, the scores nbgrader itself gives them (tests/course/test_labs.py grades the same two notebooks with
plain nbgrader)."""
import logging
import shutil

import pytest
from roundtrip import all_labs, api_for, make_course

from scalelab import classroom

LABS = all_labs()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("honest"))
    api = api_for(course)
    for lab in LABS:
        assert api.generate_assignment(lab, force=True)["success"]
        for student, folder in (("solution", course / "solutions" / lab), ("blank", course / "labs" / lab)):
            target = course / "submitted" / student / lab
            target.mkdir(parents=True)
            for notebook in folder.glob("*.ipynb"):
                shutil.copy(notebook, target / notebook.name)
    return course


@pytest.fixture(scope="module")
def scheduler():
    """One local Dask cluster for every lab, reached by address as a remote one would be. One worker: the labs grade
    the learner's own benchmarks (lab 08's sweep), which plain nbgrader runs one at a time, so they do here too."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False}, memory_limit=0,
                      silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("lab", LABS)
def test_solution_full_marks_blank_zero(course, scheduler, lab):
    from nbgrader.api import Gradebook

    table = classroom.autograde(lab, course_root=course, scheduler=scheduler).set_index("student")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        max_auto = sum(c.max_score for n in gb.find_assignment(lab).notebooks for c in n.grade_cells
                       if c.cell_type == "code")
        code_scores = {s: gb.find_submission(lab, s).code_score for s in ("solution", "blank")}
    assert code_scores == {"solution": max_auto, "blank": 0}, table["message"].to_dict()
    assert set(table["status"]) == {"graded"}
