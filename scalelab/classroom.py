"""Instructor tools around nbgrader: grade a whole class in parallel, and grade broken submissions fairly.

    python -m scalelab.classroom autograde lab01_measuring            # all cores
    python -m scalelab.classroom autograde lab01_measuring --jobs 1   # the serial run, same grades

Run from the course root (the folder holding nbgrader_config.py). Before nbgrader runs, each submission folder is
checked: a single notebook saved under another name is renamed to the expected name; a notebook that is not valid
JSON is recorded with a message (nbgrader cannot open it: it scores zero); code that rewrites the grading helpers
(``scalelab.grading``, the models the tests use, builtins) is flagged. The students are split into ``jobs`` groups,
each graded by its own ``nbgrader autograde`` process (kernels limited to ``memory_gb`` of address space); flagged
submissions get a zero that the gradebook shows, with the reason as a comment. The result is a table: one row per
student with score, maximum, status and a message the student can read.
"""
import argparse
import ast
import json
import math
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import pandas as pd
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import ClearHiddenTests

from . import _validate as v

GUARDED_NAMES = ("sl", "scalelab", "grading", "models", "builtins", "__builtins__", "np", "numpy", "math")
REBOUND_NAMES = ("sl", "scalelab", "grading")
LATE_PENALTY_PER_DAY = 0.10
GUARDED_CALLS = ("setattr", "delattr", "reload", "exec", "eval", "__import__")


@dataclass
class Outcome:
    """How one student's submission of one lab ended."""

    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"          # graded | flagged | unreadable | missing | failed
    messages: list = field(default_factory=list)

    def row(self):
        row = asdict(self)
        row["message"] = " ".join(row.pop("messages")) or "Graded."
        return row


def _released(course, lab):
    """{notebook name: {grade_id: nbgrader metadata}} of the released lab."""
    out = {}
    for path in sorted((course / "labs" / lab).glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        out[path.name] = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]
                          for c in cells if "nbgrader" in c.get("metadata", {})}
    return out


def repair_metadata(cells, released):
    """Put back the nbgrader metadata of cells whose metadata a student edited; return the grade ids touched.

    A cell with a known grade id gets the released metadata again; a cell claiming an unknown grade id loses its
    nbgrader metadata (nbgrader then re-adds the real test cell, see OverwriteCells.add_missing_cells).
    """
    touched = []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id")
        if grade_id in released:
            if {k: meta.get(k) for k in released[grade_id]} != released[grade_id]:
                cell["metadata"]["nbgrader"] = dict(released[grade_id])
                touched.append(grade_id)
        else:
            del cell["metadata"]["nbgrader"]
            touched.append(str(grade_id))
    return touched


