"""A Python kernel for one untrusted notebook, in a throwaway folder, inside bubblewrap when it is installed.

The kernel sees a read-only system (``/usr``, ``/etc``, the Python install and the course package), a private home,
``/tmp`` and loopback network, its own process tree (``--unshare-pid``: when it ends, every process it started
ends), and one writable folder: the throwaway copy of the submission and the released lab's files. It talks to the
grader over ZMQ on Unix sockets in that folder. Its output goes to a log file, never to a pipe a child could hold.

Without bubblewrap (macOS, Windows, or not installed) the kernel runs in the throwaway folder as the grader's user,
with the same time and memory limits and its process group ended afterwards: see docs/GRADING.md for what that
does and does not protect.
"""
import functools
import json
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import sys
import time
from queue import Empty

SANDBOX_HOME = "/home/student"
MAX_OUTPUT_CHARS = 200_000
SECRET_FILES = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/machine-id")
SECRET_FOLDERS = ("/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d")


@functools.lru_cache(maxsize=1)
def bwrap_path():
    """Path of a working ``bwrap``, or None (not installed, or it cannot create namespaces here)."""
    path = shutil.which("bwrap")
    if not path or sys.platform != "linux":
        return None
    probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path if probe.returncode == 0 else None


def _read_only_paths():
    """Folders the kernel needs to read: the system, the Python install, the virtual environment, the package."""
    import scalelab

    package = pathlib.Path(scalelab.__file__).resolve().parent
    paths = ["/usr", "/etc", sys.base_prefix, sys.prefix, str(package), str(package.parent / "data")]
    for name in ("/lib", "/lib64", "/bin", "/sbin"):
        if os.path.isdir(name) and not os.path.islink(name):
            paths.append(name)
    return [p for p in dict.fromkeys(os.path.realpath(p) for p in paths) if os.path.isdir(p)]


def bwrap_command(bwrap, work, argv):
    """The bubblewrap command line running ``argv`` in ``work``; its /tmp and home are folders beside ``work``
    (on disk, so the course's real disk writes and fsyncs stay real), private to this submission."""
    command = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--uid", "1000", "--gid", "1000",
               "--hostname", "sandbox", "--proc", "/proc", "--dev", "/dev"]
    private = pathlib.Path(work).parent
    for name in ("tmp", "home"):
        (private / name).mkdir(exist_ok=True)
        os.chmod(private / name, 0o777)
    # /tmp and home first: a read-only path below /tmp (a course or venv checked out there) is then bound over it,
    # not hidden by it
    command += ["--bind", str(private / "tmp"), "/tmp", "--bind", str(private / "home"), SANDBOX_HOME]
    for path in _read_only_paths():
        command += ["--ro-bind", path, path]
    for name in ("/lib", "/lib64", "/bin", "/sbin"):
        if os.path.islink(name):
            command += ["--symlink", os.readlink(name), name]
    for secret in SECRET_FILES:  # the sandbox user maps to the grader's uid: hide what only it may read
        if os.path.isfile(secret):
            command += ["--ro-bind", "/dev/null", secret]
    for secret in SECRET_FOLDERS:
        if os.path.isdir(secret):
            command += ["--tmpfs", secret]
    command += ["--bind", str(work), str(work), "--chdir", str(work), "--clearenv"]
    for key, value in _kernel_environment(SANDBOX_HOME).items():
        command += ["--setenv", key, value]
    return command + ["--", *argv]


def _kernel_environment(home):
    scripts = os.path.dirname(sys.executable)
    return {"PATH": f"{scripts}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": "/tmp" if home == SANDBOX_HOME
            else home, "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
            "SCALELAB_PREDICTIONS": f"{home}/.scalelab/predictions.jsonl", "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _limits(memory_bytes):
    def apply():
        import resource

        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**30, 2**30))
    return apply


