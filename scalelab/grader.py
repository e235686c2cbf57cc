"""Grade one submission: its notebook runs in a sandboxed kernel, the tests run here; the result is plain data.

``grade_submission(task)`` is what a Dask worker runs, one task per submission. The task carries the submitted
notebooks, the instructor's source notebooks (with the hidden tests) and the released lab's other files; the
result carries the graded notebooks and one score per test cell. It writes nothing outside its throwaway folder,
which it removes: the coordinator (``scalelab.classroom``) writes the gradebook and the graded files.
"""
import base64
import copy
import os
import pathlib
import shutil
import tempfile
import time

import nbformat

from . import judge, sandbox

def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test_cell(cell):
    meta = _meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def merge(student, source, release):
    """The notebook to grade: the student's cells, with every instructor cell put back as written.

    Answer cells keep the student's text (under the released metadata); locked cells are the released ones; test
    cells are the source's (hidden tests included: they never reach the kernel); instructor cells the student
    deleted are put back where they were; invented grade ids lose their metadata.
    """
    src = {_meta(c)["grade_id"]: c for c in source.cells if _meta(c).get("grade_id")}
    rel = {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("grade_id")}
    cells, seen = [], {}
    for cell in student.cells:
        grade_id = _meta(cell).get("grade_id")
        if grade_id in src and grade_id not in seen:
            trusted = src[grade_id] if is_test_cell(src[grade_id]) else rel.get(grade_id, src[grade_id])
            merged = copy.deepcopy(trusted)
            if _meta(trusted).get("solution") and grade_id in rel:
                merged.source = cell.get("source", "")
            seen[grade_id] = len(cells)
            cells.append(merged)
        elif grade_id is None:
            cells.append(copy.deepcopy(cell))
        else:
            plain = copy.deepcopy(cell)
            plain.metadata.pop("nbgrader", None)
            cells.append(plain)
    order = [_meta(c)["grade_id"] for c in source.cells if _meta(c).get("grade_id")]
    for k, grade_id in enumerate(order):
        if grade_id in seen or grade_id not in rel and not is_test_cell(src[grade_id]):
            continue
        previous = [seen[g] for g in order[:k] if g in seen]
        at = max(previous) + 1 if previous else 0
        trusted = src[grade_id] if is_test_cell(src[grade_id]) else rel[grade_id]
        cells.insert(at, copy.deepcopy(trusted))
        seen = {g: (i + 1 if i >= at else i) for g, i in seen.items()}
        seen[grade_id] = at
    notebook = copy.deepcopy(release)
    notebook.cells = cells
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def _write_files(work, files):
    for relative, data in files.items():
        path = (work / relative).resolve()
        if work.resolve() not in path.parents:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


def _grade_notebook(kernel, notebook, imports, timeout_s, deadline):
    """Run the notebook's cells; return (scores {grade_id: [score, points]}, messages)."""
    remote = judge.Remote(kernel, deadline)
    namespace = judge.TestNamespace(remote)
    exec(compile(imports, "<course imports>", "exec"), namespace)
    scores, died = {}, False
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        if is_test_cell(cell):
            remote.deadline = min(deadline, time.monotonic() + timeout_s)
            passed, outputs = judge.run_test_cell(cell.source, namespace, meta["grade_id"])
            points = float(meta.get("points", 0))
            scores[meta["grade_id"]] = [points if passed and not died else 0.0, points]
        else:
            budget = max(0.0, min(timeout_s, deadline - time.monotonic()))
            outputs, status = kernel.run(cell.source, budget)
            if status == "timeout":
                outputs = [o for o in outputs if o.get("output_type") != "error"]
                outputs.append({"output_type": "error", "ename": "CellTimeoutError", "traceback": [],
                                "evalue": f"A cell timed out after {timeout_s:g} s: it was interrupted."})
            elif status == "dead" and not died:
                died = True
                outputs.append({"output_type": "error", "ename": "DeadKernelError", "traceback": [],
                                "evalue": "Kernel died: your code stopped the Python kernel."})
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        cell.execution_count = number
    return scores, died


def grade_submission(task):
    """Grade one submission (a dict, see ``scalelab.classroom._task``); return plain data for the coordinator."""
    start = time.monotonic()
    deadline = start + task["total_timeout_s"]
    result = {"student": task["student"], "notebooks": {}, "sandboxed": False, "kernel_died": False, "log": ""}
    base = pathlib.Path(tempfile.mkdtemp(prefix="scalelab-grade-"))
    try:
        for name, texts in task["notebooks"].items():
            work = base / name.removesuffix(".ipynb") / "work"
            work.mkdir(parents=True)
            os.chmod(work, 0o777)
            _write_files(work, task["files"])
            (work / name).write_text(texts["student"], encoding="utf-8")
            source = nbformat.reads(texts["source"], as_version=4)
            notebook = merge(nbformat.reads(texts["student"], as_version=4), source,
                             nbformat.reads(texts["release"], as_version=4))
            instructor_code = [c.source for c in source.cells if c.cell_type == "code" and not _meta(c).get("solution")]
            log = work.parent / "kernel.log"
            with sandbox.Kernel(work, log, memory_gb=task["memory_gb"], sandbox=task["sandbox"]) as kernel:
                result["sandboxed"] = kernel.sandboxed
                scores, died = _grade_notebook(kernel, notebook, judge.course_imports(instructor_code),
                                               task["timeout_s"], deadline)
            result["kernel_died"] |= died
            result["log"] += log.read_text(errors="replace")[-5000:]
            result["notebooks"][name] = {"graded": nbformat.writes(notebook), "scores": scores}
    except Exception as exc:  # the batch goes on: this submission is reported as failed
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        for log in base.glob("*/kernel.log"):
            result["log"] += log.read_text(errors="replace")[-5000:]
    finally:
        shutil.rmtree(base, ignore_errors=True)
    result["seconds"] = time.monotonic() - start
    return result
