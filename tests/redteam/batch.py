"""Grade one batch of red-team attacks with honest controls, and record everything needed to judge it.

    python tests/redteam/batch.py                          # the classroom command, every attack, one batch
    python tests/redteam/batch.py --grader nbgrader        # plain `nbgrader autograde`
    python tests/redteam/batch.py --isolated               # each attack in a batch of its own (slow: a table)
    python tests/redteam/batch.py --attacks xss_img,kill_grader

A batch is a throwaway course (the lab's solutions/ and labs/, nbgrader_config.py rooted there, a gradebook made by
`nbgrader generate_assignment`) with a throwaway home for the grader. The students are sorted so that the honest
controls (the released lab blank, and filled with the solution) are graded first and last. Before grading the
course tree, the grader's home and the installed `scalelab` package are hashed; after grading (and after a second
for anything that waits), every process of the batch still alive is recorded and ended, the trees are hashed again,
and the gradebook, the command's table, the graded notebooks and the feedback are read.
"""
import argparse
import hashlib
import html
import importlib.util
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from fnmatch import fnmatch
from html.parser import HTMLParser

import nbformat
import psutil

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    __package__ = "redteam"

from redteam import attacks as attack_list  # noqa: E402
from redteam import lab as labinfo  # noqa: E402

CONTROLS = {"blank_before": "a_control_blank", "good_before": "a_control_good",
            "blank_after": "z_control_blank", "good_after": "z_control_good"}
# What the grader itself writes in the course directory: not hashed (its content is checked on its own).
GRADER_OUTPUTS = ("autograded", "feedback", "gradebook.db", "gradebook.db-journal", "gradebook.db-wal",
                  "gradebook.db-shm", ".nbgrader.log", "autograde-*.log")
HOME_CACHES = (".cache", ".local/share/jupyter/runtime", ".config/matplotlib", ".ipython/profile_default/db",
               ".ipython/profile_default/log", ".ipython/profile_default/pid", ".ipython/profile_default/security")
CELL_TIMEOUT_S = 10          # per-cell limit given to the grader (the lab's slowest cell takes ~3 s)
TIME_LIMIT_S = 600           # the whole batch; past it the batch counts as hung and is ended
FEEDBACK_LIMIT_S = 300
MARK = re.compile(r"REDTEAM:([a-z_]+)")
SQLITE_HEADER = b"SQLite format 3\x00"


WITHOUT_BWRAP = os.environ.get("REDTEAM_WITHOUT_BWRAP") == "1"   # hide bwrap from the grader: the fallback path


def sandbox_available():
    """(True, '') when bubblewrap can make a sandbox here, else (False, why not)."""
    if WITHOUT_BWRAP:
        return False, "bubblewrap hidden from the grader (REDTEAM_WITHOUT_BWRAP=1)"
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False, "bubblewrap (bwrap) is not installed"
    try:
        done = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
                               "--die-with-parent", "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap cannot run: {exc}"
    if done.returncode:
        return False, f"bwrap cannot make a sandbox here: {done.stderr.decode(errors='replace').strip()[:200]}"
    return True, ""


# --- the throwaway course -----------------------------------------------------------------------------------------

def grader_env(home, token):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "IPYTHON", "PYTEST", "MPL"))}
    scripts = os.path.dirname(sys.executable)
    env.update(HOME=str(home), REDTEAM_BATCH=token, PYTHONDONTWRITEBYTECODE="1",
               PATH=scripts if WITHOUT_BWRAP else scripts + os.pathsep + os.environ.get("PATH", ""))
    return env


def write_config(course):
    text = (labinfo.ROOT / "nbgrader_config.py").read_text().replace(
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))",
        f"c.CourseDirectory.root = {str(course)!r}")
    (course / "nbgrader_config.py").write_text(text)


def make_template(workdir, lab):
    """A generated course (solutions, labs, config, gradebook) to copy for each batch."""
    course = pathlib.Path(workdir) / "template"
    shutil.copytree(labinfo.ROOT / "solutions" / lab.name, course / "solutions" / lab.name)
    shutil.copytree(labinfo.ROOT / "labs" / lab.name, course / "labs" / lab.name)
    write_config(course)
    home = pathlib.Path(workdir) / "template-home"
    home.mkdir()
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab.name, "--force",
                           "--log-level=ERROR"], cwd=course, env=grader_env(home, "template"),
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{done.stdout}\n{done.stderr}")
    shutil.rmtree(home)
    return course


