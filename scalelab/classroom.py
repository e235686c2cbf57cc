"""Instructor tools around nbgrader: grade a whole class safely, in parallel, and grade broken submissions fairly.

    python -m scalelab.classroom autograde lab01_measuring                        # a local Dask cluster, all cores
    python -m scalelab.classroom autograde lab01_measuring --jobs 1               # one at a time, same grades
    python -m scalelab.classroom autograde lab01_measuring --scheduler tcp://grader-1:8786   # a running cluster

Run from the course root (the folder holding nbgrader_config.py) or pass ``--course``. Each submission folder is
checked first: anything but regular files (a symlink, a device, a hard link) is refused with a message before
anything is copied or repaired; a single notebook saved under another name is renamed; a notebook that is not
valid JSON scores zero with a message; edited nbgrader metadata is put back; code that rewrites the grading helpers
is flagged, and its zero is written into the gradebook before anything else runs. Then one task per submission
(``scalelab.grader.grade_submission``) runs on Dask workers: the notebook runs in a throwaway folder inside a
bubblewrap sandbox (``scalelab.sandbox``), the tests run in the grader on plain data fetched from it
(``scalelab.judge``). Only this process writes grades: the gradebook (nbgrader's ``Gradebook`` API), the graded
notebooks in ``autograded/`` (sanitised) and the log ``autograde-<lab>.log``. The result is a table: one row per
student with score, maximum, status and a message the student can read.
"""
import argparse
import ast
import base64
import html
import json
import logging
import math
import os
import pathlib
import re
import stat
import sys
import warnings
from dataclasses import asdict, dataclass, field

import pandas as pd

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import ClearHiddenTests

from . import _validate as v
from . import sandbox

GUARDED_NAMES = ("sl", "scalelab", "grading", "models", "builtins", "__builtins__", "np", "numpy", "math")
REBOUND_NAMES = ("sl", "scalelab", "grading")
LATE_PENALTY_PER_DAY = 0.10
GUARDED_CALLS = ("setattr", "delattr", "reload", "exec", "eval", "__import__")
MAX_NOTEBOOK_BYTES = 32 * 2**20


@dataclass
class Outcome:
    """How one student's submission of one lab ended."""

    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"          # graded | flagged | refused | unreadable | missing | failed
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


def foreign_files(folder):
    """Entries of a submission folder that are not what they claim: anything but plain folders and regular files
    with one link (symlinks, devices, pipes, sockets, hard links to files elsewhere). Never follows a link."""
    folder = pathlib.Path(folder)
    found = []
    for path in [folder.parent, folder]:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            found.append(f"{path.name} (not a folder)")
    if found:
        return found
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                relative = os.path.relpath(entry.path, folder)
                if stat.S_ISDIR(info.st_mode):
                    pending.append(entry.path)
                elif not stat.S_ISREG(info.st_mode):
                    kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
                    found.append(f"{relative} ({kind})")
                elif info.st_nlink > 1:
                    found.append(f"{relative} (a hard link to another file)")
                elif info.st_size > MAX_NOTEBOOK_BYTES:
                    found.append(f"{relative} (larger than {MAX_NOTEBOOK_BYTES // 2**20} MB)")
    return sorted(found)


def prepare(folder, released):
    """Check one submission folder before grading; return (status, messages).

    Refuses folders holding anything but regular files (before any copy or repair), renames a single misnamed
    notebook, repairs edited nbgrader metadata, and flags unreadable or tampering notebooks.
    """
    folder = pathlib.Path(folder)
    foreign = foreign_files(folder)
    if foreign:
        return "refused", [f"Your submission holds {', '.join(foreign)}: only regular files are accepted, so it was "
                           "not graded and scores zero. Submit the notebook file itself."]
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
        if not isinstance(cells, list) or len(cells) > max_cells(released[name]):
            return "refused", messages + [
                f"'{name}' holds {len(cells) if isinstance(cells, list) else 'no list of'} cells, far more than the "
                "lab has: it was not graded and scores zero. Download the lab again, paste your "
                "answers in, and submit the fresh file."]
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
            elif isinstance(node, ast.Call) and _call_name(node) in GUARDED_CALLS:
                findings.append(f"cell {number}: `{ast.unparse(node)[:60]}`")
            elif isinstance(node, ast.Attribute) and node.attr in ("__code__", "__globals__", "__dict__"):
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



