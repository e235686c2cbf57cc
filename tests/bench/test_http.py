"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import http.client
import json
import socket
import threading

from scalelab.bench.http import QuietJsonHandler, ThreadedServer


# ------------------------------------------------------------------------------------------------- shared handler
def test_the_shared_handler_sends_without_nagle_delay():
    """Replies are two writes (headers, body): without TCP_NODELAY a kept-alive reply waits for a delayed ACK."""
    class Probe(QuietJsonHandler):
        def do_GET(self):
            self.reply(200, {"nodelay": self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)})

    server = ThreadedServer(("127.0.0.1", 0), Probe)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        for _ in range(2):                                    # the second reply on the same connection too
            conn.request("GET", "/")
            assert json.loads(conn.getresponse().read())["nodelay"] != 0
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
