"""Start servers in their own processes on 127.0.0.1 and always stop them again.

A server function ``target(ready, **kwargs)``, importable as ``module:function``, binds 127.0.0.1 on port 0
(an ephemeral port), calls ``ready(port)`` and serves until it is terminated. It runs in a fresh interpreter
(``python -m scalelab.bench._child``), so it works the same from a notebook, a script or a test.
"""
import atexit
import json
import subprocess
import sys
import weakref

_LIVE = weakref.WeakSet()


def start(target, startup_timeout=20.0, **kwargs):
    """Start ``target`` in a new process; return (process, port) once it listens. Raises RuntimeError on failure."""
    spec = f"{target.__module__}:{target.__name__}"
    process = subprocess.Popen([sys.executable, "-m", "scalelab.bench._child", spec, json.dumps(kwargs)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _LIVE.add(process)
    try:
        line = _read_line(process, startup_timeout)
        if not line.startswith("PORT "):
            raise RuntimeError(f"{spec} did not start: {line or process.stderr.read()[-2000:]}")
        return process, int(line.split()[1])
    except BaseException:
        stop(process)
        raise


def _read_line(process, timeout):
    import threading

    box = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box:
        raise RuntimeError(f"server did not report its port within {timeout} s")
    return box[0].strip()


def stop(process, grace=2.0):
    """Terminate a process (then kill it if it lingers) and reap it. Safe to call twice."""
    if process is None:
        return
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(grace)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()
    _LIVE.discard(process)


def stop_all():
    """Stop every server process this module started and that is still running."""
    for process in list(_LIVE):
        stop(process)


atexit.register(stop_all)

