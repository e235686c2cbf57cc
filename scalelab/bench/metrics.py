"""A service instrumented with ``prometheus-client``, scraped on loopback as Prometheus would.

The service (its own process) answers ``GET /work``: it sleeps a lognormal time (median ``median_ms``, spread
``sigma``) and fails with status 500 with probability ``error_rate`` (changed at run time by
``GET /config?error_rate=x``). It records, in its own registry:

- ``app_requests_total{status}``: a counter of finished requests by status;
- ``app_in_flight``: a gauge of the requests being served now;
- ``app_request_seconds_<layout>``: one histogram per bucket layout, all observing the same durations;

and serves them in the text exposition format on ``GET /metrics``. ``GET /samples`` returns every raw duration
observed, so a percentile estimated from buckets can be set against the exact one of the same observations.
"""
import json
import math
import random
import threading
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

from .. import _validate as v
from . import processes
from .http import ServerProcess

# numpy and pandas are imported inside the functions that need them: the service's process starts without them.

LAYOUTS = {"default": [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
           "coarse": [0.01, 0.1, 1.0],
           "fine": [round(0.005 * 1.25 ** i, 6) for i in range(24)]}


def serve_metrics(ready, median_ms=20.0, sigma=0.6, error_rate=0.0, seed=1):
    """Process entry point: the instrumented service on 127.0.0.1."""
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

    from .http import QuietJsonHandler

    registry = CollectorRegistry()
    requests = Counter("app_requests", "Finished requests", ["status"], registry=registry)
    in_flight = Gauge("app_in_flight", "Requests being served", registry=registry)
    histograms = {name: Histogram(f"app_request_seconds_{name}", f"Service time, {name} buckets",
                                  buckets=bounds, registry=registry) for name, bounds in LAYOUTS.items()}
    state = {"error_rate": error_rate, "samples": []}
    lock, draw = threading.Lock(), random.Random(seed)

    class Handler(QuietJsonHandler):
        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/metrics":
                body = generate_latest(registry)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return None
            if url.path == "/samples":
                with lock:
                    return self.reply(200, {"seconds": list(state["samples"])})
            if url.path == "/config":
                with lock:
                    state["error_rate"] = float(parse_qs(url.query)["error_rate"][0])
                return self.reply(200, {"error_rate": state["error_rate"]})
            if url.path == "/work":
                with in_flight.track_inprogress():
                    start = time.perf_counter()
                    with lock:
                        wait = draw.lognormvariate(math.log(median_ms / 1000), sigma)
                        failed = draw.random() < state["error_rate"]
                    time.sleep(wait)
                    status = 500 if failed else 200
                    seconds = time.perf_counter() - start
                    for histogram in histograms.values():
                        histogram.observe(seconds)
                    requests.labels(status=str(status)).inc()
                    with lock:
                        state["samples"].append(seconds)
                return self.reply(status, {"seconds": seconds})
            return self.reply(404, {"error": "no such path"})

    processes.serve_on_loopback(ready, Handler)


class MetricsService(ServerProcess):
    """The instrumented service in its own process; ``with MetricsService() as s:`` stops it on any exit."""

    target = serve_metrics

    def scrape(self):
        """Scrape /metrics and parse it with prometheus_client's parser: {metric family name: family}."""
        from prometheus_client.parser import text_string_to_metric_families

        with urllib.request.urlopen(self.base + "/metrics", timeout=5) as reply:
            text = reply.read().decode()
        return {family.name: family for family in text_string_to_metric_families(text)}

    def samples_s(self):
        """Every duration the service observed (s)."""
        import numpy as np

        with urllib.request.urlopen(self.base + "/samples", timeout=5) as reply:
            return np.array(json.loads(reply.read())["seconds"])

    def set_error_rate(self, rate):
        with urllib.request.urlopen(f"{self.base}/config?error_rate={v.probability('rate', rate)}", timeout=5):
            pass


def counters(families):
    """(ok, errors) from a scrape's ``app_requests`` counter."""
    ok = errors = 0.0
    for sample in families["app_requests"].samples:
        if sample.name.endswith("_total"):
            if sample.labels["status"] == "200":
                ok += sample.value
            else:
                errors += sample.value
    return ok, errors


def buckets(families, layout):
    """(finite upper bounds, cumulative counts including +Inf) of one histogram layout from a scrape."""
    import numpy as np

    family = families[f"app_request_seconds_{layout}"]
    pairs = [(float(s.labels["le"]), s.value) for s in family.samples if s.name.endswith("_bucket")]
    pairs.sort()
    return [le for le, _ in pairs if np.isfinite(le)], [c for _, c in pairs]


def incident_run(service, rate=100.0, seconds=3.0, incident_from_s=1.0, incident_error_rate=0.3, scrape_s=0.25):
    """Load at ``rate`` req/s for ``seconds``; at ``incident_from_s`` the error rate jumps to
    ``incident_error_rate``. The service is scraped every ``scrape_s``. One row per scrape: t_s, requests, errors
    (cumulative counters), in_flight (gauge)."""
    import pandas as pd

    from .load import open_loop

    v.positive("rate", rate)
    v.positive("seconds", seconds)
    v.positive("scrape_s", scrape_s)
    rows, stop = [], threading.Event()
    t0 = time.monotonic()

    def scraper():
        while not stop.is_set():
            families = service.scrape()
            ok, errors = counters(families)
            gauge = families["app_in_flight"].samples[0].value
            rows.append({"t_s": time.monotonic() - t0, "requests": ok + errors, "errors": errors, "in_flight": gauge})
            stop.wait(scrape_s)

    timer = threading.Timer(v.non_negative("incident_from_s", incident_from_s), service.set_error_rate,
                            args=(incident_error_rate,))
    thread = threading.Thread(target=scraper, daemon=True)
    thread.start()
    timer.start()
    try:
        open_loop(service.url, rate, requests=int(rate * seconds), arrivals="uniform")
    finally:
        timer.cancel()
        stop.set()
        thread.join()
        service.set_error_rate(0.0)
    return pd.DataFrame(rows)
