"""Make a class of submissions of lab00 for grading tests: good, blank, partial, and broken or hostile ones.

Each kind is (name, how to make it from the solution/release notebooks, expected score or None for 'graded
partially', expected status). lab00 has two parts of one point each: part 1 defines requests_per_second(),
part 2 sets error_percent.
"""
import json
import pathlib
import shutil

import nbformat

LAB = "lab00_start_here"
ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"


def _answer_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]


def _test_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def _student_version():
    """The released lab with both answers filled in correctly (what a good student submits)."""
    nb = nbformat.read(RELEASE, as_version=4)
    first, second = _answer_cells(nb)
    first.source = "def requests_per_second(completed, seconds):\n    return completed / seconds"
    second.source = "failed, total = 3, 1200\nerror_percent = 100 * failed / total"
    return nb


def good(nb):
    return nb


def blank(nb):
    return nbformat.read(RELEASE, as_version=4)


def partial(nb):
    _answer_cells(nb)[1].source = "error_percent = 3 / 1200  # forgot the percent"
    return nb


def syntax_error(nb):
    _answer_cells(nb)[0].source = "def requests_per_second(completed, seconds)\n    return completed / seconds"
    return nb


def infinite_loop(nb):
    _answer_cells(nb)[0].source = "while True:\n    pass"
    return nb


def kernel_death(nb):
    _answer_cells(nb)[0].source = "import os\nos._exit(1)"
    return nb


def memory_blowup(nb):
    _answer_cells(nb)[0].source = "hoard = []\nwhile True:\n    hoard.append(bytearray(100 * 2**20))"
    return nb


def enormous_output(nb):
    _answer_cells(nb)[0].source += "\nfor i in range(50_000):\n    print('spam', i)"
    return nb


def deleted_answer_cell(nb):
    nb.cells.remove(_answer_cells(nb)[0])
    return nb


def deleted_test_cell(nb):
    nb.cells.remove(_test_cells(nb)[1])
    _answer_cells(nb)[1].source = "error_percent = 42.0"  # wrong, and the test that would catch it is deleted
    return nb


def edited_test_cell(nb):
    _answer_cells(nb)[1].source = "error_percent = 42.0"
    _test_cells(nb)[1].source = "pass  # tests? what tests?"
    return nb


def edited_metadata(nb):
    _answer_cells(nb)[1].source = "error_percent = 42.0"
    test = _test_cells(nb)[1]
    test.metadata["nbgrader"]["points"] = 100
    test.metadata["nbgrader"]["grade"] = False
    test.source = "pass"
    return nb


def wrong_kernel(nb):
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia 1.9", "language": "julia"}
    return nb


def monkeypatch(nb):
    _answer_cells(nb)[1].source = ("error_percent = 42.0\nimport scalelab as sl\n"
                                   "sl.grading.close = lambda *args, **kwargs: None")
    return nb


KINDS = {
    # kind: (builder, expected score of 2, expected status)
    "good": (good, 2.0, "graded"),
    "blank": (blank, 0.0, "graded"),
    "partial": (partial, 1.0, "graded"),
    "syntax_error": (syntax_error, 1.0, "graded"),
    "infinite_loop": (infinite_loop, 1.0, "graded"),
    "kernel_death": (kernel_death, 0.0, None),
    "memory_blowup": (memory_blowup, 1.0, "graded"),
    "enormous_output": (enormous_output, 2.0, "graded"),
    "deleted_answer_cell": (deleted_answer_cell, 1.0, "graded"),
    "deleted_test_cell": (deleted_test_cell, 1.0, "graded"),
    "edited_test_cell": (edited_test_cell, 1.0, "graded"),
    "edited_metadata": (edited_metadata, 1.0, "graded"),
    "wrong_kernel": (wrong_kernel, 2.0, "graded"),
    "monkeypatch": (monkeypatch, 0.0, "flagged"),
    "invalid_json": (None, 0.0, "unreadable"),
    "renamed_file": (good, 2.0, "graded"),
}


def write_submission(course, student, kind):
    """Write the submission of ``kind`` for ``student`` into course/submitted/<student>/lab00_start_here/."""
    folder = pathlib.Path(course) / "submitted" / student / LAB
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{LAB}.ipynb"
    if kind == "invalid_json":
        text = json.dumps(nbformat.writes(_student_version()))[: 500]  # a truncated download
        (folder / name).write_text(text)
        return folder
    builder = KINDS[kind][0]
    nb = builder(_student_version())
    if kind == "renamed_file":
        name = f"{LAB} (1).ipynb"
    nbformat.write(nb, folder / name)
    return folder


def copy_course(target, lab=LAB):
    """A course directory for grading tests of ``lab``: config (rooted at target), its solution, its released lab."""
    target = pathlib.Path(target)
    shutil.copytree(ROOT / "solutions" / lab, target / "solutions" / lab)
    shutil.copytree(ROOT / "labs" / lab, target / "labs" / lab)
    config = (ROOT / "nbgrader_config.py").read_text().replace(
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))",
        f"c.CourseDirectory.root = {str(target)!r}")
    (target / "nbgrader_config.py").write_text(config)
    return target
