"""Verdicts decided in the grader's process: a learner's kernel gives answers but cannot change how they are judged."""
import nbformat
import pytest

from scalelab import judge, sandbox

GIVEN = "import math\nimport scalelab as sl\n\ndef square(x):\n    return x * x"
TEST = ("sl.grading.close(area(3.0), 9 * math.pi, what='area(3.0)')\n"
        "sl.grading.equal(type(area(1.0)).__name__, 'float', what='type of area(1.0)')")
GOOD = "def area(r):\n    return math.pi * r * r"


def notebook(*answers, test=TEST):
    cells = [nbformat.v4.new_code_cell(GIVEN)]
    for i, answer in enumerate(answers):
        cells.append(nbformat.v4.new_code_cell(answer, metadata={"nbgrader": {
            "solution": True, "grade": False, "locked": False, "grade_id": f"answer{i}", "schema_version": 3}}))
    cells.append(nbformat.v4.new_code_cell(test, metadata={"nbgrader": {
        "solution": False, "grade": True, "locked": True, "grade_id": "test_area", "points": 1, "schema_version": 3}}))
    return nbformat.v4.new_notebook(cells=cells)


def run(*answers, test=TEST, use_sandbox=False, timeout_s=10):
    nb = notebook(*answers, test=test)
    tests, given = judge.lab_spec(nb)
    result = judge.grade(nb, tests, given, {}, course=".", timeout_s=timeout_s, use_sandbox=use_sandbox)
    return nbformat.reads(result["notebook"], as_version=4), result


def errors(nb):
    """The error name of each code cell's first error output, or None."""
    return [next((o.ename for o in c.outputs if o.output_type == "error"), None) for c in nb.cells
            if c.cell_type == "code"]


def test_lab_spec_takes_tests_and_the_given_code():
    tests, given = judge.lab_spec(notebook(GOOD))
    assert tests == {"test_area": TEST}
    assert given == ["import math", "import scalelab as sl", "def square(x):\n    return x * x"]


def test_a_right_answer_passes_and_a_wrong_one_fails():
    assert errors(run(GOOD)[0])[-1] is None
    nb, _ = run("def area(r):\n    return 2 * math.pi * r")
    assert errors(nb)[-1] == "AssertionError" and "area(3.0)" in nb.cells[-1].outputs[-1].evalue


@pytest.mark.parametrize("cheat", [
    "import builtins\nclass Never(Exception):\n    pass\nbuiltins.AssertionError = Never",
    "import sys, types\nsys.modules['scalelab.grading'] = types.SimpleNamespace(close=print, equal=print)\n"
    "import scalelab\nscalelab.grading = sys.modules['scalelab.grading']",
    "get_ipython().events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))\n"
    "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)",
    "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    "class Anything(float):\n    def __eq__(self, other):\n        return True\n    __ge__ = __le__ = __eq__\n"
    "    def __sub__(self, other):\n        return 0.0\n    __rsub__ = __sub__\n    def __float__(self):\n"
    "        import sys\n        frame = sys._getframe(1)\n        return float(frame.f_locals.get('expected', 0))\n"
    "def area(r):\n    return Anything(0)",
])
def test_hooks_and_lies_in_the_kernel_do_not_change_the_verdict(cheat):
    nb, _ = run(cheat, "def area(r):\n    return -1.0" if "Anything" not in cheat else "pass")
    assert errors(nb)[-1] is not None, f"the cheat passed: {cheat!r}"


def test_the_learner_exception_keeps_its_builtin_kind():
    test = ("try:\n    area(-1)\nexcept ValueError as exc:\n    assert 'radius' in str(exc)\n"
            "else:\n    raise AssertionError('area(-1) should raise ValueError')")
    answer = ("class RadiusError(ValueError):\n    pass\n"
              "def area(r):\n    if r < 0:\n        raise RadiusError('radius must be >= 0')\n    return r")
    assert errors(run(answer, test=test)[0])[-1] is None
    assert errors(run("def area(r):\n    raise SystemExit(0)", test=test)[0])[-1] == "LearnerError"


def test_objects_of_the_learner_answer_through_handles():
    answer = ("class Counter:\n    def __init__(self):\n        self.n = 0\n    def add(self, k):\n"
              "        self.n += k\n        return self.n\ncounter = Counter()")
    test = ("assert counter.add(2) == 2 and counter.add(3) == 5 and counter.n == 5\n"
            "assert sum(square(k) for k in range(2000)) == sum(counter.add(0) * 0 + k * k for k in range(2000))\n"
            "assert counter != counter.n")
    assert errors(run(answer, test=test)[0])[-1] is None


def test_a_cell_over_its_limit_is_stopped_and_grading_goes_on():
    nb, result = run("while True:\n    pass", GOOD, timeout_s=3)
    assert errors(nb) == [None, "CellTimeoutError", None, None], result["log"]


def test_a_kernel_that_dies_fails_what_is_left():
    nb, _ = run("import os\nos._exit(3)", GOOD)
    assert errors(nb)[1:] == ["DeadKernelError"] * 3


@pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")
def test_the_same_verdicts_in_the_sandbox():
    nb, result = run(GOOD, use_sandbox=True)
    assert result["sandboxed"] and errors(nb)[-1] is None
    nb, _ = run("import builtins\nbuiltins.AssertionError = KeyError\ndef area(r):\n    return 0.0",
                use_sandbox=True)
    assert errors(nb)[-1] == "AssertionError"


def test_a_flood_of_output_is_cut_and_counted():
    nb, _ = run("print('x' * 2**20 * 12)", GOOD)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert len(text) <= judge.OUTPUT_LIMIT_BYTES + 200 and "left out" in text
    assert errors(nb)[-1] is None


def test_the_whole_notebook_has_a_time_budget():
    answers = ["import time\ntime.sleep(1.5)"] * (judge.NOTEBOOK_LIMIT_CELLS + 3)
    nb, result = run(*answers, GOOD, timeout_s=2)
    found = errors(nb)
    assert found[1] is None and found[-1] == "CellTimeoutError"
    assert "total time limit" in nb.cells[-1].outputs[-1].evalue, result["log"]


def test_a_test_that_catches_everything_still_fails_when_the_kernel_is_gone():
    test = ("ok = 0\nfor r in (1.0, 2.0):\n    try:\n        ok += area(r) > 0\n    except Exception:\n        pass\n"
            "assert ok == 0 or ok == 2")
    nb, _ = run("import os\ndef area(r):\n    os._exit(1)", test=test)
    assert errors(nb)[-1] == "DeadKernelError"
