"""A loopback HTTP test service with a configurable service time, run in its own process.

Endpoints: ``GET /work`` does one unit of work (sleep for a service time drawn from the configured distribution,
holding one of ``servers`` slots, so requests queue when all slots are busy); ``GET /stats`` returns counters as
JSON (``?reset=1`` zeroes them); ``GET /health`` answers at once.
"""
import json
import random
import threading
import time
from urllib.parse import parse_qs, urlparse

from .. import _validate as v
from .._random import child_seed
from . import processes
from .http import QuietJsonHandler, ServerProcess

DISTRIBUTIONS = ("exponential", "constant")


class _Counters:
    """Time-averaged number in system and busy servers; counts of served and failed requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        now = time.perf_counter()
        self.since = self.last = now
        self.in_system = self.busy = self.max_in_system = 0
        self.area_in_system = self.area_busy = 0.0
        self.served = self.errors = 0

    def _advance(self):
        now = time.perf_counter()
        self.area_in_system += self.in_system * (now - self.last)
        self.area_busy += self.busy * (now - self.last)
        self.last = now

    def change(self, in_system=0, busy=0, served=0, errors=0):
        with self.lock:
            self._advance()
            self.in_system += in_system
            self.busy += busy
            self.served += served
            self.errors += errors
            self.max_in_system = max(self.max_in_system, self.in_system)

    def snapshot(self, servers):
        with self.lock:
            self._advance()
            elapsed = max(self.last - self.since, 1e-9)
            return {"elapsed_s": elapsed, "served": self.served, "errors": self.errors,
                    "in_system_now": self.in_system, "max_in_system": self.max_in_system,
                    "mean_in_system": self.area_in_system / elapsed,
                    "utilization": self.area_busy / elapsed / servers, "servers": servers}


def _make_handler(config, counters, slots, generator):
    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/health":
                return self.reply(200, '{"ok": true}')
            if url.path == "/stats":
                if query.get("reset"):
                    with counters.lock:
                        counters.reset()
                return self.reply(200, json.dumps(counters.snapshot(config["servers"])))
            if url.path != "/work":
                return self.reply(404, '{"error": "no such path"}')
            mean = float(query["ms"][0]) / 1000 if "ms" in query else config["service_time"]
            counters.change(in_system=+1)
            fail, draw = False, 0.0
            try:
                with slots:
                    counters.change(busy=+1)
                    with counters.lock:
                        draw = (generator.expovariate(1 / mean)
                                if config["distribution"] == "exponential" and mean > 0 else mean)
                        fail = generator.random() < config["error_rate"]
                    time.sleep(draw)
                    counters.change(busy=-1)
            finally:
                counters.change(in_system=-1, served=1, errors=int(fail))
            if fail:
                return self.reply(500, '{"error": "injected failure"}')
            body = json.dumps({"service_time_s": draw}) + " " * config["body_bytes"]
            self.reply(200, body, config["body_delay"])

    return Handler


def serve(ready, service_time, servers, distribution, error_rate, body_delay, body_bytes, seed):
    """Process entry point: serve /work on 127.0.0.1, an ephemeral port (reported through ready), until terminated."""
    config = dict(service_time=service_time, servers=servers, distribution=distribution, error_rate=error_rate,
                  body_delay=body_delay, body_bytes=body_bytes)
    counters = _Counters()
    handler = _make_handler(config, counters, threading.BoundedSemaphore(servers), random.Random(seed))
    processes.serve_on_loopback(ready, handler)


class LoopbackService(ServerProcess):
    """An HTTP service on 127.0.0.1 in its own process. Use it as a context manager::

        with LoopbackService(service_time_s=0.005, servers=1) as svc:
            result = open_loop(svc.url, rate=50, requests=200)

    service_time_s: mean seconds of work per request (>= 0); servers: requests served at once (>= 1);
    distribution: "exponential" or "constant"; error_rate: probability in [0, 1] of answering 500;
    body_delay_s: seconds between the first byte of a reply and the rest (shows TTFB apart from total time);
    body_bytes: padding added to each reply body; rng: the generator (or an integer seed) the server's service
    times and errors are drawn from (default: the package's, so ``scalelab.seed(n)`` fixes them).
    """

    target = staticmethod(serve)

    def __init__(self, service_time_s=0.005, servers=1, distribution="exponential", error_rate=0.0,
                 body_delay_s=0.0, body_bytes=0, rng=None):
        v.non_negative("service_time_s", service_time_s)
        v.integer("servers", servers, low=1, high=256)
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
        v.probability("error_rate", error_rate)
        v.non_negative("body_delay_s", body_delay_s)
        v.integer("body_bytes", body_bytes, low=0)
        super().__init__(service_time=float(service_time_s), servers=int(servers), distribution=distribution,
                         error_rate=float(error_rate), body_delay=float(body_delay_s), body_bytes=int(body_bytes),
                         seed=child_seed(rng))

    def stats(self, reset=False):
        """The server's counters: served, errors, mean_in_system (time-averaged), max_in_system, utilization,
        servers."""
        return self.get("/stats" + ("?reset=1" if reset else ""))
