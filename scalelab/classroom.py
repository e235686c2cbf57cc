"""Instructor tools around nbgrader: grade a whole class safely, in parallel on Dask, and broken submissions fairly.

    python -m scalelab.classroom autograde lab01_measuring                   # a local Dask cluster, all cores
    python -m scalelab.classroom autograde lab01_measuring --jobs 1          # one worker, the same grades
    python -m scalelab.classroom autograde lab01_measuring --scheduler tcp://10.0.0.5:8786   # a running cluster

Run from the course root (the folder holding nbgrader_config.py). Each submission folder is checked first: anything
but plain files (a symlink, a device, a hard link) or a notebook far bigger than the lab is refused with a message;
a single notebook saved under another name is renamed; a notebook that is not valid JSON scores zero with a message;
edited grading metadata is put back; code that rewrites the grading helpers is flagged, and a flagged submission's
zero is written to the gradebook before any code runs. nbgrader then restores the locked and test cells from the
gradebook (``Sanitize``). Each student's notebook is one Dask task: the learner's cells run in a bubblewrap sandbox,
the tests run in the worker's own interpreter and ask the sandbox only for plain data (``scalelab.judge``). The
coordinator, never the sandbox, writes the grades with nbgrader's own steps (``RecordJudged``). The result is a
table: one row per student with score, maximum, status and a message the student can read. See docs/GRADING.md.
"""
import argparse
import ast
import json
import math
import os
import pathlib
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

import pandas as pd
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from traitlets import Bool, Float, List, Unicode

from . import _validate as v

GUARDED_NAMES = ("sl", "scalelab", "grading", "models", "builtins", "__builtins__", "np", "numpy", "math")
REBOUND_NAMES = ("sl", "scalelab", "grading")
LATE_PENALTY_PER_DAY = 0.10
GUARDED_CALLS = ("setattr", "delattr", "reload", "exec", "eval", "__import__")
MAX_NOTEBOOK_BYTES = 32 * 2**20
MIN_CELL_LIMIT = 200
CELL_LIMIT_FACTOR = 4


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


def prepare(folder, released):
    """Check one submission folder before grading; return (status, messages).

    Renames a single misnamed notebook, repairs edited nbgrader metadata, and flags unreadable or tampering notebooks.
    """
    folder = pathlib.Path(folder)
    refused = refuse_odd_files(folder)
    if refused:
        return "refused", [refused]
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
        limit = max(MIN_CELL_LIMIT, CELL_LIMIT_FACTOR * len(released[name]))
        if not isinstance(cells, list) or len(cells) > limit:
            count = len(cells) if isinstance(cells, list) else "no list of"
            return "refused", messages + [
                f"'{name}' has {count} cells, far more than the lab's (at most {limit} are accepted): it was not "
                "graded and scores zero. Submit your copy of the lab with only your answers added."]
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


