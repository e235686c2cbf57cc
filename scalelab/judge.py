"""Grade one notebook so that the learner's code cannot forge its verdicts.

The learner's cells run in a kernel inside the sandbox (``scalelab.sandbox``); the test cells run here, in the
grader's process, which the sandbox never sees. When a test reads a name the learner defined, the value is asked
for over a Unix socket and arrives as plain data (``scalelab.judge_agent``); a function or an object of the learner's
arrives as a ``Remote`` whose calls, attributes and items are asked for the same way. Comparisons, ``float()`` of
expected values and every check of ``scalelab.grading`` run on real numbers here: no hook, patched module or
lying ``__eq__`` in the kernel can change them.

    result = grade(notebook, tests, given, files, timeout_s=120)   # the notebook with outputs, and a log

``tests`` maps each test cell's grade id to its source (the instructor's, from the gradebook or solutions/);
``given`` is the lab's own imports, functions and classes (from its given cells), run here before each test so that
``sl``, ``np``, the models and the lab's helpers the tests call are the grader's. Everything else a test reads is the
learner's. ``lab_spec(source_notebook)`` extracts both from the instructor's notebook.
"""
import builtins
import contextlib
import io
import json
import os
import pathlib
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

from . import judge_agent, sandbox

KERNEL_START_S = 60
INTERRUPT_GRACE_S = 5
OUTPUT_LIMIT_BYTES = 8 * 2**20   # all the outputs one notebook may keep; what comes later is left out with a note
MESSAGE_LIMIT_CHARS = 10_000     # of a failed test's message and of each line of its traceback
NOTEBOOK_LIMIT_CELLS = 4         # a whole notebook may run as long as this many cells at their time limit
EXCEPTIONS = {name: getattr(builtins, name) for name in (
    "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "IndexError", "KeyError",
    "LookupError", "NameError", "NotImplementedError", "OverflowError", "RecursionError", "RuntimeError",
    "StopIteration", "TypeError", "ValueError", "ZeroDivisionError", "MemoryError", "OSError", "TimeoutError")}


class LearnerError(Exception):
    """Raised here when the learner's code raised an exception that is not one of Python's own."""


class GradingStopped(BaseException):
    """The learner's kernel can no longer answer (it timed out, died or broke the protocol). A BaseException, so a
    test's own ``except Exception`` around a call of the learner's cannot swallow it and pass."""


class TestTimeout(GradingStopped):
    """A test ran past its limit while the learner's code was answering."""


class CellTimeout(Exception):
    """A cell ran past its limit; ``outputs`` holds what it printed until then."""

    def __init__(self, outputs):
        super().__init__("timeout")
        self.outputs = outputs


# Run once in the learner's kernel before its cells: a MemoryError first frees 64 MiB of address space kept aside, so
# the kernel can still report the error under its memory limit; the reserve is taken again before the next cell.
MEMORY_RESERVE = """
def _grading_memory_reserve():
    reserve = [bytearray(64 * 2**20)]
    shell = get_ipython()

    def on_memory_error(self, etype, value, tb, tb_offset=None):
        reserve.clear()
        self.showtraceback((etype, value, tb), tb_offset=tb_offset)

    def refill(*args):
        if not reserve:
            try:
                reserve.append(bytearray(64 * 2**20))
            except MemoryError:
                pass

    shell.set_custom_exc((MemoryError,), on_memory_error)
    shell.events.register("pre_run_cell", refill)
_grading_memory_reserve()
del _grading_memory_reserve
"""


