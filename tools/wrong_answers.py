"""Prove that a lab's tests reject plausible wrong answers.

    python tools/wrong_answers.py lab02_queues      # runs the cases in tests/wrong_answers/lab02_queues.py

Each case replaces one answer cell's code with a plausible wrong answer (an off-by-one percentile, the mean instead
of P95, rho instead of 1 - rho ...) and runs that part's test cell, hidden tests included. The case passes when the
test cell fails with an AssertionError whose message contains the words the case expects (the idea to revisit).
The lab's solution runs once, in one kernel; after each case the right answer cell runs again, so later cases see
the solution's state.
"""
import importlib.util
import pathlib
import sys
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "wrong_answers"


@dataclass(frozen=True)
class WrongAnswer:
    """answer: grade id of the answer cell; test: grade id of the test cell that must fail; code: the wrong answer
    cell (replacing the whole cell); says: words the failure message must contain; why: what is wrong with it."""

    answer: str
    test: str
    code: str
    says: str
    why: str = ""


@dataclass(frozen=True)
class Outcome:
    case: WrongAnswer
    rejected: bool      # the test cell raised AssertionError
    message: str        # the error's text (or what happened instead)

    @property
    def ok(self):
        return self.rejected and self.case.says.lower() in self.message.lower()


def load_cases(lab):
    """The WrongAnswer cases declared for a lab in tests/wrong_answers/<lab>.py (CASES), or []."""
    path = CASES_DIR / f"{lab}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("wrong_answers", sys.modules[__name__])
    spec.loader.exec_module(module)
    return list(module.CASES)


def _error(cell):
    """(ename, evalue) of the error a cell's outputs hold, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", ""), output.get("evalue", "")
    return None


def check(lab, cases=None, timeout=120):
    """Run the lab's solution once, then each wrong-answer case; return one Outcome per case."""
    import nbformat
    from nbclient import NotebookClient

    cases = load_cases(lab) if cases is None else cases
    folder = ROOT / "solutions" / lab
    path = next(folder.glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for case in cases:
        for grade_id in (case.answer, case.test):
            if grade_id not in by_id:
                raise ValueError(f"{lab}: no cell with grade id {grade_id!r} (case {case.why or case.code[:40]!r})")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    outcomes = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
                if _error(cell):
                    raise RuntimeError(f"{lab}: the solution itself fails in cell {index}: {_error(cell)}")
        for case in cases:
            wrong = nbformat.v4.new_code_cell(case.code)
            client.execute_cell(wrong, 0)
            test = nbformat.v4.new_code_cell(by_id[case.test].source)
            client.execute_cell(test, 0)
            error = _error(wrong) or _error(test)
            if error is None:
                outcomes.append(Outcome(case, False, "the test passed"))
            else:
                outcomes.append(Outcome(case, error[0] == "AssertionError", f"{error[0]}: {error[1]}"))
            client.execute_cell(nbformat.v4.new_code_cell(by_id[case.answer].source), 0)  # back to the solution
    return outcomes


if __name__ == "__main__":
    for lab in sys.argv[1:]:
        for outcome in check(lab):
            print(f"{'ok  ' if outcome.ok else 'FAIL'} {lab}:{outcome.case.test}: {outcome.case.why} -> "
                  f"{outcome.message[:160]}")