def copy_course(template, target):
    shutil.copytree(template, target, symlinks=True)
    write_config(target)
    return target


def prepare_home(home):
    """The grader's home, with the folders IPython and Jupyter make on first use already there."""
    (home / ".ipython" / "profile_default" / "startup").mkdir(parents=True)
    (home / ".local" / "share" / "jupyter" / "runtime").mkdir(parents=True)
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "migrated").write_text("")   # jupyter_core's one-time migration: already done


# --- hashing what must not change ---------------------------------------------------------------------------------

def _skipped(rel, patterns):
    return any(rel == p or rel.startswith(p + "/") or fnmatch(rel.split("/")[0], p) for p in patterns)


def tree_state(root, skip=()):
    """{relative path: digest} of a tree (files by content, links by target, folders by name), not following links."""
    root = pathlib.Path(root)
    state = {}
    if not root.exists():
        return state
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel_folder = os.path.relpath(folder, root)
        rel_folder = "" if rel_folder == "." else rel_folder + "/"
        for name in list(dirs):
            rel = rel_folder + name
            if _skipped(rel, skip):
                dirs.remove(name)
            elif os.path.islink(os.path.join(folder, name)):
                state[rel] = "link:" + os.readlink(os.path.join(folder, name))
                dirs.remove(name)
            else:
                state[rel + "/"] = "dir"
        for name in files:
            rel = rel_folder + name
            path = os.path.join(folder, name)
            if _skipped(rel, skip):
                continue
            if os.path.islink(path):
                state[rel] = "link:" + os.readlink(path)
                continue
            digest = hashlib.sha256()
            try:
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
                state[rel] = digest.hexdigest()
            except OSError as exc:
                state[rel] = f"unreadable:{exc.errno}"
    return state


def package_dir():
    return pathlib.Path(importlib.util.find_spec("scalelab").origin).parent


def site_state():
    purelib = pathlib.Path(sysconfig.get_paths()["purelib"])
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(purelib.glob("*.pth"))}


@dataclass
class Snapshot:
    trees: dict                 # "course" / "home" / "package" / "site" -> tree_state
    source_cells: dict          # name -> source of the gradebook's stored cells
    roots: dict                 # "course" / "home" / "package" -> path


def snapshot(course, home):
    roots = {"course": course, "home": home, "package": package_dir()}
    trees = {"course": tree_state(course, GRADER_OUTPUTS), "home": tree_state(home, HOME_CACHES),
             "package": tree_state(roots["package"]), "site": site_state()}
    return Snapshot(trees, stored_cells(course / "gradebook.db"), roots)


def changes(before, after):
    """Sorted paths added, removed or changed between two tree states."""
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class PackageGuard:
    """Saves the installed scalelab package (and the .pth list) and puts back whatever an attack changed."""

    def __init__(self, workdir):
        self.root = package_dir()
        self.backup = pathlib.Path(workdir) / "package-backup"
        shutil.copytree(self.root, self.backup, symlinks=True)
        self.pth = set(site_state())

    def restore(self):
        restored = []
        now, saved = tree_state(self.root), tree_state(self.backup)
        for rel in changes(saved, now):
            target = self.root / rel.rstrip("/")
            if rel in saved and saved[rel] != "dir":
                shutil.copy2(self.backup / rel, target)
            elif rel not in saved:
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)
            restored.append(rel)
        purelib = pathlib.Path(sysconfig.get_paths()["purelib"])
        for name in set(site_state()) - self.pth:
            (purelib / name).unlink(missing_ok=True)
            restored.append("site-packages/" + name)
        return restored


# --- the gradebook ------------------------------------------------------------------------------------------------

def _connect_ro(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)


def stored_cells(db):
    if not pathlib.Path(db).exists():
        return {}
    with _connect_ro(db) as con:
        return dict(con.execute("SELECT name, source FROM source_cell"))


