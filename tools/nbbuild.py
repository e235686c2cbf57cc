"""Build course notebooks from Python: lessons (plain cells) and nbgrader source notebooks (solutions + tests).

Used by the scripts in tools/ that write notebooks; notebooks are stored without outputs.

    from nbbuild import md, code, solution, tests, written, save
    save([md("# 01 · Measuring"), code("import scalelab as sl")], "notebooks/01_measuring.ipynb")
"""
import textwrap

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _src(text):
    return textwrap.dedent(text).strip("\n")


def md(text):
    """A Markdown cell."""
    return nbformat.v4.new_markdown_cell(_src(text))


def code(text):
    """A plain code cell."""
    return nbformat.v4.new_code_cell(_src(text))


def _nbgrader(cell, grade_id, grade, solution, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def solution(text, grade_id):
    """An autograded answer cell: the solution between ### BEGIN SOLUTION / ### END SOLUTION."""
    return _nbgrader(code(text), grade_id, grade=False, solution=True, locked=False)


def tests(text, grade_id, points):
    """A locked autograder test cell worth ``points``; hidden tests go between ### BEGIN/END HIDDEN TESTS."""
    return _nbgrader(code(text), grade_id, grade=True, solution=False, locked=True, points=points)


def written(text, grade_id, points):
    """A manually graded written answer (Markdown); the model answer between ### BEGIN/END SOLUTION."""
    return _nbgrader(md(text), grade_id, grade=True, solution=True, locked=False, points=points)


def locked_md(text, grade_id):
    """Read-only instructions (restored at grading if a student edits them)."""
    return _nbgrader(md(text), grade_id, grade=False, solution=False, locked=True)


def save(cells, path):
    """Write the cells as a notebook (nbformat 4, python3 kernelspec, no outputs) to ``path``."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path
