"""What a benchmark test checks after a run: no process still running, no port still open, no temporary file left.
The fixtures `started` and `scratch` (tests/conftest.py) record what a test's benchmark started and wrote."""
import socket

from scalelab.bench import processes


def port_refuses(port):
    """True when nothing listens on 127.0.0.1:port any more (port 0: nothing was ever bound)."""
    if port == 0:
        return True
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def nothing_left(started, scratch=None):
    """Every recorded process has ended and its port is closed; the scratch folder (if given) is empty."""
    assert started, "the benchmark started no process"
    for process, port in started:
        assert process.poll() is not None, f"process {process.pid} still runs"
        assert port_refuses(port), f"port {port} still accepts connections"
    assert not processes._LIVE
    if scratch is not None:
        assert list(scratch.iterdir()) == []


def all_gone(processes_, ports):
    """Every process in processes_ has ended and every port refuses connections."""
    assert all(p.poll() is not None for p in processes_), "a cluster process is still running"
    assert all(port_refuses(port) for port in ports), "a cluster port still accepts connections"