def prepare(folder, released):
    """Check one submission folder before grading; return (status, messages).

    Renames a single misnamed notebook, repairs edited nbgrader metadata, and flags unreadable or tampering notebooks.
    """
    folder = pathlib.Path(folder)
    expected = sorted(released)
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    messages = []
    missing = [n for n in expected if n not in present]
    extra = [n for n in present if n not in expected]
    if missing and len(missing) == len(extra) == 1:
        (folder / extra[0]).rename(folder / missing[0])
        messages.append(f"Your notebook was saved as '{extra[0]}'; it was graded as '{missing[0]}'.")
    elif missing:
        return "missing", [f"No notebook named {', '.join(missing)} was found in your submission: it scores zero."]
    for name in expected:
        try:
            notebook = json.loads((folder / name).read_text(encoding="utf-8"))
            cells = notebook["cells"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            return "unreadable", messages + [
                f"'{name}' is not a readable notebook ({type(exc).__name__}): it could not be graded and scores zero. "
                "Download the lab again, paste your answers in, and submit the fresh file."]
        touched = repair_metadata(cells, released[name])
        if touched:
            (folder / name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
            messages.append(f"The grading information of cell(s) {', '.join(touched)} had been edited; the original "
                            "was put back before grading.")
        findings = tampering(cells)
        if findings:
            return "flagged", messages + [
                "Your notebook changes the code the tests rely on (" + "; ".join(findings) + "). Such a submission "
                "scores zero; remove that code and ask your instructor to grade it again."]
    return "graded", messages


def tampering(cells):
    """Lines in the student's (unlocked) code cells that rebind or patch what the tests use; [] when clean."""
    findings = []
    for number, cell in enumerate(cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("locked") or meta.get("grade") and not meta.get("solution"):
            continue
        source = "".join(cell.get("source", ""))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # it fails on its own when executed
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    patched = isinstance(target, (ast.Attribute, ast.Subscript)) and _root_name(target) in GUARDED_NAMES
                    rebound = isinstance(target, ast.Name) and target.id in REBOUND_NAMES
                    if patched or rebound:
                        findings.append(f"cell {number}: `{ast.unparse(target)} = ...`")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                module = getattr(node, "module", None) or ""
                for alias in node.names:
                    bound = alias.asname or alias.name
                    source = f"{module}.{alias.name}" if module else alias.name
                    if bound in REBOUND_NAMES and not source.startswith("scalelab"):
                        findings.append(f"cell {number}: `{ast.unparse(node)}`")
            elif (isinstance(node, ast.Call) and _call_name(node) in GUARDED_CALLS
                  or isinstance(node, ast.Attribute) and node.attr in ("__code__", "__globals__", "__dict__")):
                findings.append(f"cell {number}: `{ast.unparse(node)[:60]}`")
    return findings


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    if isinstance(node, ast.Call):
        return _call_name(node)
    return node.id if isinstance(node, ast.Name) else ""


def _call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


class LatePenalty(LateSubmissionPlugin):
    """The course's late policy: 10 % of the notebook's score per started day late (a week or more: zero)."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / 86400)
        return min(score, score * LATE_PENALTY_PER_DAY * days)


class HideHiddenTests(ClearHiddenTests):
    """Feedback without hidden tests: their code is cut from test cells, and a failed test shows only its error
    line (name and message), not the traceback that would quote the hidden code."""

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


def _limit_memory(limit_bytes):
    def apply():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return apply


def _environment():
    scripts = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


def _grade_group(course, lab, group, everyone, memory_gb, timeout):
    """One nbgrader autograde process over ``group`` (the other students excluded); returns its log text."""
    excluded = sorted(set(everyone) - set(group))
    command = [sys.executable, "-m", "nbgrader", "autograde", lab, "--force", "--log-level=INFO",
               f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}?timeout=120"]
    if excluded:
        command.append(f"--CourseDirectory.student_id_exclude={','.join(excluded)}")
    if timeout:
        command += [f"--Execute.timeout={timeout}", f"--ExecutePreprocessor.timeout={timeout}"]
    limit = _limit_memory(int(memory_gb * 2**30)) if memory_gb and os.name == "posix" else None
    done = subprocess.run(command, cwd=course, env=_environment(), preexec_fn=limit, capture_output=True, text=True)
    return done.stdout + done.stderr


KNOWN_FAILURES = {
    "Kernel died": "Your notebook stopped the Python kernel (os._exit, a crash, or running out of memory), so the "
                   "grader could not finish it: it scores zero. Find the cell that stops Python and remove it.",
    "Inconsistent checksums": "A locked cell of your notebook was changed in a way the grader cannot repair: it "
                              "scores zero. Start from a fresh copy of the lab.",
}


def _log_sections(log):
    """Split an nbgrader autograde log into {student: text} at its 'Creating/updating student' lines."""
    sections, current = {}, None
    for line in log.splitlines():
        if "Creating/updating student with ID" in line:
            current = line.split("'")[1]
        if current:
            sections.setdefault(current, []).append(line)
    return {k: "\n".join(v) for k, v in sections.items()}


def _part_messages(notebook_path):
    """One line per answer or test cell of a graded notebook that raised an error: where, which error, its message."""
    cells = json.loads(pathlib.Path(notebook_path).read_text(encoding="utf-8"))["cells"]
    out = []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not (meta.get("grade") or meta.get("solution")):
            continue
        where = meta["grade_id"] if meta.get("grade") else f"your answer ({meta['grade_id']})"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first_line = (str(output.get("evalue", "")).strip().splitlines() or [""])[0][:200]
                out.append(f"{where}: {output.get('ename')}: {first_line}".rstrip(": ") + ".")
    return out


def _scores(course, lab, outcomes, log):
    """Fill score and max_score from the gradebook; zero flagged submissions there, with the reason as a comment."""
    from nbgrader.api import Gradebook, MissingEntry

    sections = _log_sections(log)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}?timeout=120") as gb:
        assignment = gb.find_assignment(lab)
        max_score = assignment.max_score
        for outcome in outcomes.values():
            outcome.max_score = max_score
            try:
                submission = gb.find_submission(lab, outcome.student)
            except MissingEntry:
                if outcome.status == "graded":
                    outcome.status = "failed"
                    outcome.messages.append("The grader could not open your submission; it scores zero.")
                continue
            if outcome.status == "flagged":
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        grade.manual_score = 0.0
                    for comment in notebook.comments:
                        comment.manual_comment = outcome.messages[-1]
                gb.db.commit()
            outcome.score = float(submission.score)
            graded = sorted((course / "autograded" / outcome.student / lab).glob("*.ipynb"))
            if not graded and outcome.status == "graded":
                outcome.status = "failed"
                section = sections.get(outcome.student, "")
                known = [text for key, text in KNOWN_FAILURES.items() if key in section]
                outcome.messages.append(known[0] if known else
                                        "The grader could not finish running your notebook; it scores zero.")
            for path in graded:
                outcome.messages.extend(_part_messages(path))


def autograde(lab, course_root=".", jobs=None, memory_gb=4.0, timeout=None, students=None):
    """Autograde every submission of ``lab`` in ``jobs`` parallel nbgrader processes; one row per student.

    course_root: folder with nbgrader_config.py and submitted/<student>/<lab>/; jobs: processes (default: cores);
    memory_gb: address-space limit of each grading process and its kernels (POSIX only; 0 = none);
    timeout: per-cell limit in seconds (default: the course config); students: ids to grade (default: all).
    """
    course = pathlib.Path(course_root).resolve()
    jobs = v.integer("jobs", jobs if jobs is not None else (os.cpu_count() or 1), low=1, high=256)
    v.non_negative("memory_gb", memory_gb)
    submitted = course / "submitted"
    everyone = sorted(p.name for p in submitted.iterdir() if (p / lab).is_dir()) if submitted.is_dir() else []
    if students is not None:
        unknown = sorted(set(students) - set(everyone))
        if unknown:
            raise ValueError(f"students must have a folder submitted/<student>/{lab}; not found: {unknown}")
        everyone = sorted(students)
    released = _released(course, lab)
    if not released:
        raise ValueError(f"lab must be released in labs/{lab}/ (no notebook found there)")
    outcomes = {}
    for student in everyone:
        status, messages = prepare(submitted / student / lab, released)
        outcomes[student] = Outcome(student, status=status, messages=messages)
    gradable = [s for s in everyone if outcomes[s].status in ("graded", "flagged")]
    groups = [gradable[i::jobs] for i in range(jobs) if gradable[i::jobs]]
    with ThreadPoolExecutor(max_workers=max(1, len(groups))) as pool:
        logs = list(pool.map(lambda g: _grade_group(course, lab, g, gradable, memory_gb, timeout), groups))
    log = "\n".join(logs)
    (course / f"autograde-{lab}.log").write_text(log)
    if gradable:
        _scores(course, lab, outcomes, log)
    return pd.DataFrame([o.row() for o in outcomes.values()],
                        columns=list(Outcome.__dataclass_fields__)[:4] + ["message"])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scalelab.classroom", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("autograde", help="autograde every submission of a lab, in parallel")
    grade.add_argument("lab")
    grade.add_argument("--jobs", type=int, default=None, help="parallel nbgrader processes (default: all cores)")
    grade.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per kernel, GiB (0: none)")
    grade.add_argument("--timeout", type=int, default=None, help="per-cell time limit, s (default: nbgrader_config)")
    grade.add_argument("--csv", default=None, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    table = autograde(args.lab, jobs=args.jobs, memory_gb=args.memory_gb, timeout=args.timeout)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 120)
    print(table.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
