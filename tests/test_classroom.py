"""Grading a class: broken and hostile submissions end with a fair score and a message; parallel = serial grades."""
import json
import os
import subprocess
import sys

import pytest

from scalelab import classroom
from tests import submissions


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = submissions.copy_course(tmp_path_factory.mktemp("class"))
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", submissions.LAB, "--force",
                    "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
    return course


@pytest.fixture(scope="module")
def graded(course):
    for kind in submissions.KINDS:
        submissions.write_submission(course, kind, kind)
    table = classroom.autograde(submissions.LAB, course_root=course, jobs=2, timeout=10)
    return table.set_index("student")


def test_no_submission_is_lost(graded):
    assert sorted(graded.index) == sorted(submissions.KINDS)
    assert (graded["max_score"] == 2.0).all()


@pytest.mark.parametrize("kind", sorted(submissions.KINDS))
def test_each_kind_gets_a_fair_score_and_a_message(graded, kind):
    _, score, status = submissions.KINDS[kind]
    row = graded.loc[kind]
    assert row["score"] == score, f"{kind}: score {row['score']}, want {score}; message: {row['message']}"
    if status:
        assert row["status"] == status, f"{kind}: status {row['status']}, want {status}"
    if kind not in ("good", "wrong_kernel", "enormous_output"):
        assert row["message"] != "Graded.", f"{kind}: the student gets no explanation"


def test_messages_say_what_went_wrong(graded):
    assert "CellTimeoutError" in graded.loc["infinite_loop", "message"]
    assert ("MemoryError" in graded.loc["memory_blowup", "message"]
            or "NameError" in graded.loc["memory_blowup", "message"])
    assert "stopped the Python kernel" in graded.loc["kernel_death", "message"]
    assert "not a readable notebook" in graded.loc["invalid_json", "message"]
    assert "sl.grading.close" in graded.loc["monkeypatch", "message"]
    assert "graded as" in graded.loc["renamed_file", "message"]
    assert "put back" in graded.loc["edited_metadata", "message"]


def test_flagged_zero_is_in_the_gradebook(course, graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(submissions.LAB, "monkeypatch").score == 0
        assert gb.find_submission(submissions.LAB, "good").score == 2


def test_parallel_grades_equal_serial_grades(tmp_path):
    kinds = ["good", "blank", "partial", "syntax_error", "deleted_test_cell", "wrong_kernel"]
    tables = []
    for jobs in (1, 2):
        course = submissions.copy_course(tmp_path / f"jobs{jobs}")
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", submissions.LAB, "--force",
                        "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
        for kind in kinds:
            submissions.write_submission(course, kind, kind)
        tables.append(classroom.autograde(submissions.LAB, course_root=course, jobs=jobs)[["student", "score"]])
    assert tables[0].equals(tables[1])
    assert list(tables[0]["score"]) == [submissions.KINDS[k][1] for k in sorted(kinds)]


class TestChecksBeforeGrading:
    def test_tampering_finds_patches_and_rebinding(self):
        cells = [{"cell_type": "code", "metadata": {}, "source": src} for src in (
            "sl.grading.close = lambda *a, **k: None", "import fake as sl", "setattr(sl.grading, 'close', id)",
            "x = 1\nresults['p95'] = 3", "sl.seed(3)")]
        found = classroom.tampering(cells)
        assert len(found) == 3 and "cell 1" in found[0] and "cell 2" in found[1] and "cell 3" in found[2]

    def test_locked_cells_are_not_scanned(self):
        cell = {"cell_type": "code", "source": "sl.grading.close = None",
                "metadata": {"nbgrader": {"locked": True, "grade": True, "solution": False}}}
        assert classroom.tampering([cell]) == []

    def test_repair_metadata(self):
        released = {"t1": {"grade": True, "grade_id": "t1", "locked": True, "points": 2, "solution": False}}
        cells = [{"metadata": {"nbgrader": {**released["t1"], "points": 99}}},
                 {"metadata": {"nbgrader": {"grade_id": "invented", "grade": True}}}, {"metadata": {}}]
        assert classroom.repair_metadata(cells, released) == ["t1", "invented"]
        assert cells[0]["metadata"]["nbgrader"]["points"] == 2 and "nbgrader" not in cells[1]["metadata"]

    def test_prepare_renames_a_single_misnamed_notebook(self, tmp_path):
        (tmp_path / "copy of lab.ipynb").write_text(json.dumps({"cells": []}))
        status, messages = classroom.prepare(tmp_path, {"lab.ipynb": {}})
        assert status == "graded" and (tmp_path / "lab.ipynb").exists() and "copy of lab.ipynb" in messages[0]

    def test_prepare_reports_missing_notebooks(self, tmp_path):
        status, messages = classroom.prepare(tmp_path, {"lab.ipynb": {}})
        assert status == "missing" and "lab.ipynb" in messages[0]

    def test_late_penalty_is_ten_percent_per_started_day(self):
        plugin = classroom.LatePenalty()
        assert plugin.late_submission_penalty("s", 10.0, 60) == pytest.approx(1.0)
        assert plugin.late_submission_penalty("s", 10.0, 86400 * 2.5) == pytest.approx(3.0)
        assert plugin.late_submission_penalty("s", 10.0, 86400 * 30) == pytest.approx(10.0)

    def test_late_penalty_rate_is_a_setting(self):
        from traitlets.config import Config

        plugin = classroom.LatePenalty(config=Config({"LatePenalty": {"rate_per_day": 0.05}}))
        assert plugin.late_submission_penalty("s", 10.0, 86400 * 2.5) == pytest.approx(1.5)
        assert plugin.late_submission_penalty("s", 10.0, 86400 * 19) == pytest.approx(9.5)

    def test_links_and_odd_files_are_refused_before_anything_is_read(self, tmp_path):
        (tmp_path / "secret").write_text("gradebook")
        cases = {"symlink": lambda f: (f / "lab.ipynb").symlink_to(tmp_path / "secret"),
                 "hardlink": lambda f: os.link(tmp_path / "secret", f / "lab.ipynb"),
                 "fifo": lambda f: os.mkfifo(f / "pipe"),
                 "nested symlink": lambda f: ((f / "sub").mkdir(), (f / "sub" / "x").symlink_to("/etc/passwd"))}
        for name, make in cases.items():
            folder = tmp_path / name.replace(" ", "_")
            folder.mkdir()
            make(folder)
            status, messages = classroom.prepare(folder, {"lab.ipynb": {}})
            assert status == "refused" and "only plain files" in messages[0], name
        assert (tmp_path / "secret").read_text() == "gradebook"

    def test_notebooks_far_bigger_than_the_lab_are_refused(self, tmp_path):
        cells = [{"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []}] * 201
        (tmp_path / "lab.ipynb").write_text(json.dumps({"cells": cells}))
        status, messages = classroom.prepare(tmp_path, {"lab.ipynb": {"t1": {}}})
        assert status == "refused" and "201 cells" in messages[0]
        (tmp_path / "lab.ipynb").write_text(json.dumps({"cells": cells[:150]}))
        assert classroom.prepare(tmp_path, {"lab.ipynb": {"t1": {}}})[0] == "graded"

    def test_bad_arguments(self, tmp_path):
        with pytest.raises(ValueError, match="jobs"):
            classroom.autograde("lab", course_root=tmp_path, jobs=0)
        with pytest.raises(ValueError, match="lab"):
            classroom.autograde("lab", course_root=tmp_path)
        with pytest.raises(ValueError, match="scheduler"):
            classroom.autograde("lab", course_root=tmp_path, scheduler="localhost:8786")