def _environment():
    scripts = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


KNOWN_FAILURES = {
    "kernel_died": "Your notebook stopped the Python kernel (os._exit, a crash, or running out of memory), so the "
                   "grader could not finish it: the parts after that score zero. Find the cell that stops Python "
                   "and remove it.",
}
NOT_SANDBOXED = ("NOT SANDBOXED: student code ran as this user in a throwaway folder with time and memory limits "
                 "only (bubblewrap, bwrap, is not available here, or the sandbox was turned off); it could read and "
                 "write your files. The tests still ran in the grader. See docs/GRADING.md.")


def course_settings(course):
    """(gradebook URL, per-cell timeout in s) from the course's nbgrader_config.py."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config() \
        if (course / "nbgrader_config.py").exists() else {}
    directory = config.get("CourseDirectory", {}) if config else {}
    db_url = directory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"
    timeout = (config.get("ExecutePreprocessor", {}) or {}).get("timeout", 120) if config else 120
    return db_url, int(timeout or 120)


def _part_messages(notebook):
    """One line per answer or test cell of a graded notebook that raised an error: where, which error, its message."""
    out = []
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not (meta.get("grade") or meta.get("solution")):
            continue
        where = meta["grade_id"] if meta.get("grade") else f"your answer ({meta['grade_id']})"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first_line = (str(output.get("evalue", "")).strip().splitlines() or [""])[0][:200]
                out.append(f"{where}: {output.get('ename')}: {first_line}".rstrip(": ") + ".")
    return out


def _task(course, lab, student, names, memory_gb, timeout_s, sandbox):
    """Everything one worker needs to grade one submission, as plain data (it may run on another machine)."""
    release_dir, source_dir = course / "labs" / lab, course / "solutions" / lab
    files = {}
    for path in sorted(release_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
            files[str(path.relative_to(release_dir))] = base64.b64encode(path.read_bytes()).decode()
    notebooks = {name: {"student": (course / "submitted" / student / lab / name).read_text(encoding="utf-8"),
                        "source": (source_dir / name).read_text(encoding="utf-8"),
                        "release": (release_dir / name).read_text(encoding="utf-8")} for name in names}
    return {"student": student, "lab": lab, "notebooks": notebooks, "files": files, "memory_gb": memory_gb,
            "timeout_s": timeout_s, "total_timeout_s": max(300, 4 * timeout_s), "sandbox": sandbox}


def max_cells(released_cells):
    """The most cells a submission may hold: five times the released lab's, and at least 500."""
    return max(500, 5 * len(released_cells))


# A link target (inline, reference, autolink or attribute) that starts with a scheme which runs script.
_SCRIPT_LINK = re.compile(r"(\]\(|\]:|<|=[\"']?)<?(javascript|vbscript|data):", re.IGNORECASE)


def _script_link(markdown):
    """True when Markdown text holds a link target that runs script (entities and spaces undone first)."""
    text = "".join(ch for ch in html.unescape(markdown) if ch.isprintable() and not ch.isspace())
    return bool(_SCRIPT_LINK.search(text))


def _plain_output_metadata(output):
    """Output metadata reduced to numeric image sizes (nbconvert prints width and height unescaped)."""
    kept = {}
    for mime, values in (output.get("metadata") or {}).items():
        if isinstance(values, dict):
            sizes = {k: v for k, v in values.items() if k in ("width", "height")
                     and isinstance(v, (int, float)) and not isinstance(v, bool)}
            if sizes:
                kept[mime] = sizes
    return kept


def sanitize(notebook_text):
    """A graded notebook safe to show: HTML and Markdown cleaned (bleach), script outputs and script links dropped,
    output metadata reduced to numeric image sizes."""
    import nbformat
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    notebook = nbformat.reads(notebook_text, as_version=4)
    notebook, _ = SanitizeHTML(strip=True).preprocess(notebook, {})
    for cell in notebook.cells:
        cell.metadata.pop("attachments", None)
        cell.pop("attachments", None)
        if cell.cell_type == "markdown" and _script_link(cell.source):
            cell.source = "*(This Markdown cell held a link that runs script; it was removed from the graded copy.)*"
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output["metadata"] = _plain_output_metadata(output)
    notebook.metadata = {k: v for k, v in notebook.metadata.items() if k in ("kernelspec", "language_info")}
    return nbformat.writes(notebook)