def refuse_odd_files(folder):
    """A message when the submission holds anything but plain files and folders (a symlink, a device, a hard link,
    a notebook over the size limit); None when every entry is what it claims to be. Nothing is followed or opened."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, folder)
            if stat.S_ISDIR(info.st_mode):
                continue
            if not stat.S_ISREG(info.st_mode):
                kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
                return (f"'{relative}' in your submission is {kind}: only plain files are accepted, so nothing was "
                        "graded and it scores zero. Submit the notebook file itself.")
            if info.st_nlink > 1:
                return (f"'{relative}' in your submission is a hard link to another file: only plain files are "
                        "accepted, so nothing was graded and it scores zero. Submit a copy of the notebook.")
            if name.endswith(".ipynb") and info.st_size > MAX_NOTEBOOK_BYTES:
                return (f"'{relative}' is {info.st_size / 2**20:.0f} MiB, over the {MAX_NOTEBOOK_BYTES // 2**20} MiB "
                        "limit: it was not graded and scores zero. Clear the outputs (Edit > Clear All Outputs) and "
                        "submit again.")
    return None


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
    """The course's late policy: ``rate_per_day`` of the notebook's score per started day late (with the default
    10 %, ten days or more: zero). Set it in nbgrader_config.py: ``c.LatePenalty.rate_per_day = 0.05``."""

    rate_per_day = Float(LATE_PENALTY_PER_DAY, help="fraction of the score lost per started day late").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / 86400)
        return min(score, score * self.rate_per_day * days)


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


class SanitizeMarkup(SanitizeHTML):
    """nbconvert's SanitizeHTML switched on (nbconvert registers preprocessors switched off): HTML in Markdown and raw
    cells and in outputs is cleaned in the graded notebook, so in the feedback and the formgrader views made from it
    (nbgrader's feedback template renders Markdown without cleaning it)."""

    enabled = Bool(True).tag(config=True)


class Sanitize(Autograde):
    """nbgrader's autograde up to the sanitised copy in autograded/: locked and test cells restored from the
    gradebook, outputs cleared; nothing is executed."""

    autograde_preprocessors = List([])


class RecordJudged(Autograde):
    """nbgrader's autograde after execution: reads notebooks judged in the sandbox from ``judged_directory`` and
    runs the rest of nbgrader's steps (output limits, sanitised HTML, saving grades, late penalty) in this process."""

    judged_directory = Unicode("").tag(config=True)
    autograde_preprocessors = List([IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SanitizeMarkup,
                                    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata])

    @property
    def _input_directory(self):
        return self.judged_directory

    def convert_single_notebook(self, notebook_filename):
        self._sanitizing = False
        self._init_preprocessors()
        try:
            BaseConverter.convert_single_notebook(self, notebook_filename)
        finally:
            self._sanitizing = True


def _nbgrader(course, converter, lab, student, **traits):
    """Run an nbgrader converter for one student in this process; returns (ok, log text)."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log, temp_attrs

    config = _course_config(course)
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}?timeout=120"
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    with temp_attrs(coursedir, assignment_id=lab, student_id=student):
        app = converter(coursedir=coursedir, parent=api, **traits)
        app.force, app.create_student = True, True
        result = capture_log(app)
    return result["success"], result.get("log", "") + result.get("error", "")


def judge_submission(task):
    """Grade one student's sanitised notebooks: the learner's cells in the sandbox, the tests here (a Dask task).

    ``task`` holds plain data only (notebooks, tests, given code, released files, limits); so does the result, which the
    coordinator writes to the gradebook.
    """
    from . import judge

    out = {"student": task["student"], "notebooks": {}, "log": [], "sandboxed": True}
    for name, notebook in task["notebooks"].items():
        tests, given = task["specs"][name]
        result = judge.grade(notebook, tests, given, task["files"], course=task["course"],
                             timeout_s=task["timeout_s"], memory_bytes=task["memory_bytes"],
                             use_sandbox=task["use_sandbox"])
        out["notebooks"][name] = result["notebook"]
        out["log"].append(f"--- {name}\n{result['log']}")
        out["sandboxed"] = out["sandboxed"] and result["sandboxed"]
    return out


def _cluster(scheduler, jobs):
    """A Dask client: on the cluster at ``scheduler`` (tcp://host:port), or on a local cluster of ``jobs`` workers."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="30s"), None
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False}, memory_limit=0,
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster


def _zero_tests(notebook_text, reason):
    """The sanitised notebook with every test cell failed by ``reason`` (a flagged submission is not run)."""
    import nbformat

    nb = nbformat.reads(notebook_text, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.outputs = [nbformat.v4.new_output("error", ename="NotGraded", evalue=reason,
                                                   traceback=[f"NotGraded: {reason}"])]
    return nbformat.writes(nb)


def _record(course, lab, student, notebooks, staging):
    """Write judged notebooks where RecordJudged reads them and let nbgrader save the grades; returns its log."""
    folder = staging / student / lab
    folder.mkdir(parents=True, exist_ok=True)
    stamp = course / "submitted" / student / lab / "timestamp.txt"
    if stamp.is_file() and not stamp.is_symlink():
        shutil.copyfile(stamp, folder / "timestamp.txt")
    for name, text in notebooks.items():
        (folder / name).write_text(text, encoding="utf-8")
    _, log = _nbgrader(course, RecordJudged, lab, student, judged_directory=str(staging))
    return log


def _lab_task_parts(course, lab, released_names):
    """What every task of ``lab`` shares: the tests and given code of each notebook, and the released lab's files."""
    from . import judge

    specs = {}
    for name in released_names:
        source = course / "solutions" / lab / name
        specs[name] = judge.lab_spec(json.loads(source.read_text(encoding="utf-8")))
    files = {}
    for path in sorted((course / "labs" / lab).rglob("*")):
        odd = path.is_symlink() or path.suffix == ".ipynb" or ".ipynb_checkpoints" in path.parts
        if path.is_file() and not odd:
            files[str(path.relative_to(course / "labs" / lab))] = path.read_bytes()
    return specs, files


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
                line = f"{where}: {output.get('ename')}: {first_line}".rstrip(": ")
                out.append(line if line.endswith(".") else line + ".")
    return out


def _scores(course, lab, outcomes):
    """Fill score and max_score from the gradebook; zero flagged submissions there, with the reason as a comment."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}?timeout=120") as gb:
        max_score = gb.find_assignment(lab).max_score
        for outcome in outcomes.values():
            outcome.max_score = max_score
            try:
                submission = gb.find_submission(lab, outcome.student)
            except MissingEntry:
                if outcome.status == "graded":
                    outcome.status = "failed"
                    outcome.messages.append("The grader could not open your submission; it scores zero.")
                continue
            outcome.score = float(submission.score)
            graded = sorted((course / "autograded" / outcome.student / lab).glob("*.ipynb"))
            if not graded and outcome.status == "graded":
                outcome.status = "failed"
                outcome.messages.append("The grader could not finish running your notebook; it scores zero.")
            for path in graded:
                outcome.messages.extend(_part_messages(path))


def _flag_zero(course, lab, student, message):
    """A flagged submission's zero and its reason, written to the gradebook as manual scores and comments."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}?timeout=120") as gb:
        submission = gb.find_submission(lab, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.manual_score = 0.0
            for comment in notebook.comments:
                comment.manual_comment = message
        gb.db.commit()


def autograde(lab, course_root=".", jobs=None, memory_gb=4.0, timeout=None, students=None, scheduler=None,
              sandboxed=None):
    """Autograde every submission of ``lab``: each one sandboxed, the tests judged outside it; one row per student.

    course_root: folder with nbgrader_config.py and submitted/<student>/<lab>/; jobs: local Dask workers (default:
    cores); memory_gb: address-space limit of each kernel (POSIX only; 0 = none); timeout: per-cell limit in seconds
    (default: the course config's Execute.timeout); students: ids to grade (default: all); scheduler: a running Dask
    scheduler's address (tcp://host:8786) instead of a local cluster; sandboxed: force bubblewrap on (True) or off
    (False); by default it is used when installed.
    """
    from . import sandbox

    course = pathlib.Path(course_root).resolve()
    jobs = v.integer("jobs", jobs if jobs is not None else (os.cpu_count() or 1), low=1, high=256)
    v.non_negative("memory_gb", memory_gb)
    if scheduler is not None and not str(scheduler).startswith(("tcp://", "tls://", "inproc://")):
        raise ValueError(f"scheduler must be a Dask address such as tcp://127.0.0.1:8786, got {scheduler!r}")
    use_sandbox = sandbox.available() if sandboxed is None else bool(sandboxed)
    if use_sandbox and not sandbox.available():
        raise ValueError("sandboxed=True needs bubblewrap (the bwrap command), which is not installed here")
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
    if not use_sandbox:
        print("NOT SANDBOXED: bubblewrap is not available, so each submission runs as your own user, with your "
              "files in reach. Verdicts are still decided outside the learner's code; see docs/GRADING.md.")
    timeout_s = timeout or _configured_timeout(course)
    outcomes = {student: Outcome(student) for student in everyone}
    for student in everyone:
        status, messages = prepare(submitted / student / lab, released)
        outcomes[student].status, outcomes[student].messages = status, messages
    logs = course / "autograde-logs" / lab
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    gradable = [s for s in everyone if outcomes[s].status in ("graded", "flagged")]
    limits = dict(timeout_s=timeout_s, memory_bytes=int(memory_gb * 2**30), use_sandbox=use_sandbox)
    with tempfile.TemporaryDirectory(prefix="sl-judged-") as staging:
        staging = pathlib.Path(staging)
        flagged = [s for s in gradable if outcomes[s].status == "flagged"]
        for student in flagged:  # their zeros are written before any submission's code runs
            notebooks = _sanitise(course, lab, student, released, outcomes[student], logs)
            if notebooks:
                reason = outcomes[student].messages[-1]
                _record(course, lab, student, {n: _zero_tests(t, reason) for n, t in notebooks.items()}, staging)
                _flag_zero(course, lab, student, reason)
        to_judge = [s for s in gradable if outcomes[s].status == "graded"]
        if to_judge:
            _judge_all(course, lab, to_judge, released, outcomes, staging, logs, jobs, scheduler, limits)
    if gradable:
        _scores(course, lab, outcomes)
    return pd.DataFrame([o.row() for o in outcomes.values()],
                        columns=list(Outcome.__dataclass_fields__)[:4] + ["message"])


def _sanitise(course, lab, student, released, outcome, logs):
    """nbgrader's sanitised copies of one student's notebooks {name: text}; {} (and the outcome failed) if none."""
    ok, log = _nbgrader(course, Sanitize, lab, student)
    (logs / f"{student}.log").write_text(log, encoding="utf-8")
    folder = course / "autograded" / student / lab
    notebooks = {name: (folder / name).read_text(encoding="utf-8") for name in released if (folder / name).is_file()}
    if not ok or not notebooks:
        outcome.status = "failed"
        outcome.messages.append("The grader could not open your submission; it scores zero.")
        return {}
    return notebooks


def _judge_all(course, lab, students, released, outcomes, staging, logs, jobs, scheduler, limits):
    """Sanitise each student's notebooks and judge them as one Dask task, while earlier tasks run; record each
    result in the gradebook as it arrives. Phase times go to autograde-logs/<lab>/timings.json."""
    from distributed import as_completed

    timings = {"cluster_start_s": 0.0, "sanitise_s": 0.0, "record_s": 0.0, "students": len(students)}
    started = time.perf_counter()
    specs, files = _lab_task_parts(course, lab, sorted(released))
    client, cluster = _cluster(scheduler, jobs)
    timings["cluster_start_s"] = time.perf_counter() - started
    try:
        futures = as_completed()
        owner = {}
        for student in students:
            begin = time.perf_counter()
            notebooks = _sanitise(course, lab, student, released, outcomes[student], logs)
            timings["sanitise_s"] += time.perf_counter() - begin
            if not notebooks:
                continue
            task = {"student": student, "notebooks": notebooks, "specs": specs, "files": files,
                    "course": str(course), **limits}
            future = client.submit(judge_submission, task, key=f"judge-{lab}-{student}", pure=False, retries=0)
            owner[future.key] = student
            futures.add(future)
        for future in futures:
            student = owner[future.key]
            try:
                result = future.result()
            except Exception as exc:  # a worker lost or a task that failed: this student only
                outcomes[student].status = "failed"
                outcomes[student].messages.append(
                    f"The grader could not finish running your notebook ({type(exc).__name__}); it scores zero.")
                continue
            begin = time.perf_counter()
            log = "\n".join(result["log"]) + "\n" + _record(course, lab, student, result["notebooks"], staging)
            timings["record_s"] += time.perf_counter() - begin
            with open(logs / f"{student}.log", "a", encoding="utf-8") as file:
                file.write(log)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    timings["total_s"] = time.perf_counter() - started
    (logs / "timings.json").write_text(json.dumps({k: round(x, 3) for k, x in timings.items()}, indent=1))


def _course_config(course):
    """The course's nbgrader_config.py, read afresh (each nbgrader run gets its own copy to change)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def _configured_timeout(course):
    config = _course_config(course)
    return int(config.get("Execute", {}).get("timeout", 120) or 120)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scalelab.classroom", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("autograde", help="autograde every submission of a lab, sandboxed, on Dask")
    grade.add_argument("lab")
    grade.add_argument("--jobs", type=int, default=None, help="local Dask workers (default: all cores)")
    grade.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, e.g. tcp://host:8786")
    grade.add_argument("--no-sandbox", action="store_true", help="run without bubblewrap (says NOT SANDBOXED)")
    grade.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per kernel, GiB (0: none)")
    grade.add_argument("--timeout", type=int, default=None, help="per-cell time limit, s (default: nbgrader_config)")
    grade.add_argument("--csv", default=None, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    table = autograde(args.lab, jobs=args.jobs, memory_gb=args.memory_gb, timeout=args.timeout,
                      scheduler=args.scheduler, sandboxed=False if args.no_sandbox else None)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 120)
    print(table.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
