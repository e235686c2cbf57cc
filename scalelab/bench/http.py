"""The HTTP plumbing every loopback server of the course shares: a quiet JSON request handler, a threaded
server, and ``ServerProcess``, the start/stop/``with`` wrapper around a server running in its own process."""
import json
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import processes


class QuietJsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 handler that logs nothing (a notebook stays readable) and answers JSON.

    TCP_NODELAY is set on every connection: a reply goes out as two writes (headers, then body), and with Nagle's
    algorithm the body waits for the ACK of the headers, which a client delays by up to 40 ms on a kept-alive
    connection: every reply after the first would stall for that long."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, payload, first_byte_then_rest=0.0, close=False):
        """Send ``payload`` (a JSON string, or anything json.dumps takes) with ``status``.

        first_byte_then_rest: seconds to wait between the headers (the client's first byte) and the body;
        close: ask the client to close the connection after this reply.
        """
        import time

        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if first_byte_then_rest > 0:
            self.wfile.flush()
            time.sleep(first_byte_then_rest)
        self.wfile.write(data)


class ThreadedServer(ThreadingHTTPServer):
    """One thread per connection; threads die with the process; a deep accept queue for bursts."""

    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):  # a client that went away is not worth a traceback
        pass


class ServerProcess:
    """A server function (``target``, see scalelab.bench.processes) run in its own process on 127.0.0.1.

    Subclasses set ``target`` and pass the server's settings to ``__init__``. Use as a context manager: the
    process is stopped and its port freed on exit, whatever happened inside.
    """

    target = None
    path = "/work"

    def __init__(self, **config):
        self.config = config
        self.process = None
        self.port = None

    def start(self):
        """Start the server process; returns self."""
        if self.process is None:
            self.process, self.port = processes.start(type(self).target, **self.config)
        return self

    def stop(self):
        """Stop the server process and free its port."""
        processes.stop(self.process)
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def base(self):
        """http://127.0.0.1:<port> of the running server."""
        if self.port is None or self.process is None:
            raise RuntimeError("the service is not started: use it in a `with` block or call start()")
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self):
        """URL of the server's main endpoint."""
        return self.base + self.path

    def get(self, path):
        """GET ``path`` on the server and decode its JSON answer."""
        with urllib.request.urlopen(self.base + path, timeout=5) as reply:
            return json.loads(reply.read())

    def stats(self):
        """The server's counters (its /stats endpoint) as a dict."""
        return self.get("/stats")