class Remote:
    """Stands for an object that lives in the learner's kernel: calls, attributes and items are asked for."""

    __slots__ = ("_link", "_id", "_type", "_callable", "_module")

    def __init__(self, link, info):
        self._link, self._id = link, info["id"]
        self._type, self._callable = str(info.get("type")), bool(info.get("callable"))
        self._module = info.get("module")

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._link.ask("getattr", h=self._id, name=name)

    def __call__(self, *args, **kwargs):
        return self._link.ask("call", h=self._id, args=self._link.outgoing(list(args)),
                              kwargs=self._link.outgoing(dict(kwargs)))

    def __getitem__(self, key):
        return self._link.ask("getitem", h=self._id, key=self._link.outgoing(key))

    def __contains__(self, item):
        return self._typed("contains", bool, item=self._link.outgoing(item))

    def __iter__(self):
        return iter(self._typed("iter", list))

    def __len__(self):
        return self._typed("len", int)

    def __bool__(self):
        return self._typed("bool", bool)

    def __float__(self):
        return float(self._typed("float", float))

    def __int__(self):
        return self._typed("int", int)

    def __index__(self):
        return self._typed("index", int)

    def __str__(self):
        return self._typed("str", str)

    def __repr__(self):
        return f"<your {self._type} object>"

    def _typed(self, op, kind, **fields):
        value = self._link.ask(op, h=self._id, **fields)
        if type(value) is not kind:
            raise TypeError(f"{op}() of your {self._type} object did not give a {kind.__name__}")
        return value


class Link:
    """The grader's end of the socket to the agent in the learner's kernel."""

    def __init__(self, conn, deadline):
        self.conn, self.deadline = conn, deadline

    def ask(self, op, **fields):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TestTimeout("the time limit of this test ran out while your code was answering")
        self.conn.settimeout(left)
        try:
            judge_agent.send(self.conn, {"op": op, **fields})
            reply = judge_agent.receive(self.conn)
        except TimeoutError:
            raise TestTimeout("the time limit of this test ran out while your code was answering") from None
        except (OSError, ValueError) as exc:
            raise GradingStopped(f"your kernel stopped answering the tests ({type(exc).__name__})") from None
        if reply is None:
            raise GradingStopped("your kernel stopped answering the tests")
        if "error" in reply:
            raise _learner_exception(reply["error"])
        try:
            return judge_agent.decode(reply.get("ok"), lambda info: Remote(self, info))
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise GradingStopped(f"an answer of your kernel could not be read ({exc})") from None

    def outgoing(self, value):
        def refuse(item):
            if isinstance(item, Remote) and item._link is self:
                return {"t": "ref", "id": item._id}
            raise TypeError(f"the tests cannot pass a {type(item).__name__} to your code")
        return judge_agent.encode(value, refuse)


def _learner_exception(error):
    message = str(error.get("message", ""))
    for name in error.get("mro", []):
        if name in EXCEPTIONS:
            return EXCEPTIONS[name](message)
    return LearnerError(f"{(error.get('mro') or ['Exception'])[0]}: {message}")


class Namespace(dict):
    """A test cell's globals: the lab's given code and the test's own names; any other name is the learner's."""

    def __init__(self, base, lookup):
        super().__init__(base)
        self._lookup = lookup

    def __missing__(self, name):
        if hasattr(builtins, name) or name.startswith("__"):
            raise KeyError(name)
        value = self._lookup(name)
        if isinstance(value, Remote) and value._type == "builtins.module":
            value = _trusted_module(value._module) or value
        self[name] = value
        return value

    def get(self, name, default=None):
        try:
            return self[name]
        except (KeyError, NameError):
            return default

    def __contains__(self, name):
        return self.get(name, _ABSENT) is not _ABSENT


_ABSENT = object()


def _trusted_module(name):
    """The grader's own copy of a module the learner imported, if the grader has loaded it already: the name comes
    from the kernel, so nothing is imported on its word (importing ``this`` or ``antigravity`` runs code here)."""
    module = sys.modules.get(str(name))
    origin = str(getattr(module, "__file__", "") or "")
    return None if module is None or "sl-grade-" in origin else module


