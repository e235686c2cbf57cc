"""The red-team batch: every attack of tests/redteam.py, each on the blank lab, graded in ONE batch of the classroom
command between honest controls (good and blank, first and last by name). Each attack must end with a fair score (0),
the controls exact, no file outside the attacker's scratch changed, no hidden test or live script in any feedback, no
process left and a row for every student. Without bubblewrap, the attacks only a sandbox can hold are neither written
nor run, and their tests skip saying so."""
import contextlib
import hashlib
import html
import os
import pathlib
import sqlite3
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

import psutil
import pytest

from scalelab import classroom, sandbox
from tests import redteam, submissions

# SCALELAB_REDTEAM_UNSANDBOXED=1 grades the batch as a machine without bubblewrap would (and skips what it cannot hold)
SANDBOXED = sandbox.available() and not os.environ.get("SCALELAB_REDTEAM_UNSANDBOXED")
NOT_OURS = ("autograded", "feedback", "autograde-logs", "gradebook.db", ".nbgrader.log")


def _tree_hashes(course):
    """sha256 of every file of the course but what grading itself writes (graded copies, feedback, logs, gradebook)."""
    out = {}
    for path in sorted(pathlib.Path(course).rglob("*")):
        relative = path.relative_to(course)
        if relative.parts[0] in NOT_OURS or not (path.is_file() or path.is_symlink()):
            continue
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        out[str(relative)] = hashlib.sha256(data).hexdigest()
    return out


def _gradebook_cells(course):
    """The stored source and grade cells of the lab (what nbgrader restores before grading), via nbgrader's API."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_notebook(redteam.LAB, redteam.LAB)
        sources = {c.name: (c.source, c.checksum, c.locked) for c in notebook.source_cells}
        grades = {c.name: (c.max_score, c.cell_type) for c in notebook.grade_cells}
    return sources, grades


def _canary_files():
    """Files named after this run in the places a kernel must never write: the package, site-packages, the
    grader's IPython startup folder."""
    import site

    import scalelab

    folders = [pathlib.Path(scalelab.__file__).parent, pathlib.Path(scalelab.__file__).parents[1] / "solutions",
               pathlib.Path.home() / ".ipython" / "profile_default" / "startup"]
    folders += [pathlib.Path(p) for p in site.getsitepackages()]
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [p for p in folder.rglob(f"*{redteam.RUN_ID}*")]
    return found