def _timestamp(folder):
    path = folder / "timestamp.txt"
    if path.is_file() and not path.is_symlink() and path.stat().st_size < 200:
        return path.read_text(errors="replace").strip() or None
    return None


def _fresh_submission(gb, lab, student, timestamp):
    from nbgrader.api import MissingEntry

    gb.update_or_create_student(student)
    try:
        gb.remove_submission(lab, student)
    except MissingEntry:
        pass
    kwargs = {"timestamp": timestamp} if timestamp else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes while nbgrader builds the submission
        try:
            return gb.add_submission(lab, student, **kwargs)
        except Exception:  # an unreadable timestamp: graded as on time
            gb.db.rollback()
            return gb.add_submission(lab, student)


def _write_graded(course, lab, student, name, text):
    folder = course / "autograded" / student / lab
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(sanitize(text), encoding="utf-8")


def record_zero(gb, course, lab, outcome, released_texts):
    """Write a flagged submission's zero (as manual scores, with the reason as a comment) into the gradebook."""
    submission = _fresh_submission(gb, lab, outcome.student, _timestamp(course / "submitted" / outcome.student / lab))
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.manual_score = 0.0
        for comment in notebook.comments:
            comment.manual_comment = outcome.messages[-1]
    gb.db.commit()
    for name, text in released_texts.items():
        _write_graded(course, lab, outcome.student, name, text)


def record_result(gb, course, lab, outcome, result):
    """Write one worker's result into the gradebook and autograded/; fill the outcome's score and messages."""
    if "error" in result or not result["notebooks"]:
        outcome.status = "failed"
        outcome.messages.append("The grader could not finish running your notebook; it scores zero.")
        return
    student = outcome.student
    submission = _fresh_submission(gb, lab, student, _timestamp(course / "submitted" / student / lab))
    for name, data in result["notebooks"].items():
        notebook_id = name.removesuffix(".ipynb")
        for grade_id, (score, _points) in data["scores"].items():
            grade = gb.find_grade(grade_id, notebook_id, lab, student)
            grade.auto_score = float(score)
        _write_graded(course, lab, student, name, data["graded"])
        outcome.messages.extend(_part_messages(json.loads(data["graded"])))
    gb.db.commit()
    seconds_late = submission.total_seconds_late
    if seconds_late > 0:
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = LatePenalty().late_submission_penalty(student, notebook.score,
                                                                                     seconds_late)
        gb.db.commit()
        outcome.messages.append(f"Submitted {math.ceil(seconds_late / 86400)} day(s) late: "
                                f"{LATE_PENALTY_PER_DAY:.0%} off per started day.")
    if result.get("kernel_died"):
        outcome.messages.append(KNOWN_FAILURES["kernel_died"])
    outcome.score = float(submission.score)


def _results(tasks, jobs, scheduler):
    """Yield each task's result as it completes: on a Dask cluster (``scheduler`` address, or a local one with
    ``jobs`` worker processes), or in this process when jobs is 1 and no scheduler is given."""
    from .grader import grade_submission

    if scheduler is None and jobs == 1:
        for task in tasks:
            yield task, grade_submission(task)
        return
    from distributed import Client, LocalCluster, as_completed

    cluster = None if scheduler else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                  memory_limit=0, dashboard_address="127.0.0.1:0", host="127.0.0.1",
                                                  silence_logs=logging.ERROR)
    try:
        with Client(scheduler or cluster) as client:
            futures = {client.submit(grade_submission, task, key=f"grade-{task['lab']}-{task['student']}",
                                     pure=False): task for task in tasks}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield task, future.result()
                except Exception as exc:  # a lost worker: this submission fails, the batch goes on
                    yield task, {"student": task["student"], "notebooks": {}, "error": repr(exc)[:300]}
    finally:
        if cluster is not None:
            cluster.close()