class Kernel:
    """A kernel in the sandbox (or a bare process without one), on ipc sockets inside the throwaway folder."""

    def __init__(self, workdir, course, memory_bytes, use_sandbox):
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.workdir = pathlib.Path(workdir)
        self.output_left = OUTPUT_LIMIT_BYTES
        (self.workdir / ".home").mkdir(exist_ok=True)
        (self.workdir / ".tmp").mkdir(exist_ok=True)  # TMPDIR: on the grader's disk, so benchmarks write real files
        connection, _ = write_connection_file(str(self.workdir / ".kernel.json"), transport="ipc",
                                              ip=str(self.workdir / ".kernel"))
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", connection, "--HistoryManager.enabled=False"]
        if use_sandbox:  # bwrap itself gets the bare environment too: /proc/1/environ in the sandbox is its own
            argv = sandbox.command(argv, self.workdir, course)
        env = sandbox.environment(self.workdir)
        self.log = open(self.workdir.parent / "kernel.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(argv, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=_limit_memory(memory_bytes) if memory_bytes else None)
        self.client = BlockingKernelClient(connection_file=connection)
        self.client.load_connection_file()
        self.client.start_channels(hb=False)
        self._wait_for_ready(time.monotonic() + KERNEL_START_S)
        self.finish(self.start(MEMORY_RESERVE), time.monotonic() + KERNEL_START_S)

    def _wait_for_ready(self, deadline):
        """Until the kernel answers a kernel_info request on iopub too (so no later output can be missed)."""
        while time.monotonic() < deadline:
            if not self.alive():
                raise GradingStopped("died")
            msg_id = self.client.kernel_info()
            until = time.monotonic() + 1
            while time.monotonic() < until:
                try:
                    msg = self.client.get_iopub_msg(timeout=0.2)
                except queue.Empty:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return
        raise GradingStopped("the kernel did not start")

    def interrupt(self):
        """Ask the kernel to interrupt the running cell (a KeyboardInterrupt in the learner's code)."""
        self.client.control_channel.send(self.client.session.msg("interrupt_request", {}))

    def alive(self):
        return self.process.poll() is None

    def start(self, code):
        """Send ``code`` for execution; return its message id (the reply is collected by ``finish``)."""
        return self.client.execute(code, store_history=False, allow_stdin=False)

    def finish(self, msg_id, deadline):
        """Outputs of ``msg_id`` as nbformat outputs, until its reply; raises GradingStopped on timeout or death."""
        import nbformat

        outputs, idle = [], False
        while not idle:
            if time.monotonic() > deadline:
                raise CellTimeout(outputs)
            if not self.alive():
                raise GradingStopped("died")
            try:
                msg = self.client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind in ("stream", "display_data", "execute_result", "error"):
                size = len(json.dumps(msg["content"]))
                if size <= self.output_left:
                    self.output_left -= size
                    outputs.append(nbformat.v4.output_from_msg(msg))
                elif self.output_left >= 0:
                    self.output_left = -1
                    outputs.append(nbformat.v4.new_output("stream", name="stderr", text=(
                        f"[The rest of the output was left out: a notebook keeps at most "
                        f"{OUTPUT_LIMIT_BYTES // 2**20} MiB of output.]\n")))
            elif kind == "clear_output":
                outputs.clear()
        return outputs

    def stop(self):
        with contextlib.suppress(Exception):
            self.client.stop_channels()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.log.close()


def _limit_memory(limit_bytes):
    def apply():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return apply


def _error_output(name, message, tb=None):
    import nbformat

    return nbformat.v4.new_output("error", ename=name, evalue=message, traceback=tb or [f"{name}: {message}"])


def _run_test(source, base, kernel, rpc, cell_id, deadline):
    """Run one test cell here, asking the kernel for the learner's names; its outputs as nbformat outputs."""
    import nbformat

    msg_id = kernel.start(f"exec(compile({_agent_source()!r}, '<grader>', 'exec'), __agent := {{}})\n"
                          f"__agent['serve']({str(rpc.getsockname())!r}, globals())\ndel __agent")
    rpc.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        conn, _ = rpc.accept()
    except OSError:
        raise GradingStopped("your kernel did not answer the tests") from None
    link = Link(conn, deadline)
    outputs, printed = [], io.StringIO()
    namespace = Namespace({"__name__": "__main__", "__builtins__": builtins},
                          lambda name: link.ask("name", name=name))
    try:
        for code in base:
            exec(code, namespace)  # noqa: S102 - the instructor's imports and helpers, run on the grader's side
        code = compile(source, f"<{cell_id}>", "exec")
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)  # noqa: S102 - the instructor's test code, run on the grader's side
    except TestTimeout:
        outputs.append(_error_output("CellTimeoutError", "A test took longer than the time limit while your code "
                                     "was answering, and was stopped."))
        kernel.interrupt()
    except GradingStopped:
        raise
    except Exception as exc:  # a failed test: its error is the verdict
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        kept = [_cut(line) for line in lines if "scalelab/judge.py" not in line][-100:]
        outputs.append(_error_output(type(exc).__name__, _cut(str(exc)), kept))
    finally:
        with contextlib.suppress(OSError, ValueError):
            conn.settimeout(5)
            judge_agent.send(conn, {"op": "stop"})
        conn.close()
    if printed.getvalue():
        outputs.insert(0, nbformat.v4.new_output("stream", name="stdout", text=printed.getvalue()[:100_000]))
    try:
        kernel.finish(msg_id, max(deadline, time.monotonic()) + INTERRUPT_GRACE_S)
    except CellTimeout:
        kernel.interrupt()
        try:
            kernel.finish(msg_id, time.monotonic() + INTERRUPT_GRACE_S)
        except CellTimeout:
            raise GradingStopped("timeout") from None
    return outputs