def gradebook_facts(db, lab):
    """({student: {"cells": {name: score}, "score": total}}, [trigger/view names], error text)."""
    facts, extras = {}, []
    if not pathlib.Path(db).exists():
        return facts, extras, "no gradebook"
    try:
        with _connect_ro(db) as con:
            rows = con.execute(
                "SELECT sa.student_id, bc.name, g.auto_score, g.manual_score, g.extra_credit, gc.cell_type, "
                "sn.late_submission_penalty, sn.id FROM grade g "
                "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
                "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
                "JOIN assignment a ON sa.assignment_id = a.id "
                "JOIN base_cell bc ON g.cell_id = bc.id LEFT JOIN grade_cells gc ON gc.id = bc.id "
                "WHERE a.name = ?", (lab,)).fetchall()
            students = [r[0] for r in con.execute(
                "SELECT sa.student_id FROM submitted_assignment sa JOIN assignment a ON sa.assignment_id = a.id "
                "WHERE a.name = ?", (lab,))]
            extras = [f"{t} {n}" for t, n in con.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')")]
    except sqlite3.Error as exc:
        return facts, extras, f"gradebook unreadable: {exc}"
    for student in students:
        facts[student] = {"cells": {}, "score": 0.0, "penalty": 0.0}
    penalties = {}
    for student, name, auto, manual, extra, cell_type, penalty, notebook in rows:
        score = (manual if manual is not None else (auto or 0.0)) + (extra or 0.0)
        entry = facts.setdefault(student, {"cells": {}, "score": 0.0, "penalty": 0.0})
        entry["cells"][name] = {"score": score, "auto": auto, "manual": manual, "type": cell_type}
        entry["score"] += score
        penalties[(student, notebook)] = penalty or 0.0
    for (student, _), penalty in penalties.items():
        facts[student]["penalty"] += penalty
        facts[student]["score"] -= penalty
    return facts, extras, ""


# --- processes ----------------------------------------------------------------------------------------------------

def _ancestors():
    out, proc = set(), psutil.Process()
    while proc is not None:
        out.add(proc.pid)
        proc = proc.parent()
    return out


def batch_processes(token, workdir, session):
    """{pid: facts} of every process of this batch still alive (by token, environment, folder, session, descent)."""
    me = psutil.Process()
    skip = _ancestors()
    descendants = {p.pid for p in me.children(recursive=True)}
    found = {}
    for proc in psutil.process_iter():
        if proc.pid in skip:
            continue
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            cmd = " ".join(proc.cmdline())
            reasons = []
            if token in cmd:
                reasons.append("token")
            try:
                if proc.environ().get("REDTEAM_BATCH") == token:
                    reasons.append("environment")
            except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
                pass
            try:
                cwd = proc.cwd()
            except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
                cwd = ""
            if cwd and cwd.startswith(str(workdir)):
                reasons.append("working directory")
            if proc.pid in descendants:
                reasons.append("descendant")
            try:
                if session and os.getsid(proc.pid) == session:
                    reasons.append("session")
            except OSError:
                pass
            if reasons:
                found[proc.pid] = {"cmd": cmd[:300], "cwd": cwd, "reasons": reasons,
                                   "attack": _process_attack(cmd, cwd)}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _process_attack(cmd, cwd):
    marks = MARK.findall(cmd)
    if marks:
        return marks[0]
    match = re.search(r"/(?:autograded|submitted|feedback)/rt_([a-z_]+)(?:/|$)", cwd)
    return match.group(1) if match else None


def end_processes(pids):
    procs = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            proc.send_signal(signal.SIGCONT)
            proc.kill()
            procs.append(proc)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


# --- feedback -----------------------------------------------------------------------------------------------------

JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


class LiveScript(HTMLParser):
    """Marks that sit where a browser would run them: script text, on* handlers, javascript: URLs, srcdoc."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live, self._in_script = set(), False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            live = (name.startswith("on") or (name in ("href", "src", "action", "formaction", "data", "xlink:href")
                                               and value.strip().lower().startswith("javascript:"))
                    or name == "srcdoc")
            if live:
                self.live.update(MARK.findall(value))
        if tag == "script":
            kind = dict(attrs).get("type", "") or ""
            self._in_script = kind.strip().lower() in JS_TYPES
        if tag in ("iframe", "embed", "object"):
            self.live.update(MARK.findall(" ".join(v or "" for _, v in attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.live.update(MARK.findall(data))


def live_marks(text):
    """Names of the attacks whose mark sits in a live position of an HTML page."""
    parser = LiveScript()
    parser.feed(text)
    return parser.live


def _plain(text):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def hidden_in(data, hidden, is_html):
    """Hidden test lines found in a feedback file."""
    if is_html:
        plain = _plain(data.decode("utf-8", errors="replace"))
    else:
        plain = " ".join(data.decode("utf-8", errors="replace").split())
    return [line for line in hidden if " ".join(line.split()) in plain]


def browser_marks(pages):
    """{page: marks its scripts recorded in window.__REDTEAM__} in headless Chromium; None when unavailable."""
    chromium = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
    if not chromium or importlib.util.find_spec("playwright") is None or not pages:
        return None
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                       else route.abort())
            for path in pages:
                try:
                    page.goto(pathlib.Path(path).as_uri(), wait_until="load", timeout=15000)
                    page.wait_for_timeout(300)
                    out[str(path)] = list(page.evaluate("window.__REDTEAM__ || []"))
                except Exception as exc:  # a page that cannot load is not a live script, but say so
                    out[str(path)] = [f"(page did not load: {type(exc).__name__})"]
        finally:
            browser.close()
    return out


# --- one batch ----------------------------------------------------------------------------------------------------

@dataclass
class Batch:
    grader: str
    attacks: list
    workdir: pathlib.Path
    course: pathlib.Path = None
    home: pathlib.Path = None
    token: str = ""
    command: list = field(default_factory=list)
    returncode: int = None
    hung: bool = False
    grading_s: float = 0.0
    feedback_s: float = 0.0
    feedback_by: str = ""
    log: str = ""
    table: dict = field(default_factory=dict)          # student -> row of the command's CSV
    grades: dict = field(default_factory=dict)         # student -> gradebook facts
    gradebook_extras: list = field(default_factory=list)
    gradebook_error: str = ""
    changed_cells: dict = field(default_factory=dict)  # stored cell name -> new source
    changed: dict = field(default_factory=dict)        # "course:path" -> marks found in it
    processes: dict = field(default_factory=dict)      # pid -> facts, alive after the batch
    processes_after_feedback: dict = field(default_factory=dict)
    restored: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)        # student -> problems found in autograded/ and feedback/
    feedback: dict = field(default_factory=dict)       # student -> {"files": n, "hidden": [...], "live": [...]}
    browser: dict = None
    lab: labinfo.Lab = None

    @property
    def students(self):
        return sorted(list(CONTROLS.values()) + [a.student for a in self.attacks])


def grading_command(grader, lab, workdir):
    if grader == "nbgrader":
        return [sys.executable, "-m", "nbgrader", "autograde", lab, "--force", "--log-level=INFO",
                f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_S}", f"--Execute.timeout={CELL_TIMEOUT_S}"]
    return [sys.executable, "-m", "scalelab.classroom", "autograde", lab, "--timeout", str(CELL_TIMEOUT_S),
            "--csv", str(pathlib.Path(workdir) / "table.csv")]


def write_submissions(batch, lab, real_home):
    controls = {"good": lab.good(), "blank": lab.fresh()}
    for role, student in CONTROLS.items():
        folder = batch.course / "submitted" / student / lab.name
        folder.mkdir(parents=True)
        nbformat.write(controls[role.split("_")[0]], folder / lab.notebook)
    for attack in batch.attacks:
        ctx = attack_list.Context(lab=lab, student=attack.student, token=batch.token, controls=CONTROLS,
                                  folder=batch.course / "submitted" / attack.student / lab.name, real_home=real_home)
        attack_list.build(attack, ctx)


def run_batch(attacks, grader="classroom", workdir=None, template=None, lab=None, time_limit=TIME_LIMIT_S,
              browser=True):
    """Grade the attacks (and the four controls) in one batch; return the Batch with everything observed."""
    lab = lab or labinfo.load()
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="redteam-"))
    workdir.mkdir(parents=True, exist_ok=True)
    template = template or make_template(workdir, lab)
    batch = Batch(grader, list(attacks), workdir, lab=lab, token=secrets.token_hex(6))
    batch.course = copy_course(template, workdir / "course")
    batch.home = workdir / "home"
    prepare_home(batch.home)
    home_stat = os.stat(os.path.expanduser("~"))
    write_submissions(batch, lab, (home_stat.st_dev, home_stat.st_ino))
    env = grader_env(batch.home, batch.token)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package_dir())], check=False, capture_output=True)
    guard = PackageGuard(workdir)
    before = snapshot(batch.course, batch.home)
    batch.command = grading_command(grader, lab.name, workdir)
    try:
        _grade(batch, env, time_limit)
        _feedback(batch, env)
        _observe_package(batch, before)
    finally:
        batch.restored = guard.restore()
    _observe(batch, before)
    if browser:
        pages = [p for a in batch.attacks if a.kind == "script in feedback"
                 for p in sorted((batch.course / "feedback" / a.student).rglob("*.html"))]
        batch.browser = browser_marks(pages)
    return batch


def _grade(batch, env, time_limit):
    out = open(batch.workdir / "grading.log", "w")
    start = time.monotonic()
    proc = subprocess.Popen(batch.command, cwd=batch.course, env=env, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        batch.returncode = proc.wait(timeout=time_limit)
    except subprocess.TimeoutExpired:
        batch.hung = True
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except OSError:
                pass
        batch.returncode = proc.wait()
    batch.grading_s = time.monotonic() - start
    out.close()
    time.sleep(1.0)   # anything waiting for the grader to finish acts now
    batch.processes = batch_processes(batch.token, batch.workdir, proc.pid)
    end_processes(batch.processes)
    batch.log = (batch.workdir / "grading.log").read_text(errors="replace")


def _feedback(batch, env):
    """The feedback students fetch: the grader's own if it made it, else `nbgrader generate_feedback` run here."""
    folder = batch.course / "feedback"
    if folder.is_dir() and any(folder.rglob("*.html")):
        batch.feedback_by = "grader"
        return
    batch.feedback_by = "nbgrader generate_feedback"
    start = time.monotonic()
    with open(batch.workdir / "feedback.log", "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nbgrader", "generate_feedback", batch.lab.name, "--force"],
                                cwd=batch.course, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=FEEDBACK_LIMIT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            batch.feedback_by += " (timed out)"
    batch.feedback_s = time.monotonic() - start
    batch.processes_after_feedback = batch_processes(batch.token, batch.workdir, proc.pid)
    end_processes(batch.processes_after_feedback)


def _record_changes(batch, before, after):
    for tree, state in after.items():
        for rel in changes(before.trees[tree], state):
            marks = set()
            if tree in before.roots:
                path = pathlib.Path(before.roots[tree]) / rel
                if path.is_file() and not path.is_symlink() and path.stat().st_size < 200 * 2**20:
                    marks = set(MARK.findall(path.read_bytes().decode("utf-8", errors="replace")))
            elif tree == "site":
                path = pathlib.Path(sysconfig.get_paths()["purelib"]) / rel
                marks = set(MARK.findall(path.read_text(errors="replace"))) if path.is_file() else set()
            batch.changed[f"{tree}:{rel}"] = sorted(marks)


def _observe_package(batch, before):
    """Changes to the installed package and site-packages, seen before they are put back."""
    _record_changes(batch, before, {"package": tree_state(before.roots["package"]), "site": site_state()})


def _observe(batch, before):
    course, lab = batch.course, batch.lab
    table = batch.workdir / "table.csv"
    if table.exists():
        import csv

        with open(table) as f:
            batch.table = {row["student"]: row for row in csv.DictReader(f)}
    batch.grades, batch.gradebook_extras, batch.gradebook_error = gradebook_facts(course / "gradebook.db", lab.name)
    now = stored_cells(course / "gradebook.db")
    batch.changed_cells = {k: now.get(k) for k in set(now) | set(before.source_cells)
                           if now.get(k) != before.source_cells.get(k)}
    _record_changes(batch, before, {"course": tree_state(course, GRADER_OUTPUTS),
                                    "home": tree_state(batch.home, HOME_CACHES)})
    passwd = pathlib.Path("/etc/passwd").read_bytes() if os.path.exists("/etc/passwd") else None
    for student in batch.students:
        problems, fb = [], {"files": 0, "hidden": [], "live": [], "marks_of_others": []}
        for top in ("autograded", "feedback"):
            for path in sorted((course / top / student).rglob("*")) if (course / top / student).exists() else []:
                rel = path.relative_to(course)
                if path.is_symlink():
                    problems.append(f"{rel} is a symlink to {os.readlink(path)}")
                    continue
                if not path.is_file():
                    continue
                data = path.read_bytes()
                if passwd and (data == passwd or passwd.split(b"\n")[0] in data):
                    problems.append(f"{rel} holds /etc/passwd")
                if data.startswith(SQLITE_HEADER):
                    problems.append(f"{rel} is a copy of a database")
                others = {m for m in MARK.findall(data.decode("utf-8", errors="replace"))
                          if f"rt_{m}" != student}
                if others:
                    fb["marks_of_others"].append(f"{rel}: {sorted(others)}")
                if top == "feedback":
                    fb["files"] += path.suffix == ".html"
                    found = hidden_in(data, lab.hidden_lines, path.suffix == ".html")
                    fb["hidden"].extend(found)
                    if path.suffix == ".html":
                        fb["live"].extend(sorted(live_marks(data.decode("utf-8", errors="replace"))))
        batch.outputs[student] = problems
        batch.feedback[student] = fb


# --- judging ------------------------------------------------------------------------------------------------------

def score_of(batch, student):
    """(score, where it came from): the gradebook's, else the command's table, else None (not graded)."""
    if student in batch.grades:
        return round(batch.grades[student]["score"], 3), "gradebook"
    row = batch.table.get(student)
    if row is not None:
        try:
            return float(row["score"]), "table"
        except (KeyError, ValueError):
            return None, "table"
    return None, ""


def attack_violations(batch, attack):
    """What this attack got away with in this batch ([] = held)."""
    out = []
    student = attack.student
    score, where = score_of(batch, student)
    if score is None:
        out.append("not graded: no gradebook entry and no row in the command's table")
    elif score != 0:
        out.append(f"scored {score:g}/{batch.lab.max_auto:g} ({where}); a blank lab is worth 0")
    for path, marks in batch.changed.items():
        tree, rel = path.split(":", 1)
        if attack.name in marks or (not marks and any(fnmatch(path, t) for t in attack.targets)):
            out.append(f"changed {path}")
    for name, source in batch.changed_cells.items():
        if attack.mark in (source or ""):
            out.append(f"rewrote the stored test cell {name} in the gradebook")
    for extra in batch.gradebook_extras:
        if attack.name in extra:
            out.append(f"left a {extra} in the gradebook")
    for pid, facts in {**batch.processes, **batch.processes_after_feedback}.items():
        if facts["attack"] == attack.name:
            out.append(f"process {pid} left ({', '.join(facts['reasons'])}): {facts['cmd'][:80]}")
    out.extend(batch.outputs.get(student, []))
    fb = batch.feedback.get(student, {})
    if fb.get("hidden"):
        out.append(f"{len(set(fb['hidden']))} hidden-test lines in its feedback")
    if attack.name in fb.get("live", []):
        out.append("live script in its feedback HTML")
    for page, marks in (batch.browser or {}).items():
        if f"/feedback/{student}/" in page and attack.mark in marks:
            out.append("its script ran in Chromium when the feedback page opened")
    printed = _graded_text(batch, student)
    if "REDTEAM-REAL-HOME-VISIBLE" in printed and "writable" in printed:
        out.append("the grader's real home was visible and writable from the kernel")
    return out


def _graded_text(batch, student):
    """What the student's cells printed (outputs of its graded notebooks, not their source)."""
    folder = batch.course / "autograded" / student
    texts = []
    for path in sorted(folder.rglob("*.ipynb")) if folder.exists() else []:
        try:
            cells = json.loads(path.read_text(errors="replace"))["cells"]
        except (ValueError, KeyError):
            continue
        for cell in cells:
            for output in cell.get("outputs", []):
                text = output.get("text", "")
                texts.append("".join(text) if isinstance(text, list) else str(text))
    return "\n".join(texts)


def control_violations(batch):
    out = []
    full = batch.lab.max_auto
    for role, student in CONTROLS.items():
        want = full if role.startswith("good") else 0.0
        score, where = score_of(batch, student)
        if score is None:
            out.append(f"{role} ({student}) not graded")
            continue
        if abs(score - want) > 1e-9:
            out.append(f"{role} ({student}) scored {score:g} ({where}), should be {want:g}")
        cells = batch.grades.get(student, {}).get("cells", {})
        for name, cell in cells.items():
            if cell["manual"] is not None:
                out.append(f"{role} ({student}): {name} has a manual score {cell['manual']:g} nobody gave")
        fb = batch.feedback.get(student, {})
        if fb.get("hidden"):
            out.append(f"{role} ({student}): {len(set(fb['hidden']))} hidden-test lines in the feedback")
        if fb.get("marks_of_others"):
            out.append(f"{role} ({student}): attack marks in its graded files: {fb['marks_of_others'][:3]}")
        out.extend(f"{role} ({student}): {p}" for p in batch.outputs.get(student, []))
    return out


def batch_violations(batch):
    out = []
    if batch.hung:
        out.append(f"the grading command did not finish within {TIME_LIMIT_S} s (ended by the suite)")
    elif batch.returncode:
        out.append(f"the grading command exited with status {batch.returncode}")
    missing = [s for s in batch.students if score_of(batch, s)[0] is None]
    if missing:
        out.append(f"{len(missing)} students without a grade: {', '.join(missing[:8])}")
    if batch.gradebook_error:
        out.append(batch.gradebook_error)
    unattributed = [p for p, marks in batch.changed.items() if not marks and not any(
        fnmatch(p, t) for a in batch.attacks for t in a.targets)]
    if unattributed:
        out.append(f"files changed by nobody's mark: {unattributed[:6]}")
    if batch.gradebook_extras:
        out.append(f"the gradebook holds {batch.gradebook_extras}")
    if batch.changed_cells:
        out.append(f"stored test cells changed in the gradebook: {sorted(batch.changed_cells)}")
    left = {**batch.processes, **batch.processes_after_feedback}
    if left:
        out.append(f"{len(left)} processes left: " + "; ".join(
            f"{pid} [{f['attack'] or '?'}] {f['cmd'][:60]}" for pid, f in list(left.items())[:6]))
    if batch.grader == "classroom" and not sandbox_available()[0] and "NOT SANDBOXED" not in batch.log:
        out.append("graded without a sandbox, and the command's output does not say NOT SANDBOXED")
    if "timed out" in batch.feedback_by:
        out.append("generating the feedback timed out")
    return out


def table_rows(batch):
    rows = []
    for attack in batch.attacks:
        score, where = score_of(batch, attack.student)
        status = batch.table.get(attack.student, {}).get("status", "")
        found = attack_violations(batch, attack)
        rows.append({"attack": attack.name, "kind": attack.kind, "title": attack.title,
                     "score": "—" if score is None else f"{score:g}", "status": status,
                     "held": not found, "what": "; ".join(found) or "held"})
    return rows


def summary(batch):
    lines = [f"grader: {batch.grader}  (command: {' '.join(batch.command[1:4])} ...)",
             f"grading {batch.grading_s:.0f} s, feedback {batch.feedback_s:.0f} s by {batch.feedback_by}; "
             f"return code {batch.returncode}{' (HUNG)' if batch.hung else ''}",
             "controls: " + ", ".join(f"{r}={score_of(batch, s)[0]}" for r, s in CONTROLS.items())]
    for v in control_violations(batch) + batch_violations(batch):
        lines.append("  ! " + v)
    lines.append("")
    lines.append("| attack | score | held | what happened |")
    lines.append("|---|---|---|---|")
    for row in table_rows(batch):
        lines.append(f"| {row['attack']} | {row['score']} | {'yes' if row['held'] else 'NO'} | {row['what'][:300]} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grader", choices=("classroom", "nbgrader"), default="classroom")
    parser.add_argument("--attacks", default="", help="comma-separated names (default: all)")
    parser.add_argument("--isolated", action="store_true", help="each attack in a batch of its own")
    parser.add_argument("--grouped", action="store_true",
                        help="the attacks on other students or on the batch each in a batch of its own, the rest "
                             "together (what each attack does on its own, in fewer batches)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_S)
    parser.add_argument("--json", default="", help="write the rows to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway course folders")
    args = parser.parse_args(argv)
    chosen = [attack_list.BY_NAME[n] for n in args.attacks.split(",") if n] or attack_list.ATTACKS
    lab = labinfo.load()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="redteam-"))
    rows = []
    try:
        template = make_template(workdir, lab)
        if args.isolated:
            groups = [[a] for a in chosen]
        elif args.grouped:
            groups = [[a for a in chosen if not a.disruptive]] + [[a] for a in chosen if a.disruptive]
            groups = [g for g in groups if g]
        else:
            groups = [chosen]
        for i, group in enumerate(groups):
            batch = run_batch(group, args.grader, workdir / f"batch{i}", template, lab, args.time_limit)
            print(summary(batch), flush=True)
            for row in table_rows(batch):
                row.update(controls={r: score_of(batch, s)[0] for r, s in CONTROLS.items()},
                           batch=batch_violations(batch) + control_violations(batch),
                           grading_s=round(batch.grading_s, 1))
                rows.append(row)
            if args.json:
                pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print("kept", workdir)


if __name__ == "__main__":
    main()
