"""A real Dask cluster on 127.0.0.1: ``dask scheduler`` and ``dask worker`` processes, stopped on exit.

    with loopback_cluster(workers=2) as address:      # tcp://127.0.0.1:<port>
        classroom.autograde(lab, scheduler=address)

The same commands an instructor runs on grading machines (docs/GRADING.md), on loopback with an ephemeral port.
Logs go to files in a temporary folder; every process is stopped (its whole process group) on success, error
and Ctrl-C.
"""
import contextlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

from .bench import temporary_directory


def _dask(*args):
    """The ``dask`` command of this environment."""
    return [os.path.join(os.path.dirname(sys.executable), "dask"), *args]


def _start(command, log_path):
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        log.close()


def _stop(process, grace_s=5.0):
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def loopback_cluster(workers=2, startup_s=90.0):
    """Start a scheduler and ``workers`` single-threaded workers on 127.0.0.1; yield the scheduler address."""
    from distributed import Client

    processes = []
    with temporary_directory() as tmp:
        folder = pathlib.Path(tmp)
        scheduler_file = folder / "scheduler.json"
        try:
            processes.append(_start([*_dask("scheduler"), "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                     "--scheduler-file", str(scheduler_file)], folder / "scheduler.log"))
            deadline = time.monotonic() + startup_s
            while not scheduler_file.exists() or not scheduler_file.read_text().strip():
                if time.monotonic() > deadline or processes[0].poll() is not None:
                    raise RuntimeError("dask scheduler did not start: " + (folder / "scheduler.log").read_text()[-2000:])
                time.sleep(0.1)
            time.sleep(0.2)
            address = json.loads(scheduler_file.read_text())["address"]
            for k in range(workers):
                processes.append(_start([*_dask("worker"), address, "--nthreads", "1", "--memory-limit", "0",
                                         "--no-dashboard", "--host", "127.0.0.1", "--name", f"grader-{k}",
                                         "--local-directory", str(folder / f"worker-{k}")], folder / f"worker-{k}.log"))
            with Client(address, timeout=startup_s) as client:
                client.wait_for_workers(workers, timeout=startup_s)
            yield address
        finally:
            for process in reversed(processes):
                _stop(process)