def autograde(lab, course_root=".", jobs=None, memory_gb=4.0, timeout=None, students=None, scheduler=None,
              sandbox=True):
    """Autograde every submission of ``lab``, one sandboxed task per submission; one row per student.

    course_root: folder with nbgrader_config.py, solutions/<lab>, labs/<lab> and submitted/<student>/<lab>/;
    jobs: local worker processes (default: cores; 1 grades in this process); scheduler: address of a running Dask
    scheduler (tcp://host:8786) instead of a local cluster; memory_gb: address-space limit of each kernel (POSIX
    only; 0 = none); timeout: per-cell limit in seconds (default: the course config); students: ids to grade
    (default: all); sandbox: False grades without bubblewrap even where it is installed (trusted classes only).
    The table's ``attrs["sandboxed"]`` says whether every submission ran sandboxed.
    """
    from nbgrader.api import Gradebook

    course = pathlib.Path(course_root).resolve()
    jobs = v.integer("jobs", jobs if jobs is not None else (os.cpu_count() or 1), low=1, high=256)
    v.non_negative("memory_gb", memory_gb)
    if timeout is not None:
        v.integer("timeout", timeout, low=1, high=86400)
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
    db_url, config_timeout = course_settings(course)
    timeout_s = timeout or config_timeout
    outcomes = {}
    for student in everyone:
        status, messages = prepare(submitted / student / lab, released)
        outcomes[student] = Outcome(student, status=status, messages=messages)
    released_texts = {name: (course / "labs" / lab / name).read_text(encoding="utf-8") for name in released}
    unjudgeable = _unjudgeable_tests(course, lab, released)
    if unjudgeable:
        print(f"WARNING: test cell(s) {', '.join(unjudgeable)} of {lab} are not plain Python (magics?), so the grader "
              "cannot run them outside the sandbox: they fail for every student. Rewrite them in Python.",
              file=sys.stderr)
    tasks = [_task(course, lab, s, sorted(released), memory_gb, timeout_s, sandbox)
             for s in everyone if outcomes[s].status == "graded"]
    log, sandboxed = [], True
    with Gradebook(db_url) as gb:
        max_score = gb.find_assignment(lab).max_score
        for outcome in outcomes.values():
            outcome.max_score = max_score
            if outcome.status == "flagged":  # its zero is in the gradebook before anything runs
                record_zero(gb, course, lab, outcome, released_texts)
        for task, result in _results(tasks, jobs, scheduler):
            outcome = outcomes[task["student"]]
            sandboxed &= bool(result.get("sandboxed"))
            log.append(f"== {outcome.student}: {result.get('seconds', 0):.1f} s, sandboxed: "
                       f"{result.get('sandboxed')}, process {result.get('pid')}, from {result.get('started', 0):.1f} "
                       f"to {result.get('ended', 0):.1f} {result.get('error', '')}\n{result.get('log', '')}")
            record_result(gb, course, lab, outcome, result)
    (course / f"autograde-{lab}.log").write_text("\n".join(log), encoding="utf-8")
    if tasks and not sandboxed:
        print(NOT_SANDBOXED, file=sys.stderr)
    table = pd.DataFrame([o.row() for o in outcomes.values()],
                         columns=list(Outcome.__dataclass_fields__)[:4] + ["message"])
    table.attrs["sandboxed"] = sandboxed or not tasks
    table.attrs["unjudgeable"] = unjudgeable
    return table


def _unjudgeable_tests(course, lab, released):
    from .grader import is_test_cell
    from .judge import unjudgeable

    cells = []
    for name in released:
        notebook = json.loads((course / "solutions" / lab / name).read_text(encoding="utf-8"))
        cells += [(c["metadata"]["nbgrader"]["grade_id"], "".join(c["source"])) for c in notebook["cells"]
                  if is_test_cell(c)]
    return unjudgeable(cells)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scalelab.classroom", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("autograde", help="autograde every submission of a lab, sandboxed, in parallel")
    grade.add_argument("lab")
    grade.add_argument("--course", default=".", help="course root (the folder holding nbgrader_config.py)")
    grade.add_argument("--scheduler", default=None, help="a running Dask scheduler, tcp://HOST:8786 (default: a "
                       "local cluster)")
    grade.add_argument("--jobs", type=int, default=None, help="local worker processes (default: all cores)")
    grade.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per kernel, GiB (0: none)")
    grade.add_argument("--timeout", type=int, default=None, help="per-cell time limit, s (default: nbgrader_config)")
    grade.add_argument("--csv", default=None, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    table = autograde(args.lab, course_root=args.course, jobs=args.jobs, memory_gb=args.memory_gb,
                      timeout=args.timeout, scheduler=args.scheduler)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 120)
    if not table.attrs.get("sandboxed", True):
        print(NOT_SANDBOXED)  # also on stderr: it must not be missed in a saved table
    print(table.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
