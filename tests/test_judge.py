"""Plain data across the sandbox boundary, tests judged in the grader, submission files checked before grading."""
import json
import os
import socket

import numpy as np
import pandas as pd
import pytest

from scalelab import _codec, classroom, grading, judge


def crossed(value):
    """``value`` as the grader receives it: dumped in the kernel, sent as JSON text, loaded in the grader."""
    return _codec.load(json.loads(json.dumps(_codec.dump(value))))


class Liar(float):
    def __float__(self):
        return 250.0


class EqualToAll:
    def __eq__(self, other):
        return True

    def __ge__(self, other):
        return True


@pytest.mark.parametrize("value", [None, True, 3, 2.5, "p95", [1, (2, 3)], {"a": [1.5]}, {1, 2}, 10**30,
                                   float("inf")])
def test_plain_values_cross_unchanged(value):
    got = crossed(value)
    assert got == value and type(got) is type(value)


def test_numpy_and_pandas_cross_with_their_types():
    array = crossed(np.array([[1.5, 2.0], [3.0, np.nan]]))
    assert array.dtype == np.float64 and array.shape == (2, 2) and np.isnan(array[1, 1])
    assert type(crossed(np.int64(7))) is np.int64
    frame = pd.DataFrame({"batch_size": [1, 8], "mean_ms": [0.5, 2.5]}, index=[10, 20])
    frame.attrs["kill_at_s"] = 0.7
    assert crossed(frame).equals(frame) and crossed(frame).attrs == {"kill_at_s": 0.7}
    series = pd.Series([1.0, 2.0], name="x")
    assert crossed(series).equals(series)


def test_forgeries_arrive_as_opaque_markers_the_checks_reject():
    for forged in (Liar(1.0), EqualToAll(), [EqualToAll()], np.array([EqualToAll()], dtype=object)):
        got = crossed(forged)
        inner = got if isinstance(got, _codec.Opaque) else (got[0] if not isinstance(got, np.ndarray) else got[0])
        assert isinstance(inner, _codec.Opaque)
    with pytest.raises(AssertionError, match="expected a number"):
        grading.close(crossed(Liar(1.0)), 250.0)
    assert crossed(EqualToAll()) != 1


def test_malformed_data_never_builds_other_types():
    for data in ({"t": "ndarray", "dtype": "O", "v": "x"}, {"t": "npscalar", "dtype": "V8", "v": 1},
                 {"t": "module", "v": "os"}, {"t": "dict", "v": 5}, {"t": "record", "v": 3}, {"t": "float", "v": "1e999"}):
        assert isinstance(_codec.load(data), _codec.Opaque)


class FakeRemote:
    """The student's kernel as a dict of values, for judging without a kernel."""

    def __init__(self, values):
        self.values = values

    def fetch(self, name):
        if name not in self.values:
            raise KeyError(name)
        return self.values[name]


def test_tests_see_the_graders_builtins_and_imports_not_the_students():
    namespace = judge.TestNamespace(FakeRemote({"abs": lambda x: 0, "answer": 5.0, "sl": None}))
    exec(judge.course_imports(["import scalelab as sl\nx = 1"]), namespace)
    passed, _ = judge.run_test_cell("sl.grading.that(abs(answer - 3) < 0.1, 'far')", namespace, "t")
    assert not passed  # the student's abs() and sl are not used
    passed, outputs = judge.run_test_cell("sl.grading.close(answer, 5.0)\nprint(globals().get('answer'))",
                                          namespace, "t")
    assert passed and outputs[0]["text"] == "5.0\n"


def test_a_failed_hidden_test_shows_one_line_and_no_student_text():
    source = "x = 1\n### BEGIN HIDDEN TESTS\nraise judge.StudentCodeError('ValueError', 'secret input 99')\n" \
             "### END HIDDEN TESTS"
    namespace = judge.TestNamespace(FakeRemote({}))
    namespace["judge"] = judge
    passed, outputs = judge.run_test_cell(source, namespace, "t")
    assert not passed and outputs[-1]["ename"] == "ValueError" and "99" not in json.dumps(outputs)
    assert judge.unjudgeable([("ok", "x = 1"), ("magic", "%timeit x")]) == ["magic"]


def test_submission_folders_hold_only_regular_files(tmp_path):
    folder = tmp_path / "alice" / "lab"
    folder.mkdir(parents=True)
    (folder / "lab.ipynb").write_text(json.dumps({"cells": []}))
    assert classroom.foreign_files(folder) == []
    (folder / "gradebook.db").symlink_to(tmp_path / "elsewhere.db")
    os.link(folder / "lab.ipynb", tmp_path / "outside.ipynb")
    os.mkfifo(folder / "pipe")
    with socket.socket(socket.AF_UNIX) as unix:
        unix.bind(str(folder / "sock"))
        found = classroom.foreign_files(folder)
    assert [f.split()[0] for f in found] == ["gradebook.db", "lab.ipynb", "pipe", "sock"]
    status, messages = classroom.prepare(folder, {"lab.ipynb": {}})
    assert status == "refused" and "gradebook.db (a symbolic link)" in messages[0]
    assert (folder / "gradebook.db").is_symlink()  # nothing was touched


def test_a_symlinked_lab_folder_is_refused(tmp_path):
    (tmp_path / "bob" / "real").mkdir(parents=True)
    (tmp_path / "bob" / "lab").symlink_to(tmp_path / "bob" / "real")
    assert classroom.prepare(tmp_path / "bob" / "lab", {"lab.ipynb": {}})[0] == "refused"
