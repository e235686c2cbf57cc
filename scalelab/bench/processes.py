"""Start servers in their own processes on 127.0.0.1 and always stop them again.

A server function ``target(ready, **kwargs)``, importable as ``module:function``, binds 127.0.0.1 on port 0
(an ephemeral port), calls ``ready(port)`` and serves until it is terminated. It runs in a fresh interpreter
(``python -m scalelab.bench._child``), so it works the same from a notebook, a script or a test.

``serve_on_loopback(ready, handler)`` is that bind / report / serve sequence, shared by every server of the course;
``start_many(target, configs)`` starts several servers at once and leaves none running if one fails.
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


def serve_on_loopback(ready, handler, server_class=None, poll_interval_s=0.05):
    """Serve ``handler`` on 127.0.0.1 at an ephemeral port, report the port through ``ready``, serve until terminated.

    server_class: a socketserver class taking (address, handler); the threaded HTTP server of
    ``scalelab.bench.http`` when None.
    """
    if server_class is None:
        from .http import ThreadedServer as server_class
    server = server_class(("127.0.0.1", 0), handler)
    ready(server.server_address[1])
    server.serve_forever(poll_interval=poll_interval_s)


def start_many(target, configs, startup_timeout_s=None):
    """Start one ``target`` process per dict of keyword arguments in ``configs``, in parallel; return a list of
    (process, port) in the order of ``configs``.

    If any fails to start, every process that did start is stopped and RuntimeError says how many started; on
    Ctrl-C while starting, the starts finish, every started process is stopped and KeyboardInterrupt goes on.
    startup_timeout_s: how long each may take to report its port (``start``'s default when None)."""
    import concurrent.futures

    configs = [dict(c) for c in configs]
    if not configs:
        return []
    starter = concurrent.futures.ThreadPoolExecutor(len(configs))
    timeout = {} if startup_timeout_s is None else {"startup_timeout": startup_timeout_s}
    futures = [starter.submit(start, target, **timeout, **c) for c in configs]
    try:
        concurrent.futures.wait(futures)
    except BaseException:  # Ctrl-C while starting: let the starts finish, then stop what started
        starter.shutdown(wait=True)
        _stop_started(futures)
        raise
    starter.shutdown(wait=True)
    failed = [f.exception() for f in futures if f.exception() is not None]
    if failed:
        _stop_started(futures)
        raise RuntimeError(f"only {len(configs) - len(failed)} of {len(configs)} servers started: {failed[0]}") \
            from failed[0]
    return [f.result() for f in futures]


def _stop_started(futures):
    for future in futures:
        if future.done() and future.exception() is None:
            stop(future.result()[0])


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