class Kernel:
    """One kernel for one submission. Use as a context manager; ``run`` a cell, ``rpc`` a request, ``stop``."""

    def __init__(self, work, log_path, memory_gb=4.0, sandbox=True):
        self.work = pathlib.Path(work)
        self.log_path = pathlib.Path(log_path)
        self.memory_bytes = int(memory_gb * 2**30) if memory_gb and os.name == "posix" else 0
        self.bwrap = bwrap_path() if sandbox else None
        self.process = self.client = None

    @property
    def sandboxed(self):
        return self.bwrap is not None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, ready_s=60):
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        ipc = self.work / ".kernel"
        ipc.mkdir(mode=0o777)
        os.chmod(ipc, 0o777)
        connection = ipc / "connection.json"
        write_connection_file(str(connection), ip=str(ipc / "k"), transport="ipc", key=secrets.token_hex(16).encode())
        os.chmod(connection, 0o644)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", str(connection), "--HistoryManager.enabled=False",
                "--IPKernelApp.capture_fd_output=False"]
        if self.bwrap:
            command, env = bwrap_command(self.bwrap, self.work, argv), None
        else:
            home = self.work / ".home"
            home.mkdir()
            command, env = argv, _kernel_environment(str(home))
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=self.work, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=_limits(self.memory_bytes) if os.name == "posix" else None)
        self.client = BlockingKernelClient()
        self.client.load_connection_file(str(connection))
        self.client.start_channels(hb=False)
        try:
            self._wait_for_ready(ready_s)
        except RuntimeError:
            self.stop()
            raise

    def _wait_for_ready(self, ready_s):
        """Ask for kernel_info until the kernel answers (a busy machine can take seconds to start Python)."""
        deadline = time.monotonic() + ready_s
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError("the kernel stopped while starting (see the log)")
            msg_id = self.client.kernel_info()
            try:
                while True:
                    reply = self.client.get_shell_msg(timeout=1)
                    if reply.get("parent_header", {}).get("msg_id") == msg_id:
                        break
            except Empty:
                continue
            while True:  # drop the start-up chatter on iopub
                try:
                    self.client.get_iopub_msg(timeout=0.05)
                except Empty:
                    return
        raise RuntimeError(f"the kernel did not start within {ready_s} s")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        """End the kernel and everything it started (its pid namespace or process group); close the log."""
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.kill()
            self.process.wait()
            self.process = None
            self.log.close()

    def interrupt(self):
        message = self.client.session.msg("interrupt_request", {})
        self.client.control_channel.send(message)

    def run(self, code, timeout_s):
        """Execute one cell; return (outputs as nbformat dicts, status) with status ok | error | timeout | dead."""
        from nbformat.v4 import output_from_msg

        if not self.alive():
            return [], "dead"
        msg_id = self.client.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        outputs, status, size = [], "ok", 0
        deadline = time.monotonic() + timeout_s
        interrupted_at = None
        while True:
            if not self.alive():
                return outputs, "dead"
            now = time.monotonic()
            if now > deadline and interrupted_at is None:
                self.interrupt()
                interrupted_at, status = now, "timeout"
            if interrupted_at is not None and now > interrupted_at + 5:
                self.stop()  # it ignores interrupts: the kernel and all it started end here
                return outputs, "dead"
            try:
                msg = self.client.get_iopub_msg(timeout=0.2)
            except Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                break
            if kind in ("stream", "display_data", "execute_result", "error"):
                if kind == "error" and status != "timeout":
                    status = "error"
                size += len(json.dumps(msg["content"])[:MAX_OUTPUT_CHARS + 1])
                if size <= MAX_OUTPUT_CHARS:
                    outputs.append(dict(output_from_msg(msg)))
                elif kind == "error":
                    outputs.append(dict(output_from_msg(msg)))
            elif kind == "clear_output":
                outputs.clear()
        return outputs, status

    def rpc(self, request, timeout_s):
        """Send one request to ``scalelab._agent.rpc`` in the kernel; return the reply text, or None on failure."""
        if not self.alive():
            return None
        expression = f"__import__('scalelab._agent', fromlist=['rpc']).rpc({json.dumps(request)!r})"
        msg_id = self.client.execute("", silent=True, store_history=False, user_expressions={"r": expression})
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.alive():
            try:
                reply = self.client.get_shell_msg(timeout=0.2)
            except Empty:
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            result = reply["content"].get("user_expressions", {}).get("r", {})
            text = result.get("data", {}).get("text/plain") if result.get("status") == "ok" else None
            return text if isinstance(text, str) else None
        if self.alive():
            self.interrupt()
        return None