def _cut(text):
    """``text`` within MESSAGE_LIMIT_CHARS (a test's message quotes the learner's value, which may be huge)."""
    return text if len(text) <= MESSAGE_LIMIT_CHARS else text[:MESSAGE_LIMIT_CHARS] + " [... cut]"


_AGENT_SOURCE = None


def _agent_source():
    global _AGENT_SOURCE
    if _AGENT_SOURCE is None:
        _AGENT_SOURCE = pathlib.Path(judge_agent.__file__).read_text(encoding="utf-8")
    return _AGENT_SOURCE


def trusted_base(given):
    """The code every test cell starts from: the lab's own imports, functions and classes, compiled here."""
    return [compile(code, "<the lab's given code>", "exec") for code in given]


def grade(notebook, tests, given, files, course=".", timeout_s=120, memory_bytes=4 * 2**30, use_sandbox=None):
    """Run ``notebook`` (JSON text or a dict) with the learner's cells sandboxed and the tests here.

    tests: {grade_id: source} of the test cells; given: the lab's given code (see lab_spec); files: {name: bytes} of
    the released lab, copied beside the notebook; timeout_s: limit per cell (the whole notebook gets
    NOTEBOOK_LIMIT_CELLS times it). Returns {"notebook", "log", "sandboxed"}.
    """
    import nbformat

    use_sandbox = sandbox.available() if use_sandbox is None else use_sandbox
    nb = nbformat.reads(notebook if isinstance(notebook, str) else json.dumps(notebook), as_version=4)
    base = trusted_base(given)
    log = []
    with tempfile.TemporaryDirectory(prefix="sl-grade-") as tmp:
        workdir = pathlib.Path(tmp) / "lab"
        workdir.mkdir()
        for name, data in files.items():
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        rpc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        rpc.bind(str(workdir / ".judge.sock"))
        rpc.listen(1)
        kernel = None
        try:
            kernel = Kernel(workdir, course, memory_bytes, use_sandbox)
            _run_cells(nb, tests, base, kernel, rpc, timeout_s, log)
        except (Exception, GradingStopped) as exc:
            log.append("grading stopped: " + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
            for cell in nb.cells:
                if cell.cell_type == "code" and not cell.get("outputs"):
                    cell.outputs = [_error_output("DeadKernelError", "Kernel died before this cell ran")]
        finally:
            rpc.close()
            if kernel is not None:
                kernel.stop()
            kernel_log = pathlib.Path(tmp) / "kernel.log"
            if kernel_log.exists():
                log.append(kernel_log.read_text(errors="replace")[-20_000:])
    return {"notebook": nbformat.writes(nb), "log": "\n".join(log), "sandboxed": use_sandbox}


def _run_cells(nb, tests, base, kernel, rpc, timeout_s, log):
    stopped = None
    notebook_deadline = time.monotonic() + NOTEBOOK_LIMIT_CELLS * timeout_s
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        is_test = meta.get("grade") and not meta.get("solution") and grade_id in tests
        cell.outputs, cell.execution_count = [], None
        if not stopped and time.monotonic() >= notebook_deadline:
            stopped = ("CellTimeoutError", f"Your notebook ran past its total time limit of "
                       f"{NOTEBOOK_LIMIT_CELLS * timeout_s} s ({NOTEBOOK_LIMIT_CELLS} cells at their limit); "
                       "grading stopped there.")
            log.append(f"cell {index}: {stopped[1]}")
        if stopped:
            cell.outputs = [_error_output(*stopped)]
            continue
        deadline = min(time.monotonic() + timeout_s, notebook_deadline)
        try:
            if is_test:
                cell.outputs = _run_test(tests[grade_id], base, kernel, rpc, grade_id, deadline)
            else:
                msg_id = kernel.start(cell.source)
                try:
                    cell.outputs = kernel.finish(msg_id, deadline)
                except CellTimeout as timed_out:
                    cell.outputs = timed_out.outputs + [_interrupted(kernel, msg_id, timeout_s, log, index)]
                cell.execution_count = index + 1
        except GradingStopped as exc:
            stopped = _why_stopped(str(exc), timeout_s, kernel)
            log.append(f"cell {index}: {stopped[0]}: {stopped[1]}")
            cell.outputs = [_error_output(*stopped)]
            kernel.stop()


def _interrupted(kernel, msg_id, timeout_s, log, index):
    """Interrupt a cell that ran out of time and wait for the kernel to be free again; the cell's error output."""
    log.append(f"cell {index}: over the {timeout_s} s limit, interrupted")
    kernel.interrupt()
    try:
        kernel.finish(msg_id, time.monotonic() + INTERRUPT_GRACE_S)
    except CellTimeout:
        raise GradingStopped("timeout") from None
    return _error_output("CellTimeoutError", f"A cell took longer than the {timeout_s} s limit and was stopped.")


def _why_stopped(reason, timeout_s, kernel):
    if reason == "timeout":
        return "CellTimeoutError", f"A cell took longer than the {timeout_s} s limit; grading stopped there."
    with contextlib.suppress(subprocess.TimeoutExpired):
        kernel.process.wait(timeout=2)  # a kernel that just died may not be reaped yet
    if reason == "died" or not kernel.alive():
        return "DeadKernelError", ("Kernel died: your notebook stopped the Python kernel (os._exit, a crash, or "
                                   "running out of memory); the cells after it could not run.")
    return "GradingStopped", reason


def lab_spec(source_notebook):
    """(tests, given) of an instructor's notebook (a dict): each test cell's source by grade id, and the imports,
    functions and classes of the lab's given code cells (not answers, not tests): the tests use them as the grader's."""
    import ast

    tests, given = {}, []
    for cell in source_notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell.get("source", ""))
        if meta.get("grade") and not meta.get("solution"):
            tests[meta["grade_id"]] = source
        elif not meta.get("solution"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
            given += [ast.unparse(node) for node in tree.body if isinstance(node, kinds)]
    return tests, given
