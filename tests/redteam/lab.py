"""What the red-team attacks know about the lab they cheat on, read from the committed notebooks at run time.

Nothing here is written for one version of the lab: answer cells, test cells, points, the names the tests use and
the hidden test lines all come from the nbgrader metadata of `labs/<lab>/` (what a student has) and
`solutions/<lab>/` (what only the grader has: used to build the honest "good" control and to recognise hidden
tests in feedback, never given to an attack).
"""
import ast
import builtins
import copy
import pathlib
import re
from dataclasses import dataclass, field

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAB = "lab01_measuring"
STUB = re.compile(r"^\s*raise NotImplementedError\(\)\s*$")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell):
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell):
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _names(tree):
    """(loaded, stored) names of an AST."""
    loaded, stored = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return loaded, stored


def _parse(source):
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.parse("")


@dataclass
class Lab:
    name: str
    folder: pathlib.Path
    notebook: str                        # file name of the (single) lab notebook
    blank: nbformat.NotebookNode         # the released notebook, as a student downloads it
    solution: nbformat.NotebookNode      # the instructor's notebook (solutions and hidden tests)
    max_auto: float                      # points of all autograded test cells
    functions: list = field(default_factory=list)   # answer functions the visible tests call
    values: list = field(default_factory=list)      # answer variables the visible tests read
    records: list = field(default_factory=list)     # the answer variables a visible test expects to be dicts
    hidden_lines: list = field(default_factory=list)

    @property
    def answer_ids(self):
        return [nbgrader_meta(c)["grade_id"] for c in self.blank.cells if is_answer(c) and c.cell_type == "code"]

    def fresh(self):
        """A new copy of the blank notebook to build a submission from."""
        return copy.deepcopy(self.blank)

    def good(self):
        """The honest full-marks submission: the blank with every answer cell holding the instructor's solution."""
        nb = self.fresh()
        by_id = {nbgrader_meta(c).get("grade_id"): c for c in self.solution.cells if is_answer(c)}
        for cell in nb.cells:
            if is_answer(cell):
                source = by_id[nbgrader_meta(cell)["grade_id"]].source
                cell.source = "\n".join(line for line in source.splitlines()
                                        if line.strip() not in SOLUTION_MARKERS)
        return nb


def load(lab=LAB, root=ROOT):
    folder = root / "labs" / lab
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    if len(names) != 1:
        raise RuntimeError(f"the red-team suite expects one notebook in labs/{lab}/, found {names}")
    blank = nbformat.read(folder / names[0], as_version=4)
    solution = nbformat.read(root / "solutions" / lab / names[0], as_version=4)
    lab_info = Lab(lab, folder, names[0], blank, solution,
                   max_auto=sum(float(nbgrader_meta(c).get("points", 0)) for c in blank.cells if is_test(c)))
    _answer_names(lab_info)
    lab_info.hidden_lines = hidden_lines(solution, blank)
    return lab_info


def _answer_names(lab):
    """Sort the names the visible tests use into answer functions, answer variables and dict-like answers."""
    bound_outside, functions_defined, data_defined = set(), set(), set()
    for cell in lab.blank.cells:
        if cell.cell_type != "code" or is_test(cell):
            continue
        tree = _parse(cell.source)
        if not is_answer(cell):
            bound_outside |= _names(tree)[1]
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                functions_defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                data_defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    functions, values, records = [], [], []
    for cell in lab.blank.cells:
        if not is_test(cell):
            continue
        tree = _parse(cell.source)
        loaded, stored = _names(tree)
        if "globals()" in cell.source:   # names the test looks up by string, e.g. globals().get(name)
            loaded |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                       and isinstance(node.value, str) and node.value.isidentifier()}
        for name in sorted(loaded - stored - bound_outside - set(dir(builtins))):
            if name in functions_defined:
                target = functions
            elif name in data_defined:
                continue                   # data the lab gives (e.g. a sample list): keep it
            else:
                target = values
                if "dict" in cell.source and name not in records:
                    records.append(name)   # the visible test says it wants a dict
            if name not in target:
                target.append(name)
    lab.functions, lab.values, lab.records = functions, values, records


def hidden_lines(solution, blank, min_chars=16):
    """Distinctive lines of the hidden tests (stripped), which must never reach a student."""
    visible = {line.strip() for cell in blank.cells for line in cell.source.splitlines()}
    out = []
    for cell in solution.cells:
        if not is_test(cell):
            continue
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text == HIDDEN_BEGIN:
                inside = True
            elif text == HIDDEN_END:
                inside = False
            elif inside and len(text) >= min_chars and text not in visible and text not in out:
                out.append(text)
    return out


def defuse_stubs(source, replacement="pass"):
    """The answer cell's code with its `raise NotImplementedError()` stub lines replaced (indentation kept)."""
    lines = []
    for line in source.splitlines():
        if STUB.match(line):
            line = line[: len(line) - len(line.lstrip())] + replacement
        lines.append(line)
    return "\n".join(lines)