def _marked_processes():
    """Processes an attack started: its marker in their command line or environment."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            text = " ".join(process.info["cmdline"] or [])
            if redteam.RUN_ID not in text:
                text += " ".join(f"{k}={v}" for k, v in process.environ().items())
            if redteam.RUN_ID in text:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


class _LiveScript(HTMLParser):
    """Places in an HTML page where the browser would run code carrying ``needle``."""

    EXECUTABLE_URLS = ("href", "src", "action", "formaction", "data", "xlink:href")

    def __init__(self, needle):
        super().__init__(convert_charrefs=True)
        self.needle, self.in_script, self.found = needle, False, []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.in_script = True
        for key, value in attrs:
            value = value or ""
            if self.needle in value and (key.startswith("on") or key in self.EXECUTABLE_URLS or key == "srcdoc"):
                self.found.append(f"<{tag} {key}={value[:80]!r}>")
        if tag in ("iframe", "object", "embed") and any(self.needle in (v or "") for _, v in attrs):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and self.needle in data:
            self.found.append(f"<script>{data.strip()[:80]}")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("redteam")
    course = submissions.copy_course(base / "course", redteam.LAB)
    grader_tmp = base / "tmp"
    grader_tmp.mkdir()
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", redteam.LAB, "--force",
                    "--log-level=ERROR"], cwd=course, check=True, env=classroom._environment())
    students = redteam.write_batch(course, grader_tmp, SANDBOXED)
    before = {"hashes": _tree_hashes(course), "cells": _gradebook_cells(course), "canaries": set(_canary_files())}
    saved = {name: os.environ.get(name) for name in ("TMPDIR", redteam.CANARY_VARIABLE)}
    saved_tempdir = tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = str(grader_tmp), str(grader_tmp)
    os.environ[redteam.CANARY_VARIABLE] = redteam.CANARY_VALUE
    started = time.monotonic()
    try:
        table = classroom.autograde(redteam.LAB, course_root=course, jobs=2, timeout=12, sandboxed=SANDBOXED)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = saved_tempdir
    seconds = time.monotonic() - started
    after = {"descendants": [p for p in psutil.Process().children(recursive=True) if p.is_running()],
             "marked": _marked_processes(), "leftover_tmp": sorted(p.name for p in grader_tmp.iterdir())}
    feedback = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", redteam.LAB, "--force",
                               "--log-level=ERROR"], cwd=course, env=classroom._environment(), capture_output=True,
                              text=True)
    time.sleep(1)   # a tampering child that escaped would have written by now
    after.update(hashes=_tree_hashes(course), cells=_gradebook_cells(course), canaries=set(_canary_files()))
    yield {"course": course, "students": students, "table": table.set_index("student"), "before": before,
           "after": after, "feedback": feedback, "seconds": seconds}
    for process in after["marked"] + _marked_processes():   # only what an attack of this run started
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    for path in set(_canary_files()) - before["canaries"]:
        path.unlink(missing_ok=True)


def _graded_notebook(course, student):
    return course / "autograded" / student / redteam.LAB / f"{redteam.LAB}.ipynb"


def _feedback_pages(course, student=None):
    return sorted((course / "feedback").glob(f"{student or '*'}/{redteam.LAB}/*.html"))


def _skip_unsandboxed(name):
    item = redteam.ATTACKS[name]
    if item.needs_sandbox and not SANDBOXED:
        pytest.skip(f"bubblewrap is not available: without a sandbox the learner's code runs as the grader and can "
                    f"{item.threat or 'reach the course'}; this attack was not run")


def test_the_batch_is_complete(batch):
    table = batch["table"]
    print(f"red-team batch of {len(table)} submissions graded in {batch['seconds']:.0f} s")
    assert sorted(table.index) == sorted(batch["students"])
    assert (table["max_score"] > 0).all()


@pytest.mark.parametrize("student", redteam.GOOD + redteam.BLANK)
def test_controls_get_exact_grades(batch, student):
    row = batch["table"].loc[student]
    expected = redteam.points() if student in redteam.GOOD else 0.0
    assert row["status"] == "graded", row["message"]
    assert row["score"] == expected, f"{student}: {row['score']}, want {expected}; {row['message']}"


@pytest.mark.parametrize("name", sorted(redteam.ATTACKS))
def test_each_attack_ends_with_a_fair_score(batch, name):
    _skip_unsandboxed(name)
    item = redteam.ATTACKS[name]
    row = batch["table"].loc[name]
    if item.known_open and row["score"] > 0:
        pytest.xfail(f"open: {item.known_open}")
    assert row["score"] == 0, f"{name} scored {row['score']}: {row['message']}"
    if item.status:
        assert row["status"] == item.status, f"{name}: status {row['status']}, want {item.status}: {row['message']}"
    assert item.message in row["message"], f"{name}: the message does not say {item.message!r}: {row['message']}"
    graded = _graded_notebook(batch["course"], name)
    if graded.exists():
        text = redteam.outputs_text(graded)
        through = text.split(redteam.SUCCESS_SIGNAL, 1)[1][:300] if redteam.SUCCESS_SIGNAL in text else ""
        assert not through, f"{name} got through: {through}"
        for evidence in item.evidence:
            assert evidence not in text, f"{name}: {evidence!r} reached its outputs"
        assert graded.stat().st_size <= classroom.MAX_NOTEBOOK_BYTES, (
            f"{name}: its graded notebook is {graded.stat().st_size / 2**20:.0f} MiB")


def test_the_gradebook_holds_what_the_grader_wrote(batch):
    from nbgrader.api import Gradebook

    course, table = batch["course"], batch["table"]
    assert batch["after"]["cells"] == batch["before"]["cells"], "the stored test cells were changed"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        known = {s.id for s in gb.students}
        assert known <= set(batch["students"]), "the gradebook holds students nobody submitted as"
        for student in batch["students"]:
            if table.loc[student, "status"] in ("graded", "flagged"):
                assert gb.find_submission(redteam.LAB, student).score == table.loc[student, "score"], student
    with sqlite3.connect(f"file:{course / 'gradebook.db'}?mode=ro", uri=True) as db:
        assert db.execute("select name from sqlite_master where type = 'trigger'").fetchall() == []


def test_no_file_outside_the_scratch_changed(batch):
    before, after = batch["before"], batch["after"]
    changed = sorted(k for k in set(before["hashes"]) | set(after["hashes"])
                     if before["hashes"].get(k) != after["hashes"].get(k))
    assert changed == []
    assert after["canaries"] - before["canaries"] == set(), "an attack wrote into the package, site-packages or home"
    left = [name for name in batch["after"]["leftover_tmp"] if name != "dask-scratch-space"]   # Dask's own
    assert left == [], "work folders were left in the grader's temporary folder"


def test_feedback_has_no_hidden_test_and_no_live_script(batch):
    course = batch["course"]
    assert batch["feedback"].returncode == 0, batch["feedback"].stderr[-2000:]
    pages = _feedback_pages(course)
    graded = [s for s in batch["students"] if _graded_notebook(course, s).exists()]
    assert len(pages) == len(graded) > len(redteam.GOOD + redteam.BLANK)
    hidden = [" ".join(line.split())[:60] for line in redteam.hidden_test_lines()]
    assert len(hidden) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _LiveScript(redteam.RUN_ID)
        parser.feed(text)
        assert parser.found == [], f"{page.parts[-3]}: live script in its feedback: {parser.found[:3]}"
        plain = " ".join(html.unescape(text).split())
        leaked = [line for line in hidden if line in plain]
        assert leaked == [], f"{page.parts[-3]}: hidden tests in its feedback: {leaked[:3]}"
        assert redteam.CANARY_VALUE not in text


def test_no_process_is_left(batch):
    assert batch["after"]["marked"] == [], [p.info["cmdline"] for p in batch["after"]["marked"]]
    left = [" ".join(p.cmdline()) for p in batch["after"]["descendants"] if p.is_running()]
    # multiprocessing's resource tracker belongs to this test process (Dask started it) and ends with it
    assert [c for c in left if "multiprocessing.resource_tracker" not in c] == []


def test_every_attack_is_in_the_batch_or_skipped_with_its_reason(batch):
    ran = {name for name, item in batch["students"].items() if item}
    unheld = {name for name, item in redteam.ATTACKS.items() if item.needs_sandbox and not SANDBOXED}
    assert ran | unheld == set(redteam.ATTACKS) and not ran & unheld
    assert len(redteam.ATTACKS) >= 32
    if unheld:
        print("NOT SANDBOXED: attacks only bubblewrap can hold were not run:", ", ".join(sorted(unheld)))
