"""Run a lab's test cells in the grader, on plain data fetched from the student's sandboxed kernel.

The student's code runs only in the sandbox. A test cell (visible and hidden tests, with their expected values) runs
here, in the grading process, in a namespace of its own: the course's imports (``sl``, ``np``...) are the grader's;
any other name is looked up in the student's kernel each time it is read and comes back as plain data
(``scalelab._codec``); a student function comes back as a stand-in that sends the arguments to the sandbox, calls
the function there and brings the result back as data. So the comparison that awards points happens where the
student's code cannot reach, against expected values the sandbox never sees: a float subclass arrives as an opaque
marker, an object "equal to everything" likewise, and patching ``scalelab.grading`` in the kernel changes nothing here.
"""
import ast
import builtins
import contextlib
import io
import json
import time

from . import _codec

MAX_REPLY_CHARS = 64 * 2**20
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


class StudentCodeError(Exception):
    """The student's code raised while a test called it (the name of its error is in ``ename``)."""

    def __init__(self, ename, message):
        super().__init__(message)
        self.ename = ename


class Remote:
    """The student's kernel as seen by tests: names fetched afresh on each read, functions called there."""

    def __init__(self, kernel, deadline):
        self.kernel = kernel
        self.deadline = deadline
        self.fetched = {}  # id(value) -> (name, value): a fetched value passed back is the student's own object

    def _ask(self, request):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the test ran out of time waiting for your code")
        reply = self.kernel.rpc(request, remaining)
        if reply is None:
            raise StudentCodeError("Timeout" if self.kernel.alive() else "KernelDied",
                                   "your code did not answer in time" if self.kernel.alive()
                                   else "your code stopped the Python kernel")
        try:
            if len(reply) > MAX_REPLY_CHARS:
                raise ValueError("reply too large")
            answer = json.loads(ast.literal_eval(reply))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return {"value": {"t": "opaque", "type": "unreadable reply"}}
        return answer if type(answer) is dict else {"value": {"t": "opaque", "type": "unreadable reply"}}

    def _decode(self, answer):
        if "error" in answer:
            raise StudentCodeError(str(answer["error"])[:80], str(answer.get("message", ""))[:500])
        try:
            return _codec.load(answer.get("value"), call=self.function)
        except RecursionError:
            return _codec.Opaque("too deeply nested")

    def function(self, name):
        return RemoteFunction(self, name)

    def fetch(self, name):
        answer = self._ask({"op": "get", "name": name})
        if answer.get("missing"):
            raise KeyError(name)
        value = self._decode(answer)
        self.fetched = {k: v for k, v in self.fetched.items() if v[0] != name}
        self.fetched[id(value)] = (name, value)
        return value

    def encode(self, value):
        if isinstance(value, RemoteFunction):
            return {"t": "ref", "name": value.name}
        if id(value) in self.fetched and self.fetched[id(value)][1] is value:
            return {"t": "ref", "name": self.fetched[id(value)][0]}
        if type(value) in (list, tuple):
            return {"t": type(value).__name__, "v": [self.encode(x) for x in value]}
        return _codec.dump(value)

    def call(self, name, args, kwargs):
        request = {"op": "call", "name": name, "args": [self.encode(a) for a in args],
                   "kwargs": {str(k): self.encode(v) for k, v in kwargs.items()}}
        return self._decode(self._ask(request))


class RemoteFunction:
    """A student's function: calling it runs it in the sandbox on the arguments sent as data."""

    def __init__(self, remote, name):
        self.remote, self.name, self.__name__ = remote, name, name

    def __call__(self, *args, **kwargs):
        return self.remote.call(self.name, args, kwargs)

    def __repr__(self):
        return f"<your function {self.name}>"


class TestNamespace(dict):
    """Globals of the test cells: the grader's own names first, then builtins, then the student's (fetched)."""

    def __init__(self, remote):
        super().__init__(__builtins__=builtins, __name__="__main__")
        self.remote = remote

    def __missing__(self, name):
        if hasattr(builtins, name):
            raise KeyError(name)  # the real builtin, not a student's replacement
        return self.remote.fetch(name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name):
        return dict.__contains__(self, name) or self.get(name, _MISSING) is not _MISSING


_MISSING = object()


def course_imports(cells):
    """The import statements of the instructor's code cells (run in the grader to give tests ``sl``, ``np``...)."""
    lines = []
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(dict.fromkeys(lines))


def unjudgeable(cells):
    """Grade ids of test cells the grader cannot run as Python (IPython magics, shell escapes, syntax errors).

    Such a cell is never sent to the student's kernel instead (its verdict would be the student's to forge): it
    fails for every student, and the classroom command names it before grading so the author can rewrite it.
    """
    bad = []
    for grade_id, source in cells:
        try:
            compile(source, f"<test {grade_id}>", "exec")
        except (SyntaxError, ValueError):
            bad.append(grade_id)
    return bad


def hidden_lines(source):
    """Line numbers (1-based) between the hidden-test markers."""
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().startswith(HIDDEN_BEGIN):
            inside = True
        elif line.strip().startswith(HIDDEN_END):
            inside = False
        if inside:
            hidden.add(number)
    return hidden


def run_test_cell(source, namespace, label):
    """Run one test cell in ``namespace``; return (passed, outputs) with nbformat output dicts."""
    filename = f"<test {label}>"
    out = io.StringIO()
    error = None
    try:
        code = compile(source, filename, "exec")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(code, namespace)
    except Exception as exc:  # any error in a test cell fails it, as in nbgrader
        error = _error_output(exc, filename, hidden_lines(source))
    outputs = [{"output_type": "stream", "name": "stdout", "text": out.getvalue()[:20_000]}] if out.getvalue() else []
    if error:
        outputs.append(error)
    return error is None, outputs


def _error_output(exc, filename, hidden):
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, StudentCodeError):
        ename = exc.ename
        evalue = (f"raised by your code in a hidden test" if line in hidden else str(exc))
    else:
        ename, evalue = type(exc).__name__, str(exc)
    evalue = evalue[:2000]
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}
